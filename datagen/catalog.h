/*
 * catalog.h -- the one reader of a schema's catalogs in datagen: what the schema declares,
 * never its rows and never its statistics.
 *
 * cat_read() reads, for one schema:
 *   - tables (pg_class relkind r/p) with reltuples/relpages; a partitioned table with its
 *     key (pg_get_partkeydef), a partition with its parent and bound (pg_get_expr of
 *     relpartbound); datagen's own bookkeeping tables (stampede_datagen_*) are left out;
 *   - columns (pg_attribute) with format_type, NOT NULL, identity or serial, the kind of
 *     their type (base, enum, domain with its base type, array, range) and an enum's labels
 *     (also through a domain over an enum, and wherever the type lives); generated columns
 *     apart with their expression (the server computes them);
 *   - constraints from pg_get_constraintdef: primary key, unique, foreign keys with their
 *     actions, CHECKs, exclusion constraints;
 *   - indexes not backing a constraint, with pg_get_indexdef where a column list cannot say
 *     it (expressions, WHERE, INCLUDE, operator classes);
 *   - the schema's enums and domains as CREATE statements, views and materialized views;
 *   - extended statistics objects (pg_statistic_ext) with pg_get_statisticsobjdef, their
 *     kinds and columns (pgstats.c adds the data ANALYZE built, from pg_stats_ext).
 * Users: profile and compare through pgs_read (pgstats.h, which adds pg_stats on top) and
 * fill --from-schema (schema_read.c).
 *
 * The description is named pgs_* (a PostgreSQL schema) because every reader of it uses
 * those names; the structure is filled here, the statistics fields by pgstats.c.
 *
 * Errors: a failing catalog query returns the code its SQLSTATE gives (pgx_error_rc:
 * usually ST_EENV) with the server's message and the SQL in err.
 *
 * Ownership: cat_read returns a pgs_db that owns every string; pgs_db_free releases it
 * (NULL is a no-op). A pgs_col without statistics has has_stats = 0 and zero stats fields.
 */
#ifndef DG_CATALOG_H
#define DG_CATALOG_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "st.h"

#define PGS_MAX_TABLES 1024
#define PGS_MAX_COLS 1600

typedef struct pgs_col {
    char *name;
    char *type;    /* format_type(): "integer", "character varying(40)", ... */
    char typkind;  /* 'a' array, else pg_type.typtype: 'b' base, 'e' enum, 'd' domain,
                    * 'r' range, 'm' multirange, 'c' composite */
    char *base;    /* a domain's base type (format_type), else NULL */
    char **labels; /* an enum's labels in order (also a domain over an enum), else NULL */
    size_t nlabels;
    int notnull;
    int has_stats;
    double null_frac;
    double n_distinct; /* as pg_stats: > 0 a count, < 0 a fraction of rows */
    double correlation;
    int has_corr;
    int avg_width;
    char **mcv;  /* most_common_vals as text */
    double *mcf; /* most_common_freqs */
    size_t nmcv;
    char identity; /* 'a' always, 'd' by default, 's' serial, 0 none */
    char **hist;   /* histogram_bounds as text (a range's range_bounds_histogram) */
    size_t nhist;
    char **elems;  /* most_common_elems (arrays, tsvector) */
    double *elemf; /* their frequencies */
    size_t nelems;
} pgs_col;

typedef struct pgs_names {
    char **v;
    size_t n;
} pgs_names;

typedef struct pgs_fk {
    char *name;
    pgs_names cols;
    char *ref_table;
    pgs_names ref_cols;
    char *actions; /* what follows REFERENCES t(c) in pg_get_constraintdef ("ON DELETE
                    * CASCADE DEFERRABLE INITIALLY DEFERRED"), or NULL */
} pgs_fk;

/* An exclusion constraint: no two rows whose key columns all match under its operators
 * (e.g. the same room and overlapping periods). */
typedef struct pgs_excl {
    char *name;
    pgs_names cols; /* the constrained columns in key order */
    char *def;      /* pg_get_constraintdef: "EXCLUDE USING gist (room WITH =, during WITH &&)" */
} pgs_excl;

typedef struct pgs_index {
    char *name;
    char *method;   /* btree, hash, ... */
    pgs_names cols; /* key columns with their options ("featured DESC"); with def, the
                     * table columns the index reads */
    int unique;
    char *def; /* expression, partial, INCLUDE or opclass index: pg_get_indexdef
                * after " USING ", e.g. "gin (doc jsonb_path_ops) WHERE (x > 0)" */
} pgs_index;

/* An extended statistics object (pg_statistic_ext, read here) and, where ANALYZE built it,
 * its data (pg_stats_ext, read by pgstats.c). */
typedef struct pgs_ext {
    char *name;
    char *schema;     /* the object's own schema */
    char *def;        /* pg_get_statisticsobjdef: "CREATE STATISTICS s.x (mcv) ON a, b FROM s.t" */
    char kinds[8];    /* stxkind letters: d ndistinct, f dependencies, m mcv, e expressions */
    pgs_names cols;   /* the plain columns, in key order */
    short *attnums;   /* their attribute numbers (the data names columns by them) */
    int has_exprs;    /* the object also covers expressions */
    int nexprs;       /* how many (pg_get_statisticsobjdef_expressions) */
    int has_data;     /* pg_stats_ext has a row for it */
    char *n_distinct; /* pg_ndistinct as text ({"1, 2": 33}), or NULL */
    char *dependencies; /* pg_dependencies as text ({"1 => 2": 1.000000}), or NULL */
    char **mcv;      /* most_common_vals, row-major: item i, key k at [i * nkeys + k] ("" = NULL) */
    char **mcv_null; /* most_common_val_nulls, the same layout ("true" / "false") */
    size_t nmcv_cells;
    double *mcf; /* most_common_freqs, one per item */
    size_t nmcv;
    char **exprs; /* pg_stats_ext_exprs: each expression, its n_distinct and null_frac */
    double *expr_nd, *expr_nf;
    size_t nexpr_stats;
} pgs_ext;

typedef struct pgs_gcol {
    char *name, *type, *expr; /* a generated column: GENERATED ALWAYS AS (expr) STORED */
} pgs_gcol;

typedef struct pgs_table {
    char *name;
    char *partkey;    /* a partitioned table: pg_get_partkeydef ("RANGE (created_at)") */
    char *part_of;    /* a partition: its parent's name */
    char *bound;      /* a partition: "FOR VALUES FROM (...) TO (...)" or "DEFAULT" */
    double reltuples; /* -1 when never vacuumed or analysed; a partitioned table: the sum
                       * of its partitions' */
    int64_t relpages;
    pgs_col *cols;
    size_t ncols;
    pgs_names pk;
    char *pk_name; /* the constraint's name */
    pgs_names *uniq;
    char **uniq_names; /* parallel to uniq */
    size_t nuniq;
    pgs_fk *fks;
    size_t nfks;
    char **checks; /* expressions without the CHECK ( ) wrapper */
    size_t nchecks;
    pgs_excl *excl;
    size_t nexcl;
    pgs_index *idx; /* indexes not backing a constraint; plain columns only */
    size_t nidx;
    pgs_ext *ext;
    size_t next;
    pgs_gcol *gcols;
    size_t ngcols;
} pgs_table;

/* An enum or a domain of the schema: the statement that creates it. */
typedef struct pgs_type {
    char *name;
    char *sql;
    char *base;    /* a domain's base type (format_type), else NULL */
    char **labels; /* an enum's labels in order, else NULL */
    size_t nlabels;
} pgs_type;

/* A view or materialized view: its SELECT (pg_get_viewdef, without the final ';'). */
typedef struct pgs_view {
    char *name;
    char *query;
    int materialized;
} pgs_view;

typedef struct pgs_db {
    char *schema;
    int server_version;
    pgs_type *types; /* in creation order (a domain over another type after it) */
    size_t ntypes;
    pgs_view *views; /* in creation order */
    size_t nviews;
    pgs_table *t;
    size_t nt;
    size_t skipped_idx; /* indexes that read no column, left out */
    size_t skipped_gen; /* generated columns left out (the server computes them) */
} pgs_db;

/* Reads the catalogs of schema (NULL: "public"). tables: NULL for all tables, or a
 * NULL-terminated list of names (a missing one is ST_EINPUT). Returns NULL with *rc and err
 * set. Caller frees with pgs_db_free. */
pgs_db *cat_read(PGconn *c, const char *schema, char *const *tables, int *rc, char *err);
void pgs_db_free(pgs_db *db);

const pgs_table *pgs_find_table(const pgs_db *db, const char *name);
const pgs_type *pgs_find_type(const pgs_db *db, const char *name);
const pgs_col *pgs_find_col(const pgs_table *t, const char *name);
/* The same for the readers that fill a description (pgstats.c). */
pgs_table *cat_table(pgs_db *db, const char *name);
pgs_col *cat_col(pgs_table *t, const char *name);

/* One row of a catalog query for cat_each_row: 0 to go on, or an error code with err set,
 * which stops the walk. */
typedef int (*cat_row_fn)(const PGresult *r, int row, void *ctx, char *err);
/* Runs a checked catalog query with the schema as $1 (pgx_select) and hands its rows to fn in
 * order, so that each reader states only its query and what it takes from a row. Returns 0,
 * the query's SQLSTATE-classified code, or the first nonzero code fn returned; the result
 * is cleared either way. */
int cat_each_row(PGconn *c, const char *sql, const char *schema, cat_row_fn fn, void *ctx,
                 char *err);

/* Parses a JSON array of strings (e.g. pg_stats arrays via array_to_json) into a malloc'd
 * array of malloc'd strings. Returns 0, or ST_EINPUT when the text is not a flat array of
 * scalars. Free with pgs_strv_free. */
int pgs_parse_strv(const char *json, char ***out, size_t *n);
void pgs_strv_free(char **v, size_t n);

#endif
