/*
 * test_modeler_assets.c -- static assets per page view and client classes in the sessionizer
 * (modeler/assets.c, sessionize.c).
 *
 * What is checked, on hand-built request streams: assets count for the same client's last
 * page only, within the window and before its next page/api request; other clients'
 * statics and late statics are not attributed; an api request ends a view; counts beyond 32
 * fold into 32 while the mean keeps the true total; templates are shared by count and cut
 * to 64 with the rest in the largest; the model object's shares and count_dist sum to 1;
 * sessions are counted per User-Agent class and bot sessions by client and timeout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sessionize.h"

/* Model routes for assets_json: indexes 0..99 static, the rest pages. */
static json_t *routes_fixture(size_t n, size_t nstatic)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:s}", "kind", i < nstatic ? "static" : "page"));
    return a;
}

static double sum_second(const json_t *arr, const char *key)
{
    double s = 0;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
        s += key ? json_number_value(json_object_get(v, key))
                 : json_number_value(json_array_get(v, 1));
    return s;
}

static void test_attribution(void **state)
{
    (void)state;
    sessionize s;
    assert_int_equal(sessionize_init(&s, 1800, 1), 0);
    const uint64_t A = 11, B = 22;
    const uint32_t PAGE = 200, PAGE2 = 201, API = 202, JS = 0, CSS = 1;
    /* A views PAGE: two assets in time, one of B's in between (not A's), one too late. */
    assert_int_equal(sessionize_add(&s, 100.0, A, PAGE, 1, UA_DESKTOP), 1);
    assert_int_equal(sessionize_add(&s, 100.1, B, PAGE2, 1, UA_MOBILE), 1);
    assert_int_equal(sessionize_static(&s, 100.2, A, JS), 0);
    assert_int_equal(sessionize_static(&s, 100.3, B, CSS), 0);
    assert_int_equal(sessionize_static(&s, 101.9, A, CSS), 0);
    assert_int_equal(sessionize_static(&s, 102.5, A, CSS), 0); /* beyond 2 s */
    /* A's api request ends the view: a static right after it belongs to no page. */
    assert_int_equal(sessionize_add(&s, 105.0, A, API, 0, UA_DESKTOP), 0);
    assert_int_equal(sessionize_static(&s, 105.1, A, JS), 0);
    /* A views PAGE again with no assets; then PAGE2 with 40 assets (tail fold). */
    assert_int_equal(sessionize_add(&s, 110.0, A, PAGE, 1, UA_DESKTOP), 0);
    assert_int_equal(sessionize_add(&s, 120.0, A, PAGE2, 1, UA_DESKTOP), 0);
    for (int i = 0; i < 40; i++)
        assert_int_equal(sessionize_static(&s, 120.0 + 0.01 * i, A, (uint32_t)(i % 2)), 0);
    /* An unknown client's static is counted, never attributed. */
    assert_int_equal(sessionize_static(&s, 121.0, 99, JS), 0);
    sessionize_flush(&s);

    const asset_page *p = &s.as.p[PAGE];
    assert_int_equal(p->views, 2);
    assert_int_equal(p->assets, 2);
    assert_int_equal(p->hist[2], 1);
    assert_int_equal(p->hist[0], 1);
    const asset_page *q = &s.as.p[PAGE2];
    assert_int_equal(q->views, 2); /* B's view (1 asset) and A's (40) */
    assert_int_equal(q->hist[1], 1);
    assert_int_equal(q->hist[ASSETS_MAX_K], 1);
    assert_int_equal(q->assets, 41);
    assert_int_equal(s.as.statics, 46);
    assert_int_equal(s.as.attributed, 43);
    assert_int_equal(s.as.p[API].views, 0);

    int map[300];
    for (int i = 0; i < 300; i++)
        map[i] = i;
    json_t *routes = routes_fixture(300, 100);
    json_t *j = assets_json(&s.as, PAGE, map, 300, routes);
    assert_non_null(j);
    assert_true(fabs(json_number_value(json_object_get(j, "mean")) - 1.0) < 1e-12);
    assert_true(fabs(json_number_value(json_object_get(j, "window_s")) - 2.0) < 1e-12);
    json_t *cd = json_object_get(j, "count_dist");
    assert_int_equal(json_array_size(cd), 2);
    assert_true(fabs(sum_second(cd, NULL) - 1) < 1e-12);
    json_t *tm = json_object_get(j, "templates");
    assert_int_equal(json_array_size(tm), 2);
    assert_true(fabs(sum_second(tm, "share") - 1) < 1e-12);
    json_decref(j);
    j = assets_json(&s.as, PAGE2, map, 300, routes);
    assert_true(fabs(json_number_value(json_object_get(j, "mean")) - 20.5) < 1e-12);
    cd = json_object_get(j, "count_dist");
    assert_int_equal(json_integer_value(json_array_get(json_array_get(cd, 1), 0)), 32);
    json_decref(j);
    /* A page nobody fetched assets after has no object; nor does a page whose assets all
     * went to routes the model does not keep as static. */
    assert_null(assets_json(&s.as, API, map, 300, routes));
    map[JS] = map[CSS] = -1;
    assert_null(assets_json(&s.as, PAGE, map, 300, routes));
    json_decref(routes);

    assert_int_equal(s.class_sessions[UA_DESKTOP], 1);
    assert_int_equal(s.class_sessions[UA_MOBILE], 1);
    sessionize_term(&s);
}

static void test_template_cap(void **state)
{
    (void)state;
    sessionize s;
    assert_int_equal(sessionize_init(&s, 1800, 1), 0);
    const uint32_t PAGE = 300;
    /* 200 views of PAGE, each followed by one asset of template v % 150, template 0 twice. */
    for (uint32_t v = 0; v < 200; v++) {
        double t = 1000.0 * v;
        sessionize_add(&s, t, 5, PAGE, 1, UA_SCRIPT);
        sessionize_static(&s, t + 0.5, 5, v % 150);
        if (v % 150 == 0)
            sessionize_static(&s, t + 0.6, 5, 0);
    }
    sessionize_flush(&s);
    int map[400];
    for (int i = 0; i < 400; i++)
        map[i] = i;
    json_t *routes = routes_fixture(400, 200);
    json_t *j = assets_json(&s.as, PAGE, map, 400, routes);
    json_t *tm = json_object_get(j, "templates");
    assert_int_equal(json_array_size(tm), ASSETS_TMPL_OUT);
    assert_true(fabs(sum_second(tm, "share") - 1) < 1e-12);
    /* The largest template (route 0: 4 assets) absorbs the 86 single assets cut: 90 of 202;
     * routes 1..49 have 2 each. */
    assert_int_equal(json_integer_value(json_object_get(json_array_get(tm, 0), "route")), 0);
    double s0 = json_number_value(json_object_get(json_array_get(tm, 0), "share"));
    double s1 = json_number_value(json_object_get(json_array_get(tm, 1), "share"));
    assert_true(fabs(s0 - 90.0 / 202.0) < 1e-12 && fabs(s1 - 2.0 / 202.0) < 1e-12);
    json_decref(j);
    json_decref(routes);
    sessionize_term(&s);
}

static void test_bot_sessions(void **state)
{
    (void)state;
    sessionize s;
    assert_int_equal(sessionize_init(&s, 600, 1), 0);
    /* One crawler every 5 s for an hour is one session; after a 20-min pause, a second. A
     * second crawler interleaved (and slightly out of order) is a third. */
    for (int i = 0; i < 720; i++)
        sessionize_bot(&s, 5000.0 + 5 * i, 77);
    for (int i = 0; i < 10; i++)
        sessionize_bot(&s, 5000.0 + 3600 + 1200 + 5 * i, 77);
    for (int i = 0; i < 50; i++)
        sessionize_bot(&s, 5000.0 + 10 * i - (i % 3), 78);
    assert_int_equal(s.bot_sessions, 3);
    sessionize_term(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attribution),
        cmocka_unit_test(test_template_cap),
        cmocka_unit_test(test_bot_sessions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
