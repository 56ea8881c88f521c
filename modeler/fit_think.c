/*
 * fit_think.c -- lognormal / Weibull / gamma MLE and AIC choice (see fit_think.h).
 */
#include "fit_think.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>
#include <math.h>
#include <stdlib.h>

const char *const dist_names[DIST_N] = {"lognormal", "weibull", "gamma"};

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double dist_cdf(const dist_fit *d, double x)
{
    if (x <= 0)
        return 0;
    switch (d->kind) {
    case DIST_LOGNORMAL: return gsl_cdf_lognormal_P(x, d->p1, d->p2);
    case DIST_WEIBULL: return gsl_cdf_weibull_P(x, d->p2, d->p1);
    default: return gsl_cdf_gamma_P(x, d->p1, d->p2);
    }
}

double dist_pdf(const dist_fit *d, double x)
{
    if (x <= 0)
        return 0;
    switch (d->kind) {
    case DIST_LOGNORMAL: return gsl_ran_lognormal_pdf(x, d->p1, d->p2);
    case DIST_WEIBULL: return gsl_ran_weibull_pdf(x, d->p2, d->p1);
    default: return gsl_ran_gamma_pdf(x, d->p1, d->p2);
    }
}

double dist_quantile(const dist_fit *d, double p)
{
    switch (d->kind) {
    case DIST_LOGNORMAL: return gsl_cdf_lognormal_Pinv(p, d->p1, d->p2);
    case DIST_WEIBULL: return gsl_cdf_weibull_Pinv(p, d->p2, d->p1);
    default: return gsl_cdf_gamma_Pinv(p, d->p1, d->p2);
    }
}

double dist_ks(const dist_fit *d, const double *x, size_t n)
{
    double D = 0;
    for (size_t i = 0; i < n; i++) {
        double F = dist_cdf(d, x[i]);
        double a = F - (double)i / (double)n, b = (double)(i + 1) / (double)n - F;
        if (a > D)
            D = a;
        if (b > D)
            D = b;
    }
    return D;
}

static void fit_lognormal(const double *x, size_t n, dist_fit *d)
{
    double s = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        s += log(x[i]);
    double mu = s / (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (log(x[i]) - mu) * (log(x[i]) - mu);
    double sigma = sqrt(ss / (double)n);
    if (sigma < 1e-6)
        sigma = 1e-6;
    d->kind = DIST_LOGNORMAL;
    d->p1 = mu;
    d->p2 = sigma;
    d->loglik = -(double)n * (log(sigma) + 0.5 * log(2 * M_PI) + 0.5) - s;
    d->ok = 1;
}

/* y = x / scale; the Weibull profile equation g(k) = sum y^k ln y / sum y^k - 1/k - mean ln y
 * is increasing in k. */
static void fit_weibull(const double *x, size_t n, double scale, dist_fit *d)
{
    /* ln y once per value, not once per value and step (the same doubles either way); NULL
     * (no memory) computes them in the loop as before. */
    double *lys = malloc(n * sizeof *lys);
    double mlog = 0;
    for (size_t i = 0; i < n; i++) {
        double ly = log(x[i] / scale);
        if (lys)
            lys[i] = ly;
        mlog += ly;
    }
    mlog /= (double)n;
    double lo = 0.02, hi = 50;
    for (int it = 0; it < 80; it++) {
        double k = sqrt(lo * hi);
        /* lo and hi adjacent: k is one of them and no later step moves them; stop. */
        if (k == lo || k == hi)
            break;
        double a = 0, b = 0;
        for (size_t i = 0; i < n; i++) {
            double ly = lys ? lys[i] : log(x[i] / scale), yk = exp(k * ly);
            a += yk * ly;
            b += yk;
        }
        double g = a / b - 1 / k - mlog;
        if (g > 0)
            hi = k;
        else
            lo = k;
    }
    free(lys);
    double k = sqrt(lo * hi), b = 0, sl = 0;
    for (size_t i = 0; i < n; i++) {
        b += pow(x[i] / scale, k);
        sl += log(x[i]);
    }
    double lam = scale * pow(b / (double)n, 1 / k);
    d->kind = DIST_WEIBULL;
    d->p1 = k;
    d->p2 = lam;
    double ll = (double)n * (log(k) - k * log(lam)) + (k - 1) * sl;
    for (size_t i = 0; i < n; i++)
        ll -= pow(x[i] / lam, k);
    d->loglik = ll;
    d->ok = isfinite(ll);
}

static void fit_gamma(const double *x, size_t n, dist_fit *d)
{
    double m = 0, ml = 0;
    for (size_t i = 0; i < n; i++) {
        m += x[i];
        ml += log(x[i]);
    }
    m /= (double)n;
    ml /= (double)n;
    double s = log(m) - ml;
    double lo = 1e-3, hi = 1e5;
    for (int it = 0; it < 100; it++) {
        double k = sqrt(lo * hi);
        double f = log(k) - gsl_sf_psi(k) - s; /* decreasing in k */
        if (f > 0)
            lo = k;
        else
            hi = k;
    }
    double k = sqrt(lo * hi), th = m / k;
    d->kind = DIST_GAMMA;
    d->p1 = k;
    d->p2 = th;
    d->loglik = (double)n * (-gsl_sf_lngamma(k) - k * log(th)) + (k - 1) * ml * (double)n -
                m * (double)n / th;
    d->ok = isfinite(d->loglik);
}

int fit_think(double *x, size_t n, double min_x, int only_lognormal, think_fit *out, char *err)
{
    out->n = 0;
    out->best = 0;
    for (int i = 0; i < DIST_N; i++)
        out->all[i] = (dist_fit){.kind = i};
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]))
            x[k++] = x[i] < min_x ? min_x : x[i];
    n = k;
    if (n < 10)
        return st_err(err, ST_EINPUT, "only %zu values (need 10)", n);
    qsort(x, n, sizeof *x, cmp_d);
    out->n = n;
    out->sample_median = x[n / 2];
    double scale = out->sample_median > 0 ? out->sample_median : 1;
    fit_lognormal(x, n, &out->all[DIST_LOGNORMAL]);
    if (!only_lognormal) {
        fit_weibull(x, n, scale, &out->all[DIST_WEIBULL]);
        fit_gamma(x, n, &out->all[DIST_GAMMA]);
    }
    double best = INFINITY;
    for (int i = 0; i < DIST_N; i++) {
        dist_fit *d = &out->all[i];
        if (!d->ok)
            continue;
        d->aic = 2 * 2 - 2 * d->loglik;
        d->ks_d = dist_ks(d, x, n);
        if (d->aic < best) {
            best = d->aic;
            out->best = i;
        }
    }
    out->median_s = dist_quantile(&out->all[out->best], 0.5);
    out->p95_s = dist_quantile(&out->all[out->best], 0.95);
    return 0;
}
