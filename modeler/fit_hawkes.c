/*
 * fit_hawkes.c -- Hawkes MLE with a baseline shape (see fit_hawkes.h).
 */
#include "fit_hawkes.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_min.h>
#include <gsl/gsl_multimin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Terms per product in the likelihood (see hk_fdf), and log(2). */
#define HK_PROD 16
#define HK_LN2 0.69314718055994530942

typedef struct hk {
    const double *t;
    size_t n;
    double T;
    double *b;      /* b(t_i) */
    double *A;      /* Ozaki recursion at the current beta */
    double beta, S; /* S = sum (1 - exp(-beta (T - t_i))) */
    double mu, alpha, ll;
    double prev_beta; /* beta of the last inner optimum (warm start) */
    /* The last evaluation: GSL's line search asks for f and then df at the same point, and
     * one pass over the events yields both, so the second request costs nothing. */
    int memo_ok;
    double memo_x[2], memo_ll, memo_gm, memo_ga;
} hk;

static void hk_prepare(hk *h, double beta)
{
    h->beta = beta;
    h->A[0] = 0;
    for (size_t i = 1; i < h->n; i++)
        h->A[i] = exp(-beta * (h->t[i] - h->t[i - 1])) * (1 + h->A[i - 1]);
    double S = 0;
    for (size_t i = 0; i < h->n; i++)
        S += -expm1(-beta * (h->T - h->t[i]));
    h->S = S;
    h->memo_ok = 0;
}

/* Negative log-likelihood in (log mu, log alpha), with its gradient. */
static void hk_fdf(const gsl_vector *x, void *p, double *f, gsl_vector *g)
{
    hk *h = p;
    double x0 = gsl_vector_get(x, 0), x1 = gsl_vector_get(x, 1);
    double mu = exp(x0), al = exp(x1);
    double ll, gm, ga;
    if (h->memo_ok && h->memo_x[0] == x0 && h->memo_x[1] == x1) {
        ll = h->memo_ll, gm = h->memo_gm, ga = h->memo_ga;
    } else {
        ll = -mu * h->T - al / h->beta * h->S;
        gm = -h->T, ga = -h->S / h->beta;
        /* The sum of log(lam) as the log of a product: one log per HK_PROD terms instead of
         * one per event (the logs were ~30% of a fit's instructions). frexp takes the
         * product's exponent out every HK_PROD terms, and a term outside [1e-18, 1e18] is
         * summed by its own log, so the product stays within 1e+-290: no overflow, no
         * underflow. It rounds differently from the sum of logs (relative 1e-16 on ll). */
        double prod = 1;
        long pexp = 0;
        int k = 0;
        for (size_t i = 0; i < h->n; i++) {
            double lam = mu * h->b[i] + al * h->A[i];
            if (lam <= 0)
                lam = 1e-300;
            if (lam > 1e-18 && lam < 1e18) {
                prod *= lam;
                if (++k == HK_PROD) {
                    int e;
                    prod = frexp(prod, &e);
                    pexp += e;
                    k = 0;
                }
            } else {
                ll += log(lam);
            }
            gm += h->b[i] / lam;
            ga += h->A[i] / lam;
        }
        ll += log(prod) + (double)pexp * HK_LN2;
        h->memo_ok = 1;
        h->memo_x[0] = x0, h->memo_x[1] = x1;
        h->memo_ll = ll, h->memo_gm = gm, h->memo_ga = ga;
    }
    if (f)
        *f = -ll;
    if (g) {
        gsl_vector_set(g, 0, -gm * mu);
        gsl_vector_set(g, 1, -ga * al);
    }
}

static double hk_f(const gsl_vector *x, void *p)
{
    double f;
    hk_fdf(x, p, &f, NULL);
    return f;
}

static void hk_df(const gsl_vector *x, void *p, gsl_vector *g)
{
    hk_fdf(x, p, NULL, g);
}

/* Profile log-likelihood at beta: maximised over (mu, alpha). Leaves h->mu, h->alpha. */
static double hk_profile(hk *h, double beta)
{
    hk_prepare(h, beta);
    gsl_multimin_function_fdf fn = {hk_f, hk_df, hk_fdf, 2, h};
    gsl_vector *x = gsl_vector_alloc(2);
    gsl_multimin_fdfminimizer *m = gsl_multimin_fdfminimizer_alloc(
        gsl_multimin_fdfminimizer_vector_bfgs2, 2);
    double best = -INFINITY;
    if (x && m) {
        /* Warm start from the last beta's optimum (same branching ratio), else a guess. */
        double rate = (double)h->n / h->T;
        double nprev = h->prev_beta > 0 ? h->alpha / h->prev_beta : 0;
        if (h->mu > 0 && nprev > 0.05 && nprev < 0.95) {
            /* Never from a near-zero alpha: in log space its gradient vanishes. */
            gsl_vector_set(x, 0, log(h->mu));
            gsl_vector_set(x, 1, log(nprev * beta));
        } else {
            gsl_vector_set(x, 0, log(rate * 0.7));
            gsl_vector_set(x, 1, log(0.3 * beta));
        }
        if (gsl_multimin_fdfminimizer_set(m, &fn, x, 0.1, 0.1) == GSL_SUCCESS) {
            for (int it = 0; it < 200; it++) {
                int st = gsl_multimin_fdfminimizer_iterate(m);
                if (st != GSL_SUCCESS)
                    break;
                if (gsl_multimin_test_gradient(m->gradient, 1e-4 * (double)h->n) == GSL_SUCCESS)
                    break;
            }
            best = -m->f;
            h->mu = exp(gsl_vector_get(m->x, 0));
            h->alpha = exp(gsl_vector_get(m->x, 1));
            h->prev_beta = beta;
        }
    }
    gsl_multimin_fdfminimizer_free(m);
    gsl_vector_free(x);
    h->ll = best;
    return best;
}

static int hk_cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double hk_neg_profile_log(double lb, void *p)
{
    return -hk_profile(p, exp(lb));
}

int fit_hawkes(const double *t, size_t n, double T, const double *shape, size_t nb, double bin_s,
               hawkes_fit *o, char *err)
{
    double hint = o->beta_hint;
    memset(o, 0, sizeof *o);
    if (n < HAWKES_MIN_EVENTS)
        return st_err(err, ST_EINPUT, "fewer than %d session arrivals (%zu)", HAWKES_MIN_EVENTS, n);
    if (n > HAWKES_MAX_EVENTS) {
        n = HAWKES_MAX_EVENTS;
        T = t[n - 1] + 1e-9;
    }
    hk h = {
        .t = t, .n = n, .T = T, .b = malloc(n * sizeof(double)), .A = malloc(n * sizeof(double))};
    if (!h.b || !h.A) {
        free(h.b);
        free(h.A);
        return st_err(err, ST_ENOMEM, "out of memory");
    }
    /* The shape integrates to T over [0, T] only on the full span; renormalise on [0, T]. */
    double integ = 0;
    for (size_t j = 0; j < nb; j++) {
        double a = (double)j * bin_s, e = a + bin_s;
        if (a >= T)
            break;
        integ += shape[j] * ((e < T ? e : T) - a);
    }
    double norm = integ > 0 ? T / integ : 1;
    for (size_t i = 0; i < n; i++) {
        size_t j = (size_t)(t[i] / bin_s);
        if (j >= nb)
            j = nb - 1;
        h.b[i] = shape[j] * norm;
    }
    /* Outer search over beta: a log grid, then Brent on log beta around the best point. */
    double lbs[24], lls[24];
    int nbeta = hint > 0 ? 5 : 14, ib = 0;
    double lo = hint > 0 ? log(hint / 2) : log(1e-3), hi = hint > 0 ? log(hint * 2) : log(20.0);
    for (int k = 0; k < nbeta; k++) {
        lbs[k] = lo + (hi - lo) * k / (nbeta - 1);
        lls[k] = hk_profile(&h, exp(lbs[k]));
        if (lls[k] > lls[ib])
            ib = k;
    }
    double lb = lbs[ib];
    if (ib > 0 && ib < nbeta - 1) {
        gsl_function fn = {hk_neg_profile_log, &h};
        gsl_min_fminimizer *m = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
        if (m &&
            gsl_min_fminimizer_set_with_values(m, &fn, lbs[ib], -lls[ib], lbs[ib - 1], -lls[ib - 1],
                                               lbs[ib + 1], -lls[ib + 1]) == GSL_SUCCESS) {
            for (int it = 0; it < 40; it++) {
                if (gsl_min_fminimizer_iterate(m) != GSL_SUCCESS)
                    break;
                if (gsl_min_test_interval(gsl_min_fminimizer_x_lower(m),
                                          gsl_min_fminimizer_x_upper(m), 1e-2, 0) == GSL_SUCCESS)
                    break;
            }
            lb = gsl_min_fminimizer_x_minimum(m);
        }
        gsl_min_fminimizer_free(m);
    }
    hk_profile(&h, exp(lb));
    o->fitted = 1;
    o->events = n;
    o->beta = h.beta;
    o->mu = h.mu;
    o->alpha = h.alpha;
    o->n = h.alpha / h.beta;
    o->loglik = h.ll;
    /* Observed information of (mu, alpha) at the optimum. */
    double i00 = 0, i01 = 0, i11 = 0, llp = 0, mup = (double)n / T;
    for (size_t i = 0; i < n; i++) {
        double lam = h.mu * h.b[i] + h.alpha * h.A[i];
        i00 += h.b[i] * h.b[i] / (lam * lam);
        i01 += h.b[i] * h.A[i] / (lam * lam);
        i11 += h.A[i] * h.A[i] / (lam * lam);
        llp += log(mup * h.b[i]);
    }
    llp -= mup * T;
    o->loglik_poisson = llp;
    double det = i00 * i11 - i01 * i01;
    double sd = det > 0 ? sqrt(i00 / det) / h.beta : 0;
    o->ci_lo = o->n - 1.96 * sd > 0 ? o->n - 1.96 * sd : 0;
    o->ci_hi = o->n + 1.96 * sd;
    /* Time rescaling: increments of the compensator between events are Exp(1). */
    double *z = malloc((n - 1) * sizeof *z);
    if (z) {
        for (size_t i = 1; i < n; i++) {
            double base = 0;
            double a = t[i - 1], e = t[i];
            size_t ja = (size_t)(a / bin_s), je = (size_t)(e / bin_s);
            if (ja >= nb)
                ja = nb - 1;
            if (je >= nb)
                je = nb - 1;
            if (ja == je) {
                base = shape[ja] * (e - a);
            } else {
                base = shape[ja] * ((double)(ja + 1) * bin_s - a);
                for (size_t j = ja + 1; j < je; j++)
                    base += shape[j] * bin_s;
                base += shape[je] * (e - (double)je * bin_s);
            }
            double exc = h.alpha / h.beta * (1 + h.A[i - 1]) * -expm1(-h.beta * (e - a));
            z[i - 1] = h.mu * norm * base + exc;
        }
        size_t m = n - 1;
        for (size_t i = 0; i < m; i++)
            z[i] = -expm1(-z[i]); /* Exp(1) -> U(0,1) */
        double D = 0;
        qsort(z, m, sizeof *z, hk_cmp_d);
        for (size_t i = 0; i < m; i++) {
            double a1 = z[i] - (double)i / (double)m, b1 = (double)(i + 1) / (double)m - z[i];
            if (a1 > D)
                D = a1;
            if (b1 > D)
                D = b1;
        }
        o->ks_d = D;
        free(z);
    }
    free(h.b);
    free(h.A);
    return 0;
}

int hawkes_background(const double *t, size_t n, double T, const double *shape, size_t nb,
                      double bin_s, const hawkes_fit *f, double *bg)
{
    if (n > HAWKES_MAX_EVENTS) {
        n = HAWKES_MAX_EVENTS;
        T = t[n - 1] + 1e-9;
    }
    double integ = 0;
    for (size_t j = 0; j < nb; j++) {
        double a = (double)j * bin_s, e = a + bin_s;
        if (a >= T)
            break;
        integ += shape[j] * ((e < T ? e : T) - a);
    }
    double norm = integ > 0 ? T / integ : 1, A = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            A = exp(-f->beta * (t[i] - t[i - 1])) * (1 + A);
        size_t j = (size_t)(t[i] / bin_s);
        if (j >= nb)
            j = nb - 1;
        double base = f->mu * shape[j] * norm, lam = base + f->alpha * A;
        bg[j] += lam > 0 ? base / lam : 1;
    }
    return 0;
}
