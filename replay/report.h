/*
 * report.h -- the HTML report of a run or a merge (`replay report`, and `run` / `merge
 * --report`): one self-contained file, inline SVG charts from common/svg.h, no script, no
 * external asset, readable at laptop width.
 *
 * Contents, all derived from results.json (an rr_result) and, for the flash-crowd shading,
 * the scenario's events: run metadata (seed, scenario name and hash, replay version,
 * segments, engine-lag warnings); a "what happened" paragraph computed from the numbers
 * (failed thresholds, where the errors are, latency trend, the database at the worst second,
 * the generator falling behind); the thresholds table; target vs achieved requests per
 * second with flash crowds shaded; latency p50/p95/p99 over time (from the per-second coarse
 * histograms, all routes: results keep per-route latency as whole-run histograms, shown in a
 * table); errors by class over time; sessions started per second; DB connections by state
 * and lock waits from the `db` section (or the text "no --db-probe"). A chart is only drawn
 * when it has data; otherwise one line of text says why.
 *
 * The browser contract (docs/replay/probe.md, tests/integ/report_browser.sh): charts are
 * <svg data-chart data-points>, and <table id="thresholds"> has one
 * <tr data-expr="EXPR" data-pass="true|false"> per threshold of results.json, in order.
 *
 * Library code: nothing prints; errors go to err. Ownership: report_events is a plain struct.
 */
#ifndef RP_REPORT_H
#define RP_REPORT_H

#include "dbuf.h"
#include "results_read.h"

#define REPORT_MAX_BYTES (64u * 1024u * 1024u)

typedef struct report_event {
    char name[64];
    double at, end; /* seconds from run start */
    int exact;      /* 0: the end is unknown here (an event taken from the model) */
} report_event;

typedef struct report_events {
    size_t n;
    report_event ev[SC_MAX_EVENTS];
} report_events;

/* Reads the flash-crowd events of the scenario file at `path` when its hash (as
 * scenario_load computes it) is `hash`. Returns 0 with ev filled; 1 when the file cannot be
 * read or is another version of the scenario (err says which; ev is empty: the report then
 * shades nothing); ST_EINPUT when its events are malformed. */
int report_events_load(const char *path, uint64_t hash, report_events *ev, char *err);

/* Appends the whole page to out. Returns 0, ST_ENOMEM or ST_ELIMIT (err set). */
int report_html(const rr_result *r, const report_events *ev, dbuf *out, char *err);
/* report_html into a file, atomically. Returns 0 or ST_EENV / ST_ENOMEM / ST_ELIMIT. */
int report_write(const rr_result *r, const report_events *ev, const char *path, char *err);

#endif
