/*
 * rng.c -- counter-based random streams (see rng.h).
 *
 * The core is Philox4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy
 * as 1, 2, 3", SC'11). The mapping of our arguments onto its words is fixed forever, because
 * stored seeds must keep reproducing the same data:
 *   key     = (seed & 0xffffffff, seed >> 32)
 *   counter = (index & 0xffffffff, index >> 32, stream & 0xffffffff, stream >> 32)
 *   rng_u64 = out[0] | (uint64_t)out[1] << 32
 * so rng_u64 can be checked directly against the Random123 known-answer vectors.
 *
 * Everything else is built on the cursor rng_stream, which only ever advances `index`.
 * Distributions that GSL already implements well (Gaussian ziggurat, Poisson, gamma,
 * Weibull, Walker alias tables) are reached through a tiny gsl_rng type whose state is a
 * borrowed rng_stream; nothing is allocated per draw. Every parameter is checked before it
 * reaches GSL, so no GSL error handler can fire from here.
 *
 * Zipf uses rejection-inversion (W. Hoermann, G. Derflinger, "Rejection-inversion to
 * generate variates from monotone discrete distributions", ACM TOMACS 6(3), 1996), which
 * needs O(1) memory and works for any exponent s > 0 when the support is finite.
 * rng_permute is a balanced Feistel network (Luby-Rackoff) with cycle walking (Black &
 * Rogaway, "Ciphers with arbitrary finite domains", CT-RSA 2002).
 */
#include "rng.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#if defined(__SSE2__) && defined(__x86_64__) && !defined(ST_RNG_PORTABLE)
#include <emmintrin.h>
#endif

/* ---- Philox4x32-10 ---------------------------------------------------------------- */

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u /* golden ratio */
#define PHILOX_W1 0xBB67AE85u /* sqrt(3) - 1 */

/* Round r (0-based) of Philox4x32-10 on the counter words c0..c3, with the key bumped by r
 * times the Weyl constants (SC'11, section 3.3: the key schedule adds them before every round
 * but the first). Unrolled by hand: the loop with its array state cost twice the instructions
 * (246 against 118 per block, callgrind), and every generated value draws through here. */
#define PHILOX_ROUND(r) \
    do { \
        uint64_t p0 = (uint64_t)PHILOX_M0 * c0, p1 = (uint64_t)PHILOX_M1 * c2; \
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ (k0 + (uint32_t)(r)*PHILOX_W0); \
        uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ (k1 + (uint32_t)(r)*PHILOX_W1); \
        c1 = (uint32_t)p1; \
        c3 = (uint32_t)p0; \
        c0 = n0; \
        c2 = n2; \
    } while (0)

#if defined(__SSE2__) && defined(__x86_64__) && !defined(ST_RNG_PORTABLE)
/* The same rounds on one SSE2 register holding (c0, c1, c2, c3): one pmuludq makes both
 * products (lanes 0 and 2), a shuffle puts (hi1, lo1, hi0, lo0) in place, and the odd words
 * c1, c3 and the key (k0, k1) come in by xor: 5 instructions a round against 12 for the
 * scalar code below, with identical output (test_rng runs on both: test_rng_portable builds
 * this file with ST_RNG_PORTABLE). */
static inline uint64_t philox_u64(uint64_t seed, uint64_t stream, uint64_t index)
{
    __m128i c = _mm_set_epi64x((long long)stream, (long long)index);
    __m128i k = _mm_set_epi32(0, (int)(uint32_t)(seed >> 32), 0, (int)(uint32_t)seed);
    const __m128i m = _mm_set_epi32(0, (int)PHILOX_M1, 0, (int)PHILOX_M0);
    const __m128i w = _mm_set_epi32(0, (int)PHILOX_W1, 0, (int)PHILOX_W0);
#pragma GCC unroll 10
    for (int r = 0; r < 10; r++) {
        __m128i p = _mm_shuffle_epi32(_mm_mul_epu32(c, m), _MM_SHUFFLE(0, 1, 2, 3));
        c = _mm_xor_si128(p, _mm_xor_si128(_mm_srli_epi64(c, 32), k));
        k = _mm_add_epi32(k, w);
    }
    return (uint64_t)_mm_cvtsi128_si64(c);
}
#else
static inline uint64_t philox_u64(uint64_t seed, uint64_t stream, uint64_t index)
{
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    uint32_t c0 = (uint32_t)index, c1 = (uint32_t)(index >> 32), c2 = (uint32_t)stream,
             c3 = (uint32_t)(stream >> 32);
    PHILOX_ROUND(0);
    PHILOX_ROUND(1);
    PHILOX_ROUND(2);
    PHILOX_ROUND(3);
    PHILOX_ROUND(4);
    PHILOX_ROUND(5);
    PHILOX_ROUND(6);
    PHILOX_ROUND(7);
    PHILOX_ROUND(8);
    /* The last round: only out[0] and out[1] are returned, so one product suffices. */
    uint64_t p1 = (uint64_t)PHILOX_M1 * c2;
    uint32_t o0 = (uint32_t)(p1 >> 32) ^ c1 ^ (k0 + 9u * PHILOX_W0);
    return (uint64_t)o0 | ((uint64_t)(uint32_t)p1 << 32);
}
#endif

uint64_t rng_u64(uint64_t seed, uint64_t stream, uint64_t index)
{
    return philox_u64(seed, stream, index);
}

/* ---- stream ids and mixing ----------------------------------------------------------- */

uint64_t rng_stream_id(const char *name)
{
    /* FNV-1a, 64-bit offset basis and prime (Fowler, Noll, Vo). NULL hashes like "". */
    uint64_t h = 0xcbf29ce484222325ull;
    if (!name)
        return h;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ull;
    }
    return h;
}

/* ---- the cursor ------------------------------------------------------------------------ */

uint64_t rng_next_u64(rng_stream *s)
{
    return philox_u64(s->seed, s->stream, s->index++);
}

double rng_uniform(rng_stream *s)
{
    /* 53 random bits k give k * 2^-53 in [0, 1) exactly; k == 0 is skipped (probability
     * 2^-53) so the result is in (0, 1) without the rounding-to-1.0 trap of (k + 0.5). */
    for (;;) {
        uint64_t k = philox_u64(s->seed, s->stream, s->index++) >> 11;
        if (k != 0)
            return (double)k * 0x1.0p-53;
    }
}

uint64_t rng_below(rng_stream *s, uint64_t n)
{
    /* Rejection of the low (2^64 mod n) values makes r % n exactly uniform; fewer than
     * half of the draws are rejected in the worst case. n == 0 has no valid answer and
     * returns 0 without consuming a draw. */
    if (n <= 1)
        return 0;
    for (;;) {
        uint64_t r = philox_u64(s->seed, s->stream, s->index++);
        /* threshold = 2^64 mod n < n: a draw >= n passes without that second division. */
        if (r >= n || r >= (0 - n) % n)
            return r % n;
    }
}

/* ---- the GSL bridge --------------------------------------------------------------------- */

static void gsl_bridge_set(void *state, unsigned long seed)
{
    /* gsl_rng_set() restarts the borrowed stream at index `seed`; the stream's own seed and
     * id are left alone, because they belong to the caller. */
    ((rng_stream *)state)->index = (uint64_t)seed;
}

static unsigned long gsl_bridge_get(void *state)
{
    return (unsigned long)(rng_next_u64((rng_stream *)state) >> 32);
}

static double gsl_bridge_get_double(void *state)
{
    return rng_uniform((rng_stream *)state);
}

/* clang-format off */
static const gsl_rng_type gsl_bridge_type = {
    "stampede-philox4x32-10", 0xffffffffUL, 0UL, sizeof(rng_stream),
    gsl_bridge_set,           gsl_bridge_get, gsl_bridge_get_double,
};
/* clang-format on */

void rng_gsl_bind(rng_stream *s, gsl_rng *out)
{
    /* The gsl_rng borrows s: never pass it to gsl_rng_free() (that would free the stream). */
    out->type = &gsl_bridge_type;
    out->state = s;
}

/* ---- continuous and discrete distributions --------------------------------------------- */

/* Invalid parameters (non-positive or non-finite scale/rate/shape) give NAN for the
 * continuous draws and 0 for Poisson, without consuming a draw: a caller that validated its
 * input never sees them, and a caller that did not sees an obviously wrong value. */

double rng_exponential(rng_stream *s, double rate)
{
    if (!(rate > 0) || !isfinite(rate))
        return NAN;
    return -log(rng_uniform(s)) / rate; /* inversion; u in (0,1) keeps it finite */
}

double rng_normal(rng_stream *s, double mu, double sigma)
{
    if (!(sigma >= 0) || !isfinite(sigma) || !isfinite(mu))
        return NAN;
    gsl_rng g;
    rng_gsl_bind(s, &g);
    return mu + gsl_ran_gaussian_ziggurat(&g, sigma); /* Marsaglia & Tsang 2000 */
}

double rng_lognormal(rng_stream *s, double mu, double sigma)
{
    double z = rng_normal(s, mu, sigma);
    return isnan(z) ? NAN : exp(z);
}

unsigned rng_poisson(rng_stream *s, double lambda)
{
    if (!(lambda > 0) || !isfinite(lambda))
        return 0;
    /* gsl_ran_poisson returns an unsigned int; far beyond 2^32 it would overflow, so very
     * large means use the normal approximation (relative error ~ lambda^-1/2 < 1e-4). */
    if (lambda > 1e9) {
        double x = floor(rng_normal(s, lambda, sqrt(lambda)) + 0.5);
        if (x < 0)
            return 0;
        return x >= 4294967295.0 ? 4294967295u : (unsigned)x;
    }
    gsl_rng g;
    rng_gsl_bind(s, &g);
    return gsl_ran_poisson(&g, lambda);
}

double rng_gamma(rng_stream *s, double shape, double scale)
{
    if (!(shape > 0) || !(scale > 0) || !isfinite(shape) || !isfinite(scale))
        return NAN;
    gsl_rng g;
    rng_gsl_bind(s, &g);
    return gsl_ran_gamma(&g, shape, scale); /* Marsaglia & Tsang 2000 */
}

double rng_weibull(rng_stream *s, double shape, double scale)
{
    if (!(shape > 0) || !(scale > 0) || !isfinite(shape) || !isfinite(scale))
        return NAN;
    gsl_rng g;
    rng_gsl_bind(s, &g);
    return gsl_ran_weibull(&g, scale, shape); /* GSL's order is (a = scale, b = shape) */
}

/* ---- alias sampling --------------------------------------------------------------------- */

struct rng_alias {
    gsl_ran_discrete_t *table;
    size_t n;
};

rng_alias *rng_alias_new(const double *weights, size_t n, char *err)
{
    if (!weights || n == 0) {
        st_err(err, ST_EINPUT, "alias table needs at least one weight");
        return NULL;
    }
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(weights[i]) || weights[i] < 0) {
            st_err(err, ST_EINPUT, "weight [%zu] is %g; weights must be finite and >= 0", i,
                   weights[i]);
            return NULL;
        }
        sum += weights[i];
    }
    if (!(sum > 0) || !isfinite(sum)) {
        st_err(err, ST_EINPUT, "weights sum to %g; need a finite positive total", sum);
        return NULL;
    }
    rng_alias *a = malloc(sizeof *a);
    if (!a) {
        st_err(err, ST_ENOMEM, "out of memory building an alias table of %zu weights", n);
        return NULL;
    }
    a->n = n;
    a->table = gsl_ran_discrete_preproc(n, weights); /* Walker 1977, as GSL implements it */
    if (!a->table) {
        free(a);
        st_err(err, ST_ENOMEM, "gsl_ran_discrete_preproc failed for %zu weights", n);
        return NULL;
    }
    return a;
}

size_t rng_alias_draw(const rng_alias *a, rng_stream *s)
{
    if (a->n == 1)
        return 0;
    gsl_rng g;
    rng_gsl_bind(s, &g);
    size_t k = gsl_ran_discrete(&g, a->table);
    return k < a->n ? k : a->n - 1; /* defensive: GSL never returns >= n */
}

size_t rng_alias_size(const rng_alias *a)
{
    return a ? a->n : 0;
}

void rng_alias_free(rng_alias *a)
{
    if (!a)
        return;
    gsl_ran_discrete_free(a->table);
    free(a);
}

/* ---- Zipf by rejection-inversion --------------------------------------------------------- */

/* log1p(x)/x and expm1(x)/x, continuous at 0; they keep H and H^-1 accurate when s is
 * close to 1, where (x^(1-s) - 1)/(1-s) would cancel catastrophically. */
static double log1p_over(double x)
{
    return fabs(x) > 1e-8 ? log1p(x) / x : 1 - x * (0.5 - x / 3.0);
}

static double expm1_over(double x)
{
    return fabs(x) > 1e-8 ? expm1(x) / x : 1 + x * (0.5 + x / 6.0);
}

/* h(x) = x^-s, H(x) = integral_1^x h = (x^(1-s) - 1)/(1-s) (log x when s = 1), and H^-1. */
static double zipf_h(double x, double s)
{
    return exp(-s * log(x));
}

static double zipf_H(double x, double s)
{
    double lx = log(x);
    return expm1_over((1 - s) * lx) * lx;
}

static double zipf_Hinv(double y, double s)
{
    double t = y * (1 - s);
    if (t < -1) /* only reachable by rounding: H(x) > -1/(1-s) for every x > 0 */
        t = -1;
    return exp(log1p_over(t) * y);
}

int rng_zipf_init(rng_zipf *z, uint64_t n, double s, char *err)
{
    if (n == 0)
        return st_err(err, ST_EINPUT, "zipf: n must be >= 1 (got 0)");
    if (n > ((uint64_t)1 << 53))
        return st_err(err, ST_EINPUT, "zipf: n must be <= 2^53 (got %llu)", (unsigned long long)n);
    if (!(s > 0) || !isfinite(s))
        return st_err(err, ST_EINPUT, "zipf: exponent s must be finite and > 0 (got %g)", s);
    z->n = n;
    z->s = s;
    /* Hoermann & Derflinger's constants: the hat covers [0.5, n + 0.5]; rank 1's part is
     * shifted so that its region has exactly area h(1) = 1, and `cut` is the squeeze that
     * accepts most draws without evaluating H again. */
    z->h_x1 = zipf_H(1.5, s) - 1.0;
    z->h_n = zipf_H((double)n + 0.5, s);
    z->cut = 2.0 - zipf_Hinv(zipf_H(2.5, s) - zipf_h(2.0, s), s);
    return 0;
}

uint64_t rng_zipf_draw(const rng_zipf *z, rng_stream *st)
{
    if (z->n <= 1)
        return 1;
    double n = (double)z->n;
    for (;;) {
        double u = z->h_n + rng_uniform(st) * (z->h_x1 - z->h_n); /* in (h_x1, h_n) */
        double x = zipf_Hinv(u, z->s);
        double kd = floor(x + 0.5);
        if (kd < 1)
            kd = 1;
        else if (kd > n)
            kd = n;
        if (kd - x <= z->cut || u >= zipf_H(kd + 0.5, z->s) - zipf_h(kd, z->s))
            return (uint64_t)kd;
    }
}

double rng_zipf_harmonic(uint64_t n, double s)
{
    /* The one Zipf normaliser of Stampede (the modeler fits with it, datagen and replay
     * sample with it). Small n: sum exactly, smallest terms first. Larger n: sum the first
     * M-1 terms and close with Euler-Maclaurin for sum_{k=M}^{n} k^-s (integral, endpoint
     * half-terms and two Bernoulli corrections); with M = 1000 the next correction is below
     * 1e-18 relative, so the switch is at 2,000 terms: the modeler's catalog-size search
     * calls this dozens of times per route with n up to 1e9, and a direct sum of 1e5 terms
     * would cost more and be no more accurate (its rounding grows with n). */
    const uint64_t direct = 2000, M = 1000;
    if (n == 0 || !(s > 0))
        return 0;
    if (n <= direct) {
        double sum = 0;
        for (uint64_t k = n; k >= 1; k--)
            sum += exp(-s * log((double)k));
        return sum;
    }
    double sum = 0;
    for (uint64_t k = M - 1; k >= 1; k--)
        sum += exp(-s * log((double)k));
    double a = log((double)M), b = log((double)n);
    double m1s = exp((1 - s) * a);
    double integral = m1s * (b - a) * expm1_over((1 - s) * (b - a)); /* int_M^n x^-s dx */
    double fm = exp(-s * a), fn = exp(-s * b);
    double d1 = s * (exp((-s - 1) * a) - exp((-s - 1) * b)) / 12.0;
    double d3 = s * (s + 1) * (s + 2) * (exp((-s - 3) * a) - exp((-s - 3) * b)) / 720.0;
    return sum + integral + (fm + fn) / 2.0 + d1 - d3;
}

/* ---- keyed permutation ------------------------------------------------------------------- */

#define FEISTEL_ROUNDS 8

typedef struct feistel {
    unsigned half; /* bits per half, 1..32 */
    uint64_t mask; /* (1 << half) - 1 */
    uint64_t rk[FEISTEL_ROUNDS];
} feistel;

static void feistel_init(feistel *f, uint64_t n, uint64_t key)
{
    /* The domain is 2^(2*half) >= n with 2*half even and minimal, so it is < 4n and cycle
     * walking needs fewer than 4 passes on average. */
    unsigned bits = 0;
    while (bits < 64 && (((uint64_t)1 << bits) < n))
        bits++;
    if (bits < 2)
        bits = 2;
    if (bits & 1)
        bits++;
    f->half = bits / 2;
    f->mask = (f->half >= 64) ? ~(uint64_t)0 : (((uint64_t)1 << f->half) - 1);
    for (unsigned i = 0; i < FEISTEL_ROUNDS; i++)
        f->rk[i] = rng_mix(key, 0x5045524d00000000ull + i); /* "PERM" + round */
}

static uint64_t feistel_fwd(const feistel *f, uint64_t x)
{
    uint64_t l = x >> f->half, r = x & f->mask;
    for (unsigned i = 0; i < FEISTEL_ROUNDS; i++) {
        uint64_t nl = r;
        r = l ^ (rng_mix(f->rk[i], r) & f->mask);
        l = nl;
    }
    return (l << f->half) | r;
}

static uint64_t feistel_inv(const feistel *f, uint64_t y)
{
    uint64_t l = y >> f->half, r = y & f->mask;
    for (unsigned i = FEISTEL_ROUNDS; i-- > 0;) {
        uint64_t pr = l;
        l = r ^ (rng_mix(f->rk[i], l) & f->mask);
        r = pr;
    }
    return (l << f->half) | r;
}

/* Cycle walking: apply the permutation of the power-of-two domain until the value falls
 * back into [0, n). Starting inside [0, n) this always terminates and yields a bijection of
 * [0, n). Inputs outside [0, n) (a caller bug) are returned unchanged, because their cycle
 * need not contain any value below n. */
uint64_t rng_permute(uint64_t x, uint64_t n, uint64_t key)
{
    if (n <= 1 || x >= n)
        return n <= 1 ? 0 : x;
    feistel f;
    feistel_init(&f, n, key);
    do
        x = feistel_fwd(&f, x);
    while (x >= n);
    return x;
}

uint64_t rng_permute_inverse(uint64_t y, uint64_t n, uint64_t key)
{
    if (n <= 1 || y >= n)
        return n <= 1 ? 0 : y;
    feistel f;
    feistel_init(&f, n, key);
    do
        y = feistel_inv(&f, y);
    while (y >= n);
    return y;
}
