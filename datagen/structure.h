/*
 * structure.h -- `datagen compare`'s first step: the structure of a filled database against
 * its shape, before any statistic (issue 13). Per table: present, the same columns with the
 * same types (generated columns too), primary key, unique sets, foreign keys, indexes (name,
 * method, uniqueness, and the definition after USING where the shape records one) and the
 * number of CHECK constraints. Both sides come from the catalog reader of pgstats.c.
 */
#ifndef DG_STRUCTURE_H
#define DG_STRUCTURE_H

#include <jansson.h>

#include "dbuf.h"
#include "pgstats.h"

/* Appends one line per difference to out ("users: column 'karma' is score in the shape,
 * integer in the database"). Returns the number of differences; *rc is ST_ENOMEM when the
 * buffer could not grow (the count is then a lower bound), else 0. */
size_t structure_diff(const json_t *sh, const pgs_db *db, dbuf *out, int *rc);

#endif
