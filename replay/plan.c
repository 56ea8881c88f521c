/*
 * plan.c -- building the schedule (see plan.h).
 *
 * Baseline: an inhomogeneous Poisson process, exact per run second: second k gets
 * Poisson(Lambda_k) immigrants, Lambda_k the Simpson integral of the baseline rate x (1 - n)
 * over the second, each placed uniformly inside it (the rate is smooth within a second).
 * Hawkes: every baseline or child session has Poisson(n) children at Exp(beta) delays (the
 * cluster representation of a Hawkes process with exponential kernel, Hawkes & Oakes 1974),
 * so the mean rate is the baseline and the clustering the fitted one.
 * Events: exactly `sessions` arrivals with a trapezoidal density (inverse-CDF sampling).
 */
#include "plan.h"
#include "trace.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct arrival {
    uint64_t id;
    double t;
    int16_t event;
    uint8_t origin;
    uint32_t src; /* trace mode: the session's rank in the trace */
} arrival;

typedef struct avec {
    arrival *a;
    size_t n, cap;
} avec;

/* The rng stream ids of the plan's draw purposes (rng_stream_id of their names), made once
 * per plan_build and passed down: a per-call value, not a file-scope variable rewritten by
 * every build (two threads may build plans at once). */
typedef struct keys {
    uint64_t base, event, offset, hawkes, journey, think, item, asset;
} keys;

/* Asset lanes are built beside the sessions and merged in at the end. */
typedef struct lanes {
    plan_session *s;
    size_t n, cap;
} lanes;

static keys keys_make(void)
{
    return (keys){
        .base = rng_stream_id("replay.arrivals.base"),
        .event = rng_stream_id("replay.arrivals.event"),
        .offset = rng_stream_id("replay.arrivals.offset"),
        .hawkes = rng_stream_id("replay.arrivals.hawkes"),
        .journey = rng_stream_id("replay.session.journey"),
        .think = rng_stream_id("replay.session.think"),
        .item = rng_stream_id("replay.session.item"),
        .asset = rng_stream_id("replay.session.assets"),
    };
}

static int push(avec *v, arrival a, char *err)
{
    if (v->n == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 4096;
        arrival *na;
        if (nc > PLAN_MAX_SESSIONS)
            nc = PLAN_MAX_SESSIONS;
        if (v->n == nc)
            return st_err(err, ST_ELIMIT,
                          "plan: more than %u sessions; shorten the run or lower --scale",
                          PLAN_MAX_SESSIONS);
        na = realloc(v->a, nc * sizeof *na);
        if (!na)
            return st_err(err, ST_ENOMEM, "plan: out of memory");
        v->a = na;
        v->cap = nc;
    }
    v->a[v->n++] = a;
    return 0;
}

/* Inverse CDF of the trapezoid rising over a, flat over h, falling over d; u in (0, 1). */
static double trapezoid_inv(double a, double h, double d, double u)
{
    double total = a / 2 + h + d / 2, y = u * total;
    if (y <= a / 2)
        return sqrt(2 * a * y);
    y -= a / 2;
    if (y <= h)
        return a + y;
    y -= h;
    return a + h + d - sqrt(fmax(0, d * d - 2 * d * y));
}

/* Trace mode: one arrival per trace session with a request or WebSocket to send, at its
 * first such request's run time. Trace sessions take the place of the baseline. */
static int trace_arrivals(const trace *tr, avec *v, char *err)
{
    for (uint32_t k = 0; k < tr->n_sessions; k++) {
        for (uint32_t j = tr->sess_first[k]; j < tr->sess_first[k + 1]; j++) {
            const trace_req *q = &tr->r[tr->by_sess[j]];
            if (!q->in_window || q->route < 0)
                continue;
            arrival a = {trace_session_id(k), (q->t - tr->from) / tr->speed, -1, ORIGIN_BASE, k};
            int rc = push(v, a, err);
            if (rc)
                return rc;
            break;
        }
    }
    return 0;
}

static int gen_arrivals(const scenario *sc, const keys *ks, avec *v, const trace *tr, char *err)
{
    double n = sc->m.branching, D = sc->duration;
    int rc;
    if (tr) {
        if ((rc = trace_arrivals(tr, v, err)))
            return rc;
        n = 0; /* the trace's own clustering is in its times; no Hawkes children on top */
    }
    for (uint64_t k = 0; !tr && (double)k < D; k++) {
        double t1 = fmin((double)k + 1, D), w = t1 - (double)k;
        double lam = w / 6 *
                     (scenario_base_rate(sc, (double)k) + 4 * scenario_base_rate(sc, k + w / 2) +
                      scenario_base_rate(sc, t1)) *
                     (1 - n);
        uint64_t sid = rng_mix(ks->base, k);
        rng_stream cs;
        rng_stream_init(&cs, sc->seed, sid);
        unsigned cnt = lam > 0 ? rng_poisson(&cs, lam) : 0;
        for (unsigned j = 0; j < cnt; j++) {
            arrival a = {rng_mix(sid, j), 0, -1, ORIGIN_BASE, 0};
            rng_stream os;
            rng_stream_init(&os, sc->seed, rng_mix(a.id, ks->offset));
            a.t = (double)k + w * rng_uniform(&os);
            if ((rc = push(v, a, err)))
                return rc;
        }
    }
    /* Children of baseline sessions and, recursively, of children (v grows while we scan). */
    for (size_t i = 0; n > 0 && i < v->n; i++) {
        arrival par = v->a[i];
        rng_stream hs;
        rng_stream_init(&hs, sc->seed, rng_mix(par.id, ks->hawkes));
        unsigned c = rng_poisson(&hs, n);
        for (unsigned j = 0; j < c; j++) {
            arrival ch = {rng_mix(par.id, j + 1), par.t + rng_exponential(&hs, sc->m.beta), -1,
                          ORIGIN_CHILD, 0};
            if (ch.t < D && (rc = push(v, ch, err)))
                return rc;
        }
    }
    for (size_t e = 0; e < sc->n_events; e++) {
        const sc_event *ev = &sc->events[e];
        uint64_t eid = rng_mix(ks->event, e);
        for (uint64_t j = 0; j < ev->sessions; j++) {
            arrival a = {rng_mix(eid, j), 0, (int16_t)e, ORIGIN_EVENT, 0};
            rng_stream os;
            rng_stream_init(&os, sc->seed, rng_mix(a.id, ks->offset));
            a.t = ev->at + trapezoid_inv(ev->ramp, ev->hold, ev->decay, rng_uniform(&os));
            if (a.t < D && (rc = push(v, a, err)))
                return rc;
        }
    }
    return 0;
}

static int cmp_arrival(const void *x, const void *y)
{
    const arrival *a = x, *b = y;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* Trace mode: session a->src's requests at their trace times, items at their trace ranks
 * (a rank past the feeder's size wraps around and is counted). A draw the trace has no
 * rank for is drawn as in model mode. */
static int expand_trace(const scenario *sc, const keys *ks, plan *p, trace *tr, const arrival *a,
                        size_t *rcap, size_t *dcap, char *err)
{
    plan_session *s = &p->s[p->n_s];
    unsigned emitted = 0;
    *s = (plan_session){a->id, a->id, a->t, (uint32_t)p->n_r, 0, -1, ORIGIN_BASE, 0};
    for (uint32_t k = tr->sess_first[a->src]; k < tr->sess_first[a->src + 1]; k++) {
        const trace_req *tq = &tr->r[tr->by_sess[k]];
        if (!tq->in_window || tq->route < 0)
            continue;
        double t = (tq->t - tr->from) / tr->speed;
        if (t >= sc->duration)
            break;
        if (emitted >= UINT16_MAX || p->n_r >= UINT32_MAX - 1) {
            tr->truncated++;
            continue;
        }
        const sc_route *r = &sc->routes[tq->route];
        if (st_grow((void **)&p->r, rcap, p->n_r + 1, sizeof *p->r, SIZE_MAX) ||
            st_grow((void **)&p->draws, dcap, p->n_draws + r->n_draws, sizeof *p->draws, SIZE_MAX))
            return st_err(err, ST_ENOMEM, "plan: out of memory");
        p->r[p->n_r++] = (plan_req){t, (uint32_t)p->n_s, (uint16_t)tq->route, (uint16_t)emitted,
                                    (uint32_t)p->n_draws};
        rng_stream is;
        rng_stream_init(&is, sc->seed, rng_mix(rng_mix(a->id, ks->item), emitted));
        for (size_t d = 0; d < r->n_draws; d++) {
            uint64_t n = sc->feeders[r->draw_feeder[d]].n, rank;
            if (d < tq->n_ranks)
                rank = tr->ranks[tq->ranks_off + d];
            else if (r->draw_uniform[d])
                rank = 1 + rng_below(&is, n);
            else
                rank = rng_zipf_draw(&r->draw_zipf[d], &is);
            if (rank > n) {
                rank = (rank - 1) % n + 1;
                tr->ranks_wrapped++;
            }
            p->draws[p->n_draws++] = (uint32_t)(rank - 1);
        }
        emitted++;
    }
    s->n_req = emitted;
    if (emitted) {
        tr->plan_index[a->src] = (uint32_t)p->n_s;
        p->by_origin[ORIGIN_BASE]++;
        p->n_s++;
    }
    return 0;
}

/* Appends request (t, scenario route ri) of plan session `si` with its feeder draws. */
static int add_req(const scenario *sc, plan *p, const arrival *a, uint32_t si, double t, int ri,
                   unsigned seq, uint64_t item_key, size_t *rcap, size_t *dcap, char *err)
{
    const sc_route *r = &sc->routes[ri];
    if (st_grow((void **)&p->r, rcap, p->n_r + 1, sizeof *p->r, SIZE_MAX) ||
        st_grow((void **)&p->draws, dcap, p->n_draws + r->n_draws, sizeof *p->draws, SIZE_MAX))
        return st_err(err, ST_ENOMEM, "plan: out of memory");
    plan_req *q = &p->r[p->n_r++];
    *q = (plan_req){t, si, (uint16_t)ri, (uint16_t)seq, (uint32_t)p->n_draws};
    rng_stream is;
    rng_stream_init(&is, sc->seed, item_key);
    for (size_t d = 0; d < r->n_draws; d++) {
        int f = r->draw_feeder[d];
        const sc_event *ev = a->event >= 0 ? &sc->events[a->event] : NULL;
        uint64_t rank;
        if (ev && ev->hot_feeder == f && rng_uniform(&is) < ev->hot_share)
            rank = ev->ranks[rng_below(&is, ev->n_ranks)];
        else if (r->draw_uniform[d])
            rank = 1 + rng_below(&is, sc->feeders[f].n);
        else
            rank = rng_zipf_draw(&r->draw_zipf[d], &is);
        p->draws[p->n_draws++] = (uint32_t)(rank - 1);
    }
    return 0;
}

/* The asset lanes of page request `pq` (model route mi) of session a: the count from the
 * model's distribution, templates by share, asset j on lane j mod L (L = min(6, count)). */
static int add_assets(const scenario *sc, const keys *ks, plan *p, lanes *ln, const arrival *a,
                      uint32_t pq, size_t mi, size_t *rcap, size_t *dcap, char *err)
{
    const model_route *mr = &sc->m.routes[mi];
    const plan_req page = p->r[pq];
    uint64_t key = rng_mix(rng_mix(a->id, ks->asset), page.seq);
    int route[MODEL_MAX_ASSET_COUNT];
    unsigned k, n = 0;
    rng_stream as;
    rng_stream_init(&as, sc->seed, key);
    k = (unsigned)rng_alias_draw(mr->asset_count, &as);
    for (unsigned j = 0; j < k; j++) {
        int ri = sc->route_of_model[mr->asset_route[rng_alias_draw(mr->asset_tmpl, &as)]];
        if (ri >= 0) /* unmapped templates are listed by coverage */
            route[n++] = ri;
    }
    double t0 = page.t + fmin(2.0, fmax(0.005, mr->lat_median_s));
    unsigned L = n < PLAN_MAX_LANES ? n : PLAN_MAX_LANES;
    if (t0 >= sc->duration)
        return 0;
    for (unsigned l = 0; l < L; l++) {
        int rc;
        if (st_grow((void **)&ln->s, &ln->cap, ln->n + 1, sizeof *ln->s, SIZE_MAX))
            return st_err(err, ST_ENOMEM, "plan: out of memory");
        plan_session *ls = &ln->s[ln->n];
        *ls = (plan_session){rng_mix(key, l + 1), a->id, t0, (uint32_t)p->n_r, 0, a->event,
                             a->origin,           1};
        for (unsigned j = l, seq = 0; j < n; j += L, seq++) {
            /* Lane requests carry the lane's index until the merge renumbers sessions. */
            if ((rc = add_req(sc, p, a, (uint32_t)ln->n, t0, route[j], seq, rng_mix(ls->id, seq),
                              rcap, dcap, err)))
                return rc;
            ls->n_req++;
            p->n_assets++;
        }
        ln->n++;
    }
    return 0;
}

/* Expands one session into requests. */
static int expand(const scenario *sc, const keys *ks, plan *p, lanes *ln, const arrival *a,
                  size_t *rcap, size_t *dcap, char *err)
{
    uint32_t pages[256];
    size_t pm[256], n_pages = 0;
    const model *m = &sc->m;
    rng_stream js, ts;
    plan_session *s = &p->s[p->n_s];
    double t = a->t;
    unsigned emitted = 0, steps = 0, limit = sc->max_requests * 10 + 10;
    size_t route;
    rng_stream_init(&js, sc->seed, rng_mix(a->id, ks->journey));
    rng_stream_init(&ts, sc->seed, rng_mix(a->id, ks->think));
    *s = (plan_session){a->id, a->id, a->t, (uint32_t)p->n_r, 0, a->event, a->origin, 0};
    route = rng_alias_draw(m->entry, &js);
    while (steps++ < limit) {
        int ri = sc->route_of_model[route];
        if (ri >= 0) {
            int rc;
            if (emitted > 0)
                t += model_think(m, &ts) * sc->think_scale;
            if (t >= sc->duration)
                break;
            if (sc->assets_fetch && m->routes[route].asset_count && n_pages < 256) {
                pages[n_pages] = (uint32_t)p->n_r;
                pm[n_pages++] = route;
            }
            if ((rc = add_req(sc, p, a, (uint32_t)p->n_s, t, ri, emitted,
                              rng_mix(rng_mix(a->id, ks->item), emitted), rcap, dcap, err)))
                return rc;
            if (++emitted >= sc->max_requests || p->n_r >= UINT32_MAX - 1)
                break;
        }
        if (!m->trans[route])
            break;
        route = rng_alias_draw(m->trans[route], &js);
        if (route >= m->n_routes)
            break; /* exit */
    }
    s->n_req = emitted;
    if (emitted) {
        p->by_origin[a->origin]++;
        p->n_s++;
    }
    /* After the session's own requests, so that they stay contiguous. */
    for (size_t i = 0; i < n_pages && p->n_r < UINT32_MAX - 64; i++) {
        int rc = add_assets(sc, ks, p, ln, a, pages[i], pm[i], rcap, dcap, err);
        if (rc)
            return rc;
    }
    return 0;
}

static int cmp_session(const void *x, const void *y)
{
    const plan_session *a = x, *b = y;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* Merges the asset lanes into the (time, id)-sorted sessions and renumbers requests. */
static int merge_lanes(plan *p, lanes *ln, char *err)
{
    if (!ln->n)
        return 0;
    for (size_t i = 0; i < ln->n; i++) /* lane requests hold the lane index until here */
        for (uint32_t k = 0; k < ln->s[i].n_req; k++)
            p->r[ln->s[i].first_req + k].session = (uint32_t)(p->n_s + i);
    plan_session *all = realloc(p->s, (p->n_s + ln->n) * sizeof *all);
    if (!all)
        return st_err(err, ST_ENOMEM, "plan: out of memory");
    p->s = all;
    memcpy(p->s + p->n_s, ln->s, ln->n * sizeof *ln->s);
    p->n_s += ln->n;
    p->n_lanes = ln->n;
    qsort(p->s, p->n_s, sizeof *p->s, cmp_session);
    for (size_t i = 0; i < p->n_s; i++)
        for (uint32_t k = 0; k < p->s[i].n_req; k++)
            p->r[p->s[i].first_req + k].session = (uint32_t)i;
    return 0;
}

/* The expected number of sessions of the whole run, counted until it passes the cap: a
 * scenario far past it (scale 1e308, a duration of years) is refused at once instead of
 * after drawing and storing PLAN_MAX_SESSIONS arrivals (a gigabyte, minutes under ASan). */
static double expected_sessions(const scenario *sc, const trace *tr)
{
    double total = tr ? (double)tr->n_sessions : 0;
    for (size_t e = 0; e < sc->n_events; e++)
        total += (double)sc->events[e].sessions;
    for (uint64_t k = 0; !tr && (double)k < sc->duration && total <= PLAN_MAX_SESSIONS; k++)
        total += scenario_base_rate(sc, (double)k + 0.5) * fmin(1, sc->duration - (double)k);
    return total;
}

int plan_build(plan *p, const scenario *sc, unsigned seg_i, unsigned seg_n, char *err)
{
    return plan_build_trace(p, sc, NULL, seg_i, seg_n, err);
}

int plan_build_trace(plan *p, const scenario *sc, trace *tr, unsigned seg_i, unsigned seg_n,
                     char *err)
{
    avec v = {0};
    lanes ln = {0};
    size_t rcap = 0, dcap = 0, mine = 0;
    int rc;
    const keys ks = keys_make();
    memset(p, 0, sizeof *p);
    p->seg_i = seg_i;
    p->seg_n = seg_n;
    if (!(expected_sessions(sc, tr) <= PLAN_MAX_SESSIONS)) {
        rc = st_err(err, ST_EINPUT,
                    "scenario: more than %u sessions expected; shorten scenario.duration or "
                    "lower scenario.scale (--scale) or the events' sessions",
                    PLAN_MAX_SESSIONS);
        goto out;
    }
    if ((rc = gen_arrivals(sc, &ks, &v, tr, err)))
        goto out;
    p->all_sessions = v.n;
    for (size_t i = 0; i < v.n; i++)
        p->all_by_origin[v.a[i].origin]++;
    /* Keep this segment's sessions, in (time, id) order. */
    for (size_t i = 0; i < v.n; i++)
        if (v.a[i].id % seg_n == seg_i - 1)
            v.a[mine++] = v.a[i];
    if (mine) /* v.a is NULL when nothing arrived; qsort wants a valid pointer */
        qsort(v.a, mine, sizeof *v.a, cmp_arrival);
    p->s = calloc(mine ? mine : 1, sizeof *p->s);
    if (!p->s) {
        rc = st_err(err, ST_ENOMEM, "plan: out of memory");
        goto out;
    }
    for (size_t i = 0; i < mine; i++) {
        const arrival *a = &v.a[i];
        rc = tr && a->origin == ORIGIN_BASE ? expand_trace(sc, &ks, p, tr, a, &rcap, &dcap, err)
                                            : expand(sc, &ks, p, &ln, a, &rcap, &dcap, err);
        if (rc)
            goto out;
    }
    rc = merge_lanes(p, &ln, err);
out:
    free(v.a);
    free(ln.s);
    if (rc)
        plan_term(p);
    return rc;
}

void plan_term(plan *p)
{
    free(p->s);
    free(p->r);
    free(p->draws);
    memset(p, 0, sizeof *p);
}

static const plan *sort_plan; /* qsort has no context argument; set only by plan_order */

static int cmp_req(const void *x, const void *y)
{
    const plan_req *a = &sort_plan->r[*(const uint32_t *)x],
                   *b = &sort_plan->r[*(const uint32_t *)y];
    uint64_t ia = sort_plan->s[a->session].id, ib = sort_plan->s[b->session].id;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    if (ia != ib)
        return ia < ib ? -1 : 1;
    return (int)a->seq - (int)b->seq;
}

uint32_t *plan_order(const plan *p)
{
    uint32_t *idx = malloc((p->n_r ? p->n_r : 1) * sizeof *idx);
    if (!idx)
        return NULL;
    for (size_t i = 0; i < p->n_r; i++)
        idx[i] = (uint32_t)i;
    sort_plan = p;
    qsort(idx, p->n_r, sizeof *idx, cmp_req);
    sort_plan = NULL;
    return idx;
}

int plan_render(const scenario *sc, const plan *p, const plan_req *q, tmpl_vars *vars,
                int plan_mode, char *url, size_t url_cap, char *body, size_t body_cap,
                char (*hdrs)[512], size_t *n_hdrs)
{
    const sc_route *r = &sc->routes[q->route];
    const char *draw[SC_MAX_DRAWS];
    tmpl_ctx c = {vars, &sc->names, draw, r->n_draws, 0, p->s[q->session].id, q->seq, plan_mode};
    size_t tl = strlen(sc->target);
    long n;
    for (size_t d = 0; d < r->n_draws; d++)
        draw[d] = feeder_value(&sc->feeders[r->draw_feeder[d]], p->draws[q->draw_off + d]);
    if (tl + 1 >= url_cap)
        return ST_ELIMIT;
    memcpy(url, sc->target, tl + 1);
    if ((n = tmpl_render(&r->path, &c, url + tl, url_cap - tl)) < 0)
        return (int)n;
    *n_hdrs = 0;
    for (size_t h = 0; h < r->n_headers + sc->n_headers; h++) {
        const char *name = h < r->n_headers ? r->header_names[h]
                                            : sc->header_names[h - r->n_headers];
        const tmpl *v = h < r->n_headers ? &r->header_vals[h] : &sc->header_vals[h - r->n_headers];
        int k = snprintf(hdrs[*n_hdrs], 512, "%s: ", name);
        if ((n = tmpl_render(v, &c, hdrs[*n_hdrs] + k, 512 - (size_t)k)) < 0)
            return (int)n;
        (*n_hdrs)++;
    }
    body[0] = 0;
    if (r->has_body && (n = tmpl_render(&r->body, &c, body, body_cap)) < 0)
        return (int)n;
    return 0;
}
