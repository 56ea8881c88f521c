/*
 * test_replay_lag.c -- unit tests of replay/lag.c, the one "generator fell behind" rule: each
 * bar at its edge (a count at the bar is not past it, one more is), the order of the
 * verdicts, the documented differences between the live line's, run's, the report's and
 * search's bars, and the figures read from a metrics struct built by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lag.h"
#include "metrics.h"

static lag_figures fig(double sent, double late, double p99, double dropped, double throttled)
{
    return (lag_figures){
        .sent = sent, .late = late, .p99_us = p99, .dropped = dropped, .throttled = throttled};
}

static void test_run_bar(void **state)
{
    (void)state;
    lag_figures f = fig(1000, 10, 0, 0, 0);
    assert_int_equal(lag_judge(&f, &lag_bar_run), LAG_NONE); /* exactly 1%: not past it */
    f.late = 11;
    assert_int_equal(lag_judge(&f, &lag_bar_run), LAG_LATE);
    f = fig(1000, 0, MX_LATE_US, 0, 0);
    assert_int_equal(lag_judge(&f, &lag_bar_run), LAG_NONE);
    f.p99_us = MX_LATE_US + 1;
    assert_int_equal(lag_judge(&f, &lag_bar_run), LAG_LATE);
    /* run warns about dropped sessions and throttling elsewhere: not a late-send verdict. */
    f = fig(1000, 0, 0, 5, 900);
    assert_int_equal(lag_judge(&f, &lag_bar_run), LAG_NONE);
    f = fig(0, 0, 0, 0, 0);
    assert_int_equal(lag_judge(&f, &lag_bar_run), LAG_NONE);
}

static void test_report_bar(void **state)
{
    (void)state;
    lag_figures f = fig(1000, 11, 0, 0, 0);
    assert_int_equal(lag_judge(&f, &lag_bar_report), LAG_LATE);
    f = fig(1000, 10, 0, 1, 0);
    assert_int_equal(lag_judge(&f, &lag_bar_report), LAG_DROPPED);
    /* The report's sentence does not read p99 lateness: only the share of late sends. */
    f = fig(1000, 0, 50000, 0, 0);
    assert_int_equal(lag_judge(&f, &lag_bar_report), LAG_NONE);
}

static void test_search_bar(void **state)
{
    (void)state;
    /* 5% of the sends late, and at least 10 of them. */
    lag_figures f = fig(1000, 50, 0, 0, 0);
    assert_int_equal(lag_judge(&f, &lag_bar_search), LAG_NONE);
    f.late = 51;
    assert_int_equal(lag_judge(&f, &lag_bar_search), LAG_LATE);
    f = fig(100, 9, 0, 0, 0); /* 9%, but fewer than 10 late sends: noise in a short step */
    assert_int_equal(lag_judge(&f, &lag_bar_search), LAG_NONE);
    f.late = 10;
    assert_int_equal(lag_judge(&f, &lag_bar_search), LAG_LATE);
    /* p99 over 100 ms; 50 ms (which run warns about) is not enough. */
    f = fig(1000, 0, 50000, 0, 0);
    assert_int_equal(lag_judge(&f, &lag_bar_search), LAG_NONE);
    assert_int_equal(lag_judge(&f, &lag_bar_run), LAG_LATE);
    f.p99_us = LAG_SEARCH_P99_US + 1;
    assert_int_equal(lag_judge(&f, &lag_bar_search), LAG_LATE);
    /* Throttling: over 1% of the requests held back; the first verdict wins. */
    f = fig(1000, 500, 0, 3, 10);
    assert_int_equal(lag_judge(&f, &lag_bar_search), LAG_DROPPED);
    f.throttled = 11;
    assert_int_equal(lag_judge(&f, &lag_bar_search), LAG_THROTTLED);
    f = fig(1000, 500, 0, 0, 0);
    assert_int_equal(lag_judge(&f, &lag_bar_search), LAG_LATE);
}

static void test_live_bar(void **state)
{
    (void)state;
    /* The live line flags the first late send or dropped session. */
    lag_figures f = fig(100000, 0, 0, 0, 0);
    assert_int_equal(lag_judge(&f, &lag_bar_live), LAG_NONE);
    f.late = 1;
    assert_int_equal(lag_judge(&f, &lag_bar_live), LAG_LATE);
    f = fig(100000, 0, 0, 1, 0);
    assert_int_equal(lag_judge(&f, &lag_bar_live), LAG_DROPPED);
    f = fig(100000, 0, 0, 0, 99999); /* throttling is not the engine falling behind */
    assert_int_equal(lag_judge(&f, &lag_bar_live), LAG_NONE);
}

static void test_of_metrics(void **state)
{
    (void)state;
    metrics *m = metrics_new(1, 0, 4);
    assert_non_null(m);
    m->late_sends = 7;
    m->sessions_dropped = 2;
    m->throttled = 3;
    for (int i = 0; i < 100; i++)
        hist_record(m->lateness, i < 98 ? 100 : 40000);
    lag_figures f = lag_of_metrics(m);
    assert_true(f.sent == (double)metrics_total_sent(m));
    assert_true(f.late == 7 && f.dropped == 2 && f.throttled == 3);
    assert_true(f.p99_us >= 39000 && f.p99_us <= 41000); /* histogram bucket precision */
    metrics_free(m);
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_bar),
        cmocka_unit_test(test_report_bar),
        cmocka_unit_test(test_search_bar),
        cmocka_unit_test(test_live_bar),
        cmocka_unit_test(test_of_metrics),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
