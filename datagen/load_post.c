/*
 * load_post.c -- the POST step of a fill (see load.h): keys, constraints and indexes, VACUUM
 * (ANALYZE) until every page is all-visible, exact counts, the '$post' marker.
 *
 * With --jobs N > 1 the per-table work (keys, unique, checks and indexes of one table; VACUUM
 * (ANALYZE) of one table) runs over N connections at once, one table per connection at a
 * time, largest table first, so that the longest build starts first and the small tables fill
 * in beside it. Steps of one table stay in order on one connection (they would only queue on
 * the table's lock). Foreign keys run after every key exists, one after the other on the
 * calling connection: two of them lock the tables they join (SHARE ROW EXCLUSIVE), so in a
 * cycle of references run concurrently they could deadlock.
 */
#include "load.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dbuf.h"
#include "ddl.h"
#include "pgx.h"

/* maintenance_work_mem: 256 MB per connection (sorts a 6.4 M-row bigint key in memory), but
 * at most 512 MB over all the connections building at once, and never below 64 MB. */
#define POST_MEM_CONN_MB 256
#define POST_MEM_MB 512
#define POST_MEM_MIN_MB 64

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

enum { PHASE_KEYS, PHASE_VACUUM };

typedef struct post_pool {
    const shape *sh;
    const fill_opts *o;
    const ddl_step *steps;
    size_t nsteps;
    int phase;
    int order[SHAPE_MAX_TABLES]; /* tables, most rows first */
    unsigned nconn;
    atomic_size_t next;
    atomic_int stop;
    pthread_mutex_t mu;
    int rc;
    char err[ST_ERRLEN];
} post_pool;

/* One table's share of a phase on connection c. */
static int post_table(post_pool *P, PGconn *c, int ti, char *err)
{
    if (P->phase == PHASE_VACUUM) {
        char sql[200];
        snprintf(sql, sizeof sql, "VACUUM (ANALYZE) \"%s\"", P->sh->t[ti].name);
        return pgx_exec(c, sql, err);
    }
    int rc = 0;
    for (size_t i = 0; i < P->nsteps && !rc; i++) {
        const ddl_step *s = &P->steps[i];
        int yes;
        if (s->table != ti || s->kind == DDL_FK)
            continue;
        if ((rc = constraint_exists(c, s, P->sh->t[ti].name, &yes, err)) || yes)
            continue;
        rc = pgx_exec(c, s->sql, err);
    }
    return rc;
}

/* The session of a post-load connection: synchronous (see vacuum_tables), its share of
 * POST_MEM_MB, and one parallel helper per build: with several connections building at once
 * the cores are already busy, but the last connection still on the largest table gets a
 * second core. */
static int post_session(PGconn *c, unsigned nconn, char *err)
{
    unsigned mb = POST_MEM_MB / (nconn ? nconn : 1);
    mb = mb > POST_MEM_CONN_MB ? POST_MEM_CONN_MB : mb;
    char sql[96];
    snprintf(sql, sizeof sql, "SET maintenance_work_mem = '%uMB'", mb < POST_MEM_MIN_MB ? POST_MEM_MIN_MB : mb);
    int rc = pgx_exec(c, sql, err);
    rc = rc ? rc : pgx_exec(c, "SET synchronous_commit = on", err);
    if (!rc && nconn > 1)
        rc = pgx_exec(c, "SET max_parallel_maintenance_workers = 1", err);
    return rc;
}

static void *post_worker(void *arg)
{
    post_pool *P = arg;
    char err[ST_ERRLEN];
    PGconn *c = pgx_connect(P->o->conninfo, err);
    int rc = c ? load_session(c, P->o, err) : ST_EENV;
    rc = rc ? rc : post_session(c, P->nconn, err);
    while (!rc && !atomic_load(&P->stop)) {
        size_t k = atomic_fetch_add(&P->next, 1);
        if (k >= P->sh->nt)
            break;
        int ti = P->order[k];
        if ((rc = post_table(P, c, ti, err))) {
            char e2[ST_ERRLEN];
            memcpy(e2, err, sizeof e2);
            st_err(err, rc, "table '%.63s': %.180s", P->sh->t[ti].name, e2);
        }
    }
    if (rc) {
        pthread_mutex_lock(&P->mu);
        if (!P->rc) {
            P->rc = rc;
            memcpy(P->err, err, sizeof P->err);
        }
        pthread_mutex_unlock(&P->mu);
        atomic_store(&P->stop, 1);
    }
    PQfinish(c);
    return NULL;
}

static int cmp_rows_desc(const void *a, const void *b, const void *ud)
{
    const shape *sh = ud;
    uint64_t x = sh->t[*(const int *)a].rows, y = sh->t[*(const int *)b].rows;
    return x > y ? -1 : x < y ? 1 : *(const int *)a - *(const int *)b;
}

/* Runs one phase for every table: on c itself with one job (as before), else over
 * min(jobs, tables) connections of their own. 0 or the first error. */
static int post_phase(PGconn *c, const shape *sh, const fill_opts *o, const ddl_step *steps, size_t nsteps, int phase,
                      char *err)
{
    post_pool P;
    memset(&P, 0, sizeof P);
    P.sh = sh;
    P.o = o;
    P.steps = steps;
    P.nsteps = nsteps;
    P.phase = phase;
    for (size_t i = 0; i < sh->nt; i++)
        P.order[i] = (int)i;
    /* Insertion sort: at most SHAPE_MAX_TABLES entries, and qsort has no context argument. */
    for (size_t i = 1; i < sh->nt; i++)
        for (size_t j = i; j > 0 && cmp_rows_desc(&P.order[j], &P.order[j - 1], sh) < 0; j--) {
            int t = P.order[j];
            P.order[j] = P.order[j - 1];
            P.order[j - 1] = t;
        }
    unsigned nw = o->jobs > 1 ? o->jobs : 1;
    if (nw > sh->nt)
        nw = (unsigned)sh->nt;
    if (nw <= 1) {
        int rc = 0;
        for (size_t k = 0; k < sh->nt && !rc; k++)
            rc = post_table(&P, c, P.order[k], err);
        return rc;
    }
    P.nconn = nw;
    atomic_init(&P.next, 0);
    atomic_init(&P.stop, 0);
    pthread_mutex_init(&P.mu, NULL);
    pthread_t th[64];
    unsigned started = 0;
    for (unsigned i = 0; i < nw && i < 64; i++) {
        if (pthread_create(&th[i], NULL, post_worker, &P))
            break;
        started++;
    }
    for (unsigned i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    pthread_mutex_destroy(&P.mu);
    if (!started)
        return st_err(err, ST_EENV, "cannot start a post-load thread");
    if (P.rc)
        snprintf(err, ST_ERRLEN, "%s", P.err);
    else if (atomic_load(&P.next) < sh->nt)
        return st_err(err, ST_EENV, "post-load threads stopped early");
    return P.rc;
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
 * The post-load therefore runs synchronously on every connection: the DDL's commits flush the
 * WAL of every load commit before it. What remains is outside this fill: another session's
 * asynchronous commit in the same xid group, not yet flushed by the WAL writer (~200 ms), or
 * another transaction of this database holding back the xmin horizon (e.g. autovacuum's
 * ANALYZE). For those, each table still short of all-visible is vacuumed again, up to
 * VACUUM_RETRIES times with a growing pause (0.1 s, 0.2 s, ...: 2.3 s at most). Pages that stay
 * not all-visible are reported in rep->pages_not_all_visible; that is not an error. One cause
 * no retry fixes: with several jobs COPYing into one table, PostgreSQL extends it by many pages
 * at once under contention and the pages the load did not use stay all-zero, which VACUUM
 * never marks all-visible (tens of pages at most, at the end of the table's load).
 * 0 or ST_EENV. */
#define VACUUM_RETRIES 5
static int vacuum_tables(PGconn *c, const shape *sh, const fill_opts *o, fill_rep *rep, char *err)
{
    char sql[200];
    int rc = post_phase(c, sh, o, NULL, 0, PHASE_VACUUM, err);
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

/* Foreign keys: those of the shape, then those --from-schema dropped before the load. */
static int add_fks(PGconn *c, const shape *sh, const fill_opts *o, const ddl_step *steps, size_t n, char *err)
{
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        int yes;
        if (steps[i].kind != DDL_FK)
            continue;
        if ((rc = constraint_exists(c, &steps[i], sh->t[steps[i].table].name, &yes, err)) || yes)
            continue;
        rc = pgx_exec(c, steps[i].sql, err);
    }
    if (rc || !o->drop_fks)
        return rc;
    const char *p[1] = {o->run_key};
    PGresult *r = pgx_query(c, "SELECT substr(tbl, 5), info FROM " LOAD_PROGRESS_TABLE
                               " WHERE run = $1 AND tbl LIKE '$fk:%' ORDER BY chunk DESC", 1, p, err);
    if (!r)
        return ST_EENV;
    for (int k = 0; k < PQntuples(r) && !rc; k++) {
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
    return rc;
}

int load_post(PGconn *c, const shape *sh, const fill_opts *o, fill_rep *rep, char *err)
{
    char sql[512];
    int64_t v;
    const char *p[1] = {o->run_key};
    int rc = pgx_scalar_i64(c, "SELECT count(*) FROM " LOAD_PROGRESS_TABLE " WHERE run = $1 AND tbl = '$post'", 1, p, &v, err);
    if (rc || v > 0)
        return rc;
    /* Synchronous from here on: see vacuum_tables() for why the visibility map needs it. */
    rc = post_session(c, 1, err);
    size_t n = 0;
    ddl_step *steps = rc ? NULL : ddl_steps(sh, &n);
    if (!rc && !steps)
        rc = st_err(err, ST_ENOMEM, "out of memory");
    rc = rc ? rc : post_phase(c, sh, o, steps, n, PHASE_KEYS, err);
    rc = rc ? rc : add_fks(c, sh, o, steps, n, err);
    ddl_steps_free(steps, n);
    if (!rc && !o->no_vacuum)
        rc = vacuum_tables(c, sh, o, rep, err);
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
