/*
 * drift.h -- effect sizes between two validated traffic models (the quarterly assumption
 * review). Every comparison becomes one row: component, metric, old and new values, the
 * effect size, its threshold and whether it drifted. Data-quality changes are rows too,
 * marked informational (they never fail the check, but they explain the behaviour rows).
 *
 * Effect sizes: absolute differences for exponents and probabilities, relative change for
 * rates and medians, total-variation distance for mixes and Markov rows (matched by route
 * template, so route order does not matter; unmatched routes count as zero probability).
 *
 * A rehearsal is diffed against the model it came from: rate_scale compares every rate
 * (session and request rate, burst peak) with K times the old one, and a clock (start hour,
 * speed) maps the new series onto the old hour-of-day/week profile, as replay's model_clock
 * played it. The largest burst episodes are paired (epochs differ between a log and its
 * rehearsal).
 */
#ifndef MODELER_DRIFT_H
#define MODELER_DRIFT_H

#include <jansson.h>
#include <stddef.h>

#include "tmodel_desc.h"

typedef struct drift_thresholds {
    double zipf_s;         /* |delta s| (default 0.1) */
    double markov_tv;      /* TV of a journey row (0.1) */
    double profile_err;    /* median relative difference of the arrival profile (0.15) */
    double rate_rel;       /* relative change of the session rate (0.25) */
    double branching;      /* |delta n| (0.1) */
    double think_rel;      /* relative change of the think-time median (0.15) */
    double mix_tv;         /* TV of the route mix (0.1) */
    double ws_rel;         /* relative change of the WebSocket median duration (0.2) */
    double min_row_share;  /* Markov rows of routes below this share are skipped (0.005) */
    double assets_rel;     /* relative change of a page's mean assets per view (0.15) */
    double class_tv;       /* TV of the desktop/mobile/script session shares (0.1) */
    double burst_peak_rel; /* relative change of the largest episode's peak rate (0.25) */
    double burst_ramp_s;   /* |delta ramp| of the largest episode, seconds (30) */
    double burst_hot;      /* |delta hot share| of the largest episode (0.1) */
    /* Comparison options rather than thresholds: */
    double rate_scale;    /* rates are compared against rate_scale x the old model (1) */
    double clock_start_h; /* >= 0: the new model is a rehearsal whose clock started at this
                           * hour (of week from Monday 00:00 UTC, or of day) and ran ... */
    double clock_speed;   /* ... this many times faster than real time (1) */
} drift_thresholds;

void drift_defaults(drift_thresholds *t);

typedef struct drift_row {
    char component[24];
    char metric[160];
    double old_v, new_v, effect, threshold;
    int drift; /* effect beyond threshold */
    int info;  /* informational (data quality): never drift */
} drift_row;

typedef struct drift_report {
    drift_row *rows;
    size_t n, cap;
    size_t drifted;
} drift_report;

/* Compares two models, as the descriptive reader has them (common/tmodel_desc.h). Returns 0
 * or ST_ENOMEM. Free with drift_free. */
int drift_compare(const tmodel_desc *old_m, const tmodel_desc *new_m, const drift_thresholds *t,
                  drift_report *out);
void drift_free(drift_report *r);
json_t *drift_to_json(const drift_report *r);

#endif
