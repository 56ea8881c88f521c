/*
 * test_replay_search.c -- unit tests of replay/search.c, the capacity search's rules, on
 * hand-built results documents: the grid and its last step at --to, bisection to the
 * precision, verdicts (pass, fail, abort, inconclusive for each way the generator falls
 * behind), the knee from the latest entry per scale, degradation (graceful vs cascade) and the
 * exit codes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "search.h"

static search_cfg cfg(void)
{
    search_cfg c = {.from = 1,
                    .to = 2,
                    .step = 0.3,
                    .precision = 0.05,
                    .bisect = 1,
                    .hold = 10,
                    .require = 1.5,
                    .cooldown = 0,
                    .cascade = 3};
    return c;
}

/* A results document with the fields the rules read. */
static json_t *res(double sent, double late, double throttled, double dropped, double p95_ms,
                   double errors, int ok, const char *stopped)
{
    return json_pack("{s:{s:f},s:s,s:{s:f,s:f,s:f,s:f,s:f,s:f,s:{s:f}},s:{s:{s:f,s:f,s:f},s:{s:f}},"
                     "s:[{s:s,s:s,s:b,s:b}]}",
                     "scenario", "duration_s", 10.0, "stopped", stopped, "counts",
                     "requests_planned", sent, "requests_sent", sent, "requests_done", sent,
                     "late_sends", late, "throttled", throttled, "sessions_dropped", dropped,
                     "errors", "5xx", errors, "summary", "latency_us", "p50", p95_ms * 500, "p95",
                     p95_ms * 1000, "p99", p95_ms * 1500, "lateness_us", "p99", 100.0, "thresholds",
                     "expr", "p95(latency) < 100ms", "display", "x", "ok", ok, "abort", 0);
}

static void test_grid(void **st)
{
    (void)st;
    search_cfg c = cfg();
    assert_true(search_grid_scale(&c, 0) == 1);
    assert_true(fabs(search_grid_scale(&c, 1) - 1.3) < 1e-9);
    assert_true(fabs(search_grid_scale(&c, 3) - 1.9) < 1e-9);
    assert_true(search_grid_scale(&c, 4) == 2); /* --to itself, though 2.2 is the next grid point */
    assert_true(search_grid_scale(&c, 5) == 0);
    c.step = 0.5;
    assert_true(search_grid_scale(&c, 2) == 2);
    assert_true(search_grid_scale(&c, 3) == 0);
}

static void test_bisect(void **st)
{
    (void)st;
    search_cfg c = cfg();
    assert_true(fabs(search_bisect_next(&c, 1.3, 1.6) - 1.45) < 1e-9);
    assert_true(search_bisect_next(&c, 1.3, 1.34) == 0); /* within the precision */
    assert_true(search_bisect_next(&c, -1, 1.0) ==
                0); /* the first step failed: nothing below --from */
    c.bisect = 0;
    assert_true(search_bisect_next(&c, 1.3, 1.6) == 0);
}

static void test_judge(void **st)
{
    (void)st;
    char why[512];
    json_t *r = res(1000, 0, 0, 0, 50, 0, 1, "completed");
    assert_int_equal(search_judge(r, why, sizeof why), SV_PASS);
    json_decref(r);
    r = res(1000, 0, 0, 0, 150, 0, 0, "completed");
    assert_int_equal(search_judge(r, why, sizeof why), SV_FAIL);
    assert_non_null(strstr(why, "p95(latency) < 100ms"));
    json_decref(r);
    r = res(1000, 0, 0, 0, 50, 0, 1, "aborted");
    assert_int_equal(search_judge(r, why, sizeof why), SV_FAIL);
    json_decref(r);
    /* The generator: capped, late, dropping sessions. A failed threshold does not count then. */
    r = res(1000, 0, 200, 0, 150, 0, 0, "completed");
    assert_int_equal(search_judge(r, why, sizeof why), SV_INCONCLUSIVE);
    assert_non_null(strstr(why, "capped"));
    json_decref(r);
    r = res(1000, 100, 0, 0, 50, 0, 1, "completed"); /* 10% of the sends late */
    assert_int_equal(search_judge(r, why, sizeof why), SV_INCONCLUSIVE);
    assert_non_null(strstr(why, "fell behind"));
    json_decref(r);
    r = res(1000, 30, 0, 0, 50, 0, 1, "completed"); /* 3% late by little: the rate was offered */
    assert_int_equal(search_judge(r, why, sizeof why), SV_PASS);
    json_decref(r);
    r = res(1000, 0, 0, 0, 50, 0, 1, "interrupted");
    assert_int_equal(search_judge(r, why, sizeof why), SV_INCONCLUSIVE);
    json_decref(r);
    r = res(1000, 0, 0, 3, 50, 0, 1, "completed");
    assert_int_equal(search_judge(r, why, sizeof why), SV_INCONCLUSIVE);
    json_decref(r);
    r = res(1000, 5, 5, 0, 50, 0, 1, "completed"); /* 0.5%: within the tolerance */
    assert_int_equal(search_judge(r, why, sizeof why), SV_PASS);
    json_decref(r);
}

static json_t *doc_with(const double *scales, const int *verdicts, const double *p95,
                        const double *errs, size_t n)
{
    search_cfg c = cfg();
    json_t *first = json_pack("{s:{s:s,s:s,s:s,s:i,s:s},s:{s:i,s:i}}", "scenario", "name", "u",
                              "path", "u.json", "hash", "00", "seed", 1, "target",
                              "http://127.0.0.1:1", "segment", "i", 1, "n", 1);
    json_t *d = search_doc_new(&c, "cooldown", first);
    json_decref(first);
    assert_non_null(d);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(search_add_step(d, scales[i], "step", 1, verdicts[i], "w", 0, NULL, NULL,
                                         NULL,
                                         res(1000, 0, 0, 0, p95[i], errs[i], verdicts[i] == SV_PASS,
                                             "completed")),
                         0);
    assert_int_equal(search_finish(d, "knee"), 0);
    return d;
}

static void test_knee(void **st)
{
    (void)st;
    double sc[] = {1, 1.3, 1.6, 1.45, 1.3};
    int v[] = {SV_PASS, SV_PASS, SV_FAIL, SV_FAIL, SV_PASS};
    double p95[] = {40, 50, 400, 300, 55}, errs[] = {0, 0, 200, 100, 0};
    json_t *d = doc_with(sc, v, p95, errs, 5), *k = json_object_get(d, "knee");
    double hp, lf, inc;
    search_bounds(d, &hp, &lf, &inc);
    assert_true(fabs(hp - 1.3) < 1e-9 && fabs(lf - 1.45) < 1e-9 && inc < 0);
    assert_string_equal(json_string_value(json_object_get(k, "status")), "found");
    assert_false(json_is_true(json_object_get(k, "meets_require"))); /* 1.3 < 1.5 */
    assert_int_equal(search_exit_code(d), 1);
    /* p95 55 -> 300 ms and errors 0 -> 10%: a cascade. */
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(k, "degradation"), "verdict")),
        "cascade");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(k, "broke_first"), 0), "expr")),
                        "p95(latency) < 100ms");
    json_decref(d);
}

static void test_graceful_and_exit(void **st)
{
    (void)st;
    double sc[] = {1, 1.6, 1.9};
    int v[] = {SV_PASS, SV_PASS, SV_FAIL};
    double p95[] = {40, 60, 110}, errs[] = {0, 2, 8};
    json_t *d = doc_with(sc, v, p95, errs, 3);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(d, "knee"), "degradation"), "verdict")),
                        "graceful");
    assert_int_equal(search_exit_code(d), 0); /* 1.6 >= --require 1.5 */
    json_decref(d);
    /* Nothing passed, the first step inconclusive: exit 3 (the generator), never 1. */
    double sc2[] = {1};
    int v2[] = {SV_INCONCLUSIVE};
    double p2[] = {40}, e2[] = {0};
    d = doc_with(sc2, v2, p2, e2, 1);
    assert_string_equal(json_string_value(json_object_get(json_object_get(d, "knee"), "status")),
                        "inconclusive");
    assert_int_equal(search_exit_code(d), 3);
    json_decref(d);
}

static void test_check(void **st)
{
    (void)st;
    char err[ST_ERRLEN];
    json_t *d = json_pack("{s:s,s:i,s:{s:f,s:f,s:f},s:[{s:f,s:s}]}", "format", SEARCH_FORMAT,
                          "version", 1, "settings", "from", 1.0, "to", 2.0, "hold_s", 10.0, "steps",
                          "scale", 1.0, "verdict", "maybe");
    assert_int_equal(search_check(d, "x.json", err), ST_EINPUT);
    assert_non_null(strstr(err, "x.json: search.steps[0].verdict"));
    json_decref(d);
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid),  cmocka_unit_test(test_bisect), cmocka_unit_test(test_judge),
        cmocka_unit_test(test_knee),  cmocka_unit_test(test_graceful_and_exit), cmocka_unit_test(test_check),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
