/*
 * tmodel_desc.c -- the descriptive reader of the traffic model (see tmodel_desc.h). Every
 * field path that modeler diff and report show is read here, once; the rules of what a
 * missing part means live with the code that shows it.
 */
#include "tmodel_desc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "st.h"

/* o.k, or NAN when o is not an object, k is absent or not a number. */
static double dnum(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return v && json_is_number(v) ? json_number_value(v) : NAN;
}

static double dnum2(const json_t *o, const char *k1, const char *k2)
{
    return dnum(json_object_get(o, k1), k2);
}

static const char *dstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
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

/* An array of strings (NULL for an element that is not one). */
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

static int dseries(const json_t *se, tmd_series *s)
{
    s->t0 = dnum(se, "t0");
    s->bin_s = dnum(se, "bin_s");
    int rc = dvec(json_object_get(se, "rates"), &s->rates);
    return rc ? rc : dvec(json_object_get(se, "fitted"), &s->fitted);
}

static int read_arrivals(const json_t *m, tmodel_desc *d)
{
    const json_t *a = json_object_get(m, "arrivals");
    tmd_arrivals *r = &d->arrivals;
    r->session_rate = dnum(a, "session_rate");
    r->request_rate = dnum(a, "request_rate");
    r->profile_kind = dstr(json_object_get(a, "profile"), "kind");
    r->profile_median_rel_err = dnum2(a, "gof", "profile_median_rel_err");
    int rc = dvec(json_object_get(json_object_get(a, "profile"), "multipliers"), &r->multipliers);
    if (rc)
        return rc;
    const json_t *dis = json_object_get(a, "dispersion");
    size_t n = json_array_size(dis);
    if (n) {
        r->disp_scale_s = malloc(n * sizeof *r->disp_scale_s);
        r->disp_index = malloc(n * sizeof *r->disp_index);
        if (!r->disp_scale_s || !r->disp_index)
            return ST_ENOMEM;
        r->n_dispersion = n;
        for (size_t i = 0; i < n; i++) {
            r->disp_scale_s[i] = dnum(json_array_get(dis, i), "scale_s");
            r->disp_index[i] = dnum(json_array_get(dis, i), "index");
        }
    }
    return dseries(json_object_get(a, "series"), &r->series);
}

static void read_hawkes(const json_t *m, tmodel_desc *d)
{
    const json_t *h = json_object_get(m, "hawkes"), *ci = json_object_get(h, "branching_ci95");
    tmd_hawkes *w = &d->hawkes;
    w->fitted = json_is_true(json_object_get(h, "fitted"));
    w->branching_ratio = dnum(h, "branching_ratio");
    w->ci_lo = json_number_value(json_array_get(ci, 0));
    w->ci_hi = json_number_value(json_array_get(ci, 1));
    w->beta = dnum(h, "beta");
    w->events = dnum(h, "events");
    w->ks_d = dnum2(h, "gof", "ks_d");
    w->loglik = dnum(h, "loglik");
    w->loglik_poisson = dnum(h, "loglik_poisson");
    w->refused = dstr(h, "refused");
}

static int read_bursts(const json_t *m, tmodel_desc *d)
{
    const json_t *bu = json_object_get(m, "bursts"), *eps = json_object_get(bu, "episodes");
    tmd_bursts *b = &d->bursts;
    b->has_refused = json_object_get(bu, "refused") != NULL;
    b->refused = dstr(bu, "refused");
    size_t n = json_array_size(eps);
    if (n == 0)
        return 0;
    b->episodes = calloc(n, sizeof *b->episodes);
    if (!b->episodes)
        return ST_ENOMEM;
    b->n_episodes = n;
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(eps, i), *c = json_object_get(e, "convergence");
        tmd_episode *x = &b->episodes[i];
        x->onset = dnum(e, "onset");
        x->duration_s = dnum(e, "duration_s");
        x->ramp_s = dnum(e, "ramp_s");
        x->peak_rate = dnum(e, "peak_rate");
        x->baseline_rate = dnum(e, "baseline_rate");
        x->has_convergence = c != NULL;
        x->conv_route = dstr(c, "route");
        x->top_k = dnum(c, "top_k");
        x->top_k_share = dnum(c, "top_k_share");
        x->hot_share = dnum(c, "hot_share");
        x->tv_from_baseline = dnum(c, "tv_from_baseline");
    }
    return 0;
}

static int read_sessions(const json_t *m, tmodel_desc *d)
{
    const json_t *s = json_object_get(m, "sessions"), *t = json_object_get(s, "think_time");
    const json_t *pr = json_object_get(t, "params"), *h = json_object_get(t, "hist");
    tmd_sessions *w = &d->sessions;
    tmd_think *k = &w->think;
    k->dist = dstr(t, "dist");
    k->mu = dnum(pr, "mu");
    k->sigma = dnum(pr, "sigma");
    k->shape = dnum(pr, "shape");
    k->scale = dnum(pr, "scale");
    k->median_s = dnum(t, "median_s");
    k->ks_d = dnum2(t, "gof", "ks_d");
    k->has_note = json_object_get(t, "note") != NULL;
    k->note = dstr(t, "note");
    w->length_mean = dnum2(s, "length", "mean");
    w->duration_median = dnum2(s, "duration", "median");
    w->static_attributed_share = dnum2(s, "static_assets", "attributed_share");
    const json_t *cc = json_object_get(s, "client_classes");
    w->has_classes = cc != NULL;
    for (int i = 0; i < TM_NCLASS; i++)
        w->classes[i] = dnum(cc, tmodel_class_name(i));
    int rc = dvec(json_object_get(h, "edges_s"), &k->edges_s);
    return rc ? rc : dvec(json_object_get(h, "density"), &k->density);
}

static int read_param(const json_t *pa, tmd_param *p)
{
    const json_t *pop = json_object_get(pa, "popularity"),
                 *pts = json_object_get(pop, "rank_shares");
    p->name = dstr(pa, "name");
    p->dist = dstr(pop, "dist");
    p->s = dnum(pop, "s");
    p->n_est = dnum(pop, "n_est");
    size_t n = json_array_size(pts);
    if (n == 0)
        return 0;
    p->rank = malloc(n * sizeof *p->rank);
    p->shares = malloc(n * sizeof *p->shares);
    if (!p->rank || !p->shares)
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
    if (n == 0)
        return 0;
    d->routes = calloc(n, sizeof *d->routes);
    d->transitions = calloc(n * (n + 1), sizeof *d->transitions);
    if (!d->routes || !d->transitions)
        return ST_ENOMEM;
    d->n_routes = n;
    for (size_t i = 0; i < n; i++) {
        const json_t *r = json_array_get(routes, i), *ps = json_object_get(r, "params");
        tmd_route *w = &d->routes[i];
        w->template_ = dstr(r, "template");
        w->kind = dstr(r, "kind");
        w->method = dstr(r, "method");
        w->share = dnum(r, "share");
        w->share_5xx = dnum2(r, "status_mix", "5xx");
        w->bytes_median = dnum2(r, "bytes", "median");
        w->assets_mean = dnum2(r, "assets", "mean");
        size_t np = json_array_size(ps);
        if (np) {
            w->params = calloc(np, sizeof *w->params);
            if (!w->params)
                return ST_ENOMEM;
            w->n_params = np;
        }
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
    const json_t *w = json_object_get(m, "websockets"), *du = json_object_get(w, "duration");
    const json_t *c = json_object_get(w, "concurrency");
    tmd_websockets *x = &d->websockets;
    x->not_fitted = dstr(w, "not_fitted");
    x->count = dnum(w, "count");
    x->share_of_sessions = dnum(w, "share_of_sessions");
    x->duration_dist = dstr(du, "dist");
    x->duration_median_s = dnum(du, "median_s");
    x->duration_p95_s = dnum(du, "p95_s");
    x->conc_max = dnum(c, "max");
    x->conc_mean = dnum(c, "mean");
    return dseries(json_object_get(c, "series"), &x->conc);
}

static int read_quality(const json_t *m, tmodel_desc *d)
{
    const json_t *q = json_object_get(m, "quality");
    tmd_quality *x = &d->quality;
    x->lines = dnum(q, "lines");
    x->bot_share = dnum(q, "bot_share");
    x->malformed_total = dnum2(q, "malformed", "total");
    x->out_of_order_share = dnum(q, "out_of_order_share");
    x->has_clients = json_object_get(q, "clients") != NULL;
    x->clients = dnum(q, "clients");
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
    const json_t *s = json_object_get(m, "source");
    d->source.lines = dnum(s, "lines");
    d->source.parsed = dnum(s, "parsed");
    d->source.span_s = dnum(s, "span_s");
    d->source.first_ts = dnum(s, "first_ts");
    d->source.last_ts = dnum(s, "last_ts");
    d->source.format = dstr(s, "format");
    d->seed = dnum2(m, "generator", "seed");
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
