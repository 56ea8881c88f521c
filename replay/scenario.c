/*
 * scenario.c -- loading and validating a scenario (see scenario.h and
 * docs/formats/scenario.md). Routes, captures and checks are in sc_routes.c.
 */
#include "scenario.h"
#include "formats.h"

#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"
#include "sc_ident.h"
#include "sc_http.h"
#include "sc_routes.h"
#include "sc_ws.h"
#include "units.h"

/* clang-format off */
static const char *const top_keys[] = {"format", "version", "name", "model", "target", "seed",
    "duration", "scale", "feeders_dir", "feeders", "routes", "sessions", "http", "stages",
    "events", "thresholds", "limits", "model_clock", "websockets", "unmapped", "tls", NULL};
/* clang-format on */
static const char *const feeder_keys[] = {"file", "column", "zipf_s", "count", "pattern", NULL};
/* clang-format off */
static const char *const session_keys[] = {"max_requests", "max_active", "think_scale",
                                           "connection", "pool_size", "cookies", "hawkes", "assets",
                                           NULL};
/* clang-format on */
/* clang-format off */
static const char *const http_keys[] = {"timeout", "connect_timeout", "headers", "traceparent",
                                        "client_ip", "user_agent", "version", "require_version",
                                        "max_streams", NULL};
/* clang-format on */
static const char *const stage_keys[] = {"duration", "from", "to", "curve", NULL};
/* clang-format off */
static const char *const event_keys[] = {"name", "at", "sessions", "ramp", "hold", "decay",
                                         "hot_share", "hot", "from_model", NULL};
/* clang-format on */
static const char *const limit_keys[] = {"max_rps", "grace", "abort_after", NULL};

/* Joins dir and rel unless rel is absolute. Returns -1 (out unchanged) when the result
 * does not fit: the caller names the field, since an error quoting a path of kilobytes
 * would be cut before saying what is wrong. */
static int join_path(char *out, size_t n, const char *dir, const char *rel)
{
    size_t dl = rel[0] == '/' ? 0 : strlen(dir), rl = strlen(rel);
    if (dl + 1 + rl + 1 > n)
        return -1;
    memcpy(out, dir, dl);
    if (dl)
        out[dl++] = '/';
    memcpy(out + dl, rel, rl);
    out[dl + rl] = 0;
    return 0;
}

static int parse_target(scenario *sc, const char *t, const char *path, char *err)
{
    const char *h, *end, *colon;
    int64_t port;
    char e[ST_ERRLEN], pbuf[16];
    if (!strncmp(t, "http://", 7)) {
        sc->https = 0;
        h = t + 7;
    } else if (!strncmp(t, "https://", 8)) {
        sc->https = 1;
        h = t + 8;
    } else {
        return st_err(err, ST_EINPUT, "%s: expected a base URL like http://127.0.0.1:8080", path);
    }
    end = h + strcspn(h, "/?#");
    if (*end == '/' && end[1] == 0)
        ; /* a trailing slash is harmless */
    else if (*end)
        return st_err(err, ST_EINPUT, "%s: expected a base URL without a path (routes add paths)",
                      path);
    colon = memchr(h, ':', (size_t)(end - h));
    size_t hl = (size_t)((colon ? colon : end) - h);
    if (hl == 0 || hl >= sizeof sc->host)
        return st_err(err, ST_EINPUT, "%s: missing host", path);
    memcpy(sc->host, h, hl);
    sc->host[hl] = 0;
    sc->port = sc->https ? 443 : 80;
    if (colon) {
        size_t pl = (size_t)(end - colon - 1);
        if (pl == 0 || pl >= sizeof pbuf)
            return st_err(err, ST_EINPUT, "%s: bad port", path);
        memcpy(pbuf, colon + 1, pl);
        pbuf[pl] = 0;
        if (units_parse_i64(pbuf, 1, 65535, &port, e))
            return st_err(err, ST_EINPUT, "%s: bad port: %s", path, e);
        sc->port = (int)port;
    }
    snprintf(sc->target, sizeof sc->target, "%.*s", (int)(end - t), t);
    return 0;
}

static int load_feeders(scenario *sc, json_t *fs, const char *dir, char *err)
{
    const char *k;
    json_t *v;
    char p[256], file[4096];
    int rc;
    json_object_foreach(fs, k, v) {
        const char *f, *col = "id";
        size_t i = sc->n_feeders;
        jv_key(p, sizeof p, "scenario.feeders", k);
        if (i == SC_MAX_FEEDERS)
            return st_err(err, ST_EINPUT, "scenario.feeders: at most %d feeders", SC_MAX_FEEDERS);
        if (!json_is_object(v))
            return st_err(err, ST_EINPUT, "%s: expected an object", p);
        if (!strcmp(k, "session") || !strcmp(k, "seq") || k[0] == '$' || strlen(k) >= 64 ||
            strpbrk(k, "{}"))
            return st_err(err, ST_EINPUT, "%s: reserved or invalid feeder name", p);
        int64_t count = 0;
        const char *pat = "{rank}";
        f = NULL;
        if ((rc = jv_no_unknown(v, p, feeder_keys, err)) ||
            (rc = jv_int(v, p, "count", 0, 1, FEEDER_SYNTH_MAX, &count, err)) ||
            (rc = jv_string(v, p, "file", count == 0, &f, err)) ||
            (rc = jv_string(v, p, "pattern", 0, &pat, err)) ||
            (rc = jv_string(v, p, "column", 0, &col, err)) ||
            (rc = jv_number(v, p, "zipf_s", 0, 1e-6, 20, &sc->feeder_zipf[i], err)))
            return rc;
        if (f && count)
            return st_err(err, ST_EINPUT, "%s: give either file or count, not both", p);
        if (count) {
            char e[ST_ERRLEN];
            if ((rc = feeder_synth(&sc->feeders[i], (uint64_t)count, pat, e)))
                return st_err(err, rc, "%s: %s", p, e);
        } else if (join_path(file, sizeof file, dir, f)) {
            return st_err(err, ST_EINPUT, "%s.file: path too long", p);
        } else if ((rc = feeder_load(&sc->feeders[i], file, col, err))) {
            return rc;
        }
        snprintf(sc->feeder_names[i], 64, "%s", k);
        sc->names.feeders[i] = sc->feeder_names[i];
        sc->names.n_feeders = ++sc->n_feeders;
        if (tmpl_var_index(&sc->names, k) != (int)i)
            return st_err(err, ST_EINPUT, "%s: too many feeders", p);
    }
    return 0;
}

static int load_sessions_http(scenario *sc, json_t *root, char *err)
{
    static const char *const conns[] = {"per-session", "pooled", NULL};
    json_t *s = NULL, *h = NULL, *hdr = NULL, *l = NULL;
    int64_t mr = 50, ma = 20000, ps = 100;
    int conn = 0, rc;
    sc->think_scale = 1;
    sc->cookies = 1;
    sc->use_hawkes = 1;
    sc->timeout = 10;
    sc->connect_timeout = 3;
    sc->traceparent = 1;
    sc->grace = 10;
    sc->abort_after = 10;
    if ((rc = jv_object(root, "scenario", "sessions", 0, &s, err)) ||
        (rc = jv_object(root, "scenario", "http", 0, &h, err)) ||
        (rc = jv_object(root, "scenario", "limits", 0, &l, err)))
        return rc;
    if (s && ((rc = jv_no_unknown(s, "scenario.sessions", session_keys, err)) ||
              (rc = jv_int(s, "scenario.sessions", "max_requests", 0, 1, 100000, &mr, err)) ||
              (rc = jv_int(s, "scenario.sessions", "max_active", 0, 1, 10000000, &ma, err)) ||
              (rc = jv_factor(s, "scenario.sessions", "think_scale", 0, &sc->think_scale, err)) ||
              (rc = jv_enum(s, "scenario.sessions", "connection", 0, conns, &conn, err)) ||
              (rc = jv_int(s, "scenario.sessions", "pool_size", 0, 1, 100000, &ps, err)) ||
              (rc = jv_bool(s, "scenario.sessions", "cookies", 0, &sc->cookies, err)) ||
              (rc = jv_bool(s, "scenario.sessions", "hawkes", 0, &sc->use_hawkes, err))))
        return rc;
    sc->max_requests = (unsigned)mr;
    sc->max_active = (unsigned)ma;
    sc->pool_size = (unsigned)ps;
    sc->per_session_conn = conn == 0;
    if (h &&
        ((rc = jv_no_unknown(h, "scenario.http", http_keys, err)) ||
         (rc = jv_duration(h, "scenario.http", "timeout", 0, &sc->timeout, err)) ||
         (rc = jv_duration(h, "scenario.http", "connect_timeout", 0, &sc->connect_timeout, err)) ||
         (rc = jv_bool(h, "scenario.http", "traceparent", 0, &sc->traceparent, err)) ||
         (rc = jv_object(h, "scenario.http", "headers", 0, &hdr, err))))
        return rc;
    if (sc->timeout <= 0 || sc->connect_timeout <= 0)
        return st_err(err, ST_EINPUT, "scenario.http: timeouts must be > 0");
    if (hdr && (rc = sc_headers_load(sc, hdr, "scenario.http.headers", sc->header_names,
                                     sc->header_vals, &sc->n_headers, err)))
        return rc;
    if (l && ((rc = jv_no_unknown(l, "scenario.limits", limit_keys, err)) ||
              (rc = jv_rate(l, "scenario.limits", "max_rps", 0, &sc->max_rps, err)) ||
              (rc = jv_duration(l, "scenario.limits", "grace", 0, &sc->grace, err)) ||
              (rc = jv_duration(l, "scenario.limits", "abort_after", 0, &sc->abort_after, err))))
        return rc;
    return 0;
}

static int load_stages(scenario *sc, json_t *st, double *total, char *err)
{
    static const char *const curves[] = {"linear", "exponential", NULL};
    char p[128];
    int rc;
    *total = 0;
    if (!st) {
        sc->n_stages = 1;
        sc->stages[0] = (sc_stage){INFINITY, 1, 1, CURVE_LINEAR};
        return 0;
    }
    if (json_array_size(st) == 0 || json_array_size(st) > SC_MAX_STAGES)
        return st_err(err, ST_EINPUT, "scenario.stages: expected 1..%d stages", SC_MAX_STAGES);
    for (size_t i = 0; i < json_array_size(st); i++) {
        json_t *s = json_array_get(st, i);
        sc_stage *g = &sc->stages[i];
        jv_path(p, sizeof p, "scenario.stages", i);
        if (!json_is_object(s))
            return st_err(err, ST_EINPUT, "%s: expected an object", p);
        if ((rc = jv_no_unknown(s, p, stage_keys, err)) ||
            (rc = jv_duration(s, p, "duration", 1, &g->dur, err)) ||
            (rc = jv_number(s, p, "to", 1, 0, 1e6, &g->to, err)))
            return rc;
        g->from = i ? sc->stages[i - 1].to : g->to;
        if ((rc = jv_number(s, p, "from", 0, 0, 1e6, &g->from, err)) ||
            (rc = jv_enum(s, p, "curve", 0, curves, &g->curve, err)))
            return rc;
        if (g->curve == CURVE_EXP && (g->from <= 0 || g->to <= 0))
            return st_err(err, ST_EINPUT, "%s: an exponential stage needs from > 0 and to > 0", p);
        *total += g->dur;
    }
    sc->n_stages = json_array_size(st);
    return 0;
}

static int load_event(scenario *sc, json_t *e, size_t i, const char *p, char *err)
{
    sc_event *ev = &sc->events[i];
    json_t *hot = NULL, *ranks = NULL;
    const char *name = NULL, *fname;
    double sessions = 0;
    int64_t from = -1;
    char q[160];
    int rc;
    snprintf(ev->name, sizeof ev->name, "event%zu", i);
    ev->hot_share = 0.6;
    if (!json_is_object(e))
        return st_err(err, ST_EINPUT, "%s: expected an object", p);
    if ((rc = jv_no_unknown(e, p, event_keys, err)) ||
        (rc = jv_string(e, p, "name", 0, &name, err)) ||
        (rc = jv_duration(e, p, "at", 1, &ev->at, err)) ||
        (rc = jv_int(e, p, "from_model", 0, 0, MODEL_MAX_EPISODES - 1, &from, err)) ||
        (rc = jv_object(e, p, "hot", 1, &hot, err)))
        return rc;
    if (name)
        snprintf(ev->name, sizeof ev->name, "%s", name);
    if (from >= 0) {
        const model_episode *me;
        if ((size_t)from >= sc->m.n_episodes)
            return st_err(err, ST_EINPUT, "%s.from_model: the model has %zu burst episodes", p,
                          sc->m.n_episodes);
        me = &sc->m.episodes[from];
        /* The episode's session count includes the baseline that kept arriving during it;
         * an event adds sessions on top of the baseline, so it takes the excess only
         * (excess_sessions, else sessions - baseline_rate x duration_s; without a baseline
         * the count as is). A hot share read over the episode's window (not "follows":
         * "sessions") mixes crowd and baseline requests: the event's share per session is
         * the one that mixes back to it (share x all / excess, at most 1). */
        sessions = me->sessions;
        double excess = me->excess_sessions >= 0
                            ? me->excess_sessions
                            : me->sessions - me->baseline_rate * me->duration_s;
        if ((me->excess_sessions >= 0 || me->baseline_rate > 0) && excess >= 1 &&
            excess < me->sessions)
            sessions = excess;
        ev->ramp = me->ramp_s;
        ev->decay = me->decay_s;
        ev->hold = fmax(0, me->duration_s - me->ramp_s - me->decay_s);
        ev->hot_share = me->follows_sessions
                            ? me->top_k_share
                            : fmin(1, me->top_k_share * me->sessions / fmax(sessions, 1));
        ev->n_ranks = me->n_hot;
        memcpy(ev->ranks, me->hot_ranks, sizeof ev->ranks);
    } else if ((rc = jv_number(e, p, "sessions", 1, 1, 1e9, &sessions, err)) ||
               (rc = jv_duration(e, p, "ramp", 1, &ev->ramp, err)))
        return rc;
    if ((rc = jv_duration(e, p, "hold", 0, &ev->hold, err)) ||
        (rc = jv_duration(e, p, "decay", 0, &ev->decay, err)) ||
        (rc = jv_number(e, p, "hot_share", 0, 0, 1, &ev->hot_share, err)))
        return rc;
    if (ev->ramp + ev->hold + ev->decay <= 0)
        return st_err(err, ST_EINPUT, "%s: ramp + hold + decay must be > 0", p);
    jv_key(q, sizeof q, p, "hot");
    if ((rc = jv_string(hot, q, "feeder", 1, &fname, err)) ||
        (rc = jv_array(hot, q, "ranks", from < 0, &ranks, err)))
        return rc;
    ev->hot_feeder = -1;
    for (size_t f = 0; f < sc->n_feeders; f++)
        if (!strcmp(sc->feeder_names[f], fname))
            ev->hot_feeder = (int)f;
    if (ev->hot_feeder < 0)
        return st_err(err, ST_EINPUT, "%s.feeder: no feeder named '%s'", q, fname);
    if (ranks) {
        if (json_array_size(ranks) == 0 || json_array_size(ranks) > SC_MAX_HOT)
            return st_err(err, ST_EINPUT, "%s.ranks: expected 1..%d ranks", q, SC_MAX_HOT);
        ev->n_ranks = json_array_size(ranks);
        for (size_t k = 0; k < ev->n_ranks; k++) {
            json_t *r = json_array_get(ranks, k);
            ev->ranks[k] = json_is_integer(r) ? (uint64_t)json_integer_value(r) : 0;
        }
    }
    for (size_t k = 0; k < ev->n_ranks; k++)
        if (ev->ranks[k] < 1 || ev->ranks[k] > sc->feeders[ev->hot_feeder].n)
            return st_err(err, ST_EINPUT,
                          "%s.ranks[%zu]: expected a rank in 1..%zu (the feeder's rows)", q, k,
                          sc->feeders[ev->hot_feeder].n);
    ev->sessions = (uint64_t)llround(sessions * sc->scale);
    return 0;
}

static int load_thresholds(scenario *sc, json_t *th, char *err)
{
    char p[128];
    int rc;
    if (json_array_size(th) > SC_MAX_THRESHOLDS)
        return st_err(err, ST_EINPUT, "scenario.thresholds: at most %d", SC_MAX_THRESHOLDS);
    for (size_t i = 0; i < json_array_size(th); i++) {
        json_t *t = json_array_get(th, i);
        const char *expr;
        int ab = 0;
        jv_path(p, sizeof p, "scenario.thresholds", i);
        if (json_is_string(t)) {
            expr = json_string_value(t);
        } else if (json_is_object(t)) {
            static const char *const keys[] = {"expr", "abort", NULL};
            if ((rc = jv_no_unknown(t, p, keys, err)) ||
                (rc = jv_string(t, p, "expr", 1, &expr, err)) ||
                (rc = jv_bool(t, p, "abort", 0, &ab, err)))
                return rc;
        } else {
            return st_err(err, ST_EINPUT, "%s: expected a string or {\"expr\":..,\"abort\":..}", p);
        }
        if ((rc = thr_parse(&sc->thresholds[i], expr, p, err)))
            return rc;
        sc->thresholds[i].abort = ab;
        sc->n_thresholds = i + 1;
    }
    return 0;
}

static int load_root(scenario *sc, json_t *root, const char *dir, const sc_overrides *ov, char *err)
{
    const char *fmt, *name = NULL, *mpath, *target, *fdir = NULL;
    json_t *feeders = NULL, *routes, *stages = NULL, *events = NULL, *th = NULL;
    int64_t ver, seed = 1;
    double stage_total;
    char buf[4096], fdirbuf[4096];
    int rc;
    if (!json_is_object(root))
        return st_err(err, ST_EINPUT, "scenario: expected a JSON object");
    if ((rc = jv_string(root, "scenario", "format", 1, &fmt, err)))
        return rc;
    if (strcmp(fmt, ST_FMT_SCENARIO))
        return st_err(err, ST_EINPUT, "scenario.format: expected \"" ST_FMT_SCENARIO "\"");
    sc->scale = 1;
    if ((rc = jv_version(root, "scenario", ST_FMT_SCENARIO_VERSION, &ver, err)) ||
        (rc = jv_no_unknown(root, "scenario", top_keys, err)) ||
        (rc = jv_string(root, "scenario", "name", 0, &name, err)) ||
        (rc = jv_string(root, "scenario", "model", 1, &mpath, err)) ||
        (rc = jv_string(root, "scenario", "target", 1, &target, err)) ||
        (rc = jv_int(root, "scenario", "seed", 0, 0, INT64_MAX, &seed, err)) ||
        (rc = jv_duration(root, "scenario", "duration", 0, &sc->duration, err)) ||
        (rc = jv_factor(root, "scenario", "scale", 0, &sc->scale, err)) ||
        (rc = jv_string(root, "scenario", "feeders_dir", 0, &fdir, err)) ||
        (rc = jv_object(root, "scenario", "feeders", 0, &feeders, err)) ||
        (rc = jv_object(root, "scenario", "routes", 1, &routes, err)) ||
        (rc = jv_array(root, "scenario", "stages", 0, &stages, err)) ||
        (rc = jv_array(root, "scenario", "events", 0, &events, err)) ||
        (rc = jv_array(root, "scenario", "thresholds", 0, &th, err)))
        return rc;
    sc->seed = ov->has_seed ? ov->seed : (uint64_t)seed;
    if (ov->has_scale)
        sc->scale = ov->scale;
    if ((rc = parse_target(sc, ov->target ? ov->target : target,
                           ov->target ? "--target" : "scenario.target", err)))
        return rc;
    snprintf(sc->name, sizeof sc->name, "%s", name ? name : "scenario");
    if (join_path(sc->model_path, sizeof sc->model_path, dir, mpath))
        return st_err(err, ST_EINPUT, "scenario.model: path too long");
    if ((rc = model_load(&sc->m, sc->model_path, err)))
        return rc;
    if (!sc->m.hawkes_fitted)
        sc->m.branching = 0;
    if (ov->feeders_dir)
        snprintf(fdirbuf, sizeof fdirbuf, "%s", ov->feeders_dir);
    else if (!fdir)
        snprintf(fdirbuf, sizeof fdirbuf, "%s", dir);
    else if (join_path(fdirbuf, sizeof fdirbuf, dir, fdir))
        return st_err(err, ST_EINPUT, "scenario.feeders_dir: path too long");
    if ((feeders && (rc = load_feeders(sc, feeders, fdirbuf, err))) ||
        (rc = load_sessions_http(sc, root, err)) ||
        (rc = sc_http_load(sc, json_object_get(root, "http"), json_object_get(root, "tls"), dir,
                           err)) ||
        (rc = sc_routes_load(sc, routes, err)) || (rc = load_stages(sc, stages, &stage_total, err)))
        return rc;
    if (!sc->use_hawkes)
        sc->m.branching = 0;
    if (ov->has_duration)
        sc->duration = ov->duration;
    else if (!json_object_get(root, "duration"))
        sc->duration = stages ? stage_total : 0;
    if (sc->duration <= 0)
        return st_err(err, ST_EINPUT,
                      "scenario.duration: a bounded run needs a duration (or stages)");
    if (ov->has_max_rps)
        sc->max_rps = ov->max_rps;
    if (events && json_array_size(events) > SC_MAX_EVENTS)
        return st_err(err, ST_EINPUT, "scenario.events: at most %d events", SC_MAX_EVENTS);
    for (size_t i = 0; events && i < json_array_size(events); i++) {
        jv_path(buf, sizeof buf, "scenario.events", i);
        if ((rc = load_event(sc, json_array_get(events, i), i, buf, err)))
            return rc;
        sc->n_events = i + 1;
    }
    if ((rc = sc_ident_load(sc, root, ov, err)) ||
        (rc = sc_ws_load(sc, json_object_get(root, "websockets"), err)))
        return rc;
    if (th && (rc = load_thresholds(sc, th, err)))
        return rc;
    coverage_compute(sc, &sc->cov);
    if (sc->unmapped_error && sc->cov.n_missing) {
        /* One line naming as many routes as fit; the count says how many there are. */
        size_t len = (size_t)snprintf(err, ST_ERRLEN,
                                      "scenario.unmapped: \"error\" and %zu model route%s "
                                      "not sent:",
                                      sc->cov.n_missing, sc->cov.n_missing > 1 ? "s are" : " is");
        for (size_t i = 0; i < sc->cov.n_missing && len + 1 < ST_ERRLEN; i++)
            len += (size_t)snprintf(err + len, ST_ERRLEN - len, "%s %s (%.1f%%, %s)", i ? "," : "",
                                    sc->m.routes[sc->cov.missing[i]].template_,
                                    100 * sc->cov.missing_share[i], coverage_why(sc->cov.why[i]));
        return ST_EINPUT;
    }
    return 0;
}

int scenario_load(scenario *sc, const char *path, const sc_overrides *ov, char *err)
{
    json_t *root;
    char tmp[4096], dir[4096];
    int rc;
    memset(sc, 0, sizeof *sc);
    snprintf(sc->path, sizeof sc->path, "%s", path);
    snprintf(tmp, sizeof tmp, "%s", path);
    snprintf(dir, sizeof dir, "%s", dirname(tmp));
    root = jsonio_load(path, err);
    if (!root)
        return ST_EINPUT;
    /* The hash identifies the scenario in results (merge refuses different scenarios). */
    char *canon = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
    sc->hash = canon ? rng_stream_id(canon) : 0;
    free(canon);
    rc = load_root(sc, root, dir, ov, err);
    json_decref(root);
    if (rc)
        scenario_term(sc);
    return rc;
}

void scenario_term(scenario *sc)
{
    sc_routes_term(sc);
    sc_ws_term(sc);
    for (size_t i = 0; i < SC_MAX_FEEDERS; i++)
        feeder_term(&sc->feeders[i]);
    for (size_t i = 0; i < SC_MAX_HEADERS; i++)
        tmpl_term(&sc->header_vals[i]);
    model_term(&sc->m);
    sc->n_feeders = 0;
}

double scenario_stage(const scenario *sc, double t)
{
    double t0 = 0;
    for (size_t i = 0; i < sc->n_stages; i++) {
        const sc_stage *g = &sc->stages[i];
        if (t < t0 + g->dur) {
            double x = g->dur > 0 && isfinite(g->dur) ? (t - t0) / g->dur : 1;
            if (g->curve == CURVE_EXP)
                return g->from * pow(g->to / g->from, x);
            return g->from + (g->to - g->from) * x;
        }
        t0 += g->dur;
    }
    return sc->stages[sc->n_stages - 1].to;
}

double scenario_base_rate(const scenario *sc, double t)
{
    double prof = sc->has_clock ? model_profile(&sc->m, sc->clock_start + t * sc->clock_speed) : 1;
    return sc->m.session_rate * prof * scenario_stage(sc, t) * sc->scale;
}
