/*
 * wsdur.c -- WebSocket durations with the log's end as right-censoring (see wsdur.h).
 */
#include "wsdur.h"

#include <gsl/gsl_sf_erf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sketch.h"

#define MIN_DUR 0.001 /* the floor fit_think applies to think times, the same here */

typedef struct tail_ent {
    double ts, dur;
} tail_ent;

struct wsdur {
    resv *exact;    /* durations known to be whole */
    tail_ent *tail; /* ring: lines within WSDUR_EDGE_S of the latest close so far */
    size_t head, count;
    double max_ts;
    int have;
};

wsdur *wsdur_new(uint64_t seed)
{
    wsdur *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->exact = resv_new(100000, seed, "websockets.duration");
    w->tail = malloc(WSDUR_TAIL_CAP * sizeof *w->tail);
    if (!w->exact || !w->tail) {
        wsdur_free(w);
        return NULL;
    }
    return w;
}

void wsdur_free(wsdur *w)
{
    if (!w)
        return;
    resv_free(w->exact);
    free(w->tail);
    free(w);
}

static void pop_front(wsdur *w)
{
    resv_add(w->exact, w->tail[w->head].dur);
    w->head = (w->head + 1) % WSDUR_TAIL_CAP;
    w->count--;
}

void wsdur_add(wsdur *w, double close_ts, double dur)
{
    if (!w || !(dur >= 0) || !isfinite(dur) || !isfinite(close_ts))
        return;
    if (!w->have || close_ts > w->max_ts) {
        w->have = 1;
        w->max_ts = close_ts;
        /* Lines arrive about in time order: the front is the oldest. One out of order in
         * the middle is sorted out at the fit, which looks at every entry's time. */
        while (w->count && w->tail[w->head].ts < w->max_ts - WSDUR_EDGE_S)
            pop_front(w);
    }
    if (close_ts < w->max_ts - WSDUR_EDGE_S) {
        resv_add(w->exact, dur);
        return;
    }
    if (w->count == WSDUR_TAIL_CAP)
        pop_front(w); /* a bounded edge: the oldest candidate counts as whole */
    w->tail[(w->head + w->count) % WSDUR_TAIL_CAP] = (tail_ent){close_ts, dur};
    w->count++;
}

void wsdur_mle(const double *y, size_t n, double wy, const double *c, size_t nc, double *mu,
               double *sigma, double *loglik)
{
    double sy = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        sy += y[i];
        syy += y[i] * y[i];
    }
    double N = wy * (double)n + (double)nc, m = *mu, s = *sigma > 1e-6 ? *sigma : 1e-6;
    /* EM increases the likelihood at every step and converges linearly; the censored share
     * is small in practice, so a few dozen rounds reach 1e-10. */
    for (int it = 0; it < 10000 && nc && N > 0; it++) {
        double e1 = 0, e2 = 0;
        for (size_t j = 0; j < nc; j++) {
            double lam = gsl_sf_hazard((c[j] - m) / s); /* phi(z) / Q(z), stable for large z */
            e1 += m + s * lam;
            e2 += m * m + s * s + s * (c[j] + m) * lam;
        }
        double m2 = (wy * sy + e1) / N, v = (wy * syy + e2) / N - m2 * m2;
        double s2 = v > 1e-12 ? sqrt(v) : 1e-6;
        int done = fabs(m2 - m) < 1e-10 && fabs(s2 - s) < 1e-10;
        m = m2;
        s = s2;
        if (done)
            break;
    }
    *mu = m;
    *sigma = s;
    if (loglik) {
        /* Of the durations themselves (the lognormal density has the 1/x Jacobian). */
        double ll = 0;
        for (size_t i = 0; i < n; i++) {
            double z = (y[i] - m) / s;
            ll += wy * (-0.5 * z * z - log(s) - 0.5 * log(2 * M_PI) - y[i]);
        }
        for (size_t j = 0; j < nc; j++)
            ll += gsl_sf_log_erfc((c[j] - m) / (s * M_SQRT2)) - M_LN2; /* log Q(z) */
        *loglik = ll;
    }
}

int wsdur_fit(wsdur *w, think_fit *out, size_t *censored, char *err)
{
    *censored = 0;
    memset(out, 0, sizeof *out);
    double *c = malloc((w->count ? w->count : 1) * sizeof *c);
    if (!c)
        return st_err(err, ST_ENOMEM, "out of memory");
    size_t nc = 0;
    while (w->count) {
        tail_ent e = w->tail[w->head];
        if (e.ts >= w->max_ts - WSDUR_EDGE_S) {
            c[nc++] = log(e.dur > MIN_DUR ? e.dur : MIN_DUR);
            w->head = (w->head + 1) % WSDUR_TAIL_CAP;
            w->count--;
        } else {
            pop_front(w);
        }
    }
    resv *r = w->exact;
    double *x = malloc((r->n ? r->n : 1) * sizeof *x), *y = NULL;
    int rc = x ? 0 : st_err(err, ST_ENOMEM, "out of memory");
    if (!rc) {
        memcpy(x, r->v, r->n * sizeof *x);
        rc = fit_think(x, r->n, MIN_DUR, 1, out, err); /* the exact-only MLE: EM's start */
    }
    if (!rc && nc) {
        y = malloc(out->n * sizeof *y);
        if (!y) {
            rc = st_err(err, ST_ENOMEM, "out of memory");
        } else {
            for (size_t i = 0; i < out->n; i++)
                y[i] = log(x[i]);
            /* A reservoir past its capacity holds a sample: each kept value stands for
             * seen / n of them. */
            double wy = r->n ? (double)r->seen / (double)r->n : 1;
            dist_fit *d = &out->all[DIST_LOGNORMAL];
            wsdur_mle(y, out->n, wy, c, nc, &d->p1, &d->p2, &d->loglik);
            d->aic = 2 * 2 - 2 * d->loglik;
            d->ks_d = dist_ks(d, x, out->n);
            out->median_s = dist_quantile(d, 0.5);
            out->p95_s = dist_quantile(d, 0.95);
            *censored = nc;
        }
    }
    free(y);
    free(x);
    free(c);
    return rc;
}
