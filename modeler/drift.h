/*
 * drift.h -- effect sizes between two validated traffic models (the quarterly assumption
 * review). Every comparison becomes one row: component, metric, old and new values, the
 * effect size, its threshold and whether it drifted. Data-quality changes are rows too,
 * marked informational (they never fail the check, but they explain the behaviour rows).
 *
 * Effect sizes: absolute differences for exponents and probabilities, relative change for
 * rates and medians, total-variation distance for mixes and Markov rows (matched by route
 * template, so route order does not matter; unmatched routes count as zero probability).
 */
#ifndef MODELER_DRIFT_H
#define MODELER_DRIFT_H

#include <jansson.h>
#include <stddef.h>

typedef struct drift_thresholds {
    double zipf_s;        /* |delta s| (default 0.1) */
    double markov_tv;     /* TV of a journey row (0.1) */
    double profile_err;   /* median relative difference of the arrival profile (0.15) */
    double rate_rel;      /* relative change of the session rate (0.25) */
    double branching;     /* |delta n| (0.1) */
    double think_rel;     /* relative change of the think-time median (0.15) */
    double mix_tv;        /* TV of the route mix (0.1) */
    double ws_rel;        /* relative change of the WebSocket median duration (0.2) */
    double min_row_share; /* Markov rows of routes below this share are skipped (0.005) */
} drift_thresholds;

void drift_defaults(drift_thresholds *t);

typedef struct drift_row {
    char component[24];
    char metric[160];
    double old_v, new_v, effect, threshold;
    int drift;      /* effect beyond threshold */
    int info;       /* informational (data quality): never drift */
} drift_row;

typedef struct drift_report {
    drift_row *rows;
    size_t n, cap;
    size_t drifted;
} drift_report;

/* Compares two validated models. Returns 0 or ST_ENOMEM. Free with drift_free. */
int drift_compare(const json_t *old_m, const json_t *new_m, const drift_thresholds *t,
                  drift_report *out);
void drift_free(drift_report *r);
json_t *drift_to_json(const drift_report *r);

#endif
