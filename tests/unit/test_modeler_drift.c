/*
 * test_modeler_drift.c -- `modeler diff --clock` on hand-built models (modeler/drift.c).
 *
 * What is checked: a rehearsal of three model hours on a slope of the daily profile (07:00
 * to 10:00 at speed 60, --rate-scale 4), whose log ends one second into a fourth bin:
 *  - the session-rate and request-rate rows compare with 4 x the old rate x the clock's
 *    mean multiplier over the replayed hours (not the old mean: that reads -40% here), and
 *    drift when the rehearsal sent twice that;
 *  - the profile row compares the three whole hours and leaves the one-second sliver out,
 *    saying so in the row; a flat rehearsal of that slope drifts;
 *  - a model without source times weighs every bin fully, and a flat old profile is level 1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "drift.h"

#define T0 1800000000.0 /* a whole hour (07:00 is any hour here: the clock says which) */

/* 07, 08, 09: 0.4, 0.6, 0.8 (mean 0.6); the other 21 hours bring the day's mean to 1. */
static double mult(int h)
{
    return h >= 7 && h <= 9 ? 0.4 + 0.2 * (h - 7) : (24 - 1.8) / 21;
}

/* The old model: 2 sessions/s, 20 requests/s, a daily profile rising through the morning
 * (mean of 07-09 is 0.6 of the day's, so a mean-rate comparison is 40% off). */
static json_t *old_model(int flat)
{
    json_t *m = json_array();
    for (int h = 0; h < 24; h++)
        json_array_append_new(m, json_real(mult(h)));
    json_t *ar = json_pack("{s:f,s:f}", "session_rate", 2.0, "request_rate", 20.0);
    if (!flat)
        json_object_set_new(ar, "profile",
                            json_pack("{s:s,s:o}", "kind", "hour_of_day", "multipliers", m));
    else
        json_decref(m);
    return json_pack("{s:o}", "arrivals", ar);
}

/* The rehearsal: rates k x 2 x multiplier for three 60-s bins, then one session in a fourth
 * bin the log covers for one second (with_source: source.first_ts/last_ts say so). */
static json_t *rehearsal(const json_t *old, double k, int follow, int with_source)
{
    const json_t *m = json_object_get(json_object_get(json_object_get(old, "arrivals"), "profile"),
                                      "multipliers");
    json_t *rates = json_array();
    double sessions = 0;
    for (int i = 0; i < 3; i++) {
        double x = follow && m ? json_number_value(json_array_get(m, (size_t)(7 + i))) : 0.6;
        json_array_append_new(rates, json_real(k * 2 * x));
        sessions += k * 2 * x * 60;
    }
    json_array_append_new(rates, json_real(1.0 / 60));
    sessions += 1;
    double span = with_source ? 181 : 240;
    json_t *ar = json_pack("{s:f,s:f,s:{s:f,s:f,s:o}}", "session_rate", sessions / span,
                           "request_rate", 10 * sessions / span, "series", "t0", T0, "bin_s", 60.0,
                           "rates", rates);
    json_t *b = json_pack("{s:o}", "arrivals", ar);
    if (with_source)
        json_object_set_new(b, "source",
                            json_pack("{s:f,s:f}", "first_ts", T0, "last_ts", T0 + 180));
    return b;
}

static const drift_row *row_of(const drift_report *r, const char *prefix)
{
    for (size_t k = 0; k < r->n; k++)
        if (!strncmp(r->rows[k].metric, prefix, strlen(prefix)))
            return &r->rows[k];
    return NULL;
}

static void compare(json_t *a, json_t *b, drift_report *r)
{
    char err[ST_ERRLEN];
    tmodel_desc da, db;
    assert_int_equal(tmodel_desc_from_json(&da, a, err), 0);
    assert_int_equal(tmodel_desc_from_json(&db, b, err), 0);
    drift_thresholds t;
    drift_defaults(&t);
    t.rate_scale = 4;
    t.clock_start_h = 7;
    t.clock_speed = 60;
    assert_int_equal(drift_compare(&da, &db, &t, r), 0);
    tmodel_desc_term(&da);
    tmodel_desc_term(&db);
}

static void test_rate_follows_the_clock(void **state)
{
    (void)state;
    json_t *a = old_model(0), *b = rehearsal(a, 4, 1, 1);
    drift_report r;
    compare(a, b, &r);
    const drift_row *w = row_of(&r, "session rate");
    assert_non_null(w);
    print_message("%s: %g -> %g, effect %g\n", w->metric, w->old_v, w->new_v, w->effect);
    assert_non_null(strstr(w->metric, "x profile 0.6"));
    assert_true(fabs(w->effect) < 0.01 && !w->drift);
    w = row_of(&r, "request rate");
    assert_true(w && fabs(w->effect) < 0.01 && !w->drift);
    drift_free(&r);
    json_decref(b);
    /* Twice the load the clock asks for is drift. */
    b = rehearsal(a, 8, 1, 1);
    compare(a, b, &r);
    assert_true(row_of(&r, "session rate")->drift);
    drift_free(&r);
    json_decref(b);
    json_decref(a);
}

static void test_profile_leaves_the_sliver_out(void **state)
{
    (void)state;
    json_t *a = old_model(0), *b = rehearsal(a, 4, 1, 1);
    drift_report r;
    compare(a, b, &r);
    const drift_row *w = row_of(&r, "profile via clock");
    assert_non_null(w);
    print_message("%s: effect %g\n", w->metric, w->effect);
    assert_non_null(strstr(w->metric, "(3 hour slots, 1 sliver < 30 s left out)"));
    assert_true(w->effect < 1e-9 && !w->drift);
    drift_free(&r);
    json_decref(b);
    /* The same slope rehearsed flat drifts. */
    b = rehearsal(a, 4, 0, 1);
    compare(a, b, &r);
    assert_true(row_of(&r, "profile via clock")->drift);
    drift_free(&r);
    json_decref(b);
    json_decref(a);
}

static void test_without_source_and_flat(void **state)
{
    (void)state;
    /* No source times: four whole bins, the fourth its own (empty-looking) slot. */
    json_t *a = old_model(0), *b = rehearsal(a, 4, 1, 0);
    drift_report r;
    compare(a, b, &r);
    const drift_row *w = row_of(&r, "profile via clock");
    assert_true(w && strstr(w->metric, "(4 hour slots)"));
    drift_free(&r);
    json_decref(b);
    json_decref(a);
    /* A flat old profile: the level is 1. */
    a = old_model(1);
    b = rehearsal(a, 4, 0, 1);
    compare(a, b, &r);
    w = row_of(&r, "session rate");
    assert_true(w && strstr(w->metric, "x profile 1,") && fabs(w->old_v - 8) < 1e-9);
    drift_free(&r);
    json_decref(b);
    json_decref(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rate_follows_the_clock),
        cmocka_unit_test(test_profile_leaves_the_sliver_out),
        cmocka_unit_test(test_without_source_and_flat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
