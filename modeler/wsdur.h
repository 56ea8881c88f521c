/*
 * wsdur.h -- WebSocket durations from a log, with the sockets the log's end cut short.
 *
 * A server logs a WebSocket when it closes, with its duration. In a log cut from a running
 * system that sample is unbiased: the sockets that close inside the window are a fair draw
 * of durations. A rehearsal's log is different: its load generator closes every socket
 * still open when the run ends, so the log's last seconds hold the long sockets that opened
 * late, logged with the time they had left, not their duration. Fitting those as durations
 * biases the median short (by 4-10% for a 2-3 minute run of 10-s sockets).
 *
 * So the sockets that close within WSDUR_EDGE_S of the last WebSocket close of the log are
 * (two seconds with whole-second log times: the last one and the one before) are
 * taken as right-censored ("lasted at least this long"), and the lognormal is fitted by
 * maximum likelihood with censoring (EM on log durations: the censored ones enter through
 * the moments of a normal truncated below at their log duration; Dempster, Laird & Rubin
 * 1977). In a production log the few sockets that close naturally in those seconds are
 * counted as censored too: a lower bound that is their true value, a negligible upward
 * pull (their share is WSDUR_EDGE_S over the log's span).
 *
 * Memory is bounded: the exact durations go to a reservoir (100,000), the candidates of the
 * edge to a ring of WSDUR_TAIL_CAP; on overflow the oldest candidate is taken as exact.
 * Ownership: wsdur_new / wsdur_free (NULL is a no-op).
 */
#ifndef MODELER_WSDUR_H
#define MODELER_WSDUR_H

#include <stddef.h>
#include <stdint.h>

#include "fit_think.h"

#define WSDUR_EDGE_S 1.0 /* with one-second log times: the last two seconds */
#define WSDUR_TAIL_CAP 65536

typedef struct wsdur wsdur;

/* NULL on out of memory. */
wsdur *wsdur_new(uint64_t seed);
void wsdur_free(wsdur *w);
/* One WebSocket line: its (close) time and duration in seconds (dur < 0: unknown, ignored). */
void wsdur_add(wsdur *w, double close_ts, double dur);
/* Fits the lognormal (values <= 0 raised to 1 ms). *censored = the sockets taken as cut by
 * the log's end. ks_d is that of the exact durations against the fit. Returns 0, or
 * ST_EINPUT with err set when fewer than 10 durations are usable. Call once: it moves the
 * edge candidates into the sample. */
int wsdur_fit(wsdur *w, think_fit *out, size_t *censored, char *err);

/* The censored lognormal MLE on log durations: y[0..n) exact (each of weight wy),
 * c[0..nc) censored below. Starts from *mu, *sigma (the exact-only MLE) and returns them
 * updated; loglik (NULL: not wanted) the log-likelihood of log durations. Exposed for tests. */
void wsdur_mle(const double *y, size_t n, double wy, const double *c, size_t nc, double *mu,
               double *sigma, double *loglik);

#endif
