/*
 * test_replay_plan.c -- unit tests of replay/plan.c on the CLI fixture scenario
 * (tests/integ/replay_fixtures/ok.json, the reference shop model): determinism, exact
 * segment partition, exact event size, the baseline rate and the Hawkes child share against
 * their expectations, and the order/window invariants of the plan.
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

#include "plan.h"

static int load(scenario *sc, double duration)
{
    char path[4096], err[ST_ERRLEN];
    const char *src = getenv("ST_SRC_DIR");
    sc_overrides ov;
    memset(&ov, 0, sizeof ov);
    ov.has_duration = duration > 0;
    ov.duration = duration;
    snprintf(path, sizeof path, "%s/tests/integ/replay_fixtures/ok.json", src ? src : ".");
    int rc = scenario_load(sc, path, &ov, err);
    if (rc)
        fprintf(stderr, "%s\n", err);
    return rc;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void test_determinism_and_segments(void **state)
{
    (void)state;
    scenario sc;
    plan a, b, seg;
    char err[ST_ERRLEN];
    assert_int_equal(load(&sc, 0), 0);
    assert_int_equal(plan_build(&a, &sc, 1, 1, err), 0);
    assert_int_equal(plan_build(&b, &sc, 1, 1, err), 0);
    assert_true(a.n_s > 50 && a.n_r > a.n_s);
    assert_int_equal(a.n_s, b.n_s);
    assert_int_equal(a.n_r, b.n_r);
    assert_memory_equal(a.r, b.r, a.n_r * sizeof *a.r);
    assert_memory_equal(a.draws, b.draws, a.n_draws * sizeof *a.draws);
    assert_int_equal(a.all_by_origin[ORIGIN_EVENT], 50);

    /* Invariants: sessions by start; requests inside the window, in order per session. */
    for (size_t i = 0; i < a.n_s; i++) {
        const plan_session *s = &a.s[i];
        if (i)
            assert_true(a.s[i - 1].start <= s->start);
        for (uint32_t k = 0; k < s->n_req; k++) {
            const plan_req *q = &a.r[s->first_req + k];
            assert_int_equal(q->seq, k);
            assert_true(q->t >= s->start && q->t < sc.duration);
            if (k)
                assert_true(q->t >= a.r[s->first_req + k - 1].t);
        }
    }

    /* Three segments partition the sessions and the requests exactly. */
    uint64_t *ids = malloc(a.n_s * sizeof *ids), *got = malloc(a.n_s * sizeof *got);
    size_t n = 0, nr = 0;
    assert_non_null(ids);
    assert_non_null(got);
    for (size_t i = 0; i < a.n_s; i++)
        ids[i] = a.s[i].id;
    for (unsigned i = 1; i <= 3; i++) {
        assert_int_equal(plan_build(&seg, &sc, i, 3, err), 0);
        assert_int_equal(seg.all_sessions, a.all_sessions);
        for (size_t k = 0; k < seg.n_s; k++) {
            assert_true(n < a.n_s);
            assert_int_equal(seg.s[k].id % 3, i - 1);
            got[n++] = seg.s[k].id;
        }
        nr += seg.n_r;
        plan_term(&seg);
    }
    assert_int_equal(n, a.n_s);
    assert_int_equal(nr, a.n_r);
    qsort(ids, n, sizeof *ids, cmp_u64);
    qsort(got, n, sizeof *got, cmp_u64);
    assert_memory_equal(ids, got, n * sizeof *ids);
    free(ids);
    free(got);
    plan_term(&a);
    plan_term(&b);
    scenario_term(&sc);
}

static void test_rates(void **state)
{
    (void)state;
    scenario sc;
    plan p;
    char err[ST_ERRLEN];
    /* 4000 s of the shop model: 5 sessions/s, branching ratio 0.3 (immigrants at 3.5/s). */
    assert_int_equal(load(&sc, 4000), 0);
    sc.n_events = 0;
    assert_int_equal(plan_build(&p, &sc, 1, 1, err), 0);
    double base = (double)p.all_by_origin[ORIGIN_BASE],
           child = (double)p.all_by_origin[ORIGIN_CHILD];
    double want_base = 5 * 0.7 * 4000;
    fprintf(stderr, "base %.0f (want %.0f), child share %.3f (want 0.300)\n", base, want_base,
            child / (base + child));
    assert_true(fabs(base - want_base) < 4 * sqrt(want_base));
    assert_true(fabs(child / (base + child) - 0.3) < 0.02);
    plan_term(&p);
    scenario_term(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_determinism_and_segments),
        cmocka_unit_test(test_rates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
