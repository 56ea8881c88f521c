/*
 * metrics.h -- what a run measured, per worker thread, merged at the end.
 *
 * Per route and status class (0 = transport error, 1..5 = 1xx..5xx): counts and two
 * mergeable histograms (common/hist.h, microseconds): `latency` from the *intended* send time
 * (coordinated-omission corrected, as wrk2) and `service` from the actual send. Errors by class
 * (connect, timeout, reset, other, 4xx, 5xx). Engine health: a `lateness` histogram of
 * (actual - intended) send time for sends whose session was ready (the engine's own delay),
 * counts of sends held back by the session's previous request (the server's delay, already in
 * latency), dropped sessions (session cap) and throttled sends (--max-rps). Pooled mode: a
 * `pool_wait` histogram of the time a ready send waited for a free pooled connection
 * (mostly the server's delay: no response had come back and been read), `queued_sends` that
 * waited, and the lateness of the sends that did not wait (`lateness_unqueued`: the
 * generator's own delay).
 * Per-second series keyed by the intended send's wall-clock second, with a coarse mergeable
 * latency histogram (MX_COARSE log buckets, 4 per power of two), so segment results align
 * and add exactly.
 * Everything merges exactly: counts add and histograms add bucket by bucket (metrics_merge).
 * Per route, responses are also counted by the HTTP version their connection negotiated, and
 * those refused by http.require_version (a fallback to 1.1) are counted apart.
 * Histograms are allocated at first use of a (route, class), never per request.
 * WebSocket sessions (mx_ws, recorded by wsess.c): attempts, opens, handshake failures by
 * HTTP status (or connect/timeout/other), reconnects, messages and bytes both ways, closes
 * by code and by how they ended, the handshake-latency and server-push-delay histograms;
 * per second: open WebSockets at the end of the second (a gauge that adds across workers
 * and segments, as each holds its own), opens, messages in, errors.
 * Ownership: metrics_new/metrics_free.
 */
#ifndef RP_METRICS_H
#define RP_METRICS_H

#include <jansson.h>

#include "hist.h"
#include "thresholds.h"

enum mx_err { ERR_CONNECT = 0, ERR_TIMEOUT, ERR_RESET, ERR_OTHER, ERR_4XX, ERR_5XX, ERR_N };
#define MX_CLASSES 6
#define MX_HV 4 /* negotiated HTTP versions: "1.0", "1.1", "2", "3" */
#define MX_COARSE 140
#define MX_LATE_US 10000 /* a send later than this counts as late */

extern const char *const mx_err_names[ERR_N];
extern const char *const mx_class_names[MX_CLASSES];
extern const char *const mx_hv_names[MX_HV];

typedef struct mx_route {
    uint64_t planned, sent, done, status[MX_CLASSES], err[ERR_N];
    uint64_t checks, checks_failed, bytes_in;
    uint64_t version[MX_HV];  /* responses by negotiated HTTP version (mx_hv_names) */
    uint64_t version_refused; /* of those, refused by http.require_version (also errors) */
    hist *lat[MX_CLASSES], *svc[MX_CLASSES];
} mx_route;

/* How a WebSocket session's connection ended (docs/formats/results.md, "websockets"). */
enum mx_ws_end {
    WSE_PLANNED = 0,
    WSE_RUN_END,
    WSE_INTERRUPTED,
    WSE_SERVER_CLOSE,
    WSE_DROPPED,
    WSE_CUT,
    WSE_N
};
enum mx_ws_hsfail { WSF_CONNECT = 0, WSF_TIMEOUT, WSF_OTHER, WSF_N };
#define MX_WS_CODES 32
#define MX_WS_STATUS 600
extern const char *const mx_ws_end_names[WSE_N];
extern const char *const mx_ws_hsfail_names[WSF_N];

typedef struct mx_ws {
    uint64_t planned, attempts, opened, reconnects, hs_failed, aborted, errors;
    uint64_t hs_status[MX_WS_STATUS]; /* failed handshakes by HTTP status */
    uint64_t hs_kind[WSF_N];          /* failed handshakes without an HTTP status */
    uint64_t msgs_in, msgs_out, bytes_in, bytes_out, pushes;
    uint64_t ends[WSE_N];
    uint16_t close_code[MX_WS_CODES]; /* close codes seen, with counts in close_n */
    uint64_t close_n[MX_WS_CODES], close_other;
    hist *handshake, *push_delay; /* microseconds */
} mx_ws;

typedef struct mx_second {
    uint32_t planned, sent, done, errors, late, sessions;
    uint32_t ws_open, ws_opened, ws_msgs_in, ws_errors;
    uint8_t ws_set; /* ws_open was recorded in this second (per worker) */
    uint32_t status[MX_CLASSES];
    uint32_t coarse[MX_COARSE];
} mx_second;

typedef struct metrics {
    size_t n_routes;
    mx_route *routes;
    hist *lateness;
    hist *pool_wait, *lateness_unqueued; /* us; see the note at the top */
    uint64_t sessions_planned, sessions_started, sessions_dropped, sessions_done;
    uint64_t requests_planned, requests_unsent, late_sends, blocked_sends, throttled;
    uint64_t queued_sends; /* sends that waited for a free pooled connection */
    int has_ws;            /* the run had WebSocket sessions */
    mx_ws ws;
    int64_t t0; /* wall-clock second of series[0] */
    size_t n_secs;
    mx_second *secs;
} metrics;

/* NULL on ENOMEM. */
metrics *metrics_new(size_t n_routes, int64_t t0, size_t n_secs);
void metrics_free(metrics *m);
/* Coarse bucket of a microsecond value, and the bucket's upper edge. */
size_t mx_coarse_index(uint64_t us);
uint64_t mx_coarse_high(size_t idx);
/* Records one finished request. cls: 0 transport error, else status / 100. err: an mx_err or
 * -1. sec: series index of the intended send (out of range: not in the series).
 * Returns ST_ENOMEM if a histogram could not be allocated (the counts are kept). */
int metrics_record(metrics *m, size_t route, int cls, int err, uint64_t lat_us, uint64_t svc_us,
                   long sec, uint64_t bytes);
void metrics_merge(metrics *dst, const metrics *src);
/* Counts one WebSocket close code (n of them); codes keep their first-seen order. */
void metrics_ws_close(metrics *m, uint16_t code);
void metrics_ws_close_add(metrics *m, uint16_t code, uint64_t n);
/* Measures a threshold's expression on (merged) metrics (not db.*: the probe measures those;
 * NAN for them here). */
double metrics_measure(const metrics *m, const thr *t, const char *const *route_names);
/* Totals over routes. */
uint64_t metrics_total_sent(const metrics *m);
uint64_t metrics_total_errors(const metrics *m);

#endif
