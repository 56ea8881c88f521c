/*
 * tmodel_desc.c -- the descriptive reader of the traffic model (see tmodel_desc.h). Every
 * field path that modeler diff and report show is read here, once; the rules of what a
 * missing part means live with the code that shows it.
 */
#include "tmodel_desc.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "st.h"

/* One scalar of a descriptive struct: its path under the object being read (one or two
 * keys), what it is, and where it goes. A number that is absent or not a number reads as
 * NAN; a string that is absent or not a string as NULL. */
typedef struct dfield {
    const char *k1, *k2;
    char type; /* 'n' double, 's' const char * */
    size_t off;
} dfield;

/* clang-format off */
#define NUM(T, f, k1, k2) {k1, k2, 'n', offsetof(T, f)}
#define STR(T, f, k1, k2) {k1, k2, 's', offsetof(T, f)}
#define NFIELDS(tab) (sizeof tab / sizeof *tab)

/* The tables: every field path that modeler diff and report show, once. */
static const dfield source_f[] = {
    NUM(tmd_source, lines, "lines", NULL),       NUM(tmd_source, parsed, "parsed", NULL),
    NUM(tmd_source, span_s, "span_s", NULL),     NUM(tmd_source, first_ts, "first_ts", NULL),
    NUM(tmd_source, last_ts, "last_ts", NULL),   STR(tmd_source, format, "format", NULL),
};
static const dfield arrivals_f[] = {
    NUM(tmd_arrivals, session_rate, "session_rate", NULL),
    NUM(tmd_arrivals, request_rate, "request_rate", NULL),
    STR(tmd_arrivals, profile_kind, "profile", "kind"),
    NUM(tmd_arrivals, profile_median_rel_err, "gof", "profile_median_rel_err"),
};
static const dfield series_f[] = {
    NUM(tmd_series, t0, "t0", NULL), NUM(tmd_series, bin_s, "bin_s", NULL),
};
static const dfield hawkes_f[] = {
    NUM(tmd_hawkes, branching_ratio, "branching_ratio", NULL),
    NUM(tmd_hawkes, beta, "beta", NULL),         NUM(tmd_hawkes, events, "events", NULL),
    NUM(tmd_hawkes, ks_d, "gof", "ks_d"),        NUM(tmd_hawkes, loglik, "loglik", NULL),
    NUM(tmd_hawkes, loglik_poisson, "loglik_poisson", NULL),
    STR(tmd_hawkes, refused, "refused", NULL),
};
static const dfield bursts_f[] = {
    STR(tmd_bursts, refused, "refused", NULL),
};
static const dfield episode_f[] = {
    NUM(tmd_episode, onset, "onset", NULL),      NUM(tmd_episode, duration_s, "duration_s", NULL),
    NUM(tmd_episode, ramp_s, "ramp_s", NULL),    NUM(tmd_episode, peak_rate, "peak_rate", NULL),
    NUM(tmd_episode, baseline_rate, "baseline_rate", NULL),
    STR(tmd_episode, conv_route, "convergence", "route"),
    NUM(tmd_episode, top_k, "convergence", "top_k"),
    NUM(tmd_episode, top_k_share, "convergence", "top_k_share"),
    NUM(tmd_episode, hot_share, "convergence", "hot_share"),
    NUM(tmd_episode, tv_from_baseline, "convergence", "tv_from_baseline"),
};
static const dfield think_f[] = {
    STR(tmd_think, dist, "dist", NULL),          NUM(tmd_think, mu, "params", "mu"),
    NUM(tmd_think, sigma, "params", "sigma"),    NUM(tmd_think, shape, "params", "shape"),
    NUM(tmd_think, scale, "params", "scale"),    NUM(tmd_think, median_s, "median_s", NULL),
    NUM(tmd_think, ks_d, "gof", "ks_d"),         STR(tmd_think, note, "note", NULL),
};
static const dfield sessions_f[] = {
    NUM(tmd_sessions, length_mean, "length", "mean"),
    NUM(tmd_sessions, duration_median, "duration", "median"),
    NUM(tmd_sessions, static_attributed_share, "static_assets", "attributed_share"),
};
static const dfield route_f[] = {
    STR(tmd_route, template_, "template", NULL), STR(tmd_route, kind, "kind", NULL),
    STR(tmd_route, method, "method", NULL),      NUM(tmd_route, share, "share", NULL),
    NUM(tmd_route, share_5xx, "status_mix", "5xx"),
    NUM(tmd_route, bytes_median, "bytes", "median"),
    NUM(tmd_route, assets_mean, "assets", "mean"),
};
static const dfield param_f[] = {
    STR(tmd_param, name, "name", NULL),          STR(tmd_param, dist, "popularity", "dist"),
    NUM(tmd_param, s, "popularity", "s"),        NUM(tmd_param, n_est, "popularity", "n_est"),
};
static const dfield websockets_f[] = {
    STR(tmd_websockets, not_fitted, "not_fitted", NULL),
    NUM(tmd_websockets, count, "count", NULL),
    NUM(tmd_websockets, share_of_sessions, "share_of_sessions", NULL),
    STR(tmd_websockets, duration_dist, "duration", "dist"),
    NUM(tmd_websockets, duration_median_s, "duration", "median_s"),
    NUM(tmd_websockets, duration_p95_s, "duration", "p95_s"),
    NUM(tmd_websockets, conc_max, "concurrency", "max"),
    NUM(tmd_websockets, conc_mean, "concurrency", "mean"),
};
static const dfield quality_f[] = {
    NUM(tmd_quality, lines, "lines", NULL),      NUM(tmd_quality, bot_share, "bot_share", NULL),
    NUM(tmd_quality, malformed_total, "malformed", "total"),
    NUM(tmd_quality, out_of_order_share, "out_of_order_share", NULL),
    NUM(tmd_quality, clients, "clients", NULL),
};
/* clang-format on */

static void dfields(const json_t *o, const dfield *f, size_t n, void *base)
{
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_object_get(o, f[i].k1);
        if (f[i].k2)
            v = json_object_get(v, f[i].k2);
        char *at = (char *)base + f[i].off;
        if (f[i].type == 'n') {
            double x = v && json_is_number(v) ? json_number_value(v) : NAN;
            memcpy(at, &x, sizeof x);
        } else {
            const char *s = json_string_value(v);
            memcpy(at, &s, sizeof s);
        }
    }
}

#define DFIELDS(o, tab, base) dfields(o, tab, NFIELDS(tab), base)

/* o.k for the few numbers read outside a table (array elements' keys, class names). */
static double dnum(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return v && json_is_number(v) ? json_number_value(v) : NAN;
}

/* An array of numbers; elements as json_number_value has them. Returns 0 or ST_ENOMEM. */
static int dvec(const json_t *arr, tmd_vec *out)
{
    out->n = json_array_size(arr);
    out->v = NULL;
    if (out->n == 0)
        return 0;
    out->v = malloc(out->n * sizeof *out->v);
    if (!out->v) {
        out->n = 0;
        return ST_ENOMEM;
    }
    for (size_t i = 0; i < out->n; i++)
        out->v[i] = json_number_value(json_array_get(arr, i));
    return 0;
}

/* An array of strings, or of objects' key (NULL for an element that has none). */
static int dstrs(const json_t *arr, const char *key, const char ***out, size_t *n)
{
    *n = json_array_size(arr);
    *out = NULL;
    if (*n == 0)
        return 0;
    *out = malloc(*n * sizeof **out);
    if (!*out) {
        *n = 0;
        return ST_ENOMEM;
    }
    for (size_t i = 0; i < *n; i++) {
        const json_t *x = json_array_get(arr, i);
        (*out)[i] = json_string_value(key ? json_object_get(x, key) : x);
    }
    return 0;
}

/* A caller-owned array of n zeroed elements (NULL when n is 0). Returns 0 or ST_ENOMEM. */
static int dalloc(void *out, size_t n, size_t size)
{
    void *p = n ? calloc(n, size) : NULL;
    memcpy(out, &p, sizeof p);
    return n && !p ? ST_ENOMEM : 0;
}

static int dseries(const json_t *se, tmd_series *s)
{
    DFIELDS(se, series_f, s);
    int rc = dvec(json_object_get(se, "rates"), &s->rates);
    return rc ? rc : dvec(json_object_get(se, "fitted"), &s->fitted);
}

static int read_arrivals(const json_t *m, tmodel_desc *d)
{
    const json_t *a = json_object_get(m, "arrivals"), *dis = json_object_get(a, "dispersion");
    tmd_arrivals *r = &d->arrivals;
    DFIELDS(a, arrivals_f, r);
    int rc = dvec(json_object_get(json_object_get(a, "profile"), "multipliers"), &r->multipliers);
    size_t n = json_array_size(dis);
    if (rc || (rc = dalloc(&r->disp_scale_s, n, sizeof(double))) < 0 ||
        (rc = dalloc(&r->disp_index, n, sizeof(double))) < 0)
        return rc;
    r->n_dispersion = n;
    for (size_t i = 0; i < n; i++) {
        r->disp_scale_s[i] = dnum(json_array_get(dis, i), "scale_s");
        r->disp_index[i] = dnum(json_array_get(dis, i), "index");
    }
    return dseries(json_object_get(a, "series"), &r->series);
}
static void read_hawkes(const json_t *m, tmodel_desc *d)
{
    const json_t *h = json_object_get(m, "hawkes"), *ci = json_object_get(h, "branching_ci95");
    DFIELDS(h, hawkes_f, &d->hawkes);
    d->hawkes.fitted = json_is_true(json_object_get(h, "fitted"));
    d->hawkes.ci_lo = json_number_value(json_array_get(ci, 0));
    d->hawkes.ci_hi = json_number_value(json_array_get(ci, 1));
}

static int read_bursts(const json_t *m, tmodel_desc *d)
{
    const json_t *bu = json_object_get(m, "bursts"), *eps = json_object_get(bu, "episodes");
    tmd_bursts *b = &d->bursts;
    DFIELDS(bu, bursts_f, b);
    b->has_refused = json_object_get(bu, "refused") != NULL;
    size_t n = json_array_size(eps);
    if (dalloc(&b->episodes, n, sizeof *b->episodes) < 0)
        return ST_ENOMEM;
    b->n_episodes = n;
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(eps, i);
        DFIELDS(e, episode_f, &b->episodes[i]);
        b->episodes[i].has_convergence = json_object_get(e, "convergence") != NULL;
    }
    return 0;
}

static int read_sessions(const json_t *m, tmodel_desc *d)
{
    const json_t *s = json_object_get(m, "sessions"), *t = json_object_get(s, "think_time");
    const json_t *h = json_object_get(t, "hist"), *cc = json_object_get(s, "client_classes");
    tmd_sessions *w = &d->sessions;
    DFIELDS(s, sessions_f, w);
    DFIELDS(t, think_f, &w->think);
    w->think.has_note = json_object_get(t, "note") != NULL;
    w->has_classes = cc != NULL;
    for (int i = 0; i < TM_NCLASS; i++)
        w->classes[i] = dnum(cc, tmodel_class_name(i));
    int rc = dvec(json_object_get(h, "edges_s"), &w->think.edges_s);
    return rc ? rc : dvec(json_object_get(h, "density"), &w->think.density);
}

static int read_param(const json_t *pa, tmd_param *p)
{
    const json_t *pts = json_object_get(json_object_get(pa, "popularity"), "rank_shares");
    DFIELDS(pa, param_f, p);
    size_t n = json_array_size(pts);
    if (dalloc(&p->rank, n, sizeof(double)) < 0 || dalloc(&p->shares, n, sizeof(double)) < 0)
        return ST_ENOMEM;
    p->n_points = n;
    for (size_t j = 0; j < n; j++) {
        const json_t *pt = json_array_get(pts, j);
        p->rank[j] = json_number_value(json_array_get(pt, 0));
        p->shares[j] = json_number_value(json_array_get(pt, 1));
    }
    return 0;
}

static int read_routes(const json_t *m, tmodel_desc *d)
{
    const json_t *routes = json_object_get(m, "routes");
    const json_t *tr = json_object_get(json_object_get(m, "journeys"), "transitions");
    size_t n = json_array_size(routes);
    if (dalloc(&d->routes, n, sizeof *d->routes) < 0 ||
        dalloc(&d->transitions, n * (n + 1), sizeof *d->transitions) < 0)
        return ST_ENOMEM;
    d->n_routes = n;
    for (size_t i = 0; i < n; i++) {
        const json_t *r = json_array_get(routes, i), *ps = json_object_get(r, "params");
        tmd_route *w = &d->routes[i];
        DFIELDS(r, route_f, w);
        size_t np = json_array_size(ps);
        if (dalloc(&w->params, np, sizeof *w->params) < 0)
            return ST_ENOMEM;
        w->n_params = np;
        for (size_t k = 0; k < np; k++)
            if (read_param(json_array_get(ps, k), &w->params[k]) < 0)
                return ST_ENOMEM;
        const json_t *row = json_array_get(tr, i);
        for (size_t c = 0; c <= n; c++)
            d->transitions[i * (n + 1) + c] = json_number_value(json_array_get(row, c));
    }
    return 0;
}

static int read_websockets(const json_t *m, tmodel_desc *d)
{
    const json_t *w = json_object_get(m, "websockets");
    DFIELDS(w, websockets_f, &d->websockets);
    return dseries(json_object_get(json_object_get(w, "concurrency"), "series"),
                   &d->websockets.conc);
}

static int read_quality(const json_t *m, tmodel_desc *d)
{
    const json_t *q = json_object_get(m, "quality");
    tmd_quality *x = &d->quality;
    DFIELDS(q, quality_f, x);
    x->has_clients = json_object_get(q, "clients") != NULL;
    x->low_client_cardinality = json_is_true(json_object_get(q, "low_client_cardinality"));
    int rc = dstrs(json_object_get(q, "findings"), NULL, &x->findings, &x->n_findings);
    return rc ? rc
              : dstrs(json_object_get(q, "timestamp_findings"), "kind", &x->ts_finding_kinds,
                      &x->n_ts_findings);
}

int tmodel_desc_from_json(tmodel_desc *d, json_t *m, char *err)
{
    memset(d, 0, sizeof *d);
    d->tree_ = json_incref(m);
    DFIELDS(json_object_get(m, "source"), source_f, &d->source);
    d->seed = dnum(json_object_get(m, "generator"), "seed");
    read_hawkes(m, d);
    int rc;
    if ((rc = read_arrivals(m, d)) < 0 || (rc = read_bursts(m, d)) < 0 ||
        (rc = read_sessions(m, d)) < 0 || (rc = read_routes(m, d)) < 0 ||
        (rc = read_websockets(m, d)) < 0 || (rc = read_quality(m, d)) < 0) {
        tmodel_desc_term(d);
        return st_err(err, rc, "out of memory");
    }
    return 0;
}

int tmodel_desc_read(tmodel_desc *d, const char *path, char *err)
{
    memset(d, 0, sizeof *d);
    json_t *m = tmodel_read_json(path, err);
    if (!m)
        return ST_EINPUT;
    int rc = tmodel_desc_from_json(d, m, err);
    json_decref(m);
    return rc;
}

void tmodel_desc_term(tmodel_desc *d)
{
    free(d->arrivals.multipliers.v);
    free(d->arrivals.disp_scale_s);
    free(d->arrivals.disp_index);
    free(d->arrivals.series.rates.v);
    free(d->arrivals.series.fitted.v);
    free(d->bursts.episodes);
    free(d->sessions.think.edges_s.v);
    free(d->sessions.think.density.v);
    for (size_t i = 0; i < d->n_routes; i++) {
        for (size_t k = 0; k < d->routes[i].n_params; k++) {
            free(d->routes[i].params[k].rank);
            free(d->routes[i].params[k].shares);
        }
        free(d->routes[i].params);
    }
    free(d->routes);
    free(d->transitions);
    free(d->websockets.conc.rates.v);
    free(d->websockets.conc.fitted.v);
    free(d->quality.findings);
    free(d->quality.ts_finding_kinds);
    json_decref(d->tree_);
    memset(d, 0, sizeof *d);
}
