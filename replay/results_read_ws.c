/*
 * results_read_ws.c -- WebSocket results back into metrics (see results_read_ws.h).
 */
#include "results_read_ws.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"

/* clang-format off */
static const char *const ws_keys[] = {"planned", "attempts", "opened", "reconnects",
    "handshake_failed", "aborted", "errors", "messages_in", "messages_out", "bytes_in",
    "bytes_out", "pushes", "handshake_failures", "ends", "closes", "handshake", "push_delay",
    NULL};
/* clang-format on */

static int u64(const json_t *o, const char *path, const char *key, uint64_t *out, char *err)
{
    int64_t v = 0;
    int rc = jv_int(o, path, key, 1, 0, INT64_MAX, &v, err);
    *out = (uint64_t)v;
    return rc;
}

/* A decimal key in [lo, hi], or -1. */
static long code_key(const char *k, long lo, long hi)
{
    char *end;
    long v = strtol(k, &end, 10);
    return *k && !*end && k[0] != '0' && v >= lo && v <= hi ? v : -1;
}

static int read_hist(const json_t *w, const char *key, hist **out, char *err)
{
    const json_t *h = json_object_get(w, key);
    char p[64];
    if (!h)
        return st_err(err, ST_EINPUT, "results.websockets.%s: missing", key);
    if (json_is_null(h))
        return 0;
    snprintf(p, sizeof p, "results.websockets.%s", key);
    hist_free(*out);
    return (*out = hist_from_json(h, p, err)) ? 0 : ST_EINPUT;
}

int results_read_ws(metrics *m, const json_t *root, char *err)
{
    static const char *const P = "results.websockets";
    json_t *w = json_object_get(root, "websockets"), *hs, *ends, *closes, *v;
    mx_ws *x = &m->ws;
    const char *k;
    int rc;
    if (!w)
        return 0;
    if (!json_is_object(w))
        return st_err(err, ST_EINPUT, "%s: expected an object", P);
    m->has_ws = 1;
    if ((rc = jv_no_unknown(w, P, ws_keys, err)) || (rc = u64(w, P, "planned", &x->planned, err)) ||
        (rc = u64(w, P, "attempts", &x->attempts, err)) ||
        (rc = u64(w, P, "opened", &x->opened, err)) ||
        (rc = u64(w, P, "reconnects", &x->reconnects, err)) ||
        (rc = u64(w, P, "handshake_failed", &x->hs_failed, err)) ||
        (rc = u64(w, P, "aborted", &x->aborted, err)) ||
        (rc = u64(w, P, "errors", &x->errors, err)) ||
        (rc = u64(w, P, "messages_in", &x->msgs_in, err)) ||
        (rc = u64(w, P, "messages_out", &x->msgs_out, err)) ||
        (rc = u64(w, P, "bytes_in", &x->bytes_in, err)) ||
        (rc = u64(w, P, "bytes_out", &x->bytes_out, err)) ||
        (rc = u64(w, P, "pushes", &x->pushes, err)) ||
        (rc = jv_object(w, P, "handshake_failures", 1, &hs, err)) ||
        (rc = jv_object(w, P, "ends", 1, &ends, err)) ||
        (rc = jv_object(w, P, "closes", 1, &closes, err)))
        return rc;
    for (int i = 0; i < WSF_N; i++)
        if ((rc = u64(hs, "results.websockets.handshake_failures", mx_ws_hsfail_names[i],
                      &x->hs_kind[i], err)))
            return rc;
    json_object_foreach(hs, k, v) {
        long st = code_key(k, 100, MX_WS_STATUS - 1);
        int named = 0;
        for (int i = 0; i < WSF_N; i++)
            named |= !strcmp(k, mx_ws_hsfail_names[i]);
        if (named)
            continue;
        if (st < 0 || !json_is_integer(v) || json_integer_value(v) < 0)
            return st_err(err, ST_EINPUT,
                          "%s.handshake_failures.%s: expected an HTTP status 100..599 with a count",
                          P, k);
        x->hs_status[st] = (uint64_t)json_integer_value(v);
    }
    /* jv_no_unknown walks its list to a NULL, which mx_ws_end_names[WSE_N] does not have. */
    const char *end_keys[WSE_N + 1] = {0};
    for (int i = 0; i < WSE_N; i++)
        end_keys[i] = mx_ws_end_names[i];
    if ((rc = jv_no_unknown(ends, "results.websockets.ends", end_keys, err)))
        return rc;
    for (int i = 0; i < WSE_N; i++)
        if ((rc = u64(ends, "results.websockets.ends", mx_ws_end_names[i], &x->ends[i], err)))
            return rc;
    json_object_foreach(closes, k, v) {
        long code = strcmp(k, "other") ? code_key(k, 1, 65535) : 0;
        if (code < 0 || !json_is_integer(v) || json_integer_value(v) < 0)
            return st_err(err, ST_EINPUT, "%s.closes.%s: expected a close code with a count", P, k);
        if (code == 0)
            x->close_other = (uint64_t)json_integer_value(v);
        else
            metrics_ws_close_add(m, (uint16_t)code, (uint64_t)json_integer_value(v));
    }
    if ((rc = read_hist(w, "handshake", &x->handshake, err)) ||
        (rc = read_hist(w, "push_delay", &x->push_delay, err)))
        return rc;
    return 0;
}

int results_read_ws_second(mx_second *s, const json_t *o, const char *path, char *err)
{
    static const char *const keys[] = {"ws_open", "ws_opened", "ws_messages_in", "ws_errors"};
    uint32_t *dst[] = {&s->ws_open, &s->ws_opened, &s->ws_msgs_in, &s->ws_errors};
    int64_t v;
    int rc;
    for (int i = 0; i < 4; i++) {
        if (!json_object_get(o, keys[i]))
            continue;
        if ((rc = jv_int(o, path, keys[i], 1, 0, UINT32_MAX, &v, err)))
            return rc;
        *dst[i] = (uint32_t)v;
    }
    return 0;
}
