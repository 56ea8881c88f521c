/*
 * gk_num.c -- generator kinds of numbers and times: sequence, permutation, const, uniform,
 * normal, lognormal, exponential, zipf, histogram, bool, timestamp. Each kind's parse,
 * resolve, unique and eval sit together, then its row of gen_kind.h. Inverse-CDF kinds take
 * one uniform quantile, which `correlation` may tie to the row position.
 */
#include "gen_int.h"
#include "shape_int.h"

#include <gsl/gsl_cdf.h>
#include <stdlib.h>

#include "jsonio.h"

static int always_unique(const gen *g)
{
    (void)g;
    return 1;
}

/* ---- sequence */
static int parse_sequence(const gparse *p, gen *g, char *err)
{
    int rc;
    g->i1 = 1;
    g->i2 = 1;
    if ((rc = jv_int(p->jg, p->path, "start", 0, INT64_MIN / 4, INT64_MAX / 4, &g->i1, err)) ||
        (rc = jv_int(p->jg, p->path, "step", 0, -(1 << 30), 1 << 30, &g->i2, err)))
        return rc;
    if (g->i2 == 0)
        return st_err(err, ST_EINPUT, "%s.step: must not be 0", p->path);
    return 0;
}

static void eval_sequence(gen_ctx *cx, int ti, int ci, const gen *g, uint64_t key, rng_stream *s,
                          gval *out)
{
    (void)cx, (void)ti, (void)ci, (void)s;
    out->kind = V_INT;
    out->i = g->i1 + (int64_t)key * g->i2;
}

/* clang-format off */
const gkind_def gk_sequence = {"sequence", (const char *const[]){"kind", "start", "step", NULL},
                               parse_sequence, NULL, always_unique, eval_sequence};
/* clang-format on */

/* ---- permutation */
static int parse_permutation(const gparse *p, gen *g, char *err)
{
    int rc;
    g->i1 = 1;
    if ((rc = jv_int(p->jg, p->path, "start", 0, INT64_MIN / 4, INT64_MAX / 4, &g->i1, err)))
        return rc;
    g->perm_key = rng_mix(p->sh->t[p->ti].cols[p->ci].stream, 0x7065726dull);
    return 0;
}

static void eval_permutation(gen_ctx *cx, int ti, int ci, const gen *g, uint64_t key, rng_stream *s,
                             gval *out)
{
    (void)ci, (void)s;
    out->kind = V_INT;
    out->i = g->i1 + (int64_t)rng_permute(key, cx->sh->t[ti].rows, g->perm_key);
}

/* clang-format off */
const gkind_def gk_permutation = {"permutation", (const char *const[]){"kind", "start", NULL},
                                  parse_permutation, NULL, always_unique, eval_permutation};
/* clang-format on */

/* ---- const */
static int parse_const(const gparse *p, gen *g, char *err)
{
    char q[400];
    json_t *v = json_object_get(p->jg, "value");
    jv_key(q, sizeof q, p->path, "value");
    if (!v)
        return st_err(err, ST_EINPUT, "%s: required", q);
    return sh_parse_value(v, p->ct, q, &g->cval, err);
}

static void eval_const(gen_ctx *cx, int ti, int ci, const gen *g, uint64_t key, rng_stream *s,
                       gval *out)
{
    (void)cx, (void)ti, (void)ci, (void)key, (void)s;
    *out = g->cval;
}

/* clang-format off */
const gkind_def gk_const = {"const", (const char *const[]){"kind", "value", NULL}, parse_const,
                            NULL, NULL, eval_const};
/* clang-format on */

/* ---- uniform */
static int parse_uniform(const gparse *p, gen *g, char *err)
{
    if (!g->has_lo || !g->has_hi)
        return st_err(err, ST_EINPUT, "%s: uniform needs min and max", p->path);
    if (!(g->lo <= g->hi))
        return st_err(err, ST_EINPUT, "%s.max: must be >= min", p->path);
    g->has_lo = g->has_hi = 0;
    g->p1 = g->lo;
    g->p2 = g->hi;
    return 0;
}

static void eval_uniform(gen_ctx *cx, int ti, int ci, const gen *g, uint64_t key, rng_stream *s,
                         gval *out)
{
    const stable *t = &cx->sh->t[ti];
    const scol *c = &t->cols[ci];
    double u = quantile(t, c, key, s);
    if (is_int_type(c->ctype)) {
        double lo = ceil(g->p1), hi = floor(g->p2);
        double v = lo + floor(u * (hi - lo + 1));
        out->kind = V_INT;
        out->i = (int64_t)(v > hi ? hi : v);
    } else
        out->d = g->p1 + u * (g->p2 - g->p1);
}

/* clang-format off */
const gkind_def gk_uniform = {"uniform", (const char *const[]){"kind", "min", "max", NULL},
                              parse_uniform, NULL, NULL, eval_uniform};
/* clang-format on */

/* ---- normal */
static int parse_normal(const gparse *p, gen *g, char *err)
{
    int rc;
    if ((rc = sh_num_or_time(p->jg, p->path, "mean", 1, p->ct, &g->p1, err)) ||
        (rc = jv_number(p->jg, p->path, "sd", 1, 0, INFINITY, &g->p2, err)))
        return rc;
    return 0;
}

static void eval_normal(gen_ctx *cx, int ti, int ci, const gen *g, uint64_t key, rng_stream *s,
                        gval *out)
{
    const stable *t = &cx->sh->t[ti];
    out->d = clampd(g, g->p1 + g->p2 * gsl_cdf_ugaussian_Pinv(quantile(t, &t->cols[ci], key, s)));
}

/* clang-format off */
const gkind_def gk_normal = {"normal",
                             (const char *const[]){"kind", "mean", "sd", "min", "max", NULL},
                             parse_normal, NULL, NULL, eval_normal};
/* clang-format on */

/* ---- lognormal, with an optional group effect keyed by another column's value */
static int parse_lognormal(const gparse *p, gen *g, char *err)
{
    const char *path = p->path;
    json_t *jg = p->jg, *grp = NULL;
    char q[400];
    double med = 0;
    int rc;
    if ((rc = jv_number(jg, path, "sigma", 1, 0, 20, &g->p2, err)))
        return rc;
    if (json_object_get(jg, "median")) {
        if ((rc = jv_number(jg, path, "median", 1, -INFINITY, INFINITY, &med, err)))
            return rc;
        if (!(med > 0))
            return st_err(err, ST_EINPUT, "%s.median: must be > 0", path);
        g->p1 = log(med);
    } else if ((rc = jv_number(jg, path, "mu", 1, -700, 700, &g->p1, err)))
        return rc;
    if ((rc = jv_object(jg, path, "group", 0, &grp, err)))
        return rc;
    if (grp) {
        static const char *const k[] = {"on", "sigma", NULL};
        const char *on;
        jv_key(q, sizeof q, path, "group");
        if ((rc = jv_no_unknown(grp, q, k, err)) || (rc = jv_string(grp, q, "on", 1, &on, err)) ||
            (rc = jv_number(grp, q, "sigma", 1, 0, 20, &g->group_sigma, err)))
            return rc;
        char r[420];
        jv_key(r, sizeof r, q, "on");
        if ((rc = sh_col_ref(p->sh, p->ti, on, r, 0, &g->group_col, NULL, err)))
            return rc;
    }
    return 0;
}

static void eval_lognormal(gen_ctx *cx, int ti, int ci, const gen *g, uint64_t key, rng_stream *s,
                           gval *out)
{
    const stable *t = &cx->sh->t[ti];
    const scol *c = &t->cols[ci];
    double mu = g->p1;
    double u = quantile(t, c, key, s);
    if (g->group_col >= 0 && cx->depth < GEN_MAX_DEPTH) {
        gval gv;
        cx->depth++;
        gen_eval_col(cx, ti, g->group_col, key, &gv);
        cx->depth--;
        uint64_t h = rng_u64(cx->seed, rng_mix(c->stream, 0x47525550ull), hash_val(&gv));
        mu += g->group_sigma * gsl_cdf_ugaussian_Pinv(u01(h));
    }
    out->d = clampd(g, exp(mu + g->p2 * gsl_cdf_ugaussian_Pinv(u)));
}

/* clang-format off */
const gkind_def gk_lognormal = {
    "lognormal", (const char *const[]){"kind", "mu", "median", "sigma", "min", "max", "group", NULL},
    parse_lognormal, NULL, NULL, eval_lognormal};
/* clang-format on */

/* ---- exponential */
static int parse_exponential(const gparse *p, gen *g, char *err)
{
    int rc;
    if ((rc = jv_number(p->jg, p->path, "mean", 1, -INFINITY, INFINITY, &g->p1, err)))
        return rc;
    if (!(g->p1 > 0))
        return st_err(err, ST_EINPUT, "%s.mean: must be > 0", p->path);
    return 0;
}

static void eval_exponential(gen_ctx *cx, int ti, int ci, const gen *g, uint64_t key, rng_stream *s,
                             gval *out)
{
    const stable *t = &cx->sh->t[ti];
    out->d = clampd(g, -g->p1 * log1p(-quantile(t, &t->cols[ci], key, s)));
}

/* clang-format off */
const gkind_def gk_exponential = {"exponential", (const char *const[]){"kind", "mean", "max", NULL},
                                  parse_exponential, NULL, NULL, eval_exponential};
/* clang-format on */

/* ---- zipf over n values, ranks permuted unless permute is false */
static int parse_zipf(const gparse *p, gen *g, char *err)
{
    int64_t n;
    double s;
    int rc;
    g->i1 = 1;
    g->permute = 1;
    if ((rc = jv_int(p->jg, p->path, "n", 1, 1, (int64_t)1 << 53, &n, err)) ||
        (rc = jv_number(p->jg, p->path, "s", 1, -INFINITY, INFINITY, &s, err)))
        return rc;
    if (!(s > 0) || s > 20)
        return st_err(err, ST_EINPUT, "%s.s: must be > 0", p->path);
    if ((rc = jv_int(p->jg, p->path, "start", 0, INT64_MIN / 4, INT64_MAX / 4, &g->i1, err)) ||
        (rc = jv_bool(p->jg, p->path, "permute", 0, &g->permute, err)))
        return rc;
    if (rng_zipf_init(&g->z, (uint64_t)n, s, err))
        return ST_EINPUT;
    g->perm_key = rng_mix(p->sh->t[p->ti].cols[p->ci].stream, 0x7a697066ull);
    return 0;
}

/* The permutation of small n is tabulated once: rng_permute costs ~100 ns per draw. */
static int resolve_zipf(shape *sh, stable *t, const scol *c, gen *g, char *err)
{
    (void)sh, (void)t, (void)c;
    if (g->permute && g->z.n <= SHAPE_PERM_TABLE && !g->ptab) {
        if (!(g->ptab = malloc(g->z.n * sizeof(uint32_t))))
            return st_err(err, ST_ENOMEM, "out of memory");
        for (uint64_t r = 0; r < g->z.n; r++)
            g->ptab[r] = (uint32_t)rng_permute(r, g->z.n, g->perm_key);
    }
    return 0;
}

static void eval_zipf(gen_ctx *cx, int ti, int ci, const gen *g, uint64_t key, rng_stream *s,
                      gval *out)
{
    (void)cx, (void)ti, (void)ci, (void)key;
    uint64_t r = rng_zipf_draw(&g->z, s);
    out->kind = V_INT;
    out->i = g->i1 + (int64_t)(!g->permute ? r - 1
                               : g->ptab   ? g->ptab[r - 1]
                                           : rng_permute(r - 1, g->z.n, g->perm_key));
}

/* clang-format off */
const gkind_def gk_zipf = {"zipf", (const char *const[]){"kind", "n", "s", "start", "permute", NULL},
                           parse_zipf, resolve_zipf, NULL, eval_zipf};
/* clang-format on */

/* ---- histogram: equi-depth bounds, linear inside a bucket */
static int parse_histogram(const gparse *p, gen *g, char *err)
{
    char q[400];
    int rc;
    json_t *b = json_object_get(p->jg, "bounds");
    jv_key(q, sizeof q, p->path, "bounds");
    if (!json_is_array(b) || json_array_size(b) < 2 || json_array_size(b) > 100000)
        return st_err(err, ST_EINPUT, "%s: expected at least 2 ascending bounds", q);
    g->nbounds = json_array_size(b);
    g->bounds = malloc(g->nbounds * sizeof(double));
    if (!g->bounds)
        return st_err(err, ST_ENOMEM, "out of memory");
    for (size_t i = 0; i < g->nbounds; i++) {
        gval v;
        char r[420];
        jv_path(r, sizeof r, q, i);
        if ((rc = sh_parse_value(json_array_get(b, i), p->ct, r, &v, err)))
            return rc;
        if (v.kind != V_INT && v.kind != V_NUM) {
            free((char *)v.s);
            return st_err(err, ST_EINPUT, "%s: expected a number%s", r,
                          sh_is_time(p->ct) ? " or timestamp" : "");
        }
        g->bounds[i] = v.kind == V_INT ? (double)v.i : v.d;
        if (i && g->bounds[i] < g->bounds[i - 1])
            return st_err(err, ST_EINPUT, "%s: bounds must ascend", r);
    }
    return 0;
}

static void eval_histogram(gen_ctx *cx, int ti, int ci, const gen *g, uint64_t key, rng_stream *s,
                           gval *out)
{
    const stable *t = &cx->sh->t[ti];
    double u = quantile(t, &t->cols[ci], key, s) * (double)(g->nbounds - 1);
    size_t b = (size_t)u;
    if (b >= g->nbounds - 1)
        b = g->nbounds - 2;
    double f = u - (double)b;
    out->d = g->bounds[b] + f * (g->bounds[b + 1] - g->bounds[b]);
}

/* clang-format off */
const gkind_def gk_histogram = {"histogram", (const char *const[]){"kind", "bounds", NULL},
                                parse_histogram, NULL, NULL, eval_histogram};
/* clang-format on */

/* ---- bool */
static int parse_bool(const gparse *p, gen *g, char *err)
{
    return jv_number(p->jg, p->path, "p", 1, 0, 1, &g->p1, err);
}

static void eval_bool(gen_ctx *cx, int ti, int ci, const gen *g, uint64_t key, rng_stream *s,
                      gval *out)
{
    (void)cx, (void)ti, (void)ci, (void)key;
    out->kind = V_BOOL;
    out->i = rng_uniform(s) < g->p1;
}

/* clang-format off */
const gkind_def gk_bool = {"bool", (const char *const[]){"kind", "p", NULL}, parse_bool, NULL,
                           NULL, eval_bool};
/* clang-format on */

/* ---- timestamp: growth over [from, to), optionally re-placed by weekly x daily weights */
static int parse_timestamp(const gparse *p, gen *g, char *err)
{
    const char *path = p->path;
    json_t *jg = p->jg;
    char q[400];
    int rc;
    if ((rc = sh_num_or_time(jg, path, "from", 1, CT_TSTZ, &g->p1, err)) ||
        (rc = sh_num_or_time(jg, path, "to", 1, CT_TSTZ, &g->p2, err)))
        return rc;
    if (!(g->p2 > g->p1))
        return st_err(err, ST_EINPUT, "%s.to: must be after from", path);
    double growth = 1;
    if ((rc = jv_number(jg, path, "growth", 0, 1e-6, 1e6, &growth, err)))
        return rc;
    g->growth_l = log(growth);
    g->growth_e = expm1(g->growth_l);
    json_t *wk = json_object_get(jg, "weekly"), *dy = json_object_get(jg, "daily");
    if (!wk && !dy)
        return 0;
    double w7[7], d24[24];
    for (int i = 0; i < 7; i++)
        w7[i] = 1;
    for (int i = 0; i < 24; i++)
        d24[i] = 1;
    jv_key(q, sizeof q, path, "weekly");
    if (wk && (rc = sh_weights(wk, q, 7, w7, err)))
        return rc;
    jv_key(q, sizeof q, path, "daily");
    if (dy && (rc = sh_weights(dy, q, 24, d24, err)))
        return rc;
    g->warp = malloc(169 * sizeof(double));
    if (!g->warp)
        return st_err(err, ST_ENOMEM, "out of memory");
    g->warp[0] = 0;
    for (int h = 0; h < 168; h++)
        g->warp[h + 1] = g->warp[h] + w7[h / 24] * d24[h % 24];
    for (int h = 1; h <= 168; h++)
        g->warp[h] /= g->warp[168];
    return 0;
}

static void eval_timestamp(gen_ctx *cx, int ti, int ci, const gen *g, uint64_t key, rng_stream *s,
                           gval *out)
{
    const stable *t = &cx->sh->t[ti];
    double u = quantile(t, &t->cols[ci], key, s), l = g->growth_l;
    double x = fabs(l) < 1e-9 ? u : log1p(u * g->growth_e) / l;
    double ts = g->p1 + x * (g->p2 - g->p1);
    if (g->warp) {
        /* Re-place the time inside its week by the weekly x daily CDF (a monotone warp,
         * so correlation with row order survives). Weeks start Monday 00:00 UTC. */
        const double week = 7 * 86400.0, monday0 = 4 * 86400.0;
        double w = floor((ts - monday0) / week), f = (ts - monday0) / week - w;
        double target = f;
        size_t lo = 0, hi = 168;
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (g->warp[mid] <= target)
                lo = mid;
            else
                hi = mid;
        }
        double span = g->warp[lo + 1] - g->warp[lo];
        double within = span > 0 ? (target - g->warp[lo]) / span : 0;
        double ts2 = monday0 + (w + ((double)lo + within) / 168.0) * week;
        if (ts2 >= g->p1 && ts2 < g->p2)
            ts = ts2;
    }
    out->d = clampd(g, ts);
}

/* clang-format off */
const gkind_def gk_timestamp = {
    "timestamp", (const char *const[]){"kind", "from", "to", "growth", "weekly", "daily", NULL},
    parse_timestamp, NULL, NULL, eval_timestamp};
/* clang-format on */
