/*
 * results.c -- results.json, series files and the summary (see results.h).
 */
#include "results.h"
#include "formats.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "afile.h"
#include "results_ws.h"
#include "sc_http.h"
#include "units.h"

static json_t *counts_obj(const uint64_t *v, const char *const *names, size_t n)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < n; i++)
        json_object_set_new(o, names[i], json_integer((json_int_t)v[i]));
    return o;
}

/* Responses by negotiated HTTP version; versions never seen are left out. */
static json_t *versions_obj(const uint64_t *v)
{
    json_t *o = json_object();
    for (int i = 0; o && i < MX_HV; i++)
        if (v[i])
            json_object_set_new(o, mx_hv_names[i], json_integer((json_int_t)v[i]));
    return o;
}

static json_t *hist_obj(hist *const *h)
{
    json_t *o = json_object();
    for (int c = 0; o && c < MX_CLASSES; c++)
        if (h[c])
            json_object_set_new(o, mx_class_names[c], hist_to_json(h[c]));
    return o;
}

uint64_t results_coarse_pct(const uint32_t *coarse, double p)
{
    uint64_t total = 0, acc = 0, want;
    for (int i = 0; i < MX_COARSE; i++)
        total += coarse[i];
    if (!total)
        return 0;
    want = (uint64_t)ceil(p / 100 * (double)total);
    if (want == 0)
        want = 1;
    for (int i = 0; i < MX_COARSE; i++) {
        acc += coarse[i];
        if (acc >= want)
            return mx_coarse_high((size_t)i);
    }
    return mx_coarse_high(MX_COARSE - 1);
}

/* Totals over all routes, for the "counts" block. */
typedef struct results_totals {
    uint64_t status[MX_CLASSES], err[ERR_N], done, checks, failed, bytes;
} results_totals;

/* One object per route, in scenario order; adds each route's counts into tot. Returns the
 * array or NULL when out of memory. */
static json_t *results_routes(const metrics *m, const scenario *sc, results_totals *tot)
{
    json_t *routes = json_array();
    for (size_t i = 0; routes && i < m->n_routes; i++) {
        const mx_route *r = &m->routes[i];
        json_t *o = json_object();
        for (int c = 0; c < MX_CLASSES; c++)
            tot->status[c] += r->status[c];
        for (int e = 0; e < ERR_N; e++)
            tot->err[e] += r->err[e];
        tot->done += r->done;
        tot->checks += r->checks;
        tot->failed += r->checks_failed;
        tot->bytes += r->bytes_in;
        json_object_set_new(o, "route", json_string(sc->routes[i].template_));
        json_object_set_new(o, "method", json_string(sc->routes[i].method));
        json_object_set_new(o, "planned", json_integer((json_int_t)r->planned));
        json_object_set_new(o, "sent", json_integer((json_int_t)r->sent));
        json_object_set_new(o, "done", json_integer((json_int_t)r->done));
        json_object_set_new(o, "checks", json_integer((json_int_t)r->checks));
        json_object_set_new(o, "checks_failed", json_integer((json_int_t)r->checks_failed));
        json_object_set_new(o, "bytes_in", json_integer((json_int_t)r->bytes_in));
        json_object_set_new(o, "status", counts_obj(r->status, mx_class_names, MX_CLASSES));
        json_object_set_new(o, "errors", counts_obj(r->err, mx_err_names, ERR_N));
        json_object_set_new(o, "http_versions", versions_obj(r->version));
        json_object_set_new(o, "version_refused", json_integer((json_int_t)r->version_refused));
        json_object_set_new(o, "latency", hist_obj(r->lat));
        json_object_set_new(o, "service", hist_obj(r->svc));
        json_array_append_new(routes, o);
    }
    return routes;
}

/* One object per second in which anything happened (idle seconds are left out: readers
 * take a missing second as all zeros). Returns the array or NULL when out of memory. */
static json_t *results_series(const metrics *m)
{
    json_t *series = json_array();
    for (size_t i = 0; series && i < m->n_secs; i++) {
        const mx_second *s = &m->secs[i];
        json_t *o, *co;
        if (!s->planned && !s->sent && !s->done && !s->sessions && !s->ws_open && !s->ws_opened &&
            !s->ws_msgs_in && !s->ws_errors)
            continue;
        o = json_object();
        co = json_array();
        json_object_set_new(o, "t", json_integer((json_int_t)(m->t0 + (int64_t)i)));
        json_object_set_new(o, "planned", json_integer(s->planned));
        json_object_set_new(o, "sessions", json_integer(s->sessions));
        json_object_set_new(o, "sent", json_integer(s->sent));
        json_object_set_new(o, "done", json_integer(s->done));
        json_object_set_new(o, "errors", json_integer(s->errors));
        json_object_set_new(o, "late", json_integer(s->late));
        json_object_set_new(o, "status",
                            json_pack("{s:i,s:i,s:i,s:i,s:i,s:i}", "error", s->status[0], "1xx",
                                      s->status[1], "2xx", s->status[2], "3xx", s->status[3], "4xx",
                                      s->status[4], "5xx", s->status[5]));
        for (int k = 0; k < MX_COARSE; k++)
            if (s->coarse[k])
                json_array_append_new(co, json_pack("[i,i]", k, s->coarse[k]));
        json_object_set_new(o, "latency_coarse", co);
        if (m->has_ws)
            results_ws_second(o, s);
        json_array_append_new(series, o);
    }
    return series;
}

/* The thresholds' verdicts as evaluated by the caller (ri->thr_ok, ri->thr_values). */
static json_t *results_thresholds(const run_info *ri)
{
    const scenario *sc = ri->sc;
    json_t *thrs = json_array();
    for (size_t i = 0; thrs && i < sc->n_thresholds; i++) {
        const thr *t = &sc->thresholds[i];
        char v[64];
        /* A deferred db.* rule (a segment without the probe) is not a failure of this slice:
         * "ok" stays true and "deferred" says that `replay merge` judges it. */
        int deferred = ri->thr_ok[i] == THR_DEFERRED;
        json_t *o = json_pack("{s:s,s:b,s:f,s:s,s:b}", "expr", t->expr, "abort", t->abort, "value",
                              isfinite(ri->thr_values[i]) ? ri->thr_values[i] : 0.0, "display",
                              deferred ? "deferred"
                                       : thr_fmt_value(t, ri->thr_values[i], v, sizeof v),
                              "ok", ri->thr_ok[i] != THR_FAILED);
        if (o && deferred)
            json_object_set_new(o, "deferred", json_true());
        json_array_append_new(thrs, o);
    }
    return thrs;
}

/* format, version, tool, scenario, segment and the run's wall-clock facts. */
static void results_header(json_t *root, const run_info *ri)
{
    const scenario *sc = ri->sc;
    char hash[32];
    snprintf(hash, sizeof hash, "%016" PRIx64, sc->hash);
    json_object_set_new(root, "format", json_string(ST_FMT_RESULTS));
    json_object_set_new(root, "version", json_integer(ST_FMT_RESULTS_VERSION));
    json_object_set_new(root, "tool",
                        json_pack("{s:s,s:s}", "name", "replay", "version", ST_VERSION));
    json_object_set_new(root, "scenario",
                        json_pack("{s:s,s:s,s:s,s:I,s:s,s:f,s:f}", "name", sc->name, "path",
                                  sc->path, "hash", hash, "seed", (json_int_t)sc->seed, "target",
                                  sc->target, "duration_s", sc->duration, "scale", sc->scale));
    json_object_set_new(json_object_get(root, "scenario"), "http_version",
                        json_string(sc_http_version_name(sc->http_version)));
    json_object_set_new(json_object_get(root, "scenario"), "require_version",
                        json_boolean(sc->require_version));
    json_object_set_new(root, "segment",
                        json_pack("{s:i,s:i}", "i", ri->p->seg_i, "n", ri->p->seg_n));
    json_object_set_new(root, "start", json_integer((json_int_t)ri->start_wall));
    json_object_set_new(root, "elapsed_s", json_real(round(ri->elapsed_s * 1000) / 1000));
    json_object_set_new(root, "threads", json_integer(ri->threads));
    json_object_set_new(root, "stopped", json_string(ri->stopped));
}

/* The run's counts: sessions and sends from the metrics, the rest totalled over routes. */
static json_t *results_counts(const metrics *m, const run_info *ri, const results_totals *tot)
{
    json_t *c = json_object();
    json_object_set_new(c, "sessions_all_segments", json_integer((json_int_t)ri->p->all_sessions));
    json_object_set_new(c, "sessions_planned", json_integer((json_int_t)m->sessions_planned));
    json_object_set_new(c, "sessions_started", json_integer((json_int_t)m->sessions_started));
    json_object_set_new(c, "sessions_dropped", json_integer((json_int_t)m->sessions_dropped));
    json_object_set_new(c, "sessions_done", json_integer((json_int_t)m->sessions_done));
    json_object_set_new(c, "requests_planned", json_integer((json_int_t)m->requests_planned));
    json_object_set_new(c, "requests_sent", json_integer((json_int_t)metrics_total_sent(m)));
    json_object_set_new(c, "requests_done", json_integer((json_int_t)tot->done));
    json_object_set_new(c, "requests_unsent", json_integer((json_int_t)m->requests_unsent));
    json_object_set_new(c, "late_sends", json_integer((json_int_t)m->late_sends));
    json_object_set_new(c, "blocked_sends", json_integer((json_int_t)m->blocked_sends));
    json_object_set_new(c, "queued_sends", json_integer((json_int_t)m->queued_sends));
    json_object_set_new(c, "throttled", json_integer((json_int_t)m->throttled));
    json_object_set_new(c, "checks", json_integer((json_int_t)tot->checks));
    json_object_set_new(c, "checks_failed", json_integer((json_int_t)tot->failed));
    json_object_set_new(c, "bytes_in", json_integer((json_int_t)tot->bytes));
    json_object_set_new(c, "status", counts_obj(tot->status, mx_class_names, MX_CLASSES));
    json_object_set_new(c, "errors", counts_obj(tot->err, mx_err_names, ERR_N));
    return c;
}

/* {p50, p95, p99, max} of one histogram, in microseconds. */
static json_t *results_pcts(const hist *h)
{
    return json_pack("{s:I,s:I,s:I,s:I}", "p50", (json_int_t)hist_percentile(h, 50), "p95",
                     (json_int_t)hist_percentile(h, 95), "p99", (json_int_t)hist_percentile(h, 99),
                     "max", (json_int_t)hist_percentile(h, 100));
}

/* Derived percentiles for people and jq; merge recomputes them from the histograms. */
static json_t *results_summary_json(const metrics *m)
{
    hist *lat = hist_new(), *svc = hist_new();
    json_t *sum = json_object();
    for (size_t i = 0; lat && svc && i < m->n_routes; i++)
        for (int k = 0; k < MX_CLASSES; k++) {
            if (m->routes[i].lat[k])
                hist_merge(lat, m->routes[i].lat[k]);
            if (m->routes[i].svc[k])
                hist_merge(svc, m->routes[i].svc[k]);
        }
    if (lat && svc) {
        json_object_set_new(sum, "latency_us", results_pcts(lat));
        json_object_set_new(sum, "service_us", results_pcts(svc));
    }
    json_object_set_new(sum, "lateness_us", results_pcts(m->lateness));
    json_object_set_new(sum, "lateness_unqueued_us", results_pcts(m->lateness_unqueued));
    json_object_set_new(sum, "pool_wait_us", results_pcts(m->pool_wait));
    hist_free(lat);
    hist_free(svc);
    return sum;
}

json_t *results_build(const metrics *m, const run_info *ri)
{
    results_totals tot;
    memset(&tot, 0, sizeof tot);
    json_t *root = json_object(), *routes = results_routes(m, ri->sc, &tot),
           *series = results_series(m), *thrs = results_thresholds(ri);
    if (!root || !routes || !series || !thrs) {
        json_decref(root);
        json_decref(routes);
        json_decref(series);
        json_decref(thrs);
        return NULL;
    }
    results_header(root, ri);
    json_object_set_new(root, "counts", results_counts(m, ri, &tot));
    json_object_set_new(root, "summary", results_summary_json(m));
    json_object_set_new(root, "lateness", hist_to_json(m->lateness));
    json_object_set_new(root, "lateness_unqueued", hist_to_json(m->lateness_unqueued));
    json_object_set_new(root, "pool_wait", hist_to_json(m->pool_wait));
    if (m->has_ws)
        json_object_set_new(root, "websockets", results_ws_json(m));
    json_object_set_new(root, "routes", routes);
    json_object_set_new(root, "series", series);
    json_object_set_new(root, "thresholds", thrs);
    json_object_set_new(root, "warnings", json_incref(ri->warnings));
    if (ri->coverage)
        json_object_set(root, "coverage", ri->coverage);
    return root;
}

int results_attach(json_t *doc, const json_t *trace, const json_t *db)
{
    if (trace && json_object_set(doc, "trace", (json_t *)trace))
        return ST_ENOMEM;
    if (db && json_object_set(doc, "db", (json_t *)db))
        return ST_ENOMEM;
    return 0;
}

int results_write_series(const metrics *m, const json_t *db, const char *path, char *err)
{
    afile af;
    size_t n = strlen(path);
    int csv = n > 4 && !strcmp(path + n - 4, ".csv");
    FILE *f = afile_open(&af, path, err);
    static const char *const dbc[5] = {"db_connections", "db_active", "db_idle", "db_idle_in_tx",
                                       "db_waiting"};
    if (!f)
        return ST_EENV;
    if (csv) {
        fprintf(f, "t,planned,sessions,sent,done,errors,late,p50_ms,p95_ms,p99_ms");
        if (m->has_ws)
            fprintf(f, ",ws_open,ws_opened,ws_messages_in,ws_errors");
        for (int k = 0; db && k < 5; k++)
            fprintf(f, ",%s", dbc[k]);
        fprintf(f, "\n");
    }
    for (size_t i = 0; i < m->n_secs; i++) {
        const mx_second *s = &m->secs[i];
        double p50 = (double)results_coarse_pct(s->coarse, 50) / 1000;
        double p95 = (double)results_coarse_pct(s->coarse, 95) / 1000;
        double p99 = (double)results_coarse_pct(s->coarse, 99) / 1000;
        long long t = (long long)(m->t0 + (int64_t)i);
        double v[5];
        int has_db = db && results_db_at(db, t, v);
        if (csv)
            fprintf(f, "%lld,%u,%u,%u,%u,%u,%u,%.3f,%.3f,%.3f", t, s->planned, s->sessions, s->sent,
                    s->done, s->errors, s->late, p50, p95, p99);
        else
            fprintf(
                f,
                "{\"t\":%lld,\"planned\":%u,\"sessions\":%u,\"sent\":%u,\"done\":%u,\"errors\":%u,"
                "\"late\":%u,\"p50_ms\":%.3f,\"p95_ms\":%.3f,\"p99_ms\":%.3f",
                t, s->planned, s->sessions, s->sent, s->done, s->errors, s->late, p50, p95, p99);
        if (m->has_ws)
            fprintf(f,
                    csv ? ",%u,%u,%u,%u"
                        : ",\"ws_open\":%u,\"ws_opened\":%u,\"ws_messages_in\":%u,\"ws_errors\":%u",
                    s->ws_open, s->ws_opened, s->ws_msgs_in, s->ws_errors);
        for (int k = 0; db && k < 5; k++) {
            if (csv)
                fprintf(f, has_db && !isnan(v[k]) ? ",%.0f" : ",", v[k]);
            else if (has_db && !isnan(v[k]))
                fprintf(f, ",\"%s\":%.0f", dbc[k], v[k]);
        }
        fprintf(f, csv ? "\n" : "}\n");
    }
    return afile_commit(&af, err);
}

static void fmt_us(char *b, size_t n, uint64_t us)
{
    units_fmt_duration(b, n, (double)us / 1e6);
}

/* One line: responses by negotiated HTTP version, and the refusals of http.require_version. */
static void versions_summary(FILE *out, const metrics *m, const scenario *sc)
{
    uint64_t v[MX_HV] = {0}, refused = 0;
    int any = 0;
    for (size_t i = 0; i < m->n_routes; i++) {
        for (int k = 0; k < MX_HV; k++)
            v[k] += m->routes[i].version[k];
        refused += m->routes[i].version_refused;
    }
    fprintf(out, "  http      asked for %s%s; responses by version:",
            sc_http_version_name(sc->http_version), sc->require_version ? " (required)" : "");
    for (int k = 0; k < MX_HV; k++)
        if (v[k]) {
            fprintf(out, "%s HTTP/%s %" PRIu64, any ? "," : "", mx_hv_names[k], v[k]);
            any = 1;
        }
    fprintf(out, "%s\n", any ? "" : " none");
    if (refused)
        fprintf(out,
                "  REFUSED   %" PRIu64
                " responses came over a connection that fell back to HTTP/1.x "
                "(http.require_version is true): counted as errors (other)\n",
                refused);
}

void results_summary(FILE *out, const metrics *m, const run_info *ri)
{
    hist *lat = hist_new(), *svc = hist_new();
    uint64_t sent = metrics_total_sent(m), errs = metrics_total_errors(m), done = 0,
             err[ERR_N] = {0};
    char a[32], b[32], c[32], d[32];
    for (size_t i = 0; i < m->n_routes; i++) {
        done += m->routes[i].done;
        for (int e = 0; e < ERR_N; e++)
            err[e] += m->routes[i].err[e];
        for (int k = 0; k < MX_CLASSES && lat && svc; k++) {
            if (m->routes[i].lat[k])
                hist_merge(lat, m->routes[i].lat[k]);
            if (m->routes[i].svc[k])
                hist_merge(svc, m->routes[i].svc[k]);
        }
    }
    fprintf(out, "replay: %s, seed %" PRIu64 ", segment %u/%u, %s after %.1f s\n", ri->sc->name,
            ri->sc->seed, ri->p->seg_i, ri->p->seg_n, ri->stopped, ri->elapsed_s);
    fprintf(out, "  sessions  %" PRIu64 " planned, %" PRIu64 " started, %" PRIu64 " dropped\n",
            m->sessions_planned, m->sessions_started, m->sessions_dropped);
    fprintf(out,
            "  requests  %" PRIu64 " planned, %" PRIu64 " sent, %" PRIu64 " done, %" PRIu64
            " unsent\n",
            m->requests_planned, sent, done, m->requests_unsent);
    fprintf(out,
            "  errors    %" PRIu64 " (%.2f%%): connect %" PRIu64 ", timeout %" PRIu64
            ", reset %" PRIu64 ", other %" PRIu64 ", 4xx %" PRIu64 ", 5xx %" PRIu64 "\n",
            errs, done ? 100.0 * (double)errs / (double)done : 0.0, err[0], err[1], err[2], err[3],
            err[4], err[5]);
    if (lat && svc) {
        fmt_us(a, sizeof a, hist_percentile(lat, 50));
        fmt_us(b, sizeof b, hist_percentile(lat, 95));
        fmt_us(c, sizeof c, hist_percentile(lat, 99));
        fmt_us(d, sizeof d, hist_percentile(lat, 100));
        fprintf(out, "  latency   p50 %s  p95 %s  p99 %s  max %s   (from intended send time)\n", a,
                b, c, d);
        fmt_us(a, sizeof a, hist_percentile(svc, 50));
        fmt_us(b, sizeof b, hist_percentile(svc, 95));
        fmt_us(c, sizeof c, hist_percentile(svc, 99));
        fmt_us(d, sizeof d, hist_percentile(svc, 100));
        fprintf(out, "  service   p50 %s  p95 %s  p99 %s  max %s   (from actual send)\n", a, b, c,
                d);
    }
    fmt_us(a, sizeof a, hist_percentile(m->lateness, 50));
    fmt_us(b, sizeof b, hist_percentile(m->lateness, 99));
    fmt_us(c, sizeof c, hist_percentile(m->lateness, 100));
    fprintf(out,
            "  engine    send lateness p50 %s  p99 %s  max %s; %" PRIu64 " late (>10ms), %" PRIu64
            " held by a slow previous response, %" PRIu64 " throttled by --max-rps\n",
            a, b, c, m->late_sends, m->blocked_sends, m->throttled);
    if (m->queued_sends) {
        /* Split what the server did (no connection came free) from what the generator did. */
        char e[32];
        fmt_us(a, sizeof a, hist_percentile(m->pool_wait, 50));
        fmt_us(b, sizeof b, hist_percentile(m->pool_wait, 99));
        fmt_us(c, sizeof c, hist_percentile(m->pool_wait, 100));
        fmt_us(d, sizeof d, hist_percentile(m->lateness_unqueued, 50));
        fmt_us(e, sizeof e, hist_percentile(m->lateness_unqueued, 99));
        fprintf(
            out,
            "  pool      %" PRIu64 " sends waited for a free pooled connection (responses not "
            "back yet): wait p50 %s  p99 %s  max %s; lateness of the other sends p50 %s  p99 %s\n",
            m->queued_sends, a, b, c, d, e);
    }
    versions_summary(out, m, ri->sc);
    results_ws_summary(out, m);
    for (size_t i = 0; i < ri->sc->n_thresholds; i++) {
        char v[64];
        if (ri->thr_ok[i] == THR_DEFERRED)
            fprintf(out, "  DEFER %s   (no probe in this segment: judged by replay merge)\n",
                    ri->sc->thresholds[i].expr);
        else
            fprintf(out, "  %s %s   (measured %s)\n", ri->thr_ok[i] ? "PASS" : "FAIL",
                    ri->sc->thresholds[i].expr,
                    thr_fmt_value(&ri->sc->thresholds[i], ri->thr_values[i], v, sizeof v));
    }
    for (size_t i = 0; i < json_array_size(ri->warnings); i++)
        fprintf(out, "  WARNING: %s\n", json_string_value(json_array_get(ri->warnings, i)));
    hist_free(lat);
    hist_free(svc);
}
