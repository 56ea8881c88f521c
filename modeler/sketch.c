/*
 * sketch.c -- ctab, hll and resv (see sketch.h).
 */
#include "sketch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

ctab *ctab_new(size_t cap)
{
    ctab *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->cap = cap < 16 ? 16 : cap;
    t->size = 64;
    t->e = calloc(t->size, sizeof *t->e);
    if (!t->e) {
        free(t);
        return NULL;
    }
    return t;
}

void ctab_free(ctab *t)
{
    if (!t)
        return;
    free(t->e);
    free(t);
}

static size_t ctab_slot(const ctab_entry *e, size_t size, uint64_t key)
{
    size_t m = size - 1, i = (size_t)sketch_mix(key) & m;
    while (e[i].key && e[i].key != key)
        i = (i + 1) & m;
    return i;
}

static int ctab_rehash(ctab *t, size_t size)
{
    ctab_entry *n = calloc(size, sizeof *n);
    if (!n)
        return ST_ENOMEM;
    for (size_t i = 0; i < t->size; i++)
        if (t->e[i].key)
            n[ctab_slot(n, size, t->e[i].key)] = t->e[i];
    free(t->e);
    t->e = n;
    t->size = size;
    return 0;
}

/* Lossy-counting sweep: evicts entries at or below a doubling threshold. */
static int ctab_sweep(ctab *t)
{
    uint64_t thr = 1;
    size_t target = t->cap - t->cap / 4;
    while (t->used > target) {
        size_t kept = 0;
        for (size_t i = 0; i < t->size; i++) {
            if (!t->e[i].key)
                continue;
            if (t->e[i].count <= thr) {
                t->evicted += t->e[i].count;
                t->e[i].key = 0;
                t->e[i].count = 0;
            } else {
                kept++;
            }
        }
        t->used = kept;
        thr *= 2;
    }
    return ctab_rehash(t, t->size); /* removes tombstone-free gaps left by deletion */
}

int ctab_add(ctab *t, uint64_t key, uint64_t n)
{
    if (key == 0)
        key = 0x8000000000000001ull;
    t->total += n;
    size_t i = ctab_slot(t->e, t->size, key);
    if (t->e[i].key) {
        t->e[i].count += n;
        return 0;
    }
    if (t->used + 1 > t->cap) {
        if (ctab_sweep(t) < 0)
            return ST_ENOMEM;
    }
    if ((t->used + 1) * 2 > t->size) {
        if (ctab_rehash(t, t->size * 2) < 0)
            return ST_ENOMEM;
    }
    i = ctab_slot(t->e, t->size, key);
    t->e[i].key = key;
    t->e[i].count = n;
    t->used++;
    return 0;
}

uint64_t ctab_get(const ctab *t, uint64_t key)
{
    if (key == 0)
        key = 0x8000000000000001ull;
    size_t i = ctab_slot(t->e, t->size, key);
    return t->e[i].key ? t->e[i].count : 0;
}

static int ctab_cmp(const void *a, const void *b)
{
    const ctab_entry *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return x->key < y->key ? -1 : x->key > y->key;
}

ctab_entry *ctab_sorted(const ctab *t, size_t *n)
{
    *n = 0;
    if (!t || t->used == 0)
        return NULL;
    ctab_entry *out = malloc(t->used * sizeof *out);
    if (!out)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < t->size; i++)
        if (t->e[i].key)
            out[k++] = t->e[i];
    qsort(out, k, sizeof *out, ctab_cmp);
    *n = k;
    return out;
}

void hll_init(hll *h)
{
    memset(h->reg, 0, sizeof h->reg);
}

void hll_add(hll *h, uint64_t x)
{
    uint64_t idx = x >> (64 - HLL_BITS);
    uint64_t w = (x << HLL_BITS) | (1ull << (HLL_BITS - 1));
    uint8_t rho = (uint8_t)(__builtin_clzll(w) + 1);
    if (rho > h->reg[idx])
        h->reg[idx] = rho;
}

double hll_estimate(const hll *h)
{
    const double m = (double)(1u << HLL_BITS);
    double sum = 0;
    size_t zeros = 0;
    for (size_t i = 0; i < (1u << HLL_BITS); i++) {
        sum += ldexp(1.0, -h->reg[i]);
        zeros += h->reg[i] == 0;
    }
    double alpha = 0.7213 / (1 + 1.079 / m);
    double e = alpha * m * m / sum;
    if (e <= 2.5 * m && zeros > 0)
        e = m * log(m / (double)zeros); /* linear counting for small cardinalities */
    return e;
}

resv *resv_new(size_t cap, uint64_t seed, const char *purpose)
{
    resv *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->v = malloc((cap ? cap : 1) * sizeof *r->v);
    if (!r->v) {
        free(r);
        return NULL;
    }
    r->cap = cap ? cap : 1;
    rng_stream_init(&r->rs, seed, rng_stream_id(purpose));
    return r;
}

void resv_free(resv *r)
{
    if (!r)
        return;
    free(r->v);
    free(r);
}

/* Li's algorithm L (1994): once full, draw how many items to skip before the next
 * replacement, so the random stream is consulted O(k log(n/k)) times, not once per item. */
static void resv_schedule(resv *r)
{
    r->w *= exp(log(rng_uniform(&r->rs)) / (double)r->cap);
    double skip = floor(log(rng_uniform(&r->rs)) / log1p(-r->w));
    r->next = r->seen + (skip < 1e18 ? (uint64_t)skip : (uint64_t)1e18) + 1;
}

void resv_add(resv *r, double x)
{
    r->seen++;
    if (r->n < r->cap) {
        r->sorted = 0;
        r->v[r->n++] = x;
        if (r->n == r->cap) {
            r->w = 1;
            resv_schedule(r);
        }
        return;
    }
    if (r->seen == r->next) {
        r->sorted = 0;
        r->v[rng_below(&r->rs, r->cap)] = x;
        resv_schedule(r);
    }
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double resv_quantile(resv *r, double p)
{
    if (!r || r->n == 0)
        return 0;
    /* Quantiles are asked in pairs (median, p95): sorting an array sorted already would
     * give the same array at the cost of a full sort. */
    if (!r->sorted)
        qsort(r->v, r->n, sizeof *r->v, dbl_cmp);
    r->sorted = 1;
    double pos = p * (double)(r->n - 1);
    size_t i = (size_t)pos;
    if (i + 1 >= r->n)
        return r->v[r->n - 1];
    double f = pos - (double)i;
    return r->v[i] * (1 - f) + r->v[i + 1] * f;
}
