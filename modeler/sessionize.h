/*
 * sessionize.h -- sessions from a time-ordered stream of (client, route) requests.
 *
 * A session is a client's run of page/api requests with no gap longer than the timeout.
 * Clients live in an open-addressing table; when it fills, idle clients (no request for a
 * timeout) are evicted and their sessions closed, and the table grows only up to a cap, so
 * memory follows the number of concurrently active clients, not the log size.
 *
 * Outputs, filled as sessions open and close: session arrival times (capped array; the
 * Hawkes fit uses the first SESS_MAX_ARRIVALS), think-time and duration reservoirs, the
 * length pmf, the Markov counts, and a log-spaced histogram of every same-client gap (for
 * the timeout valley, Lee & al.'s "gap distribution" method), sessions per User-Agent class,
 * and the static assets that follow each page view (assets.h).
 */
#ifndef MODELER_SESSIONIZE_H
#define MODELER_SESSIONIZE_H

#include <stdint.h>
#include "assets.h"
#include "markov.h"
#include "sketch.h"
#include "uaclass.h"

#define SESS_MAX_ARRIVALS ((size_t)4 << 20)
#define SESS_PMF 100
#define SESS_GAP_BINS 160 /* log10 gap from -2 to 6, 0.05 decades per bin */
#define SESS_BOT_SLOTS 4096

typedef struct sess_client {
    uint64_t key;
    double start, last;
    uint32_t nreq, last_route;
    uint32_t view;    /* route + 1 of the page view whose assets are being counted, 0 none */
    uint16_t nassets; /* static requests after that view so far (saturating) */
    uint8_t ua;       /* enum ua_class of the session */
} sess_client;

typedef struct sessionize {
    double timeout;
    sess_client *c;
    size_t size, used, max_size;
    markov mk;
    double *arrivals;
    size_t narrivals, arrivals_cap;
    uint64_t sessions;
    uint64_t length_pmf[SESS_PMF];
    double length_sum;
    resv *think, *duration, *lengths;
    uint64_t gap_hist[SESS_GAP_BINS];
    double now;
    double last_start;                  /* start of the session of the last sessionize_add */
    assets as;                          /* static assets per page view (assets.h) */
    uint64_t class_sessions[UA_NCLASS]; /* sessions opened per User-Agent class */
    uint64_t bot_sessions;              /* see sessionize_bot */
    double bot_t0;
    uint64_t bot_keys[SESS_BOT_SLOTS];
    float bot_last[SESS_BOT_SLOTS];
} sessionize;

int sessionize_init(sessionize *s, double timeout_s, uint64_t seed); /* ST_ENOMEM */
void sessionize_term(sessionize *s);
/* One page/api request in time order; is_page starts counting the assets of this view, ua
 * is the request's enum ua_class (a session takes the class of its first request). Returns
 * 1 if it opened a session, 0 if not, or ST_ENOMEM. */
int sessionize_add(sessionize *s, double ts, uint64_t client, uint32_t route, int is_page, int ua);
/* One static request in time order: counted as an asset of the client's pending page view
 * when it comes within the assets window of it. Returns 0 or ST_ENOMEM. */
int sessionize_static(sessionize *s, double ts, uint64_t client, uint32_t route);
/* One bot request (bots stay out of every fit; only their sessions are counted, for the
 * bot share of sessions). A direct-mapped table of SESS_BOT_SLOTS clients: memory is fixed,
 * and a collision between two bot clients can only add sessions (an upper bound). */
void sessionize_bot(sessionize *s, double ts, uint64_t client);
/* A hint: fetch the client's table slot into the cache ahead of its request (the table
 * is far larger than the caches, and the stream is known a few events ahead). */
static inline void sessionize_prefetch(const sessionize *s, uint64_t client)
{
    __builtin_prefetch(&s->c[(size_t)sketch_mix(client ? client : 1) & (s->size - 1)]);
}
/* Closes every open session (end of input). */
void sessionize_flush(sessionize *s);
/* The valley of the log-gap histogram between the think-time and the between-session
 * modes, in seconds, or -1 when there is no clear valley. */
double sessionize_fitted_timeout(const sessionize *s);

#endif
