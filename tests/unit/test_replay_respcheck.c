/*
 * test_replay_respcheck.c -- unit tests of replay/respcheck.c: captures from a header, a JSON
 * pointer (RFC 6901, with ~1 escapes and array indexes) and a regex group into session
 * variables; checks on status, header, body substring and JSON value; and the stage curve of
 * the shop campaign scenario (scenario_stage).
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

#include "respcheck.h"

static const char hdrs[] =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Token:  abc123 \r\n\r\n";
static const char body[] = "{\"cart\":{\"id\":\"c-9\",\"n\":3},\"a/b\":[10,20],\"ok\":true,"
                           "\"html\":\"<input name=csrf value=tok-7>\"}";

static void test_captures_and_checks(void **state)
{
    (void)state;
    sc_route r;
    tmpl_vars *v = tmpl_vars_new(4);
    assert_non_null(v);
    memset(&r, 0, sizeof r);
    r.n_captures = 4;
    r.captures[0] = (sc_capture){.from = CAP_HEADER, .var = 0};
    snprintf(r.captures[0].name, sizeof r.captures[0].name, "x-token");
    r.captures[1] = (sc_capture){.from = CAP_JSON, .var = 1};
    snprintf(r.captures[1].name, sizeof r.captures[1].name, "/cart/id");
    r.captures[2] = (sc_capture){.from = CAP_JSON, .var = 2};
    snprintf(r.captures[2].name, sizeof r.captures[2].name, "/a~1b/1");
    r.captures[3] = (sc_capture){.from = CAP_REGEX, .var = 3, .has_re = 1};
    assert_int_equal(regcomp(&r.captures[3].re, "value=([a-z0-9-]+)", REG_EXTENDED), 0);
    r.check.present = 1;
    r.check.n_status = 2;
    r.check.status[0] = 200;
    r.check.status[1] = 201;
    snprintf(r.check.header, sizeof r.check.header, "Content-Type");
    snprintf(r.check.header_contains, sizeof r.check.header_contains, "json");
    r.check.body_contains = strdup("\"ok\":true");
    snprintf(r.check.json_pointer, sizeof r.check.json_pointer, "/cart/n");
    r.check.json_equals = json_integer(3);

    assert_int_equal(respcheck_apply(&r, 200, hdrs, strlen(hdrs), body, strlen(body), v), 1);
    assert_string_equal(v->val[0], "abc123");
    assert_string_equal(v->val[1], "c-9");
    assert_string_equal(v->val[2], "20");
    assert_string_equal(v->val[3], "tok-7");

    /* Each check fails on its own. */
    assert_int_equal(respcheck_apply(&r, 404, hdrs, strlen(hdrs), body, strlen(body), v), 0);
    json_decref(r.check.json_equals);
    r.check.json_equals = json_integer(4);
    assert_int_equal(respcheck_apply(&r, 200, hdrs, strlen(hdrs), body, strlen(body), v), 0);
    json_decref(r.check.json_equals);
    r.check.json_equals = NULL; /* presence only */
    assert_int_equal(respcheck_apply(&r, 200, hdrs, strlen(hdrs), body, strlen(body), v), 1);
    snprintf(r.check.header_contains, sizeof r.check.header_contains, "xml");
    assert_int_equal(respcheck_apply(&r, 200, hdrs, strlen(hdrs), body, strlen(body), v), 0);

    /* A capture that finds nothing leaves the variable unset. */
    memset(v->set, 0, sizeof v->set);
    assert_int_equal(respcheck_apply(&r, 200, "", 0, "{}", 2, v), 0);
    assert_false(v->set[0] || v->set[1] || v->set[2] || v->set[3]);

    regfree(&r.captures[3].re);
    free(r.check.body_contains);
    free(v);
}

static void test_stages(void **state)
{
    (void)state;
    scenario sc;
    sc_overrides ov;
    char path[4096], err[ST_ERRLEN];
    const char *src = getenv("ST_SRC_DIR");
    memset(&ov, 0, sizeof ov);
    snprintf(path, sizeof path, "%s/models/scenarios/shop-campaign.json", src ? src : ".");
    int rc = scenario_load(&sc, path, &ov, err);
    if (rc)
        fprintf(stderr, "%s\n", err);
    assert_int_equal(rc, 0);
    assert_true(sc.duration == 600);
    assert_true(fabs(scenario_stage(&sc, 0) - 0.2) < 1e-9);
    assert_true(fabs(scenario_stage(&sc, 60) - sqrt(0.2)) < 1e-9); /* exponential midpoint */
    assert_true(fabs(scenario_stage(&sc, 300) - 1.0) < 1e-9);
    assert_true(fabs(scenario_stage(&sc, 540) - 0.65) < 1e-9); /* linear midpoint */
    assert_true(fabs(scenario_base_rate(&sc, 300) - 5.0) < 1e-9);
    assert_int_equal(sc.events[0].sessions, 4000);
    assert_int_equal(sc.n_thresholds, 7);
    assert_true(sc.thresholds[4].abort);
    assert_true(sc.ws.mode == SCWS_SHARE && sc.ws.share == 0.1 && sc.ws.dur_mode == SCWS_DUR_MODEL);
    scenario_term(&sc);
    ov.has_scale = 1;
    ov.scale = 1.5;
    assert_int_equal(scenario_load(&sc, path, &ov, err), 0);
    assert_int_equal(sc.events[0].sessions, 6000);
    assert_true(fabs(scenario_base_rate(&sc, 300) - 7.5) < 1e-9);
    scenario_term(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_captures_and_checks),
        cmocka_unit_test(test_stages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
