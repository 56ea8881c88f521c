/*
 * engine.h -- the run: worker threads, each with one event loop (loop.h) driving libcurl
 * (http.h), firing the plan's sessions at their intended times and measuring (metrics.h).
 *
 * Design:
 *  - Sessions are dealt to workers round-robin by plan index (plan order is (start, id)), so
 *    load spreads evenly; which worker sends a request never changes what is sent.
 *  - A session holds one "slot": a reused libcurl easy handle plus fixed buffers for the URL,
 *    body, headers (curl_slist nodes that point into the slot, so no list is ever built),
 *    response capture and session variables. Slots are allocated when concurrency first
 *    reaches them and recycled afterwards: the steady state allocates nothing of ours.
 *  - Each request is sent at its intended time (a loop timer per slot); when the previous
 *    request of the session is still in flight, it goes out when that one completes and its
 *    latency still counts from the intended time (coordinated omission corrected).
 *  - Stop (Ctrl-C, an abort threshold, or the end of the window + grace): arrivals stop,
 *    waiting requests are not sent (counted as unsent), in-flight requests get the grace
 *    period; any still running then are cancelled and counted as timeouts.
 *  - Live numbers for the progress line, the Prometheus endpoint and abort thresholds are
 *    relaxed atomics in `rp_live` (the only state shared between threads while running).
 * Ownership: engine_start returns an engine; engine_join waits, merges and frees it,
 * returning the merged metrics (caller frees with metrics_free).
 */
#ifndef RP_ENGINE_H
#define RP_ENGINE_H

#include <signal.h>
#include <stdatomic.h>

#include "metrics.h"
#include "plan.h"
#include "wsplan.h"

typedef struct rp_live {
    atomic_uint_fast64_t sent, done, errors, late, dropped, active, checks_failed, unsent;
    atomic_uint_fast64_t status[MX_CLASSES], err[ERR_N];
    atomic_uint_fast64_t coarse[MX_COARSE];
    atomic_uint_fast64_t lateness_max_us;
    atomic_uint_fast64_t ws_open; /* open WebSockets */
} rp_live;

typedef struct engine_cfg {
    const scenario *sc;
    const plan *p;
    const wsplan *ws; /* WebSocket sessions (wsess.h); NULL or empty: none */
    unsigned threads;
    uint64_t start_ns;  /* monotonic time of run t = 0 */
    int64_t start_wall; /* wall-clock second of t = 0 (series keys) */
    double grace;
    rp_live *live;
} engine_cfg;

typedef struct engine engine;

/* Starts the workers. NULL with err set (ST_EENV / ST_ENOMEM) on failure. */
engine *engine_start(const engine_cfg *cfg, char *err);
/* Asks every worker to stop (safe from the main thread at any time). */
void engine_stop(engine *e);
/* 1 when every worker has finished. */
int engine_finished(engine *e);
/* Waits for the workers, merges their metrics and frees the engine. NULL on ENOMEM.
 * *failed gets a worker's environment error, if any (err set). */
metrics *engine_join(engine *e, int *failed, char *err);

#endif
