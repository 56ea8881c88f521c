/*
 * gk_ref.c -- generator kinds that draw from other values: categorical (a weighted list,
 * with an optional `rest` generator), ref (a column of another table at a drawn row),
 * parent (a column of the parent row), line (the line number in a child table) and switch
 * (a generator chosen by a condition on another column). Each kind's parse, resolve and
 * eval sit together, then its row of gen_kind.h.
 */
#include "gen_int.h"
#include "shape_int.h"

#include <stdlib.h>

#include "jsonio.h"

/* ---- categorical */
static int cat_weights(const gparse *p, gen *g, double *wt, char *err)
{
    char q[400];
    int rc;
    json_t *w = json_object_get(p->jg, "weights"), *rest = json_object_get(p->jg, "rest");
    jv_key(q, sizeof q, p->path, "weights");
    if (!w) {
        for (size_t i = 0; i < g->nvals; i++)
            wt[i] = 1;
    } else if ((rc = sh_weights(w, q, g->nvals, wt, err)))
        return rc;
    if (rest) {
        double sum = 0;
        for (size_t i = 0; i < g->nvals; i++)
            sum += wt[i];
        if (sum > 1 + 1e-9)
            return st_err(
                err, ST_EINPUT,
                "%s: with rest, the weights are frequencies and must sum to <= 1 (sum %.4g)", q,
                sum);
        g->rest_p = sum >= 1 ? 0 : 1 - sum;
        jv_key(q, sizeof q, p->path, "rest");
        if ((rc = sh_parse_gen(p->sh, p->ti, p->ci, rest, q, &g->rest, err)))
            return rc;
    }
    g->alias = rng_alias_new(wt, g->nvals, err);
    if (!g->alias)
        return st_err(err, ST_EINPUT, "%s: bad weights", q);
    return 0;
}

static int parse_categorical(const gparse *p, gen *g, char *err)
{
    char q[400];
    int rc;
    json_t *vals = json_object_get(p->jg, "values");
    jv_key(q, sizeof q, p->path, "values");
    if (!json_is_array(vals) || json_array_size(vals) == 0 || json_array_size(vals) > 1000000)
        return st_err(err, ST_EINPUT, "%s: expected a non-empty array", q);
    g->nvals = json_array_size(vals);
    g->vals = calloc(g->nvals, sizeof(gval));
    double *wt = malloc(g->nvals * sizeof(double));
    if (!g->vals || !wt) {
        free(wt);
        return st_err(err, ST_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < g->nvals; i++) {
        char r[420];
        jv_path(r, sizeof r, q, i);
        if ((rc = sh_parse_value(json_array_get(vals, i), p->ct, r, &g->vals[i], err))) {
            free(wt);
            return rc;
        }
    }
    rc = cat_weights(p, g, wt, err);
    free(wt);
    return rc;
}

static void eval_categorical(gen_ctx *cx, int ti, int ci, const gen *g, uint64_t key, rng_stream *s,
                             gval *out)
{
    if (g->rest && rng_uniform(s) < g->rest_p) {
        gen_eval(cx, ti, ci, g->rest, key, s, out);
        return;
    }
    *out = g->vals[rng_alias_draw(g->alias, s)];
}

/* clang-format off */
const gkind_def gk_categorical = {"categorical",
                                  (const char *const[]){"kind", "values", "weights", "rest", NULL},
                                  parse_categorical, NULL, NULL, eval_categorical};
/* clang-format on */

/* ---- ref: uniform, zipf, popular (the table's popularity) or cycle (row key / div) */
static int parse_div_tables(const gparse *p, gen *g, char *err)
{
    char q[400];
    json_t *dt = json_object_get(p->jg, "div_tables");
    if (!dt)
        return 0;
    jv_key(q, sizeof q, p->path, "div_tables");
    if (!json_is_array(dt) || json_array_size(dt) > 4)
        return st_err(err, ST_EINPUT, "%s: expected up to 4 table names", q);
    for (size_t k = 0; k < json_array_size(dt); k++) {
        json_t *x = json_array_get(dt, k);
        int ix = json_is_string(x) ? shape_table_index(p->sh, json_string_value(x)) : -1;
        if (ix < 0)
            return st_err(err, ST_EINPUT, "%s[%zu]: expected the name of a table in the shape", q,
                          k);
        g->div_tables[g->ndiv_tables++] = ix;
    }
    return 0;
}

static int parse_ref(const gparse *p, gen *g, char *err)
{
    const char *path = p->path;
    json_t *jg = p->jg;
    static const char *const dists[] = {"uniform", "zipf", "popular", "cycle", NULL};
    int64_t div = 1;
    int rc;
    if ((rc = gk_parse_table(p, 1, &g->ref_table, &g->ref_col, err)) ||
        (rc = jv_enum(jg, path, "dist", 0, dists, &g->ref_dist, err)) ||
        (rc = jv_int(jg, path, "div", 0, 1, INT64_MAX / 4, &div, err)))
        return rc;
    g->ref_div = g->ref_div0 = (uint64_t)div;
    if ((rc = parse_div_tables(p, g, err)))
        return rc;
    const stable *rt = &p->sh->t[g->ref_table];
    if (g->ref_dist == RD_ZIPF) {
        if ((rc = jv_number(jg, path, "s", 1, -INFINITY, INFINITY, &g->ref_s, err)))
            return rc;
        if (!(g->ref_s > 0) || g->ref_s > 20)
            return st_err(err, ST_EINPUT, "%s.s: must be > 0", path);
    }
    if (g->ref_dist == RD_POPULAR && !rt->has_pop)
        return st_err(err, ST_EINPUT, "%s.dist: table '%s' has no popularity", path, rt->name);
    return 0;
}

int gk_ref_rows_check(const shape *sh, const stable *t, const gen *g, char *err)
{
    const stable *rt = &sh->t[g->ref_table];
    if (rt->rows == 0)
        return st_err(err, ST_EINPUT,
                      "tables[%d].rows: table '%s' has 0 rows (after --scale and --rows), but '%s' "
                      "references it",
                      g->ref_table, rt->name, t->name);
    return 0;
}

/* Against the final row counts: the Zipf constants and the cycle divisor. */
static int resolve_ref(shape *sh, stable *t, const scol *c, gen *g, char *err)
{
    (void)c;
    const stable *rt = &sh->t[g->ref_table];
    if (gk_ref_rows_check(sh, t, g, err))
        return ST_EINPUT;
    if (g->ref_dist == RD_ZIPF && rng_zipf_init(&g->ref_z, rt->rows, g->ref_s, err))
        return ST_EINPUT;
    g->ref_div = g->ref_div0;
    for (size_t k = 0; k < g->ndiv_tables; k++) {
        uint64_t r = sh->t[g->div_tables[k]].rows;
        g->ref_div *= r ? r : 1;
    }
    return 0;
}

static void eval_ref(gen_ctx *cx, int ti, int ci, const gen *g, uint64_t key, rng_stream *s,
                     gval *out)
{
    (void)ti, (void)ci;
    const stable *rt = &cx->sh->t[g->ref_table];
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
}

/* clang-format off */
const gkind_def gk_ref = {
    "ref", (const char *const[]){"kind", "table", "column", "dist", "s", "div", "div_tables", NULL},
    parse_ref, resolve_ref, NULL, eval_ref};
/* clang-format on */

/* ---- parent: a column of this child row's parent row */
static int parse_parent(const gparse *p, gen *g, char *err)
{
    const stable *t = &p->sh->t[p->ti];
    const char *cn;
    int rc;
    if (t->parent < 0)
        return st_err(err, ST_EINPUT, "%s: 'parent' needs a child table (parent)", p->path);
    if ((rc = jv_string(p->jg, p->path, "column", 1, &cn, err)))
        return rc;
    g->ref_table = t->parent;
    g->ref_col = shape_col_index(&p->sh->t[t->parent], cn);
    if (g->ref_col < 0)
        return st_err(err, ST_EINPUT, "%s.column: no column '%s' in table '%s'", p->path, cn,
                      p->sh->t[t->parent].name);
    return 0;
}

static void eval_parent(gen_ctx *cx, int ti, int ci, const gen *g, uint64_t key, rng_stream *s,
                        gval *out)
{
    (void)ti, (void)ci, (void)s;
    if (cx->depth >= GEN_MAX_DEPTH) {
        out->kind = V_NULL;
        return;
    }
    cx->depth++;
    gen_eval_col(cx, g->ref_table, g->ref_col, key >> 16, out);
    cx->depth--;
}

/* clang-format off */
const gkind_def gk_parent = {"parent", (const char *const[]){"kind", "column", NULL},
                             parse_parent, NULL, NULL, eval_parent};
/* clang-format on */

/* ---- line: 1, 2, ... within a parent row */
static int parse_line(const gparse *p, gen *g, char *err)
{
    (void)g;
    if (p->sh->t[p->ti].parent < 0)
        return st_err(err, ST_EINPUT, "%s: 'line' needs a child table (parent)", p->path);
    return 0;
}

static void eval_line(gen_ctx *cx, int ti, int ci, const gen *g, uint64_t key, rng_stream *s,
                      gval *out)
{
    (void)cx, (void)ti, (void)ci, (void)g, (void)s;
    out->kind = V_INT;
    out->i = (int64_t)(key & 0xffff) + 1;
}

/* clang-format off */
const gkind_def gk_line = {"line", (const char *const[]){"kind", NULL}, parse_line, NULL, NULL,
                           eval_line};
/* clang-format on */

/* ---- switch: the first case whose condition holds on column `on`, else `else` */
static int parse_case(const gparse *p, gen *g, json_t *jc, const char *cp, int on_ct, gcase *gc,
                      char *err)
{
    static const char *const ck[] = {"when", "gen", NULL};
    static const char *const ops[] = {"lt", "le", "gt", "ge", "eq", "in", NULL};
    json_t *when, *cg;
    char wp[440], vp[460], gp[460];
    int rc;
    (void)g;
    if (!json_is_object(jc))
        return st_err(err, ST_EINPUT, "%s: expected an object", cp);
    if ((rc = jv_no_unknown(jc, cp, ck, err)) || (rc = jv_object(jc, cp, "when", 1, &when, err)) ||
        (rc = jv_object(jc, cp, "gen", 1, &cg, err)))
        return rc;
    jv_key(wp, sizeof wp, cp, "when");
    if (json_object_size(when) != 1)
        return st_err(err, ST_EINPUT, "%s: expected exactly one of lt, le, gt, ge, eq, in", wp);
    const char *op = json_object_iter_key(json_object_iter(when));
    json_t *x = json_object_iter_value(json_object_iter(when));
    int opi = -1;
    for (int k = 0; ops[k]; k++)
        if (!strcmp(op, ops[k]))
            opi = k;
    if (opi < 0)
        return st_err(err, ST_EINPUT, "%s.%s: unknown condition (use lt, le, gt, ge, eq, in)", wp,
                      op);
    gc->op = opi;
    jv_key(vp, sizeof vp, wp, op);
    if (opi == OP_IN) {
        if (!json_is_array(x) || json_array_size(x) == 0)
            return st_err(err, ST_EINPUT, "%s: expected a non-empty array", vp);
        gc->nvals = json_array_size(x);
    } else
        gc->nvals = 1;
    gc->vals = calloc(gc->nvals, sizeof(gval));
    if (!gc->vals)
        return st_err(err, ST_ENOMEM, "out of memory");
    for (size_t k = 0; k < gc->nvals; k++)
        if ((rc = sh_parse_value(opi == OP_IN ? json_array_get(x, k) : x, on_ct, vp, &gc->vals[k],
                                 err)))
            return rc;
    jv_key(gp, sizeof gp, cp, "gen");
    return sh_parse_gen(p->sh, p->ti, p->ci, cg, gp, &gc->g, err);
}

static int parse_switch(const gparse *p, gen *g, char *err)
{
    const stable *t = &p->sh->t[p->ti];
    json_t *cases, *els;
    char q[400];
    int rc;
    if ((rc = gk_parse_on(p, 1, 1, g, err)))
        return rc;
    int on_ct = g->on_col >= 0 ? t->cols[g->on_col].ctype : CT_FLOAT8;
    if ((rc = jv_array(p->jg, p->path, "cases", 1, &cases, err)))
        return rc;
    g->ncases = json_array_size(cases);
    g->cases = calloc(g->ncases + 1, sizeof(gcase));
    if (!g->cases)
        return st_err(err, ST_ENOMEM, "out of memory");
    for (size_t i = 0; i < g->ncases; i++) {
        char cp[420];
        jv_key(q, sizeof q, p->path, "cases");
        jv_path(cp, sizeof cp, q, i);
        if ((rc = parse_case(p, g, json_array_get(cases, i), cp, on_ct, &g->cases[i], err)))
            return rc;
    }
    if ((rc = jv_object(p->jg, p->path, "else", 1, &els, err)))
        return rc;
    jv_key(q, sizeof q, p->path, "else");
    return sh_parse_gen(p->sh, p->ti, p->ci, els, q, &g->els, err);
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

static void eval_switch(gen_ctx *cx, int ti, int ci, const gen *g, uint64_t key, rng_stream *s,
                        gval *out)
{
    const stable *t = &cx->sh->t[ti];
    gval on;
    if (g->on_pseudo == PS_RANK || g->on_pseudo == PS_RANK_FRAC) {
        uint64_t r = gen_row_rank(t, key);
        on.kind = V_NUM;
        on.d = g->on_pseudo == PS_RANK ? (double)r : (double)(r - 1) / (double)t->rows;
    } else if (g->on_pseudo == PS_ROW_FRAC) {
        on.kind = V_NUM;
        on.d = row_pos(t, key);
    } else
        gk_eval_on(cx, ti, g->on_col, key, &on);
    const gen *pick = g->els;
    for (size_t i = 0; i < g->ncases; i++)
        if (case_holds(&g->cases[i], &on)) {
            pick = g->cases[i].g;
            break;
        }
    gen_eval(cx, ti, ci, pick, key, s, out);
}

/* clang-format off */
const gkind_def gk_switch = {"switch", (const char *const[]){"kind", "on", "cases", "else", NULL},
                             parse_switch, NULL, NULL, eval_switch};
/* clang-format on */
