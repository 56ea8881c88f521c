/*
 * test_replay_assets.c -- unit tests of issue 12's replay side on a small model written
 * here: static assets after page views (counts from the model's distribution, lanes <= 6,
 * the page's client, determinism, exact segments), model_clock (the hour-of-day profile
 * through a compressed clock), from_model events (the episode's excess and mixed-back hot
 * share), coverage (assets skipped are listed with their share) and per-session clients.
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

#include "plan.h"
#include "uaclass.h"

static char dir[] = "/tmp/rp-assets.XXXXXX";

/* One page (/p/{id}) with assets: 0 (20%), 2 (50%) or 8 (30%), templates a.js 70%, b.css
 * 30%; profile 0.5 before noon, 1.5 after; one episode of 300 sessions over 100 s at a
 * baseline of 1/s with hot share 0.4. */
static const char *model_json =
    "{\"format\":\"stampede-traffic-model\",\"version\":1,"
    "\"arrivals\":{\"session_rate\":4,\"profile\":{\"kind\":\"hour_of_day\",\"multipliers\":"
    "[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,1.5,"
    "1.5]}},"
    "\"hawkes\":{\"fitted\":false},"
    "\"bursts\":{\"episodes\":[{\"onset\":1000,\"ramp_s\":10,\"duration_s\":100,\"decay_s\":10,"
    "\"sessions\":300,\"peak_rate\":3,\"baseline_rate\":1,\"convergence\":{\"route\":\"/p/{id}\","
    "\"param\":\"id\",\"top_k\":2,\"top_k_share\":0.45,\"hot_share\":0.4,\"hot_ranks\":[3,7]}}]},"
    "\"sessions\":{\"think_time\":{\"dist\":\"lognormal\",\"params\":{\"mu\":0,\"sigma\":0.5}},"
    "\"client_classes\":{\"desktop\":0.5,\"mobile\":0.3,\"script\":0.2,\"bot\":0.01}},"
    "\"routes\":[{\"template\":\"/p/{id}\",\"method\":\"GET\",\"kind\":\"page\",\"share\":0.4,"
    "\"params\":[],\"latency\":{\"p50_s\":0.05},"
    "\"assets\":{\"window_s\":2,\"mean\":3.4,\"count_dist\":[[0,0.2],[2,0.5],[8,0.3]],"
    "\"templates\":[{\"route\":1,\"share\":0.7},{\"route\":2,\"share\":0.3}]}},"
    "{\"template\":\"/a.js\",\"method\":\"GET\",\"kind\":\"static\",\"share\":0.42,\"params\":[]},"
    "{\"template\":\"/"
    "b.css\",\"method\":\"GET\",\"kind\":\"static\",\"share\":0.18,\"params\":[]}],"
    "\"journeys\":{\"entry\":[1,0,0],\"transitions\":[[0.5,0,0,0.5],[0,0,0,1],[0,0,0,1]]}}";

/* extra: more top-level keys (starting with ','). */
static int load(scenario *sc, const char *assets, const char *extra)
{
    char path[256], err[ST_ERRLEN];
    snprintf(path, sizeof path, "%s/s.json", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f,
            "{\"format\":\"stampede-scenario\",\"version\":1,\"model\":\"m.json\","
            "\"target\":\"http://127.0.0.1:8080\",\"seed\":3,\"duration\":\"240s\","
            "\"feeders\":{\"f\":{\"count\":100,\"pattern\":\"{rank}\"}},"
            "\"routes\":{\"/p/{id}\":{\"path\":\"/p/{f}\"},\"/a.js\":{\"path\":\"/a.js\"},"
            "\"/b.css\":{\"path\":\"/b.css\"}},"
            "\"sessions\":{\"assets\":\"%s\"},"
            "\"http\":{\"client_ip\":{\"header\":\"X-Forwarded-For\",\"range\":\"10.0.0.0/8\"},"
            "\"user_agent\":\"model\"}%s}",
            assets, extra ? extra : "");
    if (fclose(f))
        return -1;
    sc_overrides ov;
    memset(&ov, 0, sizeof ov);
    int rc = scenario_load(sc, path, &ov, err);
    if (rc)
        fprintf(stderr, "%s\n", err);
    return rc;
}

static int setup(void **state)
{
    (void)state;
    char path[256];
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/m.json", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(model_json, f);
    return fclose(f) ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/m.json", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/s.json", dir);
    unlink(path);
    return rmdir(dir);
}

static void test_assets(void **state)
{
    (void)state;
    scenario sc;
    plan a, b, seg;
    char err[ST_ERRLEN];
    assert_int_equal(load(&sc, "fetch", NULL), 0);
    assert_true(sc.cov.share > 0.999);
    assert_int_equal(plan_build(&a, &sc, 1, 1, err), 0);
    assert_int_equal(plan_build(&b, &sc, 1, 1, err), 0);
    assert_int_equal(a.n_r, b.n_r);
    for (size_t i = 0; i < a.n_r; i++) { /* field by field: the struct has padding */
        assert_true(a.r[i].t == b.r[i].t);
        assert_int_equal(a.r[i].session, b.r[i].session);
        assert_int_equal(a.r[i].route, b.r[i].route);
        assert_int_equal(a.r[i].draw_off, b.r[i].draw_off);
    }
    for (size_t i = 0; i < a.n_s; i++)
        assert_int_equal(a.s[i].client, b.s[i].client);

    /* Count pages and assets; every lane's client is a page session's. */
    size_t pages = 0, assets = 0, js = 0;
    uint64_t *clients = malloc(a.n_s * sizeof *clients);
    size_t nc = 0;
    assert_non_null(clients);
    for (size_t i = 0; i < a.n_s; i++)
        if (!a.s[i].lane)
            clients[nc++] = a.s[i].client;
    for (size_t i = 0; i < a.n_s; i++) {
        const plan_session *s = &a.s[i];
        for (uint32_t k = 0; k < s->n_req; k++) {
            const plan_req *q = &a.r[s->first_req + k];
            if (s->lane) {
                assets++;
                js += !strcmp(sc.routes[q->route].template_, "/a.js");
            } else {
                pages++;
                assert_string_equal(sc.routes[q->route].template_, "/p/{id}");
            }
        }
        if (s->lane) {
            int found = 0;
            for (size_t j = 0; j < nc && !found; j++)
                found = clients[j] == s->client;
            assert_true(found);
        }
    }
    free(clients);
    assert_int_equal(assets, a.n_assets);
    /* E[count] = 0.5*2 + 0.3*8 = 3.4 per page view (assets past the window are cut). */
    double per = (double)assets / (double)pages;
    assert_true(pages > 500);
    assert_true(per > 3.0 && per < 3.7);
    assert_true(fabs((double)js / (double)assets - 0.7) < 0.05);
    /* At most 6 lanes per page: 8 assets share them, so some lane holds two. */
    size_t max_lane = 0;
    for (size_t i = 0; i < a.n_s; i++)
        if (a.s[i].lane && a.s[i].n_req > max_lane)
            max_lane = a.s[i].n_req;
    assert_int_equal(max_lane, 2);

    /* Segments partition the assets exactly. */
    uint64_t sum_r = 0, sum_a = 0;
    for (unsigned i = 1; i <= 3; i++) {
        assert_int_equal(plan_build(&seg, &sc, i, 3, err), 0);
        sum_r += seg.n_r;
        sum_a += seg.n_assets;
        plan_term(&seg);
    }
    assert_int_equal(sum_r, a.n_r);
    assert_int_equal(sum_a, a.n_assets);
    plan_term(&a);
    plan_term(&b);
    scenario_term(&sc);
}

static void test_clients(void **state)
{
    (void)state;
    scenario sc;
    sc_client c1, c2, c3;
    assert_int_equal(load(&sc, "fetch", NULL), 0);
    scenario_client_build(&sc, 42, &c1);
    scenario_client_build(&sc, 42, &c2);
    scenario_client_build(&sc, 43, &c3);
    assert_string_equal(c1.ip, c2.ip);
    assert_int_equal(strncmp(c1.ip, "10.", 3), 0);
    assert_string_not_equal(c1.ip, c3.ip);
    assert_int_equal(strncmp(c1.ip_hdr, "X-Forwarded-For: 10.", 20), 0);
    assert_int_equal(strncmp(c1.ua_hdr, "User-Agent: ", 12), 0);
    assert_int_equal(c1.iface[0], 0); /* no --source-addrs */
    /* Class shares among the replayed (non-bot) classes: 0.5, 0.3, 0.2. */
    unsigned n[UA_NCLASS] = {0};
    for (uint64_t k = 0; k < 20000; k++) {
        scenario_client_build(&sc, k, &c1);
        n[c1.ua_class]++;
        assert_int_equal(ua_classify(c1.ua_hdr + 12, strlen(c1.ua_hdr + 12)), c1.ua_class);
    }
    assert_int_equal(n[UA_BOT], 0);
    assert_true(fabs(n[UA_DESKTOP] / 20000.0 - 0.5) < 0.02);
    assert_true(fabs(n[UA_MOBILE] / 20000.0 - 0.3) < 0.02);
    scenario_term(&sc);
}

static void test_coverage_skip(void **state)
{
    (void)state;
    scenario sc;
    assert_int_equal(load(&sc, "skip", NULL), 0);
    /* The two static routes (60% of the model's requests) are not sent. */
    assert_true(fabs(sc.cov.share - 0.4) < 1e-9);
    assert_int_equal(sc.cov.n_missing, 2);
    assert_int_equal(sc.cov.why[0], COV_ASSETS_SKIPPED);
    assert_true(fabs(sc.cov.missing_share[0] - 0.42) < 1e-9);
    scenario_term(&sc);
    /* "unmapped": "error" refuses it. */
    assert_int_equal(load(&sc, "skip", ",\"unmapped\":\"error\""), ST_EINPUT);
}

static void test_model_clock(void **state)
{
    (void)state;
    scenario sc;
    plan p;
    char err[ST_ERRLEN];
    /* 11:00 at 60x: run second 60 is model noon; the rate triples there. */
    assert_int_equal(load(&sc, "skip", ",\"model_clock\":{\"start\":\"Wed 11:00\",\"speed\":60}"),
                     0);
    assert_true(fabs(scenario_base_rate(&sc, 30) - 2) < 1e-9);
    assert_true(fabs(scenario_base_rate(&sc, 90) - 6) < 1e-9);
    assert_int_equal(plan_build(&p, &sc, 1, 1, err), 0);
    size_t before = 0, after = 0;
    for (size_t i = 0; i < p.n_s; i++)
        if (p.s[i].start < 60)
            before++;
        else if (p.s[i].start < 120)
            after++;
    assert_true(before > 60 && after > 3 * before * 0.7 && after < 3 * before * 1.3);
    plan_term(&p);
    scenario_term(&sc);
    /* Without model_clock the profile is flat. */
    assert_int_equal(load(&sc, "skip", NULL), 0);
    assert_true(fabs(scenario_base_rate(&sc, 90) - 4) < 1e-9);
    scenario_term(&sc);
}

static void test_from_model(void **state)
{
    (void)state;
    scenario sc;
    plan p;
    char err[ST_ERRLEN];
    assert_int_equal(load(&sc, "skip",
                          ",\"events\":[{\"at\":\"20s\",\"from_model\":0,"
                          "\"hot\":{\"feeder\":\"f\"}}]"),
                     0);
    /* 300 sessions in the episode, 1/s x 100 s of them baseline: the event adds 200; the
     * per-session hot share 0.4 x 300 / 200 mixes back to the episode's 0.4. */
    assert_true(fabs(sc.events[0].hot_share - 0.6) < 1e-9);
    assert_int_equal(plan_build(&p, &sc, 1, 1, err), 0);
    assert_int_equal(p.all_by_origin[ORIGIN_EVENT], 200);
    plan_term(&p);
    scenario_term(&sc);
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_assets),
        cmocka_unit_test(test_clients),
        cmocka_unit_test(test_coverage_skip),
        cmocka_unit_test(test_model_clock),
        cmocka_unit_test(test_from_model),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, setup, teardown);
}
