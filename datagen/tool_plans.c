/*
 * tool_plans.c -- `datagen plans`: EXPLAIN a query set on one database, optionally against
 * a second database or a saved baseline, and report plan shapes, differences and flags.
 *
 * Flow: load the query file (qfile.c); for each database, for each query and each requested
 * sample (hot/median/cold), draw the sampled parameters from that database's own pg_stats,
 * run EXPLAIN (FORMAT JSON[, ANALYZE]) with bound parameters (pgx_query, so the planner sees
 * the values, as a custom plan), normalise (plannorm.c) and check. ANALYZE runs inside a
 * transaction that is always rolled back. Then compare shapes pairwise; any difference is exit 1.
 * Connection strings are never printed (they may carry a password).
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonio.h"
#include "log.h"
#include "pgstats.h"
#include "pgx.h"
#include "plannorm.h"
#include "qfile.h"
#include "st.h"
#include "tools.h"
#include "units.h"

#define MAX_FLAGS 16
#define VAL_MAX 256

typedef struct run {
    const qf_query *q;
    int sample;
    char vals[QF_MAX_PARAMS][VAL_MAX];
    pn_plan *plan;
    char *shape; /* NULL when the baseline lacks this run */
    pn_flag flags[MAX_FLAGS];
    size_t nflags;
} run;

typedef struct popts {
    const char *schema;
    int analyze;
    int names;    /* --index-names: keep index names instead of their columns */
    int set_path; /* SET search_path to schema (--schema given, or --scales) */
    pn_limits lim;
} popts;

typedef struct relcache {
    PGconn *c;
    const char *schema;
    char names[64][64];
    double vals[64];
    size_t n;
    char inames[64][64];
    char ilabels[64][256];
    size_t ni;
} relcache;

/* An index's key columns as "(a, b DESC)" from pg_index (see pn_index_label). */
static int index_cb(void *ctx, const char *name, char *buf, size_t n)
{
    relcache *rc = ctx;
    for (size_t i = 0; i < rc->ni; i++)
        if (!strcmp(rc->inames[i], name)) {
            snprintf(buf, n, "%s", rc->ilabels[i]);
            return 0;
        }
    const char *params[2] = {rc->schema, name};
    char err[ST_ERRLEN];
    PGresult *r = pgx_query(
        rc->c,
        "SELECT '(' || string_agg(pg_get_indexdef(i.indexrelid, k, true) || "
        "CASE WHEN i.indoption[k - 1] & 1 = 1 THEN ' DESC' ELSE '' END, ', ' ORDER BY k) || ')' "
        "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
        "JOIN pg_namespace n ON n.oid = ic.relnamespace "
        "CROSS JOIN generate_series(1, i.indnkeyatts) k "
        "WHERE n.nspname = $1 AND ic.relname = $2",
        2, params, err);
    /* Not found (another schema): the plan keeps the index's name. */
    int ok = r && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0);
    if (ok) {
        snprintf(buf, n, "%s", PQgetvalue(r, 0, 0));
        if (rc->ni < 64) {
            snprintf(rc->inames[rc->ni], sizeof rc->inames[0], "%s", name);
            snprintf(rc->ilabels[rc->ni++], sizeof rc->ilabels[0], "%s", buf);
        }
    }
    PQclear(r);
    return ok ? 0 : -1;
}

static double reltuples_cb(void *ctx, const char *rel)
{
    relcache *rc = ctx;
    for (size_t i = 0; i < rc->n; i++)
        if (!strcmp(rc->names[i], rel))
            return rc->vals[i];
    const char *params[2] = {rc->schema, rel};
    char err[ST_ERRLEN];
    PGresult *r = pgx_query(rc->c,
                            "SELECT c.reltuples FROM pg_class c JOIN pg_namespace n ON "
                            "n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
                            2, params, err);
    double v = -1; /* unknown: the caller falls back to the plan's own estimate */
    if (r && PQntuples(r) == 1)
        v = strtod(PQgetvalue(r, 0, 0), NULL);
    PQclear(r);
    if (rc->n < 64) {
        snprintf(rc->names[rc->n], sizeof rc->names[0], "%s", rel);
        rc->vals[rc->n++] = v;
    }
    return v;
}

/* The sampled value of table.column for one sample, from pg_stats (see qfile.h). Returns 0
 * or ST_EINPUT / ST_EENV with err set. */
static int sample_value(PGconn *c, const char *schema, const qf_param *p, int sample, char *out,
                        char *err)
{
    const char *params[3] = {schema, p->table, p->column};
    PGresult *r = pgx_query(
        c,
        "SELECT s.n_distinct, c.reltuples, "
        "array_to_json(s.most_common_vals::text::text[])::text, "
        "array_to_json(s.histogram_bounds::text::text[])::text "
        "FROM pg_stats s JOIN pg_namespace n ON n.nspname = s.schemaname "
        "JOIN pg_class c ON c.relname = s.tablename AND c.relnamespace = n.oid "
        "WHERE s.schemaname = $1 AND s.tablename = $2 AND s.attname = $3 AND NOT s.inherited",
        3, params, err);
    if (!r)
        return ST_EENV;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return st_err(err, ST_EINPUT,
                      "%s.%s has no statistics (no such column, or run "
                      "ANALYZE)",
                      p->table, p->column);
    }
    double nd = strtod(PQgetvalue(r, 0, 0), NULL), rows = strtod(PQgetvalue(r, 0, 1), NULL);
    char **mcv = NULL, **hist = NULL;
    size_t nm = 0, nh = 0;
    int bad = pgs_parse_strv(PQgetvalue(r, 0, 2), &mcv, &nm) ||
              pgs_parse_strv(PQgetvalue(r, 0, 3), &hist, &nh);
    PQclear(r);
    const char *v = NULL;
    double nd_abs = nd < 0 ? -nd * rows : nd;
    if (!bad) {
        if (sample == QS_HOT)
            v = nm ? mcv[0] : nh ? hist[nh / 2] : NULL;
        else if (sample == QS_COLD)
            v = nh ? hist[nh / 2] : nm ? mcv[nm - 1] : NULL;
        else {
            double rank = ceil(nd_abs / 2);
            if (nm && (rank <= (double)nm || !nh))
                v = mcv[(size_t)fmin(fmax(rank, 1), (double)nm) - 1];
            else if (nh)
                v = hist[nh / 3];
        }
    }
    int rc = 0;
    if (!v)
        rc = st_err(err, ST_EINPUT, "%s.%s: statistics hold no values to sample", p->table,
                    p->column);
    else
        snprintf(out, VAL_MAX, "%s", v);
    pgs_strv_free(mcv, nm);
    pgs_strv_free(hist, nh);
    return rc;
}

/* EXPLAINs one run on c. Returns 0, ST_EINPUT (the query failed: bad SQL) or ST_EENV. */
static int explain(PGconn *c, const popts *o, run *ru, relcache *cache, char *err)
{
    const qf_query *q = ru->q;
    const char *vals[QF_MAX_PARAMS];
    int rc;
    for (int k = 0; k < q->nparams; k++) {
        const qf_param *p = &q->params[k];
        if (p->fixed)
            snprintf(ru->vals[k], VAL_MAX, "%s", p->fixed);
        else if ((rc = sample_value(c, o->schema, p, ru->sample, ru->vals[k], err)))
            return rc;
        vals[k] = ru->vals[k];
    }
    size_t n = strlen(q->sql) + 64;
    char *sql = malloc(n);
    if (!sql)
        return st_err(err, ST_ENOMEM, "out of memory");
    snprintf(sql, n, "EXPLAIN (FORMAT JSON%s) %s", o->analyze ? ", ANALYZE" : "", q->sql);
    if (o->analyze && (rc = pgs_command(c, "BEGIN", err))) {
        free(sql);
        return rc;
    }
    char qerr[ST_ERRLEN];
    PGresult *r = pgx_query(c, sql, q->nparams, vals, qerr);
    free(sql);
    rc = 0;
    if (!r || PQntuples(r) < 1) {
        /* The query file's SQL failed: bad input, named by query and line. */
        qerr[strcspn(qerr, "[")] = 0;
        rc = st_err(err, ST_EINPUT, "query '%s' (line %d) failed: %s", q->name, q->line,
                    r ? "no plan returned" : qerr);
    } else {
        ru->plan = pn_parse(PQgetvalue(r, 0, 0), o->names ? NULL : index_cb, cache, err);
        if (!ru->plan || !(ru->shape = pn_shape(ru->plan)))
            rc = st_err(err, ST_EENV, "query '%s': cannot read its plan", q->name);
    }
    PQclear(r);
    if (o->analyze) {
        char e2[ST_ERRLEN];
        int r2 = pgs_command(c, "ROLLBACK", e2);
        if (!rc && r2)
            rc = st_err(err, r2, "%s", e2);
    }
    if (!rc) {
        pn_limits lim = o->lim;
        lim.reltuples = reltuples_cb;
        lim.ctx = cache;
        ru->nflags = pn_check(ru->plan, &lim, ru->flags, MAX_FLAGS);
        if (ru->nflags > MAX_FLAGS)
            ru->nflags = MAX_FLAGS;
    }
    return rc;
}

static int run_db(const char *conninfo, const qf_file *qf, const char *only, const popts *o,
                  run *runs, size_t *nruns, char *err)
{
    PGconn *c = pgs_connect(conninfo, err);
    if (!c)
        return ST_EENV;
    relcache cache = {.c = c, .schema = o->schema};
    int rc = pgs_command(c, "SET statement_timeout = '120s'", err);
    if (!rc && o->set_path) {
        char *id = PQescapeIdentifier(c, o->schema, strlen(o->schema));
        char sql[200];
        snprintf(sql, sizeof sql, "SET search_path = %s", id ? id : "public");
        PQfreemem(id);
        rc = pgs_command(c, sql, err);
    }
    size_t k = 0;
    for (size_t i = 0; i < qf->nq && !rc; i++) {
        if (only && strcmp(only, qf->q[i].name))
            continue;
        for (int s = QS_HOT; s <= QS_COLD && !rc; s <<= 1) {
            if (!(qf->q[i].samples & s))
                continue;
            /* A query without sampled parameters runs once, as "hot". */
            int sampled = 0;
            for (int p = 0; p < qf->q[i].nparams; p++)
                sampled |= qf->q[i].params[p].table != NULL;
            if (!sampled && s != (qf->q[i].samples & -qf->q[i].samples))
                continue;
            run *ru = &runs[k++];
            ru->q = &qf->q[i];
            ru->sample = s;
            rc = explain(c, o, ru, &cache, err);
        }
    }
    PQfinish(c);
    *nruns = k;
    return rc;
}

static void free_runs(run *runs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        pn_plan_free(runs[i].plan);
        free(runs[i].shape);
    }
    free(runs);
}

/* Fills runs[] from a saved --json report: shapes by (query, sample). */
static int load_baseline(const char *path, const run *mine, size_t n, run *base, char *err)
{
    json_t *doc = jsonio_load(path, err);
    if (!doc)
        return ST_EINPUT;
    json_t *res = json_object_get(doc, "results");
    if (!json_is_array(res)) {
        json_decref(doc);
        return st_err(err, ST_EINPUT, "%s: results: expected the output of 'plans --json'", path);
    }
    for (size_t i = 0; i < n; i++) {
        base[i].q = mine[i].q;
        base[i].sample = mine[i].sample;
        for (size_t k = 0; k < json_array_size(res); k++) {
            json_t *e = json_array_get(res, k);
            const char *qn = json_string_value(json_object_get(e, "query"));
            const char *sn = json_string_value(json_object_get(e, "sample"));
            const char *sh = json_string_value(json_object_get(json_object_get(e, "db"), "shape"));
            if (qn && sn && sh && !strcmp(qn, mine[i].q->name) &&
                !strcmp(sn, qf_sample_name(mine[i].sample)))
                base[i].shape = strdup(sh);
        }
    }
    json_decref(doc);
    return 0;
}

static json_t *run_json(const run *ru)
{
    json_t *o = json_object(), *params = json_array(), *flags = json_array();
    for (int k = 0; k < ru->q->nparams; k++)
        json_array_append_new(params, json_string(ru->vals[k]));
    for (size_t k = 0; k < ru->nflags; k++)
        json_array_append_new(flags,
                              json_pack("{s:s, s:s}", "kind", pn_flag_name(ru->flags[k].kind),
                                        "message", ru->flags[k].msg));
    json_object_set_new(o, "params", params);
    json_object_set_new(o, "shape", ru->shape ? json_string(ru->shape) : json_null());
    if (ru->plan) {
        json_object_set_new(o, "cost", json_real(ru->plan->total_cost));
        json_object_set_new(o, "rows", json_real(ru->plan->root->plan_rows));
        if (ru->plan->exec_ms >= 0)
            json_object_set_new(o, "exec_ms", json_real(ru->plan->exec_ms));
    }
    json_object_set_new(o, "flags", flags);
    return o;
}

static void print_run(const char *who, const run *ru)
{
    char params[512] = "", ms[32] = "-";
    size_t off = 0;
    for (int k = 0; k < ru->q->nparams && off < sizeof params; k++)
        off += (size_t)snprintf(params + off, sizeof params - off, "%s$%d=%.40s", k ? " " : "",
                                k + 1, ru->vals[k]);
    if (ru->plan && ru->plan->exec_ms >= 0)
        snprintf(ms, sizeof ms, "%.2f", ru->plan->exec_ms);
    printf("  %-8s cost %-10.2f ms %-8s %s\n", who, ru->plan ? ru->plan->total_cost : 0.0, ms,
           params);
    printf("  %-8s %s\n", "", ru->shape ? ru->shape : "(no baseline entry)");
    for (size_t k = 0; k < ru->nflags; k++)
        printf("  %-8s flag %s: %s\n", "", pn_flag_name(ru->flags[k].kind), ru->flags[k].msg);
}

/* Compares runs a[] with the reference runs b[] (NULL: none), printing or appending JSON
 * entries; counts differences and flags. scale_a/scale_b label the scales (NULL: none). */
static void report(const run *ra, size_t na, const run *rb, size_t nb, const char *blabel,
                   const char *scale_a, const char *scale_b, int json, json_t *results,
                   size_t *differ, size_t *nflags)
{
    char alabel[32];
    snprintf(alabel, sizeof alabel, "%s%s", scale_a ? "scale " : "db", scale_a ? scale_a : "");
    for (size_t i = 0; i < na; i++) {
        const run *a = &ra[i], *b = rb && i < nb ? &rb[i] : NULL;
        char why[600] = "";
        int d = 0;
        if (b && b->plan)
            d = pn_diff(a->plan, b->plan, why, sizeof why);
        else if (b)
            d = !b->shape || strcmp(a->shape, b->shape);
        *differ += (size_t)d;
        *nflags += a->nflags + (b ? b->nflags : 0);
        if (json) {
            json_t *e = json_pack("{s:s, s:s, s:o}", "query", a->q->name, "sample",
                                  qf_sample_name(a->sample), "db", run_json(a));
            if (scale_a) {
                json_object_set_new(e, "scale", json_real(strtod(scale_a, NULL)));
                json_object_set_new(e, "reference_scale", json_real(strtod(scale_b, NULL)));
            }
            if (b) {
                json_object_set_new(e, "against", run_json(b));
                json_object_set_new(e, "same", json_boolean(!d));
                if (d && why[0])
                    json_object_set_new(e, "difference", json_string(why));
            }
            json_array_append_new(results, e);
            continue;
        }
        if (b)
            printf("%-24s %-7s %s%s%s\n", a->q->name, qf_sample_name(a->sample),
                   d ? "PLAN DIFFERS" : "same plan", scale_a ? " at scale " : "",
                   scale_a ? scale_a : "");
        else
            printf("%-24s %s\n", a->q->name, qf_sample_name(a->sample));
        if (d && why[0])
            printf("  %s\n", why);
        print_run(alabel, a);
        if (b && (d || b->nflags)) {
            char bl[32];
            snprintf(bl, sizeof bl, "%s%s", scale_b ? "scale " : blabel, scale_b ? scale_b : "");
            print_run(bl, b);
        }
    }
}

#define MAX_SCALES 8

/* --scales: fills the shape once per scale into a schema of its own in --db
 * (stampede_plans_<pid>_<k>, through `datagen fill --schema`), plans the queries there,
 * drops the schema, and compares every scale with the first. One scale at a time: index
 * names are per schema but fill's "index exists" check is not (reported), and the disk holds
 * one copy at a time. Returns 0 or an ST_E* code with err set; *nruns receives the runs
 * compared. */
static int run_scales(const char *db, const char *list, const char *shape, const qf_file *qf,
                      const char *only, const popts *o0, int json, json_t *results, size_t *differ,
                      size_t *nflags, size_t *nruns, char *err)
{
    char *copy = strdup(list), *save = NULL, *names[MAX_SCALES];
    run *runs[MAX_SCALES] = {0};
    size_t n[MAX_SCALES] = {0}, ns = 0;
    int rc = copy ? 0 : st_err(err, ST_ENOMEM, "out of memory");
    for (char *tok = copy ? strtok_r(copy, ",", &save) : NULL; tok && !rc;
         tok = strtok_r(NULL, ",", &save)) {
        double v;
        if (ns == MAX_SCALES || units_parse_double(tok, &v, err) || !(v > 0))
            rc = st_err(err, ST_EINPUT, "--scales: expected 2 to %d scales > 0, like 0.035,1",
                        MAX_SCALES);
        else
            names[ns++] = tok;
    }
    if (!rc && ns < 2)
        rc = st_err(err, ST_EINPUT, "--scales: expected 2 to %d scales > 0, like 0.035,1",
                    MAX_SCALES);
    PGconn *c = rc ? NULL : pgs_connect(db, err);
    if (!rc && !c)
        rc = ST_EENV;
    for (size_t k = 0; k < ns && !rc; k++) {
        char schema[64], sql[160], e2[ST_ERRLEN];
        snprintf(schema, sizeof schema, "stampede_plans_%ld_%zu", (long)getpid(), k);
        snprintf(sql, sizeof sql, "CREATE SCHEMA %s", schema);
        if ((rc = pgs_command(c, sql, err)))
            break;
        /* clang-format off */
        char *argv[] = {"fill", "--shape", (char *)shape, "--db", (char *)db, "--schema",
                        schema, "--scale", names[k], "--hot-ids", "none", "--quiet", NULL};
        /* clang-format on */
        log_info("plans: filling scale %s into schema %s", names[k], schema);
        int level = log_level; /* fill's --quiet sets the (global) level: restore it */
        int fr = tool_fill((int)(sizeof argv / sizeof argv[0]) - 1, argv);
        log_level = level;
        if (fr)
            rc = st_err(err, fr == ST_EXIT_INPUT ? ST_EINPUT : ST_EENV,
                        "--scales: datagen fill of scale %s failed (exit %d)", names[k], fr);
        popts o = *o0;
        o.schema = schema;
        o.set_path = 1;
        if (!rc && !(runs[k] = calloc(qf->nq * 3, sizeof *runs[k])))
            rc = st_err(err, ST_ENOMEM, "out of memory");
        if (!rc)
            rc = run_db(db, qf, only, &o, runs[k], &n[k], err);
        /* Our own schema, created above: dropping it with its contents is the point. */
        snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", schema);
        if (pgs_command(c, sql, e2))
            log_warn("%s", e2);
    }
    for (size_t k = 1; k < ns && !rc; k++)
        report(runs[k], n[k], runs[0], n[0], NULL, names[k], names[0], json, results, differ,
               nflags);
    if (!rc && !json)
        for (size_t i = 0; i < n[0]; i++) {
            /* The reference scale's own shapes, once, so that every scale is on record. */
            if (i == 0)
                printf("-- reference: scale %s\n", names[0]);
            printf("%-24s %-7s %s\n", runs[0][i].q->name, qf_sample_name(runs[0][i].sample),
                   runs[0][i].shape);
        }
    for (size_t k = 0; k < ns; k++)
        free_runs(runs[k], n[k]);
    *nruns = ns > 1 ? n[1] * (ns - 1) : 0;
    if (c)
        PQfinish(c);
    free(copy);
    return rc;
}

static void usage(void)
{
    printf("usage: datagen plans --queries Q.sql --db CONNINFO [--against CONNINFO | --baseline "
           "FILE |\n                     --shape SHAPE.json --scales 0.035,1] [OPTIONS]\n"
           "\n"
           "EXPLAINs every query of Q.sql with hot, median and cold parameter values drawn from\n"
           "each database's own statistics, normalises the plans to their shapes (node types,\n"
           "relations, indexes, join order and method) and compares them.\n"
           "\n"
           "  --queries FILE     the query file (syntax: docs/datagen/plans.md)\n"
           "  --db CONNINFO      the database to check (libpq conninfo or URI)\n"
           "  --against CONNINFO compare with the plans of another database (e.g. production)\n"
           "  --baseline FILE    compare with a report saved by 'plans --json'\n"
           "  --scales A,B,...   with --shape: fill the shape at each scale into a schema of\n"
           "                     its own in --db and compare every scale with the first\n"
           "  --shape FILE       the shape to fill for --scales (each schema is dropped\n"
           "                     after its plans are taken)\n"
           "  --analyze          EXPLAIN ANALYZE (runs the queries, inside a rolled-back\n"
           "                     transaction): estimate errors and runtimes\n"
           "  --max-rows N       flag sequential scans and sorts over N rows (default 100000)\n"
           "  --est-factor F     flag estimates off by more than F (default 10, with --analyze)\n"
           "  --max-ms MS        flag executions slower than MS (with --analyze)\n"
           "  --only NAME        only the query of that name\n"
           "  --schema S         schema of the sampled columns (default public)\n"
           "  --index-names      show indexes by name, not by their columns (then a renamed\n"
           "                     index counts as a plan difference)\n"
           "  --json             machine-readable report on stdout\n"
           "  --quiet            no summary on stderr\n"
           "  -h, --help         this help;  --version  the version\n"
           "\n"
           "exit: 0 same plans, 1 a plan differs from the reference, 2 bad input, 3 environment\n"
           "\n"
           "examples:\n"
           "  datagen plans --queries models/queries/shop.sql --db dbname=staging \\\n"
           "                --against 'host=prod-replica dbname=shop'\n"
           "  datagen plans --queries q.sql --db dbname=small --json > small.json\n"
           "  datagen plans --queries q.sql --db dbname=large --baseline small.json --analyze\n"
           "  datagen plans --queries models/queries/shop.sql --db dbname=scratch \\\n"
           "                --shape models/shapes/shop.json --scales 0.035,1\n");
}

static int parse_num(const char *flag, const char *s, double *out)
{
    char err[ST_ERRLEN];
    if (units_parse_double(s, out, err) || *out < 0) {
        log_error("%s: expected a number >= 0, got '%s'", flag, s);
        return -1;
    }
    return 0;
}

int tool_plans(int argc, char **argv)
{
    /* clang-format off */
    static const struct option opts[] = {
        {"queries", required_argument, NULL, 'Q'}, {"db", required_argument, NULL, 'd'},
        {"against", required_argument, NULL, 'a'}, {"baseline", required_argument, NULL, 'b'},
        {"analyze", no_argument, NULL, 'A'},       {"max-rows", required_argument, NULL, 'r'},
        {"est-factor", required_argument, NULL, 'e'}, {"max-ms", required_argument, NULL, 'm'},
        {"only", required_argument, NULL, 'O'},    {"schema", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'j'},          {"quiet", no_argument, NULL, 'q'},
        {"index-names", no_argument, NULL, 'N'},  {"scales", required_argument, NULL, 'x'},
        {"shape", required_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},          {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    /* clang-format on */
    const char *qpath = NULL, *db = NULL, *against = NULL, *baseline = NULL, *only = NULL;
    const char *scales_arg = NULL, *shape = NULL;
    size_t nscaled = 0;
    popts o = {.schema = "public", .lim = {.max_rows = 100000, .est_factor = 10}};
    int json = 0, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":hVq", opts, NULL)) != -1) {
        switch (c) {
        case 'Q': qpath = optarg; break;
        case 'd': db = optarg; break;
        case 'a': against = optarg; break;
        case 'b': baseline = optarg; break;
        case 'A': o.analyze = 1; break;
        case 'r':
            if (parse_num("--max-rows", optarg, &o.lim.max_rows))
                return ST_EXIT_INPUT;
            break;
        case 'e':
            if (parse_num("--est-factor", optarg, &o.lim.est_factor))
                return ST_EXIT_INPUT;
            break;
        case 'm':
            if (parse_num("--max-ms", optarg, &o.lim.max_ms))
                return ST_EXIT_INPUT;
            break;
        case 'O': only = optarg; break;
        case 's':
            o.schema = optarg;
            o.set_path = 1;
            break;
        case 'j': json = 1; break;
        case 'N': o.names = 1; break;
        case 'x': scales_arg = optarg; break;
        case 'S': shape = optarg; break;
        case 'q': log_level = LOG_ERROR; break;
        case 'h': usage(); return ST_EXIT_OK;
        case 'V': printf("datagen %s\n", ST_VERSION); return ST_EXIT_OK;
        case ':':
            log_error("plans: option '%s' needs a value (try 'datagen plans --help')",
                      argv[optind - 1]);
            return ST_EXIT_INPUT;
        default:
            log_error("plans: unknown option '%s' (try 'datagen plans --help')", argv[optind - 1]);
            return ST_EXIT_INPUT;
        }
    }
    if (optind < argc) {
        log_error("plans: unexpected argument '%s' (try 'datagen plans --help')", argv[optind]);
        return ST_EXIT_INPUT;
    }
    if (!qpath || !db) {
        log_error("plans: --queries and --db are required (try 'datagen plans --help')");
        return ST_EXIT_INPUT;
    }
    if ((against != NULL) + (baseline != NULL) + (scales_arg != NULL) > 1) {
        log_error("plans: --against, --baseline and --scales exclude each other");
        return ST_EXIT_INPUT;
    }
    if ((scales_arg != NULL) != (shape != NULL)) {
        log_error("plans: --scales and --shape go together (the shape to fill at each scale)");
        return ST_EXIT_INPUT;
    }
    char err[ST_ERRLEN];
    qf_file *qf = qf_load(qpath, err);
    if (!qf) {
        log_error("%s", err);
        return ST_EXIT_INPUT;
    }
    if (only) {
        size_t i = 0;
        while (i < qf->nq && strcmp(qf->q[i].name, only))
            i++;
        if (i == qf->nq) {
            log_error("--only: no query named '%s' in %s", only, qpath);
            qf_free(qf);
            return ST_EXIT_INPUT;
        }
    }
    size_t cap = qf->nq * 3, na = 0, nb = 0;
    run *ra = calloc(cap, sizeof *ra), *rb = calloc(cap, sizeof *rb);
    int rc = ra && rb ? 0 : st_err(err, ST_ENOMEM, "out of memory");
    if (!rc && !scales_arg && (rc = run_db(db, qf, only, &o, ra, &na, err)))
        log_error("--db: %s", err);
    if (!rc && against && (rc = run_db(against, qf, only, &o, rb, &nb, err)))
        log_error("--against: %s", err);
    if (!rc && baseline) {
        if ((rc = load_baseline(baseline, ra, na, rb, err)))
            log_error("--baseline: %s", err);
        nb = na;
    }
    size_t differ = 0, nflags = 0;
    json_t *results = json_array();
    if (!rc && scales_arg) {
        if ((rc = run_scales(db, scales_arg, shape, qf, only, &o, json, results, &differ, &nflags,
                             &nscaled, err)))
            log_error("%s", err);
    } else if (!rc)
        report(ra, na, against || baseline ? rb : NULL, nb, against ? "against" : "baseline", NULL,
               NULL, json, results, &differ, &nflags);
    if (!rc && json) {
        json_t *doc = json_pack("{s:s, s:s, s:b, s:o, s:{s:I, s:I, s:I}}", "tool", "datagen plans",
                                "version", ST_VERSION, "analyze", o.analyze, "results", results,
                                "summary", "runs", (json_int_t)(scales_arg ? nscaled : na),
                                "differ", (json_int_t)differ, "flags", (json_int_t)nflags);
        results = NULL;
        if ((rc = jsonio_save("-", doc, err)))
            log_error("%s", err);
        json_decref(doc);
    }
    json_decref(results);
    if (!rc)
        log_info("plans: %zu runs, %zu plan difference%s, %zu flag%s", scales_arg ? nscaled : na,
                 differ, differ == 1 ? "" : "s", nflags, nflags == 1 ? "" : "s");
    free_runs(ra, na);
    free_runs(rb, nb);
    qf_free(qf);
    if (rc)
        return st_rc_exit(rc);
    return differ ? ST_EXIT_CHECK : ST_EXIT_OK;
}
