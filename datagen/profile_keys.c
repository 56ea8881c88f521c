/*
 * profile_keys.c -- keys and exclusion constraints in a profile (see profile_keys.h).
 *
 * A composite key made only of references (a junction table's PRIMARY KEY (a_id, b_id)) is
 * still profiled as a plain index: enumerating it as `ref` cycles changed two of Chinook's
 * plans (playlist_track), so that step is left for later; fill itself refuses a shape whose
 * cycle references ask for more rows than distinct combinations (shape_keys.c).
 *
 * An exclusion constraint is recorded as it is (pg_get_constraintdef after EXCLUDE USING)
 * and built after the load. A range column under `&&` gets one disjoint range per row
 * (SH_SLOT_*), so overlapping ranges never meet, whatever the other elements; a constraint
 * that has an `=` element on a column unique alone holds already. Any other exclusion is
 * kept in the shape and fill refuses it before writing a row, naming it.
 */
#include "profile_keys.h"

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
