/*
 * extstats.c -- extended statistics in a profile (see extstats.h): the objects recorded
 * as the table's "statistics" (recreated by fill), and their data turned into generators.
 *
 * Design: a plan over the table's columns, one determinant per column at most, no cycle:
 *   1. an mcv list over two plain columns (a, b) makes b a `switch` on a whose cases draw b
 *      from the list's combinations with a = x at P(b = y | a = x) = f(x, y) / P(a = x)
 *      (P(a = x) from a's own MCV frequency), the rest of the mass from b's own generator:
 *      the joint distribution of the list, b's marginal elsewhere;
 *   2. functional dependencies a => b (one determinant), strongest first and, among equal
 *      degrees, the determinant with the fewest distinct values (city => region before
 *      zip => region, so a chain zip -> city -> region -> country comes out): b becomes a
 *      `dep` on a with that degree;
 *   3. an ndistinct of a pair well below the product of its columns' counts: the column
 *      with fewer values becomes a `dep` on the other with degree 1 and `per` values per
 *      value of the determinant, so the pair has about the recorded count.
 * A dependency implied by the chosen ones (zip => region through zip -> city -> region)
 * counts as reproduced. Everything else (expressions, several determinants, columns that
 * hold keys or references, weaker dependencies on a column that already has a determinant)
 * is listed in the object's `_not_reproduced` and in a note with its share.
 *
 * Masking: mcv values are written as the columns' own categorical values (the masked MCV
 * literals, looked up by the source literal), so equality with the columns holds; a value
 * that is not one of the column's MCVs has no masked form and its item is left out.
 */
#include "extstats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "profile_keys.h"
#include "profile_types.h"
#include "pvalue.h"
#include "rng.h"

#define XS_MAX_EDGES 256
#define XS_MIN_DEGREE 0.2 /* below: the sample's singletons, not a dependency */

enum { E_MCV, E_DEP, E_ND, E_MULTI }; /* E_MULTI: several determinants, reported only */

typedef struct xedge {
    int kind, a, b; /* column indexes of t: b is generated from a */
    double degree;
    int64_t per;
    const pgs_ext *e;
    int from[8]; /* E_MULTI: the determinants (columns; -1 an expression) */
    int nfrom;
    double nd_a; /* distinct values of a (the sort order among equal degrees) */
} xedge;

typedef struct xctx {
    const pgs_db *db;
    const pgs_table *t;
    int mask;
    json_t *cols;  /* the table's "columns" (JSON), rewritten in place */
    json_t **orig; /* each column's generator as profile made it (borrowed, kept alive) */
    int *parent;   /* chosen determinant of each column, -1 none */
    xedge *edges;
    size_t nedges;
} xctx;

static int col_index(const pgs_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (!strcmp(t->cols[i].name, name))
            return (int)i;
    return -1;
}

/* The column (index in t) of an attribute number of object e, or -1 (an expression). */
static int attnum_col(const pgs_table *t, const pgs_ext *e, long att)
{
    for (size_t k = 0; k < e->cols.n; k++)
        if (e->attnums[k] == att)
            return col_index(t, e->cols.v[k]);
    return -1;
}

static double col_nd(const pgs_table *t, int ci)
{
    const pgs_col *c = &t->cols[ci];
    double rows = t->reltuples > 0 ? t->reltuples : 1;
    if (!c->has_stats || c->n_distinct == 0)
        return rows;
    return c->n_distinct < 0 ? -c->n_distinct * rows : c->n_distinct;
}

static const char *gen_kind(const json_t *g)
{
    const char *k = json_string_value(json_object_get(g, "kind"));
    return k ? k : "";
}

/* A column whose values may be redrawn from another column's: not a key, a reference or an
 * identity, and drawn by a value generator (not a sequence, a switch, ...). */
static int target_ok(const xctx *x, int ci)
{
    static const char *const ok[] = {"categorical", "histogram",   "uniform", "normal",
                                     "lognormal",   "exponential", "zipf",    "bool",
                                     "timestamp",   "text",        NULL};
    const pgs_table *t = x->t;
    const char *name = t->cols[ci].name;
    if (t->cols[ci].identity || pk_single_key(t, name) || pk_ref_of(x->db, t, name))
        return 0;
    for (size_t k = 0; k < t->pk.n; k++)
        if (!strcmp(t->pk.v[k], name))
            return 0;
    for (size_t u = 0; u < t->nuniq; u++)
        for (size_t k = 0; k < t->uniq[u].n; k++)
            if (!strcmp(t->uniq[u].v[k], name))
                return 0;
    const char *kind = gen_kind(x->orig[ci]);
    const char *pat = json_string_value(json_object_get(x->orig[ci], "pattern"));
    if (pat && strstr(pat, "{row}"))
        return 0; /* a text key */
    for (int i = 0; ok[i]; i++)
        if (!strcmp(kind, ok[i]))
            return 1;
    return 0;
}

/* 1 when b is a (transitive) determinant of a, or a itself: adding b <- a would close a
 * cycle. */
static int reaches(const xctx *x, int a, int b)
{
    for (int i = a, n = 0; i >= 0 && n <= (int)x->t->ncols; i = x->parent[i], n++)
        if (i == b)
            return 1;
    return 0;
}

/* 1 when a determines b through the chosen chain (b is reached from b's side up to a). */
static int implied(const xctx *x, int a, int b)
{
    for (int i = x->parent[b], n = 0; i >= 0 && n <= (int)x->t->ncols; i = x->parent[i], n++)
        if (i == a)
            return 1;
    return 0;
}

static int add_edge(xctx *x, xedge e)
{
    if (x->nedges >= XS_MAX_EDGES)
        return -1;
    e.nd_a = e.a >= 0 ? col_nd(x->t, e.a) : 0;
    x->edges[x->nedges++] = e;
    return 0;
}

/* Parses a pg_dependencies / pg_ndistinct text ({"1, 2 => 3": 0.9} / {"1, 2": 33}): valid
 * JSON. NULL when absent or unreadable. */
static json_t *load_keyed(const char *text)
{
    return text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
}

/* Attribute numbers of "1, 2" into v (at most cap); returns how many, -1 when unreadable. */
static int parse_atts(const char *s, const char *end, long *v, int cap)
{
    int n = 0;
    while (s < end) {
        char *e;
        long a = strtol(s, &e, 10);
        if (e == s || n >= cap)
            return -1;
        v[n++] = a;
        s = e;
        while (s < end && (*s == ',' || *s == ' '))
            s++;
    }
    return n;
}

/* The name of an attribute number of e ("expr1" for an expression, -1 = the first). */
static json_t *att_name(const pgs_ext *e, long att)
{
    for (size_t k = 0; k < e->cols.n; k++)
        if (e->attnums[k] == att)
            return json_string(e->cols.v[k]);
    return json_sprintf("expr%ld", att < 0 ? -att : att);
}

static json_t *names_of(const pgs_ext *e, const long *v, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, att_name(e, v[i]));
    return a;
}

/* The recorded dependencies as [{"from": [..], "to": "b", "degree": d}], and the edges. */
static json_t *record_deps(xctx *x, const pgs_ext *e, int *ndeps)
{
    json_t *jd = load_keyed(e->dependencies), *out = json_array();
    const char *key;
    json_t *val;
    *ndeps = 0;
    json_object_foreach(jd, key, val) {
        const char *arrow = strstr(key, "=>");
        long from[8], to[1];
        int nf = arrow ? parse_atts(key, arrow, from, 8) : -1;
        int nt = arrow ? parse_atts(arrow + 2 + strspn(arrow + 2, " "), key + strlen(key), to, 1)
                       : -1;
        if (nf < 1 || nt != 1 || !json_is_number(val))
            continue;
        double d = json_number_value(val);
        json_array_append_new(out, json_pack("{s:o, s:o, s:o}", "from", names_of(e, from, nf), "to",
                                             att_name(e, to[0]), "degree", pv_jreal(d)));
        (*ndeps)++;
        int a = nf == 1 ? attnum_col(x->t, e, from[0]) : -1, b = attnum_col(x->t, e, to[0]);
        if (a >= 0 && b >= 0 && d >= XS_MIN_DEGREE)
            add_edge(x, (xedge){E_DEP, a, b, d, 1, e, {a}, 1, 0});
        else if (nf > 1 && b >= 0 && d >= XS_MIN_DEGREE) {
            xedge m = {E_MULTI, -1, b, d, 1, e, {0}, nf, 0};
            for (int i = 0; i < nf; i++)
                m.from[i] = attnum_col(x->t, e, from[i]);
            add_edge(x, m);
        }
    }
    json_decref(jd);
    return out;
}

/* The recorded ndistinct as [{"columns": [..], "n": N}], and pair edges. */
static json_t *record_nd(xctx *x, const pgs_ext *e)
{
    json_t *jn = load_keyed(e->n_distinct), *out = json_array();
    const char *key;
    json_t *val;
    json_object_foreach(jn, key, val) {
        long v[8];
        int n = parse_atts(key, key + strlen(key), v, 8);
        if (n < 2 || !json_is_number(val))
            continue;
        double nd = json_number_value(val);
        json_array_append_new(
            out, json_pack("{s:o, s:o}", "columns", names_of(e, v, n), "n", pv_jreal(nd)));
        int c0 = n == 2 ? attnum_col(x->t, e, v[0]) : -1;
        int c1 = n == 2 ? attnum_col(x->t, e, v[1]) : -1;
        if (c0 < 0 || c1 < 0)
            continue;
        /* The determinant is the column with more values; the other gets `per` of its own
         * values per value of it. Only where the pair is far below independence. */
        int a = col_nd(x->t, c0) >= col_nd(x->t, c1) ? c0 : c1, b = a == c0 ? c1 : c0;
        double na = col_nd(x->t, a), nb = col_nd(x->t, b);
        double indep = fmin(na * nb, x->t->reltuples);
        if (nd < 0.5 * indep && na >= 1)
            add_edge(x, (xedge){E_ND, a, b, 1, (int64_t)fmax(1, ceil(nd / na)), e, {a}, 1, 0});
    }
    json_decref(jn);
    return out;
}

/* The shape literal of the source literal `text` of column ci: masked, the column's own
 * categorical value for that MCV (NULL when it is none of them). New reference. */
static json_t *lit_of(const xctx *x, int ci, const char *text)
{
    const pgs_col *c = &x->t->cols[ci];
    if (!x->mask)
        return profile_literal(profile_type_class(pt_gen_type(x->db, c)), text);
    json_t *vals = json_object_get(x->orig[ci], "values");
    if (strcmp(gen_kind(x->orig[ci]), "categorical") || !vals)
        return NULL;
    for (size_t i = 0; i < c->nmcv && i < json_array_size(vals); i++)
        if (!strcmp(c->mcv[i], text))
            return json_incref(json_array_get(vals, i));
    return NULL;
}

/* The recorded mcv list as {"columns", "values": [[..], ..], "freqs"}; an E_MCV edge for a
 * list over two plain columns (the determinant: the column with fewer values). */
static json_t *record_mcv(xctx *x, const pgs_ext *e)
{
    size_t nk = e->cols.n;
    json_t *vals = json_array(), *fr = json_array();
    for (size_t i = 0; i < e->nmcv; i++) {
        json_t *item = json_array();
        for (size_t k = 0; k < nk; k++) {
            int ci = col_index(x->t, e->cols.v[k]);
            const char *v = e->mcv[i * nk + k];
            int isnull = e->mcv_null[i * nk + k][0] == 't';
            json_t *l = isnull || ci < 0 ? NULL : lit_of(x, ci, v);
            json_array_append_new(item, l ? l : json_null());
        }
        json_array_append_new(vals, item);
        json_array_append_new(fr, pv_jreal(e->mcf[i]));
    }
    json_t *cols = json_array();
    for (size_t k = 0; k < nk; k++)
        json_array_append_new(cols, json_string(e->cols.v[k]));
    int c0 = nk == 2 ? col_index(x->t, e->cols.v[0]) : -1;
    int c1 = nk == 2 ? col_index(x->t, e->cols.v[1]) : -1;
    if (c0 >= 0 && c1 >= 0 && !e->has_exprs && e->nmcv) {
        int a = col_nd(x->t, c0) <= col_nd(x->t, c1) ? c0 : c1;
        add_edge(x, (xedge){E_MCV, a, a == c0 ? c1 : c0, 1, 1, e, {a}, 1, 0});
    }
    return json_pack("{s:o, s:o, s:o}", "columns", cols, "values", vals, "freqs", fr);
}

/* Edge order: mcv lists, then dependencies strongest first (fewest determinant values
 * first among equals), then ndistinct pairs. */
static int edge_cmp(const void *pa, const void *pb)
{
    const xedge *a = pa, *b = pb;
    if (a->kind != b->kind)
        return a->kind - b->kind;
    if (a->kind == E_MULTI)
        return (a->b > b->b) - (a->b < b->b);
    if (a->degree != b->degree)
        return a->degree > b->degree ? -1 : 1;
    if (a->nd_a != b->nd_a)
        return a->nd_a < b->nd_a ? -1 : 1;
    return (a->a - b->a) * 4096 + (a->b - b->b);
}

/* The `switch` that draws column b from the mcv list's combinations given a's value. NULL
 * when no item can be written (masked values the columns do not have) or on OOM. */
static json_t *mcv_switch(const xctx *x, const xedge *ed, size_t *used)
{
    const pgs_ext *e = ed->e;
    const pgs_col *ca = &x->t->cols[ed->a], *cb = &x->t->cols[ed->b];
    size_t ka = strcmp(e->cols.v[0], ca->name) ? 1 : 0, kb = 1 - ka;
    double live_b = cb->null_frac < 1 ? 1 - cb->null_frac : 1;
    json_t *cases = json_array();
    char *done = calloc(e->nmcv + 1, 1);
    *used = 0;
    for (size_t i = 0; done && i < e->nmcv; i++) {
        if (done[i] || e->mcv_null[i * 2 + ka][0] == 't')
            continue;
        const char *xa = e->mcv[i * 2 + ka];
        /* P(a = x): a's own MCV frequency, else the list's items with a = x. */
        double pa = 0, items = 0;
        for (size_t k = 0; k < ca->nmcv; k++)
            if (!strcmp(ca->mcv[k], xa))
                pa = ca->mcf[k];
        json_t *vals = json_array(), *wts = json_array();
        for (size_t j = i; j < e->nmcv; j++)
            if (!done[j] && e->mcv_null[j * 2 + ka][0] != 't' && !strcmp(e->mcv[j * 2 + ka], xa)) {
                done[j] = 1;
                json_t *vb = e->mcv_null[j * 2 + kb][0] == 't'
                                 ? NULL
                                 : lit_of(x, ed->b, e->mcv[j * 2 + kb]);
                if (!vb)
                    continue;
                items += e->mcf[j];
                json_array_append_new(vals, vb);
                json_array_append_new(wts, json_real(e->mcf[j]));
                (*used)++;
            }
        json_t *va = lit_of(x, ed->a, xa);
        if (!va || !json_array_size(vals)) {
            json_decref(va);
            json_decref(vals);
            json_decref(wts);
            continue;
        }
        double denom = fmax(pa, items) * live_b, sum = 0;
        for (size_t k = 0; k < json_array_size(wts); k++) {
            double w = pv_r6(json_real_value(json_array_get(wts, k)) / denom);
            json_real_set(json_array_get(wts, k), w);
            sum += w;
        }
        json_t *cat = json_pack("{s:s, s:o, s:o}", "kind", "categorical", "values", vals, "weights",
                                wts);
        /* The rest of b's mass given x comes from b's own generator. */
        if (cat && sum < 0.995)
            json_object_set(cat, "rest", x->orig[ed->b]);
        json_array_append_new(cases, json_pack("{s:{s:o}, s:o}", "when", "eq", va, "gen", cat));
    }
    free(done);
    if (!json_array_size(cases)) {
        json_decref(cases);
        return NULL;
    }
    return json_pack("{s:s, s:s, s:o, s:O}", "kind", "switch", "on", ca->name, "cases", cases,
                     "else", x->orig[ed->b]);
}

/* The total of a categorical's weights and of its `rest` (weights are then frequencies). */
static double cat_mass(const json_t *g, double *rest)
{
    double sum = 0;
    json_t *w = json_object_get(g, "weights");
    for (size_t i = 0; i < json_array_size(w); i++)
        sum += json_number_value(json_array_get(w, i));
    *rest = json_object_get(g, "rest") && sum < 1 ? 1 - sum : 0;
    return sum + *rest;
}

/* A dependency between two MCV lists (region => country): the heavy values of a get b's
 * values by hand, each to the value of b furthest below its share (greedy, heaviest a
 * first) until that value has its share of the mass of a's MCVs, so b's marginal survives
 * the mapping; a hash mapping alone lumps it (measured on the extstats fixture: country's
 * top MCV off by 0.18). A value of a outside the degree
 * (decided by a hash of its literal) draws b per row; once b's MCV shares are filled, the
 * next values of a map (by hash) into b's `rest`; values of a beyond its MCVs go to `els`
 * (the hash-mapped `dep`). NULL when a or b is
 * not an MCV list. */
static json_t *mcv_mapping(const xctx *x, const xedge *ed, json_t *els)
{
    const json_t *ga = x->orig[ed->a], *gb = x->orig[ed->b];
    if (strcmp(gen_kind(ga), "categorical") || strcmp(gen_kind(gb), "categorical") || ed->per > 1)
        return NULL;
    json_t *va = json_object_get(ga, "values"), *wa = json_object_get(ga, "weights");
    json_t *vb = json_object_get(gb, "values"), *wb = json_object_get(gb, "weights");
    size_t na = json_array_size(va), nb = json_array_size(vb);
    double ra, rb, ma = cat_mass(ga, &ra), mb = cat_mass(gb, &rb);
    if (!na || !nb || ma <= 0 || mb <= 0)
        return NULL;
    double *left = calloc(nb, sizeof *left);
    size_t *ord = calloc(na, sizeof *ord);
    json_t *cases = json_array();
    /* b's shares of the mass of a's MCVs: the rest of a gets its shares through `els`. */
    for (size_t j = 0; left && j < nb; j++)
        left[j] = json_number_value(json_array_get(wb, j)) / mb * ((ma - ra) / ma);
    for (size_t i = 0; ord && i < na; i++)
        ord[i] = i;
    for (size_t i = 1; ord && i < na; i++) /* heaviest first (insertion sort: na <= 10000) */
        for (size_t k = i; k > 0 && json_number_value(json_array_get(wa, ord[k])) >
                                        json_number_value(json_array_get(wa, ord[k - 1]));
             k--) {
            size_t tmp = ord[k];
            ord[k] = ord[k - 1];
            ord[k - 1] = tmp;
        }
    for (size_t i = 0; left && ord && i < na; i++) {
        json_t *xv = json_array_get(va, ord[i]);
        double m = json_number_value(json_array_get(wa, ord[i])) / ma;
        char *lit = json_dumps(xv, JSON_ENCODE_ANY);
        uint64_t h = rng_mix(rng_stream_id(lit ? lit : ""), 0x44455044ull);
        free(lit);
        json_t *g = NULL;
        if ((double)(h >> 11) * (1.0 / 9007199254740992.0) >= ed->degree)
            g = json_incref((json_t *)gb); /* outside the degree: b per row */
        else {
            size_t best = 0;
            for (size_t j = 1; j < nb; j++)
                if (left[j] > left[best])
                    best = j;
            json_t *rest = json_object_get(gb, "rest");
            if (left[best] < m / 2 && rest) /* b's MCV shares are filled: one of its others */
                g = json_pack("{s:s, s:s, s:i, s:O}", "kind", "dep", "on", x->t->cols[ed->a].name,
                              "degree", 1, "gen", rest);
            else {
                left[best] -= m;
                g = json_pack("{s:s, s:O}", "kind", "const", "value", json_array_get(vb, best));
            }
        }
        json_array_append_new(cases, json_pack("{s:{s:O}, s:o}", "when", "eq", xv, "gen", g));
    }
    free(left);
    free(ord);
    if (!json_array_size(cases)) {
        json_decref(cases);
        return NULL;
    }
    return json_pack("{s:s, s:s, s:o, s:O}", "kind", "switch", "on", x->t->cols[ed->a].name,
                     "cases", cases, "else", els);
}

/* The generator of column b given its chosen edge. */
static json_t *edge_gen(const xctx *x, const xedge *ed, size_t *used)
{
    if (ed->kind == E_MCV)
        return mcv_switch(x, ed, used);
    json_t *g = json_pack("{s:s, s:s, s:o, s:O}", "kind", "dep", "on", x->t->cols[ed->a].name,
                          "degree", pv_jreal(ed->degree), "gen", x->orig[ed->b]);
    if (g && ed->per > 1)
        json_object_set_new(g, "per", json_integer((json_int_t)ed->per));
    /* b's own count of values, which its n_distinct folding can no longer give. */
    double nb = col_nd(x->t, ed->b);
    const json_t *o = x->orig[ed->b];
    int closed = !strcmp(gen_kind(o), "categorical") && !json_object_get(o, "rest");
    /* Only for a generator whose value set is open (a text or histogram rest): a closed
     * MCV list keeps its values, and N keys would draw only about 0.63 N of them. */
    if (g && !closed && x->t->cols[ed->b].has_stats && nb >= 1 && nb < 0.9 * x->t->reltuples) {
        /* A key draws one of the MCVs or a new rest value: with K keys about K x rest share
         * values are new, so K = (n - MCVs) / rest share keeps n values, and the more keys
         * the less lumpy the marginal (400 keys left a city 40% off on the fixture). */
        double rest = 0, nm = (double)json_array_size(json_object_get(o, "values"));
        if (!strcmp(gen_kind(o), "categorical"))
            cat_mass(o, &rest);
        double k = rest > 0.01 && nb > nm ? fmax(nb, (nb - nm) / rest) : nb;
        json_object_set_new(g, "values", json_integer((json_int_t)llround(fmin(k, 64 * nb))));
    }
    json_t *sw = g ? mcv_mapping(x, ed, g) : NULL;
    if (sw)
        json_decref(g);
    return sw ? sw : g;
}

/* "ON a, b FROM s.t" of pg_get_statisticsobjdef: the text between them, malloc'd. */
static char *def_on(const char *def)
{
    const char *on = strstr(def, " ON "), *from = NULL;
    for (const char *p = on; p && (p = strstr(p + 1, " FROM ")); from = p)
        ;
    if (!on || !from || from <= on + 4)
        return NULL;
    size_t n = (size_t)(from - (on + 4));
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, on + 4, n);
        s[n] = 0;
    }
    return s;
}

static json_t *kinds_json(const pgs_ext *e)
{
    json_t *k = json_array();
    if (strchr(e->kinds, 'd'))
        json_array_append_new(k, json_string("ndistinct"));
    if (strchr(e->kinds, 'f'))
        json_array_append_new(k, json_string("dependencies"));
    if (strchr(e->kinds, 'm'))
        json_array_append_new(k, json_string("mcv"));
    return k;
}

/* What of object e the chosen plan reproduces: appended to its `_reproduced` and
 * `_not_reproduced` lists, with a note for the part left out. */
static void report_obj(const xctx *x, const pgs_ext *e, int ndeps, json_t *jo, json_t *notes)
{
    json_t *rep = json_array(), *miss = json_array();
    size_t deps_ok = 0, deps_all = 0;
    for (size_t i = 0; i < x->nedges; i++) {
        const xedge *ed = &x->edges[i];
        if (ed->e != e)
            continue;
        if (ed->kind == E_MULTI) {
            /* Held when one of its determinants alone determines the column. */
            int ok = 0;
            for (int f = 0; f < ed->nfrom; f++)
                ok |= ed->from[f] >= 0 && implied(x, ed->from[f], ed->b);
            deps_all++;
            deps_ok += ok;
            if (!ok)
                json_array_append_new(miss, json_sprintf("dependency of %s on %d columns",
                                                         x->t->cols[ed->b].name, ed->nfrom));
            continue;
        }
        const char *a = x->t->cols[ed->a].name, *b = x->t->cols[ed->b].name;
        int chosen = x->parent[ed->b] == ed->a,
            ok = chosen || implied(x, ed->a, ed->b) ||
                 (ed->kind == E_ND && (x->parent[ed->a] == ed->b));
        if (ed->kind == E_DEP) {
            deps_all++;
            deps_ok += ok;
        }
        json_array_append_new(ok ? rep : miss, json_sprintf("%s %s %s %s%s",
                                                            ed->kind == E_MCV   ? "mcv"
                                                            : ed->kind == E_DEP ? "dependency"
                                                                                : "ndistinct",
                                                            a, ed->kind == E_DEP ? "=>" : "&", b,
                                                            ok && !chosen ? " (implied)" : ""));
    }
    size_t deps_other = (size_t)ndeps - deps_all; /* several determinants, expressions, weak */
    if (deps_other)
        json_array_append_new(miss, json_sprintf("%zu dependencies on an expression or with a "
                                                 "degree below %.1f",
                                                 deps_other, XS_MIN_DEGREE));
    if (e->has_exprs)
        json_array_append_new(miss, json_sprintf("%d of %zu keys are expressions, generated "
                                                 "independently of each other and the columns",
                                                 e->nexprs, e->cols.n + (size_t)e->nexprs));
    size_t nkeys = e->cols.n + (size_t)e->nexprs;
    if (strchr(e->kinds, 'm') && e->has_data && (nkeys != 2 || e->has_exprs))
        json_array_append_new(miss, json_sprintf("mcv over %zu keys (only pairs of plain columns "
                                                 "are drawn jointly)",
                                                 nkeys));
    if (!e->has_data)
        json_array_append_new(miss, json_string("no data (the source never analysed it)"));
    if (deps_ok < (size_t)ndeps || json_array_size(miss))
        json_array_append_new(
            notes,
            json_sprintf("%s.%s: extended statistics reproduced: %zu of %d dependencies "
                         "(%.0f%%)%s%s",
                         x->t->name, e->name, deps_ok, ndeps,
                         ndeps ? 100.0 * (double)deps_ok / ndeps : 100.0,
                         json_array_size(miss) ? "; not reproduced: see _not_reproduced" : "",
                         e->has_exprs ? " (expressions are not reproduced)" : ""));
    json_object_set_new(jo, "_reproduced", rep);
    json_object_set_new(jo, "_not_reproduced", miss);
}

/* Rewrites column b's JSON for its chosen edge: the new generator; no n_distinct (its key
 * folding would read the determinant at another row) and no physical-order correlation
 * (a mapped value is drawn at a key of the determinant's value, not of the row). */
static int rewrite_col(xctx *x, int b, const xedge *ed)
{
    size_t used = 0;
    json_t *g = edge_gen(x, ed, &used);
    if (!g)
        return ed->kind == E_MCV ? 0 : -1;
    json_t *jc = json_array_get(x->cols, (size_t)b);
    json_object_set_new(jc, "gen", g);
    json_object_del(jc, "n_distinct");
    json_object_del(jc, "correlation");
    json_object_set_new(jc, "_extstats",
                        json_sprintf("%s on %s from statistics %s%s", gen_kind(g),
                                     x->t->cols[ed->a].name, ed->e->name,
                                     ed->kind == E_MCV ? " (mcv)" : ""));
    return 0;
}

int xs_profile_table(const pgs_db *db, const pgs_table *t, int mask, json_t *jt, json_t *notes)
{
    if (!t->next)
        return 0;
    json_t *cols = json_object_get(jt, "columns"), *out = json_array();
    xctx x = {.db = db, .t = t, .mask = mask, .cols = cols};
    x.orig = calloc(t->ncols + 1, sizeof *x.orig);
    x.parent = malloc((t->ncols + 1) * sizeof *x.parent);
    x.edges = calloc(XS_MAX_EDGES, sizeof *x.edges);
    int *nd = calloc(t->next, sizeof *nd);
    if (!x.orig || !x.parent || !x.edges || !nd || !out || json_array_size(cols) != t->ncols) {
        free(x.orig), free(x.parent), free(x.edges), free(nd);
        json_decref(out);
        return ST_ENOMEM;
    }
    for (size_t i = 0; i < t->ncols; i++) {
        x.orig[i] = json_incref(json_object_get(json_array_get(cols, i), "gen"));
        x.parent[i] = -1;
    }
    for (size_t k = 0; k < t->next; k++) {
        const pgs_ext *e = &t->ext[k];
        if (mask && strchr(e->def, '\'')) { /* a quoted literal could be a row value */
            json_array_append_new(notes, json_sprintf("%s.%s: extended statistics left out "
                                                      "under --mask (1 of %zu objects): its "
                                                      "definition quotes a literal",
                                                      t->name, e->name, t->next));
            json_array_append_new(out, json_null());
            continue;
        }
        char *on = def_on(e->def);
        json_t *jo = json_pack("{s:s, s:o, s:s?, s:s}", "name", e->name, "kinds", kinds_json(e),
                               "on", on, "_schema", e->schema);
        free(on);
        if (!jo)
            continue;
        json_t *rec = json_object();
        if (e->dependencies)
            json_object_set_new(rec, "dependencies", record_deps(&x, e, &nd[k]));
        if (e->n_distinct)
            json_object_set_new(rec, "ndistinct", record_nd(&x, e));
        if (e->nmcv)
            json_object_set_new(rec, "mcv", record_mcv(&x, e));
        if (e->nexpr_stats) {
            json_t *xs = json_array();
            for (size_t j = 0; j < e->nexpr_stats; j++)
                json_array_append_new(xs, json_pack("{s:s, s:o, s:o}", "expr", e->exprs[j],
                                                    "n_distinct", pv_jreal(e->expr_nd[j]),
                                                    "null_frac", pv_jreal(e->expr_nf[j])));
            json_object_set_new(rec, "expressions", xs);
        }
        json_object_set_new(jo, "_recorded", rec);
        json_array_append_new(out, jo);
    }
    qsort(x.edges, x.nedges, sizeof *x.edges, edge_cmp);
    for (size_t i = 0; i < x.nedges; i++) {
        const xedge *ed = &x.edges[i];
        if (ed->kind == E_MULTI || x.parent[ed->b] >= 0 || !target_ok(&x, ed->b) ||
            reaches(&x, ed->a, ed->b))
            continue;
        x.parent[ed->b] = ed->a;
        if (rewrite_col(&x, ed->b, ed))
            x.parent[ed->b] = -1;
    }
    for (size_t k = 0; k < t->next; k++)
        if (json_is_object(json_array_get(out, k)))
            report_obj(&x, &t->ext[k], nd[k], json_array_get(out, k), notes);
    for (size_t k = t->next; k-- > 0;)
        if (!json_is_object(json_array_get(out, k)))
            json_array_remove(out, k);
    json_object_set_new(jt, "statistics", out);
    for (size_t i = 0; i < t->ncols; i++)
        json_decref(x.orig[i]);
    free(x.orig), free(x.parent), free(x.edges), free(nd);
    return 0;
}
