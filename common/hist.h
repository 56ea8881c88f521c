/*
 * hist.h -- a mergeable HDR-style histogram of non-negative integer values (microseconds for
 * latencies).
 *
 * Log-linear buckets (as HdrHistogram): values below 2^HIST_SUB_BITS are exact; above, each
 * power-of-two range is split into 2^(HIST_SUB_BITS-1) equal sub-buckets, so the relative
 * error of any reported value is below 2^-(HIST_SUB_BITS-1) = 1/1024 (3 significant digits).
 * Range 0 .. HIST_MAX (> 1 hour in microseconds); larger values are clamped to HIST_MAX and
 * counted in `clamped`. Memory is fixed at creation (HIST_BUCKETS counters), the record path
 * never allocates, and merge is exact: counts add bucket by bucket, so merging the
 * histograms of N segments equals the histogram of the whole.
 *
 * Reported values are the bucket's highest equivalent value (as HdrHistogram does), so
 * a percentile never under-reports.
 */
#ifndef ST_HIST_H
#define ST_HIST_H

#include <jansson.h>
#include "st.h"

#define HIST_SUB_BITS 11
#define HIST_MAX ((uint64_t)1 << 33) /* ~8590 s in microseconds */

typedef struct hist {
    uint64_t *counts; /* HIST_BUCKETS entries */
    uint64_t total;
    uint64_t clamped;
    uint64_t min, max; /* exact recorded extremes (after clamping) */
    double sum;        /* for the mean */
} hist;

size_t hist_buckets(void);
hist *hist_new(void);    /* NULL on ENOMEM */
void hist_free(hist *h); /* NULL ok */
void hist_reset(hist *h);
void hist_record(hist *h, uint64_t v);
void hist_record_n(hist *h, uint64_t v, uint64_t n);
void hist_merge(hist *dst, const hist *src);
uint64_t hist_count(const hist *h);
double hist_mean(const hist *h);
/* p in [0, 100]; 0 for an empty histogram. p=100 returns the exact max. */
uint64_t hist_percentile(const hist *h, double p);

/* Bucket geometry, for iteration and plotting. */
size_t hist_index(uint64_t v);
uint64_t hist_bucket_low(size_t idx);
uint64_t hist_bucket_high(size_t idx); /* highest value that maps to idx */

/* Sparse JSON: {"format":"st-hist-1","sub_bits":11,"total":..,"clamped":..,"min":..,
 * "max":..,"sum":..,"buckets":[[idx,count],...]} -- exact round trip. */
json_t *hist_to_json(const hist *h);
hist *hist_from_json(const json_t *j, const char *path, char *err); /* validates fully */

#endif
