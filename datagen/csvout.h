/*
 * csvout.h -- `datagen fill --out DIR`: the same rows as a PostgreSQL fill, as files.
 *
 * Writes DIR/<table>.csv (header + rows, CSV quoting by libcsv, NULL = empty unquoted
 * field), DIR/schema.sql (CREATE TABLE), DIR/constraints.sql (keys, FKs, checks, indexes,
 * ANALYZE) and DIR/load.sql, which loads everything with psql:
 *   cd DIR && psql -v ON_ERROR_STOP=1 -f load.sql
 * Every file is written atomically (common/afile.h). DIR is created if missing (one level).
 */
#ifndef DG_CSVOUT_H
#define DG_CSVOUT_H

#include "fill.h"

/* Returns 0, ST_EENV (I/O) or ST_ENOMEM, with err set. */
int csvout_write(const shape *sh, const fill_opts *o, fill_rep *rep, char *err);

/* mkdir DIR unless it exists as a directory. 0 or ST_EENV. */
int csvout_mkdir(const char *dir, char *err);

#endif
