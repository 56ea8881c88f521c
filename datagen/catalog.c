/*
 * catalog.c -- the one reader of a schema's catalogs in datagen (see catalog.h).
 *
 * Every statement goes through the checked helper pgx.h (pgbench's habit): a failure names
 * the server's message and the start of the SQL that failed, and its SQLSTATE decides the
 * exit code (pgx_select). cat_each_row walks a query's rows, so each reader is a query and a
 * row handler. Rows of user tables are never read: every FROM clause below is a
 * system catalog.
 */
#include "catalog.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "pgx.h"

static char *xstrdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

int cat_each_row(PGconn *c, const char *sql, const char *schema, cat_row_fn fn, void *ctx,
                 char *err)
{
    const char *params[1] = {schema};
    PGresult *r;
    int rc = pgx_select(c, sql, 1, params, &r, err);
    for (int i = 0, n = rc ? 0 : PQntuples(r); i < n && !rc; i++)
        rc = fn(r, i, ctx, err);
    PQclear(r);
    return rc;
}

/* On a reader's first row, a zeroed array of one element per row of r (none when there are
 * no rows: the reader is never called). Returns 0 or ST_ENOMEM with err set. */
static int row_array(const PGresult *r, int row, void **arr, size_t elsize, char *err)
{
    if (row == 0 && !(*arr = calloc((size_t)PQntuples(r), elsize)))
        return st_err(err, ST_ENOMEM, "out of memory");
    return 0;
}

void pgs_strv_free(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

int pgs_parse_strv(const char *text, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!text || !*text)
        return 0;
    json_error_t je;
    json_t *a = json_loads(text, JSON_DECODE_ANY, &je);
    if (!a || !json_is_array(a)) {
        json_decref(a);
        return ST_EINPUT;
    }
    size_t m = json_array_size(a);
    char **v = calloc(m ? m : 1, sizeof *v);
    if (!v) {
        json_decref(a);
        return ST_ENOMEM;
    }
    for (size_t i = 0; i < m; i++) {
        json_t *e = json_array_get(a, i);
        char num[64];
        const char *s = NULL;
        if (json_is_string(e))
            s = json_string_value(e);
        else if (json_is_integer(e)) {
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(e));
            s = num;
        } else if (json_is_real(e)) {
            snprintf(num, sizeof num, "%.17g", json_real_value(e));
            s = num;
        } else if (json_is_null(e))
            s = "";
        if (!s || !(v[i] = strdup(s))) {
            pgs_strv_free(v, i);
            json_decref(a);
            return ST_EINPUT;
        }
    }
    json_decref(a);
    *out = v;
    *n = m;
    return 0;
}

static int parse_names(const char *text, pgs_names *nm)
{
    return pgs_parse_strv(text, &nm->v, &nm->n);
}

static void names_free(pgs_names *nm)
{
    pgs_strv_free(nm->v, nm->n);
    nm->v = NULL;
    nm->n = 0;
}

pgs_table *cat_table(pgs_db *db, const char *name)
{
    for (size_t i = 0; i < db->nt; i++)
        if (!strcmp(db->t[i].name, name))
            return &db->t[i];
    return NULL;
}

pgs_col *cat_col(pgs_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (!strcmp(t->cols[i].name, name))
            return &t->cols[i];
    return NULL;
}

const pgs_table *pgs_find_table(const pgs_db *db, const char *name)
{
    return cat_table((pgs_db *)db, name);
}

const pgs_col *pgs_find_col(const pgs_table *t, const char *name)
{
    return cat_col((pgs_table *)t, name);
}

static int wanted(char *const *tables, const char *name)
{
    if (!tables)
        return 1;
    for (size_t i = 0; tables[i]; i++)
        if (!strcmp(tables[i], name))
            return 1;
    return 0;
}

/* With the partitioning: a partitioned table's key, a partition's parent and bound. */
static const char SQL_TABLES[] =
    "SELECT c.relname, c.reltuples, c.relpages, "
    "CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END, "
    "(SELECT p.relname FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent "
    " WHERE i.inhrelid = c.oid AND c.relispartition), "
    "CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END "
    "FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') "
    /* datagen fill's own bookkeeping (resume progress) is not part of the data */
    "AND c.relname NOT LIKE 'stampede\\_datagen\\_%' ORDER BY c.relname";

static const char SQL_COLS[] =
    "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
    "a.attgenerated <> '', "
    /* identity: 'a' always, 'd' by default, 's' a serial (a sequence owned through DEFAULT
     * nextval, kept as an identity by default: the same for an INSERT) */
    "CASE WHEN a.attidentity <> '' THEN a.attidentity::text "
    " WHEN pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) IS NOT NULL "
    " THEN 's' ELSE '' END, "
    "pg_get_expr(d.adbin, d.adrelid), "
    /* the kind of the type: 'a' an array, else pg_type.typtype (b base, e enum, d domain,
     * r range, m multirange, c composite); a domain's base type; an enum's labels, also
     * through a domain over it */
    "CASE WHEN t.typcategory = 'A' THEN 'a' ELSE t.typtype::text END, "
    "CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END, "
    "(SELECT array_to_json(array_agg(e.enumlabel::text ORDER BY e.enumsortorder)) FROM pg_enum e "
    " WHERE e.enumtypid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END)::text "
    "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
    "JOIN pg_type t ON t.oid = a.atttypid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
    "WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 "
    "AND NOT a.attisdropped ORDER BY c.relname, a.attnum";

static const char SQL_CONS[] =
    "SELECT cl.relname, con.conname, con.contype, "
    "(SELECT json_agg(a.attname ORDER BY k.n) FROM unnest(con.conkey) WITH ORDINALITY k(att, n) "
    " JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.att)::text, "
    "fcl.relname, "
    "(SELECT json_agg(a.attname ORDER BY k.n) FROM unnest(con.confkey) WITH ORDINALITY k(att, n) "
    " JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.att)::text, "
    "pg_get_constraintdef(con.oid) "
    "FROM pg_constraint con JOIN pg_class cl ON cl.oid = con.conrelid "
    "JOIN pg_namespace n ON n.oid = cl.relnamespace "
    "LEFT JOIN pg_class fcl ON fcl.oid = con.confrelid "
    "WHERE n.nspname = $1 AND con.contype IN ('p', 'u', 'f', 'c', 'x') "
    "ORDER BY cl.relname, con.contype, con.conname";

static const char SQL_IDX[] =
    "SELECT cl.relname, ic.relname, am.amname, i.indisunique, "
    "i.indexprs IS NOT NULL OR i.indpred IS NOT NULL, "
    "(SELECT json_agg(pg_get_indexdef(i.indexrelid, k, true) || "
    "  CASE WHEN i.indoption[k - 1] & 1 = 1 THEN ' DESC' ELSE '' END ORDER BY k) "
    " FROM generate_series(1, i.indnkeyatts) k)::text, "
    /* what the column list cannot say (expressions, WHERE, INCLUDE, operator classes): the
     * definition after USING, and the table columns it reads */
    "i.indexprs IS NOT NULL OR i.indpred IS NOT NULL OR i.indnatts > i.indnkeyatts OR "
    " EXISTS (SELECT 1 FROM unnest(i.indclass) oc JOIN pg_opclass o ON o.oid = oc "
    "  WHERE NOT o.opcdefault), "
    "substring(pg_get_indexdef(i.indexrelid) from ' USING (.*)$'), "
    "(SELECT json_agg(DISTINCT a.attname) FROM pg_depend d JOIN pg_attribute a "
    " ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid WHERE d.classid = "
    "'pg_class'::regclass "
    " AND d.objid = i.indexrelid AND d.refobjsubid > 0)::text "
    "FROM pg_index i JOIN pg_class cl ON cl.oid = i.indrelid "
    "JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam "
    "JOIN pg_namespace n ON n.oid = cl.relnamespace "
    "WHERE n.nspname = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint con "
    " WHERE con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x')) "
    "ORDER BY cl.relname, ic.relname";

/* Enums and domains, oldest first so that a domain follows the type it is built on. */
static const char SQL_TYPES[] =
    "SELECT t.typname, CASE t.typtype WHEN 'e' THEN 'CREATE TYPE ' || quote_ident(t.typname) || "
    " ' AS ENUM (' || coalesce((SELECT string_agg(quote_literal(e.enumlabel), ', ' "
    "  ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid), '') || ')' "
    " ELSE 'CREATE DOMAIN ' || quote_ident(t.typname) || ' AS ' || "
    " format_type(t.typbasetype, t.typtypmod) || "
    " CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END || "
    " coalesce(' DEFAULT ' || t.typdefault, '') || coalesce((SELECT string_agg(' CONSTRAINT ' "
    "  || quote_ident(c.conname) || ' ' || pg_get_constraintdef(c.oid), '' ORDER BY c.conname) "
    "  FROM pg_constraint c WHERE c.contypid = t.oid), '') END, "
    "CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END, "
    "(SELECT array_to_json(array_agg(e.enumlabel::text ORDER BY e.enumsortorder)) FROM pg_enum e "
    " WHERE e.enumtypid = t.oid)::text "
    "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
    "WHERE n.nspname = $1 AND t.typtype IN ('e', 'd') ORDER BY t.oid";


typedef struct table_ctx {
    pgs_db *db;
    char *const *tables;
} table_ctx;

static int table_row(const PGresult *r, int i, void *ctx, char *err)
{
    pgs_db *db = ((table_ctx *)ctx)->db;
    void *arr = db->t;
    if (row_array(r, i, &arr, sizeof *db->t, err))
        return ST_ENOMEM;
    db->t = arr;
    if (!wanted(((table_ctx *)ctx)->tables, PQgetvalue(r, i, 0)))
        return 0;
    if (db->nt >= PGS_MAX_TABLES)
        return st_err(err, ST_ELIMIT, "more than %d tables", PGS_MAX_TABLES);
    pgs_table *t = &db->t[db->nt++];
    t->name = xstrdup(PQgetvalue(r, i, 0));
    if (!t->name)
        return st_err(err, ST_ENOMEM, "out of memory");
    t->reltuples = pgx_getnum(r, i, 1);
    t->relpages = (int64_t)pgx_getnum(r, i, 2);
    t->partkey = PQgetisnull(r, i, 3) ? NULL : xstrdup(PQgetvalue(r, i, 3));
    t->part_of = PQgetisnull(r, i, 4) ? NULL : xstrdup(PQgetvalue(r, i, 4));
    t->bound = PQgetisnull(r, i, 5) ? NULL : xstrdup(PQgetvalue(r, i, 5));
    if ((!PQgetisnull(r, i, 3) && !t->partkey) || (!PQgetisnull(r, i, 4) && !t->part_of) ||
        (!PQgetisnull(r, i, 5) && !t->bound))
        return st_err(err, ST_ENOMEM, "out of memory");
    return 0;
}

static int read_tables(PGconn *c, pgs_db *db, char *const *tables, char *err)
{
    table_ctx tc = {db, tables};
    int rc = cat_each_row(c, SQL_TABLES, db->schema, table_row, &tc, err);
    if (rc)
        return rc;
    /* A partitioned table holds no rows itself: its size is its partitions'. */
    for (size_t i = 0; i < db->nt; i++) {
        if (!db->t[i].partkey)
            continue;
        double sum = 0;
        int64_t pages = 0;
        for (size_t k = 0; k < db->nt; k++)
            if (db->t[k].part_of && !strcmp(db->t[k].part_of, db->t[i].name) &&
                db->t[k].reltuples > 0) {
                sum += db->t[k].reltuples;
                pages += db->t[k].relpages;
            }
        db->t[i].reltuples = sum;
        db->t[i].relpages = pages;
    }
    for (size_t i = 0; tables && tables[i]; i++)
        if (!cat_table(db, tables[i]))
            return st_err(err, ST_EINPUT, "--tables: no table '%s' in schema '%s'", tables[i],
                          db->schema);
    return 0;
}

/* A generated column: the server computes it, so it is declared with its expression and
 * nothing is generated for it. */
static int gcol_row(const PGresult *r, int i, pgs_db *db, pgs_table *t, char *err)
{
    if (PQgetisnull(r, i, 6)) {
        db->skipped_gen++;
        return 0;
    }
    pgs_gcol *ng = realloc(t->gcols, (t->ngcols + 1) * sizeof *ng);
    if (!ng)
        return st_err(err, ST_ENOMEM, "out of memory");
    t->gcols = ng;
    pgs_gcol *g = &t->gcols[t->ngcols++];
    g->name = xstrdup(PQgetvalue(r, i, 1));
    g->type = xstrdup(PQgetvalue(r, i, 2));
    g->expr = xstrdup(PQgetvalue(r, i, 6));
    if (!g->name || !g->type || !g->expr)
        return st_err(err, ST_ENOMEM, "out of memory");
    return 0;
}

static int col_row(const PGresult *r, int i, void *ctx, char *err)
{
    pgs_db *db = ctx;
    pgs_table *t = cat_table(db, PQgetvalue(r, i, 0));
    if (!t)
        return 0;
    if (PQgetvalue(r, i, 4)[0] == 't')
        return gcol_row(r, i, db, t, err);
    if (t->ncols >= PGS_MAX_COLS)
        return st_err(err, ST_ELIMIT, "%s: more than %d columns", t->name, PGS_MAX_COLS);
    pgs_col *nc = realloc(t->cols, (t->ncols + 1) * sizeof *nc);
    if (!nc)
        return st_err(err, ST_ENOMEM, "out of memory");
    t->cols = nc;
    pgs_col *col = &t->cols[t->ncols++];
    memset(col, 0, sizeof *col);
    col->name = xstrdup(PQgetvalue(r, i, 1));
    col->type = xstrdup(PQgetvalue(r, i, 2));
    col->identity = PQgetvalue(r, i, 5)[0];
    col->typkind = PQgetvalue(r, i, 7)[0];
    col->base = xstrdup(pgx_getval(r, i, 8));
    int bad = pgs_parse_strv(pgx_getval(r, i, 9), &col->labels, &col->nlabels);
    if (!col->name || !col->type || (!col->base && pgx_getval(r, i, 8)) || bad)
        return st_err(err, bad == ST_EINPUT ? ST_EENV : ST_ENOMEM, "%s: %s", t->name,
                      bad == ST_EINPUT ? "unreadable enum labels" : "out of memory");
    col->notnull = PQgetvalue(r, i, 3)[0] == 't';
    return 0;
}

/* "CHECK ((price >= (0)::numeric))" -> "(price >= (0)::numeric)" */
static char *check_expr(const char *def)
{
    const char *p = def;
    if (!strncmp(p, "CHECK (", 7)) {
        p += 7;
        size_t n = strlen(p);
        const char *tail = strstr(p, ") NOT VALID");
        if (tail)
            n = (size_t)(tail - p);
        else if (n && p[n - 1] == ')')
            n--;
        char *s = malloc(n + 1);
        if (s) {
            memcpy(s, p, n);
            s[n] = 0;
        }
        return s;
    }
    return xstrdup(def);
}

static int con_row(const PGresult *r, int i, void *ctx, char *err)
{
    pgs_table *t = cat_table(ctx, PQgetvalue(r, i, 0));
    if (!t)
        return 0;
    char type = PQgetvalue(r, i, 2)[0];
    pgs_names cols = {0};
    if (parse_names(pgx_getval(r, i, 3), &cols))
        return st_err(err, ST_EENV, "%s: unreadable constraint columns", t->name);
    if (type == 'p') {
        names_free(&t->pk);
        free(t->pk_name);
        t->pk = cols;
        t->pk_name = xstrdup(PQgetvalue(r, i, 1));
        if (!t->pk_name)
            return st_err(err, ST_ENOMEM, "out of memory");
    } else if (type == 'u') {
        pgs_names *nu = realloc(t->uniq, (t->nuniq + 1) * sizeof *nu);
        if (nu)
            t->uniq = nu;
        char **nn = nu ? realloc(t->uniq_names, (t->nuniq + 1) * sizeof *nn) : NULL;
        if (!nn) {
            names_free(&cols);
            return st_err(err, ST_ENOMEM, "out of memory");
        }
        t->uniq_names = nn;
        t->uniq_names[t->nuniq] = xstrdup(PQgetvalue(r, i, 1));
        t->uniq[t->nuniq++] = cols;
        if (!t->uniq_names[t->nuniq - 1])
            return st_err(err, ST_ENOMEM, "out of memory");
    } else if (type == 'f') {
        pgs_fk *nf = realloc(t->fks, (t->nfks + 1) * sizeof *nf);
        if (!nf) {
            names_free(&cols);
            return st_err(err, ST_ENOMEM, "out of memory");
        }
        t->fks = nf;
        pgs_fk *fk = &t->fks[t->nfks++];
        memset(fk, 0, sizeof *fk);
        fk->name = xstrdup(PQgetvalue(r, i, 1));
        fk->cols = cols;
        fk->ref_table = xstrdup(pgx_getval(r, i, 4));
        if (!fk->name || (pgx_getval(r, i, 4) && !fk->ref_table))
            return st_err(err, ST_ENOMEM, "out of memory");
        if (parse_names(pgx_getval(r, i, 5), &fk->ref_cols))
            return st_err(err, ST_EENV, "%s: unreadable foreign key columns", t->name);
        const char *ref = strstr(PQgetvalue(r, i, 6), " REFERENCES ");
        const char *close = ref ? strchr(ref, ')') : NULL;
        while (close && *++close == ' ')
            ;
        if (close && *close && !(fk->actions = xstrdup(close)))
            return st_err(err, ST_ENOMEM, "out of memory");
    } else if (type == 'x') {
        pgs_excl *nx = realloc(t->excl, (t->nexcl + 1) * sizeof *nx);
        if (!nx) {
            names_free(&cols);
            return st_err(err, ST_ENOMEM, "out of memory");
        }
        t->excl = nx;
        pgs_excl *x = &t->excl[t->nexcl++];
        x->cols = cols;
        x->name = xstrdup(PQgetvalue(r, i, 1));
        x->def = xstrdup(PQgetvalue(r, i, 6));
        if (!x->name || !x->def)
            return st_err(err, ST_ENOMEM, "out of memory");
    } else {
        names_free(&cols);
        char **nc = realloc(t->checks, (t->nchecks + 1) * sizeof *nc);
        if (!nc)
            return st_err(err, ST_ENOMEM, "out of memory");
        t->checks = nc;
        t->checks[t->nchecks++] = check_expr(PQgetvalue(r, i, 6));
        if (!t->checks[t->nchecks - 1])
            return st_err(err, ST_ENOMEM, "out of memory");
    }
    return 0;
}

static int idx_row(const PGresult *r, int i, void *ctx, char *err)
{
    pgs_db *db = ctx;
    pgs_table *t = cat_table(db, PQgetvalue(r, i, 0));
    if (!t)
        return 0;
    int def = PQgetvalue(r, i, 6)[0] == 't' && !PQgetisnull(r, i, 7);
    if (def && PQgetisnull(r, i, 8)) {
        db->skipped_idx++; /* reads no column: nothing to build it on */
        return 0;
    }
    pgs_index *ni = realloc(t->idx, (t->nidx + 1) * sizeof *ni);
    if (!ni)
        return st_err(err, ST_ENOMEM, "out of memory");
    t->idx = ni;
    pgs_index *x = &t->idx[t->nidx++];
    memset(x, 0, sizeof *x);
    x->name = xstrdup(PQgetvalue(r, i, 1));
    x->method = xstrdup(PQgetvalue(r, i, 2));
    x->unique = PQgetvalue(r, i, 3)[0] == 't';
    x->def = def ? xstrdup(PQgetvalue(r, i, 7)) : NULL;
    if (!x->name || !x->method || (def && !x->def))
        return st_err(err, ST_ENOMEM, "out of memory");
    if (parse_names(pgx_getval(r, i, def ? 8 : 5), &x->cols))
        return st_err(err, ST_EENV, "%s: unreadable index columns", x->name);
    return 0;
}

static int type_row(const PGresult *r, int i, void *ctx, char *err)
{
    pgs_db *db = ctx;
    void *arr = db->types;
    if (row_array(r, i, &arr, sizeof *db->types, err))
        return ST_ENOMEM;
    db->types = arr;
    pgs_type *ty = &db->types[db->ntypes++];
    ty->name = xstrdup(PQgetvalue(r, i, 0));
    ty->sql = xstrdup(PQgetvalue(r, i, 1));
    ty->base = PQgetisnull(r, i, 2) ? NULL : xstrdup(PQgetvalue(r, i, 2));
    if (!ty->name || !ty->sql || (!PQgetisnull(r, i, 2) && !ty->base))
        return st_err(err, ST_ENOMEM, "out of memory");
    if (!PQgetisnull(r, i, 3) && pgs_parse_strv(PQgetvalue(r, i, 3), &ty->labels, &ty->nlabels))
        return st_err(err, ST_EENV, "type %s: unreadable enum labels", ty->name);
    return 0;
}

static const char SQL_VIEWS[] =
    "SELECT c.relname, c.relkind = 'm', pg_get_viewdef(c.oid, true) FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 "
    "AND c.relkind IN ('v', 'm') ORDER BY c.oid";

static int view_row(const PGresult *r, int i, void *ctx, char *err)
{
    pgs_db *db = ctx;
    void *arr = db->views;
    if (row_array(r, i, &arr, sizeof *db->views, err))
        return ST_ENOMEM;
    db->views = arr;
    pgs_view *v = &db->views[db->nviews++];
    v->name = xstrdup(PQgetvalue(r, i, 0));
    v->materialized = PQgetvalue(r, i, 1)[0] == 't';
    v->query = xstrdup(PQgetvalue(r, i, 2));
    if (!v->name || !v->query)
        return st_err(err, ST_ENOMEM, "out of memory");
    size_t len = strlen(v->query);
    while (len &&
           (v->query[len - 1] == ';' || v->query[len - 1] == ' ' || v->query[len - 1] == '\n'))
        v->query[--len] = 0;
    return 0;
}

/* Every extended statistics object on the schema's tables, built by ANALYZE or not. */
static const char SQL_EXT[] =
    "SELECT c.relname, s.stxname, sn.nspname, pg_get_statisticsobjdef(s.oid), "
    "array_to_string(s.stxkind, ''), "
    "array_to_json(ARRAY(SELECT a.attname::text FROM unnest(s.stxkeys::int2[]) WITH ORDINALITY "
    " k(n, o) JOIN pg_attribute a ON a.attrelid = s.stxrelid AND a.attnum = k.n ORDER BY k.o))"
    "::text, array_to_json(s.stxkeys::int2[])::text, %s "
    "FROM pg_statistic_ext s JOIN pg_class c ON c.oid = s.stxrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "JOIN pg_namespace sn ON sn.oid = s.stxnamespace WHERE n.nspname = $1 ORDER BY 1, 2";

static int read_ext_row(const PGresult *r, int i, pgs_ext *e)
{
    char **nums = NULL;
    size_t nn = 0;
    e->name = xstrdup(PQgetvalue(r, i, 1));
    e->schema = xstrdup(PQgetvalue(r, i, 2));
    e->def = xstrdup(PQgetvalue(r, i, 3));
    snprintf(e->kinds, sizeof e->kinds, "%s", PQgetvalue(r, i, 4));
    e->nexprs = (int)strtol(PQgetvalue(r, i, 7), NULL, 10);
    e->has_exprs = e->nexprs > 0;
    if (!e->name || !e->schema || !e->def || parse_names(PQgetvalue(r, i, 5), &e->cols) ||
        pgs_parse_strv(PQgetvalue(r, i, 6), &nums, &nn))
        return ST_ENOMEM;
    e->attnums = calloc(nn ? nn : 1, sizeof *e->attnums);
    for (size_t k = 0; e->attnums && k < nn; k++)
        e->attnums[k] = (short)strtol(nums[k], NULL, 10);
    pgs_strv_free(nums, nn);
    return e->attnums && nn == e->cols.n ? 0 : ST_ENOMEM;
}

static int ext_row(const PGresult *r, int i, void *ctx, char *err)
{
    pgs_table *t = cat_table(ctx, PQgetvalue(r, i, 0));
    if (!t)
        return 0;
    pgs_ext *ne = realloc(t->ext, (t->next + 1) * sizeof *ne);
    if (!ne)
        return st_err(err, ST_ENOMEM, "out of memory");
    t->ext = ne;
    memset(&ne[t->next], 0, sizeof *ne);
    if (read_ext_row(r, i, &ne[t->next++]))
        return st_err(err, ST_ENOMEM, "out of memory");
    return 0;
}

static int read_ext(PGconn *c, pgs_db *db, char *err)
{
    /* Expression statistics exist from PostgreSQL 14. */
    char sql[sizeof SQL_EXT + 96];
    snprintf(sql, sizeof sql, SQL_EXT,
             db->server_version >= 140000
                 ? "coalesce(cardinality(pg_get_statisticsobjdef_expressions(s.oid)), 0)"
                 : "0");
    return cat_each_row(c, sql, db->schema, ext_row, db, err);
}

pgs_db *cat_read(PGconn *c, const char *schema, char *const *tables, int *rc, char *err)
{
    pgs_db *db = calloc(1, sizeof *db);
    if (!db || !(db->schema = strdup(schema ? schema : "public"))) {
        free(db);
        *rc = st_err(err, ST_ENOMEM, "out of memory");
        return NULL;
    }
    db->server_version = PQserverVersion(c);
    /* One reader per catalog query, in this order: the later ones attach to the tables. */
    static const struct {
        const char *sql;
        cat_row_fn row;
    } readers[] = {{SQL_COLS, col_row},
                   {SQL_CONS, con_row},
                   {SQL_IDX, idx_row},
                   {SQL_TYPES, type_row},
                   {SQL_VIEWS, view_row}};
    *rc = read_tables(c, db, tables, err);
    for (size_t i = 0; !*rc && i < sizeof readers / sizeof *readers; i++)
        *rc = cat_each_row(c, readers[i].sql, db->schema, readers[i].row, db, err);
    if (*rc || (*rc = read_ext(c, db, err))) {
        pgs_db_free(db);
        return NULL;
    }
    return db;
}

const pgs_type *pgs_find_type(const pgs_db *db, const char *name)
{
    for (size_t i = 0; name && i < db->ntypes; i++)
        if (!strcmp(db->types[i].name, name))
            return &db->types[i];
    return NULL;
}

void pgs_db_free(pgs_db *db)
{
    if (!db)
        return;
    for (size_t i = 0; i < db->nt; i++) {
        pgs_table *t = &db->t[i];
        for (size_t k = 0; k < t->ncols; k++) {
            pgs_col *col = &t->cols[k];
            free(col->name);
            free(col->type);
            free(col->base);
            pgs_strv_free(col->labels, col->nlabels);
            pgs_strv_free(col->mcv, col->nmcv);
            free(col->mcf);
            pgs_strv_free(col->hist, col->nhist);
            pgs_strv_free(col->elems, col->nelems);
            free(col->elemf);
        }
        free(t->cols);
        names_free(&t->pk);
        for (size_t k = 0; k < t->nuniq; k++) {
            names_free(&t->uniq[k]);
            free(t->uniq_names[k]);
        }
        free(t->uniq);
        free(t->uniq_names);
        free(t->pk_name);
        for (size_t k = 0; k < t->nfks; k++) {
            free(t->fks[k].name);
            names_free(&t->fks[k].cols);
            free(t->fks[k].ref_table);
            free(t->fks[k].actions);
            names_free(&t->fks[k].ref_cols);
        }
        free(t->fks);
        pgs_strv_free(t->checks, t->nchecks);
        for (size_t k = 0; k < t->nexcl; k++) {
            free(t->excl[k].name);
            free(t->excl[k].def);
            names_free(&t->excl[k].cols);
        }
        free(t->excl);
        for (size_t k = 0; k < t->nidx; k++) {
            free(t->idx[k].name);
            free(t->idx[k].method);
            free(t->idx[k].def);
            names_free(&t->idx[k].cols);
        }
        free(t->idx);
        for (size_t k = 0; k < t->ngcols; k++) {
            free(t->gcols[k].name);
            free(t->gcols[k].type);
            free(t->gcols[k].expr);
        }
        free(t->gcols);
        for (size_t k = 0; k < t->next; k++) {
            pgs_ext *e = &t->ext[k];
            free(e->name);
            free(e->schema);
            free(e->def);
            names_free(&e->cols);
            free(e->attnums);
            free(e->n_distinct);
            free(e->dependencies);
            pgs_strv_free(e->mcv, e->nmcv_cells);
            pgs_strv_free(e->mcv_null, e->nmcv_cells);
            free(e->mcf);
            pgs_strv_free(e->exprs, e->nexpr_stats);
            free(e->expr_nd);
            free(e->expr_nf);
        }
        free(t->ext);
        free(t->name);
        free(t->partkey);
        free(t->part_of);
        free(t->bound);
    }
    for (size_t i = 0; i < db->ntypes; i++) {
        free(db->types[i].name);
        free(db->types[i].sql);
        free(db->types[i].base);
        pgs_strv_free(db->types[i].labels, db->types[i].nlabels);
    }
    free(db->types);
    for (size_t i = 0; i < db->nviews; i++) {
        free(db->views[i].name);
        free(db->views[i].query);
    }
    free(db->views);
    free(db->t);
    free(db->schema);
    free(db);
}
