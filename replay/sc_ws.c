/*
 * sc_ws.c -- loading the `websockets` section (see sc_ws.h).
 */
#include "sc_ws.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "jsonio.h"
#include "units.h"

/* clang-format off */
static const char *const ws_keys[] = {"count", "share", "at", "ramp", "path", "subscribe",
    "message", "messages_per_min", "duration", "ping_interval", "pong_timeout",
    "handshake_timeout", "reconnect", NULL};
/* clang-format on */
static const char *const reconnect_keys[] = {"max", "backoff", NULL};

/* The model's websockets.share_of_sessions and duration params, when present. */
static int model_defaults(scenario *sc, double *share, int *has_dur, char *err)
{
    json_t *root = jsonio_load(sc->model_path, err), *w, *d, *p;
    *share = 0;
    *has_dur = 0;
    if (!root)
        return ST_EINPUT;
    w = json_object_get(root, "websockets");
    if (json_is_object(w)) {
        json_t *s = json_object_get(w, "share_of_sessions");
        if (json_is_number(s))
            *share = json_number_value(s);
        d = json_object_get(w, "duration");
        p = json_is_object(d) ? json_object_get(d, "params") : NULL;
        if (json_is_object(p) && json_is_number(json_object_get(p, "mu")) &&
            json_is_number(json_object_get(p, "sigma")) &&
            json_is_string(json_object_get(d, "dist")) &&
            !strcmp(json_string_value(json_object_get(d, "dist")), "lognormal")) {
            sc->ws.dur_mu = json_number_value(json_object_get(p, "mu"));
            sc->ws.dur_sigma = json_number_value(json_object_get(p, "sigma"));
            *has_dur = sc->ws.dur_sigma >= 0 && isfinite(sc->ws.dur_mu);
        }
    }
    json_decref(root);
    if (!(*share >= 0 && *share <= 1))
        *share = 0;
    return 0;
}

static int load_duration(scenario *sc, json_t *ws, int model_has_dur, char *err)
{
    json_t *d = json_object_get(ws, "duration");
    const char *s;
    char e[ST_ERRLEN];
    if (!d) {
        if (!model_has_dur)
            return st_err(err, ST_EINPUT,
                          "scenario.websockets.duration: the model has no lognormal "
                          "websockets.duration; give \"fixed 10m\", \"session\" or \"run\"");
        sc->ws.dur_mode = SCWS_DUR_MODEL;
        return 0;
    }
    if (json_is_number(d) && json_number_value(d) > 0) {
        sc->ws.dur_mode = SCWS_DUR_FIXED;
        sc->ws.dur_fixed = json_number_value(d);
        return 0;
    }
    if (!json_is_string(d))
        goto bad;
    s = json_string_value(d);
    if (!strcmp(s, "model")) {
        if (!model_has_dur)
            return st_err(
                err, ST_EINPUT,
                "scenario.websockets.duration: the model has no lognormal websockets.duration");
        sc->ws.dur_mode = SCWS_DUR_MODEL;
    } else if (!strcmp(s, "session") || !strcmp(s, "until the session ends")) {
        sc->ws.dur_mode = SCWS_DUR_SESSION;
    } else if (!strcmp(s, "run") || !strcmp(s, "until the run ends")) {
        sc->ws.dur_mode = SCWS_DUR_RUN;
    } else {
        if (!strncmp(s, "fixed ", 6))
            s += 6;
        if (units_parse_duration(s, &sc->ws.dur_fixed, e) || sc->ws.dur_fixed <= 0)
            goto bad;
        sc->ws.dur_mode = SCWS_DUR_FIXED;
    }
    return 0;
bad:
    return st_err(err, ST_EINPUT,
                  "scenario.websockets.duration: expected \"model\", \"fixed 10m\", "
                  "\"session\" (until the session ends) or \"run\" (until the run ends)");
}

/* Marks the feeders a template draws from or refers to ({products} or {$products}). */
static void mark_feeders(scenario *sc, const tmpl *t)
{
    for (size_t i = 0; i < t->n_parts; i++)
        if ((t->parts[i].kind == TP_FEEDER || t->parts[i].kind == TP_VAR) && t->parts[i].idx >= 0 &&
            (size_t)t->parts[i].idx < sc->n_feeders)
            sc->ws.uses_feeder[t->parts[i].idx] = 1;
}

int sc_ws_load(scenario *sc, json_t *ws, char *err)
{
    static const char *const P = "scenario.websockets";
    sc_ws *w = &sc->ws;
    json_t *rec = NULL;
    const char *path, *sub = NULL, *msg = NULL;
    double model_share, count = -1;
    int model_has_dur, rc;
    int64_t rmax = 3;
    memset(w, 0, sizeof *w);
    if (!ws)
        return 0;
    if (!json_is_object(ws))
        return st_err(err, ST_EINPUT, "%s: expected an object", P);
    if ((rc = model_defaults(sc, &model_share, &model_has_dur, err)))
        return rc;
    w->share = model_share;
    w->ping_interval = 30;
    w->handshake_timeout = 10;
    w->reconnect_backoff = 1;
    if ((rc = jv_no_unknown(ws, P, ws_keys, err)) ||
        (rc = jv_number(ws, P, "count", 0, 0, 1e7, &count, err)) ||
        (rc = jv_number(ws, P, "share", 0, 0, 1, &w->share, err)) ||
        (rc = jv_duration(ws, P, "at", 0, &w->at, err)) ||
        (rc = jv_duration(ws, P, "ramp", 0, &w->ramp, err)) ||
        (rc = jv_string(ws, P, "path", 1, &path, err)) ||
        (rc = jv_string(ws, P, "subscribe", 0, &sub, err)) ||
        (rc = jv_string(ws, P, "message", 0, &msg, err)) ||
        (rc = jv_number(ws, P, "messages_per_min", 0, 0, 60000, &w->msgs_per_min, err)) ||
        (rc = jv_duration(ws, P, "ping_interval", 0, &w->ping_interval, err)) ||
        (rc = jv_duration(ws, P, "pong_timeout", 0, &w->pong_timeout, err)) ||
        (rc = jv_duration(ws, P, "handshake_timeout", 0, &w->handshake_timeout, err)) ||
        (rc = jv_object(ws, P, "reconnect", 0, &rec, err)))
        return rc;
    if (json_object_get(ws, "count") && json_object_get(ws, "share"))
        return st_err(err, ST_EINPUT, "%s: give either count or share, not both", P);
    if (count >= 0 && (double)(int64_t)count != count)
        return st_err(err, ST_EINPUT, "%s.count: expected a whole number of sessions", P);
    if (count < 0 && (json_object_get(ws, "at") || json_object_get(ws, "ramp")))
        return st_err(err, ST_EINPUT, "%s: at and ramp apply to count (dedicated sessions) only",
                      P);
    if (path[0] != '/')
        return st_err(err, ST_EINPUT,
                      "%s.path: expected a path starting with /, e.g. \"/ws/inventory\"", P);
    if (w->handshake_timeout <= 0)
        return st_err(err, ST_EINPUT, "%s.handshake_timeout: must be > 0", P);
    if (rec &&
        ((rc = jv_no_unknown(rec, "scenario.websockets.reconnect", reconnect_keys, err)) ||
         (rc = jv_int(rec, "scenario.websockets.reconnect", "max", 0, 0, 1000, &rmax, err)) ||
         (rc = jv_duration(rec, "scenario.websockets.reconnect", "backoff", 0,
                           &w->reconnect_backoff, err))))
        return rc;
    w->reconnect_max = (unsigned)rmax;
    if ((rc = load_duration(sc, ws, model_has_dur, err)))
        return rc;
    if ((rc = tmpl_compile(&w->path, path, &sc->names, "scenario.websockets.path", err)) ||
        (sub && (rc = tmpl_compile(&w->subscribe, sub, &sc->names, "scenario.websockets.subscribe",
                                   err))) ||
        (msg &&
         (rc = tmpl_compile(&w->message, msg, &sc->names, "scenario.websockets.message", err))))
        return rc;
    w->has_subscribe = sub != NULL;
    w->has_message = msg != NULL;
    mark_feeders(sc, &w->path);
    mark_feeders(sc, &w->subscribe);
    mark_feeders(sc, &w->message);
    if (count >= 0) {
        w->mode = SCWS_COUNT;
        w->count = (uint64_t)count; /* exact: --scale does not change it */
        if (w->at >= sc->duration)
            return st_err(err, ST_EINPUT, "%s.at: must be inside the run (duration %.0f s)", P,
                          sc->duration);
    } else {
        w->mode = SCWS_SHARE;
    }
    return 0;
}

void sc_ws_term(scenario *sc)
{
    tmpl_term(&sc->ws.path);
    tmpl_term(&sc->ws.subscribe);
    tmpl_term(&sc->ws.message);
}
