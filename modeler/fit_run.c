/*
 * fit_run.c -- series, profile and the fits (see fit_run.h).
 */
#include "fit_run.h"
#include "wsdur.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Whole-second gaps: the m gaps equal to k become k - 0.5 + (j + 0.5) / m, j = 0..m-1.
 * A deterministic spread rather than random jitter: the fit then depends only on how many
 * gaps there are of each length, not on the order of the log's lines within a second (which
 * a server does not define), so the log of a replayed trace refits to the same family and
 * median as the log it came from. */
static void spread_whole_seconds(double *x, size_t n)
{
    qsort(x, n, sizeof *x, cmp_double);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && x[j] == x[i])
            j++;
        double v = x[i], m = (double)(j - i);
        for (size_t k = i; k < j; k++)
            x[k] = v - 0.5 + ((double)(k - i) + 0.5) / m;
        i = j;
    }
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Variance over mean of session counts in windows of w seconds. */
static double dispersion(const uint32_t *c, size_t n, size_t w)
{
    size_t nw = n / w;
    if (nw < 2)
        return 0;
    double s = 0, ss = 0;
    for (size_t i = 0; i < nw; i++) {
        double x = 0;
        for (size_t j = 0; j < w; j++)
            x += c[i * w + j];
        s += x;
        ss += x * x;
    }
    double m = s / (double)nw, v = ss / (double)nw - m * m;
    return m > 0 ? v / m : 0;
}

static void profile_fit(fit_result *fr, double span)
{
    size_t slots = span >= 14 * 86400 ? 168 : span >= 2 * 86400 ? 24 : 0;
    fr->profile_kind = slots == 168 ? 2 : slots == 24 ? 1 : 0;
    double mean = 0;
    for (size_t i = 0; i < fr->nrates; i++)
        mean += fr->rates[i];
    mean = fr->nrates ? mean / (double)fr->nrates : 0;
    double sum[168] = {0}, cnt[168] = {0};
    for (size_t i = 0; i < fr->nrates && slots; i++) {
        double t = fr->t0 + ((double)i + 0.5) * fr->bin_s;
        int64_t h = (int64_t)floor(t / 3600);
        /* 1970-01-01 was a Thursday; hour-of-week counts from Monday 00:00. */
        size_t slot = slots == 168 ? (size_t)((h + 72) % 168) : (size_t)(h % 24);
        sum[slot] += fr->rates[i];
        cnt[slot] += 1;
    }
    for (size_t s = 0; s < 168; s++)
        fr->profile[s] = slots && cnt[s] > 0 && mean > 0 ? sum[s] / cnt[s] / mean : 1;
    /* Median relative error of the profile against the series. */
    double *e = malloc((fr->nrates ? fr->nrates : 1) * sizeof *e);
    size_t ne = 0;
    for (size_t i = 0; e && i < fr->nrates; i++) {
        double mult = 1;
        if (slots) {
            double t = fr->t0 + ((double)i + 0.5) * fr->bin_s;
            int64_t h = (int64_t)floor(t / 3600);
            mult = fr->profile[slots == 168 ? (size_t)((h + 72) % 168) : (size_t)(h % 24)];
        }
        double ex = mean * mult;
        if (ex > 0)
            e[ne++] = fabs(fr->rates[i] - ex) / ex;
    }
    if (ne) {
        qsort(e, ne, sizeof *e, cmp_dbl);
        fr->profile_err = e[ne / 2];
    }
    free(e);
    /* Trend: least squares on daily means, relative to the mean. */
    size_t per_day = (size_t)(86400 / fr->bin_s);
    size_t days = per_day ? fr->nrates / per_day : 0;
    if (span >= 2 * 86400 && days >= 2 && mean > 0) {
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (size_t d = 0; d < days; d++) {
            double y = 0;
            for (size_t j = 0; j < per_day; j++)
                y += fr->rates[d * per_day + j];
            y /= (double)per_day;
            sx += (double)d;
            sy += y;
            sxx += (double)d * (double)d;
            sxy += (double)d * y;
        }
        double nd = (double)days, den = nd * sxx - sx * sx;
        fr->trend_per_day = den > 0 ? (nd * sxy - sx * sy) / den / mean : 0;
    }
}

/* The Hawkes baseline shape: 10-s session counts smoothed over +-5 min, floored, mean 1.
 * Burst episodes are exogenous changes of the baseline, not self-excitation: bins inside
 * an episode (+-1 min) use their own counts smoothed over +-20 s only, and are left out of
 * the wide smoothing of their neighbours, so a flash crowd does not inflate the branching
 * ratio. */
#define SHAPE_BIN 10
#define SHAPE_ROUNDS 3

/* Smooths per-bin counts into a baseline shape: +-5 min outside burst episodes, +-20 s
 * inside them (episodes are exogenous changes of the baseline, so they keep their edges and
 * stay out of their neighbours' averages); floored at 5% of the mean, then mean 1. */
static void shape_smooth(const double *raw, const unsigned char *in, size_t n, double *sh)
{
    double mean = 0;
    for (size_t i = 0; i < n; i++) {
        size_t w = in[i] ? 20 / SHAPE_BIN : 300 / SHAPE_BIN;
        double s = 0;
        int k = 0;
        for (size_t j = i >= w ? i - w : 0; j <= i + w && j < n; j++)
            if (in[j] == in[i]) {
                s += raw[j];
                k++;
            }
        sh[i] = k ? s / k : raw[i];
        mean += sh[i];
    }
    mean /= (double)n;
    for (size_t i = 0; i < n; i++) {
        if (sh[i] < 0.05 * mean)
            sh[i] = 0.05 * mean;
        sh[i] = mean > 0 ? sh[i] / mean : 1;
    }
}

/* The Hawkes fit with a nonparametric baseline: start from the smoothed arrival counts,
 * then alternate fit and stochastic declustering (the baseline is re-estimated from the
 * events' immigrant probabilities), so that neither the clusters inflate the baseline nor
 * a flash crowd inflates the branching ratio. Returns 0, ST_EINPUT (err: too few events) or
 * ST_ENOMEM. */
static int hawkes_with_baseline(const double *t, size_t n, double T, const burst_fit *bf,
                                hawkes_fit *hk, char *err)
{
    size_t nb = (size_t)ceil(T / SHAPE_BIN);
    if (nb == 0)
        return st_err(err, ST_EINPUT, "no session arrivals");
    double *raw = calloc(nb, sizeof *raw), *sh = calloc(nb, sizeof *sh);
    unsigned char *in = calloc(nb, 1);
    if (!raw || !sh || !in) {
        free(raw);
        free(sh);
        free(in);
        return st_err(err, ST_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        size_t j = (size_t)(t[i] / SHAPE_BIN);
        raw[j < nb ? j : nb - 1] += 1;
    }
    for (size_t e = 0; bf && e < bf->n; e++) {
        double a = (bf->ep[e].onset - 60) / SHAPE_BIN, z = (bf->ep[e].end + 60) / SHAPE_BIN;
        for (size_t i = a > 0 ? (size_t)a : 0; (double)i < z && i < nb; i++)
            in[i] = 1;
    }
    int rc = 0;
    for (int round = 0; round < SHAPE_ROUNDS && rc == 0; round++) {
        shape_smooth(raw, in, nb, sh);
        hk->beta_hint = round > 0 ? hk->beta : 0;
        rc = fit_hawkes(t, n, T, sh, nb, SHAPE_BIN, hk, err);
        if (rc == 0 && round + 1 < SHAPE_ROUNDS) {
            memset(raw, 0, nb * sizeof *raw);
            rc = hawkes_background(t, n, T, sh, nb, SHAPE_BIN, hk, raw);
        }
    }
    free(raw);
    free(sh);
    free(in);
    return rc;
}

/* The observed seconds of the series: bin 0 starts at the first line's second. */
typedef struct fit_span {
    size_t off;  /* first second of the series in g->sec_* */
    size_t nsec; /* seconds in the series */
} fit_span;

/* Rate series (per bin_s, and per second for logs up to an hour), profile and dispersion.
 * Returns 0 or ST_ENOMEM. */
static int fit_series(fit_result *fr, fit_span *sp, double span, char *err)
{
    const ingest *g = fr->g;
    fr->t0 = floor(g->first_ts);
    if (fr->t0 < g->t0)
        fr->t0 = g->t0; /* lines far earlier than the first one were counted in bin 0 */
    size_t off = (size_t)(fr->t0 - g->t0);
    size_t nsec = g->nsec > off ? g->nsec - off : 0;
    sp->off = off;
    sp->nsec = nsec;
    size_t nmin = (nsec + 59) / 60;
    fr->bin_s = 60;
    if (nmin > 20160)
        fr->bin_s = 60.0 * (double)((nmin + 20159) / 20160);
    size_t bw = (size_t)fr->bin_s;
    fr->nrates = nsec ? (nsec + bw - 1) / bw : 0;
    fr->rates = calloc(fr->nrates ? fr->nrates : 1, sizeof *fr->rates);
    if (!fr->rates)
        return st_err(err, ST_ENOMEM, "out of memory");
    for (size_t i = 0; i < nsec; i++)
        fr->rates[i / bw] += g->sec_sessions[off + i];
    for (size_t i = 0; i < fr->nrates; i++)
        fr->rates[i] /= fr->bin_s;
    if (span <= 3600 && nsec) {
        fr->rates_1s = malloc(nsec * sizeof *fr->rates_1s);
        if (!fr->rates_1s)
            return st_err(err, ST_ENOMEM, "out of memory");
        for (size_t i = 0; i < nsec; i++)
            fr->rates_1s[i] = g->sec_sessions[off + i];
        fr->nrates_1s = nsec;
    }
    profile_fit(fr, span);
    static const size_t scales[4] = {1, 10, 60, 600};
    for (int i = 0; i < 4; i++)
        fr->dispersion[i] = nsec ? dispersion(g->sec_sessions + off, nsec, scales[i]) : 0;
    return 0;
}

/* WebSocket concurrency: the running sum of opens and closes, per second. Returns 0 or
 * ST_ENOMEM. */
static int fit_ws_concurrency(fit_result *fr, const fit_span *sp, char *err)
{
    const ingest *g = fr->g;
    if (!g->ws_count || !g->sec_ws)
        return 0;
    size_t bw = (size_t)fr->bin_s;
    fr->ws_conc = calloc(fr->nrates ? fr->nrates : 1, sizeof *fr->ws_conc);
    if (!fr->ws_conc)
        return st_err(err, ST_ENOMEM, "out of memory");
    double open = 0, sum = 0;
    for (size_t i = 0; i < sp->off && i < g->nsec; i++)
        open += g->sec_ws[i];
    for (size_t i = 0; i < sp->nsec; i++) {
        open += g->sec_ws[sp->off + i];
        if (open > fr->ws_conc_max)
            fr->ws_conc_max = open;
        sum += open;
        fr->ws_conc[i / bw] += open / fr->bin_s;
    }
    fr->ws_conc_mean = sp->nsec ? sum / (double)sp->nsec : 0;
    return 0;
}

/* Session arrival times relative to t0, sorted; whole-second times are spread uniformly
 * over their second. Returns a malloc'd array (caller frees) or NULL when out of memory. */
static double *fit_arrival_times(const fit_result *fr)
{
    const sessionize *ss = &fr->g->ss;
    double *t = malloc((ss->narrivals ? ss->narrivals : 1) * sizeof *t);
    if (!t)
        return NULL;
    rng_stream rs;
    rng_stream_init(&rs, fr->seed, rng_stream_id("hawkes.jitter"));
    for (size_t i = 0; i < ss->narrivals; i++) {
        double x = ss->arrivals[i] - fr->t0;
        /* Whole-second times: spread each second's events uniformly over it. */
        if (fr->g->q.second_resolution)
            x = floor(x) + rng_uniform(&rs);
        t[i] = x < 0 ? 0 : x;
    }
    qsort(t, ss->narrivals, sizeof *t, cmp_dbl);
    return t;
}

/* Bursts on 10-s session counts, their shape and convergence. Returns 0 or a negative
 * status with err set. */
static int fit_run_bursts(fit_result *fr, const fit_span *sp, char *err)
{
    const ingest *g = fr->g;
    size_t nb10 = (sp->nsec + 9) / 10;
    uint32_t *c10 = calloc(nb10 ? nb10 : 1, sizeof *c10);
    if (!c10)
        return st_err(err, ST_ENOMEM, "out of memory");
    for (size_t i = 0; i < sp->nsec; i++)
        c10[i / 10] += g->sec_sessions[sp->off + i];
    int rc = fit_bursts(c10, nb10, 10, &fr->bf, err);
    free(c10);
    if (rc < 0)
        return rc;
    bursts_shape(g->sec_sessions + sp->off, sp->nsec, &fr->bf);
    /* Episode times are relative to the series start = floor(first_ts). */
    return bursts_convergence(g, &fr->bf, err);
}

/* The contract's branching ratio is below 1 (a stationary process; replay accepts at most
 * 0.99). An estimate at the limit means the baseline did not explain the clustering:
 * clamp, and say so. */
static void fit_clamp_branching(fit_result *fr)
{
    if (!fr->hk.fitted || fr->hk.n <= 0.99)
        return;
    snprintf(fr->hk_note, sizeof fr->hk_note,
             "Hawkes branching ratio %.3f clamped to 0.99: arrivals are not stationary "
             "around the smoothed baseline",
             fr->hk.n);
    fr->hk.n = 0.99;
    fr->hk.alpha = 0.99 * fr->hk.beta;
    if (fr->hk.ci_hi > 0.99)
        fr->hk.ci_hi = 0.99;
    if (fr->hk.ci_lo > 0.99)
        fr->hk.ci_lo = 0.99;
}

/* Bursts, then Hawkes on session arrivals. Returns 0 or a negative status with err set; a
 * Hawkes fit that fails on the data is recorded in hk_refused, not returned. */
static int fit_run_arrivals(fit_result *fr, const fit_span *sp, char *err)
{
    const sessionize *ss = &fr->g->ss;
    double *t = fit_arrival_times(fr);
    if (!t)
        return st_err(err, ST_ENOMEM, "out of memory");
    int rc = fit_run_bursts(fr, sp, err);
    if (rc < 0) {
        free(t);
        return rc;
    }
    /* The process is observed up to the last session arrival: the log's tail after it
     * holds only sessions finishing, not an absence of arrivals. */
    double T = ss->narrivals ? t[ss->narrivals - 1] + 1e-3 : 0;
    char herr[ST_ERRLEN];
    int hr = hawkes_with_baseline(t, ss->narrivals, T, &fr->bf, &fr->hk, herr);
    free(t);
    if (hr == ST_ENOMEM)
        return st_err(err, hr, "%s", herr);
    if (hr < 0)
        snprintf(fr->hk_refused, sizeof fr->hk_refused, "%.150s", herr);
    fit_clamp_branching(fr);
    return 0;
}

/* The think-time histogram on log-spaced edges between the 0.5th and 99.5th percentiles of
 * the sorted gaps x. */
static void fit_think_histogram(fit_result *fr, const double *x, size_t n)
{
    double lo = log(x[(size_t)(0.005 * (double)(n - 1))]);
    double hi = log(x[(size_t)(0.995 * (double)(n - 1))]);
    if (hi <= lo)
        hi = lo + 1;
    size_t cnt[MODEL_HIST_BINS] = {0};
    for (int i = 0; i <= MODEL_HIST_BINS; i++)
        fr->think_edges[i] = exp(lo + (hi - lo) * i / MODEL_HIST_BINS);
    for (size_t i = 0; i < fr->think.n; i++) {
        double l = log(x[i]);
        if (l < lo || l >= hi)
            continue;
        size_t b = (size_t)((l - lo) / (hi - lo) * MODEL_HIST_BINS);
        if (b < MODEL_HIST_BINS)
            cnt[b]++;
    }
    for (int i = 0; i < MODEL_HIST_BINS; i++)
        fr->think_density[i] = (double)cnt[i] / (double)fr->think.n /
                               (fr->think_edges[i + 1] - fr->think_edges[i]);
}

/* Think times (page/api gaps inside sessions). Returns 0 or ST_ENOMEM; a fit that fails on
 * the data is recorded in think_note. */
static int fit_run_think(fit_result *fr, char *err)
{
    const resv *th = fr->g->ss.think;
    int whole_s = fr->g->q.second_resolution;
    if (!th || th->n < 10) {
        snprintf(fr->think_note, sizeof fr->think_note, "not fitted: fewer than 10 gaps");
        return 0;
    }
    double *x = malloc(th->n * sizeof *x);
    if (!x)
        return st_err(err, ST_ENOMEM, "out of memory");
    for (size_t i = 0; i < th->n; i++)
        x[i] = th->v[i];
    if (whole_s)
        spread_whole_seconds(x, th->n);
    char terr[ST_ERRLEN];
    if (fit_think(x, th->n, 0.05, 0, &fr->think, terr) == 0) {
        fr->think_ok = 1;
        if (whole_s)
            snprintf(fr->think_note, sizeof fr->think_note,
                     "whole-second timestamps: equal gaps spread evenly over +-0.5 s");
        fit_think_histogram(fr, x, th->n);
    } else {
        snprintf(fr->think_note, sizeof fr->think_note, "not fitted: %.140s", terr);
    }
    free(x);
    return 0;
}

int fit_run(fit_result *fr, char *err)
{
    const ingest *g = fr->g;
    const sessionize *ss = &g->ss;
    char why[160] = "";
    int timing_bad = quality_timing_unusable(&g->q, why, sizeof why);
    fr->timeout_fitted = sessionize_fitted_timeout(&g->ss);

    fit_span sp;
    int rc = fit_series(fr, &sp, ingest_span(g), err);
    if (rc == 0)
        rc = fit_ws_concurrency(fr, &sp, err);
    if (rc < 0)
        return rc;
    if (timing_bad) {
        snprintf(fr->hk_refused, sizeof fr->hk_refused, "%s", why);
        snprintf(fr->burst_refused, sizeof fr->burst_refused, "%s", why);
        snprintf(fr->think_note, sizeof fr->think_note, "refused: %.140s", why);
    } else {
        rc = fit_run_arrivals(fr, &sp, err);
        if (rc == 0)
            rc = fit_run_think(fr, err);
        if (rc < 0)
            return rc;
    }
    fr->length_median = resv_quantile(ss->lengths, 0.5);
    fr->length_p95 = resv_quantile(ss->lengths, 0.95);
    fr->dur_median = resv_quantile(ss->duration, 0.5);
    fr->dur_p95 = resv_quantile(ss->duration, 0.95);

    /* WebSocket durations: lognormal (the contract's only WebSocket law), censored at the
     * log's end (wsdur.h). */
    char werr[ST_ERRLEN];
    int wrc = g->ws_dur ? wsdur_fit(g->ws_dur, &fr->ws, &fr->ws_censored, werr) : ST_EINPUT;
    if (wrc == ST_ENOMEM)
        return st_err(err, ST_ENOMEM, "out of memory");
    fr->ws_ok = wrc == 0;
    return 0;
}

void fit_result_term(fit_result *fr)
{
    free(fr->rates);
    free(fr->rates_1s);
    free(fr->ws_conc);
    fr->rates = fr->rates_1s = fr->ws_conc = NULL;
}
