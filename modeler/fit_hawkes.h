/*
 * fit_hawkes.h -- exponential-kernel Hawkes process on session arrivals, on top of a
 * time-varying baseline:  lambda(t) = mu * b(t) + sum_{t_i < t} alpha * exp(-beta (t - t_i)).
 *
 * b(t) is a piecewise-constant shape (mean 1 over the span) built by the caller from the
 * smoothed arrival series; fitting a constant baseline to non-stationary traffic biases the
 * branching ratio towards 1 (Filimonov & Sornette 2013), which is why b is there.
 * Likelihood by Ozaki's (1979) recursion A_i = exp(-beta (t_i - t_{i-1})) (1 + A_{i-1}),
 * O(n) per evaluation. beta: outer 1-D search (log grid, then GSL Brent on log beta);
 * (mu, alpha): inner maximisation with GSL's BFGS on (log mu, log alpha) with the analytic
 * gradient. Branching ratio n = alpha / beta with a 95% interval from the observed
 * information of (mu, alpha) at the fitted beta. Goodness of fit: KS distance of the
 * time-rescaled inter-arrival times from Exp(1) (Ogata 1988).
 */
#ifndef MODELER_FIT_HAWKES_H
#define MODELER_FIT_HAWKES_H

#include <stddef.h>
#include "st.h"

#define HAWKES_MIN_EVENTS 200
#define HAWKES_MAX_EVENTS 200000

typedef struct hawkes_fit {
    double beta_hint; /* in: > 0 narrows the beta search to [hint/3, 3 hint] */
    int fitted;
    double mu, alpha, beta, n, ci_lo, ci_hi;
    double loglik, loglik_poisson, ks_d;
    size_t events;
} hawkes_fit;

/* t: n sorted event times in [0, T]; shape: nb bins of width bin_s (mean 1 over [0, T],
 * every value > 0). Uses at most HAWKES_MAX_EVENTS events (the first ones; T shrinks to
 * match). Returns 0 with out filled, or ST_EINPUT with err set (too few events). */
int fit_hawkes(const double *t, size_t n, double T, const double *shape, size_t nb, double bin_s,
               hawkes_fit *out, char *err);

/* Stochastic declustering (Zhuang, Ogata & Vere-Jones 2002): adds to bg[j] the probability
 * that each event in bin j is an immigrant, mu b(t_i) / lambda(t_i), under the fit f (as
 * returned by fit_hawkes on the same t, T, shape). bg has nb entries, zeroed by the caller.
 * Returns 0 or ST_ENOMEM. */
int hawkes_background(const double *t, size_t n, double T, const double *shape, size_t nb,
                      double bin_s, const hawkes_fit *f, double *bg);

#endif
