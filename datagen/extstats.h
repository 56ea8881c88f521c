/*
 * extstats.h -- extended statistics (CREATE STATISTICS: ndistinct, dependencies, mcv) in a
 * profile: recorded as the table's "statistics" (fill recreates them before its ANALYZE)
 * and reproduced in the data by rewriting the columns' generators (`dep`, `switch`), see
 * extstats.c and docs/formats/shape.md, "Extended statistics".
 */
#ifndef DG_EXTSTATS_H
#define DG_EXTSTATS_H

#include <jansson.h>

#include "pgstats.h"

/* Adds "statistics" to the table's JSON jt (whose "columns" profile already wrote, one per
 * column of t in order) and rewrites the generators of the columns the statistics make
 * dependent. What is not reproduced goes to each object's `_not_reproduced` and to notes.
 * mask: values as the columns' masked MCVs. Returns 0 or ST_ENOMEM. */
int xs_profile_table(const pgs_db *db, const pgs_table *t, int mask, json_t *jt, json_t *notes);

#endif
