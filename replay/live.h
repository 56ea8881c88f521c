/*
 * live.h -- the run seen while it happens: the TTY progress line, the Prometheus text
 * endpoint (--metrics-addr, civetweb on its own thread, reading rp_live atomics only), and
 * abort thresholds measured on the live numbers (percentiles from the coarse live
 * histogram; route-labelled thresholds are evaluated at the end only).
 */
#ifndef RP_LIVE_H
#define RP_LIVE_H

#include "engine.h"

typedef struct live_srv live_srv;

/* addr is "127.0.0.1:PORT" (only loopback or an explicit address). NULL with err set
 * (ST_EENV: port busy) or ST_EINPUT (bad address). */
live_srv *live_http_start(const char *addr, rp_live *lv, const scenario *sc, char *err);
void live_http_stop(live_srv *s);

/* One progress line: elapsed, planned vs achieved rate, active sessions, p95, errors. */
void live_line(char *buf, size_t n, rp_live *lv, double elapsed, double planned_rate,
               double achieved_rate);
/* 1 when the threshold can be measured live (no route label). *value gets the measure. */
int live_measure(const thr *t, rp_live *lv, double *value);

#endif
