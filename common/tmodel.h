/*
 * tmodel.h -- the one reader of the traffic model (docs/formats/traffic-model.md), a file
 * contract between modeler (which writes it) and the tools that read it.
 *
 * Two entry points over one set of rules (format id and version from formats.h, one list of
 * top-level keys, one set of distribution, profile and client-class names):
 * - tmodel_validate / tmodel_read_json check a parsed tree completely (every component
 *   modeler writes, with its type and range) and hand the tree back; modeler diff and report
 *   read it through tmodel_desc_read (tmodel_desc.h), the descriptive side of the model.
 * - tmodel_load copies what a load generator fires into a plain struct (arrivals, Hawkes,
 *   think time, routes with popularity and assets, journeys, bursts, the clock profile,
 *   client classes) and releases the JSON. It accepts hand-written models with optional
 *   parts left out (defaults below), and refuses models it cannot fire (no routes, a
 *   branching ratio >= 0.99, a rate-trace-only model). The journey chain and the asset laws
 *   become alias tables once, so a draw is O(1).
 * Every error names the field path ("model.routes[3].params[0].popularity.s: ..."); the
 * first failure wins. Library code: nothing is printed.
 * Ownership: tmodel_read_json returns a new reference (json_decref); tmodel_load fills a
 * caller-owned struct that tmodel_term releases (safe twice, and after a failed load).
 */
#ifndef ST_TMODEL_H
#define ST_TMODEL_H

#include <jansson.h>

#include "rng.h"
#include "st.h"

#define TMODEL_MAX_ROUTES 256
#define TMODEL_MAX_EPISODES 64
#define TMODEL_MAX_ASSET_TMPL 64
#define TMODEL_MAX_ASSET_COUNT 33

/* User-Agent classes of sessions.client_classes (the order of common/uaclass.h). */
enum tmodel_class { TM_DESKTOP = 0, TM_MOBILE, TM_SCRIPT, TM_BOT, TM_NCLASS };
/* arrivals.profile kinds. */
enum tmodel_profile { TM_PROFILE_FLAT = 0, TM_PROFILE_DAY = 1, TM_PROFILE_WEEK = 2 };

enum tmodel_dist { TM_LOGNORMAL = 0, TM_WEIBULL = 1, TM_GAMMA = 2 };

typedef struct tmodel_route {
    char template_[256];
    char method[16];
    char kind[16];
    double zipf_s; /* first item parameter's Zipf exponent; 0 if none; -1: fitted uniform */
    double share;  /* share of the model's (human) requests; 0 when absent */
    double lat_median_s, lat_p95_s; /* observed latency; 0 when the log had no $request_time */
    uint64_t n_est; /* first item parameter's estimated catalog size (or uniform max); 0 if none */
    /* routes[i].assets (page routes): the number of static requests that follow a view,
     * and which static routes they go to. NULL when absent. */
    rng_alias *asset_count; /* over k = 0..n-1 */
    rng_alias *asset_tmpl;  /* over asset_route[] */
    uint16_t asset_route[TMODEL_MAX_ASSET_TMPL];
    double asset_mean;
} tmodel_route;

typedef struct tmodel_episode {
    double ramp_s, duration_s, decay_s, sessions, top_k_share;
    double onset, peak_rate, baseline_rate; /* 0 when absent */
    double excess_sessions;                 /* sessions beyond the baseline; -1 when absent */
    int follows_sessions; /* convergence.follows "sessions": hot share per crowd session */
    uint64_t hot_ranks[16];
    size_t n_hot;
} tmodel_episode;

typedef struct tmodel {
    double session_rate;
    int hawkes_fitted;
    double branching, beta;
    int think_dist;          /* TM_LOGNORMAL, TM_WEIBULL or TM_GAMMA */
    double think_a, think_b; /* lognormal mu/sigma, or shape/scale */
    int think_fallback;      /* the model has no fitted law: lognormal around median_s (or 5 s) */
    size_t n_routes;
    tmodel_route routes[TMODEL_MAX_ROUTES];
    rng_alias *entry;                    /* over routes */
    rng_alias *trans[TMODEL_MAX_ROUTES]; /* over routes + exit; NULL = always exit */
    size_t n_episodes;
    tmodel_episode episodes[TMODEL_MAX_EPISODES];
    int profile_kind; /* TM_PROFILE_*: hour of week from Monday 00:00 UTC, or of day */
    double profile[168];
    int has_classes;           /* sessions.client_classes present */
    double classes[TM_NCLASS]; /* desktop+mobile+script: shares of counted sessions; bot: of all */
    double ws_share;           /* websockets.share_of_sessions, 0 when absent */
    int has_assets;            /* some route has assets */
} tmodel;

/* The model's names for the enums above (NULL when out of range), and the enum of a
 * distribution name (-1 when unknown), so that every reader of a model (tmodel_desc.h,
 * modeler report's density curve) uses this vocabulary rather than a copy of it. */
const char *tmodel_dist_name(int dist);
const char *tmodel_class_name(int cls);
int tmodel_dist_of(const char *name);

/* Validates an already-parsed model. Returns 0 or ST_EINPUT with err set (the field path). */
int tmodel_validate(const json_t *m, char *err);
/* Loads and validates PATH. Returns a new reference or NULL with err set ("PATH: field: ..."). */
json_t *tmodel_read_json(const char *path, char *err);

/* Returns 0, or ST_EINPUT (bad file) / ST_ENOMEM with err set. On failure the model holds
 * nothing that needs freeing beyond tmodel_term. */
int tmodel_load(tmodel *m, const char *path, char *err);
void tmodel_term(tmodel *m);

#endif
