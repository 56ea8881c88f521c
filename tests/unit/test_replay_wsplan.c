/*
 * test_replay_wsplan.c -- unit tests of the scenario's `websockets` section (replay/sc_ws.c)
 * and the WebSocket schedule (replay/wsplan.c): errors that name the field path, exact
 * counts, exact segment partition, the share drawn per session (and the model's default),
 * durations (fixed, run, session, the model's lognormal), the session's item in URL and
 * subscribe message, the client identity every socket carries (its session's address and
 * User-Agent in the handshake headers, URL and messages; --source-addrs), and determinism.
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

#include "uaclass.h"
#include "wsplan.h"

static char g_path[256];

/* Writes a scenario with the given websockets section, duration and extra top-level keys
 * (extra: "" or ",\"http\":{..}") and loads it; source_addrs as --source-addrs (or NULL). */
static int load_ex(scenario *sc, const char *ws, const char *dur, const char *extra,
                   const char *source_addrs, char *err)
{
    const char *src = getenv("ST_SRC_DIR");
    FILE *f = fopen(g_path, "w");
    sc_overrides ov;
    memset(&ov, 0, sizeof ov);
    ov.source_addrs = source_addrs;
    if (!f)
        return -1;
    fprintf(
        f,
        "{\"format\":\"stampede-scenario\",\"version\":1,\"model\":\"%s/models/shop.model.json\","
        "\"target\":\"http://127.0.0.1:9\",\"seed\":3,\"duration\":\"%s\",\"scale\":2,"
        "\"feeders_dir\":\"%s/models/scenarios\",\"feeders\":{\"products\":{\"file\":\"hot/"
        "products.csv\"}},"
        "\"routes\":{\"/products/{id}\":{\"path\":\"/products/{products}\"}},\"websockets\":%s%s}",
        src ? src : ".", dur, src ? src : ".", ws, extra);
    fclose(f);
    return scenario_load(sc, g_path, &ov, err);
}

static int load(scenario *sc, const char *ws, const char *dur, char *err)
{
    return load_ex(sc, ws, dur, "", NULL, err);
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
            wsplan_render(&sc, &all, i, NULL, v, 1, url, sizeof url, sub, sizeof sub, NULL, 0), 0);
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

/* The index of the plan session with id, or SIZE_MAX. */
static size_t session_index(const plan *p, uint64_t id)
{
    for (size_t i = 0; i < p->n_s; i++)
        if (p->s[i].id == id)
            return i;
    return SIZE_MAX;
}

/* 1 when the NULL-terminated header lines hold exactly want. */
static int has_line(const char *const *line, const char *want)
{
    for (; *line; line++)
        if (!strcmp(*line, want))
            return 1;
    return 0;
}

static const char ident_http[] =
    ",\"http\":{\"headers\":{\"Authorization\":\"Bearer {$products}\"},"
    "\"client_ip\":{\"header\":\"X-Forwarded-For\",\"range\":\"10.0.0.0/8\"},"
    "\"user_agent\":\"model\"}";

/* Every socket of a session is that session's client: the address and User-Agent its
 * requests send, in the handshake headers, in {client_ip}/{user_agent} of the URL and the
 * subscribe message; distinct sessions are distinct clients; the same seed, the same bytes. */
static void test_client_share(void **state)
{
    (void)state;
    scenario sc;
    plan p;
    wsplan w, w2;
    char err[ST_ERRLEN] = "", url[512], sub[512], hdrs[WSPLAN_MAX_HEADERS][512], want[512];
    const char *line[WSPLAN_MAX_HEADERS + 1];
    assert_int_equal(load_ex(&sc,
                             "{\"share\":0.5,\"path\":\"/ws?c={client_ip}\","
                             "\"subscribe\":\"ua={user_agent} ip={client_ip}\"}",
                             "60s", ident_http, NULL, err),
                     0);
    assert_int_equal(plan_build(&p, &sc, 1, 1, err), 0);
    assert_int_equal(wsplan_build(&w, &sc, &p, err), 0);
    assert_true(w.n > 100);
    tmpl_vars *v = tmpl_vars_new(sc.names.n_vars);
    char(*ips)[16] = calloc(w.n, sizeof *ips);
    assert_non_null(v);
    assert_non_null(ips);
    for (size_t i = 0; i < w.n; i++) {
        size_t si = session_index(&p, w.w[i].session);
        sc_client cl, sess;
        assert_true(si != SIZE_MAX);
        assert_true(w.w[i].client == p.s[si].client);
        wsplan_client(&sc, &w, i, &cl);
        scenario_client_build(&sc, p.s[si].client, &sess); /* what the engine sends */
        assert_string_equal(cl.ip, sess.ip);
        assert_int_equal(cl.ua_class, sess.ua_class);
        assert_int_equal(strncmp(cl.ip, "10.", 3), 0);
        assert_string_equal(cl.iface, ""); /* no --source-addrs: no bind */
        const char *ua = ua_class_example((enum ua_class)cl.ua_class);
        assert_int_equal(
            wsplan_render(&sc, &w, i, &cl, v, 1, url, sizeof url, sub, sizeof sub, NULL, 0), 0);
        snprintf(want, sizeof want, "ws://127.0.0.1:9/ws?c=%s", cl.ip);
        assert_string_equal(url, want);
        snprintf(want, sizeof want, "ua=%s ip=%s", ua, cl.ip);
        assert_string_equal(sub, want);
        assert_int_equal(wsplan_render_headers(&sc, &w, i, &cl, v, hdrs, line), 0);
        snprintf(want, sizeof want, "X-Forwarded-For: %s", cl.ip);
        assert_true(has_line(line, want));
        snprintf(want, sizeof want, "User-Agent: %s", ua);
        assert_true(has_line(line, want));
        assert_true(line[0] && !strncmp(line[0], "Authorization: Bearer ", 22));
        assert_null(line[3]);
        memcpy(ips[i], cl.ip, 16);
    }
    /* Distinct sessions, distinct clients (16M addresses for a few hundred sessions). */
    for (size_t i = 0; i < w.n; i++)
        for (size_t j = i + 1; j < w.n; j++)
            assert_true(strcmp(ips[i], ips[j]) != 0);
    assert_int_equal(wsplan_build(&w2, &sc, &p, err), 0);
    assert_int_equal(w2.n, w.n);
    assert_int_equal(memcmp(w2.w, w.w, w.n * sizeof *w.w), 0);
    wsplan_term(&w2);
    free(ips);
    free(v);
    wsplan_term(&w);
    plan_term(&p);
    scenario_term(&sc);
}

/* A dedicated (count) session is a client of its own, drawn as an HTTP session's (by its
 * id); with --source-addrs the socket binds to that address; without client keys in the
 * scenario a handshake carries no client rows. */
static void test_client_count(void **state)
{
    (void)state;
    scenario sc;
    plan p;
    wsplan w;
    char err[ST_ERRLEN] = "", hdrs[WSPLAN_MAX_HEADERS][512], want[64];
    const char *line[WSPLAN_MAX_HEADERS + 1];
    assert_int_equal(load_ex(&sc, "{\"count\":40,\"ramp\":\"2s\",\"path\":\"/ws\"}", "10s",
                             ",\"http\":{\"user_agent\":\"model\"}", "127.0.0.0/8", err),
                     0);
    assert_int_equal(plan_build(&p, &sc, 1, 1, err), 0);
    assert_int_equal(wsplan_build(&w, &sc, &p, err), 0);
    assert_int_equal(w.n, 40);
    tmpl_vars *v = tmpl_vars_new(sc.names.n_vars);
    assert_non_null(v);
    size_t distinct = 0;
    char prev[40][16];
    for (size_t i = 0; i < w.n; i++) {
        sc_client cl, own;
        assert_true(w.w[i].client == w.w[i].id);
        wsplan_client(&sc, &w, i, &cl);
        scenario_client_build(&sc, w.w[i].id, &own);
        assert_string_equal(cl.ip, own.ip);
        assert_int_equal(strncmp(cl.ip, "127.", 4), 0);
        snprintf(want, sizeof want, "host!%s", cl.ip);
        assert_string_equal(cl.iface, want);
        assert_string_equal(cl.ip_hdr, ""); /* no client_ip.header: the source address only */
        assert_int_equal(wsplan_render_headers(&sc, &w, i, &cl, v, hdrs, line), 0);
        assert_non_null(line[0]);
        assert_int_equal(strncmp(line[0], "User-Agent: ", 12), 0);
        assert_null(line[1]);
        int dup = 0;
        for (size_t j = 0; j < distinct; j++)
            dup |= !strcmp(prev[j], cl.ip);
        if (!dup)
            memcpy(prev[distinct++], cl.ip, 16);
    }
    assert_int_equal(distinct, 40);
    free(v);
    wsplan_term(&w);
    plan_term(&p);
    scenario_term(&sc);
    /* No identity keys: the handshake sends the scenario's headers only. */
    assert_int_equal(load(&sc, "{\"count\":3,\"path\":\"/ws\"}", "10s", err), 0);
    v = tmpl_vars_new(sc.names.n_vars);
    assert_non_null(v);
    assert_int_equal(plan_build(&p, &sc, 1, 1, err), 0);
    assert_int_equal(wsplan_build(&w, &sc, &p, err), 0);
    for (size_t i = 0; i < w.n; i++) {
        sc_client cl;
        wsplan_client(&sc, &w, i, &cl);
        assert_string_equal(cl.ip, "");
        assert_string_equal(cl.iface, "");
        assert_int_equal(wsplan_render_headers(&sc, &w, i, &cl, v, hdrs, line), 0);
        assert_null(line[0]);
    }
    free(v);
    wsplan_term(&w);
    plan_term(&p);
    scenario_term(&sc);
}

int main(void)
{
    snprintf(g_path, sizeof g_path, "/tmp/test_replay_wsplan.%d.json", (int)getpid());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),         cmocka_unit_test(test_count_segments),
        cmocka_unit_test(test_share_duration), cmocka_unit_test(test_client_share),
        cmocka_unit_test(test_client_count),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    unlink(g_path);
    return rc;
}
