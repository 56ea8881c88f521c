/*
 * structure.c -- structural differences between a shape and a filled database (see
 * structure.h). A shape's JSON is read as written (a profile or a hand-written shape);
 * malformed parts were refused by fill already, so what is missing here is a difference,
 * not an error.
 */
#include "structure.h"

#include <stdio.h>
#include <string.h>

#include "shape_int.h"

typedef struct sdiff {
    dbuf *out;
    size_t n;
    int rc;
} sdiff;

static void diff(sdiff *d, const char *fmt, const char *t, const char *a, const char *b,
                 const char *c)
{
    d->n++;
    int rc = dbuf_adds(d->out, t);
    rc = rc ? rc : dbuf_adds(d->out, ": ");
    rc = rc ? rc : dbuf_printf(d->out, fmt, a ? a : "", b ? b : "", c ? c : "");
    rc = rc ? rc : dbuf_adds(d->out, "\n");
    d->rc = d->rc ? d->rc : rc;
}

/* Types are equal when they are the same string, or parse to the same datagen type (a
 * hand-written "int" against the catalog's "integer"). */
static int same_type(const char *a, const char *b)
{
    scol x, y;
    if (!strcmp(a, b))
        return 1;
    return !sh_parse_type(a, &x) && !sh_parse_type(b, &y) && x.ctype == y.ctype &&
           x.maxlen == y.maxlen && x.scale == y.scale;
}

/* The JSON array of strings equals the name list (in order). */
static int same_names(const json_t *a, const pgs_names *n)
{
    if (json_array_size(a) != n->n)
        return 0;
    for (size_t i = 0; i < n->n; i++)
        if (strcmp(json_string_value(json_array_get(a, i)) ? json_string_value(json_array_get(a, i))
                                                           : "",
                   n->v[i]))
            return 0;
    return 1;
}

static void columns(sdiff *d, const json_t *jt, const pgs_table *t)
{
    const char *tn = t->name;
    json_t *cols = json_object_get(jt, "columns"), *gcols = json_object_get(jt, "generated");
    for (size_t i = 0; i < json_array_size(cols) + json_array_size(gcols); i++) {
        int g = i >= json_array_size(cols);
        json_t *jc = g ? json_array_get(gcols, i - json_array_size(cols)) : json_array_get(cols, i);
        const char *cn = json_string_value(json_object_get(jc, "name"));
        const char *ty = json_string_value(json_object_get(jc, "type"));
        const char *have = NULL;
        for (size_t k = 0; cn && !have && k < t->ncols; k++)
            if (!strcmp(t->cols[k].name, cn))
                have = g ? "" : t->cols[k].type;
        for (size_t k = 0; cn && !have && k < t->ngcols; k++)
            if (!strcmp(t->gcols[k].name, cn))
                have = g ? t->gcols[k].type : "";
        if (!cn || !ty)
            continue;
        if (!have)
            diff(d, "column '%s' is missing in the database%s%s", tn, cn, NULL, NULL);
        else if (!*have)
            diff(d, "column '%s' is %sgenerated in the shape, %s in the database", tn, cn,
                 g ? "" : "not ", g ? "not" : "generated");
        else if (!same_type(ty, have))
            diff(d, "column '%s' is %s in the shape, %s in the database", tn, cn, ty, have);
    }
    for (size_t k = 0; k < t->ncols + t->ngcols; k++) {
        const char *cn = k < t->ncols ? t->cols[k].name : t->gcols[k - t->ncols].name;
        int found = 0;
        for (size_t i = 0; !found && i < json_array_size(cols) + json_array_size(gcols); i++) {
            json_t *jc = i < json_array_size(cols)
                             ? json_array_get(cols, i)
                             : json_array_get(gcols, i - json_array_size(cols));
            const char *s = json_string_value(json_object_get(jc, "name"));
            found = s && !strcmp(s, cn);
        }
        if (!found)
            diff(d, "column '%s' is in the database, not in the shape%s%s", tn, cn, NULL, NULL);
    }
}

static void keys(sdiff *d, const json_t *jt, const pgs_table *t)
{
    const char *tn = t->name;
    json_t *pk = json_object_get(jt, "primary_key"), *uq = json_object_get(jt, "unique");
    if (json_array_size(pk) && !same_names(pk, &t->pk))
        diff(d, "primary key differs (%s in the database)%s%s", tn, t->pk.n ? t->pk.v[0] : "none",
             NULL, NULL);
    else if (!json_array_size(pk) && t->pk.n)
        diff(d, "the database has a primary key on %s, the shape none%s%s", tn, t->pk.v[0], NULL,
             NULL);
    for (size_t i = 0; i < json_array_size(uq); i++) {
        int found = 0;
        for (size_t k = 0; !found && k < t->nuniq; k++)
            found = same_names(json_array_get(uq, i), &t->uniq[k]);
        if (!found)
            diff(d, "unique (%s...) is missing in the database%s%s", tn,
                 json_string_value(json_array_get(json_array_get(uq, i), 0)), NULL, NULL);
    }
    json_t *fks = json_object_get(jt, "foreign_keys");
    for (size_t i = 0; i < json_array_size(fks); i++) {
        json_t *f = json_array_get(fks, i);
        const char *rt = json_string_value(json_object_get(f, "table"));
        const char *act = json_string_value(json_object_get(f, "actions"));
        const pgs_fk *found = NULL;
        for (size_t k = 0; rt && !found && k < t->nfks; k++)
            if (!strcmp(t->fks[k].ref_table, rt) &&
                same_names(json_object_get(f, "columns"), &t->fks[k].cols))
                found = &t->fks[k];
        if (!found)
            diff(d, "foreign key (%s...) -> %s is missing in the database%s", tn,
                 json_string_value(json_array_get(json_object_get(f, "columns"), 0)), rt, NULL);
        else if ((act != NULL) != (found->actions != NULL) || (act && strcmp(act, found->actions)))
            diff(d, "foreign key -> %s is '%s' in the shape, '%s' in the database", tn, rt,
                 act ? act : "", found->actions ? found->actions : "");
    }
    size_t nchk = json_array_size(json_object_get(jt, "checks"));
    if (nchk != t->nchecks) {
        char a[32], b[32];
        snprintf(a, sizeof a, "%zu", nchk);
        snprintf(b, sizeof b, "%zu", t->nchecks);
        diff(d, "%s CHECK constraints in the shape, %s in the database%s", tn, a, b, NULL);
    }
}

static void indexes(sdiff *d, const json_t *jt, const pgs_table *t)
{
    json_t *ix = json_object_get(jt, "indexes");
    for (size_t i = 0; i < json_array_size(ix); i++) {
        json_t *ji = json_array_get(ix, i);
        const char *name = json_string_value(json_object_get(ji, "name"));
        const char *method = json_string_value(json_object_get(ji, "method"));
        const char *use = json_string_value(json_object_get(ji, "using"));
        const pgs_index *have = NULL;
        for (size_t k = 0; name && !have && k < t->nidx; k++)
            if (!strcmp(t->idx[k].name, name))
                have = &t->idx[k];
        if (!name)
            continue;
        if (!have)
            diff(d, "index '%s' is missing in the database%s%s", t->name, name, NULL, NULL);
        else if (strcmp(have->method, method ? method : "btree"))
            diff(d, "index '%s' uses %s in the shape, %s in the database", t->name, name,
                 method ? method : "btree", have->method);
        else if (json_is_true(json_object_get(ji, "unique")) != have->unique)
            diff(d, "index '%s' is %sunique in the database%s", t->name, name,
                 have->unique ? "" : "not ", NULL);
        else if (use && (!have->def || strcmp(use, have->def)))
            diff(d, "index '%s' is USING %s in the shape, USING %s in the database", t->name, name,
                 use, have->def ? have->def : "(plain columns)");
    }
}

/* Extended statistics objects by name (fill reports one it could not create; compare
 * holds the database to the shape). */
static void statistics(sdiff *d, const json_t *jt, const pgs_table *t)
{
    json_t *st = json_object_get(jt, "statistics");
    for (size_t i = 0; i < json_array_size(st); i++) {
        const char *name = json_string_value(json_object_get(json_array_get(st, i), "name"));
        int have = 0;
        for (size_t k = 0; name && k < t->next; k++)
            have |= !strcmp(t->ext[k].name, name);
        if (name && !have)
            diff(d, "statistics object '%s' is missing in the database%s%s", t->name, name, NULL,
                 NULL);
    }
}

static void partitions(sdiff *d, const json_t *jt, const pgs_db *db, const pgs_table *t)
{
    const char *key = json_string_value(json_object_get(jt, "partition_by"));
    json_t *pa = json_object_get(jt, "partitions");
    if ((key != NULL) != (t->partkey != NULL) || (key && strcmp(key, t->partkey))) {
        diff(d, "partitioned by %s in the shape, by %s in the database", t->name,
             key ? key : "nothing", t->partkey ? t->partkey : "nothing", NULL);
        return;
    }
    for (size_t i = 0; i < json_array_size(pa); i++) {
        const char *pn = json_string_value(json_object_get(json_array_get(pa, i), "name"));
        const char *pb = json_string_value(json_object_get(json_array_get(pa, i), "bound"));
        const pgs_table *p = pn ? pgs_find_table(db, pn) : NULL;
        if (!pn || !pb)
            continue;
        if (!p || !p->part_of || strcmp(p->part_of, t->name))
            diff(d, "partition '%s' is missing in the database%s%s", t->name, pn, NULL, NULL);
        else if (!p->bound || strcmp(p->bound, pb))
            diff(d, "partition '%s' is %s in the shape, %s in the database", t->name, pn, pb,
                 p->bound ? p->bound : "no bound");
    }
    size_t have = 0;
    for (size_t k = 0; k < db->nt; k++)
        have += db->t[k].part_of && !strcmp(db->t[k].part_of, t->name);
    if (have != json_array_size(pa)) {
        char a[32], b[32];
        snprintf(a, sizeof a, "%zu", json_array_size(pa));
        snprintf(b, sizeof b, "%zu", have);
        diff(d, "%s partitions in the shape, %s in the database%s", t->name, a, b, NULL);
    }
}

size_t structure_diff(const json_t *sh, const pgs_db *db, dbuf *out, int *rc)
{
    sdiff d = {out, 0, 0};
    json_t *tables = json_object_get(sh, "tables");
    for (size_t i = 0; i < json_array_size(tables); i++) {
        json_t *jt = json_array_get(tables, i);
        const char *tn = json_string_value(json_object_get(jt, "name"));
        const pgs_table *t = tn ? pgs_find_table(db, tn) : NULL;
        if (!tn)
            continue;
        if (!t) {
            diff(&d, "table is missing in the database%s%s%s", tn, NULL, NULL, NULL);
            continue;
        }
        columns(&d, jt, t);
        keys(&d, jt, t);
        indexes(&d, jt, t);
        statistics(&d, jt, t);
        partitions(&d, jt, db, t);
    }
    *rc = d.rc;
    return d.n;
}
