/*
 * coverage.c -- what the scenario sends of the model (see coverage.h).
 */
#include "coverage.h"

#include <stdlib.h>
#include <string.h>

#include "scenario.h"

static const char *const whys[] = {"not in scenario.routes", "sessions.assets is \"skip\"",
                                   "no mapped page fetches it as an asset",
                                   "no scenario.websockets section"};

const char *coverage_why(int why)
{
    return why >= 0 && why < 4 ? whys[why] : "?";
}

/* Whether static route i is an asset template of some mapped page route. */
static int reached_as_asset(const scenario *sc, size_t i)
{
    for (size_t j = 0; j < sc->m.n_routes; j++) {
        const model_route *r = &sc->m.routes[j];
        if (!r->asset_tmpl || sc->route_of_model[j] < 0)
            continue;
        for (size_t k = 0; k < rng_alias_size(r->asset_tmpl); k++)
            if (r->asset_route[k] == i)
                return 1;
    }
    return 0;
}

void coverage_compute(const scenario *sc, coverage *c)
{
    const model *m = &sc->m;
    double total = 0, sent = 0;
    size_t n_sent = 0;
    for (size_t i = 0; i < m->n_routes; i++)
        total += m->routes[i].share;
    c->by_count = !(total > 0);
    c->n_missing = 0;
    c->bot_share = m->classes[MC_BOT];
    for (size_t i = 0; i < m->n_routes; i++) {
        const model_route *r = &m->routes[i];
        double w = c->by_count ? 1.0 / (double)m->n_routes : r->share / total;
        int why = -1;
        if (!strcmp(r->kind, "websocket"))
            why = sc->ws.mode == SCWS_NONE ? COV_NO_WEBSOCKETS : -1;
        else if (sc->route_of_model[i] < 0)
            why = COV_UNMAPPED;
        else if (!strcmp(r->kind, "static") && !sc->assets_fetch)
            why = COV_ASSETS_SKIPPED;
        else if (!strcmp(r->kind, "static") && !reached_as_asset(sc, i))
            why = COV_NO_PAGE;
        if (why < 0) {
            sent += w;
            n_sent++;
            continue;
        }
        /* Insertion keeps the list sorted by share, largest first (at most 256 routes). */
        size_t k = c->n_missing++;
        while (k > 0 && c->missing_share[k - 1] < w) {
            c->missing[k] = c->missing[k - 1];
            c->missing_share[k] = c->missing_share[k - 1];
            c->why[k] = c->why[k - 1];
            k--;
        }
        c->missing[k] = (uint16_t)i;
        c->missing_share[k] = w;
        c->why[k] = (uint8_t)why;
    }
    c->share = sent > 1 ? 1 : sent;
    if (c->by_count) /* exact when every route is weighed the same */
        c->share = (double)n_sent / (double)m->n_routes;
}

json_t *coverage_to_json(const scenario *sc, const coverage *c)
{
    json_t *o = json_object(), *miss = json_array();
    if (!o || !miss) {
        json_decref(o);
        json_decref(miss);
        return NULL;
    }
    for (size_t i = 0; i < c->n_missing; i++) {
        json_t *e = json_pack("{s:s,s:f,s:s}", "route", sc->m.routes[c->missing[i]].template_,
                              "share", c->missing_share[i], "why", coverage_why(c->why[i]));
        if (!e || json_array_append_new(miss, e)) {
            json_decref(o);
            json_decref(miss);
            return NULL;
        }
    }
    if (json_object_set_new(o, "share", json_real(c->share)) ||
        json_object_set_new(o, "by", json_string(c->by_count ? "routes" : "requests")) ||
        json_object_set_new(o, "missing", miss) ||
        json_object_set_new(o, "bot_sessions_not_replayed", json_real(c->bot_share))) {
        json_decref(o);
        return NULL;
    }
    return o;
}
