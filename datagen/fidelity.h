/*
 * fidelity.h -- how closely a database's planner statistics match a shape or profile.
 *
 * Expected values come from the shape: a profile's `_stats` comments when present (the
 * source database's own statistics), otherwise what the generators imply (null_frac,
 * n_distinct, correlation, categorical weights, histogram bounds). Actual values come from
 * pgstats.h after ANALYZE. Metrics, per table and column:
 *   rows      reltuples / (rows x scale, unless the table is "fixed")
 *   pages     relpages / (the profile's relpages x the same factor): the planner scales its
 *             row estimate by the actual page count, so width and row count must meet here
 *   null      |delta null_frac|
 *   ndistinct  distinct-count ratio (negative n_distinct turned into a count first)
 *   mcv       max over frequency ranks of |delta freq| (ranks, not values: a masked or
 *             regenerated database has other literals but must keep the frequency profile)
 *   hist      max |F_actual(b_j) - j/m| over the expected equal-depth bounds b_j (a
 *             Kolmogorov-Smirnov distance on the non-MCV part; numbers, dates, timestamps)
 *   corr      |delta correlation|
 *   width     |delta avg_width| in bytes
 * Tolerances follow ANALYZE's sampling: it reads n = min(rows, 300 x statistics target)
 * rows, so a frequency p is known to about sqrt(p(1-p)/n); tolerances are 4 such standard
 * errors plus a floor (docs/datagen/plans.md lists them). A metric that does not apply is skipped.
 *
 * Ownership: fid_compare returns a report the caller frees with fid_report_free.
 */
#ifndef DG_FIDELITY_H
#define DG_FIDELITY_H

#include <jansson.h>
#include <stddef.h>

#include "pgstats.h"
#include "st.h"

enum fid_kind {
    FM_ROWS,
    FM_PAGES,
    FM_NULL,
    FM_NDISTINCT,
    FM_MCV,
    FM_HIST,
    FM_CORR,
    FM_WIDTH,
    FM_N
};

typedef struct fid_metric {
    int present;
    double value;
    double tol; /* FM_ROWS/FM_PAGES/FM_NDISTINCT: the ratio must lie in [1/tol, tol] */
    int ok;
} fid_metric;

typedef struct fid_line {
    char table[64];
    char column[64]; /* "" for the table line */
    fid_metric m[FM_N];
    int ok;
    int missing; /* the table or column does not exist in the database */
} fid_line;

typedef struct fid_report {
    fid_line *lines;
    size_t n;
    size_t failed;
} fid_report;

typedef struct fid_opts {
    double scale;      /* the --scale the database was filled with (1) */
    double tol_factor; /* multiplies every tolerance (1) */
    int sample_rows;   /* rows ANALYZE samples (300 x default_statistics_target) */
} fid_opts;

/* Compares. Returns NULL with err set (ST_EINPUT: the shape is malformed, naming the field
 * path; ST_ENOMEM). */
fid_report *fid_compare(const json_t *shape, const pgs_db *db, const fid_opts *o, int *rc,
                        char *err);
void fid_report_free(fid_report *r);

const char *fid_metric_name(int k);
json_t *fid_report_json(const fid_report *r);

#endif
