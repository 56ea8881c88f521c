/*
 * route.c -- path normalisation to templates (see route.h).
 *
 * One left-to-right pass over the path segments, then over the query pairs (sorted by key
 * with a small insertion sort, at most ROUTE_MAX_PARAMS of them kept; the rest are dropped
 * from the template because a route with 30 query keys is almost always tracking junk).
 */
#include "route.h"

#include <stdio.h>
#include <string.h>

static const char *const route_kinds[ROUTE_NKINDS] = {"page", "api", "static", "websocket"};

const char *route_kind_name(int kind)
{
    return kind >= 0 && kind < ROUTE_NKINDS ? route_kinds[kind] : "page";
}

uint64_t route_hash(const void *p, size_t n)
{
    /* Eight bytes per step with a multiply-xorshift mix, then a splitmix64 finaliser: this
     * runs on every user agent of every line, so it must not go byte by byte. */
    const unsigned char *s = p;
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (n * 0xff51afd7ed558ccdull);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 29;
        s += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, s, n);
    h = (h ^ w) * 0x94d049bb133111ebull;
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 32);
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}
static int is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static int is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

static int all_digits(const char *s, size_t n)
{
    if (n == 0 || n > 19)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return 0;
    return 1;
}

static int is_uuid(const char *s, size_t n)
{
    if (n != 36)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (!is_hex(s[i])) {
            return 0;
        }
    }
    return 1;
}

static int is_hexhash(const char *s, size_t n)
{
    if (n < 16 || n > 128)
        return 0;
    int digits = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_hex(s[i]))
            return 0;
        digits += is_digit(s[i]);
    }
    return digits > 0;
}

static int is_slug(const char *s, size_t n)
{
    if (n < 3 || n > 200)
        return 0;
    int hyph = 0, digits = 0, lower = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '-')
            hyph++;
        else if (is_digit(s[i]))
            digits++;
        else if (is_lower(s[i]))
            lower++;
        else
            return 0;
    }
    return hyph >= 1 && lower > 0 && (digits > 0 || hyph >= 2) && s[0] != '-';
}

/* clang-format off */
static const char *const static_ext[] = {
    "css", "js", "mjs", "map", "png", "jpg", "jpeg", "gif", "ico", "svg", "webp", "avif",
    "woff", "woff2", "ttf", "otf", "eot", "mp4", "webm", "mp3", "pdf", "zip", "gz", "txt",
    "xml", "json", "bmp", "tif", "tiff", NULL};
/* clang-format on */

/* Returns the extension of the last segment if it is a static asset, else NULL. */
static const char *static_extension(const char *seg, size_t n, size_t *elen)
{
    const char *dot = NULL;
    for (size_t i = 0; i < n; i++)
        if (seg[i] == '.')
            dot = seg + i;
    if (!dot)
        return NULL;
    size_t el = n - (size_t)(dot + 1 - seg);
    if (el == 0 || el > 5)
        return NULL;
    char low[8];
    for (size_t i = 0; i < el; i++) {
        char c = dot[1 + i];
        low[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    low[el] = 0;
    for (int i = 0; static_ext[i]; i++)
        if (static_ext[i][0] == low[0] && strcmp(static_ext[i], low) == 0) {
            *elen = el;
            return dot + 1;
        }
    return NULL;
}

typedef struct tbuf {
    char *p;
    size_t len, cap;
} tbuf;

static void tb_add(tbuf *t, const char *s, size_t n)
{
    if (t->len + 1 >= t->cap)
        return;
    size_t room = t->cap - 1 - t->len;
    if (n > room)
        n = room;
    for (size_t i = 0; i < n;
         i++) /* short pieces: a loop, and no overread for the optimiser to suspect */
        t->p[t->len + i] = s[i];
    t->len += n;
    t->p[t->len] = 0;
}

static inline void tb_putc(tbuf *t, char c)
{
    if (t->len + 1 >= t->cap)
        return;
    t->p[t->len++] = c;
    t->p[t->len] = 0;
}

static void tb_adds(tbuf *t, const char *s)
{
    tb_add(t, s, strlen(s));
}

/* Appends at most max bytes of s to d (of size cap, holding *len bytes), NUL-terminated:
 * snprintf's "%.Ns" without its cost, which was a sixth of route_normalize. */
static void name_put(char *d, size_t cap, size_t *len, const char *s, size_t max)
{
    for (size_t i = 0; i < max && s[i] && *len + 1 < cap; i++)
        d[(*len)++] = s[i];
    d[*len] = 0;
}

static int name_taken(const route_norm *o, const char *name)
{
    for (size_t i = 0; i < o->nparams; i++)
        if (strcmp(o->params[i].name, name) == 0)
            return 1;
    return 0;
}

/* Names a parameter after its key: the key cut to 20 bytes; a repeat of a key is the key
 * cut to 16 bytes and the count of earlier names it starts ("id", "id2", "id3"), as the
 * names have always been written. Keys are cut, so that count can name a parameter that
 * exists already (a key of 21+ bytes twice, or of 17-20 bytes three times): the number then
 * goes up until the name is free, so every parameter of a template has its own name. */
static void add_param(route_norm *o, const char *base, int in_query, int is_item, const char *v,
                      size_t vn)
{
    if (o->nparams >= ROUTE_MAX_PARAMS)
        return;
    route_param *p = &o->params[o->nparams];
    size_t bl = strlen(base);
    unsigned same = 0;
    for (size_t i = 0; i < o->nparams; i++)
        if (strncmp(o->params[i].name, base, bl) == 0)
            same++;
    /* At most ROUTE_MAX_PARAMS names are taken, so the loop ends within that many steps. */
    for (unsigned u = same ? same + 1 : 0;; u = u ? u + 1 : 2) {
        size_t len = 0;
        if (u) {
            char num[4];
            unsigned w = u, k = 0;
            do
                num[k++] = (char)('0' + w % 10);
            while ((w /= 10) && k < sizeof num);
            char dig[4];
            for (unsigned i = 0; i < k; i++)
                dig[i] = num[k - 1 - i];
            name_put(p->name, sizeof p->name, &len, base, 16);
            name_put(p->name, sizeof p->name, &len, dig, k);
        } else {
            name_put(p->name, sizeof p->name, &len, base, 20);
        }
        if (!name_taken(o, p->name))
            break;
    }
    p->in_query = in_query;
    p->is_item = is_item;
    p->value = route_hash(v, vn);
    o->nparams++;
}

static int counter_key(const char *k, size_t n)
{
    /* clang-format off */
    static const char *const keys[] = {"page", "p", "offset", "limit", "per_page", "size",
                                       "start", "count", "n", "pg", NULL};
    /* clang-format on */
    for (int i = 0; keys[i]; i++)
        if (strlen(keys[i]) == n && memcmp(keys[i], k, n) == 0)
            return 1;
    return 0;
}

typedef struct qpair {
    const char *k, *v;
    size_t kn, vn;
} qpair;

static void route_query(const char *q, size_t n, route_norm *o, tbuf *t)
{
    qpair pairs[ROUTE_MAX_PARAMS];
    size_t np = 0;
    const char *p = q, *end = q + n;
    while (p < end && np < ROUTE_MAX_PARAMS) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *e = amp ? amp : end;
        if (e > p) {
            const char *eq = memchr(p, '=', (size_t)(e - p));
            qpair x = {p, eq ? eq + 1 : e, (size_t)((eq ? eq : e) - p),
                       eq ? (size_t)(e - eq - 1) : 0};
            /* Insertion sort by key keeps the template independent of the URL's key order. */
            size_t i = np;
            while (i > 0) {
                const qpair *y = &pairs[i - 1];
                size_t m = y->kn < x.kn ? y->kn : x.kn;
                int c = memcmp(y->k, x.k, m);
                if (c < 0 || (c == 0 && y->kn <= x.kn))
                    break;
                pairs[i] = pairs[i - 1];
                i--;
            }
            pairs[i] = x;
            np++;
        }
        p = e + 1;
    }
    for (size_t i = 0; i < np; i++) {
        tb_add(t, i == 0 ? "?" : "&", 1);
        char key[24];
        size_t kn = pairs[i].kn < sizeof key - 1 ? pairs[i].kn : sizeof key - 1;
        size_t kk = 0;
        for (size_t j = 0; j < kn; j++) {
            char c = pairs[i].k[j];
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
                c == '-')
                key[kk++] = c;
        }
        key[kk] = 0;
        if (kk == 0)
            snprintf(key, sizeof key, "k");
        tb_adds(t, key);
        tb_add(t, "=", 1);
        const char *v = pairs[i].v;
        size_t vn = pairs[i].vn;
        if (vn == 0)
            continue;
        if (all_digits(v, vn) && counter_key(key, kk)) {
            tb_adds(t, "{n}");
            add_param(o, key, 1, 0, v, vn);
        } else if (all_digits(v, vn) || is_uuid(v, vn) || is_hexhash(v, vn)) {
            tb_adds(t, "{id}");
            add_param(o, key, 1, 1, v, vn);
        } else {
            tb_adds(t, "{s}");
            add_param(o, key, 1, 0, v, vn);
        }
    }
}

void route_normalize(const char *path, size_t len, const char *method, size_t mlen, int status,
                     route_norm *o)
{
    o->nparams = 0;
    o->tmpl_len = 0;
    o->tmpl[0] = 0;
    tbuf t = {o->tmpl, 0, sizeof o->tmpl};
    /* Absolute-form request targets ("http://host/path") keep only the path. */
    if (len > 8 && (memcmp(path, "http://", 7) == 0 || memcmp(path, "https://", 8) == 0)) {
        const char *s = memchr(path + 8, '/', len - 8);
        if (s) {
            len -= (size_t)(s - path);
            path = s;
        } else {
            path = "/";
            len = 1;
        }
    }
    const char *qm = memchr(path, '?', len);
    size_t plen = qm ? (size_t)(qm - path) : len;
    const char *frag = memchr(path, '#', plen);
    if (frag)
        plen = (size_t)(frag - path);
    /* The last segment decides whether this is a static asset. */
    const char *last = path;
    for (size_t i = 0; i < plen; i++)
        if (path[i] == '/')
            last = path + i + 1;
    size_t elen = 0;
    const char *ext = static_extension(last, (size_t)(path + plen - last), &elen);
    int kind;
    if (status == 101 ||
        (plen >= 3 && memcmp(path, "/ws", 3) == 0 && (plen == 3 || path[3] == '/')))
        kind = ROUTE_WEBSOCKET;
    else if (ext)
        kind = ROUTE_STATIC;
    else if ((plen >= 5 && memcmp(path, "/api/", 5) == 0) ||
             !((mlen == 3 && memcmp(method, "GET", 3) == 0) ||
               (mlen == 4 && memcmp(method, "HEAD", 4) == 0)))
        kind = ROUTE_API;
    else
        kind = ROUTE_PAGE;
    o->kind = kind;

    const char *p = path;
    const char *end = path + plen;
    if (p == end || *p != '/')
        tb_add(&t, "/", 1);
    while (p < end) {
        if (*p == '/') {
            tb_putc(&t, '/');
            while (p < end && *p == '/')
                p++; /* "//" collapses */
            continue;
        }
        const char *s = p;
        while (p < end && *p != '/')
            p++;
        size_t n = (size_t)(p - s);
        if (kind == ROUTE_STATIC && s == last) {
            tb_adds(&t, "{file}.");
            for (size_t i = 0; i < elen; i++) {
                char c = ext[i];
                tb_putc(&t, (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c);
            }
        } else if (all_digits(s, n)) {
            tb_adds(&t, "{id}");
            add_param(o, "id", 0, kind != ROUTE_STATIC, s, n);
        } else if (is_uuid(s, n)) {
            tb_adds(&t, "{uuid}");
            add_param(o, "uuid", 0, kind != ROUTE_STATIC, s, n);
        } else if (is_hexhash(s, n)) {
            tb_adds(&t, "{hash}");
            add_param(o, "hash", 0, kind != ROUTE_STATIC, s, n);
        } else if (is_slug(s, n)) {
            tb_adds(&t, "{slug}");
            add_param(o, "slug", 0, kind != ROUTE_STATIC, s, n);
        } else {
            /* Keep ordinary words; replace bytes that do not belong in a template. */
            for (size_t i = 0; i < n; i++) {
                char c = s[i];
                if ((unsigned char)c < 0x21 || (unsigned char)c > 0x7e || c == '"' || c == '\\' ||
                    c == '{' || c == '}')
                    c = '_';
                tb_putc(&t, c);
            }
        }
    }
    if (qm && kind != ROUTE_STATIC && kind != ROUTE_WEBSOCKET)
        route_query(qm + 1, len - (size_t)(qm + 1 - path), o, &t);
    o->tmpl_len = t.len;
}
