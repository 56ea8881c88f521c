/*
 * gen.c -- generator evaluation (see gen.h). Inverse-CDF generators take one uniform
 * quantile, which `correlation` may tie to the row position; everything else draws from the
 * column's per-row stream.
 */
#include "gen.h"
#include "shape_int.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GEN_MAX_DEPTH 32

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
#define NDEFAULT_WORDS (sizeof default_words / sizeof default_words[0])
const char *sh_default_word(size_t i)
{
    return default_words[i % NDEFAULT_WORDS];
}

size_t sh_default_nwords(void)
{
    return NDEFAULT_WORDS;
}


int gen_ctx_init(gen_ctx *cx, const shape *sh, uint64_t seed)
{
    cx->sh = sh;
    cx->seed = seed;
    cx->used = 0;
    cx->depth = 0;
    cx->nmemo = 0;
    cx->arena = malloc(GEN_ARENA_BYTES);
    return cx->arena ? 0 : ST_ENOMEM;
}

void gen_ctx_term(gen_ctx *cx)
{
    free(cx->arena);
    cx->arena = NULL;
}

uint64_t gen_rank_row(const stable *t, uint64_t rank)
{
    if (t->rank_row && rank - 1 < t->rows)
        return t->rank_row[rank - 1];
    return rng_permute(rank - 1, t->rows, t->pop_key);
}

uint64_t gen_row_rank(const stable *t, uint64_t row)
{
    if (t->row_rank && row < t->rows)
        return (uint64_t)t->row_rank[row] + 1;
    return rng_permute_inverse(row, t->rows, t->pop_key) + 1;
}

static void eval_col(gen_ctx *cx, int ti, int ci, uint64_t key, gval *out);

static double u01(uint64_t x)
{
    return ((double)(x >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

static double num_of(const gval *v)
{
    return v->kind == V_NUM ? v->d : (double)v->i;
}

static uint64_t hash_val(const gval *v)
{
    switch (v->kind) {
    case V_INT:
    case V_BOOL: return (uint64_t)v->i;
    case V_NUM: {
        uint64_t b;
        memcpy(&b, &v->d, sizeof b);
        return b;
    }
    case V_TEXT: {
        uint64_t h = 1469598103934665603ull;
        for (size_t i = 0; i < v->len; i++)
            h = (h ^ (unsigned char)v->s[i]) * 1099511628211ull;
        return h;
    }
    default: return 0x6e756c6cull;
    }
}

static double clampd(const gen *g, double x)
{
    if (g->has_lo && x < g->lo)
        x = g->lo;
    if (g->has_hi && x > g->hi)
        x = g->hi;
    return x;
}

static int is_int_type(int ct)
{
    return ct == CT_INT2 || ct == CT_INT4 || ct == CT_INT8;
}

/* Position of a row key in [0, 1) for correlation. */
static double row_pos(const stable *t, uint64_t key)
{
    if (t->parent >= 0)
        return t->nunits ? ((double)(key >> 16) + 0.5) / (double)t->nunits : 0.5;
    return t->rows ? ((double)key + 0.5) / (double)t->rows : 0.5;
}

/* The quantile for an inverse-CDF generator: tied to the row position with probability
 * |correlation|, otherwise uniform. (Each row has its own stream, so the number of draws may
 * differ between rows; |correlation| = 1 needs none.) */
static double quantile(const stable *t, const scol *c, uint64_t key, rng_stream *s)
{
    if (c->corr == 1 || c->corr == -1) {
        double p = row_pos(t, key);
        return c->corr > 0 ? p : 1 - p;
    }
    double a = rng_uniform(s);
    if (c->corr == 0)
        return a;
    double b = rng_uniform(s);
    if (b < fabs(c->corr)) {
        double p = row_pos(t, key);
        return c->corr > 0 ? p : 1 - p;
    }
    return a;
}

static char *arena_alloc(gen_ctx *cx, size_t n)
{
    if (cx->used + n > GEN_ARENA_BYTES)
        return NULL;
    char *p = cx->arena + cx->used;
    cx->used += n;
    return p;
}

static size_t put_u64(char *dst, uint64_t v)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        dst[i] = tmp[n - 1 - i];
    return n;
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

static void eval_text(gen_ctx *cx, const gen *g, uint64_t key, rng_stream *s, gval *out)
{
    const char *const *words = g->nwords ? (const char *const *)g->words : default_words;
    size_t nwords = g->nwords ? g->nwords : NDEFAULT_WORDS;
    size_t fixed = 0, nw = 0;
    for (size_t i = 0; i < g->npieces; i++)
        nw += g->pieces[i].kind == TP_WORDS;
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
        while (k > 0 && g->soup[at + k - 1] == ' ')
            k--;
        out->kind = V_TEXT;
        out->s = g->soup + at;
        out->len = k;
        return;
    }
    nw = 0;
    for (size_t i = 0; i < g->npieces; i++) {
        const tpiece *p = &g->pieces[i];
        switch (p->kind) {
        case TP_LIT: fixed += p->len; break;
        case TP_ROW: fixed += 7; break;
        case TP_WORD: fixed += 6; break;
        case TP_WORDS: nw++; break;
        case TP_INT: fixed += 4; break;
        default: fixed += (size_t)p->a; break;
        }
    }
    size_t quota = nw && target > (double)fixed ? (size_t)((target - (double)fixed) / (double)nw + 0.5) : 0;
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

static void eval_uuid(gen_ctx *cx, rng_stream *s, gval *out)
{
    static const char hex[] = "0123456789abcdef";
    uint64_t a = rng_next_u64(s), b = rng_next_u64(s);
    a = (a & ~0xf000ull) | 0x4000ull;                          /* version 4 */
    b = (b & ~(0xc000ull << 48)) | (0x8000ull << 48);          /* variant 10 */
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

static int val_cmp(const gval *a, const gval *b)
{
    if (a->kind == V_TEXT || b->kind == V_TEXT) {
        if (a->kind != V_TEXT || b->kind != V_TEXT)
            return a->kind == V_TEXT ? 1 : -1;
        size_t n = a->len < b->len ? a->len : b->len;
        int c = memcmp(a->s, b->s, n);
        return c ? c : (a->len > b->len) - (a->len < b->len);
    }
    if (a->kind == V_NULL || b->kind == V_NULL)
        return a->kind == b->kind ? 0 : (a->kind == V_NULL ? -1 : 1);
    double x = num_of(a), y = num_of(b);
    return (x > y) - (x < y);
}

static int case_holds(const gcase *c, const gval *v)
{
    if (v->kind == V_NULL)
        return 0;
    switch (c->op) {
    case OP_LT: return val_cmp(v, &c->vals[0]) < 0;
    case OP_LE: return val_cmp(v, &c->vals[0]) <= 0;
    case OP_GT: return val_cmp(v, &c->vals[0]) > 0;
    case OP_GE: return val_cmp(v, &c->vals[0]) >= 0;
    case OP_EQ: return val_cmp(v, &c->vals[0]) == 0;
    default:
        for (size_t i = 0; i < c->nvals; i++)
            if (val_cmp(v, &c->vals[i]) == 0)
                return 1;
        return 0;
    }
}

static void eval_gen(gen_ctx *cx, int ti, int ci, const gen *g, uint64_t key, rng_stream *s,
                     gval *out)
{
    const shape *sh = cx->sh;
    const stable *t = &sh->t[ti];
    const scol *c = &t->cols[ci];
    out->kind = V_NUM;
    out->s = NULL;
    out->len = 0;
    switch (g->kind) {
    case G_SEQUENCE:
        out->kind = V_INT;
        out->i = g->i1 + (int64_t)key * g->i2;
        return;
    case G_PERMUTATION:
        out->kind = V_INT;
        out->i = g->i1 + (int64_t)rng_permute(key, t->rows, g->perm_key);
        return;
    case G_CONST:
        *out = g->cval;
        return;
    case G_UNIFORM: {
        double u = quantile(t, c, key, s);
        if (is_int_type(c->ctype)) {
            double lo = ceil(g->p1), hi = floor(g->p2);
            double v = lo + floor(u * (hi - lo + 1));
            out->kind = V_INT;
            out->i = (int64_t)(v > hi ? hi : v);
        } else
            out->d = g->p1 + u * (g->p2 - g->p1);
        return;
    }
    case G_NORMAL:
        out->d = clampd(g, g->p1 + g->p2 * gsl_cdf_ugaussian_Pinv(quantile(t, c, key, s)));
        return;
    case G_LOGNORMAL: {
        double mu = g->p1;
        double u = quantile(t, c, key, s);
        if (g->group_col >= 0 && cx->depth < GEN_MAX_DEPTH) {
            gval gv;
            cx->depth++;
            gen_eval_col(cx, ti, g->group_col, key, &gv);
            cx->depth--;
            uint64_t h = rng_u64(cx->seed, rng_mix(c->stream, 0x47525550ull), hash_val(&gv));
            mu += g->group_sigma * gsl_cdf_ugaussian_Pinv(u01(h));
        }
        out->d = clampd(g, exp(mu + g->p2 * gsl_cdf_ugaussian_Pinv(u)));
        return;
    }
    case G_EXPONENTIAL:
        out->d = clampd(g, -g->p1 * log1p(-quantile(t, c, key, s)));
        return;
    case G_ZIPF: {
        uint64_t r = rng_zipf_draw(&g->z, s);
        out->kind = V_INT;
        out->i = g->i1 + (int64_t)(!g->permute ? r - 1
                                   : g->ptab ? g->ptab[r - 1]
                                             : rng_permute(r - 1, g->z.n, g->perm_key));
        return;
    }
    case G_CATEGORICAL:
        if (g->rest && rng_uniform(s) < g->rest_p) {
            eval_gen(cx, ti, ci, g->rest, key, s, out);
            return;
        }
        *out = g->vals[rng_alias_draw(g->alias, s)];
        return;
    case G_HISTOGRAM: {
        double u = quantile(t, c, key, s) * (double)(g->nbounds - 1);
        size_t b = (size_t)u;
        if (b >= g->nbounds - 1)
            b = g->nbounds - 2;
        double f = u - (double)b;
        out->d = g->bounds[b] + f * (g->bounds[b + 1] - g->bounds[b]);
        return;
    }
    case G_BOOL:
        out->kind = V_BOOL;
        out->i = rng_uniform(s) < g->p1;
        return;
    case G_TIMESTAMP: {
        double u = quantile(t, c, key, s), l = g->growth_l;
        double x = fabs(l) < 1e-9 ? u : log1p(u * expm1(l)) / l;
        double ts = g->p1 + x * (g->p2 - g->p1);
        if (g->warp) {
            /* Re-place the time inside its week by the weekly x daily CDF (a monotone warp,
             * so correlation with row order survives). Weeks start Monday 00:00 UTC. */
            const double week = 7 * 86400.0, monday0 = 4 * 86400.0;
            double w = floor((ts - monday0) / week), f = (ts - monday0) / week - w;
            double target = f;
            size_t lo = 0, hi = 168;
            while (hi - lo > 1) {
                size_t mid = (lo + hi) / 2;
                if (g->warp[mid] <= target)
                    lo = mid;
                else
                    hi = mid;
            }
            double span = g->warp[lo + 1] - g->warp[lo];
            double within = span > 0 ? (target - g->warp[lo]) / span : 0;
            double ts2 = monday0 + (w + ((double)lo + within) / 168.0) * week;
            if (ts2 >= g->p1 && ts2 < g->p2)
                ts = ts2;
        }
        out->d = clampd(g, ts);
        return;
    }
    case G_TEXT:
        eval_text(cx, g, key, s, out);
        return;
    case G_UUID:
        eval_uuid(cx, s, out);
        return;
    case G_REF: {
        const stable *rt = &sh->t[g->ref_table];
        uint64_t row;
        switch (g->ref_dist) {
        case RD_UNIFORM: row = rng_below(s, rt->rows); break;
        case RD_ZIPF: row = gen_rank_row(rt, rng_zipf_draw(&g->ref_z, s)); break;
        case RD_POPULAR: row = gen_rank_row(rt, rng_zipf_draw(&rt->pop_z, s)); break;
        default: row = (key / g->ref_div) % rt->rows; break;
        }
        if (cx->depth >= GEN_MAX_DEPTH) {
            out->kind = V_NULL;
            return;
        }
        cx->depth++;
        gen_eval_col(cx, g->ref_table, g->ref_col, row, out);
        cx->depth--;
        return;
    }
    case G_PARENT:
        if (cx->depth >= GEN_MAX_DEPTH) {
            out->kind = V_NULL;
            return;
        }
        cx->depth++;
        gen_eval_col(cx, g->ref_table, g->ref_col, key >> 16, out);
        cx->depth--;
        return;
    case G_LINE:
        out->kind = V_INT;
        out->i = (int64_t)(key & 0xffff) + 1;
        return;
    case G_SWITCH: {
        gval on;
        if (g->on_pseudo == PS_RANK || g->on_pseudo == PS_RANK_FRAC) {
            uint64_t r = gen_row_rank(t, key);
            on.kind = V_NUM;
            on.d = g->on_pseudo == PS_RANK ? (double)r : (double)(r - 1) / (double)t->rows;
        } else if (g->on_pseudo == PS_ROW_FRAC) {
            on.kind = V_NUM;
            on.d = row_pos(t, key);
        } else {
            cx->depth++;
            if (cx->depth < GEN_MAX_DEPTH)
                gen_eval_col(cx, ti, g->on_col, key, &on);
            else
                on.kind = V_NULL;
            cx->depth--;
        }
        const gen *pick = g->els;
        for (size_t i = 0; i < g->ncases; i++)
            if (case_holds(&g->cases[i], &on)) {
                pick = g->cases[i].g;
                break;
            }
        eval_gen(cx, ti, ci, pick, key, s, out);
        return;
    }
    }
    out->kind = V_NULL;
}

void gen_eval_col(gen_ctx *cx, int ti, int ci, uint64_t key, gval *out)
{
    if (!cx->sh->t[ti].cols[ci].depended) {
        eval_col(cx, ti, ci, key, out);
        return;
    }
    for (int i = 0; i < cx->nmemo; i++)
        if (cx->memo[i].key == key && cx->memo[i].ci == ci && cx->memo[i].ti == ti) {
            *out = cx->memo[i].v;
            return;
        }
    eval_col(cx, ti, ci, key, out);
    if (cx->nmemo < GEN_CACHE)
        cx->memo[cx->nmemo++] = (gen_memo){ti, ci, key, *out};
}

static void eval_col(gen_ctx *cx, int ti, int ci, uint64_t key, gval *out)
{
    const stable *t = &cx->sh->t[ti];
    const scol *c = &t->cols[ci];
    if (c->null_frac > 0 &&
        u01(rng_u64(cx->seed, rng_mix(c->stream, 0x4e554c4cull), key)) < c->null_frac) {
        out->kind = V_NULL;
        return;
    }
    if (c->n_distinct != 0) {
        double nd = c->n_distinct > 0 ? c->n_distinct : -c->n_distinct * (double)t->rows;
        uint64_t k = nd < 1 ? 1 : (uint64_t)nd;
        key = rng_mix(rng_mix(c->stream, 0x4e444953ull), key) % k;
    }
    rng_stream s;
    rng_stream_init(&s, cx->seed, rng_mix(c->stream, key));
    eval_gen(cx, ti, ci, c->g, key, &s, out);
}
