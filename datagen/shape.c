/*
 * shape.c -- loading and validating a shape (see shape.h): tables, columns, constraints.
 * Generators are parsed in shape_gen.c. Two passes: names and types of every table and
 * column first, so that generators and constraints may refer to any table in any order.
 */
#include "shape.h"
#include "formats.h"
#include "shape_int.h"
#include "gen_kind.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"


/* A JSON array of identifiers into a malloc'd string array. */
static int str_list(json_t *arr, const char *path, char ***out, size_t *n, int min, char *err)
{
    if (!json_is_array(arr))
        return st_err(err, ST_EINPUT, "%s: expected an array of strings", path);
    size_t k = json_array_size(arr);
    if ((int)k < min)
        return st_err(err, ST_EINPUT, "%s: expected at least %d entries", path, min);
    *out = calloc(k ? k : 1, sizeof(char *));
    if (!*out)
        return st_err(err, ST_ENOMEM, "out of memory");
    *n = k;
    for (size_t i = 0; i < k; i++) {
        json_t *v = json_array_get(arr, i);
        if (!json_is_string(v))
            return st_err(err, ST_EINPUT, "%s[%zu]: expected a string", path, i);
        if (!((*out)[i] = sh_strdup(json_string_value(v))))
            return st_err(err, ST_ENOMEM, "out of memory");
    }
    return 0;
}

static int check_cols(const stable *t, char **cols, size_t n, const char *path, int allow_dir,
                      char *err)
{
    for (size_t i = 0; i < n; i++) {
        char name[128];
        snprintf(name, sizeof name, "%s", cols[i]);
        if (allow_dir) {
            char *sp = strchr(name, ' ');
            if (sp) {
                const char *d = sp + 1;
                /* clang-format off */
                static const char *ok[] = {"ASC", "DESC", "DESC NULLS LAST", "ASC NULLS FIRST",
                                           "DESC NULLS FIRST", "ASC NULLS LAST"};
                /* clang-format on */
                int good = 0;
                for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++)
                    good |= !strcmp(d, ok[k]);
                if (!good)
                    return st_err(err, ST_EINPUT, "%s[%zu]: expected \"column\" or \"column DESC\"",
                                  path, i);
                *sp = 0;
            }
        }
        int is_gen = 0;
        for (size_t k = 0; allow_dir && k < t->ngcols; k++)
            is_gen |= !strcmp(t->gcols[k].name, name); /* an index may be on a generated column */
        if (shape_col_index(t, name) < 0 && !is_gen)
            return st_err(err, ST_EINPUT, "%s[%zu]: no column '%s' in table '%s'", path, i, name,
                          t->name);
    }
    return 0;
}

/* clang-format off */
static const char *const table_keys[] = {
    "name", "rows", "scale", "parent", "popularity", "hot_ids", "columns", "primary_key",
    "unique", "foreign_keys", "checks", "exclusions", "indexes", "unlogged", "create", "generated", "partition_by", "partitions", "activity", "statistics", NULL};
/* clang-format on */
/* clang-format off */
static const char *const col_keys[] = {"name", "type", "gen", "null_frac", "n_distinct",
                                       "correlation", "unique", "identity", NULL};
/* clang-format on */

/* Pass 1: table names, row counts, columns' names and types. */
static int pass1_table(shape *sh, size_t ti, json_t *jt, const char *tp, char *err)
{
    stable *t = &sh->t[ti];
    char p[256];
    const char *s;
    int rc;
    if (!json_is_object(jt))
        return st_err(err, ST_EINPUT, "%s: expected an object", tp);
    if ((rc = jv_no_unknown(jt, tp, table_keys, err)))
        return rc;
    if ((rc = jv_string(jt, tp, "name", 1, &s, err)))
        return rc;
    if (!sh_ident_ok(s))
        return st_err(err, ST_EINPUT, "%s.name: '%s' is not a lowercase SQL identifier", tp, s);
    for (size_t k = 0; k < ti; k++)
        if (!strcmp(sh->t[k].name, s))
            return st_err(err, ST_EINPUT, "%s.name: table '%s' appears twice", tp, s);
    if (!strncmp(s, "stampede_datagen_", 17))
        return st_err(err, ST_EINPUT, "%s.name: '%s' is datagen's own bookkeeping name", tp, s);
    t->name = sh_strdup(s);
    t->parent = -1;
    t->create = 1;
    t->hot_top = 100000;
    json_t *jp = json_object_get(jt, "parent");
    if (jp && !json_is_null(jp)) {
        if (json_object_get(jt, "rows"))
            return st_err(err, ST_EINPUT,
                          "%s.rows: a child table (with parent) takes its rows from the fan-out",
                          tp);
    } else if ((rc = jv_int(jt, tp, "rows", 1, 0, (int64_t)1 << 50, &t->base_rows, err)))
        return rc;
    static const char *const scales[] = {"linear", "fixed", NULL};
    if ((rc = jv_enum(jt, tp, "scale", 0, scales, &t->fixed, err)))
        return rc;
    if ((rc = jv_bool(jt, tp, "unlogged", 0, &t->unlogged, err)) ||
        (rc = jv_bool(jt, tp, "create", 0, &t->create, err)))
        return rc;
    json_t *o;
    o = NULL;
    if ((rc = jv_object(jt, tp, "popularity", 0, &o, err)))
        return rc;
    if (o) {
        static const char *const k[] = {"s", NULL};
        jv_key(p, sizeof p, tp, "popularity");
        if ((rc = jv_no_unknown(o, p, k, err)) ||
            (rc = jv_number(o, p, "s", 1, -INFINITY, INFINITY, &t->pop_s, err)))
            return rc;
        if (!(t->pop_s > 0) || t->pop_s > 20)
            return st_err(err, ST_EINPUT, "%s.s: must be > 0 and <= 20", p);
        t->has_pop = 1;
    }
    {
        char sid[160];
        snprintf(sid, sizeof sid, "%s.$popularity", t->name);
        t->pop_key = rng_stream_id(sid);
    }
    if (t->has_pop && jp && !json_is_null(jp))
        return st_err(err, ST_EINPUT, "%s.popularity: a child table has no popularity of its own",
                      tp);
    json_t *cols;
    if ((rc = jv_array(jt, tp, "columns", 1, &cols, err)))
        return rc;
    size_t nc = json_array_size(cols);
    jv_key(p, sizeof p, tp, "columns");
    if (nc == 0 || nc > SHAPE_MAX_COLS)
        return st_err(err, ST_EINPUT, "%s: expected 1 to %d columns", p, SHAPE_MAX_COLS);
    t->cols = calloc(nc, sizeof(scol));
    if (!t->cols)
        return st_err(err, ST_ENOMEM, "out of memory");
    t->ncols = nc;
    for (size_t ci = 0; ci < nc; ci++) {
        char cp[300];
        jv_path(cp, sizeof cp, p, ci);
        json_t *jc = json_array_get(cols, ci);
        scol *c = &t->cols[ci];
        if (!json_is_object(jc))
            return st_err(err, ST_EINPUT, "%s: expected an object", cp);
        if ((rc = jv_no_unknown(jc, cp, col_keys, err)) ||
            (rc = jv_string(jc, cp, "name", 1, &s, err)))
            return rc;
        if (!sh_ident_ok(s))
            return st_err(err, ST_EINPUT, "%s.name: '%s' is not a lowercase SQL identifier", cp, s);
        for (size_t k = 0; k < ci; k++)
            if (!strcmp(t->cols[k].name, s))
                return st_err(err, ST_EINPUT, "%s.name: column '%s' appears twice", cp, s);
        c->name = sh_strdup(s);
        if ((rc = jv_string(jc, cp, "type", 1, &s, err)))
            return rc;
        if (sh_col_type(sh, s, c))
            return st_err(err, ST_EINPUT,
                          "%s.type: unsupported type '%s' (declare it under \"types\")", cp, s);
        c->type_sql = sh_strdup(s);
        if ((rc = jv_number(jc, cp, "null_frac", 0, 0, 1, &c->null_frac, err)) ||
            (rc = jv_number(jc, cp, "n_distinct", 0, -1, 1e15, &c->n_distinct, err)) ||
            (rc = jv_number(jc, cp, "correlation", 0, -1, 1, &c->corr, err)) ||
            (rc = jv_bool(jc, cp, "unique", 0, &c->unique, err)) ||
            (rc = sh_parse_identity(c, jc, cp, err)))
            return rc;
        c->not_null = c->null_frac == 0;
        char sid[160];
        snprintf(sid, sizeof sid, "%s.%s", t->name, c->name);
        c->stream = rng_stream_id(sid);
    }
    if ((rc = sh_parse_generated(sh, t, jt, tp, err)))
        return rc;
    return sh_parse_partitions(t, jt, tp, err);
}

/* "hot_ids": which column the hot-id catalog lists, and how many.
 * Returns 0, or ST_EINPUT/ST_ENOMEM with err naming the field path. */
static int parse_hot_ids(shape *sh, stable *t, json_t *jt, const char *tp, char *err)
{
    char p[300];
    int rc;
    json_t *o = NULL;
    if ((rc = jv_object(jt, tp, "hot_ids", 0, &o, err)))
        return rc;
    if (o) {
        static const char *const k[] = {"column", "top", NULL};
        const char *s = NULL;
        jv_key(p, sizeof p, tp, "hot_ids");
        if ((rc = jv_no_unknown(o, p, k, err)) || (rc = jv_string(o, p, "column", 0, &s, err)) ||
            (rc = jv_int(o, p, "top", 0, 1, 100000000, &t->hot_top, err)))
            return rc;
        if (!t->has_pop)
            return st_err(err, ST_EINPUT, "%s: needs the table's popularity", p);
        if (!s)
            s = t->cols[0].name;
        if (shape_col_index(t, s) < 0)
            return st_err(err, ST_EINPUT, "%s.column: no column '%s'", p, s);
        t->hot_col = sh_strdup(s);
    }
    return 0;
}

/* Every column's "gen", and that a unique column gets a generator that cannot repeat.
 * Returns 0, or ST_EINPUT/ST_ENOMEM with err naming the field path. */
static int parse_gens(shape *sh, stable *t, json_t *jt, const char *tp, char *err)
{
    char p[300];
    int rc;
    json_t *cols = json_object_get(jt, "columns");
    size_t ti = (size_t)(t - sh->t);
    for (size_t ci = 0; ci < t->ncols; ci++) {
        char cp[300];
        jv_key(p, sizeof p, tp, "columns");
        jv_path(cp, sizeof cp, p, ci);
        json_t *jg;
        if ((rc = jv_object(json_array_get(cols, ci), cp, "gen", 1, &jg, err)))
            return rc;
        char gp[320];
        jv_key(gp, sizeof gp, cp, "gen");
        if ((rc = sh_parse_gen(sh, (int)ti, (int)ci, jg, gp, &t->cols[ci].g, err)))
            return rc;
        scol *c = &t->cols[ci];
        if (c->unique && !sh_gen_unique(t, c->g))
            return st_err(err, ST_EINPUT,
                          "%s.unique: generator '%s' cannot guarantee unique values (use sequence, "
                          "permutation, uuid or text with {row})",
                          cp, sh_gen_name(c->g->kind));
        if (c->unique && c->n_distinct != 0)
            return st_err(err, ST_EINPUT, "%s.n_distinct: contradicts unique", cp);
    }
    return 0;
}

/* "primary_key" and "unique": column lists of the table.
 * Returns 0, or ST_EINPUT/ST_ENOMEM with err naming the field path. */
static int parse_keys(shape *sh, stable *t, json_t *jt, const char *tp, char *err)
{
    char p[300];
    int rc;
    json_t *a = NULL;
    if ((rc = jv_array(jt, tp, "primary_key", 0, &a, err)))
        return rc;
    if (a) {
        jv_key(p, sizeof p, tp, "primary_key");
        if ((rc = str_list(a, p, &t->pk, &t->npk, 1, err)) ||
            (rc = check_cols(t, t->pk, t->npk, p, 0, err)))
            return rc;
    }
    a = NULL;
    if ((rc = jv_array(jt, tp, "unique", 0, &a, err)))
        return rc;
    if (a) {
        t->nuniq = json_array_size(a);
        t->uniq = calloc(t->nuniq + 1, sizeof(char **));
        t->nuniq_cols = calloc(t->nuniq + 1, sizeof(size_t));
        if (!t->uniq || !t->nuniq_cols)
            return st_err(err, ST_ENOMEM, "out of memory");
        for (size_t i = 0; i < t->nuniq; i++) {
            char up[300];
            jv_key(p, sizeof p, tp, "unique");
            jv_path(up, sizeof up, p, i);
            if ((rc = str_list(json_array_get(a, i), up, &t->uniq[i], &t->nuniq_cols[i], 1, err)) ||
                (rc = check_cols(t, t->uniq[i], t->nuniq_cols[i], up, 0, err)))
                return rc;
        }
    }
    return 0;
}

/* "checks": CHECK expressions, one statement each.
 * Returns 0, or ST_EINPUT/ST_ENOMEM with err naming the field path. */
static int parse_checks(shape *sh, stable *t, json_t *jt, const char *tp, char *err)
{
    char p[300];
    int rc;
    json_t *a = NULL;
    if ((rc = jv_array(jt, tp, "checks", 0, &a, err)))
        return rc;
    if (a) {
        jv_key(p, sizeof p, tp, "checks");
        if ((rc = str_list(a, p, &t->checks, &t->nchecks, 0, err)))
            return rc;
        for (size_t i = 0; i < t->nchecks; i++)
            if (strchr(t->checks[i], ';'))
                return st_err(err, ST_EINPUT, "%s[%zu]: ';' not allowed in a CHECK expression", p,
                              i);
    }
    return 0;
}

/* "foreign_keys": columns, referenced table and columns, actions.
 * Returns 0, or ST_EINPUT/ST_ENOMEM with err naming the field path. */
static int parse_fks(shape *sh, stable *t, json_t *jt, const char *tp, char *err)
{
    char p[300];
    int rc;
    json_t *a = NULL;
    if ((rc = jv_array(jt, tp, "foreign_keys", 0, &a, err)))
        return rc;
    if (a) {
        t->nfks = json_array_size(a);
        t->fks = calloc(t->nfks + 1, sizeof(sfk));
        if (!t->fks)
            return st_err(err, ST_ENOMEM, "out of memory");
        for (size_t i = 0; i < t->nfks; i++) {
            char fp[300], q[340];
            static const char *const k[] = {"columns", "table", "ref_columns", "actions", NULL};
            jv_key(p, sizeof p, tp, "foreign_keys");
            jv_path(fp, sizeof fp, p, i);
            json_t *jf = json_array_get(a, i);
            json_t *x;
            const char *rt;
            if (!json_is_object(jf))
                return st_err(err, ST_EINPUT, "%s: expected an object", fp);
            if ((rc = jv_no_unknown(jf, fp, k, err)) ||
                (rc = jv_string(jf, fp, "table", 1, &rt, err)))
                return rc;
            int rti = shape_table_index(sh, rt);
            if (rti < 0)
                return st_err(err, ST_EINPUT, "%s.table: no table '%s' in the shape", fp, rt);
            t->fks[i].table = sh_strdup(rt);
            const char *act = NULL;
            if ((rc = jv_string(jf, fp, "actions", 0, &act, err)))
                return rc;
            if (act && !(t->fks[i].actions = sh_strdup(act)))
                return st_err(err, ST_ENOMEM, "out of memory");
            jv_key(q, sizeof q, fp, "columns");
            if ((rc = jv_array(jf, fp, "columns", 1, &x, err)) ||
                (rc = str_list(x, q, &t->fks[i].cols, &t->fks[i].ncols, 1, err)) ||
                (rc = check_cols(t, t->fks[i].cols, t->fks[i].ncols, q, 0, err)))
                return rc;
            jv_key(q, sizeof q, fp, "ref_columns");
            if ((rc = jv_array(jf, fp, "ref_columns", 1, &x, err)) ||
                (rc = str_list(x, q, &t->fks[i].ref_cols, &t->fks[i].nref, 1, err)) ||
                (rc = check_cols(&sh->t[rti], t->fks[i].ref_cols, t->fks[i].nref, q, 0, err)))
                return rc;
            if (t->fks[i].nref != t->fks[i].ncols)
                return st_err(err, ST_EINPUT, "%s: columns and ref_columns differ in length", fp);
        }
    }
    return 0;
}

/* "indexes": name, columns, unique, method and a definition after USING.
 * Returns 0, or ST_EINPUT/ST_ENOMEM with err naming the field path. */
static int parse_indexes(shape *sh, stable *t, json_t *jt, const char *tp, char *err)
{
    char p[300];
    int rc;
    json_t *a = NULL;
    if ((rc = jv_array(jt, tp, "indexes", 0, &a, err)))
        return rc;
    if (a) {
        t->nidx = json_array_size(a);
        t->idx = calloc(t->nidx + 1, sizeof(sindex));
        if (!t->idx)
            return st_err(err, ST_ENOMEM, "out of memory");
        for (size_t i = 0; i < t->nidx; i++) {
            char ip[300], q[340];
            static const char *const k[] = {"name", "columns", "unique", "method", "using", NULL};
            static const char *const methods[] = {"btree", "hash", "brin", "gin", "gist", NULL};
            jv_key(p, sizeof p, tp, "indexes");
            jv_path(ip, sizeof ip, p, i);
            json_t *ji = json_array_get(a, i), *x;
            const char *s;
            int m = 0;
            if (!json_is_object(ji))
                return st_err(err, ST_EINPUT, "%s: expected an object", ip);
            if ((rc = jv_no_unknown(ji, ip, k, err)) ||
                (rc = jv_string(ji, ip, "name", 1, &s, err)))
                return rc;
            if (!sh_ident_ok(s))
                return st_err(err, ST_EINPUT, "%s.name: '%s' is not a lowercase SQL identifier", ip,
                              s);
            t->idx[i].name = sh_strdup(s);
            jv_key(q, sizeof q, ip, "columns");
            if ((rc = jv_array(ji, ip, "columns", 1, &x, err)) ||
                (rc = str_list(x, q, &t->idx[i].cols, &t->idx[i].ncols, 1, err)) ||
                (rc = check_cols(t, t->idx[i].cols, t->idx[i].ncols, q, 1, err)) ||
                (rc = jv_bool(ji, ip, "unique", 0, &t->idx[i].unique, err)) ||
                (rc = jv_enum(ji, ip, "method", 0, methods, &m, err)))
                return rc;
            t->idx[i].method = sh_strdup(methods[m]);
            s = NULL;
            if ((rc = jv_string(ji, ip, "using", 0, &s, err)))
                return rc;
            if (s && !(t->idx[i].using = sh_strdup(s)))
                return st_err(err, ST_ENOMEM, "out of memory");
        }
    }
    return 0;
}

/* "exclusions": exclusion constraints by name and their definition after EXCLUDE USING.
 * Returns 0, or ST_EINPUT/ST_ENOMEM with err naming the field path. */
static int parse_exclusions(stable *t, json_t *jt, const char *tp, char *err)
{
    char p[300];
    json_t *a = NULL;
    int rc;
    if ((rc = jv_array(jt, tp, "exclusions", 0, &a, err)) || !a)
        return rc;
    if (!(t->excl = calloc(json_array_size(a) + 1, sizeof *t->excl)))
        return st_err(err, ST_ENOMEM, "out of memory");
    for (size_t i = 0; i < json_array_size(a); i++) {
        static const char *const k[] = {"name", "using", NULL};
        char xp[320];
        const char *name, *use;
        json_t *jx = json_array_get(a, i);
        jv_key(p, sizeof p, tp, "exclusions");
        jv_path(xp, sizeof xp, p, i);
        if (!json_is_object(jx))
            return st_err(err, ST_EINPUT, "%s: expected an object", xp);
        if ((rc = jv_no_unknown(jx, xp, k, err)) ||
            (rc = jv_string(jx, xp, "name", 1, &name, err)) ||
            (rc = jv_string(jx, xp, "using", 1, &use, err)))
            return rc;
        if (!sh_ident_ok(name))
            return st_err(err, ST_EINPUT, "%s.name: '%s' is not a lowercase SQL identifier", xp,
                          name);
        if (strchr(use, ';'))
            return st_err(err, ST_EINPUT, "%s.using: ';' not allowed", xp);
        sexcl *x = &t->excl[t->nexcl++];
        if (!(x->name = sh_strdup(name)) || !(x->using = sh_strdup(use)))
            return st_err(err, ST_ENOMEM, "out of memory");
    }
    return 0;
}

/* Pass 2: generators, parent, popularity, constraints. */
static int pass2_table(shape *sh, size_t ti, json_t *jt, const char *tp, char *err)
{
    stable *t = &sh->t[ti];
    json_t *o = NULL;
    int rc;
    if ((rc = parse_hot_ids(sh, t, jt, tp, err)) || (rc = jv_object(jt, tp, "parent", 0, &o, err)))
        return rc;
    if (o && (rc = sh_parse_parent(sh, t, o, tp, err)))
        return rc;
    if ((rc = gk_activity_sugar(sh, (int)ti, jt, tp, err)) ||
        (rc = parse_gens(sh, t, jt, tp, err)) || (rc = parse_keys(sh, t, jt, tp, err)) ||
        (rc = parse_checks(sh, t, jt, tp, err)) || (rc = parse_exclusions(t, jt, tp, err)) ||
        (rc = parse_fks(sh, t, jt, tp, err)) || (rc = sh_parse_statistics(t, jt, tp, err)))
        return rc;
    return parse_indexes(sh, t, jt, tp, err);
}

shape *shape_from_json(json_t *root, const char *file, char *err)
{
    char e2[ST_ERRLEN];
    int rc;
    shape *sh = calloc(1, sizeof *sh);
    if (!sh) {
        st_err(err, ST_ENOMEM, "out of memory");
        return NULL;
    }
    static const char *const top[] = {"format", "version", "name",  "seed",
                                      "types",  "tables",  "views", NULL};
    const char *fmt, *name = NULL;
    int64_t ver;
    json_t *tables = NULL;
    sh->seed = 42;
    if (!json_is_object(root)) {
        st_err(e2, ST_EINPUT, "shape: expected a JSON object");
        goto fail;
    }
    if ((rc = jv_no_unknown(root, "shape", top, e2)) ||
        (rc = jv_string(root, "shape", "format", 1, &fmt, e2)))
        goto fail;
    if (strcmp(fmt, ST_FMT_SHAPE)) {
        st_err(e2, ST_EINPUT, "shape.format: expected \"" ST_FMT_SHAPE "\"");
        goto fail;
    }
    if ((rc = jv_version(root, "shape", ST_FMT_SHAPE_VERSION, &ver, e2)) ||
        (rc = jv_string(root, "shape", "name", 0, &name, e2)) ||
        (rc = jv_int(root, "shape", "seed", 0, 0, INT64_MAX, &sh->seed, e2)) ||
        (rc = jv_array(root, "shape", "tables", 1, &tables, e2)) ||
        (rc = sh_parse_types(sh, root, e2)) || (rc = sh_parse_views(sh, root, e2)))
        goto fail;
    sh->name = sh_strdup(name ? name : "unnamed");
    sh->nt = json_array_size(tables);
    if (sh->nt == 0 || sh->nt > SHAPE_MAX_TABLES) {
        st_err(e2, ST_EINPUT, "tables: expected 1 to %d tables", SHAPE_MAX_TABLES);
        goto fail;
    }
    sh->t = calloc(sh->nt, sizeof(stable));
    if (!sh->t) {
        st_err(e2, ST_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < sh->nt; i++) {
        char tp[64];
        jv_path(tp, sizeof tp, "tables", i);
        if (pass1_table(sh, i, json_array_get(tables, i), tp, e2)) {
            sh->nt = i + 1;
            goto fail;
        }
    }
    for (size_t i = 0; i < sh->nt; i++) {
        char tp[64];
        jv_path(tp, sizeof tp, "tables", i);
        if (pass2_table(sh, i, json_array_get(tables, i), tp, e2))
            goto fail;
    }
    if (sh_check_cycles(sh, e2))
        goto fail;
    sh->canon = json_dumps(root, JSON_SORT_KEYS | JSON_COMPACT);
    if (!sh->canon) {
        st_err(e2, ST_ENOMEM, "out of memory");
        goto fail;
    }
    return sh;
fail:
    st_err(err, ST_EINPUT, "%s: %s", file, e2);
    shape_free(sh);
    return NULL;
}

shape *shape_load(const char *path, char *err)
{
    json_t *root = jsonio_load(path, err);
    if (!root)
        return NULL;
    shape *sh = shape_from_json(root, path, err);
    json_decref(root);
    return sh;
}

static void free_list(char **l, size_t n)
{
    if (!l)
        return;
    for (size_t i = 0; i < n; i++)
        free(l[i]);
    free(l);
}

void shape_free(shape *sh)
{
    if (!sh)
        return;
    sh_free_types(sh);
    for (size_t i = 0; sh->t && i < sh->nt; i++) {
        stable *t = &sh->t[i];
        free(t->name);
        free(t->hot_col);
        for (size_t c = 0; t->cols && c < t->ncols; c++) {
            free(t->cols[c].name);
            free(t->cols[c].type_sql);
            sh_gen_free(t->cols[c].g);
        }
        free(t->cols);
        free_list(t->pk, t->npk);
        for (size_t u = 0; t->uniq && u < t->nuniq; u++)
            free_list(t->uniq[u], t->nuniq_cols[u]);
        free(t->uniq);
        free(t->nuniq_cols);
        for (size_t f = 0; t->fks && f < t->nfks; f++) {
            free_list(t->fks[f].cols, t->fks[f].ncols);
            free_list(t->fks[f].ref_cols, t->fks[f].nref);
            free(t->fks[f].table);
            free(t->fks[f].actions);
        }
        free(t->fks);
        free_list(t->checks, t->nchecks);
        for (size_t x = 0; t->excl && x < t->nexcl; x++) {
            free(t->excl[x].name);
            free(t->excl[x].using);
        }
        free(t->excl);
        for (size_t x = 0; t->idx && x < t->nidx; x++) {
            free(t->idx[x].name);
            free(t->idx[x].method);
            free(t->idx[x].using);
            free_list(t->idx[x].cols, t->idx[x].ncols);
        }
        free(t->idx);
        sh_free_generated(t);
        sh_free_statistics(t);
        free(t->fan.vals);
        free(t->rank_row);
        free(t->row_rank);
        rng_alias_free(t->fan.alias);
    }
    free(sh->t);
    free(sh->name);
    free(sh->canon);
    free(sh);
}

uint64_t shape_fanout(const shape *sh, const stable *t, uint64_t seed, uint64_t prow)
{
    (void)sh;
    const fanout *f = &t->fan;
    rng_stream s;
    rng_stream_init(&s, seed, rng_mix(rng_mix(t->cols[0].stream, 0x46414e4full), prow));
    int64_t k;
    switch (f->dist) {
    case FD_CONST: k = f->min; break;
    case FD_UNIFORM: k = f->min + (int64_t)rng_below(&s, (uint64_t)(f->max - f->min + 1)); break;
    case FD_ZIPF: k = f->min - 1 + (int64_t)rng_zipf_draw(&f->z, &s); break;
    case FD_GEOMETRIC: {
        double p = 1.0 / f->mean;
        double u = rng_uniform(&s);
        k = f->min + (int64_t)floor(log(u) / log1p(-p < -1 + 1e-12 ? -1 + 1e-12 : -p));
        if (p >= 1)
            k = f->min;
        if (k > f->max)
            k = f->max;
        break;
    }
    default: k = f->vals[rng_alias_draw(f->alias, &s)]; break;
    }
    return k < 0 ? 0 : (uint64_t)k;
}

int shape_resolve(shape *sh, double scale, char **overrides, size_t nover, uint64_t seed, char *err)
{
    sh->run_seed = seed;
    for (size_t i = 0; i < sh->nt; i++) {
        stable *t = &sh->t[i];
        if (t->parent >= 0)
            continue;
        double r = t->fixed ? (double)t->base_rows : llround((double)t->base_rows * scale);
        if (r < 1 && t->base_rows > 0)
            r = 1;
        t->rows = (uint64_t)r;
    }
    for (size_t k = 0; k < nover; k++) {
        const char *eq = strchr(overrides[k], '=');
        char name[128];
        if (!eq || eq == overrides[k] || (size_t)(eq - overrides[k]) >= sizeof name)
            return st_err(err, ST_EINPUT, "--rows %s: expected TABLE=N", overrides[k]);
        memcpy(name, overrides[k], (size_t)(eq - overrides[k]));
        name[eq - overrides[k]] = 0;
        int ti = shape_table_index(sh, name);
        if (ti < 0)
            return st_err(err, ST_EINPUT, "--rows %s: no table '%s' in the shape", overrides[k],
                          name);
        if (sh->t[ti].parent >= 0)
            return st_err(err, ST_EINPUT,
                          "--rows %s: '%s' is a child table; its rows follow its parent",
                          overrides[k], name);
        char *end;
        unsigned long long v = strtoull(eq + 1, &end, 10);
        if (!eq[1] || *end || v > ((uint64_t)1 << 50))
            return st_err(err, ST_EINPUT, "--rows %s: expected TABLE=N with N a row count",
                          overrides[k]);
        sh->t[ti].rows = v;
    }
    for (size_t i = 0; i < sh->nt; i++) {
        stable *t = &sh->t[i];
        t->nunits = t->rows;
        if (t->parent >= 0) {
            const stable *pt = &sh->t[t->parent];
            uint64_t sum = 0;
            for (uint64_t r = 0; r < pt->rows; r++)
                sum += shape_fanout(sh, t, seed, r);
            t->rows = sum;
            t->nunits = pt->rows;
        }
        if (t->has_pop && t->rows > 0 && rng_zipf_init(&t->pop_z, t->rows, t->pop_s, err))
            return ST_EINPUT;
    }
    return sh_resolve_gens(sh, err);
}
