/*
 * test_modeler_model.c -- unit tests of model_write.c, model_read.c and drift.c.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drift.h"
#include "fit_run.h"
#include "ingest.h"
#include "jsonio.h"
#include "model_read.h"
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
    int rc = model_validate(fitted, err);
    if (rc)
        fprintf(stderr, "%s\n", err);
    assert_int_equal(rc, 0);
    static const char *const keys[] = {"format", "version", "generator", "source", "arrivals",
                                       "hawkes", "bursts", "sessions", "routes", "journeys",
                                       "websockets", "quality", "privacy", NULL};
    for (int i = 0; keys[i]; i++)
        assert_non_null(json_object_get(fitted, keys[i]));
    assert_true(json_is_true(json_object_get(json_object_get(fitted, "hawkes"), "fitted")));
    assert_int_equal(json_array_size(json_object_get(json_object_get(fitted, "bursts"), "episodes")), 1);
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
    json_t *m = model_read(path, err);
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
        json_object_set_new(json_array_get(json_object_get(m, "routes"), 2), "share", json_real(1.5));
    int rc = model_validate(m, err);
    json_decref(m);
    return rc ? err : "(no error)";
}

static void test_errors(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    assert_non_null(strstr(defect("typo", err), "model.hawks"));
    assert_non_null(strstr(defect("version", err), "model.version"));
    assert_non_null(strstr(defect("branching", err), "model.hawkes.branching_ratio: expected a number"));
    assert_non_null(strstr(defect("dist", err), "model.sessions.think_time.dist"));
    assert_non_null(strstr(defect("row", err), "model.journeys.transitions[1]: probabilities sum to"));
    assert_non_null(strstr(defect("share", err), "model.routes[2].share"));
    assert_null(strchr(defect("share", err), '\n'));
}

static void test_drift(void **state)
{
    (void)state;
    drift_thresholds t;
    drift_defaults(&t);
    drift_report r;
    assert_int_equal(drift_compare(fitted, fitted, &t, &r), 0);
    assert_int_equal(r.drifted, 0);
    assert_true(r.n > 10);
    drift_free(&r);
    /* Shift every Zipf exponent by 0.3 and empty one journey row into exit. */
    json_t *m = json_deep_copy(fitted);
    size_t i;
    json_t *route;
    json_array_foreach(json_object_get(m, "routes"), i, route)
    {
        json_t *p0 = json_array_get(json_object_get(route, "params"), 0);
        json_t *pop = json_object_get(p0, "popularity");
        if (json_object_get(pop, "s"))
            json_object_set_new(pop, "s", json_real(json_number_value(json_object_get(pop, "s")) + 0.3));
    }
    assert_int_equal(drift_compare(fitted, m, &t, &r), 0);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fitted_model),
        cmocka_unit_test(test_shop_model),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_drift),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
