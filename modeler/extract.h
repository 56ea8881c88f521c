/*
 * extract.h -- `modeler extract`: an access log as a replayable trace (docs/formats/trace.md).
 *
 * Design: one pass reads every line (same readers and route templating as `fit`), keeps a
 * compact record per request (time, client hash, template, method, item-value hashes), then
 * sorts by time, splits each client's requests into sessions with the same timeout rule as
 * `fit` (a gap longer than the timeout between page/api requests starts a new session), and
 * numbers sessions by their first request (a stable rank, never the client address). Item
 * values become ranks per (template, parameter): 1 is the value requested most often in the
 * extracted window, ties broken by first appearance, so the trace holds no raw ids unless
 * the user asks for raw paths.
 *
 * Privacy: templates seen from fewer than k_min distinct clients are folded into "{other}",
 * as in the model. WebSocket upgrades (status 101, logged at close by nginx) become one line
 * at their open time with their duration.
 *
 * Memory: about 56 bytes per kept request plus the item table; at most EXTRACT_MAX_REQUESTS
 * requests (an error past that asks for --from/--to).
 * Ownership: extract_run fills a caller-owned result; extract_term frees it (safe twice).
 */
#ifndef MODELER_EXTRACT_H
#define MODELER_EXTRACT_H

#include <stdint.h>
#include <stdio.h>

#include "progress.h"

#define EXTRACT_MAX_REQUESTS ((size_t)40 << 20)

typedef struct extract_opts {
    const char *format; /* NULL = combined */
    double timeout_s;   /* session timeout (default 1800) */
    int has_from, has_to;
    double from, to;      /* epoch seconds, or offsets from the first line (see rel) */
    int from_rel, to_rel; /* 1: from/to are seconds after the log's first line */
    int keep_paths;       /* write raw path and query ("p") */
    int drop_bots;
    unsigned k_min;          /* fold templates seen from fewer clients (0 = no folding) */
    const char *time_format; /* --time-format, as for fit (NULL = the format's own) */
    const char *tz;          /* --tz for zone-less times (NULL = UTC) */
} extract_opts;

typedef struct ex_rec ex_rec;
typedef struct ex_tmpl ex_tmpl;

typedef struct extract {
    extract_opts o;
    ex_rec *r;
    size_t n, cap;
    ex_tmpl *t; /* templates (index = ex_rec.tmpl) */
    size_t nt, tcap;
    uint32_t *tslots; /* template hash table: index + 1 */
    size_t ntslots;
    uint64_t *items; /* item hashes, ex_rec.items_off .. + nitems */
    size_t nitems, icap;
    uint32_t *ranks; /* rank per items[] entry, after extract_finish */
    char *paths;     /* raw paths (keep_paths), NUL-separated */
    size_t npaths, pcap;
    uint64_t lines, parsed, malformed, bots, bot_dropped, outside, folded_requests;
    uint64_t ws_clipped; /* WebSockets still open at --to, closed there */
    uint64_t first_bad_line;
    int first_bad_reason;
    uint64_t sessions, websockets, folded_templates;
    double t0, t_last;
    char fmt_name[32];
} extract;

/* Reads every path ("-" = stdin) and builds the trace in memory. Returns 0, or ST_EINPUT
 * (bad format, unreadable file, nothing parsed), ST_ELIMIT (too many requests) or ST_ENOMEM
 * with err set. Malformed lines are counted, never errors. */
int extract_run(extract *x, const extract_opts *o, const char *const *paths, size_t npaths,
                progress *pg, char *err);
void extract_term(extract *x);

/* Writes the trace (header line, then one line per request / WebSocket in time order).
 * `command` is recorded in the header. Returns 0, or -1 on a write error (ferror). */
int extract_write(const extract *x, FILE *f, const char *const *files, size_t nfiles,
                  const char *command);

#endif
