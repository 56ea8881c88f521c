/*
 * profile.h -- planner statistics (pgstats.h) into a shape (docs/formats/shape.md) whose
 * generators reproduce them.
 *
 * Design: one pass over the tables; each column's generator is chosen from its statistics
 * (docs/datagen/plans.md has the full table and the measurements behind each rule):
 *   - single-column keys -> `sequence`/`permutation` from the histogram's lower bound, text
 *     and uuid keys unique by construction; composite keys -> a plain index of that name;
 *   - foreign keys into a dense integer key keep their own statistics inside the parent's
 *     ids (so the constraint holds at any scale >= 1); other FKs become `ref`;
 *   - MCV-covered columns that follow physical order -> sorted runs (`switch` on $row_frac);
 *     flat FKs over every parent -> round-robin `ref` cycle; correlated numbers and dates ->
 *     a quantile histogram with `correlation`; otherwise `categorical` MCVs with the
 *     histogram (or text of the measured width) as `rest`;
 *   - n_distinct (a fraction stays a fraction, so it scales), widths from avg_width, rows
 *     from reltuples; lookup tables (<= 100 rows, no outgoing FK) are "fixed".
 * The raw statistics are kept in `_stats` comments (shape readers ignore `_` keys) for
 * `datagen compare`: scalars, MCV frequencies by rank and whole-column quantiles.
 *
 * Masking (`mask`): see pvalue.h; keys are structural, CHECK expressions that quote a literal
 * are dropped. The output then holds no value of the statistics.
 *
 * Ownership: profile_build returns a new JSON reference (caller json_decref's it).
 */
#ifndef DG_PROFILE_H
#define DG_PROFILE_H

#include <jansson.h>
#include <stdint.h>

#include "pgstats.h"
#include "pvalue.h"
#include "st.h"

typedef struct profile_opts {
    int mask;
    int64_t seed;
    const char *name; /* shape name; NULL -> "profile" */
} profile_opts;

/* Returns the shape document or NULL with err set (ST_ENOMEM only). Never fails on odd
 * statistics: a column it cannot model gets a type-default generator and a `_note`. */
json_t *profile_build(const pgs_db *db, const profile_opts *o, char *err);

#endif
