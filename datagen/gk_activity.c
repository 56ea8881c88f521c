/*
 * gk_activity.c -- the `activity` generator kind: a foreign-key column whose per-parent
 * child counts follow a given distribution, correlated with the counts of every other
 * table that references the same parent (correlated fan-out, docs/formats/shape.md).
 *
 * Design (a Gaussian copula on ranks): every parent row p has one latent activity
 * z0(p) ~ N(0, 1), a pure function of (seed, parent table, p), shared by all child tables.
 * A child table with loading a (`corr`) gets z(p) = a z0(p) + sqrt(1 - a^2) e(p), e(p) its
 * own N(0, 1) draw, so two child tables' latents correlate by a1 a2 (a one-factor model:
 * "heavy users are heavy everywhere"). z(p) -> u = Phi(z) -> the table's own count quantile
 * function Q(u) gives the raw count of p; the counts are then scaled so that they sum to the
 * table's row count exactly (cumulative rounding keeps zeros at zero). At resolve the
 * cumulative counts are tabulated; a row r is mapped through a keyed permutation of the
 * table's rows (so the children of one parent are scattered over the table, not laid down
 * in parent order) onto that cumulative table, whose interval gives the parent row. The
 * value is the parent's `column` at that row, so the foreign key always exists.
 *
 * Invariants: the allocation depends only on (seed, shape, resolved row counts): the same
 * bytes whatever --jobs or --part. Memory: 8 bytes per parent row per activity column.
 */
#include "gen_int.h"
#include "shape_int.h"

#include <gsl/gsl_cdf.h>
#include <stdlib.h>

#include "jsonio.h"

#define ACT_MAX_KNOTS 100000

struct gk_act {
    double *v;   /* count knots, strictly increasing, >= 0 */
    double *cdf; /* P(count <= v[i]), nondecreasing, last = 1 */
    size_t nk;
    double corr;   /* loading on the parent's latent activity */
    uint64_t *cum; /* resolved: cum[p] = children of parents < p; cum[np] = rows */
    uint64_t np, n;
    uint64_t perm_key;
};

void gk_activity_free(struct gk_act *a)
{
    if (!a)
        return;
    free(a->v);
    free(a->cdf);
    free(a->cum);
    free(a);
}

static int parse_counts(const gparse *p, struct gk_act *a, char *err)
{
    char q[400], r[420];
    json_t *jc, *jv, *jf;
    int rc;
    static const char *const ck[] = {"values", "cdf", NULL};
    if ((rc = jv_object(p->jg, p->path, "counts", 1, &jc, err)))
        return rc;
    jv_key(q, sizeof q, p->path, "counts");
    if ((rc = jv_no_unknown(jc, q, ck, err)) || (rc = jv_array(jc, q, "values", 1, &jv, err)) ||
        (rc = jv_array(jc, q, "cdf", 1, &jf, err)))
        return rc;
    a->nk = json_array_size(jv);
    if (a->nk == 0 || a->nk > ACT_MAX_KNOTS)
        return st_err(err, ST_EINPUT, "%s.values: expected 1 to %d counts", q, ACT_MAX_KNOTS);
    if (json_array_size(jf) != a->nk)
        return st_err(err, ST_EINPUT, "%s.cdf: expected %zu numbers (one per value)", q, a->nk);
    a->v = malloc(a->nk * sizeof(double));
    a->cdf = malloc(a->nk * sizeof(double));
    if (!a->v || !a->cdf)
        return st_err(err, ST_ENOMEM, "out of memory");
    for (size_t i = 0; i < a->nk; i++) {
        json_t *x = json_array_get(jv, i), *y = json_array_get(jf, i);
        jv_key(r, sizeof r, q, "values");
        if (!json_is_integer(x) || json_integer_value(x) < 0 ||
            (i && (double)json_integer_value(x) <= a->v[i - 1]))
            return st_err(err, ST_EINPUT,
                          "%s[%zu]: expected an integer >= 0, larger than the one before", r, i);
        a->v[i] = (double)json_integer_value(x);
        jv_key(r, sizeof r, q, "cdf");
        if (!json_is_number(y) || !(json_number_value(y) >= 0) || json_number_value(y) > 1 ||
            (i && json_number_value(y) < a->cdf[i - 1]))
            return st_err(err, ST_EINPUT,
                          "%s[%zu]: expected a share in [0, 1], not below the one before", r, i);
        a->cdf[i] = json_number_value(y);
    }
    if (a->cdf[a->nk - 1] < 1 - 1e-9)
        return st_err(err, ST_EINPUT, "%s.cdf[%zu]: the last share must be 1", q, a->nk - 1);
    a->cdf[a->nk - 1] = 1;
    return 0;
}

static int parse_activity(const gparse *p, gen *g, char *err)
{
    int rc;
    if (p->sh->t[p->ti].parent >= 0)
        return st_err(
            err, ST_EINPUT,
            "%s: 'activity' is for ordinary tables (a child table's parent is its fan-out)",
            p->path);
    if ((rc = gk_parse_table(p, 1, &g->ref_table, &g->ref_col, err)))
        return rc;
    if (g->ref_table == p->ti)
        return st_err(err, ST_EINPUT, "%s.table: '%s' must be another, ordinary table", p->path,
                      p->sh->t[p->ti].name);
    struct gk_act *a = calloc(1, sizeof *a);
    if (!a)
        return st_err(err, ST_ENOMEM, "out of memory");
    g->act = a;
    a->corr = 0;
    if ((rc = jv_number(p->jg, p->path, "corr", 0, -1, 1, &a->corr, err)))
        return rc;
    if (fabs(a->corr) > 0.999)
        a->corr = a->corr > 0 ? 0.999 : -0.999;
    a->perm_key = rng_mix(p->sh->t[p->ti].cols[p->ci].stream, 0x61637470ull);
    return parse_counts(p, a, err);
}

/* The count quantile function: the smallest knot whose cdf reaches u; between knots that
 * are more than one apart (a compressed tail), linear in u, rounded up. */
double gk_activity_quantile(const double *v, const double *cdf, size_t nk, double u)
{
    size_t lo = 0, hi = nk - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cdf[mid] >= u)
            hi = mid;
        else
            lo = mid + 1;
    }
    if (lo == 0 || v[lo] - v[lo - 1] <= 1)
        return v[lo];
    double span = cdf[lo] - cdf[lo - 1];
    double f = span > 0 ? (u - cdf[lo - 1]) / span : 1;
    double x = ceil(v[lo - 1] + f * (v[lo] - v[lo - 1]));
    return x < v[lo - 1] + 1 ? v[lo - 1] + 1 : (x > v[lo] ? v[lo] : x);
}

/* The latent activity of parent row p: one stream per parent table, shared by every child
 * table that refers to it. */
static double latent(uint64_t seed, uint64_t pstream, uint64_t p)
{
    rng_stream s;
    rng_stream_init(&s, seed, rng_mix(pstream, p));
    return rng_normal(&s, 0, 1);
}

static int resolve_activity(shape *sh, stable *t, const scol *c, gen *g, char *err)
{
    struct gk_act *a = g->act;
    const stable *rt = &sh->t[g->ref_table];
    if (gk_ref_rows_check(sh, t, g, err))
        return ST_EINPUT;
    free(a->cum);
    a->np = rt->rows;
    a->n = t->rows;
    a->cum = malloc((a->np + 1) * sizeof(uint64_t));
    double *raw = malloc(a->np * sizeof(double));
    if (!a->cum || !raw) {
        free(raw);
        return st_err(err, ST_ENOMEM, "out of memory (activity of '%s.%s' over %llu parent rows)",
                      t->name, c->name, (unsigned long long)a->np);
    }
    uint64_t pstream = rng_mix(rng_stream_id(rt->name), 0x4143544956495459ull);
    uint64_t estream = rng_mix(c->stream, 0x414354ull);
    double w = sqrt(1 - a->corr * a->corr), sum = 0;
    for (uint64_t p = 0; p < a->np; p++) {
        double z = a->corr * latent(sh->run_seed, pstream, p) +
                   w * latent(sh->run_seed, estream, p);
        raw[p] = gk_activity_quantile(a->v, a->cdf, a->nk, gsl_cdf_ugaussian_P(z));
        sum += raw[p];
    }
    /* Cumulative rounding to the exact row count: a parent with no children keeps none. */
    double acc = 0;
    a->cum[0] = 0;
    for (uint64_t p = 0; p < a->np; p++) {
        acc += sum > 0 ? raw[p] : 1;
        double x = acc * (double)a->n / (sum > 0 ? sum : (double)a->np);
        uint64_t k = (uint64_t)llround(x);
        a->cum[p + 1] = k > a->n ? a->n : (k < a->cum[p] ? a->cum[p] : k);
    }
    a->cum[a->np] = a->n;
    free(raw);
    return 0;
}

static void eval_activity(gen_ctx *cx, int ti, int ci, const gen *g, uint64_t key, rng_stream *s,
                          gval *out)
{
    (void)ci, (void)s;
    const struct gk_act *a = g->act;
    const stable *t = &cx->sh->t[ti];
    if (!a->cum || a->n == 0 || cx->depth >= GEN_MAX_DEPTH || a->n != t->rows) {
        out->kind = V_NULL;
        return;
    }
    uint64_t pos = rng_permute(key % a->n, a->n, a->perm_key);
    /* The parent p with cum[p] <= pos < cum[p + 1]. */
    uint64_t lo = cum_interval(a->cum, a->np, pos);
    cx->depth++;
    gen_eval_col(cx, g->ref_table, g->ref_col, lo, out);
    cx->depth--;
}

/* clang-format off */
const gkind_def gk_activity = {"activity",
                               (const char *const[]){"kind", "table", "column", "corr", "counts", NULL},
                               parse_activity, resolve_activity, NULL, eval_activity};
/* clang-format on */

/* ---- the table-level sugar: "activity": "users" (or {"table", "corr", "counts"}) */

/* The column of table jt that refers to parent table pn: its single-column foreign key to
 * pn, else the one column whose generator is a `ref` to pn. Sets *ref_col to the parent's
 * column (NULL: its first). Returns the column's JSON, or NULL with *many set when more than
 * one column qualifies. */
static json_t *sugar_column(json_t *jt, const char *pn, const char **ref_col, int *many)
{
    json_t *cols = json_object_get(jt, "columns"), *fks = json_object_get(jt, "foreign_keys");
    json_t *hit = NULL;
    *many = 0;
    *ref_col = NULL;
    for (size_t i = 0; i < json_array_size(fks); i++) {
        json_t *fk = json_array_get(fks, i), *fc = json_object_get(fk, "columns");
        if (strcmp(json_string_value(json_object_get(fk, "table")) ?: "", pn) ||
            json_array_size(fc) != 1)
            continue;
        const char *cn = json_string_value(json_array_get(fc, 0));
        for (size_t k = 0; cn && k < json_array_size(cols); k++)
            if (!strcmp(json_string_value(json_object_get(json_array_get(cols, k), "name")) ?: "",
                        cn)) {
                *many = hit != NULL;
                hit = json_array_get(cols, k);
                *ref_col = json_string_value(json_array_get(json_object_get(fk, "ref_columns"), 0));
            }
    }
    if (hit)
        return *many ? NULL : hit;
    for (size_t k = 0; k < json_array_size(cols); k++) {
        json_t *g = json_object_get(json_array_get(cols, k), "gen");
        if (strcmp(json_string_value(json_object_get(g, "kind")) ?: "", "ref") ||
            strcmp(json_string_value(json_object_get(g, "table")) ?: "", pn))
            continue;
        *many = hit != NULL;
        hit = json_array_get(cols, k);
        *ref_col = json_string_value(json_object_get(g, "column"));
    }
    return *many ? NULL : hit;
}

/* Counts knots of the fan-out a `ref` gives (n rows over np parents): zipf s (popular: the
 * parent's own s) gives rank k about n k^-s / H(np, s) rows, taken at ranks 1, 2, 4, ...;
 * uniform and cycle give every parent the same share. NULL when the generator is no ref. */
static json_t *sugar_counts(const shape *sh, int pi, json_t *g, double n)
{
    const char *kind = json_string_value(json_object_get(g, "kind")) ?: "";
    const char *dist = json_string_value(json_object_get(g, "dist")) ?: "uniform";
    const stable *pt = &sh->t[pi];
    double s = !strcmp(dist, "zipf")      ? json_number_value(json_object_get(g, "s"))
               : !strcmp(dist, "popular") ? (pt->has_pop ? pt->pop_s : 0)
                                          : 0;
    if (strcmp(kind, "ref"))
        return NULL;
    uint64_t np = pt->base_rows > 0 ? (uint64_t)pt->base_rows : 1;
    if (!(s > 0))
        return json_pack("{s:[i], s:[f]}", "values", 1, "cdf", 1.0);
    double h = rng_zipf_harmonic(np, s);
    json_t *vals = json_array(), *cdf = json_array();
    uint64_t ranks[70];
    size_t nr = 0;
    for (uint64_t k = 1; k < np && nr < 64; k *= 2)
        ranks[nr++] = k;
    ranks[nr++] = np;
    double last = -1;
    /* From the least active parent (the highest rank) up: values ascending. */
    for (size_t i = nr; i-- > 0;) {
        double v = ceil(n * pow((double)ranks[i], -s) / h);
        if (v <= last)
            continue;
        json_array_append_new(vals, json_integer((json_int_t)v));
        json_array_append_new(cdf, json_real(1 - (double)(ranks[i] - 1) / (double)np));
        last = v;
    }
    return json_pack("{s:o, s:o}", "values", vals, "cdf", cdf);
}

int gk_activity_sugar(const shape *sh, int ti, json_t *jt, const char *tp, char *err)
{
    static const char *const keys[] = {"table", "corr", "counts", NULL};
    json_t *ja = json_object_get(jt, "activity"), *counts = NULL;
    char q[320];
    const char *pn = NULL;
    double corr = 0.9;
    int rc, many;
    if (!ja)
        return 0;
    jv_key(q, sizeof q, tp, "activity");
    if (json_is_string(ja))
        pn = json_string_value(ja);
    else if (json_is_object(ja)) {
        if ((rc = jv_no_unknown(ja, q, keys, err)) ||
            (rc = jv_string(ja, q, "table", 1, &pn, err)) ||
            (rc = jv_number(ja, q, "corr", 0, -1, 1, &corr, err)))
            return rc;
        counts = json_object_get(ja, "counts");
        if (counts) { /* checked here, so a bad count is reported where it was written */
            struct gk_act tmp = {0};
            gparse gp = {.sh = (shape *)sh, .ti = ti, .jg = ja, .path = q};
            rc = parse_counts(&gp, &tmp, err);
            free(tmp.v);
            free(tmp.cdf);
            if (rc)
                return rc;
        }
    } else
        return st_err(err, ST_EINPUT,
                      "%s: expected a table name (\"users\") or {\"table\", \"corr\", \"counts\"}",
                      q);
    int pi = shape_table_index(sh, pn);
    if (pi < 0 || pi == ti || sh->t[pi].parent >= 0)
        return st_err(err, ST_EINPUT, "%s: '%s' is not another, ordinary table of the shape", q,
                      pn);
    const char *ref_col;
    json_t *col = sugar_column(jt, pn, &ref_col, &many);
    if (!col)
        return st_err(err, ST_EINPUT,
                      many ? "%s: more than one column of this table refers to '%s'; write the "
                             "`activity` generator on the one you mean"
                           : "%s: no column of this table refers to '%s' (a single-column "
                             "foreign key or a `ref` generator)",
                      q, pn);
    json_t *jc = counts ? json_incref(counts)
                        : sugar_counts(sh, pi, json_object_get(col, "gen"),
                                       (double)sh->t[ti].base_rows);
    if (!jc)
        return st_err(err, ST_EINPUT,
                      "%s.counts: required: column '%s' is not a `ref`, so its fan-out cannot be "
                      "derived",
                      q, json_string_value(json_object_get(col, "name")) ?: "?");
    json_t *g = json_pack("{s:s, s:s, s:f, s:o}", "kind", "activity", "table", pn, "corr", corr,
                          "counts", jc);
    if (g && ref_col)
        json_object_set_new(g, "column", json_string(ref_col));
    /* The column's generator becomes the kind itself: one home for the rule. */
    if (!g || json_object_set_new(col, "gen", g))
        return st_err(err, ST_ENOMEM, "out of memory");
    return 0;
}
