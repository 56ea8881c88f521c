/*
 * thresholds.c -- parsing and judging threshold expressions (see thresholds.h). Measuring a
 * request metric is metrics.c's (metrics_measure) or live.c's (live_measure), which own the
 * data; thr_eval() picks the source and compares.
 */
#include "thresholds.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live.h"
#include "metrics.h"
#include "probe.h"
#include "units.h"

/* clang-format off */
static const char *const metric_names[THR_NMETRICS] = {"latency", "service", "lateness",
    "errors", "checks", "dropped", "late", "requests", "ws_handshake", "ws_push_delay",
    "ws_errors", "ws_handshake_failed", "ws_reconnects", "ws_opened", "ws_messages_in",
    "ws_messages_out", "ws_open", "db.*"};
/* clang-format on */

int thr_metric_kind(int m)
{
    if (m <= THR_LATENESS || m == THR_WS_HANDSHAKE || m == THR_WS_PUSH_DELAY)
        return THR_TIMED;
    if (m == THR_WS_OPEN || m == THR_DB)
        return THR_GAUGE;
    return THR_COUNTED;
}

static const char *skip(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    return s;
}

static int parse_agg(thr *t, const char *a, size_t n)
{
    char buf[16];
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, a, n);
    buf[n] = 0;
    if (!strcmp(buf, "mean"))
        t->agg = THR_MEAN;
    else if (!strcmp(buf, "max"))
        t->agg = THR_MAX;
    else if (!strcmp(buf, "min"))
        t->agg = THR_MIN;
    else if (!strcmp(buf, "rate"))
        t->agg = THR_RATE;
    else if (!strcmp(buf, "count"))
        t->agg = THR_COUNT;
    else if (buf[0] == 'p' && buf[1]) {
        char e[ST_ERRLEN];
        if (units_parse_double(buf + 1, &t->pct, e) || t->pct <= 0 || t->pct > 100)
            return -1;
        t->agg = THR_PCT;
    } else
        return -1;
    return 0;
}

static int parse_metric(thr *t, const char *m, size_t n)
{
    if (n > 3 && !memcmp(m, "db.", 3)) {
        if (n >= sizeof t->db_name)
            return -1;
        memcpy(t->db_name, m, n);
        t->db_name[n] = 0;
        if (probe_metric_index(t->db_name) < 0)
            return -1;
        t->metric = THR_DB;
        return 0;
    }
    for (int i = 0; i < THR_DB; i++)
        if (strlen(metric_names[i]) == n && !memcmp(metric_names[i], m, n)) {
            t->metric = i;
            return 0;
        }
    return -1;
}

/* Parses {route="...",status="2xx"}; s points after '{'. Returns the position after '}'. */
static const char *parse_labels(thr *t, const char *s)
{
    for (;;) {
        const char *eq, *q;
        s = skip(s);
        if (*s == '}')
            return s + 1;
        eq = strchr(s, '=');
        if (!eq || eq[1] != '"')
            return NULL;
        q = strchr(eq + 2, '"');
        if (!q)
            return NULL;
        size_t kn = (size_t)(eq - s), vn = (size_t)(q - eq - 2);
        if (kn == 5 && !memcmp(s, "route", 5)) {
            if (vn >= sizeof t->route)
                return NULL;
            memcpy(t->route, eq + 2, vn);
            t->route[vn] = 0;
        } else if (kn == 6 && !memcmp(s, "status", 6)) {
            if (vn != 3 || eq[2] < '1' || eq[2] > '5' || memcmp(eq + 3, "xx", 2))
                return NULL;
            t->status_class = eq[2] - '0';
        } else {
            return NULL;
        }
        s = skip(q + 1);
        if (*s == ',')
            s++;
    }
}

int thr_parse(thr *t, const char *expr, const char *path, char *err)
{
    const char *s = skip(expr), *p, *end;
    char e[ST_ERRLEN], val[64];
    memset(t, 0, sizeof *t);
    snprintf(t->expr, sizeof t->expr, "%s", expr);
    if (strlen(expr) >= sizeof t->expr)
        goto bad;
    p = strchr(s, '(');
    if (!p || parse_agg(t, s, (size_t)(p - s)))
        return st_err(
            err, ST_EINPUT,
            "%s: expected AGG(METRIC) OP VALUE with AGG one of pNN, mean, max, rate, count: '%s'",
            path, expr);
    s = skip(p + 1);
    for (p = s; isalnum((unsigned char)*p) || *p == '_' || *p == '.'; p++)
        ;
    if (parse_metric(t, s, (size_t)(p - s))) {
        if (p - s > 3 && !memcmp(s, "db.", 3))
            return st_err(
                err, ST_EINPUT,
                "%s: unknown probe metric '%.*s' in '%s' (db.connections, db.active, db.idle, "
                "db.idle_in_tx, db.waiting, db.headroom, ...: docs/replay/probe.md)",
                path, (int)(p - s), s, expr);
        return st_err(
            err, ST_EINPUT,
            "%s: unknown metric in '%s' (latency, service, lateness, errors, checks, dropped, "
            "late, requests, ws_handshake, ws_push_delay, ws_errors, ws_handshake_failed, "
            "ws_reconnects, ws_opened, ws_messages_in, ws_messages_out, ws_open, db.*)",
            path, expr);
    }
    s = skip(p);
    if (*s == '{' && !(s = parse_labels(t, s + 1)))
        return st_err(err, ST_EINPUT, "%s: bad labels in '%s' (route=\"...\", status=\"2xx\")",
                      path, expr);
    s = skip(s);
    if (*s != ')')
        goto bad;
    s = skip(s + 1);
    if (s[0] == '<' && s[1] == '=')
        t->op = THR_LE, s += 2;
    else if (s[0] == '>' && s[1] == '=')
        t->op = THR_GE, s += 2;
    else if (s[0] == '<')
        t->op = THR_LT, s++;
    else if (s[0] == '>')
        t->op = THR_GT, s++;
    else
        goto bad;
    s = skip(s);
    end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        end--;
    if (end == s || (size_t)(end - s) >= sizeof val)
        goto bad;
    memcpy(val, s, (size_t)(end - s));
    val[end - s] = 0;
    int kind = thr_metric_kind(t->metric), timed = kind == THR_TIMED;
    int hist_agg = t->agg <= THR_MAX || t->agg == THR_MIN;
    if ((kind == THR_COUNTED) == hist_agg || (kind == THR_GAUGE && t->agg == THR_PCT))
        return st_err(err, ST_EINPUT,
                      "%s: rate()/count() apply to counted metrics (errors, checks, dropped, late, "
                      "requests, ws_errors, ws_handshake_failed, ws_reconnects, ws_opened, "
                      "ws_messages_in/out); pNN/mean/max/min to latency, service, lateness, "
                      "ws_handshake, ws_push_delay; max/min/mean to ws_open and db.*: '%s'",
                      path, expr);
    if ((t->route[0] || t->status_class) && t->metric > THR_REQUESTS)
        return st_err(err, ST_EINPUT, "%s: route/status labels apply to HTTP metrics only: '%s'",
                      path, expr);
    if (timed) {
        double sec;
        if (units_parse_duration(val, &sec, e))
            return st_err(err, ST_EINPUT,
                          "%s: expected a duration like 300ms after the operator: '%s'", path,
                          expr);
        t->value = sec * 1e6;
    } else if (t->agg == THR_RATE) {
        size_t n = strlen(val);
        double v;
        int pct = n > 1 && val[n - 1] == '%';
        if (pct)
            val[n - 1] = 0;
        if (units_parse_double(val, &v, e) || v < 0)
            return st_err(err, ST_EINPUT, "%s: expected a rate like 1%% or 0.01: '%s'", path, expr);
        t->value = pct ? v / 100 : v;
    } else if (units_parse_double(val, &t->value, e)) {
        return st_err(err, ST_EINPUT, "%s: expected a number after the operator: '%s'", path, expr);
    }
    return 0;
bad:
    return st_err(err, ST_EINPUT,
                  "%s: expected AGG(METRIC{labels}) OP VALUE, e.g. p95(latency) < 300ms: '%s'",
                  path, expr);
}

int thr_compare(const thr *t, double v)
{
    switch (t->op) {
    case THR_LT: return v < t->value;
    case THR_LE: return v <= t->value;
    case THR_GT: return v > t->value;
    default: return v >= t->value;
    }
}

/* The probe aggregate a db.* rule reads: min() and mean() as written, max() otherwise. */
static enum probe_stat db_stat(const thr *t)
{
    return t->agg == THR_MIN ? PROBE_MIN : t->agg == THR_MEAN ? PROBE_MEAN : PROBE_MAX;
}

int thr_eval(const thr *t, const thr_src *src, double *value)
{
    int have;
    *value = NAN;
    if (t->metric == THR_DB) {
        if (src->defer_db)
            return THR_DEFERRED;
        if (src->pr)
            have = probe_metric_stat(src->pr, t->db_name, db_stat(t), value, NULL) == 0;
        else
            have = src->db &&
                   probe_json_metric_stat(src->db, t->db_name, db_stat(t), value, NULL) == 0;
        if (!have)
            *value = NAN;
    } else if (src->live) {
        have = live_measure(t, src->live, value);
    } else {
        *value = src->m ? metrics_measure(src->m, t, src->route_names) : NAN;
        have = 1;
    }
    if (!have && src->live)
        return THR_NOVALUE;
    /* NAN compares false with every operator: a rule without a value fails. */
    return thr_compare(t, *value) ? THR_PASSED : THR_FAILED;
}

size_t thr_eval_all(const thr *ts, size_t n, const thr_src *src, double *values, int *verdicts)
{
    size_t failed = 0;
    for (size_t i = 0; i < n; i++) {
        verdicts[i] = thr_eval(&ts[i], src, &values[i]);
        failed += verdicts[i] == THR_FAILED;
    }
    return failed;
}

char *thr_fmt_value(const thr *t, double v, char *buf, size_t n)
{
    if (thr_metric_kind(t->metric) == THR_TIMED)
        units_fmt_duration(buf, n, v / 1e6);
    else if (t->agg == THR_RATE)
        snprintf(buf, n, "%.3g%%", v * 100);
    else if (t->agg == THR_COUNT || v == floor(v))
        snprintf(buf, n, "%.0f", v);
    else
        snprintf(buf, n, "%.4g", v);
    return buf;
}
