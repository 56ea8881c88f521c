/*
 * fillcheck.c -- fill --check (see fillcheck.h).
 */
#include "fillcheck.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "copy.h"
#include "ddl.h"
#include "fmt.h"
#include "gen.h"
#include "pgx.h"

#define CHK_MAX_FAILED 256

typedef struct chk {
    PGconn *c;
    dbuf *out;
    size_t n;
    int rc; /* ST_ENOMEM from the report buffer */
    /* steps whose DDL failed on the empty tables: not run again on the sample */
    char failed[CHK_MAX_FAILED][128];
    size_t nfailed;
} chk;

static int failed_before(const chk *k, const char *name)
{
    for (size_t i = 0; i < k->nfailed; i++)
        if (!strcmp(k->failed[i], name))
            return 1;
    return 0;
}

static void problem(chk *k, const char *what, const char *msg)
{
    k->n++;
    int rc = dbuf_printf(k->out, "%s: %s\n", what, msg);
    k->rc = k->rc ? k->rc : rc;
}

/* One statement under a savepoint: a failure is a problem, and the transaction goes on. */
static int step(chk *k, const char *what, const char *sql, char *err)
{
    char e2[ST_ERRLEN];
    int rc = pgx_exec(k->c, "SAVEPOINT stampede_step", err);
    if (rc)
        return rc;
    if (pgx_exec(k->c, sql, e2)) {
        problem(k, what, e2);
        return pgx_exec(k->c, "ROLLBACK TO SAVEPOINT stampede_step", err);
    }
    return pgx_exec(k->c, "RELEASE SAVEPOINT stampede_step", err);
}

static int run_steps(chk *k, const shape *sh, int with_fks, char *err)
{
    size_t n = 0;
    ddl_step *s = ddl_steps(sh, &n);
    int rc = s ? 0 : st_err(err, ST_ENOMEM, "out of memory");
    static const char *const kind[] = {"primary key", "unique",   "foreign key", "check",
                                       "index",       "sequence", "view",        "statistics"};
    for (size_t i = 0; i < n && !rc; i++) {
        char what[200];
        if ((s[i].kind == DDL_FK || s[i].kind == DDL_SEQ || failed_before(k, s[i].name)) &&
            !with_fks)
            continue;
        snprintf(what, sizeof what, "%s%s %s", with_fks ? "" : "on the sample: ", kind[s[i].kind],
                 s[i].name);
        size_t before = k->n;
        rc = step(k, what, s[i].sql, err);
        if (with_fks && k->n > before && k->nfailed < CHK_MAX_FAILED)
            snprintf(k->failed[k->nfailed++], sizeof k->failed[0], "%s", s[i].name);
    }
    ddl_steps_free(s, n);
    return rc;
}

/* The first `sample` rows of table ti (child tables: whole parent rows until there). */
static int copy_sample(chk *k, const shape *sh, int ti, uint64_t seed, uint64_t sample, char *err)
{
    const stable *t = &sh->t[ti];
    dbuf b;
    dbuf_init(&b, 1 << 16);
    int rc = dbuf_printf(&b, "COPY \"%s\" (", t->name);
    for (size_t i = 0; i < t->ncols && !rc; i++)
        rc = dbuf_printf(&b, "%s\"%s\"", i ? ", " : "", t->cols[i].name);
    rc = rc ? rc : dbuf_adds(&b, ") FROM STDIN");
    gen_ctx cx;
    char *row = rc ? NULL : malloc(fmt_row_max(t) + 2);
    if (rc || !row || gen_ctx_init(&cx, sh, seed)) {
        free(row);
        dbuf_free(&b);
        return st_err(err, ST_ENOMEM, "out of memory");
    }
    char e2[ST_ERRLEN], what[128];
    snprintf(what, sizeof what, "sample of %s", t->name);
    if (!(rc = pgx_exec(k->c, "SAVEPOINT stampede_step", err)) && copy_begin(k->c, b.p, e2) == 0) {
        uint64_t rows = 0;
        int bad = 0;
        for (uint64_t u = 0; u < t->nunits && rows < sample && !bad; u++) {
            uint64_t nl = t->parent >= 0 ? shape_fanout(sh, t, seed, u) : 1;
            for (uint64_t line = 1; line <= nl && !bad; line++, rows++) {
                uint64_t key = t->parent >= 0 ? gen_child_key(u, line) : u;
                size_t len = fmt_row(&cx, ti, key, FMT_COPY_TEXT, row);
                bad = copy_put(k->c, row, len, e2) != 0;
            }
        }
        if (bad || copy_end(k->c, e2)) {
            problem(k, what, e2);
            rc = pgx_exec(k->c, "ROLLBACK TO SAVEPOINT stampede_step", err);
        } else
            rc = pgx_exec(k->c, "RELEASE SAVEPOINT stampede_step", err);
    } else if (!rc) {
        problem(k, what, e2);
        rc = pgx_exec(k->c, "ROLLBACK TO SAVEPOINT stampede_step", err);
    }
    gen_ctx_term(&cx);
    free(row);
    dbuf_free(&b);
    return rc;
}

int fill_check(PGconn *c, const shape *sh, uint64_t seed, uint64_t sample, dbuf *out, size_t *nprob,
               char *err)
{
    chk *kp = calloc(1, sizeof *kp); /* 32 KiB of failed step names */
    if (!kp)
        return st_err(err, ST_ENOMEM, "out of memory");
    kp->c = c;
    kp->out = out;
    char sql[256], what[160];
    dbuf b;
    *nprob = 0;
    int rc = pgx_exec(c, "BEGIN", err);
    snprintf(sql, sizeof sql, "CREATE SCHEMA stampede_check_%ld", (long)getpid());
    rc = rc ? rc : pgx_exec(c, sql, err);
    /* public stays visible for extensions' types, functions and operator classes */
    snprintf(sql, sizeof sql, "SET LOCAL search_path = stampede_check_%ld, public", (long)getpid());
    rc = rc ? rc : pgx_exec(c, sql, err);
    for (size_t i = 0; i < sh->ntypes && !rc; i++) {
        snprintf(what, sizeof what, "types[%zu] %s", i, sh->types[i].name);
        rc = step(kp, what, sh->types[i].sql, err);
    }
    dbuf_init(&b, 1 << 20);
    for (size_t i = 0; i < sh->nt && !rc; i++) {
        dbuf_reset(&b);
        snprintf(what, sizeof what, "table %s", sh->t[i].name);
        rc = ddl_create_table(&sh->t[i], 0, &b);
        rc = rc ? rc : step(kp, what, b.p, err);
    }
    dbuf_free(&b);
    /* The DDL of every step on the empty tables, then undone: the sample comes first. */
    rc = rc ? rc : pgx_exec(c, "SAVEPOINT stampede_ddl", err);
    rc = rc ? rc : run_steps(kp, sh, 1, err);
    rc = rc ? rc : pgx_exec(c, "ROLLBACK TO SAVEPOINT stampede_ddl", err);
    for (size_t i = 0; i < sh->nt && !rc; i++)
        rc = copy_sample(kp, sh, (int)i, seed, sample, err);
    rc = rc ? rc : run_steps(kp, sh, 0, err);
    if (PQstatus(c) == CONNECTION_OK) {
        char e2[ST_ERRLEN];
        int rr = pgx_exec(c, "ROLLBACK", e2);
        if (!rc && rr)
            rc = st_err(err, rr, "%s", e2);
    }
    *nprob = kp->n;
    rc = rc ? rc : kp->rc;
    free(kp);
    return rc;
}
