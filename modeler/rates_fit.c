/*
 * rates_fit.c -- level, profile, trend, bursts and dispersion from a rate trace (see
 * rates.h for the model and the algorithm).
 */
#include "rates.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROUNDS 6

/* The k-th smallest of a[0..n-1], reordering a so that a[i] <= a[k] for i < k (Hoare's
 * selection with a median-of-three pivot: linear on average, where sorting was 80% of the
 * time of a year of minutes). */
static double select_k(double *a, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        double x = a[lo], y = a[mid], z = a[hi];
        double p = x < y ? (y < z ? y : x < z ? z : x) : (x < z ? x : y < z ? z : y);
        size_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < p)
                i++;
            while (a[j] > p)
                j--;
            if (i <= j) {
                double t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            break;
    }
    return a[k];
}

/* The median of a[0..n-1] (n > 0), reordering a. */
static double median(double *a, size_t n)
{
    double hi = select_k(a, n, n / 2);
    if (n % 2)
        return hi;
    double lo = a[0];
    for (size_t i = 1; i < n / 2; i++)
        if (a[i] > lo)
            lo = a[i];
    return (lo + hi) / 2;
}

size_t rates_slot(int kind, double t)
{
    int64_t h = (int64_t)floor(t / 3600);
    /* 1970-01-01 was a Thursday: hour of week 0 (Monday 00:00) is epoch hour -72. */
    if (kind == 2)
        return (size_t)(((h + 72) % 168 + 168) % 168);
    if (kind == 1)
        return (size_t)((h % 24 + 24) % 24);
    return 0;
}

static size_t kind_slots(int kind)
{
    return kind == 2 ? 168 : kind == 1 ? 24 : 1;
}

double rates_base(const rates_model *m, double t)
{
    double x = m->level * m->profile[rates_slot(m->profile_kind, t)] *
               (1 + m->trend_per_day * (t - m->t_ref) / 86400);
    return x > 0 ? x : 0;
}

typedef struct fitw {
    const rates_trace *tr;
    const unsigned char *use;
    double *buf;   /* n values, grouped */
    double *ratio; /* n: rate over the part of the model not being estimated */
    int trend;     /* fit a trend (the trace spans at least 2 days) */
    double eps;    /* added to rates before logs (zero bins) */
} fitw;

static double tmid(const rates_trace *tr, size_t i)
{
    return tr->t0 + ((double)i + 0.5) * tr->bin_s;
}

/* Fit kinds: the three profile kinds of the model plus hour of day x day of week (30
 * parameters instead of 168), which a short or noisy trace supports where the full
 * hour-of-week table does not; it is written as hour_of_week multipliers. */
enum { FK_FLAT, FK_DAY, FK_WEEK, FK_DAYxDOW, FK_N };
static const size_t fk_params[FK_N] = {1, 24, 168, 30};

/* Medians of w->ratio over the used bins, grouped by group(kind, t); empty groups get 1. */
static void group_medians(const fitw *w, int g, size_t ng, double *out)
{
    const rates_trace *tr = w->tr;
    size_t cnt[168] = {0}, off[169], fill[168] = {0};
    for (size_t i = 0; i < tr->n; i++)
        if (w->use[i])
            cnt[g == 3 ? rates_slot(2, tmid(tr, i)) / 24 : rates_slot(g, tmid(tr, i))]++;
    off[0] = 0;
    for (size_t k = 0; k < ng; k++)
        off[k + 1] = off[k] + cnt[k];
    for (size_t i = 0; i < tr->n; i++) {
        if (!w->use[i])
            continue;
        size_t k = g == 3 ? rates_slot(2, tmid(tr, i)) / 24 : rates_slot(g, tmid(tr, i));
        w->buf[off[k] + fill[k]++] = w->ratio[i];
    }
    for (size_t k = 0; k < ng; k++) {
        out[k] = cnt[k] ? median(w->buf + off[k], cnt[k]) : 1;
    }
}

/* The profile step: slot medians of detrended ratios (hour x day-of-week: alternating
 * medians of the two factors), normalised to mean 1 with the level absorbing the mean. */
static void profile_step(const fitw *w, int fk, rates_model *m)
{
    const rates_trace *tr = w->tr;
    int kind = fk == FK_DAYxDOW ? 2 : fk;
    for (size_t i = 0; i < tr->n; i++) {
        double t = tmid(tr, i), b = m->level * (1 + m->trend_per_day * (t - m->t_ref) / 86400);
        w->ratio[i] = w->use[i] && b > 0 ? tr->rate[i] / b : 0;
    }
    if (fk == FK_DAYxDOW) {
        double hod[24], dow[7] = {1, 1, 1, 1, 1, 1, 1};
        for (int it = 0; it < 2; it++) {
            for (size_t i = 0; i < tr->n; i++)
                if (w->use[i])
                    w->ratio[i] /= dow[rates_slot(2, tmid(tr, i)) / 24];
            group_medians(w, 1, 24, hod);
            for (size_t i = 0; i < tr->n; i++)
                if (w->use[i]) {
                    size_t s = rates_slot(2, tmid(tr, i));
                    w->ratio[i] *= dow[s / 24] / hod[s % 24];
                }
            group_medians(w, 3, 7, dow);
            for (size_t i = 0; i < tr->n; i++)
                if (w->use[i])
                    w->ratio[i] *= hod[rates_slot(2, tmid(tr, i)) % 24];
        }
        for (size_t s = 0; s < 168; s++)
            m->profile[s] = hod[s % 24] * dow[s / 24];
    } else if (fk != FK_FLAT) {
        group_medians(w, kind, kind_slots(kind), m->profile);
    } else {
        group_medians(w, 0, 1, m->profile);
    }
    size_t slots = kind_slots(kind);
    double mm = 0;
    for (size_t s = 0; s < slots; s++)
        mm += m->profile[s];
    mm /= (double)slots;
    if (mm <= 0)
        return;
    for (size_t s = 0; s < slots; s++)
        m->profile[s] /= mm;
    for (size_t s = slots; s < 168; s++)
        m->profile[s] = 1;
    m->level *= mm;
}

/* Fits one kind into m (level, profile, trend); returns its BIC on log residuals.
 * Alternates the profile step with a least-squares trend on deseasonalised rates; three
 * rounds are plenty, both steps being close to orthogonal. */
static double fit_kind(const fitw *w, int fk, rates_model *m)
{
    const rates_trace *tr = w->tr;
    int kind = fk == FK_DAYxDOW ? 2 : fk;
    double lv = 0;
    size_t nu = 0;
    for (size_t i = 0; i < tr->n; i++)
        if (w->use[i]) {
            lv += tr->rate[i];
            nu++;
        }
    if (nu < fk_params[fk] + 2 || lv <= 0)
        return HUGE_VAL;
    m->profile_kind = kind;
    m->level = lv / (double)nu;
    m->trend_per_day = 0;
    for (size_t s = 0; s < 168; s++)
        m->profile[s] = 1;
    for (int round = 0; round < 3; round++) {
        profile_step(w, fk, m);
        if (!w->trend)
            continue;
        double sx = 0, sy = 0, sxx = 0, sxy = 0, nn = 0;
        for (size_t i = 0; i < tr->n; i++) {
            if (!w->use[i])
                continue;
            double t = tmid(tr, i), d = (t - m->t_ref) / 86400;
            double y = tr->rate[i] / (m->level * m->profile[rates_slot(kind, t)]);
            sx += d;
            sy += y;
            sxx += d * d;
            sxy += d * y;
            nn += 1;
        }
        double den = nn * sxx - sx * sx;
        if (den <= 0)
            continue;
        double b = (nn * sxy - sx * sy) / den, a = (sy - b * sx) / nn;
        if (a <= 0)
            continue;
        /* y = a (1 + (b / a) d): a rescales the level at t_ref, b / a is the trend. */
        m->level *= a;
        m->trend_per_day = b / a;
    }
    double rss = 0;
    for (size_t i = 0; i < tr->n; i++) {
        if (!w->use[i])
            continue;
        double r = log(tr->rate[i] + w->eps) - log(rates_base(m, tmid(tr, i)) + w->eps);
        rss += r * r;
    }
    double n = (double)nu;
    return n * log(rss / n + 1e-300) + (double)(fk_params[fk] + w->trend) * log(n);
}

static double robust_sigma(const double *z, const unsigned char *use, size_t n, double *tmp)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (use[i])
            tmp[k++] = z[i];
    if (k == 0)
        return 0;
    double med = median(tmp, k);
    for (size_t i = 0; i < k; i++)
        tmp[i] = fabs(tmp[i] - med);
    return 1.4826 * median(tmp, k);
}

/* Marks burst bins: a core above max(k sigma, log 1.3), widened while above max(2 sigma,
 * log 1.15). k is the normal quantile that noise exceeds once in 20 traces of this many bins
 * (at least 4): a Bonferroni bound, so a year of minutes does not turn its noise into
 * bursts. Returns 1 when the mask changed. */
static int mark_bursts(const rates_trace *tr, const double *z, double sigma, unsigned char *burst)
{
    double k = fmax(4, gsl_cdf_ugaussian_Qinv(0.05 / (double)tr->n));
    double hi = fmax(k * sigma, log(1.3)), lo = fmax(2 * sigma, log(1.15));
    int changed = 0;
    unsigned char *nb = calloc(tr->n, 1);
    if (!nb)
        return 0;
    for (size_t i = 0; i < tr->n; i++) {
        if (!tr->have[i] || z[i] <= hi || nb[i])
            continue;
        size_t a = i, b = i;
        while (a > 0 && tr->have[a - 1] && z[a - 1] > lo)
            a--;
        while (b + 1 < tr->n && tr->have[b + 1] && z[b + 1] > lo)
            b++;
        for (size_t j = a; j <= b; j++)
            nb[j] = 1;
    }
    for (size_t i = 0; i < tr->n; i++) {
        changed |= nb[i] != burst[i];
        burst[i] = nb[i];
    }
    free(nb);
    return changed;
}

static int cmp_ep_size(const void *a, const void *b)
{
    const rates_episode *x = a, *y = b;
    double ex = x->arrivals - x->baseline_rate * x->duration_s;
    double ey = y->arrivals - y->baseline_rate * y->duration_s;
    return ex > ey ? -1 : ex < ey;
}

static int cmp_ep_onset(const void *a, const void *b)
{
    const rates_episode *x = a, *y = b;
    return x->onset < y->onset ? -1 : x->onset > y->onset;
}

/* One episode from burst bins [a, b]; tmp holds at least b - a + 1 doubles. */
static void episode(const rates_trace *tr, const rates_model *m, size_t a, size_t b, double *tmp,
                    rates_episode *e)
{
    double mx = 0, base = 0, arr = 0;
    for (size_t j = a; j <= b; j++) {
        mx = fmax(mx, tr->rate[j]);
        base += rates_base(m, tmid(tr, j));
        arr += tr->rate[j] * tr->bin_s;
    }
    /* The plateau: bins above half-way from the base to the highest; the peak is their
     * median (one noisy bin does not set it), the ramp ends at the first bin at 90% of it. */
    double half = (base / (double)(b - a + 1) + mx) / 2;
    size_t k = 0;
    for (size_t j = a; j <= b; j++)
        if (tr->rate[j] >= half)
            tmp[k++] = tr->rate[j];
    double peak = median(tmp, k);
    size_t f = a, l = b;
    while (tr->rate[f] < 0.9 * peak)
        f++;
    while (tr->rate[l] < 0.9 * peak)
        l--;
    e->onset = tr->t0 + (double)a * tr->bin_s;
    e->duration_s = (double)(b - a + 1) * tr->bin_s;
    e->ramp_s = (double)(f - a) * tr->bin_s;
    e->decay_s = (double)(b - l) * tr->bin_s;
    e->peak_rate = peak;
    e->baseline_rate = base / (double)(b - a + 1);
    e->arrivals = arr;
}

/* The episode's trapezoid at epoch t over the base rate b. */
static double episode_rate(const rates_episode *e, double t, double b)
{
    double x = t - e->onset, top = fmax(e->peak_rate, b);
    if (x < e->ramp_s)
        return b + (top - b) * x / e->ramp_s;
    if (x > e->duration_s - e->decay_s)
        return b + (top - b) * (e->duration_s - x) / e->decay_s;
    return top;
}

static void dispersion(const rates_trace *tr, rates_model *m, const unsigned char *burst)
{
    static const double cand[4] = {0, 3600, 86400, 604800};
    size_t last_k = 0;
    m->ndisp = 0;
    for (int c = 0; c < 4; c++) {
        size_t k = c == 0 ? 1 : (size_t)floor(cand[c] / tr->bin_s + 0.5);
        if (k <= last_k || k == 0 || tr->n / k < 10)
            continue;
        double s = 0;
        size_t nw = 0;
        for (size_t w = 0; (w + 1) * k <= tr->n; w++) {
            double C = 0, E = 0;
            int ok = 1;
            for (size_t j = w * k; j < (w + 1) * k && ok; j++) {
                ok = tr->have[j] && !burst[j];
                C += tr->rate[j] * tr->bin_s;
                E += m->fitted[j] * tr->bin_s;
            }
            if (ok && E > 0) {
                s += (C - E) * (C - E) / E;
                nw++;
            }
        }
        if (nw < 10)
            continue;
        m->disp_scale[m->ndisp] = (double)k * tr->bin_s;
        m->disp_index[m->ndisp++] = s / (double)nw;
        last_k = k;
    }
}

static void episodes_and_fitted(const rates_trace *tr, rates_model *m, const unsigned char *burst,
                                double *tmp)
{
    rates_episode all[4 * RATES_MAX_EPISODES];
    size_t na = 0, total = 0;
    for (size_t i = 0; i < tr->n; i++) {
        if (!burst[i] || (i > 0 && burst[i - 1]))
            continue;
        size_t b = i;
        while (b + 1 < tr->n && burst[b + 1])
            b++;
        total++;
        if (na == sizeof all / sizeof all[0]) {
            qsort(all, na, sizeof *all, cmp_ep_size);
            na = RATES_MAX_EPISODES; /* keep the largest, make room */
        }
        episode(tr, m, i, b, tmp, &all[na++]);
    }
    qsort(all, na, sizeof *all, cmp_ep_size);
    m->nep = na < RATES_MAX_EPISODES ? na : RATES_MAX_EPISODES;
    m->ep_dropped = total - m->nep;
    memcpy(m->ep, all, m->nep * sizeof *all);
    qsort(m->ep, m->nep, sizeof *m->ep, cmp_ep_onset);
    size_t e = 0;
    for (size_t i = 0; i < tr->n; i++) {
        double t = tmid(tr, i), b = rates_base(m, t);
        while (e < m->nep && m->ep[e].onset + m->ep[e].duration_s <= t)
            e++;
        m->fitted[i] = e < m->nep && m->ep[e].onset <= t ? episode_rate(&m->ep[e], t, b) : b;
    }
}

int rates_fit(const rates_trace *tr, rates_model *m, char *err)
{
    memset(m, 0, sizeof *m);
    unsigned char *use = malloc(tr->n), *burst = calloc(tr->n, 1);
    double *buf = malloc(tr->n * sizeof *buf), *z = malloc(tr->n * sizeof *z);
    double *ratio = malloc(tr->n * sizeof *ratio);
    m->fitted = malloc(tr->n * sizeof *m->fitted);
    int rc = 0;
    if (!use || !burst || !buf || !z || !ratio || !m->fitted) {
        rc = st_err(err, ST_ENOMEM, "out of memory");
        goto out;
    }
    m->nfitted = tr->n;
    double tsum = 0;
    size_t nv = 0;
    for (size_t i = 0; i < tr->n; i++)
        if (tr->have[i]) {
            tsum += tmid(tr, i);
            nv++;
        }
    if (nv < 3) {
        rc = st_err(err, ST_EINPUT, "the trace has %zu usable bins: at least 3 are needed", nv);
        goto out;
    }
    m->t_ref = tsum / (double)nv;
    double span = (double)tr->n * tr->bin_s;
    fitw w = {tr, use, buf, ratio, span >= 2 * 86400, 0};
    double lv = 0;
    for (size_t i = 0; i < tr->n; i++)
        lv += tr->have[i] ? tr->rate[i] : 0;
    w.eps = tr->counts ? 0.5 / tr->bin_s : 1e-3 * lv / (double)nv + 1e-12;
    /* Which kinds the span supports: a day twice for hour of day, two weeks for hour of
     * week (hour x day-of-week needs a week and a day). */
    int ok[FK_N] = {1, tr->bin_s <= 3600 && span >= 2 * 86400,
                    tr->bin_s <= 3600 && span >= 14 * 86400,
                    tr->bin_s <= 3600 && span >= 8 * 86400};
    for (int round = 0; round < MAX_ROUNDS; round++) {
        for (size_t i = 0; i < tr->n; i++)
            use[i] = tr->have[i] && !burst[i];
        int best = 0;
        rates_model cand;
        for (int k = 0; k < FK_N; k++) {
            m->bic[k] = HUGE_VAL;
            if (!ok[k])
                continue;
            memcpy(&cand, m, sizeof cand);
            m->bic[k] = fit_kind(&w, k, &cand);
            if (m->bic[k] < m->bic[best])
                best = k;
        }
        m->fit_kind = best;
        fit_kind(&w, best, m);
        m->rounds = round + 1;
        for (size_t i = 0; i < tr->n; i++)
            z[i] = tr->have[i] ? log(tr->rate[i] + w.eps) - log(rates_base(m, tmid(tr, i)) + w.eps)
                               : 0;
        double sigma = robust_sigma(z, use, tr->n, buf);
        if (!mark_bursts(tr, z, sigma, burst))
            break;
    }
    /* The level is the mean rate outside bursts, not the median the slots are built on. */
    double so = 0, sf = 0;
    for (size_t i = 0; i < tr->n; i++)
        if (use[i]) {
            so += tr->rate[i];
            sf += rates_base(m, tmid(tr, i));
        }
    if (sf > 0)
        m->level *= so / sf;
    episodes_and_fitted(tr, m, burst, buf);
    dispersion(tr, m, burst);
    size_t ne = 0;
    for (size_t i = 0; i < tr->n; i++) {
        m->burst_bins += burst[i];
        if (!tr->have[i])
            continue;
        if (tr->rate[i] <= 0) {
            m->zero_bins++;
            continue;
        }
        buf[ne++] = fabs(m->fitted[i] - tr->rate[i]) / tr->rate[i];
    }
    if (ne)
        m->median_rel_err = median(buf, ne);
    m->nerr = ne;
out:
    free(use);
    free(burst);
    free(buf);
    free(z);
    free(ratio);
    if (rc < 0)
        rates_model_term(m);
    return rc;
}

void rates_model_term(rates_model *m)
{
    free(m->fitted);
    m->fitted = NULL;
    m->nfitted = 0;
}
