/*
 * fmt.c -- COPY text and CSV formatting of generated rows (see fmt.h). Integers and dates
 * are printed by hand: snprintf dominated the profile of the first version.
 */
#include "fmt.h"

#include <csv.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static size_t put_i64(char *dst, int64_t v)
{
    char tmp[24];
    size_t n = 0, o = 0;
    uint64_t u = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        dst[o++] = '-';
    while (n)
        dst[o++] = tmp[--n];
    return o;
}

static size_t put_2(char *d, int v)
{
    d[0] = (char)('0' + v / 10);
    d[1] = (char)('0' + v % 10);
    return 2;
}

/* Days since 1970-01-01 to a civil date (Hinnant's days_from_civil, inverted). */
static void civil(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yy + (*m <= 2);
}

static size_t put_time(char *dst, double secs, int ct)
{
    if (!isfinite(secs))
        secs = 0;
    /* Any generator can hand a time column a number (1e308 from a shape): clamp to about
     * years -300..10000 so the cast and the day arithmetic stay defined; y is clamped below. */
    secs = fmin(fmax(secs, -7.2e10), 2.6e11);
    int64_t t = (int64_t)floor(secs);
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t rem = t - days * 86400;
    int64_t y;
    int m, d;
    civil(days, &y, &m, &d);
    size_t n = 0;
    if (y < 0 || y > 9999)
        y = y < 0 ? 1 : 9999;
    dst[n++] = (char)('0' + y / 1000);
    dst[n++] = (char)('0' + y / 100 % 10);
    dst[n++] = (char)('0' + y / 10 % 10);
    dst[n++] = (char)('0' + y % 10);
    dst[n++] = '-';
    n += put_2(dst + n, m);
    dst[n++] = '-';
    n += put_2(dst + n, d);
    if (ct == CT_DATE)
        return n;
    dst[n++] = ' ';
    n += put_2(dst + n, (int)(rem / 3600));
    dst[n++] = ':';
    n += put_2(dst + n, (int)(rem / 60 % 60));
    dst[n++] = ':';
    n += put_2(dst + n, (int)(rem % 60));
    if (ct == CT_TSTZ) {
        memcpy(dst + n, "+00", 3);
        n += 3;
    }
    return n;
}

static size_t put_numeric(char *dst, double v, int scale)
{
    static const double p10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    if (!isfinite(v))
        v = 0;
    if (scale <= 9 && fabs(v) * p10[scale] < 9e15) {
        int64_t q = llround(v * p10[scale]);
        size_t n = 0;
        if (q < 0) {
            dst[n++] = '-';
            q = -q;
        }
        int64_t ip = q / (int64_t)p10[scale], fp = q % (int64_t)p10[scale];
        n += put_i64(dst + n, ip);
        if (scale > 0) {
            dst[n++] = '.';
            for (int k = scale - 1; k >= 0; k--) {
                dst[n + (size_t)k] = (char)('0' + fp % 10);
                fp /= 10;
            }
            n += (size_t)scale;
        }
        return n;
    }
    int w = snprintf(dst, 64, "%.*f", scale > 20 ? 20 : scale, v);
    return w > 0 && w < 64 ? (size_t)w : 0;
}

/* Cuts text to at most max characters (UTF-8), returning the byte length kept. */
static size_t cut_utf8(const char *s, size_t len, int maxchars)
{
    if (len > FMT_TEXT_CAP)
        len = FMT_TEXT_CAP;
    if (maxchars <= 0)
        goto boundary;
    size_t chars = 0, i = 0;
    for (; i < len; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (chars == (size_t)maxchars)
                return i;
            chars++;
        }
    }
    return len;
boundary:
    while (len > 0 && len < FMT_TEXT_CAP + 1 && ((unsigned char)s[len - 1] & 0xC0) == 0xC0)
        len--;
    return len;
}

/* The value as plain text (before format escaping); text may point at v->s. */
size_t fmt_value_text(const scol *c, const gval *v, char *tmp, const char **out)
{
    *out = tmp;
    switch (c->ctype) {
    case CT_INT2:
    case CT_INT4:
    case CT_INT8:
        if (v->kind == V_TEXT)
            break;
        return put_i64(tmp, v->kind == V_NUM ? (int64_t)llround(v->d) : v->i);
    case CT_NUMERIC:
        if (v->kind == V_TEXT)
            break;
        return put_numeric(tmp, v->kind == V_NUM ? v->d : (double)v->i, c->scale);
    case CT_FLOAT4:
    case CT_FLOAT8: {
        if (v->kind == V_TEXT)
            break;
        double d = v->kind == V_NUM ? v->d : (double)v->i;
        if (v->kind != V_NUM)
            return put_i64(tmp, v->i);
        int w = snprintf(tmp, 64, c->ctype == CT_FLOAT4 ? "%.7g" : "%.15g", isfinite(d) ? d : 0);
        return w > 0 && w < 64 ? (size_t)w : 0;
    }
    case CT_BOOL:
        if (v->kind == V_TEXT)
            break;
        tmp[0] = (v->kind == V_NUM ? v->d != 0 : v->i != 0) ? 't' : 'f';
        return 1;
    case CT_DATE:
    case CT_TS:
    case CT_TSTZ:
        if (v->kind == V_TEXT)
            break;
        return put_time(tmp, v->kind == V_NUM ? v->d : (double)v->i, c->ctype);
    default:
        if (v->kind == V_INT)
            return put_i64(tmp, v->i);
        if (v->kind == V_BOOL) {
            memcpy(tmp, v->i ? "true" : "false", v->i ? 4 : 5);
            return v->i ? 4 : 5;
        }
        if (v->kind == V_NUM) {
            int w = snprintf(tmp, 64, "%.15g", v->d);
            return w > 0 && w < 64 ? (size_t)w : 0;
        }
        break;
    }
    *out = v->s;
    return cut_utf8(v->s, v->len, c->ctype == CT_TEXT ? c->maxlen : 0);
}

size_t fmt_plain(const scol *c, const gval *v, char *dst)
{
    if (v->kind == V_NULL)
        return 0;
    const char *s;
    size_t n = fmt_value_text(c, v, dst, &s);
    if (s != dst)
        memmove(dst, s, n);
    return n;
}

size_t fmt_row_max(const stable *t)
{
    size_t n = 0;
    for (size_t i = 0; i < t->ncols; i++) {
        int ct = t->cols[i].ctype;
        if (ct == CT_TEXT || ct == CT_JSON || ct == CT_UUID || ct == CT_BYTEA || ct == CT_OTHER)
            n += 4 * FMT_TEXT_CAP + 8;
        else
            n += 80;
    }
    return n + 2;
}

static size_t esc_text(char *dst, const char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        switch (ch) {
        case '\\':
            dst[o++] = '\\';
            dst[o++] = '\\';
            break;
        case '\t':
            dst[o++] = '\\';
            dst[o++] = 't';
            break;
        case '\n':
            dst[o++] = '\\';
            dst[o++] = 'n';
            break;
        case '\r':
            dst[o++] = '\\';
            dst[o++] = 'r';
            break;
        default: dst[o++] = ch; break;
        }
    }
    return o;
}

static size_t put_bytea(char *dst, const char *s, size_t n, int mode)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    if (mode == FMT_COPY_TEXT)
        dst[o++] = '\\';
    dst[o++] = '\\';
    dst[o++] = 'x';
    for (size_t i = 0; i < n; i++) {
        dst[o++] = hex[(unsigned char)s[i] >> 4];
        dst[o++] = hex[(unsigned char)s[i] & 15];
    }
    return o;
}

size_t fmt_row(gen_ctx *cx, int ti, uint64_t key, int mode, char *dst)
{
    const stable *t = &cx->sh->t[ti];
    char tmp[96];
    size_t o = 0;
    gen_ctx_reset(cx);
    for (size_t i = 0; i < t->ncols; i++) {
        const scol *c = &t->cols[i];
        gval v;
        if (i)
            dst[o++] = mode == FMT_CSV ? ',' : '\t';
        gen_eval_col(cx, ti, (int)i, key, &v);
        if (v.kind == V_NULL) {
            if (mode == FMT_COPY_TEXT) {
                dst[o++] = '\\';
                dst[o++] = 'N';
            }
            continue;
        }
        const char *s;
        size_t n = fmt_value_text(c, &v, tmp, &s);
        if (c->ctype == CT_BYTEA && v.kind == V_TEXT) {
            o += put_bytea(dst + o, s, n, mode);
        } else if (mode == FMT_COPY_TEXT) {
            if (s == tmp) {
                memcpy(dst + o, s, n);
                o += n;
            } else
                o += esc_text(dst + o, s, n);
        } else if (s == tmp && c->ctype != CT_TEXT) {
            memcpy(dst + o, s, n);
            o += n;
        } else {
            o += csv_write(dst + o, 2 * n + 2, s, n);
        }
    }
    dst[o++] = '\n';
    return o;
}
