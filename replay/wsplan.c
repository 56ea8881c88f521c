/*
 * wsplan.c -- the WebSocket schedule (see wsplan.h).
 *
 * The stream ids of the schedule's draws are hashed per build into a wskeys on the stack
 * (no file-scope state: builds may run on any thread, and the hashes cost nothing there).
 */
#include "wsplan.h"
#include "trace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The schedule's draw purposes, one stream id each. */
typedef struct wskeys {
    uint64_t arr, off, pick, id, dur, item;
} wskeys;

static wskeys keys_make(void)
{
    wskeys k = {rng_stream_id("replay.ws.arrival"),  rng_stream_id("replay.ws.offset"),
                rng_stream_id("replay.ws.pick"),     rng_stream_id("replay.ws.id"),
                rng_stream_id("replay.ws.duration"), rng_stream_id("replay.ws.item")};
    return k;
}

static double u01(uint64_t seed, uint64_t stream, uint64_t idx)
{
    return ((double)(rng_u64(seed, stream, idx) >> 11) + 0.5) / 9007199254740992.0;
}

static int cmp_item(const void *x, const void *y)
{
    const wsplan_item *a = x, *b = y;
    if (a->open != b->open)
        return a->open < b->open ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* A fresh row of feeder f for WebSocket id (rank - 1), as the routes draw it. */
static uint32_t fresh_row(const scenario *sc, const wskeys *k, int f, uint64_t id, int16_t event)
{
    rng_stream s;
    const sc_event *ev = event >= 0 ? &sc->events[event] : NULL;
    rng_stream_init(&s, sc->seed, rng_mix(rng_mix(id, k->item), (uint64_t)f));
    if (ev && ev->hot_feeder == f && rng_uniform(&s) < ev->hot_share)
        return (uint32_t)(ev->ranks[rng_below(&s, ev->n_ranks)] - 1);
    for (size_t r = 0; r < sc->n_routes; r++)
        for (size_t d = 0; d < sc->routes[r].n_draws; d++)
            if (sc->routes[r].draw_feeder[d] == f && !sc->routes[r].draw_uniform[d])
                return (uint32_t)(rng_zipf_draw(&sc->routes[r].draw_zipf[d], &s) - 1);
    return (uint32_t)rng_below(&s, sc->feeders[f].n);
}

static double duration(const scenario *sc, const wskeys *k, const plan *p, const wsplan_item *w,
                       size_t sess)
{
    const sc_ws *c = &sc->ws;
    switch (c->dur_mode) {
    case SCWS_DUR_FIXED: return c->dur_fixed;
    case SCWS_DUR_RUN: return INFINITY;
    case SCWS_DUR_SESSION:
        if (sess == SIZE_MAX)
            return INFINITY; /* a dedicated session has no requests: it lasts the run */
        {
            const plan_session *ps = &p->s[sess];
            return p->r[ps->first_req + ps->n_req - 1].t - ps->start + 1;
        }
    default: {
        rng_stream s;
        rng_stream_init(&s, sc->seed, rng_mix(w->id, k->dur));
        return rng_lognormal(&s, c->dur_mu, c->dur_sigma);
    }
    }
}

/* Appends one WebSocket session; dur < 0 draws its duration as the scenario says. */
static int add(wsplan *wp, size_t *cap, size_t *rcap, const scenario *sc, const wskeys *k,
               const plan *p, wsplan_item it, size_t sess, double dur, char *err)
{
    size_t nf = sc->n_feeders ? sc->n_feeders : 1;
    if (wp->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 256;
        wsplan_item *nw = realloc(wp->w, nc * sizeof *nw);
        if (!nw)
            return st_err(err, ST_ENOMEM, "plan: out of memory (websockets)");
        wp->w = nw;
        *cap = nc;
    }
    if ((wp->n + 1) * nf > *rcap) {
        size_t nc = *rcap ? *rcap * 2 : 256 * nf;
        uint32_t *nr = realloc(wp->rows, nc * sizeof *nr);
        if (!nr)
            return st_err(err, ST_ENOMEM, "plan: out of memory (websockets)");
        wp->rows = nr;
        *rcap = nc;
    }
    it.rows_off = (uint32_t)(wp->n * nf);
    for (size_t f = 0; f < sc->n_feeders; f++) {
        uint32_t row = UINT32_MAX;
        if (!sc->ws.uses_feeder[f]) {
            wp->rows[it.rows_off + f] = 0;
            continue;
        }
        if (sess != SIZE_MAX && p->s[sess].n_req) {
            const plan_req *q = &p->r[p->s[sess].first_req];
            const sc_route *r = &sc->routes[q->route];
            for (size_t d = 0; d < r->n_draws && row == UINT32_MAX; d++)
                if (r->draw_feeder[d] == (int)f)
                    row = p->draws[q->draw_off + d];
        }
        wp->rows[it.rows_off + f] = row != UINT32_MAX ? row
                                                      : fresh_row(sc, k, (int)f, it.id, it.event);
    }
    it.dur = dur >= 0 ? dur : duration(sc, k, p, &it, sess);
    if (it.open + it.dur > sc->duration) {
        it.dur = sc->duration - it.open;
        it.clipped = 1;
    }
    wp->w[wp->n++] = it;
    return 0;
}

int wsplan_build(wsplan *wp, const scenario *sc, const plan *p, char *err)
{
    size_t cap = 0, rcap = 0;
    int rc = 0;
    memset(wp, 0, sizeof *wp);
    if (sc->ws.mode == SCWS_NONE)
        return 0;
    const wskeys k = keys_make();
    if (sc->ws.mode == SCWS_COUNT) {
        uint64_t base = rng_mix(k.arr, 0);
        wp->all = sc->ws.count;
        for (uint64_t j = 0; j < sc->ws.count && !rc; j++) {
            wsplan_item it = {0};
            it.id = rng_mix(base, j);
            if (it.id % p->seg_n != p->seg_i - 1)
                continue;
            it.session = it.client = it.id; /* its own client, drawn as an HTTP session's */
            it.event = -1;
            it.origin = ORIGIN_WS;
            it.open = sc->ws.at + sc->ws.ramp * u01(sc->seed, k.off, it.id);
            if (it.open >= sc->duration)
                continue;
            rc = add(wp, &cap, &rcap, sc, &k, p, it, SIZE_MAX, -1, err);
        }
    } else {
        for (size_t i = 0; i < p->n_s && !rc; i++) {
            const plan_session *ps = &p->s[i];
            wsplan_item it = {0};
            if (ps->lane || u01(sc->seed, k.pick, ps->id) >= sc->ws.share)
                continue;
            it.id = rng_mix(ps->id, k.id);
            it.session = ps->id;
            it.client = ps->client;
            it.event = ps->event;
            it.origin = ps->origin;
            it.open = ps->start;
            rc = add(wp, &cap, &rcap, sc, &k, p, it, i, -1, err);
        }
        wp->all = wp->n;
    }
    if (rc) {
        wsplan_term(wp);
        return rc;
    }
    if (wp->n) /* w is NULL when no session opens a WebSocket; qsort wants a valid pointer */
        qsort(wp->w, wp->n, sizeof *wp->w, cmp_item);
    return 0;
}

int wsplan_build_trace(wsplan *wp, const scenario *sc, const plan *p, const trace *tr, char *err)
{
    size_t cap = 0, rcap = 0;
    int rc = 0;
    memset(wp, 0, sizeof *wp);
    if (sc->ws.mode == SCWS_NONE || !tr)
        return 0;
    const wskeys k = keys_make();
    for (size_t i = 0; i < tr->n_w && !rc; i++) {
        const trace_ws *w = &tr->w[i];
        if (!w->in_window)
            continue;
        wp->all++;
        uint64_t sid = trace_session_id(w->session);
        if (sid % p->seg_n != p->seg_i - 1)
            continue;
        uint32_t pi = tr->plan_index[w->session];
        wsplan_item it = {0};
        it.id = rng_mix(rng_mix(sid, k.id), i);
        it.session = it.client = sid; /* a trace session's client key is its id (plan.c) */
        it.event = -1;
        it.origin = ORIGIN_BASE;
        it.open = (w->t - tr->from) / tr->speed;
        if (it.open >= sc->duration)
            continue;
        rc = add(wp, &cap, &rcap, sc, &k, p, it, pi == UINT32_MAX ? SIZE_MAX : pi,
                 w->dur / tr->speed, err);
    }
    if (rc) {
        wsplan_term(wp);
        return rc;
    }
    if (wp->n)
        qsort(wp->w, wp->n, sizeof *wp->w, cmp_item);
    return 0;
}

void wsplan_term(wsplan *wp)
{
    free(wp->w);
    free(wp->rows);
    memset(wp, 0, sizeof *wp);
}

void wsplan_client(const scenario *sc, const wsplan *wp, size_t i, sc_client *cl)
{
    scenario_client_build(sc, wp->w[i].client, cl);
}

int wsplan_render(const scenario *sc, const wsplan *wp, size_t i, const sc_client *cl,
                  tmpl_vars *vars, int plan_mode, char *url, size_t url_cap, char *sub,
                  size_t sub_cap, char *msg, size_t msg_cap)
{
    const wsplan_item *it = &wp->w[i];
    const sc_ws *c = &sc->ws;
    const char *draw[TMPL_MAX_VARS];
    size_t nd = 0;
    long n;
    int k;
    memset(vars->set, 0, sizeof vars->set);
    scenario_client_vars(sc, cl, vars);
    /* The session's items: {$feeder} refers to them, and {feeder} draws them. */
    for (size_t f = 0; f < sc->n_feeders; f++)
        if (c->uses_feeder[f]) {
            snprintf(vars->val[f], TMPL_VAR_LEN, "%s",
                     feeder_value(&sc->feeders[f], wp->rows[it->rows_off + f]));
            vars->set[f] = 1;
        }
    for (size_t pi = 0; pi < c->path.n_parts; pi++)
        if (c->path.parts[pi].kind == TP_FEEDER && nd < TMPL_MAX_VARS)
            draw[nd++] = feeder_value(&sc->feeders[c->path.parts[pi].idx],
                                      wp->rows[it->rows_off + (size_t)c->path.parts[pi].idx]);
    tmpl_ctx ctx = {vars, &sc->names, draw, nd, 0, it->session, 0, plan_mode};
    k = snprintf(url, url_cap, "%s://%s:%d", sc->https ? "wss" : "ws", sc->host, sc->port);
    if (k < 0 || (size_t)k >= url_cap)
        return ST_ELIMIT;
    if ((n = tmpl_render(&c->path, &ctx, url + k, url_cap - (size_t)k)) < 0)
        return (int)n;
    const tmpl *ts[2] = {&c->subscribe, &c->message};
    char *outs[2] = {sub, msg};
    size_t caps[2] = {sub_cap, msg_cap};
    int has[2] = {c->has_subscribe, c->has_message};
    for (int t = 0; t < 2; t++) {
        if (!outs[t])
            continue;
        outs[t][0] = 0;
        if (!has[t])
            continue;
        nd = 0;
        for (size_t pi = 0; pi < ts[t]->n_parts; pi++)
            if (ts[t]->parts[pi].kind == TP_FEEDER && nd < TMPL_MAX_VARS)
                draw[nd++] = feeder_value(&sc->feeders[ts[t]->parts[pi].idx],
                                          wp->rows[it->rows_off + (size_t)ts[t]->parts[pi].idx]);
        tmpl_ctx c2 = {vars, &sc->names, draw, nd, 0, it->session, 0, plan_mode};
        if ((n = tmpl_render(ts[t], &c2, outs[t], caps[t])) < 0)
            return (int)n;
    }
    return 0;
}

static int handshake_owns(const char *name)
{
    static const char *const own[] = {"host", "upgrade", "connection", "content-length"};
    for (size_t k = 0; k < sizeof own / sizeof own[0]; k++)
        if (!strcasecmp(name, own[k]))
            return 1;
    return !strncasecmp(name, "sec-websocket-", 14);
}

int wsplan_render_headers(const scenario *sc, const wsplan *wp, size_t i, const sc_client *cl,
                          tmpl_vars *vars, char (*hdrs)[512], const char **line)
{
    const wsplan_item *it = &wp->w[i];
    size_t n = 0;
    scenario_client_vars(sc, cl, vars);
    for (size_t h = 0; h < sc->n_headers; h++) {
        if (handshake_owns(sc->header_names[h]))
            continue;
        const char *draw[TMPL_MAX_VARS];
        size_t nd = 0;
        const tmpl *v = &sc->header_vals[h];
        for (size_t pi = 0; pi < v->n_parts; pi++)
            if (v->parts[pi].kind == TP_FEEDER && nd < TMPL_MAX_VARS)
                draw[nd++] = feeder_value(&sc->feeders[v->parts[pi].idx],
                                          wp->rows[it->rows_off + (size_t)v->parts[pi].idx]);
        tmpl_ctx c = {vars, &sc->names, draw, nd, 0, it->session, 0, 0};
        int k = snprintf(hdrs[n], 512, "%s: ", sc->header_names[h]);
        if (k < 0 || k >= 512)
            return ST_ELIMIT;
        long r = tmpl_render(v, &c, hdrs[n] + k, 512 - (size_t)k);
        if (r < 0)
            return (int)r;
        line[n] = hdrs[n];
        n++;
    }
    /* The client rows as the session's requests send them (engine.c links the same rows). */
    const char *rows[2] = {cl ? cl->ip_hdr : "", cl ? cl->ua_hdr : ""};
    for (int r = 0; r < 2; r++) {
        if (!rows[r][0])
            continue;
        int k = snprintf(hdrs[n], 512, "%s", rows[r]);
        if (k < 0 || k >= 512)
            return ST_ELIMIT;
        line[n] = hdrs[n];
        n++;
    }
    line[n] = NULL;
    return 0;
}
