/*
 * assets.h -- static assets per page view, as a browser fetches them: for each page route,
 * how many static requests from the same client follow one view of it within the window
 * (2 s) and before that client's next non-static request, as a distribution, and which static
 * templates they go to. This is what replay needs to fetch a page's assets right after it
 * (routes[i].assets in docs/formats/traffic-model.md).
 *
 * Streaming and bounded: the per-client part (the pending page view and its counter) lives in
 * the sessionizer's client table; this module holds only per-route counters: a 33-bin count
 * histogram (k = 0..32, the tail folded into 32) and at most ASSETS_TMPL_CAP static templates
 * per page route (later templates are counted in `spill` and folded into the largest when the
 * model is written). Route indexes are routetab indexes (< ROUTETAB_MAX).
 *
 * Ownership: assets_init allocates, assets_term frees (safe on a zeroed struct).
 */
#ifndef MODELER_ASSETS_H
#define MODELER_ASSETS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define ASSETS_WINDOW_S 2.0
#define ASSETS_MAX_K 32
#define ASSETS_TMPL_CAP 128
#define ASSETS_TMPL_OUT 64

typedef struct asset_tmpl {
    uint32_t route;
    uint64_t count;
} asset_tmpl;

typedef struct asset_page {
    uint64_t hist[ASSETS_MAX_K + 1];
    uint64_t views, assets; /* assets: the true total, before the tail fold */
    asset_tmpl *t;          /* NULL until the page's first asset; ASSETS_TMPL_CAP slots */
    size_t nt;
    uint64_t spill; /* assets to templates beyond the cap */
} asset_page;

typedef struct assets {
    double window_s;
    asset_page *p; /* ROUTETAB_MAX entries */
    size_t np;
    uint64_t statics;    /* every static request seen */
    uint64_t attributed; /* of which followed a page view within the window */
} assets;

int assets_init(assets *a); /* 0 or ST_ENOMEM */
void assets_term(assets *a);
/* One page view of `page` ended with k assets after it. */
void assets_view_end(assets *a, uint32_t page, unsigned k);
/* One static request to `stat` attributed to a view of `page`. Returns 0 or ST_ENOMEM. */
int assets_hit(assets *a, uint32_t page, uint32_t stat);

/* The routes[i].assets object of table route `page`, or NULL when no view of it was followed
 * by an asset. map: table index -> model index (-1 dropped); routes: the model's routes
 * (static kinds are checked there, so an asset template folded into a non-static "{other}"
 * joins the largest template). Caller owns the result. */
json_t *assets_json(const assets *a, uint32_t page, const int *map, size_t nmap,
                    const json_t *routes);
/* sessions.static_assets: {"window_s", "requests", "attributed_share"}: how many static
 * requests the log has and which share of them follows a page view (what replay re-creates
 * by fetching assets with their page; the rest are printed as left out). Caller owns it. */
json_t *assets_summary_json(const assets *a);

#endif
