/*
 * pvalue.c -- literals, masking and quantiles of a profile's values (see pvalue.h).
 */
#include "pvalue.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int profile_type_class(const char *t)
{
    if (!t)
        return PC_OTHER;
    if (!strcmp(t, "smallint") || !strcmp(t, "integer") || !strcmp(t, "bigint"))
        return PC_INT;
    if (!strncmp(t, "numeric", 7) || !strcmp(t, "real") || !strcmp(t, "double precision"))
        return PC_NUM;
    if (!strcmp(t, "boolean"))
        return PC_BOOL;
    if (!strcmp(t, "text") || !strncmp(t, "character", 9) || !strncmp(t, "varchar", 7))
        return PC_TEXT;
    if (!strcmp(t, "date"))
        return PC_DATE;
    if (!strncmp(t, "timestamp", 9))
        return strstr(t, "with time zone") ? PC_TSTZ : PC_TS;
    if (!strcmp(t, "uuid"))
        return PC_UUID;
    return PC_OTHER;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int profile_axis(int cls, const char *s, double *out)
{
    char *end;
    if (!s)
        return -1;
    if (cls == PC_INT || cls == PC_NUM) {
        double v = strtod(s, &end);
        if (end == s || !isfinite(v))
            return -1;
        *out = v;
        return 0;
    }
    if (cls == PC_DATE || cls == PC_TS || cls == PC_TSTZ) {
        int y, mo, d, h = 0, mi = 0, n = 0;
        double sec = 0;
        if (sscanf(s, "%d-%d-%d%n", &y, &mo, &d, &n) < 3)
            return -1;
        const char *p = s + n;
        if (*p == ' ' || *p == 'T')
            sscanf(p + 1, "%d:%d:%lf", &h, &mi, &sec);
        *out = (double)days_from_civil(y, mo, d) * 86400.0 + h * 3600.0 + mi * 60.0 + sec;
        return 0;
    }
    return -1;
}

/* "2009-01-01 00:00:00+00" -> "2009-01-01T00:00:00Z" (the session runs in UTC). */
static json_t *iso_literal(int cls, const char *s)
{
    char buf[64];
    if (cls == PC_DATE)
        return json_string(s);
    snprintf(buf, sizeof buf, "%s", s);
    char *sp = strchr(buf, ' ');
    if (sp)
        *sp = 'T';
    char *tz = strpbrk(buf + 10, "+-");
    if (tz)
        *tz = 0;
    size_t n = strlen(buf);
    if (n + 2 < sizeof buf) {
        buf[n] = 'Z';
        buf[n + 1] = 0;
    }
    return json_string(buf);
}

json_t *profile_literal(int cls, const char *text)
{
    if (cls == PC_INT) {
        char *end;
        long long v = strtoll(text, &end, 10);
        if (*end == 0)
            return json_integer(v);
    }
    if (cls == PC_INT || cls == PC_NUM) {
        double v;
        if (!profile_axis(cls, text, &v))
            return json_real(v);
    }
    if (cls == PC_DATE || cls == PC_TS || cls == PC_TSTZ)
        return iso_literal(cls, text);
    return json_string(text);
}

json_t *pv_epoch_literal(int cls, double t)
{
    int64_t days = (int64_t)floor(t / 86400.0);
    int64_t rem = (int64_t)(t - (double)days * 86400.0);
    int y, m, d;
    char buf[64];
    civil_from_days(days, &y, &m, &d);
    if (cls == PC_DATE)
        snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    else
        snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(rem / 3600),
                 (int)(rem / 60 % 60), (int)(rem % 60));
    return json_string(buf);
}


static int cmp_axis(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int pv_mask_init(pv_mask *m, const pgs_col *c, int cls, double rows)
{
    memset(m, 0, sizeof *m);
    m->cls = cls;
    size_t cap = c->nmcv + c->nhist;
    m->lit = calloc(cap ? cap : 1, sizeof *m->lit);
    m->ax = calloc(cap ? cap : 1, sizeof *m->ax);
    if (!m->lit || !m->ax)
        return ST_ENOMEM;
    for (size_t i = 0; i < cap; i++)
        m->lit[m->n++] = i < c->nmcv ? c->mcv[i] : c->hist[i - c->nmcv];
    int numeric = cls == PC_INT || cls == PC_NUM || cls == PC_DATE || cls == PC_TS ||
                  cls == PC_TSTZ;
    if (numeric) {
        size_t k = 0;
        for (size_t i = 0; i < m->n; i++)
            if (!profile_axis(cls, m->lit[i], &m->ax[k]))
                k++;
        qsort(m->ax, k, sizeof *m->ax, cmp_axis);
        size_t u = 0;
        for (size_t i = 0; i < k; i++)
            if (!u || m->ax[i] != m->ax[u - 1])
                m->ax[u++] = m->ax[i];
        m->n = u;
    } else {
        qsort(m->lit, m->n, sizeof *m->lit, cmp_str);
        size_t u = 0;
        for (size_t i = 0; i < m->n; i++)
            if (!u || strcmp(m->lit[i], m->lit[u - 1]))
                m->lit[u++] = m->lit[i];
        m->n = u;
    }
    double nd = c->n_distinct < 0 ? -c->n_distinct * rows : c->n_distinct;
    /* Room for about 8x the distinct values between neighbouring literals, so integer
     * rounding inside a bucket rarely merges values that were distinct. */
    m->gap = m->n ? fmax(1.0, round((cls == PC_DATE ? 1.5 : 8) * nd / (double)m->n)) : 1.0;
    m->width = 2;
    for (double span = 26 * 26; span < (double)m->n + 1; span *= 26)
        m->width++;
    return 0;
}

void pv_mask_term(pv_mask *m)
{
    free(m->lit);
    free(m->ax);
}

/* The synthetic value for a literal; NULL on OOM. */
json_t *pv_mask_value(const pv_mask *m, const char *text)
{
    size_t r = 0;
    if (m->cls == PC_INT || m->cls == PC_NUM || m->cls == PC_DATE || m->cls == PC_TS ||
        m->cls == PC_TSTZ) {
        double v;
        if (profile_axis(m->cls, text, &v))
            v = 0;
        while (r < m->n && m->ax[r] < v)
            r++;
        double s = (double)(r + 1) * m->gap;
        if (m->cls == PC_INT || m->cls == PC_NUM)
            return m->cls == PC_INT ? json_integer((json_int_t)s) : json_real(s);
        return pv_epoch_literal(m->cls, 946684800.0 + s * (m->cls == PC_DATE ? 86400.0 : 60.0));
    }
    if (m->cls == PC_BOOL)
        return json_string(text);
    while (r < m->n && strcmp(m->lit[r], text) < 0)
        r++;
    /* A fixed-width letter code of the rank, padded with 'x' to the literal's length so
     * that widths (and so pages) survive; the code prefix alone decides order. */
    char code[256];
    int w = m->width < 15 ? m->width : 15;
    size_t len = strlen(text);
    if (len > sizeof code - 1)
        len = sizeof code - 1;
    for (int i = w - 1; i >= 0; i--) {
        code[i] = (char)('a' + r % 26);
        r /= 26;
    }
    size_t n = (size_t)w;
    while (n < len)
        code[n++] = 'x';
    if (m->maxlen && n > (size_t)m->maxlen && m->maxlen >= w)
        n = (size_t)m->maxlen;
    code[n] = 0;
    return json_string(code);
}

json_t *pv_lit(const pv_mask *m, int mask, int cls, const char *text)
{
    return mask ? pv_mask_value(m, text) : profile_literal(cls, text);
}

/* Six significant digits: statistics are estimates, and short numbers keep profiles legible. */
double pv_r6(double v)
{
    char b[32];
    snprintf(b, sizeof b, "%.6g", v);
    return strtod(b, NULL);
}

json_t *pv_jreal(double v)
{
    return json_real(pv_r6(v));
}


double pv_axis(const pv_map *v, const char *text)
{
    double x = 0;
    if (v->fk) {
        if (profile_axis(PC_INT, text, &x))
            x = v->lo;
        x = fmin(v->hi, fmax(v->lo, x));
        return v->mask ? x - v->lo + 1 : x;
    }
    if (!v->mask) {
        profile_axis(v->cls, text, &x);
        return x;
    }
    size_t r = 0;
    if (!profile_axis(v->cls, text, &x))
        while (r < v->m->n && v->m->ax[r] < x)
            r++;
    double syn = (double)(r + 1) * v->m->gap;
    if (v->cls == PC_DATE)
        return 946684800.0 + syn * 86400.0;
    if (v->cls == PC_TS || v->cls == PC_TSTZ)
        return 946684800.0 + syn * 60.0;
    return syn;
}

json_t *pv_json(const pv_map *v, double x)
{
    if (v->fk || v->cls == PC_INT)
        return json_integer((json_int_t)llround(x));
    if (v->cls == PC_NUM)
        return pv_jreal(x);
    return pv_epoch_literal(v->cls, x);
}

typedef struct atom {
    double a, b, w; /* a == b: a point mass (an MCV, or a bucket of one repeated value) */
} atom;

static int cmp_double(const void *x, const void *y)
{
    double p = *(const double *)x, q = *(const double *)y;
    return p < q ? -1 : p > q;
}

/* The column's CDF at x: point masses below x (and at x when `incl`), plus each bucket's
 * weight times the share of its range below x. */
static double atoms_cdf(const atom *at, size_t n, double x, int incl)
{
    double f = 0;
    for (size_t i = 0; i < n; i++) {
        if (at[i].a == at[i].b)
            f += at[i].a < x || (incl && at[i].a == x) ? at[i].w : 0;
        else
            f += at[i].w * fmin(1, fmax(0, (x - at[i].a) / (at[i].b - at[i].a)));
    }
    return f;
}

/* The column's whole quantile function -- MCVs as point masses, the rest spread evenly over
 * the equal-depth buckets (which may overlap MCVs) -- sampled at nb + 1 equally spaced
 * probabilities by inverting the piecewise-linear CDF between its breakpoints. A `histogram`
 * over these bounds reproduces the MCV frequencies (to about 1/nb) and, unlike
 * `categorical`, takes `correlation`. Returns the bounds array or NULL. */
/* The column's atoms (MCV points and histogram buckets) on vm's axis; *n receives the count.
 * Returns NULL when there are none or on OOM. Caller frees. */
static atom *atoms_build(const pgs_col *c, const pv_map *vm, size_t *n)
{
    size_t nh = c->nhist >= 2 ? c->nhist - 1 : 0, k = 0;
    *n = 0;
    if (!c->nmcv && !nh)
        return NULL;
    atom *at = calloc(c->nmcv + nh, sizeof *at);
    if (!at)
        return NULL;
    double live = c->null_frac < 1 ? 1 - c->null_frac : 1, msum = 0;
    for (size_t i = 0; i < c->nmcv; i++) {
        at[k].a = at[k].b = pv_axis(vm, c->mcv[i]);
        at[k++].w = c->mcf[i] / live;
        msum += c->mcf[i] / live;
    }
    double hw = nh ? fmax(0, 1 - msum) / (double)nh : 0;
    for (size_t i = 0; i < nh; i++) {
        at[k].a = pv_axis(vm, c->hist[i]);
        at[k].b = fmax(at[k].a, pv_axis(vm, c->hist[i + 1]));
        at[k++].w = hw;
    }
    *n = k;
    return at;
}

double profile_cdf(const pgs_col *c, int cls, double x, int incl)
{
    pv_map vm = {.cls = cls};
    size_t n;
    atom *at = atoms_build(c, &vm, &n);
    double total = 0, f;
    for (size_t i = 0; i < n; i++)
        total += at[i].w;
    f = total > 0 ? atoms_cdf(at, n, x, incl) / total : 0;
    free(at);
    return f;
}

json_t *pv_quantiles(const pgs_col *c, const pv_map *vm, int nb)
{
    size_t k = 0;
    atom *at = atoms_build(c, vm, &k);
    double *bx = calloc(2 * k + 1, sizeof *bx), *fl = calloc(2 * k + 1, sizeof *fl),
           *fr = calloc(2 * k + 1, sizeof *fr);
    json_t *b = json_array();
    if (!at || !bx || !fl || !fr || !b)
        goto out;
    size_t m = 0;
    for (size_t i = 0; i < k; i++) {
        bx[m++] = at[i].a;
        bx[m++] = at[i].b;
    }
    qsort(bx, m, sizeof *bx, cmp_double);
    size_t u = 0;
    for (size_t i = 0; i < m; i++)
        if (!u || bx[i] != bx[u - 1])
            bx[u++] = bx[i];
    for (size_t i = 0; i < u; i++) {
        fl[i] = atoms_cdf(at, k, bx[i], 0);
        fr[i] = atoms_cdf(at, k, bx[i], 1);
    }
    double total = fr[u - 1];
    for (int j = 0; j <= nb && total > 0; j++) {
        double q = (double)j / nb * total;
        size_t i = 0;
        while (i + 1 < u && fr[i] < q)
            i++;
        double x = bx[i];
        if (q < fl[i] && i > 0 && fl[i] > fr[i - 1])
            x = bx[i - 1] + (bx[i] - bx[i - 1]) * (q - fr[i - 1]) / (fl[i] - fr[i - 1]);
        json_array_append_new(b, pv_json(vm, x));
    }
out:
    free(at);
    free(bx);
    free(fl);
    free(fr);
    if (json_array_size(b) < 2) {
        json_decref(b);
        return NULL;
    }
    return b;
}
