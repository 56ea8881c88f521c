/*
 * test_datagen_fmtbin.c -- COPY BINARY rows (datagen/fmt_bin.c) hold exactly what the COPY
 * text rows of the same seed make the server store: floats are written as bits and numerics
 * as digit groups without going through text, so every field of a binary tuple is compared
 * with the text field read back the way PostgreSQL reads it (strtod/strtof for float8/float4,
 * numeric_in's base-10000 groups, uuid_in's hex), over tens of thousands of rows and over
 * magnitudes, exact ties and signs that the shapes rarely draw.
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

#include "fmt.h"
#include "gen.h"
#include "jsonio.h"
#include "shape.h"

/* What float8in / float4in store for the "%.15g" / "%.7g" text of x (non-finite -> 0). */
static double via_text8(double x)
{
    char b[64];
    snprintf(b, sizeof b, "%.15g", isfinite(x) ? x : 0);
    return strtod(b, NULL);
}

static float via_text4(double x)
{
    char b[64];
    snprintf(b, sizeof b, "%.7g", isfinite(x) ? x : 0);
    return strtof(b, NULL);
}

static uint64_t bits8(double d)
{
    uint64_t b;
    memcpy(&b, &d, 8);
    return b;
}

static uint32_t bits4(float f)
{
    uint32_t b;
    memcpy(&b, &f, 4);
    return b;
}

static void check_one(double x, int *fast8, int *fast4)
{
    double d;
    float f;
    if (fmt_bin_round8(x, &d)) {
        (*fast8)++;
        if (bits8(d) != bits8(via_text8(x)))
            fail_msg("float8 %.17g: %.17g, text gives %.17g", x, d, via_text8(x));
    }
    if (fmt_bin_round4(x, &f)) {
        (*fast4)++;
        if (bits4(f) != bits4(via_text4(x)))
            fail_msg("float4 %.17g: %.9g, text gives %.9g", x, (double)f, (double)via_text4(x));
    }
}

static void test_float_rounding(void **state)
{
    (void)state;
    int fast8 = 0, fast4 = 0, n = 0;
    uint64_t s = 88172645463325252ull;
    /* Random doubles over 1e-10 .. 1e17, both signs (xorshift64: fixed sequence). */
    for (int i = 0; i < 400000; i++, n++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        double u = (double)(s >> 11) / 9007199254740992.0;
        double x = pow(10, -10 + 27 * u) * ((s & 1) ? -1 : 1);
        check_one(x, &fast8, &fast4);
    }
    /* Exact ties at the 15th / 7th digit (half to even), decades, powers of two, edges. */
    for (int64_t k = 0; k < 2000; k++, n += 4) {
        double base = 1234567890123.0 + (double)k * 7919;
        check_one(base + 0.25, &fast8, &fast4);
        check_one(base + 0.75, &fast8, &fast4);
        check_one(-(base + 0.25), &fast8, &fast4);
        check_one(123456.25 + (double)k, &fast8, &fast4);
    }
    for (int e = -12; e <= 17; e++, n += 5) {
        double p = pow(10, e);
        check_one(p, &fast8, &fast4);
        check_one(nextafter(p, 0), &fast8, &fast4);
        check_one(nextafter(p, INFINITY), &fast8, &fast4);
        check_one(p * 9.999999999999999, &fast8, &fast4);
        check_one(p * 0.99999995, &fast8, &fast4);
    }
    for (int e = -40; e <= 60; e++, n++)
        check_one(ldexp(1, e), &fast8, &fast4);
    double specials[] = {0.0, -0.0, INFINITY, -INFINITY,  NAN,
                         0.1, 0.3,  2.5,      1e15 - 0.5, 999999999999999.9};
    for (size_t i = 0; i < sizeof specials / sizeof specials[0]; i++, n++)
        check_one(specials[i], &fast8, &fast4);
    print_message("%d values: %d float8 and %d float4 without text, all equal to the text's\n", n,
                  fast8, fast4);
    /* The fast path covers the shapes' usual magnitudes: most of 1e-10 .. 1e17. */
    assert_true(fast8 > n * 6 / 10);
    assert_true(fast4 > n * 3 / 10);
}

static shape *load_text(const char *text)
{
    char err[ST_ERRLEN];
    json_t *root = jsonio_loads(text, strlen(text), "inline", err);
    assert_non_null(root);
    shape *sh = shape_from_json(root, "inline", err);
    json_decref(root);
    if (!sh)
        fail_msg("%s", err);
    if (shape_resolve(sh, 1, NULL, 0, 42, err))
        fail_msg("%s", err);
    return sh;
}

static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t rd16(const unsigned char *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* numeric_send of a decimal text, written here independently of fmt_bin.c: pad the
 * integer part on the left and the fraction on the right to whole groups of four. */
static size_t numeric_of_text(const char *s, size_t n, int dscale, unsigned char *out)
{
    char digits[160];
    int neg = n && s[0] == '-';
    size_t i = neg, nd = 0;
    const char *dot = memchr(s, '.', n);
    size_t ie = dot ? (size_t)(dot - s) : n, ni = ie - i, nf = dot ? n - ie - 1 : 0;
    for (size_t k = 0; k < (4 - ni % 4) % 4; k++)
        digits[nd++] = '0';
    memcpy(digits + nd, s + i, ni);
    nd += ni;
    size_t nig = nd / 4;
    if (nf)
        memcpy(digits + nd, dot + 1, nf);
    nd += nf;
    while (nd % 4)
        digits[nd++] = '0';
    int g[40], ng = 0;
    for (size_t k = 0; k < nd; k += 4)
        g[ng++] = (digits[k] - '0') * 1000 + (digits[k + 1] - '0') * 100 +
                  (digits[k + 2] - '0') * 10 + digits[k + 3] - '0';
    int first = 0, last = ng, weight = (int)nig - 1;
    while (first < last && g[first] == 0) {
        first++;
        weight--;
    }
    while (last > first && g[last - 1] == 0)
        last--;
    if (first == last)
        weight = neg = 0;
    size_t o = 0;
    int cnt = last - first, hdr[4] = {cnt, weight, neg ? 0x4000 : 0, dscale};
    uint32_t len = (uint32_t)(8 + 2 * cnt);
    out[o++] = (unsigned char)(len >> 24), out[o++] = (unsigned char)(len >> 16);
    out[o++] = (unsigned char)(len >> 8), out[o++] = (unsigned char)len;
    for (int k = 0; k < 4; k++)
        out[o++] = (unsigned char)((unsigned)hdr[k] >> 8), out[o++] = (unsigned char)hdr[k];
    for (int k = first; k < last; k++)
        out[o++] = (unsigned char)(g[k] >> 8), out[o++] = (unsigned char)g[k];
    return o;
}

static void test_rows_match_text(void **state)
{
    (void)state;
    shape *sh = load_text(
        "{\"format\":\"stampede-shape\",\"version\":1,\"tables\":[{\"name\":\"t\",\"rows\":30000,"
        "\"columns\":["
        "{\"name\":\"f8\",\"type\":\"double "
        "precision\",\"gen\":{\"kind\":\"lognormal\",\"mu\":3,\"sigma\":4}},"
        "{\"name\":\"f4\",\"type\":\"real\",\"gen\":{\"kind\":\"normal\",\"mean\":0,\"sd\":1000}},"
        "{\"name\":\"fi\",\"type\":\"float8\",\"gen\":{\"kind\":\"uniform\",\"min\":-1e6,\"max\":"
        "1e6}},"
        "{\"name\":\"m2\",\"type\":\"numeric(12,2)\",\"gen\":{\"kind\":\"lognormal\",\"mu\":3,"
        "\"sigma\":3}},"
        "{\"name\":\"m6\",\"type\":\"numeric\",\"gen\":{\"kind\":\"normal\",\"mean\":0,\"sd\":50}},"
        "{\"name\":\"m0\",\"type\":\"numeric(9,0)\",\"gen\":{\"kind\":\"uniform\",\"min\":-5000,"
        "\"max\":5000}},"
        "{\"name\":\"m9\",\"type\":\"numeric(20,9)\",\"gen\":{\"kind\":\"exponential\",\"mean\":0."
        "01}},"
        "{\"name\":\"m11\",\"type\":\"numeric(30,11)\",\"gen\":{\"kind\":\"normal\",\"mean\":1,"
        "\"sd\":1}},"
        "{\"name\":\"u\",\"type\":\"uuid\",\"null_frac\":0.1,\"gen\":{\"kind\":\"uuid\"}}]}]}");
    gen_ctx cx;
    assert_int_equal(gen_ctx_init(&cx, sh, 7), 0);
    const stable *t = &sh->t[0];
    size_t room = fmt_row_max(t);
    char *bin = malloc(room), *txt = malloc(room);
    assert_non_null(bin);
    assert_non_null(txt);
    for (uint64_t r = 0; r < 30000; r++) {
        size_t nb = fmt_row_bin(&cx, 0, r, bin);
        size_t nt = fmt_row(&cx, 0, r, FMT_COPY_TEXT, txt);
        const unsigned char *p = (const unsigned char *)bin;
        assert_int_equal(rd16(p), t->ncols);
        p += 2;
        const char *f = txt;
        for (size_t ci = 0; ci < t->ncols; ci++) {
            const char *e = memchr(f, ci + 1 < t->ncols ? '\t' : '\n', (size_t)(txt + nt - f));
            assert_non_null(e);
            size_t fl = (size_t)(e - f);
            char field[128];
            snprintf(field, sizeof field, "%.*s", (int)fl, f);
            uint32_t len = rd32(p);
            const unsigned char *val = p + 4;
            const scol *c = &t->cols[ci];
            if (!strcmp(field, "\\N")) {
                assert_int_equal(len, 0xffffffffu);
                p += 4;
            } else if (c->ctype == CT_FLOAT8) {
                assert_int_equal(len, 8);
                double d = strtod(field, NULL);
                uint64_t want = bits8(d), got = (uint64_t)rd32(val) << 32 | rd32(val + 4);
                if (want != got)
                    fail_msg("row %llu %s: text %s, binary differs", (unsigned long long)r, c->name,
                             field);
                p += 12;
            } else if (c->ctype == CT_FLOAT4) {
                assert_int_equal(len, 4);
                if (bits4(strtof(field, NULL)) != rd32(val))
                    fail_msg("row %llu %s: text %s, binary differs", (unsigned long long)r, c->name,
                             field);
                p += 8;
            } else if (c->ctype == CT_NUMERIC) {
                unsigned char want[128];
                size_t wn = numeric_of_text(field, fl, c->scale, want);
                if (wn != len + 4 || memcmp(want, p, wn))
                    fail_msg("row %llu %s: text %s, binary numeric differs", (unsigned long long)r,
                             c->name, field);
                p += wn;
            } else {
                assert_int_equal(c->ctype, CT_UUID);
                assert_int_equal(len, 16);
                char hex[40];
                snprintf(hex, sizeof hex, "%08x-%04x-%04x-%04x-%04x%08x", rd32(val), rd16(val + 4),
                         rd16(val + 6), rd16(val + 8), rd16(val + 10), rd32(val + 12));
                assert_string_equal(hex, field);
                p += 20;
            }
            f = e + 1;
        }
        assert_int_equal((size_t)((const char *)p - bin), nb);
    }
    free(bin);
    free(txt);
    gen_ctx_term(&cx);
    shape_free(sh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_float_rounding),
        cmocka_unit_test(test_rows_match_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
