/*
 * test_modeler_logfmt.c -- unit tests of modeler/logfmt.c and modeler/logread.c.
 *
 * What is checked: combined and common lines with and without a trailing $request_time,
 * escaped quotes inside user agents, time parsing (time_local with offsets, ISO 8601 with
 * fractions, $msec) against known epochs, compiled nginx log_format strings, CSV with named
 * and numbered columns, every failure reason on crafted junk, and that no input -- random
 * bytes of every length -- crashes the parser. logread: plain, gzip and several files with
 * global line numbers, CRLF, a missing final newline, and a line past the cap.
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
#include <unistd.h>
#include <zlib.h>

#include "logfmt.h"
#include "logread.h"
#include "rng.h"

static int parse(logfmt *f, const char *line, logrec *r)
{
    return logfmt_parse(f, line, strlen(line), r);
}

static void test_combined(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    logfmt *f = logfmt_new("combined", err);
    assert_non_null(f);
    logrec r;
    const char *l = "83.149.9.216 - - [17/May/2015:10:05:03 +0000] \"GET /presentations/x.png "
                    "HTTP/1.1\" 200 203023 \"http://semicomplete.com/\" \"Mozilla/5.0 (Mac)\"";
    assert_int_equal(parse(f, l, &r), LF_OK);
    assert_true(r.ts == 1431857103.0);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.bytes, 203023);
    assert_int_equal(r.path_len, strlen("/presentations/x.png"));
    assert_memory_equal(r.method, "GET", 3);
    assert_int_equal(r.ip_len, 12);
    assert_true(r.req_time < 0);
    /* Trailing $request_time, escaped quote in the user agent, a negative offset. */
    const char *l2 =
        "10.0.0.1 - bob [02/Mar/2026:08:00:00 -0130] \"POST /cart?x=1 HTTP/2.0\" 201 - "
        "\"-\" \"Agent \\\"quoted\\\" v1\" 0.125";
    assert_int_equal(parse(f, l2, &r), LF_OK);
    assert_true(r.ts == 1772438400.0 + 5400);
    assert_true(r.req_time == 0.125);
    assert_int_equal(r.bytes, 0);
    assert_int_equal(r.ua_len, strlen("Agent \\\"quoted\\\" v1"));
    logfmt_free(f);
}

static void test_common_and_reasons(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    logfmt *f = logfmt_new("common", err);
    assert_non_null(f);
    logrec r;
    assert_int_equal(
        parse(f, "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /a.gif HTTP/1.0\" 200 2326", &r),
        LF_OK);
    assert_true(r.ts == 971211336.0);
    assert_int_equal(
        parse(f, "1.2.3.4 - - [10/Foo/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 1", &r),
        LF_BAD_TIME);
    assert_int_equal(parse(f, "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GARBAGE\" 200 1", &r),
                     LF_BAD_REQUEST);
    assert_int_equal(
        parse(f, "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 2x0 1", &r),
        LF_BAD_STATUS);
    assert_int_equal(parse(f, "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0", &r),
                     LF_TRUNCATED);
    assert_int_equal(
        parse(f, "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 1k", &r),
        LF_BAD_FIELD);
    /* A literal that never comes: the line is cut short (or is something else entirely). */
    assert_int_equal(
        parse(f, "1.2.3.4 - - <10/Oct/2000:13:55:36 -0700> \"GET / HTTP/1.0\" 200 1", &r),
        LF_TRUNCATED);
    assert_int_equal(parse(f, "", &r), LF_TRUNCATED);
    logfmt_free(f);
}

static void test_times(void **state)
{
    (void)state;
    double t;
    assert_int_equal(logfmt_time_iso8601("2015-05-17T10:05:03+00:00", 25, &t), 0);
    assert_true(t == 1431857103.0);
    assert_int_equal(logfmt_time_iso8601("2015-05-17T12:05:03.250+02:00", 29, &t), 0);
    assert_true(t == 1431857103.25);
    assert_int_equal(logfmt_time_iso8601("2015-05-17T10:05:03Z", 20, &t), 0);
    assert_int_equal(logfmt_time_iso8601("2015-13-17T10:05:03Z", 20, &t), -1);
    assert_int_equal(logfmt_time_local("29/Feb/2024:23:59:59 +0000", 26, &t), 0);
    assert_true(t == 1709251199.0);
    assert_int_equal(logfmt_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(logfmt_days_from_civil(2000, 3, 1), 11017);
}

static void test_nginx_format(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    logfmt *f = logfmt_new("$remote_addr [$time_iso8601] $request_method $request_uri "
                           "$status $body_bytes_sent $request_time \"$http_user_agent\"",
                           err);
    assert_non_null(f);
    assert_string_equal(logfmt_name(f), "nginx");
    logrec r;
    assert_int_equal(
        parse(f, "::1 [2026-03-02T08:00:01.5+00:00] GET /products/7?a=b 200 512 0.003 \"curl/8\"",
              &r),
        LF_OK);
    assert_true(r.ts == 1772438401.5);
    assert_int_equal(r.ts_subsec, 1);
    assert_true(fabs(r.req_time - 0.003) < 1e-12);
    assert_int_equal(r.path_len, strlen("/products/7?a=b"));
    logfmt_free(f);
    f = logfmt_new("$msec \"$request\" $status", err);
    assert_non_null(f);
    assert_int_equal(parse(f, "1772438400.123 \"GET / HTTP/1.1\" 404", &r), LF_OK);
    assert_true(r.ts > 1772438400.12 && r.ts < 1772438400.13);
    logfmt_free(f);
    assert_null(logfmt_new("$remote_addr $status", err));
    assert_non_null(strstr(err, "time variable"));
    assert_null(logfmt_new("$time_local$request", err));
    assert_null(logfmt_new("something", err));
}

static void test_csv(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    logfmt *f = logfmt_new("csv:time=ts,path=url,status=3,ip=client", err);
    assert_non_null(f);
    const char *h = "ts,client,code_is_col3_no,url";
    /* Column 3 is by number; the others by header name. */
    assert_int_equal(logfmt_header(f, h, strlen(h), err), 1);
    logrec r;
    assert_int_equal(parse(f, "2026-03-02T08:00:00Z,10.1.1.1,503,\"/a,b\"", &r), LF_OK);
    assert_int_equal(r.status, 503);
    assert_int_equal(r.path_len, 4);
    assert_memory_equal(r.path, "/a,b", 4);
    assert_int_equal(parse(f, "1772438400,10.1.1.1,200,/x", &r), LF_OK);
    assert_true(r.ts == 1772438400.0);
    assert_int_equal(parse(f, "notatime,10.1.1.1,200,/x", &r), LF_BAD_TIME);
    logfmt_free(f);
    f = logfmt_new("tsv:time=when,path=p", err);
    assert_non_null(f);
    assert_int_equal(logfmt_header(f, "p\tother", 7, err), ST_EINPUT);
    assert_non_null(strstr(err, "no column 'when'"));
    logfmt_free(f);
    assert_null(logfmt_new("csv:time=a,bogus=b,path=c", err));
}

static void test_fuzz(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    const char *specs[] = {"combined", "common", "$remote_addr [$time_local] \"$request\" $status",
                           "csv:time=1,path=2,status=3"};
    rng_stream rs;
    rng_stream_init(&rs, 7, 99);
    char buf[600];
    const char *good =
        "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /a HTTP/1.0\" 200 2 \"-\" \"u\" 0.1";
    for (size_t s = 0; s < 4; s++) {
        logfmt *f = logfmt_new(specs[s], err);
        assert_non_null(f);
        for (int it = 0; it < 20000; it++) {
            size_t n = rng_below(&rs, sizeof buf);
            if (it % 2) {
                for (size_t i = 0; i < n; i++)
                    buf[i] = (char)rng_below(&rs, 256);
            } else {
                /* Mutations of a good line: truncations and byte flips. */
                size_t gl = strlen(good);
                n = rng_below(&rs, gl + 1);
                memcpy(buf, good, n);
                if (n)
                    buf[rng_below(&rs, n)] = (char)rng_below(&rs, 256);
            }
            logrec r;
            int why = logfmt_parse(f, buf, n, &r);
            assert_true(why >= 0 && why < LF_NREASONS);
            if (why == LF_OK) {
                /* Slices point into the line (CSV fields into the parser's row copy). */
                if (s != 3)
                    assert_true(r.path >= buf && r.path + r.path_len <= buf + n);
                assert_true(r.status >= 100 && r.status <= 599);
            }
        }
        logfmt_free(f);
    }
}

static void write_file(const char *p, const char *s, int gz)
{
    if (gz) {
        gzFile g = gzopen(p, "wb");
        assert_non_null(g);
        gzwrite(g, s, (unsigned)strlen(s));
        gzclose(g);
    } else {
        FILE *f = fopen(p, "wb");
        assert_non_null(f);
        fputs(s, f);
        fclose(f);
    }
}

static void test_logread(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_logread.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char a[64], b[64];
    snprintf(a, sizeof a, "%s/a.log", dir);
    snprintf(b, sizeof b, "%s/b.log.gz", dir);
    write_file(a, "one\r\ntwo\n", 0);
    /* b: a line of 100 bytes (cap 32: cut and flagged), then "x" without a final newline. */
    char big[200];
    memset(big, 'z', 100);
    big[100] = '\n';
    memcpy(big + 101, "x", 2);
    write_file(b, big, 1);
    const char *paths[] = {a, b};
    char err[ST_ERRLEN];
    logread *r = logread_open(paths, 2, 32, err);
    assert_non_null(r);
    char *line;
    size_t len;
    uint64_t no;
    int tl;
    assert_int_equal(logread_next(r, &line, &len, &no, &tl, err), 1);
    assert_int_equal(len, 3);
    assert_memory_equal(line, "one", 3);
    assert_int_equal(logread_next(r, &line, &len, &no, &tl, err), 1);
    assert_int_equal(no, 2);
    assert_int_equal(logread_next(r, &line, &len, &no, &tl, err), 1);
    assert_int_equal(no, 3);
    assert_int_equal(tl, 1);
    assert_int_equal(len, 32);
    assert_int_equal(logread_next(r, &line, &len, &no, &tl, err), 1);
    assert_int_equal(no, 4);
    assert_int_equal(tl, 0);
    assert_int_equal(len, 1);
    assert_int_equal(line[0], 'x');
    assert_int_equal(logread_next(r, &line, &len, &no, &tl, err), 0);
    logread_close(r);
    const char *missing[] = {a, "/nonexistent/x.log"};
    assert_null(logread_open(missing, 2, 0, err));
    assert_non_null(strstr(err, "/nonexistent/x.log: cannot open"));
    unlink(a);
    unlink(b);
    rmdir(dir);
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_combined),   cmocka_unit_test(test_common_and_reasons),
        cmocka_unit_test(test_times),      cmocka_unit_test(test_nginx_format),
        cmocka_unit_test(test_csv),        cmocka_unit_test(test_fuzz),
        cmocka_unit_test(test_logread),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
