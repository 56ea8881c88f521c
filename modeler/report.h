/*
 * report.h -- the self-contained HTML report of a traffic model: inline SVG (common/svg.h),
 * no scripts, no external assets. Shared by `modeler report` and `modeler fit --report`.
 *
 * The model must have been validated (common/tmodel.h) or just built by model_build; missing
 * optional parts are skipped with a note, never a crash.
 */
#ifndef MODELER_REPORT_H
#define MODELER_REPORT_H

#include <jansson.h>
#include "dbuf.h"
#include "st.h"

/* Renders the report into out. Returns 0, ST_ELIMIT or ST_ENOMEM with err set. */
int report_render(const json_t *model, const char *title, dbuf *out, char *err);
/* Renders and writes atomically to path. */
int report_write(const json_t *model, const char *path, char *err);

#endif
