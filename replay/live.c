/*
 * live.c -- progress line, Prometheus endpoint and live thresholds (see live.h).
 */
#include "live.h"

#include <civetweb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lag.h"
#include "results.h"
#include "units.h"

struct live_srv {
    struct mg_context *ctx;
    rp_live *lv;
    const scenario *sc;
};

static uint64_t ld(atomic_uint_fast64_t *a)
{
    return atomic_load_explicit(a, memory_order_relaxed);
}

static uint64_t live_pct(rp_live *lv, double p)
{
    uint32_t c[MX_COARSE];
    for (int i = 0; i < MX_COARSE; i++) {
        uint64_t v = ld(&lv->coarse[i]);
        c[i] = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
    }
    return results_coarse_pct(c, p);
}

static int on_metrics(struct mg_connection *conn, void *cbdata)
{
    live_srv *s = cbdata;
    rp_live *lv = s->lv;
    char body[8192];
    size_t n = 0;
    uint64_t cum = 0;
#define ADD(...) n += (size_t)snprintf(body + n, n < sizeof body ? sizeof body - n : 0, __VA_ARGS__)
    ADD("# HELP replay_requests_sent_total Requests sent.\n# TYPE replay_requests_sent_total "
        "counter\n");
    ADD("replay_requests_sent_total %llu\n", (unsigned long long)ld(&lv->sent));
    ADD("# TYPE replay_requests_done_total counter\n");
    for (int c = 0; c < MX_CLASSES; c++)
        ADD("replay_requests_done_total{class=\"%s\"} %llu\n", mx_class_names[c],
            (unsigned long long)ld(&lv->status[c]));
    ADD("# TYPE replay_errors_total counter\n");
    for (int e = 0; e < ERR_N; e++)
        ADD("replay_errors_total{kind=\"%s\"} %llu\n", mx_err_names[e],
            (unsigned long long)ld(&lv->err[e]));
    ADD("# TYPE replay_sessions_active gauge\nreplay_sessions_active %llu\n",
        (unsigned long long)ld(&lv->active));
    ADD("# TYPE replay_websockets_open gauge\nreplay_websockets_open %llu\n",
        (unsigned long long)ld(&lv->ws_open));
    ADD("# TYPE replay_sessions_dropped_total counter\nreplay_sessions_dropped_total %llu\n",
        (unsigned long long)ld(&lv->dropped));
    ADD("# TYPE replay_late_sends_total counter\nreplay_late_sends_total %llu\n",
        (unsigned long long)ld(&lv->late));
    ADD("# TYPE replay_checks_failed_total counter\nreplay_checks_failed_total %llu\n",
        (unsigned long long)ld(&lv->checks_failed));
    ADD("# HELP replay_latency_seconds Latency from the intended send time.\n"
        "# TYPE replay_latency_seconds histogram\n");
    for (int i = 0; i < MX_COARSE && n < sizeof body - 200; i++) {
        uint64_t v = ld(&lv->coarse[i]);
        cum += v;
        if (v)
            ADD("replay_latency_seconds_bucket{le=\"%.6f\"} %llu\n",
                (double)mx_coarse_high((size_t)i) / 1e6, (unsigned long long)cum);
    }
    ADD("replay_latency_seconds_bucket{le=\"+Inf\"} %llu\nreplay_latency_seconds_count %llu\n",
        (unsigned long long)cum, (unsigned long long)cum);
#undef ADD
    if (n >= sizeof body)
        n = sizeof body - 1;
    mg_printf(conn,
              "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
              "Content-Length: %zu\r\nConnection: close\r\n\r\n",
              n);
    mg_write(conn, body, n);
    return 200;
}

live_srv *live_http_start(const char *addr, rp_live *lv, const scenario *sc, char *err)
{
    live_srv *s;
    struct mg_callbacks cb;
    const char *opts[] = {"listening_ports", addr, "num_threads", "1", NULL};
    if (!strchr(addr, ':') || strpbrk(addr, ",s r")) {
        st_err(err, ST_EINPUT, "--metrics-addr: expected HOST:PORT like 127.0.0.1:9464, got '%s'",
               addr);
        return NULL;
    }
    s = calloc(1, sizeof *s);
    if (!s) {
        st_err(err, ST_ENOMEM, "out of memory");
        return NULL;
    }
    s->lv = lv;
    s->sc = sc;
    memset(&cb, 0, sizeof cb);
    mg_init_library(0);
    s->ctx = mg_start(&cb, s, opts);
    if (!s->ctx) {
        st_err(err, ST_EENV, "--metrics-addr %s: cannot listen (port in use?)", addr);
        mg_exit_library();
        free(s);
        return NULL;
    }
    mg_set_request_handler(s->ctx, "/metrics", on_metrics, s);
    return s;
}

void live_http_stop(live_srv *s)
{
    if (!s)
        return;
    mg_stop(s->ctx);
    mg_exit_library();
    free(s);
}

void live_line(char *buf, size_t n, rp_live *lv, double elapsed, double planned_rate,
               double achieved_rate)
{
    char p95[32], a[32], b[32];
    uint64_t done = ld(&lv->done), errs = ld(&lv->errors);
    /* clang-format off */
    const lag_figures lag = {.sent = (double)ld(&lv->sent), .late = (double)ld(&lv->late),
                             .dropped = (double)ld(&lv->dropped)};
    /* clang-format on */
    units_fmt_duration(p95, sizeof p95, (double)live_pct(lv, 95) / 1e6);
    units_fmt_rate(a, sizeof a, planned_rate);
    units_fmt_rate(b, sizeof b, achieved_rate);
    char ws[32] = "";
    if (ld(&lv->ws_open))
        snprintf(ws, sizeof ws, "  ws %llu", (unsigned long long)ld(&lv->ws_open));
    snprintf(buf, n,
             "%6.0fs  target %s  achieved %s  active %llu%s  p95 %s  errors %llu (%.2f%%)%s",
             elapsed, a, b, (unsigned long long)ld(&lv->active), ws, p95, (unsigned long long)errs,
             done ? 100.0 * (double)errs / (double)done : 0.0,
             lag_judge(&lag, &lag_bar_live) != LAG_NONE
                 ? "  ENGINE BEHIND (late sends or dropped sessions)"
                 : "");
}

int live_measure(const thr *t, rp_live *lv, double *value)
{
    uint64_t done = ld(&lv->done), sent = ld(&lv->sent);
    if (t->route[0] || t->status_class)
        return 0;
    switch (t->metric) {
    case THR_LATENCY:
        if (t->agg != THR_PCT)
            return 0;
        *value = (double)live_pct(lv, t->pct);
        return 1;
    case THR_ERRORS:
        *value = t->agg == THR_COUNT ? (double)ld(&lv->errors)
                 : done              ? (double)ld(&lv->errors) / (double)done
                                     : 0;
        return 1;
    case THR_LATE:
        *value = t->agg == THR_COUNT ? (double)ld(&lv->late)
                 : sent              ? (double)ld(&lv->late) / (double)sent
                                     : 0;
        return 1;
    case THR_DROPPED:
        if (t->agg != THR_COUNT)
            return 0;
        *value = (double)ld(&lv->dropped);
        return 1;
    default: return 0;
    }
}
