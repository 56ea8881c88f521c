/*
 * fmt_csv.c -- CSV/TSV exports with a column mapping, through libcsv (see logfmt.h).
 *
 * Fields are copied into the format's row buffer (LF_ROW_CAP), because libcsv hands them
 * out one by one through a callback; a row past the cap or past LF_CSV_MAX_COLS columns
 * is a malformed line, not a bigger buffer.
 */
#include <stdlib.h>
#include <string.h>

#include "fmt_internal.h"

/* clang-format off */
static const char *const lf_csv_fields[] = {"time",   "ip",    "method", "path",
                                            "request", "status", "bytes", "ua",
                                            "request_time", "query", NULL};
/* clang-format on */
static const int lf_csv_vars[] = {V_TIME_LOCAL, V_ADDR,  V_METHOD, V_URI, V_REQUEST,
                                  V_STATUS,     V_BYTES, V_UA,     V_RT,  V_QUERY};

int lf_field_var(const char *name, size_t n)
{
    for (int i = 0; lf_csv_fields[i]; i++)
        if (strlen(lf_csv_fields[i]) == n && memcmp(lf_csv_fields[i], name, n) == 0)
            return lf_csv_vars[i];
    return -1;
}

int lf_csv_spec(logfmt *f, const char *spec, char *err)
{
    for (int v = 0; v < V_NVARS; v++)
        f->map_col[v] = -1;
    char buf[1024];
    if (snprintf(buf, sizeof buf, "%s", spec) >= (int)sizeof buf)
        return st_err(err, ST_EINPUT, "--format: column mapping too long");
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq || eq == tok || !eq[1])
            return st_err(err, ST_EINPUT, "--format: expected FIELD=COLUMN, got '%s'", tok);
        *eq = 0;
        int fi = -1;
        for (int i = 0; lf_csv_fields[i]; i++)
            if (strcmp(lf_csv_fields[i], tok) == 0)
                fi = i;
        if (fi < 0)
            return st_err(err, ST_EINPUT, "--format: unknown field '%s' (%s)", tok, LF_FIELD_NAMES);
        int v = lf_csv_vars[fi];
        const char *col = eq + 1;
        char *end = NULL;
        long c = strtol(col, &end, 10);
        if (*end == 0 && c >= 1 && c <= LF_CSV_MAX_COLS) {
            f->map_col[v] = (int)c - 1;
        } else {
            free(f->map_names[v]);
            f->map_names[v] = strdup(col);
            if (!f->map_names[v])
                return st_err(err, ST_ENOMEM, "out of memory");
            f->need_header = 1;
        }
        if (v == V_RT)
            f->has_rt = 1;
    }
    int has_time = f->map_col[V_TIME_LOCAL] >= 0 || f->map_names[V_TIME_LOCAL];
    int has_path = f->map_col[V_URI] >= 0 || f->map_names[V_URI] || f->map_col[V_REQUEST] >= 0 ||
                   f->map_names[V_REQUEST];
    if (!has_time || !has_path)
        return st_err(err, ST_EINPUT,
                      "--format: a CSV mapping needs time= and path= (or request=)");
    f->row = malloc(LF_ROW_CAP);
    if (!f->row || csv_init(&f->csvp, CSV_APPEND_NULL) != 0) {
        free(f->row);
        f->row = NULL;
        return st_err(err, ST_ENOMEM, "out of memory");
    }
    csv_set_delim(&f->csvp, (unsigned char)f->delim);
    return 0;
}

static void lf_csv_field(void *s, size_t n, void *data)
{
    logfmt *f = data;
    if (f->nfld >= LF_CSV_MAX_COLS || f->row_len + n + 1 > LF_ROW_CAP) {
        f->row_overflow = 1;
        return;
    }
    memcpy(f->row + f->row_len, s, n);
    f->fld_off[f->nfld] = f->row_len;
    f->fld_len[f->nfld] = n;
    f->row_len += n;
    f->row[f->row_len++] = 0;
    f->nfld++;
}

static void lf_csv_row(int c, void *data)
{
    (void)c;
    (void)data;
}

static int lf_csv_split(logfmt *f, const char *line, size_t len)
{
    f->nfld = 0;
    f->row_len = 0;
    f->row_overflow = 0;
    if (csv_parse(&f->csvp, line, len, lf_csv_field, lf_csv_row, f) != len)
        return -1;
    csv_fini(&f->csvp, lf_csv_field, lf_csv_row, f);
    return f->row_overflow ? -1 : 0;
}

int lf_csv_header(logfmt *f, const char *line, size_t len, char *err)
{
    if (!f->need_header)
        return 0;
    if (lf_csv_split(f, line, len) < 0)
        return st_err(err, ST_EINPUT, "CSV header: cannot parse");
    for (int v = 0; v < V_NVARS; v++) {
        if (!f->map_names[v])
            continue;
        f->map_col[v] = -1;
        for (size_t c = 0; c < f->nfld; c++)
            if (strcmp(f->row + f->fld_off[c], f->map_names[v]) == 0)
                f->map_col[v] = (int)c;
        if (f->map_col[v] < 0)
            return st_err(err, ST_EINPUT, "CSV header has no column '%s'", f->map_names[v]);
    }
    f->need_header = 0;
    return 1;
}

/* The byte column of a CSV field in the line is not kept by libcsv; the failure names the
 * field by its column instead, and the column given is where that field's text starts when
 * it appears unquoted in the line. */
int lf_parse_csv(logfmt *f, const char *line, size_t len, logrec *r)
{
    if (lf_csv_split(f, line, len) < 0)
        return lf_fail(f, LF_BAD_FIELD, line, line + len, "row");
    /* clang-format off */
    static const int order[] = {V_TIME_LOCAL, V_ADDR, V_REQUEST, V_METHOD, V_URI,
                                V_QUERY,      V_STATUS, V_BYTES, V_UA, V_RT};
    /* clang-format on */
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        int v = order[k];
        int c = f->map_col[v];
        if (c < 0)
            continue;
        const char *fname = lf_csv_fields[k];
        for (size_t i = 0; lf_csv_fields[i]; i++)
            if (lf_csv_vars[i] == v)
                fname = lf_csv_fields[i];
        if ((size_t)c >= f->nfld)
            return lf_fail(f, LF_TRUNCATED, line, line + len, fname);
        const char *s = f->row + f->fld_off[c];
        int rc = lf_set(f, r, v, -1, s, f->fld_len[c]);
        if (rc) {
            const char *at = f->fld_len[c] ? memmem(line, len, s, f->fld_len[c]) : NULL;
            return lf_fail(f, rc, line, at ? at : line, fname);
        }
    }
    if (!r->method) {
        r->method = "GET";
        r->method_len = 3;
    }
    if (f->map_col[V_STATUS] < 0)
        r->status = 200;
    return LF_OK;
}
