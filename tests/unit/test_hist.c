/*
 * test_hist.c -- unit tests of common/hist.c.
 *
 * The accuracy claims are checked against a brute-force sort: for lognormal latencies
 * spread from 1 us to 1 h, every tested percentile (nearest-rank definition, computed here
 * with integer arithmetic) is never below the exact value and within 1/1024 of it. Merge is
 * checked bucket for bucket against the histogram of the whole, the JSON form for an exact
 * round trip, and hist_from_json against a table of corruptions that must each be rejected
 * with a message naming the path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "rng.h"

#define N_VALUES 500000

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Lognormal around 60 ms with sigma 3.3: 1 us .. 1 h are the +-3.3 sigma ends. */
static uint64_t *latencies(size_t n, uint64_t seed)
{
    uint64_t *v = malloc(n * sizeof *v);
    assert_non_null(v);
    rng_stream s;
    rng_stream_init(&s, seed, rng_stream_id("hist.latency"));
    double mu = 0.5 * log(3.6e9), sigma = mu / 3.3;
    for (size_t i = 0; i < n; i++) {
        double x = rng_lognormal(&s, mu, sigma);
        if (x < 1)
            x = 1;
        if (x > 3.6e9)
            x = 3.6e9;
        v[i] = (uint64_t)x;
    }
    return v;
}

/* Nearest rank for p = p_milli / 1000 percent: ceil(p/100 * n), at least 1. */
static uint64_t exact_rank(uint64_t p_milli, uint64_t n)
{
    uint64_t r = (p_milli * n + 99999) / 100000;
    return r < 1 ? 1 : r;
}

static void test_geometry(void **state)
{
    (void)state;
    size_t nb = hist_buckets();
    printf("hist_buckets() = %zu (%zu KiB)\n", nb, nb * 8 / 1024);
    assert_int_equal(nb, hist_index(HIST_MAX) + 1);
    assert_true(nb < 30000);
    assert_true(HIST_MAX >= 3600ull * 1000000ull); /* one hour in microseconds */
    for (uint64_t v = 0; v < 2048; v++) {
        assert_int_equal(hist_index(v), v);
        assert_int_equal(hist_bucket_low(v), v);
        assert_int_equal(hist_bucket_high(v), v);
    }
    /* Buckets tile [0, HIST_MAX] without gaps, and each is narrower than low / 1024. */
    assert_int_equal(hist_bucket_low(0), 0);
    for (size_t i = 0; i + 1 < nb; i++) {
        uint64_t lo = hist_bucket_low(i), hi = hist_bucket_high(i);
        assert_true(lo <= hi);
        assert_int_equal(hi + 1, hist_bucket_low(i + 1));
        assert_int_equal(hist_index(lo), i);
        assert_int_equal(hist_index(hi), i);
        if (i >= 2048)
            assert_true((hi - lo + 1) * 1024 <= lo);
    }
    assert_int_equal(hist_bucket_low(nb - 1), HIST_MAX);
    assert_int_equal(hist_bucket_high(nb - 1), HIST_MAX);
    assert_int_equal(hist_index(UINT64_MAX), nb - 1);
}

static void check_percentiles(const hist *h, const uint64_t *sorted, size_t n)
{
    const uint64_t ps[] = {0, 1000, 25000, 50000, 90000, 99000, 99900, 99990, 100000};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        uint64_t exact = ps[i] == 0 ? sorted[0] : sorted[exact_rank(ps[i], n) - 1];
        uint64_t got = hist_percentile(h, ps[i] / 1000.0);
        printf("p%-7g exact %12llu hist %12llu\n", ps[i] / 1000.0, (unsigned long long)exact,
               (unsigned long long)got);
        assert_true(got >= exact);
        assert_true((double)(got - exact) <= (double)exact / 1024.0);
    }
    /* Every 0.1 percent, and the extremes exactly. */
    for (uint64_t pm = 100; pm < 100000; pm += 100) {
        uint64_t exact = sorted[exact_rank(pm, n) - 1];
        uint64_t got = hist_percentile(h, pm / 1000.0);
        assert_true(got >= exact);
        assert_true((double)(got - exact) <= (double)exact / 1024.0);
    }
    assert_int_equal(hist_percentile(h, 0), sorted[0]);
    assert_int_equal(hist_percentile(h, 100), sorted[n - 1]);
}

static void test_accuracy_vs_sort(void **state)
{
    (void)state;
    uint64_t *v = latencies(N_VALUES, 1);
    hist *h = hist_new();
    assert_non_null(h);
    double sum = 0;
    for (size_t i = 0; i < N_VALUES; i++) {
        hist_record(h, v[i]);
        sum += (double)v[i];
    }
    assert_int_equal(hist_count(h), N_VALUES);
    qsort(v, N_VALUES, sizeof *v, cmp_u64);
    assert_true(v[0] < 10 && v[N_VALUES - 1] > 1000000000ull); /* the spread is real */
    assert_int_equal(h->min, v[0]);
    assert_int_equal(h->max, v[N_VALUES - 1]);
    assert_int_equal(h->clamped, 0);
    assert_true(fabs(hist_mean(h) - sum / N_VALUES) < 1e-9 * sum / N_VALUES);
    check_percentiles(h, v, N_VALUES);
    free(v);
    hist_free(h);
}

static void test_small_values_exact(void **state)
{
    (void)state;
    enum { N = 100000 };
    uint64_t *v = malloc(N * sizeof *v);
    assert_non_null(v);
    rng_stream s;
    rng_stream_init(&s, 2, 0);
    hist *h = hist_new();
    for (size_t i = 0; i < N; i++) {
        v[i] = rng_below(&s, 2048);
        hist_record(h, v[i]);
    }
    qsort(v, N, sizeof *v, cmp_u64);
    for (uint64_t pm = 0; pm <= 100000; pm += 500) {
        uint64_t exact = pm == 0 ? v[0] : v[exact_rank(pm, N) - 1];
        assert_int_equal(hist_percentile(h, pm / 1000.0), exact);
    }
    free(v);
    hist_free(h);
}

static void test_clamping_and_basics(void **state)
{
    (void)state;
    hist *h = hist_new();
    assert_non_null(h);
    assert_int_equal(hist_percentile(h, 50), 0); /* empty */
    assert_int_equal(hist_percentile(h, 100), 0);
    assert_true(hist_mean(h) == 0);
    hist_record(h, 5);
    hist_record(h, HIST_MAX);
    hist_record(h, HIST_MAX + 1);
    hist_record(h, UINT64_MAX);
    assert_int_equal(h->clamped, 2);
    assert_int_equal(h->total, 4);
    assert_int_equal(h->max, HIST_MAX);
    assert_int_equal(h->min, 5);
    assert_int_equal(h->counts[hist_buckets() - 1], 3);
    assert_int_equal(hist_percentile(h, 100), HIST_MAX);
    assert_int_equal(hist_percentile(h, 50), HIST_MAX); /* rank 2 of 4 */
    assert_int_equal(hist_percentile(h, 25), 5);
    assert_int_equal(hist_percentile(h, 0), 5);

    hist_reset(h);
    assert_int_equal(h->total, 0);
    assert_int_equal(h->clamped, 0);
    assert_int_equal(h->counts[hist_buckets() - 1], 0);
    hist_record_n(h, 1000000, 3);
    hist_record_n(h, 7, 0); /* no-op */
    hist_record_n(h, 10, 1);
    assert_int_equal(hist_count(h), 4);
    assert_int_equal(h->min, 10);
    assert_true(hist_mean(h) == (3e6 + 10) / 4);
    uint64_t p99 = hist_percentile(h, 99);
    assert_true(p99 >= 1000000 && p99 <= 1000000 + 1000000 / 1024);
    assert_int_equal(hist_percentile(h, 100), 1000000); /* capped at the exact max */
    hist_free(h);
    hist_free(NULL);
}

static void test_merge(void **state)
{
    (void)state;
    uint64_t *v = latencies(N_VALUES, 3);
    hist *whole = hist_new(), *part[4], *merged = hist_new();
    for (int i = 0; i < 4; i++)
        part[i] = hist_new();
    rng_stream s;
    rng_stream_init(&s, 3, rng_stream_id("partition"));
    for (size_t i = 0; i < N_VALUES; i++) {
        uint64_t x = i % 1000 == 0 ? v[i] + HIST_MAX : v[i]; /* some clamped values too */
        hist_record(whole, x);
        hist_record(part[rng_below(&s, 4)], x);
    }
    assert_true(whole->clamped > 0);
    hist *empty = hist_new();
    hist_merge(merged, empty); /* merging nothing keeps min/max unset */
    for (int i = 0; i < 4; i++)
        hist_merge(merged, part[i]);
    hist_merge(merged, empty);
    assert_memory_equal(merged->counts, whole->counts, hist_buckets() * sizeof(uint64_t));
    assert_int_equal(merged->total, whole->total);
    assert_int_equal(merged->clamped, whole->clamped);
    assert_int_equal(merged->min, whole->min);
    assert_int_equal(merged->max, whole->max);
    assert_true(fabs(merged->sum - whole->sum) <= 1e-12 * whole->sum);
    for (double p = 0; p <= 100; p += 0.5)
        assert_int_equal(hist_percentile(merged, p), hist_percentile(whole, p));
    assert_int_equal(hist_percentile(merged, 99.99), hist_percentile(whole, 99.99));
    for (int i = 0; i < 4; i++)
        hist_free(part[i]);
    hist_free(empty);
    hist_free(merged);
    hist_free(whole);
    free(v);
}

static hist *round_trip(const hist *h)
{
    json_t *j = hist_to_json(h);
    assert_non_null(j);
    char *text = json_dumps(j, JSON_COMPACT);
    assert_non_null(text);
    json_decref(j);
    json_error_t jerr;
    json_t *back = json_loads(text, 0, &jerr);
    free(text);
    assert_non_null(back);
    char err[ST_ERRLEN] = "";
    hist *h2 = hist_from_json(back, "t", err);
    if (!h2)
        printf("unexpected: %s\n", err);
    assert_non_null(h2);
    json_decref(back);
    return h2;
}

static void test_json_round_trip(void **state)
{
    (void)state;
    uint64_t *v = latencies(100000, 4);
    hist *h = hist_new();
    for (size_t i = 0; i < 100000; i++)
        hist_record(h, v[i]);
    hist_record(h, UINT64_MAX);
    hist_record(h, 0);
    hist *h2 = round_trip(h);
    assert_memory_equal(h2->counts, h->counts, hist_buckets() * sizeof(uint64_t));
    assert_int_equal(h2->total, h->total);
    assert_int_equal(h2->clamped, h->clamped);
    assert_int_equal(h2->min, h->min);
    assert_int_equal(h2->max, h->max);
    assert_memory_equal(&h2->sum, &h->sum, sizeof h->sum); /* bit-exact double */
    hist_free(h2);

    hist_reset(h);
    h2 = round_trip(h);
    assert_int_equal(h2->total, 0);
    assert_int_equal(hist_percentile(h2, 50), 0);
    hist_free(h2);
    hist_free(h);
    free(v);
}

/* A valid document to corrupt: values 5, 5, 3000 and one clamped. */
static const char *GOOD =
    "{\"format\":\"st-hist-1\",\"sub_bits\":11,\"total\":4,\"clamped\":1,\"min\":5,"
    "\"max\":8589934592,\"sum\":8589937602.0,\"buckets\":[[5,2],[2524,1],[24576,1]]}";

static void test_json_rejects(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    json_error_t jerr;
    json_t *good = json_loads(GOOD, 0, &jerr);
    assert_non_null(good);
    assert_int_equal(hist_index(3000), 2524);
    hist *ok = hist_from_json(good, "run.json:latency", err);
    assert_non_null(ok);
    assert_int_equal(hist_percentile(ok, 50), 5);
    assert_int_equal(hist_percentile(ok, 75), hist_bucket_high(2524));
    hist_free(ok);
    json_decref(good);

    static const struct {
        const char *from, *to, *expect;
    } bad[] = {
        {"\"st-hist-1\"", "\"st-hist-2\"", "run.json:latency.format"},
        {"\"sub_bits\":11", "\"sub_bits\":12", "run.json:latency.sub_bits"},
        {"[24576,1]", "[24577,1]", "run.json:latency.buckets[2][0]"},
        {"[5,2]", "[-1,2]", "run.json:latency.buckets[0][0]"},
        {"[5,2]", "[5,2.0]", "run.json:latency.buckets[0]"},
        {"[5,2]", "[5.5,2]", "run.json:latency.buckets[0]"},
        {"[5,2]", "[5,0]", "run.json:latency.buckets[0][1]"},
        {"[5,2]", "[5,3]", "run.json:latency.buckets: counts add up to 5"},
        {"[2524,1]", "[5,1]", "run.json:latency.buckets[1][0]"},
        {"[5,2]", "[5,2,1]", "run.json:latency.buckets[0]"},
        {"\"total\":4", "\"total\":4.0", "run.json:latency.total"},
        {"\"total\":4", "\"total\":-4", "run.json:latency.total"},
        {"\"total\":4,", "", "run.json:latency.total: missing"},
        {"\"min\":5", "\"min\":6", "run.json:latency.min"},
        {"\"min\":5", "\"min\":9999999999", "run.json:latency.min"},
        {"\"max\":8589934592", "\"max\":8589934593", "run.json:latency.max"},
        {"\"clamped\":1", "\"clamped\":2", "run.json:latency.clamped"},
        {"\"sum\":8589937602.0", "\"sum\":\"x\"", "run.json:latency.sum"},
        {"\"sum\":8589937602.0", "\"sum\":-1", "run.json:latency.sum"},
        {"\"format\"", "\"fromat\"", "run.json:latency.fromat: unknown"},
        {"\"buckets\":[[5,2],[2524,1],[24576,1]]", "\"buckets\":{}", "run.json:latency.buckets"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char doc[512];
        const char *at = strstr(GOOD, bad[i].from);
        assert_non_null(at);
        int len = snprintf(doc, sizeof doc, "%.*s%s%s", (int)(at - GOOD), GOOD, bad[i].to,
                           at + strlen(bad[i].from));
        assert_true(len > 0 && (size_t)len < sizeof doc);
        json_t *j = json_loads(doc, 0, &jerr);
        if (!j)
            printf("case %zu does not parse: %s\n", i, jerr.text);
        assert_non_null(j);
        err[0] = 0;
        hist *h = hist_from_json(j, "run.json:latency", err);
        printf("case %2zu: %s\n", i, err);
        assert_null(h);
        assert_non_null(strstr(err, bad[i].expect));
        json_decref(j);
    }
    json_t *arr = json_array();
    err[0] = 0;
    assert_null(hist_from_json(arr, "x", err));
    assert_non_null(strstr(err, "x: expected"));
    json_decref(arr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_geometry),
        cmocka_unit_test(test_accuracy_vs_sort),
        cmocka_unit_test(test_small_values_exact),
        cmocka_unit_test(test_clamping_and_basics),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_json_round_trip),
        cmocka_unit_test(test_json_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
