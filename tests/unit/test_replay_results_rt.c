/*
 * test_replay_results_rt.c -- results.json written (results.c), read back (results_read.c)
 * and written again must be the same bytes, for a document in which every field is set.
 *
 * Why: results_read.c mirrors results_build() block by block by hand. A field written but
 * not read comes back as its zero value; so the document here is built from metrics where
 * every counter, histogram and flag is set (fill_metrics), and populated() refuses any
 * number that is 0, any false and any empty container outside a short list of fields that
 * are 0 or false by definition. A new field in results_build() therefore fails this test
 * until the test sets it, and then fails again until results_read() reads it. Checked for a
 * segment file (trace and db sections included, as `replay run` writes them) and for a
 * merged file (segment.i = 0 and "merged", as `replay merge` writes them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonio.h"
#include "merge.h"
#include "results.h"
#include "results_read.h"

#define N_ROUTES 2
#define N_SECS 3
#define T0 1700000000

/* Fields that are 0, false or empty by definition, with the reason; [*] is any index. */
static const char *const legit_zero[] = {
    "thresholds[*].ok",    /* a verdict: false is a value (true ones are checked by the trip) */
    "thresholds[*].abort", /* only the first rule aborts (its true is checked by the trip) */
    "thresholds[2].value", /* the db.* rule: deferred in a segment, and in the merge the db
                            * section here has nothing it can read: no value, written 0 */
    "segment.i",           /* 0 marks merged results (only in the merged document) */
    NULL,
};

/* path with every [N] also tried as [*]. */
static int is_legit_zero(const char *path)
{
    char any[512];
    size_t j = 0;
    for (const char *q = path; *q && j + 2 < sizeof any; q++) {
        any[j++] = *q;
        if (*q == '[') {
            any[j++] = '*';
            while (q[1] >= '0' && q[1] <= '9')
                q++;
        }
    }
    any[j] = '\0';
    for (size_t i = 0; legit_zero[i]; i++)
        if (!strcmp(path, legit_zero[i]) || !strcmp(any, legit_zero[i]))
            return 1;
    return 0;
}

/* Fails the test (naming the field) at the first unset leaf under v. */
static void populated(const json_t *v, const char *path)
{
    char p[512];
    const char *k;
    json_t *x;
    size_t i;
    if (json_is_object(v)) {
        if (!json_object_size(v) && !is_legit_zero(path))
            fail_msg("results%s%s: empty object; set it in fill_metrics", *path ? "." : "", path);
        json_object_foreach((json_t *)v, k, x) {
            snprintf(p, sizeof p, "%s%s%s", path, *path ? "." : "", k);
            populated(x, p);
        }
    } else if (json_is_array(v)) {
        if (!json_array_size(v) && !is_legit_zero(path))
            fail_msg("results.%s: empty array; set it in fill_metrics", path);
        json_array_foreach(v, i, x) {
            snprintf(p, sizeof p, "%s[%zu]", path, i);
            populated(x, p);
        }
    } else if ((json_is_number(v) && json_number_value(v) == 0) || json_is_false(v)) {
        if (!is_legit_zero(path))
            fail_msg("results.%s: is %s; set it in fill_metrics so that the round trip checks "
                     "that results_read() reads it",
                     path, json_is_false(v) ? "false" : "0");
    }
}

/* Values >= 5 ms (coarse bucket and histogram index never 0), and one past HIST_MAX so
 * that `clamped` is set too. */
static void fill_hist(hist *h, uint64_t base)
{
    for (uint64_t k = 1; k <= 5; k++)
        hist_record(h, base * k + 5000);
    hist_record(h, HIST_MAX * 2);
}

static void fill_ws(metrics *m)
{
    mx_ws *w = &m->ws;
    m->has_ws = 1;
    w->planned = 40, w->attempts = 45, w->opened = 38, w->reconnects = 5, w->hs_failed = 7;
    w->aborted = 2, w->errors = 3, w->msgs_in = 900, w->msgs_out = 300, w->bytes_in = 90000;
    w->bytes_out = 30000, w->pushes = 600;
    w->hs_status[503] = 4;
    w->hs_status[401] = 1;
    for (int i = 0; i < WSF_N; i++)
        w->hs_kind[i] = (uint64_t)i + 1;
    for (int i = 0; i < WSE_N; i++)
        w->ends[i] = (uint64_t)i + 2;
    metrics_ws_close_add(m, 1001, 6); /* first seen first: the order is part of the file */
    metrics_ws_close_add(m, 1000, 20);
    w->close_other = 1;
    assert_non_null(w->handshake = hist_new());
    assert_non_null(w->push_delay = hist_new());
    fill_hist(w->handshake, 900);
    fill_hist(w->push_delay, 300);
}

/* Every field results_build() writes, set to a distinct value that is not 0. */
static metrics *fill_metrics(unsigned salt)
{
    metrics *m = metrics_new(N_ROUTES, T0, N_SECS);
    assert_non_null(m);
    for (size_t r = 0; r < N_ROUTES; r++) {
        mx_route *mr = &m->routes[r];
        for (long s = 0; s < N_SECS; s++)
            for (int cls = 0; cls < MX_CLASSES; cls++) {
                /* Transport errors of all four kinds; 4xx and 5xx count as errors too. */
                int n = cls == 0 ? ERR_4XX : 1;
                for (int e = 0; e < n; e++) {
                    int err = cls == 0 ? e : cls == 4 ? ERR_4XX : cls == 5 ? ERR_5XX : -1;
                    uint64_t lat = 7000 + 1000 * (uint64_t)(cls + 3 * s) + 100 * r + salt;
                    assert_int_equal(metrics_record(m, r, cls, err, lat, lat / 2, s, 100 + r), 0);
                }
            }
        for (int cls = 0; cls < MX_CLASSES; cls++) {
            fill_hist(mr->lat[cls], 11 + r + salt);
            fill_hist(mr->svc[cls], 7 + r + salt);
        }
        mr->planned = mr->done + 10 + r;
        mr->sent = mr->done + 2 + r;
        mr->checks = 20 + r;
        mr->checks_failed = 3 + r;
        for (int v = 0; v < MX_HV; v++)
            mr->version[v] = (uint64_t)v + 1 + r;
        mr->version_refused = 1 + r;
    }
    for (size_t s = 0; s < N_SECS; s++) {
        mx_second *x = &m->secs[s];
        x->planned = 50 + (uint32_t)s, x->sent = 45 + (uint32_t)s, x->late = 2 + (uint32_t)s;
        x->sessions = 4 + (uint32_t)s, x->ws_open = 10 + (uint32_t)s,
        x->ws_opened = 3 + (uint32_t)s;
        x->ws_msgs_in = 300 + (uint32_t)s, x->ws_errors = 1 + (uint32_t)s;
    }
    fill_hist(m->lateness, 40 + salt);
    fill_hist(m->pool_wait, 900 + salt);
    fill_hist(m->lateness_unqueued, 20 + salt);
    m->sessions_planned = 60, m->sessions_started = 58, m->sessions_dropped = 1;
    m->sessions_done = 55, m->requests_planned = 200, m->requests_unsent = 9;
    m->late_sends = 6, m->blocked_sends = 4, m->throttled = 3;
    m->queued_sends = 5;
    fill_ws(m);
    return m;
}

static const char *const thr_exprs[] = {"p95(latency) < 300ms", "rate(errors) < 1%",
                                        "max(db.waiting) < 5"};

/* The scenario facts results_build() reads (what results_read's stub holds). */
static void fill_scenario(scenario *sc, sc_route *routes)
{
    char err[ST_ERRLEN];
    memset(sc, 0, sizeof *sc);
    snprintf(sc->name, sizeof sc->name, "round-trip");
    snprintf(sc->path, sizeof sc->path, "/srv/scenarios/rt.json");
    snprintf(sc->target, sizeof sc->target, "http://127.0.0.1:18080");
    sc->hash = 0x0123456789abcdefull;
    sc->seed = 42;
    sc->duration = 3;
    sc->scale = 1.5;
    sc->http_version = SCHV_H2C;
    sc->require_version = 1;
    sc->n_routes = N_ROUTES;
    sc->routes = routes;
    for (size_t r = 0; r < N_ROUTES; r++) {
        snprintf(routes[r].template_, sizeof routes[r].template_, "/products/{id}/%zu", r);
        snprintf(routes[r].method, sizeof routes[r].method, r ? "POST" : "GET");
    }
    sc->n_thresholds = 3;
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(thr_parse(&sc->thresholds[i], thr_exprs[i], "t", err), 0);
    sc->thresholds[0].abort = 1;
}

/* A segment's results document as `replay run` writes it. New reference. */
static json_t *segment_doc(unsigned seg_i, int with_db)
{
    static sc_route routes[N_ROUTES];
    static scenario sc;
    plan p;
    double values[3] = {250000, 0.25, NAN};
    int oks[3] = {THR_PASSED, THR_FAILED, THR_DEFERRED};
    metrics *m = fill_metrics(seg_i);
    json_t *warnings = json_pack("[s]", "engine fell behind: a test warning");
    json_t *cov = json_pack("{s:f,s:s,s:[{s:s,s:f,s:s}],s:i}", "share", 0.9, "by", "requests",
                            "missing", "route", "/admin", "share", 0.1, "why", "not mapped",
                            "bot_sessions", 3);
    json_t *trace = json_pack("{s:s,s:f,s:i}", "file", "t.ndjson", "speed", 2.0, "truncated", 1);
    json_t *db = json_pack("{s:{s:[i],s:[i]}}", "samples", "t", T0, "waiting", 2);
    fill_scenario(&sc, routes);
    memset(&p, 0, sizeof p);
    p.seg_i = seg_i;
    p.seg_n = 3;
    p.all_sessions = 177;
    run_info ri = {&sc, &p, 3, T0, 3.25, "aborted", values, oks, warnings, cov};
    json_t *doc = results_build(m, &ri);
    assert_non_null(doc);
    assert_int_equal(results_attach(doc, trace, with_db ? db : NULL), 0);
    json_decref(warnings);
    json_decref(cov);
    json_decref(trace);
    json_decref(db);
    metrics_free(m);
    return doc;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

/* Saves doc, reads the file back, writes what was read, and asserts the same bytes; then
 * once more from the second file. */
static void assert_round_trip(const json_t *doc, const char *tag)
{
    char dir[] = "/tmp/stampede-rt.XXXXXX", a[128], b[128], c[128], err[ST_ERRLEN];
    rr_result r;
    assert_non_null(mkdtemp(dir));
    snprintf(a, sizeof a, "%s/%s_a.json", dir, tag);
    snprintf(b, sizeof b, "%s/%s_b.json", dir, tag);
    snprintf(c, sizeof c, "%s/%s_c.json", dir, tag);
    assert_int_equal(jsonio_save(a, doc, err), 0);
    const char *from[2] = {a, b}, *to[2] = {b, c};
    for (int k = 0; k < 2; k++) {
        if (results_read_file(&r, from[k], err))
            fail_msg("%s", err);
        json_t *again = merge_build_doc(&r);
        assert_non_null(again);
        assert_int_equal(jsonio_save(to[k], again, err), 0);
        json_decref(again);
        results_read_term(&r);
        char *x = slurp(from[k]), *y = slurp(to[k]);
        if (strcmp(x, y))
            fail_msg("%s and %s differ: a field written by results_build() is not read back "
                     "by results_read() (diff the two files)",
                     from[k], to[k]);
        free(x);
        free(y);
    }
    remove(a), remove(b), remove(c);
    rmdir(dir);
}

static void test_segment(void **state)
{
    (void)state;
    json_t *doc = segment_doc(2, 1);
    populated(doc, "");
    assert_round_trip(doc, "segment");
    json_decref(doc);
}

/* Segments 1 and 3 of 3 (segment 2 missing) merged as `replay merge` does. */
static void test_merged(void **state)
{
    (void)state;
    rr_result in[2], out;
    char err[ST_ERRLEN];
    for (int k = 0; k < 2; k++) {
        json_t *d = segment_doc(k ? 3 : 1, k == 0); /* only one segment probes */
        if (results_read(&in[k], d, k ? "seg3" : "seg1", err))
            fail_msg("%s", err);
        json_decref(d);
    }
    if (merge_results(&out, in, 2, err))
        fail_msg("%s", err);
    json_t *doc = merge_build_doc(&out);
    assert_non_null(doc);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "segment"), "i")), 0);
    assert_non_null(json_object_get(doc, "merged"));
    populated(doc, "");
    assert_round_trip(doc, "merged");
    json_decref(doc);
    results_read_term(&out);
    results_read_term(&in[0]);
    results_read_term(&in[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_segment),
        cmocka_unit_test(test_merged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
