/*
 * model_write.h -- assembles the traffic-model JSON (docs/formats/traffic-model.md) from
 * the streaming pass and the fits, applying the privacy rules on the way out: templates,
 * ranks, weights and fitted parameters only; routes seen from fewer than k distinct
 * clients, and routes beyond the max_routes most requested, are folded into "{other}".
 *
 * The per-parameter Zipf fits run here, while routes are emitted, because which routes
 * survive folding is only known at this point.
 */
#ifndef MODELER_MODEL_WRITE_H
#define MODELER_MODEL_WRITE_H

#include <jansson.h>
#include "fit_bursts.h"
#include "fit_hawkes.h"
#include "fit_think.h"
#include "ingest.h"

#define MODEL_HIST_BINS 40

typedef struct fit_result {
    const ingest *g;
    const char *const *files;
    size_t nfiles;
    const char *command;
    uint64_t seed;
    unsigned k_min;
    size_t max_routes;
    /* arrivals */
    double t0;     /* epoch of series bin 0 (the first line, floored) */
    double *rates; /* session arrivals per second per bin */
    size_t nrates;
    double bin_s;
    double *rates_1s; /* only for spans up to an hour, else NULL */
    size_t nrates_1s;
    int profile_kind; /* 0 flat, 1 hour_of_day, 2 hour_of_week */
    double profile[168];
    double trend_per_day;
    double dispersion[4];
    double profile_err;
    /* fits */
    hawkes_fit hk;
    char hk_refused[160];
    char hk_note[200]; /* a fit finding, e.g. the branching ratio was clamped */
    burst_fit bf;
    char burst_refused[160];
    think_fit think;
    int think_ok;
    char think_note[160];
    double think_edges[MODEL_HIST_BINS + 1], think_density[MODEL_HIST_BINS];
    think_fit ws;
    int ws_ok;
    size_t ws_censored; /* WebSockets cut by the log's end (wsdur.h) */
    double ws_conc_max, ws_conc_mean;
    double *ws_conc;       /* per series bin, mean open WebSockets */
    double timeout_fitted; /* -1 = none */
    double length_median, length_p95, dur_median, dur_p95;
    /* filled by model_build for the summary */
    size_t routes_out, folded;
    double zipf_s_main;
    uint64_t zipf_main_total;
    char zipf_main_route[ROUTE_MAX_TMPL];
} fit_result;

/* Returns a new JSON object (caller decrefs) or NULL with err set. */
json_t *model_build(fit_result *fr, char *err);

#endif
