/*
 * shape.h -- a shape (docs/formats/shape.md) in memory: tables, columns, generators,
 * constraints; loaded and validated from JSON.
 *
 * Design: shape_load() turns the JSON document into plain structs in one pass and checks
 * everything that can be checked without a database (types, ranges, references between
 * tables and columns, dependency cycles, unique-capable generators), so a bad shape fails
 * before anything is written, with one line naming the JSON path. shape_resolve() then
 * applies the scale and per-table row overrides and computes the exact row count of every
 * child table (a pure function of the seed). After resolve the shape is read-only and shared
 * by all worker threads.
 *
 * Ownership: the shape owns every string and generator; shape_free releases it all.
 */
#ifndef DG_SHAPE_H
#define DG_SHAPE_H

#include <jansson.h>
#include <stdint.h>

#include "rng.h"
#include "st.h"

#define SHAPE_MAX_TABLES 256
#define SHAPE_MAX_COLS 256
#define SHAPE_MAX_FANOUT 65535
#define SHAPE_MAX_WIDTH 8192
/* Permutations of up to this many items are tabulated once at resolve (4 bytes each): the
 * keyed Feistel permutation costs ~100 ns per call and Zipf references call it per row. */
#define SHAPE_PERM_TABLE (1u << 23)
/* {words} text is cut from a 64 KiB run of words per generator (see gen.c). */
#define SHAPE_SOUP_BYTES (64u * 1024u)

/* Column SQL types that datagen formats itself. */
enum ctype {
    CT_INT2,
    CT_INT4,
    CT_INT8,
    CT_NUMERIC,
    CT_FLOAT4,
    CT_FLOAT8,
    CT_BOOL,
    CT_TEXT,
    CT_DATE,
    CT_TS,
    CT_TSTZ,
    CT_UUID,
    CT_BYTEA,
    CT_JSON,
    CT_OTHER /* any other type: values are literals in its input syntax (shape_types.c) */
};

enum gkind {
    G_SEQUENCE,
    G_PERMUTATION,
    G_CONST,
    G_UNIFORM,
    G_NORMAL,
    G_LOGNORMAL,
    G_EXPONENTIAL,
    G_ZIPF,
    G_CATEGORICAL,
    G_HISTOGRAM,
    G_BOOL,
    G_TIMESTAMP,
    G_TEXT,
    G_UUID,
    G_REF,
    G_PARENT,
    G_LINE,
    G_SWITCH,
    G_ACTIVITY,
    G_DISTINCT,
    G_DEP
};

/* A generated value. Text points into the caller's arena (gen.h). */
enum vkind { V_NULL, V_INT, V_NUM, V_TEXT, V_BOOL };
typedef struct gval {
    int kind;
    int64_t i;     /* V_INT, V_BOOL */
    double d;      /* V_NUM (timestamps are V_NUM epoch seconds) */
    const char *s; /* V_TEXT */
    size_t len;
} gval;

/* Text pattern pieces. */
enum tpart { TP_LIT, TP_ROW, TP_WORD, TP_WORDS, TP_INT, TP_HEX };
typedef struct tpiece {
    int kind;
    char *lit;
    size_t len;
    int64_t a, b; /* TP_INT range, TP_HEX digits */
} tpiece;

enum pseudo { PS_NONE = 0, PS_RANK, PS_RANK_FRAC, PS_ROW_FRAC };
enum cmpop { OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_IN };
enum refdist { RD_UNIFORM, RD_ZIPF, RD_POPULAR, RD_CYCLE };

typedef struct gen gen;
typedef struct gcase {
    int op;
    gval *vals; /* one for comparisons, n for OP_IN; text values owned by the shape */
    size_t nvals;
    gen *g;
} gcase;

struct gen {
    int kind;
    double p1, p2;  /* start/step, min/max, mean/sd, mu/sigma, p, from/to */
    int64_t i1, i2; /* integer forms (sequence start/step, zipf start) */
    double lo, hi;  /* clamp, when has_lo/has_hi */
    int has_lo, has_hi;
    gval cval; /* G_CONST */
    /* G_ZIPF */
    rng_zipf z;
    int permute;
    uint64_t perm_key;
    uint32_t *ptab; /* rank-1 -> permuted value, precomputed for n <= SHAPE_PERM_TABLE */
    /* G_CATEGORICAL */
    gval *vals;
    size_t nvals;
    rng_alias *alias;
    gen *rest;
    double rest_p;
    /* G_HISTOGRAM */
    double *bounds;
    size_t nbounds;
    /* G_TIMESTAMP */
    double growth_l; /* log of growth */
    double growth_e; /* expm1(growth_l), once per generator instead of once per row */
    double *warp;    /* 169-entry weekly CDF, or NULL */
    /* G_TEXT */
    tpiece *pieces;
    size_t npieces;
    double width, wmin, wmax;
    char **words;
    size_t nwords;
    char *soup; /* {words}: a fixed run of words; values are slices of it */
    size_t soup_len;
    uint32_t *starts; /* offsets of the words in soup */
    size_t nstarts;
    size_t nwords_pieces, fixed_len; /* {words} pieces, and the others' nominal bytes */
    size_t wcap;                     /* {words} bytes at most, when has_wcap (set at resolve) */
    int has_wcap;
    /* G_REF / G_PARENT / group / switch: target */
    int ref_table, ref_col;
    int ref_dist;
    uint64_t ref_div, ref_div0;
    int div_tables[4]; /* RD_CYCLE: divide by the product of these tables' rows */
    size_t ndiv_tables;
    double ref_s;
    rng_zipf ref_z; /* resolved at shape_resolve */
    int group_col;  /* lognormal group effect, -1 if none */
    double group_sigma;
    int on_col, on_pseudo; /* G_SWITCH */
    gcase *cases;
    size_t ncases;
    gen *els;
    struct gk_act *act;   /* G_ACTIVITY: counts and allocation (gk_activity.c) */
    struct gk_dist *dist; /* G_DISTINCT: runs and values (gk_distinct.c); on_col = `of` */
};

typedef struct scol {
    char *name;
    char *type_sql; /* as written, e.g. "numeric(10,2)" */
    int ctype;
    int scale;  /* numeric decimals */
    int maxlen; /* varchar(n), 0 = none */
    gen *g;
    double null_frac;
    double n_distinct; /* 0 = off, > 0 count, < 0 fraction */
    double corr;
    int unique;
    int not_null;
    int depended; /* another generator reads this column (resolve sets it) */
    int identity; /* ID_NONE, or an identity column (its sequence is set past the load) */
    uint64_t stream;
} scol;

enum identity { ID_NONE, ID_ALWAYS, ID_BY_DEFAULT };

/* A generated column: declared, computed by PostgreSQL, never generated or copied. */
typedef struct sgcol {
    char *name;
    char *type_sql;
    char *expr;
} sgcol;

typedef struct sfk {
    char **cols;
    size_t ncols;
    char *table;
    char **ref_cols;
    size_t nref;
    char *actions; /* raw SQL after REFERENCES t(c): ON DELETE ..., DEFERRABLE ...; or NULL */
} sfk;

typedef struct sindex {
    char *name;
    char **cols; /* each may carry " DESC" etc. */
    size_t ncols;
    int unique;
    char *method;
    char *using; /* raw definition after USING (expressions, WHERE, ...), else NULL */
} sindex;

enum fdist { FD_CONST, FD_UNIFORM, FD_ZIPF, FD_GEOMETRIC, FD_CATEGORICAL };
typedef struct fanout {
    int dist;
    int64_t min, max;
    double s, mean;
    rng_zipf z;
    int64_t *vals;
    size_t nvals;
    rng_alias *alias;
} fanout;

/* An exclusion constraint: ALTER TABLE t ADD CONSTRAINT name EXCLUDE USING <using>. */
typedef struct sexcl {
    char *name;
    char *using; /* "gist (room WITH =, during WITH &&)" [WHERE (...)] */
} sexcl;

/* Text patterns that give every row of an ordinary table its own range, disjoint from every
 * other row's, so that an exclusion constraint with `range WITH &&` holds by construction
 * (shape_keys.c checks for them, profile writes them): row r (1-based) gets [10r, 10r+9]
 * (integer and numeric ranges) or the first half of Julian day r (timestamp ranges; r is at
 * most SH_SLOT_TIME_ROWS: the last day a timestamp can hold). */
#define SH_SLOT_INT "[{row}0,{row}9]"
#define SH_SLOT_TIME "[J{row} 00:00:00+00,J{row} 12:00:00+00)"
#define SH_SLOT_DATE "[J{row},J{row}]"
#define SH_SLOT_TIME_ROWS 100000000ull
/* The SH_SLOT_* pattern of a range type ("tstzrange"), or NULL (shape_keys.c). */
const char *shape_slot_pattern(const char *type);

/* An extended statistics object, recreated after the load and before its ANALYZE:
 * CREATE STATISTICS name (kinds) ON on FROM table (extstats_shape.c). */
typedef struct sstat {
    char *name;
    char *kinds; /* "ndistinct, dependencies, mcv"; "" = PostgreSQL's default (all) */
    char *on;    /* the columns and expressions as pg_get_statisticsobjdef lists them */
} sstat;

typedef struct stable {
    char *name;
    int64_t base_rows;
    int fixed;
    int parent; /* -1 = ordinary table */
    fanout fan;
    int has_pop;
    double pop_s;
    rng_zipf pop_z;     /* resolved */
    uint32_t *rank_row; /* rank-1 -> row, or NULL (computed with rng_permute when absent) */
    uint32_t *row_rank; /* row -> rank-1, or NULL */
    uint64_t pop_key;
    char *hot_col;
    int64_t hot_top;
    scol *cols;
    size_t ncols;
    char **pk;
    size_t npk;
    char ***uniq;
    size_t *nuniq_cols;
    size_t nuniq;
    sfk *fks;
    size_t nfks;
    char **checks;
    size_t nchecks;
    sexcl *excl; /* exclusion constraints, built after the load like the checks */
    size_t nexcl;
    sindex *idx;
    size_t nidx;
    sstat *stats; /* extended statistics objects (CREATE STATISTICS after the load) */
    size_t nstats;
    sgcol *gcols; /* generated columns, after the ordinary ones in CREATE TABLE */
    size_t ngcols;
    char *partkey;     /* a partitioned table: "RANGE (created_at)"; rows go through it */
    char **part_names; /* its partitions and their bounds ("FOR VALUES ...", "DEFAULT") */
    char **part_bounds;
    size_t nparts;
    int unlogged;
    int create;
    /* resolved */
    uint64_t rows;   /* exact row count */
    uint64_t nunits; /* rows, or parent rows for a child table */
} stable;

/* A type the shape declares (an enum, a domain, ...): created before the tables. */
typedef struct stype {
    char *name;
    char *sql;  /* the CREATE statement */
    char *base; /* a domain's base type, else NULL */
} stype;

/* A view or materialized view of the shape: created after the load (matviews refreshed). */
typedef struct sview {
    char *name;
    char *query; /* the SELECT */
    int materialized;
} sview;

typedef struct shape {
    char *name;
    int64_t seed;
    stype *types;
    size_t ntypes;
    sview *views; /* in creation order */
    size_t nviews;
    stable *t;
    size_t nt;
    char *canon;       /* canonical JSON (sorted keys), for the run key */
    uint64_t run_seed; /* the seed shape_resolve was given (generators resolved with it) */
} shape;

/* Loads and validates; `file` names the source in messages. Returns NULL with err set
 * ("FILE: tables[2].columns[4].gen.s: must be > 0"). Caller frees with shape_free. */
shape *shape_load(const char *path, char *err);
shape *shape_from_json(json_t *root, const char *file, char *err);
void shape_free(shape *sh);

/* Applies scale and overrides ("table=N" strings, n of them), computes child row counts.
 * Returns 0 or ST_EINPUT with err set. */
int shape_resolve(shape *sh, double scale, char **overrides, size_t nover, uint64_t seed,
                  char *err);

/* After resolve: every primary key, unique constraint and unique index is unique by
 * construction at the resolved row counts (shape_keys.c). 0 or ST_EINPUT with err naming the
 * key's field path and the column that breaks it. */
int shape_check_keys(const shape *sh, char *err);

int shape_table_index(const shape *sh, const char *name);
int shape_col_index(const stable *t, const char *name);

/* Fan-out of parent row prow (a pure function of the seed). */
uint64_t shape_fanout(const shape *sh, const stable *t, uint64_t seed, uint64_t prow);

#endif
