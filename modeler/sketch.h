/*
 * sketch.h -- bounded-memory counting structures for the streaming pass.
 *
 * ctab: a counting hash table of 64-bit keys with a hard capacity. Below capacity counts are
 * exact. When full, entries with the smallest counts are evicted in one sweep (lossy
 * counting: the threshold doubles until at least a quarter of the slots are free) and the
 * evicted mass is remembered, so heavy hitters stay exact-since-insertion and memory never
 * grows past the cap. Keys 0 are remapped (0 marks an empty slot).
 *
 * hll: HyperLogLog with 2^12 registers (Flajolet et al. 2007), ~1.6% standard error, for
 * distinct clients without keeping any address.
 *
 * resv: a fixed-size uniform reservoir sample of doubles (Li's algorithm L) driven by an
 * rng_stream, so the sample is the same for the same seed.
 *
 * All three are create/free pairs; *_free(NULL) is a no-op; the record paths never allocate
 * except ctab's lazy growth up to its cap.
 */
#ifndef MODELER_SKETCH_H
#define MODELER_SKETCH_H

#include <stddef.h>
#include <stdint.h>
#include "rng.h"

typedef struct ctab_entry {
    uint64_t key;
    uint64_t count;
} ctab_entry;

typedef struct ctab {
    ctab_entry *e;
    size_t size; /* slots (power of two) */
    size_t used;
    size_t cap;       /* max entries */
    uint64_t evicted; /* total count of evicted entries */
    uint64_t total;   /* every count added */
} ctab;

ctab *ctab_new(size_t cap); /* NULL on ENOMEM */
void ctab_free(ctab *t);
int ctab_add(ctab *t, uint64_t key, uint64_t n); /* 0, or ST_ENOMEM (count dropped) */
uint64_t ctab_get(const ctab *t, uint64_t key);
/* Copies the entries sorted by count (descending, ties by key) into a malloc'd array
 * (caller frees); *n receives the count. NULL when empty or on ENOMEM. */
ctab_entry *ctab_sorted(const ctab *t, size_t *n);

#define HLL_BITS 12
typedef struct hll {
    uint8_t reg[1u << HLL_BITS];
} hll;
void hll_init(hll *h);
void hll_add(hll *h, uint64_t hash); /* hash must be well mixed */
double hll_estimate(const hll *h);

typedef struct resv {
    double *v;
    size_t cap, n;
    uint64_t seen;
    uint64_t next; /* index of the next item to take once full */
    double w;
    rng_stream rs;
    int sorted; /* v is in order (resv_quantile sorted it and nothing was stored since) */
} resv;
resv *resv_new(size_t cap, uint64_t seed, const char *purpose); /* NULL on ENOMEM */
void resv_free(resv *r);
void resv_add(resv *r, double x);
/* Sorts the sample in place and returns the p-quantile (p in [0,1]); 0 when empty. */
double resv_quantile(resv *r, double p);

/* A 64-bit finaliser (splitmix64). Inline: it runs several times on every line. */
static inline uint64_t sketch_mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

#endif
