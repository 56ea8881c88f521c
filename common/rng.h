/*
 * rng.h -- seeded, counter-based random streams.
 *
 * Every random value in Stampede is a pure function of (seed, stream id, index): no hidden
 * state, so the same seed gives the same bytes whatever the thread count, chunking or
 * machine count (as TPC-DS dsdgen does with per-column streams and skip-ahead).
 *
 * Core: rng_u64(seed, stream, index) is Philox4x32-10 (Salmon et al., "Parallel random
 * numbers: as easy as 1, 2, 3", SC'11) with key = seed and counter = (index, stream); it
 * returns 64 of the 128 output bits. Stream ids come from rng_stream_id("table.column") (a
 * fixed 64-bit FNV-1a hash, stable across versions) combined with rng_mix() for sub-purposes
 * such as (column, row) or (session, purpose).
 *
 * rng_stream is a cursor (seed, stream, next index); distributions consume as many draws as
 * they need from it. When a consumer needs a fixed number of draws per item (datagen rows),
 * give each item its own stream: rng_stream_init(&s, seed, rng_mix(column_id, row)).
 *
 * GSL bridge: rng_gsl_bind() makes a gsl_rng that reads from an rng_stream, so any gsl_ran_*
 * function (gamma, weibull, discrete/alias, ...) can be used with our streams. The gsl_rng
 * lives on the caller's stack and borrows the stream.
 */
#ifndef ST_RNG_H
#define ST_RNG_H

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include "st.h"

uint64_t rng_u64(uint64_t seed, uint64_t stream, uint64_t index);
uint64_t rng_stream_id(const char *name); /* FNV-1a 64 of the name */

/* The splitmix64 finalizer (Steele, Lea, Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014): a bijection of 64-bit words with full avalanche. Inline, like
 * rng_mix and rng_stream_init: datagen calls them for every column of every row. */
static inline uint64_t rng_splitmix_fin(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A well-mixed 64-bit combination of a and b: b goes through one splitmix step first so that
 * (a, b) and (b, a) differ, and so that consecutive b (row numbers) land far apart before
 * being combined with a. */
static inline uint64_t rng_mix(uint64_t a, uint64_t b)
{
    return rng_splitmix_fin(a ^ rng_splitmix_fin(b + 0x9e3779b97f4a7c15ull));
}

typedef struct rng_stream {
    uint64_t seed;
    uint64_t stream;
    uint64_t index;
} rng_stream;

static inline void rng_stream_init(rng_stream *s, uint64_t seed, uint64_t stream)
{
    s->seed = seed;
    s->stream = stream;
    s->index = 0;
}
uint64_t rng_next_u64(rng_stream *s);
double rng_uniform(rng_stream *s);             /* in (0, 1), never 0 or 1 */
uint64_t rng_below(rng_stream *s, uint64_t n); /* uniform in [0, n), unbiased; n > 0 */
double rng_exponential(rng_stream *s, double rate);
double rng_normal(rng_stream *s, double mu, double sigma);
double rng_lognormal(rng_stream *s, double mu, double sigma); /* mu, sigma of log */
unsigned rng_poisson(rng_stream *s, double lambda);
double rng_gamma(rng_stream *s, double shape, double scale);
double rng_weibull(rng_stream *s, double shape, double scale);

/* Binds a caller-owned gsl_rng to the stream (no allocation). */
void rng_gsl_bind(rng_stream *s, gsl_rng *out);

/* Alias sampling over n >= 1 non-negative weights (GSL's gsl_ran_discrete, Walker's alias
 * method). rng_alias_new returns NULL with err set on bad weights (negative, NaN, all zero). */
typedef struct rng_alias rng_alias;
rng_alias *rng_alias_new(const double *weights, size_t n, char *err);
size_t rng_alias_draw(const rng_alias *a, rng_stream *s);
size_t rng_alias_size(const rng_alias *a);
void rng_alias_free(rng_alias *a);

/* Finite Zipf over ranks 1..n with exponent s > 0 (s < 1 included): P(k) ~ k^-s.
 * Rejection-inversion (Hoermann & Derflinger 1996), O(1) memory, any n up to 2^53. */
typedef struct rng_zipf {
    uint64_t n;
    double s;
    double h_x1, h_n, cut; /* precomputed constants */
} rng_zipf;
int rng_zipf_init(rng_zipf *z, uint64_t n, double s, char *err);
uint64_t rng_zipf_draw(const rng_zipf *z, rng_stream *st); /* rank in [1, n] */
/* H(n, s) = sum_{k=1..n} k^-s, the finite Zipf normaliser: P(rank k) = k^-s / H(n, s).
 * The one home of this sum (modeler fits, datagen and replay sampling all call it): exact
 * up to 2,000 terms, Euler-Maclaurin beyond (relative error < 1e-12). 0 for n = 0 or s <= 0. */
double rng_zipf_harmonic(uint64_t n, double s);

/* A keyed bijection of [0, n) (Feistel network with cycle walking): maps popularity ranks to
 * ids so that the popular items are not simply the lowest ids. n >= 1. */
uint64_t rng_permute(uint64_t x, uint64_t n, uint64_t key);
uint64_t rng_permute_inverse(uint64_t y, uint64_t n, uint64_t key);

#endif
