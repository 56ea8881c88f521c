/*
 * shape_types.c -- column types beyond the ones datagen formats itself.
 *
 * A shape may declare its own SQL types under "types" (enums, domains, composite types:
 * each with the statement that creates it, taken from the catalog by `datagen profile`).
 * fill creates the missing ones before the tables. A domain names its base type ("base"):
 * its columns are generated and formatted as the base type, and PostgreSQL checks the
 * domain's CHECK on COPY. Any other declared type, and a fixed list of PostgreSQL's own
 * types (tsvector, inet, interval, ranges, money, bit, arrays of anything, ...), is CT_OTHER:
 * the generator's values are literals in the type's input syntax, copied in text format.
 */
#include "shape_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"

/* PostgreSQL types datagen writes as literals (lowercase, as format_type() prints them);
 * an entry ending in '(' also takes a modifier, "bit(8)". */
/* clang-format off */
static const char *const literal_types[] = {
    "tsvector", "tsquery", "inet", "cidr", "macaddr", "macaddr8", "interval", "money",
    "int4range", "int8range", "numrange", "tsrange", "tstzrange", "daterange",
    "int4multirange", "int8multirange", "nummultirange", "datemultirange", "bit", "bit(",
    "bit varying", "bit varying(", "varbit", "xml", "point", "line", "lseg", "box", "path",
    "polygon", "circle", "time", "time without time zone", "time with time zone", "timetz",
    "time(", "interval(", "oid", "pg_lsn", "character", "char", "name", "citext", "hstore", NULL};
/* clang-format on */

static int literal_type(const char *s)
{
    for (size_t i = 0; literal_types[i]; i++) {
        size_t n = strlen(literal_types[i]);
        if (literal_types[i][n - 1] == '('
                ? !strncmp(s, literal_types[i], n) && s[strlen(s) - 1] == ')'
                : !strcmp(s, literal_types[i]))
            return 1;
    }
    return 0;
}

static const stype *find_type(const shape *sh, const char *s)
{
    for (size_t i = 0; i < sh->ntypes; i++)
        if (!strcmp(sh->types[i].name, s))
            return &sh->types[i];
    return NULL;
}

int sh_col_type(const shape *sh, const char *s, scol *c)
{
    char low[128];
    size_t n = strlen(s);
    if (n >= sizeof low)
        return -1;
    if (!sh_parse_type(s, c))
        return 0;
    for (size_t i = 0; i <= n; i++)
        low[i] = (char)tolower((unsigned char)s[i]);
    const stype *ty = find_type(sh, s);
    if (ty && ty->base)
        return sh_parse_type(ty->base, c) ? -1 : 0;
    c->scale = 0;
    c->maxlen = 0;
    c->ctype = CT_OTHER;
    if (ty || literal_type(low))
        return 0;
    /* An array of any type that resolves ("text[]", "mood[]", "integer[][]"). */
    if (n > 2 && !strcmp(s + n - 2, "[]")) {
        char el[128];
        scol tmp;
        memcpy(el, s, n - 2);
        el[n - 2] = 0;
        if (!sh_col_type(sh, el, &tmp)) {
            c->ctype = CT_OTHER;
            c->scale = c->maxlen = 0;
            return 0;
        }
    }
    return -1;
}

int sh_parse_types(shape *sh, json_t *root, char *err)
{
    json_t *a = NULL;
    int rc;
    if ((rc = jv_array(root, "shape", "types", 0, &a, err)) || !a)
        return rc;
    sh->ntypes = json_array_size(a);
    if (sh->ntypes > SHAPE_MAX_TABLES)
        return st_err(err, ST_EINPUT, "types: at most %d types", SHAPE_MAX_TABLES);
    if (sh->ntypes && !(sh->types = calloc(sh->ntypes, sizeof(stype))))
        return st_err(err, ST_ENOMEM, "out of memory");
    static const char *const keys[] = {"name", "sql", "base", NULL};
    for (size_t i = 0; i < sh->ntypes; i++) {
        char p[64];
        const char *name, *sql, *base = NULL;
        json_t *jt = json_array_get(a, i);
        jv_path(p, sizeof p, "types", i);
        if (!json_is_object(jt))
            return st_err(err, ST_EINPUT, "%s: expected an object", p);
        if ((rc = jv_no_unknown(jt, p, keys, err)) ||
            (rc = jv_string(jt, p, "name", 1, &name, err)) ||
            (rc = jv_string(jt, p, "sql", 1, &sql, err)) ||
            (rc = jv_string(jt, p, "base", 0, &base, err)))
            return rc;
        if (!sh_ident_ok(name))
            return st_err(err, ST_EINPUT, "%s.name: '%s' is not a lowercase SQL identifier", p,
                          name);
        for (size_t k = 0; k < i; k++)
            if (!strcmp(sh->types[k].name, name))
                return st_err(err, ST_EINPUT, "%s.name: type '%s' appears twice", p, name);
        scol tmp;
        if (base && sh_parse_type(base, &tmp))
            return st_err(err, ST_EINPUT, "%s.base: unsupported base type '%s'", p, base);
        sh->types[i].name = sh_strdup(name);
        sh->types[i].sql = sh_strdup(sql);
        sh->types[i].base = base ? sh_strdup(base) : NULL;
        if (!sh->types[i].name || !sh->types[i].sql || (base && !sh->types[i].base))
            return st_err(err, ST_ENOMEM, "out of memory");
    }
    return 0;
}

void sh_free_types(shape *sh)
{
    for (size_t i = 0; sh->views && i < sh->nviews; i++) {
        free(sh->views[i].name);
        free(sh->views[i].query);
    }
    free(sh->views);
    for (size_t i = 0; sh->types && i < sh->ntypes; i++) {
        free(sh->types[i].name);
        free(sh->types[i].sql);
        free(sh->types[i].base);
    }
    free(sh->types);
}

int sh_parse_identity(scol *c, json_t *jc, const char *cp, char *err)
{
    static const char *const kinds[] = {"none", "always", "by default", NULL};
    int k = 0, rc = jv_enum(jc, cp, "identity", 0, kinds, &k, err);
    if (rc)
        return rc;
    c->identity = k;
    if (k && c->ctype != CT_INT2 && c->ctype != CT_INT4 && c->ctype != CT_INT8)
        return st_err(
            err, ST_EINPUT,
            "%s.identity: only smallint, integer and bigint columns can be identity columns", cp);
    if (k && c->null_frac > 0)
        return st_err(err, ST_EINPUT,
                      "%s.identity: an identity column is never NULL (null_frac %g)", cp,
                      c->null_frac);
    return 0;
}

int sh_parse_generated(shape *sh, stable *t, json_t *jt, const char *tp, char *err)
{
    json_t *a = NULL;
    char p[128];
    int rc;
    if ((rc = jv_array(jt, tp, "generated", 0, &a, err)) || !a)
        return rc;
    jv_key(p, sizeof p, tp, "generated");
    t->ngcols = json_array_size(a);
    if (t->ngcols && !(t->gcols = calloc(t->ngcols, sizeof(sgcol))))
        return st_err(err, ST_ENOMEM, "out of memory");
    static const char *const keys[] = {"name", "type", "expr", NULL};
    for (size_t i = 0; i < t->ngcols; i++) {
        char q[160];
        const char *name, *type, *expr;
        json_t *jg = json_array_get(a, i);
        scol tmp;
        jv_path(q, sizeof q, p, i);
        if (!json_is_object(jg))
            return st_err(err, ST_EINPUT, "%s: expected an object", q);
        if ((rc = jv_no_unknown(jg, q, keys, err)) ||
            (rc = jv_string(jg, q, "name", 1, &name, err)) ||
            (rc = jv_string(jg, q, "type", 1, &type, err)) ||
            (rc = jv_string(jg, q, "expr", 1, &expr, err)))
            return rc;
        if (!sh_ident_ok(name))
            return st_err(err, ST_EINPUT, "%s.name: '%s' is not a lowercase SQL identifier", q,
                          name);
        if (shape_col_index(t, name) >= 0)
            return st_err(err, ST_EINPUT, "%s.name: '%s' is also an ordinary column", q, name);
        if (sh_col_type(sh, type, &tmp))
            return st_err(err, ST_EINPUT, "%s.type: unsupported type '%s'", q, type);
        t->gcols[i].name = sh_strdup(name);
        t->gcols[i].type_sql = sh_strdup(type);
        t->gcols[i].expr = sh_strdup(expr);
        if (!t->gcols[i].name || !t->gcols[i].type_sql || !t->gcols[i].expr)
            return st_err(err, ST_ENOMEM, "out of memory");
    }
    return 0;
}

void sh_free_generated(stable *t)
{
    for (size_t i = 0; i < t->nparts; i++) {
        free(t->part_names ? t->part_names[i] : NULL);
        free(t->part_bounds ? t->part_bounds[i] : NULL);
    }
    free(t->part_names);
    free(t->part_bounds);
    free(t->partkey);
    for (size_t i = 0; t->gcols && i < t->ngcols; i++) {
        free(t->gcols[i].name);
        free(t->gcols[i].type_sql);
        free(t->gcols[i].expr);
    }
    free(t->gcols);
}

int sh_parse_partitions(stable *t, json_t *jt, const char *tp, char *err)
{
    const char *key = NULL;
    json_t *a = NULL;
    char p[128];
    int rc;
    if ((rc = jv_string(jt, tp, "partition_by", 0, &key, err)) ||
        (rc = jv_array(jt, tp, "partitions", 0, &a, err)))
        return rc;
    jv_key(p, sizeof p, tp, "partitions");
    if (!key && a)
        return st_err(err, ST_EINPUT, "%s: partitions need partition_by", p);
    if (!key)
        return 0;
    if (!(t->partkey = sh_strdup(key)))
        return st_err(err, ST_ENOMEM, "out of memory");
    if (!json_array_size(a))
        return st_err(err, ST_EINPUT, "%s: a partitioned table needs at least one partition", p);
    t->nparts = json_array_size(a);
    t->part_names = calloc(t->nparts, sizeof(char *));
    t->part_bounds = calloc(t->nparts, sizeof(char *));
    if (!t->part_names || !t->part_bounds)
        return st_err(err, ST_ENOMEM, "out of memory");
    static const char *const keys[] = {"name", "bound", NULL};
    for (size_t i = 0; i < t->nparts; i++) {
        char q[160];
        const char *name, *bound;
        json_t *jp = json_array_get(a, i);
        jv_path(q, sizeof q, p, i);
        if (!json_is_object(jp))
            return st_err(err, ST_EINPUT, "%s: expected an object", q);
        if ((rc = jv_no_unknown(jp, q, keys, err)) ||
            (rc = jv_string(jp, q, "name", 1, &name, err)) ||
            (rc = jv_string(jp, q, "bound", 1, &bound, err)))
            return rc;
        if (!sh_ident_ok(name))
            return st_err(err, ST_EINPUT, "%s.name: '%s' is not a lowercase SQL identifier", q,
                          name);
        if (strncmp(bound, "FOR VALUES ", 11) && strcmp(bound, "DEFAULT"))
            return st_err(err, ST_EINPUT, "%s.bound: expected \"FOR VALUES ...\" or \"DEFAULT\"",
                          q);
        if (!(t->part_names[i] = sh_strdup(name)) || !(t->part_bounds[i] = sh_strdup(bound)))
            return st_err(err, ST_ENOMEM, "out of memory");
    }
    return 0;
}

int sh_parse_views(shape *sh, json_t *root, char *err)
{
    json_t *a = NULL;
    int rc;
    if ((rc = jv_array(root, "shape", "views", 0, &a, err)) || !a)
        return rc;
    sh->nviews = json_array_size(a);
    if (sh->nviews > SHAPE_MAX_TABLES)
        return st_err(err, ST_EINPUT, "views: at most %d views", SHAPE_MAX_TABLES);
    if (sh->nviews && !(sh->views = calloc(sh->nviews, sizeof(sview))))
        return st_err(err, ST_ENOMEM, "out of memory");
    static const char *const keys[] = {"name", "query", "materialized", NULL};
    for (size_t i = 0; i < sh->nviews; i++) {
        char p[64];
        const char *name, *q;
        json_t *jv = json_array_get(a, i);
        jv_path(p, sizeof p, "views", i);
        if (!json_is_object(jv))
            return st_err(err, ST_EINPUT, "%s: expected an object", p);
        if ((rc = jv_no_unknown(jv, p, keys, err)) ||
            (rc = jv_string(jv, p, "name", 1, &name, err)) ||
            (rc = jv_string(jv, p, "query", 1, &q, err)) ||
            (rc = jv_bool(jv, p, "materialized", 0, &sh->views[i].materialized, err)))
            return rc;
        if (!sh_ident_ok(name))
            return st_err(err, ST_EINPUT, "%s.name: '%s' is not a lowercase SQL identifier", p,
                          name);
        if (!(sh->views[i].name = sh_strdup(name)) || !(sh->views[i].query = sh_strdup(q)))
            return st_err(err, ST_ENOMEM, "out of memory");
    }
    return 0;
}
