/*
 * fmt_w3c.c -- W3C extended log files (IIS, CloudFront, and others that follow the W3C
 * working draft WD-logfile-960323): the columns are declared by `#Fields:` directive lines,
 * and a new `#Fields:` line may change them mid-file (IIS does so after a restart with a
 * new field selection), so the mapping is rebuilt whenever one appears.
 *
 * Columns are separated by tabs when the line has one (CloudFront) and by spaces otherwise
 * (IIS writes '+' for spaces inside a value). date and time are UTC by the draft, so they
 * are never "zone-less". time-taken is in seconds by the draft and in CloudFront; IIS
 * writes integer milliseconds: a value without a decimal point in a space-separated log, or
 * any value after a `#Software: Microsoft Internet Information Services` line, is read as
 * milliseconds.
 */
#include <stdio.h>
#include <string.h>

#include "fmt_internal.h"

#define W3C_DATE (-2)
#define W3C_TIME (-3)

static const struct {
    const char *name;
    int var;
} w3c_fields[] = {
    {"date", W3C_DATE},        {"time", W3C_TIME},      {"c-ip", V_ADDR},
    {"cs-method", V_METHOD},   {"cs-uri-stem", V_URI},  {"cs-uri", V_URI},
    {"cs-uri-query", V_QUERY}, {"sc-status", V_STATUS}, {"sc-bytes", V_BYTES},
    {"cs(User-Agent)", V_UA},  {"time-taken", V_RT},
};

static const char *w3c_name(int var)
{
    for (size_t k = 0; k < sizeof w3c_fields / sizeof w3c_fields[0]; k++)
        if (w3c_fields[k].var == var)
            return w3c_fields[k].name;
    return "column";
}

/* A column's text: [s, s+n) of the line, split by sep. Returns the next column's start. */
static const char *w3c_col(const char *p, const char *end, char sep, size_t *n)
{
    const char *e = memchr(p, sep, (size_t)(end - p));
    if (!e)
        e = end;
    *n = (size_t)(e - p);
    return e < end ? e + 1 : end;
}

int lf_w3c_header(logfmt *f, const char *line, size_t len, char *err)
{
    (void)err;
    const char *end = line + len;
    if (len >= 10 && memcmp(line, "#Software:", 10) == 0) {
        f->w3c_ms = memmem(line, len, "Microsoft", 9) != NULL;
        return 0;
    }
    if (len < 8 || memcmp(line, "#Fields:", 8) != 0)
        return 0;
    const char *p = line + 8;
    f->w3c_ncol = 0;
    f->w3c_date_col = f->w3c_time_col = -1;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (p >= end)
            break;
        const char *s = p;
        while (p < end && *p != ' ' && *p != '\t')
            p++;
        if (f->w3c_ncol >= LF_CSV_MAX_COLS)
            break;
        int var = V_SKIP;
        for (size_t k = 0; k < sizeof w3c_fields / sizeof w3c_fields[0]; k++)
            if (strlen(w3c_fields[k].name) == (size_t)(p - s) &&
                memcmp(w3c_fields[k].name, s, (size_t)(p - s)) == 0)
                var = w3c_fields[k].var;
        if (var == W3C_DATE)
            f->w3c_date_col = (int)f->w3c_ncol;
        if (var == W3C_TIME)
            f->w3c_time_col = (int)f->w3c_ncol;
        f->w3c_col[f->w3c_ncol++] = var;
    }
    return 1;
}

/* date + time -> epoch (UTC by the draft); IIS and CloudFront write 2017-11-29 06:58:55. */
static int w3c_time(logfmt *f, logrec *r, const char *d, size_t dn, const char *t, size_t tn)
{
    char buf[64];
    if (dn + tn + 2 >= sizeof buf)
        return LF_BAD_TIME;
    memcpy(buf, d, dn);
    buf[dn] = ' ';
    memcpy(buf + dn + 1, t, tn);
    buf[dn + 1 + tn] = 'Z';
    /* The user's --time-format reads the date and time columns joined by one space. */
    size_t n = dn + 1 + tn + (f->user_tf[0] ? 0 : 1);
    return lf_time_any(f, buf, n, &r->ts, &r->ts_subsec) ? LF_BAD_TIME : LF_OK;
}

int lf_parse_w3c(logfmt *f, const char *line, size_t len, logrec *r)
{
    if (len && line[0] == '#') {
        char err[ST_ERRLEN];
        lf_w3c_header(f, line, len, err);
        return LF_DIRECTIVE;
    }
    if (f->w3c_ncol == 0)
        return lf_fail(f, LF_BAD_FIELD, line, line, "#Fields: (no #Fields: line before it)");
    const char *end = line + len, *p = line;
    char sep = memchr(line, '\t', len) ? '\t' : ' ';
    const char *date = NULL, *tim = NULL;
    size_t dn = 0, tn = 0;
    const char *query = NULL, *qat = NULL;
    size_t qn = 0;
    for (size_t c = 0; c < f->w3c_ncol; c++) {
        if (p >= end && c < f->w3c_ncol)
            return lf_fail(f, LF_TRUNCATED, line, end, "column count (fewer than #Fields:)");
        const char *s = p;
        size_t n;
        p = w3c_col(p, end, sep, &n);
        int var = f->w3c_col[c];
        if (var == W3C_DATE) {
            date = s;
            dn = n;
        } else if (var == W3C_TIME) {
            tim = s;
            tn = n;
        } else if (var == V_QUERY) {
            query = s;
            qn = n;
            qat = s;
        } else if (var == V_RT) {
            int ms = f->w3c_ms || (sep == ' ' && !memchr(s, '.', n));
            int rc = lf_set(f, r, ms ? V_RT_MS : V_RT, -1, s, n);
            if (rc)
                return lf_fail(f, rc, line, s, "time-taken");
        } else if (var != V_SKIP) {
            int rc = lf_set(f, r, var, -1, s, n);
            if (rc)
                return lf_fail(f, rc, line, s, w3c_name(var));
        }
    }
    if (!date || !tim)
        return lf_fail(f, LF_BAD_TIME, line, line, "date/time (not in #Fields:)");
    int rc = w3c_time(f, r, date, dn, tim, tn);
    if (rc)
        return lf_fail(f, rc, line, date, "date time");
    if (query && r->path && (rc = lf_set(f, r, V_QUERY, -1, query, qn)))
        return lf_fail(f, rc, line, qat, "cs-uri-query");
    return LF_OK;
}
