/*
 * model_read.h -- loading a traffic model for diff and report, validated with errors that
 * name the field path ("model.hawkes.branching_ratio: expected a number in [0, 10]").
 *
 * Validation covers what diff and report read: the format marker and version, the top-level
 * keys (unknown keys are typos, except _comments), and the type and range of every field
 * the two commands use. The returned json_t is owned by the caller (json_decref).
 */
#ifndef MODELER_MODEL_READ_H
#define MODELER_MODEL_READ_H

#include <jansson.h>
#include "st.h"


/* Returns a new reference or NULL with err set (ST_EINPUT: one line with the field path). */
json_t *model_read(const char *path, char *err);
/* Validates an already-parsed model. Returns 0 or ST_EINPUT with err set. */
int model_validate(const json_t *m, char *err);

#endif
