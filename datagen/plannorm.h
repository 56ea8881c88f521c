/*
 * plannorm.h -- EXPLAIN (FORMAT JSON) output reduced to the plan's *shape*, compared, and
 * checked for the usual warning signs.
 *
 * The shape keeps what decides how a query executes and drops what merely measures it: node
 * types (with "Parallel " and the aggregate strategy folded into the name), relations,
 * indexes, join types, and the order of children (which is the join order: outer first).
 * Costs, row estimates, workers and sort keys are not part of the shape. One plan prints as
 * one line, children in parentheses:
 *   Limit(Sort(Seq Scan on products))
 *   Limit(Index Scan using products_listing_idx on products)      (names kept)
 *   Limit(Index Scan using (category_id, active, featured DESC, created_at DESC) on products)
 *   Hash Join inner(Seq Scan on track, Hash(Seq Scan on album))
 * Two plans have the same shape iff the lines are equal.
 *
 * Flags (pn_check): a sequential scan reading more than max_rows rows (actual rows plus rows
 * removed by the filter under ANALYZE, else the relation's reltuples from a caller lookup),
 * a sort of more than max_rows input rows, a node whose row estimate is off by more than
 * est_factor (ANALYZE only; per loop, +1 smoothed), and execution time above max_ms.
 *
 * Ownership: pn_parse returns a tree owned by the pn_plan; pn_plan_free releases everything
 * (NULL is a no-op). Strings returned by pn_shape are malloc'd; the caller frees them.
 */
#ifndef DG_PLANNORM_H
#define DG_PLANNORM_H

#include <stddef.h>

#include "st.h"

#define PN_MAX_NODES 4096
#define PN_MAX_SHAPE (64u * 1024u)

typedef struct pn_node {
    char *label;        /* "Index Scan using products_listing_idx on products" */
    char *type;         /* "Index Scan", "Parallel Seq Scan", "HashAggregate", ... */
    char *rel;          /* relation name or NULL */
    double plan_rows;   /* estimate per loop */
    double actual_rows; /* per loop, when analyzed */
    double loops;
    double removed; /* Rows Removed by Filter (per loop), when analyzed */
    int has_actual;
    struct pn_node **kids;
    size_t nkids;
} pn_node;

typedef struct pn_plan {
    pn_node *root;
    double total_cost;
    double planning_ms;
    double exec_ms; /* -1 unless analyzed */
    size_t nnodes;
} pn_plan;

/* Names an index by what it is rather than what it is called: writes e.g.
 * "(category_id, active, featured DESC)" into buf and returns 0, or returns -1 to keep the
 * name. Two databases that built the same index under different names (a profile's fill
 * names primary keys <table>_pkey) then give the same shape. */
typedef int (*pn_index_label)(void *ctx, const char *index_name, char *buf, size_t n);

/* Parses the text of EXPLAIN (FORMAT JSON[, ANALYZE]); idx may be NULL (names kept).
 * Returns NULL with err set (ST_EINPUT: not an EXPLAIN JSON document; ST_ELIMIT: more than
 * PN_MAX_NODES nodes). */
pn_plan *pn_parse(const char *json_text, pn_index_label idx, void *ctx, char *err);
void pn_plan_free(pn_plan *p);

/* The one-line shape of the plan (see above). NULL on OOM or past PN_MAX_SHAPE. */
char *pn_shape(const pn_plan *p);

/* Describes the first difference in pre-order between two plans into buf ("node 2: Seq Scan
 * on products -> Index Scan using products_listing_idx on products"). Returns 1 when the
 * shapes differ, 0 when they are equal. */
int pn_diff(const pn_plan *a, const pn_plan *b, char *buf, size_t n);

typedef struct pn_limits {
    double max_rows;   /* seq scan / sort size that is flagged; <= 0 disables */
    double est_factor; /* estimate error that is flagged (10) */
    double max_ms;     /* runtime that is flagged; <= 0 disables */
    double (*reltuples)(void *ctx, const char *rel); /* may be NULL; < 0 = unknown */
    void *ctx;
} pn_limits;

enum pn_flag_kind { PF_SEQSCAN, PF_SORT, PF_ESTIMATE, PF_RUNTIME };
typedef struct pn_flag {
    int kind;
    char msg[200];
} pn_flag;

/* Fills up to cap flags; returns how many were found (may exceed cap: the rest are
 * counted, not stored). */
size_t pn_check(const pn_plan *p, const pn_limits *lim, pn_flag *out, size_t cap);

const char *pn_flag_name(int kind);

#endif
