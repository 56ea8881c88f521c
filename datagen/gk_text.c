/*
 * gk_text.c -- generator kinds of text: text (a pattern of literals and placeholders, or
 * filler cut from a fixed run of words) and uuid (version 4 from the row's stream). Each
 * kind's parse, unique and eval sit together, then its row of gen_kind.h.
 */
#include "gen_int.h"
#include "shape_int.h"

#include <stdlib.h>

#include "jsonio.h"

/* clang-format off */
static const char *const default_words[] = {
    "alpha", "amber", "anchor", "apex", "arc", "atlas", "aurora", "basic", "bay", "bold",
    "breeze", "bright", "canyon", "carbon", "cedar", "classic", "cloud", "coast", "comet",
    "compact", "coral", "crest", "crystal", "daily", "delta", "deluxe", "drift", "dune",
    "eagle", "echo", "edge", "ember", "essential", "falcon", "field", "flex", "forest", "frost",
    "fusion", "glacier", "grand", "harbor", "horizon", "iron", "jade", "lake", "light", "lunar",
    "maple", "meadow", "metro", "mini", "mist", "nova", "oak", "ocean", "orbit", "pearl",
    "pine", "pixel", "plus", "prime", "pro", "pulse", "quartz", "rapid", "ridge", "river",
    "sage", "series", "shadow", "sierra", "silver", "smart", "solar", "spark", "sport", "steel",
    "stone", "storm", "summit", "swift", "terra", "tide", "titan", "trail", "ultra", "urban",
    "valley", "vector", "velvet", "vista", "wave", "wild", "willow", "wind", "zen", "zephyr"};
/* clang-format on */
#define NDEFAULT_WORDS (sizeof default_words / sizeof default_words[0])

const char *sh_default_word(size_t i)
{
    return default_words[i % NDEFAULT_WORDS];
}

size_t sh_default_nwords(void)
{
    return NDEFAULT_WORDS;
}

static int parse_pattern(gen *g, const char *pat, const char *path, char *err)
{
    size_t n = strlen(pat), cap = 8;
    g->pieces = calloc(cap, sizeof(tpiece));
    if (!g->pieces)
        return st_err(err, ST_ENOMEM, "out of memory");
    size_t i = 0;
    while (i < n) {
        if (g->npieces + 1 >= cap) {
            tpiece *np = realloc(g->pieces, 2 * cap * sizeof(tpiece));
            if (!np)
                return st_err(err, ST_ENOMEM, "out of memory");
            memset(np + cap, 0, cap * sizeof(tpiece));
            g->pieces = np;
            cap *= 2;
        }
        tpiece *tp = &g->pieces[g->npieces];
        if (pat[i] == '{') {
            const char *close = strchr(pat + i, '}');
            if (!close)
                return st_err(err, ST_EINPUT, "%s.pattern: unclosed '{'", path);
            char ph[64];
            size_t len = (size_t)(close - (pat + i + 1));
            if (len >= sizeof ph)
                return st_err(err, ST_EINPUT, "%s.pattern: placeholder too long", path);
            memcpy(ph, pat + i + 1, len);
            ph[len] = 0;
            long long a, b;
            char tail;
            if (!strcmp(ph, "row"))
                tp->kind = TP_ROW;
            else if (!strcmp(ph, "word"))
                tp->kind = TP_WORD;
            else if (!strcmp(ph, "words"))
                tp->kind = TP_WORDS;
            else if (sscanf(ph, "int:%lld:%lld%c", &a, &b, &tail) == 2 && a <= b) {
                tp->kind = TP_INT;
                tp->a = a;
                tp->b = b;
            } else if (sscanf(ph, "hex:%lld%c", &a, &tail) == 1 && a >= 1 && a <= 32) {
                tp->kind = TP_HEX;
                tp->a = a;
            } else
                return st_err(err, ST_EINPUT,
                              "%s.pattern: unknown placeholder {%s} (use {row}, {word}, {words}, "
                              "{int:A:B}, {hex:N})",
                              path, ph);
            g->npieces++;
            i += len + 2;
        } else {
            const char *open = strchr(pat + i, '{');
            size_t len = open ? (size_t)(open - (pat + i)) : n - i;
            tp->kind = TP_LIT;
            tp->lit = malloc(len + 1);
            if (!tp->lit)
                return st_err(err, ST_ENOMEM, "out of memory");
            memcpy(tp->lit, pat + i, len);
            tp->lit[len] = 0;
            tp->len = len;
            g->npieces++;
            i += len;
        }
    }
    return 0;
}

/* The word run behind {words}: SHAPE_SOUP_BYTES of words drawn from the list with a fixed
 * stream of the column (independent of the run's seed, which picks the slices), plus a tail
 * so that a slice starting near the end never wraps. */
static int build_soup(gen *g, uint64_t colstream, char *err)
{
    int has = 0;
    for (size_t i = 0; i < g->npieces; i++)
        has |= g->pieces[i].kind == TP_WORDS;
    if (!has)
        return 0;
    size_t cap = SHAPE_SOUP_BYTES + 2 * SHAPE_MAX_WIDTH + 512;
    g->soup = malloc(cap);
    g->starts = malloc((SHAPE_SOUP_BYTES / 2 + 1) * sizeof(uint32_t));
    if (!g->soup || !g->starts)
        return st_err(err, ST_ENOMEM, "out of memory");
    rng_stream s;
    rng_stream_init(&s, 0x534f5550ull, rng_mix(colstream, 0x534f5550ull));
    size_t n = 0;
    while (n + 300 < cap) {
        const char *w = g->nwords ? g->words[rng_below(&s, g->nwords)]
                                  : sh_default_word(rng_below(&s, sh_default_nwords()));
        size_t k = strlen(w);
        if (n < SHAPE_SOUP_BYTES && k > 0)
            g->starts[g->nstarts++] = (uint32_t)n;
        memcpy(g->soup + n, w, k);
        n += k;
        g->soup[n++] = ' ';
    }
    g->soup_len = n;
    if (g->nstarts == 0) { /* only empty words: slices are empty */
        g->starts[g->nstarts++] = 0;
        g->soup_len = 0;
    }
    return 0;
}

static int parse_text(const gparse *p, gen *g, char *err)
{
    const char *pat = "{words}", *path = p->path;
    json_t *jg = p->jg;
    double width = 24;
    char q[400];
    int rc;
    if ((rc = jv_string(jg, path, "pattern", 0, &pat, err)) ||
        (rc = jv_number(jg, path, "width", 0, 0, SHAPE_MAX_WIDTH, &width, err)))
        return rc;
    g->width = width;
    g->wmin = floor(width / 2);
    g->wmax = ceil(width * 1.5);
    if ((rc = jv_number(jg, path, "min_width", 0, 0, SHAPE_MAX_WIDTH, &g->wmin, err)) ||
        (rc = jv_number(jg, path, "max_width", 0, 0, SHAPE_MAX_WIDTH, &g->wmax, err)))
        return rc;
    if (g->wmax < g->wmin)
        return st_err(err, ST_EINPUT, "%s.max_width: must be >= min_width", path);
    if ((rc = parse_pattern(g, pat, path, err)))
        return rc;
    /* What eval_text needs of the pieces on every row, counted once. */
    g->nwords_pieces = g->fixed_len = 0;
    for (size_t i = 0; i < g->npieces; i++) {
        const tpiece *tp = &g->pieces[i];
        switch (tp->kind) {
        case TP_LIT: g->fixed_len += tp->len; break;
        case TP_ROW: g->fixed_len += 7; break;
        case TP_WORD: g->fixed_len += 6; break;
        case TP_WORDS: g->nwords_pieces++; break;
        case TP_INT: g->fixed_len += 4; break;
        default: g->fixed_len += (size_t)tp->a; break;
        }
    }
    json_t *w = json_object_get(jg, "words");
    if (w) {
        jv_key(q, sizeof q, path, "words");
        if (!json_is_array(w) || json_array_size(w) == 0)
            return st_err(err, ST_EINPUT, "%s: expected a non-empty array of strings", q);
        g->nwords = json_array_size(w);
        g->words = calloc(g->nwords, sizeof(char *));
        if (!g->words)
            return st_err(err, ST_ENOMEM, "out of memory");
        for (size_t i = 0; i < g->nwords; i++) {
            json_t *x = json_array_get(w, i);
            if (!json_is_string(x) || json_string_length(x) > 256)
                return st_err(err, ST_EINPUT, "%s[%zu]: expected a string (max 256 bytes)", q, i);
            g->words[i] = sh_strdup(json_string_value(x));
        }
    }
    return build_soup(g, p->sh->t[p->ti].cols[p->ci].stream, err);
}

/* {row} makes every value distinct. */
static int unique_text(const gen *g)
{
    for (size_t i = 0; i < g->npieces; i++)
        if (g->pieces[i].kind == TP_ROW)
            return 1;
    return 0;
}

static size_t ndigits(uint64_t v)
{
    size_t n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

/* The longest a piece other than {words} can come out at `rows` rows (bytes). */
static size_t piece_max(const gen *g, const tpiece *p, uint64_t rows)
{
    size_t wmax = 0;
    switch (p->kind) {
    case TP_LIT: return p->len;
    case TP_ROW: return ndigits(rows);
    case TP_WORDS: return 0;
    case TP_WORD:
        for (size_t i = 0; i < (g->nwords ? g->nwords : NDEFAULT_WORDS); i++) {
            size_t k = strlen(g->nwords ? g->words[i] : default_words[i]);
            wmax = k > wmax ? k : wmax;
        }
        return wmax;
    case TP_INT: {
        uint64_t a = p->a < 0 ? (uint64_t)(-(p->a + 1)) + 1 : (uint64_t)p->a;
        uint64_t b = p->b < 0 ? (uint64_t)(-(p->b + 1)) + 1 : (uint64_t)p->b;
        return ndigits(a > b ? a : b) + (p->a < 0);
    }
    default: return (size_t)p->a;
    }
}

/* The {words} quota eval_text uses at the widest target (see there). */
static size_t quota_max(const gen *g, size_t nw)
{
    size_t fixed = g->fixed_len;
    size_t q = nw && g->wmax > (double)fixed
                   ? (size_t)((g->wmax - (double)fixed) / (double)nw + 0.5)
                   : 0;
    if (q > g->soup_len)
        q = g->soup_len;
    return g->has_wcap && q > g->wcap ? g->wcap : q;
}

size_t gk_text_max_len(const gen *g, uint64_t rows)
{
    size_t n = 0, nw = 0;
    for (size_t i = 0; i < g->npieces; i++) {
        n += piece_max(g, &g->pieces[i], rows);
        nw += g->pieces[i].kind == TP_WORDS;
    }
    return n + nw * quota_max(g, nw);
}

/* A pattern with {row} under varchar(n): its {words} are shortened so that the row number,
 * which makes values distinct, is never cut off by the column's length. */
static int resolve_text(shape *sh, stable *t, const scol *c, gen *g, char *err)
{
    (void)sh, (void)err;
    size_t fixed = 0, nw = 0;
    g->has_wcap = 0;
    if (!unique_text(g) || c->ctype != CT_TEXT || c->maxlen <= 0)
        return 0;
    for (size_t i = 0; i < g->npieces; i++) {
        fixed += piece_max(g, &g->pieces[i], t->rows);
        nw += g->pieces[i].kind == TP_WORDS;
    }
    if (!nw)
        return 0;
    g->wcap = fixed >= (size_t)c->maxlen ? 0 : ((size_t)c->maxlen - fixed) / nw;
    g->has_wcap = 1;
    return 0;
}

/* Word indexes: one draw from the column's stream seeds a splitmix64 sequence (Steele,
 * Lea & Flood 2014) that yields four 16-bit picks per step; text is the costliest generator
 * and Philox per word dominated its profile. Multiply-shift maps 16 bits onto [0, n) with a
 * bias below n / 65536, invisible for word lists; lists longer than 4096 words take one full
 * unbiased stream draw per word instead. */
typedef struct wordpick {
    uint64_t state, bits;
    int left;
} wordpick;

static size_t pick_word(rng_stream *s, size_t n, wordpick *w)
{
    if (n > 4096)
        return (size_t)rng_below(s, n);
    if (w->left == 0) {
        w->bits = rng_mix(w->state, 0x9e3779b97f4a7c15ull);
        w->state += 0x9e3779b97f4a7c15ull;
        w->left = 4;
    }
    size_t i = (size_t)(((w->bits & 0xffff) * n) >> 16);
    w->bits >>= 16;
    w->left--;
    return i;
}

/* A slice [at, at + k) of the word run that neither starts nor ends inside a UTF-8
 * character (a word list may hold any UTF-8; a cut byte sequence is refused by PostgreSQL).
 * Slices start at a word, so only the end and a start moved back by the run's end need it. */
static size_t soup_slice(const gen *g, size_t *at, size_t k)
{
    const unsigned char *p = (const unsigned char *)g->soup;
    while (k > 0 && (p[*at] & 0xC0) == 0x80) {
        (*at)++;
        k--;
    }
    while (k > 0 && *at + k < g->soup_len && (p[*at + k] & 0xC0) == 0x80)
        k--;
    return k;
}

static void eval_text(gen_ctx *cx, int ti, int ci, const gen *g, uint64_t key, rng_stream *s,
                      gval *out)
{
    (void)ti, (void)ci;
    const char *const *words = g->nwords ? (const char *const *)g->words : default_words;
    size_t nwords = g->nwords ? g->nwords : NDEFAULT_WORDS;
    size_t fixed = g->fixed_len, nw = g->nwords_pieces;
    /* Only {words} needs a target width. */
    double target = nw ? g->wmin + rng_uniform(s) * (g->wmax - g->wmin) : 0;
    if (g->npieces == 1 && nw == 1) {
        /* Pure filler: the value is the slice of the word run itself, no copy. */
        size_t k = (size_t)(target + 0.5);
        if (k > g->soup_len)
            k = g->soup_len;
        size_t at = g->nstarts ? g->starts[rng_below(s, g->nstarts)] : 0;
        if (at + k > g->soup_len)
            at = g->soup_len - k;
        k = soup_slice(g, &at, k);
        while (k > 0 && g->soup[at + k - 1] == ' ')
            k--;
        out->kind = V_TEXT;
        out->s = g->soup + at;
        out->len = k;
        return;
    }
    size_t quota = nw && target > (double)fixed
                       ? (size_t)((target - (double)fixed) / (double)nw + 0.5)
                       : 0;
    if (g->has_wcap && quota > g->wcap)
        quota = g->wcap;
    char *dst = cx->arena + cx->used;
    size_t room = GEN_ARENA_BYTES - cx->used, n = 0;
    wordpick wp = {rng_next_u64(s), 0, 0};
    if (room > SHAPE_MAX_WIDTH * 2 + 64)
        room = SHAPE_MAX_WIDTH * 2 + 64;
    for (size_t i = 0; i < g->npieces; i++) {
        const tpiece *p = &g->pieces[i];
        if (n + 40 >= room)
            break;
        switch (p->kind) {
        case TP_LIT: {
            size_t k = p->len < room - n - 1 ? p->len : room - n - 1;
            memcpy(dst + n, p->lit, k);
            n += k;
            break;
        }
        case TP_ROW: n += put_u64(dst + n, key + 1); break;
        case TP_WORD: {
            size_t wi = pick_word(s, nwords, &wp);
            const char *w = words[wi];
            size_t k = strlen(w);
            if (n + k < room) {
                memcpy(dst + n, w, k);
                n += k;
            }
            break;
        }
        case TP_WORDS: {
            /* A slice of the word run: one draw and one copy, whatever the width. */
            size_t k = quota;
            if (k > room - n - 40)
                k = room - n - 40;
            if (k > g->soup_len)
                k = g->soup_len;
            if (k == 0)
                break;
            size_t at = g->starts[rng_below(s, g->nstarts)];
            if (at + k > g->soup_len)
                at = g->soup_len - k;
            k = soup_slice(g, &at, k);
            memcpy(dst + n, g->soup + at, k);
            n += k;
            while (k > 0 && dst[n - 1] == ' ') {
                n--;
                k--;
            }
            break;
        }
        case TP_INT: {
            int64_t v = p->a + (int64_t)rng_below(s, (uint64_t)(p->b - p->a) + 1);
            if (v < 0) {
                dst[n++] = '-';
                n += put_u64(dst + n, (uint64_t)(-(v + 1)) + 1);
            } else
                n += put_u64(dst + n, (uint64_t)v);
            break;
        }
        default: {
            static const char hex[] = "0123456789abcdef";
            uint64_t x = 0;
            for (int64_t k = 0; k < p->a; k++) {
                if (k % 16 == 0)
                    x = rng_next_u64(s);
                dst[n++] = hex[x & 15];
                x >>= 4;
            }
            break;
        }
        }
    }
    cx->used += n;
    out->kind = V_TEXT;
    out->s = dst;
    out->len = n;
}

/* clang-format off */
const gkind_def gk_text = {
    "text", (const char *const[]){"kind", "pattern", "width", "min_width", "max_width", "words", NULL},
    parse_text, resolve_text, unique_text, eval_text};
/* clang-format on */


static void eval_uuid(gen_ctx *cx, int ti, int ci, const gen *g, uint64_t key, rng_stream *s,
                      gval *out)
{
    (void)ti, (void)ci, (void)g, (void)key;
    static const char hex[] = "0123456789abcdef";
    uint64_t a = rng_next_u64(s), b = rng_next_u64(s);
    a = (a & ~0xf000ull) | 0x4000ull;                 /* version 4 */
    b = (b & ~(0xc000ull << 48)) | (0x8000ull << 48); /* variant 10 */
    char *d = arena_alloc(cx, 36);
    if (!d) {
        out->kind = V_NULL;
        return;
    }
    int k = 0;
    for (int i = 0; i < 32; i++) {
        if (i == 8 || i == 12 || i == 16 || i == 20)
            d[k++] = '-';
        uint64_t w = i < 16 ? a : b;
        d[k++] = hex[(w >> (60 - 4 * (i % 16))) & 15];
    }
    out->kind = V_TEXT;
    out->s = d;
    out->len = 36;
}

static int parse_uuid(const gparse *p, gen *g, char *err)
{
    (void)p, (void)g, (void)err;
    return 0;
}

static int unique_uuid(const gen *g)
{
    (void)g;
    return 1;
}

/* clang-format off */
const gkind_def gk_uuid = {"uuid", (const char *const[]){"kind", NULL}, parse_uuid, NULL,
                           unique_uuid, eval_uuid};
/* clang-format on */
