/*
 * search.c -- the capacity search's rules: next scale, step verdict, knee, degradation (see
 * search.h). The SEARCH document's reading and merging are in search_merge.c.
 */
#include "search.h"
#include "formats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbuf.h"
#include "lag.h"
#include "metrics.h"
#include "probe.h"
#include "report_why.h"
#include "results_read.h"

const char *const search_verdict_names[SV_N] = {"pass", "fail", "inconclusive"};
const char *const search_err_class_names[6] = {"connect", "timeout", "reset",
                                               "other",   "4xx",     "5xx"};

static double round6(double v)
{
    return round(v * 1e6) / 1e6;
}

double search_grid_scale(const search_cfg *c, unsigned k)
{
    double s = round6(c->from + (double)k * c->step);
    if (k == 0)
        return c->from;
    /* The last grid step is --to itself, even when --step does not divide the range. */
    if (s >= c->to - 1e-9) {
        double prev = round6(c->from + (double)(k - 1) * c->step);
        return prev < c->to - 1e-9 ? c->to : 0;
    }
    return s;
}

double search_bisect_next(const search_cfg *c, double hp, double lf)
{
    double lo = hp > 0 ? hp : c->from, mid;
    if (!c->bisect || lf <= 0 || hp <= 0 || lf - lo <= c->precision + 1e-9)
        return 0;
    mid = round6((lo + lf) / 2);
    return mid > lo && mid < lf ? mid : 0;
}

static double num(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : 0;
}

int search_generator_behind(const json_t *res, char *why, size_t n)
{
    const json_t *c = json_object_get(res, "counts");
    const json_t *lat = json_object_get(json_object_get(res, "summary"), "lateness_us");
    /* clang-format off */
    const lag_figures f = {.sent = num(c, "requests_sent"), .late = num(c, "late_sends"),
                           .p99_us = num(lat, "p99"), .dropped = num(c, "sessions_dropped"),
                           .throttled = num(c, "throttled")};
    /* clang-format on */
    /* lag_bar_search is looser than run's warning on purpose (lag.h says why). */
    switch (lag_judge(&f, &lag_bar_search)) {
    case LAG_THROTTLED:
        snprintf(why, n,
                 "the generator was capped: %.0f of %.0f requests held by --max-rps / "
                 "limits.max_rps",
                 f.throttled, f.sent);
        return 1;
    case LAG_DROPPED:
        snprintf(why, n,
                 "the generator dropped %.0f sessions at its session cap "
                 "(sessions.max_active)",
                 f.dropped);
        return 1;
    case LAG_LATE:
        snprintf(why, n,
                 "the generator fell behind: %.0f of %.0f sends more than 10 ms late "
                 "(p99 send lateness %.1f ms)",
                 f.late, f.sent, f.p99_us / 1000);
        return 1;
    default: return 0;
    }
}

int search_judge(const json_t *res, char *why, size_t n)
{
    const json_t *thrs = json_object_get(res, "thresholds"), *t;
    const char *stopped = json_string_value(json_object_get(res, "stopped"));
    size_t i, nf = 0;
    dbuf b;
    if (search_generator_behind(res, why, n))
        return SV_INCONCLUSIVE;
    if (stopped && !strcmp(stopped, "interrupted")) {
        snprintf(why, n, "interrupted (Ctrl-C): the step did not run its course");
        return SV_INCONCLUSIVE;
    }
    dbuf_init(&b, 4096);
    json_array_foreach(thrs, i, t) {
        if (json_is_true(json_object_get(t, "ok")))
            continue;
        dbuf_printf(&b, "%s%s (measured %s)", nf++ ? ", " : "",
                    json_string_value(json_object_get(t, "expr")),
                    json_string_value(json_object_get(t, "display")));
    }
    if (nf || (stopped && !strcmp(stopped, "aborted"))) {
        snprintf(why, n, "%s%s%s", stopped && !strcmp(stopped, "aborted") ? "aborted; " : "",
                 nf ? "failed: " : "", b.p ? b.p : "");
        dbuf_free(&b);
        return SV_FAIL;
    }
    dbuf_free(&b);
    snprintf(why, n, "every threshold passed");
    return SV_PASS;
}

json_t *search_doc_new(const search_cfg *c, const char *settle, const json_t *first)
{
    const json_t *sc = json_object_get(first, "scenario"), *seg = json_object_get(first, "segment");
    json_t *d = json_object();
    if (!d)
        return NULL;
    json_object_set_new(d, "format", json_string(SEARCH_FORMAT));
    json_object_set_new(d, "version", json_integer(ST_FMT_SEARCH_VERSION));
    json_object_set_new(d, "tool", json_pack("{s:s,s:s}", "name", "replay", "version", ST_VERSION));
    json_object_set_new(d, "scenario",
                        json_pack("{s:O,s:O,s:O,s:O,s:O}", "name", json_object_get(sc, "name"),
                                  "path", json_object_get(sc, "path"), "hash",
                                  json_object_get(sc, "hash"), "seed", json_object_get(sc, "seed"),
                                  "target", json_object_get(sc, "target")));
    json_object_set_new(d, "segment", json_deep_copy(seg));
    json_object_set_new(d, "settings",
                        json_pack("{s:f,s:f,s:f,s:f,s:b,s:f,s:f,s:f,s:f,s:s,s:f}", "from", c->from,
                                  "to", c->to, "step", c->step, "precision", c->precision, "bisect",
                                  c->bisect, "hold_s", c->hold, "warmup_s", c->warmup, "require",
                                  c->require, "cooldown_s", c->cooldown < 0 ? 0.0 : c->cooldown,
                                  "settle", settle, "cascade_factor", c->cascade));
    json_object_set_new(d, "steps", json_array());
    json_object_set_new(d, "warnings", json_array());
    json_object_set_new(d, "stopped", json_string("running"));
    if (json_object_size(d) != 9) {
        json_decref(d);
        return NULL;
    }
    return d;
}

int search_add_step(json_t *doc, double scale, const char *phase, unsigned attempt, int verdict,
                    const char *why, int exit_code, const char *results_file,
                    const char *warmup_file, const json_t *settle, json_t *results)
{
    json_t *steps = json_object_get(doc, "steps"), *s = json_object();
    if (!s || !steps) {
        json_decref(s);
        json_decref(results);
        return ST_ENOMEM;
    }
    json_object_set_new(s, "index", json_integer((json_int_t)json_array_size(steps) + 1));
    json_object_set_new(s, "scale", json_real(scale));
    json_object_set_new(s, "phase", json_string(phase));
    json_object_set_new(s, "attempt", json_integer(attempt));
    json_object_set_new(s, "verdict", json_string(search_verdict_names[verdict]));
    json_object_set_new(s, "why", json_string(why));
    json_object_set_new(s, "exit", json_integer(exit_code));
    json_object_set_new(s, "results_file", results_file ? json_string(results_file) : json_null());
    json_object_set_new(s, "warmup_file", warmup_file ? json_string(warmup_file) : json_null());
    json_object_set_new(s, "settle", settle ? json_deep_copy(settle) : json_null());
    json_object_set_new(s, "results", results ? results : json_null());
    if (json_object_size(s) != 11 || json_array_append_new(steps, s))
        return ST_ENOMEM;
    return 0;
}

static int verdict_of(const json_t *step)
{
    const char *v = json_string_value(json_object_get(step, "verdict"));
    for (int i = 0; v && i < SV_N; i++)
        if (!strcmp(v, search_verdict_names[i]))
            return i;
    return SV_INCONCLUSIVE;
}

/* The last step recorded at each distinct scale, ascending by scale. Returns the count. */
static size_t latest(const json_t *doc, const json_t **out)
{
    const json_t *steps = json_object_get(doc, "steps"), *s;
    size_t i, n = 0;
    json_array_foreach(steps, i, s) {
        double sc = num(s, "scale");
        size_t k;
        for (k = 0; k < n && fabs(num(out[k], "scale") - sc) > 1e-9; k++)
            ;
        if (k < n)
            out[k] = s;
        else if (n < SEARCH_MAX_STEPS)
            out[n++] = s;
    }
    for (size_t a = 1; a < n; a++) /* insertion sort: n is small */
        for (size_t b = a; b > 0 && num(out[b - 1], "scale") > num(out[b], "scale"); b--) {
            const json_t *t = out[b];
            out[b] = out[b - 1];
            out[b - 1] = t;
        }
    return n;
}

void search_bounds(const json_t *doc, double *hp, double *lf, double *inc)
{
    const json_t *st[SEARCH_MAX_STEPS];
    size_t n = latest(doc, st);
    *hp = *lf = *inc = -1;
    for (size_t i = 0; i < n; i++) {
        int v = verdict_of(st[i]);
        double s = num(st[i], "scale");
        if (v == SV_FAIL && *lf < 0)
            *lf = s;
        if (v == SV_INCONCLUSIVE && *inc < 0)
            *inc = s;
    }
    for (size_t i = 0; i < n; i++) {
        double s = num(st[i], "scale");
        if (verdict_of(st[i]) == SV_PASS && (*lf < 0 || s < *lf))
            *hp = s;
    }
}

int search_row_of(const json_t *step, search_row *r)
{
    const json_t *res = json_object_get(step, "results"), *c, *sum, *lat, *errs, *db;
    double dur, done, e = 0;
    memset(r, 0, sizeof *r);
    r->scale = num(step, "scale");
    r->verdict = verdict_of(step);
    r->db_conn = r->db_active = r->db_waiting = NAN;
    if (!json_is_object(res))
        return 1;
    c = json_object_get(res, "counts");
    sum = json_object_get(res, "summary");
    lat = json_object_get(sum, "latency_us");
    errs = json_object_get(c, "errors");
    dur = num(json_object_get(res, "scenario"), "duration_s");
    done = num(c, "requests_done");
    if (dur > 0) {
        r->planned_rps = num(c, "requests_planned") / dur;
        r->sent_rps = num(c, "requests_sent") / dur;
        r->done_rps = done / dur;
    }
    r->p50_ms = num(lat, "p50") / 1000;
    r->p95_ms = num(lat, "p95") / 1000;
    r->p99_ms = num(lat, "p99") / 1000;
    for (int k = 0; k < 6; k++) {
        double v = num(errs, search_err_class_names[k]);
        r->err_class[k] = done > 0 ? v / done : 0;
        e += v;
    }
    r->err_rate = done > 0 ? e / done : 0;
    db = json_object_get(res, "db");
    if (json_is_object(db)) {
        r->has_db = 1;
        if (probe_json_metric_stat(db, "db.connections", PROBE_MAX, &r->db_conn, NULL))
            r->db_conn = NAN;
        if (probe_json_metric_stat(db, "db.active", PROBE_MAX, &r->db_active, NULL))
            r->db_active = NAN;
        if (probe_json_metric_stat(db, "db.waiting", PROBE_MAX, &r->db_waiting, NULL))
            r->db_waiting = NAN;
    }
    return 0;
}

/* Strips the tags of report_why's <li> items into an array of plain sentences. */
static json_t *sentences(const char *html)
{
    json_t *a = json_array();
    dbuf s;
    dbuf_init(&s, 1 << 16);
    for (const char *p = html; a && p && *p;) {
        const char *li = strstr(p, "<li>"), *end;
        if (!li || !(end = strstr(li, "</li>")))
            break;
        dbuf_reset(&s);
        for (const char *q = li + 4; q < end; q++) {
            if (*q == '<') {
                const char *gt = memchr(q, '>', (size_t)(end - q));
                q = gt ? gt : end - 1;
                continue;
            }
            if (*q == '&') {
                /* clang-format off */
                static const char *const ent[][2] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"},
                                                      {"&quot;", "\""}, {"&#39;", "'"}};
                /* clang-format on */
                size_t k;
                for (k = 0; k < 5 && strncmp(q, ent[k][0], strlen(ent[k][0])); k++)
                    ;
                if (k < 5) {
                    dbuf_adds(&s, ent[k][1]);
                    q += strlen(ent[k][0]) - 1;
                    continue;
                }
            }
            dbuf_add(&s, q, 1);
        }
        if (s.len)
            json_array_append_new(a, json_stringn(s.p, s.len));
        p = end + 5;
    }
    dbuf_free(&s);
    return a;
}

/* The "what happened" sentences of a step's results (report_why), as plain text. */
static json_t *what_happened(const json_t *step)
{
    rr_result r;
    report_events ev;
    char err[ST_ERRLEN];
    dbuf b;
    json_t *out;
    memset(&ev, 0, sizeof ev);
    if (!json_is_object(json_object_get(step, "results")) ||
        results_read(&r, json_object_get(step, "results"), "step", err))
        return json_array();
    dbuf_init(&b, 1 << 20);
    out = report_why(&b, &r, &ev) ? json_array() : sentences(b.p);
    dbuf_free(&b);
    results_read_term(&r);
    return out;
}

/* Graceful or cascade between the highest pass and the lowest fail. */
static json_t *degradation(const search_cfg *c, const json_t *pass, const json_t *fail)
{
    search_row a, b;
    double pr, er_floor;
    int cascade_p95, cascade_err;
    const char *v;
    char why[512];
    if (search_row_of(pass, &a) || search_row_of(fail, &b))
        return json_pack("{s:s,s:s}", "verdict", "unknown", "why", "a step has no results");
    pr = a.p95_ms > 0 ? b.p95_ms / a.p95_ms : 0;
    /* An error rate that starts at 0 has no ratio: growth is judged against 1% then. */
    er_floor = a.err_rate > 0.01 ? a.err_rate : 0.01;
    cascade_p95 = pr > c->cascade;
    cascade_err = b.err_rate > c->cascade * er_floor;
    v = cascade_p95 || cascade_err ? "cascade" : "graceful";
    snprintf(
        why, sizeof why,
        "from %gx to %gx (%.0f%% more load) p95 went %.1f ms -> %.1f ms (x%.2f) and the "
        "error rate %.2f%% -> %.2f%%; a cascade is a jump of more than x%g (error rates against "
        "at least 1%%)",
        a.scale, b.scale, (b.scale / a.scale - 1) * 100, a.p95_ms, b.p95_ms, pr, a.err_rate * 100,
        b.err_rate * 100, c->cascade);
    return json_pack("{s:s,s:f,s:f,s:f,s:f,s:f,s:b,s:b,s:s}", "verdict", v, "p95_ms_pass", a.p95_ms,
                     "p95_ms_fail", b.p95_ms, "p95_ratio", pr, "error_rate_pass", a.err_rate,
                     "error_rate_fail", b.err_rate, "p95_jump", cascade_p95, "error_jump",
                     cascade_err, "why", why);
}

static json_t *broke_first(const json_t *step)
{
    const json_t *thrs = json_object_get(json_object_get(step, "results"), "thresholds"), *t;
    json_t *a = json_array();
    size_t i;
    json_array_foreach(thrs, i, t)
        if (!json_is_true(json_object_get(t, "ok")))
            json_array_append_new(a, json_pack("{s:O,s:O,s:O}", "expr", json_object_get(t, "expr"),
                                               "measured", json_object_get(t, "display"), "abort",
                                               json_object_get(t, "abort")));
    return a;
}

static void cfg_of(const json_t *doc, search_cfg *c)
{
    const json_t *s = json_object_get(doc, "settings");
    memset(c, 0, sizeof *c);
    c->from = num(s, "from");
    c->to = num(s, "to");
    c->step = num(s, "step");
    c->precision = num(s, "precision");
    c->bisect = json_is_true(json_object_get(s, "bisect"));
    c->require = num(s, "require");
    c->cascade = num(s, "cascade_factor") > 1 ? num(s, "cascade_factor") : 3;
}

int search_finish(json_t *doc, const char *stopped)
{
    const json_t *st[SEARCH_MAX_STEPS], *pass = NULL, *fail = NULL;
    size_t n = latest(doc, st);
    double hp, lf, inc;
    search_cfg c;
    json_t *k;
    const char *status;
    cfg_of(doc, &c);
    search_bounds(doc, &hp, &lf, &inc);
    for (size_t i = 0; i < n; i++) {
        if (fabs(num(st[i], "scale") - hp) < 1e-9)
            pass = st[i];
        if (fabs(num(st[i], "scale") - lf) < 1e-9)
            fail = st[i];
    }
    status = lf > 0 && hp > 0 ? "found"
             : lf > 0         ? "below_from"
             : inc > 0        ? "inconclusive"
             : n              ? "not_reached"
                              : "no_steps";
    k = json_object();
    if (!k)
        return ST_ENOMEM;
    json_object_set_new(k, "status", json_string(status));
    json_object_set_new(k, "highest_pass", hp > 0 ? json_real(hp) : json_null());
    json_object_set_new(k, "lowest_fail", lf > 0 ? json_real(lf) : json_null());
    json_object_set_new(k, "lowest_inconclusive", inc > 0 ? json_real(inc) : json_null());
    json_object_set_new(k, "interval", hp > 0 && lf > 0 ? json_real(round6(lf - hp)) : json_null());
    json_object_set_new(k, "require", json_real(c.require));
    json_object_set_new(k, "meets_require", json_boolean(hp > 0 && hp >= c.require - 1e-9));
    json_object_set_new(k, "broke_first", fail ? broke_first(fail) : json_array());
    json_object_set_new(k, "what_happened", fail ? what_happened(fail) : json_array());
    json_object_set_new(k, "degradation",
                        pass && fail ? degradation(&c, pass, fail)
                                     : json_pack("{s:s,s:s}", "verdict", "unknown", "why",
                                                 "needs a passing and a failing step"));
    /* A pass above the lowest fail: the system is not monotonic in load (noise, or caches). */
    for (size_t i = 0; lf > 0 && i < n; i++)
        if (verdict_of(st[i]) == SV_PASS && num(st[i], "scale") > lf)
            json_object_set_new(k, "non_monotonic", json_real(num(st[i], "scale")));
    if (json_object_set_new(doc, "knee", k))
        return ST_ENOMEM;
    if (stopped)
        json_object_set_new(doc, "stopped", json_string(stopped));
    return 0;
}

int search_exit_code(const json_t *doc)
{
    const json_t *k = json_object_get(doc, "knee");
    if (json_is_true(json_object_get(k, "meets_require")))
        return ST_EXIT_OK;
    if (json_is_number(json_object_get(k, "lowest_fail")))
        return ST_EXIT_CHECK;
    return json_is_number(json_object_get(k, "lowest_inconclusive")) ? ST_EXIT_ENV : ST_EXIT_CHECK;
}
