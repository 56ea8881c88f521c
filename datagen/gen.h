/*
 * gen.h -- evaluating a shape's generators: the value of (table, column) at a row key.
 *
 * Design: every value is a pure function of (seed, table, column, row key). A column's draws
 * for one row come from its own counter-based stream rng_mix(column stream, key), so no state
 * is carried from row to row and any row can be computed alone, in any order, on any thread
 * (TPC-DS dsdgen's per-column streams). Dependent generators (switch, group, ref, parent)
 * recompute the other column at the same or the parent's key.
 *
 * The context holds the only mutable state: an arena for text values of the current row.
 * One context per thread; gen_ctx_reset() between rows. Text in a returned gval points into
 * the arena (or into the shape) and is valid until the next reset.
 */
#ifndef DG_GEN_H
#define DG_GEN_H

#include "shape.h"

#define GEN_ARENA_BYTES (4u * 1024u * 1024u)

#define GEN_CACHE 16

/* A value computed for the current row, kept so that a column other generators depend on
 * (switch, group, ref) is evaluated once per row. */
typedef struct gen_memo {
    int ti, ci;
    uint64_t key;
    gval v;
} gen_memo;

typedef struct gen_ctx {
    const shape *sh;
    uint64_t seed;
    char *arena;
    size_t used;
    int depth;
    int nmemo;
    gen_memo memo[GEN_CACHE];
} gen_ctx;

/* Returns 0 or ST_ENOMEM. gen_ctx_term releases the arena. */
int gen_ctx_init(gen_ctx *cx, const shape *sh, uint64_t seed);
void gen_ctx_term(gen_ctx *cx);
static inline void gen_ctx_reset(gen_ctx *cx)
{
    cx->used = 0;
    cx->nmemo = 0;
}

/* The value of column ci of table ti at row key `key` (never fails; NULL for a NULL). */
void gen_eval_col(gen_ctx *cx, int ti, int ci, uint64_t key, gval *out);

/* Row key of line `line` (1-based) of parent row prow in a child table. */
static inline uint64_t gen_child_key(uint64_t prow, uint64_t line)
{
    return (prow << 16) | (line - 1);
}

/* The table row holding popularity rank `rank` (1-based), and back. */
uint64_t gen_rank_row(const stable *t, uint64_t rank);
uint64_t gen_row_rank(const stable *t, uint64_t row);

#endif
