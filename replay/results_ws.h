/*
 * results_ws.h -- the WebSocket parts of results.json (docs/formats/results.md,
 * "websockets"): the `websockets` section, the per-second ws_* fields of `series`, the
 * summary lines, and the probe's columns in the --series file.
 * Everything written here merges exactly: counts add, histograms add bucket by bucket, and
 * ws_open is a per-second gauge that adds across segments (each holds its own WebSockets).
 */
#ifndef RP_RESULTS_WS_H
#define RP_RESULTS_WS_H

#include <stdio.h>
#include <jansson.h>

#include "metrics.h"

/* The `websockets` object. NULL on ENOMEM. Caller decrefs. */
json_t *results_ws_json(const metrics *m);
/* Adds ws_open, ws_opened, ws_messages_in, ws_errors to a series entry. */
void results_ws_second(json_t *o, const mx_second *s);
/* Summary lines (nothing when the run had no WebSocket sessions). */
void results_ws_summary(FILE *out, const metrics *m);
/* The probe's sample at epoch second t from a probe_to_json() object: writes the values of
 * connections, active, idle, idle_in_tx, waiting into v[5] (NAN when missing). Returns 1 if
 * a sample exists. Ownership: nothing allocated. */
int results_db_at(const json_t *db, long long t, double v[5]);

#endif
