/*
 * coverage.h -- which of the model's requests a scenario sends (docs/formats/scenario.md,
 * "Coverage"). A model route is sent when the scenario maps it and the plan can reach it:
 * page and api routes through the journey chain, static routes as assets of a mapped page
 * (sessions.assets "fetch"), WebSocket routes through the `websockets` section. Everything
 * else is listed with its share of the model's requests and the reason, so that nothing is
 * left out in silence. Computed once at scenario load; read-only afterwards.
 */
#ifndef RP_COVERAGE_H
#define RP_COVERAGE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define COV_MAX 256

enum cov_why { COV_UNMAPPED = 0, COV_ASSETS_SKIPPED, COV_NO_PAGE, COV_NO_WEBSOCKETS };

typedef struct coverage {
    double share; /* share of the model's requests the plan sends, in [0, 1] */
    int by_count; /* the model has no route shares: share is a share of routes */
    size_t n_missing;
    uint16_t missing[COV_MAX]; /* model route indices, largest share first */
    double missing_share[COV_MAX];
    uint8_t why[COV_MAX];
    double bot_share; /* model's bot share of sessions (never replayed), 0 if unknown */
} coverage;

struct scenario;
/* Fills c from a loaded scenario (routes, assets, websockets). */
void coverage_compute(const struct scenario *sc, coverage *c);
/* "not in scenario.routes", "sessions.assets is skip", ... */
const char *coverage_why(int why);
/* {"share":..,"by":"requests","missing":[{"route":..,"share":..,"why":..}],"bot_sessions":..}
 * NULL on ENOMEM. Caller decrefs. */
json_t *coverage_to_json(const struct scenario *sc, const coverage *c);

#endif
