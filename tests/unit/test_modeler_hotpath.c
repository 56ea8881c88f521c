/*
 * test_modeler_hotpath.c -- the streaming pass's fast paths (issue 14): the reorder buffer
 * (ring plus heap), the tokenizer's inline field scan at every word boundary, the time
 * cache (a repeated time text, a zone-less repeat still counted), and route parameter
 * names written without snprintf. Each is checked against the slow, obvious answer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logfmt.h"
#include "reorder.h"
#include "rng.h"
#include "route.h"

static int ev_cmp(const void *a, const void *b)
{
    const reorder_ev *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Pushes ts[0..n) through a buffer of cap events, popping when full, and checks that what
 * leaves is the (ts, seq) order of a full sort whenever no event is later than cap places. */
static void reorder_case(const double *ts, size_t n, size_t cap)
{
    reorder r;
    assert_int_equal(reorder_init(&r, cap), 0);
    reorder_ev *want = calloc(n, sizeof *want), *got = calloc(n, sizeof *got);
    assert_non_null(want);
    assert_non_null(got);
    size_t ng = 0;
    for (size_t i = 0; i < n; i++) {
        reorder_ev e = {.ts = ts[i], .client = i * 7 + 1, .seq = (uint32_t)i};
        want[i] = e;
        if (reorder_full(&r))
            got[ng++] = reorder_pop(&r);
        reorder_push(&r, &e);
        assert_true(reorder_count(&r) <= cap);
    }
    while (reorder_peek(&r)) {
        uint32_t next = reorder_peek(&r)->seq;
        reorder_ev e = reorder_pop(&r);
        assert_int_equal(e.seq, next); /* peek shows what pop takes */
        got[ng++] = e;
    }
    assert_int_equal(ng, n);
    assert_null(reorder_peek(&r));
    qsort(want, n, sizeof *want, ev_cmp);
    for (size_t i = 0; i < n; i++) {
        assert_true(got[i].ts == want[i].ts);
        assert_int_equal(got[i].seq, want[i].seq);
        assert_true(got[i].client == want[i].client);
    }
    free(want);
    free(got);
    reorder_term(&r);
}

static void test_reorder(void **state)
{
    (void)state;
    reorder z;
    memset(&z, 0, sizeof z);
    reorder_term(&z); /* safe on a zeroed struct */
    reorder r;
    assert_int_equal(reorder_init(&r, 4), 0);
    assert_null(reorder_peek(&r));
    assert_null(reorder_ahead(&r, 0));
    reorder_ev a = {.ts = 5, .seq = 0}, b = {.ts = 3, .seq = 1}, c = {.ts = 9, .seq = 2};
    reorder_push(&r, &a);
    reorder_push(&r, &b); /* late: the heap */
    reorder_push(&r, &c);
    assert_non_null(reorder_ahead(&r, 1));
    assert_null(reorder_ahead(&r, 2)); /* two in the ring, one in the heap */
    assert_true(reorder_peek(&r)->ts == 3);
    assert_true(reorder_pop(&r).ts == 3);
    assert_true(reorder_pop(&r).ts == 5);
    assert_true(reorder_pop(&r).ts == 9);
    assert_int_equal(reorder_count(&r), 0);
    reorder_term(&r);

    enum { N = 5000 };
    double *ts = malloc(N * sizeof *ts);
    assert_non_null(ts);
    /* Sorted, all equal (seq decides), strictly descending within the capacity. */
    for (size_t i = 0; i < N; i++)
        ts[i] = (double)i;
    reorder_case(ts, N, 64);
    for (size_t i = 0; i < N; i++)
        ts[i] = 42;
    reorder_case(ts, N, 64);
    for (size_t i = 0; i < 64; i++)
        ts[i] = 100.0 - (double)i;
    reorder_case(ts, 64, 64);
    reorder_case(ts, 1, 1);
    /* Nearly sorted with jitter below the window: the ring wraps many times over. */
    rng_stream g;
    rng_stream_init(&g, 7, 0);
    for (size_t i = 0; i < N; i++)
        ts[i] = (double)i * 0.1 + rng_uniform(&g) * 2.0;
    reorder_case(ts, N, 64);
    reorder_case(ts, N, 32);
    free(ts);
}

/* A combined line whose address, user, path and user agent have the given lengths: every
 * separator the scanner looks for falls before, on and after its 8-, 16- and 32-byte steps. */
static void line_case(logfmt *f, size_t ipn, size_t pathn, size_t uan)
{
    char ip[64], path[128], ua[160], line[512];
    for (size_t i = 0; i < ipn; i++)
        ip[i] = (char)('0' + i % 10);
    ip[ipn] = 0;
    path[0] = '/';
    for (size_t i = 1; i < pathn; i++)
        path[i] = (char)('a' + i % 26);
    path[pathn] = 0;
    for (size_t i = 0; i < uan; i++)
        ua[i] = i % 9 == 8 ? ' ' : (char)('A' + i % 26);
    ua[uan] = 0;
    int n = snprintf(line, sizeof line,
                     "%s - - [17/May/2015:10:05:03 +0000] \"GET %s HTTP/1.1\" 200 1234 \"-\" "
                     "\"%s\" 0.25",
                     ip, path, ua);
    assert_true(n > 0 && (size_t)n < sizeof line);
    logrec r;
    int rc = logfmt_parse(f, line, (size_t)n, &r);
    if (rc)
        fprintf(stderr, "ip %zu path %zu ua %zu: %s\n", ipn, pathn, uan, line);
    assert_int_equal(rc, LF_OK);
    assert_int_equal(r.ip_len, ipn);
    assert_memory_equal(r.ip, ip, ipn);
    assert_int_equal(r.path_len, pathn);
    assert_memory_equal(r.path, path, pathn);
    assert_int_equal(r.ua_len, uan);
    assert_memory_equal(r.ua, ua, uan);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.bytes, 1234);
    assert_true(r.req_time == 0.25);
    assert_true(r.ts == 1431857103.0);
}

static void test_tokenizer(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    logfmt *f = logfmt_new("combined", err);
    assert_non_null(f);
    const size_t lens[] = {1, 7, 8, 9, 15, 16, 17, 23, 24, 31, 32, 33, 40, 41, 63};
    const size_t nl = sizeof lens / sizeof lens[0];
    for (size_t i = 0; i < nl; i++)
        for (size_t j = 0; j < nl; j++)
            line_case(f, lens[i], lens[j] + 1, lens[(i + j) % nl] * 2);
    /* A quote escaped inside the user agent, after the inline window, is part of it. */
    const char *esc = "1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" "
                      "\"Mozilla/5.0 (X11) a very long agent \\\" with a quote\"";
    logrec r;
    assert_int_equal(logfmt_parse(f, esc, strlen(esc), &r), LF_OK);
    assert_int_equal(r.ua_len, strlen("Mozilla/5.0 (X11) a very long agent \\\" with a quote"));
    /* A line cut inside a field, and a literal that does not match. */
    const char *cut =
        "1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"Mo";
    assert_int_not_equal(logfmt_parse(f, cut, strlen(cut), &r), LF_OK);
    const char *bad =
        "1.2.3.4 - - {17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"M\"";
    assert_int_not_equal(logfmt_parse(f, bad, strlen(bad), &r), LF_OK);
    logfmt_free(f);
}

static double parse_ts(logfmt *f, const char *line)
{
    logrec r;
    assert_int_equal(logfmt_parse(f, line, strlen(line), &r), LF_OK);
    return r.ts;
}

static void test_time_cache(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    logfmt *f = logfmt_new("combined", err);
    assert_non_null(f);
    const char *a = "1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"M\"";
    const char *b = "1.2.3.4 - - [17/May/2015:10:05:03 +0200] \"GET / HTTP/1.1\" 200 5 \"-\" \"M\"";
    const char *c = "1.2.3.4 - - [17/May/2015:10:05:04 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"M\"";
    const char *bad =
        "1.2.3.4 - - [17/May/2015:99:05:04 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"M\"";
    assert_true(parse_ts(f, a) == 1431857103.0);
    assert_true(parse_ts(f, a) == 1431857103.0);
    assert_true(parse_ts(f, b) == 1431857103.0 - 7200); /* same prefix, another zone */
    assert_true(parse_ts(f, c) == 1431857104.0);
    logrec r;
    assert_int_not_equal(logfmt_parse(f, bad, strlen(bad), &r), LF_OK); /* never cached */
    assert_int_not_equal(logfmt_parse(f, bad, strlen(bad), &r), LF_OK);
    assert_true(parse_ts(f, c) == 1431857104.0);
    logfmt_free(f);

    /* Zone-less times through --tz: a repeated text counts as zone-less every time. */
    f = logfmt_new("$remote_addr [$time_iso8601] \"$request\" $status", err);
    assert_non_null(f);
    assert_int_equal(logfmt_set_time(f, NULL, "UTC", err), 0);
    const char *z = "1.2.3.4 [2015-05-17T10:05:03] \"GET / HTTP/1.1\" 200";
    const char *zz = "1.2.3.4 [2015-05-17T10:05:03Z] \"GET / HTTP/1.1\" 200";
    assert_true(parse_ts(f, z) == 1431857103.0);
    assert_true(parse_ts(f, z) == 1431857103.0);
    assert_true(parse_ts(f, zz) == 1431857103.0);
    assert_true(parse_ts(f, z) == 1431857103.0);
    assert_int_equal(logfmt_zoneless(f), 3);
    logfmt_free(f);
}

static void test_param_names(void **state)
{
    (void)state;
    route_norm n;
    const char *p = "/a/1/b/2/c/3";
    route_normalize(p, strlen(p), "GET", 3, 200, &n);
    assert_int_equal(n.nparams, 3);
    assert_string_equal(n.params[0].name, "id");
    assert_string_equal(n.params[1].name, "id2");
    assert_string_equal(n.params[2].name, "id3");
    /* Names are cut to 20 bytes, and to 16 before a repeat's number. */
    const char *q = "/s?abcdefghijklmnopqr=x&abcdefghijklmnopqr=y";
    route_normalize(q, strlen(q), "GET", 3, 200, &n);
    assert_int_equal(n.nparams, 2);
    assert_string_equal(n.params[0].name, "abcdefghijklmnopqr");
    assert_string_equal(n.params[1].name, "abcdefghijklmnop2");
    /* A key longer than a name: its repeat is numbered too (the cut name is taken), and
     * a third 17-20-byte key gets the next free number, not the second one's name. */
    const char *l = "/s?abcdefghijklmnopqrstuvwxyz=x&abcdefghijklmnopqrstuvwxyz=y";
    route_normalize(l, strlen(l), "GET", 3, 200, &n);
    assert_int_equal(n.nparams, 2);
    assert_string_equal(n.params[0].name, "abcdefghijklmnopqrst");
    assert_string_equal(n.params[1].name, "abcdefghijklmnop2");
    const char *t = "/s?abcdefghijklmnopqr=x&abcdefghijklmnopqr=y&abcdefghijklmnopqr=z&"
                    "abcdefghijklmnopqrstuvwxyz=w&abcdefghijklmnopqrstuvwxyz=v";
    route_normalize(t, strlen(t), "GET", 3, 200, &n);
    assert_int_equal(n.nparams, 5);
    for (size_t i = 0; i < n.nparams; i++)
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(n.params[i].name, n.params[j].name);
    assert_string_equal(n.params[2].name, "abcdefghijklmnop3");
    /* Eight parameters at most, numbered up to 8. */
    const char *m = "/1/2/3/4/5/6/7/8/9/10";
    route_normalize(m, strlen(m), "GET", 3, 200, &n);
    assert_int_equal(n.nparams, ROUTE_MAX_PARAMS);
    assert_string_equal(n.params[7].name, "id8");
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reorder),
        cmocka_unit_test(test_tokenizer),
        cmocka_unit_test(test_time_cache),
        cmocka_unit_test(test_param_names),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
