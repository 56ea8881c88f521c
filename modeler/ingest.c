/*
 * ingest.c -- the streaming pass (see ingest.h).
 */
#include "ingest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "logread.h"
#include "wsdur.h"
#include "route.h"
#include "uaclass.h"

int ingest_init(ingest *g, const ingest_opts *o, char *err)
{
    memset(g, 0, sizeof *g);
    g->o = *o;
    if (g->o.timeout_s <= 0)
        g->o.timeout_s = 1800;
    if (g->o.reorder_window_s <= 0)
        g->o.reorder_window_s = 10;
    g->auto_format = o->format && strcmp(o->format, "auto") == 0;
    /* auto: a throwaway format checks --time-format and --tz now; the real one comes from
     * the first lines (ingest_detect). */
    g->fmt = logfmt_new(g->auto_format ? "combined" : o->format, err);
    if (!g->fmt)
        return ST_EINPUT;
    if (logfmt_set_time(g->fmt, o->time_format, o->tz, err) < 0) {
        logfmt_free(g->fmt);
        g->fmt = NULL;
        return ST_EINPUT;
    }
    if (g->auto_format) {
        logfmt_free(g->fmt);
        g->fmt = NULL;
    }
    g->iev = malloc(INGEST_IEV_CAP * sizeof *g->iev);
    g->iev_stride = 1;
    g->ws_dur = wsdur_new(o->seed);
    if (reorder_init(&g->ro, INGEST_HEAP_CAP) < 0 || !g->iev || !g->ws_dur ||
        quality_init(&g->q, g->o.reorder_window_s) < 0 ||
        routetab_init(&g->rt, o->seed, o->item_cap) < 0 ||
        sessionize_init(&g->ss, g->o.timeout_s, o->seed) < 0) {
        ingest_term(g);
        return st_err(err, ST_ENOMEM, "out of memory");
    }
    return 0;
}

void ingest_term(ingest *g)
{
    logfmt_free(g->fmt);
    quality_term(&g->q);
    routetab_term(&g->rt);
    sessionize_term(&g->ss);
    reorder_term(&g->ro);
    free(g->iev);
    free(g->sec_sessions);
    free(g->sec_requests);
    free(g->sec_ws);
    wsdur_free(g->ws_dur);
    memset(g, 0, sizeof *g);
}

double ingest_span(const ingest *g)
{
    return g->have_t0 && g->last_ts > g->first_ts ? g->last_ts - g->first_ts : 0;
}

/* Index of the second of ts in the series, growing it; -1 past the cap or on ENOMEM. */
static long sec_index(ingest *g, double ts)
{
    double d = floor(ts - g->t0);
    if (d < 0)
        d = 0;
    if (d >= (double)INGEST_MAX_SECONDS)
        return -1;
    size_t i = (size_t)d;
    if (i >= g->sec_alloc) {
        size_t na = g->sec_alloc ? g->sec_alloc : 4096;
        while (na <= i)
            na *= 2;
        if (na > INGEST_MAX_SECONDS)
            na = INGEST_MAX_SECONDS;
        uint32_t *a = realloc(g->sec_sessions, na * sizeof *a);
        if (!a)
            return -1;
        g->sec_sessions = a;
        uint32_t *b = realloc(g->sec_requests, na * sizeof *b);
        if (!b)
            return -1;
        g->sec_requests = b;
        int32_t *c = realloc(g->sec_ws, na * sizeof *c);
        if (!c)
            return -1;
        g->sec_ws = c;
        memset(g->sec_sessions + g->sec_alloc, 0, (na - g->sec_alloc) * sizeof *a);
        memset(g->sec_requests + g->sec_alloc, 0, (na - g->sec_alloc) * sizeof *b);
        memset(g->sec_ws + g->sec_alloc, 0, (na - g->sec_alloc) * sizeof *c);
        g->sec_alloc = na;
    }
    if (i + 1 > g->nsec)
        g->nsec = i + 1;
    return (long)i;
}

static void iev_add(ingest *g, double ts, uint32_t route, uint64_t item, double sess_start)
{
    if (g->iev_seen++ % g->iev_stride)
        return;
    if (g->niev == INGEST_IEV_CAP) {
        /* Keep every other event and sample half as often from now on. */
        size_t k = 0;
        for (size_t i = 0; i < g->niev; i += 2)
            g->iev[k++] = g->iev[i];
        g->niev = k;
        g->iev_stride *= 2;
    }
    g->iev[g->niev].t = (float)(ts - g->t0);
    g->iev[g->niev].sess_t = (float)(sess_start - g->t0);
    g->iev[g->niev].route = route;
    g->iev[g->niev].item = item;
    g->niev++;
}

/* Consumes one event in time order. */
static int ingest_sorted(ingest *g, const ingest_ev *e)
{
    quality_sorted(&g->q, e->ts);
    if (!g->first_ts || e->ts < g->first_ts)
        g->first_ts = e->ts;
    if (e->ts > g->last_ts)
        g->last_ts = e->ts;
    long s = sec_index(g, e->ts);
    if (s >= 0)
        g->sec_requests[s]++;
    if (e->kind == ROUTE_STATIC)
        return sessionize_static(&g->ss, e->ts, e->client, e->route);
    if (e->kind == ROUTE_PAGE || e->kind == ROUTE_API) {
        g->page_requests++;
        int opened = sessionize_add(&g->ss, e->ts, e->client, e->route, e->kind == ROUTE_PAGE,
                                    e->ua);
        if (opened < 0)
            return opened;
        if (opened && s >= 0)
            g->sec_sessions[s]++;
        if (e->item)
            iev_add(g, e->ts, e->route, e->item, g->ss.last_start);
    }
    return 0;
}

static int ingest_release(ingest *g, double upto)
{
    const ingest_ev *top;
    while ((top = reorder_peek(&g->ro)) && (top->ts <= upto || reorder_full(&g->ro))) {
        ingest_ev e = reorder_pop(&g->ro);
        /* The client table is far larger than the caches: fetch the slot of an event that
         * leaves a few steps from now while this one is processed. */
        const ingest_ev *soon = reorder_ahead(&g->ro, 4);
        if (soon)
            sessionize_prefetch(&g->ss, soon->client);
        int rc = ingest_sorted(g, &e);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* The request's enum ua_class, cached by User-Agent hash (a log has few distinct agents and
 * the classifier scans the string). A line without a User-Agent field is a script. */
static int ingest_ua_class(ingest *g, const logrec *r, uint64_t ua_hash)
{
    if (!r->ua)
        return UA_SCRIPT;
    uint64_t h = ua_hash & ~(uint64_t)7;
    uint64_t *slot = &g->ua_cache[(ua_hash >> 20) & 4095];
    if ((*slot & ~(uint64_t)7) == h && (*slot & 7))
        return (int)(*slot & 7) - 1;
    int c = (int)ua_classify(r->ua, r->ua_len);
    *slot = h | (uint64_t)(c + 1);
    return c;
}

static int ingest_record(ingest *g, const logrec *r)
{
    uint64_t ua_hash = r->ua ? route_hash(r->ua, r->ua_len) : 0;
    uint64_t client = sketch_mix(route_hash(r->ip ? r->ip : "", r->ip_len) ^ ua_hash);
    int ua = ingest_ua_class(g, r, ua_hash);
    int bot = ua == UA_BOT;
    quality_line(&g->q, r, client, bot);
    if (!g->have_t0) {
        g->have_t0 = 1;
        g->t0 = floor(r->ts) - 60; /* a little room for lines that arrive out of order */
        g->max_ts = r->ts;
    }
    if (bot) {
        sessionize_bot(&g->ss, r->ts, client);
        return 0;
    }
    route_norm n;
    route_normalize(r->path, r->path_len, r->method, r->method_len, r->status, &n);
    int idx = routetab_add(&g->rt, &n, r->method, r->method_len, r->status, r->bytes, r->req_time,
                           client);
    if (idx < 0)
        return idx;
    g->human_requests++;
    if (n.kind == ROUTE_WEBSOCKET && r->status == 101) {
        /* nginx logs a WebSocket when it closes: the line's time is the end. */
        g->ws_count++;
        if (r->req_time >= 0) {
            wsdur_add(g->ws_dur, r->ts, r->req_time);
            long a = sec_index(g, r->ts - r->req_time), b = sec_index(g, r->ts);
            if (a >= 0 && b >= 0) {
                g->sec_ws[a]++;
                g->sec_ws[b]--;
            }
        }
        return 0;
    }
    if (r->ts < g->max_ts - g->o.reorder_window_s)
        g->q.too_late++;
    ingest_ev e = {r->ts, client, 0, (uint32_t)idx, g->seq++, (uint16_t)n.kind, (uint8_t)ua};
    for (size_t i = 0; i < n.nparams; i++)
        if (n.params[i].is_item) {
            e.item = n.params[i].value | 1;
            break;
        }
    reorder_push(&g->ro, &e);
    if (r->ts > g->max_ts)
        g->max_ts = r->ts;
    return ingest_release(g, g->max_ts - g->o.reorder_window_s);
}

/* What the format assumed or skipped goes into the findings, so a user can check it. */
static void ingest_format_findings(ingest *g)
{
    if (g->auto_format)
        quality_note(&g->q, "--format auto picked %s: %.1f%% of the first %zu lines parsed",
                     logfmt_name(g->fmt), 100 * g->det.best[0].share, g->det.sample);
    const char *w = logfmt_warning(g->fmt);
    if (w)
        quality_note(&g->q, "%s", w);
    uint64_t zl = logfmt_zoneless(g->fmt);
    if (zl) {
        const char *tz = logfmt_tz_name(g->fmt);
        quality_note(&g->q, "%llu lines (%.1f%%) have times without a zone: read as %s%s",
                     (unsigned long long)zl,
                     g->q.parsed ? 100.0 * (double)zl / (double)g->q.parsed : 0.0, tz ? tz : "UTC",
                     tz ? " (--tz)" : " (assumed; give --tz ZONE if wrong)");
    }
    if (g->directives)
        quality_note(&g->q, "%llu format directive lines (#Fields:, #Version:) read, not requests",
                     (unsigned long long)g->directives);
}

/* One line through the format. Returns 0, or negative with err set (a CSV header without
 * a mapped column, out of memory). */
static int ingest_line(ingest *g, const char *line, size_t len, uint64_t lineno, int too_long,
                       char *err)
{
    g->q.lines++;
    if (!g->header_checked) {
        g->header_checked = 1;
        int h = logfmt_header(g->fmt, line, len, err);
        if (h < 0)
            return h;
        if (h == 1)
            return 0;
    }
    if (too_long) {
        quality_bad(&g->q, LF_TOO_LONG, lineno);
        return 0;
    }
    if (len == 0) {
        quality_bad(&g->q, LF_TRUNCATED, lineno);
        return 0;
    }
    logrec r;
    int why = logfmt_parse(g->fmt, line, len, &r);
    if (why == LF_DIRECTIVE) {
        g->directives++;
        return 0;
    }
    if (why) {
        quality_bad_at(&g->q, why, lineno, logfmt_fail_field(g->fmt), logfmt_fail_col(g->fmt));
        return 0;
    }
    int rc = ingest_record(g, &r);
    if (rc < 0)
        return st_err(err, rc, "out of memory at line %llu", (unsigned long long)lineno);
    return 0;
}

#define INGEST_SAMPLE_BYTES ((size_t)16 << 20)

/* --format auto: the first lines are read ahead (logread_peek), every preset tries them,
 * and then they go through the chosen format like any other line. The sample stops at
 * LOGFMT_AUTO_SAMPLE lines or INGEST_SAMPLE_BYTES, whichever comes first. */
static int ingest_detect(ingest *g, logread *lr, char *err)
{
    logread_sample s;
    int rc = logread_peek(lr, LOGFMT_AUTO_SAMPLE, INGEST_SAMPLE_BYTES, &s, err);
    if (rc < 0)
        return rc;
    g->fmt = logfmt_detect(s.lines, s.lens, s.linenos, s.too_long, s.n, g->o.time_format, g->o.tz,
                           &g->det, err);
    return g->fmt ? 0 : ST_EINPUT;
}

int ingest_run(ingest *g, const char *const *paths, size_t npaths, progress *pg, char *err)
{
    logread *lr = logread_open(paths, npaths, 0, err);
    if (!lr)
        return ST_EINPUT;
    char *line;
    size_t len;
    uint64_t lineno;
    int too_long, rc = 0;
    if (g->auto_format)
        rc = ingest_detect(g, lr, err);
    while (rc == 0 && (rc = logread_next(lr, &line, &len, &lineno, &too_long, err)) > 0) {
        rc = ingest_line(g, line, len, lineno, too_long, err);
        if (pg && (lineno & 0xffff) == 0)
            progress_update(pg, 0, "%llu lines", (unsigned long long)lineno);
    }
    logread_oddities(lr, &g->q.bom, &g->q.nul_lines, &g->q.crlf_lines);
    logread_close(lr);
    if (rc < 0)
        return rc;
    ingest_format_findings(g);
    rc = ingest_release(g, INFINITY);
    if (rc < 0)
        return st_err(err, rc, "out of memory");
    sessionize_flush(&g->ss);
    quality_finish(&g->q, ingest_span(g));
    return 0;
}
