/*
 * fit_bursts.h -- burst episodes (Kleinberg 2002, two-state automaton on binned counts) and
 * the item convergence inside each episode.
 *
 * State 0 emits Poisson counts at a local baseline rate (a moving median of the counts over
 * +-15 minutes, robust to the bursts themselves); state 1 at BURST_S times that rate.
 * Entering state 1 costs gamma * ln(bins); leaving is free. The Viterbi path's state-1 runs
 * (merged across gaps < 30 s, kept when >= 60 s) are the episodes.
 *
 * Shape (bursts_shape, from per-second counts): the baseline is the local mean outside the
 * episodes, the onset the start of the linear rise, and an episode is a peak (its maximum,
 * reached `ramp_s` after onset) or a plateau (its 60th percentile, reached by a linear rise).
 *
 * Convergence: for the item route with the most requests, the episode's item shares against
 * the baseline mix (outside every episode, and not from sessions that began in one): top-k
 * share, the baseline ranks of those items, the total-variation distance, and hot_share, the
 * probability that a crowd request went to the hot set beyond what baseline popularity
 * explains (the replay scenario's hot_share): x = (share - q) / (1 - q), q the baseline
 * share of the same items, over the episode's requests when the crowd is bound to the
 * window, or over the requests of the sessions that began in the episode divided by the
 * crowd's share of those sessions when it is bound to the crowd's sessions (sessions that
 * were browsing before the onset do not converge). docs/modeler.md has the rule.
 */
#ifndef MODELER_FIT_BURSTS_H
#define MODELER_FIT_BURSTS_H

#include <stddef.h>
#include <stdint.h>
#include "ingest.h"
#include "st.h"

#define BURST_S 3.0
#define BURST_GAMMA 1.0
#define BURST_MAX_EPISODES 32
#define BURST_TOPK 3

typedef struct burst_conv {
    int valid;
    int session_bound; /* the crowd's sessions converge, not the window (below) */
    uint32_t route;
    int top_k;
    double top_k_share, hot_share, tv;
    uint64_t hot_ranks[BURST_TOPK];
    uint64_t requests;
} burst_conv;

typedef struct burst_episode {
    double onset, end; /* seconds from the series start */
    double ramp_s, duration_s, decay_s, peak_rate, baseline_rate;
    uint64_t sessions;
    burst_conv conv;
} burst_episode;

typedef struct burst_fit {
    size_t n;
    burst_episode ep[BURST_MAX_EPISODES];
    double bin_s;
} burst_fit;

/* counts: nb bins of bin_s seconds (session arrivals). Returns 0 or ST_ENOMEM. */
int fit_bursts(const uint32_t *counts, size_t nb, double bin_s, burst_fit *out, char *err);

/* Refines peak_rate, ramp_s and decay_s of every episode from the per-second session
 * counts sec[0..nsec) (second 0 = bin 0 of fit_bursts): a burst that stays near its maximum
 * for under a minute is a peak, and then its peak is the maximum of a 21-s moving average,
 * its ramp the time from onset to that maximum and it has no hold (decay = the rest); a
 * plateau keeps fit_bursts' estimates. */
void bursts_shape(const uint32_t *sec, size_t nsec, burst_fit *bf);

/* Fills ep->conv for every episode from the item-event sample of g. Returns 0/ST_ENOMEM. */
int bursts_convergence(const ingest *g, burst_fit *bf, char *err);

/* Item counts of `route`'s first item parameter outside every episode (and not from sessions
 * that began in one or up to 120 s after it: a crowd's sessions), from the item-event
 * sample, sorted descending into a malloc'd array (caller frees) -- the baseline popularity
 * that bursts converge away from. Returns 0 with *counts NULL when the sample is thinned
 * (it would under-count) or holds nothing for the route; ST_ENOMEM. */
int bursts_baseline_counts(const ingest *g, const burst_fit *bf, uint32_t route, uint64_t **counts,
                           size_t *n, char *err);

#endif
