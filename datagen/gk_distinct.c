/*
 * gk_distinct.c -- the `distinct` generator kind: the second column of a key made of two
 * references (a junction table's (playlist_id, track_id)), drawn without replacement within
 * each run of equal values of the first column, so the pair is unique by construction while
 * both columns keep their skew (docs/formats/shape.md, "distinct").
 *
 * Design. At resolve (after every other generator's, gen_kind.h gk_late):
 *   1. the `of` column is evaluated in row order and cut into runs of equal values; each run
 *      must hold a value of its own (a value split over two runs could repeat a pair), so the
 *      `of` column must lay its values in runs (sorted runs, a `ref` cycle, or an inverse-CDF
 *      generator with correlation 1): otherwise the fill is refused, naming the field;
 *   2. the nested `gen` (the column's own marginal) is evaluated at every row key and its
 *      values tallied: value v would appear t_v times, sum N (the table's rows). The values
 *      are ordered by count, the most frequent first;
 *   3. each run of k rows draws k distinct values with probability proportional to t_v
 *      (systematic sampling with certainty units, Hansen and Hurwitz 1943; Madow 1949): the
 *      first m values in count order whose share makes them certain (t_v (k - m) >= the rest
 *      of the counts) are taken, and the other k - m rows take points spaced R / (k - m)
 *      apart on the line of the remaining counts (total R), from an offset drawn per run.
 *      Each remaining value spans t_v (k - m) < R on that line, so no two points fall on one
 *      value: distinct by construction, in exact integer arithmetic. A run longer than the
 *      number of distinct values is refused before any row, naming the field.
 * Without certain values a value's expected count over all runs is t_v exactly, the marginal
 * the nested generator would have given; certain values come out a little below it. When
 * every value is drawn once (t_v = 1: a round robin over as many parents as rows), row r
 * takes the r-th value, so each value stays once in the whole table, as drawn.
 *
 * Memory: 24 bytes per run and per distinct value (text values copied). Time: two passes
 * over the rows at resolve, then two binary searches per value.
 */
#include "gen_int.h"
#include "shape_int.h"

#include <stdlib.h>

#include "fmt.h"
#include "jsonio.h"

#define DIST_MAX_RUNS (1u << 24)
#define DIST_MAX_VALUES (1u << 26)

struct gk_dist {
    uint64_t *start; /* run r holds rows [start[r], start[r + 1]); start[nruns] = rows */
    uint64_t *m;     /* certain values of run r */
    uint64_t *off;   /* run r's offset on the line of the remaining counts */
    size_t nruns;
    gval *vals;    /* distinct values of the nested generator, most frequent first */
    uint64_t *cum; /* cum[i] = counts of vals[0 .. i-1]; cum[nvals] = rows */
    size_t nvals;
    uint64_t rows;
};

void gk_distinct_free(struct gk_dist *d)
{
    if (!d)
        return;
    for (size_t i = 0; d->vals && i < d->nvals; i++)
        if (d->vals[i].kind == V_TEXT)
            free((char *)d->vals[i].s);
    free(d->vals);
    free(d->cum);
    free(d->start);
    free(d->m);
    free(d->off);
    free(d);
}

static int parse_distinct(const gparse *p, gen *g, char *err)
{
    const stable *t = &p->sh->t[p->ti];
    const char *of;
    json_t *jg;
    char q[400];
    int rc;
    if (t->parent >= 0)
        return st_err(err, ST_EINPUT,
                      "%s: 'distinct' is for ordinary tables (a child table's key is (parent, "
                      "line))",
                      p->path);
    if ((rc = jv_string(p->jg, p->path, "of", 1, &of, err)) ||
        (rc = jv_object(p->jg, p->path, "gen", 1, &jg, err)) ||
        (rc = gk_parse_table(p, 0, &g->ref_table, &g->ref_col, err)))
        return rc;
    g->on_col = shape_col_index(t, of);
    if (g->on_col < 0 || g->on_col == p->ci)
        return st_err(err, ST_EINPUT, "%s.of: expected another column of table '%s'", p->path,
                      t->name);
    jv_key(q, sizeof q, p->path, "gen");
    if ((rc = sh_parse_gen(p->sh, p->ti, p->ci, jg, q, &g->rest, err)))
        return rc;
    if (g->rest->kind == G_DISTINCT)
        return st_err(err, ST_EINPUT, "%s.kind: 'distinct' cannot nest", q);
    /* A nested ref or activity already spans the scaled table: spreading its values again
     * would move the rows it drew. */
    if (g->ref_table >= 0 && (g->rest->kind == G_REF || g->rest->kind == G_ACTIVITY))
        return st_err(err, ST_EINPUT,
                      "%s.table: the nested '%s' already draws rows of '%s'; 'table' is for "
                      "literal values (categorical, histogram)",
                      p->path, sh_gen_name(g->rest->kind), p->sh->t[g->rest->ref_table].name);
    g->dist = calloc(1, sizeof *g->dist);
    return g->dist ? 0 : st_err(err, ST_ENOMEM, "out of memory");
}

/* A value as PostgreSQL will hold it: the text the fill writes for the column (a drawn
 * 10248.4 and 10248.6 are the same integer), hashed; *txt and *len give that text. */
static uint64_t canon(const scol *c, const gval *v, char *tmp, const char **txt, size_t *len)
{
    if (v->kind == V_NULL) {
        *txt = "";
        *len = 0;
        return 0x6e756c6cull;
    }
    *len = fmt_value_text(c, v, tmp, txt);
    gval t = {.kind = V_TEXT, .s = *txt, .len = *len};
    return rng_mix(hash_val(&t), 0x7465787400ull);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Step 1: the runs of the `of` column, each of a value of its own. */
static int find_runs(gen_ctx *cx, int ti, const stable *t, const gen *g, struct gk_dist *d,
                     const char *path, char *err)
{
    size_t cap = 1024;
    uint64_t *hs = malloc(cap * sizeof *hs);
    d->start = malloc((cap + 1) * sizeof *d->start);
    if (!hs || !d->start) {
        free(hs);
        return st_err(err, ST_ENOMEM, "out of memory");
    }
    uint64_t prev = 0;
    int have = 0;
    for (uint64_t r = 0; r < t->rows; r++) {
        gval v;
        char tmp[96];
        const char *txt;
        size_t len;
        gen_ctx_reset(cx);
        gen_eval_col(cx, ti, g->on_col, r, &v);
        uint64_t h = canon(&t->cols[g->on_col], &v, tmp, &txt, &len);
        if (have && h == prev)
            continue;
        if (d->nruns == DIST_MAX_RUNS) {
            free(hs);
            return st_err(err, ST_EINPUT,
                          "%s.of: column '%s' of table '%s' changes value more than %u times; "
                          "it must lay its values in runs (sorted runs, a ref cycle, or "
                          "correlation 1)",
                          path, t->cols[g->on_col].name, t->name, DIST_MAX_RUNS);
        }
        if (d->nruns == cap) {
            cap *= 2;
            uint64_t *a = realloc(hs, cap * sizeof *hs), *b = NULL;
            if (a)
                hs = a;
            if (a)
                b = realloc(d->start, (cap + 1) * sizeof *b);
            if (!b) {
                free(hs);
                return st_err(err, ST_ENOMEM, "out of memory");
            }
            d->start = b;
        }
        hs[d->nruns] = h;
        d->start[d->nruns++] = r;
        prev = h;
        have = 1;
    }
    d->start[d->nruns] = t->rows;
    qsort(hs, d->nruns, sizeof *hs, cmp_u64);
    int dup = 0;
    for (size_t i = 1; i < d->nruns && !dup; i++)
        dup = hs[i] == hs[i - 1];
    free(hs);
    if (dup)
        return st_err(err, ST_EINPUT,
                      "%s.of: column '%s' of table '%s' does not lay each value in one run (a "
                      "value comes back after others), so its pairs could repeat; give it sorted "
                      "runs, a ref cycle, or correlation 1",
                      path, t->cols[g->on_col].name, t->name);
    return 0;
}

typedef struct tally {
    gval v;    /* the first value drawn (text owned when `owned`) */
    char *key; /* its canonical text (owned; freed once counted) */
    size_t klen;
    uint64_t h, n, first; /* hash, count, first row (or place, when spread) */
    int owned;
} tally;

static int tally_cmp(const void *a, const void *b)
{
    const tally *x = a, *y = b;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return (x->first > y->first) - (x->first < y->first);
}

static char *dup_bytes(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

/* Doubles the open-addressing table; 0 or ST_ENOMEM. */
static int tally_grow(tally **tab, size_t *cap)
{
    size_t nc = *cap * 2;
    tally *nt = nc > 2 * (size_t)DIST_MAX_VALUES ? NULL : calloc(nc, sizeof *nt);
    if (!nt)
        return ST_ENOMEM;
    for (size_t i = 0; i < *cap; i++)
        if ((*tab)[i].n) {
            size_t k = (size_t)(*tab)[i].h & (nc - 1);
            while (nt[k].n)
                k = (k + 1) & (nc - 1);
            nt[k] = (*tab)[i];
        }
    free(*tab);
    *tab = nt;
    *cap = nc;
    return 0;
}

/* Step 2: the nested generator's values at every row key, counted by canonical text. */
static int tally_values(gen_ctx *cx, int ti, int ci, const gen *g, struct gk_dist *d,
                        const char *path, char *err)
{
    const stable *t = &cx->sh->t[ti];
    const scol *c = &t->cols[ci];
    size_t cap = 1024, n = 0;
    tally *tab = calloc(cap, sizeof *tab);
    if (!tab)
        return st_err(err, ST_ENOMEM, "out of memory");
    int rc = 0;
    for (uint64_t r = 0; r < t->rows && !rc; r++) {
        gval v;
        rng_stream s;
        char tmp[96];
        const char *txt;
        size_t len;
        gen_ctx_reset(cx);
        rng_stream_init(&s, cx->seed, rng_mix(c->stream, r));
        gen_eval(cx, ti, ci, g->rest, r, &s, &v);
        uint64_t h = canon(c, &v, tmp, &txt, &len);
        if (2 * (n + 1) > cap && tally_grow(&tab, &cap)) {
            rc = st_err(err, ST_ENOMEM,
                        "%s.gen: out of memory counting the values of '%s' (%zu so far)", path,
                        c->name, n);
            break;
        }
        size_t k = (size_t)h & (cap - 1);
        while (tab[k].n && (tab[k].h != h || tab[k].klen != len || memcmp(tab[k].key, txt, len)))
            k = (k + 1) & (cap - 1);
        if (!tab[k].n) {
            tab[k] = (tally){.v = v,
                             .key = dup_bytes(txt, len),
                             .klen = len,
                             .h = h,
                             .first = r,
                             .owned = v.kind == V_TEXT};
            if (v.kind == V_TEXT)
                tab[k].v.s = dup_bytes(v.s, v.len);
            tab[k].n = 1;
            n++;
            if (!tab[k].key || (v.kind == V_TEXT && !tab[k].v.s))
                rc = st_err(err, ST_ENOMEM, "out of memory");
            continue;
        }
        tab[k].n++;
    }
    size_t w = 0;
    for (size_t i = 0; i < cap; i++)
        if (tab[i].n) {
            free(tab[i].key);
            tab[w++] = tab[i];
        }
    qsort(tab, w, sizeof *tab, tally_cmp);
    d->vals = malloc((w ? w : 1) * sizeof *d->vals);
    d->cum = malloc((w + 1) * sizeof *d->cum);
    if (!d->vals || !d->cum) {
        for (size_t i = 0; i < w; i++)
            if (tab[i].v.kind == V_TEXT)
                free((char *)tab[i].v.s);
        free(tab);
        return rc ? rc : st_err(err, ST_ENOMEM, "out of memory");
    }
    d->nvals = w;
    d->cum[0] = 0;
    for (size_t i = 0; i < w; i++) {
        d->vals[i] = tab[i].v;
        d->cum[i + 1] = d->cum[i] + tab[i].n;
    }
    free(tab);
    return rc;
}

/* Step 2b, with `table`: the nested generator's literal values stand for rows of that table
 * (the 1x ids of a foreign key's MCVs and histogram). Value v is the row r_v whose `column`
 * gives v among the table's first base_rows (its 1x rows); at --scale s the table has P rows
 * and v's count is split evenly over its copies r_v, r_v + base_rows, ... < P, so the
 * column spans the scaled table with the skew of the source repeated s times. At 1x every
 * value is its one copy and nothing changes. A value the table's first rows do not give
 * stays as it is. */
/* The row of the referenced table that gives each value (UINT64_MAX when none), found by
 * one pass over its first rows with a hash of the values' canonical text. */
static int value_rows(gen_ctx *cx, const scol *c, const gen *g, const struct gk_dist *d,
                      uint64_t scan, uint64_t *row, char *err)
{
    const stable *rt = &cx->sh->t[g->ref_table];
    size_t cap = 16;
    while (cap < 2 * d->nvals)
        cap *= 2;
    uint64_t *hs = malloc(d->nvals * sizeof *hs);
    size_t *slot = calloc(cap, sizeof *slot); /* index + 1 */
    if (!hs || !slot) {
        free(hs);
        free(slot);
        return st_err(err, ST_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < d->nvals; i++) {
        char tmp[96];
        const char *txt;
        size_t len;
        hs[i] = canon(c, &d->vals[i], tmp, &txt, &len);
        size_t k = (size_t)hs[i] & (cap - 1);
        while (slot[k])
            k = (k + 1) & (cap - 1);
        slot[k] = i + 1;
        row[i] = UINT64_MAX;
    }
    size_t found = 0;
    for (uint64_t r = 0; r < scan && found < d->nvals; r++) {
        gval v;
        char tmp[96], tmp2[96];
        const char *txt, *txt2;
        size_t len, len2;
        gen_ctx_reset(cx);
        gen_eval_col(cx, g->ref_table, g->ref_col, r, &v);
        uint64_t h = canon(&rt->cols[g->ref_col], &v, tmp, &txt, &len);
        for (size_t k = (size_t)h & (cap - 1); slot[k]; k = (k + 1) & (cap - 1)) {
            size_t i = slot[k] - 1;
            if (hs[i] != h || row[i] != UINT64_MAX)
                continue;
            canon(c, &d->vals[i], tmp2, &txt2, &len2);
            if (len2 == len && !memcmp(txt, txt2, len)) {
                row[i] = r;
                found++;
                break;
            }
        }
    }
    free(hs);
    free(slot);
    return 0;
}

static int spread_values(gen_ctx *cx, const scol *c, const gen *g, struct gk_dist *d,
                         const char *path, char *err)
{
    const stable *rt = &cx->sh->t[g->ref_table];
    uint64_t p1 = rt->base_rows > 0 ? (uint64_t)rt->base_rows : 1, prow = rt->rows;
    if (!d->nvals || prow <= p1)
        return 0; /* at 1x (or fewer rows) every value is its only copy */
    uint64_t *row = malloc(d->nvals * sizeof *row);
    if (!row)
        return st_err(err, ST_ENOMEM, "out of memory");
    int rc = value_rows(cx, c, g, d, p1, row, err);
    size_t total = 0;
    for (size_t i = 0; !rc && i < d->nvals; i++) {
        uint64_t t = d->cum[i + 1] - d->cum[i];
        uint64_t k = row[i] == UINT64_MAX ? 1 : (prow - 1 - row[i]) / p1 + 1;
        total += (size_t)(k < t ? k : t);
        if (total > DIST_MAX_VALUES)
            rc = st_err(err, ST_EINPUT,
                        "%s.table: spreading the values of '%s' over the %llu rows of '%s' gives "
                        "more than %u values",
                        path, c->name, (unsigned long long)prow, rt->name, DIST_MAX_VALUES);
    }
    tally *sp = rc ? NULL : malloc((total ? total : 1) * sizeof *sp);
    if (!rc && !sp)
        rc = st_err(err, ST_ENOMEM, "out of memory");
    size_t w = 0;
    for (size_t i = 0; !rc && i < d->nvals; i++) {
        uint64_t t = d->cum[i + 1] - d->cum[i];
        uint64_t k = row[i] == UINT64_MAX ? 1 : (prow - 1 - row[i]) / p1 + 1;
        for (uint64_t j = 0; j < k && j < t && !rc; j++) {
            /* Copy 0 keeps the value as drawn; the others are the table's own values. */
            gval v = d->vals[i];
            if (j > 0) {
                gen_ctx_reset(cx);
                gen_eval_col(cx, g->ref_table, g->ref_col, row[i] + j * p1, &v);
                if (v.kind == V_TEXT && !(v.s = dup_bytes(v.s, v.len)))
                    rc = st_err(err, ST_ENOMEM, "out of memory");
            }
            sp[w] = (tally){
                .v = v, .n = t / k + (j < t % k), .first = w, .owned = j > 0 && v.kind == V_TEXT};
            w++;
        }
    }
    free(row);
    if (rc) {
        for (size_t i = 0; sp && i < w; i++)
            if (sp[i].owned)
                free((char *)sp[i].v.s);
        free(sp);
        return rc;
    }
    qsort(sp, w, sizeof *sp, tally_cmp);
    gval *vals = malloc(w * sizeof *vals);
    uint64_t *cum = malloc((w + 1) * sizeof *cum);
    if (!vals || !cum) {
        free(vals);
        free(cum);
        for (size_t i = 0; i < w; i++)
            if (sp[i].owned)
                free((char *)sp[i].v.s);
        free(sp);
        return st_err(err, ST_ENOMEM, "out of memory");
    }
    cum[0] = 0;
    for (size_t i = 0; i < w; i++) {
        vals[i] = sp[i].v;
        cum[i + 1] = cum[i] + sp[i].n;
    }
    free(sp);
    free(d->vals); /* the text of each value moved to its copy 0 */
    free(d->cum);
    d->vals = vals;
    d->cum = cum;
    d->nvals = w;
    return 0;
}

/* Step 3: per run, the certain values and the offset of the systematic draw. */
static int plan_runs(const shape *sh, const stable *t, const scol *c, const gen *g,
                     struct gk_dist *d, const char *path, char *err)
{
    int rti = g->ref_table >= 0 ? g->ref_table : g->rest->ref_table;
    const char *rt = rti >= 0 ? sh->t[rti].name : NULL;
    d->m = malloc((d->nruns + 1) * sizeof *d->m);
    d->off = malloc((d->nruns + 1) * sizeof *d->off);
    if (!d->m || !d->off)
        return st_err(err, ST_ENOMEM, "out of memory");
    uint64_t total = d->cum[d->nvals];
    for (size_t r = 0; r < d->nruns; r++) {
        uint64_t k = d->start[r + 1] - d->start[r], m = 0;
        if (k > d->nvals)
            return st_err(err, ST_EINPUT,
                          "%s: table '%s': a value of '%s' has %llu rows, but '%s' gives only "
                          "%zu distinct values, so its pairs cannot all differ; lower the rows "
                          "of '%s' or raise %s%s%s",
                          path, t->name, t->cols[g->on_col].name, (unsigned long long)k, c->name,
                          d->nvals, t->name, rt ? "those of '" : "the values of its generator",
                          rt ? rt : "", rt ? "'" : "");
        while (m < k && (d->cum[m + 1] - d->cum[m]) * (k - m) >= total - d->cum[m])
            m++;
        d->m[r] = m;
        uint64_t rest = total - d->cum[m];
        d->off[r] = rest ? rng_mix(rng_mix(c->stream, 0x44495354ull), r) % rest : 0;
    }
    return 0;
}

static int resolve_distinct(shape *sh, stable *t, const scol *c, gen *g, char *err)
{
    struct gk_dist *d = g->dist;
    int ti = (int)(t - sh->t), ci = (int)(c - t->cols);
    char path[128];
    snprintf(path, sizeof path, "tables[%d].columns[%d].gen", ti, ci);
    free(d->start);
    free(d->m);
    free(d->off);
    d->start = d->m = d->off = NULL;
    d->nruns = 0;
    for (size_t i = 0; d->vals && i < d->nvals; i++)
        if (d->vals[i].kind == V_TEXT)
            free((char *)d->vals[i].s);
    free(d->vals);
    free(d->cum);
    d->vals = NULL;
    d->cum = NULL;
    d->nvals = 0;
    d->rows = t->rows;
    gen_ctx cx;
    if (gen_ctx_init(&cx, sh, sh->run_seed))
        return st_err(err, ST_ENOMEM, "out of memory");
    int rc = find_runs(&cx, ti, t, g, d, path, err);
    if (!rc)
        rc = tally_values(&cx, ti, ci, g, d, path, err);
    if (!rc && g->ref_table >= 0)
        rc = spread_values(&cx, c, g, d, path, err);
    gen_ctx_term(&cx);
    return rc ? rc : plan_runs(sh, t, c, g, d, path, err);
}

/* The index i >= m of the value whose span on the line of the remaining counts holds the
 * point y = (off + j R) / K, compared as (cum[i + 1] - cum[m]) K > off + j R. */
static size_t rest_index(const struct gk_dist *d, uint64_t m, uint64_t off, uint64_t j, uint64_t K)
{
    typedef unsigned __int128 u128;
    u128 rest = d->cum[d->nvals] - d->cum[m];
    u128 y = (u128)off + (u128)j * rest;
    size_t lo = (size_t)m, hi = d->nvals - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((u128)(d->cum[mid + 1] - d->cum[m]) * K > y)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static void eval_distinct(gen_ctx *cx, int ti, int ci, const gen *g, uint64_t key, rng_stream *s,
                          gval *out)
{
    (void)cx, (void)ti, (void)ci, (void)s;
    const struct gk_dist *d = g->dist;
    if (!d->nruns || !d->nvals || key >= d->rows) {
        out->kind = V_NULL;
        return;
    }
    size_t lo = (size_t)cum_interval(d->start, d->nruns, key);
    uint64_t j = key - d->start[lo], k = d->start[lo + 1] - d->start[lo], m = d->m[lo];
    /* Every value drawn once (a round robin over as many parents as rows): row r keeps the
     * r-th, so each value stays once in the whole table, not only within its run. */
    size_t i = d->cum[d->nvals] == d->nvals ? (size_t)key
               : j < m                      ? (size_t)j
                                            : rest_index(d, m, d->off[lo], j - m, k - m);
    *out = d->vals[i];
}

/* clang-format off */
const gkind_def gk_distinct = {"distinct", (const char *const[]){"kind", "of", "gen", "table", "column", NULL},
                               parse_distinct, resolve_distinct, NULL, eval_distinct};
/* clang-format on */
