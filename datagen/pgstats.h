/*
 * pgstats.h -- what PostgreSQL's catalogs and planner statistics say about a schema.
 *
 * Purpose: `datagen profile`, `compare` and `plans` must never read rows of a production
 * table. This module is the only place that looks at a database for them, and it reads only
 * pg_class (reltuples, relpages), pg_attribute/format_type (columns and types), pg_constraint
 * (keys, unique, FK, checks), pg_index (other indexes), pg_stats and pg_stats_ext (without
 * its value lists). Every array in pg_stats is fetched as JSON text (array_to_json of the
 * anyarray cast through text[]) so that one parser handles every column type.
 *
 * Session settings: pgs_connect() sets DateStyle ISO and TimeZone UTC, so timestamps come
 * back as "2009-01-01 00:00:00" / "2009-01-01 00:00:00+00" whatever the server's defaults.
 *
 * Ownership: pgs_read() returns a pgs_db that owns every string; pgs_db_free releases it
 * (NULL is a no-op). A pgs_col without statistics (never analysed, or no privilege) has
 * has_stats = 0 and its stats fields are zero.
 */
#ifndef DG_PGSTATS_H
#define DG_PGSTATS_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "st.h"

#define PGS_MAX_TABLES 1024
#define PGS_MAX_COLS 1600

typedef struct pgs_col {
    char *name;
    char *type;        /* format_type(): "integer", "character varying(40)", ... */
    int notnull;
    int has_stats;
    double null_frac;
    double n_distinct; /* as pg_stats: > 0 a count, < 0 a fraction of rows */
    double correlation;
    int has_corr;
    int avg_width;
    char **mcv;        /* most_common_vals as text */
    double *mcf;       /* most_common_freqs */
    size_t nmcv;
    char identity;     /* 'a' always, 'd' by default, 's' serial, 0 none */
    char **hist;       /* histogram_bounds as text (a range's range_bounds_histogram) */
    size_t nhist;
    char **elems;      /* most_common_elems (arrays, tsvector) */
    double *elemf;     /* their frequencies */
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
    char *actions;     /* what follows REFERENCES t(c) in pg_get_constraintdef ("ON DELETE
                        * CASCADE DEFERRABLE INITIALLY DEFERRED"), or NULL */
} pgs_fk;

typedef struct pgs_index {
    char *name;
    char *method;      /* btree, hash, ... */
    pgs_names cols;    /* key columns with their options ("featured DESC"); with def, the
                        * table columns the index reads */
    int unique;
    char *def;         /* expression, partial, INCLUDE or opclass index: pg_get_indexdef
                        * after " USING ", e.g. "gin (doc jsonb_path_ops) WHERE (x > 0)" */
} pgs_index;

typedef struct pgs_ext {
    char *name;
    char *columns;     /* attnames as text */
    char *kinds;
    char *n_distinct;  /* pg_ndistinct as text, or NULL */
    char *dependencies;/* pg_dependencies as text, or NULL */
} pgs_ext;

typedef struct pgs_gcol {
    char *name, *type, *expr; /* a generated column: GENERATED ALWAYS AS (expr) STORED */
} pgs_gcol;

typedef struct pgs_table {
    char *name;
    char *partkey;     /* a partitioned table: pg_get_partkeydef ("RANGE (created_at)") */
    char *part_of;     /* a partition: its parent's name */
    char *bound;       /* a partition: "FOR VALUES FROM (...) TO (...)" or "DEFAULT" */
    double reltuples;  /* -1 when never vacuumed or analysed; a partitioned table: the sum
                        * of its partitions' */
    int64_t relpages;
    pgs_col *cols;
    size_t ncols;
    pgs_names pk;
    char *pk_name;     /* the constraint's name */
    pgs_names *uniq;
    char **uniq_names; /* parallel to uniq */
    size_t nuniq;
    pgs_fk *fks;
    size_t nfks;
    char **checks;     /* expressions without the CHECK ( ) wrapper */
    size_t nchecks;
    pgs_index *idx;    /* indexes not backing a constraint; plain columns only */
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
    char *base;        /* a domain's base type (format_type), else NULL */
    char **labels;     /* an enum's labels in order, else NULL */
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
    pgs_type *types;   /* in creation order (a domain over another type after it) */
    size_t ntypes;
    pgs_view *views;   /* in creation order */
    size_t nviews;
    pgs_table *t;
    size_t nt;
    size_t skipped_idx; /* indexes that read no column, left out */
    size_t skipped_gen; /* generated columns left out (the server computes them) */
} pgs_db;

/* Connects through pgx_connect (conninfo or URI; PG* environment honoured) and sets the
 * session as described above. Returns NULL with err set to "cannot connect: " and libpq's
 * message (which never contains the password). The caller closes with PQfinish. */
PGconn *pgs_connect(const char *conninfo, char *err);

/* Runs a statement through pgx_exec. Returns 0 or ST_EENV with err holding the server's
 * message and the SQL (shortened). */
int pgs_command(PGconn *c, const char *sql, char *err);

/* Reads the catalogs and statistics of one schema. tables: NULL for all tables, or a
 * NULL-terminated list of names (a missing one is ST_EINPUT). Returns NULL with err set
 * (ST_EENV-type failures) ; *rc receives the code. Caller frees with pgs_db_free. */
pgs_db *pgs_read(PGconn *c, const char *schema, char *const *tables, int *rc, char *err);
void pgs_db_free(pgs_db *db);

const pgs_table *pgs_find_table(const pgs_db *db, const char *name);
const pgs_type *pgs_find_type(const pgs_db *db, const char *name);
const pgs_col *pgs_find_col(const pgs_table *t, const char *name);

/* Parses a JSON array of strings (e.g. pg_stats arrays via array_to_json) into a malloc'd
 * array of malloc'd strings. Returns 0, or ST_EINPUT when the text is not a flat array of
 * scalars. Free with pgs_strv_free. */
int pgs_parse_strv(const char *json, char ***out, size_t *n);
void pgs_strv_free(char **v, size_t n);

#endif
