/*
 * wsess.h -- WebSocket sessions of a run on a worker's event loop: opening them at their
 * planned times, holding them (keepalive pings, client messages, server pushes), closing
 * them at their planned end, reconnecting per the scenario's policy, and recording what
 * happened into the worker's metrics (metrics.h, mx_ws).
 *
 * Design: each worker takes WebSocket sessions idx, idx + n, ... of the wsplan (the same
 * dealing as HTTP sessions) and drives them with ws_conn (ws.h) through loop_ws (loop_ws.h)
 * on the worker's own loop, next to libcurl. A session is a ~200-byte record allocated at
 * start; its ws_conn exists only while connected (ws.c's ~9.5 kB for an idle ws:// one), and
 * URLs and messages are rendered into the worker's scratch buffers when needed.
 * Client: each open (and each message render) rebuilds the socket's client from its plan
 * key (wsplan_client): the handshake sends its session's address header and User-Agent, and
 * with --source-addrs the socket binds to that address, as the session's requests do.
 *
 * Session states (transitions in wsess.c's on_close and on_end only):
 *   PENDING  not opened yet (the worker's open timer reaches it in plan order).
 *   LIVE     a ws_conn exists (connecting, open or closing). Its end timer is the planned
 *            end: then we close with 1000. on_close marks the connection dead and arms the
 *            end timer for "now", where the connection is freed (never inside a callback).
 *   WAIT     the server closed or dropped it, or the handshake failed, before the planned
 *            end: waiting backoff * 2^k (at most 30 s) to reconnect, up to reconnect.max.
 *   DONE     finished; counted in the metrics.
 * Stop (Ctrl-C or an abort threshold): no more opens, WAIT sessions end, open ones close
 * with 1001 (going away). At the hard deadline (window + grace) wsess_worker_abort frees what
 * is left (counted as `cut`).
 * Ownership: wsess_worker_new/wsess_worker_free; the scenario, plan, loop and metrics are
 * borrowed and must outlive the worker.
 */
#ifndef RP_WSESS_H
#define RP_WSESS_H

#include "loop.h"
#include "metrics.h"
#include "wsplan.h"

typedef struct wsess_worker wsess_worker;

/* Timers this worker's sessions may arm at once (size the loop's heap with it). */
size_t wsess_timers_needed(const wsplan *wp, unsigned idx, unsigned n);
/* NULL with err set on ENOMEM. start_ns is the monotonic time of run t = 0. */
wsess_worker *wsess_worker_new(const scenario *sc, const wsplan *wp, loop *l, metrics *m,
                               uint64_t start_ns, unsigned idx, unsigned n, char *err);
/* Arms the first open. */
void wsess_worker_begin(wsess_worker *x);
/* No more opens; WAIT sessions end; open ones are closed with 1001 "going away". */
void wsess_worker_stop(wsess_worker *x);
/* 1 when every session of this worker is PENDING-and-stopped or DONE. */
int wsess_worker_idle(const wsess_worker *x);
/* Frees every connection still alive (hard deadline). */
void wsess_worker_abort(wsess_worker *x);
/* Completes the per-second open-WebSocket gauge (call once, after the loop ended). */
void wsess_worker_finish(wsess_worker *x);
/* Open WebSockets now (for the live line). */
uint64_t wsess_worker_open(const wsess_worker *x);
void wsess_worker_free(wsess_worker *x);

#endif
