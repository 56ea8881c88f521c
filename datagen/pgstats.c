/*
 * pgstats.c -- planner statistics into the catalog description (see pgstats.h).
 *
 * The structure (tables, columns, constraints, indexes, types, views) comes from catalog.c;
 * this file adds pg_stats and pg_stats_ext. Every statement goes through catalog.c's row walk
 * cat_each_row over the checked helper pgx.h (pgbench's habit), so each reader below states
 * only its query and what it takes from one row. Rows of user tables are never read: every FROM
 * clause below is a statistics view.
 */
#include "pgstats.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "pgx.h"

static char *xstrdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

PGconn *pgs_connect(const char *conninfo, char *err)
{
    PGconn *c = pgx_connect(conninfo, err);
    if (c && pgx_exec(c,
                      "SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; "
                      "SET extra_float_digits = 1",
                      err)) {
        PQfinish(c);
        return NULL;
    }
    return c;
}

int pgs_command(PGconn *c, const char *sql, char *err)
{
    return pgx_exec(c, sql, err);
}

static const char SQL_STATS[] =
    "SELECT tablename, attname, null_frac, avg_width, n_distinct, correlation, "
    "array_to_json(most_common_vals::text::text[])::text, "
    "array_to_json(most_common_freqs)::text, "
    "array_to_json(histogram_bounds::text::text[])::text, "
    "array_to_json(most_common_elems::text::text[])::text, "
    "array_to_json(most_common_elem_freqs)::text, "
    "array_to_json(%s)::text "
    "FROM pg_stats s WHERE schemaname = $1 AND (NOT inherited OR EXISTS (SELECT 1 FROM pg_class pc "
    " JOIN pg_namespace pn ON pn.oid = pc.relnamespace WHERE pn.nspname = s.schemaname "
    " AND pc.relname = s.tablename AND pc.relkind = 'p'))";

/* The data ANALYZE built for the objects catalog.c found: the mcv lists flattened in row
 * order (unnest of a 2-D array), so item i's key k is element i * nkeys + k. */
static const char SQL_EXT[] =
    "SELECT tablename, statistics_name, n_distinct::text, dependencies::text, "
    "array_to_json(most_common_freqs)::text, "
    "(SELECT array_to_json(array_agg(v ORDER BY o)) FROM unnest(most_common_vals) WITH "
    " ORDINALITY u(v, o))::text, "
    "(SELECT array_to_json(array_agg(v::text ORDER BY o)) FROM unnest(most_common_val_nulls) "
    " WITH ORDINALITY u(v, o))::text "
    "FROM pg_stats_ext WHERE schemaname = $1 ORDER BY 1, 2, inherited";


/* Element statistics (arrays, tsvector) and, for ranges, their bounds histogram standing in
 * for histogram_bounds: unreadable lists are left out (the column then has none). Returns
 * ST_ENOMEM or 0. */
static int read_elems(const PGresult *r, int i, pgs_col *col)
{
    char **fv = NULL;
    size_t nf = 0;
    if (!col->nhist && !pgs_parse_strv(pgx_getval(r, i, 11), &col->hist, &col->nhist) &&
        !col->nhist) {
        free(col->hist);
        col->hist = NULL;
    }
    if (pgs_parse_strv(pgx_getval(r, i, 9), &col->elems, &col->nelems) ||
        pgs_parse_strv(pgx_getval(r, i, 10), &fv, &nf) || nf < col->nelems) {
        pgs_strv_free(col->elems, col->nelems);
        col->elems = NULL;
        col->nelems = 0;
    } else if (col->nelems && !(col->elemf = calloc(col->nelems, sizeof *col->elemf))) {
        pgs_strv_free(fv, nf);
        return ST_ENOMEM;
    }
    for (size_t k = 0; col->elemf && k < col->nelems; k++)
        col->elemf[k] = strtod(fv[k], NULL);
    pgs_strv_free(fv, nf);
    return 0;
}

static int stats_row(const PGresult *r, int i, void *ctx, char *err)
{
    pgs_table *t = cat_table(ctx, PQgetvalue(r, i, 0));
    pgs_col *col = t ? cat_col(t, PQgetvalue(r, i, 1)) : NULL;
    if (!col)
        return 0;
    col->has_stats = 1;
    col->null_frac = pgx_getnum(r, i, 2);
    col->avg_width = (int)pgx_getnum(r, i, 3);
    col->n_distinct = pgx_getnum(r, i, 4);
    /* A partitioned table's rows lie in several heaps: the correlation of its
     * inherited statistics says nothing about any one physical order. */
    col->has_corr = !PQgetisnull(r, i, 5) && !t->partkey;
    col->correlation = pgx_getnum(r, i, 5);
    char **fv = NULL;
    size_t nf = 0;
    /* Columns whose values are themselves arrays come back nested: keep only the
     * scalar statistics for them rather than misreading the lists. */
    if (pgs_parse_strv(pgx_getval(r, i, 6), &col->mcv, &col->nmcv) ||
        pgs_parse_strv(pgx_getval(r, i, 7), &fv, &nf) || nf != col->nmcv ||
        pgs_parse_strv(pgx_getval(r, i, 8), &col->hist, &col->nhist)) {
        pgs_strv_free(col->mcv, col->nmcv);
        pgs_strv_free(col->hist, col->nhist);
        col->mcv = col->hist = NULL;
        col->nmcv = col->nhist = 0;
    } else if (nf) {
        col->mcf = calloc(nf, sizeof *col->mcf);
        if (!col->mcf) {
            pgs_strv_free(fv, nf);
            return st_err(err, ST_ENOMEM, "out of memory");
        }
        for (size_t k = 0; k < nf; k++)
            col->mcf[k] = strtod(fv[k], NULL);
    }
    pgs_strv_free(fv, nf);
    if (read_elems(r, i, col))
        return st_err(err, ST_ENOMEM, "out of memory");
    return 0;
}

static int read_stats(PGconn *c, pgs_db *db, char *err)
{
    /* range_bounds_histogram exists from PostgreSQL 17. */
    char sql[sizeof SQL_STATS + 64];
    snprintf(sql, sizeof sql, SQL_STATS,
             db->server_version >= 170000 ? "range_bounds_histogram::text::text[]"
                                          : "NULL::text[]");
    return cat_each_row(c, sql, db->schema, stats_row, db, err);
}

static pgs_ext *find_ext(pgs_db *db, const char *table, const char *name)
{
    pgs_table *t = cat_table(db, table);
    for (size_t k = 0; t && k < t->next; k++)
        if (!strcmp(t->ext[k].name, name))
            return &t->ext[k];
    return NULL;
}

/* One pg_stats_ext row into e. Lists that do not parse (or whose sizes disagree) are left
 * out: the object then has no mcv data, which profile reports. Returns ST_ENOMEM or 0. */
static int read_ext_data(const PGresult *r, int i, pgs_ext *e)
{
    char **fv = NULL;
    size_t nf = 0;
    e->has_data = 1;
    e->n_distinct = xstrdup(pgx_getval(r, i, 2));
    e->dependencies = xstrdup(pgx_getval(r, i, 3));
    if ((!e->n_distinct && pgx_getval(r, i, 2)) || (!e->dependencies && pgx_getval(r, i, 3)))
        return ST_ENOMEM;
    size_t nk = e->cols.n, nn = 0;
    if (pgs_parse_strv(pgx_getval(r, i, 4), &fv, &nf) ||
        pgs_parse_strv(pgx_getval(r, i, 5), &e->mcv, &e->nmcv_cells) ||
        pgs_parse_strv(pgx_getval(r, i, 6), &e->mcv_null, &nn) || nn != e->nmcv_cells || !nk ||
        e->has_exprs || e->nmcv_cells != nf * nk) {
        pgs_strv_free(e->mcv, e->nmcv_cells);
        pgs_strv_free(e->mcv_null, nn);
        e->mcv = e->mcv_null = NULL;
        e->nmcv_cells = 0;
        pgs_strv_free(fv, nf);
        fv = NULL;
        nf = 0;
    }
    if (nf && !(e->mcf = calloc(nf, sizeof *e->mcf))) {
        pgs_strv_free(fv, nf);
        return ST_ENOMEM;
    }
    for (size_t k = 0; k < nf; k++)
        e->mcf[k] = strtod(fv[k], NULL);
    e->nmcv = nf;
    pgs_strv_free(fv, nf);
    return 0;
}

/* Expression statistics (PostgreSQL 14+): only the scalars, never an expression's values,
 * so a masked profile leaks nothing through them. */
static const char SQL_EXT_EXPRS[] =
    "SELECT tablename, statistics_name, expr, n_distinct, null_frac FROM pg_stats_ext_exprs "
    "WHERE schemaname = $1 AND NOT inherited ORDER BY 1, 2";

static int ext_expr_row(const PGresult *r, int i, void *ctx, char *err)
{
    pgs_ext *e = find_ext(ctx, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
    if (!e)
        return 0;
    size_t n = e->nexpr_stats + 1;
    char **x = realloc(e->exprs, n * sizeof *x);
    double *nd = x ? realloc(e->expr_nd, n * sizeof *nd) : NULL;
    if (x)
        e->exprs = x;
    if (nd)
        e->expr_nd = nd;
    double *nf = nd ? realloc(e->expr_nf, n * sizeof *nf) : NULL;
    if (nf)
        e->expr_nf = nf;
    if (!x || !nd || !nf || !(x[n - 1] = xstrdup(PQgetvalue(r, i, 2))))
        return st_err(err, ST_ENOMEM, "out of memory");
    nd[n - 1] = pgx_getnum(r, i, 3);
    nf[n - 1] = pgx_getnum(r, i, 4);
    e->nexpr_stats = n;
    return 0;
}

static int ext_row(const PGresult *r, int i, void *ctx, char *err)
{
    pgs_ext *e = find_ext(ctx, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
    if (e && !e->has_data && read_ext_data(r, i, e))
        return st_err(err, ST_ENOMEM, "out of memory");
    return 0;
}

static int read_ext(PGconn *c, pgs_db *db, char *err)
{
    int rc = cat_each_row(c, SQL_EXT, db->schema, ext_row, db, err);
    /* Expression statistics exist from PostgreSQL 14. */
    if (!rc && db->server_version >= 140000)
        rc = cat_each_row(c, SQL_EXT_EXPRS, db->schema, ext_expr_row, db, err);
    return rc;
}

pgs_db *pgs_read(PGconn *c, const char *schema, char *const *tables, int *rc, char *err)
{
    pgs_db *db = cat_read(c, schema, tables, rc, err);
    if (db && ((*rc = read_stats(c, db, err)) || (*rc = read_ext(c, db, err)))) {
        pgs_db_free(db);
        return NULL;
    }
    return db;
}
