/*
 * fit_zipf.h -- finite-N Zipf popularity: P(rank k) = k^-s / H(N, s), k = 1..N, any s > 0
 * (s < 1 included, where the infinite Zipf has no normalisation).
 *
 * s: maximum likelihood on the head of the rank-frequency data (ranks whose count is at
 * least ZIPF_MIN_COUNT, so that sorting by observed count gives the true rank order),
 * conditioned on rank <= R: l(s) = -s sum f_k ln k - F_R ln H(R, s), maximised with GSL's
 * Brent minimiser on [0.01, 5].
 * N: the catalog size whose expected number of distinct items seen in F draws equals the
 * observed number (E[D] = sum_k 1 - exp(-F p_k)), by bisection on log N in [D, 1000 D].
 * H(N, s) is common/rng's rng_zipf_harmonic (one normaliser for fitting and sampling); the
 * expected-distinct sum over large N uses geometric strides (exact up to k = 2000).
 */
#ifndef MODELER_FIT_ZIPF_H
#define MODELER_FIT_ZIPF_H

#include <stddef.h>
#include <stdint.h>
#include "st.h"

#define ZIPF_MIN_COUNT 12
#define ZIPF_RANK_POINTS 40

typedef struct zipf_fit {
    double s;
    double n_est;
    size_t observed;
    uint64_t total;
    size_t head;          /* R, ranks used by the MLE */
    double top_shares[3]; /* rank 1, 1-10, 1-100 */
    double ks_d;
    size_t npoints; /* log-spaced (rank, share) points for plots */
    double rank[ZIPF_RANK_POINTS], share[ZIPF_RANK_POINTS];
} zipf_fit;

/* counts: n observed item counts sorted descending. Returns 0, or ST_EINPUT with err set
 * when there are fewer than 5 items or 50 observations. */
int fit_zipf(const uint64_t *counts, size_t n, zipf_fit *out, char *err);

#endif
