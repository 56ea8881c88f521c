/*
 * ddl.h -- SQL text for a shape's tables: CREATE TABLE (columns only) and the keys,
 * constraints and indexes built after the load, in that order. Names are validated
 * identifiers (shape.c) and always double-quoted. Constraint names follow PostgreSQL's own
 * defaults (t_pkey, t_a_b_key, t_a_fkey, t_check<N>) so that re-running is idempotent: the
 * loader skips a step whose name already exists.
 */
#ifndef DG_DDL_H
#define DG_DDL_H

#include "dbuf.h"
#include "shape.h"

/* DDL_STATS: CREATE STATISTICS, after a table's indexes and before its ANALYZE; a failure is
 * reported, never fatal (the data is loaded; only the planner misses the object). */
enum ddl_kind { DDL_PK, DDL_UNIQUE, DDL_FK, DDL_CHECK, DDL_INDEX, DDL_SEQ, DDL_VIEW, DDL_STATS };

typedef struct ddl_step {
    int kind;
    int table;      /* -1 for a view */
    char name[128]; /* constraint or index name */
    char *sql;      /* malloc'd */
} ddl_step;

/* CREATE [UNLOGGED] TABLE IF NOT EXISTS. 0 or ST_ENOMEM/ST_ELIMIT. */
int ddl_create_table(const stable *t, int if_not_exists, dbuf *out);
/* All post-load steps of the shape in build order (keys, then FKs, checks, indexes, then
 * identity sequences set past the loaded maximum).
 * Returns a malloc'd array (*n entries) or NULL on out of memory; free with ddl_steps_free. */
ddl_step *ddl_steps(const shape *sh, size_t *n);
void ddl_steps_free(ddl_step *s, size_t n);

#endif
