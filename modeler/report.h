/*
 * report.h -- the self-contained HTML report of a traffic model: inline SVG (common/svg.h),
 * no scripts, no external assets. Shared by `modeler report` and `modeler fit --report`.
 *
 * The report reads the model through the descriptive reader (common/tmodel_desc.h): a file
 * read with tmodel_desc_read, or the tree model_build has just made (report_write_tree);
 * missing optional parts are skipped with a note, never a crash.
 */
#ifndef MODELER_REPORT_H
#define MODELER_REPORT_H

#include <jansson.h>
#include "dbuf.h"
#include "st.h"
#include "tmodel_desc.h"

/* Renders the report into out. Returns 0, ST_ELIMIT or ST_ENOMEM with err set. */
int report_render(const tmodel_desc *model, const char *title, dbuf *out, char *err);
/* Renders and writes atomically to path. Returns 0 or a negative ST_E* code with err set. */
int report_write(const tmodel_desc *model, const char *path, char *err);
/* The same for a tree in memory (modeler fit --report): read, render, write. */
int report_write_tree(json_t *model, const char *path, char *err);

#endif
