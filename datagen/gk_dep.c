/*
 * gk_dep.c -- the `dep` generator kind: a column that depends on another column of the same
 * row, the way PostgreSQL's extended statistics see it (CREATE STATISTICS ... dependencies,
 * ndistinct; docs/formats/shape.md, "Extended statistics").
 *
 * Design: `{"kind": "dep", "on": "zip", "degree": d, "per": m, "gen": G}`. The value v of
 * `on` in the same row is hashed with the column's stream. For a share d of the distinct
 * values of `on` (decided by that hash alone, so for all their rows at once) the column
 * takes G evaluated at a key derived from v (and, when m > 1, from one of m slots drawn per
 * row): every row with that v gets the same value (m = 1), or one of at most m values. For
 * the other values of `on`, and for NULLs, G is drawn for the row as usual. PostgreSQL's
 * functional-dependency degree is the share of rows in groups of `on` whose column has a
 * single value, so a share d of the groups gives degree about d (a bit more: groups seen
 * once in ANALYZE's sample count as consistent); an ndistinct of the pair is about
 * n_distinct(on) x m.
 *
 * Invariants: a pure function of (seed, table, column, row key) like every kind: the mapped
 * value depends on v only, and v on the row key, so --jobs and --part give the same bytes.
 * The column's own n_distinct must be off (its key folding would evaluate `on` at another
 * row); parse refuses it. `values` N stands in for it: both the mapped and the other rows
 * are drawn at one of N keys, so the column keeps at most N distinct values.
 */
#include "gen_int.h"
#include "shape_int.h"

#include <stdlib.h>

#include "jsonio.h"

#define DEP_SALT 0x44455044ull /* "DEPD": the stream of the per-value decision */

static int parse_dep(const gparse *p, gen *g, char *err)
{
    const stable *t = &p->sh->t[p->ti];
    json_t *jg;
    char q[400];
    int64_t per = 1;
    int rc;
    if ((rc = gk_parse_on(p, 0, 0, g, err)))
        return rc;
    if ((rc = jv_number(p->jg, p->path, "degree", 1, 0, 1, &g->p1, err)) ||
        (rc = jv_int(p->jg, p->path, "per", 0, 1, 1000000, &per, err)) ||
        (rc = jv_int(p->jg, p->path, "values", 0, 1, INT64_C(1) << 40, &g->i2, err)))
        return rc;
    g->i1 = per;
    if (t->cols[p->ci].n_distinct != 0)
        return st_err(err, ST_EINPUT,
                      "%s: a dep column cannot have n_distinct (use per to bound the pairs)",
                      p->path);
    if ((rc = jv_object(p->jg, p->path, "gen", 1, &jg, err)))
        return rc;
    jv_key(q, sizeof q, p->path, "gen");
    return sh_parse_gen(p->sh, p->ti, p->ci, jg, q, &g->els, err);
}

/* The hash of a value as the column's type prints it: an integer column's 3.4 and 3.2 are
 * both 3, a numeric(p,s) value counts to s decimals, so equal printed values map alike. */
static uint64_t dep_hash(const scol *c, const gval *v)
{
    gval w = *v;
    if (v->kind == V_NUM && is_int_type(c->ctype)) {
        w.kind = V_INT;
        w.i = (int64_t)llround(v->d);
    } else if (v->kind == V_NUM && c->ctype == CT_NUMERIC) {
        w.kind = V_INT;
        w.i = (int64_t)llround(v->d * pow(10, c->scale > 0 && c->scale < 18 ? c->scale : 0));
    }
    return hash_val(&w);
}

static void eval_dep(gen_ctx *cx, int ti, int ci, const gen *g, uint64_t key, rng_stream *s,
                     gval *out)
{
    const stable *t = &cx->sh->t[ti];
    const scol *c = &t->cols[ci];
    gval on;
    gk_eval_on(cx, ti, g->on_col, key, &on);
    uint64_t h = on.kind == V_NULL ? 0 : rng_mix(c->stream, dep_hash(&t->cols[g->on_col], &on));
    uint64_t k2;
    if (on.kind == V_NULL || u01(rng_mix(h, DEP_SALT)) >= g->p1) {
        if (!g->i2) {
            gen_eval(cx, ti, ci, g->els, key, s, out);
            return;
        }
        /* `values` caps the value set as a column's n_distinct does (gen.c's folding). */
        k2 = rng_mix(rng_mix(c->stream, 0x4e444953ull), key) % (uint64_t)g->i2;
    } else {
        /* The slot is drawn from the row's own stream: rows of one value spread over m
         * keys. Keys stay below 2^40 so that every generator sees an ordinary row key. */
        k2 = g->i1 > 1 ? rng_mix(h, rng_below(s, (uint64_t)g->i1)) : h;
        k2 = g->i2 ? k2 % (uint64_t)g->i2 : k2 >> 24;
    }
    rng_stream s2;
    rng_stream_init(&s2, cx->seed, rng_mix(c->stream, k2));
    gen_eval(cx, ti, ci, g->els, k2, &s2, out);
}

/* clang-format off */
const gkind_def gk_dep = {"dep", (const char *const[]){"kind", "on", "degree", "per", "values", "gen", NULL},
                          parse_dep, NULL, NULL, eval_dep};
/* clang-format on */
