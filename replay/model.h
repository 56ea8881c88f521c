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

enum model_think { THINK_LOGNORMAL = 0, THINK_WEIBULL = 1, THINK_GAMMA = 2 };

typedef struct model_route {
    char template_[256];
    char method[16];
    char kind[16];
    double zipf_s; /* first item parameter's Zipf exponent; 0 if none; -1: fitted uniform */
} model_route;

typedef struct model_episode {
    double ramp_s, duration_s, decay_s, sessions, top_k_share;
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
} model;

/* Returns 0, or ST_EINPUT (bad file) / ST_ENOMEM with err set. On failure the model holds
 * nothing that needs freeing beyond model_term. */
int model_load(model *m, const char *path, char *err);
void model_term(model *m);
/* Index of a route template, or -1. */
int model_route_index(const model *m, const char *template_);
/* One think time in seconds from the fitted law. */
double model_think(const model *m, rng_stream *s);

#endif
