/*
 * shape_gen.c -- parsing a generator (`gen` object of a shape): the keys every kind shares,
 * then its kind's row of gen_kind.h; and a child table's fan-out. Checks that span tables
 * (cycles, unique-capable generators, resolving) are in shape_resolve.c.
 */
#include "gen_kind.h"
#include "shape_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"

/* The kind named by jg.kind; the message lists every kind, as jv_enum does. */
static int kind_of(json_t *jg, const char *path, int *kind, char *err)
{
    const char *names[G_NKINDS + 1];
    for (int k = 0; k < G_NKINDS; k++)
        names[k] = gk_def(k)->name;
    names[G_NKINDS] = NULL;
    return jv_enum(jg, path, "kind", 1, names, kind, err);
}

int sh_parse_gen(shape *sh, int ti, int ci, json_t *jg, const char *path, gen **out, char *err)
{
    int rc, kind = 0;
    *out = NULL;
    if (!json_is_object(jg))
        return st_err(err, ST_EINPUT, "%s: expected an object", path);
    if ((rc = kind_of(jg, path, &kind, err)))
        return rc;
    const gkind_def *def = gk_def(kind);
    if ((rc = jv_no_unknown(jg, path, def->keys, err)))
        return rc;
    gen *g = calloc(1, sizeof *g);
    if (!g)
        return st_err(err, ST_ENOMEM, "out of memory");
    *out = g;
    g->kind = kind;
    g->group_col = -1;
    g->on_col = -1;
    g->ref_table = -1;
    g->ref_col = -1;
    gparse p = {sh, ti, ci, sh->t[ti].cols[ci].ctype, jg, path};
    if (sh_num_or_time(jg, path, "min", 0, p.ct, &g->lo, err) ||
        sh_num_or_time(jg, path, "max", 0, p.ct, &g->hi, err))
        return ST_EINPUT;
    g->has_lo = json_object_get(jg, "min") != NULL;
    g->has_hi = json_object_get(jg, "max") != NULL;
    if ((rc = def->parse(&p, g, err)))
        return rc;
    if (g->has_lo && g->has_hi && g->lo > g->hi)
        return st_err(err, ST_EINPUT, "%s.max: must be >= min", path);
    return 0;
}

int sh_parse_parent(shape *sh, stable *t, json_t *jp, const char *tpath, char *err)
{
    char p[300], fp[320];
    const char *pn;
    json_t *jf;
    int rc;
    static const char *const k[] = {"table", "fanout", NULL};
    static const char *const fk[] = {"dist", "n",      "min",     "max", "s",
                                     "mean", "values", "weights", NULL};
    static const char *const dists[] = {"const",     "uniform",     "zipf",
                                        "geometric", "categorical", NULL};
    jv_key(p, sizeof p, tpath, "parent");
    if ((rc = jv_no_unknown(jp, p, k, err)) || (rc = jv_string(jp, p, "table", 1, &pn, err)) ||
        (rc = jv_object(jp, p, "fanout", 1, &jf, err)))
        return rc;
    t->parent = shape_table_index(sh, pn);
    if (t->parent < 0)
        return st_err(err, ST_EINPUT, "%s.table: no table '%s' in the shape", p, pn);
    if (sh->t[t->parent].parent >= 0 || &sh->t[t->parent] == t)
        return st_err(err, ST_EINPUT,
                      "%s.table: the parent must be an ordinary table (not a child)", p);
    fanout *f = &t->fan;
    jv_key(fp, sizeof fp, p, "fanout");
    if ((rc = jv_no_unknown(jf, fp, fk, err)) ||
        (rc = jv_enum(jf, fp, "dist", 1, dists, &f->dist, err)))
        return rc;
    f->min = 1;
    f->max = SHAPE_MAX_FANOUT;
    switch (f->dist) {
    case FD_CONST:
        if ((rc = jv_int(jf, fp, "n", 1, 0, SHAPE_MAX_FANOUT, &f->min, err)))
            return rc;
        f->max = f->min;
        break;
    case FD_UNIFORM:
    case FD_ZIPF:
    case FD_GEOMETRIC:
        if ((rc = jv_int(jf, fp, "min", 0, 0, SHAPE_MAX_FANOUT, &f->min, err)) ||
            (rc = jv_int(jf, fp, "max", 1, 0, SHAPE_MAX_FANOUT, &f->max, err)))
            return rc;
        if (f->max < f->min)
            return st_err(err, ST_EINPUT, "%s.max: must be >= min", fp);
        if (f->dist == FD_ZIPF) {
            if ((rc = jv_number(jf, fp, "s", 1, -INFINITY, INFINITY, &f->s, err)))
                return rc;
            if (!(f->s > 0) || f->s > 20)
                return st_err(err, ST_EINPUT, "%s.s: must be > 0", fp);
            if (rng_zipf_init(&f->z, (uint64_t)(f->max - f->min + 1), f->s, err))
                return ST_EINPUT;
        }
        if (f->dist == FD_GEOMETRIC) {
            if ((rc = jv_number(jf, fp, "mean", 1, 1, SHAPE_MAX_FANOUT, &f->mean, err)))
                return rc;
            f->mean = f->mean - f->min + 1; /* mean of the geometric part counted from min */
            if (f->mean < 1)
                f->mean = 1;
        }
        break;
    case FD_CATEGORICAL: {
        json_t *v = json_object_get(jf, "values"), *w = json_object_get(jf, "weights");
        char q[340];
        jv_key(q, sizeof q, fp, "values");
        if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > 65536)
            return st_err(err, ST_EINPUT, "%s: expected a non-empty array of integers", q);
        f->nvals = json_array_size(v);
        f->vals = calloc(f->nvals, sizeof(int64_t));
        double *wt = calloc(f->nvals, sizeof(double));
        if (!f->vals || !wt) {
            free(wt);
            return st_err(err, ST_ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < f->nvals; i++) {
            json_t *x = json_array_get(v, i);
            if (!json_is_integer(x) || json_integer_value(x) < 0 ||
                json_integer_value(x) > SHAPE_MAX_FANOUT) {
                free(wt);
                return st_err(err, ST_EINPUT, "%s[%zu]: expected an integer in [0, %d]", q, i,
                              SHAPE_MAX_FANOUT);
            }
            f->vals[i] = json_integer_value(x);
            wt[i] = 1;
        }
        jv_key(q, sizeof q, fp, "weights");
        if (w && (rc = sh_weights(w, q, f->nvals, wt, err))) {
            free(wt);
            return rc;
        }
        f->alias = rng_alias_new(wt, f->nvals, err);
        free(wt);
        if (!f->alias)
            return ST_EINPUT;
        break;
    }
    }
    return 0;
}
