/*
 * fanout.c -- `datagen profile --fanout` (see fanout.h): the aggregates, the count
 * distributions, the rank correlations and their calibration, and the rewrite of the
 * profiled shape's foreign-key columns into `activity` generators.
 */
#include "fanout.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gen_kind.h"
#include "pgx.h"
#include "progress.h"
#include "rng.h"
#include "st.h"

#define FAN_MAX_CHILDREN 16
#define FAN_HEAD_KNOTS 256 /* every distinct count among the first this many is a knot */
#define FAN_CALIB_N 20000  /* simulated parents per calibration step */
#define FAN_SQL_BYTES 16384
#define SHAPE_FAN_GROUPS 256 /* referenced tables handled at most (SHAPE_MAX_TABLES) */

/* One child of a parent: a table's single-column foreign key into the parent's key. */
typedef struct fchild {
    json_t *table; /* the child table's JSON object (borrowed) */
    const char *tname, *col;
    double *cnt;     /* count per sampled parent */
    double *v, *cdf; /* quantile knots */
    size_t nk;
} fchild;

typedef struct fgroup {
    const char *parent, *key;
    double rows;
    fchild ch[FAN_MAX_CHILDREN];
    size_t nch;
    size_t skipped; /* children beyond FAN_MAX_CHILDREN */
} fgroup;

/* Progress lines go to the caller's callback (common/progress.h formats them). */
#define say(o, ...) progress_say((o)->progress, (o)->ud, __VA_ARGS__)

static json_t *find_table(json_t *doc, const char *name)
{
    json_t *tabs = json_object_get(doc, "tables");
    for (size_t i = 0; i < json_array_size(tabs); i++) {
        json_t *t = json_array_get(tabs, i);
        if (!strcmp(json_string_value(json_object_get(t, "name")) ?: "", name))
            return t;
    }
    return NULL;
}

static json_t *find_col(json_t *table, const char *name)
{
    json_t *cols = json_object_get(table, "columns");
    for (size_t i = 0; i < json_array_size(cols); i++) {
        json_t *c = json_array_get(cols, i);
        if (!strcmp(json_string_value(json_object_get(c, "name")) ?: "", name))
            return c;
    }
    return NULL;
}

/* 1 when col is the `of` column of a `distinct` column of the table: it must keep the runs
 * its generator lays (gk_distinct.c), which an activity's scattered rows would break. */
static int runs_of_distinct(json_t *table, const char *col)
{
    json_t *cols = json_object_get(table, "columns");
    for (size_t i = 0; i < json_array_size(cols); i++) {
        json_t *g = json_object_get(json_array_get(cols, i), "gen");
        if (!strcmp(json_string_value(json_object_get(g, "kind")) ?: "", "distinct") &&
            !strcmp(json_string_value(json_object_get(g, "of")) ?: "", col))
            return 1;
    }
    return 0;
}

/* Collects the parents and their children from the shape's foreign_keys. Returns the
 * number of groups (at most cap). */
static size_t collect(json_t *doc, fgroup *g, size_t cap)
{
    size_t ng = 0;
    json_t *tabs = json_object_get(doc, "tables");
    for (size_t i = 0; i < json_array_size(tabs); i++) {
        json_t *t = json_array_get(tabs, i);
        const char *tn = json_string_value(json_object_get(t, "name"));
        json_t *fks = json_object_get(t, "foreign_keys");
        for (size_t f = 0; tn && f < json_array_size(fks); f++) {
            json_t *fk = json_array_get(fks, f);
            json_t *cols = json_object_get(fk, "columns"), *rc = json_object_get(fk, "ref_columns");
            const char *pt = json_string_value(json_object_get(fk, "table"));
            if (!pt || json_array_size(cols) != 1 || json_array_size(rc) != 1 || !strcmp(pt, tn))
                continue;
            json_t *ptab = find_table(doc, pt);
            const char *col = json_string_value(json_array_get(cols, 0));
            const char *key = json_string_value(json_array_get(rc, 0));
            if (!ptab || !col || !key || !find_col(t, col) || runs_of_distinct(t, col))
                continue;
            size_t k = 0;
            while (k < ng && (strcmp(g[k].parent, pt) || strcmp(g[k].key, key)))
                k++;
            if (k == ng) {
                if (ng == cap)
                    continue;
                memset(&g[ng], 0, sizeof g[ng]);
                g[ng].parent = pt;
                g[ng].key = key;
                g[ng].rows = json_number_value(json_object_get(ptab, "rows"));
                ng++;
            }
            if (g[k].nch == FAN_MAX_CHILDREN) {
                g[k].skipped++;
                continue;
            }
            g[k].ch[g[k].nch++] = (fchild){.table = t, .tname = tn, .col = col};
        }
    }
    return ng;
}

/* The aggregate query of one parent: one row of child counts per sampled parent. */
static int group_sql(PGconn *c, const fgroup *g, const fanout_opts *o, char *sql, char *err)
{
    char *sch = pgx_ident(c, o->schema), *pt = pgx_ident(c, g->parent), *pk = pgx_ident(c, g->key);
    int rc = 0;
    size_t n = 0, cap = FAN_SQL_BYTES;
    if (!sch || !pt || !pk) {
        rc = st_err(err, ST_ENOMEM, "out of memory");
        goto out;
    }
    n += (size_t)snprintf(sql + n, cap - n, "WITH p AS MATERIALIZED (SELECT %s AS k FROM %s.%s", pk,
                          sch, pt);
    int sampled = o->sample > 0 && g->rows > (double)o->sample;
    if (sampled && n < cap)
        n += (size_t)snprintf(sql + n, cap - n, " TABLESAMPLE BERNOULLI (%.6f) REPEATABLE (%lld)",
                              100.0 * (double)o->sample / g->rows, (long long)o->seed);
    if (n < cap)
        n += (size_t)snprintf(sql + n, cap - n, ")");
    for (size_t i = 0; i < g->nch && n < cap; i++) {
        char *ct = pgx_ident(c, g->ch[i].tname), *cc = pgx_ident(c, g->ch[i].col);
        /* With a sample, the semi-join restricts the grouping to the sampled keys. */
        if (ct && cc && sampled)
            n += (size_t)snprintf(sql + n, cap - n,
                                  ", c%zu AS (SELECT x.%s AS k, count(*) AS n FROM %s.%s x"
                                  " WHERE x.%s IN (SELECT k FROM p) GROUP BY 1)",
                                  i, cc, sch, ct, cc);
        else if (ct && cc)
            n += (size_t)snprintf(
                sql + n, cap - n,
                ", c%zu AS (SELECT x.%s AS k, count(*) AS n FROM %s.%s x GROUP BY 1)", i, cc, sch,
                ct);
        free(ct);
        free(cc);
        if (!ct || !cc) {
            rc = st_err(err, ST_ENOMEM, "out of memory");
            goto out;
        }
    }
    if (n < cap)
        n += (size_t)snprintf(sql + n, cap - n, " SELECT ");
    for (size_t i = 0; i < g->nch && n < cap; i++)
        n += (size_t)snprintf(sql + n, cap - n, "%scoalesce(c%zu.n, 0)", i ? ", " : "", i);
    if (n < cap)
        n += (size_t)snprintf(sql + n, cap - n, " FROM p");
    for (size_t i = 0; i < g->nch && n < cap; i++)
        n += (size_t)snprintf(sql + n, cap - n, " LEFT JOIN c%zu ON c%zu.k = p.k", i, i);
    if (n >= cap)
        rc = st_err(err, ST_EINPUT, "fanout: the aggregate query of '%s' is too long", g->parent);
out:
    free(sch);
    free(pt);
    free(pk);
    return rc;
}

typedef struct vi {
    double v;
    size_t i;
} vi;

static int vi_cmp(const void *a, const void *b)
{
    const vi *x = a, *y = b;
    return x->v < y->v ? -1 : (x->v > y->v) ? 1 : (x->i > y->i) - (x->i < y->i);
}

/* Mid-ranks (ties share the mean of their ranks) of x into r; w is n items of scratch. */
static void mid_ranks(const double *x, size_t n, double *r, vi *w)
{
    for (size_t i = 0; i < n; i++)
        w[i] = (vi){x[i], i};
    qsort(w, n, sizeof *w, vi_cmp);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && w[j].v == w[i].v)
            j++;
        double mid = 0.5 * (double)(i + j - 1);
        for (size_t k = i; k < j; k++)
            r[w[k].i] = mid;
        i = j;
    }
}

/* Spearman's rank correlation (Pearson of the mid-ranks); 0 when either side is constant. */
static double spearman(const double *x, const double *y, size_t n, double *rx, double *ry, vi *w)
{
    mid_ranks(x, n, rx, w);
    mid_ranks(y, n, ry, w);
    double m = 0.5 * (double)(n - 1), sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        sxy += (rx[i] - m) * (ry[i] - m);
        sxx += (rx[i] - m) * (rx[i] - m);
        syy += (ry[i] - m) * (ry[i] - m);
    }
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : 0;
}

/* Knots of the count quantile function from n counts: every distinct count among the first
 * FAN_HEAD_KNOTS, then a knot wherever the share of parents above has shrunk by a quarter or
 * the cdf has moved by 1/1024 since the last knot, and the maximum. */
static int knots(fchild *ch, size_t n, vi *w, char *err)
{
    double *s = malloc(n * sizeof(double));
    ch->v = malloc(n * sizeof(double));
    ch->cdf = malloc(n * sizeof(double));
    if (!s || !ch->v || !ch->cdf) {
        free(s);
        return st_err(err, ST_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        w[i] = (vi){ch->cnt[i], i};
    qsort(w, n, sizeof *w, vi_cmp);
    for (size_t i = 0; i < n; i++)
        s[i] = w[i].v;
    double kept = 0;
    size_t distinct = 0;
    ch->nk = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && s[j] == s[i])
            j++;
        double f = (double)j / (double)n;
        distinct++;
        if (distinct <= FAN_HEAD_KNOTS || j == n || f - kept >= 1.0 / 1024 ||
            (1 - kept) >= 1.25 * (1 - f)) {
            ch->v[ch->nk] = s[i];
            ch->cdf[ch->nk++] = j == n ? 1 : f;
            kept = f;
        }
        i = j;
    }
    free(s);
    return 0;
}

/* The simulated Spearman correlation of two children's counts under Gaussian correlation r,
 * through the quantile functions fill uses (fixed draws: the same r gives the same value). */
static double sim_spearman(const fchild *a, const fchild *b, double r, int64_t seed, double *x,
                           double *y, double *rx, double *ry, vi *w)
{
    rng_stream s;
    rng_stream_init(&s, (uint64_t)seed, rng_stream_id("$fanout.calibration"));
    double q = sqrt(1 - r * r);
    for (size_t i = 0; i < FAN_CALIB_N; i++) {
        double z0 = rng_normal(&s, 0, 1), e = rng_normal(&s, 0, 1);
        x[i] = gk_activity_quantile(a->v, a->cdf, a->nk, gsl_cdf_ugaussian_P(z0));
        y[i] = gk_activity_quantile(b->v, b->cdf, b->nk, gsl_cdf_ugaussian_P(r * z0 + q * e));
    }
    return spearman(x, y, FAN_CALIB_N, rx, ry, w);
}

/* The Gaussian correlation whose simulated Spearman is rho (bisection; it is monotone). */
static double calibrate(const fchild *a, const fchild *b, double rho, int64_t seed, double *buf,
                        vi *w)
{
    double *x = buf, *y = buf + FAN_CALIB_N, *rx = buf + 2 * FAN_CALIB_N,
           *ry = buf + 3 * FAN_CALIB_N;
    double lo = -0.999, hi = 0.999;
    if (rho >= sim_spearman(a, b, hi, seed, x, y, rx, ry, w))
        return hi;
    if (rho <= sim_spearman(a, b, lo, seed, x, y, rx, ry, w))
        return lo;
    for (int it = 0; it < 16; it++) {
        double mid = 0.5 * (lo + hi);
        if (sim_spearman(a, b, mid, seed, x, y, rx, ry, w) < rho)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* One-factor loadings a_i with a_i a_j ~ r_ij (least squares, alternating; Spearman 1904's
 * single common factor). k = 1: no partner, loading 0; k = 2: sqrt(|r|) with r's sign. */
static void loadings(const double *r, size_t k, double *a)
{
    if (k == 1) {
        a[0] = 0;
        return;
    }
    if (k == 2) {
        a[0] = sqrt(fabs(r[1]));
        a[1] = r[1] < 0 ? -a[0] : a[0];
        return;
    }
    for (size_t i = 0; i < k; i++) {
        double m = 0;
        for (size_t j = 0; j < k; j++)
            m += j == i ? 0 : fabs(r[i * k + j]);
        a[i] = sqrt(m / (double)(k - 1));
    }
    for (int it = 0; it < 100; it++)
        for (size_t i = 0; i < k; i++) {
            double num = 0, den = 0;
            for (size_t j = 0; j < k; j++)
                if (j != i) {
                    num += r[i * k + j] * a[j];
                    den += a[j] * a[j];
                }
            a[i] = den > 0 ? num / den : 0;
            a[i] = a[i] > 0.999 ? 0.999 : (a[i] < -0.999 ? -0.999 : a[i]);
        }
}

static double quant(const double *v, const double *cdf, size_t nk, double p)
{
    return gk_activity_quantile(v, cdf, nk, p);
}

/* Rewrites child i's column as an activity generator and records what was measured. */
static int rewrite(const fgroup *g, size_t i, size_t n, const double *rho, const double *gr,
                   const double *a)
{
    const fchild *ch = &g->ch[i];
    json_t *col = find_col(ch->table, ch->col);
    json_t *vals = json_array(), *cdf = json_array(), *sp = json_object(), *ga = json_object();
    double sum = 0;
    for (size_t k = 0; k < n; k++)
        sum += ch->cnt[k];
    for (size_t k = 0; k < ch->nk; k++) {
        json_array_append_new(vals, json_integer((json_int_t)ch->v[k]));
        json_array_append_new(cdf, json_real(round(ch->cdf[k] * 1e9) / 1e9));
    }
    for (size_t j = 0; j < g->nch; j++) {
        if (j == i)
            continue;
        char nm[300];
        snprintf(nm, sizeof nm, "%s.%s", g->ch[j].tname, g->ch[j].col);
        json_object_set_new(sp, nm, json_real(round(rho[i * g->nch + j] * 1e4) / 1e4));
        json_object_set_new(ga, nm, json_real(round(gr[i * g->nch + j] * 1e4) / 1e4));
    }
    json_t *jg = json_pack("{s:s, s:s, s:s, s:f, s:{s:o, s:o}}", "kind", "activity", "table",
                           g->parent, "column", g->key, "corr", round(a[i] * 1e4) / 1e4, "counts",
                           "values", vals, "cdf", cdf);
    json_t *rec = json_pack(
        "{s:s, s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:o, s:o}", "parent", g->parent, "sample",
        (json_int_t)n, "parent_rows", g->rows, "zero_share", ch->v[0] == 0 ? ch->cdf[0] : 0.0,
        "mean", n ? sum / (double)n : 0.0, "p50", quant(ch->v, ch->cdf, ch->nk, 0.5), "p90",
        quant(ch->v, ch->cdf, ch->nk, 0.9), "p99", quant(ch->v, ch->cdf, ch->nk, 0.99), "max",
        ch->v[ch->nk - 1], "spearman", sp, "gaussian", ga);
    if (!col || !jg || !rec) {
        json_decref(jg);
        json_decref(rec);
        return ST_ENOMEM;
    }
    json_t *cur = json_object_get(col, "gen");
    if (!strcmp(json_string_value(json_object_get(cur, "kind")) ?: "", "distinct")) {
        json_object_set_new(cur, "gen", jg); /* a junction's second column: the draws' marginal */
        /* The activity draws rows of the scaled parent itself: nothing left to spread. */
        json_object_del(cur, "table");
        json_object_del(cur, "column");
    } else
        json_object_set_new(col, "gen", jg);
    json_object_set_new(col, "_fanout", rec);
    /* The counts now decide the column: a distinct-count fold or an order would fight them. */
    json_object_del(col, "n_distinct");
    json_object_del(col, "correlation");
    return 0;
}

/* Reads the sampled counts of one parent into its children. Returns the sample size (rows),
 * or -1 with err set. */
static long read_counts(PGconn *c, fgroup *g, const fanout_opts *o, char *err)
{
    char *sql = malloc(FAN_SQL_BYTES);
    if (!sql)
        return st_err(err, ST_ENOMEM, "out of memory"), -1;
    if (group_sql(c, g, o, sql, err)) {
        free(sql);
        return -1;
    }
    PGresult *r = pgx_query(c, sql, 0, NULL, err);
    free(sql);
    if (!r)
        return -1;
    long n = PQntuples(r);
    for (size_t i = 0; i < g->nch; i++) {
        g->ch[i].cnt = malloc(((size_t)n + 1) * sizeof(double));
        if (!g->ch[i].cnt) {
            PQclear(r);
            return st_err(err, ST_ENOMEM, "out of memory"), -1;
        }
        for (long k = 0; k < n; k++)
            g->ch[i].cnt[k] = strtod(PQgetvalue(r, (int)k, (int)i), NULL);
    }
    PQclear(r);
    return n;
}

static void group_free(fgroup *g)
{
    for (size_t i = 0; i < g->nch; i++) {
        free(g->ch[i].cnt);
        free(g->ch[i].v);
        free(g->ch[i].cdf);
    }
}

/* Distributions, correlations, loadings and the rewrite of one parent's children. */
static int fit_group(fgroup *g, size_t n, const fanout_opts *o, char *err)
{
    size_t k = g->nch, m = n > FAN_CALIB_N ? n : FAN_CALIB_N;
    double *rho = calloc(k * k, sizeof(double)), *gr = calloc(k * k, sizeof(double));
    double *a = calloc(k, sizeof(double)), *buf = malloc(4 * m * sizeof(double));
    vi *w = malloc(m * sizeof(vi));
    int rc = 0;
    if (!rho || !gr || !a || !buf || !w) {
        rc = st_err(err, ST_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < k && !rc; i++)
        rc = knots(&g->ch[i], n, w, err);
    for (size_t i = 0; i < k && !rc; i++)
        for (size_t j = i + 1; j < k; j++) {
            double s = spearman(g->ch[i].cnt, g->ch[j].cnt, n, buf, buf + m, w);
            double r = calibrate(&g->ch[i], &g->ch[j], s, o->seed, buf, w);
            rho[i * k + j] = rho[j * k + i] = s;
            gr[i * k + j] = gr[j * k + i] = r;
        }
    if (!rc) {
        loadings(gr, k, a);
        for (size_t i = 0; i < k && !rc; i++)
            if (rewrite(g, i, n, rho, gr, a))
                rc = st_err(err, ST_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < k && !rc; i++) {
        char line[1024];
        size_t len = (size_t)snprintf(
            line, sizeof line, "fanout: %s.%s -> %s: zero share %.3f, corr %.3f", g->ch[i].tname,
            g->ch[i].col, g->parent, g->ch[i].v[0] == 0 ? g->ch[i].cdf[0] : 0.0, a[i]);
        for (size_t j = 0; j < k && len < sizeof line; j++)
            if (j != i)
                len += (size_t)snprintf(line + len, sizeof line - len, "; spearman with %s %.3f",
                                        g->ch[j].tname, rho[i * k + j]);
        say(o, "%s", line);
    }
out:
    free(rho);
    free(gr);
    free(a);
    free(buf);
    free(w);
    return rc;
}

int fanout_profile(PGconn *conn, json_t *doc, const fanout_opts *o, char *err)
{
    fgroup *g = calloc(SHAPE_FAN_GROUPS, sizeof *g);
    json_t *log = json_array();
    int rc = 0;
    if (!g || !log) {
        free(g);
        json_decref(log);
        return st_err(err, ST_ENOMEM, "out of memory");
    }
    size_t ng = collect(doc, g, SHAPE_FAN_GROUPS);
    for (size_t i = 0; i < ng && !rc; i++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int sampled = o->sample > 0 && g[i].rows > (double)o->sample;
        say(o, "fanout: %s (%zu child tables, %.0f rows)%s ...", g[i].parent, g[i].nch, g[i].rows,
            sampled ? ", sampling with TABLESAMPLE BERNOULLI" : "");
        long n = read_counts(conn, &g[i], o, err);
        if (n < 0) {
            rc = ST_EENV;
            break;
        }
        if (n == 0) {
            say(o, "fanout: %s: no parent rows sampled; its foreign keys keep their generators",
                g[i].parent);
            continue;
        }
        if ((rc = fit_group(&g[i], (size_t)n, o, err)))
            break;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
        json_t *kids = json_array();
        for (size_t j = 0; j < g[i].nch; j++)
            json_array_append_new(kids, json_sprintf("%s.%s", g[i].ch[j].tname, g[i].ch[j].col));
        json_array_append_new(
            log, json_pack("{s:s, s:s, s:o, s:I, s:f, s:b, s:f, s:I}", "parent", g[i].parent, "key",
                           g[i].key, "children", kids, "sample", (json_int_t)n, "parent_rows",
                           g[i].rows, "tablesample", sampled, "seconds", round(secs * 1000) / 1000,
                           "children_left_out", (json_int_t)g[i].skipped));
        say(o, "fanout: %s: %ld parents sampled of %.0f (%.1f%%), %.2f s%s", g[i].parent, n,
            g[i].rows, g[i].rows > 0 ? 100.0 * (double)n / g[i].rows : 100.0, secs,
            g[i].skipped ? " (children beyond 16 left out)" : "");
    }
    for (size_t i = 0; i < ng; i++)
        group_free(&g[i]);
    free(g);
    json_object_set_new(doc, "_fanout", log);
    return rc;
}
