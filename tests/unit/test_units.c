/*
 * test_units.c -- unit tests of common/units.c.
 *
 * Each parser is driven by a table of good inputs with their exact values and a table of bad
 * inputs that must fail with ST_EINPUT and a message quoting the input. Printers are checked
 * against expected strings and, for durations, by reading their output back with the parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "units.h"

/* Asserts that err quotes s (exactly as given, for inputs without special bytes). */
static void assert_quotes(const char *err, const char *s)
{
    char q[128];
    snprintf(q, sizeof q, "\"%s\"", s);
    if (!strstr(err, q)) {
        print_error("message %s does not quote %s\n", err, q);
        fail();
    }
}

static void test_duration_good(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        double want;
    } t[] = {
        {"90s", 90},       {"2m30s", 150},      {"1h", 3600},      {"1h30m", 5400}, {"250ms", 0.25},
        {"500us", 0.0005}, {"1.5s", 1.5},       {"3d", 259200},    {"90", 90},      {"0", 0},
        {"0.5", 0.5},      {"1d2h3m4s", 93784}, {"1s500ms", 1.5},  {"10ns", 1e-8},  {"1e3ms", 1},
        {"2h0m", 7200},    {"1m0.5s", 60.5},    {"\xc2\xb5s", -1},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        double v = -99;
        char err[ST_ERRLEN] = "";
        int rc = units_parse_duration(t[i].in, &v, err);
        if (t[i].want < 0) { /* "µs" alone has no number: must fail */
            assert_int_equal(rc, ST_EINPUT);
            continue;
        }
        if (rc != 0 || fabs(v - t[i].want) > 1e-12 * fmax(1, t[i].want)) {
            print_error("%s -> rc %d v %.17g (%s), want %.17g\n", t[i].in, rc, v, err, t[i].want);
            fail();
        }
    }
}

static void test_duration_bad(void **state)
{
    (void)state;
    /* clang-format off */
    static const char *const bad[] = {"",    "abc", "5q",   "1h2h", "-1s",  "nan",
                                      "inf", "1e400s", "2m30", "1s1m", "s",   " 1s",
                                      "1s ", "1.s", ".", "1ms500us3", "0x10s", "+1s",
                                      "1 s", "1hh", "1e400", "1e20s"};
    /* clang-format on */
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double v = 12345;
        char err[ST_ERRLEN] = "";
        int rc = units_parse_duration(bad[i], &v, err);
        if (rc != ST_EINPUT || v != 12345) {
            print_error("\"%s\" accepted: rc %d v %g\n", bad[i], rc, v);
            fail();
        }
        assert_quotes(err, bad[i]);
        assert_non_null(strstr(err, "invalid duration"));
    }
    char err[ST_ERRLEN];
    double v;
    assert_int_equal(units_parse_duration("2x", &v, err), ST_EINPUT);
    assert_string_equal(err, "invalid duration \"2x\": expected a number followed by d, h, m, "
                             "s, ms, us or ns");
    assert_int_equal(units_parse_duration("1h2h", &v, err), ST_EINPUT);
    assert_non_null(strstr(err, "largest to smallest"));
    assert_int_equal(units_parse_duration("2m30", &v, err), ST_EINPUT);
    assert_non_null(strstr(err, "needs a unit"));
    /* A NULL err is allowed. */
    assert_int_equal(units_parse_duration("zz", &v, NULL), ST_EINPUT);
}

static void test_quote_is_safe(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    double v;
    /* Control bytes are escaped and long input is shortened, never overflowing err. */
    assert_int_equal(units_parse_duration("1\033[2Js", &v, err), ST_EINPUT);
    assert_null(strchr(err, '\033'));
    assert_non_null(strstr(err, "\\x1b"));
    char longin[600];
    memset(longin, '7', sizeof longin - 2);
    longin[sizeof longin - 2] = 'q';
    longin[sizeof longin - 1] = '\0';
    assert_int_equal(units_parse_duration(longin, &v, err), ST_EINPUT);
    assert_true(strlen(err) < ST_ERRLEN);
    assert_non_null(strstr(err, "...\""));
}

static void test_rate(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        double want;
    } t[] = {{"800/s", 800}, {"50/m", 50.0 / 60}, {"12/min", 0.2}, {"3000/h", 3000.0 / 3600},
             {"800", 800},   {"0.5/s", 0.5},      {"0/s", 0},      {"86400/d", 1},
             {"1.5", 1.5},   {"60/sec", 60}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        double v = -1;
        char err[ST_ERRLEN] = "";
        assert_int_equal(units_parse_rate(t[i].in, &v, err), 0);
        assert_true(fabs(v - t[i].want) < 1e-12);
    }
    /* clang-format off */
    static const char *const bad[] = {"", "abc", "12//s", "5/q", "-1/s", "nan", "1e400/s",
                                      "5/", "/s", "5 /s", "5/s ", "inf/s"};
    /* clang-format on */
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double v = 7;
        char err[ST_ERRLEN] = "";
        if (units_parse_rate(bad[i], &v, err) != ST_EINPUT || v != 7) {
            print_error("rate \"%s\" accepted\n", bad[i]);
            fail();
        }
        assert_quotes(err, bad[i]);
        assert_non_null(strstr(err, "invalid rate"));
    }
}

static void test_factor(void **state)
{
    (void)state;
    double v;
    char err[ST_ERRLEN];
    assert_int_equal(units_parse_factor("1.5x", &v, err), 0);
    assert_true(v == 1.5);
    assert_int_equal(units_parse_factor("150%", &v, err), 0);
    assert_true(fabs(v - 1.5) < 1e-15);
    assert_int_equal(units_parse_factor("1.5", &v, err), 0);
    assert_true(v == 1.5);
    assert_int_equal(units_parse_factor("0.25x", &v, err), 0);
    assert_true(v == 0.25);
    /* clang-format off */
    static const char *const bad[] = {"", "0", "0x", "0%", "-1x", "abc", "1.5xx", "x",
                                      "nan", "1e400x", "%", "1.5 x"};
    /* clang-format on */
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (units_parse_factor(bad[i], &v, err) != ST_EINPUT) {
            print_error("factor \"%s\" accepted\n", bad[i]);
            fail();
        }
        assert_quotes(err, bad[i]);
    }
    assert_int_equal(units_parse_factor("0x", &v, err), ST_EINPUT);
    assert_non_null(strstr(err, "greater than 0"));
}

static void test_size(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        uint64_t want;
    } t[] = {{"64KiB", 65536},
             {"1MiB", 1048576},
             {"2GiB", 2147483648ull},
             {"10kB", 10000},
             {"1MB", 1000000},
             {"1GB", 1000000000ull},
             {"512", 512},
             {"512B", 512},
             {"0", 0},
             {"1.5KiB", 1536},
             {"18446744073709551615", UINT64_MAX},
             {"16777215TiB", 16777215ull << 40}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        uint64_t v = 1;
        char err[ST_ERRLEN] = "";
        if (units_parse_size(t[i].in, &v, err) != 0 || v != t[i].want) {
            print_error("size %s -> %llu (%s)\n", t[i].in, (unsigned long long)v, err);
            fail();
        }
    }
    /* clang-format off */
    static const char *const bad[] = {"",     "abc",   "5q",    "64kib", "64 KiB",
                                      "-1",   "1.5B",  "0.1B",  "nan",   "18446744073709551616",
                                      "16777216TiB", "1e400", "KiB", "1KB"};
    /* clang-format on */
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t v = 1;
        char err[ST_ERRLEN] = "";
        if (units_parse_size(bad[i], &v, err) != ST_EINPUT || v != 1) {
            print_error("size \"%s\" accepted -> %llu\n", bad[i], (unsigned long long)v);
            fail();
        }
        assert_quotes(err, bad[i]);
    }
}

static void test_integers(void **state)
{
    (void)state;
    int64_t i;
    uint64_t u;
    double d;
    char err[ST_ERRLEN];
    assert_int_equal(units_parse_i64("42", 0, 100, &i, err), 0);
    assert_int_equal(i, 42);
    assert_int_equal(units_parse_i64("-5", -10, 10, &i, err), 0);
    assert_int_equal(i, -5);
    assert_int_equal(units_parse_i64("9223372036854775807", INT64_MIN, INT64_MAX, &i, err), 0);
    assert_true(i == INT64_MAX);
    assert_int_equal(units_parse_i64("101", 0, 100, &i, err), ST_EINPUT);
    assert_non_null(strstr(err, "between 0 and 100"));
    assert_quotes(err, "101");
    /* clang-format off */
    static const char *const badi[] = {"", "abc", "1.5", " 1", "1 ", "+1", "0x10", "-",
                                       "9223372036854775808", "5q"};
    /* clang-format on */
    for (size_t k = 0; k < sizeof badi / sizeof badi[0]; k++) {
        i = 77;
        if (units_parse_i64(badi[k], INT64_MIN, INT64_MAX, &i, err) != ST_EINPUT || i != 77) {
            print_error("i64 \"%s\" accepted\n", badi[k]);
            fail();
        }
        assert_quotes(err, badi[k]);
    }
    assert_int_equal(units_parse_u64("18446744073709551615", &u, err), 0);
    assert_true(u == UINT64_MAX);
    assert_int_equal(units_parse_u64("18446744073709551616", &u, err), ST_EINPUT);
    assert_int_equal(units_parse_u64("-1", &u, err), ST_EINPUT);
    assert_quotes(err, "-1");
    assert_int_equal(units_parse_u64("", &u, err), ST_EINPUT);

    assert_int_equal(units_parse_double("-0.25", &d, err), 0);
    assert_true(d == -0.25);
    assert_int_equal(units_parse_double("1e3", &d, err), 0);
    assert_true(d == 1000);
    /* clang-format off */
    static const char *const badd[] = {"", "nan", "inf", "-inf", "1e400", "1.", "abc", "1,5",
                                       "0x1p3", "1e"};
    /* clang-format on */
    for (size_t k = 0; k < sizeof badd / sizeof badd[0]; k++) {
        if (units_parse_double(badd[k], &d, err) != ST_EINPUT) {
            print_error("double \"%s\" accepted\n", badd[k]);
            fail();
        }
        assert_quotes(err, badd[k]);
    }
}

static void test_slice(void **state)
{
    (void)state;
    unsigned i = 0, n = 0;
    char err[ST_ERRLEN];
    assert_int_equal(units_parse_slice("2/4", &i, &n, err), 0);
    assert_int_equal(i, 2);
    assert_int_equal(n, 4);
    assert_int_equal(units_parse_slice("1/1", &i, &n, err), 0);
    /* clang-format off */
    static const char *const bad[] = {"", "1", "0/4", "5/4", "1/0", "a/b", "1/2/3", "-1/2",
                                      "1/", "/2", "1 /2", "99999999999/99999999999"};
    /* clang-format on */
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        i = n = 9;
        if (units_parse_slice(bad[k], &i, &n, err) != ST_EINPUT || i != 9 || n != 9) {
            print_error("slice \"%s\" accepted\n", bad[k]);
            fail();
        }
        assert_quotes(err, bad[k]);
    }
}

static void test_printers(void **state)
{
    (void)state;
    char b[64];
    static const struct {
        double in;
        const char *want;
    } d[] = {{150, "2m30s"},      {1.5, "1.5s"},    {0.25, "250ms"}, {12e-6, "12us"},
             {0, "0s"},           {3600, "1h"},     {5400, "1h30m"}, {259200, "3d"},
             {90061, "1d1h1m1s"}, {60.5, "1m0.5s"}, {5e-9, "5ns"},   {-2, "-2s"},
             {NAN, "n/a"}};
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++)
        assert_string_equal(units_fmt_duration(b, sizeof b, d[i].in), d[i].want);
    /* What the printer writes, the parser reads back. */
    static const double rt[] = {0.001, 0.0125, 1, 59.5, 61, 86399, 123456.789, 7e-7};
    for (size_t i = 0; i < sizeof rt / sizeof rt[0]; i++) {
        double v;
        char err[ST_ERRLEN];
        units_fmt_duration(b, sizeof b, rt[i]);
        assert_int_equal(units_parse_duration(b, &v, err), 0);
        assert_true(fabs(v - rt[i]) <= 0.0005 * fmax(1e-6, rt[i]) + 1e-12);
    }
    assert_string_equal(units_fmt_rate(b, sizeof b, 800), "800/s");
    assert_string_equal(units_fmt_rate(b, sizeof b, 1234), "1.2k/s");
    assert_string_equal(units_fmt_rate(b, sizeof b, 0.5), "0.5/s");
    assert_string_equal(units_fmt_rate(b, sizeof b, 2.5e6), "2.5M/s");
    assert_string_equal(units_fmt_size(b, sizeof b, 65536), "64.0KiB");
    assert_string_equal(units_fmt_size(b, sizeof b, 1572864), "1.5MiB");
    assert_string_equal(units_fmt_size(b, sizeof b, 512), "512B");
    assert_string_equal(units_fmt_count(b, sizeof b, 1234567), "1,234,567");
    assert_string_equal(units_fmt_count(b, sizeof b, 999), "999");
    assert_string_equal(units_fmt_count(b, sizeof b, 1000), "1,000");
    assert_string_equal(units_fmt_count(b, sizeof b, 0), "0");
    assert_string_equal(units_fmt_count(b, sizeof b, UINT64_MAX), "18,446,744,073,709,551,615");
    /* Truncation is safe and terminated. */
    char tiny[4];
    assert_string_equal(units_fmt_count(tiny, sizeof tiny, 1234567), "1,2");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duration_good), cmocka_unit_test(test_duration_bad),
        cmocka_unit_test(test_quote_is_safe), cmocka_unit_test(test_rate),
        cmocka_unit_test(test_factor),        cmocka_unit_test(test_size),
        cmocka_unit_test(test_integers),      cmocka_unit_test(test_slice),
        cmocka_unit_test(test_printers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
