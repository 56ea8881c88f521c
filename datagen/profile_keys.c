/*
 * profile_keys.c -- keys and exclusion constraints in a profile (see profile_keys.h).
 *
 * A key of two references (a junction table's PRIMARY KEY (a_id, b_id)) is kept as the
 * constraint it is when the first column's generator lays its values in runs (sorted runs,
 * a `ref` cycle that does not wrap, an inverse-CDF generator with correlation 1): the second
 * column becomes `distinct` of the first (gk_distinct.c), drawing without replacement within
 * each run from its own generator, so both columns keep their skew. A second column drawn
 * from literal values (the FK's MCVs and histogram, in the 1x id range) gets `table`: the
 * values stand for the referenced rows and spread over the scaled parent, so the runs, which
 * grow with --scale, never outgrow them; unless that table is a fixed-size lookup table,
 * whose rows do not grow either: the key then stays a plain index, with a note. (Enumerating such
 * keys as `ref` cycles flattened playlist_track's skew and changed two of Chinook's plans.) Other
 * composite keys of references stay plain indexes, with a note.
 *
 * An exclusion constraint is recorded as it is (pg_get_constraintdef after EXCLUDE USING)
 * and built after the load. A range column under `&&` gets one disjoint range per row
 * (SH_SLOT_*), so overlapping ranges never meet, whatever the other elements; a constraint
 * that has an `=` element on a column unique alone holds already. Any other exclusion is
 * kept in the shape and fill refuses it before writing a row, naming it.
 */
#include "profile_keys.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "profile_types.h"
#include "pvalue.h"
#include "shape.h"

static int is_single(const pgs_names *nm, const char *col)
{
    return nm->n == 1 && !strcmp(nm->v[0], col);
}

int pk_single_key(const pgs_table *t, const char *col)
{
    if (is_single(&t->pk, col))
        return 1;
    for (size_t i = 0; i < t->nuniq; i++)
        if (is_single(&t->uniq[i], col))
            return 1;
    for (size_t i = 0; i < t->nidx; i++)
        if (t->idx[i].unique && is_single(&t->idx[i].cols, col))
            return 1;
    return 0;
}

int pk_key_capable(const pgs_db *db, const pgs_table *t, const char *col)
{
    const pgs_col *c = pgs_find_col(t, col);
    if (!c)
        return 0;
    int cls = profile_type_class(pt_gen_type(db, c));
    return cls == PC_INT || cls == PC_UUID || cls == PC_TEXT;
}

const pgs_fk *pk_ref_of(const pgs_db *db, const pgs_table *t, const char *col)
{
    for (size_t i = 0; i < t->nfks; i++) {
        const pgs_fk *fk = &t->fks[i];
        if (fk->cols.n != 1 || strcmp(fk->cols.v[0], col) || fk->ref_cols.n != 1)
            continue;
        const pgs_table *rt = pgs_find_table(db, fk->ref_table);
        if (!rt || !pk_single_key(rt, fk->ref_cols.v[0]))
            continue;
        if (rt->reltuples < 1)
            continue; /* nothing to refer to: the column is modelled from its statistics */
        const pgs_col *rc = pgs_find_col(rt, fk->ref_cols.v[0]);
        if (rc && profile_type_class(rc->type) != PC_OTHER)
            return fk;
    }
    return NULL;
}

int pk_fixed_table(const pgs_table *t)
{
    if (t->reltuples > 0 && round(t->reltuples) > 100)
        return 0; /* never analysed (reltuples -1) counts as 0 rows */
    for (size_t i = 0; i < t->nfks; i++)
        if (strcmp(t->fks[i].ref_table, t->name))
            return 0;
    return 1;
}

/* 1 when the exclusion definition has element `col WITH op`. */
static int has_element(const char *def, const char *col, const char *op)
{
    char want[300];
    snprintf(want, sizeof want, "%s WITH %s", col, op);
    size_t n = strlen(want);
    for (const char *p = strstr(def, want); p; p = strstr(p + 1, want)) {
        int starts = p == def || p[-1] == '(' || p[-1] == ' ';
        if (starts && (p[n] == ',' || p[n] == ')'))
            return 1;
    }
    return 0;
}

/* 1 when an `=` element of the exclusion is a column unique alone (the rows never match). */
static int held_by_equal(const pgs_table *t, const pgs_excl *x)
{
    for (size_t k = 0; k < x->cols.n; k++)
        if (has_element(x->def, x->cols.v[k], "=") && pk_single_key(t, x->cols.v[k]))
            return 1;
    return 0;
}

json_t *pk_key_gen(const pgs_db *db, const pgs_table *t, const pgs_col *c)
{
    const char *slot = shape_slot_pattern(c->type);
    for (size_t i = 0; slot && i < t->nexcl; i++)
        if (has_element(t->excl[i].def, c->name, "&&") && !held_by_equal(t, &t->excl[i]))
            return json_pack("{s:s, s:s}", "kind", "text", "pattern", slot);
    return NULL;
}

json_t *pk_exclusions_json(const pgs_table *t, int mask, json_t *notes)
{
    if (!t->nexcl)
        return NULL;
    json_t *a = json_array();
    for (size_t i = 0; a && i < t->nexcl; i++) {
        const char *use = strncmp(t->excl[i].def, "EXCLUDE USING ", 14) ? NULL
                                                                        : t->excl[i].def + 14;
        if (!use) {
            json_array_append_new(notes,
                                  json_sprintf("%s: exclusion constraint %s (%s) not understood; "
                                               "left out",
                                               t->name, t->excl[i].name, t->excl[i].def));
            continue;
        }
        if (mask && strchr(use, '\'')) {
            json_array_append_new(notes,
                                  json_sprintf("%s: exclusion constraint %s quotes a literal; left "
                                               "out under --mask",
                                               t->name, t->excl[i].name));
            continue;
        }
        json_array_append_new(a, json_pack("{s:s, s:s}", "name", t->excl[i].name, "using", use));
    }
    return a;
}

/* The key a junction rewrite applies to: the primary key, else the first unique set. */
static const pgs_names *junction_key(const pgs_table *t)
{
    return t->pk.n ? &t->pk : t->nuniq ? &t->uniq[0] : NULL;
}

static json_t *col_json(json_t *cols, const char *name)
{
    for (size_t i = 0; i < json_array_size(cols); i++) {
        json_t *c = json_array_get(cols, i);
        if (!strcmp(json_string_value(json_object_get(c, "name")) ?: "", name))
            return c;
    }
    return NULL;
}

static const char *jkind(const json_t *g)
{
    return json_string_value(json_object_get(g, "kind")) ?: "";
}

/* 1 when the column's generator gives equal values to consecutive rows only (one run per
 * value): sorted runs, a ref cycle whose parents outnumber rows / div, or an inverse-CDF
 * generator tied to the row position (correlation 1 or -1). */
static int lays_runs(const pgs_db *db, const pgs_table *t, json_t *jc)
{
    json_t *g = json_object_get(jc, "gen");
    if (json_object_get(jc, "n_distinct") || json_object_get(jc, "null_frac"))
        return 0;
    if (!strcmp(jkind(g), "switch")) {
        json_t *cases = json_object_get(g, "cases");
        if (strcmp(json_string_value(json_object_get(g, "on")) ?: "", "$row_frac") ||
            strcmp(jkind(json_object_get(g, "else")), "const"))
            return 0;
        for (size_t i = 0; i < json_array_size(cases); i++)
            if (strcmp(jkind(json_object_get(json_array_get(cases, i), "gen")), "const"))
                return 0;
        return 1;
    }
    if (!strcmp(jkind(g), "ref")) {
        const pgs_table *rt = pgs_find_table(db, json_string_value(json_object_get(g, "table")));
        double div = (double)json_integer_value(json_object_get(g, "div"));
        return rt && !json_object_get(g, "div_tables") &&
               !strcmp(json_string_value(json_object_get(g, "dist")) ?: "", "cycle") &&
               div * rt->reltuples >= t->reltuples;
    }
    double cr = json_number_value(json_object_get(jc, "correlation"));
    return !strcmp(jkind(g), "histogram") && (cr == 1 || cr == -1);
}

int pk_junction_json(const pgs_db *db, const pgs_table *t, const pgs_names *key, json_t *cols,
                     json_t *notes)
{
    if (key != junction_key(t) || key->n != 2 || !strcmp(key->v[0], key->v[1]) ||
        !pk_ref_of(db, t, key->v[0]) || !pk_ref_of(db, t, key->v[1]))
        return 0;
    json_t *a = col_json(cols, key->v[0]), *b = col_json(cols, key->v[1]);
    if (!a || !b || !strcmp(jkind(json_object_get(b, "gen")), "distinct"))
        return 0;
    if (!lays_runs(db, t, a)) {
        json_array_append_new(notes, json_sprintf("%s: key (%s, %s) of two references kept as a "
                                                  "plain index: '%s' is not laid in runs",
                                                  t->name, key->v[0], key->v[1], key->v[0]));
        return 0;
    }
    json_t *inner = json_object_get(b, "gen");
    const pgs_col *bc = pgs_find_col(t, key->v[1]);
    const pgs_fk *fk = pk_ref_of(db, t, key->v[1]);
    json_t *g;
    const pgs_table *rt = pgs_find_table(db, fk->ref_table);
    if (strcmp(jkind(inner), "ref") && rt && pk_fixed_table(rt)) {
        /* A lookup table keeps its rows at any --scale while the runs of literal 1x ids
         * grow: a scaled fill would be refused, where a plain index loads. */
        json_array_append_new(notes, json_sprintf("%s: key (%s, %s) of two references kept as a "
                                                  "plain index: '%s' refers to '%s', which "
                                                  "keeps its %g rows at any --scale",
                                                  t->name, key->v[0], key->v[1], key->v[1],
                                                  rt->name, round(rt->reltuples)));
        return 0;
    }
    if (strcmp(jkind(inner), "ref"))
        /* Literal values (the FK's own MCVs and histogram) hold the 1x ids while the runs grow
         * with --scale: `table` spreads each value over its copies in the scaled parent. */
        g = json_pack("{s:s, s:s, s:s, s:s, s:O}", "kind", "distinct", "of", key->v[0], "table",
                      fk->ref_table, "column", fk->ref_cols.v[0], "gen", inner);
    else if (bc && bc->has_stats && bc->n_distinct == -1)
        /* Every value once (a territory has one employee): a round robin over the parents
         * keeps that, where independent draws would repeat values (Poisson). */
        g = json_pack("{s:s, s:s, s:{s:s, s:O, s:O, s:s}}", "kind", "distinct", "of", key->v[0],
                      "gen", "kind", "ref", "table", json_object_get(inner, "table"), "column",
                      json_object_get(inner, "column"), "dist", "cycle");
    else
        g = json_pack("{s:s, s:s, s:O}", "kind", "distinct", "of", key->v[0], "gen", inner);
    if (!g)
        return 0;
    json_object_set_new(b, "gen", g);
    /* The draws decide how many values the column has; a fold of the row key would break
     * the runs' distinct values (shape_keys.c accepts the pair only without it). */
    json_object_del(b, "n_distinct");
    return 1;
}
