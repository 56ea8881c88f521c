/*
 * logfmt.c -- compiled log formats and the memchr-level tokenizer (see logfmt.h).
 *
 * A compiled format is an alternating list of items: LIT (bytes that must appear) and VAR
 * (a field that runs until the next literal). Matching a VAR searches for the next
 * literal's bytes with memchr on its first byte; a VAR inside double quotes skips quotes
 * escaped with a backslash (Apache writes \" inside user agents). The last VAR of a format
 * runs to the end of the line, or to the next space when trailing text is allowed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "fmt_internal.h"

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
    {"remote_addr", V_ADDR},
    {"binary_remote_addr", V_SKIP},
    {"http_x_forwarded_for", V_SKIP},
    {"time_local", V_TIME_LOCAL},
    {"time_iso8601", V_TIME_ISO},
    {"msec", V_MSEC},
    {"request", V_REQUEST},
    {"request_method", V_METHOD},
    {"request_uri", V_URI},
    {"uri", V_URI},
    {"status", V_STATUS},
    {"body_bytes_sent", V_BYTES},
    {"bytes_sent", V_BYTES},
    {"http_user_agent", V_UA},
    {"request_time", V_RT},
    {"upstream_response_time", V_SKIP},
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
            it->tfi = -1;
            snprintf(it->name, sizeof it->name, "$%.*s", (int)(n < 30 ? n : 30), s);
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

/* Resolves a preset name to its spec; the spec itself otherwise. */
static const char *lf_resolve(const char *spec)
{
    for (size_t i = 0; logfmt_preset_at(i); i++) {
        const logfmt_preset *p = logfmt_preset_at(i);
        if (strcmp(p->name, spec) == 0)
            return p->spec;
    }
    return spec;
}

static int lf_builtin(logfmt *f, const char *spec, char *err)
{
    static const struct {
        const char *name;
        int kind;
    } kinds[] = {{"w3c", K_W3C}, {"haproxy", K_HAPROXY}, {"alb", K_ALB}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(spec, kinds[i].name) == 0) {
            f->kind = kinds[i].kind;
            snprintf(f->name, sizeof f->name, "%s", spec);
            f->has_rt = 1;
            f->w3c_date_col = f->w3c_time_col = -1;
            return 0;
        }
    return st_err(err, ST_EINPUT,
                  "--format: expected combined, common, apache:'LOGFORMAT', an nginx log_format "
                  "string, csv:FIELD=COLUMN,..., json:FIELD=PATH,..., w3c, alb, haproxy, auto or a "
                  "preset name (modeler formats), got '%.60s'",
                  spec);
}

logfmt *logfmt_new(const char *spec, char *err)
{
    logfmt *f = calloc(1, sizeof *f);
    if (f)
        f->scratch = malloc(LF_SCRATCH);
    if (!f || !f->scratch) {
        free(f);
        st_err(err, ST_ENOMEM, "out of memory");
        return NULL;
    }
    int rc;
    const char *name = spec ? spec : "combined";
    spec = lf_resolve(name);
    if (strcmp(name, "combined") == 0 || strcmp(name, "common") == 0) {
        snprintf(f->name, sizeof f->name, "%s", name);
        f->trailing_rt = 1;
        rc = lf_compile(f, spec, err);
    } else if (strncmp(spec, "csv:", 4) == 0 || strncmp(spec, "tsv:", 4) == 0) {
        f->kind = K_CSV;
        f->delim = spec[0] == 't' ? '\t' : ',';
        snprintf(f->name, sizeof f->name, "%.3s", spec);
        rc = lf_csv_spec(f, spec + 4, err);
    } else if (strncmp(spec, "apache:", 7) == 0) {
        snprintf(f->name, sizeof f->name, "apache");
        rc = lf_apache_spec(f, spec + 7, err);
    } else if (strncmp(spec, "json:", 5) == 0) {
        f->kind = K_JSON;
        snprintf(f->name, sizeof f->name, "json");
        rc = lf_json_spec(f, spec + 5, err);
    } else if (strchr(spec, '$')) {
        snprintf(f->name, sizeof f->name, "nginx");
        rc = lf_compile(f, spec, err);
    } else {
        rc = lf_builtin(f, spec, err);
    }
    if (rc == 0 && spec != name)
        snprintf(f->name, sizeof f->name, "%s", name);
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
    lf_tz_free(&f->tz);
    free(f->row);
    free(f->scratch);
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

int logfmt_set_time(logfmt *f, const char *time_format, const char *tz, char *err)
{
    if (time_format) {
        if (strlen(time_format) >= sizeof f->user_tf)
            return st_err(err, ST_EINPUT, "--time-format: longer than %zu bytes",
                          sizeof f->user_tf - 1);
        if (lf_strf_check(time_format, err) < 0)
            return ST_EINPUT;
        snprintf(f->user_tf, sizeof f->user_tf, "%s", time_format);
    }
    if (tz && lf_tz_parse(&f->tz, tz, err) < 0)
        return ST_EINPUT;
    return 0;
}

const char *logfmt_warning(const logfmt *f)
{
    return f->warn[0] ? f->warn : NULL;
}

uint64_t logfmt_zoneless(const logfmt *f)
{
    return f->zoneless;
}

const char *logfmt_tz_name(const logfmt *f)
{
    return f->tz.set ? f->tz.name : NULL;
}

size_t logfmt_fail_col(const logfmt *f)
{
    return f->fail_col;
}

const char *logfmt_fail_field(const logfmt *f)
{
    return f->fail_field ? f->fail_field : "line";
}

int logfmt_header(logfmt *f, const char *line, size_t len, char *err)
{
    return f->kind == K_CSV ? lf_csv_header(f, line, len, err) : 0;
}

char *lf_scratch(logfmt *f, const char *s, size_t n)
{
    if (f->scratch_len + n + 1 > LF_SCRATCH)
        return NULL;
    char *d = f->scratch + f->scratch_len;
    memcpy(d, s, n);
    d[n] = 0;
    f->scratch_len += n + 1;
    return d;
}

/* ---- fields -------------------------------------------------------------------------- */

/* memchr for fields that are mostly short (a status, a byte count, "-", an address): the
 * first 32 bytes are scanned inline eight at a time (a word holds c where (x - 1) & ~x has
 * its high bit set, x = word ^ c repeated; the lowest such byte is exact), because a libc
 * call per field cost more than the scan; longer fields (a user agent, a path) go on with
 * memchr. Same result as memchr(p, c, n). */
static inline const char *lf_chr(const char *p, int c, size_t n)
{
    size_t i = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && defined(__GNUC__)
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    const uint64_t pat = ones * (unsigned char)c;
    for (; i + 8 <= n && i < 32; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        uint64_t x = w ^ pat, t = (x - ones) & ~x & highs;
        if (t)
            return p + i + ((unsigned)__builtin_ctzll(t) >> 3);
    }
#endif
    if (n - i > 8)
        return memchr(p + i, c, n - i);
    for (; i < n; i++)
        if (p[i] == (char)c)
            return p + i;
    return NULL;
}

/* memcmp(a, b, n) == 0 for the short literals of a format (" ", "\" \"", "] \""). */
static inline int lf_same(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}


static int lf_request(const char *s, size_t n, logrec *r)
{
    const char *sp1 = lf_chr(s, ' ', n);
    if (!sp1 || sp1 == s)
        return LF_BAD_REQUEST;
    const char *uri = sp1 + 1;
    size_t rest = n - (size_t)(uri - s);
    const char *sp2 = lf_chr(uri, ' ', rest);
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

/* Appends a query ("?a=b", "a=b", "-" or empty) to the path already set. */
static int lf_query(logfmt *f, logrec *r, const char *s, size_t n)
{
    if (n == 0 || (n == 1 && s[0] == '-') || (n == 1 && s[0] == '?'))
        return LF_OK;
    if (!r->path)
        return LF_BAD_REQUEST;
    if (memchr(r->path, '?', r->path_len))
        return LF_OK; /* the path already carries it ($request_uri next to $args) */
    int q = s[0] != '?';
    if (!q && r->path + r->path_len == s) {
        r->path_len += n; /* %U%q: the query follows the path in the line itself */
        return LF_OK;
    }
    char *d = lf_scratch(f, r->path, r->path_len + (size_t)q + n);
    if (!d)
        return LF_BAD_FIELD;
    if (q)
        d[r->path_len] = '?';
    memcpy(d + r->path_len + (size_t)q, s, n);
    d[r->path_len + (size_t)q + n] = 0;
    r->path = d;
    r->path_len += (size_t)q + n;
    return LF_OK;
}

/* A request time in the given unit; "-" and "-1" (aborted, unknown) leave it unknown. */
static int lf_rt(logrec *r, const char *s, size_t n, double unit)
{
    int frac;
    double v;
    if ((n == 1 && s[0] == '-') || (n == 2 && s[0] == '-' && s[1] == '1'))
        return LF_OK;
    if (lf_decimal(s, n, &v, &frac))
        return LF_BAD_FIELD;
    r->req_time = v * unit;
    return LF_OK;
}

/* Epoch integers (Apache sec/msec/usec) and fractions of the second (msec_frac, ...). */
static int lf_epoch(logfmt *f, logrec *r, int var, const char *s, size_t n)
{
    double v;
    int frac;
    if (lf_decimal(s, n, &v, &frac) || frac)
        return LF_BAD_TIME;
    switch (var) {
    case V_EPOCH_S: r->ts = v; break;
    case V_EPOCH_MS:
        r->ts = v / 1e3;
        r->ts_subsec = 1;
        break;
    case V_EPOCH_US:
        r->ts = v / 1e6;
        r->ts_subsec = 1;
        break;
    case V_FRAC_MS:
        f->frac = v / 1e3;
        f->frac_set = 1;
        break;
    default:
        f->frac = v / 1e6;
        f->frac_set = 1;
        break;
    }
    return r->ts >= 0 && r->ts < 1e8 ? LF_BAD_TIME : LF_OK;
}

int lf_set(logfmt *f, logrec *r, int var, int tfi, const char *s, size_t n)
{
    int frac = 0;
    switch (var) {
    case V_ADDR: {
        /* "1.2.3.4:5678" and "[::1]:5678" keep the address; a bare IPv6 address is kept. */
        const char *c = lf_chr(s, ':', n);
        if (c && n && s[0] == '[') {
            const char *rb = lf_chr(s, ']', n);
            if (rb) {
                s++;
                n = (size_t)(rb - s);
            }
        } else if (c && !lf_chr(c + 1, ':', n - (size_t)(c + 1 - s))) {
            n = (size_t)(c - s);
        }
        r->ip = s;
        r->ip_len = n;
        return LF_OK;
    }
    case V_TIME_LOCAL:
    case V_TIME_ISO: return lf_time_any(f, s, n, &r->ts, &r->ts_subsec) ? LF_BAD_TIME : LF_OK;
    case V_TIME_STRF:
        /* The LogFormat says how this piece is written: --time-format does not apply. */
        return lf_time_part(f, f->tpat[tfi], s, n) ? LF_BAD_TIME : LF_OK;
    case V_MSEC:
        if (lf_decimal(s, n, &r->ts, &frac) || r->ts < 1e8)
            return LF_BAD_TIME;
        r->ts_subsec = frac;
        return LF_OK;
    case V_EPOCH_S:
    case V_EPOCH_MS:
    case V_EPOCH_US:
    case V_FRAC_MS:
    case V_FRAC_US: return lf_epoch(f, r, var, s, n);
    case V_REQUEST: return lf_request(s, n, r);
    case V_METHOD:
        r->method = s;
        r->method_len = n;
        return n ? LF_OK : LF_BAD_REQUEST;
    case V_URI:
        r->path = s;
        r->path_len = n;
        return n && (s[0] == '/' || s[0] == 'h') ? LF_OK : LF_BAD_REQUEST;
    case V_QUERY: return lf_query(f, r, s, n);
    case V_STATUS: {
        unsigned st;
        if (n != 3 || lf_digits(s, 3, &st) || st < 100 || st > 599)
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
    case V_RT: return lf_rt(r, s, n, 1);
    case V_RT_MS: return lf_rt(r, s, n, 1e-3);
    case V_RT_US: return lf_rt(r, s, n, 1e-6);
    case V_RT_NS: return lf_rt(r, s, n, 1e-9);
    default: return LF_OK;
    }
}

/* Finds lit in [p, end); for a quoted field, a quote preceded by a backslash is skipped. */
static const char *lf_find(const char *p, const char *end, const lf_item *lit, int quoted)
{
    const char *q = p;
    while (q < end) {
        q = lf_chr(q, lit->lit[0], (size_t)(end - q));
        if (!q)
            return NULL;
        if ((size_t)(end - q) >= lit->lit_len &&
            (lit->lit_len == 0 || lf_same(q + 1, lit->lit + 1, lit->lit_len - 1)) &&
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

static int lf_parse_items(logfmt *f, const char *line, size_t len, logrec *r)
{
    const char *p = line, *end = line + len;
    int found = 0; /* lf_find has just matched this literal at p */
    for (size_t i = 0; i < f->nitems; i++) {
        const lf_item *it = &f->items[i];
        if (it->is_lit) {
            if (!found) {
                const char *nm = i                   ? f->items[i - 1].name
                                 : i + 1 < f->nitems ? f->items[i + 1].name
                                                     : "end of line";
                if ((size_t)(end - p) < it->lit_len)
                    return lf_fail(f, LF_TRUNCATED, line, p, nm);
                if (!lf_same(p, it->lit, it->lit_len))
                    return lf_fail(f, LF_BAD_FIELD, line, p, nm);
            }
            found = 0;
            p += it->lit_len;
            continue;
        }
        const char *vend;
        if (i + 1 < f->nitems) {
            vend = lf_find(p, end, &f->items[i + 1], it->quoted);
            if (!vend)
                return lf_fail(f, LF_TRUNCATED, line, p, it->name);
            found = f->items[i + 1].is_lit;
        } else if (f->trailing_rt || !f->has_rt) {
            const char *sp = lf_chr(p, ' ', (size_t)(end - p));
            vend = sp ? sp : end;
        } else {
            vend = end;
        }
        int rc = lf_set(f, r, it->var, it->tfi, p, (size_t)(vend - p));
        if (rc)
            return lf_fail(f, rc, line, p, it->name);
        p = vend;
    }
    if (f->trailing_rt && p < end && *p == ' ') {
        const char *s = p + 1;
        const char *sp = memchr(s, ' ', (size_t)(end - s));
        size_t n = (size_t)((sp ? sp : end) - s);
        int frac;
        double v;
        /* nginx's $request_time always has a decimal point (other numbers may follow it:
         * $upstream_response_time); an integer is Apache's "combined %D" (microseconds)
         * only as the line's last word: "%I %O" (combinedio) are two integers. Apache's
         * %T (whole seconds) is almost always 0, so reading it as microseconds loses
         * little, while reading %D as seconds would make every request last hours. */
        if (lf_decimal(s, n, &v, &frac) == 0 && (frac || !sp)) {
            r->req_time = frac ? v : v / 1e6;
            if (!frac && !f->warn[0])
                snprintf(f->warn, sizeof f->warn,
                         "%s: the trailing number is an integer: read as %%D (microseconds); "
                         "a number with a decimal point is read as seconds",
                         f->name);
        }
    }
    return LF_OK;
}

int logfmt_parse(logfmt *f, const char *line, size_t len, logrec *r)
{
    lf_reset(r);
    f->frac = 0;
    f->frac_set = 0;
    f->ptm_used = 0;
    f->scratch_len = 0;
    f->fail_col = 0;
    f->fail_field = NULL;
    int rc;
    switch (f->kind) {
    case K_CSV: rc = lf_parse_csv(f, line, len, r); break;
    case K_JSON: rc = lf_parse_json(f, line, len, r); break;
    case K_W3C: rc = lf_parse_w3c(f, line, len, r); break;
    case K_HAPROXY: rc = lf_parse_haproxy(f, line, len, r); break;
    case K_ALB: rc = lf_parse_alb(f, line, len, r); break;
    default: rc = lf_parse_items(f, line, len, r); break;
    }
    if (rc)
        return rc;
    if (f->ptm_used && lf_time_parts_done(f, &r->ts, &r->ts_subsec) < 0)
        return lf_fail(f, LF_BAD_TIME, line, line, "time (impossible date)");
    if (r->ts < 0)
        return lf_fail(f, LF_BAD_TIME, line, line, "time (none in the line)");
    if (f->frac_set) {
        r->ts = floor(r->ts) + f->frac;
        r->ts_subsec = 1;
    }
    if (f->time_at_end && r->req_time > 0)
        r->ts -= r->req_time;
    if (!r->path)
        return lf_fail(f, LF_BAD_REQUEST, line, line, "path (none in the line)");
    if (!r->method) {
        r->method = "GET";
        r->method_len = 3;
    }
    if (r->status == 0)
        return lf_fail(f, LF_BAD_STATUS, line, line, "status (none in the line)");
    return LF_OK;
}
