/*
 * results.h -- what a run leaves behind (docs/formats/results.md): results.json (summary,
 * counts, histograms, per-second series, thresholds; mergeable), the per-second series as
 * NDJSON or CSV, and the end-of-run summary text.
 */
#ifndef RP_RESULTS_H
#define RP_RESULTS_H

#include <stdio.h>
#include <jansson.h>

#include "metrics.h"
#include "plan.h"

typedef struct run_info {
    const scenario *sc;
    const plan *p;
    unsigned threads;
    int64_t start_wall;
    double elapsed_s;
    const char *stopped;      /* "completed", "interrupted", "aborted" */
    const double *thr_values; /* measured value per threshold */
    const int *thr_ok;
    json_t *warnings; /* array of strings, borrowed */
    json_t *coverage; /* coverage_to_json, borrowed; NULL: none */
} run_info;

/* Builds the results document. NULL on ENOMEM. Caller decrefs. */
json_t *results_build(const metrics *m, const run_info *ri);
/* Adds the sections results_build does not make, in the one order that `replay run` and
 * `replay merge` write them (so a file read back is written again byte for byte): trace
 * mode's `trace` section, then the probe's `db`. Both borrowed; NULL = absent. Returns 0 or
 * ST_ENOMEM. */
int results_attach(json_t *doc, const json_t *trace, const json_t *db);
/* Writes the per-second series; CSV when path ends in ".csv", else NDJSON. Atomic. With
 * WebSocket sessions (m->has_ws) it adds ws_open, ws_opened, ws_messages_in, ws_errors;
 * with a probe's `db` object (probe_to_json, or NULL) db_connections, db_active, db_idle,
 * db_idle_in_tx, db_waiting of the sample taken at the same epoch second (empty/absent
 * when none). Returns 0 or ST_EENV with err set. */
int results_write_series(const metrics *m, const json_t *db, const char *path, char *err);
/* Prints the human summary. */
void results_summary(FILE *out, const metrics *m, const run_info *ri);
/* A coarse-histogram percentile (microseconds) over n buckets. */
uint64_t results_coarse_pct(const uint32_t *coarse, double p);

#endif
