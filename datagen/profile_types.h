/*
 * profile_types.h -- enums, domains and PostgreSQL's other types in a profile (see
 * profile_types.c for the rules). Returned JSON is new (caller owns it).
 */
#ifndef DG_PROFILE_TYPES_H
#define DG_PROFILE_TYPES_H

#include <jansson.h>

#include "pgstats.h"

/* The type a column is generated as: a domain's base type when datagen knows it, else the
 * column's own type. */
const char *pt_gen_type(const pgs_db *db, const pgs_col *c);
/* 1 when the column keeps its own type and is drawn by pt_gen (an enum, a domain over one,
 * or a type a shape accepts as literals); 0 for the numeric/text/uuid classes and bytea. */
int pt_keeps(const pgs_db *db, const pgs_col *c);
/* Its generator; appends a note when it cannot draw from statistics. *all_null is set when
 * every row gets NULL (the caller sets null_frac 1). */
json_t *pt_gen(const pgs_db *db, const pgs_table *t, const pgs_col *c, int mask, json_t *notes,
               int *all_null);
/* 1 when a shape with db's types accepts the column type `type`. */
int pt_type_ok(const pgs_db *db, const char *type);
/* The shape's "types" array (under mask, domains without their CHECKs, with a note). */
json_t *pt_types_json(const pgs_db *db, int mask, json_t *notes);

/* A table's partitioning ("partition_by", "partitions") and generated columns into jt;
 * what a shape cannot declare becomes a note. */
void pt_table_extras(const pgs_db *db, const pgs_table *t, json_t *jt, json_t *notes);
/* The shape's "views" (under mask, views quoting a literal are left out with a note). */
json_t *pt_views_json(const pgs_db *db, int mask, json_t *notes);

#endif
