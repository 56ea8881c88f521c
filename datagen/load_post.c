/*
 * load_post.c -- the POST step of a fill (see load.h): keys, constraints and indexes, VACUUM
 * (ANALYZE) until every page is all-visible, exact counts, the '$post' marker.
 *
 * With --jobs N > 1 the work runs over N connections at once as tasks (see the scheduler
 * below): the keys, checks and indexes of one table; one foreign key; the VACUUM (ANALYZE) of
 * one table. A task waits for what it needs (a foreign key for the keys of both its tables)
 * and for its tables to be free, so the connections never queue on each other's locks, and
 * the task over the most rows goes first. Measured on the shop shape at scale 1 with
 * --jobs 2, the foreign keys' validation (about 23 s one after the other) overlapped with the
 * index builds of other tables.
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
    int rc = pgx_scalar_i64(
        c,
        s->kind == DDL_INDEX
            ? "SELECT count(*) FROM pg_class WHERE relname = $1 AND relkind IN ('i', 'I') AND "
              "relnamespace = "
              "(SELECT relnamespace FROM pg_class WHERE oid = to_regclass(quote_ident($2)))"
            : "SELECT count(*) FROM pg_constraint WHERE conname = $1 AND conrelid = "
              "to_regclass(quote_ident($2))",
        2, p, &n, err);
    *yes = n > 0;
    return rc;
}

/* Pages of the table not marked all-visible (pg_class, as the planner sees them). */
static int pages_not_visible(PGconn *c, const char *table, int64_t *n, char *err)
{
    const char *p[1] = {table};
    return pgx_scalar_i64(c,
                          "SELECT greatest(relpages - relallvisible, 0) FROM pg_class WHERE oid = "
                          "to_regclass(quote_ident($1))",
                          1, p, n, err);
}

/* The session of a post-load connection: synchronous (see vacuum_retry), its share of
 * POST_MEM_MB (also the work_mem of a foreign key's validating query, which PostgreSQL runs
 * with maintenance_work_mem), and one parallel helper per build: with several connections
 * building at once the cores are already busy, but the last connection still on the largest
 * table gets a second core. */
static int post_session(PGconn *c, unsigned nconn, char *err)
{
    unsigned mb = POST_MEM_MB / (nconn ? nconn : 1);
    mb = mb > POST_MEM_CONN_MB ? POST_MEM_CONN_MB : mb;
    char sql[96];
    snprintf(sql, sizeof sql, "SET maintenance_work_mem = '%uMB'",
             mb < POST_MEM_MIN_MB ? POST_MEM_MIN_MB : mb);
    int rc = pgx_exec(c, sql, err);
    rc = rc ? rc : pgx_exec(c, "SET synchronous_commit = on", err);
    if (!rc && nconn > 1)
        rc = pgx_exec(c, "SET max_parallel_maintenance_workers = 1", err);
    return rc;
}

/* ---- the task scheduler ----------------------------------------------------------------
 * Tasks: KEYS(t) (keys, unique, checks, indexes of table t, in ddl order), FK (one foreign
 * key: after KEYS of both its tables), VACUUM(t) (VACUUM (ANALYZE): after KEYS(t) and every
 * FK touching t). A task starts only when none of its tables is in use by a running task, so
 * our own connections never wait on each other's locks, and a cycle of references cannot
 * deadlock. Foreign keys restored for --from-schema (their referenced table is only in the
 * SQL text) run alone. Among runnable tasks the one over the most rows goes first. */

enum { T_KEYS, T_FK, T_VACUUM };
enum { S_WAIT, S_RUN, S_DONE };

typedef struct ptask {
    int kind, state;
    int table, other; /* tables locked; other: the FK's referenced table or -1 */
    int alone;        /* runs with no other task (a --from-schema FK) */
    const char *sql;  /* FK */
    char name[128];   /* FK: constraint name */
    char child[128];  /* FK: table name (--from-schema FKs: not in the shape) */
    uint64_t cost;
} ptask;

typedef struct post_pool {
    const shape *sh;
    const fill_opts *o;
    const ddl_step *steps;
    size_t nsteps;
    ptask *tasks;
    size_t ntasks, ndone;
    unsigned nconn, running;
    unsigned share; /* connections the memory budget is split over (read-only) */
    int busy[SHAPE_MAX_TABLES];
    int stop, rc;
    fill_rep *rep; /* stats_created / stats_failed, under mu */
    char err[ST_ERRLEN];
    pthread_mutex_t mu;
    pthread_cond_t cv;
} post_pool;

static int task_runnable(const post_pool *P, const ptask *k)
{
    if (k->state != S_WAIT)
        return 0;
    for (size_t i = 0; i < P->ntasks; i++) {
        const ptask *d = &P->tasks[i];
        if (d->state == S_DONE)
            continue;
        if (k->alone && (d->state == S_RUN || d->kind == T_KEYS))
            return 0;
        if (k->alone)
            continue;
        if (d->state == S_RUN && d->alone)
            return 0;
        if (k->kind == T_FK && d->kind == T_KEYS && (d->table == k->table || d->table == k->other))
            return 0;
        if (k->kind == T_VACUUM && d->kind != T_VACUUM &&
            (d->alone || d->table == k->table || d->other == k->table))
            return 0;
    }
    return k->alone || !(P->busy[k->table] || (k->other >= 0 && P->busy[k->other]));
}

/* CREATE STATISTICS: a failure (an expression the target cannot evaluate) leaves the data
 * loaded and only the planner without the object, so it is counted and reported instead of
 * failing a load that is complete. */
static void run_stats(post_pool *P, PGconn *c, const ddl_step *s)
{
    char e[ST_ERRLEN];
    int rc = pgx_exec(c, s->sql, e);
    pthread_mutex_lock(&P->mu);
    if (rc && !P->rep->stats_failed++)
        snprintf(P->rep->stats_error, sizeof P->rep->stats_error, "%.60s: %.180s", s->name, e);
    else if (!rc)
        P->rep->stats_created++;
    pthread_mutex_unlock(&P->mu);
}

static int run_task(post_pool *P, PGconn *c, const ptask *k, char *err)
{
    const stable *t = &P->sh->t[k->table];
    int rc = 0, yes;
    if (k->kind == T_VACUUM) {
        char sql[200];
        snprintf(sql, sizeof sql, "VACUUM (ANALYZE) \"%s\"", t->name);
        return pgx_exec(c, sql, err);
    }
    if (k->kind == T_FK) {
        ddl_step s = {.kind = DDL_FK};
        snprintf(s.name, sizeof s.name, "%s", k->name);
        if ((rc = constraint_exists(c, &s, k->child, &yes, err)) || yes)
            return rc;
        return pgx_exec(c, k->sql, err);
    }
    for (size_t i = 0; i < P->nsteps && !rc; i++) {
        const ddl_step *s = &P->steps[i];
        if (s->table != k->table || s->kind == DDL_FK)
            continue;
        if (s->kind == DDL_STATS) {
            run_stats(P, c, s);
            continue;
        }
        if ((rc = constraint_exists(c, s, t->name, &yes, err)) || yes)
            continue;
        rc = pgx_exec(c, s->sql, err);
    }
    return rc;
}

/* Runs tasks on connection c until all are done or one failed. */
static void pool_work(post_pool *P, PGconn *c)
{
    char err[ST_ERRLEN];
    pthread_mutex_lock(&P->mu);
    while (!P->stop && P->ndone < P->ntasks) {
        ptask *best = NULL;
        for (size_t i = 0; i < P->ntasks; i++)
            if (task_runnable(P, &P->tasks[i]) && (!best || P->tasks[i].cost > best->cost))
                best = &P->tasks[i];
        if (!best) {
            if (P->running == 0) { /* cannot happen: every dependency points at an earlier kind */
                P->stop = 1;
                P->rc = st_err(P->err, ST_EENV, "post-load: no task can start");
                break;
            }
            pthread_cond_wait(&P->cv, &P->mu);
            continue;
        }
        best->state = S_RUN;
        P->running++;
        P->busy[best->table]++;
        if (best->other >= 0)
            P->busy[best->other]++;
        pthread_mutex_unlock(&P->mu);
        int rc = run_task(P, c, best, err);
        pthread_mutex_lock(&P->mu);
        best->state = S_DONE;
        P->ndone++;
        P->running--;
        P->busy[best->table]--;
        if (best->other >= 0)
            P->busy[best->other]--;
        if (rc && !P->rc) {
            P->rc = rc;
            snprintf(P->err, sizeof P->err, "%s %.63s: %.150s",
                     best->kind == T_FK ? "foreign key" : "table",
                     best->kind == T_FK ? best->name : P->sh->t[best->table].name, err);
            P->stop = 1;
        }
        pthread_cond_broadcast(&P->cv);
    }
    pthread_mutex_unlock(&P->mu);
}

static void *post_worker(void *arg)
{
    post_pool *P = arg;
    char err[ST_ERRLEN];
    PGconn *c = pgx_connect(P->o->conninfo, err);
    int rc = c ? load_session(c, P->o, err) : ST_EENV;
    rc = rc ? rc : post_session(c, P->share, err);
    if (!rc)
        pool_work(P, c);
    else { /* the other connections carry on without this one */
        pthread_mutex_lock(&P->mu);
        P->nconn--;
        if (P->nconn == 0 && !P->rc) {
            P->rc = rc;
            snprintf(P->err, sizeof P->err, "%s", err);
        }
        pthread_mutex_unlock(&P->mu);
    }
    PQfinish(c);
    return NULL;
}

static int add_task(post_pool *P, size_t cap, ptask k)
{
    if (P->ntasks == cap)
        return ST_ELIMIT;
    k.state = S_WAIT;
    P->tasks[P->ntasks++] = k;
    return 0;
}

static int table_index(const shape *sh, const char *name)
{
    for (size_t i = 0; i < sh->nt; i++)
        if (!strcmp(sh->t[i].name, name))
            return (int)i;
    return -1;
}

/* The tasks of the shape, then the FKs --from-schema stashed (from r, kept until the end). */
static int plan_tasks(post_pool *P, size_t cap, PGresult *r, int vacuum)
{
    const shape *sh = P->sh;
    int rc = 0;
    size_t nfk[SHAPE_MAX_TABLES] = {0};
    for (size_t i = 0; i < sh->nt && !rc; i++)
        rc = add_task(P, cap,
                      (ptask){.kind = T_KEYS, .table = (int)i, .other = -1, .cost = sh->t[i].rows});
    for (size_t i = 0; i < P->nsteps && !rc; i++) {
        const ddl_step *s = &P->steps[i];
        if (s->kind != DDL_FK)
            continue;
        const stable *t = &sh->t[s->table];
        size_t f = nfk[s->table]++; /* ddl_steps() lists a table's FKs in the shape's order */
        ptask k = {.kind = T_FK,
                   .table = s->table,
                   .other = f < t->nfks ? table_index(sh, t->fks[f].table) : -1,
                   .sql = s->sql,
                   .cost = t->rows};
        snprintf(k.name, sizeof k.name, "%s", s->name);
        snprintf(k.child, sizeof k.child, "%s", t->name);
        if (k.other == k.table)
            k.other = -1;
        rc = add_task(P, cap, k);
    }
    for (int i = 0; r && i < PQntuples(r) && !rc; i++) {
        const char *info = PQgetvalue(r, i, 1), *sp = strchr(info, ' ');
        if (!sp)
            continue;
        int ti = table_index(sh, PQgetvalue(r, i, 0));
        ptask k = {.kind = T_FK,
                   .table = ti >= 0 ? ti : 0,
                   .other = -1,
                   .alone = 1,
                   .sql = PQgetvalue(r, i, 2)};
        snprintf(k.name, sizeof k.name, "%.*s", (int)(sp - info), info);
        snprintf(k.child, sizeof k.child, "%s", PQgetvalue(r, i, 0));
        rc = add_task(P, cap, k);
    }
    for (size_t i = 0; i < sh->nt && !rc && vacuum; i++)
        rc = add_task(
            P, cap, (ptask){.kind = T_VACUUM, .table = (int)i, .other = -1, .cost = sh->t[i].rows});
    return rc;
}

/* Runs every task: on c itself with one job, else over min(jobs, tables) connections of
 * their own. 0 or the first error. */
static int run_tasks(PGconn *c, const shape *sh, const fill_opts *o, const ddl_step *steps,
                     size_t nsteps, PGresult *stash, int vacuum, fill_rep *rep, char *err)
{
    post_pool P;
    memset(&P, 0, sizeof P);
    P.rep = rep;
    P.sh = sh;
    P.o = o;
    P.steps = steps;
    P.nsteps = nsteps;
    size_t cap = 2 * sh->nt + nsteps + (stash ? (size_t)PQntuples(stash) : 0) + 1;
    P.tasks = calloc(cap, sizeof *P.tasks);
    if (!P.tasks)
        return st_err(err, ST_ENOMEM, "out of memory");
    int rc = plan_tasks(&P, cap, stash, vacuum);
    unsigned nw = o->jobs > 1 ? o->jobs : 1;
    if (nw > sh->nt)
        nw = (unsigned)sh->nt;
    pthread_mutex_init(&P.mu, NULL);
    pthread_cond_init(&P.cv, NULL);
    if (!rc && nw <= 1) {
        P.nconn = 1;
        pool_work(&P, c);
    } else if (!rc) {
        pthread_t th[64];
        unsigned started = 0;
        P.nconn = P.share = nw;
        for (unsigned i = 0; i < nw && i < 64; i++) {
            if (pthread_create(&th[i], NULL, post_worker, &P))
                break;
            started++;
        }
        if (started < nw) { /* fewer connections: the started ones share the work */
            pthread_mutex_lock(&P.mu);
            P.nconn = started;
            pthread_mutex_unlock(&P.mu);
        }
        for (unsigned i = 0; i < started; i++)
            pthread_join(th[i], NULL);
        if (!started)
            P.rc = st_err(P.err, ST_EENV, "cannot start a post-load thread");
    }
    if (rc)
        st_err(err, rc, "post-load: too many tasks");
    else if (P.rc)
        snprintf(err, ST_ERRLEN, "%s", P.err);
    else if (P.ndone < P.ntasks)
        P.rc = st_err(err, ST_EENV, "post-load: %zu of %zu steps not run", P.ntasks - P.ndone,
                      P.ntasks);
    pthread_cond_destroy(&P.cv);
    pthread_mutex_destroy(&P.mu);
    free(P.tasks);
    return rc ? rc : P.rc;
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
static int vacuum_retry(PGconn *c, const shape *sh, fill_rep *rep, char *err)
{
    char sql[200];
    int rc = 0;
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

int load_post(PGconn *c, const shape *sh, const fill_opts *o, fill_rep *rep, char *err)
{
    char sql[512];
    int64_t v;
    const char *p[1] = {o->run_key};
    int rc = pgx_scalar_i64(
        c, "SELECT count(*) FROM " LOAD_PROGRESS_TABLE " WHERE run = $1 AND tbl = '$post'", 1, p,
        &v, err);
    if (rc || v > 0)
        return rc;
    /* Synchronous from here on: see vacuum_retry() for why the visibility map needs it. The
     * transaction id committed here flushes the WAL of every load commit before any VACUUM,
     * whichever task runs first. */
    rc = post_session(c, 1, err);
    rc = rc ? rc : pgx_scalar_i64(c, "SELECT txid_current()", 0, NULL, &v, err);
    size_t n = 0;
    ddl_step *steps = rc ? NULL : ddl_steps(sh, &n);
    if (!rc && !steps)
        rc = st_err(err, ST_ENOMEM, "out of memory");
    PGresult *stash = NULL;
    if (!rc && o->drop_fks) {
        stash = pgx_query(
            c,
            "SELECT substr(tbl, 5), info, 'ALTER TABLE ' || quote_ident(substr(tbl, 5)) || "
            "' ADD CONSTRAINT ' || quote_ident(split_part(info, ' ', 1)) || ' ' || "
            "substr(info, length(split_part(info, ' ', 1)) + 2) FROM " LOAD_PROGRESS_TABLE
            " WHERE run = $1 AND tbl LIKE '$fk:%' ORDER BY chunk DESC",
            1, p, err);
        rc = stash ? 0 : ST_EENV;
    }
    rc = rc ? rc : run_tasks(c, sh, o, steps, n, stash, !o->no_vacuum, rep, err);
    /* The shape's views (table -1 in ddl_steps) read its tables: created after every key and
     * index, in the shape's order, on c (idempotent statements: no lookup). */
    for (size_t i = 0; i < n && !rc; i++)
        if (steps[i].table < 0)
            rc = pgx_exec(c, steps[i].sql, err);
    PQclear(stash);
    ddl_steps_free(steps, n);
    if (!rc && !o->no_vacuum)
        rc = vacuum_retry(c, sh, rep, err);
    /* Exact counts: each chunk's rows were recorded in the transaction that wrote them, so
     * the recorded sums are the table contents (a count(*) would rescan every table). */
    for (size_t i = 0; i < sh->nt && !rc; i++) {
        int64_t cnt;
        const char *pp[2] = {o->run_key, sh->t[i].name};
        if ((rc = pgx_scalar_i64(c,
                                 "SELECT coalesce(sum(rows), 0) FROM " LOAD_PROGRESS_TABLE
                                 " WHERE run = $1 AND tbl = $2 AND chunk >= 0",
                                 2, pp, &cnt, err)))
            break;
        if ((uint64_t)cnt != sh->t[i].rows)
            rc = st_err(err, ST_EENV,
                        "table '%s' has %lld rows recorded after the load, expected %llu",
                        sh->t[i].name, (long long)cnt, (unsigned long long)sh->t[i].rows);
    }
    if (!rc) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO " LOAD_PROGRESS_TABLE
                 " (run, tbl, chunk, rows) VALUES ('%s', '$post', 0, 0)",
                 o->run_key);
        rc = pgx_exec(c, sql, err);
    }
    return rc;
}
