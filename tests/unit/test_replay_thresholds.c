/*
 * test_replay_thresholds.c -- unit tests of replay/thresholds.c and metrics_measure: the
 * grammar (labels, units, operators), errors that name the field path, and measurements on
 * metrics built by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "metrics.h"
#include "thresholds.h"
#include "live.h"
#include <math.h>
#include <jansson.h>

static void test_parse(void **state)
{
    (void)state;
    thr t;
    char err[ST_ERRLEN];
    assert_int_equal(thr_parse(&t, "p95(latency{route=\"/products/{id}\"}) < 300ms", "s.t[0]", err),
                     0);
    assert_int_equal(t.agg, THR_PCT);
    assert_true(t.pct == 95);
    assert_int_equal(t.metric, THR_LATENCY);
    assert_string_equal(t.route, "/products/{id}");
    assert_int_equal(t.op, THR_LT);
    assert_true(t.value == 300000);
    assert_int_equal(thr_parse(&t, "rate(errors) < 1%", "s", err), 0);
    assert_true(t.agg == THR_RATE && t.metric == THR_ERRORS && t.value == 0.01);
    assert_int_equal(thr_parse(&t, "p99.9(service{status=\"2xx\"}) >= 1.5s", "s", err), 0);
    assert_true(t.pct == 99.9 && t.status_class == 2 && t.op == THR_GE && t.value == 1.5e6);
    assert_int_equal(thr_parse(&t, "count(errors{route=\"/checkout\"}) <= 0", "s", err), 0);
    assert_true(t.agg == THR_COUNT && t.op == THR_LE && t.value == 0);
    assert_true(thr_compare(&t, 0) && !thr_compare(&t, 1));

    assert_int_equal(thr_parse(&t, "p95(latncy) < 3ms", "scenario.thresholds[2]", err), ST_EINPUT);
    assert_non_null(strstr(err, "scenario.thresholds[2]: unknown metric"));
    assert_int_equal(thr_parse(&t, "rate(latency) < 1%", "x", err), ST_EINPUT);
    assert_int_equal(thr_parse(&t, "p95(errors) < 1%", "x", err), ST_EINPUT);
    assert_int_equal(thr_parse(&t, "p95(latency) = 3ms", "x", err), ST_EINPUT);
    assert_int_equal(thr_parse(&t, "p95(latency) < fast", "x", err), ST_EINPUT);
    assert_int_equal(thr_parse(&t, "p95(latency{host=\"x\"}) < 3ms", "x", err), ST_EINPUT);
    assert_int_equal(thr_parse(&t, "p101(latency) < 3ms", "x", err), ST_EINPUT);
}

static void test_measure(void **state)
{
    (void)state;
    const char *names[] = {"/", "/products/{id}"};
    metrics *m = metrics_new(2, 1000, 10);
    thr t;
    char err[ST_ERRLEN];
    assert_non_null(m);
    for (int i = 0; i < 99; i++)
        assert_int_equal(metrics_record(m, 1, 2, -1, 1000, 900, 0, 10), 0);
    assert_int_equal(metrics_record(m, 1, 5, ERR_5XX, 2000000, 1000, 0, 10), 0);
    assert_int_equal(metrics_record(m, 0, 0, ERR_CONNECT, 5000, 5000, 1, 0), 0);
    m->routes[0].sent = 1;
    m->routes[1].sent = 100;
    assert_int_equal(thr_parse(&t, "rate(errors) < 1%", "x", err), 0);
    assert_true(metrics_measure(m, &t, names) > 0.0197 && metrics_measure(m, &t, names) < 0.0199);
    assert_false(thr_compare(&t, metrics_measure(m, &t, names)));
    assert_int_equal(thr_parse(&t, "rate(errors{route=\"/products/{id}\"}) <= 1%", "x", err), 0);
    assert_true(metrics_measure(m, &t, names) == 0.01);
    assert_int_equal(thr_parse(&t, "p99(latency{route=\"/products/{id}\"}) < 2ms", "x", err), 0);
    assert_true(metrics_measure(m, &t, names) < 1002);
    assert_int_equal(thr_parse(&t, "max(latency) < 1s", "x", err), 0);
    assert_true(metrics_measure(m, &t, names) >= 2000000);
    assert_int_equal(thr_parse(&t, "count(requests{status=\"5xx\"}) < 2", "x", err), 0);
    assert_true(metrics_measure(m, &t, names) == 1);

    /* Merge is exact: two halves add up to the whole. */
    metrics *a = metrics_new(2, 1000, 10), *b = metrics_new(2, 1001, 10);
    metrics_merge(a, m);
    metrics_merge(a, m);
    assert_int_equal(a->routes[1].done, 200);
    assert_int_equal(hist_count(a->routes[1].lat[2]), 198);
    assert_int_equal(a->secs[0].done, 200);
    metrics_merge(b, m); /* b starts one second later: m's second 1 is b's second 0 */
    assert_int_equal(b->secs[0].done, 1);
    metrics_free(a);
    metrics_free(b);
    metrics_free(m);
}

/* WebSocket and probe metrics: names, kinds, errors, measurement and exact merge. */
static void test_ws(void **state)
{
    (void)state;
    thr t;
    char err[ST_ERRLEN];
    const char *names[] = {"/"};
    assert_int_equal(thr_parse(&t, "p95(ws_handshake) < 1s", "x", err), 0);
    assert_true(t.metric == THR_WS_HANDSHAKE && t.value == 1e6);
    assert_int_equal(thr_parse(&t, "rate(ws_errors) < 1%", "x", err), 0);
    assert_true(t.metric == THR_WS_ERRORS && t.value == 0.01);
    assert_int_equal(thr_parse(&t, "max(ws_open) <= 90", "x", err), 0);
    assert_true(t.metric == THR_WS_OPEN && t.agg == THR_MAX && t.value == 90);
    assert_int_equal(thr_parse(&t, "min(ws_push_delay) < 5ms", "x", err), 0);
    assert_int_equal(thr_parse(&t, "max(db.waiting) < 5", "x", err), 0);
    assert_true(t.metric == THR_DB && !strcmp(t.db_name, "db.waiting"));
    assert_int_equal(thr_parse(&t, "mean(db.active) < 90", "x", err), 0);
    assert_int_equal(thr_parse(&t, "max(db.waitng) < 5", "scenario.thresholds[1]", err), ST_EINPUT);
    assert_non_null(strstr(err, "scenario.thresholds[1]: unknown probe metric 'db.waitng'"));
    assert_int_equal(thr_parse(&t, "p95(db.waiting) < 5", "x", err), ST_EINPUT);
    assert_int_equal(thr_parse(&t, "rate(ws_open) < 5", "x", err), ST_EINPUT);
    assert_int_equal(thr_parse(&t, "p95(ws_errors) < 5", "x", err), ST_EINPUT);
    assert_int_equal(thr_parse(&t, "count(ws_errors{route=\"/\"}) < 5", "x", err), ST_EINPUT);

    metrics *m = metrics_new(1, 1000, 4), *sum = metrics_new(1, 1000, 4);
    assert_non_null(m);
    assert_non_null(sum);
    m->has_ws = 1;
    m->ws.attempts = 10;
    m->ws.errors = 2;
    m->ws.reconnects = 1;
    m->ws.planned = 8;
    m->ws.hs_status[503] = 2;
    m->ws.handshake = hist_new();
    for (int i = 1; i <= 100; i++)
        hist_record(m->ws.handshake, (uint64_t)i * 1000);
    metrics_ws_close(m, 1000);
    metrics_ws_close(m, 1000);
    metrics_ws_close(m, 1006);
    m->secs[1].ws_open = 3;
    m->secs[1].ws_opened = 3;
    m->secs[2].ws_open = 5;
    m->secs[3].ws_open = 0;
    assert_int_equal(thr_parse(&t, "rate(ws_errors) < 1%", "x", err), 0);
    assert_true(metrics_measure(m, &t, names) == 0.2);
    assert_int_equal(thr_parse(&t, "p95(ws_handshake) < 1s", "x", err), 0);
    assert_true(metrics_measure(m, &t, names) >= 95000 && metrics_measure(m, &t, names) < 95100);
    assert_int_equal(thr_parse(&t, "max(ws_open) < 1", "x", err), 0);
    assert_true(metrics_measure(m, &t, names) == 5);
    assert_int_equal(thr_parse(&t, "mean(ws_open) < 1", "x", err), 0);
    assert_true(metrics_measure(m, &t, names) == 8.0 / 3); /* from the first WebSocket second on */
    /* Two segments add: counts, status table, close codes, histogram, per-second gauge. */
    metrics_merge(sum, m);
    metrics_merge(sum, m);
    assert_true(sum->has_ws && sum->ws.attempts == 20 && sum->ws.hs_status[503] == 4);
    assert_true(sum->ws.close_code[0] == 1000 && sum->ws.close_n[0] == 4);
    assert_true(sum->ws.close_code[1] == 1006 && sum->ws.close_n[1] == 2);
    assert_int_equal(hist_count(sum->ws.handshake), 200);
    assert_int_equal(sum->secs[2].ws_open, 10);
    assert_int_equal(thr_parse(&t, "max(ws_open) < 1", "x", err), 0);
    assert_true(metrics_measure(sum, &t, names) == 10);
    metrics_free(m);
    metrics_free(sum);
}

static void test_coarse(void **state)
{
    (void)state;
    uint64_t prev = 0;
    for (uint64_t v = 0; v < 5000000; v = v * 9 / 8 + 1) {
        size_t i = mx_coarse_index(v);
        assert_true(v <= mx_coarse_high(i));
        assert_true(i == 0 || v > mx_coarse_high(i - 1));
        assert_true(i >= prev);
        prev = i;
    }
    assert_true(mx_coarse_index((uint64_t)1 << 40) == MX_COARSE - 1);
}

/* thr_eval: the one evaluation of run, merge and the live check. A segment without the
 * probe defers db.* rules; merge reads them from the db section; a rule with no value
 * fails at the end but is only "no value yet" live. */
static void test_eval(void **state)
{
    (void)state;
    char err[256];
    thr db, lat;
    double v;
    assert_int_equal(thr_parse(&db, "min(db.headroom) > 20", "x", err), 0);
    assert_int_equal(thr_parse(&lat, "p95(latency{route=\"/x\"}) < 1s", "x", err), 0);
    thr_src src = {0};
    src.defer_db = 1;
    assert_int_equal(thr_eval(&db, &src, &v), THR_DEFERRED);
    assert_true(isnan(v));
    src.defer_db = 0;
    assert_int_equal(thr_eval(&db, &src, &v), THR_FAILED); /* nobody measured it: fails */
    json_t *j = json_loads("{\"summary\": {\"db.headroom\": {\"n\": 3, \"min\": 25, \"max\": 40, "
                           "\"mean\": 30, \"last\": 30}}}",
                           0, NULL);
    assert_non_null(j);
    src.db = j;
    assert_int_equal(thr_eval(&db, &src, &v), THR_PASSED);
    assert_true(v == 25); /* min() reads the probe's minimum */
    json_object_set_new(json_object_get(json_object_get(j, "summary"), "db.headroom"), "min",
                        json_real(15));
    assert_int_equal(thr_eval(&db, &src, &v), THR_FAILED);
    json_object_set_new(json_object_get(json_object_get(j, "summary"), "db.headroom"), "n",
                        json_integer(0));
    assert_int_equal(thr_eval(&db, &src, &v), THR_FAILED); /* no sample */
    json_decref(j);
    /* Live: a per-route rule has no live value; it is not a failure (no abort). */
    rp_live lv;
    memset(&lv, 0, sizeof lv);
    thr_src live = {0};
    live.live = &lv;
    assert_int_equal(thr_eval(&lat, &live, &v), THR_NOVALUE);
    assert_int_equal(thr_eval(&db, &live, &v), THR_NOVALUE); /* live, no probe */
    thr t[2] = {db, lat};
    double vals[2];
    int verdicts[2];
    thr_src none = {0};
    none.defer_db = 1;
    assert_int_equal(thr_eval_all(t, 2, &none, vals, verdicts), 1); /* lat fails: no metrics */
    assert_int_equal(verdicts[0], THR_DEFERRED);
    assert_int_equal(verdicts[1], THR_FAILED);
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_measure),
        cmocka_unit_test(test_ws),
        cmocka_unit_test(test_coarse),
        cmocka_unit_test(test_eval),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
