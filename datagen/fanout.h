/*
 * fanout.h -- `datagen profile --fanout`: per-parent child counts of every single-column
 * foreign key, and their rank correlation across the tables that reference the same parent,
 * turned into `activity` generators (gk_activity.c) in a profiled shape.
 *
 * Design: one aggregate query per referenced table. The parent's keys are sampled with
 * TABLESAMPLE BERNOULLI ... REPEATABLE (seed) when the parent has more rows than the sample
 * size; each child table is reduced to (key, count) grouped by its foreign key, restricted
 * to the sampled keys; the query returns one row of counts per sampled parent (the counts
 * only, never a key or a value). From those rows: each child's count distribution (knots of
 * its quantile function: every distinct count up to the head, a geometric tail, the maximum)
 * and the Spearman correlation of every pair of children. The Gaussian correlation each pair
 * needs is found by bisection on a simulation through the same quantile functions fill uses
 * (ties among small counts attenuate a rank correlation, so the textbook 2 sin(pi rho / 6)
 * alone falls short), and a one-factor model gives each child its loading (`corr`) on the
 * parent's latent activity. What is measured is kept in `_fanout` comments of the column and
 * of the shape.
 *
 * Library code: never prints; progress goes through the caller's callback.
 */
#ifndef DG_FANOUT_H
#define DG_FANOUT_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdint.h>

typedef struct fanout_opts {
    const char *schema; /* the schema the shape was profiled from */
    int64_t sample;     /* parents sampled at most (about: BERNOULLI); <= 0 = all */
    int64_t seed;       /* REPEATABLE seed and the calibration's draws */
    void (*progress)(void *ud, const char *msg);
    void *ud;
} fanout_opts;

/* Runs the aggregates on conn and rewrites the foreign-key columns of `shape` (a profile:
 * tables with rows, columns, foreign_keys) as `activity` generators. Returns 0, or ST_EENV
 * (a query failed) / ST_ENOMEM with err set; the shape may then be partly rewritten. */
int fanout_profile(PGconn *conn, json_t *doc, const fanout_opts *o, char *err);

#endif
