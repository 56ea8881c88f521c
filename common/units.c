/*
 * units.c -- strict parsers and compact printers for durations, rates, factors, sizes and
 * plain numbers (see units.h).
 *
 * Design: every parser is built on one number scanner (units_scan) that accepts only plain
 * decimal syntax -- digits, an optional fraction, an optional exponent -- so that "nan",
 * "inf", hex floats and leading blanks, which strtod would happily take, never get in. The
 * scanned span is then converted with strtod/strtoull and checked for overflow. A parser
 * succeeds only when it has consumed the whole string; its error message quotes the input
 * (shortened and with control bytes escaped, so that a hostile argument cannot garble a
 * terminal) and says what was expected.
 * Printers emit forms the parsers read back, with trailing zeros trimmed.
 */
#include "units.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNITS_QUOTE_MAX 48

/* Renders s for an error message: at most UNITS_QUOTE_MAX bytes, non-printable bytes as
 * \xNN, '"' and '\' escaped, "..." when shortened. Returns out. */
static const char *units_quote(char *out, size_t n, const char *s)
{
    size_t o = 0;
    size_t i = 0;
    for (; s[i] && i < UNITS_QUOTE_MAX; i++) {
        unsigned char c = (unsigned char)s[i];
        char tmp[5];
        int k;
        if (c == '"' || c == '\\')
            k = snprintf(tmp, sizeof tmp, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            k = snprintf(tmp, sizeof tmp, "\\x%02x", c);
        else
            k = snprintf(tmp, sizeof tmp, "%c", c);
        if (o + (size_t)k + 4 >= n)
            break;
        memcpy(out + o, tmp, (size_t)k);
        o += (size_t)k;
    }
    if (s[i] && o + 4 < n) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return out;
}

/* Writes `invalid WHAT "INPUT": DETAIL` into err and returns ST_EINPUT. */
static int units_fail(char *err, const char *what, const char *s, const char *detail)
{
    char q[UNITS_QUOTE_MAX * 4 + 8];
    return st_err(err, ST_EINPUT, "invalid %s \"%s\": %s", what, units_quote(q, sizeof q, s),
                  detail);
}

/* Scans a plain decimal number at the start of s: [-]digits[.digits][e[+-]digits], at
 * least one digit before or after the point, no leading blanks or '+'. On success stores
 * the value and the end of the span and returns 0; returns -1 when there is no number and
 * -2 when it does not fit a finite double. */
static int units_scan(const char *s, int allow_minus, double *v, const char **end)
{
    const char *p = s;
    if (allow_minus && *p == '-')
        p++;
    size_t intd = strspn(p, "0123456789");
    p += intd;
    size_t fracd = 0;
    if (*p == '.') {
        fracd = strspn(p + 1, "0123456789");
        if (fracd == 0)
            return -1; /* "1." and "." are not numbers here */
        p += 1 + fracd;
    }
    if (intd + fracd == 0)
        return -1;
    if (*p == 'e' || *p == 'E') {
        const char *q = p + 1;
        if (*q == '+' || *q == '-')
            q++;
        size_t ed = strspn(q, "0123456789");
        if (ed > 0)
            p = q + ed;
    }
    char buf[128];
    size_t len = (size_t)(p - s);
    if (len >= sizeof buf)
        return -2;
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    double d = strtod(buf, NULL);
    if (!isfinite(d) || (errno == ERANGE && fabs(d) > 1.0))
        return -2;
    *v = d;
    *end = p;
    return 0;
}

/* units_scan for the parsers below: the number at `at` inside the input s, or a failure
 * reported against the whole of s (what it is, what was expected). 0 or ST_EINPUT. */
static int units_number(const char *s, const char *at, const char *what, const char *expect,
                        double *v, const char **end, char *err)
{
    int rc = units_scan(at, 0, v, end);
    if (rc == -2)
        return units_fail(err, what, s, "number out of range");
    if (rc < 0)
        return units_fail(err, what, s, expect);
    return 0;
}

/* Duration units, largest first; compound forms must follow this order. */
static const struct {
    const char *name;
    double sec;
} units_dur[] = {
    {"d", 86400.0}, {"h", 3600.0}, {"ms", 1e-3},        {"m", 60.0},
    {"s", 1.0},     {"us", 1e-6},  {"\xc2\xb5s", 1e-6}, {"ns", 1e-9},
};

/* Matches a duration unit at p (longest match: "ms" before "m"). Returns its scale and
 * stores the unit length, or returns 0 when none matches. */
static double units_dur_unit(const char *p, size_t *ul)
{
    for (size_t i = 0; i < sizeof units_dur / sizeof units_dur[0]; i++) {
        size_t l = strlen(units_dur[i].name);
        if (strncmp(p, units_dur[i].name, l) == 0) {
            *ul = l;
            return units_dur[i].sec;
        }
    }
    return 0;
}

int units_parse_duration(const char *s, double *seconds, char *err)
{
    static const char what[] = "duration";
    static const char expect[] = "expected a number followed by d, h, m, s, ms, us or ns";
    if (!s || !*s)
        return units_fail(err, what, s ? s : "", "empty; expected e.g. \"90s\" or \"2m30s\"");
    double v;
    const char *p;
    int rc = units_number(s, s, what, expect, &v, &p, err);
    if (rc)
        return rc;
    if (*p == '\0') {
        if (v > 1e15)
            return units_fail(err, what, s, "out of range");
        *seconds = v; /* a bare number is seconds */
        return 0;
    }
    double total = 0;
    double last_scale = INFINITY;
    for (;;) {
        size_t ul;
        double scale = units_dur_unit(p, &ul);
        if (scale == 0)
            return units_fail(err, what, s, expect);
        if (!(scale < last_scale))
            return units_fail(err, what, s,
                              "units must go from largest to smallest, each once, as in "
                              "\"1h30m\"");
        last_scale = scale;
        total += v * scale;
        if (!isfinite(total) || total > 1e15)
            return units_fail(err, what, s, "out of range");
        p += ul;
        if (*p == '\0')
            break;
        if ((rc = units_number(s, p, what, expect, &v, &p, err)))
            return rc;
        if (*p == '\0')
            return units_fail(err, what, s,
                              "every number in a compound duration needs a unit, as in "
                              "\"2m30s\"");
    }
    *seconds = total;
    return 0;
}

int units_parse_rate(const char *s, double *per_sec, char *err)
{
    static const char what[] = "rate";
    static const char expect[] = "expected a number per s, m, min, h or d, as in \"800/s\"";
    static const struct {
        const char *name;
        double sec;
    } per[] = {{"s", 1.0},    {"sec", 1.0},     {"m", 60.0},    {"min", 60.0},
               {"h", 3600.0}, {"hour", 3600.0}, {"d", 86400.0}, {"day", 86400.0}};
    if (!s || !*s)
        return units_fail(err, what, s ? s : "", "empty; expected e.g. \"800/s\"");
    double v;
    const char *p;
    int rc = units_number(s, s, what, expect, &v, &p, err);
    if (rc)
        return rc;
    if (*p == '\0') {
        *per_sec = v;
        return 0;
    }
    if (*p != '/')
        return units_fail(err, what, s, expect);
    p++;
    for (size_t i = 0; i < sizeof per / sizeof per[0]; i++) {
        if (strcmp(p, per[i].name) == 0) {
            *per_sec = v / per[i].sec;
            return 0;
        }
    }
    return units_fail(err, what, s, expect);
}

int units_parse_factor(const char *s, double *factor, char *err)
{
    static const char what[] = "factor";
    static const char expect[] = "expected a positive number such as \"1.5x\", \"150%\" or "
                                 "\"1.5\"";
    if (!s || !*s)
        return units_fail(err, what, s ? s : "", expect);
    double v;
    const char *p;
    int rc = units_number(s, s, what, expect, &v, &p, err);
    if (rc)
        return rc;
    if (*p == '%')
        v /= 100.0, p++;
    else if (*p == 'x')
        p++;
    if (*p != '\0')
        return units_fail(err, what, s, expect);
    if (!(v > 0))
        return units_fail(err, what, s, "must be greater than 0");
    *factor = v;
    return 0;
}

int units_parse_size(const char *s, uint64_t *bytes, char *err)
{
    static const char what[] = "size";
    static const char expect[] = "expected a byte count with B, kB, MB, GB, TB, KiB, MiB, "
                                 "GiB or TiB, as in \"64KiB\"";
    static const struct {
        const char *name;
        uint64_t mul;
    } sz[] = {{"B", 1},
              {"kB", 1000ull},
              {"MB", 1000000ull},
              {"GB", 1000000000ull},
              {"TB", 1000000000000ull},
              {"KiB", 1ull << 10},
              {"MiB", 1ull << 20},
              {"GiB", 1ull << 30},
              {"TiB", 1ull << 40}};
    if (!s || !*s)
        return units_fail(err, what, s ? s : "", expect);
    double v;
    const char *p;
    int rc = units_number(s, s, what, expect, &v, &p, err);
    if (rc)
        return rc;
    uint64_t mul = 0;
    if (*p == '\0') {
        mul = 1;
    } else {
        for (size_t i = 0; i < sizeof sz / sizeof sz[0]; i++)
            if (strcmp(p, sz[i].name) == 0)
                mul = sz[i].mul;
    }
    if (mul == 0)
        return units_fail(err, what, s, expect);
    size_t numlen = (size_t)(p - s);
    if (strspn(s, "0123456789") == numlen) {
        /* Integers go through integer arithmetic so that large exact sizes stay exact. */
        char buf[32];
        if (numlen >= sizeof buf)
            return units_fail(err, what, s, "out of range");
        memcpy(buf, s, numlen);
        buf[numlen] = '\0';
        errno = 0;
        unsigned long long n = strtoull(buf, NULL, 10);
        if (errno == ERANGE || n > UINT64_MAX / mul)
            return units_fail(err, what, s, "out of range");
        *bytes = (uint64_t)n * mul;
        return 0;
    }
    double b = v * (double)mul;
    if (b >= 18446744073709551616.0)
        return units_fail(err, what, s, "out of range");
    if (b != floor(b))
        return units_fail(err, what, s, "not a whole number of bytes");
    *bytes = (uint64_t)b;
    return 0;
}

int units_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out, char *err)
{
    static const char what[] = "integer";
    if (!s || !*s)
        return units_fail(err, what, s ? s : "", "empty; expected a whole number");
    const char *d = (*s == '-') ? s + 1 : s;
    if (!*d || strspn(d, "0123456789") != strlen(d))
        return units_fail(err, what, s, "expected a whole number");
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno == ERANGE || *end != '\0' || v < min || v > max) {
        char detail[96];
        snprintf(detail, sizeof detail, "must be between %lld and %lld", (long long)min,
                 (long long)max);
        return units_fail(err, what, s, detail);
    }
    *out = (int64_t)v;
    return 0;
}

int units_parse_u64(const char *s, uint64_t *out, char *err)
{
    static const char what[] = "unsigned integer";
    if (!s || !*s)
        return units_fail(err, what, s ? s : "", "empty; expected a whole number >= 0");
    /* strtoull would accept "-1" (and wrap it), so only digits may pass. */
    if (strspn(s, "0123456789") != strlen(s))
        return units_fail(err, what, s, "expected a whole number >= 0");
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno == ERANGE || *end != '\0')
        return units_fail(err, what, s, "out of range (at most 18446744073709551615)");
    *out = (uint64_t)v;
    return 0;
}

int units_parse_double(const char *s, double *out, char *err)
{
    static const char what[] = "number";
    if (!s || !*s)
        return units_fail(err, what, s ? s : "", "empty; expected a number");
    double v;
    const char *p;
    int rc = units_scan(s, 1, &v, &p);
    if (rc == -2)
        return units_fail(err, what, s, "out of range");
    if (rc < 0 || *p != '\0')
        return units_fail(err, what, s, "expected a decimal number such as \"0.25\"");
    *out = v;
    return 0;
}

int units_parse_slice(const char *s, unsigned *i, unsigned *n, char *err)
{
    static const char what[] = "slice";
    static const char expect[] = "expected I/N with 1 <= I <= N, as in \"2/4\"";
    if (!s || !*s)
        return units_fail(err, what, s ? s : "", expect);
    size_t a = strspn(s, "0123456789");
    if (a == 0 || s[a] != '/')
        return units_fail(err, what, s, expect);
    size_t b = strspn(s + a + 1, "0123456789");
    if (b == 0 || s[a + 1 + b] != '\0' || a > 9 || b > 9)
        return units_fail(err, what, s, expect);
    unsigned long vi = strtoul(s, NULL, 10);
    unsigned long vn = strtoul(s + a + 1, NULL, 10);
    if (vi < 1 || vi > vn)
        return units_fail(err, what, s, expect);
    *i = (unsigned)vi;
    *n = (unsigned)vn;
    return 0;
}

/* Prints v with at most `dec` decimals and trailing zeros (and a bare point) trimmed. */
static void units_trim(char *buf, size_t n, double v, int dec, const char *suffix)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*f", dec, v);
    char *dot = strchr(tmp, '.');
    if (dot) {
        char *e = tmp + strlen(tmp);
        while (e > dot + 1 && e[-1] == '0')
            *--e = '\0';
        if (e == dot + 1)
            *dot = '\0';
    }
    if (strcmp(tmp, "-0") == 0)
        snprintf(tmp, sizeof tmp, "0");
    snprintf(buf, n, "%s%s", tmp, suffix);
}

char *units_fmt_duration(char *buf, size_t n, double seconds)
{
    if (!n)
        return buf;
    if (!isfinite(seconds)) {
        snprintf(buf, n, "n/a");
        return buf;
    }
    const char *sign = seconds < 0 ? "-" : "";
    double a = fabs(seconds);
    char body[64];
    if (a == 0)
        snprintf(body, sizeof body, "0s");
    else if (a < 1e-6)
        units_trim(body, sizeof body, a * 1e9, 1, "ns");
    else if (a < 1e-3)
        units_trim(body, sizeof body, a * 1e6, 1, "us");
    else if (a < 1)
        units_trim(body, sizeof body, a * 1e3, 1, "ms");
    else if (a < 60)
        units_trim(body, sizeof body, a, 3, "s");
    else {
        /* Compound form at millisecond resolution: 1d2h, 2m30s, 1m0.5s. */
        double ms = floor(a * 1000.0 + 0.5);
        if (ms > 9e15) {
            units_trim(body, sizeof body, a, 0, "s");
        } else {
            uint64_t t = (uint64_t)ms;
            uint64_t d = t / 86400000u, h = t / 3600000u % 24u, m = t / 60000u % 60u;
            uint64_t sms = t % 60000u;
            size_t o = 0;
            body[0] = '\0';
            if (d)
                o += (size_t)snprintf(body + o, sizeof body - o, "%llud", (unsigned long long)d);
            if (h)
                o += (size_t)snprintf(body + o, sizeof body - o, "%lluh", (unsigned long long)h);
            if (m)
                o += (size_t)snprintf(body + o, sizeof body - o, "%llum", (unsigned long long)m);
            if (sms)
                units_trim(body + o, sizeof body - o, (double)sms / 1000.0, 3, "s");
        }
    }
    snprintf(buf, n, "%s%s", sign, body);
    return buf;
}

char *units_fmt_rate(char *buf, size_t n, double per_sec)
{
    if (!n)
        return buf;
    if (!isfinite(per_sec)) {
        snprintf(buf, n, "n/a");
        return buf;
    }
    double a = fabs(per_sec);
    if (a < 1000)
        units_trim(buf, n, per_sec, 2, "/s");
    else if (a < 1e6)
        units_trim(buf, n, per_sec / 1e3, 1, "k/s");
    else if (a < 1e9)
        units_trim(buf, n, per_sec / 1e6, 1, "M/s");
    else
        units_trim(buf, n, per_sec / 1e9, 1, "G/s");
    return buf;
}

char *units_fmt_size(char *buf, size_t n, uint64_t bytes)
{
    static const char *const u[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (!n)
        return buf;
    if (bytes < 1024) {
        snprintf(buf, n, "%lluB", (unsigned long long)bytes);
        return buf;
    }
    double v = (double)bytes / 1024.0;
    size_t i = 0;
    while (v >= 1024.0 && i + 1 < sizeof u / sizeof u[0]) {
        v /= 1024.0;
        i++;
    }
    snprintf(buf, n, "%.1f%s", v, u[i]);
    return buf;
}

char *units_fmt_count(char *buf, size_t n, uint64_t v)
{
    if (!n)
        return buf;
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%llu", (unsigned long long)v);
    char out[40];
    size_t o = 0;
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
    snprintf(buf, n, "%s", out);
    return buf;
}
