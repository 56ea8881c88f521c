/*
 * tmodel_check.c -- the complete validation of a traffic-model tree (tmodel_validate, see
 * tmodel.h): every component modeler writes, with its type and range. Each check names the
 * field path; the first failure wins.
 */
#include "tmodel.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "jsonio.h"
#include "tmodel_int.h"

#define TRY(x) \
    do { \
        int rc_ = (x); \
        if (rc_ < 0) \
            return rc_; \
    } while (0)

static int mr_numbers(const json_t *arr, const char *path, double min, double max, char *err)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        if (!json_is_number(v) || json_number_value(v) < min || json_number_value(v) > max) {
            char p[256];
            return st_err(err, ST_EINPUT, "%s: expected a number in [%g, %g]",
                          jv_path(p, sizeof p, path, i), min, max);
        }
    }
    return 0;
}

static int mr_dist(const json_t *o, const char *path, char *err)
{
    int kind;
    double x;
    json_t *params;
    char p[256];
    TRY(jv_enum(o, path, "dist", 1, tm_dist_names, &kind, err));
    TRY(jv_object(o, path, "params", 1, &params, err));
    jv_key(p, sizeof p, path, "params");
    if (kind == 0) {
        TRY(jv_number(params, p, "mu", 1, -INFINITY, INFINITY, &x, err));
        TRY(jv_number(params, p, "sigma", 1, 0, INFINITY, &x, err));
    } else {
        TRY(jv_number(params, p, "shape", 1, 0, INFINITY, &x, err));
        TRY(jv_number(params, p, "scale", 1, 0, INFINITY, &x, err));
    }
    TRY(jv_number(o, path, "median_s", 1, 0, INFINITY, &x, err));
    return 0;
}

static int mr_series(const json_t *o, const char *path, const char *key, int required, char *err)
{
    json_t *s, *rates;
    double x;
    char p[256], q[256];
    if (!json_object_get(o, key) && !required)
        return 0;
    TRY(jv_object(o, path, key, required, &s, err));
    jv_key(p, sizeof p, path, key);
    TRY(jv_number(s, p, "t0", 1, 0, INFINITY, &x, err));
    TRY(jv_number(s, p, "bin_s", 1, 1e-3, INFINITY, &x, err));
    TRY(jv_array(s, p, "rates", 1, &rates, err));
    return mr_numbers(rates, jv_key(q, sizeof q, p, "rates"), 0, INFINITY, err);
}

static int mr_arrivals(const json_t *m, char *err)
{
    json_t *a, *prof, *disp;
    double x;
    int kind;
    TRY(jv_object(m, "model", "arrivals", 1, &a, err));
    TRY(jv_number(a, "model.arrivals", "session_rate", 1, 0, INFINITY, &x, err));
    TRY(jv_number(a, "model.arrivals", "request_rate", 1, 0, INFINITY, &x, err));
    TRY(mr_series(a, "model.arrivals", "series", 1, err));
    TRY(mr_series(a, "model.arrivals", "series_1s", 0, err));
    TRY(jv_object(a, "model.arrivals", "profile", 1, &prof, err));
    TRY(jv_enum(prof, "model.arrivals.profile", "kind", 1, tm_profile_kinds, &kind, err));
    if (kind) {
        json_t *mult;
        TRY(jv_array(prof, "model.arrivals.profile", "multipliers", 1, &mult, err));
        size_t want = kind == 1 ? 24 : 168;
        if (json_array_size(mult) != want)
            return st_err(err, ST_EINPUT,
                          "model.arrivals.profile.multipliers: expected %zu numbers, got %zu", want,
                          json_array_size(mult));
        TRY(mr_numbers(mult, "model.arrivals.profile.multipliers", 0, INFINITY, err));
    }
    TRY(jv_array(a, "model.arrivals", "dispersion", 0, &disp, err));
    return 0;
}

static int mr_hawkes(const json_t *m, char *err)
{
    json_t *h;
    int fitted;
    double x;
    TRY(jv_object(m, "model", "hawkes", 1, &h, err));
    TRY(jv_bool(h, "model.hawkes", "fitted", 1, &fitted, err));
    if (!fitted) {
        const char *why;
        return jv_string(h, "model.hawkes", "refused", 1, &why, err);
    }
    TRY(jv_number(h, "model.hawkes", "mu", 1, 0, INFINITY, &x, err));
    TRY(jv_number(h, "model.hawkes", "alpha", 1, 0, INFINITY, &x, err));
    TRY(jv_number(h, "model.hawkes", "beta", 1, 0, INFINITY, &x, err));
    TRY(jv_number(h, "model.hawkes", "branching_ratio", 1, 0, 10, &x, err));
    return 0;
}

static int mr_bursts(const json_t *m, char *err)
{
    json_t *b, *eps;
    TRY(jv_object(m, "model", "bursts", 1, &b, err));
    if (json_object_get(b, "refused")) {
        const char *why;
        return jv_string(b, "model.bursts", "refused", 1, &why, err);
    }
    TRY(jv_array(b, "model.bursts", "episodes", 1, &eps, err));
    size_t i;
    json_t *e;
    json_array_foreach(eps, i, e) {
        char p[256];
        double x;
        jv_path(p, sizeof p, "model.bursts.episodes", i);
        if (!json_is_object(e))
            return st_err(err, ST_EINPUT, "%s: expected an object", p);
        TRY(jv_number(e, p, "onset", 1, 0, INFINITY, &x, err));
        TRY(jv_number(e, p, "duration_s", 1, 0, INFINITY, &x, err));
        TRY(jv_number(e, p, "peak_rate", 1, 0, INFINITY, &x, err));
        TRY(jv_number(e, p, "baseline_rate", 1, 0, INFINITY, &x, err));
    }
    return 0;
}

static int mr_sessions(const json_t *m, char *err)
{
    json_t *s, *t, *len;
    double x;
    TRY(jv_object(m, "model", "sessions", 1, &s, err));
    TRY(jv_number(s, "model.sessions", "timeout_s", 1, 0, INFINITY, &x, err));
    TRY(jv_number(s, "model.sessions", "count", 1, 0, INFINITY, &x, err));
    TRY(jv_object(s, "model.sessions", "length", 1, &len, err));
    TRY(jv_number(len, "model.sessions.length", "mean", 1, 0, INFINITY, &x, err));
    TRY(jv_object(s, "model.sessions", "think_time", 1, &t, err));
    if (json_object_get(s, "client_classes")) {
        json_t *cc;
        double sum = 0;
        TRY(jv_object(s, "model.sessions", "client_classes", 1, &cc, err));
        TRY(jv_no_unknown(cc, "model.sessions.client_classes", tm_class_names, err));
        for (int i = 0; i < 4; i++) {
            TRY(jv_number(cc, "model.sessions.client_classes", tm_class_names[i], 1, 0, 1, &x,
                          err));
            sum += i < 3 ? x : 0;
        }
        /* desktop + mobile + script share the counted sessions (all 0 when there are none). */
        if (sum > 1e-9 && fabs(sum - 1) > 1e-3)
            return st_err(err, ST_EINPUT,
                          "model.sessions.client_classes: desktop + mobile + "
                          "script sum to %.4f, expected 1",
                          sum);
    }
    return mr_dist(t, "model.sessions.think_time", err);
}

/* routes[i].assets (optional): window, mean, count_dist [[k, p]] with k in 0..32 and p
 * summing to 1, templates [{route J, share}] naming static routes, shares summing to 1. */
static int mr_assets(const json_t *routes, const json_t *a, const char *path, char *err)
{
    json_t *cd, *tm;
    double x;
    char p[256], q[256];
    if (!json_is_object(a))
        return st_err(err, ST_EINPUT, "%s: expected an object", path);
    TRY(jv_number(a, path, "window_s", 1, 1e-3, 3600, &x, err));
    TRY(jv_number(a, path, "mean", 1, 0, 1e6, &x, err));
    TRY(jv_array(a, path, "count_dist", 1, &cd, err));
    TRY(jv_array(a, path, "templates", 1, &tm, err));
    jv_key(p, sizeof p, path, "count_dist");
    if (json_array_size(cd) == 0 || json_array_size(cd) > 33)
        return st_err(err, ST_EINPUT, "%s: expected 1 to 33 [k, p] pairs", p);
    double sum = 0;
    size_t i;
    json_t *v;
    json_array_foreach(cd, i, v) {
        json_t *k = json_array_get(v, 0), *pr = json_array_get(v, 1);
        if (!json_is_array(v) || json_array_size(v) != 2 || !json_is_integer(k) ||
            json_integer_value(k) < 0 || json_integer_value(k) > 32 || !json_is_number(pr) ||
            json_number_value(pr) < 0 || json_number_value(pr) > 1)
            return st_err(err, ST_EINPUT, "%s: expected [k, p] with k in 0..32 and p in [0, 1]",
                          jv_path(q, sizeof q, p, i));
        sum += json_number_value(pr);
    }
    if (fabs(sum - 1) > 1e-3)
        return st_err(err, ST_EINPUT, "%s: probabilities sum to %.4f, expected 1", p, sum);
    jv_key(p, sizeof p, path, "templates");
    if (json_array_size(tm) == 0 || json_array_size(tm) > 64)
        return st_err(err, ST_EINPUT, "%s: expected 1 to 64 templates", p);
    sum = 0;
    json_array_foreach(tm, i, v) {
        int64_t r;
        jv_path(q, sizeof q, p, i);
        if (!json_is_object(v))
            return st_err(err, ST_EINPUT, "%s: expected an object", q);
        TRY(jv_int(v, q, "route", 1, 0, (int64_t)json_array_size(routes) - 1, &r, err));
        const char *k = json_string_value(
            json_object_get(json_array_get(routes, (size_t)r), "kind"));
        if (!k || strcmp(k, "static") != 0)
            return st_err(err, ST_EINPUT, "%s.route: route %lld is not a static route", q,
                          (long long)r);
        TRY(jv_number(v, q, "share", 1, 0, 1, &x, err));
        sum += x;
    }
    if (fabs(sum - 1) > 1e-3)
        return st_err(err, ST_EINPUT, "%s: shares sum to %.4f, expected 1", p, sum);
    return 0;
}

static int mr_routes(const json_t *m, size_t *nroutes, char *err)
{
    json_t *routes;
    static const char *const kinds[] = {"page", "api", "static", "websocket",
                                        NULL}; /* route kinds */
    TRY(jv_array(m, "model", "routes", 1, &routes, err));
    *nroutes = json_array_size(routes);
    size_t i;
    json_t *r;
    json_array_foreach(routes, i, r) {
        char p[256];
        const char *tmpl;
        int kind;
        double x;
        json_t *params;
        jv_path(p, sizeof p, "model.routes", i);
        if (!json_is_object(r))
            return st_err(err, ST_EINPUT, "%s: expected an object", p);
        TRY(jv_string(r, p, "template", 1, &tmpl, err));
        TRY(jv_enum(r, p, "kind", 1, kinds, &kind, err));
        TRY(jv_number(r, p, "share", 1, 0, 1, &x, err));
        TRY(jv_array(r, p, "params", 1, &params, err));
        if (json_object_get(r, "assets")) {
            char ap[256];
            TRY(mr_assets(routes, json_object_get(r, "assets"), jv_key(ap, sizeof ap, p, "assets"),
                          err));
        }
        size_t k;
        json_t *pa;
        json_array_foreach(params, k, pa) {
            char pp[256], q[256];
            json_t *pop;
            const char *name, *dist;
            jv_path(pp, sizeof pp, jv_key(q, sizeof q, p, "params"), k);
            if (!json_is_object(pa))
                return st_err(err, ST_EINPUT, "%s: expected an object", pp);
            TRY(jv_string(pa, pp, "name", 1, &name, err));
            TRY(jv_object(pa, pp, "popularity", 1, &pop, err));
            jv_key(q, sizeof q, pp, "popularity");
            TRY(jv_string(pop, q, "dist", 1, &dist, err));
            if (!strcmp(dist, "zipf"))
                TRY(jv_number(pop, q, "s", 1, 0, 20, &x, err));
        }
    }
    return 0;
}

static int mr_journeys(const json_t *m, size_t nroutes, char *err)
{
    json_t *j, *entry, *tr;
    TRY(jv_object(m, "model", "journeys", 1, &j, err));
    TRY(jv_array(j, "model.journeys", "entry", 1, &entry, err));
    TRY(jv_array(j, "model.journeys", "transitions", 1, &tr, err));
    if (json_array_size(entry) != nroutes)
        return st_err(err, ST_EINPUT,
                      "model.journeys.entry: expected %zu numbers (one per route), got %zu",
                      nroutes, json_array_size(entry));
    TRY(mr_numbers(entry, "model.journeys.entry", 0, 1, err));
    if (json_array_size(tr) != nroutes)
        return st_err(err, ST_EINPUT, "model.journeys.transitions: expected %zu rows, got %zu",
                      nroutes, json_array_size(tr));
    size_t i;
    json_t *row;
    json_array_foreach(tr, i, row) {
        char p[256];
        jv_path(p, sizeof p, "model.journeys.transitions", i);
        if (!json_is_array(row) || json_array_size(row) != nroutes + 1)
            return st_err(err, ST_EINPUT, "%s: expected %zu probabilities (routes + exit)", p,
                          nroutes + 1);
        TRY(mr_numbers(row, p, 0, 1, err));
        double s = 0;
        size_t k;
        json_t *v;
        json_array_foreach(row, k, v)
            s += json_number_value(v);
        if (fabs(s - 1) > 1e-3)
            return st_err(err, ST_EINPUT, "%s: probabilities sum to %.4f, expected 1", p, s);
    }
    return 0;
}

/* A model from a rate trace alone: the components a trace cannot hold say so. */
static int mr_trace_only(const json_t *m, char *err)
{
    static const char *const parts[] = {"sessions", "journeys", "websockets"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        json_t *o;
        const char *why;
        char p[64];
        TRY(jv_object(m, "model", parts[i], 1, &o, err));
        TRY(jv_string(o, jv_key(p, sizeof p, "model", parts[i]), "not_fitted", 1, &why, err));
    }
    json_t *routes, *q, *f;
    double x;
    TRY(jv_array(m, "model", "routes", 1, &routes, err));
    if (json_array_size(routes))
        return st_err(err, ST_EINPUT,
                      "model.routes: expected [] in a model from a rate trace alone");
    TRY(jv_object(m, "model", "quality", 1, &q, err));
    TRY(jv_number(q, "model.quality", "bot_share", 1, 0, 1, &x, err));
    TRY(jv_array(q, "model.quality", "findings", 1, &f, err));
    return jv_object(m, "model", "privacy", 1, &q, err);
}

int tmodel_validate(const json_t *m, char *err)
{
    double x;
    json_t *o;
    size_t nroutes = 0;
    TRY(tm_check_header(m, err));
    TRY(jv_object(m, "model", "source", 1, &o, err));
    TRY(jv_number(o, "model.source", "lines", 1, 0, INFINITY, &x, err));
    const char *kind = NULL;
    TRY(jv_string(o, "model.source", "kind", 0, &kind, err));
    TRY(mr_arrivals(m, err));
    TRY(mr_hawkes(m, err));
    TRY(mr_bursts(m, err));
    if (kind && !strcmp(kind, "rates"))
        return mr_trace_only(m, err);
    TRY(mr_sessions(m, err));
    TRY(mr_routes(m, &nroutes, err));
    TRY(mr_journeys(m, nroutes, err));
    TRY(jv_object(m, "model", "websockets", 1, &o, err));
    TRY(jv_number(o, "model.websockets", "count", 1, 0, INFINITY, &x, err));
    if (json_object_get(o, "duration")) {
        json_t *d;
        TRY(jv_object(o, "model.websockets", "duration", 1, &d, err));
        TRY(mr_dist(d, "model.websockets.duration", err));
    }
    TRY(jv_object(m, "model", "quality", 1, &o, err));
    TRY(jv_number(o, "model.quality", "bot_share", 1, 0, 1, &x, err));
    json_t *f;
    TRY(jv_array(o, "model.quality", "findings", 1, &f, err));
    TRY(jv_object(m, "model", "privacy", 1, &o, err));
    return 0;
}

json_t *tmodel_read_json(const char *path, char *err)
{
    json_t *m = jsonio_load(path, err);
    if (!m)
        return NULL;
    char e2[ST_ERRLEN];
    if (tmodel_validate(m, e2) < 0) {
        st_err(err, ST_EINPUT, "%s: %s", path, e2);
        json_decref(m);
        return NULL;
    }
    return m;
}
