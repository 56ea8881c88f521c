/*
 * results_read.c -- results.json back into metrics + run facts (see results_read.h). Each
 * read_* function mirrors one block of results_build() in results.c.
 */
#include "results_read.h"
#include "formats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"
#include "results_read_ws.h"
#include "sc_http.h"

#define RR_MAXC ((int64_t)INT64_MAX)

/* clang-format off */
static const char *const rr_top_keys[] = {"format", "version", "tool", "scenario", "segment",
    "merged", "start", "elapsed_s", "threads", "stopped", "counts", "summary", "lateness",
    "routes", "series", "thresholds", "warnings", "db", "websockets", "coverage", "trace",
    "pool_wait", "lateness_unqueued", NULL};
/* clang-format on */
static const char *const rr_tool_keys[] = {"name", "version", NULL};
/* clang-format off */
static const char *const rr_sc_keys[] = {"name", "path", "hash", "seed", "target", "duration_s",
    "scale", "http_version", "require_version", NULL};
/* clang-format on */
static const char *const rr_seg_keys[] = {"i", "n", NULL};
static const char *const rr_merged_keys[] = {"segments", "missing", NULL};
/* clang-format off */
static const char *const rr_count_keys[] = {"sessions_all_segments", "sessions_planned",
    "sessions_started", "sessions_dropped", "sessions_done", "requests_planned", "requests_sent",
    "requests_done", "requests_unsent", "late_sends", "blocked_sends", "throttled", "checks",
    "checks_failed", "bytes_in", "status", "errors", "queued_sends", NULL};
/* clang-format on */
/* clang-format off */
static const char *const rr_route_keys[] = {"route", "method", "planned", "sent", "done", "checks",
    "checks_failed", "bytes_in", "status", "errors", "http_versions", "version_refused", "latency",
    "service", NULL};
/* clang-format on */
/* clang-format off */
static const char *const rr_sec_keys[] = {"t", "planned", "sessions", "sent", "done", "errors",
    "late", "status", "latency_coarse", "ws_open", "ws_opened", "ws_messages_in", "ws_errors", NULL};
/* clang-format on */
static const char *const rr_thr_keys[] = {"expr", "abort",    "value", "display",
                                          "ok",   "deferred", NULL};
static const char *const rr_stopped[] = {"completed", "interrupted", "aborted", NULL};

static int u64(const json_t *o, const char *path, const char *key, uint64_t *out, char *err)
{
    int64_t v = 0;
    int rc = jv_int(o, path, key, 1, 0, RR_MAXC, &v, err);
    *out = (uint64_t)v;
    return rc;
}

/* A count added after version 1 was first written: absent (older files) reads as 0. */
static int opt_u64(const json_t *o, const char *path, const char *key, uint64_t *out, char *err)
{
    int64_t v = 0;
    int rc = jv_int(o, path, key, 0, 0, RR_MAXC, &v, err);
    *out = (uint64_t)v;
    return rc;
}

static int u32(const json_t *o, const char *path, const char *key, uint32_t *out, char *err)
{
    int64_t v = 0;
    int rc = jv_int(o, path, key, 1, 0, UINT32_MAX, &v, err);
    *out = (uint32_t)v;
    return rc;
}

/* An object of exactly the keys `names` (all required), each a count. */
static int counts_of(const json_t *o, const char *path, const char *key, const char *const *names,
                     size_t n, uint64_t *out, char *err)
{
    json_t *c;
    char p[256];
    const char *allowed[ERR_N + MX_CLASSES + 1];
    int rc = jv_object(o, path, key, 1, &c, err);
    if (rc)
        return rc;
    jv_key(p, sizeof p, path, key);
    for (size_t i = 0; i < n; i++)
        allowed[i] = names[i];
    allowed[n] = NULL;
    if ((rc = jv_no_unknown(c, p, allowed, err)))
        return rc;
    for (size_t i = 0; i < n; i++)
        if ((rc = u64(c, p, names[i], &out[i], err)))
            return rc;
    return 0;
}

/* {CLASS: HIST} with the classes that had responses. */
static int hists_of(const json_t *o, const char *path, const char *key, hist **out, char *err)
{
    json_t *c;
    char p[256], hp[300];
    const char *allowed[MX_CLASSES + 1];
    int rc = jv_object(o, path, key, 1, &c, err);
    if (rc)
        return rc;
    jv_key(p, sizeof p, path, key);
    for (int k = 0; k < MX_CLASSES; k++)
        allowed[k] = mx_class_names[k];
    allowed[MX_CLASSES] = NULL;
    if ((rc = jv_no_unknown(c, p, allowed, err)))
        return rc;
    for (int k = 0; k < MX_CLASSES; k++) {
        json_t *h = json_object_get(c, mx_class_names[k]);
        if (!h)
            continue;
        jv_key(hp, sizeof hp, p, mx_class_names[k]);
        if (!(out[k] = hist_from_json(h, hp, err)))
            return ST_EINPUT;
    }
    return 0;
}

/* "http_versions": {VERSION: count}, the versions seen (absent in files written before
 * replay spoke HTTP/2: all zero). */
static int versions_of(const json_t *o, const char *path, mx_route *mr, char *err)
{
    json_t *c = NULL;
    char p[256];
    const char *allowed[MX_HV + 1];
    int rc = jv_object(o, path, "http_versions", 0, &c, err);
    int64_t v;
    if (rc || !c)
        return rc;
    jv_key(p, sizeof p, path, "http_versions");
    for (int i = 0; i < MX_HV; i++)
        allowed[i] = mx_hv_names[i];
    allowed[MX_HV] = NULL;
    if ((rc = jv_no_unknown(c, p, allowed, err)))
        return rc;
    for (int i = 0; i < MX_HV; i++) {
        v = 0;
        if ((rc = jv_int(c, p, mx_hv_names[i], 0, 0, RR_MAXC, &v, err)))
            return rc;
        mr->version[i] = (uint64_t)v;
    }
    v = 0;
    if ((rc = jv_int(o, path, "version_refused", 0, 0, RR_MAXC, &v, err)))
        return rc;
    mr->version_refused = (uint64_t)v;
    uint64_t seen = 0;
    for (int i = 0; i < MX_HV; i++)
        seen += mr->version[i];
    /* Each response has one version, and only responses can be refused. */
    if (seen > mr->done)
        return st_err(err, ST_EINPUT, "%s: more responses than done requests", p);
    if (mr->version_refused > seen)
        return st_err(err, ST_EINPUT, "%s.version_refused: more than the responses counted in %s",
                      path, p);
    return 0;
}

static int read_route(rr_result *r, size_t i, const json_t *o, const char *path, char *err)
{
    mx_route *mr = &r->m->routes[i];
    sc_route *sr = &r->sc->routes[i];
    const char *tpl, *method;
    int rc;
    if (!json_is_object(o))
        return st_err(err, ST_EINPUT, "%s: expected an object", path);
    if ((rc = jv_no_unknown(o, path, rr_route_keys, err)) ||
        (rc = jv_string(o, path, "route", 1, &tpl, err)) ||
        (rc = jv_string(o, path, "method", 1, &method, err)) ||
        (rc = u64(o, path, "planned", &mr->planned, err)) ||
        (rc = u64(o, path, "sent", &mr->sent, err)) ||
        (rc = u64(o, path, "done", &mr->done, err)) ||
        (rc = u64(o, path, "checks", &mr->checks, err)) ||
        (rc = u64(o, path, "checks_failed", &mr->checks_failed, err)) ||
        (rc = u64(o, path, "bytes_in", &mr->bytes_in, err)) ||
        (rc = counts_of(o, path, "status", mx_class_names, MX_CLASSES, mr->status, err)) ||
        (rc = counts_of(o, path, "errors", mx_err_names, ERR_N, mr->err, err)) ||
        (rc = versions_of(o, path, mr, err)) || (rc = hists_of(o, path, "latency", mr->lat, err)) ||
        (rc = hists_of(o, path, "service", mr->svc, err)))
        return rc;
    if (strlen(tpl) >= sizeof sr->template_ || strlen(method) >= sizeof sr->method)
        return st_err(err, ST_EINPUT, "%s.route: too long", path);
    snprintf(sr->template_, sizeof sr->template_, "%s", tpl);
    snprintf(sr->method, sizeof sr->method, "%s", method);
    return 0;
}

static int read_second(rr_result *r, const json_t *o, const char *path, char *err)
{
    int64_t t;
    json_t *co;
    mx_second *s;
    uint64_t st[MX_CLASSES];
    char p[256];
    int rc = jv_int(o, path, "t", 1, r->m->t0, r->m->t0 + (int64_t)r->m->n_secs - 1, &t, err);
    if (rc)
        return rc;
    s = &r->m->secs[t - r->m->t0];
    if (s->planned || s->sent || s->done || s->sessions || s->ws_open || s->ws_opened ||
        s->ws_msgs_in || s->ws_errors)
        return st_err(err, ST_EINPUT, "%s.t: second %lld appears twice", path, (long long)t);
    if ((rc = jv_no_unknown(o, path, rr_sec_keys, err)) ||
        (rc = u32(o, path, "planned", &s->planned, err)) ||
        (rc = u32(o, path, "sessions", &s->sessions, err)) ||
        (rc = u32(o, path, "sent", &s->sent, err)) || (rc = u32(o, path, "done", &s->done, err)) ||
        (rc = u32(o, path, "errors", &s->errors, err)) ||
        (rc = u32(o, path, "late", &s->late, err)) ||
        (rc = counts_of(o, path, "status", mx_class_names, MX_CLASSES, st, err)) ||
        (rc = jv_array(o, path, "latency_coarse", 1, &co, err)) ||
        (rc = results_read_ws_second(s, o, path, err)))
        return rc;
    if (!s->planned && !s->sent && !s->done && !s->sessions && !s->ws_open && !s->ws_opened &&
        !s->ws_msgs_in && !s->ws_errors)
        return st_err(err, ST_EINPUT, "%s: an empty second (results list only seconds with data)",
                      path);
    for (int c = 0; c < MX_CLASSES; c++) {
        if (st[c] > UINT32_MAX)
            return st_err(err, ST_EINPUT, "%s.status.%s: out of range", path, mx_class_names[c]);
        s->status[c] = (uint32_t)st[c];
    }
    jv_key(p, sizeof p, path, "latency_coarse");
    int64_t last = -1;
    for (size_t k = 0; k < json_array_size(co); k++) {
        json_t *e = json_array_get(co, k);
        json_t *a = json_array_get(e, 0), *b = json_array_get(e, 1);
        if (!json_is_array(e) || json_array_size(e) != 2 || !json_is_integer(a) ||
            !json_is_integer(b) || json_integer_value(a) <= last ||
            json_integer_value(a) >= MX_COARSE || json_integer_value(b) <= 0 ||
            json_integer_value(b) > UINT32_MAX)
            return st_err(err, ST_EINPUT,
                          "%s[%zu]: expected [bucket, count] with ascending buckets "
                          "0..%d and counts > 0",
                          p, k, MX_COARSE - 1);
        last = json_integer_value(a);
        s->coarse[last] = (uint32_t)json_integer_value(b);
    }
    return 0;
}

/* The first and last second of the series, so the metrics can be sized. */
static int series_span(const json_t *series, int64_t *t0, size_t *n, char *err)
{
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    char p[64];
    for (size_t i = 0; i < json_array_size(series); i++) {
        int64_t t;
        int rc;
        jv_path(p, sizeof p, "results.series", i);
        if (!json_is_object(json_array_get(series, i)))
            return st_err(err, ST_EINPUT, "%s: expected an object", p);
        if ((rc = jv_int(json_array_get(series, i), p, "t", 1, 0, (int64_t)1 << 40, &t, err)))
            return rc;
        lo = t < lo ? t : lo;
        hi = t > hi ? t : hi;
    }
    if (lo > hi) {
        *t0 = 0;
        *n = 0;
        return 0;
    }
    if (hi - lo >= 10 * 86400)
        return st_err(err, ST_EINPUT, "results.series: spans %lld s (more than 10 days)",
                      (long long)(hi - lo));
    *t0 = lo;
    *n = (size_t)(hi - lo + 1);
    return 0;
}

static int read_scenario(rr_result *r, const json_t *root, char *err)
{
    json_t *o, *tool, *seg;
    const char *name, *path, *hash, *target, *tname, *tver;
    char *end;
    int64_t seed, i, n;
    int rc;
    scenario *sc = r->sc;
    if ((rc = jv_object(root, "results", "tool", 1, &tool, err)) ||
        (rc = jv_no_unknown(tool, "results.tool", rr_tool_keys, err)) ||
        (rc = jv_string(tool, "results.tool", "name", 1, &tname, err)) ||
        (rc = jv_string(tool, "results.tool", "version", 1, &tver, err)))
        return rc;
    if (strcmp(tname, "replay"))
        return st_err(err, ST_EINPUT, "results.tool.name: expected \"replay\", got \"%s\"", tname);
    snprintf(r->tool_version, sizeof r->tool_version, "%s", tver);
    if ((rc = jv_object(root, "results", "scenario", 1, &o, err)) ||
        (rc = jv_no_unknown(o, "results.scenario", rr_sc_keys, err)) ||
        (rc = jv_string(o, "results.scenario", "name", 1, &name, err)) ||
        (rc = jv_string(o, "results.scenario", "path", 1, &path, err)) ||
        (rc = jv_string(o, "results.scenario", "hash", 1, &hash, err)) ||
        (rc = jv_int(o, "results.scenario", "seed", 1, 0, RR_MAXC, &seed, err)) ||
        (rc = jv_string(o, "results.scenario", "target", 1, &target, err)) ||
        (rc = jv_number(o, "results.scenario", "duration_s", 1, 0, INFINITY, &sc->duration, err)) ||
        (rc = jv_number(o, "results.scenario", "scale", 1, 0, INFINITY, &sc->scale, err)) ||
        (rc = jv_enum(o, "results.scenario", "http_version", 0, sc_http_versions, &sc->http_version,
                      err)) ||
        (rc = jv_bool(o, "results.scenario", "require_version", 0, &sc->require_version, err)))
        return rc;
    errno = 0;
    sc->hash = strtoull(hash, &end, 16);
    if (strlen(hash) != 16 || *end || errno)
        return st_err(err, ST_EINPUT, "results.scenario.hash: expected 16 hex digits, got \"%s\"",
                      hash);
    if (strlen(name) >= sizeof sc->name || strlen(path) >= sizeof sc->path ||
        strlen(target) >= sizeof sc->target)
        return st_err(err, ST_EINPUT, "results.scenario: name, path or target too long");
    snprintf(sc->name, sizeof sc->name, "%s", name);
    snprintf(sc->path, sizeof sc->path, "%s", path);
    snprintf(sc->target, sizeof sc->target, "%s", target);
    sc->seed = (uint64_t)seed;
    if ((rc = jv_object(root, "results", "segment", 1, &seg, err)) ||
        (rc = jv_no_unknown(seg, "results.segment", rr_seg_keys, err)) ||
        (rc = jv_int(seg, "results.segment", "n", 1, 1, RR_MAX_SEGMENTS, &n, err)) ||
        (rc = jv_int(seg, "results.segment", "i", 1, 0, n, &i, err)))
        return rc;
    r->p.seg_i = (unsigned)i;
    r->p.seg_n = (unsigned)n;
    return 0;
}

/* Segment list: {i} for a segment file; merged.segments for a merge (segment.i = 0). */
static int read_segments(rr_result *r, const json_t *root, char *err)
{
    json_t *mg = json_object_get(root, "merged"), *a[2];
    unsigned **dst[2] = {&r->segs, &r->missing}, *cnt[2] = {&r->n_segs, &r->n_missing};
    const char *key[2] = {"segments", "missing"};
    unsigned char *seen;
    int rc = 0;
    if (r->p.seg_i) {
        if (mg)
            return st_err(err, ST_EINPUT, "results.merged: only in merged results (segment.i = 0)");
        if (!(r->segs = malloc(sizeof *r->segs)))
            return ST_ENOMEM;
        r->segs[0] = r->p.seg_i;
        r->n_segs = 1;
        return 0;
    }
    if (!mg)
        return st_err(err, ST_EINPUT,
                      "results.segment.i: 0 marks merged results, but there is no \"merged\"");
    if ((rc = jv_object(root, "results", "merged", 1, &mg, err)) ||
        (rc = jv_no_unknown(mg, "results.merged", rr_merged_keys, err)) ||
        (rc = jv_array(mg, "results.merged", "segments", 1, &a[0], err)) ||
        (rc = jv_array(mg, "results.merged", "missing", 1, &a[1], err)))
        return rc;
    if (!(seen = calloc(r->p.seg_n + 1, 1)))
        return ST_ENOMEM;
    for (int w = 0; w < 2 && !rc; w++) {
        size_t n = json_array_size(a[w]);
        if (!(*dst[w] = calloc(n ? n : 1, sizeof **dst[w]))) {
            rc = ST_ENOMEM;
            break;
        }
        for (size_t k = 0; k < n; k++) {
            json_t *v = json_array_get(a[w], k);
            json_int_t x = json_is_integer(v) ? json_integer_value(v) : 0;
            if (x < 1 || x > r->p.seg_n || seen[x] || (k && x <= (json_int_t)(*dst[w])[k - 1])) {
                rc = st_err(err, ST_EINPUT,
                            "results.merged.%s[%zu]: expected ascending segment numbers "
                            "1..%u, each once",
                            key[w], k, r->p.seg_n);
                break;
            }
            seen[x] = 1;
            (*dst[w])[(*cnt[w])++] = (unsigned)x;
        }
    }
    free(seen);
    if (!rc && !r->n_segs)
        rc = st_err(err, ST_EINPUT, "results.merged.segments: empty");
    return rc;
}

static int read_counts(rr_result *r, const json_t *root, char *err)
{
    json_t *c;
    metrics *m = r->m;
    uint64_t sent, done, checks, failed, bytes, status[MX_CLASSES], errs[ERR_N];
    uint64_t want_sent = 0, want_done = 0, want_checks = 0, want_failed = 0, want_bytes = 0;
    const char *P = "results.counts";
    int rc;
    if ((rc = jv_object(root, "results", "counts", 1, &c, err)) ||
        (rc = jv_no_unknown(c, P, rr_count_keys, err)) ||
        (rc = u64(c, P, "sessions_all_segments", &r->p.all_sessions, err)) ||
        (rc = u64(c, P, "sessions_planned", &m->sessions_planned, err)) ||
        (rc = u64(c, P, "sessions_started", &m->sessions_started, err)) ||
        (rc = u64(c, P, "sessions_dropped", &m->sessions_dropped, err)) ||
        (rc = u64(c, P, "sessions_done", &m->sessions_done, err)) ||
        (rc = u64(c, P, "requests_planned", &m->requests_planned, err)) ||
        (rc = u64(c, P, "requests_sent", &sent, err)) ||
        (rc = u64(c, P, "requests_done", &done, err)) ||
        (rc = u64(c, P, "requests_unsent", &m->requests_unsent, err)) ||
        (rc = u64(c, P, "late_sends", &m->late_sends, err)) ||
        (rc = u64(c, P, "blocked_sends", &m->blocked_sends, err)) ||
        (rc = u64(c, P, "throttled", &m->throttled, err)) ||
        (rc = opt_u64(c, P, "queued_sends", &m->queued_sends, err)) ||
        (rc = u64(c, P, "checks", &checks, err)) ||
        (rc = u64(c, P, "checks_failed", &failed, err)) ||
        (rc = u64(c, P, "bytes_in", &bytes, err)) ||
        (rc = counts_of(c, P, "status", mx_class_names, MX_CLASSES, status, err)) ||
        (rc = counts_of(c, P, "errors", mx_err_names, ERR_N, errs, err)))
        return rc;
    /* The totals are derived from the routes: a file whose totals disagree was edited. */
    for (size_t i = 0; i < m->n_routes; i++) {
        const mx_route *mr = &m->routes[i];
        want_sent += mr->sent;
        want_done += mr->done;
        want_checks += mr->checks;
        want_failed += mr->checks_failed;
        want_bytes += mr->bytes_in;
        for (int k = 0; k < MX_CLASSES; k++)
            status[k] -= mr->status[k];
        for (int e = 0; e < ERR_N; e++)
            errs[e] -= mr->err[e];
    }
#define RR_SAME(a, b, key) \
    if ((a) != (b)) \
        return st_err(err, ST_EINPUT, "%s.%s: %llu, but the routes add up to %llu", P, key, \
                      (unsigned long long)(a), (unsigned long long)(b));
    RR_SAME(sent, want_sent, "requests_sent")
    RR_SAME(done, want_done, "requests_done")
    RR_SAME(checks, want_checks, "checks")
    RR_SAME(failed, want_failed, "checks_failed")
    RR_SAME(bytes, want_bytes, "bytes_in")
#undef RR_SAME
    for (int k = 0; k < MX_CLASSES; k++)
        if (status[k])
            return st_err(err, ST_EINPUT, "%s.status.%s: disagrees with the routes", P,
                          mx_class_names[k]);
    for (int e = 0; e < ERR_N; e++)
        if (errs[e])
            return st_err(err, ST_EINPUT, "%s.errors.%s: disagrees with the routes", P,
                          mx_err_names[e]);
    return 0;
}

static int read_thresholds(rr_result *r, const json_t *root, char *err)
{
    json_t *a = NULL;
    char p[64];
    int rc = jv_array(root, "results", "thresholds", 1, &a, err);
    if (rc)
        return rc; /* a is not set on failure: size it only after */
    size_t n = json_array_size(a);
    if (n > SC_MAX_THRESHOLDS)
        return st_err(err, ST_EINPUT, "results.thresholds: more than %d", SC_MAX_THRESHOLDS);
    r->thr_values = calloc(n + 1, sizeof *r->thr_values);
    r->thr_ok = calloc(n + 1, sizeof *r->thr_ok);
    if (!r->thr_values || !r->thr_ok)
        return ST_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(a, i);
        const char *expr, *display;
        int deferred = 0;
        thr *t = &r->sc->thresholds[i];
        jv_path(p, sizeof p, "results.thresholds", i);
        if (!json_is_object(o))
            return st_err(err, ST_EINPUT, "%s: expected an object", p);
        if ((rc = jv_no_unknown(o, p, rr_thr_keys, err)) ||
            (rc = jv_string(o, p, "expr", 1, &expr, err)) ||
            (rc = jv_string(o, p, "display", 1, &display, err)) ||
            (rc = jv_number(o, p, "value", 1, -INFINITY, INFINITY, &r->thr_values[i], err)) ||
            (rc = jv_bool(o, p, "ok", 1, &r->thr_ok[i], err)) ||
            (rc = jv_bool(o, p, "abort", 1, &t->abort, err)) ||
            (rc = jv_bool(o, p, "deferred", 0, &deferred, err)))
            return rc;
        if (deferred)
            r->thr_ok[i] = THR_DEFERRED;
        /* A rule that could not be measured is written as value 0, ok false (results.md) and
         * display "nan": that display is where the NaN survives, so read it back as NaN (a
         * report must not show "measured 0" for it, and the file must write again as it was). */
        else if (!r->thr_ok[i] && r->thr_values[i] == 0 && !strcmp(display, "nan"))
            r->thr_values[i] = NAN;
        {
            int ab = t->abort;
            char tp[80];
            jv_key(tp, sizeof tp, p, "expr");
            if ((rc = thr_parse(t, expr, tp, err)))
                return rc;
            t->abort = ab;
        }
        r->sc->n_thresholds++;
    }
    return 0;
}

/* An optional object section copied as it is into *out (left NULL when absent). */
static int kept_object(const json_t *root, const char *key, json_t **out, char *err)
{
    json_t *o;
    int rc;
    if (!json_object_get(root, key))
        return 0;
    if ((rc = jv_object(root, "results", key, 1, &o, err)))
        return rc;
    return (*out = json_deep_copy(o)) ? 0 : ST_ENOMEM;
}

/* results.KEY as a histogram into *h (replacing it). The histograms added after version 1 was
 * first written (pool_wait, lateness_unqueued) are optional: absent (older files) leaves *h
 * as it is, empty. */
static int read_hist(const json_t *root, const char *key, int required, hist **h, char *err)
{
    char p[64];
    json_t *o = NULL;
    hist *n;
    int rc;
    if ((rc = jv_object(root, "results", key, required, &o, err)) || !o)
        return rc;
    snprintf(p, sizeof p, "results.%s", key);
    if (!(n = hist_from_json(o, p, err)))
        return ST_EINPUT;
    hist_free(*h);
    *h = n;
    return 0;
}

static int read_root(rr_result *r, const json_t *root, char *err)
{
    json_t *routes, *series, *w, *sum;
    const char *fmt, *stopped;
    int64_t t0 = 0, threads;
    size_t n_secs = 0;
    int rc, st;
    char p[64];
    if (!json_is_object(root))
        return st_err(err, ST_EINPUT, "results: expected a JSON object");
    if ((rc = jv_no_unknown(root, "results", rr_top_keys, err)) ||
        (rc = jv_string(root, "results", "format", 1, &fmt, err)))
        return rc;
    if (strcmp(fmt, ST_FMT_RESULTS))
        return st_err(err, ST_EINPUT, "results.format: expected \"" ST_FMT_RESULTS "\", got \"%s\"",
                      fmt);
    if ((rc = jv_version(root, "results", ST_FMT_RESULTS_VERSION, &r->version, err)) ||
        (rc = jv_array(root, "results", "routes", 1, &routes, err)) ||
        (rc = jv_array(root, "results", "series", 1, &series, err)) ||
        (rc = series_span(series, &t0, &n_secs, err)))
        return rc;
    if (json_array_size(routes) > 4096)
        return st_err(err, ST_EINPUT, "results.routes: more than 4096 routes");
    r->sc = calloc(1, sizeof *r->sc);
    if (!r->sc || !(r->sc->routes = calloc(json_array_size(routes) + 1, sizeof *r->sc->routes)) ||
        !(r->m = metrics_new(json_array_size(routes), t0, n_secs)))
        return ST_ENOMEM;
    r->sc->n_routes = json_array_size(routes);
    if ((rc = read_scenario(r, root, err)) || (rc = read_segments(r, root, err)))
        return rc;
    for (size_t i = 0; i < r->sc->n_routes; i++)
        if ((rc = read_route(r, i, json_array_get(routes, i),
                             jv_path(p, sizeof p, "results.routes", i), err)))
            return rc;
    for (size_t i = 0; i < json_array_size(series); i++)
        if ((rc = read_second(r, json_array_get(series, i),
                              jv_path(p, sizeof p, "results.series", i), err)))
            return rc;
    if ((rc = read_counts(r, root, err)) || (rc = read_thresholds(r, root, err)))
        return rc;
    if ((rc = read_hist(root, "lateness", 1, &r->m->lateness, err)) ||
        (rc = read_hist(root, "pool_wait", 0, &r->m->pool_wait, err)) ||
        (rc = read_hist(root, "lateness_unqueued", 0, &r->m->lateness_unqueued, err)))
        return rc;
    if ((rc = results_read_ws(r->m, root, err)))
        return rc;
    if ((rc = jv_int(root, "results", "start", 1, 0, (int64_t)1 << 40, &r->start, err)) ||
        (rc = jv_number(root, "results", "elapsed_s", 1, 0, INFINITY, &r->elapsed_s, err)) ||
        (rc = jv_int(root, "results", "threads", 1, 0, 1 << 20, &threads, err)) ||
        (rc = jv_enum(root, "results", "stopped", 1, rr_stopped, &st, err)) ||
        (rc = jv_string(root, "results", "stopped", 1, &stopped, err)) ||
        (rc = jv_object(root, "results", "summary", 1, &sum, err)) ||
        (rc = jv_array(root, "results", "warnings", 1, &w, err)))
        return rc;
    r->threads = (unsigned)threads;
    snprintf(r->stopped, sizeof r->stopped, "%s", stopped);
    for (size_t i = 0; i < json_array_size(w); i++)
        if (!json_is_string(json_array_get(w, i)))
            return st_err(err, ST_EINPUT, "%s: expected a string",
                          jv_path(p, sizeof p, "results.warnings", i));
    if (!(r->warnings = json_deep_copy(w)))
        return ST_ENOMEM;
    /* Kept as read: coverage is a function of the scenario, db the probe's, trace the trace's. */
    if ((rc = kept_object(root, "coverage", &r->coverage, err)) ||
        (rc = kept_object(root, "db", &r->db, err)) ||
        (rc = kept_object(root, "trace", &r->trace, err)))
        return rc;
    return 0;
}

int results_read(rr_result *r, const json_t *root, const char *name, char *err)
{
    char e[ST_ERRLEN] = "";
    int rc;
    memset(r, 0, sizeof *r);
    snprintf(r->file, sizeof r->file, "%s", name ? name : "results");
    rc = read_root(r, root, e);
    if (rc) {
        if (rc == ST_ENOMEM)
            st_err(err, rc, "%s: out of memory", r->file);
        else
            st_err(err, rc, "%s: %s", r->file, e);
        results_read_term(r);
    }
    return rc;
}

int results_read_file(rr_result *r, const char *path, char *err)
{
    json_t *root = jsonio_load(path, err);
    int rc;
    if (!root) {
        memset(r, 0, sizeof *r);
        return ST_EINPUT;
    }
    rc = results_read(r, root, path, err);
    json_decref(root);
    return rc;
}

void results_read_term(rr_result *r)
{
    if (r->sc)
        free(r->sc->routes);
    free(r->sc);
    metrics_free(r->m);
    free(r->thr_values);
    free(r->thr_ok);
    json_decref(r->warnings);
    json_decref(r->db);
    json_decref(r->coverage);
    json_decref(r->trace);
    free(r->segs);
    free(r->missing);
    memset(r, 0, sizeof *r);
}

void results_read_info(const rr_result *r, run_info *ri)
{
    memset(ri, 0, sizeof *ri);
    ri->sc = r->sc;
    ri->p = &r->p;
    ri->threads = r->threads;
    ri->start_wall = r->start;
    ri->elapsed_s = r->elapsed_s;
    ri->stopped = r->stopped;
    ri->thr_values = r->thr_values;
    ri->thr_ok = r->thr_ok;
    ri->warnings = r->warnings;
    ri->coverage = r->coverage;
}

const char **results_route_names(const rr_result *r)
{
    const char **names = calloc(r->sc->n_routes + 1, sizeof *names);
    for (size_t i = 0; names && i < r->sc->n_routes; i++)
        names[i] = r->sc->routes[i].template_;
    return names;
}
