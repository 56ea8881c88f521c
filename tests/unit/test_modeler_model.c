/*
 * test_modeler_model.c -- unit tests of model_write.c, common/tmodel_check.c and drift.c.
 *
 * What is checked: the bundled synthetic log goes through the library pipeline (ingest,
 * fit_run, model_build) into a model that model_validate accepts and that holds the
 * contract's keys; the hand-written models/shop.model.json validates; crafted defects give
 * one-line errors naming the field path; a model compared with itself has no drift, and a
 * changed Zipf exponent and journey row are flagged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drift.h"
#include "fit_run.h"
#include "ingest.h"
#include "jsonio.h"
#include "tmodel.h"
#include "model_write.h"

static json_t *fitted;

static int setup(void **state)
{
    (void)state;
    gsl_set_error_handler_off();
    const char *src = getenv("ST_SRC_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/fixtures/logs/shop-synthetic.access.log.gz", src ? src : ".");
    ingest g;
    ingest_opts o = {NULL, 1800, 10, 3, 0, NULL, NULL};
    char err[ST_ERRLEN];
    if (ingest_init(&g, &o, err) < 0)
        return -1;
    const char *paths[1] = {path};
    if (ingest_run(&g, paths, 1, NULL, err) < 0) {
        fprintf(stderr, "%s\n", err);
        ingest_term(&g);
        return -1;
    }
    fit_result fr;
    memset(&fr, 0, sizeof fr);
    fr.g = &g;
    fr.files = paths;
    fr.nfiles = 1;
    fr.command = "test";
    fr.seed = 3;
    fr.k_min = 5;
    fr.max_routes = 200;
    if (fit_run(&fr, err) == 0)
        fitted = model_build(&fr, err);
    fit_result_term(&fr);
    ingest_term(&g);
    return fitted ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(fitted);
    return 0;
}

static void test_fitted_model(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    int rc = tmodel_validate(fitted, err);
    if (rc)
        fprintf(stderr, "%s\n", err);
    assert_int_equal(rc, 0);
    /* clang-format off */
    static const char *const keys[] = {"format", "version", "generator", "source", "arrivals",
                                       "hawkes", "bursts", "sessions", "routes", "journeys",
                                       "websockets", "quality", "privacy", NULL};
    /* clang-format on */
    for (int i = 0; keys[i]; i++)
        assert_non_null(json_object_get(fitted, keys[i]));
    assert_true(json_is_true(json_object_get(json_object_get(fitted, "hawkes"), "fitted")));
    assert_int_equal(
        json_array_size(json_object_get(json_object_get(fitted, "bursts"), "episodes")), 1);
    /* Privacy: no address or agent anywhere in the text. */
    char *text = json_dumps(fitted, JSON_COMPACT);
    assert_non_null(text);
    assert_null(strstr(text, "10.0."));
    assert_null(strstr(text, "Mozilla"));
    assert_null(strstr(text, "Googlebot"));
    free(text);
}

static void test_shop_model(void **state)
{
    (void)state;
    const char *src = getenv("ST_SRC_DIR");
    char path[1024], err[ST_ERRLEN];
    snprintf(path, sizeof path, "%s/models/shop.model.json", src ? src : ".");
    json_t *m = tmodel_read_json(path, err);
    if (!m)
        fprintf(stderr, "%s\n", err);
    assert_non_null(m);
    json_decref(m);
}

/* Applies a defect to a copy of the fitted model and returns the validation error. */
static const char *defect(const char *what, char *err)
{
    json_t *m = json_deep_copy(fitted);
    json_t *h = json_object_get(m, "hawkes"), *s = json_object_get(m, "sessions");
    json_t *tt = json_object_get(s, "think_time");
    json_t *tr = json_object_get(json_object_get(m, "journeys"), "transitions");
    if (!strcmp(what, "typo"))
        json_object_set_new(m, "hawks", json_object());
    else if (!strcmp(what, "version"))
        json_object_set_new(m, "version", json_integer(2));
    else if (!strcmp(what, "branching"))
        json_object_set_new(h, "branching_ratio", json_string("high"));
    else if (!strcmp(what, "dist"))
        json_object_set_new(tt, "dist", json_string("pareto"));
    else if (!strcmp(what, "row"))
        json_array_set_new(json_array_get(tr, 1), 0, json_real(0.9));
    else if (!strcmp(what, "share"))
        json_object_set_new(json_array_get(json_object_get(m, "routes"), 2), "share",
                            json_real(1.5));
    int rc = tmodel_validate(m, err);
    json_decref(m);
    return rc ? err : "(no error)";
}

static void test_errors(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    assert_non_null(strstr(defect("typo", err), "model.hawks"));
    assert_non_null(strstr(defect("version", err), "model.version"));
    assert_non_null(
        strstr(defect("branching", err), "model.hawkes.branching_ratio: expected a number"));
    assert_non_null(strstr(defect("dist", err), "model.sessions.think_time.dist"));
    assert_non_null(
        strstr(defect("row", err), "model.journeys.transitions[1]: probabilities sum to"));
    assert_non_null(strstr(defect("share", err), "model.routes[2].share"));
    assert_null(strchr(defect("share", err), '\n'));
}

/* drift_compare over two trees, through the descriptive reader as modeler diff reads. */
static int drift_trees(json_t *a, json_t *b, const drift_thresholds *t, drift_report *r)
{
    char err[ST_ERRLEN];
    tmodel_desc da, db;
    assert_int_equal(tmodel_desc_from_json(&da, a, err), 0);
    assert_int_equal(tmodel_desc_from_json(&db, b, err), 0);
    int rc = drift_compare(&da, &db, t, r);
    tmodel_desc_term(&da);
    tmodel_desc_term(&db);
    return rc;
}

static void test_drift(void **state)
{
    (void)state;
    drift_thresholds t;
    drift_defaults(&t);
    drift_report r;
    assert_int_equal(drift_trees(fitted, fitted, &t, &r), 0);
    assert_int_equal(r.drifted, 0);
    assert_true(r.n > 10);
    drift_free(&r);
    /* Shift every Zipf exponent by 0.3 and empty one journey row into exit. */
    json_t *m = json_deep_copy(fitted);
    size_t i;
    json_t *route;
    json_array_foreach(json_object_get(m, "routes"), i, route) {
        json_t *p0 = json_array_get(json_object_get(route, "params"), 0);
        json_t *pop = json_object_get(p0, "popularity");
        if (json_object_get(pop, "s"))
            json_object_set_new(pop, "s",
                                json_real(json_number_value(json_object_get(pop, "s")) + 0.3));
    }
    assert_int_equal(drift_trees(fitted, m, &t, &r), 0);
    size_t zipf = 0;
    for (size_t k = 0; k < r.n; k++)
        zipf += r.rows[k].drift && !strcmp(r.rows[k].component, "popularity");
    assert_true(zipf >= 2);
    json_t *js = drift_to_json(&r);
    assert_int_equal(json_integer_value(json_object_get(js, "drifted")), (json_int_t)r.drifted);
    json_decref(js);
    drift_free(&r);
    json_decref(m);
}

/* The row whose metric starts with `prefix`, or NULL. */
static const drift_row *row_of(const drift_report *r, const char *prefix)
{
    for (size_t k = 0; k < r->n; k++)
        if (!strncmp(r->rows[k].metric, prefix, strlen(prefix)))
            return &r->rows[k];
    return NULL;
}

/* A rehearsal at 4x: every rate times 4. Without --rate-scale the rates drift; with it they
 * do not, and the scaled old value is what is printed. Assets per view that vanish drift. */
static void test_drift_rate_scale(void **state)
{
    (void)state;
    json_t *m = json_deep_copy(fitted);
    json_t *ar = json_object_get(m, "arrivals");
    json_object_set_new(ar, "session_rate",
                        json_real(4 * json_number_value(json_object_get(ar, "session_rate"))));
    json_object_set_new(ar, "request_rate",
                        json_real(4 * json_number_value(json_object_get(ar, "request_rate"))));
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(json_object_get(m, "bursts"), "episodes"), i, e) {
        json_object_set_new(e, "peak_rate",
                            json_real(4 * json_number_value(json_object_get(e, "peak_rate"))));
        json_object_set_new(e, "baseline_rate",
                            json_real(4 * json_number_value(json_object_get(e, "baseline_rate"))));
    }
    drift_thresholds t;
    drift_defaults(&t);
    drift_report r;
    assert_int_equal(drift_trees(fitted, m, &t, &r), 0);
    assert_true(row_of(&r, "session rate")->drift);
    assert_true(row_of(&r, "request rate")->drift);
    drift_free(&r);
    t.rate_scale = 4;
    assert_int_equal(drift_trees(fitted, m, &t, &r), 0);
    assert_int_equal(r.drifted, 0);
    const drift_row *w = row_of(&r, "session rate");
    assert_true(w && strstr(w->metric, "vs 4 x old") &&
                fabs(w->old_v - w->new_v) < 1e-9 * w->new_v);
    if (row_of(&r, "largest episode: peak"))
        assert_false(row_of(&r, "largest episode: peak")->drift);
    drift_free(&r);
    /* A rehearsal that skipped the assets: every page's assets row drifts. */
    json_t *route;
    size_t pages = 0;
    json_array_foreach(json_object_get(m, "routes"), i, route)
        pages += json_object_del(route, "assets") == 0;
    assert_true(pages >= 1);
    assert_int_equal(drift_trees(fitted, m, &t, &r), 0);
    size_t drifted_assets = 0;
    for (size_t k = 0; k < r.n; k++)
        drifted_assets += r.rows[k].drift && !strcmp(r.rows[k].component, "assets");
    assert_true(drifted_assets >= 1);
    drift_free(&r);
    json_decref(m);
}

/* The profile through a compressed clock: an old daily profile, and a new 2-hour series whose
 * 1-min bins follow it at speed 12 from 18:00 (5 bins per model hour). Following the shape
 * is no drift; a flat series is. */
static void test_drift_clock(void **state)
{
    (void)state;
    json_t *old = json_deep_copy(fitted), *nw = json_deep_copy(fitted);
    json_t *mult = json_array();
    for (int h = 0; h < 24; h++)
        json_array_append_new(mult, json_real(1 + 0.6 * sin(2 * M_PI * (h - 12) / 24.0)));
    json_object_set_new(json_object_get(old, "arrivals"), "profile",
                        json_pack("{s:s,s:o}", "kind", "hour_of_day", "multipliers", mult));
    json_t *rates = json_array(), *flat = json_array();
    for (int i = 0; i < 120; i++) {
        double h = 18 + (i + 0.5) * 60 * 12 / 3600.0;
        json_array_append_new(rates,
                              json_real(3 * (1 + 0.6 * sin(2 * M_PI * (floor(h) - 12) / 24.0))));
        json_array_append_new(flat, json_real(3));
    }
    json_t *ser = json_object_get(json_object_get(nw, "arrivals"), "series");
    json_object_set_new(ser, "bin_s", json_real(60));
    json_object_set_new(ser, "rates", rates);
    /* The log behind the series: its 7,200 seconds (diff weighs bins by what the log covers). */
    double t0 = json_number_value(json_object_get(ser, "t0"));
    json_t *src = json_object_get(nw, "source");
    json_object_set_new(src, "first_ts", json_real(t0));
    json_object_set_new(src, "last_ts", json_real(t0 + 7199));
    drift_thresholds t;
    drift_defaults(&t);
    t.clock_start_h = 18;
    t.clock_speed = 12;
    drift_report r;
    assert_int_equal(drift_trees(old, nw, &t, &r), 0);
    const drift_row *w = row_of(&r, "profile via clock x12 (24 hour slots)");
    assert_true(w && w->effect < 1e-9 && !w->drift);
    drift_free(&r);
    json_object_set_new(ser, "rates", flat);
    assert_int_equal(drift_trees(old, nw, &t, &r), 0);
    w = row_of(&r, "profile via clock");
    assert_true(w && w->drift);
    drift_free(&r);
    json_decref(old);
    json_decref(nw);
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fitted_model),
        cmocka_unit_test(test_shop_model),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_drift),
        cmocka_unit_test(test_drift_rate_scale),
        cmocka_unit_test(test_drift_clock),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, setup, teardown);
}
