/*
 * routetab.h -- per-route statistics: request counts, method/status mixes, size and latency
 * samples, distinct clients up to k (for privacy folding), and per-parameter item counts.
 *
 * Routes are interned by template (hash map, at most ROUTETAB_MAX routes; later templates
 * go to the catch-all route "{other}"). Item counters are ctab sketches; the first
 * ROUTETAB_BIG_ITEMS item parameters get a large cap, later ones a small one, so memory is
 * bounded however many parametrised routes a site has.
 */
#ifndef MODELER_ROUTETAB_H
#define MODELER_ROUTETAB_H

#include <stdint.h>
#include "route.h"
#include "sketch.h"

#define ROUTETAB_MAX 4096
#define ROUTETAB_KMAX 16
#define ROUTETAB_BIG_ITEMS 16
#define ROUTETAB_METHODS 8

extern const char *const routetab_method_names[ROUTETAB_METHODS];

typedef struct rt_param {
    char name[24];
    int in_query;
    int is_item;
    ctab *items; /* value hash -> count (items only) */
    uint64_t seen;
} rt_param;

typedef struct rt_route {
    char tmpl[ROUTE_MAX_TMPL];
    uint64_t hash;
    int kind;
    uint64_t requests;
    uint64_t methods[ROUTETAB_METHODS];
    uint64_t status[6]; /* index 1..5 = 1xx..5xx */
    resv *bytes, *latency;
    uint64_t clients[ROUTETAB_KMAX];
    unsigned nclients; /* distinct clients seen, capped at ROUTETAB_KMAX */
    size_t nparams;
    rt_param params[ROUTE_MAX_PARAMS];
} rt_route;

typedef struct routetab {
    rt_route *r; /* array of n routes */
    size_t n, alloc;
    uint32_t *slots; /* open addressing: route index + 1, 0 = empty */
    size_t nslots;
    size_t big_items; /* item parameters given a large cap so far */
    size_t item_cap_big, item_cap_small;
    uint64_t seed;
    int other; /* index of "{other}", -1 until needed */
} routetab;

int routetab_init(routetab *t, uint64_t seed, size_t item_cap); /* ST_ENOMEM */
void routetab_term(routetab *t);
/* Interns the route of n and records one request. Returns the route index (>= 0) or
 * ST_ENOMEM. */
int routetab_add(routetab *t, const route_norm *n, const char *method, size_t mlen, int status,
                 int64_t bytes, double req_time, uint64_t client);

#endif
