/*
 * test_modeler_formats.c -- unit tests of the format families (modeler/fmt_*.c): Apache
 * LogFormat strings, --time-format and --tz, the CSV export of issue 11, and the presets.
 *
 * What is checked: the fields a user cares about (time to the microsecond, path with its
 * query, status, request time in seconds whatever the unit the log used) against values
 * computed independently (Python's calendar.timegm and zoneinfo for the epochs), that an
 * unknown directive is a warning and not an error, that a failing line names the field and
 * the byte column where it stopped, that every preset compiles, and that no mutation of a
 * preset's sample line (byte flips, truncations, random bytes) crashes its parser or
 * reports a column outside the line.
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

#include "logfmt.h"
#include "logread.h"
#include "rng.h"

static int parse(logfmt *f, const char *line, logrec *r)
{
    return logfmt_parse(f, line, strlen(line), r);
}

static int eq(const char *s, size_t n, const char *want)
{
    return n == strlen(want) && memcmp(s, want, n) == 0;
}

static void test_apache_usec(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    logfmt *f = logfmt_new("apache:%h %l %u [%{%Y-%m-%d %H:%M:%S}t.%{usec_frac}t] \"%r\" %>s %b "
                           "\"%{Referer}i\" \"%{User-Agent}i\" %D",
                           err);
    assert_non_null(f);
    assert_null(logfmt_warning(f));
    assert_true(logfmt_has_request_time(f));
    logrec r;
    const char *l = "10.1.2.3 - bob [2015-09-02 10:42:51.003372] \"POST /cart/add?id=7 HTTP/1.1\" "
                    "302 - \"http://x/\" \"Mozilla/5.0 (X11) \\\"q\\\"\" 45123";
    assert_int_equal(parse(f, l, &r), LF_OK);
    assert_true(fabs(r.ts - (1441190571.0 + 0.003372)) < 1e-6);
    assert_true(r.ts_subsec);
    assert_true(eq(r.ip, r.ip_len, "10.1.2.3"));
    assert_true(eq(r.method, r.method_len, "POST"));
    assert_true(eq(r.path, r.path_len, "/cart/add?id=7"));
    assert_int_equal(r.status, 302);
    assert_int_equal(r.bytes, 0);
    assert_true(fabs(r.req_time - 0.045123) < 1e-9);
    assert_int_equal(logfmt_zoneless(f), 1);
    logfmt_free(f);
}

static void test_apache_directives(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    /* %U%q, %{ms}T, %{end:...}t with msec_frac, %a over %h, %{c}a, conditions, %^ti. */
    logfmt *f = logfmt_new("apache:%a %h %{c}a [%{end:%d/%b/%Y:%H:%M:%S}t.%{end:msec_frac}t "
                           "%{end:%z}t] %m %U%q %H %s %>s %B %O %{ms}T %T %400,501{X-A}i %^ti %k "
                           "%L %X %v:%p %%",
                           err);
    assert_non_null(f);
    logrec r;
    const char *l = "192.0.2.9 10.0.0.1 10.0.0.2 [02/Sep/2015:12:42:51.250 +0200] GET "
                    "/p/1?x=2 HTTP/1.1 200 201 512 700 750 0 - - 0 abc + shop:443 %";
    assert_int_equal(parse(f, l, &r), LF_OK);
    assert_true(eq(r.ip, r.ip_len, "192.0.2.9"));
    assert_true(eq(r.path, r.path_len, "/p/1?x=2"));
    assert_int_equal(r.status, 201);
    assert_int_equal(r.bytes, 512);
    /* %{ms}T wins over %T; the time is when the response ended, so the start is 0.75 s earlier. */
    assert_true(fabs(r.req_time - 0.75) < 1e-9);
    assert_true(fabs(r.ts - (1441190571.25 - 0.75)) < 1e-6);
    logfmt_free(f);

    /* %O is the byte count when there is no %b, even with a %b inside a %{...}t pattern. */
    f = logfmt_new("apache:%h [%{%d/%b/%Y:%H:%M:%S %z}t] \"%r\" %>s %O", err);
    assert_non_null(f);
    assert_int_equal(parse(f, "1.2.3.4 [02/Sep/2015:12:42:51 +0200] \"GET / HTTP/1.0\" 200 77", &r),
                     LF_OK);
    assert_int_equal(r.bytes, 77);
    assert_true(fabs(r.ts - 1441190571.0) < 1e-6);
    logfmt_free(f);

    /* A directive nobody knows is one field and a warning. */
    f = logfmt_new("apache:%h %t \"%r\" %>s %J %b", err);
    assert_non_null(f);
    assert_non_null(logfmt_warning(f));
    assert_non_null(strstr(logfmt_warning(f), "%J"));
    l = "1.2.3.4 [02/Sep/2015:10:42:51 +0000] \"GET / HTTP/1.0\" 200 whatever 99";
    assert_int_equal(parse(f, l, &r), LF_OK);
    assert_int_equal(r.bytes, 99);
    logfmt_free(f);

    /* Two directives with nothing between them cannot be split: a spec error. */
    assert_null(logfmt_new("apache:%h%u %t \"%r\" %>s", err));
    assert_non_null(strstr(err, "nothing between"));
    assert_null(logfmt_new("apache:%h %u \"%r\" %>s", err));
    assert_non_null(strstr(err, "time"));
}

static void test_apache_epoch_tokens(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    logfmt *f = logfmt_new("apache:%h %{msec}t \"%r\" %>s %{us}T", err);
    assert_non_null(f);
    logrec r;
    assert_int_equal(parse(f, "::1 1441190571003 \"GET /x HTTP/1.1\" 200 1500", &r), LF_OK);
    assert_true(fabs(r.ts - 1441190571.003) < 1e-6);
    assert_true(eq(r.ip, r.ip_len, "::1"));
    assert_true(fabs(r.req_time - 0.0015) < 1e-12);
    logfmt_free(f);
    f = logfmt_new("apache:%h %{sec}t.%{usec_frac}t \"%r\" %>s", err);
    assert_non_null(f);
    assert_int_equal(parse(f, "h 1441190571.000042 \"GET /x HTTP/1.1\" 200", &r), LF_OK);
    assert_true(fabs(r.ts - 1441190571.000042) < 1e-6);
    logfmt_free(f);
}

/* The CSV export of issue 11: time column "[29/Nov/2017:06:58:55", no zone, CRLF ends
 * (logread strips the CR; the line here is as the format sees it). */
static void test_csv_time_format_tz(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    logfmt *f = logfmt_new("csv:ip=1,time=2,request=3,status=4", err);
    assert_non_null(f);
    assert_int_equal(logfmt_set_time(f, "[%d/%b/%Y:%H:%M:%S", NULL, err), 0);
    logrec r;
    assert_int_equal(parse(f, "10.128.2.1,[29/Nov/2017:06:58:55,GET /login.php HTTP/1.1,200", &r),
                     LF_OK);
    assert_true(fabs(r.ts - 1511938735.0) < 1e-6);
    assert_true(eq(r.path, r.path_len, "/login.php"));
    assert_int_equal(logfmt_zoneless(f), 1);
    assert_null(logfmt_tz_name(f));
    /* A literal that does not match fails the time field. */
    assert_int_equal(parse(f, "10.128.2.1,29/Nov/2017:06:58:55,GET / HTTP/1.1,200", &r),
                     LF_BAD_TIME);
    assert_string_equal(logfmt_fail_field(f), "time");
    logfmt_free(f);

    /* --tz with an IANA zone: winter (+01:00) and summer (+02:00) both right. */
    f = logfmt_new("csv:time=1,path=2", err);
    assert_non_null(f);
    assert_int_equal(logfmt_set_time(f, "%Y-%m-%d %H:%M:%S", "Europe/Berlin", err), 0);
    assert_int_equal(parse(f, "2017-11-29 06:58:55,/a", &r), LF_OK);
    assert_true(fabs(r.ts - 1511935135.0) < 1e-6);
    assert_int_equal(parse(f, "2017-07-29 06:58:55,/a", &r), LF_OK);
    assert_true(fabs(r.ts - 1501304335.0) < 1e-6);
    assert_string_equal(logfmt_tz_name(f), "Europe/Berlin");
    assert_int_equal(logfmt_set_time(f, NULL, "-03:30", err), 0);
    assert_int_equal(parse(f, "2017-11-29 06:58:55,/a", &r), LF_OK);
    assert_true(fabs(r.ts - (1511938735.0 + 3.5 * 3600)) < 1e-6);
    /* A zone in the line beats --tz; %f takes any number of digits; %s is epoch. */
    assert_int_equal(logfmt_set_time(f, "%Y-%m-%dT%H:%M:%S.%f%z", NULL, err), 0);
    assert_int_equal(parse(f, "2017-11-29T06:58:55.5+00:00,/a", &r), LF_OK);
    assert_true(fabs(r.ts - 1511938735.5) < 1e-6);
    assert_int_equal(logfmt_set_time(f, "%s.%f", NULL, err), 0);
    assert_int_equal(parse(f, "1511938735.123456789,/a", &r), LF_OK);
    assert_true(fabs(r.ts - 1511938735.123456789) < 1e-6);
    assert_int_equal(logfmt_set_time(f, "%d/%b/%Y %I:%M:%S %p %Z", NULL, err), 0);
    assert_int_equal(parse(f, "29/Nov/2017 06:58:55 PM GMT,/a", &r), LF_OK);
    assert_true(fabs(r.ts - (1511938735.0 + 12 * 3600)) < 1e-6);
    logfmt_free(f);

    f = logfmt_new("common", err);
    assert_int_not_equal(logfmt_set_time(f, "%Q", NULL, err), 0);
    assert_int_not_equal(logfmt_set_time(f, NULL, "Mars/Olympus", err), 0);
    assert_non_null(strstr(err, "Mars/Olympus"));
    assert_int_not_equal(logfmt_set_time(f, NULL, "../etc/passwd", err), 0);
    logfmt_free(f);
}

/* JSON: nested paths, [i], alternatives by preference, units, escapes, query after path. */
static void test_json(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    logfmt *f = logfmt_new("json:time=ts|t2,path=req.uri,query=req.args,status=st,ua=h.UA[1],"
                           "request_time=d:us,ip=c",
                           err);
    assert_non_null(f);
    logrec r;
    const char *l =
        "prefix: {\"x\":[1,{\"y\":\"}\"}],\"req\":{\"args\":\"a=1\",\"uri\":\"/p\\u00e9/1\"},"
        "\"t2\":\"2017-11-29T06:58:55Z\",\"ts\":null,\"st\":\"404\","
        "\"h\":{\"UA\":[\"no\",\"Moz \\\"q\\\"\"]},\"d\":1.5e3,\"c\":\"[::1]:80\"}";
    assert_int_equal(parse(f, l, &r), LF_OK);
    assert_true(fabs(r.ts - 1511938735.0) < 1e-6);
    assert_true(eq(r.path, r.path_len, "/p\xc3\xa9/1?a=1"));
    assert_int_equal(r.status, 404);
    assert_true(eq(r.ua, r.ua_len, "Moz \"q\""));
    assert_true(fabs(r.req_time - 0.0015) < 1e-12);
    assert_true(eq(r.ip, r.ip_len, "::1"));
    /* A missing time names its path; broken JSON names the syntax and a column. */
    assert_int_equal(parse(f, "{\"req\":{\"uri\":\"/a\"},\"st\":200}", &r), LF_BAD_TIME);
    assert_string_equal(logfmt_fail_field(f), "ts");
    assert_int_not_equal(parse(f, "{\"req\":{\"uri\":\"/a\"", &r), LF_OK);
    assert_string_equal(logfmt_fail_field(f), "json syntax");
    logfmt_free(f);
}

/* HAProxy with every syslog framing, ALB old and new, W3C IIS milliseconds vs seconds. */
static void test_lb_w3c(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    logfmt *f = logfmt_new("haproxy", err);
    assert_non_null(f);
    logrec r;
    const char *tail = " [05/Mar/2024:10:00:00.125] fe be/s1 0/0/1/11/12 200 5120 - - ---- "
                       "1/1/0/0/0 0/0 {h|ua} {} \"GET /a?b=1 HTTP/1.1\"";
    const char *pre[] = {"", "<134>Mar  5 10:00:00 lb haproxy[1]: ",
                         "<134>1 2024-03-05T10:00:00.125Z lb haproxy 1 - - "};
    for (size_t i = 0; i < 3; i++) {
        char l[512];
        snprintf(l, sizeof l, "%s10.1.1.1:4242%s", pre[i], tail);
        assert_int_equal(parse(f, l, &r), LF_OK);
        assert_true(eq(r.ip, r.ip_len, "10.1.1.1"));
        assert_true(eq(r.path, r.path_len, "/a?b=1"));
        assert_true(fabs(r.req_time - 0.012) < 1e-12);
        assert_true(fabs(r.ts - 1709632800.125) < 1e-6);
    }
    assert_int_equal(parse(f,
                           "10.1.1.1:1 [05/Mar/2024:10:00:00.125] fe fe/<NOSRV> -1/-1/-1/-1/0 "
                           "400 0 - - CR-- 1/1/0/0/0 0/0 \"<BADREQ>\"",
                           &r),
                     LF_BAD_REQUEST);
    logfmt_free(f);

    f = logfmt_new("alb", err);
    assert_non_null(f);
    /* An old entry without request_creation_time: the start is time minus the request time. */
    const char *alb =
        "https 2024-03-05T10:00:01.000000Z app/lb/1 10.2.2.2:5 10.0.0.7:80 0.100 "
        "0.200 0.200 503 - 10 20 \"GET https://shop.example:443/p/1 HTTP/2.0\" \"ua\"";
    assert_int_equal(parse(f, alb, &r), LF_OK);
    assert_int_equal(r.status, 503);
    assert_true(eq(r.path, r.path_len, "/p/1"));
    assert_true(fabs(r.req_time - 0.5) < 1e-9);
    assert_true(fabs(r.ts - (1709632801.0 - 0.5)) < 1e-6);
    const char *alb2 = "http 2024-03-05T10:00:01.000000Z app/lb/1 10.2.2.2:5 - -1 -1 -1 460 - 10 "
                       "0 \"GET http://shop.example:80/ HTTP/1.1\" \"ua\"";
    assert_int_equal(parse(f, alb2, &r), LF_OK);
    assert_true(r.req_time < 0); /* the target was never reached: unknown, not 0 */
    logfmt_free(f);

    f = logfmt_new("w3c", err);
    assert_non_null(f);
    assert_int_equal(parse(f, "2024-03-05 10:00:00 GET /a - 200 12", &r), LF_BAD_FIELD);
    const char *h = "#Fields: date time cs-method cs-uri-stem cs-uri-query sc-status time-taken";
    assert_int_equal(parse(f, h, &r), LF_DIRECTIVE);
    assert_int_equal(parse(f, "2024-03-05 10:00:00 GET /a x=1 200 12", &r), LF_OK);
    assert_true(fabs(r.req_time - 0.012) < 1e-12); /* IIS: integer milliseconds */
    assert_true(eq(r.path, r.path_len, "/a?x=1"));
    assert_int_equal(parse(f, "2024-03-05\t10:00:00\tGET\t/a\t-\t200\t0.250", &r), LF_OK);
    assert_true(fabs(r.req_time - 0.25) < 1e-12); /* CloudFront: seconds */
    assert_int_equal(parse(f, "#Fields: time date cs-uri-stem sc-status", &r), LF_DIRECTIVE);
    assert_int_equal(parse(f, "10:00:00 2024-03-05 /b 404", &r), LF_OK);
    assert_int_equal(r.status, 404);
    assert_true(fabs(r.ts - 1709632800.0) < 1e-6);
    assert_int_equal(parse(f, "10:00:00 2024-03-05 /b", &r), LF_TRUNCATED);
    assert_int_equal(logfmt_zoneless(f), 0); /* W3C times are UTC by definition */
    logfmt_free(f);
}

static void test_fail_position(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    logfmt *f = logfmt_new("combined", err);
    assert_non_null(f);
    logrec r;
    const char *l =
        "1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET /x HTTP/1.1\" 2x0 5 \"-\" \"-\"";
    assert_int_equal(parse(f, l, &r), LF_BAD_STATUS);
    assert_string_equal(logfmt_fail_field(f), "$status");
    assert_int_equal(logfmt_fail_col(f), (size_t)(strstr(l, "2x0") - l));
    logfmt_free(f);
}

/* combined + a trailing number: decimals are nginx seconds, integers Apache %D. */
static void test_combined_trailing(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    logfmt *f = logfmt_new("combined", err);
    assert_non_null(f);
    logrec r;
    const char *l =
        "1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET /x HTTP/1.1\" 200 5 \"-\" \"u\" 0.045";
    assert_int_equal(parse(f, l, &r), LF_OK);
    assert_true(fabs(r.req_time - 0.045) < 1e-12);
    assert_null(logfmt_warning(f));
    l = "1.2.3.4 - - [2015-05-17 10:05:03.250000] \"GET /x HTTP/1.1\" 200 5 \"-\" \"u\" 45000";
    assert_int_equal(parse(f, l, &r), LF_OK);
    assert_true(fabs(r.req_time - 0.045) < 1e-12);
    assert_true(fabs(r.ts - (1431857103.0 + 0.25)) < 1e-6);
    assert_non_null(logfmt_warning(f));
    assert_non_null(strstr(logfmt_warning(f), "%D"));
    /* combinedio's "%I %O" are byte counts, not a request time; nginx's "rt urt" are. */
    l = "1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET /x HTTP/1.1\" 200 5 \"-\" \"u\" 450 5678";
    assert_int_equal(parse(f, l, &r), LF_OK);
    assert_true(r.req_time < 0);
    l = "1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET /x HTTP/1.1\" 200 5 \"-\" \"u\" 0.120 "
        "0.118";
    assert_int_equal(parse(f, l, &r), LF_OK);
    assert_true(fabs(r.req_time - 0.12) < 1e-12);
    logfmt_free(f);
}

static void test_presets_compile(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    size_t n = 0;
    for (const logfmt_preset *p; (p = logfmt_preset_at(n)); n++) {
        logfmt *a = logfmt_new(p->name, err);
        if (!a)
            fail_msg("preset %s: %s", p->name, err);
        assert_string_equal(logfmt_name(a), p->name);
        assert_non_null(p->about);
        logfmt_free(a);
        logfmt *b = logfmt_new(p->spec, err);
        if (!b)
            fail_msg("preset %s spec: %s", p->name, err);
        logfmt_free(b);
    }
    assert_true(n >= 4);
}

/* The first request line of a preset's sample in fixtures/logs/formats. */
static size_t sample_line(const char *preset, char *buf, size_t cap)
{
    static const struct {
        const char *preset, *file;
    } files[] = {{"apache-usec", "apache-usec"},
                 {"nginx-json", "nginx-json"},
                 {"caddy", "caddy"},
                 {"traefik", "traefik"},
                 {"envoy", "envoy"},
                 {"alb", "alb"},
                 {"haproxy", "haproxy"},
                 {"w3c", "w3c-cloudfront"},
                 {"traefik-clf", "traefik-clf"},
                 {"envoy-text", "envoy-text"}};
    const char *src = getenv("ST_SRC_DIR");
    for (size_t i = 0; src && i < sizeof files / sizeof files[0]; i++) {
        if (strcmp(files[i].preset, preset) != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/fixtures/logs/formats/%s.log", src, files[i].file);
        FILE *fp = fopen(path, "r");
        if (!fp)
            fail_msg("cannot open %s", path);
        size_t n = 0;
        while (fgets(buf, (int)cap, fp) && buf[0] == '#')
            ;
        fclose(fp);
        n = strlen(buf);
        while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
            n--;
        return n;
    }
    return 0;
}

static void test_fuzz_presets(void **state)
{
    (void)state;
    char err[ST_ERRLEN], good[2048], buf[2048];
    rng_stream rs;
    rng_stream_init(&rs, 11, 5);
    for (size_t k = 0; logfmt_preset_at(k); k++) {
        const char *name = logfmt_preset_at(k)->name;
        logfmt *f = logfmt_new(name, err);
        assert_non_null(f);
        size_t gl = sample_line(name, good, sizeof good);
        if (!strcmp(name, "w3c")) {
            const char *hdr = "#Fields: date time c-ip cs-method cs-uri-stem sc-status time-taken";
            assert_int_equal(logfmt_parse(f, hdr, strlen(hdr), &(logrec){0}), LF_DIRECTIVE);
            const char *l = "2024-03-05\t10:00:00\t1.2.3.4\tGET\t/a\t200\t0.5";
            gl = strlen(l);
            memcpy(good, l, gl + 1);
        }
        logrec r;
        if (gl)
            assert_int_equal(logfmt_parse(f, good, gl, &r), LF_OK);
        for (int it = 0; it < 6000; it++) {
            size_t n;
            if (it % 3 == 0 || gl == 0) {
                n = rng_below(&rs, 400);
                for (size_t i = 0; i < n; i++)
                    buf[i] = (char)rng_below(&rs, 256);
            } else {
                n = it % 3 == 1 ? rng_below(&rs, gl + 1) : gl;
                memcpy(buf, good, n);
                for (int flips = 1 + (int)rng_below(&rs, 3); flips > 0 && n; flips--)
                    buf[rng_below(&rs, n)] = "\"{}[]:,\\ 0a-/\t"[rng_below(&rs, 15)];
            }
            int why = logfmt_parse(f, buf, n, &r);
            assert_true(why == LF_DIRECTIVE || (why >= 0 && why < LF_NREASONS));
            if (why > 0)
                assert_true(logfmt_fail_col(f) <= n);
            if (why == LF_OK)
                assert_true(r.status >= 100 && r.status <= 599 && r.path && r.path_len > 0);
        }
        logfmt_free(f);
    }
}

/* logread_peek: the sample is handed out again, in order with its numbers, then the rest. */
static void test_logread_peek(void **state)
{
    (void)state;
    char path[] = "/tmp/test_peek_XXXXXX", err[ST_ERRLEN];
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    fputs("\xEF\xBB\xBF"
          "a\r\nbb\n\nccc\ndddd\neeeee",
          fp);
    fclose(fp);
    const char *paths[] = {path};
    logread *lr = logread_open(paths, 1, 0, err);
    assert_non_null(lr);
    logread_sample smp;
    assert_int_equal(logread_peek(lr, 3, 1 << 20, &smp, err), 0);
    assert_int_equal(smp.n, 3);
    assert_true(smp.lens[0] == 1 && smp.lines[0][0] == 'a' && smp.lens[2] == 0);
    assert_int_not_equal(logread_peek(lr, 3, 1 << 20, &smp, err), 0);
    const char *want[] = {"a", "bb", "", "ccc", "dddd", "eeeee"};
    char *line;
    size_t len;
    uint64_t no;
    int tl;
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(logread_next(lr, &line, &len, &no, &tl, err), 1);
        assert_int_equal(no, i + 1);
        assert_true(len == strlen(want[i]) && memcmp(line, want[i], len) == 0);
    }
    assert_int_equal(logread_next(lr, &line, &len, &no, &tl, err), 0);
    logread_close(lr);
    unlink(path);
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apache_usec),        cmocka_unit_test(test_apache_directives),
        cmocka_unit_test(test_apache_epoch_tokens), cmocka_unit_test(test_csv_time_format_tz),
        cmocka_unit_test(test_fail_position),      cmocka_unit_test(test_presets_compile),
        cmocka_unit_test(test_fuzz_presets),       cmocka_unit_test(test_combined_trailing),
        cmocka_unit_test(test_json),               cmocka_unit_test(test_lb_w3c),
        cmocka_unit_test(test_logread_peek),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
