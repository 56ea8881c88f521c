/*
 * tmodel.c -- the traffic model into a plain struct (tmodel_load), and the rules both entry
 * points share: the header check and the names of kinds, laws and classes (see tmodel.h).
 * The full tree validation is in tmodel_check.c.
 */
#include "tmodel.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "formats.h"
#include "jsonio.h"
#include "tmodel_int.h"

/* clang-format off */
const char *const tm_top_keys[] = {"format", "version", "generator", "source", "arrivals",
    "hawkes", "bursts", "sessions", "routes", "journeys", "websockets", "quality", "privacy",
    NULL};
/* clang-format on */
const char *const tm_dist_names[] = {"lognormal", "weibull", "gamma", NULL};
const char *const tm_profile_kinds[] = {"flat", "hour_of_day", "hour_of_week", NULL};
const char *const tm_class_names[] = {"desktop", "mobile", "script", "bot", NULL};

const char *tmodel_dist_name(int dist)
{
    return dist >= 0 && dist <= TM_GAMMA ? tm_dist_names[dist] : NULL;
}

const char *tmodel_class_name(int cls)
{
    return cls >= 0 && cls < TM_NCLASS ? tm_class_names[cls] : NULL;
}

int tmodel_dist_of(const char *name)
{
    for (int i = 0; name && tm_dist_names[i]; i++)
        if (strcmp(name, tm_dist_names[i]) == 0)
            return i;
    return -1;
}

int tm_check_header(const json_t *root, char *err)
{
    const char *fmt;
    int64_t ver;
    int rc;
    if (!json_is_object(root))
        return st_err(err, ST_EINPUT, "model: expected a JSON object");
    if ((rc = jv_string(root, "model", "format", 1, &fmt, err)))
        return rc;
    if (strcmp(fmt, ST_FMT_MODEL) != 0)
        return st_err(err, ST_EINPUT, "model.format: expected \"" ST_FMT_MODEL "\", got \"%.40s\"",
                      fmt);
    if ((rc = jv_version(root, "model", ST_FMT_MODEL_VERSION, &ver, err)))
        return rc;
    return jv_no_unknown(root, "model", tm_top_keys, err);
}

static int load_routes(tmodel *m, json_t *root, char *err)
{
    json_t *routes;
    char p[256], q[256];
    int rc = jv_array(root, "model", "routes", 1, &routes, err);
    if (rc)
        return rc;
    if (json_array_size(routes) == 0 || json_array_size(routes) > TMODEL_MAX_ROUTES)
        return st_err(err, ST_EINPUT, "model.routes: expected 1..%d routes", TMODEL_MAX_ROUTES);
    m->n_routes = json_array_size(routes);
    for (size_t i = 0; i < m->n_routes; i++) {
        json_t *r = json_array_get(routes, i), *params = NULL;
        const char *t = NULL, *meth = "GET", *kind = "page";
        tmodel_route *mr = &m->routes[i];
        jv_path(p, sizeof p, "model.routes", i);
        if (!json_is_object(r))
            return st_err(err, ST_EINPUT, "%s: expected an object", p);
        if ((rc = jv_string(r, p, "template", 1, &t, err)) ||
            (rc = jv_string(r, p, "method", 0, &meth, err)) ||
            (rc = jv_string(r, p, "kind", 0, &kind, err)) ||
            (rc = jv_array(r, p, "params", 0, &params, err)))
            return rc;
        {
            json_t *lat = NULL;
            if ((rc = jv_number(r, p, "share", 0, 0, 1, &mr->share, err)) ||
                (rc = jv_object(r, p, "latency", 0, &lat, err)))
                return rc;
            jv_key(q, sizeof q, p, "latency");
            if (lat && ((rc = jv_number(lat, q, "median_s", 0, 0, 1e6, &mr->lat_median_s, err)) ||
                        (rc = jv_number(lat, q, "p95_s", 0, 0, 1e6, &mr->lat_p95_s, err))))
                return rc;
        }
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
            if (!strcmp(dist, "uniform") && mr->zipf_s == 0) {
                double mx = 0;
                mr->zipf_s = -1; /* modeler: too few observations for a Zipf fit */
                if ((rc = jv_number(pop, q, "max", 0, 0, 1e12, &mx, err)))
                    return rc;
                if (!mr->n_est)
                    mr->n_est = (uint64_t)mx;
            }
            if (strcmp(dist, "zipf") != 0)
                continue;
            double ne = 0;
            if ((rc = jv_number(pop, q, "s", 1, 1e-6, 20, &s, err)) ||
                (rc = jv_number(pop, q, "n_est", 0, 0, 1e15, &ne, err)))
                return rc;
            if (mr->zipf_s <= 0) {
                mr->zipf_s = s;
                mr->n_est = (uint64_t)ne;
            }
        }
    }
    return 0;
}

/* routes[i].assets (docs/formats/traffic-model.md): the count distribution and the static
 * templates, as alias tables. Runs after every route is loaded (templates index routes). */
static int load_assets(tmodel *m, json_t *root, char *err)
{
    json_t *routes = json_object_get(root, "routes");
    char p[256], q[300];
    int rc;
    for (size_t i = 0; i < m->n_routes; i++) {
        json_t *a = NULL, *cd = NULL, *tp = NULL;
        tmodel_route *mr = &m->routes[i];
        double w[TMODEL_MAX_ASSET_TMPL], aw[TMODEL_MAX_ASSET_COUNT] = {0}, win = 0;
        char aerr[ST_ERRLEN];
        jv_path(p, sizeof p, "model.routes", i);
        if ((rc = jv_object(json_array_get(routes, i), p, "assets", 0, &a, err)) || !a)
            continue;
        jv_key(p, sizeof p, p, "assets");
        if ((rc = jv_number(a, p, "window_s", 0, 0, 3600, &win, err)) ||
            (rc = jv_number(a, p, "mean", 0, 0, 1e6, &mr->asset_mean, err)) ||
            (rc = jv_array(a, p, "count_dist", 1, &cd, err)) ||
            (rc = jv_array(a, p, "templates", 1, &tp, err)))
            return rc;
        if (json_array_size(cd) == 0 || json_array_size(cd) > TMODEL_MAX_ASSET_COUNT)
            return st_err(err, ST_EINPUT, "%s.count_dist: expected 1..%d [k, p] pairs", p,
                          TMODEL_MAX_ASSET_COUNT);
        for (size_t k = 0; k < json_array_size(cd); k++) {
            json_t *e = json_array_get(cd, k);
            json_t *kk = json_array_get(e, 0), *pp = json_array_get(e, 1);
            jv_path(q, sizeof q, jv_key(q, sizeof q, p, "count_dist"), k);
            if (!json_is_array(e) || json_array_size(e) != 2 || !json_is_integer(kk) ||
                json_integer_value(kk) < 0 || json_integer_value(kk) >= TMODEL_MAX_ASSET_COUNT ||
                !json_is_number(pp) || !(json_number_value(pp) >= 0) || json_number_value(pp) > 1)
                return st_err(err, ST_EINPUT, "%s: expected [k, p] with k in 0..%d and p in [0, 1]",
                              q, TMODEL_MAX_ASSET_COUNT - 1);
            aw[json_integer_value(kk)] += json_number_value(pp);
        }
        if (json_array_size(tp) == 0 || json_array_size(tp) > TMODEL_MAX_ASSET_TMPL)
            return st_err(err, ST_EINPUT, "%s.templates: expected 1..%d entries", p,
                          TMODEL_MAX_ASSET_TMPL);
        for (size_t k = 0; k < json_array_size(tp); k++) {
            json_t *e = json_array_get(tp, k);
            int64_t ri;
            jv_path(q, sizeof q, jv_key(q, sizeof q, p, "templates"), k);
            if ((rc = jv_int(e, q, "route", 1, 0, (int64_t)m->n_routes - 1, &ri, err)) ||
                (rc = jv_number(e, q, "share", 1, 0, 1, &w[k], err)))
                return rc;
            if (strcmp(m->routes[ri].kind, "static") != 0)
                return st_err(err, ST_EINPUT, "%s.route: route %lld is not a static route", q,
                              (long long)ri);
            mr->asset_route[k] = (uint16_t)ri;
        }
        if (!(mr->asset_count = rng_alias_new(aw, TMODEL_MAX_ASSET_COUNT, aerr)))
            return st_err(err, ST_EINPUT, "%s.count_dist: %s", p, aerr);
        if (!(mr->asset_tmpl = rng_alias_new(w, json_array_size(tp), aerr)))
            return st_err(err, ST_EINPUT, "%s.templates: %s", p, aerr);
        m->has_assets = 1;
    }
    return 0;
}

/* arrivals.profile, sessions.client_classes and websockets.share_of_sessions. */
static int load_clock_classes(tmodel *m, json_t *root, json_t *arr, char *err)
{
    json_t *pr = NULL, *mul = NULL, *ss, *cc = NULL, *ws = NULL;
    int rc;
    for (size_t i = 0; i < 168; i++)
        m->profile[i] = 1;
    if ((rc = jv_object(arr, "model.arrivals", "profile", 0, &pr, err)))
        return rc;
    if (pr && ((rc = jv_enum(pr, "model.arrivals.profile", "kind", 1, tm_profile_kinds,
                             &m->profile_kind, err)) ||
               (rc = jv_array(pr, "model.arrivals.profile", "multipliers", m->profile_kind != 0,
                              &mul, err))))
        return rc;
    if (m->profile_kind) {
        size_t n = m->profile_kind == TM_PROFILE_WEEK ? 168 : 24;
        if (json_array_size(mul) != n)
            return st_err(err, ST_EINPUT,
                          "model.arrivals.profile.multipliers: expected %zu numbers", n);
        for (size_t i = 0; i < n; i++) {
            json_t *v = json_array_get(mul, i);
            if (!json_is_number(v) || !(json_number_value(v) >= 0) || json_number_value(v) > 1e6)
                return st_err(err, ST_EINPUT,
                              "model.arrivals.profile.multipliers[%zu]: expected a number >= 0", i);
            m->profile[i] = json_number_value(v);
        }
    }
    ss = json_object_get(root, "sessions");
    if ((rc = jv_object(ss, "model.sessions", "client_classes", 0, &cc, err)))
        return rc;
    for (size_t c = 0; cc && c < TM_NCLASS; c++)
        if ((rc = jv_number(cc, "model.sessions.client_classes", tm_class_names[c], 0, 0, 1,
                            &m->classes[c], err)))
            return rc;
    m->has_classes = cc &&
                     m->classes[TM_DESKTOP] + m->classes[TM_MOBILE] + m->classes[TM_SCRIPT] > 0;
    if ((rc = jv_object(root, "model", "websockets", 0, &ws, err)))
        return rc;
    return ws ? jv_number(ws, "model.websockets", "share_of_sessions", 0, 0, 1, &m->ws_share, err)
              : 0;
}

/* Builds an alias table over `row` (n numbers); all-zero rows give *out = NULL. */
static int alias_row(json_t *row, size_t n, const char *path, rng_alias **out, char *err)
{
    double w[TMODEL_MAX_ROUTES + 1], sum = 0;
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

static int load_journeys(tmodel *m, json_t *root, char *err)
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
        return st_err(err, ST_EINPUT,
                      "model.journeys.transitions: expected %zu rows (one per route)", m->n_routes);
    for (size_t i = 0; i < m->n_routes; i++) {
        jv_path(p, sizeof p, "model.journeys.transitions", i);
        if ((rc = alias_row(json_array_get(trans, i), m->n_routes + 1, p, &m->trans[i], err)))
            return rc;
    }
    return 0;
}

static int load_sessions(tmodel *m, json_t *root, char *err)
{
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
        m->think_dist = TM_LOGNORMAL;
        m->think_a = log(med > 0 ? med : 5.0);
        m->think_b = 1.0;
        m->think_fallback = 1;
        return 0;
    }
    if ((rc = jv_enum(tt, tp, "dist", 1, tm_dist_names, &m->think_dist, err)) ||
        (rc = jv_object(tt, tp, "params", 1, &params, err)))
        return rc;
    if (m->think_dist == TM_LOGNORMAL)
        return jv_number(params, pp, "mu", 1, -50, 50, &m->think_a, err)
                   ?: jv_number(params, pp, "sigma", 1, 0, 20, &m->think_b, err);
    return jv_number(params, pp, "shape", 1, 1e-9, 1e9, &m->think_a, err)
               ?: jv_number(params, pp, "scale", 1, 1e-9, 1e9, &m->think_b, err);
}

static int load_bursts(tmodel *m, json_t *root, char *err)
{
    json_t *b = NULL, *eps = NULL;
    char p[128], q[160];
    int rc;
    if ((rc = jv_object(root, "model", "bursts", 0, &b, err)) || !b)
        return rc;
    if ((rc = jv_array(b, "model.bursts", "episodes", 0, &eps, err)) || !eps)
        return rc;
    for (size_t i = 0; i < json_array_size(eps) && i < TMODEL_MAX_EPISODES; i++) {
        json_t *e = json_array_get(eps, i), *conv = NULL, *ranks = NULL;
        tmodel_episode *me = &m->episodes[i];
        me->excess_sessions = -1;
        jv_path(p, sizeof p, "model.bursts.episodes", i);
        if ((rc = jv_number(e, p, "ramp_s", 1, 0, 1e9, &me->ramp_s, err)) ||
            (rc = jv_number(e, p, "duration_s", 1, 0, 1e9, &me->duration_s, err)) ||
            (rc = jv_number(e, p, "decay_s", 0, 0, 1e9, &me->decay_s, err)) ||
            (rc = jv_number(e, p, "sessions", 1, 0, 1e12, &me->sessions, err)) ||
            (rc = jv_number(e, p, "onset", 0, 0, 1e12, &me->onset, err)) ||
            (rc = jv_number(e, p, "peak_rate", 0, 0, 1e12, &me->peak_rate, err)) ||
            (rc = jv_number(e, p, "baseline_rate", 0, 0, 1e12, &me->baseline_rate, err)) ||
            (rc = jv_number(e, p, "excess_sessions", 0, 0, 1e12, &me->excess_sessions, err)) ||
            (rc = jv_object(e, p, "convergence", 0, &conv, err)))
            return rc;
        if (conv) {
            jv_key(q, sizeof q, p, "convergence");
            if ((rc = jv_number(conv, q, "top_k_share", 1, 0, 1, &me->top_k_share, err)) ||
                (rc = jv_array(conv, q, "hot_ranks", 1, &ranks, err)))
                return rc;
            /* modeler's baseline-corrected share is the one a scenario should use. */
            static const char *const follows[] = {"window", "sessions", NULL};
            if ((rc = jv_number(conv, q, "hot_share", 0, 0, 1, &me->top_k_share, err)) ||
                (rc = jv_enum(conv, q, "follows", 0, follows, &me->follows_sessions, err)))
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
    return st_err(err, ST_EINPUT,
                  "%s: model.source.kind: \"rates\": this model comes from a rate "
                  "trace alone (arrivals and bursts; sessions, journeys and popularity are not in "
                  "a rate trace); fit it with a log: modeler fit LOG... --rates TRACE -o MODEL",
                  path);
}

int tmodel_load(tmodel *m, const char *path, char *err)
{
    json_t *root, *arr, *hk = NULL;
    int rc;
    memset(m, 0, sizeof *m);
    root = jsonio_load(path, err);
    if (!root)
        return ST_EINPUT;
    if ((rc = tm_check_header(root, err)) || (rc = refuse_trace_only(root, path, err)) ||
        (rc = jv_object(root, "model", "arrivals", 1, &arr, err)) ||
        (rc = jv_number(arr, "model.arrivals", "session_rate", 1, 0, 1e9, &m->session_rate, err)) ||
        (rc = jv_object(root, "model", "hawkes", 0, &hk, err)))
        goto out;
    if (hk) {
        if ((rc = jv_bool(hk, "model.hawkes", "fitted", 1, &m->hawkes_fitted, err)))
            goto out;
        if (m->hawkes_fitted &&
            ((rc = jv_number(hk, "model.hawkes", "branching_ratio", 1, 0, 0.99, &m->branching,
                             err)) ||
             (rc = jv_number(hk, "model.hawkes", "beta", 1, 1e-9, 1e9, &m->beta, err))))
            goto out;
    }
    if ((rc = load_routes(m, root, err)) || (rc = load_journeys(m, root, err)) ||
        (rc = load_sessions(m, root, err)) || (rc = load_bursts(m, root, err)) ||
        (rc = load_assets(m, root, err)) || (rc = load_clock_classes(m, root, arr, err)))
        goto out;
out:
    json_decref(root);
    if (rc)
        tmodel_term(m);
    return rc;
}

void tmodel_term(tmodel *m)
{
    rng_alias_free(m->entry);
    m->entry = NULL;
    for (size_t i = 0; i < TMODEL_MAX_ROUTES; i++) {
        rng_alias_free(m->trans[i]);
        m->trans[i] = NULL;
        rng_alias_free(m->routes[i].asset_count);
        rng_alias_free(m->routes[i].asset_tmpl);
        m->routes[i].asset_count = m->routes[i].asset_tmpl = NULL;
    }
}
