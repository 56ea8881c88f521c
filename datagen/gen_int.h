/*
 * gen_int.h -- small helpers shared by the generator kinds' eval functions (gk_*.c) and
 * gen.c. Inline: they run once or more per generated value.
 */
#ifndef DG_GEN_INT_H
#define DG_GEN_INT_H

#include <math.h>
#include <string.h>

#include "gen.h"
#include "gen_kind.h"

/* Dependent generators (switch, group, ref, parent) nest at most this deep. */
#define GEN_MAX_DEPTH 32

static inline double u01(uint64_t x)
{
    return ((double)(x >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

static inline double num_of(const gval *v)
{
    return v->kind == V_NUM ? v->d : (double)v->i;
}

static inline uint64_t hash_val(const gval *v)
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

static inline double clampd(const gen *g, double x)
{
    if (g->has_lo && x < g->lo)
        x = g->lo;
    if (g->has_hi && x > g->hi)
        x = g->hi;
    return x;
}

static inline int is_int_type(int ct)
{
    return ct == CT_INT2 || ct == CT_INT4 || ct == CT_INT8;
}

/* Position of a row key in [0, 1) for correlation. */
static inline double row_pos(const stable *t, uint64_t key)
{
    if (t->parent >= 0)
        return t->nunits ? ((double)(key >> 16) + 0.5) / (double)t->nunits : 0.5;
    return t->rows ? ((double)key + 0.5) / (double)t->rows : 0.5;
}

/* The quantile for an inverse-CDF generator: tied to the row position with probability
 * |correlation|, otherwise uniform. (Each row has its own stream, so the number of draws may
 * differ between rows; |correlation| = 1 needs none.) */
static inline double quantile(const stable *t, const scol *c, uint64_t key, rng_stream *s)
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

/* The interval of a cumulative table that holds pos: the largest i < n with cum[i] <= pos
 * (cum nondecreasing, cum[0] <= pos; n >= 1). Used by the kinds that map a row onto
 * per-parent or per-run counts (gk_activity.c, gk_distinct.c). */
static inline uint64_t cum_interval(const uint64_t *cum, uint64_t n, uint64_t pos)
{
    uint64_t lo = 0, hi = n - 1;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo + 1) / 2;
        if (cum[mid] <= pos)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* The value of column on_col of the same row, for the kinds that depend on another column
 * (switch, dep); NULL past GEN_MAX_DEPTH nested lookups. */
static inline void gk_eval_on(gen_ctx *cx, int ti, int on_col, uint64_t key, gval *on)
{
    cx->depth++;
    if (cx->depth < GEN_MAX_DEPTH)
        gen_eval_col(cx, ti, on_col, key, on);
    else
        on->kind = V_NULL;
    cx->depth--;
}

/* gen.c: the parse-time helpers that more than one kind shares (the one home of their
 * error texts). Each returns 0, or ST_EINPUT/ST_ENOMEM with err naming the field path.
 *
 * gk_parse_on: key "on" (required) of the generator at p, a column of the same table or,
 * when pseudo_ok, $rank, $rank_frac, $row_frac, into g->on_col / g->on_pseudo. Unless
 * self_ok, a column naming itself is refused here (else the cycle check names it later). */
int gk_parse_on(const gparse *p, int pseudo_ok, int self_ok, gen *g, char *err);
/* gk_parse_table: keys "table" (required or not) and "column" (default: the table's first
 * column) into *table / *col, for the kinds that read a row of another table (ref, activity,
 * distinct). The table must be an ordinary one. Absent and optional: *table stays -1. */
int gk_parse_table(const gparse *p, int required, int *table, int *col, char *err);

static inline char *arena_alloc(gen_ctx *cx, size_t n)
{
    if (cx->used + n > GEN_ARENA_BYTES)
        return NULL;
    char *p = cx->arena + cx->used;
    cx->used += n;
    return p;
}

static inline size_t put_u64(char *dst, uint64_t v)
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

#endif
