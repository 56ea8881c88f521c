/*
 * rates_read.c -- reading rate traces onto a regular grid (see rates.h).
 *
 * CSV lines are read one at a time (bounded, through zlib so .gz works too) and each line
 * is split by libcsv, so that a failure names its line number and field; a quoted field
 * spanning lines is not supported (rate exports do not have them). Prometheus answers are
 * JSON, loaded through jsonio (size-capped) and addressed by path instead of line.
 */
#include "rates.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "jsonio.h"

const char *const rates_bad_names[RB_N] = {"bad_time", "bad_value", "bad_field", "too_long"};

#define LINE_MAX_BYTES 65536
#define CSV_MAX_COLS 256

typedef struct pt {
    double t, v;
} pt;

typedef struct reader {
    const rates_spec *sp;
    rates_trace *tr;
    pt *p;
    size_t n, cap;
} reader;

int rates_spec_parse(const char *s, rates_spec *sp, char *err)
{
    memset(sp, 0, sizeof *sp);
    sp->unit_s = 1;
    snprintf(sp->text, sizeof sp->text, "%s", s);
    if (!strcmp(s, "limbo")) {
        sp->kind = RATES_LIMBO;
        return 0;
    }
    if (!strcmp(s, "prometheus")) {
        sp->kind = RATES_PROMETHEUS;
        return 0;
    }
    if (strncmp(s, "csv:", 4) != 0)
        return st_err(err, ST_EINPUT,
                      "--rates-format: expected csv:time=COL,count=COL (or rate=COL), limbo or "
                      "prometheus, got '%.60s'",
                      s);
    sp->kind = RATES_CSV;
    const char *p = s + 4;
    while (*p) {
        const char *eq = strchr(p, '='), *end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        if (!eq || eq > end)
            return st_err(err, ST_EINPUT, "--rates-format: expected KEY=COLUMN at '%.40s'", p);
        size_t kl = (size_t)(eq - p), vl = (size_t)(end - eq - 1);
        char *dst = NULL;
        if (kl == 4 && !strncmp(p, "time", 4))
            dst = sp->time_col;
        else if ((kl == 5 && !strncmp(p, "count", 5)) || (kl == 4 && !strncmp(p, "rate", 4))) {
            if (sp->value_col[0])
                return st_err(err, ST_EINPUT, "--rates-format: give one of count= or rate=");
            dst = sp->value_col;
            sp->value_is_rate = kl == 4;
        } else
            return st_err(err, ST_EINPUT, "--rates-format: unknown key '%.*s' (time, count, rate)",
                          (int)kl, p);
        if (vl == 0 || vl >= sizeof sp->time_col)
            return st_err(err, ST_EINPUT, "--rates-format: '%.*s' needs a column name", (int)kl, p);
        memcpy(dst, eq + 1, vl);
        dst[vl] = 0;
        p = *end ? end + 1 : end;
    }
    if (!sp->time_col[0] || !sp->value_col[0])
        return st_err(err, ST_EINPUT,
                      "--rates-format: csv needs time=COL and count=COL or rate=COL");
    return 0;
}

static int days_from_civil(int64_t y, int m, int d, int64_t *out)
{
    /* Howard Hinnant's days-from-civil algorithm: proleptic Gregorian, no time zone. */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *out = era * 146097 + doe - 719468;
    return 0;
}

static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if ((*p)[i] < '0' || (*p)[i] > '9')
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

/* Epoch seconds (values above 1e11 are milliseconds: no trace starts in the year 5138) or
 * ISO 8601: YYYY-MM-DD[(T| )HH:MM[:SS[.frac]]][Z|+hh[:mm]|-hh[:mm]]; zone-less times are
 * UTC. Returns 0 or -1. */
int rates_parse_time(const char *s, double *out)
{
    while (*s == ' ' || *s == '"')
        s++;
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, se = 0;
    if (digits(&p, 4, &y) == 0 && *p == '-') {
        p++;
        if (digits(&p, 2, &mo) || *p++ != '-' || digits(&p, 2, &d) || mo < 1 || mo > 12 || d < 1 ||
            d > 31)
            return -1;
        double frac = 0, off = 0;
        if (*p == 'T' || *p == ' ') {
            p++;
            if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) || h > 24 || mi > 59)
                return -1;
            if (*p == ':') {
                p++;
                if (digits(&p, 2, &se) || se > 60)
                    return -1;
                if (*p == '.' || *p == ',') {
                    double scale = 0.1;
                    for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
                        frac += (*p - '0') * scale;
                }
            }
            if (*p == 'Z') {
                p++;
            } else if (*p == '+' || *p == '-') {
                int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
                if (digits(&p, 2, &oh))
                    return -1;
                if (*p == ':')
                    p++;
                if (*p >= '0' && *p <= '9' && digits(&p, 2, &om))
                    return -1;
                off = sign * (oh * 3600.0 + om * 60.0);
            }
        }
        while (*p == ' ' || *p == '"' || *p == '\r')
            p++;
        if (*p)
            return -1;
        int64_t days;
        days_from_civil(y, mo, d, &days);
        *out = (double)days * 86400 + h * 3600.0 + mi * 60.0 + se + frac - off;
        return 0;
    }
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    while (*end == ' ' || *end == '"' || *end == '\r')
        end++;
    if (end == s || *end || errno || !isfinite(v) || v < 0)
        return -1;
    *out = v > 1e11 ? v / 1000 : v;
    return 0;
}

static void bad(rates_trace *tr, int why, uint64_t line, const char *fmt, const char *a,
                const char *b)
{
    if (tr->bad[why] < RATES_FIRST_BAD)
        tr->bad_first[why][tr->bad[why]] = line;
    /* Truncation of the quoted field is fine: the message only shows the start of it. */
    if (tr->bad[why] == 0 && snprintf(tr->bad_why[why], sizeof tr->bad_why[why], fmt,
                                      (unsigned long long)line, a ? a : "", b ? b : "") < 0)
        tr->bad_why[why][0] = 0;
    tr->bad[why]++;
}

static int push(reader *r, double t, double v, char *err)
{
    if (r->n == r->cap) {
        if (r->cap >= RATES_MAX_POINTS)
            return st_err(err, ST_EINPUT, "trace has more than %u points: aggregate it first",
                          RATES_MAX_POINTS);
        size_t nc = r->cap ? r->cap * 2 : 4096;
        pt *np = realloc(r->p, nc * sizeof *np);
        if (!np)
            return st_err(err, ST_ENOMEM, "out of memory");
        r->p = np;
        r->cap = nc;
    }
    r->p[r->n].t = t;
    r->p[r->n++].v = v;
    r->tr->points++;
    return 0;
}

static int parse_value(const char *s, double *v)
{
    char *end;
    errno = 0;
    while (*s == ' ' || *s == '"')
        s++;
    *v = strtod(s, &end);
    while (*end == ' ' || *end == '"' || *end == '\r')
        end++;
    return end == s || *end || errno || !isfinite(*v) || *v < 0 ? -1 : 0;
}

typedef struct csvrow {
    char f[CSV_MAX_COLS][128];
    size_t n;
    int overflow;
} csvrow;

static void cb_field(void *s, size_t len, void *data)
{
    csvrow *row = data;
    if (row->n >= CSV_MAX_COLS) {
        row->overflow = 1;
        return;
    }
    size_t l = len < sizeof row->f[0] - 1 ? len : sizeof row->f[0] - 1;
    memcpy(row->f[row->n], s, l);
    row->f[row->n++][l] = 0;
}

static void cb_row(int c, void *data)
{
    (void)c;
    (void)data;
}

static int col_index(const csvrow *hdr, const char *name)
{
    for (size_t i = 0; i < hdr->n; i++)
        if (!strcmp(hdr->f[i], name))
            return (int)i;
    return -1;
}

/* One LIMBO "t,rate" entry of len bytes at e (a failure is counted, not returned). */
static int limbo_entry(reader *r, const char *e, size_t len, char *err)
{
    rates_trace *tr = r->tr;
    char tbuf[64], vbuf[64];
    const char *c = memchr(e, ',', len);
    size_t tl = c ? (size_t)(c - e) : 0, vl = c ? len - tl - 1 : 0;
    if (!c || tl >= sizeof tbuf || vl >= sizeof vbuf) {
        bad(tr, RB_FIELD, tr->lines, "line %llu: expected 't,rate;'%s%s", NULL, NULL);
        return 0;
    }
    memcpy(tbuf, e, tl);
    tbuf[tl] = 0;
    memcpy(vbuf, c + 1, vl);
    vbuf[vl] = 0;
    double t, v;
    char *end;
    errno = 0;
    t = strtod(tbuf, &end);
    while (*end == ' ')
        end++;
    if (end == tbuf || *end || errno || !isfinite(t)) {
        bad(tr, RB_TIME, tr->lines, "line %llu: t: expected a number, got '%.40s'%s", tbuf, NULL);
        return 0;
    }
    if (parse_value(vbuf, &v) < 0) {
        bad(tr, RB_VALUE, tr->lines, "line %llu: rate: expected a number >= 0, got '%.40s'%s", vbuf,
            NULL);
        return 0;
    }
    return push(r, r->sp->start + t * r->sp->unit_s, v / r->sp->unit_s, err);
}

static int read_lines(gzFile z, reader *r, const char *path, char *err)
{
    rates_trace *tr = r->tr;
    const rates_spec *sp = r->sp;
    char *line = malloc(LINE_MAX_BYTES);
    csvrow *row = malloc(sizeof *row), *hdr = malloc(sizeof *hdr);
    struct csv_parser cp;
    int rc = 0, ti = -1, vi = -1, have_hdr = sp->kind != RATES_CSV;
    if (!line || !row || !hdr || csv_init(&cp, CSV_APPEND_NULL) != 0) {
        free(line);
        free(row);
        free(hdr);
        return st_err(err, ST_ENOMEM, "out of memory");
    }
    while (rc == 0 && gzgets(z, line, LINE_MAX_BYTES)) {
        size_t len = strlen(line);
        tr->lines++;
        if (len == LINE_MAX_BYTES - 1 && line[len - 1] != '\n') {
            int c;
            while ((c = gzgetc(z)) != -1 && c != '\n')
                ;
            bad(tr, RB_LONG, tr->lines, "line %llu: longer than 64 KiB%s%s", NULL, NULL);
            continue;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        const char *s = line;
        if (tr->lines == 1 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
            (unsigned char)s[2] == 0xBF)
            s += 3; /* a UTF-8 byte-order mark */
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s || *s == '#')
            continue;
        if (sp->kind == RATES_LIMBO) {
            /* LIMBO/DLIM: "t,rate;" entries, one a line or several on one. */
            for (const char *e = s; rc == 0 && *e;) {
                const char *semi = strchr(e, ';');
                size_t l = semi ? (size_t)(semi - e) : strlen(e);
                rc = limbo_entry(r, e, l, err);
                e += l + (semi != NULL);
                while (*e == ' ' || *e == '\t')
                    e++;
            }
            continue;
        }
        if (!have_hdr) {
            /* Spreadsheet exports use ';' or a tab where ',' is the decimal mark. */
            unsigned char d = strchr(s, ',')    ? ','
                              : strchr(s, '\t') ? '\t'
                              : strchr(s, ';')  ? ';'
                                                : ',';
            csv_set_delim(&cp, d);
        }
        row->n = 0;
        row->overflow = 0;
        if (csv_parse(&cp, s, strlen(s), cb_field, cb_row, row) != strlen(s) ||
            csv_fini(&cp, cb_field, cb_row, row) != 0) {
            bad(tr, RB_FIELD, tr->lines, "line %llu: not CSV%s%s", NULL, NULL);
            continue;
        }
        if (!have_hdr) {
            *hdr = *row;
            ti = col_index(hdr, sp->time_col);
            vi = col_index(hdr, sp->value_col);
            if (ti < 0 || vi < 0) {
                rc = st_err(err, ST_EINPUT,
                            "%s: line %llu: no column '%s' in the header "
                            "(--rates-format %s)",
                            path, (unsigned long long)tr->lines,
                            ti < 0 ? sp->time_col : sp->value_col, sp->text);
                break;
            }
            have_hdr = 1;
            continue;
        }
        if ((size_t)ti >= row->n || (size_t)vi >= row->n) {
            bad(tr, RB_FIELD, tr->lines, "line %llu: %s: missing (the line has fewer columns)%s",
                (size_t)ti >= row->n ? sp->time_col : sp->value_col, NULL);
            continue;
        }
        double t, v;
        if (rates_parse_time(row->f[ti], &t) < 0) {
            bad(tr, RB_TIME, tr->lines,
                "line %llu: %s: expected epoch seconds or ISO 8601, got '%.40s'", sp->time_col,
                row->f[ti]);
            continue;
        }
        if (parse_value(row->f[vi], &v) < 0) {
            bad(tr, RB_VALUE, tr->lines, "line %llu: %s: expected a number >= 0, got '%.40s'",
                sp->value_col, row->f[vi]);
            continue;
        }
        rc = push(r, t, v, err);
    }
    if (rc == 0 && !gzeof(z)) {
        int e;
        const char *m = gzerror(z, &e);
        if (e != Z_OK)
            rc = st_err(err, ST_EINPUT, "%s: read error after line %llu: %s", path,
                        (unsigned long long)tr->lines, m);
    }
    csv_free(&cp);
    free(line);
    free(row);
    free(hdr);
    return rc;
}

/* data.result[*].values of a query_range answer; several series are summed on the grid. */
static int read_prometheus(const char *path, reader *r, char *err)
{
    rates_trace *tr = r->tr;
    json_t *root = jsonio_load(path, err), *data, *res;
    if (!root)
        return ST_EINPUT;
    int rc = 0;
    data = json_object_get(root, "data");
    if (!data)
        data = root; /* the bare data object */
    res = json_object_get(data, "result");
    if (!json_is_array(res)) {
        json_decref(root);
        return st_err(err, ST_EINPUT,
                      "%s: data.result: expected the array of a query_range "
                      "answer",
                      path);
    }
    const char *rt = json_string_value(json_object_get(data, "resultType"));
    if (rt && strcmp(rt, "matrix") != 0) {
        st_err(err, ST_EINPUT,
               "%s: data.resultType: expected \"matrix\" (a query_range answer), "
               "got \"%.20s\"",
               path, rt);
        json_decref(root);
        return ST_EINPUT;
    }
    size_t i, k;
    json_t *s, *v;
    json_array_foreach(res, i, s) {
        json_t *vals = json_object_get(s, "values");
        char p[128];
        snprintf(p, sizeof p, "data.result[%zu].values", i);
        if (!json_is_array(vals)) {
            bad(tr, RB_FIELD, i, "series %llu: %s: expected an array%s", p, NULL);
            continue;
        }
        tr->series++;
        json_array_foreach(vals, k, v) {
            tr->lines++;
            json_t *jt = json_array_get(v, 0), *jv = json_array_get(v, 1);
            double t, x;
            char q[160];
            snprintf(q, sizeof q, "%s[%zu]", p, k);
            if (!json_is_array(v) || json_array_size(v) != 2 || !json_is_number(jt) ||
                (t = json_number_value(jt)) < 0) {
                bad(tr, RB_TIME, tr->lines, "sample %llu: %s: expected [epoch, \"value\"]%s", q,
                    NULL);
                continue;
            }
            if (!json_is_string(jv) || parse_value(json_string_value(jv), &x) < 0) {
                bad(tr, RB_VALUE, tr->lines,
                    "sample %llu: %s[1]: expected a number >= 0 as a "
                    "string%s",
                    q, NULL);
                continue;
            }
            if ((rc = push(r, t, x, err)) < 0)
                goto out;
        }
    }
out:
    json_decref(root);
    return rc;
}

static int cmp_pt(const void *a, const void *b)
{
    const pt *x = a, *y = b;
    return x->t < y->t ? -1 : x->t > y->t;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Detects the bin and fills the grid. */
static int to_grid(reader *r, const char *path, char *err)
{
    rates_trace *tr = r->tr;
    qsort(r->p, r->n, sizeof *r->p, cmp_pt);
    double *gap = malloc(r->n * sizeof *gap);
    if (!gap)
        return st_err(err, ST_ENOMEM, "out of memory");
    size_t ng = 0;
    for (size_t i = 1; i < r->n; i++)
        if (r->p[i].t > r->p[i - 1].t)
            gap[ng++] = r->p[i].t - r->p[i - 1].t;
    if (ng == 0) {
        free(gap);
        return st_err(err, ST_EINPUT,
                      "%s: fewer than 2 distinct times: no bin width, nothing to "
                      "fit",
                      path);
    }
    qsort(gap, ng, sizeof *gap, cmp_d);
    /* The bin is the most common gap (within 0.5%; the shorter one on a tie): missing bins
     * make longer gaps, and with many of them a median would be one of those. */
    size_t best_a = 0, best_n = 0;
    for (size_t a = 0, b; a < ng; a = b) {
        for (b = a; b < ng && gap[b] <= gap[a] * 1.005; b++)
            ;
        if (b - a > best_n) {
            best_n = b - a;
            best_a = a;
        }
    }
    double bin = gap[best_a + best_n / 2];
    /* Exports round times to the millisecond at best. */
    bin = round(bin * 1000) / 1000;
    if (bin <= 0)
        bin = gap[best_a + best_n / 2];
    size_t same = 0;
    for (size_t i = 0; i < ng; i++)
        same += fabs(gap[i] - bin) <= 0.01 * bin;
    free(gap);
    tr->bin_s = bin;
    tr->bin_share = (double)same / (double)ng;
    /* csv times are bin starts; limbo and prometheus times are bin mid-points / samples. */
    int centred = r->sp->kind != RATES_CSV;
    tr->t0 = r->p[0].t - (centred ? bin / 2 : 0);
    double span = r->p[r->n - 1].t - r->p[0].t;
    if (span / bin + 1 > RATES_MAX_BINS)
        return st_err(err, ST_EINPUT,
                      "%s: the trace spans %.0f bins of %g s (more than %u): "
                      "aggregate it to a coarser bin first",
                      path, span / bin + 1, bin, RATES_MAX_BINS);
    tr->n = (size_t)floor(span / bin + 0.5) + 1;
    tr->rate = calloc(tr->n, sizeof *tr->rate);
    tr->have = calloc(tr->n, 1);
    if (!tr->rate || !tr->have)
        return st_err(err, ST_ENOMEM, "out of memory");
    for (size_t i = 0; i < r->n; i++) {
        double x = (r->p[i].t - r->p[0].t) / bin;
        size_t j = (size_t)floor(x + 0.5);
        if (fabs(x - (double)j) > 0.1)
            tr->off_grid++;
        if (j >= tr->n)
            j = tr->n - 1;
        double v = r->p[i].v;
        if (r->sp->kind == RATES_CSV && !r->sp->value_is_rate)
            v /= bin;
        tr->summed += tr->have[j];
        tr->rate[j] += v;
        tr->have[j] = 1;
    }
    for (size_t j = 0; j < tr->n; j++)
        tr->missing += !tr->have[j];
    tr->counts = r->sp->kind == RATES_CSV && !r->sp->value_is_rate;
    return 0;
}

int rates_trace_read(const char *path, const rates_spec *sp, rates_trace *tr, char *err)
{
    memset(tr, 0, sizeof *tr);
    reader r = {sp, tr, NULL, 0, 0};
    int rc;
    if (sp->kind == RATES_PROMETHEUS) {
        rc = read_prometheus(path, &r, err);
    } else {
        gzFile z = strcmp(path, "-") ? gzopen(path, "rb") : gzdopen(0, "rb");
        if (!z) {
            free(r.p);
            return st_err(err, ST_EINPUT, "%s: cannot open: %s", path, strerror(errno));
        }
        gzbuffer(z, 1 << 16);
        rc = read_lines(z, &r, path, err);
        gzclose(z);
    }
    if (rc == 0 && r.n == 0) {
        int why = -1;
        for (int k = 0; k < RB_N; k++)
            if (tr->bad[k] && (why < 0 || tr->bad_first[k][0] < tr->bad_first[why][0]))
                why = k;
        rc = why >= 0 ? st_err(err, ST_EINPUT, "%s: no usable bin in %llu lines (first: %s)", path,
                               (unsigned long long)tr->lines, tr->bad_why[why])
                      : st_err(err, ST_EINPUT, "%s: no usable bin (the trace is empty)", path);
    }
    if (rc == 0)
        rc = to_grid(&r, path, err);
    free(r.p);
    if (rc < 0)
        rates_trace_term(tr);
    return rc;
}

void rates_trace_term(rates_trace *tr)
{
    free(tr->rate);
    free(tr->have);
    tr->rate = NULL;
    tr->have = NULL;
}
