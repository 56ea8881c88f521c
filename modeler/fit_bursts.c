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
        double n0a = v0, n0b = v1;            /* into state 0 from 0 or 1 (free) */
        double n1a = v0 + up, n1b = v1;       /* into state 1 */
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

typedef struct item_count {
    uint64_t item;
    uint64_t base, ep;
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
    double off = floor(g->first_ts) - g->t0; /* episodes count from the first line's second */
    for (size_t e = 0; e < bf->n; e++) {
        burst_episode *ep = &bf->ep[e];
        item_count *ic = malloc(g->niev * sizeof *ic);
        if (!ic)
            return st_err(err, ST_ENOMEM, "out of memory");
        size_t n = 0;
        for (size_t i = 0; i < g->niev; i++) {
            if (g->iev[i].route != route)
                continue;
            double t = (double)g->iev[i].t - off;
            int in_this = t >= ep->onset && t < ep->end;
            int in_any = 0;
            for (size_t k = 0; k < bf->n && !in_any; k++)
                in_any = t >= bf->ep[k].onset && t < bf->ep[k].end;
            if (in_any && !in_this)
                continue;
            ic[n].item = g->iev[i].item;
            ic[n].base = !in_any;
            ic[n].ep = in_this;
            n++;
        }
        qsort(ic, n, sizeof *ic, cmp_item);
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (m && ic[m - 1].item == ic[i].item) {
                ic[m - 1].base += ic[i].base;
                ic[m - 1].ep += ic[i].ep;
            } else {
                ic[m++] = ic[i];
            }
        }
        uint64_t tb = 0, te = 0;
        for (size_t i = 0; i < m; i++) {
            tb += ic[i].base;
            te += ic[i].ep;
        }
        if (te == 0 || tb == 0) {
            free(ic);
            continue;
        }
        double tv = 0;
        for (size_t i = 0; i < m; i++)
            tv += fabs((double)ic[i].ep / (double)te - (double)ic[i].base / (double)tb);
        qsort(ic, m, sizeof *ic, cmp_base_desc); /* baseline rank order */
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
        uint64_t se = 0, sb = 0;
        for (int q = 0; q < k; q++) {
            se += ic[top[q]].ep;
            sb += ic[top[q]].base;
            ep->conv.hot_ranks[q] = top[q] + 1;
        }
        ep->conv.valid = 1;
        ep->conv.route = route;
        ep->conv.top_k = k;
        ep->conv.requests = te;
        ep->conv.top_k_share = (double)se / (double)te;
        double qb = (double)sb / (double)tb;
        double hs = qb < 1 ? (ep->conv.top_k_share - qb) / (1 - qb) : 0;
        ep->conv.hot_share = hs < 0 ? 0 : hs;
        ep->conv.tv = tv / 2;
        free(ic);
    }
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

int bursts_baseline_counts(const ingest *g, const burst_fit *bf, uint32_t route,
                           uint64_t **counts, size_t *n, char *err)
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
        double t = (double)g->iev[i].t - off;
        int in_any = 0;
        for (size_t e = 0; e < bf->n && !in_any; e++)
            in_any = t >= bf->ep[e].onset && t < bf->ep[e].end;
        if (!in_any)
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
