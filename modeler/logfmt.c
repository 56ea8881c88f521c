/*
 * logfmt.c -- compiled log formats and the memchr-level tokenizer (see logfmt.h).
 *
 * A compiled format is an alternating list of items: LIT (bytes that must appear) and VAR
 * (a field that runs until the next literal). Matching a VAR searches for the next
 * literal's bytes with memchr on its first byte; a VAR inside double quotes skips quotes
 * escaped with a backslash (Apache writes \" inside user agents). The last VAR of a format
 * runs to the end of the line, or to the next space when trailing text is allowed.
 */
#include "logfmt.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

enum lf_var {
    V_SKIP = 0,
    V_ADDR,
    V_TIME_LOCAL,
    V_TIME_ISO,
    V_MSEC,
    V_REQUEST,
    V_METHOD,
    V_URI,
    V_STATUS,
    V_BYTES,
    V_UA,
    V_RT,
    V_NVARS
};

#define LF_MAX_ITEMS 64
#define LF_MAX_LIT 64
#define LF_CSV_MAX_COLS 256
#define LF_ROW_CAP (64u * 1024u)

typedef struct lf_item {
    int is_lit;
    int var;
    int quoted; /* VAR enclosed in double quotes */
    char lit[LF_MAX_LIT];
    size_t lit_len;
} lf_item;

enum lf_kind { K_NGINX = 0, K_CSV };

struct logfmt {
    int kind;
    char name[16];
    lf_item items[LF_MAX_ITEMS];
    size_t nitems;
    int trailing_rt;   /* combined/common: an optional trailing $request_time */
    int has_rt;
    /* CSV/TSV */
    char delim;
    int need_header;
    char *map_names[V_NVARS]; /* header names still to resolve (owned) */
    int map_col[V_NVARS];     /* 0-based column per field, -1 if unmapped */
    struct csv_parser csvp;
    char *row;                /* field bytes of the current row */
    size_t row_len;
    size_t fld_off[LF_CSV_MAX_COLS], fld_len[LF_CSV_MAX_COLS];
    size_t nfld;
    int row_overflow;
};

static const char *const lf_reason_names[LF_NREASONS] = {
    "ok", "bad_time", "bad_request", "bad_status", "truncated", "too_long", "bad_field"};

const char *logfmt_reason_name(int reason)
{
    return reason >= 0 && reason < LF_NREASONS ? lf_reason_names[reason] : "unknown";
}

static const struct {
    const char *name;
    int var;
} lf_vars[] = {
    {"remote_addr", V_ADDR},           {"binary_remote_addr", V_SKIP},
    {"http_x_forwarded_for", V_SKIP},  {"time_local", V_TIME_LOCAL},
    {"time_iso8601", V_TIME_ISO},      {"msec", V_MSEC},
    {"request", V_REQUEST},            {"request_method", V_METHOD},
    {"request_uri", V_URI},            {"uri", V_URI},
    {"status", V_STATUS},              {"body_bytes_sent", V_BYTES},
    {"bytes_sent", V_BYTES},           {"http_user_agent", V_UA},
    {"request_time", V_RT},            {"upstream_response_time", V_SKIP},
};

static int lf_var_lookup(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof lf_vars / sizeof lf_vars[0]; i++)
        if (strlen(lf_vars[i].name) == n && memcmp(lf_vars[i].name, s, n) == 0)
            return lf_vars[i].var;
    return V_SKIP; /* any other nginx variable is matched and ignored */
}

static int lf_is_varch(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Compiles an nginx log_format string. Returns 0 or ST_EINPUT. */
static int lf_compile(logfmt *f, const char *spec, char *err)
{
    const char *p = spec;
    int seen_time = 0, seen_req = 0;
    while (*p) {
        if (f->nitems >= LF_MAX_ITEMS)
            return st_err(err, ST_EINPUT, "--format: too many fields (max %d)", LF_MAX_ITEMS);
        lf_item *it = &f->items[f->nitems];
        memset(it, 0, sizeof *it);
        if (*p == '$') {
            const char *s = ++p;
            int braced = *p == '{';
            if (braced)
                s = ++p;
            while (lf_is_varch(*p))
                p++;
            size_t n = (size_t)(p - s);
            if (braced) {
                if (*p != '}')
                    return st_err(err, ST_EINPUT, "--format: unterminated ${ at offset %d",
                                  (int)(s - spec));
                p++;
            }
            if (n == 0)
                return st_err(err, ST_EINPUT, "--format: '$' without a variable name at offset %d",
                              (int)(s - spec));
            if (f->nitems > 0 && !f->items[f->nitems - 1].is_lit)
                return st_err(err, ST_EINPUT,
                              "--format: two variables with nothing between them at offset %d",
                              (int)(s - spec));
            it->var = lf_var_lookup(s, n);
            if (it->var == V_TIME_LOCAL || it->var == V_TIME_ISO || it->var == V_MSEC)
                seen_time = 1;
            if (it->var == V_REQUEST || it->var == V_URI)
                seen_req = 1;
            if (it->var == V_RT)
                f->has_rt = 1;
            if (f->nitems > 0) {
                const lf_item *prev = &f->items[f->nitems - 1];
                it->quoted = prev->lit_len > 0 && prev->lit[prev->lit_len - 1] == '"';
            }
        } else {
            it->is_lit = 1;
            while (*p && *p != '$') {
                if (it->lit_len + 1 >= LF_MAX_LIT)
                    return st_err(err, ST_EINPUT, "--format: literal text too long");
                it->lit[it->lit_len++] = *p++;
            }
        }
        f->nitems++;
    }
    if (!seen_time)
        return st_err(err, ST_EINPUT,
                      "--format: needs a time variable ($time_local, $time_iso8601 or $msec)");
    if (!seen_req)
        return st_err(err, ST_EINPUT, "--format: needs $request or $request_uri");
    return 0;
}

static const char *const lf_csv_fields[] = {"time", "ip", "method", "path", "request",
                                            "status", "bytes", "ua", "request_time", NULL};
static const int lf_csv_vars[] = {V_TIME_LOCAL, V_ADDR, V_METHOD, V_URI, V_REQUEST,
                                  V_STATUS, V_BYTES, V_UA, V_RT};

static int lf_csv_spec(logfmt *f, const char *spec, char *err)
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
            return st_err(err, ST_EINPUT,
                          "--format: unknown field '%s' (time, ip, method, path, request, status, "
                          "bytes, ua, request_time)", tok);
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
        return st_err(err, ST_EINPUT, "--format: a CSV mapping needs time= and path= (or request=)");
    return 0;
}

logfmt *logfmt_new(const char *spec, char *err)
{
    logfmt *f = calloc(1, sizeof *f);
    if (!f) {
        st_err(err, ST_ENOMEM, "out of memory");
        return NULL;
    }
    int rc;
    if (!spec || strcmp(spec, "combined") == 0) {
        snprintf(f->name, sizeof f->name, "combined");
        f->trailing_rt = 1;
        rc = lf_compile(f, "$remote_addr $remote_ident $remote_user [$time_local] \"$request\" "
                           "$status $body_bytes_sent \"$http_referer\" \"$http_user_agent\"", err);
    } else if (strcmp(spec, "common") == 0) {
        snprintf(f->name, sizeof f->name, "common");
        f->trailing_rt = 1;
        rc = lf_compile(f, "$remote_addr $remote_ident $remote_user [$time_local] \"$request\" "
                           "$status $body_bytes_sent", err);
    } else if (strncmp(spec, "csv:", 4) == 0 || strncmp(spec, "tsv:", 4) == 0) {
        f->kind = K_CSV;
        f->delim = spec[0] == 't' ? '\t' : ',';
        snprintf(f->name, sizeof f->name, "%.3s", spec);
        rc = lf_csv_spec(f, spec + 4, err);
        if (rc == 0) {
            f->row = malloc(LF_ROW_CAP);
            if (!f->row || csv_init(&f->csvp, CSV_APPEND_NULL) != 0)
                rc = st_err(err, ST_ENOMEM, "out of memory");
            else
                csv_set_delim(&f->csvp, f->delim);
        }
    } else if (strchr(spec, '$')) {
        snprintf(f->name, sizeof f->name, "nginx");
        rc = lf_compile(f, spec, err);
    } else {
        rc = st_err(err, ST_EINPUT,
                    "--format: expected combined, common, an nginx log_format string or "
                    "csv:FIELD=COLUMN,..., got '%.60s'", spec);
    }
    if (rc < 0) {
        logfmt_free(f);
        return NULL;
    }
    return f;
}

void logfmt_free(logfmt *f)
{
    if (!f)
        return;
    if (f->kind == K_CSV && f->row)
        csv_free(&f->csvp);
    for (int v = 0; v < V_NVARS; v++)
        free(f->map_names[v]);
    free(f->row);
    free(f);
}

const char *logfmt_name(const logfmt *f)
{
    return f->name;
}

int logfmt_has_request_time(const logfmt *f)
{
    return f->has_rt || f->trailing_rt;
}

/* ---- time ---------------------------------------------------------------------------- */

int64_t logfmt_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm). */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int lf_dig(const char *s, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

static int lf_month(const char *s)
{
    static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    for (int i = 0; i < 12; i++)
        if (s[0] == names[3 * i] && s[1] == names[3 * i + 1] && s[2] == names[3 * i + 2])
            return i + 1;
    return -1;
}

/* Validates ranges and returns epoch seconds of a civil time with an offset in seconds. */
static int lf_civil(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s,
                    long off, double *ts)
{
    if (y < 1970 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return -1;
    int64_t days = logfmt_days_from_civil(y, mo, d);
    *ts = (double)(days * 86400 + h * 3600 + mi * 60 + s - off);
    return 0;
}

static int lf_tz(const char *s, size_t n, long *off)
{
    if (n == 1 && s[0] == 'Z') {
        *off = 0;
        return 0;
    }
    unsigned hh, mm;
    if (n == 5 && (s[0] == '+' || s[0] == '-') && !lf_dig(s + 1, 2, &hh) && !lf_dig(s + 3, 2, &mm)) {
    } else if (n == 6 && (s[0] == '+' || s[0] == '-') && s[3] == ':' && !lf_dig(s + 1, 2, &hh) &&
               !lf_dig(s + 4, 2, &mm)) {
    } else {
        return -1;
    }
    if (hh > 14 || mm > 59)
        return -1;
    *off = (s[0] == '-' ? -1 : 1) * (long)(hh * 3600 + mm * 60);
    return 0;
}

int logfmt_time_local(const char *s, size_t n, double *ts)
{
    unsigned d, y, h, mi, se;
    long off;
    if (n != 26 || s[2] != '/' || s[6] != '/' || s[11] != ':' || s[14] != ':' || s[17] != ':' ||
        s[20] != ' ')
        return -1;
    int mo = lf_month(s + 3);
    if (mo < 0 || lf_dig(s, 2, &d) || lf_dig(s + 7, 4, &y) || lf_dig(s + 12, 2, &h) ||
        lf_dig(s + 15, 2, &mi) || lf_dig(s + 18, 2, &se) || lf_tz(s + 21, 5, &off))
        return -1;
    return lf_civil(y, (unsigned)mo, d, h, mi, se, off, ts);
}

int logfmt_time_iso8601(const char *s, size_t n, double *ts)
{
    unsigned y, mo, d, h, mi, se;
    if (n < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' ||
        s[16] != ':' || lf_dig(s, 4, &y) || lf_dig(s + 5, 2, &mo) || lf_dig(s + 8, 2, &d) ||
        lf_dig(s + 11, 2, &h) || lf_dig(s + 14, 2, &mi) || lf_dig(s + 17, 2, &se))
        return -1;
    size_t i = 19;
    double frac = 0, scale = 0.1;
    if (i < n && s[i] == '.') {
        i++;
        size_t st = i;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            frac += (s[i] - '0') * scale;
            scale *= 0.1;
            i++;
        }
        if (i == st)
            return -1;
    }
    long off;
    if (lf_tz(s + i, n - i, &off) || lf_civil(y, mo, d, h, mi, se, off, ts))
        return -1;
    *ts += frac;
    return 0;
}

/* Parses a non-negative decimal such as "0.123" or "1431857103.456"; -1 if not a number. */
static int lf_decimal(const char *s, size_t n, double *out, int *had_frac)
{
    if (n == 0 || n > 32)
        return -1;
    double v = 0;
    size_t i = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        v = v * 10 + (s[i++] - '0');
    if (i == 0)
        return -1;
    *had_frac = 0;
    if (i < n && s[i] == '.') {
        double sc = 0.1;
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            v += (s[i++] - '0') * sc;
            sc *= 0.1;
            *had_frac = 1;
        }
    }
    if (i != n)
        return -1;
    *out = v;
    return 0;
}

/* ---- fields -------------------------------------------------------------------------- */

static int lf_request(const char *s, size_t n, logrec *r)
{
    const char *sp1 = memchr(s, ' ', n);
    if (!sp1 || sp1 == s)
        return LF_BAD_REQUEST;
    const char *uri = sp1 + 1;
    size_t rest = n - (size_t)(uri - s);
    const char *sp2 = memchr(uri, ' ', rest);
    size_t ulen = sp2 ? (size_t)(sp2 - uri) : rest;
    if (ulen == 0 || (uri[0] != '/' && uri[0] != 'h' && uri[0] != '*'))
        return LF_BAD_REQUEST;
    for (const char *m = s; m < sp1; m++)
        if (*m < 'A' || *m > 'Z')
            return LF_BAD_REQUEST;
    r->method = s;
    r->method_len = (size_t)(sp1 - s);
    r->path = uri;
    r->path_len = ulen;
    return LF_OK;
}

static int lf_set(logrec *r, int var, const char *s, size_t n)
{
    int frac = 0;
    switch (var) {
    case V_ADDR:
        r->ip = s;
        r->ip_len = n;
        return LF_OK;
    case V_TIME_LOCAL:
        if (logfmt_time_local(s, n, &r->ts) && logfmt_time_iso8601(s, n, &r->ts) &&
            lf_decimal(s, n, &r->ts, &r->ts_subsec))
            return LF_BAD_TIME;
        if (n >= 20 && memchr(s, '.', n) && (s[10] == 'T' || s[10] == ' '))
            r->ts_subsec = 1;
        return LF_OK;
    case V_TIME_ISO:
        if (logfmt_time_iso8601(s, n, &r->ts))
            return LF_BAD_TIME;
        r->ts_subsec = memchr(s, '.', n) != NULL;
        return LF_OK;
    case V_MSEC:
        if (lf_decimal(s, n, &r->ts, &frac) || r->ts < 1e8)
            return LF_BAD_TIME;
        r->ts_subsec = frac;
        return LF_OK;
    case V_REQUEST:
        return lf_request(s, n, r);
    case V_METHOD:
        r->method = s;
        r->method_len = n;
        return n ? LF_OK : LF_BAD_REQUEST;
    case V_URI:
        r->path = s;
        r->path_len = n;
        return n && s[0] == '/' ? LF_OK : LF_BAD_REQUEST;
    case V_STATUS: {
        unsigned st;
        if (n != 3 || lf_dig(s, 3, &st) || st < 100 || st > 599)
            return LF_BAD_STATUS;
        r->status = (int)st;
        return LF_OK;
    }
    case V_BYTES: {
        double b;
        if (n == 1 && s[0] == '-')
            r->bytes = 0;
        else if (lf_decimal(s, n, &b, &frac) || frac)
            return LF_BAD_FIELD;
        else
            r->bytes = (int64_t)b;
        return LF_OK;
    }
    case V_UA:
        r->ua = s;
        r->ua_len = n;
        return LF_OK;
    case V_RT:
        if (n == 1 && s[0] == '-')
            return LF_OK;
        if (lf_decimal(s, n, &r->req_time, &frac))
            return LF_BAD_FIELD;
        return LF_OK;
    default:
        return LF_OK;
    }
}

/* Finds lit in [p, end); for a quoted field, a quote preceded by a backslash is skipped. */
static const char *lf_find(const char *p, const char *end, const lf_item *lit, int quoted)
{
    const char *q = p;
    while (q < end) {
        q = memchr(q, lit->lit[0], (size_t)(end - q));
        if (!q)
            return NULL;
        if ((size_t)(end - q) >= lit->lit_len && memcmp(q, lit->lit, lit->lit_len) == 0 &&
            !(quoted && q > p && q[-1] == '\\'))
            return q;
        q++;
    }
    return NULL;
}

static void lf_reset(logrec *r)
{
    memset(r, 0, sizeof *r);
    r->bytes = -1;
    r->req_time = -1;
    r->ts = -1;
}

static int lf_parse_nginx(const logfmt *f, const char *line, size_t len, logrec *r)
{
    const char *p = line, *end = line + len;
    for (size_t i = 0; i < f->nitems; i++) {
        const lf_item *it = &f->items[i];
        if (it->is_lit) {
            if ((size_t)(end - p) < it->lit_len)
                return LF_TRUNCATED;
            if (memcmp(p, it->lit, it->lit_len) != 0)
                return LF_BAD_FIELD;
            p += it->lit_len;
            continue;
        }
        const char *vend;
        if (i + 1 < f->nitems) {
            vend = lf_find(p, end, &f->items[i + 1], it->quoted);
            if (!vend)
                return LF_TRUNCATED;
        } else if (f->trailing_rt || !f->has_rt) {
            const char *sp = memchr(p, ' ', (size_t)(end - p));
            vend = sp ? sp : end;
        } else {
            vend = end;
        }
        int rc = lf_set(r, it->var, p, (size_t)(vend - p));
        if (rc)
            return rc;
        p = vend;
    }
    if (f->trailing_rt && p < end && *p == ' ') {
        const char *s = p + 1;
        const char *sp = memchr(s, ' ', (size_t)(end - s));
        size_t n = (size_t)((sp ? sp : end) - s);
        int frac;
        double v;
        if (lf_decimal(s, n, &v, &frac) == 0)
            r->req_time = v;
    }
    return LF_OK;
}

/* ---- CSV ----------------------------------------------------------------------------- */

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

int logfmt_header(logfmt *f, const char *line, size_t len, char *err)
{
    if (f->kind != K_CSV || !f->need_header)
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

static int lf_parse_csv(logfmt *f, const char *line, size_t len, logrec *r)
{
    if (lf_csv_split(f, line, len) < 0)
        return LF_BAD_FIELD;
    static const int order[] = {V_TIME_LOCAL, V_ADDR, V_REQUEST, V_METHOD, V_URI,
                                V_STATUS, V_BYTES, V_UA, V_RT};
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        int v = order[k];
        int c = f->map_col[v];
        if (c < 0)
            continue;
        if ((size_t)c >= f->nfld)
            return LF_TRUNCATED;
        int rc = lf_set(r, v, f->row + f->fld_off[c], f->fld_len[c]);
        if (rc)
            return rc;
    }
    if (!r->method) {
        r->method = "GET";
        r->method_len = 3;
    }
    if (f->map_col[V_STATUS] < 0)
        r->status = 200;
    return LF_OK;
}

int logfmt_parse(logfmt *f, const char *line, size_t len, logrec *r)
{
    lf_reset(r);
    int rc = f->kind == K_CSV ? lf_parse_csv(f, line, len, r) : lf_parse_nginx(f, line, len, r);
    if (rc)
        return rc;
    if (r->ts < 0)
        return LF_BAD_TIME;
    if (!r->path)
        return LF_BAD_REQUEST;
    if (!r->method) {
        r->method = "GET";
        r->method_len = 3;
    }
    if (r->status == 0)
        return LF_BAD_STATUS;
    return LF_OK;
}
