/*
 * shape_resolve.c -- the checks and preparation of a parsed shape that span generators and
 * tables: unique-capable generators, dependency cycles, resolving each generator through its
 * kind (gen_kind.h) against the final row counts, the tabulated permutations of popular
 * tables, and freeing generators.
 */
#include "gen_kind.h"
#include "shape_int.h"

#include <stdlib.h>
#include <string.h>

int sh_gen_unique(const stable *t, const gen *g)
{
    (void)t;
    const gkind_def *def = gk_def(g->kind);
    return def && def->unique && def->unique(g);
}

const char *sh_gen_name(int kind)
{
    const gkind_def *def = gk_def(kind);
    return def ? def->name : "?";
}

/* The walks below follow the generator fields (ref_table, on_col, cases, else, rest), not
 * the kinds: a kind that sets them takes part without being named here. */
/* Depth-first search over (table, column) dependencies; state 1 = on the stack. */
static int dfs(const shape *sh, int ti, int ci, unsigned char *state, char *err);

static int dfs_gen(const shape *sh, int ti, const gen *g, unsigned char *state, char *err)
{
    if (!g)
        return 0;
    int rc;
    if (g->ref_table >= 0 && g->ref_col >= 0 &&
        (rc = dfs(sh, g->ref_table, g->ref_col, state, err)))
        return rc;
    if (g->group_col >= 0 && (rc = dfs(sh, ti, g->group_col, state, err)))
        return rc;
    if (g->on_col >= 0 && (rc = dfs(sh, ti, g->on_col, state, err)))
        return rc;
    for (size_t i = 0; i < g->ncases; i++)
        if ((rc = dfs_gen(sh, ti, g->cases[i].g, state, err)))
            return rc;
    if ((rc = dfs_gen(sh, ti, g->els, state, err)))
        return rc;
    return dfs_gen(sh, ti, g->rest, state, err);
}

static int dfs(const shape *sh, int ti, int ci, unsigned char *state, char *err)
{
    size_t id = (size_t)ti * SHAPE_MAX_COLS + (size_t)ci;
    if (state[id] == 2)
        return 0;
    if (state[id] == 1)
        return st_err(err, ST_EINPUT,
                      "tables[%d].columns[%d].gen: column '%s.%s' depends on itself", ti, ci,
                      sh->t[ti].name, sh->t[ti].cols[ci].name);
    state[id] = 1;
    int rc = dfs_gen(sh, ti, sh->t[ti].cols[ci].g, state, err);
    state[id] = 2;
    return rc;
}

int sh_check_cycles(const shape *sh, char *err)
{
    unsigned char *state = calloc(sh->nt * SHAPE_MAX_COLS, 1);
    if (!state)
        return st_err(err, ST_ENOMEM, "out of memory");
    int rc = 0;
    for (size_t t = 0; t < sh->nt && !rc; t++)
        for (size_t c = 0; c < sh->t[t].ncols && !rc; c++)
            rc = dfs(sh, (int)t, (int)c, state, err);
    free(state);
    return rc;
}

/* Pass 0 resolves every kind but the `late` ones, pass 1 only those (they evaluate other
 * columns, which must be resolved first). */
static int resolve_gen(shape *sh, stable *t, const scol *c, gen *g, int pass, char *err)
{
    if (!g)
        return 0;
    const gkind_def *def = gk_def(g->kind);
    if (def && def->resolve && gk_late(g->kind) == pass) {
        int rc = def->resolve(sh, t, c, g, err);
        if (rc)
            return rc;
    }
    int rc;
    if ((rc = resolve_gen(sh, t, c, g->rest, pass, err)) ||
        (rc = resolve_gen(sh, t, c, g->els, pass, err)))
        return rc;
    for (size_t i = 0; i < g->ncases; i++)
        if ((rc = resolve_gen(sh, t, c, g->cases[i].g, pass, err)))
            return rc;
    return 0;
}

/* Marks which permutation tables the generators will use. */
static void mark_needs(const shape *sh, int ti, const gen *g, unsigned char *fwd,
                       unsigned char *inv)
{
    if (!g)
        return;
    if (g->ref_table >= 0 && (g->ref_dist == RD_ZIPF || g->ref_dist == RD_POPULAR))
        fwd[g->ref_table] = 1;
    if (g->on_pseudo == PS_RANK || g->on_pseudo == PS_RANK_FRAC)
        inv[ti] = 1;
    mark_needs(sh, ti, g->rest, fwd, inv);
    mark_needs(sh, ti, g->els, fwd, inv);
    for (size_t i = 0; i < g->ncases; i++)
        mark_needs(sh, ti, g->cases[i].g, fwd, inv);
}

/* Marks the columns other generators read, so only their values are memoized per row. */
static void mark_depended(shape *sh, int ti, const gen *g)
{
    if (!g)
        return;
    if (g->ref_table >= 0 && g->ref_col >= 0)
        sh->t[g->ref_table].cols[g->ref_col].depended = 1;
    if (g->group_col >= 0)
        sh->t[ti].cols[g->group_col].depended = 1;
    if (g->on_col >= 0)
        sh->t[ti].cols[g->on_col].depended = 1;
    mark_depended(sh, ti, g->rest);
    mark_depended(sh, ti, g->els);
    for (size_t i = 0; i < g->ncases; i++)
        mark_depended(sh, ti, g->cases[i].g);
}

static int build_tables(shape *sh, char *err)
{
    for (size_t i = 0; i < sh->nt; i++)
        for (size_t c = 0; c < sh->t[i].ncols; c++)
            mark_depended(sh, (int)i, sh->t[i].cols[c].g);
    unsigned char fwd[SHAPE_MAX_TABLES] = {0}, inv[SHAPE_MAX_TABLES] = {0};
    for (size_t i = 0; i < sh->nt; i++)
        for (size_t c = 0; c < sh->t[i].ncols; c++)
            mark_needs(sh, (int)i, sh->t[i].cols[c].g, fwd, inv);
    for (size_t i = 0; i < sh->nt; i++) {
        stable *t = &sh->t[i];
        free(t->rank_row);
        free(t->row_rank);
        t->rank_row = t->row_rank = NULL;
        if (t->rows == 0 || t->rows > SHAPE_PERM_TABLE || t->parent >= 0)
            continue;
        if (fwd[i] && !(t->rank_row = malloc(t->rows * sizeof(uint32_t))))
            return st_err(err, ST_ENOMEM, "out of memory");
        if (inv[i] && !(t->row_rank = malloc(t->rows * sizeof(uint32_t))))
            return st_err(err, ST_ENOMEM, "out of memory");
        for (uint64_t r = 0; (fwd[i] || inv[i]) && r < t->rows; r++) {
            uint64_t row = rng_permute(r, t->rows, t->pop_key);
            if (t->rank_row)
                t->rank_row[r] = (uint32_t)row;
            if (t->row_rank)
                t->row_rank[row] = (uint32_t)r;
        }
    }
    return 0;
}

int sh_resolve_gens(shape *sh, char *err)
{
    int brc = build_tables(sh, err);
    if (brc)
        return brc;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < sh->nt; i++) {
            stable *t = &sh->t[i];
            if (t->rows == 0)
                continue;
            for (size_t c = 0; c < t->ncols; c++) {
                int rc = resolve_gen(sh, t, &t->cols[c], t->cols[c].g, pass, err);
                if (rc)
                    return rc;
            }
        }
    return 0;
}

static void free_val(gval *v)
{
    if (v->kind == V_TEXT)
        free((char *)v->s);
}

void sh_gen_free(gen *g)
{
    if (!g)
        return;
    free_val(&g->cval);
    for (size_t i = 0; g->vals && i < g->nvals; i++)
        free_val(&g->vals[i]);
    free(g->vals);
    free(g->ptab);
    rng_alias_free(g->alias);
    sh_gen_free(g->rest);
    free(g->bounds);
    free(g->warp);
    for (size_t i = 0; g->pieces && i < g->npieces; i++)
        free(g->pieces[i].lit);
    free(g->pieces);
    for (size_t i = 0; g->words && i < g->nwords; i++)
        free(g->words[i]);
    free(g->words);
    free(g->soup);
    free(g->starts);
    for (size_t i = 0; g->cases && i < g->ncases; i++) {
        for (size_t k = 0; g->cases[i].vals && k < g->cases[i].nvals; k++)
            free_val(&g->cases[i].vals[k]);
        free(g->cases[i].vals);
        sh_gen_free(g->cases[i].g);
    }
    free(g->cases);
    sh_gen_free(g->els);
    gk_activity_free(g->act);
    gk_distinct_free(g->dist);
    free(g);
}
