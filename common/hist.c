/*
 * hist.c -- the log-linear latency histogram (see hist.h).
 *
 * Geometry (HdrHistogram's, Gil Tene): with B = HIST_SUB_BITS = 11 and H = 2^(B-1) = 1024,
 *   v < 2^B                  -> index v (exact);
 *   2^e <= v < 2^(e+1), e>=B -> index 2^B + (e - B) * H + (v >> (e - B + 1)) - H,
 * i.e. each power-of-two range above 2^B is cut into H equal sub-buckets of width
 * 2^(e-B+1) <= v / H, which bounds the relative error of a reported value by 1/1024.
 * The last bucket is the one of HIST_MAX itself (values above it are clamped to it), so
 * HIST_BUCKETS = hist_index(HIST_MAX) + 1 = 24577 counters (192 KiB), allocated once.
 *
 * Percentiles use the nearest-rank definition: the value of rank ceil(p/100 * total) in
 * sorted order. We report the highest value equivalent to that rank's bucket, capped at
 * the exact recorded max, so a percentile never under-reports and p = 100 is the exact
 * max; p = 0 is the exact min.
 *
 * The JSON form is sparse ([index, count] pairs for non-empty buckets, ascending) and is
 * validated completely on reading, because histograms travel between machines and runs.
 */
#include "hist.h"
#include "formats.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HIST_EXACT ((size_t)1 << HIST_SUB_BITS)      /* 2048 exact buckets */
#define HIST_HALF ((size_t)1 << (HIST_SUB_BITS - 1)) /* 1024 sub-buckets per octave */
#define HIST_FORMAT ST_FMT_HIST

static unsigned top_bit(uint64_t v) /* v > 0 */
{
    return 63u - (unsigned)__builtin_clzll(v);
}

size_t hist_index(uint64_t v)
{
    if (v > HIST_MAX)
        v = HIST_MAX; /* same rule as hist_record: clamp, never index out of range */
    if (v < HIST_EXACT)
        return (size_t)v;
    unsigned e = top_bit(v);
    unsigned shift = e - HIST_SUB_BITS + 1;
    return HIST_EXACT + (size_t)(e - HIST_SUB_BITS) * HIST_HALF + (size_t)(v >> shift) - HIST_HALF;
}

size_t hist_buckets(void)
{
    return hist_index(HIST_MAX) + 1;
}

uint64_t hist_bucket_low(size_t idx)
{
    if (idx >= hist_buckets())
        return HIST_MAX;
    if (idx < HIST_EXACT)
        return idx;
    size_t j = idx - HIST_EXACT;
    unsigned e = HIST_SUB_BITS + (unsigned)(j / HIST_HALF);
    uint64_t sub = (uint64_t)(j % HIST_HALF);
    return (HIST_HALF + sub) << (e - HIST_SUB_BITS + 1);
}

uint64_t hist_bucket_high(size_t idx)
{
    if (idx >= hist_buckets() - 1)
        return HIST_MAX; /* only HIST_MAX (and clamped values) map to the last bucket */
    if (idx < HIST_EXACT)
        return idx;
    return hist_bucket_low(idx + 1) - 1;
}

hist *hist_new(void)
{
    hist *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->counts = calloc(hist_buckets(), sizeof *h->counts);
    if (!h->counts) {
        free(h);
        return NULL;
    }
    return h;
}

void hist_free(hist *h)
{
    if (!h)
        return;
    free(h->counts);
    free(h);
}

void hist_reset(hist *h)
{
    memset(h->counts, 0, hist_buckets() * sizeof *h->counts);
    h->total = h->clamped = h->min = h->max = 0;
    h->sum = 0;
}

void hist_record_n(hist *h, uint64_t v, uint64_t n)
{
    if (n == 0)
        return;
    if (v > HIST_MAX) {
        v = HIST_MAX;
        h->clamped += n;
    }
    h->counts[hist_index(v)] += n;
    if (h->total == 0) {
        h->min = h->max = v;
    } else {
        if (v < h->min)
            h->min = v;
        if (v > h->max)
            h->max = v;
    }
    h->total += n;
    h->sum += (double)v * (double)n;
}

void hist_record(hist *h, uint64_t v)
{
    hist_record_n(h, v, 1);
}

void hist_merge(hist *dst, const hist *src)
{
    if (src->total == 0)
        return;
    size_t nb = hist_buckets();
    for (size_t i = 0; i < nb; i++)
        dst->counts[i] += src->counts[i];
    if (dst->total == 0) {
        dst->min = src->min;
        dst->max = src->max;
    } else {
        if (src->min < dst->min)
            dst->min = src->min;
        if (src->max > dst->max)
            dst->max = src->max;
    }
    dst->total += src->total;
    dst->clamped += src->clamped;
    dst->sum += src->sum;
}

uint64_t hist_count(const hist *h)
{
    return h->total;
}

double hist_mean(const hist *h)
{
    return h->total ? h->sum / (double)h->total : 0.0;
}

uint64_t hist_percentile(const hist *h, double p)
{
    if (h->total == 0)
        return 0;
    if (!(p > 0)) /* also NaN */
        return h->min;
    if (p >= 100)
        return h->max;
    /* p * total is computed before dividing by 100 so that p = 99.9 and total = 10^6 give
     * exactly 999000; the tiny shrink absorbs the last rounding step so that an exact
     * integer rank is not pushed up by one. */
    double r = p * (double)h->total / 100.0;
    double rc = ceil(r * (1.0 - 1e-12));
    uint64_t rank = rc < 1 ? 1 : (uint64_t)rc;
    if (rank > h->total)
        rank = h->total;
    uint64_t seen = 0;
    size_t nb = hist_buckets();
    for (size_t i = 0; i < nb; i++) {
        seen += h->counts[i];
        if (seen >= rank) {
            uint64_t v = hist_bucket_high(i);
            return v < h->max ? v : h->max;
        }
    }
    return h->max; /* unreachable when counts add up to total */
}

/* ---- JSON ---------------------------------------------------------------------------- */

json_t *hist_to_json(const hist *h)
{
    json_t *o = json_object();
    json_t *b = json_array();
    if (!o || !b)
        goto fail;
    size_t nb = hist_buckets();
    for (size_t i = 0; i < nb; i++) {
        if (!h->counts[i])
            continue;
        json_t *pair = json_pack("[II]", (json_int_t)i, (json_int_t)h->counts[i]);
        if (!pair || json_array_append_new(b, pair) != 0)
            goto fail;
    }
    if (json_object_set_new(o, "format", json_string(HIST_FORMAT)) != 0 ||
        json_object_set_new(o, "sub_bits", json_integer(HIST_SUB_BITS)) != 0 ||
        json_object_set_new(o, "total", json_integer((json_int_t)h->total)) != 0 ||
        json_object_set_new(o, "clamped", json_integer((json_int_t)h->clamped)) != 0 ||
        json_object_set_new(o, "min", json_integer((json_int_t)h->min)) != 0 ||
        json_object_set_new(o, "max", json_integer((json_int_t)h->max)) != 0 ||
        json_object_set_new(o, "sum", json_real(h->sum)) != 0)
        goto fail;
    if (json_object_set_new(o, "buckets", b) != 0) {
        b = NULL; /* set_new consumed it even on failure */
        goto fail;
    }
    return o;
fail:
    json_decref(b);
    json_decref(o);
    return NULL;
}

/* Reads a required non-negative integer member. Returns 0 or ST_EINPUT with err set. */
static int get_uint(const json_t *j, const char *path, const char *key, uint64_t *out, char *err)
{
    json_t *v = json_object_get(j, key);
    if (!v)
        return st_err(err, ST_EINPUT, "%s.%s: missing", path, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return st_err(err, ST_EINPUT, "%s.%s: expected a non-negative integer", path, key);
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

static int check_keys(const json_t *j, const char *path, char *err)
{
    /* clang-format off */
    static const char *const allowed[] = {"format", "sub_bits", "total", "clamped", "min",
                                          "max",    "sum",      "buckets", NULL};
    /* clang-format on */
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)j, key, v) {
        int ok = 0;
        for (size_t i = 0; allowed[i]; i++)
            if (strcmp(key, allowed[i]) == 0)
                ok = 1;
        if (!ok)
            return st_err(err, ST_EINPUT, "%s.%s: unknown field in a histogram", path, key);
    }
    return 0;
}

/* Checks the header fields and fills everything but counts. Returns 0 or ST_EINPUT. */
static int read_header(const json_t *j, const char *path, hist *h, char *err)
{
    if (!json_is_object(j))
        return st_err(err, ST_EINPUT, "%s: expected a histogram object", path);
    if (check_keys(j, path, err) != 0)
        return ST_EINPUT;
    json_t *f = json_object_get(j, "format");
    if (!json_is_string(f) || strcmp(json_string_value(f), HIST_FORMAT) != 0)
        return st_err(err, ST_EINPUT, "%s.format: expected \"%s\"", path, HIST_FORMAT);
    json_t *sb = json_object_get(j, "sub_bits");
    if (!json_is_integer(sb) || json_integer_value(sb) != HIST_SUB_BITS)
        return st_err(err, ST_EINPUT, "%s.sub_bits: expected %d (this build's geometry)", path,
                      HIST_SUB_BITS);
    if (get_uint(j, path, "total", &h->total, err) ||
        get_uint(j, path, "clamped", &h->clamped, err) || get_uint(j, path, "min", &h->min, err) ||
        get_uint(j, path, "max", &h->max, err))
        return ST_EINPUT;
    json_t *s = json_object_get(j, "sum");
    if (!json_is_number(s) || !(json_number_value(s) >= 0) || !isfinite(json_number_value(s)))
        return st_err(err, ST_EINPUT, "%s.sum: expected a finite non-negative number", path);
    h->sum = json_number_value(s);
    if (h->max > HIST_MAX)
        return st_err(err, ST_EINPUT, "%s.max: %" PRIu64 " exceeds the histogram range %" PRIu64,
                      path, h->max, HIST_MAX);
    if (h->min > h->max)
        return st_err(err, ST_EINPUT, "%s.min: %" PRIu64 " is above max %" PRIu64, path, h->min,
                      h->max);
    if (h->clamped > h->total)
        return st_err(err, ST_EINPUT, "%s.clamped: %" PRIu64 " is above total %" PRIu64, path,
                      h->clamped, h->total);
    if (h->total == 0 && (h->min || h->max || h->sum != 0))
        return st_err(err, ST_EINPUT, "%s: an empty histogram must have min, max and sum 0", path);
    if (h->clamped && h->max != HIST_MAX)
        return st_err(err, ST_EINPUT, "%s.max: clamped values imply max %" PRIu64, path, HIST_MAX);
    return 0;
}

/* Reads "buckets" into h->counts. Returns 0 or ST_EINPUT; *first and *last get the extreme
 * non-empty indexes. */
static int read_buckets(const json_t *j, const char *path, hist *h, size_t *first, size_t *last,
                        char *err)
{
    json_t *b = json_object_get(j, "buckets");
    if (!json_is_array(b))
        return st_err(err, ST_EINPUT, "%s.buckets: expected an array of [index, count] pairs",
                      path);
    size_t nb = hist_buckets(), i;
    uint64_t sum = 0;
    long long prev = -1;
    json_t *pair;
    json_array_foreach(b, i, pair) {
        json_t *ji = json_array_get(pair, 0), *jc = json_array_get(pair, 1);
        if (!json_is_array(pair) || json_array_size(pair) != 2 || !json_is_integer(ji) ||
            !json_is_integer(jc))
            return st_err(err, ST_EINPUT, "%s.buckets[%zu]: expected [index, count] integers", path,
                          i);
        json_int_t idx = json_integer_value(ji), c = json_integer_value(jc);
        if (idx < 0 || (uint64_t)idx >= nb)
            return st_err(err, ST_EINPUT, "%s.buckets[%zu][0]: index %lld outside [0, %zu)", path,
                          i, (long long)idx, nb);
        if ((long long)idx <= prev)
            return st_err(err, ST_EINPUT,
                          "%s.buckets[%zu][0]: index %lld not above the previous one", path, i,
                          (long long)idx);
        if (c <= 0)
            return st_err(err, ST_EINPUT, "%s.buckets[%zu][1]: count must be >= 1", path, i);
        if (sum + (uint64_t)c < sum)
            return st_err(err, ST_EINPUT, "%s.buckets: counts overflow", path);
        sum += (uint64_t)c;
        h->counts[idx] = (uint64_t)c;
        if (prev < 0)
            *first = (size_t)idx;
        *last = (size_t)idx;
        prev = idx;
    }
    if (sum != h->total)
        return st_err(err, ST_EINPUT,
                      "%s.buckets: counts add up to %" PRIu64 ", total says %" PRIu64, path, sum,
                      h->total);
    return 0;
}

hist *hist_from_json(const json_t *j, const char *path, char *err)
{
    if (!path)
        path = "histogram";
    hist *h = hist_new();
    if (!h) {
        st_err(err, ST_ENOMEM, "%s: out of memory", path);
        return NULL;
    }
    size_t first = 0, last = 0;
    if (read_header(j, path, h, err) != 0 || read_buckets(j, path, h, &first, &last, err) != 0)
        goto fail;
    if (h->total) {
        /* min and max are exact values, so they must fall in the extreme buckets. */
        if (hist_index(h->min) != first) {
            st_err(err, ST_EINPUT, "%s.min: %" PRIu64 " is not in the first non-empty bucket", path,
                   h->min);
            goto fail;
        }
        if (hist_index(h->max) != last) {
            st_err(err, ST_EINPUT, "%s.max: %" PRIu64 " is not in the last non-empty bucket", path,
                   h->max);
            goto fail;
        }
        if (h->clamped > h->counts[last]) {
            st_err(err, ST_EINPUT, "%s.clamped: %" PRIu64 " exceeds the top bucket's count", path,
                   h->clamped);
            goto fail;
        }
    }
    return h;
fail:
    hist_free(h);
    return NULL;
}
