/*
 * test_replay_wsplan.c -- unit tests of the scenario's `websockets` section (replay/sc_ws.c)
 * and the WebSocket schedule (replay/wsplan.c): errors that name the field path, exact
 * counts, exact segment partition, the share drawn per session (and the model's default),
 * durations (fixed, run, session, the model's lognormal), the session's item in URL and
 * subscribe message, and determinism.
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

#include "wsplan.h"

static char g_path[256];

/* Writes a scenario with the given websockets section (and duration) and loads it. */
static int load(scenario *sc, const char *ws, const char *dur, char *err)
{
    const char *src = getenv("ST_SRC_DIR");
    FILE *f = fopen(g_path, "w");
    sc_overrides ov;
    memset(&ov, 0, sizeof ov);
    if (!f)
        return -1;
    fprintf(
        f,
        "{\"format\":\"stampede-scenario\",\"version\":1,\"model\":\"%s/models/shop.model.json\","
        "\"target\":\"http://127.0.0.1:9\",\"seed\":3,\"duration\":\"%s\",\"scale\":2,"
        "\"feeders_dir\":\"%s/models/scenarios\",\"feeders\":{\"products\":{\"file\":\"hot/"
        "products.csv\"}},"
        "\"routes\":{\"/products/{id}\":{\"path\":\"/products/{products}\"}},\"websockets\":%s}",
        src ? src : ".", dur, src ? src : ".", ws);
    fclose(f);
    return scenario_load(sc, g_path, &ov, err);
}

static void expect_error(const char *ws, const char *needle)
{
    scenario sc;
    char err[ST_ERRLEN] = "";
    int rc = load(&sc, ws, "10s", err);
    if (rc != ST_EINPUT)
        fail_msg("%s: want ST_EINPUT, got %d", ws, rc);
    if (!strstr(err, needle))
        fail_msg("want '%s' in '%s'", needle, err);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("{\"count\":3}", "scenario.websockets.path");
    expect_error("{\"path\":\"ws\"}", "scenario.websockets.path: expected a path starting with /");
    expect_error("{\"path\":\"/ws\",\"count\":2,\"share\":0.5}", "either count or share");
    expect_error("{\"path\":\"/ws\",\"share\":1.5}", "scenario.websockets.share");
    expect_error("{\"path\":\"/ws\",\"duration\":\"forever\"}", "scenario.websockets.duration");
    expect_error("{\"path\":\"/ws\",\"reconnect\":{\"max\":-1}}",
                 "scenario.websockets.reconnect.max");
    expect_error("{\"path\":\"/ws\",\"reconnect\":{\"backof\":\"1s\"}}",
                 "scenario.websockets.reconnect");
    expect_error("{\"path\":\"/ws?p={nope}\"}", "scenario.websockets.path");
    expect_error("{\"path\":\"/ws\",\"share\":0.5,\"ramp\":\"1s\"}",
                 "count (dedicated sessions) only");
    expect_error("{\"path\":\"/ws\",\"pings\":1}", "scenario.websockets");
}

static void test_count_segments(void **state)
{
    (void)state;
    scenario sc;
    plan p;
    wsplan all, seg;
    char err[ST_ERRLEN], url[512], sub[512];
    assert_int_equal(load(&sc,
                          "{\"count\":50,\"ramp\":\"4s\",\"at\":\"1s\",\"path\":\"/ws/"
                          "inventory?product_id={$products}\","
                          "\"subscribe\":\"{\\\"sku\\\":{$products}}\",\"duration\":\"fixed 3s\"}",
                          "10s", err),
                     0);
    assert_int_equal(plan_build(&p, &sc, 1, 1, err), 0);
    assert_int_equal(wsplan_build(&all, &sc, &p, err), 0);
    assert_int_equal(all.n, 50); /* exact, and --scale does not change it */
    tmpl_vars *v = tmpl_vars_new(sc.names.n_vars);
    for (size_t i = 0; i < all.n; i++) {
        assert_true(all.w[i].open >= 1 && all.w[i].open < 5);
        assert_true(all.w[i].dur == 3);
        assert_true(i == 0 || all.w[i].open >= all.w[i - 1].open);
        assert_int_equal(
            wsplan_render(&sc, &all, i, v, 1, url, sizeof url, sub, sizeof sub, NULL, 0), 0);
        const char *id = strstr(url, "product_id=") + 11;
        char want[64];
        snprintf(want, sizeof want, "{\"sku\":%s}", id);
        assert_string_equal(sub, want);
        assert_int_equal(strncmp(url, "ws://127.0.0.1:9/ws/inventory?product_id=", 41), 0);
    }
    /* Segments partition the WebSocket sessions exactly. */
    size_t total = 0;
    uint64_t xor_all = 0, xor_seg = 0;
    for (size_t i = 0; i < all.n; i++)
        xor_all ^= all.w[i].id;
    for (unsigned s = 1; s <= 3; s++) {
        plan ps;
        assert_int_equal(plan_build(&ps, &sc, s, 3, err), 0);
        assert_int_equal(wsplan_build(&seg, &sc, &ps, err), 0);
        total += seg.n;
        for (size_t i = 0; i < seg.n; i++) {
            xor_seg ^= seg.w[i].id;
            assert_int_equal(seg.w[i].id % 3, s - 1);
        }
        wsplan_term(&seg);
        plan_term(&ps);
    }
    assert_int_equal(total, 50);
    assert_true(xor_all == xor_seg);
    /* Same seed, same schedule. */
    assert_int_equal(wsplan_build(&seg, &sc, &p, err), 0);
    assert_int_equal(memcmp(seg.w, all.w, all.n * sizeof *all.w), 0);
    wsplan_term(&seg);
    free(v);
    wsplan_term(&all);
    plan_term(&p);
    scenario_term(&sc);
}

static void test_share_duration(void **state)
{
    (void)state;
    scenario sc;
    plan p;
    wsplan w;
    char err[ST_ERRLEN];
    /* No share: the model's websockets.share_of_sessions (0.1); no duration: its lognormal
     * (mu 5, sigma 0.8: median 148 s), clipped at the window end. */
    assert_int_equal(load(&sc, "{\"path\":\"/ws\"}", "60s", err), 0);
    assert_true(sc.ws.mode == SCWS_SHARE && fabs(sc.ws.share - 0.1) < 1e-12);
    assert_true(sc.ws.dur_mode == SCWS_DUR_MODEL && sc.ws.dur_mu == 5);
    assert_int_equal(plan_build(&p, &sc, 1, 1, err), 0);
    assert_int_equal(wsplan_build(&w, &sc, &p, err), 0);
    double share = (double)w.n / (double)p.n_s;
    assert_true(p.n_s > 300);
    assert_true(share > 0.06 && share < 0.14);
    size_t clipped = 0;
    for (size_t i = 0; i < w.n; i++) {
        assert_true(w.w[i].open + w.w[i].dur <= 60 + 1e-9);
        clipped += w.w[i].clipped;
    }
    assert_true(clipped > w.n / 2); /* most lognormal durations outlast a 60 s window */
    wsplan_term(&w);
    plan_term(&p);
    scenario_term(&sc);
    /* "session": until 1 s after the session's last request. */
    assert_int_equal(
        load(&sc, "{\"path\":\"/ws\",\"share\":1,\"duration\":\"session\"}", "60s", err), 0);
    assert_int_equal(plan_build(&p, &sc, 1, 1, err), 0);
    assert_int_equal(wsplan_build(&w, &sc, &p, err), 0);
    assert_int_equal(w.n, p.n_s);
    for (size_t i = 0; i < w.n; i++)
        assert_true(w.w[i].dur >= 1 - 1e-9 || w.w[i].clipped);
    wsplan_term(&w);
    plan_term(&p);
    scenario_term(&sc);
}

int main(void)
{
    snprintf(g_path, sizeof g_path, "/tmp/test_replay_wsplan.%d.json", (int)getpid());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_count_segments),
        cmocka_unit_test(test_share_duration),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    unlink(g_path);
    return rc;
}
