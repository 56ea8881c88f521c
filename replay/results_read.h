/*
 * results_read.h -- results.json back into the metrics struct and the run facts: the exact
 * inverse of results_build() (replay/results.h), for `replay merge` and `replay report`.
 *
 * Design: results_read() fills an rr_result that owns everything results_build() needs to
 * write the same document again: a metrics struct (histograms rebuilt bucket by bucket from
 * their sparse JSON, the per-second series placed at t - t0), and a *stub* scenario and plan
 * that carry only what results_build() reads (name, path, hash, seed, target, duration,
 * scale, route templates and methods, parsed thresholds; segment i/n and the whole plan's
 * session count). So results_build(rr.m, &ri) with ri from results_read_info() gives back the
 * input byte for byte (tested on a real run), as long as the same replay version writes it
 * (`tool.version` is written from the binary).
 *
 * Validation is complete: every key is checked for type and range with the jv_* validators
 * and unknown keys are refused (jv_no_unknown), and the derived totals of `counts` must equal
 * what the routes add up to (a hand-edited file is caught). Errors are one line naming the
 * field path, e.g. "seg2.json: results.routes[1].latency.2xx.buckets[3]: ...", ST_EINPUT.
 * `summary` and `thresholds[].display` are derived; they are checked for shape only and
 * recomputed when written again.
 *
 * Merged results (written by `replay merge`) carry `segment.i = 0` and a `merged` object
 * {"segments": [1, 2, 4], "missing": [3]} naming the segments of n that are in the file.
 * rr_result.segs lists them for every file (a plain segment file lists its own i).
 *
 * Extending (new fields of results.json, e.g. WebSocket counts): add the key to the allowed
 * list next to the reader of its object in results_read.c (rr_top_keys, rr_count_keys,
 * rr_route_keys, rr_sec_keys) and read it into the metrics struct in the matching function
 * (read_counts, read_route, read_second): each is the mirror of one block of results_build.
 * tests/unit/test_replay_results_rt.c holds the two together: it writes a document with
 * every field set, reads it, writes it again and wants the same bytes, and it refuses a
 * field it finds at 0, so a new field fails it until the test sets it and this file reads it.
 * The `db` section (docs/replay/probe.md) is kept as it is (a new reference in rr_result.db): only
 * one segment probes, and merge copies it.
 *
 * Ownership: results_read fills a caller-owned rr_result; results_read_term releases it
 * (safe on a zeroed or already-termed struct). On failure the struct is left termed.
 */
#ifndef RP_RESULTS_READ_H
#define RP_RESULTS_READ_H

#include <jansson.h>

#include "metrics.h"
#include "plan.h"
#include "results.h"
#include "scenario.h"

#define RR_MAX_SEGMENTS 4096

typedef struct rr_result {
    char file[512];  /* for messages */
    int64_t version; /* results format version */
    char tool_version[64];
    scenario *sc; /* stub: see above; free with results_read_term only */
    plan p;       /* stub: seg_i, seg_n, all_sessions */
    metrics *m;
    unsigned threads;
    int64_t start;
    double elapsed_s;
    char stopped[16];
    double *thr_values; /* n_thresholds entries */
    int *thr_ok;
    json_t *warnings; /* array of strings (owned) */
    json_t *db;       /* the probe's section, or NULL (owned) */
    json_t *coverage; /* results.coverage as read, or NULL (owned) */
    json_t *trace;    /* trace mode's section (docs/formats/trace.md), or NULL (owned) */
    unsigned n_segs;  /* segments of seg_n that this file holds, ascending */
    unsigned *segs;
    unsigned n_missing; /* merged files: segments recorded as missing */
    unsigned *missing;
} rr_result;

/* Reads a parsed document. `name` prefixes errors (a file name). Returns 0, ST_EINPUT (one
 * line naming the field path) or ST_ENOMEM; on failure r is termed. */
int results_read(rr_result *r, const json_t *root, const char *name, char *err);
/* Loads and reads a file (jsonio_load: size cap, line:column parse errors). Same returns. */
int results_read_file(rr_result *r, const char *path, char *err);
void results_read_term(rr_result *r);
/* The run_info that makes results_build(r->m, ri) write the document again. Borrowed
 * pointers into r. */
void results_read_info(const rr_result *r, run_info *ri);
/* The route templates as a names array for metrics_measure (n_routes entries, borrowed).
 * NULL on ENOMEM; caller frees the array only. */
const char **results_route_names(const rr_result *r);

#endif
