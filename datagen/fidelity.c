/*
 * fidelity.c -- expected statistics from a shape, actual ones from pg_stats, and the metrics
 * and tolerances between them (see fidelity.h).
 */
#include "fidelity.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"
#include "profile.h"

#define FID_MAX_BOUNDS 10001

const char *fid_metric_name(int k)
{
    /* clang-format off */
    static const char *const n[] = {"rows", "pages", "null", "ndistinct", "mcv", "hist", "corr",
                                    "width"};
    /* clang-format on */
    return k >= 0 && k < FM_N ? n[k] : "?";
}

typedef struct expect {
    int cls;
    int has_null, has_nd, has_corr, has_width;
    double null_frac, nd, corr, width;
    double mcf[1024];
    size_t nmcf;
    double hist[FID_MAX_BOUNDS];
    size_t nhist;
    int quantiles; /* hist holds whole-column quantiles (profile), not a pg histogram */
    int has_mcf;   /* an MCV profile is expected (possibly empty, from `_stats`) */
} expect;

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* Numbers or ISO strings into axis values; returns the count (0 when unusable). */
static size_t axis_array(const json_t *a, int cls, double *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < json_array_size(a) && n < cap; i++) {
        json_t *e = json_array_get(a, i);
        if (json_is_number(e))
            out[n++] = json_number_value(e);
        else if (json_is_string(e) && !profile_axis(cls, json_string_value(e), &out[n]))
            n++;
        else
            return 0;
    }
    return n;
}

static void expect_from_gen(const json_t *jc, expect *e)
{
    json_t *g = json_object_get(jc, "gen");
    const char *kind = json_string_value(json_object_get(g, "kind"));
    if (!kind)
        return;
    json_t *hist_gen = NULL;
    if (!strcmp(kind, "categorical")) {
        json_t *w = json_object_get(g, "weights");
        json_t *rest = json_object_get(g, "rest");
        double sum = 0;
        size_t n = json_array_size(w);
        for (size_t i = 0; i < n; i++)
            sum += json_number_value(json_array_get(w, i));
        double norm = rest || sum <= 0 ? 1 : sum;
        for (size_t i = 0; i < n && e->nmcf < 1024; i++)
            e->mcf[e->nmcf++] = json_number_value(json_array_get(w, i)) / norm * (1 - e->null_frac);
        qsort(e->mcf, e->nmcf, sizeof e->mcf[0], cmp_desc);
        e->has_mcf = 1;
        const char *rk = json_string_value(json_object_get(rest, "kind"));
        if (rk && !strcmp(rk, "histogram"))
            hist_gen = rest;
    } else if (!strcmp(kind, "histogram")) {
        hist_gen = g;
    } else if (!strcmp(kind, "bool")) {
        double p = json_number_value(json_object_get(g, "p"));
        e->mcf[0] = fmax(p, 1 - p) * (1 - e->null_frac);
        e->mcf[1] = fmin(p, 1 - p) * (1 - e->null_frac);
        e->nmcf = e->mcf[1] > 0 ? 2 : 1;
        e->has_mcf = 1;
    }
    if (hist_gen)
        e->nhist = axis_array(json_object_get(hist_gen, "bounds"), e->cls, e->hist, FID_MAX_BOUNDS);
}

/* Reads one column's expectations; ST_EINPUT names the field path on malformed input. */
static int expect_col(const json_t *jc, const char *path, expect *e, char *err)
{
    memset(e, 0, offsetof(expect, mcf));
    e->nmcf = e->nhist = 0;
    e->quantiles = 0;
    e->has_mcf = 0;
    json_t *bt = json_object_get(jc, "_base_type");
    e->cls = profile_type_class(json_string_value(bt ? bt : json_object_get(jc, "type")));
    json_t *st = json_object_get(jc, "_stats");
    char p[256];
    int rc;
    if (st) {
        jv_key(p, sizeof p, path, "_stats");
        if (!json_is_object(st))
            return st_err(err, ST_EINPUT, "%s: expected an object", p);
        e->has_null = e->has_nd = e->has_width = 1;
        if ((rc = jv_number(st, p, "null_frac", 1, 0, 1, &e->null_frac, err)) ||
            (rc = jv_number(st, p, "n_distinct", 1, -1, INFINITY, &e->nd, err)) ||
            (rc = jv_number(st, p, "avg_width", 1, 0, INFINITY, &e->width, err)))
            return rc;
        if (json_object_get(st, "correlation")) {
            e->has_corr = 1;
            if ((rc = jv_number(st, p, "correlation", 1, -1, 1, &e->corr, err)))
                return rc;
        }
        json_t *f = json_object_get(st, "mcf");
        e->has_mcf = 1;
        for (size_t i = 0; i < json_array_size(f) && e->nmcf < 1024; i++)
            e->mcf[e->nmcf++] = json_number_value(json_array_get(f, i));
        e->nhist = axis_array(json_object_get(st, "quantiles"), e->cls, e->hist, FID_MAX_BOUNDS);
        e->quantiles = e->nhist >= 2;
        return 0;
    }
    json_t *v;
    if ((v = json_object_get(jc, "null_frac")) && json_is_number(v)) {
        e->null_frac = json_number_value(v);
    }
    e->has_null = 1;
    if ((v = json_object_get(jc, "n_distinct")) && json_is_number(v)) {
        e->has_nd = 1;
        e->nd = json_number_value(v);
    }
    if ((v = json_object_get(jc, "correlation")) && json_is_number(v)) {
        e->has_corr = 1;
        e->corr = json_number_value(v);
    }
    expect_from_gen(jc, e);
    return 0;
}

static double nd_abs(double nd, double rows)
{
    return nd < 0 ? -nd * rows : fmin(nd, rows > 0 ? rows : nd);
}

/* Position (0..1) of x in an equal-depth histogram with bounds a[0..n-1]. */
static double hist_cdf(const double *a, size_t n, double x)
{
    if (x <= a[0])
        return 0;
    if (x >= a[n - 1])
        return 1;
    size_t lo = 0, hi = n - 1;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (a[mid] <= x)
            lo = mid;
        else
            hi = mid;
    }
    double w = a[hi] - a[lo];
    double f = w > 0 ? (x - a[lo]) / w : 0;
    return ((double)lo + f) / (double)(n - 1);
}

static void set(fid_metric *m, double v, double tol, int ok)
{
    m->present = 1;
    m->value = v;
    m->tol = tol;
    m->ok = ok;
}

static void ratio(fid_metric *m, double a, double e, double tol)
{
    double r = e > 0 ? a / e : (a > 0 ? INFINITY : 1);
    set(m, r, tol, r >= 1 / tol && r <= tol);
}

static void col_metrics(fid_line *ln, const expect *e, const pgs_col *c, double rows_e,
                        double rows_a, const fid_opts *o)
{
    double n = fmin(rows_a, (double)o->sample_rows);
    if (n < 1)
        n = 1;
    double tf = o->tol_factor;
    int full = rows_a <= o->sample_rows;
    if (e->has_null) {
        double p = e->null_frac;
        double tol = (4 * sqrt(p * (1 - p) / n) + 0.005) * tf;
        double d = fabs(c->null_frac - p);
        set(&ln->m[FM_NULL], d, tol, d <= tol);
    }
    /* Fewer than 10 non-null values say nothing about a distribution: only null_frac is
     * checked for such columns (tiny lookup tables, mostly-null columns). */
    if (rows_a * (1 - fmax(e->null_frac, c->null_frac)) < 10)
        return;
    /* Distributions of values (histogram, correlation, width) rest on the non-null rows. */
    double nn = fmax(1, n * (1 - fmax(e->null_frac, c->null_frac)));
    if (e->has_nd && e->nd != 0 && c->n_distinct != 0) {
        double ea = nd_abs(e->nd, rows_e), aa = nd_abs(c->n_distinct, rows_a);
        /* Fully sampled tables count distinct values exactly; sampled ones go through the
         * Haas-Stokes estimator, which is easily off by half for skewed columns. */
        double tol = 1 + ((full ? 0.25 : 1.0) + 8 / sqrt(fmax(ea, 1))) * tf;
        if (ea >= 1 && aa >= 1)
            ratio(&ln->m[FM_NDISTINCT], aa, ea, tol);
    }
    /* A generator that implies no frequencies (ref, switch, sequence...) is not checked. */
    if (e->has_mcf && (e->nmcf || c->nmcv)) {
        size_t k = e->nmcf < c->nmcv ? e->nmcf : c->nmcv;
        if (!k)
            k = 1;
        double worst = 0, worst_tol = 0.01 * tf;
        int ok = 1;
        for (size_t i = 0; i < k; i++) {
            double fe = i < e->nmcf ? e->mcf[i] : 0, fa = i < c->nmcv ? c->mcf[i] : 0;
            double p = fmax(fe, fa);
            double tol = (4 * sqrt(p * (1 - p) / n) + 0.01) * tf;
            double d = fabs(fe - fa);
            if (d > tol)
                ok = 0;
            if (d - tol > worst - worst_tol || i == 0) {
                worst = d;
                worst_tol = tol;
            }
        }
        set(&ln->m[FM_MCV], worst, worst_tol, ok);
    }
    if (e->quantiles && (c->nhist >= 2 || c->nmcv)) {
        /* Whole-column KS distance: at each expected quantile point the actual CDF must
         * reach the quantile's probability (anywhere within a point mass counts). */
        double d = 0;
        for (size_t j = 0; j < e->nhist; j++) {
            double want = (double)j / (double)(e->nhist - 1);
            double lo = profile_cdf(c, e->cls, e->hist[j], 0);
            double hi = profile_cdf(c, e->cls, e->hist[j], 1);
            d = fmax(d, want < lo ? lo - want : want > hi ? want - hi : 0);
        }
        double m = c->nhist >= 2 ? (double)(c->nhist - 1) : 100;
        double tol = (2.0 / fmin(m, (double)(e->nhist - 1)) + 1.63 * sqrt(2 / nn)) * tf;
        set(&ln->m[FM_HIST], d, tol, d <= tol);
    } else if (e->nhist >= 2 && c->nhist >= 2) {
        double a[FID_MAX_BOUNDS];
        size_t na = 0;
        for (size_t i = 0; i < c->nhist && na < FID_MAX_BOUNDS; i++)
            if (!profile_axis(e->cls, c->hist[i], &a[na]))
                na++;
        if (na >= 2) {
            double d = 0;
            for (size_t j = 0; j < e->nhist; j++) {
                double want = (double)j / (double)(e->nhist - 1);
                d = fmax(d, fabs(hist_cdf(a, na, e->hist[j]) - want));
            }
            size_t m = (e->nhist < na ? e->nhist : na) - 1;
            double tol = (2.0 / (double)m + 1.63 * sqrt(2 / nn)) * tf;
            set(&ln->m[FM_HIST], d, tol, d <= tol);
        }
    }
    if (e->has_corr && c->has_corr) {
        /* Text generators have no physical-order control in shape format 1, so a text
         * column's correlation is reported but cannot fail the comparison. */
        /* A random order's correlation has a standard deviation of about 1/sqrt(rows):
         * small tables get the slack their size implies. */
        double d = fabs(c->correlation - e->corr), tol = (0.15 + 3 / sqrt(nn)) * tf;
        set(&ln->m[FM_CORR], d, tol, d <= tol || e->cls == PC_TEXT);
    }
    if (e->has_width) {
        /* Widths vary per value: the mean of n of them wanders by about 0.3 w / sqrt(n). */
        double d = fabs(c->avg_width - e->width);
        double tol = (fmax(2, 0.1 * e->width) + 0.6 * e->width / sqrt(nn)) * tf;
        /* Types drawn as literals (tsvector, ranges, ...) cannot aim at a width. */
        set(&ln->m[FM_WIDTH], d, tol, d <= tol || e->cls == PC_OTHER);
    }
}

static int add_line(fid_report *r, size_t *cap, const char *table, const char *col)
{
    if (r->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        fid_line *nl = realloc(r->lines, nc * sizeof *nl);
        if (!nl)
            return ST_ENOMEM;
        r->lines = nl;
        *cap = nc;
    }
    fid_line *ln = &r->lines[r->n++];
    memset(ln, 0, sizeof *ln);
    snprintf(ln->table, sizeof ln->table, "%s", table);
    snprintf(ln->column, sizeof ln->column, "%s", col ? col : "");
    return 0;
}

static void close_line(fid_report *r)
{
    fid_line *ln = &r->lines[r->n - 1];
    ln->ok = !ln->missing;
    for (int k = 0; k < FM_N; k++)
        if (ln->m[k].present && !ln->m[k].ok)
            ln->ok = 0;
    if (!ln->ok)
        r->failed++;
}

fid_report *fid_compare(const json_t *shape, const pgs_db *db, const fid_opts *o, int *rc,
                        char *err)
{
    fid_report *r = calloc(1, sizeof *r);
    expect *e = malloc(sizeof *e);
    size_t cap = 0;
    char tp[128], cp[192];
    json_t *tables = json_object_get(shape, "tables");
    *rc = 0;
    if (!r || !e) {
        *rc = st_err(err, ST_ENOMEM, "out of memory");
        goto fail;
    }
    if (!json_is_array(tables)) {
        *rc = st_err(err, ST_EINPUT, "tables: expected an array");
        goto fail;
    }
    for (size_t i = 0; i < json_array_size(tables); i++) {
        json_t *jt = json_array_get(tables, i);
        jv_path(tp, sizeof tp, "tables", i);
        const char *tn = json_string_value(json_object_get(jt, "name"));
        if (!tn) {
            *rc = st_err(err, ST_EINPUT, "%s.name: expected a string", tp);
            goto fail;
        }
        const pgs_table *t = pgs_find_table(db, tn);
        const char *sc = json_string_value(json_object_get(jt, "scale"));
        double f = sc && !strcmp(sc, "fixed") ? 1 : o->scale;
        double rows_e = -1;
        json_t *jr = json_object_get(jt, "rows"), *ts = json_object_get(jt, "_stats");
        if (json_is_number(jr))
            rows_e = json_number_value(jr) * f;
        else if (json_is_number(json_object_get(ts, "reltuples")))
            rows_e = json_number_value(json_object_get(ts, "reltuples")) * o->scale;
        if (rows_e >= 0 && f != 1 && rows_e > 0)
            rows_e = fmax(1, round(rows_e));
        if ((*rc = add_line(r, &cap, tn, NULL))) {
            st_err(err, ST_ENOMEM, "out of memory");
            goto fail;
        }
        double rows_a = t ? t->reltuples : 0;
        if (!t)
            r->lines[r->n - 1].missing = 1;
        else if (rows_e >= 0 && !(rows_e == 0 && rows_a <= 0)) {
            double tol = 1 + 0.1 * o->tol_factor;
            ratio(&r->lines[r->n - 1].m[FM_ROWS], rows_a < 0 ? 0 : rows_a, rows_e, tol);
            /* Pages: a profile's relpages; small tables round to whole pages, hence the slack
             * of two pages. Generated tables are freshly packed, production ones may be
             * bloated: more pages than the fill is reported, not hidden. */
            json_t *rp = json_object_get(ts, "relpages");
            double pe = json_is_number(rp) ? json_number_value(rp) * f : -1;
            if (pe > 0 && t->relpages > 0) {
                double ptol = 1 + (0.15 + 2 / pe) * o->tol_factor;
                ratio(&r->lines[r->n - 1].m[FM_PAGES], (double)t->relpages, pe, ptol);
            }
        }
        close_line(r);
        if (rows_e < 0)
            rows_e = rows_a;
        json_t *cols = json_object_get(jt, "columns");
        for (size_t k = 0; t && k < json_array_size(cols); k++) {
            json_t *jc = json_array_get(cols, k);
            jv_path(cp, sizeof cp, jv_key(cp, sizeof cp, tp, "columns"), k);
            const char *cn = json_string_value(json_object_get(jc, "name"));
            if (!cn) {
                *rc = st_err(err, ST_EINPUT, "%s.name: expected a string", cp);
                goto fail;
            }
            if ((*rc = expect_col(jc, cp, e, err)))
                goto fail;
            if ((*rc = add_line(r, &cap, tn, cn))) {
                st_err(err, ST_ENOMEM, "out of memory");
                goto fail;
            }
            const pgs_col *c = pgs_find_col(t, cn);
            if (!c)
                r->lines[r->n - 1].missing = 1;
            else if (c->has_stats && rows_a > 0)
                col_metrics(&r->lines[r->n - 1], e, c, rows_e, rows_a, o);
            close_line(r);
        }
    }
    free(e);
    return r;
fail:
    free(e);
    fid_report_free(r);
    return NULL;
}

void fid_report_free(fid_report *r)
{
    if (!r)
        return;
    free(r->lines);
    free(r);
}

json_t *fid_report_json(const fid_report *r)
{
    json_t *lines = json_array();
    for (size_t i = 0; lines && i < r->n; i++) {
        const fid_line *ln = &r->lines[i];
        json_t *m = json_object();
        for (int k = 0; k < FM_N; k++)
            if (ln->m[k].present)
                json_object_set_new(m, fid_metric_name(k),
                                    json_pack("{s:f, s:f, s:b}", "value",
                                              isfinite(ln->m[k].value) ? ln->m[k].value : -1, "tol",
                                              ln->m[k].tol, "ok", ln->m[k].ok));
        json_t *o = json_pack("{s:s, s:s?, s:b, s:b, s:o}", "table", ln->table, "column",
                              ln->column[0] ? ln->column : NULL, "ok", ln->ok, "missing",
                              ln->missing, "metrics", m);
        json_array_append_new(lines, o);
    }
    return json_pack("{s:o, s:I, s:I}", "lines", lines, "checked", (json_int_t)r->n, "failed",
                     (json_int_t)r->failed);
}
