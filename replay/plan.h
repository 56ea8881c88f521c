/*
 * plan.h -- the schedule of a run: which sessions arrive when, and which requests each sends
 * at which intended time (docs/formats/scenario.md, "Sessions, ids and segments").
 *
 * Design: arrivals of *all* sessions are computed first (baseline NHPP per run second,
 * Hawkes children, flash-crowd events); each has a 64-bit id derived from its origin, so the
 * set of sessions does not depend on the segment. Only sessions with id % seg_n == seg_i - 1
 * are then expanded into requests (journey chain, think times, item draws), each draw from a
 * stream keyed by (seed, session id, purpose). Hence segments partition the plan exactly,
 * and the same seed gives the same plan on any machine.
 *
 * Static assets (sessions.assets "fetch"): after each page view the plan draws the number of
 * assets from the model's count distribution and their templates by share, and spreads them
 * over up to PLAN_MAX_LANES asset lanes: extra plan entries with the page session's client
 * key, each fetched on its own connection (as a browser opens up to six), starting when the
 * page's response is expected (its observed median latency). Lanes are drawn from streams
 * keyed by the page session and request, so segments stay exact.
 * Sessions (lanes included) are sorted by (start, id); a session's requests are contiguous.
 * Feeder draws are stored as row indices; templates are rendered on demand (plan_render), so
 * a plan of a million requests stays a few tens of MB.
 * Ownership: plan_build fills a caller-owned struct; plan_term frees it (safe twice).
 */
#ifndef RP_PLAN_H
#define RP_PLAN_H

#include "scenario.h"

#define PLAN_MAX_SESSIONS 50000000u
#define PLAN_MAX_LANES 6

enum plan_origin { ORIGIN_BASE = 0, ORIGIN_CHILD = 1, ORIGIN_EVENT = 2 };

typedef struct plan_session {
    uint64_t id;
    uint64_t client; /* client key (address, User-Agent): the id; an asset lane's page session's */
    double start;
    uint32_t first_req, n_req;
    int16_t event; /* event index, or -1 */
    uint8_t origin;
    uint8_t lane; /* 1: an asset lane, one connection fetching a page's static assets */
} plan_session;

typedef struct plan_req {
    double t;         /* intended send time, seconds from the run start */
    uint32_t session; /* index into sessions */
    uint16_t route;   /* scenario route index */
    uint16_t seq;
    uint32_t draw_off; /* feeder rows in draws[draw_off ..] (route's n_draws) */
} plan_req;

typedef struct plan {
    plan_session *s;
    size_t n_s;
    plan_req *r;
    size_t n_r;
    uint32_t *draws;
    size_t n_draws;
    uint64_t all_sessions;     /* across every segment */
    uint64_t all_by_origin[3]; /* arrivals by origin, across every segment */
    uint64_t by_origin[3];     /* this segment's sessions (with >= 1 request) by origin */
    size_t n_lanes;            /* asset lanes among s[] (not sessions of the model) */
    uint64_t n_assets;         /* asset requests among r[] */
    unsigned seg_i, seg_n;
} plan;

/* Returns 0, ST_EINPUT (more than PLAN_MAX_SESSIONS expected), ST_ELIMIT (more drawn) or
 * ST_ENOMEM, with err set. */
int plan_build(plan *p, const scenario *sc, unsigned seg_i, unsigned seg_n, char *err);

/* Trace mode (trace.h): the bound trace's sessions replace the baseline and its Hawkes
 * children; the scenario's events still arrive on top. tr records which plan session each
 * trace session became (plan_index) and what it had to adjust (wrapped ranks). tr may be
 * NULL (model mode, as plan_build). */
struct trace;
int plan_build_trace(plan *p, const scenario *sc, struct trace *tr, unsigned seg_i, unsigned seg_n,
                     char *err);
void plan_term(plan *p);

/* Request indices sorted by (t, session id, seq), for printing. Caller frees. NULL on ENOMEM. */
uint32_t *plan_order(const plan *p);

/* Renders request `q` of the plan: URL (target + path), body (if the route has one, else
 * body[0] = 0) and the route's + scenario's headers as "Name: value" lines into hdrs[]
 * (n_hdrs set; hdrs needs SC_MAX_HEADERS * 2 rows). `vars` is the session's variable table; feeder
 * draws update it. Returns 0 or ST_ELIMIT when a buffer is too small. */
int plan_render(const scenario *sc, const plan *p, const plan_req *q, tmpl_vars *vars,
                int plan_mode, char *url, size_t url_cap, char *body, size_t body_cap,
                char (*hdrs)[512], size_t *n_hdrs);

#endif
