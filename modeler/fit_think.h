/*
 * fit_think.h -- positive-duration distributions (think times, WebSocket durations):
 * lognormal, Weibull and gamma by maximum likelihood, the best by AIC, KS distance of each.
 *
 * MLEs: lognormal in closed form; Weibull shape from its profile-likelihood equation and
 * gamma shape from ln k - psi(k) = ln(mean) - mean(ln x), both solved by bisection (the
 * left-hand sides are monotone, so bisection cannot fail once bracketed). Samples are
 * scaled by their median first so that x^k never overflows.
 */
#ifndef MODELER_FIT_THINK_H
#define MODELER_FIT_THINK_H

#include <stddef.h>
#include "st.h"

enum dist_kind { DIST_LOGNORMAL = 0, DIST_WEIBULL, DIST_GAMMA, DIST_N };
extern const char *const dist_names[DIST_N];

typedef struct dist_fit {
    int kind;
    double p1, p2; /* lognormal: mu, sigma (of log); weibull, gamma: shape, scale */
    double loglik, aic, ks_d;
    int ok;
} dist_fit;

typedef struct think_fit {
    dist_fit all[DIST_N];
    int best; /* index into all */
    size_t n;
    double median_s, p95_s;
    double sample_median;
} think_fit;

/* Fits all three to x[0..n) (values <= 0 are raised to min_x). Sorts x in place.
 * only_lognormal restricts the choice to the lognormal (the WebSocket contract). Returns 0,
 * or ST_EINPUT with err set when fewer than 10 values are usable. */
int fit_think(double *x, size_t n, double min_x, int only_lognormal, think_fit *out, char *err);

double dist_cdf(const dist_fit *d, double x);
double dist_pdf(const dist_fit *d, double x);
double dist_quantile(const dist_fit *d, double p);
/* KS distance of a sorted sample from d. */
double dist_ks(const dist_fit *d, const double *sorted, size_t n);

#endif
