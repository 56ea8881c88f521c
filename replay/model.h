/*
 * model.h -- the part of a traffic model (docs/formats/traffic-model.md) that replay fires.
 *
 * model_load() validates the file's format, version and the fields replay uses, with errors
 * that name the field path ("model.journeys.transitions[2]: ..."), and copies them into a
 * plain struct; the JSON is released before it returns. The journey chain is turned into
 * alias tables once, so a draw is O(1).
 * Ownership: model_load fills a caller-owned struct; model_term releases it (safe twice).
 */
#ifndef RP_MODEL_H
#define RP_MODEL_H

#include "rng.h"
#include "st.h"

#define MODEL_MAX_ROUTES 256
#define MODEL_MAX_EPISODES 64
#define MODEL_MAX_ASSET_TMPL 64
#define MODEL_MAX_ASSET_COUNT 33

/* User-Agent classes of sessions.client_classes (the order of common/uaclass.h). */
enum model_class { MC_DESKTOP = 0, MC_MOBILE, MC_SCRIPT, MC_BOT, MC_N };
/* arrivals.profile kinds. */
enum model_profile { PROFILE_FLAT = 0, PROFILE_DAY = 1, PROFILE_WEEK = 2 };

enum model_think { THINK_LOGNORMAL = 0, THINK_WEIBULL = 1, THINK_GAMMA = 2 };

typedef struct model_route {
    char template_[256];
    char method[16];
    char kind[16];
    double zipf_s; /* first item parameter's Zipf exponent; 0 if none; -1: fitted uniform */
    double share;  /* share of the model's (human) requests; 0 when absent */
    double lat_median_s, lat_p95_s; /* observed latency; 0 when the log had no $request_time */
    uint64_t n_est; /* first item parameter's estimated catalog size (or uniform max); 0 if none */
    /* routes[i].assets (page routes): the number of static requests that follow a view,
     * and which static routes they go to. NULL when absent. */
    rng_alias *asset_count;          /* over k = 0..n-1 */
    rng_alias *asset_tmpl;           /* over asset_route[] */
    uint16_t asset_route[MODEL_MAX_ASSET_TMPL];
    double asset_mean;
} model_route;

typedef struct model_episode {
    double ramp_s, duration_s, decay_s, sessions, top_k_share;
    double onset, peak_rate, baseline_rate; /* 0 when absent */
    double excess_sessions;      /* sessions beyond the baseline; -1 when absent */
    int follows_sessions;        /* convergence.follows "sessions": hot share per crowd session */
    uint64_t hot_ranks[16];
    size_t n_hot;
} model_episode;

typedef struct model {
    double session_rate;
    int hawkes_fitted;
    double branching, beta;
    int think_dist;
    double think_a, think_b; /* lognormal mu/sigma, or shape/scale */
    int think_fallback;      /* the model has no fitted law: lognormal around median_s (or 5 s) */
    size_t n_routes;
    model_route routes[MODEL_MAX_ROUTES];
    rng_alias *entry;                 /* over routes */
    rng_alias *trans[MODEL_MAX_ROUTES]; /* over routes + exit; NULL = always exit */
    size_t n_episodes;
    model_episode episodes[MODEL_MAX_EPISODES];
    int profile_kind;         /* PROFILE_*: hour of week from Monday 00:00 UTC, or of day */
    double profile[168];
    int has_classes;          /* sessions.client_classes present */
    double classes[MC_N];     /* desktop+mobile+script: shares of counted sessions; bot: of all */
    double ws_share;          /* websockets.share_of_sessions, 0 when absent */
    int has_assets;           /* some route has assets */
} model;

/* Returns 0, or ST_EINPUT (bad file) / ST_ENOMEM with err set. On failure the model holds
 * nothing that needs freeing beyond model_term. */
int model_load(model *m, const char *path, char *err);
void model_term(model *m);
/* The profile multiplier at a model-clock time (epoch seconds, UTC; hour of week counted
 * from Monday 00:00 as modeler fits it). 1 for a flat profile. */
double model_profile(const model *m, double epoch);
/* Index of a route template, or -1. */
int model_route_index(const model *m, const char *template_);
/* One think time in seconds from the fitted law. */
double model_think(const model *m, rng_stream *s);

#endif
