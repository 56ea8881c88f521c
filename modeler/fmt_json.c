/*
 * fmt_json.c -- JSON-lines access logs: `json:FIELD=PATH|PATH...,...` (see logfmt.h).
 *
 * A PATH is dotted keys into nested objects with [i] array indexes
 * (`request.headers.User-Agent[0]`); alternatives separated by '|' are tried in order of
 * preference (the first one present wins), and request_time may end in a unit (`:s`,
 * `:ms`, `:us`, `:ns`; seconds by default).
 *
 * Design: a hand-written single-pass scanner, not a JSON library per line (jansson builds a
 * tree of every value; a log line needs a handful). The scanner carries the set of mapped
 * paths still matching the keys seen so far (a bit mask); a key finds its candidate paths
 * with one table lookup per depth (its length and first and last bytes -> paths, confirmed
 * by memcmp), and a value that no path enters is skipped with memchr over its strings and a
 * bracket count, never parsed; only the values of mapped keys are looked into. Recursion only
 * follows mapped paths, so its depth is bounded by LF_JSON_MAX_SEGS whatever the input.
 * Strings are used in place unless they hold escapes, which are undone into the per-line
 * scratch (\uXXXX to UTF-8, surrogate pairs joined).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_internal.h"

/* Parses one PATH into p. Returns 0 or ST_EINPUT. */
static int js_path(lf_jpath *p, const char *s, size_t n, char *err)
{
    snprintf(p->name, sizeof p->name, "%.*s", (int)(n < 63 ? n : 63), s);
    p->nseg = 0;
    size_t i = 0;
    while (i < n) {
        if (p->nseg >= LF_JSON_MAX_SEGS)
            return st_err(err, ST_EINPUT, "--format: json path '%s' deeper than %d", p->name,
                          LF_JSON_MAX_SEGS);
        if (s[i] == '[') {
            size_t j = i + 1;
            unsigned v = 0;
            while (j < n && s[j] >= '0' && s[j] <= '9' && v < 100000)
                v = v * 10 + (unsigned)(s[j++] - '0');
            if (j == i + 1 || j >= n || s[j] != ']')
                return st_err(err, ST_EINPUT, "--format: json path '%s': expected [N]", p->name);
            p->idx[p->nseg] = (int)v;
            p->seg[p->nseg++][0] = 0;
            i = j + 1;
            if (i < n && s[i] == '.')
                i++;
            continue;
        }
        size_t j = i;
        while (j < n && s[j] != '.' && s[j] != '[')
            j++;
        if (j == i || j - i >= sizeof p->seg[0])
            return st_err(err, ST_EINPUT, "--format: json path '%s': empty or overlong key",
                          p->name);
        memcpy(p->seg[p->nseg], s + i, j - i);
        p->seg[p->nseg][j - i] = 0;
        p->seglen[p->nseg] = j - i;
        p->idx[p->nseg++] = -1;
        i = j < n && s[j] == '.' ? j + 1 : j;
    }
    return p->nseg ? 0 : st_err(err, ST_EINPUT, "--format: empty json path");
}

/* One FIELD=ALT|ALT[:unit] item of the spec. */
static int js_item(logfmt *f, const char *s, size_t n, char *err)
{
    const char *eq = memchr(s, '=', n);
    if (!eq || eq == s || eq + 1 == s + n)
        return st_err(err, ST_EINPUT, "--format: expected FIELD=PATH, got '%.*s'", (int)n, s);
    int var = lf_field_var(s, (size_t)(eq - s));
    if (var < 0)
        return st_err(err, ST_EINPUT, "--format: unknown field '%.*s' (%s)", (int)(eq - s), s,
                      LF_FIELD_NAMES);
    const char *v = eq + 1, *end = s + n;
    if (var == V_RT) {
        static const struct {
            const char *suf;
            int var;
        } units[] = {{":s", V_RT}, {":ms", V_RT_MS}, {":us", V_RT_US}, {":ns", V_RT_NS}};
        for (size_t k = 0; k < sizeof units / sizeof units[0]; k++) {
            size_t sl = strlen(units[k].suf);
            if ((size_t)(end - v) > sl && memcmp(end - sl, units[k].suf, sl) == 0) {
                var = units[k].var;
                end -= sl;
                break;
            }
        }
        f->has_rt = 1;
    }
    int prio = 0;
    while (v < end) {
        const char *bar = memchr(v, '|', (size_t)(end - v));
        const char *ae = bar ? bar : end;
        if (f->njp >= LF_JSON_MAX_PATHS)
            return st_err(err, ST_EINPUT, "--format: more than %d json paths", LF_JSON_MAX_PATHS);
        lf_jpath *p = &f->jp[f->njp];
        memset(p, 0, sizeof *p);
        if (js_path(p, v, (size_t)(ae - v), err) < 0)
            return ST_EINPUT;
        p->var = var;
        p->prio = prio++;
        f->njp++;
        v = bar ? bar + 1 : end;
    }
    return 0;
}

/* A key's bucket in jkey: real logs' keys (remote_addr, request, request_time, status...)
 * differ in length or in their first or last byte; a collision only costs a memcmp. */
static unsigned js_khash(const char *k, size_t n)
{
    return (unsigned)(n * 7u + (unsigned char)k[0] * 3u + (unsigned char)k[n - 1]) &
           (LF_JSON_KBUCKETS - 1);
}

static void js_tables(logfmt *f)
{
    memset(f->jkey, 0, sizeof f->jkey);
    memset(f->jarr, 0, sizeof f->jarr);
    memset(f->jleaf, 0, sizeof f->jleaf);
    f->jstatus_mapped = 0;
    for (size_t i = 0; i < f->njp; i++) {
        const lf_jpath *p = &f->jp[i];
        uint32_t bit = 1u << i;
        f->jleaf[p->nseg] |= bit;
        f->jstatus_mapped |= p->var == V_STATUS;
        for (size_t d = 0; d < p->nseg; d++) {
            if (p->idx[d] >= 0)
                f->jarr[d] |= bit;
            else
                f->jkey[d][js_khash(p->seg[d], p->seglen[d])] |= bit;
        }
    }
}

int lf_json_spec(logfmt *f, const char *spec, char *err)
{
    const char *p = spec;
    while (*p) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        if (n && js_item(f, p, n, err) < 0)
            return ST_EINPUT;
        p += n + (c ? 1 : 0);
    }
    int has_time = 0, has_path = 0;
    for (size_t i = 0; i < f->njp; i++) {
        has_time |= f->jp[i].var == V_TIME_LOCAL;
        has_path |= f->jp[i].var == V_URI || f->jp[i].var == V_REQUEST;
    }
    if (!has_time || !has_path)
        return st_err(err, ST_EINPUT,
                      "--format: a json mapping needs time= and path= (or request=)");
    js_tables(f);
    return 0;
}

typedef struct jscan {
    logfmt *f;
    logrec *r;
    const char *line, *p, *end;
    int got[V_NVARS]; /* preference of the alternative that set each field; INT_MAX: none */
    int pend_rc;      /* the first failure of a field not set (yet) by another alternative */
    int pend_var;
    const char *pend_at, *pend_field;
    const char *query, *query_at; /* the query field, applied after the path */
    size_t query_len;
} jscan;

/* Bytes that end a bare scalar (number, true, false, null). */
static int js_end(char c)
{
    return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void js_ws(jscan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\r' || *s->p == '\n'))
        s->p++;
}

/* At an opening quote: sets [b, b+n) to the contents (escapes left as written). The closing
 * quote is found with memchr; backslashes are counted only before a quote found. */
static int js_string(jscan *s, const char **b, size_t *n)
{
    const char *q = s->p + 1;
    *b = q;
    for (;;) {
        const char *e = memchr(q, '"', (size_t)(s->end - q));
        if (!e)
            return -1;
        const char *k = e;
        while (k > q && k[-1] == '\\')
            k--;
        if (((size_t)(e - k) & 1) == 0) {
            *n = (size_t)(e - *b);
            s->p = e + 1;
            return 0;
        }
        q = e + 1;
    }
}

/* Skips one value of any kind without looking inside. */
static int js_skip(jscan *s)
{
    const char *b;
    size_t n;
    int depth = 0;
    do {
        js_ws(s);
        if (s->p >= s->end)
            return -1;
        char c = *s->p;
        if (c == '"') {
            if (js_string(s, &b, &n) < 0)
                return -1;
        } else if (c == '{' || c == '[') {
            depth++;
            s->p++;
        } else if (c == '}' || c == ']') {
            if (--depth < 0)
                return -1;
            s->p++;
        } else if (c == ',' || c == ':') {
            if (depth == 0)
                return -1;
            s->p++;
        } else {
            while (s->p < s->end && !js_end(*s->p))
                s->p++;
        }
    } while (depth > 0);
    return 0;
}

static void js_utf8(char *d, size_t *o, unsigned cp)
{
    if (cp < 0x80) {
        d[(*o)++] = (char)cp;
    } else if (cp < 0x800) {
        d[(*o)++] = (char)(0xC0 | cp >> 6);
        d[(*o)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        d[(*o)++] = (char)(0xE0 | cp >> 12);
        d[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        d[(*o)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        d[(*o)++] = (char)(0xF0 | cp >> 18);
        d[(*o)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        d[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        d[(*o)++] = (char)(0x80 | (cp & 0x3F));
    }
}

static int js_hex4(const char *s, const char *end, unsigned *v)
{
    if (end - s < 4)
        return -1;
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                            : 16;
        if (d > 15)
            return -1;
        *v = *v << 4 | d;
    }
    return 0;
}

/* Undoes JSON escapes into the scratch (the result is never longer than the input). */
static char *js_unescape(logfmt *f, const char *s, size_t n, size_t *out)
{
    char *d = lf_scratch(f, s, n);
    if (!d)
        return NULL;
    size_t o = 0;
    const char *end = s + n;
    for (const char *p = s; p < end; p++) {
        if (*p != '\\' || p + 1 >= end) {
            d[o++] = *p;
            continue;
        }
        char c = *++p;
        unsigned cp, lo;
        switch (c) {
        case 'n': d[o++] = '\n'; break;
        case 't': d[o++] = '\t'; break;
        case 'r': d[o++] = '\r'; break;
        case 'b': d[o++] = '\b'; break;
        case 'f': d[o++] = '\f'; break;
        case 'u':
            if (js_hex4(p + 1, end, &cp) < 0)
                return NULL;
            p += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && end - p >= 7 && p[1] == '\\' && p[2] == 'u' &&
                js_hex4(p + 3, end, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                p += 6;
            }
            js_utf8(d, &o, cp); /* \uXXXX is 6 bytes, its UTF-8 at most 3 (4 for a pair of 12) */
            break;
        default: d[o++] = c; break;
        }
    }
    d[o] = 0;
    *out = o;
    return d;
}

/* A scalar value that ends one or more mapped paths (the bits of leaves). */
static int js_leaf(jscan *s, uint32_t leaves)
{
    const char *at = s->p, *b;
    size_t n;
    char num[40];
    if (*s->p == '"') {
        if (js_string(s, &b, &n) < 0)
            return -1;
        if (memchr(b, '\\', n) && !(b = js_unescape(s->f, b, n, &n)))
            return -1;
    } else {
        b = s->p;
        while (s->p < s->end && !js_end(*s->p))
            s->p++;
        n = (size_t)(s->p - b);
        if (n == 4 && memcmp(b, "null", 4) == 0)
            return 0; /* absent: another alternative may hold it */
        if (n && n < sizeof num && (memchr(b, 'e', n) || memchr(b, 'E', n))) {
            /* Exponent notation (9.3e-05): the field parsers read plain decimals. */
            memcpy(num, b, n);
            num[n] = 0;
            char *e;
            double v = strtod(num, &e);
            if (*e == 0 && v >= 0 && v < 1e18) {
                int k = snprintf(num, sizeof num, "%.9f", v);
                b = num;
                n = (size_t)k;
            }
        }
    }
    for (uint32_t m = leaves; m; m &= m - 1) {
        const lf_jpath *p = &s->f->jp[__builtin_ctz(m)];
        int slot = p->var == V_RT_MS || p->var == V_RT_US || p->var == V_RT_NS ? V_RT : p->var;
        if (s->got[slot] <= p->prio)
            continue;
        if (p->var == V_QUERY) {
            /* Applied once the path is known: keys come in any order. */
            s->query = b;
            s->query_len = n;
            s->query_at = at;
            s->got[slot] = p->prio;
            continue;
        }
        int rc = lf_set(s->f, s->r, p->var, -1, b, n);
        if (rc == LF_OK) {
            s->got[slot] = p->prio;
        } else if (!s->pend_rc) {
            s->pend_rc = rc;
            s->pend_var = slot;
            s->pend_at = at;
            s->pend_field = p->name;
        }
    }
    return 0;
}

/* A value reached by the paths in cand, whose first depth segments matched. */
static int js_value(jscan *s, uint32_t cand, size_t depth)
{
    js_ws(s);
    if (s->p >= s->end)
        return -1;
    if (!cand)
        return js_skip(s);
    uint32_t leaves = cand & s->f->jleaf[depth], deeper = cand & ~leaves;
    char c = *s->p;
    if (c != '{' && c != '[')
        return leaves ? js_leaf(s, leaves) : js_skip(s);
    if (!deeper)
        return js_skip(s);
    s->p++;
    js_ws(s);
    char close = c == '{' ? '}' : ']';
    if (s->p < s->end && *s->p == close) {
        s->p++;
        return 0;
    }
    for (int k = 0;; k++) {
        uint32_t next = 0;
        if (c == '{') {
            const char *key;
            size_t kn;
            js_ws(s);
            if (s->p >= s->end || *s->p != '"' || js_string(s, &key, &kn) < 0)
                return -1;
            js_ws(s);
            if (s->p >= s->end || *s->p++ != ':')
                return -1;
            /* Keys compare as written (escapes not undone): the paths name plain keys. */
            uint32_t m = kn ? deeper & s->f->jkey[depth][js_khash(key, kn)] : 0;
            for (; m; m &= m - 1) {
                int i = __builtin_ctz(m);
                const lf_jpath *p = &s->f->jp[i];
                if (p->seglen[depth] == kn && memcmp(p->seg[depth], key, kn) == 0)
                    next |= 1u << i;
            }
        } else {
            for (uint32_t m = deeper & s->f->jarr[depth]; m; m &= m - 1) {
                int i = __builtin_ctz(m);
                if (s->f->jp[i].idx[depth] == k)
                    next |= 1u << i;
            }
        }
        if (js_value(s, next, depth + 1) < 0)
            return -1;
        js_ws(s);
        if (s->p >= s->end)
            return -1;
        if (*s->p == ',') {
            s->p++;
            continue;
        }
        if (*s->p++ != close)
            return -1;
        return 0;
    }
}

int lf_parse_json(logfmt *f, const char *line, size_t len, logrec *r)
{
    jscan s;
    s.f = f;
    s.r = r;
    s.line = line;
    s.end = line + len;
    /* A prefix before the object (a syslog or container-runtime header) is tolerated. */
    s.p = memchr(line, '{', len);
    if (!s.p)
        return lf_fail(f, LF_BAD_FIELD, line, line, "json object (no '{' in the line)");
    for (int v = 0; v < V_NVARS; v++)
        s.got[v] = INT_MAX;
    s.pend_rc = 0;
    s.query = NULL;
    s.query_len = 0;
    uint32_t all = f->njp >= 32 ? UINT32_MAX : (1u << f->njp) - 1;
    if (js_value(&s, all, 0) < 0)
        return lf_fail(f, s.p >= s.end ? LF_TRUNCATED : LF_BAD_FIELD, line, s.p, "json syntax");
    if (s.pend_rc && s.got[s.pend_var] == INT_MAX)
        return lf_fail(f, s.pend_rc, line, s.pend_at, s.pend_field);
    int no_path = s.got[V_URI] == INT_MAX && s.got[V_REQUEST] == INT_MAX;
    for (size_t i = 0; (s.got[V_TIME_LOCAL] == INT_MAX || no_path) && i < f->njp; i++) {
        int v = f->jp[i].var;
        if ((v == V_TIME_LOCAL && s.got[V_TIME_LOCAL] == INT_MAX) ||
            ((v == V_URI || v == V_REQUEST) && s.got[V_URI] == INT_MAX &&
             s.got[V_REQUEST] == INT_MAX))
            return lf_fail(f, v == V_TIME_LOCAL ? LF_BAD_TIME : LF_BAD_REQUEST, line, s.end,
                           f->jp[i].name);
    }
    if (s.query && lf_set(f, r, V_QUERY, -1, s.query, s.query_len))
        return lf_fail(f, LF_BAD_FIELD, line, s.query_at, "query");
    if (s.got[V_STATUS] == INT_MAX && !f->jstatus_mapped)
        r->status = 200; /* a log without statuses: every request counts as served */
    return LF_OK;
}
