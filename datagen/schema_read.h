/*
 * schema_read.h -- `--from-schema`: a shape built from the database catalog.
 *
 * schema_read() reads the tables of one schema through the catalog reader (catalog.h) and
 * writes a shape document (JSON, create: false) with a type-appropriate default generator
 * per column:
 *   - a single-column primary key or unique column: sequence (integers), "{row}" text,
 *     uuid; generated columns are skipped (PostgreSQL computes them);
 *   - a foreign-key column: `ref` to the referenced column, uniform; when it is part of a
 *     key, `ref` with dist "cycle" so that key combinations stay unique;
 *   - other columns by type: bounded uniform numbers, words of about 60% of varchar(n),
 *     timestamps over 2015-2025, booleans, uuids, '{}' for json, an enum's labels;
 *     nullable columns get 10% NULLs; other types: NULL when nullable, else refused;
 *   - CHECK constraints of the form `col op constant` (joined by AND) narrow the column's
 *     range; other CHECK expressions stay in force during the load, and a row that breaks one
 *     stops the load with PostgreSQL's message naming the constraint (override the column).
 *   - composite foreign keys are refused (ST_EINPUT);
 *   - a partitioned table is one table (its rows go through the parent, PostgreSQL routes
 *     them); its partitions are not filled apart.
 * Rows per table: pg_class.reltuples when the table was analyzed, else count(*), else 1000.
 *
 * schema_merge() applies a user's shape on top (same format): per table `rows`, `popularity`,
 * `hot_ids`, `parent`; per column any of `gen`, `null_frac`, `n_distinct`, `correlation`,
 * `unique`. The column type always comes from the database.
 *
 * schema_clamp_rows() lowers row counts the keys cannot hold (smallint keys, varchar(n) text
 * keys, composite keys of foreign keys) and says so in `notes` (one line each).
 */
#ifndef DG_SCHEMA_READ_H
#define DG_SCHEMA_READ_H

#include <jansson.h>
#include <libpq-fe.h>

#include "dbuf.h"
#include "shape.h"

/* *out is a new reference. 0, ST_EENV, ST_EINPUT (unsupported schema), ST_ENOMEM. */
int schema_read(PGconn *c, const char *schema, json_t **out, char *err);
/* The catalog shape saved by an earlier fill of this schema (--resume reuses it: the catalog
 * itself changed during the interrupted load: statistics, dropped foreign keys). *out is a
 * new reference or NULL when none is saved. 0 or ST_EENV. */
int schema_saved(PGconn *c, const char *schema, json_t **out, char *err);
/* Saves `base` for schema_saved (needs the bookkeeping table). 0, ST_EENV or ST_ENOMEM. */
int schema_save(PGconn *c, const char *schema, const json_t *base, char *err);
/* Merges `over` (a shape document from `file`) into base. 0 or ST_EINPUT. */
int schema_merge(json_t *base, json_t *over, const char *file, char *err);
/* Re-resolves the shape with lowered row counts where needed. 0 or ST_EINPUT. */
int schema_clamp_rows(shape *sh, double scale, char **user, size_t nuser, uint64_t seed,
                      dbuf *notes, char *err);

#endif
