/*
 * test_modeler_fit.c -- unit tests of the fits: fit_zipf.c, fit_think.c, fit_hawkes.c and
 * fit_bursts.c, each on data simulated from known parameters with fixed seeds (so each
 * outcome is deterministic), with tolerances at several standard errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fit_bursts.h"
#include "ingest.h"
#include "fit_hawkes.h"
#include "fit_think.h"
#include "fit_zipf.h"
#include "rng.h"

static int cmp_desc(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x > y ? -1 : x < y;
}

static int cmp_asc(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void zipf_case(double s, uint64_t n, size_t draws, uint64_t seed)
{
    rng_zipf z;
    char err[ST_ERRLEN];
    assert_int_equal(rng_zipf_init(&z, n, s, err), 0);
    uint64_t *c = calloc(n, sizeof *c);
    rng_stream rs;
    rng_stream_init(&rs, seed, 1);
    for (size_t i = 0; i < draws; i++)
        c[rng_zipf_draw(&z, &rs) - 1]++;
    qsort(c, n, sizeof *c, cmp_desc);
    size_t d = 0;
    while (d < n && c[d])
        d++;
    zipf_fit f;
    assert_int_equal(fit_zipf(c, d, &f, err), 0);
    fprintf(stderr, "zipf s=%.2f N=%llu: s_hat %.4f n_est %.0f observed %zu head %zu ks %.4f\n", s,
            (unsigned long long)n, f.s, f.n_est, f.observed, f.head, f.ks_d);
    assert_true(fabs(f.s - s) < 0.03);
    assert_true(f.n_est >= (double)d);
    assert_true(fabs(f.n_est - (double)n) < 0.25 * (double)n);
    assert_true(f.ks_d < 0.05);
    free(c);
}

static void test_zipf(void **state)
{
    (void)state;
    zipf_case(0.6, 3000, 200000, 1); /* s < 1: the finite-N case */
    zipf_case(1.0, 2000, 100000, 2);
    zipf_case(1.3, 20000, 300000, 3); /* catalog larger than what was seen */
    char err[ST_ERRLEN];
    uint64_t few[3] = {5, 3, 1};
    zipf_fit f;
    assert_int_equal(fit_zipf(few, 3, &f, err), ST_EINPUT);
}

static void test_think(void **state)
{
    (void)state;
    rng_stream rs;
    rng_stream_init(&rs, 11, 2);
    size_t n = 20000;
    double *x = malloc(n * sizeof *x);
    think_fit t;
    char err[ST_ERRLEN];
    for (size_t i = 0; i < n; i++)
        x[i] = rng_lognormal(&rs, log(8.0), 0.9);
    assert_int_equal(fit_think(x, n, 0.01, 0, &t, err), 0);
    assert_int_equal(t.all[t.best].kind, DIST_LOGNORMAL);
    assert_true(fabs(t.median_s - 8.0) < 0.4);
    assert_true(t.all[t.best].ks_d < 0.02);
    for (size_t i = 0; i < n; i++)
        x[i] = rng_weibull(&rs, 0.7, 20.0);
    assert_int_equal(fit_think(x, n, 0.001, 0, &t, err), 0);
    assert_int_equal(t.all[t.best].kind, DIST_WEIBULL);
    assert_true(fabs(t.all[t.best].p1 - 0.7) < 0.03);
    for (size_t i = 0; i < n; i++)
        x[i] = rng_gamma(&rs, 3.0, 2.0);
    assert_int_equal(fit_think(x, n, 0.001, 0, &t, err), 0);
    assert_int_equal(t.all[t.best].kind, DIST_GAMMA);
    assert_true(fabs(t.all[t.best].p1 - 3.0) < 0.15);
    assert_true(fabs(t.median_s - gsl_cdf_gamma_Pinv(0.5, 3.0, 2.0)) < 0.2);
    assert_int_equal(fit_think(x, 5, 0.001, 0, &t, err), ST_EINPUT);
    free(x);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Simulates a Hawkes process by its branching structure: Poisson(mu) immigrants on [0, T],
 * each event with Poisson(n) children at Exp(beta) delays. */
static size_t hawkes_sim(double mu, double n, double beta, double T, uint64_t seed, double **out)
{
    rng_stream rs;
    rng_stream_init(&rs, seed, 3);
    size_t cap = (size_t)(mu * T / (1 - n) * 2) + 1000, k = 0;
    double *t = malloc(cap * sizeof *t);
    for (double x = rng_exponential(&rs, mu); x < T; x += rng_exponential(&rs, mu))
        t[k++] = x;
    for (size_t i = 0; i < k; i++) {
        unsigned c = rng_poisson(&rs, n);
        for (unsigned j = 0; j < c && k < cap; j++) {
            double y = t[i] + rng_exponential(&rs, beta);
            if (y < T)
                t[k++] = y;
        }
    }
    qsort(t, k, sizeof *t, cmp_d);
    *out = t;
    return k;
}

static void test_hawkes(void **state)
{
    (void)state;
    gsl_set_error_handler_off();
    double T = 20000, *t;
    double shape[2000];
    for (int i = 0; i < 2000; i++)
        shape[i] = 1;
    size_t n = hawkes_sim(1.0, 0.5, 0.5, T, 5, &t);
    hawkes_fit h;
    char err[ST_ERRLEN];
    memset(&h, 0, sizeof h);
    assert_int_equal(fit_hawkes(t, n, T, shape, 2000, 10, &h, err), 0);
    fprintf(stderr, "hawkes: %zu events, n %.3f [%.3f, %.3f], beta %.3f, mu %.3f, ks %.4f\n", n,
            h.n, h.ci_lo, h.ci_hi, h.beta, h.mu, h.ks_d);
    assert_true(fabs(h.n - 0.5) < 0.05);
    assert_true(h.ci_lo < 0.5 && h.ci_hi > 0.5);
    assert_true(fabs(h.beta - 0.5) < 0.1);
    assert_true(h.loglik > h.loglik_poisson);
    assert_true(h.ks_d < 0.02);
    free(t);
    /* Pure Poisson: no excitation. */
    n = hawkes_sim(2.0, 0.0, 1.0, T, 6, &t);
    memset(&h, 0, sizeof h);
    assert_int_equal(fit_hawkes(t, n, T, shape, 2000, 10, &h, err), 0);
    fprintf(stderr, "poisson: %zu events, n %.4f [%.3f, %.3f], beta %.3g\n", n, h.n, h.ci_lo,
            h.ci_hi, h.beta);
    assert_true(h.n < 0.1);
    assert_true(h.ci_lo < 0.01);
    free(t);
    memset(&h, 0, sizeof h);
    double few[3] = {1, 2, 3};
    assert_int_equal(fit_hawkes(few, 3, 10, shape, 1, 10, &h, err), ST_EINPUT);
    assert_int_equal(h.fitted, 0);
}

static void test_bursts(void **state)
{
    (void)state;
    rng_stream rs;
    rng_stream_init(&rs, 8, 4);
    size_t nb = 2000;
    uint32_t *c = malloc(nb * sizeof *c);
    for (size_t i = 0; i < nb; i++)
        c[i] = rng_poisson(&rs, (i >= 900 && i < 960) ? 30.0 : 5.0);
    burst_fit bf;
    char err[ST_ERRLEN];
    assert_int_equal(fit_bursts(c, nb, 10, &bf, err), 0);
    assert_int_equal(bf.n, 1);
    fprintf(stderr, "burst: onset %.0f duration %.0f peak %.3f base %.3f\n", bf.ep[0].onset,
            bf.ep[0].duration_s, bf.ep[0].peak_rate, bf.ep[0].baseline_rate);
    assert_true(fabs(bf.ep[0].onset - 9000) <= 20);
    assert_true(fabs(bf.ep[0].duration_s - 600) <= 40);
    assert_true(fabs(bf.ep[0].peak_rate - 3.0) < 0.4);
    assert_true(fabs(bf.ep[0].baseline_rate - 0.5) < 0.15);
    assert_true(bf.ep[0].ramp_s <= 30);
    /* Stationary Poisson counts give no episode. */
    for (size_t i = 0; i < nb; i++)
        c[i] = rng_poisson(&rs, 5.0);
    assert_int_equal(fit_bursts(c, nb, 10, &bf, err), 0);
    assert_int_equal(bf.n, 0);
    free(c);
}

/* Per-second Poisson session counts at base 4/s with an excess of 30/s shaped by `shape`
 * from second 3000 on, through fit_bursts (10-s bins) and bursts_shape. */
static void shape_run(int peaked, burst_fit *bf)
{
    rng_stream rs;
    rng_stream_init(&rs, 8, peaked ? 5 : 6);
    size_t ns = 7200, nb = ns / 10;
    uint32_t *sec = malloc(ns * sizeof *sec), *c = calloc(nb, sizeof *c);
    assert_non_null(sec);
    assert_non_null(c);
    for (size_t i = 0; i < ns; i++) {
        double x = ((double)i - 3000) / 20, ex = 0;
        if (peaked && x > 0)
            ex = x * exp(1 - x); /* gamma shape 2, mode 20 s after onset */
        else if (!peaked && x > 0)
            ex = i < 3030 ? x * 20 / 30 : i < 3500 ? 1 : i < 3560 ? (3560.0 - (double)i) / 60 : 0;
        sec[i] = rng_poisson(&rs, 4 + 30 * ex);
        c[i / 10] += sec[i];
    }
    char err[ST_ERRLEN];
    assert_int_equal(fit_bursts(c, nb, 10, bf, err), 0);
    assert_int_equal(bf->n, 1);
    bursts_shape(sec, ns, bf);
    fprintf(stderr, "shape %s: onset %.1f ramp %.1f peak %.2f base %.2f decay %.1f\n",
            peaked ? "peak" : "plateau", bf->ep[0].onset, bf->ep[0].ramp_s, bf->ep[0].peak_rate,
            bf->ep[0].baseline_rate, bf->ep[0].decay_s);
    free(sec);
    free(c);
}

static void test_burst_shape(void **state)
{
    (void)state;
    burst_fit bf;
    /* A peak 20 s after onset: the ramp is the time to the peak, the peak its height. */
    shape_run(1, &bf);
    assert_true(fabs(bf.ep[0].onset - 3000) <= 8);
    assert_true(fabs(bf.ep[0].onset + bf.ep[0].ramp_s - 3020) <= 8);
    assert_true(fabs(bf.ep[0].peak_rate - 34) <= 3);
    assert_true(fabs(bf.ep[0].baseline_rate - 4) <= 0.3);
    /* A plateau after a 30-s linear ramp: the ramp and the plateau level. */
    shape_run(0, &bf);
    assert_true(fabs(bf.ep[0].onset - 3000) <= 8);
    assert_true(fabs(bf.ep[0].ramp_s - 30) <= 8);
    assert_true(fabs(bf.ep[0].peak_rate - 34) <= 2);
    assert_true(bf.ep[0].duration_s >= 500);
}

/* One session's item events: n events every `gap` s from `start`; hot (one of ranks 5, 12,
 * 40 with probability 0.6) when `crowd`, or when `window` and the event falls in the
 * episode [1000, 1600); else a Zipf(1) draw over 1,000 items. */
static void conv_session(ingest *g, size_t *cap, rng_stream *rs, const rng_zipf *z, double start,
                         int n, double gap, int crowd, int window)
{
    static const uint64_t hot[3] = {5, 12, 40};
    for (int k = 0; k < n; k++) {
        double t = start + k * gap;
        if (g->niev == *cap) {
            *cap *= 2;
            g->iev = realloc(g->iev, *cap * sizeof *g->iev);
            assert_non_null(g->iev);
        }
        int hot_now = crowd || (window && t >= 1000 && t < 1600);
        uint64_t item = hot_now && rng_uniform(rs) < 0.6 ? hot[rng_below(rs, 3)]
                                                         : rng_zipf_draw(z, rs);
        g->iev[g->niev++] = (item_ev){(float)t, (float)start, 0, item};
    }
}

/* Baseline sessions at 2/s over an hour, a crowd of 3,000 extra sessions starting in
 * [1000, 1600) whose requests run on 40 s apart (past the episode). session_bound: the
 * crowd's sessions converge; else every request in the window does. */
static void conv_run(int session_bound, burst_fit *bf)
{
    ingest g;
    memset(&g, 0, sizeof g);
    size_t cap = 1024;
    g.iev = malloc(cap * sizeof *g.iev);
    assert_non_null(g.iev);
    g.rt.n = 1;
    rng_zipf z;
    char err[ST_ERRLEN];
    assert_int_equal(rng_zipf_init(&z, 1000, 1.0, err), 0);
    rng_stream rs;
    rng_stream_init(&rs, 12, (uint64_t)session_bound);
    uint64_t in_window = 0;
    g.nsec = 3600;
    g.sec_sessions = calloc(g.nsec, sizeof *g.sec_sessions);
    assert_non_null(g.sec_sessions);
    for (int i = 0; i < 7200; i++) {
        double st = rng_uniform(&rs) * 3600;
        in_window += st >= 1000 && st < 1600;
        g.sec_sessions[(size_t)st]++;
        conv_session(&g, &cap, &rs, &z, st, 4, 10, 0, !session_bound);
    }
    /* The crowd browses twice as long as the baseline: its share of the requests is larger
     * than its share of the sessions. */
    for (int i = 0; i < 3000; i++) {
        double st = 1000 + rng_uniform(&rs) * 600;
        in_window++;
        g.sec_sessions[(size_t)st]++;
        conv_session(&g, &cap, &rs, &z, st, 8, 40, session_bound, !session_bound);
    }
    memset(bf, 0, sizeof *bf);
    bf->n = 1;
    bf->bin_s = 10;
    bf->ep[0] = (burst_episode){
        .onset = 1000, .end = 1600, .duration_s = 600, .baseline_rate = 2, .sessions = in_window};
    assert_int_equal(bursts_convergence(&g, bf, err), 0);
    fprintf(stderr, "convergence (%s): top-3 share %.3f hot share %.3f, read as %s\n",
            session_bound ? "crowd sessions" : "window", bf->ep[0].conv.top_k_share,
            bf->ep[0].conv.hot_share, bf->ep[0].conv.session_bound ? "sessions" : "window");
    free(g.iev);
    free(g.sec_sessions);
}

static void test_burst_convergence(void **state)
{
    (void)state;
    burst_fit bf;
    conv_run(1, &bf);
    assert_true(bf.ep[0].conv.valid);
    assert_int_equal(bf.ep[0].conv.session_bound, 1);
    assert_true(fabs(bf.ep[0].conv.hot_share - 0.6) < 0.04);
    /* The three hot items were found (baseline ranks 5, 12 and 40, measured with noise). */
    uint64_t hr[3];
    memcpy(hr, bf.ep[0].conv.hot_ranks, sizeof hr);
    qsort(hr, 3, sizeof *hr, cmp_asc);
    fprintf(stderr, "hot ranks %llu %llu %llu\n", (unsigned long long)hr[0],
            (unsigned long long)hr[1], (unsigned long long)hr[2]);
    assert_true(hr[0] >= 3 && hr[0] <= 8 && hr[1] >= 9 && hr[1] <= 18 && hr[2] >= 25 &&
                hr[2] <= 60);
    conv_run(0, &bf);
    assert_int_equal(bf.ep[0].conv.session_bound, 0);
    assert_true(fabs(bf.ep[0].conv.hot_share - 0.6) < 0.04);
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zipf),
        cmocka_unit_test(test_think),
        cmocka_unit_test(test_hawkes),
        cmocka_unit_test(test_bursts),
        cmocka_unit_test(test_burst_shape),
        cmocka_unit_test(test_burst_convergence),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
