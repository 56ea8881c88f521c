/*
 * fit_bursts.c -- Kleinberg episodes and item convergence (see fit_bursts.h).
 */
#include "fit_bursts.h"

#include <gsl/gsl_sf_gamma.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* -log Poisson(c; r) without the c! term (it is the same in both states). */
static double pois_cost(uint32_t c, double r)
{
    return r - (double)c * log(r);
}

int fit_bursts(const uint32_t *c, size_t nb, double bin_s, burst_fit *o, char *err)
{
    memset(o, 0, sizeof *o);
    o->bin_s = bin_s;
    if (nb < 12)
        return 0;
    double *base = malloc(nb * sizeof *base);
    unsigned char *from1 = malloc(nb * 2);
    size_t half = (size_t)(900 / bin_s);
    uint32_t *win = malloc((2 * half + 1) * sizeof *win);
    if (!base || !from1 || !win) {
        free(base);
        free(from1);
        free(win);
        return st_err(err, ST_ENOMEM, "out of memory");
    }
    double total = 0;
    for (size_t i = 0; i < nb; i++)
        total += c[i];
    double floor_rate = total / (double)nb * 0.05 + 1e-3;
    /* Moving median over +-15 min, evaluated every minute-equivalent and held in between. */
    size_t step = (size_t)(60 / bin_s) ? (size_t)(60 / bin_s) : 1;
    for (size_t i = 0; i < nb; i += step) {
        size_t a = i > half ? i - half : 0, e = i + half + 1 < nb ? i + half + 1 : nb, k = 0;
        for (size_t j = a; j < e; j++)
            win[k++] = c[j];
        qsort(win, k, sizeof *win, cmp_u32);
        double med = k % 2 ? win[k / 2] : 0.5 * (win[k / 2 - 1] + win[k / 2]);
        /* The mean of the lower half guards against a median of 0 in sparse series. */
        double r = med > floor_rate ? med : floor_rate;
        for (size_t j = i; j < i + step && j < nb; j++)
            base[j] = r;
    }
    /* Viterbi over two states. */
    double up = BURST_GAMMA * log((double)nb);
    double v0 = pois_cost(c[0], base[0]), v1 = pois_cost(c[0], BURST_S * base[0]) + up;
    for (size_t i = 1; i < nb; i++) {
        double c0 = pois_cost(c[i], base[i]), c1 = pois_cost(c[i], BURST_S * base[i]);
        double n0a = v0, n0b = v1;      /* into state 0 from 0 or 1 (free) */
        double n1a = v0 + up, n1b = v1; /* into state 1 */
        from1[2 * i] = n0b < n0a;
        from1[2 * i + 1] = n1b <= n1a;
        v0 = (n0b < n0a ? n0b : n0a) + c0;
        v1 = (n1b <= n1a ? n1b : n1a) + c1;
    }
    unsigned char *st = malloc(nb);
    if (!st) {
        free(base);
        free(from1);
        free(win);
        return st_err(err, ST_ENOMEM, "out of memory");
    }
    int s = v1 < v0;
    for (size_t i = nb; i-- > 0;) {
        st[i] = (unsigned char)s;
        if (i > 0)
            s = from1[2 * i + (size_t)s];
    }
    /* Runs of state 1, merged across short gaps, kept when long enough. */
    size_t merge = (size_t)ceil(30 / bin_s), minlen = (size_t)ceil(60 / bin_s);
    size_t i = 0;
    while (i < nb && o->n < BURST_MAX_EPISODES) {
        if (!st[i]) {
            i++;
            continue;
        }
        size_t a = i, e = i;
        for (;;) {
            while (e < nb && st[e])
                e++;
            size_t g = e;
            while (g < nb && !st[g] && g - e < merge)
                g++;
            if (g < nb && st[g] && g - e < merge)
                e = g;
            else
                break;
        }
        i = e;
        if (e - a < minlen)
            continue;
        burst_episode *ep = &o->ep[o->n++];
        ep->onset = (double)a * bin_s;
        ep->end = (double)e * bin_s;
        ep->duration_s = ep->end - ep->onset;
        /* Peak: the 60th percentile of the episode's bins -- the plateau level a replay
         * should hold, not the noisiest bin; the ramp ends at the first bin reaching 90% of
         * it, the decay starts after the last. */
        double bsum = 0;
        size_t len = e - a;
        uint32_t *sorted = malloc(len * sizeof *sorted);
        if (!sorted) {
            o->n--;
            break;
        }
        for (size_t j = a; j < e; j++) {
            bsum += base[j];
            ep->sessions += c[j];
            sorted[j - a] = c[j];
        }
        qsort(sorted, len, sizeof *sorted, cmp_u32);
        double peak = sorted[(size_t)(0.6 * (double)(len - 1))];
        free(sorted);
        size_t first = a, last = e - 1;
        while (first < e && c[first] < 0.9 * peak)
            first++;
        while (last > a && c[last] < 0.9 * peak)
            last--;
        ep->baseline_rate = bsum / (double)len / bin_s;
        ep->peak_rate = peak / bin_s;
        ep->ramp_s = (double)(first - a) * bin_s;
        ep->decay_s = (double)(e - 1 - last) * bin_s;
    }
    free(st);
    free(base);
    free(from1);
    free(win);
    return 0;
}

/* Half-width of the moving average the shape is read from: 21 s averages out the Poisson
 * noise of a few sessions a second yet keeps a peak 20 s after onset where it is. */
#define SHAPE_HALF 10
/* The rise is read through a narrower window: a wide one starts it early by up to its
 * half-width on a steep rise. */
#define SHAPE_RISE_HALF 5
/* A burst whose smoothed excess stays above 80% of its maximum for less than this is a
 * peak (a campaign email: arrivals ramp up, peak, tail off), not a plateau to hold. */
#define SHAPE_PEAK_HOLD_S 60

/* A burst's tail (a crowd's late children) runs on past the automaton's end: the baseline
 * mean skips this long after every episode. */
#define SHAPE_TAIL_S 60

/* The mean session count per second over +-15 min around [a, e), outside every episode and
 * its tail; -1 when nothing is left. The moving median fit_bursts uses to find episodes sits
 * below the mean of over-dispersed counts, and the crowd's share needs the mean. */
static double local_mean(const uint32_t *sec, size_t nsec, const burst_fit *bf, size_t a, size_t e)
{
    size_t lo = a > 900 ? a - 900 : 0, hi = e + 900 < nsec ? e + 900 : nsec;
    double sum = 0;
    size_t n = 0;
    for (size_t i = lo; i < hi; i++) {
        int out = 1;
        for (size_t k = 0; k < bf->n && out; k++)
            out = (double)i < bf->ep[k].onset || (double)i >= bf->ep[k].end + SHAPE_TAIL_S;
        if (out) {
            sum += sec[i];
            n++;
        }
    }
    return n ? sum / (double)n : -1;
}

/* The mean of sec over the window i +- half, clipped at the series' ends. */
static double shape_ma(const uint32_t *sec, size_t nsec, size_t i, size_t half)
{
    size_t lo = i > half ? i - half : 0;
    size_t hi = i + half + 1 < nsec ? i + half + 1 : nsec;
    double sum = 0;
    for (size_t j = lo; j < hi; j++)
        sum += sec[j];
    return hi > lo ? sum / (double)(hi - lo) : 0;
}

/* Where the rise of an episode starts, from the smoothed excess over the baseline b: the
 * first second i90 in [a, e) at 90% of the excess ex, the last one before it under 10%
 * (searched back at most a minute before a), and a linear rise through both points.
 * Kleinberg's 10-s bins find the onset one bin late on a ramp: its first bin holds too
 * little excess to pay for the state change. Returns 0 and *start, *i90; -1 if no rise. */
static int shape_rise(const uint32_t *sec, size_t nsec, size_t a, size_t e, double b, double ex,
                      double *start, size_t *i90)
{
    size_t i = a;
    while (i < e && shape_ma(sec, nsec, i, SHAPE_RISE_HALF) - b < 0.9 * ex)
        i++;
    if (i == e)
        return -1;
    size_t floor_i = a > 60 ? a - 60 : 0, j = i;
    while (j > floor_i && shape_ma(sec, nsec, j - 1, SHAPE_RISE_HALF) - b >= 0.1 * ex)
        j--;
    /* j is the first second of the rise at or above 10%; the line through (j, 10%) and
     * (i, 90%) starts an eighth of their distance before j. */
    double r = (double)(i - j) / 0.8;
    *start = (double)j - 0.1 * r;
    if (*start < (double)floor_i)
        *start = (double)floor_i;
    *i90 = i;
    return 0;
}

void bursts_shape(const uint32_t *sec, size_t nsec, burst_fit *bf)
{
    for (size_t k = 0; k < bf->n; k++) {
        burst_episode *ep = &bf->ep[k];
        size_t a = (size_t)ep->onset, e = (size_t)ep->end;
        if (e > nsec)
            e = nsec;
        if (e <= a)
            continue;
        double mean = local_mean(sec, nsec, bf, a, e);
        if (mean >= 0)
            ep->baseline_rate = mean;
        double b = ep->baseline_rate, best = -1;
        size_t at = a;
        for (size_t i = a; i < e; i++) {
            double y = shape_ma(sec, nsec, i, SHAPE_HALF);
            if (y > best) {
                best = y;
                at = i;
            }
        }
        if (best - b <= 0)
            continue;
        /* How long the smoothed excess stays near its maximum: a peak or a plateau. */
        size_t hold = 0, n90 = 0;
        double sum90 = 0;
        for (size_t i = a; i < e; i++) {
            double x = shape_ma(sec, nsec, i, SHAPE_HALF) - b;
            hold += x >= 0.8 * (best - b);
            if (x >= 0.9 * (best - b)) {
                sum90 += (double)i;
                n90++;
            }
        }
        int peaked = hold < SHAPE_PEAK_HOLD_S;
        /* A peak is its smoothed maximum; a plateau keeps fit_bursts' 60th percentile. */
        double level = peaked ? best : ep->peak_rate;
        double start;
        size_t i90;
        if (level - b <= 0 || shape_rise(sec, nsec, a, e, b, level - b, &start, &i90) < 0)
            continue;
        if (start < ep->onset) {
            ep->onset = start;
            ep->duration_s = ep->end - ep->onset;
            ep->sessions = 0; /* recounted over the episode that the convergence reads */
            for (size_t i = (size_t)ceil(start); i < e; i++)
                ep->sessions += sec[i];
        }
        ep->peak_rate = level;
        if (peaked) {
            /* The time of the peak is the centre of the seconds within 10% of the maximum:
             * on a broad top the maximum itself wanders with the noise; the centre stays
             * within a few seconds of the mode of a gamma-shaped rise (shape 1.5 to 3). */
            double tp = n90 ? sum90 / (double)n90 : (double)at;
            ep->ramp_s = tp - ep->onset;
            ep->decay_s = ep->end - tp; /* no hold: the peak is a point */
        } else {
            /* The linear rise that brings as many extra sessions by T, 20 s into the
             * plateau, as the log holds: C(T) = E (T - ramp / 2). An area, unlike the time
             * of a crossing, averages the noise of every second of the rise. */
            size_t T = i90 + 20 < e ? i90 + 20 : e, i0 = (size_t)ceil(ep->onset);
            double area = 0, E = level - b;
            for (size_t i = i0; i < T; i++)
                area += (double)sec[i] - b;
            double r = 2 * ((double)T - ep->onset - area / E);
            ep->ramp_s = r > 0 ? r : 0;
            if (ep->ramp_s + ep->decay_s > ep->duration_s)
                ep->ramp_s = fmax(0, ep->duration_s - ep->decay_s);
        }
    }
}

typedef struct item_count {
    uint64_t item;
    uint64_t base, ep, pre, sess;
} item_count;

static int cmp_item(const void *a, const void *b)
{
    const item_count *x = a, *y = b;
    return x->item < y->item ? -1 : x->item > y->item;
}

static int cmp_base_desc(const void *a, const void *b)
{
    const item_count *x = a, *y = b;
    if (x->base != y->base)
        return x->base > y->base ? -1 : 1;
    return x->item < y->item ? -1 : x->item > y->item;
}

/* A crowd's children start after their parents: a session that starts up to this long after
 * an episode still belongs to it, and stays out of the baseline mix. */
#define CONV_CHILD_TAIL_S 120.0
/* Fewer in-window requests from sessions that began before the onset than this cannot tell
 * a window-bound convergence from a session-bound one. */
#define CONV_MIN_PRE 30

/* Whether a sampled event belongs to the baseline mix: outside every episode, from a session
 * that began outside every episode and its child tail (a session-bound crowd keeps
 * converging after its episode). off: episode time of the sample's t = 0. */
static int iev_baseline(const item_ev *v, const burst_fit *bf, double off)
{
    double t = (double)v->t - off, st = (double)v->sess_t - off;
    for (size_t q = 0; q < bf->n; q++)
        if ((t >= bf->ep[q].onset && t < bf->ep[q].end) ||
            (st >= bf->ep[q].onset && st < bf->ep[q].end + CONV_CHILD_TAIL_S))
            return 0;
    return 1;
}

/* The sampled events of `route`, counted per item into the groups of episode k: base
 * (outside every episode, from sessions that began outside every episode and its child
 * tail), ep (inside episode k), pre (inside k, from sessions that began before its onset),
 * sess (any time, from sessions that began inside k). base[i]: iev_baseline of event i,
 * computed once for every episode. Merged by item; returns the count. */
static size_t conv_groups(const ingest *g, const burst_fit *bf, size_t k, uint32_t route,
                          const unsigned char *base, item_count *ic)
{
    double off = floor(g->first_ts) - g->t0; /* episodes count from the first line's second */
    const burst_episode *ep = &bf->ep[k];
    size_t n = 0;
    for (size_t i = 0; i < g->niev; i++) {
        if (g->iev[i].route != route)
            continue;
        double t = (double)g->iev[i].t - off, st = (double)g->iev[i].sess_t - off;
        item_count c = {g->iev[i].item, base[i], t >= ep->onset && t < ep->end, 0,
                        st >= ep->onset && st < ep->end};
        c.pre = c.ep && st < ep->onset;
        if (c.base || c.ep || c.sess)
            ic[n++] = c;
    }
    qsort(ic, n, sizeof *ic, cmp_item);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && ic[m - 1].item == ic[i].item) {
            ic[m - 1].base += ic[i].base;
            ic[m - 1].ep += ic[i].ep;
            ic[m - 1].pre += ic[i].pre;
            ic[m - 1].sess += ic[i].sess;
        } else {
            ic[m++] = ic[i];
        }
    }
    return m;
}

/* The share of a group's requests beyond what baseline popularity q explains. */
static double excess(uint64_t hot, uint64_t total, double q)
{
    return total && q < 1 ? ((double)hot / (double)total - q) / (1 - q) : 0;
}

/* Convergence of one episode from its merged groups (sorted by baseline rank). per_sess:
 * sampled requests to the route per baseline session (0 when unknown). */
static void conv_episode(burst_episode *ep, uint32_t route, const item_count *ic, size_t m,
                         double per_sess)
{
    uint64_t tb = 0, te = 0, tp = 0, ts = 0;
    for (size_t i = 0; i < m; i++) {
        tb += ic[i].base;
        te += ic[i].ep;
        tp += ic[i].pre;
        ts += ic[i].sess;
    }
    if (te == 0 || tb == 0)
        return;
    double tv = 0;
    for (size_t i = 0; i < m; i++)
        tv += fabs((double)ic[i].ep / (double)te - (double)ic[i].base / (double)tb);
    /* Top k of the episode, by episode count, with their baseline ranks. */
    size_t top[BURST_TOPK];
    int k = 0;
    for (; k < BURST_TOPK && (size_t)k < m; k++) {
        size_t best = SIZE_MAX;
        for (size_t i = 0; i < m; i++) {
            int used = 0;
            for (int q = 0; q < k; q++)
                used |= top[q] == i;
            if (!used && (best == SIZE_MAX || ic[i].ep > ic[best].ep))
                best = i;
        }
        top[k] = best;
    }
    uint64_t se = 0, sb = 0, sp = 0, ss = 0;
    for (int q = 0; q < k; q++) {
        se += ic[top[q]].ep;
        sb += ic[top[q]].base;
        sp += ic[top[q]].pre;
        ss += ic[top[q]].sess;
        ep->conv.hot_ranks[q] = top[q] + 1;
    }
    ep->conv.valid = 1;
    ep->conv.route = route;
    ep->conv.top_k = k;
    ep->conv.requests = te;
    ep->conv.top_k_share = (double)se / (double)te;
    ep->conv.tv = tv / 2;
    double qb = (double)sb / (double)tb;
    double x_win = excess(se, te, qb), x_pre = excess(sp, tp, qb), hs = x_win;
    /* Two ways a crowd converges. Bound to the window (a banner everybody sees), sessions
     * that were already browsing at the onset converge too, and the excess of the window's
     * requests is the share. Bound to the crowd's sessions (a campaign email: who came for
     * the product keeps looking at it, after the episode too, and so do the sessions it
     * spawns), those earlier sessions do not, the window mixes crowd and baseline sessions,
     * and the share is the excess of the requests of the sessions that began in the
     * episode, over the share f of those sessions that the baseline does not explain. */
    ep->conv.session_bound = tp >= CONV_MIN_PRE && x_pre < 0.5 * x_win;
    if (ep->conv.session_bound) {
        /* f is the crowd's share of those sessions' requests: the baseline's sessions in the
         * episode times its requests per session, against all of them. Weighing requests,
         * not sessions, keeps f right when the crowd browses more or less than the baseline
         * (a campaign's visitors often bounce). */
        double expect = ep->baseline_rate * ep->duration_s;
        double f = ep->sessions ? 1 - expect / (double)ep->sessions : 0;
        if (per_sess > 0 && ts > 0)
            f = 1 - expect * per_sess / (double)ts;
        hs = f > 0.05 ? excess(ss, ts, qb) / f : x_win;
    }
    ep->conv.hot_share = hs < 0 ? 0 : hs > 1 ? 1 : hs;
}

/* Whether episode time x falls in an episode or its child tail. */
static int in_crowd_time(const burst_fit *bf, double x)
{
    for (size_t q = 0; q < bf->n; q++)
        if (x >= bf->ep[q].onset && x < bf->ep[q].end + CONV_CHILD_TAIL_S)
            return 1;
    return 0;
}

/* Sampled requests to `route` per session, over the sessions that began outside every
 * episode and its child tail (the per-second session counts of g); 0 when there are none. */
static double conv_per_session(const ingest *g, const burst_fit *bf, uint32_t route, double off)
{
    double sessions = 0, events = 0;
    for (size_t i = 0; g->sec_sessions && i < g->nsec; i++)
        if (!in_crowd_time(bf, (double)i - off))
            sessions += g->sec_sessions[i];
    for (size_t i = 0; i < g->niev; i++)
        if (g->iev[i].route == route && !in_crowd_time(bf, (double)g->iev[i].sess_t - off))
            events++;
    return sessions > 0 ? events / sessions : 0;
}

int bursts_convergence(const ingest *g, burst_fit *bf, char *err)
{
    if (bf->n == 0 || g->niev == 0)
        return 0;
    /* The item route with the most sampled events. */
    uint64_t *per = calloc(g->rt.n + 1, sizeof *per);
    if (!per)
        return st_err(err, ST_ENOMEM, "out of memory");
    for (size_t i = 0; i < g->niev; i++)
        if (g->iev[i].route < g->rt.n)
            per[g->iev[i].route]++;
    uint32_t route = 0;
    for (uint32_t r = 0; r < g->rt.n; r++)
        if (per[r] > per[route])
            route = r;
    free(per);
    item_count *ic = malloc(g->niev * sizeof *ic);
    unsigned char *base = malloc(g->niev);
    if (!ic || !base) {
        free(ic);
        free(base);
        return st_err(err, ST_ENOMEM, "out of memory");
    }
    double off = floor(g->first_ts) - g->t0;
    for (size_t i = 0; i < g->niev; i++)
        base[i] = (unsigned char)iev_baseline(&g->iev[i], bf, off);
    double per_sess = conv_per_session(g, bf, route, off);
    for (size_t e = 0; e < bf->n; e++) {
        size_t m = conv_groups(g, bf, e, route, base, ic);
        qsort(ic, m, sizeof *ic, cmp_base_desc); /* baseline rank order */
        conv_episode(&bf->ep[e], route, ic, m, per_sess);
    }
    free(base);
    free(ic);
    return 0;
}

static int cmp_u64_desc(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x > y ? -1 : x < y;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int bursts_baseline_counts(const ingest *g, const burst_fit *bf, uint32_t route, uint64_t **counts,
                           size_t *n, char *err)
{
    *counts = NULL;
    *n = 0;
    if (g->iev_stride != 1 || g->niev == 0)
        return 0;
    uint64_t *items = malloc(g->niev * sizeof *items);
    if (!items)
        return st_err(err, ST_ENOMEM, "out of memory");
    double off = floor(g->first_ts) - g->t0;
    size_t k = 0;
    for (size_t i = 0; i < g->niev; i++) {
        if (g->iev[i].route != route)
            continue;
        if (iev_baseline(&g->iev[i], bf, off))
            items[k++] = g->iev[i].item;
    }
    qsort(items, k, sizeof *items, cmp_u64);
    size_t m = 0;
    for (size_t i = 0; i < k;) {
        size_t j = i;
        while (j < k && items[j] == items[i])
            j++;
        items[m++] = j - i; /* counts overwrite the sorted prefix, which is no longer read */
        i = j;
    }
    if (m == 0) {
        free(items);
        return 0;
    }
    qsort(items, m, sizeof *items, cmp_u64_desc);
    *counts = items;
    *n = m;
    return 0;
}
