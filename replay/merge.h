/*
 * merge.h -- exact merge of segment results (`replay merge`, docs/replay.md "merge").
 *
 * The n segments of a run (`--segment i/n`, a common `--start-at`) each measured a disjoint
 * slice of the same plan, so their results add: counts add, histograms add bucket by bucket
 * (metrics_merge), and the per-second series align on wall-clock seconds (each second's
 * counts and coarse latency histogram add). Nothing derived is added: thresholds are
 * measured again on the merged metrics, and the summary percentiles are recomputed from the
 * merged histograms when the document is built.
 *
 * What is refused (ST_EINPUT, one line naming both files): different results formats or
 * replay versions, different scenarios (hash), seeds, --scale or --duration, different
 * splits (1/2 with 1/4: their sessions overlap), the same segment twice (a duplicate file or
 * overlapping merged files), and two inputs with a `db` section (only one segment probes; the
 * probe's samples must not add). A merge of fewer than all n segments is allowed and listed
 * (rr_result.missing, and a warning in the merged file's `warnings`).
 *
 * Merged results record `segment: {"i": 0, "n": n}` and `merged: {"segments", "missing"}`
 * (docs/formats/results.md), so a merged file can itself be merged with the rest.
 *
 * Ownership: merge_results fills a caller-owned rr_result (free with results_read_term);
 * inputs are only read. On failure `out` is left termed.
 */
#ifndef RP_MERGE_H
#define RP_MERGE_H

#include <jansson.h>

#include "results_read.h"

/* Merges in[0..n). Returns 0, ST_EINPUT (refused; err names the files and why) or ST_ENOMEM. */
int merge_results(rr_result *out, const rr_result *in, size_t n, char *err);
/* Measures every threshold on r->m (and r->db) again, into r->thr_values / r->thr_ok.
 * Returns the number of failed thresholds, or ST_ENOMEM. */
int merge_measure(rr_result *r);
/* The results document of r: results_build plus the `merged` object for merged results.
 * New reference, NULL on ENOMEM. */
json_t *merge_build_doc(const rr_result *r);

#endif
