/*
 * metrics.c -- recording, merging and measuring (see metrics.h).
 */
#include "metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const mx_err_names[ERR_N] = {"connect", "timeout", "reset", "other", "4xx", "5xx"};
const char *const mx_class_names[MX_CLASSES] = {"error", "1xx", "2xx", "3xx", "4xx", "5xx"};
const char *const mx_hv_names[MX_HV] = {"1.0", "1.1", "2", "3"};
/* clang-format off */
const char *const mx_ws_end_names[WSE_N] = {"planned", "run_end", "interrupted", "server_close",
                                            "dropped", "cut"};
/* clang-format on */
const char *const mx_ws_hsfail_names[WSF_N] = {"connect", "timeout", "other"};

metrics *metrics_new(size_t n_routes, int64_t t0, size_t n_secs)
{
    metrics *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->n_routes = n_routes;
    m->t0 = t0;
    m->n_secs = n_secs;
    m->routes = calloc(n_routes ? n_routes : 1, sizeof *m->routes);
    m->secs = calloc(n_secs ? n_secs : 1, sizeof *m->secs);
    m->lateness = hist_new();
    m->pool_wait = hist_new();
    m->lateness_unqueued = hist_new();
    if (!m->routes || !m->secs || !m->lateness || !m->pool_wait || !m->lateness_unqueued) {
        metrics_free(m);
        return NULL;
    }
    return m;
}

void metrics_free(metrics *m)
{
    if (!m)
        return;
    for (size_t r = 0; m->routes && r < m->n_routes; r++)
        for (int c = 0; c < MX_CLASSES; c++) {
            hist_free(m->routes[r].lat[c]);
            hist_free(m->routes[r].svc[c]);
        }
    free(m->routes);
    free(m->secs);
    hist_free(m->lateness);
    hist_free(m->pool_wait);
    hist_free(m->lateness_unqueued);
    hist_free(m->ws.handshake);
    hist_free(m->ws.push_delay);
    free(m);
}

size_t mx_coarse_index(uint64_t us)
{
    if (us < 4)
        return (size_t)us;
    int b = 63 - __builtin_clzll(us); /* us in [2^b, 2^(b+1)) */
    size_t idx = (size_t)(4 * (b - 1)) + (size_t)((us >> (b - 2)) & 3);
    return idx < MX_COARSE ? idx : MX_COARSE - 1;
}

uint64_t mx_coarse_high(size_t idx)
{
    if (idx < 4)
        return idx;
    int b = (int)(idx / 4) + 1;
    uint64_t sub = idx % 4;
    return ((uint64_t)1 << b) + ((sub + 1) << (b - 2)) - 1;
}

int metrics_record(metrics *m, size_t route, int cls, int err, uint64_t lat_us, uint64_t svc_us,
                   long sec, uint64_t bytes)
{
    mx_route *r = &m->routes[route];
    int rc = 0;
    r->done++;
    r->status[cls]++;
    r->bytes_in += bytes;
    if (err >= 0)
        r->err[err]++;
    if (!r->lat[cls] && !(r->lat[cls] = hist_new()))
        rc = ST_ENOMEM;
    if (!r->svc[cls] && !(r->svc[cls] = hist_new()))
        rc = ST_ENOMEM;
    if (r->lat[cls])
        hist_record(r->lat[cls], lat_us);
    if (r->svc[cls])
        hist_record(r->svc[cls], svc_us);
    if (sec >= 0 && (size_t)sec < m->n_secs) {
        mx_second *s = &m->secs[sec];
        s->done++;
        s->status[cls]++;
        if (err >= 0)
            s->errors++;
        s->coarse[mx_coarse_index(lat_us)]++;
    }
    return rc;
}

static void merge_hist(hist **dst, const hist *src)
{
    if (!src)
        return;
    if (!*dst && !(*dst = hist_new()))
        return;
    hist_merge(*dst, src);
}

void metrics_ws_close_add(metrics *m, uint16_t code, uint64_t n)
{
    for (int i = 0; i < MX_WS_CODES; i++) {
        if (m->ws.close_code[i] == code || m->ws.close_code[i] == 0) {
            m->ws.close_code[i] = code;
            m->ws.close_n[i] += n;
            return;
        }
    }
    m->ws.close_other += n;
}

void metrics_ws_close(metrics *m, uint16_t code)
{
    metrics_ws_close_add(m, code, 1);
}

static void merge_ws(metrics *dm, const metrics *sm)
{
    mx_ws *d = &dm->ws;
    const mx_ws *s = &sm->ws;
    dm->has_ws |= sm->has_ws;
    d->planned += s->planned;
    d->attempts += s->attempts;
    d->opened += s->opened;
    d->reconnects += s->reconnects;
    d->hs_failed += s->hs_failed;
    d->aborted += s->aborted;
    d->errors += s->errors;
    for (int i = 0; i < MX_WS_STATUS; i++)
        d->hs_status[i] += s->hs_status[i];
    for (int i = 0; i < WSF_N; i++)
        d->hs_kind[i] += s->hs_kind[i];
    d->msgs_in += s->msgs_in;
    d->msgs_out += s->msgs_out;
    d->bytes_in += s->bytes_in;
    d->bytes_out += s->bytes_out;
    d->pushes += s->pushes;
    for (int i = 0; i < WSE_N; i++)
        d->ends[i] += s->ends[i];
    for (int i = 0; i < MX_WS_CODES && s->close_code[i]; i++)
        metrics_ws_close_add(dm, s->close_code[i], s->close_n[i]);
    d->close_other += s->close_other;
    merge_hist(&d->handshake, s->handshake);
    merge_hist(&d->push_delay, s->push_delay);
}

void metrics_merge(metrics *d, const metrics *s)
{
    for (size_t i = 0; i < d->n_routes && i < s->n_routes; i++) {
        mx_route *a = &d->routes[i];
        const mx_route *b = &s->routes[i];
        a->planned += b->planned;
        a->sent += b->sent;
        a->done += b->done;
        a->checks += b->checks;
        a->checks_failed += b->checks_failed;
        a->bytes_in += b->bytes_in;
        for (int c = 0; c < MX_CLASSES; c++) {
            a->status[c] += b->status[c];
            merge_hist(&a->lat[c], b->lat[c]);
            merge_hist(&a->svc[c], b->svc[c]);
        }
        for (int e = 0; e < ERR_N; e++)
            a->err[e] += b->err[e];
        for (int v = 0; v < MX_HV; v++)
            a->version[v] += b->version[v];
        a->version_refused += b->version_refused;
    }
    hist_merge(d->lateness, s->lateness);
    hist_merge(d->pool_wait, s->pool_wait);
    hist_merge(d->lateness_unqueued, s->lateness_unqueued);
    d->queued_sends += s->queued_sends;
    merge_ws(d, s);
    d->sessions_planned += s->sessions_planned;
    d->sessions_started += s->sessions_started;
    d->sessions_dropped += s->sessions_dropped;
    d->sessions_done += s->sessions_done;
    d->requests_planned += s->requests_planned;
    d->requests_unsent += s->requests_unsent;
    d->late_sends += s->late_sends;
    d->blocked_sends += s->blocked_sends;
    d->throttled += s->throttled;
    for (size_t i = 0; i < d->n_secs; i++) {
        long j = (long)(d->t0 - s->t0) + (long)i;
        if (j < 0 || (size_t)j >= s->n_secs)
            continue;
        mx_second *a = &d->secs[i];
        const mx_second *b = &s->secs[j];
        a->planned += b->planned;
        a->sent += b->sent;
        a->done += b->done;
        a->errors += b->errors;
        a->late += b->late;
        a->sessions += b->sessions;
        a->ws_open += b->ws_open;
        a->ws_opened += b->ws_opened;
        a->ws_msgs_in += b->ws_msgs_in;
        a->ws_errors += b->ws_errors;
        for (int c = 0; c < MX_CLASSES; c++)
            a->status[c] += b->status[c];
        for (int k = 0; k < MX_COARSE; k++)
            a->coarse[k] += b->coarse[k];
    }
}

uint64_t metrics_total_sent(const metrics *m)
{
    uint64_t n = 0;
    for (size_t i = 0; i < m->n_routes; i++)
        n += m->routes[i].sent;
    return n;
}

uint64_t metrics_total_errors(const metrics *m)
{
    uint64_t n = 0;
    for (size_t i = 0; i < m->n_routes; i++)
        for (int e = 0; e < ERR_N; e++)
            n += m->routes[i].err[e];
    return n;
}

static int route_match(const thr *t, const char *const *names, size_t i)
{
    return !t->route[0] || !strcmp(t->route, names[i]);
}

static double hist_agg(const hist *h, const thr *t)
{
    if (!h || hist_count(h) == 0)
        return 0;
    switch (t->agg) {
    case THR_PCT: return (double)hist_percentile(h, t->pct);
    case THR_MEAN: return hist_mean(h);
    case THR_MIN: return (double)h->min;
    default: return (double)h->max;
    }
}

/* WebSocket metrics and gauges (thresholds.h, kinds). */
static double measure_ws(const metrics *m, const thr *t)
{
    const mx_ws *w = &m->ws;
    double num = 0, den = (double)w->attempts;
    switch (t->metric) {
    case THR_WS_HANDSHAKE: return hist_agg(w->handshake, t);
    case THR_WS_PUSH_DELAY: return hist_agg(w->push_delay, t);
    case THR_WS_OPEN: {
        double lo = INFINITY, hi = 0, sum = 0;
        size_t n = 0;
        /* Seconds from the first WebSocket second on, so an idle prefix does not count. */
        for (size_t i = 0; i < m->n_secs; i++) {
            double v = m->secs[i].ws_open;
            if (!n && v == 0 && !m->secs[i].ws_opened)
                continue;
            lo = fmin(lo, v);
            hi = fmax(hi, v);
            sum += v;
            n++;
        }
        if (!n)
            return 0;
        return t->agg == THR_MAX ? hi : t->agg == THR_MIN ? lo : sum / (double)n;
    }
    case THR_WS_ERRORS: num = (double)w->errors; break;
    case THR_WS_HS_FAILED: num = (double)w->hs_failed; break;
    case THR_WS_OPENED: num = (double)w->opened; break;
    case THR_WS_RECONNECTS:
        num = (double)w->reconnects;
        den = (double)w->planned;
        break;
    case THR_WS_MSGS_IN:
        num = (double)w->msgs_in;
        den = (double)w->opened;
        break;
    case THR_WS_MSGS_OUT:
        num = (double)w->msgs_out;
        den = (double)w->opened;
        break;
    default: return NAN;
    }
    if (t->agg == THR_COUNT)
        return num;
    return den > 0 ? num / den : 0;
}

double metrics_measure(const metrics *m, const thr *t, const char *const *names)
{
    if (t->metric > THR_REQUESTS)
        return measure_ws(m, t);
    if (t->agg == THR_MIN) {
        hist *h = hist_new();
        double v;
        if (!h)
            return NAN;
        if (t->metric == THR_LATENESS)
            hist_merge(h, m->lateness);
        for (size_t i = 0; t->metric != THR_LATENESS && i < m->n_routes; i++)
            for (int c = 0; c < MX_CLASSES; c++) {
                const hist *src = t->metric == THR_LATENCY ? m->routes[i].lat[c]
                                                           : m->routes[i].svc[c];
                if (src && route_match(t, names, i) && (!t->status_class || t->status_class == c))
                    hist_merge(h, src);
            }
        v = hist_agg(h, t);
        hist_free(h);
        return v;
    }
    if (t->agg <= THR_MAX) {
        hist *h;
        double v;
        if (t->metric == THR_LATENESS) {
            h = m->lateness;
            return t->agg == THR_PCT    ? (double)hist_percentile(h, t->pct)
                   : t->agg == THR_MEAN ? hist_mean(h)
                                        : (double)h->max;
        }
        if (!(h = hist_new()))
            return NAN;
        for (size_t i = 0; i < m->n_routes; i++) {
            if (!route_match(t, names, i))
                continue;
            for (int c = 0; c < MX_CLASSES; c++)
                if (!t->status_class || t->status_class == c) {
                    const hist *src = t->metric == THR_LATENCY ? m->routes[i].lat[c]
                                                               : m->routes[i].svc[c];
                    if (src)
                        hist_merge(h, src);
                }
        }
        v = t->agg == THR_PCT    ? (double)hist_percentile(h, t->pct)
            : t->agg == THR_MEAN ? hist_mean(h)
                                 : (double)h->max;
        hist_free(h);
        return v;
    }
    double num = 0, den = 0;
    switch (t->metric) {
    case THR_DROPPED:
        num = (double)m->sessions_dropped;
        den = (double)m->sessions_planned;
        break;
    case THR_LATE:
        num = (double)m->late_sends;
        den = (double)metrics_total_sent(m);
        break;
    default:
        for (size_t i = 0; i < m->n_routes; i++) {
            const mx_route *r = &m->routes[i];
            if (!route_match(t, names, i))
                continue;
            if (t->metric == THR_CHECKS) {
                num += (double)r->checks_failed;
                den += (double)r->checks;
            } else if (t->metric == THR_REQUESTS) {
                num += (double)(t->status_class ? r->status[t->status_class] : r->sent);
                den += (double)r->sent;
            } else {
                for (int e = 0; e < ERR_N; e++)
                    num += (double)r->err[e];
                den += (double)r->done;
            }
        }
    }
    if (t->agg == THR_COUNT)
        return num;
    return den > 0 ? num / den : 0;
}
