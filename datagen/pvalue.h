/*
 * pvalue.h -- the values of a profile: pg_stats literals on a numeric axis and back, their
 * masking, and whole-column quantile functions.
 *
 * Design: every statistic arrives as text (pgstats.h). A literal of a number, date or
 * timestamp maps to one axis (numbers as such, dates and timestamps as epoch seconds, UTC)
 * where profile (generators), compare (distances) and masking all work; pv_json writes an
 * axis value back as the shape literal of its class (integer, number, ISO 8601 string).
 *
 * Masking (pv_mask): a column's MCV and histogram literals, sorted and deduplicated, map to
 * synthetic values of the same rank -- numbers rank x gap (gap = 8 x n_distinct / literals,
 * 1.5x for dates, so rounding inside a bucket does not merge values), dates and timestamps
 * days / minutes from 2000-01-01, text a fixed-width letter code padded with 'x' to the
 * literal's length. Order and equality survive; values do not.
 *
 * Maps (pv_map) say which axis a column's values live on: as they are, masked, or as a
 * reference into a dense parent key (clamped into [lo, hi], renumbered from 1 when masked).
 *
 * Quantiles: a column is a set of atoms -- MCVs as point masses, histogram buckets as
 * uniform mass -- whose CDF is piecewise linear with jumps; pv_quantiles inverts it.
 *
 * Ownership: pv_mask_init allocates, pv_mask_term releases (the literals are borrowed from
 * the pgs_col, which must outlive the mask). JSON results are new references.
 */
#ifndef DG_PVALUE_H
#define DG_PVALUE_H

#include <jansson.h>

#include "pgstats.h"

/* Column type classes used by profile, fidelity and plans. */
enum pcls { PC_INT, PC_NUM, PC_BOOL, PC_TEXT, PC_DATE, PC_TS, PC_TSTZ, PC_UUID, PC_OTHER };

/* The class of a format_type() string ("integer", "character varying(40)", ...). */
int profile_type_class(const char *format_type);

/* A pg_stats literal of class cls as a shape literal: a JSON number for PC_INT/PC_NUM, an
 * ISO 8601 string ("2009-01-01T00:00:00Z") for timestamps, else the string. NULL on OOM. */
json_t *profile_literal(int cls, const char *text);

/* A literal (pg_stats text or shape ISO string) on the numeric axis. Returns 0, or -1 when it
 * has none (text, unparsable). */
int profile_axis(int cls, const char *text, double *out);

/* The share (0..1) of a column's non-null values below x (incl: at or below x), from its
 * MCVs and equal-depth histogram, buckets taken as uniform: the CDF `compare` measures. */
double profile_cdf(const pgs_col *c, int cls, double x, int incl);

/* Epoch seconds as a "YYYY-MM-DD" (PC_DATE) or "YYYY-MM-DDTHH:MM:SSZ" string. */
json_t *pv_epoch_literal(int cls, double t);

/* Six significant digits, as a double or a JSON real. */
double pv_r6(double v);
json_t *pv_jreal(double v);

/* The per-column mask: the sorted distinct literals of the column's MCV list and histogram;
 * a literal maps to a synthetic value of the same rank. */
typedef struct pv_mask {
    int cls;
    char **lit;
    double *ax;
    size_t n;
    double gap; /* numeric spacing between consecutive synthetic values */
    int width;  /* letters for text codes */
    int maxlen; /* varchar(n) limit of the column, 0 = none */
} pv_mask;

/* How a column's literals become generator values: as they are, masked (rank-synthetic), or
 * as a reference into a dense parent key (clamped into its ids, renumbered from 1 when
 * masked). Values travel on the numeric axis (profile_axis) and are written back by class. */
typedef struct pv_map {
    int cls;
    int mask;
    const pv_mask *m;
    int fk;
    double lo, hi;
} pv_map;

/* Builds the mask of one column (rows: the table's reltuples, for n_distinct fractions).
 * Returns 0 or ST_ENOMEM (then pv_mask_term is still safe). */
int pv_mask_init(pv_mask *m, const pgs_col *c, int cls, double rows);
void pv_mask_term(pv_mask *m);
/* The synthetic value of a literal. NULL on OOM. */
json_t *pv_mask_value(const pv_mask *m, const char *text);
/* The literal as the shape writes it: masked when `mask`, else profile_literal. */
json_t *pv_lit(const pv_mask *m, int mask, int cls, const char *text);

/* A literal on the map's axis, and an axis value written back as the map's class. */
double pv_axis(const pv_map *v, const char *text);
json_t *pv_json(const pv_map *v, double x);

/* The column's whole quantile function sampled at nb + 1 equally spaced probabilities, on
 * vm's axis, as a JSON array of shape literals. NULL when the column has no MCVs and no
 * histogram, or on OOM. */
json_t *pv_quantiles(const pgs_col *c, const pv_map *vm, int nb);

#endif
