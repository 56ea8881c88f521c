/*
 * load.h -- filling PostgreSQL from a resolved shape: safety checks, chunked parallel COPY
 * with progress recorded in the database, and the post-load steps.
 *
 * The state machine of one fill (each step is idempotent, so a rerun picks up where a crash
 * left off):
 *   CHECK    load_connect(): refuse a standby or read-only server.
 *   PREPARE  load_prepare(): for every table the shape names, decide: empty -> fine;
 *            non-empty -> refuse, unless --replace (DROP/TRUNCATE exactly the named tables,
 *            never CASCADE) or its rows are exactly this run's recorded chunks (--resume,
 *            --part). Nothing is written before every table passed. Then create missing
 *            tables and the bookkeeping table stampede_datagen_progress.
 *   LOAD     load_run(): chunks of rows (or of parent rows for child tables) go to N
 *            workers; each chunk is one transaction: COPY + INSERT of its progress row +
 *            COMMIT, so after kill -9 or a server restart a chunk is either fully there and
 *            recorded, or absent. Chunks already recorded for this run are skipped.
 *   POST     when every chunk of every part is recorded: keys, unique, foreign keys, checks,
 *            indexes (skipping those that exist in the fill's schema), VACUUM (ANALYZE) until
 *            every page is all-visible (bounded retries; see vacuum_tables), exact row-count check,
 *            then the '$post' marker. With --part, the last part to finish does it, under an
 *            advisory lock. With --jobs N the per-table builds and VACUUM (ANALYZE) run over N
 *            connections (load_post.c).
 */
#ifndef DG_LOAD_H
#define DG_LOAD_H

#include <libpq-fe.h>

#include "fill.h"

#define LOAD_PROGRESS_TABLE "stampede_datagen_progress"

/* Connects and checks the server is writable. Writes "host=H port=P dbname=D user=U" into
 * target. NULL with err set (ST_EENV). */
PGconn *load_connect(const fill_opts *o, char *target, size_t tn, char *err);

/* Session settings for every connection (search_path). 0 or ST_EENV. */
int load_session(PGconn *c, const fill_opts *o, char *err);

/* PREPARE (see above). ST_EINPUT when refusing, ST_EENV on server errors. */
int load_prepare(PGconn *c, const shape *sh, const fill_opts *o, char *err);

/* Called from the calling thread about every 200 ms during LOAD (may be NULL). */
typedef void (*load_tick_fn)(void *ud, const char *table, uint64_t rows_done, uint64_t rows_total,
                             double seconds);

/* LOAD and POST. 0, ST_EENV (server, connection) or ST_ENOMEM. */
int load_run(PGconn *c, const shape *sh, const fill_opts *o, fill_rep *rep, load_tick_fn tick,
             void *ud, char *err);

/* POST (load_post.c): run by load_run() once every chunk is recorded; a no-op when this
 * run's '$post' marker exists. On connection c, plus o->jobs connections of its own for the
 * per-table work when o->jobs > 1. 0 or ST_EENV/ST_ENOMEM. */
int load_post(PGconn *c, const shape *sh, const fill_opts *o, fill_rep *rep, char *err);

#endif
