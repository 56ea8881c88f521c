/*
 * profile.h -- planner statistics (pgstats.h) into a shape (docs/formats/shape.md) whose
 * generators reproduce them.
 *
 * Design: one pass over the tables. Each column's generator is chosen from its statistics
 * (docs/plans.md, "What profile writes"):
 *   - a foreign key column -> `ref` to the parent key, `dist: zipf` with s fitted to the top
 *     most-common frequency (no literal values at all), uniform when nothing is common;
 *   - a unique integer key -> `sequence`/`permutation` (correlation decides) from the
 *     histogram's lower bound;
 *   - MCVs -> `categorical` with weights = freqs / (1 - null_frac) and, when the MCVs do not
 *     cover the column, `rest` = the equal-depth `histogram` (numbers, dates, timestamps) or
 *     `text` of the measured width;
 *   - a histogram alone -> `histogram` with `correlation` and `n_distinct` (negative stays a
 *     fraction, so it scales with --scale);
 *   - booleans -> `bool`, uuids -> `uuid`, text -> `text` with width = avg_width - 1 (the
 *     varlena header), clamped to varchar(n).
 * Rows come from reltuples; small lookup tables (<= 100 rows, no outgoing FK) are "fixed".
 * Composite keys and multi-column unique constraints cannot be guaranteed unique by random
 * generators, so they become plain indexes with the constraint's name (plans still see an
 * index of that name and columns). The raw statistics are kept in `_stats` comments (shape
 * readers ignore `_` keys) for `datagen compare`.
 *
 * Masking (`mask`): every literal from most_common_vals and histogram_bounds is replaced by a
 * synthetic value of the same rank within its column (order and equality preserved; numbers
 * spaced so that rounding keeps n_distinct), text becomes fixed-width letter codes, and CHECK
 * expressions that quote a literal are dropped. Keys are structural (sequence from 1, refs).
 *
 * Ownership: profile_build returns a new JSON reference (caller json_decref's it).
 */
#ifndef DG_PROFILE_H
#define DG_PROFILE_H

#include <jansson.h>
#include <stdint.h>

#include "pgstats.h"
#include "st.h"

typedef struct profile_opts {
    int mask;
    int64_t seed;
    const char *name;     /* shape name; NULL -> "profile" */
} profile_opts;

/* Returns the shape document or NULL with err set (ST_ENOMEM only). Never fails on odd
 * statistics: a column it cannot model gets a type-default generator and a `_note`. */
json_t *profile_build(const pgs_db *db, const profile_opts *o, char *err);

/* Column type classes used by profile, fidelity and plans. */
enum pcls { PC_INT, PC_NUM, PC_BOOL, PC_TEXT, PC_DATE, PC_TS, PC_TSTZ, PC_UUID, PC_OTHER };
int profile_type_class(const char *format_type);

/* A pg_stats literal of class cls as a shape literal: a JSON number for PC_INT/PC_NUM, an
 * ISO 8601 string ("2009-01-01T00:00:00Z") for timestamps, else the string. NULL on OOM. */
json_t *profile_literal(int cls, const char *text);

/* A literal (pg_stats text or shape JSON) on a numeric axis for distances: numbers as such,
 * dates and timestamps as epoch seconds. Returns 0, or -1 when it has no numeric value. */
int profile_axis(int cls, const char *text, double *out);

/* The share (0..1) of a column's non-null values below x (incl: at or below x), from its
 * MCVs and equal-depth histogram, buckets taken as uniform: the CDF `compare` measures. */
double profile_cdf(const pgs_col *c, int cls, double x, int incl);

#endif
