/*
 * fmt_bin.c -- COPY BINARY tuples (see fmt.h). Each type is written in its `send` format;
 * where a value's kind does not match the column (a text constant in an integer column),
 * the value goes through its text form and is parsed back, exactly as the server would.
 */
#include "fmt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "shape_int.h"

/* clang-format off */
const char fmt_bin_header[FMT_BIN_HEADER_LEN] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', '\377', '\r', '\n', '\0',
                                                 0, 0, 0, 0, 0, 0, 0, 0};
/* clang-format on */

#define PG_EPOCH_OFFSET 946684800 /* 2000-01-01 00:00:00 UTC in Unix seconds */

/* Big-endian stores through one byte swap and one unaligned store (memcpy), not byte by
 * byte: a row has two of them per column. */
static size_t be16(char *d, uint16_t v)
{
    v = (uint16_t)((v >> 8) | (v << 8));
    memcpy(d, &v, 2);
    return 2;
}

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define BE32(v) __builtin_bswap32(v)
#define BE64(v) __builtin_bswap64(v)
#elif defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define BE32(v) (v)
#define BE64(v) (v)
#endif

static size_t be32(char *d, uint32_t v)
{
#ifdef BE32
    v = BE32(v);
    memcpy(d, &v, 4);
#else
    d[0] = (char)(v >> 24);
    d[1] = (char)(v >> 16);
    d[2] = (char)(v >> 8);
    d[3] = (char)v;
#endif
    return 4;
}

static size_t be64(char *d, uint64_t v)
{
#ifdef BE64
    v = BE64(v);
    memcpy(d, &v, 8);
#else
    be32(d, (uint32_t)(v >> 32));
    be32(d + 4, (uint32_t)v);
#endif
    return 8;
}

int fmt_table_binary_ok(const stable *t)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (t->cols[i].ctype == CT_JSON || t->cols[i].ctype == CT_OTHER)
            return 0; /* no binary form of their own here: text literals */
    return 1;
}

static int64_t as_i64(const scol *c, const gval *v)
{
    if (v->kind == V_NUM)
        return (int64_t)llround(v->d);
    if (v->kind == V_TEXT) {
        char tmp[64];
        size_t n = v->len < sizeof tmp - 1 ? v->len : sizeof tmp - 1;
        memcpy(tmp, v->s, n);
        tmp[n] = 0;
        (void)c;
        return strtoll(tmp, NULL, 10);
    }
    return v->i;
}

static double as_time(const gval *v)
{
    if (v->kind == V_TEXT) {
        char tmp[64];
        double t = 0;
        size_t n = v->len < sizeof tmp - 1 ? v->len : sizeof tmp - 1;
        memcpy(tmp, v->s, n);
        tmp[n] = 0;
        sh_parse_time(tmp, &t);
        return t;
    }
    return v->kind == V_NUM ? v->d : (double)v->i;
}

static size_t put_numeric_groups(char *d, const uint16_t *digits, int nd, int nint, int neg,
                                 int dscale);

/* numeric_send: ndigits, weight, sign, dscale, then base-10000 digits, from the decimal text
 * the text format would print (so both formats agree to the last digit). */
static size_t put_numeric_bin(char *d, const char *s, size_t n, int dscale)
{
    int neg = n > 0 && s[0] == '-';
    size_t i = neg ? 1 : 0;
    const char *dot = memchr(s, '.', n);
    size_t int_end = dot ? (size_t)(dot - s) : n;
    size_t ni = int_end - i, nf = dot ? n - int_end - 1 : 0;
    uint16_t digits[128];
    int nd = 0;
    /* integer part, grouped from the decimal point leftwards */
    int lead = (int)(ni % 4);
    size_t p = i;
    if (lead && nd < 128) {
        uint16_t g = 0;
        for (int k = 0; k < lead; k++)
            g = (uint16_t)(g * 10 + (s[p++] - '0'));
        digits[nd++] = g;
    }
    while (p < int_end && nd < 128) {
        uint16_t g = 0;
        for (int k = 0; k < 4; k++)
            g = (uint16_t)(g * 10 + (s[p++] - '0'));
        digits[nd++] = g;
    }
    int nint = nd;
    /* fraction, grouped from the decimal point rightwards, zero-padded */
    for (size_t f = 0; f < nf && nd < 128; f += 4) {
        uint16_t g = 0;
        for (size_t k = 0; k < 4; k++) {
            size_t at = int_end + 1 + f + k;
            g = (uint16_t)(g * 10 + (f + k < nf ? s[at] - '0' : 0));
        }
        digits[nd++] = g;
    }
    return put_numeric_groups(d, digits, nd, nint, neg, dscale);
}

/* numeric_send from base-10000 groups (nint of them before the decimal point). */
static size_t put_numeric_groups(char *d, const uint16_t *digits, int nd, int nint, int neg,
                                 int dscale)
{
    /* Drop leading zero groups (weight follows) and trailing zero groups. */
    int first = 0, weight = nint - 1;
    while (first < nd && digits[first] == 0) {
        first++;
        weight--;
    }
    while (nd > first && digits[nd - 1] == 0)
        nd--;
    int count = nd - first;
    if (count == 0) {
        weight = 0;
        neg = 0;
    }
    size_t o = 0;
    o += be32(d + o, (uint32_t)(8 + 2 * count));
    o += be16(d + o, (uint16_t)count);
    o += be16(d + o, (uint16_t)(int16_t)weight);
    o += be16(d + o, neg ? 0x4000 : 0x0000);
    o += be16(d + o, (uint16_t)dscale);
    for (int k = first; k < nd; k++)
        o += be16(d + o, digits[k]);
    return o;
}

/* numeric_send of q / 10^scale (|q| < 9e15, scale <= 9): the number put_numeric() prints
 * for the same value, without printing it. */
static size_t put_numeric_q(char *d, int64_t q, int scale)
{
    static const uint64_t p10[] = {1,      10,      100,      1000,      10000,
                                   100000, 1000000, 10000000, 100000000, 1000000000};
    int neg = q < 0;
    uint64_t u = neg ? (uint64_t)(-(q + 1)) + 1 : (uint64_t)q;
    uint64_t ip = u / p10[scale], fp = u % p10[scale];
    int nfg = (scale + 3) / 4; /* fraction groups, the last one zero-padded */
    fp *= p10[nfg * 4 - scale];
    uint16_t digits[8];
    int nint = 0;
    for (uint64_t x = ip; x; x /= 10000)
        nint++;
    uint64_t x = ip;
    for (int k = nint - 1; k >= 0; k--, x /= 10000)
        digits[k] = (uint16_t)(x % 10000);
    for (int k = nfg - 1; k >= 0; k--, fp /= 10000)
        digits[nint + k] = (uint16_t)(fp % 10000);
    return put_numeric_groups(d, digits, nint + nfg, nint, neg, scale);
}

/* x rounded to nd (7 or 15) significant decimal digits, as strtod/strtof read what printf's
 * "%.{nd}g" writes, without the text: *out = M / 10^k with M the correctly rounded nd-digit
 * mantissa and 10^k exact (k <= 22 for doubles, <= 10 for floats), so the one division is
 * correctly rounded like strtod. M comes from the exact product x * 10^k = hi + lo (fma gives
 * lo exactly), rounded half to even as printf does. 0 outside that range (the caller goes
 * through the text). */
/* clang-format off */
static const double P10D[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
/* clang-format on */

static int round_mantissa(double ax, int nd, int kmax, double *m, int *kout)
{
    int k = nd - 1 - (int)floor(log10(ax));
    for (int tries = 0; tries < 3; tries++) {
        if (k < 0 || k > kmax)
            return 0;
        double hi = ax * P10D[k];
        if (hi > P10D[nd]) {
            k--;
            continue;
        }
        if (hi < P10D[nd - 1]) {
            k++;
            continue;
        }
        double lo = fma(ax, P10D[k], -hi);
        double r = floor(hi), t = (hi - r - 0.5) + lo;
        *m = r + (t > 0 || (t == 0 && fmod(r, 2) != 0));
        *kout = k;
        return 1;
    }
    return 0;
}

int fmt_bin_round8(double x, double *out)
{
    if (!isfinite(x))
        x = 0;
    if (x == 0) {
        *out = x;
        return 1;
    }
    double m;
    int k;
    if (!round_mantissa(fabs(x), 15, 22, &m, &k))
        return 0;
    *out = copysign(m / P10D[k], x);
    return 1;
}

int fmt_bin_round4(double x, float *out)
{
    static const float P10F[11] = {1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f,
                                   1e6f, 1e7f, 1e8f, 1e9f, 1e10f};
    if (!isfinite(x))
        x = 0;
    if (x == 0) {
        *out = (float)x;
        return 1;
    }
    double m;
    int k;
    if (!round_mantissa(fabs(x), 7, 10, &m, &k))
        return 0;
    float f = (float)m / P10F[k];
    *out = x < 0 ? -f : f;
    return 1;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* float4/float8: numbers straight to their bits; text values (and magnitudes round_mantissa
 * leaves out) through their text form, as the server would read them. */
static size_t put_float_bin(char *d, const scol *c, const gval *v, char *tmp)
{
    int f4 = c->ctype == CT_FLOAT4, fast = 0;
    float x4 = 0;
    double x8 = 0;
    if (v->kind == V_NUM)
        fast = f4 ? fmt_bin_round4(v->d, &x4) : fmt_bin_round8(v->d, &x8);
    else if (v->kind != V_TEXT) { /* an integer's text reads back as the nearest float */
        x4 = (float)v->i;
        x8 = (double)v->i;
        fast = 1;
    }
    if (!fast) {
        const char *s;
        size_t n = fmt_value_text(c, v, tmp, &s);
        char num[80];
        n = n < sizeof num - 1 ? n : sizeof num - 1;
        memcpy(num, s, n);
        num[n] = 0;
        x4 = f4 ? strtof(num, NULL) : 0;
        x8 = f4 ? 0 : strtod(num, NULL);
    }
    if (f4) {
        uint32_t b;
        memcpy(&b, &x4, 4);
        be32(d, 4);
        return 4 + be32(d + 4, b);
    }
    uint64_t b;
    memcpy(&b, &x8, 8);
    be32(d, 8);
    return 4 + be64(d + 4, b);
}

/* uuid_send: the 16 bytes of the value's 32 hex digits (other characters skipped, as
 * uuid_in accepts hyphens anywhere between groups). The generator's own form, 8-4-4-4-12
 * lower-case, takes the straight path: pairs of digits at fixed places. */
static size_t put_uuid_bin(char *d, const scol *c, const gval *v, char *tmp)
{
    static const unsigned char at[16] = {0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};
    const char *s;
    size_t n = fmt_value_text(c, v, tmp, &s), k = 0;
    unsigned char u[16] = {0};
    int plain = n == 36 && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-';
    for (size_t j = 0; plain && j < 16; j++) {
        int hi = hexval(s[at[j]]), lo = hexval(s[at[j] + 1]);
        if (hi < 0 || lo < 0)
            plain = 0;
        else
            u[j] = (unsigned char)(hi << 4 | lo);
    }
    if (!plain) {
        memset(u, 0, sizeof u);
        for (size_t j = 0; j < n && k < 32; j++) {
            int h = hexval(s[j]);
            if (h < 0)
                continue;
            u[k / 2] = (unsigned char)(u[k / 2] | (h << (k % 2 ? 0 : 4)));
            k++;
        }
    }
    be32(d, 16);
    memcpy(d + 4, u, 16);
    return 20;
}

size_t fmt_row_bin(gen_ctx *cx, int ti, uint64_t key, char *dst)
{
    const stable *t = &cx->sh->t[ti];
    char tmp[96];
    size_t o = 0;
    gen_ctx_reset(cx);
    o += be16(dst, (uint16_t)t->ncols);
    for (size_t i = 0; i < t->ncols; i++) {
        const scol *c = &t->cols[i];
        gval v;
        gen_eval_col(cx, ti, (int)i, key, &v);
        if (v.kind == V_NULL) {
            o += be32(dst + o, 0xffffffffu);
            continue;
        }
        switch (c->ctype) {
        case CT_INT2:
            o += be32(dst + o, 2);
            o += be16(dst + o, (uint16_t)(int16_t)as_i64(c, &v));
            break;
        case CT_INT4:
            o += be32(dst + o, 4);
            o += be32(dst + o, (uint32_t)(int32_t)as_i64(c, &v));
            break;
        case CT_INT8:
            o += be32(dst + o, 8);
            o += be64(dst + o, (uint64_t)as_i64(c, &v));
            break;
        case CT_BOOL:
            o += be32(dst + o, 1);
            dst[o++] = (char)(v.kind == V_NUM    ? v.d != 0
                              : v.kind == V_TEXT ? (v.len && (v.s[0] == 't' || v.s[0] == '1'))
                                                 : v.i != 0);
            break;
        case CT_FLOAT4:
        case CT_FLOAT8: o += put_float_bin(dst + o, c, &v, tmp); break;
        case CT_NUMERIC: {
            if (v.kind != V_TEXT) { /* the fast case of put_numeric(), in fmt.c */
                static const double p10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
                double x = v.kind == V_NUM ? v.d : (double)v.i;
                if (!isfinite(x))
                    x = 0;
                if (c->scale >= 0 && c->scale <= 9 && fabs(x) * p10[c->scale] < 9e15) {
                    o += put_numeric_q(dst + o, llround(x * p10[c->scale]), c->scale);
                    break;
                }
            }
            const char *s;
            size_t n = fmt_value_text(c, &v, tmp, &s);
            o += put_numeric_bin(dst + o, s, n, c->scale);
            break;
        }
        case CT_DATE:
        case CT_TS:
        case CT_TSTZ: {
            double secs = floor(as_time(&v));
            if (!isfinite(secs))
                secs = 0;
            int64_t rel = (int64_t)secs - PG_EPOCH_OFFSET;
            if (c->ctype == CT_DATE) {
                int64_t days = rel >= 0 ? rel / 86400 : -((-rel + 86399) / 86400);
                o += be32(dst + o, 4);
                o += be32(dst + o, (uint32_t)(int32_t)days);
            } else {
                o += be32(dst + o, 8);
                o += be64(dst + o, (uint64_t)(rel * 1000000));
            }
            break;
        }
        case CT_UUID: o += put_uuid_bin(dst + o, c, &v, tmp); break;
        default: { /* text, varchar, bytea: the bytes themselves */
            const char *s;
            size_t n = fmt_value_text(c, &v, tmp, &s);
            o += be32(dst + o, (uint32_t)n);
            memcpy(dst + o, s, n);
            o += n;
            break;
        }
        }
    }
    return o;
}
