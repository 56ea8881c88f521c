/*
 * model.h -- replay's view of the traffic model: the struct comes from the one reader in
 * common/ (tmodel.h: validation, field-path errors, alias tables); this file keeps the
 * short names replay's modules use and the draws replay makes from the model.
 * Ownership: model_load fills a caller-owned struct; model_term releases it (safe twice).
 */
#ifndef RP_MODEL_H
#define RP_MODEL_H

#include "rng.h"
#include "st.h"
#include "tmodel.h"

#define MODEL_MAX_ROUTES TMODEL_MAX_ROUTES
#define MODEL_MAX_EPISODES TMODEL_MAX_EPISODES
#define MODEL_MAX_ASSET_TMPL TMODEL_MAX_ASSET_TMPL
#define MODEL_MAX_ASSET_COUNT TMODEL_MAX_ASSET_COUNT

/* User-Agent classes of sessions.client_classes (the order of common/uaclass.h). */
enum {
    MC_DESKTOP = TM_DESKTOP,
    MC_MOBILE = TM_MOBILE,
    MC_SCRIPT = TM_SCRIPT,
    MC_BOT = TM_BOT,
    MC_N = TM_NCLASS
};
enum {
    PROFILE_FLAT = TM_PROFILE_FLAT,
    PROFILE_DAY = TM_PROFILE_DAY,
    PROFILE_WEEK = TM_PROFILE_WEEK
};
enum { THINK_LOGNORMAL = TM_LOGNORMAL, THINK_WEIBULL = TM_WEIBULL, THINK_GAMMA = TM_GAMMA };

typedef tmodel model;
typedef tmodel_route model_route;
typedef tmodel_episode model_episode;

/* tmodel_load / tmodel_term (common/tmodel.h). */
static inline int model_load(model *m, const char *path, char *err)
{
    return tmodel_load(m, path, err);
}
static inline void model_term(model *m)
{
    tmodel_term(m);
}
/* The profile multiplier at a model-clock time (epoch seconds, UTC; hour of week counted
 * from Monday 00:00 as modeler fits it). 1 for a flat profile. */
double model_profile(const model *m, double epoch);
/* Index of a route template, or -1. */
int model_route_index(const model *m, const char *template_);
/* One think time in seconds from the fitted law. */
double model_think(const model *m, rng_stream *s);

#endif
