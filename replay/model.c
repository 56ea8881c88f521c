/*
 * model.c -- reading the traffic model for replay (see model.h).
 */
#include "model.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "jsonio.h"

static const char *const top_keys[] = {"format", "version", "generator", "source", "arrivals",
    "hawkes", "bursts", "sessions", "routes", "journeys", "websockets", "quality", "privacy",
    NULL};

static int load_routes(model *m, json_t *root, char *err)
{
    json_t *routes;
    char p[256], q[256];
    int rc = jv_array(root, "model", "routes", 1, &routes, err);
    if (rc)
        return rc;
    if (json_array_size(routes) == 0 || json_array_size(routes) > MODEL_MAX_ROUTES)
        return st_err(err, ST_EINPUT, "model.routes: expected 1..%d routes", MODEL_MAX_ROUTES);
    m->n_routes = json_array_size(routes);
    for (size_t i = 0; i < m->n_routes; i++) {
        json_t *r = json_array_get(routes, i), *params = NULL;
        const char *t = NULL, *meth = "GET", *kind = "page";
        model_route *mr = &m->routes[i];
        jv_path(p, sizeof p, "model.routes", i);
        if (!json_is_object(r))
            return st_err(err, ST_EINPUT, "%s: expected an object", p);
        if ((rc = jv_string(r, p, "template", 1, &t, err)) ||
            (rc = jv_string(r, p, "method", 0, &meth, err)) ||
            (rc = jv_string(r, p, "kind", 0, &kind, err)) ||
            (rc = jv_array(r, p, "params", 0, &params, err)))
            return rc;
        snprintf(mr->template_, sizeof mr->template_, "%s", t);
        snprintf(mr->method, sizeof mr->method, "%s", meth);
        snprintf(mr->kind, sizeof mr->kind, "%s", kind);
        for (size_t k = 0; params && k < json_array_size(params); k++) {
            json_t *pa = json_array_get(params, k), *pop = NULL;
            const char *dist = NULL;
            double s = 0;
            jv_path(q, sizeof q, jv_key(q, sizeof q, p, "params"), k);
            char qp[256];
            snprintf(qp, sizeof qp, "%s", q);
            if ((rc = jv_object(pa, qp, "popularity", 0, &pop, err)))
                return rc;
            if (!pop)
                continue;
            jv_key(q, sizeof q, qp, "popularity");
            if ((rc = jv_string(pop, q, "dist", 1, &dist, err)))
                return rc;
            if (!strcmp(dist, "uniform") && mr->zipf_s == 0)
                mr->zipf_s = -1; /* modeler: too few observations for a Zipf fit */
            if (strcmp(dist, "zipf") != 0)
                continue;
            if ((rc = jv_number(pop, q, "s", 1, 1e-6, 20, &s, err)))
                return rc;
            if (mr->zipf_s <= 0)
                mr->zipf_s = s;
        }
    }
    return 0;
}

/* Builds an alias table over `row` (n numbers); all-zero rows give *out = NULL. */
static int alias_row(json_t *row, size_t n, const char *path, rng_alias **out, char *err)
{
    double w[MODEL_MAX_ROUTES + 1], sum = 0;
    char aerr[ST_ERRLEN];
    if (!json_is_array(row) || json_array_size(row) != n)
        return st_err(err, ST_EINPUT, "%s: expected an array of %zu probabilities", path, n);
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(row, i);
        if (!json_is_number(v) || json_number_value(v) < 0 || !isfinite(json_number_value(v)))
            return st_err(err, ST_EINPUT, "%s[%zu]: expected a probability", path, i);
        w[i] = json_number_value(v);
        sum += w[i];
    }
    *out = NULL;
    if (sum <= 0)
        return 0;
    *out = rng_alias_new(w, n, aerr);
    if (!*out)
        return st_err(err, ST_EINPUT, "%s: %s", path, aerr);
    return 0;
}

static int load_journeys(model *m, json_t *root, char *err)
{
    json_t *j, *entry, *trans;
    char p[128];
    int rc;
    if ((rc = jv_object(root, "model", "journeys", 1, &j, err)) ||
        (rc = jv_array(j, "model.journeys", "entry", 1, &entry, err)) ||
        (rc = jv_array(j, "model.journeys", "transitions", 1, &trans, err)))
        return rc;
    if ((rc = alias_row(entry, m->n_routes, "model.journeys.entry", &m->entry, err)))
        return rc;
    if (!m->entry)
        return st_err(err, ST_EINPUT, "model.journeys.entry: all probabilities are zero");
    if (json_array_size(trans) != m->n_routes)
        return st_err(err, ST_EINPUT, "model.journeys.transitions: expected %zu rows (one per route)",
                      m->n_routes);
    for (size_t i = 0; i < m->n_routes; i++) {
        jv_path(p, sizeof p, "model.journeys.transitions", i);
        if ((rc = alias_row(json_array_get(trans, i), m->n_routes + 1, p, &m->trans[i], err)))
            return rc;
    }
    return 0;
}

static int load_sessions(model *m, json_t *root, char *err)
{
    static const char *const dists[] = {"lognormal", "weibull", "gamma", NULL};
    json_t *s, *tt, *params;
    int rc;
    const char *tp = "model.sessions.think_time", *pp = "model.sessions.think_time.params";
    if ((rc = jv_object(root, "model", "sessions", 1, &s, err)) ||
        (rc = jv_object(s, "model.sessions", "think_time", 1, &tt, err)))
        return rc;
    if (!json_object_get(tt, "dist") || json_is_null(json_object_get(tt, "dist"))) {
        /* Not fitted (think_time.note says why): lognormal around the median, sigma 1. */
        double med = 0;
        if ((rc = jv_number(tt, tp, "median_s", 0, 0, 1e6, &med, err)))
            return rc;
        m->think_dist = THINK_LOGNORMAL;
        m->think_a = log(med > 0 ? med : 5.0);
        m->think_b = 1.0;
        m->think_fallback = 1;
        return 0;
    }
    if ((rc = jv_enum(tt, tp, "dist", 1, dists, &m->think_dist, err)) ||
        (rc = jv_object(tt, tp, "params", 1, &params, err)))
        return rc;
    if (m->think_dist == THINK_LOGNORMAL)
        return jv_number(params, pp, "mu", 1, -50, 50, &m->think_a, err)
            ?: jv_number(params, pp, "sigma", 1, 0, 20, &m->think_b, err);
    return jv_number(params, pp, "shape", 1, 1e-9, 1e9, &m->think_a, err)
        ?: jv_number(params, pp, "scale", 1, 1e-9, 1e9, &m->think_b, err);
}

static int load_bursts(model *m, json_t *root, char *err)
{
    json_t *b = NULL, *eps = NULL;
    char p[128], q[160];
    int rc;
    if ((rc = jv_object(root, "model", "bursts", 0, &b, err)) || !b)
        return rc;
    if ((rc = jv_array(b, "model.bursts", "episodes", 0, &eps, err)) || !eps)
        return rc;
    for (size_t i = 0; i < json_array_size(eps) && i < MODEL_MAX_EPISODES; i++) {
        json_t *e = json_array_get(eps, i), *conv = NULL, *ranks = NULL;
        model_episode *me = &m->episodes[i];
        jv_path(p, sizeof p, "model.bursts.episodes", i);
        if ((rc = jv_number(e, p, "ramp_s", 1, 0, 1e9, &me->ramp_s, err)) ||
            (rc = jv_number(e, p, "duration_s", 1, 0, 1e9, &me->duration_s, err)) ||
            (rc = jv_number(e, p, "decay_s", 0, 0, 1e9, &me->decay_s, err)) ||
            (rc = jv_number(e, p, "sessions", 1, 0, 1e12, &me->sessions, err)) ||
            (rc = jv_object(e, p, "convergence", 0, &conv, err)))
            return rc;
        if (conv) {
            jv_key(q, sizeof q, p, "convergence");
            if ((rc = jv_number(conv, q, "top_k_share", 1, 0, 1, &me->top_k_share, err)) ||
                (rc = jv_array(conv, q, "hot_ranks", 1, &ranks, err)))
                return rc;
            /* modeler's baseline-corrected share is the one a scenario should use. */
            if ((rc = jv_number(conv, q, "hot_share", 0, 0, 1, &me->top_k_share, err)))
                return rc;
            for (size_t k = 0; k < json_array_size(ranks) && k < 16; k++) {
                json_int_t r = json_integer_value(json_array_get(ranks, k));
                if (r < 1)
                    return st_err(err, ST_EINPUT, "%s.hot_ranks[%zu]: expected a rank >= 1", q, k);
                me->hot_ranks[me->n_hot++] = (uint64_t)r;
            }
        }
        m->n_episodes = i + 1;
    }
    return 0;
}

/* A model fitted from a rate trace alone has arrivals and bursts but no routes, journeys,
 * sessions or popularity: there is nothing to send, so say what to do instead. */
static int refuse_trace_only(const json_t *root, const char *path, char *err)
{
    const char *kind = NULL;
    json_t *src = NULL;
    int rc = jv_object(root, "model", "source", 0, &src, err);
    if (rc || !src || (rc = jv_string(src, "model.source", "kind", 0, &kind, err)) || !kind)
        return rc;
    if (strcmp(kind, "rates") != 0)
        return 0;
    return st_err(err, ST_EINPUT, "%s: model.source.kind: \"rates\": this model comes from a rate "
                  "trace alone (arrivals and bursts; sessions, journeys and popularity are not in "
                  "a rate trace); fit it with a log: modeler fit LOG... --rates TRACE -o MODEL", path);
}

int model_load(model *m, const char *path, char *err)
{
    json_t *root, *arr, *hk = NULL;
    const char *fmt = NULL;
    int64_t ver;
    int rc;
    memset(m, 0, sizeof *m);
    root = jsonio_load(path, err);
    if (!root)
        return ST_EINPUT;
    if (!json_is_object(root)) {
        rc = st_err(err, ST_EINPUT, "model: expected a JSON object");
        goto out;
    }
    if ((rc = jv_string(root, "model", "format", 1, &fmt, err)))
        goto out;
    if (strcmp(fmt, "stampede-traffic-model") != 0) {
        rc = st_err(err, ST_EINPUT, "model.format: expected \"stampede-traffic-model\"");
        goto out;
    }
    if ((rc = jv_version(root, "model", 1, &ver, err)) ||
        (rc = jv_no_unknown(root, "model", top_keys, err)) || (rc = refuse_trace_only(root, path, err)) ||
        (rc = jv_object(root, "model", "arrivals", 1, &arr, err)) ||
        (rc = jv_number(arr, "model.arrivals", "session_rate", 1, 0, 1e9, &m->session_rate, err)) ||
        (rc = jv_object(root, "model", "hawkes", 0, &hk, err)))
        goto out;
    if (hk) {
        if ((rc = jv_bool(hk, "model.hawkes", "fitted", 1, &m->hawkes_fitted, err)))
            goto out;
        if (m->hawkes_fitted &&
            ((rc = jv_number(hk, "model.hawkes", "branching_ratio", 1, 0, 0.99, &m->branching, err)) ||
             (rc = jv_number(hk, "model.hawkes", "beta", 1, 1e-9, 1e9, &m->beta, err))))
            goto out;
    }
    if ((rc = load_routes(m, root, err)) || (rc = load_journeys(m, root, err)) ||
        (rc = load_sessions(m, root, err)) || (rc = load_bursts(m, root, err)))
        goto out;
out:
    json_decref(root);
    if (rc)
        model_term(m);
    return rc;
}

void model_term(model *m)
{
    rng_alias_free(m->entry);
    m->entry = NULL;
    for (size_t i = 0; i < MODEL_MAX_ROUTES; i++) {
        rng_alias_free(m->trans[i]);
        m->trans[i] = NULL;
    }
}

int model_route_index(const model *m, const char *template_)
{
    for (size_t i = 0; i < m->n_routes; i++)
        if (!strcmp(m->routes[i].template_, template_))
            return (int)i;
    return -1;
}

double model_think(const model *m, rng_stream *s)
{
    switch (m->think_dist) {
    case THINK_WEIBULL: return rng_weibull(s, m->think_a, m->think_b);
    case THINK_GAMMA: return rng_gamma(s, m->think_a, m->think_b);
    default: return rng_lognormal(s, m->think_a, m->think_b);
    }
}
