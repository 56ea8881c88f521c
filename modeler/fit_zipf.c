/*
 * fit_zipf.c -- finite-N Zipf MLE and catalog size (see fit_zipf.h).
 */
#include "fit_zipf.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_min.h>
#include <math.h>
#include <string.h>

#include "rng.h"

#define ZIPF_EXACT 2000.0

/* Sum of f(k) for k = 1..n: exact to ZIPF_EXACT, then blocks of ~1% of k, each block
 * approximated by its midpoint value times its width. */
typedef double (*zipf_term)(double k, const void *ctx);

static double zipf_sum(double n, zipf_term f, const void *ctx)
{
    double s = 0, k = 1;
    for (; k <= n && k <= ZIPF_EXACT; k++)
        s += f(k, ctx);
    while (k <= n) {
        double w = floor(k * 0.01);
        if (k + w - 1 > n)
            w = n - k + 1;
        s += w * f(k + (w - 1) / 2, ctx);
        k += w;
    }
    return s;
}

/* H(n, s) for a real n >= 1 (the catalog-size search bisects on real n): the common
 * normaliser at floor(n), so the modeler fits with the same H that datagen and replay
 * sample with. */
static double zipf_H(double n, double s)
{
    return rng_zipf_harmonic(n >= 1 ? (uint64_t)floor(n) : 1, s);
}

typedef struct zipf_ll {
    const uint64_t *c;
    size_t r;
    double slog; /* sum f_k ln k */
    double f;    /* sum f_k */
} zipf_ll;

static double zipf_negll(double s, void *p)
{
    const zipf_ll *z = p;
    return s * z->slog + z->f * log(rng_zipf_harmonic(z->r, s));
}

typedef struct ed_ctx {
    double s, h, F;
} ed_ctx;

static double term_seen(double k, const void *ctx)
{
    const ed_ctx *e = ctx;
    return -expm1(-e->F * pow(k, -e->s) / e->h);
}

static double expected_distinct(double n, double s, double F)
{
    ed_ctx e = {s, zipf_H(n, s), F};
    return zipf_sum(n, term_seen, &e);
}

int fit_zipf(const uint64_t *c, size_t n, zipf_fit *o, char *err)
{
    memset(o, 0, sizeof *o);
    uint64_t F = 0;
    for (size_t i = 0; i < n; i++)
        F += c[i];
    o->observed = n;
    o->total = F;
    if (n < 5 || F < 50)
        return st_err(err, ST_EINPUT, "too few items (%zu items, %llu requests)", n,
                      (unsigned long long)F);
    uint64_t acc = 0;
    for (size_t i = 0; i < n && i < 100; i++) {
        acc += c[i];
        if (i == 0)
            o->top_shares[0] = (double)acc / (double)F;
        if (i == 9 || (i < 9 && i == n - 1))
            o->top_shares[1] = (double)acc / (double)F;
        o->top_shares[2] = (double)acc / (double)F;
    }
    if (n < 10)
        o->top_shares[1] = o->top_shares[2];
    size_t r = 0;
    while (r < n && c[r] >= ZIPF_MIN_COUNT)
        r++;
    if (r < 5)
        r = n < 5 ? n : 5;
    zipf_ll z = {c, r, 0, 0};
    for (size_t k = 1; k <= r; k++) {
        z.slog += (double)c[k - 1] * log((double)k);
        z.f += (double)c[k - 1];
    }
    o->head = r;
    gsl_function fn = {zipf_negll, &z};
    double a = 0.01, b = 5, m = 1.0;
    /* Bracket: a coarse grid finds a point below both ends, as Brent requires. */
    double best = INFINITY;
    for (double t = 0.05; t < 5; t += 0.05) {
        double v = zipf_negll(t, &z);
        if (v < best) {
            best = v;
            m = t;
        }
    }
    a = m - 0.05 > 0.005 ? m - 0.05 : 0.005;
    b = m + 0.05;
    double s = m;
    if (zipf_negll(a, &z) > best && zipf_negll(b, &z) > best) {
        gsl_min_fminimizer *mn = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
        if (mn && gsl_min_fminimizer_set(mn, &fn, m, a, b) == GSL_SUCCESS) {
            for (int it = 0; it < 100; it++) {
                if (gsl_min_fminimizer_iterate(mn) != GSL_SUCCESS)
                    break;
                double lo = gsl_min_fminimizer_x_lower(mn), hi = gsl_min_fminimizer_x_upper(mn);
                if (gsl_min_test_interval(lo, hi, 1e-6, 0) == GSL_SUCCESS)
                    break;
            }
            s = gsl_min_fminimizer_x_minimum(mn);
        }
        gsl_min_fminimizer_free(mn);
    }
    o->s = s;
    /* Catalog size: E[D](N) is increasing in N. */
    double lo = (double)n, hi = 1000.0 * (double)n;
    if (hi > 1e9)
        hi = 1e9;
    if (expected_distinct(lo, s, (double)F) >= (double)n) {
        o->n_est = lo;
    } else if (expected_distinct(hi, s, (double)F) < (double)n) {
        o->n_est = hi;
    } else {
        for (int it = 0; it < 40; it++) {
            double mid = sqrt(lo * hi);
            if (expected_distinct(mid, s, (double)F) < (double)n)
                lo = mid;
            else
                hi = mid;
        }
        o->n_est = round(sqrt(lo * hi));
    }
    /* KS over the observed ranks against Zipf(s, n_est). */
    double H = zipf_H(o->n_est, s), cf = 0, ce = 0, D = 0;
    for (size_t k = 1; k <= n; k++) {
        cf += pow((double)k, -s) / H;
        ce += (double)c[k - 1] / (double)F;
        if (fabs(cf - ce) > D)
            D = fabs(cf - ce);
    }
    o->ks_d = D;
    size_t np = 0;
    for (double rk = 1; rk <= (double)n && np < ZIPF_RANK_POINTS; rk = ceil(rk * 1.35)) {
        o->rank[np] = rk;
        o->share[np] = (double)c[(size_t)rk - 1] / (double)F;
        np++;
    }
    o->npoints = np;
    return 0;
}
