/*
 * pgstats.h -- what PostgreSQL's planner statistics say about a schema, on top of what its
 * catalogs declare (catalog.h).
 *
 * Purpose: `datagen profile`, `compare` and `plans` must never read rows of a production
 * table. pgs_read() takes the catalog description (cat_read) and adds pg_stats and
 * pg_stats_ext (without its value lists). Every array in pg_stats is fetched as JSON text
 * (array_to_json of the anyarray cast through text[]) so that one parser handles every
 * column type.
 *
 * Session settings: pgs_connect() sets DateStyle ISO and TimeZone UTC, so timestamps come
 * back as "2009-01-01 00:00:00" / "2009-01-01 00:00:00+00" whatever the server's defaults.
 *
 * Ownership: pgs_read() returns a pgs_db (catalog.h) that owns every string; pgs_db_free
 * releases it.
 */
#ifndef DG_PGSTATS_H
#define DG_PGSTATS_H

#include "catalog.h"

/* Connects through pgx_connect (conninfo or URI; PG* environment honoured) and sets the
 * session as described above. Returns NULL with err set to "cannot connect: " and libpq's
 * message (which never contains the password). The caller closes with PQfinish. */
PGconn *pgs_connect(const char *conninfo, char *err);

/* Runs a statement through pgx_exec. Returns 0 or ST_EENV with err holding the server's
 * message and the SQL (shortened). */
int pgs_command(PGconn *c, const char *sql, char *err);

/* Reads the catalogs (cat_read) and statistics of one schema. tables: NULL for all tables,
 * or a NULL-terminated list of names (a missing one is ST_EINPUT). Returns NULL with *rc
 * and err set. Caller frees with pgs_db_free. */
pgs_db *pgs_read(PGconn *c, const char *schema, char *const *tables, int *rc, char *err);

#endif
