/*
 * opts.h -- command-line options shared by `replay plan` and `replay run`: the scenario
 * overrides (--target, --duration, --scale, --seed, --max-rps, --feeders), the segment and
 * start time, outputs and run settings. Parsing prints nothing: errors go to err as one
 * line, and the tool layer exits 2.
 */
#ifndef RP_OPTS_H
#define RP_OPTS_H

#include "scenario.h"

typedef struct rp_opts {
    const char *scenario;
    const char *out;          /* -o: plan output / results.json */
    const char *series;       /* --series FILE (.csv or .ndjson) */
    const char *metrics_addr; /* --metrics-addr 127.0.0.1:PORT */
    const char *db_probe;     /* --db-probe CONNINFO (run only) */
    sc_overrides ov;
    unsigned seg_i, seg_n;
    int has_start_at;
    double start_at;  /* epoch seconds */
    unsigned threads; /* 0 = one per core */
    int has_grace;
    double grace;
    int quiet, json, help, version, no_progress;
    const char *trace;           /* --trace TRACE.ndjson: replay a recorded trace */
    double speed;                /* --speed (1 = as recorded) */
    double trace_from, trace_to; /* --from/--to offsets into the trace; to < 0 = the end */
    int has_window;
} rp_opts;

/* Parses argv (after the subcommand). run=1 accepts the run-only flags. Returns 0 or
 * ST_EINPUT with err set. */
int opts_parse(rp_opts *o, int argc, char **argv, int run, char *err);

#endif
