/*
 * test_rng.c -- unit tests of common/rng.c.
 *
 * What is checked: Philox4x32-10 against the Random123 known-answer vectors (through the
 * documented word mapping of rng_u64), FNV-1a stream ids against the published FNV test
 * values, determinism of the cursor against the pure function, chi-square uniformity,
 * independence of neighbouring streams, moments of each distribution, alias frequencies,
 * Zipf rank frequencies for s < 1, s = 1 and s > 1, and the permutation's bijectivity.
 * Statistical thresholds are set at >= 5 standard errors (or chi-square p ~ 1e-4) so that a
 * correct generator essentially never fails; all seeds are fixed, so the outcome is also
 * deterministic.
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

#include "rng.h"

#define SEED 0x5eed5eed12345678ull

/* ---- core ------------------------------------------------------------------------------- */

/* Random123 kat_vectors, "philox4x32 10": counter[4] key[2] -> out[4]. rng_u64 takes
 * key = seed, counter = (index, stream) in little-endian 32-bit words and returns
 * out[0] | out[1] << 32. */
static void test_philox_kat(void **state)
{
    (void)state;
    static const uint32_t kat[3][8] = {
        {0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x6627e8d5,
         0xe169c58d},
        {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x408f276d,
         0x41c83b0e},
        {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, 0xd16cfe09,
         0x94fdcceb},
    };
    for (int i = 0; i < 3; i++) {
        const uint32_t *v = kat[i];
        uint64_t index = (uint64_t)v[0] | (uint64_t)v[1] << 32;
        uint64_t stream = (uint64_t)v[2] | (uint64_t)v[3] << 32;
        uint64_t seed = (uint64_t)v[4] | (uint64_t)v[5] << 32;
        uint64_t want = (uint64_t)v[6] | (uint64_t)v[7] << 32;
        assert_int_equal(rng_u64(seed, stream, index), want);
    }
}

/* A second Philox4x32-10, written from the paper in a different shape (round keys computed
 * as key + r * W, the multiply split into explicit hi/lo halves), compared over many
 * pseudo-random inputs: the three KAT points alone would miss a corruption that only shows
 * for some inputs. */
static uint64_t philox_ref(uint64_t seed, uint64_t stream, uint64_t index)
{
    uint32_t x0 = (uint32_t)index, x1 = (uint32_t)(index >> 32);
    uint32_t x2 = (uint32_t)stream, x3 = (uint32_t)(stream >> 32);
    for (uint32_t r = 0; r < 10; r++) {
        uint32_t k0 = (uint32_t)seed + r * 0x9E3779B9u;
        uint32_t k1 = (uint32_t)(seed >> 32) + r * 0xBB67AE85u;
        uint64_t a = (uint64_t)x0 * 0xD2511F53u, b = (uint64_t)x2 * 0xCD9E8D57u;
        uint32_t y0 = (uint32_t)(b >> 32) ^ x1 ^ k0, y1 = (uint32_t)b;
        uint32_t y2 = (uint32_t)(a >> 32) ^ x3 ^ k1, y3 = (uint32_t)a;
        x0 = y0, x1 = y1, x2 = y2, x3 = y3;
    }
    return ((uint64_t)x1 << 32) | x0;
}

static void test_philox_reference(void **state)
{
    (void)state;
    uint64_t z = 12345;
    for (int i = 0; i < 100000; i++) {
        /* splitmix64 as an input generator, independent of the code under test */
        uint64_t in[3];
        for (int j = 0; j < 3; j++) {
            uint64_t t = (z += 0x9e3779b97f4a7c15ull);
            t = (t ^ (t >> 30)) * 0xbf58476d1ce4e5b9ull;
            t = (t ^ (t >> 27)) * 0x94d049bb133111ebull;
            in[j] = t ^ (t >> 31);
        }
        if (i < 1000) /* small counters too, where most real use is */
            in[2] = (uint64_t)i;
        assert_int_equal(rng_u64(in[0], in[1], in[2]), philox_ref(in[0], in[1], in[2]));
    }
}

static void test_stream_id_fnv1a(void **state)
{
    (void)state;
    /* Published FNV-1a 64-bit test values (Fowler/Noll/Vo test suite). */
    assert_int_equal(rng_stream_id(""), 0xcbf29ce484222325ull);
    assert_int_equal(rng_stream_id("a"), 0xaf63dc4c8601ec8cull);
    assert_int_equal(rng_stream_id("foobar"), 0x85944171f73967e8ull);
    assert_true(rng_stream_id("orders.qty") != rng_stream_id("orders.price"));
    assert_true(rng_mix(1, 2) != rng_mix(2, 1));
    assert_true(rng_mix(7, 0) != rng_mix(7, 1));
    assert_int_equal(rng_mix(42, 43), rng_mix(42, 43));
}

static void test_determinism_and_cursor(void **state)
{
    (void)state;
    uint64_t stream = rng_mix(rng_stream_id("test.column"), 17);
    rng_stream s;
    rng_stream_init(&s, SEED, stream);
    for (uint64_t i = 0; i < 10000; i++) {
        uint64_t a = rng_u64(SEED, stream, i);
        assert_int_equal(a, rng_u64(SEED, stream, i));
        assert_int_equal(rng_next_u64(&s), a);
    }
    assert_int_equal(s.index, 10000);
    /* Two cursors on the same (seed, stream) give the same doubles; a different seed or
     * stream gives a different sequence. */
    rng_stream a, b, c, d;
    rng_stream_init(&a, SEED, 5);
    rng_stream_init(&b, SEED, 5);
    rng_stream_init(&c, SEED + 1, 5);
    rng_stream_init(&d, SEED, 6);
    int same_c = 0, same_d = 0;
    for (int i = 0; i < 1000; i++) {
        double x = rng_normal(&a, 0, 1);
        assert_true(x == rng_normal(&b, 0, 1));
        same_c += x == rng_normal(&c, 0, 1);
        same_d += x == rng_normal(&d, 0, 1);
    }
    assert_true(same_c < 5 && same_d < 5);
}

static void test_uniform_chi_square(void **state)
{
    (void)state;
    enum { BINS = 100, N = 1000000 };
    static uint64_t bins[BINS];
    memset(bins, 0, sizeof bins);
    rng_stream s;
    rng_stream_init(&s, SEED, rng_stream_id("chi"));
    for (int i = 0; i < N; i++) {
        double u = rng_uniform(&s);
        assert_true(u > 0 && u < 1);
        bins[(int)(u * BINS)]++;
    }
    double e = (double)N / BINS, chi = 0;
    for (int i = 0; i < BINS; i++)
        chi += (bins[i] - e) * (bins[i] - e) / e;
    /* 99 degrees of freedom: P(chi2 > 148.2) = 0.001, P(chi2 > 60) ~ 0.9993. Too uniform is
     * as suspicious as too lumpy. */
    printf("uniform chi2(99) = %.1f\n", chi);
    assert_true(chi < 148.2);
    assert_true(chi > 60.0);
}

static double pearson(rng_stream *a, rng_stream *b, int n)
{
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (int i = 0; i < n; i++) {
        double x = rng_uniform(a), y = rng_uniform(b);
        sx += x;
        sy += y;
        sxx += x * x;
        syy += y * y;
        sxy += x * y;
    }
    double cov = sxy / n - (sx / n) * (sy / n);
    return cov / sqrt((sxx / n - (sx / n) * (sx / n)) * (syy / n - (sy / n) * (sy / n)));
}

static void test_neighbour_streams_uncorrelated(void **state)
{
    (void)state;
    /* Streams k and k+1 differ in one counter bit: the worst case for a weak generator. */
    uint64_t ks[] = {0, 1, 1000, 0xffffffffull};
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
        rng_stream a, b;
        rng_stream_init(&a, SEED, ks[i]);
        rng_stream_init(&b, SEED, ks[i] + 1);
        double r = pearson(&a, &b, 1000000);
        printf("streams %llu/%llu: r = %+.5f\n", (unsigned long long)ks[i],
               (unsigned long long)ks[i] + 1, r);
        assert_true(fabs(r) < 0.005);
    }
    /* Neighbouring seeds on one stream, too. */
    rng_stream a, b;
    rng_stream_init(&a, 1, 0);
    rng_stream_init(&b, 2, 0);
    assert_true(fabs(pearson(&a, &b, 1000000)) < 0.005);
}

static void test_below(void **state)
{
    (void)state;
    rng_stream s;
    rng_stream_init(&s, SEED, 3);
    assert_int_equal(rng_below(&s, 1), 0);
    enum { N = 300000 };
    uint64_t c[3] = {0, 0, 0};
    for (int i = 0; i < N; i++) {
        uint64_t v = rng_below(&s, 3);
        assert_true(v < 3);
        c[v]++;
    }
    double chi = 0;
    for (int i = 0; i < 3; i++)
        chi += (c[i] - N / 3.0) * (c[i] - N / 3.0) / (N / 3.0);
    assert_true(chi < 18.4); /* 2 df, p = 1e-4 */
    /* n just above 2^63: plain r % n would return the low half twice as often. */
    uint64_t big = ((uint64_t)1 << 63) + 12345, low = 0;
    for (int i = 0; i < 100000; i++) {
        uint64_t v = rng_below(&s, big);
        assert_true(v < big);
        low += v < big / 2;
    }
    assert_true(fabs(low / 100000.0 - 0.5) < 0.01);
}

/* ---- distributions ---------------------------------------------------------------------- */

enum dist { D_EXP, D_NORM, D_LNORM, D_POIS, D_GAMMA, D_WEIB };

static double draw(rng_stream *s, enum dist d, const double *p)
{
    switch (d) {
    case D_EXP: return rng_exponential(s, p[0]);
    case D_NORM: return rng_normal(s, p[0], p[1]);
    case D_LNORM: return rng_lognormal(s, p[0], p[1]);
    case D_POIS: return rng_poisson(s, p[0]);
    case D_GAMMA: return rng_gamma(s, p[0], p[1]);
    case D_WEIB: return rng_weibull(s, p[0], p[1]);
    }
    return NAN;
}

static void moments(enum dist d, const double *par, int n, double *mean, double *var)
{
    rng_stream s;
    rng_stream_init(&s, SEED, rng_mix(rng_stream_id("moments"), (uint64_t)(par[0] * 1000)));
    double m = 0, m2 = 0;
    for (int i = 1; i <= n; i++) { /* Welford */
        double x = draw(&s, d, par), dx = x - m;
        m += dx / i;
        m2 += dx * (x - m);
    }
    *mean = m;
    *var = m2 / (n - 1);
}

/* Asserts |x - want| <= tol * |want| (tol relative) and prints both. */
static void near(const char *dist, const char *moment, double x, double want, double tol)
{
    char what[64];
    snprintf(what, sizeof what, "%s %s", dist, moment);
    printf("%-22s got %.5g want %.5g\n", what, x, want);
    assert_true(fabs(x - want) <= tol * fabs(want));
}

static void test_distribution_moments(void **state)
{
    (void)state;
    const int n = 400000;
    const double g1 = tgamma(1 + 1 / 1.5), g2 = tgamma(1 + 2 / 1.5);
    /* The exact mean and variance of each law with a relative tolerance of >= 5 standard
     * errors; var_tol 0: the variance is not checked. */
    const struct {
        const char *name;
        enum dist d;
        double par[2];
        int n;
        double mean, mean_tol, var, var_tol;
    } cases[] = {
        {"exponential", D_EXP, {2.0}, n, 0.5, 0.01, 0.25, 0.03},
        {"normal", D_NORM, {3.0, 2.0}, n, 3.0, 0.005, 4.0, 0.015},
        {"lognormal",
         D_LNORM,
         {0.5, 0.5},
         n,
         exp(0.5 + 0.125),
         0.01,
         (exp(0.25) - 1) * exp(1 + 0.25),
         0.05},
        {"poisson(4)", D_POIS, {4.0}, n, 4.0, 0.01, 4.0, 0.02},
        {"poisson(250)", D_POIS, {250.0}, n, 250.0, 0.003, 250.0, 0.02},
        /* saturates at UINT_MAX */
        {"poisson(1e10)", D_POIS, {1e10}, 20000, 4294967295.0, 1e-9, 0, 0},
        {"gamma", D_GAMMA, {2.5, 2.0}, n, 5.0, 0.01, 10.0, 0.03},
        {"weibull", D_WEIB, {1.5, 3.0}, n, 3.0 * g1, 0.01, 9.0 * (g2 - g1 * g1), 0.03},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        double m, v;
        moments(cases[i].d, cases[i].par, cases[i].n, &m, &v);
        near(cases[i].name, "mean", m, cases[i].mean, cases[i].mean_tol);
        if (cases[i].var_tol > 0)
            near(cases[i].name, "var", v, cases[i].var, cases[i].var_tol);
    }

    /* Invalid parameters give NAN / 0 instead of a GSL abort. */
    rng_stream s;
    rng_stream_init(&s, SEED, 1);
    assert_true(isnan(rng_exponential(&s, 0)));
    assert_true(isnan(rng_exponential(&s, -1)));
    assert_true(isnan(rng_normal(&s, 0, -1)));
    assert_true(isnan(rng_gamma(&s, 0, 1)));
    assert_true(isnan(rng_weibull(&s, 1, NAN)));
    assert_int_equal(rng_poisson(&s, -3), 0);
    assert_int_equal(rng_poisson(&s, INFINITY), 0);
    assert_int_equal(s.index, 0); /* nothing consumed */
}

static void test_gsl_bridge(void **state)
{
    (void)state;
    rng_stream a, b;
    rng_stream_init(&a, SEED, 9);
    rng_stream_init(&b, SEED, 9);
    gsl_rng g;
    rng_gsl_bind(&a, &g);
    assert_int_equal(gsl_rng_max(&g), 0xffffffffUL);
    assert_int_equal(gsl_rng_min(&g), 0);
    for (int i = 0; i < 1000; i++) {
        double u = gsl_rng_uniform(&g);
        assert_true(u == rng_uniform(&b));
        unsigned long w = gsl_rng_get(&g);
        assert_int_equal(w, rng_next_u64(&b) >> 32);
    }
    assert_int_equal(a.index, b.index);
}

/* ---- alias -------------------------------------------------------------------------------- */

static void test_alias(void **state)
{
    (void)state;
    char err[ST_ERRLEN] = "";
    const double w[] = {1, 2, 3, 0, 4};
    rng_alias *a = rng_alias_new(w, 5, err);
    assert_non_null(a);
    assert_int_equal(rng_alias_size(a), 5);
    enum { N = 1000000 };
    uint64_t c[5] = {0};
    rng_stream s;
    rng_stream_init(&s, SEED, rng_stream_id("alias"));
    for (int i = 0; i < N; i++) {
        size_t k = rng_alias_draw(a, &s);
        assert_true(k < 5);
        c[k]++;
    }
    assert_int_equal(c[3], 0); /* zero weight is never drawn */
    for (int i = 0; i < 5; i++) {
        double p = w[i] / 10.0, f = (double)c[i] / N;
        double se = sqrt(p * (1 - p) / N);
        printf("alias[%d] freq %.5f want %.5f\n", i, f, p);
        assert_true(fabs(f - p) <= 5 * se + 1e-12);
    }
    rng_alias_free(a);

    const double one[] = {0.5};
    a = rng_alias_new(one, 1, err);
    assert_non_null(a);
    assert_int_equal(rng_alias_draw(a, &s), 0);
    rng_alias_free(a);
    rng_alias_free(NULL);

    /* Rejected weights, each with a message (naming what is wrong where the case says). */
    const struct {
        double w[3];
        size_t n;
        const char *says;
    } bad[] = {
        {{1, -1}, 2, "[1]"},   {{1, NAN}, 2, ""}, {{1, INFINITY}, 2, ""},
        {{0, 0, 0}, 3, "sum"}, {{0}, 0, ""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err[0] = 0;
        assert_null(rng_alias_new(bad[i].w, bad[i].n, err));
        assert_true(err[0] && strstr(err, bad[i].says));
    }
}

/* ---- Zipf ---------------------------------------------------------------------------------- */

static double harmonic_direct(uint64_t n, double s)
{
    double sum = 0;
    for (uint64_t k = n; k >= 1; k--)
        sum += pow((double)k, -s);
    return sum;
}

static void test_zipf_frequencies(void **state)
{
    (void)state;
    const double ss[] = {0.6, 1.0, 1.3};
    const uint64_t n = 1000;
    enum { N = 1000000 };
    static uint64_t c[1001];
    char err[ST_ERRLEN];
    for (int t = 0; t < 3; t++) {
        double s_exp = ss[t];
        rng_zipf z;
        assert_int_equal(rng_zipf_init(&z, n, s_exp, err), 0);
        double H = rng_zipf_harmonic(n, s_exp);
        assert_true(fabs(H - harmonic_direct(n, s_exp)) < 1e-9 * H);
        memset(c, 0, sizeof c);
        rng_stream st;
        rng_stream_init(&st, SEED, rng_mix(rng_stream_id("zipf"), (uint64_t)t));
        for (int i = 0; i < N; i++) {
            uint64_t k = rng_zipf_draw(&z, &st);
            assert_true(k >= 1 && k <= n);
            c[k]++;
        }
        double head = 0;
        for (uint64_t k = 1; k <= 10; k++) {
            double p = pow((double)k, -s_exp) / H, f = (double)c[k] / N;
            head += p;
            assert_true(fabs(f - p) <= 5 * sqrt(p * (1 - p) / N));
        }
        /* The tail as a whole, and the last rank, must be right too (catches a hat that is
         * wrong at the far end of the support). */
        uint64_t tail = 0;
        for (uint64_t k = 11; k <= n; k++)
            tail += c[k];
        double pt = 1 - head, ft = (double)tail / N;
        assert_true(fabs(ft - pt) <= 5 * sqrt(pt * (1 - pt) / N));
        double chi = 0; /* chi-square over 20 bins of ranks 1..10 singly, then 10 groups */
        for (int b = 0; b < 20; b++) {
            uint64_t lo = b < 10 ? (uint64_t)b + 1 : 11 + (uint64_t)(b - 10) * 99;
            uint64_t hi = b < 10 ? lo : (b == 19 ? n : lo + 98);
            double p = 0, o = 0;
            for (uint64_t k = lo; k <= hi; k++) {
                p += pow((double)k, -s_exp) / H;
                o += (double)c[k];
            }
            chi += (o - p * N) * (o - p * N) / (p * N);
        }
        printf("zipf s=%.1f: p1 %.5f (want %.5f), chi2(19) = %.1f\n", s_exp, (double)c[1] / N,
               1 / H, chi);
        assert_true(chi < 47.0); /* 19 df, p ~ 3e-4 */
    }
}

static void test_zipf_edges(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    rng_zipf z;
    rng_stream st;
    rng_stream_init(&st, SEED, 77);

    assert_int_equal(rng_zipf_init(&z, 1, 0.8, err), 0);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(rng_zipf_draw(&z, &st), 1);

    /* Huge n, s = 1: P(1) = 1 / H(2^53, 1) ~ 1 / 37.3. */
    uint64_t n = (uint64_t)1 << 53;
    assert_int_equal(rng_zipf_init(&z, n, 1.0, err), 0);
    double H = rng_zipf_harmonic(n, 1.0);
    assert_true(fabs(H - (53 * log(2.0) + 0.5772156649015329)) < 1e-9);
    uint64_t ones = 0, big = 0;
    const int N = 200000;
    for (int i = 0; i < N; i++) {
        uint64_t k = rng_zipf_draw(&z, &st);
        assert_true(k >= 1 && k <= n);
        ones += k == 1;
        big += k > ((uint64_t)1 << 40);
    }
    double p1 = 1 / H, pbig = (log((double)n) - log(ldexp(1, 40))) / H;
    assert_true(fabs((double)ones / N - p1) < 5 * sqrt(p1 / N));
    assert_true(fabs((double)big / N - pbig) < 5 * sqrt(pbig / N));

    /* Very flat and very steep exponents on small supports. */
    assert_int_equal(rng_zipf_init(&z, 4, 0.01, err), 0);
    uint64_t c4[5] = {0};
    for (int i = 0; i < 100000; i++)
        c4[rng_zipf_draw(&z, &st)]++;
    for (int k = 1; k <= 4; k++)
        assert_true(fabs(c4[k] / 100000.0 - pow(k, -0.01) / rng_zipf_harmonic(4, 0.01)) < 0.01);
    assert_int_equal(rng_zipf_init(&z, 1000, 8.0, err), 0);
    uint64_t first = 0;
    for (int i = 0; i < 100000; i++)
        first += rng_zipf_draw(&z, &st) == 1;
    assert_true(fabs(first / 100000.0 - 1 / rng_zipf_harmonic(1000, 8.0)) < 0.003);

    /* Euler-Maclaurin path (n > 1e5) against a direct sum. */
    const double es[] = {0.6, 1.0, 1.0000001, 1.3, 0.05, 3.0};
    const uint64_t ns[] = {2000, 2001, 5000, 77777, 300000};
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 5; j++) {
            double d = harmonic_direct(ns[j], es[i]), h = rng_zipf_harmonic(ns[j], es[i]);
            assert_true(fabs(h - d) < 1e-11 * d);
        }

    /* Rejected parameters, each with a message (naming the parameter where the case says). */
    const struct {
        uint64_t n;
        double s;
        const char *says;
    } bad[] = {
        {0, 1.0, "n"},
        {10, 0.0, "s"},
        {10, -1.0, ""},
        {10, NAN, ""},
        {((uint64_t)1 << 53) + 1, 1.0, ""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err[0] = 0;
        assert_int_equal(rng_zipf_init(&z, bad[i].n, bad[i].s, err), ST_EINPUT);
        assert_true(err[0] && strstr(err, bad[i].says));
    }
}

/* ---- permutation --------------------------------------------------------------------------- */

static void test_permute_bijection(void **state)
{
    (void)state;
    const uint64_t ns[] = {1, 2, 3, 4, 5, 7, 1000, 4096, 65537};
    for (size_t t = 0; t < sizeof ns / sizeof ns[0]; t++) {
        uint64_t n = ns[t];
        for (uint64_t key = 0; key < 3; key++) {
            unsigned char *seen = calloc(n, 1);
            assert_non_null(seen);
            uint64_t moved = 0;
            for (uint64_t x = 0; x < n; x++) {
                uint64_t y = rng_permute(x, n, key);
                assert_true(y < n);
                assert_int_equal(seen[y], 0);
                seen[y] = 1;
                assert_int_equal(rng_permute_inverse(y, n, key), x);
                moved += y != x;
            }
            if (n >= 1000)
                assert_true(moved > n / 2); /* it does permute */
            free(seen);
        }
    }
    /* Different keys give different permutations. */
    int differ = 0;
    for (uint64_t x = 0; x < 100; x++)
        differ += rng_permute(x, 1000, 1) != rng_permute(x, 1000, 2);
    assert_true(differ > 90);
    /* Large domains: round trips on samples (full 64-bit width included). */
    const uint64_t bign[] = {((uint64_t)1 << 40) + 3, UINT64_MAX};
    for (int t = 0; t < 2; t++)
        for (uint64_t x = 0; x < 2000; x++) {
            uint64_t v = x * 0x9e3779b97f4a7c15ull % bign[t];
            uint64_t y = rng_permute(v, bign[t], 99);
            assert_true(y < bign[t]);
            assert_int_equal(rng_permute_inverse(y, bign[t], 99), v);
        }
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_philox_kat),
        cmocka_unit_test(test_philox_reference),
        cmocka_unit_test(test_stream_id_fnv1a),
        cmocka_unit_test(test_determinism_and_cursor),
        cmocka_unit_test(test_uniform_chi_square),
        cmocka_unit_test(test_neighbour_streams_uncorrelated),
        cmocka_unit_test(test_below),
        cmocka_unit_test(test_distribution_moments),
        cmocka_unit_test(test_gsl_bridge),
        cmocka_unit_test(test_alias),
        cmocka_unit_test(test_zipf_frequencies),
        cmocka_unit_test(test_zipf_edges),
        cmocka_unit_test(test_permute_bijection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
