/*
 * test_tmodel_desc.c -- the descriptive reader of the traffic model (common/tmodel_desc.h):
 * a shipped model read field by field against its own JSON (not against copied figures),
 * absence kept as NAN / NULL / has_* = 0 so that diff and report can tell "absent" from
 * "zero", and a bad file refused with exactly the error tmodel_read_json gives.
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

#include "tmodel_desc.h"

static void src_path(char *buf, size_t n, const char *rel)
{
    const char *src = getenv("ST_SRC_DIR");
    snprintf(buf, n, "%s/%s", src ? src : ".", rel);
}

/* The number at a jansson path, or NAN: what the struct must hold. */
static double jnum(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return v && json_is_number(v) ? json_number_value(v) : NAN;
}

static void assert_same(double want, double got)
{
    if (isnan(want))
        assert_true(isnan(got));
    else
        assert_true(want == got);
}

static void test_shop_model(void **state)
{
    (void)state;
    char path[4096], err[ST_ERRLEN];
    src_path(path, sizeof path, "models/shop.model.json");
    tmodel_desc d;
    assert_int_equal(tmodel_desc_read(&d, path, err), 0);
    json_t *m = json_load_file(path, 0, NULL);
    assert_non_null(m);
    const json_t *routes = json_object_get(m, "routes");
    const json_t *tr = json_object_get(json_object_get(m, "journeys"), "transitions");
    assert_int_equal(d.n_routes, json_array_size(routes));
    assert_true(d.n_routes > 0);
    for (size_t i = 0; i < d.n_routes; i++) {
        const json_t *r = json_array_get(routes, i);
        assert_string_equal(d.routes[i].template_,
                            json_string_value(json_object_get(r, "template")));
        assert_same(jnum(r, "share"), d.routes[i].share);
        assert_same(jnum(json_object_get(r, "status_mix"), "5xx"), d.routes[i].share_5xx);
        assert_int_equal(d.routes[i].n_params, json_array_size(json_object_get(r, "params")));
        for (size_t c = 0; c <= d.n_routes; c++)
            assert_true(tmodel_desc_trans(&d, i, c) ==
                        json_number_value(json_array_get(json_array_get(tr, i), c)));
    }
    const json_t *ar = json_object_get(m, "arrivals");
    assert_same(jnum(ar, "session_rate"), d.arrivals.session_rate);
    const json_t *rates = json_object_get(json_object_get(ar, "series"), "rates");
    assert_int_equal(d.arrivals.series.rates.n, json_array_size(rates));
    assert_true(d.arrivals.series.rates.n > 0);
    assert_true(d.arrivals.series.rates.v[d.arrivals.series.rates.n - 1] ==
                json_number_value(json_array_get(rates, json_array_size(rates) - 1)));
    const json_t *q = json_object_get(m, "quality");
    assert_same(jnum(q, "bot_share"), d.quality.bot_share);
    assert_int_equal(d.quality.n_findings, json_array_size(json_object_get(q, "findings")));
    const json_t *th = json_object_get(json_object_get(m, "sessions"), "think_time");
    assert_same(jnum(th, "median_s"), d.sessions.think.median_s);
    assert_string_equal(d.sessions.think.dist, json_string_value(json_object_get(th, "dist")));
    /* This model has no client classes: absent, not zero shares. */
    assert_int_equal(d.sessions.has_classes,
                     json_object_get(json_object_get(m, "sessions"), "client_classes") != NULL);
    json_decref(m);
    tmodel_desc_term(&d);
    tmodel_desc_term(&d); /* safe twice */
}

/* A tree with almost nothing in it: every reader of the struct sees "absent". */
static void test_absent_parts(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    json_t *m = json_pack("{s:{s:{s:f}},s:{s:n,s:[{s:n}]},s:[{s:s,s:[{}]}],s:{s:[[f]]}}",
                          "sessions", "client_classes", "desktop", 0.7, "bursts", "refused",
                          "episodes", "convergence", "routes", "template", "/a", "params",
                          "journeys", "transitions", 0.25);
    assert_non_null(m);
    tmodel_desc d;
    assert_int_equal(tmodel_desc_from_json(&d, m, err), 0);
    json_decref(m); /* the struct holds its own reference: its strings stay valid */
    assert_true(isnan(d.arrivals.session_rate) && isnan(d.source.first_ts) && isnan(d.seed));
    assert_null(d.source.format);
    assert_null(d.hawkes.refused);
    assert_false(d.hawkes.fitted);
    assert_true(d.hawkes.ci_lo == 0 && d.hawkes.ci_hi == 0); /* array elements: 0 */
    assert_int_equal(d.arrivals.multipliers.n, 0);
    assert_int_equal(d.arrivals.series.rates.n, 0);
    /* Present with a null value still counts as present (the report says "not fitted"). */
    assert_true(d.bursts.has_refused);
    assert_null(d.bursts.refused);
    assert_int_equal(d.bursts.n_episodes, 1);
    assert_true(d.bursts.episodes[0].has_convergence);
    assert_true(isnan(d.bursts.episodes[0].hot_share));
    assert_true(d.sessions.has_classes);
    assert_true(d.sessions.classes[TM_DESKTOP] == 0.7);
    assert_true(isnan(d.sessions.classes[TM_MOBILE]) && isnan(d.sessions.classes[TM_BOT]));
    assert_false(d.sessions.think.has_note);
    assert_false(d.quality.has_clients);
    assert_int_equal(d.n_routes, 1);
    assert_string_equal(d.routes[0].template_, "/a");
    assert_null(d.routes[0].kind);
    assert_true(isnan(d.routes[0].share) && isnan(d.routes[0].assets_mean));
    assert_int_equal(d.routes[0].n_params, 1);
    assert_null(d.routes[0].params[0].name);
    assert_true(isnan(d.routes[0].params[0].s));
    /* A short transitions row reads as 0 beyond its end, as json_number_value has it. */
    assert_true(tmodel_desc_trans(&d, 0, 0) == 0.25 && tmodel_desc_trans(&d, 0, 1) == 0);
    assert_true(isnan(d.websockets.count));
    assert_null(d.websockets.not_fitted);
    tmodel_desc_term(&d);
}

/* A bad file: the same error text as tmodel_read_json (field path), ST_EINPUT, nothing held. */
static void test_bad_file(void **state)
{
    (void)state;
    const char *bad[] = {"models/shapes/shop.json", "models/no-such-model.json",
                         "fixtures/logs/formats/caddy.log"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char path[4096], e1[ST_ERRLEN], e2[ST_ERRLEN];
        src_path(path, sizeof path, bad[i]);
        assert_null(tmodel_read_json(path, e1));
        tmodel_desc d;
        assert_int_equal(tmodel_desc_read(&d, path, e2), ST_EINPUT);
        assert_string_equal(e1, e2);
        assert_null(d.routes);
        assert_null(d.tree_);
        tmodel_desc_term(&d);
    }
    char path[4096], err[ST_ERRLEN];
    src_path(path, sizeof path, "models/shapes/shop.json");
    tmodel_desc d;
    assert_int_equal(tmodel_desc_read(&d, path, err), ST_EINPUT);
    assert_non_null(strstr(err, "model.format: expected"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shop_model),
        cmocka_unit_test(test_absent_parts),
        cmocka_unit_test(test_bad_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
