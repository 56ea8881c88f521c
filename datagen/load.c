/*
 * load.c -- PostgreSQL fill: safety checks, chunked parallel COPY, resume, post-load steps
 * (see load.h for the state machine).
 */
#include "load.h"

#include <pthread.h>
#include <sys/socket.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "copy.h"
#include "dbuf.h"
#include "ddl.h"
#include "fmt.h"
#include "gen.h"
#include "pgx.h"

#define FLUSH_BYTES (64u * 1024u) /* smaller bursts overlapped better with the server here */

PGconn *load_connect(const fill_opts *o, char *target, size_t tn, char *err)
{
    PGconn *c = pgx_connect(o->conninfo, err);
    if (!c)
        return NULL;
    const char *host = PQhost(c);
    snprintf(target, tn, "host=%s port=%s dbname=%s user=%s", host && *host ? host : "(socket)",
             PQport(c), PQdb(c), PQuser(c));
    PGresult *r = pgx_query(c, "SELECT pg_is_in_recovery(), current_setting('transaction_read_only'),"
                               " current_setting('default_transaction_read_only')", 0, NULL, err);
    if (!r) {
        PQfinish(c);
        return NULL;
    }
    int standby = !strcmp(PQgetvalue(r, 0, 0), "t");
    int ro = !strcmp(PQgetvalue(r, 0, 1), "on") || !strcmp(PQgetvalue(r, 0, 2), "on");
    PQclear(r);
    if (standby || ro) {
        st_err(err, ST_EENV, "%s: the server is %s; refusing to write (point --db at the primary)", target,
               standby ? "a standby (pg_is_in_recovery)" : "read-only (default_transaction_read_only)");
        PQfinish(c);
        return NULL;
    }
    return c;
}

int load_session(PGconn *c, const fill_opts *o, char *err)
{
    int rc = pgx_exec(c, "SET synchronous_commit = off", err);
    if (rc || !o->schema)
        return rc;
    char *id = pgx_ident(c, o->schema);
    if (!id)
        return st_err(err, ST_ENOMEM, "out of memory");
    char sql[256];
    snprintf(sql, sizeof sql, "SET search_path = %s", id);
    free(id);
    return pgx_exec(c, sql, err);
}

static int table_exists(PGconn *c, const char *name, int *exists, char *err)
{
    const char *p[1] = {name};
    int64_t v;
    int rc = pgx_scalar_i64(c, "SELECT count(*) FROM pg_class WHERE oid = to_regclass(quote_ident($1))", 1, p, &v, err);
    *exists = v > 0;
    return rc;
}

static int count_rows(PGconn *c, const char *table, int64_t *n, char *err)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", table);
    return pgx_scalar_i64(c, sql, 0, NULL, n, err);
}

/* Rows in the table and rows recorded for this run, read in one snapshot: a chunk's rows and
 * its progress row commit together, so the two agree exactly when the table holds only this
 * run's chunks, even while another --part is committing. */
static int count_and_recorded(PGconn *c, int have_prog, const char *run, const char *table,
                              int64_t *n, int64_t *rec, char *err)
{
    char sql[400];
    if (have_prog)
        snprintf(sql, sizeof sql, "SELECT (SELECT count(*) FROM \"%s\"), (SELECT coalesce(sum(rows), 0) FROM "
                 LOAD_PROGRESS_TABLE " WHERE run = '%s' AND tbl = '%s' AND chunk >= 0)", table, run, table);
    else
        snprintf(sql, sizeof sql, "SELECT count(*), 0 FROM \"%s\"", table);
    PGresult *r = pgx_query(c, sql, 0, NULL, err);
    if (!r)
        return ST_EENV;
    *n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    *rec = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    PQclear(r);
    return 0;
}

/* Records and drops the foreign keys of the named tables (--from-schema): they are re-added
 * after the load, so tables load in any order and in parallel. */
static int stash_fks(PGconn *c, const shape *sh, const fill_opts *o, char *err)
{
    for (size_t i = 0; i < sh->nt; i++) {
        const char *p[1] = {sh->t[i].name};
        PGresult *r = pgx_query(c, "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                                   "WHERE contype = 'f' AND conrelid = to_regclass(quote_ident($1)) ORDER BY conname",
                                1, p, err);
        if (!r)
            return ST_EENV;
        for (int k = 0; k < PQntuples(r); k++) {
            dbuf b;
            dbuf_init(&b, 1 << 16);
            char *lit = PQescapeLiteral(c, PQgetvalue(r, k, 1), strlen(PQgetvalue(r, k, 1)));
            char *nm = PQescapeLiteral(c, PQgetvalue(r, k, 0), strlen(PQgetvalue(r, k, 0)));
            int rc = !lit || !nm ? ST_ENOMEM
                                 : dbuf_printf(&b, "INSERT INTO " LOAD_PROGRESS_TABLE " (run, tbl, chunk, rows, info) "
                                                   "VALUES ('%s', '$fk:%s', -1 - (SELECT count(*) FROM " LOAD_PROGRESS_TABLE
                                                   " WHERE run = '%s' AND tbl LIKE '$fk:%%'), 0, %s || ' ' || %s)",
                                               o->run_key, sh->t[i].name, o->run_key, nm, lit);
            PQfreemem(lit);
            PQfreemem(nm);
            if (!rc)
                rc = pgx_exec(c, b.p, err);
            if (!rc) {
                dbuf_reset(&b);
                rc = dbuf_printf(&b, "ALTER TABLE \"%s\" DROP CONSTRAINT \"%s\"", sh->t[i].name, PQgetvalue(r, k, 0));
                rc = rc ? rc : pgx_exec(c, b.p, err);
            }
            dbuf_free(&b);
            if (rc) {
                PQclear(r);
                return rc;
            }
        }
        PQclear(r);
    }
    return 0;
}

static int prepare_locked(PGconn *c, const shape *sh, const fill_opts *o, char *err);

int load_prepare(PGconn *c, const shape *sh, const fill_opts *o, char *err)
{
    /* One PREPARE at a time per database: parts of one fill starting together would race on
     * CREATE TABLE IF NOT EXISTS, and the emptiness decisions must see a settled state. */
    int rc = load_session(c, o, err);
    rc = rc ? rc : pgx_exec(c, "SELECT pg_advisory_lock(hashtext('stampede_datagen_prepare'))", err);
    if (rc)
        return rc;
    rc = prepare_locked(c, sh, o, err);
    char e2[ST_ERRLEN];
    if (PQstatus(c) == CONNECTION_OK)
        pgx_exec(c, "SELECT pg_advisory_unlock(hashtext('stampede_datagen_prepare'))", e2);
    return rc;
}

static int prepare_locked(PGconn *c, const shape *sh, const fill_opts *o, char *err)
{
    int have_prog, rc;
    if ((rc = table_exists(c, LOAD_PROGRESS_TABLE, &have_prog, err)))
        return rc;
    int *exists = calloc(sh->nt, sizeof(int));
    if (!exists)
        return st_err(err, ST_ENOMEM, "out of memory");
    /* Decide for every table before writing anything. */
    for (size_t i = 0; i < sh->nt && !rc; i++) {
        const stable *t = &sh->t[i];
        int64_t n = 0, rec = 0;
        if ((rc = table_exists(c, t->name, &exists[i], err)))
            break;
        if (!exists[i]) {
            if (!t->create)
                rc = st_err(err, ST_EINPUT, "table '%s' does not exist (the shape says create: false)", t->name);
            continue;
        }
        if (o->replace)
            continue;
        if ((rc = count_and_recorded(c, have_prog, o->run_key, t->name, &n, &rec, err)))
            break;
        if (n == 0)
            continue;
        if (n == rec && (o->resume || o->part_n > 1))
            continue;
        if (n == rec)
            rc = st_err(err, ST_EINPUT,
                        "table '%s' already has %lld rows from an unfinished fill of this shape; rerun with --resume to finish it, or --replace",
                        t->name, (long long)n);
        else
            rc = st_err(err, ST_EINPUT, "table '%s' is not empty (%lld rows%s); refusing without --replace",
                        t->name, (long long)n, rec ? ", not all written by this fill" : "");
    }
    if (rc) {
        free(exists);
        return rc;
    }
    rc = pgx_exec(c, "CREATE TABLE IF NOT EXISTS " LOAD_PROGRESS_TABLE " (run text NOT NULL, tbl text NOT NULL, "
                     "chunk bigint NOT NULL, rows bigint NOT NULL, info text, done_at timestamptz NOT NULL DEFAULT now(), "
                     "PRIMARY KEY (run, tbl, chunk))", err);
    dbuf b;
    dbuf_init(&b, 1 << 20);
    if (!rc && o->replace) {
        /* Exactly the named tables, together, never CASCADE: a table outside the shape that
         * references one of them makes this fail, and nothing is dropped. */
        int ndrop = 0, ntrunc = 0;
        dbuf tb;
        dbuf_init(&tb, 1 << 20);
        rc = dbuf_adds(&b, "DROP TABLE ");
        rc = rc ? rc : dbuf_adds(&tb, "TRUNCATE ");
        for (size_t i = 0; i < sh->nt && !rc; i++) {
            if (!exists[i])
                continue;
            if (sh->t[i].create)
                rc = dbuf_printf(&b, "%s\"%s\"", ndrop++ ? ", " : "", sh->t[i].name);
            else
                rc = dbuf_printf(&tb, "%s\"%s\"", ntrunc++ ? ", " : "", sh->t[i].name);
        }
        /* The shape's own views read its tables: they go first (newest first), never
         * CASCADE, so a view outside the shape still makes the DROP below refuse. */
        for (size_t i = sh->nviews; i-- > 0 && !rc;) {
            char sql[256];
            snprintf(sql, sizeof sql, "DROP %sVIEW IF EXISTS \"%s\"",
                     sh->views[i].materialized ? "MATERIALIZED " : "", sh->views[i].name);
            rc = pgx_exec(c, sql, err);
        }
        if (!rc && ntrunc)
            rc = pgx_exec(c, tb.p, err);
        if (!rc && ndrop)
            rc = pgx_exec(c, b.p, err);
        dbuf_free(&tb);
        for (size_t i = 0; i < sh->nt && !rc; i++) {
            dbuf_reset(&b);
            rc = dbuf_printf(&b, "DELETE FROM " LOAD_PROGRESS_TABLE " WHERE tbl = '%s' OR (run = '%s' AND tbl LIKE '$%%')",
                             sh->t[i].name, o->run_key);
            rc = rc ? rc : pgx_exec(c, b.p, err);
            if (sh->t[i].create)
                exists[i] = 0;
        }
    }
    /* A table emptied behind our back invalidates its old progress rows. */
    for (size_t i = 0; i < sh->nt && !rc; i++) {
        int64_t n = 0;
        if (!exists[i] || (rc = count_rows(c, sh->t[i].name, &n, err)) || n > 0)
            continue;
        dbuf_reset(&b);
        rc = dbuf_printf(&b, "DELETE FROM " LOAD_PROGRESS_TABLE " WHERE tbl = '%s' AND chunk >= 0", sh->t[i].name);
        rc = rc ? rc : pgx_exec(c, b.p, err);
    }
    /* The shape's own types before the tables that use them; one that exists is kept (a
     * rerun, or --replace, which drops tables only). */
    for (size_t i = 0; i < sh->ntypes && !rc; i++) {
        const char *pv[1] = {sh->types[i].name};
        PGresult *r = pgx_query(c, "SELECT 1 FROM pg_type WHERE typname = $1 AND typnamespace = "
                                   "current_schema()::regnamespace", 1, pv, err);
        if (!r)
            rc = ST_EENV;
        else if (PQntuples(r) == 0)
            rc = pgx_exec(c, sh->types[i].sql, err);
        PQclear(r);
    }
    for (size_t i = 0; i < sh->nt && !rc; i++) {
        if (exists[i])
            continue;
        dbuf_reset(&b);
        rc = ddl_create_table(&sh->t[i], 1, &b);
        rc = rc ? rc : pgx_exec(c, b.p, err);
    }
    dbuf_free(&b);
    free(exists);
    if (!rc && o->drop_fks)
        rc = stash_fks(c, sh, o, err);
    return rc;
}

/* ---- LOAD ---------------------------------------------------------------------------- */

typedef struct chunk {
    int table;
    uint64_t idx, lo, hi; /* units [lo, hi) */
} chunk;

typedef struct loader {
    const shape *sh;
    const fill_opts *o;
    fill_rep *rep;
    chunk *chunks;
    size_t nchunks;
    atomic_size_t next;
    atomic_int stop;
    atomic_int cur_table;
    _Atomic uint64_t rows_done;
    pthread_mutex_t mu;
    int rc;
    char err[ST_ERRLEN];
    char *copy_sql[SHAPE_MAX_TABLES];
    int binary[SHAPE_MAX_TABLES];
} loader;

static void set_error(loader *L, int rc, const char *err)
{
    pthread_mutex_lock(&L->mu);
    if (!L->rc) {
        L->rc = rc;
        snprintf(L->err, sizeof L->err, "%s", err);
    }
    pthread_mutex_unlock(&L->mu);
    atomic_store(&L->stop, 1);
}

static int load_chunk(loader *L, PGconn *c, gen_ctx *cx, char *buf, const chunk *ch, char *err)
{
    const shape *sh = L->sh;
    const stable *t = &sh->t[ch->table];
    uint64_t t0 = st_now_ns(), rows = 0, bytes = 0, pending = 0;
    size_t len = 0;
    int rc = pgx_exec(c, "BEGIN", err);
    if (rc)
        return rc;
    if ((rc = copy_begin(c, L->copy_sql[ch->table], err)))
        goto fail;
    atomic_store(&L->cur_table, ch->table);
    int bin = L->binary[ch->table];
    if (bin) {
        memcpy(buf, fmt_bin_header, FMT_BIN_HEADER_LEN);
        len = FMT_BIN_HEADER_LEN;
    }
    for (uint64_t u = ch->lo; u < ch->hi; u++) {
        uint64_t k = t->parent >= 0 ? shape_fanout(sh, t, L->o->seed, u) : 1;
        for (uint64_t line = 1; line <= k; line++) {
            uint64_t key = t->parent >= 0 ? gen_child_key(u, line) : u;
            len += bin ? fmt_row_bin(cx, ch->table, key, buf + len)
                       : fmt_row(cx, ch->table, key, FMT_COPY_TEXT, buf + len);
            rows++;
            if (len >= FLUSH_BYTES) {
                if ((rc = copy_put(c, buf, len, err)))
                    goto fail_copy;
                bytes += len;
                len = 0;
                atomic_fetch_add(&L->rows_done, rows - pending);
                pending = rows;
                if (atomic_load(&L->stop)) {
                    rc = st_err(err, ST_EENV, "stopped");
                    goto fail_copy;
                }
            }
        }
    }
    if (bin) {
        buf[len++] = (char)0xff; /* trailer: int16 -1 */
        buf[len++] = (char)0xff;
    }
    if (len && (rc = copy_put(c, buf, len, err)))
        goto fail_copy;
    bytes += len;
    if ((rc = copy_end(c, err)))
        goto fail;
    char sql[256];
    snprintf(sql, sizeof sql, "INSERT INTO " LOAD_PROGRESS_TABLE " (run, tbl, chunk, rows) VALUES ('%s', '%s', %llu, %llu)",
             L->o->run_key, t->name, (unsigned long long)ch->idx, (unsigned long long)rows);
    if ((rc = pgx_exec(c, sql, err)) || (rc = pgx_exec(c, "COMMIT", err)))
        goto fail;
    atomic_fetch_add(&L->rows_done, rows - pending);
    pthread_mutex_lock(&L->mu);
    fill_table_rep *tr = &L->rep->t[ch->table];
    tr->loaded += rows;
    tr->bytes += bytes;
    tr->seconds += (double)(st_now_ns() - t0) / 1e9;
    L->rep->chunks_done++;
    pthread_mutex_unlock(&L->mu);
    return 0;
fail_copy:
    copy_abort(c, "datagen: stopping");
fail:
    if (PQstatus(c) == CONNECTION_OK) {
        PGresult *r = PQexec(c, "ROLLBACK");
        PQclear(r);
    }
    return rc;
}

static void *worker(void *arg)
{
    loader *L = arg;
    char err[ST_ERRLEN];
    gen_ctx cx;
    size_t rowmax = 0;
    for (size_t i = 0; i < L->sh->nt; i++) {
        size_t m = fmt_row_max(&L->sh->t[i]);
        rowmax = m > rowmax ? m : rowmax;
    }
    char *buf = malloc(FLUSH_BYTES + rowmax + FMT_BIN_HEADER_LEN + 2);
    if (!buf || gen_ctx_init(&cx, L->sh, L->o->seed)) {
        free(buf);
        set_error(L, ST_ENOMEM, "out of memory");
        return NULL;
    }
    PGconn *c = pgx_connect(L->o->conninfo, err);
    int rc = c ? load_session(c, L->o, err) : ST_EENV;
    if (c) {
        /* A large send buffer lets generation run ahead of the server's parsing instead of
         * alternating with it (measured here: median 1.43 s against 1.62 s for 1 M rows).
         * Best effort: on failure the kernel's default only costs speed. */
        int sz = 4 << 20;
        if (setsockopt(PQsocket(c), SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz) != 0)
            sz = 0;
    }
    while (!rc && !atomic_load(&L->stop)) {
        size_t i = atomic_fetch_add(&L->next, 1);
        if (i >= L->nchunks)
            break;
        rc = load_chunk(L, c, &cx, buf, &L->chunks[i], err);
        if (rc) {
            char e2[ST_ERRLEN];
            memcpy(e2, err, sizeof e2);
            st_err(err, rc, "table '%.63s' chunk %llu: %.160s", L->sh->t[L->chunks[i].table].name,
                   (unsigned long long)L->chunks[i].idx, e2);
        }
    }
    if (rc && strcmp(err, "stopped"))
        set_error(L, rc, err);
    PQfinish(c);
    gen_ctx_term(&cx);
    free(buf);
    return NULL;
}

/* Chunk indexes already recorded for this run, as a sorted array. */
static int done_chunks(PGconn *c, const fill_opts *o, const char *table, int64_t **out, size_t *n, char *err)
{
    const char *p[2] = {o->run_key, table};
    PGresult *r = pgx_query(c, "SELECT chunk FROM " LOAD_PROGRESS_TABLE " WHERE run = $1 AND tbl = $2 AND chunk >= 0 ORDER BY chunk",
                            2, p, err);
    if (!r)
        return ST_EENV;
    *n = (size_t)PQntuples(r);
    *out = malloc((*n + 1) * sizeof(int64_t));
    if (!*out) {
        PQclear(r);
        return st_err(err, ST_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < *n; i++)
        (*out)[i] = strtoll(PQgetvalue(r, (int)i, 0), NULL, 10);
    PQclear(r);
    return 0;
}

static uint64_t units_per_chunk(const stable *t, uint64_t chunk_rows)
{
    if (t->parent < 0 || t->nunits == 0 || t->rows == 0)
        return chunk_rows;
    double avg = (double)t->rows / (double)t->nunits;
    uint64_t u = (uint64_t)((double)chunk_rows / (avg > 1 ? avg : 1));
    return u ? u : 1;
}

static int plan_chunks(PGconn *c, loader *L, uint64_t *total_chunks, char *err)
{
    const shape *sh = L->sh;
    const fill_opts *o = L->o;
    size_t cap = 0;
    *total_chunks = 0;
    for (size_t ti = 0; ti < sh->nt; ti++) {
        const stable *t = &sh->t[ti];
        uint64_t per = units_per_chunk(t, o->chunk_rows);
        uint64_t nch = (t->nunits + per - 1) / per;
        *total_chunks += nch;
        int64_t *done;
        size_t ndone, di = 0;
        int rc = done_chunks(c, o, t->name, &done, &ndone, err);
        if (rc)
            return rc;
        for (uint64_t j = 0; j < nch; j++) {
            while (di < ndone && done[di] < (int64_t)j)
                di++;
            if (o->part_n > 1 && (j + ti) % o->part_n != o->part_i - 1)
                continue;
            if (di < ndone && done[di] == (int64_t)j) {
                L->rep->chunks_skipped++;
                continue;
            }
            if (L->nchunks == cap) {
                cap = cap ? cap * 2 : 256;
                chunk *nc = realloc(L->chunks, cap * sizeof(chunk));
                if (!nc) {
                    free(done);
                    return st_err(err, ST_ENOMEM, "out of memory");
                }
                L->chunks = nc;
            }
            chunk *ch = &L->chunks[L->nchunks++];
            ch->table = (int)ti;
            ch->idx = j;
            ch->lo = j * per;
            ch->hi = (j + 1) * per < t->nunits ? (j + 1) * per : t->nunits;
        }
        free(done);
    }
    return 0;
}

static int constraint_exists(PGconn *c, const ddl_step *s, const char *table, int *yes, char *err)
{
    const char *p[2] = {s->name, table};
    int64_t n;
    /* An index name is unique per schema: look it up in the schema of the table it is for
     * (the one being filled), not anywhere in the database. */
    int rc = pgx_scalar_i64(c,
                            s->kind == DDL_INDEX
                                ? "SELECT count(*) FROM pg_class WHERE relname = $1 AND relkind IN ('i', 'I') AND relnamespace = "
                                  "(SELECT relnamespace FROM pg_class WHERE oid = to_regclass(quote_ident($2)))"
                                : "SELECT count(*) FROM pg_constraint WHERE conname = $1 AND conrelid = to_regclass(quote_ident($2))",
                            2, p, &n, err);
    *yes = n > 0;
    return rc;
}

/* Pages of the table not marked all-visible (pg_class, as the planner sees them). */
static int pages_not_visible(PGconn *c, const char *table, int64_t *n, char *err)
{
    const char *p[1] = {table};
    return pgx_scalar_i64(c, "SELECT greatest(relpages - relallvisible, 0) FROM pg_class WHERE oid = to_regclass(quote_ident($1))",
                          1, p, n, err);
}

/* VACUUM (ANALYZE) every table so that every page ends up all-visible, as in a production
 * database at rest (index-only scans are costed by relallvisible / relpages).
 *
 * VACUUM marks a page all-visible only when every tuple carries the "inserting transaction
 * committed" hint bit, and PostgreSQL may set that bit only once the WAL holding the commit is
 * flushed. The loaders commit with synchronous_commit = off, and the commit LSN the server keeps
 * is per group of 32 transaction ids (the newest of the group): the post-load DDL committed
 * asynchronously just before VACUUM shares groups with the last chunks, so VACUUM found their
 * commit "not yet flushed" and left whole tables (or the last ~100 pages) not all-visible.
 * post_load() therefore runs synchronously: the DDL's commits flush the WAL of every load commit
 * before it. What remains is outside this fill: another session's asynchronous commit in the same
 * xid group, not yet flushed by the WAL writer (~200 ms), or another transaction of this
 * database holding back the xmin horizon (e.g. autovacuum's ANALYZE). For those, each table still
 * short of all-visible is vacuumed again, up to VACUUM_RETRIES times with a growing pause
 * (0.1 s, 0.2 s, ...: 2.3 s at most). Pages that stay not all-visible are reported in
 * rep->pages_not_all_visible; that is not an error. One cause no retry fixes: with several jobs
 * COPYing into one table, PostgreSQL extends it by many pages at once under contention and the
 * pages the load did not use stay all-zero, which VACUUM never marks all-visible (tens of pages
 * at most, at the end of the table's load). 0 or ST_EENV. */
#define VACUUM_RETRIES 5
static int vacuum_tables(PGconn *c, const shape *sh, fill_rep *rep, char *err)
{
    char sql[200];
    int rc = 0;
    for (size_t i = 0; i < sh->nt && !rc; i++) {
        snprintf(sql, sizeof sql, "VACUUM (ANALYZE) \"%s\"", sh->t[i].name);
        rc = pgx_exec(c, sql, err);
    }
    int64_t left = 0;
    for (int round = 0; !rc; round++) {
        left = 0;
        for (size_t i = 0; i < sh->nt && !rc; i++) {
            int64_t n = 0;
            if ((rc = pages_not_visible(c, sh->t[i].name, &n, err)) || n == 0)
                continue;
            int first = left == 0;
            left += n;
            if (round == VACUUM_RETRIES)
                continue;
            if (first) { /* one pause per round: 0.1, 0.2, 0.4, 0.8, 0.8 s */
                struct timespec ts = {0, (100L * 1000 * 1000) << (round < 3 ? round : 3)};
                nanosleep(&ts, NULL);
            }
            snprintf(sql, sizeof sql, "VACUUM \"%s\"", sh->t[i].name);
            rc = pgx_exec(c, sql, err);
            rep->vacuum_retries++;
        }
        if (!left || round == VACUUM_RETRIES)
            break;
    }
    rep->pages_not_all_visible = rc ? 0 : (uint64_t)left;
    return rc;
}

/* POST: the keys, constraints and indexes, VACUUM (ANALYZE), exact counts. */
static int post_load(PGconn *c, const shape *sh, const fill_opts *o, fill_rep *rep, char *err)
{
    char sql[512];
    int64_t v;
    const char *p[1] = {o->run_key};
    int rc = pgx_scalar_i64(c, "SELECT count(*) FROM " LOAD_PROGRESS_TABLE " WHERE run = $1 AND tbl = '$post'", 1, p, &v, err);
    if (rc || v > 0)
        return rc;
    /* Synchronous from here on: see vacuum_tables() for why the visibility map needs it. */
    rc = pgx_exec(c, "SET maintenance_work_mem = '256MB'", err);
    rc = rc ? rc : pgx_exec(c, "SET synchronous_commit = on", err);
    size_t n = 0;
    ddl_step *steps = rc ? NULL : ddl_steps(sh, &n);
    if (!rc && !steps)
        rc = st_err(err, ST_ENOMEM, "out of memory");
    for (size_t i = 0; i < n && !rc; i++) {
        int yes;
        /* views (table -1) are created idempotently: no lookup */
        if (steps[i].table >= 0 &&
            ((rc = constraint_exists(c, &steps[i], sh->t[steps[i].table].name, &yes, err)) || yes))
            continue;
        rc = pgx_exec(c, steps[i].sql, err);
    }
    ddl_steps_free(steps, n);
    if (!rc && o->drop_fks) {
        PGresult *r = pgx_query(c, "SELECT substr(tbl, 5), info FROM " LOAD_PROGRESS_TABLE
                                   " WHERE run = $1 AND tbl LIKE '$fk:%' ORDER BY chunk DESC", 1, p, err);
        if (!r)
            rc = ST_EENV;
        for (int k = 0; r && k < PQntuples(r) && !rc; k++) {
            const char *info = PQgetvalue(r, k, 1), *sp = strchr(info, ' ');
            ddl_step s = {.kind = DDL_FK};
            int yes;
            if (!sp)
                continue;
            snprintf(s.name, sizeof s.name, "%.*s", (int)(sp - info), info);
            if ((rc = constraint_exists(c, &s, PQgetvalue(r, k, 0), &yes, err)) || yes)
                continue;
            dbuf b;
            dbuf_init(&b, 1 << 16);
            rc = dbuf_printf(&b, "ALTER TABLE \"%s\" ADD CONSTRAINT \"%s\" %s", PQgetvalue(r, k, 0), s.name, sp + 1);
            rc = rc ? rc : pgx_exec(c, b.p, err);
            dbuf_free(&b);
        }
        PQclear(r);
    }
    if (!rc && !o->no_vacuum)
        rc = vacuum_tables(c, sh, rep, err);
    /* Exact counts: each chunk's rows were recorded in the transaction that wrote them, so
     * the recorded sums are the table contents (a count(*) would rescan every table). */
    for (size_t i = 0; i < sh->nt && !rc; i++) {
        int64_t cnt;
        const char *pp[2] = {o->run_key, sh->t[i].name};
        if ((rc = pgx_scalar_i64(c, "SELECT coalesce(sum(rows), 0) FROM " LOAD_PROGRESS_TABLE
                                    " WHERE run = $1 AND tbl = $2 AND chunk >= 0", 2, pp, &cnt, err)))
            break;
        if ((uint64_t)cnt != sh->t[i].rows)
            rc = st_err(err, ST_EENV, "table '%s' has %lld rows recorded after the load, expected %llu",
                        sh->t[i].name, (long long)cnt, (unsigned long long)sh->t[i].rows);
    }
    if (!rc) {
        snprintf(sql, sizeof sql, "INSERT INTO " LOAD_PROGRESS_TABLE " (run, tbl, chunk, rows) VALUES ('%s', '$post', 0, 0)",
                 o->run_key);
        rc = pgx_exec(c, sql, err);
    }
    return rc;
}

int load_run(PGconn *c, const shape *sh, const fill_opts *o, fill_rep *rep, load_tick_fn tick,
             void *ud, char *err)
{
    loader L;
    memset(&L, 0, sizeof L);
    L.sh = sh;
    L.o = o;
    L.rep = rep;
    atomic_init(&L.next, 0);
    atomic_init(&L.stop, 0);
    atomic_init(&L.cur_table, 0);
    atomic_init(&L.rows_done, 0);
    pthread_mutex_init(&L.mu, NULL);
    uint64_t t0 = st_now_ns(), total_chunks = 0, rows_total = 0;
    int rc = plan_chunks(c, &L, &total_chunks, err);
    for (size_t i = 0; i < sh->nt && !rc; i++) {
        const stable *t = &sh->t[i];
        dbuf b;
        dbuf_init(&b, 1 << 16);
        rc = dbuf_printf(&b, "COPY \"%s\" (", t->name);
        for (size_t k = 0; k < t->ncols && !rc; k++)
            rc = dbuf_printf(&b, "%s\"%s\"", k ? ", " : "", t->cols[k].name);
        L.binary[i] = o->copy_format != COPYF_TEXT && fmt_table_binary_ok(t);
        rc = rc ? rc : dbuf_adds(&b, L.binary[i] ? ") FROM STDIN (FORMAT binary)" : ") FROM STDIN");
        L.copy_sql[i] = dbuf_take(&b, NULL);
        if (!rc && !L.copy_sql[i])
            rc = st_err(err, ST_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < L.nchunks; i++) {
        const stable *t = &sh->t[L.chunks[i].table];
        rows_total += t->parent >= 0 ? (uint64_t)((double)t->rows / (double)(t->nunits ? t->nunits : 1) *
                                                  (double)(L.chunks[i].hi - L.chunks[i].lo))
                                     : L.chunks[i].hi - L.chunks[i].lo;
    }
    unsigned nw = o->jobs ? o->jobs : 1;
    if (nw > L.nchunks)
        nw = L.nchunks ? (unsigned)L.nchunks : 0;
    pthread_t th[64];
    unsigned started = 0;
    for (unsigned i = 0; i < nw && !rc; i++) {
        if (pthread_create(&th[i], NULL, worker, &L)) {
            set_error(&L, ST_EENV, "cannot start a worker thread");
            break;
        }
        started++;
    }
    /* The calling thread reports progress until the workers are done. */
    while (started && !rc) {
        size_t nx = atomic_load(&L.next);
        if (tick)
            tick(ud, sh->t[atomic_load(&L.cur_table)].name, atomic_load(&L.rows_done), rows_total,
                 (double)(st_now_ns() - t0) / 1e9);
        if (nx >= L.nchunks + nw || atomic_load(&L.stop))
            break;
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    for (unsigned i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    if (tick && started && !L.rc)
        tick(ud, "", atomic_load(&L.rows_done), rows_total, (double)(st_now_ns() - t0) / 1e9);
    rep->load_seconds = (double)(st_now_ns() - t0) / 1e9;
    if (!rc && L.rc) {
        rc = L.rc;
        snprintf(err, ST_ERRLEN, "%s", L.err);
    }
    for (size_t i = 0; i < sh->nt; i++)
        free(L.copy_sql[i]);
    free(L.chunks);
    pthread_mutex_destroy(&L.mu);
    if (rc)
        return rc;
    /* Complete when every chunk of every part is recorded. */
    int64_t recorded;
    const char *p[1] = {o->run_key};
    if ((rc = pgx_scalar_i64(c, "SELECT count(*) FROM " LOAD_PROGRESS_TABLE " WHERE run = $1 AND chunk >= 0 AND tbl NOT LIKE '$%'",
                             1, p, &recorded, err)))
        return rc;
    rep->chunks_pending_other_parts = total_chunks > (uint64_t)recorded ? total_chunks - (uint64_t)recorded : 0;
    uint64_t tp = st_now_ns();
    if ((uint64_t)recorded >= total_chunks) {
        char sql[160];
        snprintf(sql, sizeof sql, "SELECT pg_advisory_lock(hashtext('%s'))", o->run_key);
        if ((rc = pgx_exec(c, sql, err)))
            return rc;
        rc = post_load(c, sh, o, rep, err);
        snprintf(sql, sizeof sql, "SELECT pg_advisory_unlock(hashtext('%s'))", o->run_key);
        char e2[ST_ERRLEN];
        if (PQstatus(c) == CONNECTION_OK)
            pgx_exec(c, sql, e2);
        rep->complete = rc == 0;
    }
    rep->post_seconds = (double)(st_now_ns() - tp) / 1e9;
    for (size_t i = 0; i < sh->nt; i++)
        rep->t[i].rows = sh->t[i].rows;
    return rc;
}
