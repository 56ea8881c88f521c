/*
 * test_modeler_json.c -- unit tests of the JSON-lines scanner (modeler/fmt_json.c) in the
 * cases its key table and its skipping of unmapped values must get right.
 *
 * What is checked, on the nginx-json preset and small mappings: keys holding escaped quotes
 * or backslashes are skipped without derailing the scan; of duplicate keys the first one
 * wins; a nested object with the same key names as the top level does not feed a top-level
 * path (and a dotted path reads the nested one); keys that share the table bucket of a
 * mapped key (same length, first and last byte) are not taken for it; numbers read the same
 * quoted or bare (and in exponent notation); skipped values hold braces, brackets and
 * escaped quotes inside strings; and every truncation of a valid line is reported (syntax
 * at a column inside the line, never a crash or a half record taken as good).
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

#include "logfmt.h"

static int parse(logfmt *f, const char *line, logrec *r)
{
    return logfmt_parse(f, line, strlen(line), r);
}

static int eq(const char *s, size_t n, const char *want)
{
    return n == strlen(want) && memcmp(s, want, n) == 0;
}

static logfmt *fmt(const char *spec)
{
    char err[ST_ERRLEN];
    logfmt *f = logfmt_new(spec, err);
    if (!f)
        fail_msg("%s: %s", spec, err);
    return f;
}

/* Escaped quotes and backslashes in keys and in skipped values; escape=default's \xHH. */
static void test_escapes(void **state)
{
    (void)state;
    logfmt *f = fmt("nginx-json");
    logrec r;
    const char *l = "{\"msec\":\"1772438400.250\",\"x\\\"status\":\"500\",\"a\\\\\":\"\\\\\","
                    "\"request\":\"GET /p?q=1 HTTP/1.1\",\"n\\\\\\\"\":\"\\\"}\\\\\","
                    "\"status\":\"201\",\"http_user_agent\":\"Mo\\x22z\",\"request_time\":\"0.5\"}";
    assert_int_equal(parse(f, l, &r), LF_OK);
    assert_int_equal(r.status, 201);
    assert_true(fabs(r.ts - 1772438400.25) < 1e-6);
    assert_true(eq(r.path, r.path_len, "/p?q=1"));
    assert_true(fabs(r.req_time - 0.5) < 1e-12);
    /* The \x22 of nginx escape=default is not JSON: read through, the scan goes on. */
    assert_true(r.ua_len >= 2 && memcmp(r.ua, "Mo", 2) == 0);
    logfmt_free(f);
}

/* Duplicate keys: the first one wins; alternatives: the preferred one wins in any order. */
static void test_duplicates_alternatives(void **state)
{
    (void)state;
    logfmt *f = fmt("nginx-json");
    logrec r;
    const char *l =
        "{\"client_ip\":\"10.0.0.9\",\"status\":\"404\",\"msec\":\"1772438400.000\","
        "\"request\":\"GET /a HTTP/1.1\",\"status\":\"503\",\"remote_addr\":\"10.0.0.1\","
        "\"request\":\"GET /b HTTP/1.1\"}";
    assert_int_equal(parse(f, l, &r), LF_OK);
    assert_int_equal(r.status, 404);
    assert_true(eq(r.path, r.path_len, "/a"));
    assert_true(eq(r.ip, r.ip_len, "10.0.0.1"));
    logfmt_free(f);
}

/* Same key names one level down, keys in the bucket of a mapped key, arrays of objects. */
static void test_nesting_buckets(void **state)
{
    (void)state;
    logfmt *f = fmt("json:time=t,path=uri,status=status,ip=a.status,ua=h[1].ua");
    logrec r;
    /* "stadus", "stbtus": length 6, 's' ... 's' like "status" (the same table bucket). */
    const char *l = "{\"stadus\":\"500\",\"a\":{\"status\":\"10.1.2.3\",\"uri\":\"/no\"},"
                    "\"stbtus\":\"501\",\"t\":\"2026-03-02T10:00:00Z\",\"uri\":\"/yes\","
                    "\"h\":[{\"ua\":\"first\"},{\"x\":{\"ua\":\"deep\"},\"ua\":\"second\"}],"
                    "\"status\":\"302\"}";
    assert_int_equal(parse(f, l, &r), LF_OK);
    assert_int_equal(r.status, 302);
    assert_true(eq(r.path, r.path_len, "/yes"));
    assert_true(eq(r.ip, r.ip_len, "10.1.2.3"));
    assert_true(eq(r.ua, r.ua_len, "second"));
    /* The top-level path absent: the nested uri must not stand in for it. */
    const char *l2 = "{\"a\":{\"uri\":\"/no\"},\"t\":\"2026-03-02T10:00:00Z\",\"status\":200}";
    assert_int_equal(parse(f, l2, &r), LF_BAD_REQUEST);
    assert_string_equal(logfmt_fail_field(f), "uri");
    logfmt_free(f);
}

/* Numbers quoted, bare or in exponent notation read the same; null is absent. */
static void test_numbers(void **state)
{
    (void)state;
    logfmt *f = fmt("nginx-json");
    static const char *const forms[][3] = {
        {"\"404\"", "\"0.068\"", "\"1772438400.125\""},
        {"404", "0.068", "1772438400.125"},
        {"404", "6.8e-2", "1.772438400125e9"},
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        char l[512];
        snprintf(l, sizeof l,
                 "{\"time\":null,\"msec\":%s,\"request\":\"GET / HTTP/1.1\",\"status\":%s,"
                 "\"request_time\":%s,\"body_bytes_sent\":\"12\"}",
                 forms[i][2], forms[i][0], forms[i][1]);
        logrec r;
        assert_int_equal(parse(f, l, &r), LF_OK);
        assert_int_equal(r.status, 404);
        assert_true(fabs(r.req_time - 0.068) < 1e-9);
        assert_true(fabs(r.ts - 1772438400.125) < 1e-6);
    }
    logfmt_free(f);
}

/* Every strict prefix of a valid line fails with a reason and a column inside the line. */
static void test_truncations(void **state)
{
    (void)state;
    logfmt *f = fmt("json:time=msec,request=request,status=status,ua=h.ua[0]");
    const char *l = "{\"msec\":\"1772438400.000\",\"skip\":{\"k\":[1,\"}\\\"]\",{}]},"
                    "\"request\":\"GET /x HTTP/1.1\",\"h\":{\"ua\":[\"Moz\",\"b\"]},"
                    "\"status\":\"200\"}";
    size_t n = strlen(l);
    logrec r;
    assert_int_equal(logfmt_parse(f, l, n, &r), LF_OK);
    for (size_t k = 0; k < n; k++) {
        int rc = logfmt_parse(f, l, k, &r);
        if (rc == LF_OK)
            fail_msg("prefix of %zu bytes taken as a good line", k);
        assert_true(logfmt_fail_col(f) <= k);
        assert_non_null(logfmt_fail_field(f));
    }
    logfmt_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escapes),         cmocka_unit_test(test_duplicates_alternatives),
        cmocka_unit_test(test_nesting_buckets), cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_truncations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
