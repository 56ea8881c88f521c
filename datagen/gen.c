/*
 * gen.c -- generator evaluation (see gen.h): NULL fraction and n_distinct folding of the row
 * key, the column's per-row stream, then the generator's kind row (gen_kind.h) computes the
 * value. The kinds themselves are in gk_*.c.
 */
#include "gen.h"
#include "gen_int.h"

#include <stdlib.h>

#include "jsonio.h"
#include "shape_int.h"

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

/* Inline on the per-value path: fill calls this chain for every column of every row, and
 * the calls themselves were a tenth of its instructions. */
static inline void eval_gen(gen_ctx *cx, int ti, int ci, const gen *g, uint64_t key, rng_stream *s,
                            gval *out)
{
    out->kind = V_NUM;
    out->s = NULL;
    out->len = 0;
    if (g->kind < 0 || g->kind >= G_NKINDS || !gk_kinds[g->kind]) {
        out->kind = V_NULL;
        return;
    }
    gk_kinds[g->kind]->eval(cx, ti, ci, g, key, s, out);
}

void gen_eval(gen_ctx *cx, int ti, int ci, const gen *g, uint64_t key, rng_stream *s, gval *out)
{
    eval_gen(cx, ti, ci, g, key, s, out);
}

#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline void
eval_col(gen_ctx *cx, int ti, int ci, uint64_t key, gval *out);

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

static inline void eval_col(gen_ctx *cx, int ti, int ci, uint64_t key, gval *out)
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
        /* A permutation of the rows, then mod k: exactly min(k, rows) keys, each about
         * rows/k times. A hash mod k would reach only 1 - 1/e of them when k is near rows
         * (a near-unique column came out with half its distinct values). */
        key = rng_permute(key, t->rows, rng_mix(c->stream, 0x4e444953ull)) % k;
    }
    rng_stream s;
    rng_stream_init(&s, cx->seed, rng_mix(c->stream, key));
    eval_gen(cx, ti, ci, c->g, key, &s, out);
}

int gk_parse_on(const gparse *p, int pseudo_ok, int self_ok, gen *g, char *err)
{
    const char *on;
    char q[400];
    int rc;
    if ((rc = jv_string(p->jg, p->path, "on", 1, &on, err)))
        return rc;
    jv_key(q, sizeof q, p->path, "on");
    if ((rc = sh_col_ref(p->sh, p->ti, on, q, pseudo_ok, &g->on_col, &g->on_pseudo, err)))
        return rc;
    if (!self_ok && g->on_col == p->ci)
        return st_err(err, ST_EINPUT, "%s: a column cannot depend on itself", q);
    return 0;
}

int gk_parse_table(const gparse *p, int required, int *table, int *col, char *err)
{
    const char *tn = NULL, *cn = NULL;
    int rc;
    if ((rc = jv_string(p->jg, p->path, "table", required, &tn, err)) ||
        (rc = jv_string(p->jg, p->path, "column", 0, &cn, err)))
        return rc;
    if (!tn)
        return cn ? st_err(err, ST_EINPUT, "%s.column: needs \"table\"", p->path) : 0;
    *table = shape_table_index(p->sh, tn);
    if (*table < 0)
        return st_err(err, ST_EINPUT, "%s.table: no table '%s' in the shape", p->path, tn);
    const stable *rt = &p->sh->t[*table];
    if (rt->parent >= 0)
        return st_err(err, ST_EINPUT, "%s.table: '%s' is a child table; refer to an ordinary table",
                      p->path, tn);
    *col = cn ? shape_col_index(rt, cn) : 0;
    if (*col < 0)
        return st_err(err, ST_EINPUT, "%s.column: no column '%s' in table '%s'", p->path, cn, tn);
    return 0;
}
