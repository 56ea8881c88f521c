/*
 * profile_keys.h -- the keys and exclusion constraints of a profiled table, and the
 * generators that hold them by construction (see profile_keys.c for the rules).
 *
 * Returned JSON is new (caller owns it); NULL means "not this case" (or out of memory, which
 * the caller's json_pack then reports as well).
 */
#ifndef DG_PROFILE_KEYS_H
#define DG_PROFILE_KEYS_H

#include <jansson.h>

#include "pgstats.h"

/* 1 when col alone is the table's primary key, a unique constraint or a unique index. */
int pk_single_key(const pgs_table *t, const char *col);
/* 1 when a unique generator exists for the column's type (integers, uuid, text). */
int pk_key_capable(const pgs_db *db, const pgs_table *t, const char *col);
/* The FK of t whose single column is col, referencing a single-column key of a table in the
 * profile that has rows; NULL otherwise. */
const pgs_fk *pk_ref_of(const pgs_db *db, const pgs_table *t, const char *col);

/* 1 when the profile writes table t with "scale": "fixed" (a lookup table: at most 100 rows
 * and no foreign key to another table), the one home of that rule. */
int pk_fixed_table(const pgs_table *t);
/* The generator that holds an exclusion constraint for column c: the disjoint slot pattern
 * (shape.h SH_SLOT_*) of a range under `&&`. NULL when c is not such a column. */
json_t *pk_key_gen(const pgs_db *db, const pgs_table *t, const pgs_col *c);
/* For a table whose primary key (or, without one, first unique set) `key` is made of two
 * references whose first column's generator (in cols, the table's "columns" JSON) lays its
 * values in runs: rewrites the second column's generator as `distinct` of the first and
 * returns 1 (the key is then kept as a constraint); a second column drawn from literal ids
 * gets the referenced table as `table` (their copies at --scale). Otherwise 0, with a note
 * when the runs are missing or the literal ids refer to a fixed-size table. */
int pk_junction_json(const pgs_db *db, const pgs_table *t, const pgs_names *key, json_t *cols,
                     json_t *notes);
/* The table's "exclusions" (under mask, those quoting a literal are left out with a note),
 * or NULL when it has none. */
json_t *pk_exclusions_json(const pgs_table *t, int mask, json_t *notes);

#endif
