/*
 * trace.h -- a recorded trace (docs/formats/trace.md, written by `modeler extract`) loaded for
 * `replay run --trace` / `replay plan --trace`.
 *
 * Design: trace_load reads and validates the whole file before anything is sent: the header
 * line (format, version), then one object per request or WebSocket. A malformed line, an
 * unknown field type or a time earlier than the previous line's is refused with the line
 * number and the field (exit 2). trace_bind then maps every template onto the scenario's
 * routes, applies --from/--to (offsets into the trace) and --speed (t / speed), and counts
 * what the scenario cannot send (unmapped templates, with their share). plan.c turns the
 * bound trace into sessions of the ordinary plan, so the engine, metrics, segments, merge,
 * thresholds and the report are those of model mode.
 *
 * A session's id is mix("replay.trace.session", rank): a function of the trace alone, so
 * `--segment i/n` splits by session exactly, as in model mode.
 * Ownership: caller-owned struct; trace_term frees it (safe twice).
 */
#ifndef RP_TRACE_H
#define RP_TRACE_H

#include <stdint.h>

#include "scenario.h"

#define TRACE_MAX_LINES ((size_t)50 << 20)
#define TRACE_MAX_TEMPLATES 4096
#define TRACE_MAX_RANKS 8

typedef struct trace_req {
    double t;           /* offset in the trace (seconds); after bind: run time */
    uint32_t session;   /* session rank */
    uint32_t tmpl;      /* index into templates */
    uint32_t ranks_off; /* item ranks in ranks[ranks_off ..] */
    uint8_t n_ranks;
    uint8_t in_window; /* set by bind */
    int16_t route;     /* scenario route after bind, -1 if unmapped */
} trace_req;

typedef struct trace_ws {
    double t, dur; /* open offset and duration; after bind: run time, scaled */
    uint32_t session;
    uint8_t in_window;
} trace_ws;

typedef struct trace_tmpl {
    char s[256];
    uint64_t requests;
    int route; /* scenario route after bind, -1 if unmapped */
} trace_tmpl;

typedef struct trace {
    char path[1024];
    double t0, span;     /* header: epoch of offset 0, offset of the last line */
    uint32_t n_sessions; /* highest rank + 1 */
    trace_req *r;
    size_t n_r;
    uint32_t *ranks;
    size_t n_ranks;
    trace_ws *w;
    size_t n_w;
    trace_tmpl *tm;
    size_t n_tm;
    /* sessions: requests of session k are by_sess[sess_first[k] .. sess_first[k+1]) */
    uint32_t *sess_first, *by_sess;
    uint32_t *plan_index; /* rank -> plan session index, UINT32_MAX if none (plan.c) */
    /* set by trace_bind */
    double speed, from, to, duration; /* duration: run seconds the window needs */
    uint64_t window_requests, unmapped_requests, ws_in_window;
    /* set by plan_build_trace */
    uint64_t ranks_wrapped, truncated;
} trace;

/* Loads and validates the file. Returns 0, ST_EINPUT (malformed: "trace.ndjson line 12:
 * field 't': ..."), ST_ELIMIT or ST_ENOMEM with err set. */
int trace_load(trace *tr, const char *path, char *err);

/* Maps templates to sc's routes and applies the window [from, to) (to < 0: the end) and the
 * speed factor. Returns 0, or ST_EINPUT when nothing in the window can be sent. */
int trace_bind(trace *tr, const scenario *sc, double speed, double from, double to, char *err);

/* The id of session `rank` (its rng streams and its segment). */
uint64_t trace_session_id(uint32_t rank);

void trace_term(trace *tr);

#endif
