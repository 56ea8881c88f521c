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
    PGresult *r = pgx_query(c,
                            "SELECT pg_is_in_recovery(), current_setting('transaction_read_only'),"
                            " current_setting('default_transaction_read_only')",
                            0, NULL, err);
    if (!r) {
        PQfinish(c);
        return NULL;
    }
    int standby = !strcmp(PQgetvalue(r, 0, 0), "t");
    int ro = !strcmp(PQgetvalue(r, 0, 1), "on") || !strcmp(PQgetvalue(r, 0, 2), "on");
    PQclear(r);
    if (standby || ro) {
        st_err(err, ST_EENV, "%s: the server is %s; refusing to write (point --db at the primary)",
               target,
               standby ? "a standby (pg_is_in_recovery)"
                       : "read-only (default_transaction_read_only)");
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
    int rc = pgx_scalar_i64(
        c, "SELECT count(*) FROM pg_class WHERE oid = to_regclass(quote_ident($1))", 1, p, &v, err);
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
        snprintf(sql, sizeof sql,
                 "SELECT (SELECT count(*) FROM \"%s\"), (SELECT coalesce(sum(rows), 0) "
                 "FROM " LOAD_PROGRESS_TABLE " WHERE run = '%s' AND tbl = '%s' AND chunk >= 0)",
                 table, run, table);
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
        PGresult *r = pgx_query(
            c,
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = to_regclass(quote_ident($1)) ORDER BY conname",
            1, p, err);
        if (!r)
            return ST_EENV;
        for (int k = 0; k < PQntuples(r); k++) {
            dbuf b;
            dbuf_init(&b, 1 << 16);
            char *lit = PQescapeLiteral(c, PQgetvalue(r, k, 1), strlen(PQgetvalue(r, k, 1)));
            char *nm = PQescapeLiteral(c, PQgetvalue(r, k, 0), strlen(PQgetvalue(r, k, 0)));
            int rc =
                !lit || !nm
                    ? ST_ENOMEM
                    : dbuf_printf(
                          &b,
                          "INSERT INTO " LOAD_PROGRESS_TABLE " (run, tbl, chunk, rows, info) "
                          "VALUES ('%s', '$fk:%s', -1 - (SELECT count(*) FROM " LOAD_PROGRESS_TABLE
                          " WHERE run = '%s' AND tbl LIKE '$fk:%%'), 0, %s || ' ' || %s)",
                          o->run_key, sh->t[i].name, o->run_key, nm, lit);
            PQfreemem(lit);
            PQfreemem(nm);
            if (!rc)
                rc = pgx_exec(c, b.p, err);
            if (!rc) {
                dbuf_reset(&b);
                rc = dbuf_printf(&b, "ALTER TABLE \"%s\" DROP CONSTRAINT \"%s\"", sh->t[i].name,
                                 PQgetvalue(r, k, 0));
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
    rc = rc ? rc
            : pgx_exec(c, "SELECT pg_advisory_lock(hashtext('stampede_datagen_prepare'))", err);
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
                rc = st_err(err, ST_EINPUT,
                            "table '%s' does not exist (the shape says create: false)", t->name);
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
                        "table '%s' already has %lld rows from an unfinished fill of this shape; "
                        "rerun with --resume to finish it, or --replace",
                        t->name, (long long)n);
        else
            rc = st_err(err, ST_EINPUT,
                        "table '%s' is not empty (%lld rows%s); refusing without --replace",
                        t->name, (long long)n, rec ? ", not all written by this fill" : "");
    }
    if (rc) {
        free(exists);
        return rc;
    }
    rc = pgx_exec(c,
                  "CREATE TABLE IF NOT EXISTS " LOAD_PROGRESS_TABLE
                  " (run text NOT NULL, tbl text NOT NULL, "
                  "chunk bigint NOT NULL, rows bigint NOT NULL, info text, done_at timestamptz NOT "
                  "NULL DEFAULT now(), "
                  "PRIMARY KEY (run, tbl, chunk))",
                  err);
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
            rc = dbuf_printf(&b,
                             "DELETE FROM " LOAD_PROGRESS_TABLE
                             " WHERE tbl = '%s' OR (run = '%s' AND tbl LIKE '$%%')",
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
        rc = dbuf_printf(&b, "DELETE FROM " LOAD_PROGRESS_TABLE " WHERE tbl = '%s' AND chunk >= 0",
                         sh->t[i].name);
        rc = rc ? rc : pgx_exec(c, b.p, err);
    }
    /* The shape's own types before the tables that use them; one that exists is kept (a
     * rerun, or --replace, which drops tables only). */
    for (size_t i = 0; i < sh->ntypes && !rc; i++) {
        const char *pv[1] = {sh->types[i].name};
        PGresult *r = pgx_query(c,
                                "SELECT 1 FROM pg_type WHERE typname = $1 AND typnamespace = "
                                "current_schema()::regnamespace",
                                1, pv, err);
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
    char *freeze_sql[SHAPE_MAX_TABLES]; /* the same COPY with FREEZE; NULL: never tried */
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

/* COPY ... FREEZE writes rows frozen and their pages all-visible, so VACUUM has nothing to
 * do on them, but only into a table created or truncated by the same transaction. The first
 * chunk of a table therefore truncates it when it is provably empty: under an ACCESS
 * EXCLUSIVE lock taken without waiting (another job or --part already writing it keeps its
 * rows and this chunk loads normally), in a savepoint, so that any refusal (a foreign key
 * pointing at the table, no TRUNCATE privilege) leaves the transaction as it was. Returns 1
 * when the COPY may FREEZE; an error only when the connection itself failed. */
static int try_truncate(PGconn *c, const char *table, int *frozen, char *err)
{
    char sql[300], e2[ST_ERRLEN];
    *frozen = 0;
    int rc = pgx_exec(c, "SAVEPOINT dg_freeze", err);
    if (rc)
        return rc;
    snprintf(sql, sizeof sql, "LOCK TABLE \"%s\" IN ACCESS EXCLUSIVE MODE NOWAIT", table);
    int ok = !pgx_exec(c, sql, e2);
    if (ok) {
        int64_t rows = 1;
        snprintf(sql, sizeof sql, "SELECT count(*) FROM (SELECT 1 FROM \"%s\" LIMIT 1) x", table);
        ok = !pgx_scalar_i64(c, sql, 0, NULL, &rows, e2) && rows == 0;
    }
    if (ok) {
        snprintf(sql, sizeof sql, "TRUNCATE \"%s\"", table);
        ok = !pgx_exec(c, sql, e2);
    }
    if (!ok && (rc = pgx_exec(c, "ROLLBACK TO SAVEPOINT dg_freeze", err)))
        return rc;
    rc = pgx_exec(c, "RELEASE SAVEPOINT dg_freeze", err);
    *frozen = ok && !rc;
    return rc;
}

static int load_chunk(loader *L, PGconn *c, gen_ctx *cx, char *buf, const chunk *ch, char *err)
{
    const shape *sh = L->sh;
    const stable *t = &sh->t[ch->table];
    uint64_t t0 = st_now_ns(), rows = 0, bytes = 0, pending = 0;
    size_t len = 0;
    int rc = pgx_exec(c, "BEGIN", err), frozen = 0;
    if (rc)
        return rc;
    if (L->freeze_sql[ch->table] && ch->idx == 0 && (rc = try_truncate(c, t->name, &frozen, err)))
        goto fail;
    if ((rc = copy_begin(c, frozen ? L->freeze_sql[ch->table] : L->copy_sql[ch->table], err)))
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
    snprintf(sql, sizeof sql,
             "INSERT INTO " LOAD_PROGRESS_TABLE
             " (run, tbl, chunk, rows) VALUES ('%s', '%s', %llu, %llu)",
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
    L->rep->rows_frozen += frozen ? rows : 0;
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
static int done_chunks(PGconn *c, const fill_opts *o, const char *table, int64_t **out, size_t *n,
                       char *err)
{
    const char *p[2] = {o->run_key, table};
    PGresult *r = pgx_query(c,
                            "SELECT chunk FROM " LOAD_PROGRESS_TABLE
                            " WHERE run = $1 AND tbl = $2 AND chunk >= 0 ORDER BY chunk",
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
        rc = rc ? rc
                : dbuf_adds(&b, L.binary[i] ? ") FROM STDIN (FORMAT binary"
                                            : ") FROM STDIN (FORMAT text");
        size_t stem = b.len;
        rc = rc ? rc : dbuf_adds(&b, ", FREEZE)");
        L.freeze_sql[i] = rc ? NULL : strdup(b.p);
        if (!rc) {
            b.len = stem;
            b.p[stem] = 0;
        }
        rc = rc ? rc : dbuf_adds(&b, ")");
        L.copy_sql[i] = dbuf_take(&b, NULL);
        if (!rc && (!L.copy_sql[i] || !L.freeze_sql[i]))
            rc = st_err(err, ST_ENOMEM, "out of memory");
    }
    /* FREEZE (--freeze) only where the truncating first chunk holds up nobody: with one job,
     * or for a table that is a single chunk (a second job would wait on its lock for a whole
     * chunk). Off by default: PostgreSQL 15 puts fewer wide rows on a page under FREEZE
     * (products of the shop shape: 35 instead of 37 per page, +1% relpages), and a fill is
     * meant to reproduce production's relpages. */
    size_t per_table[SHAPE_MAX_TABLES] = {0};
    for (size_t i = 0; i < L.nchunks; i++)
        per_table[L.chunks[i].table]++;
    for (size_t i = 0; i < sh->nt && !rc; i++)
        if (!o->freeze || (o->jobs > 1 && per_table[i] > 1)) {
            free(L.freeze_sql[i]);
            L.freeze_sql[i] = NULL;
        }
    for (size_t i = 0; i < L.nchunks; i++) {
        const stable *t = &sh->t[L.chunks[i].table];
        rows_total += t->parent >= 0
                          ? (uint64_t)((double)t->rows / (double)(t->nunits ? t->nunits : 1) *
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
    for (size_t i = 0; i < sh->nt; i++) {
        free(L.copy_sql[i]);
        free(L.freeze_sql[i]);
    }
    free(L.chunks);
    pthread_mutex_destroy(&L.mu);
    if (rc)
        return rc;
    /* Complete when every chunk of every part is recorded. */
    int64_t recorded;
    const char *p[1] = {o->run_key};
    if ((rc = pgx_scalar_i64(c,
                             "SELECT count(*) FROM " LOAD_PROGRESS_TABLE
                             " WHERE run = $1 AND chunk >= 0 AND tbl NOT LIKE '$%'",
                             1, p, &recorded, err)))
        return rc;
    rep->chunks_pending_other_parts = total_chunks > (uint64_t)recorded
                                          ? total_chunks - (uint64_t)recorded
                                          : 0;
    uint64_t tp = st_now_ns();
    if ((uint64_t)recorded >= total_chunks) {
        char sql[160];
        snprintf(sql, sizeof sql, "SELECT pg_advisory_lock(hashtext('%s'))", o->run_key);
        if ((rc = pgx_exec(c, sql, err)))
            return rc;
        rc = load_post(c, sh, o, rep, err);
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
