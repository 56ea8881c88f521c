/*
 * engine.c -- worker threads, sessions and requests (see engine.h).
 *
 * Slot states: FREE (on the free list) -> WAITING (timer armed for the next request's
 * intended time, or a --max-rps token) -> [QUEUED (pooled mode: every pooled connection is
 * busy; FIFO of ready requests, sent as transfers finish)] -> IN_FLIGHT (handle added to the
 * multi) -> back to WAITING for the next request, or FREE when the session has sent its last.
 * The ready queue is ours rather than libcurl's pending list: libcurl 7.88 rescans pending
 * transfers, which turned a short stall into a collapse at a few thousand queued requests.
 * Transitions: next_request() (WAITING, or on to send_now() when due; FREE when the session
 * is over), send_now() (QUEUED or IN_FLIGHT), on_done() (out of IN_FLIGHT, then
 * next_request()), and abandon()/slot_put() at a stop (FREE).
 * This file schedules; what goes on the wire (URL, headers, cookies, every curl_easy_setopt)
 * is assembled by http.c (http_req_send) from the row buffers plan_render fills.
 */
#include "engine.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cookiejar.h"
#include "dbuf.h"
#include "http.h"
#include "loop.h"
#include "respcheck.h"
#include "sc_http.h"
#include "wsess.h"

/* plan_render's rows plus traceparent, Expect and the two client rows. */
_Static_assert(HTTP_REQ_ROWS >= SC_MAX_HEADERS * 2 + 5, "http_req has too few header rows");

enum slot_state { SLOT_FREE = 0, SLOT_WAITING, SLOT_QUEUED, SLOT_IN_FLIGHT };

typedef struct worker worker;
typedef struct slot slot;

/* A session in progress (small: sessions far outnumber requests in flight). */
struct slot {
    worker *w;
    loop_timer timer;
    int state;
    uint32_t sess, k; /* plan session index, next request index within it */
    int blocked;      /* the request became due while the previous was in flight */
    int throttled;    /* already counted as throttled */
    uint64_t intended, sent_at;
    uint64_t queued_at; /* when this request began to wait for a pooled connection, 0 = not */
    uint64_t trace_hi, trace_lo;
    http_req *rc;    /* while in flight */
    slot *next_free; /* free list, or the ready queue */
    cookiejar jar;   /* the session's cookies between requests (buffer kept) */
    tmpl_vars *vars;
    sc_client cl;  /* address and User-Agent, built once per session */
    CURLSH *share; /* per-session HTTP/2: own connection cache, never another's */
};

struct worker {
    struct engine *e;
    unsigned idx;
    pthread_t th;
    loop *l;
    http h;
    http_transport tr;
    metrics *m;
    slot **slots; /* allocated lazily, up to cap */
    size_t n_slots, cap, active;
    slot *free_list;
    http_req **rcs; /* all request handles, for cleanup */
    size_t n_rcs, cap_rcs;
    http_req *rc_free;
    slot *rq_head, *rq_tail; /* ready queue (pooled mode) */
    size_t inflight, max_inflight,
        h1_max; /* 0 = unlimited; h1_max: the cap if pooled h2 gets 1.1 */
    loop_timer arrival;
    wsess_worker *wsw; /* this worker's WebSocket sessions, or NULL */
    uint64_t ws_pub;   /* its open WebSockets as last added to live->ws_open */
    size_t next_s;     /* next plan session index for this worker */
    int stopping;
    uint64_t hard_deadline;
    double tokens, token_rate; /* --max-rps bucket (per worker) */
    uint64_t token_at;
    atomic_int finished;
    int failed;
    char err[ST_ERRLEN];
};

struct engine {
    engine_cfg cfg;
    worker *w;
    unsigned n;
    uint64_t h_trace, h_span; /* rng stream ids of the traceparent draws (set at start) */
    atomic_int stop;
};

static uint64_t intended_ns(const worker *w, const plan_req *q)
{
    return w->e->cfg.start_ns + (uint64_t)llround(q->t * 1e9);
}

static void live_add(atomic_uint_fast64_t *a, uint64_t v)
{
    atomic_fetch_add_explicit(a, v, memory_order_relaxed);
}

static void on_slot_timer(loop *l, void *arg);

static slot *slot_get(worker *w)
{
    slot *s = w->free_list;
    if (s) {
        w->free_list = s->next_free;
        return s;
    }
    if (w->n_slots == w->cap)
        return NULL;
    if (!(s = calloc(1, sizeof *s)) || !(s->vars = tmpl_vars_new(w->e->cfg.sc->names.n_vars)) ||
        (w->tr.multiplex && w->e->cfg.sc->per_session_conn && !(s->share = http_share_new()))) {
        free(s ? s->vars : NULL);
        free(s);
        return NULL;
    }
    s->w = w;
    cookiejar_init(&s->jar);
    loop_timer_init(&s->timer, on_slot_timer, s);
    w->slots[w->n_slots++] = s;
    return s;
}

static http_req *rc_get(worker *w)
{
    const scenario *sc = w->e->cfg.sc;
    http_req *r = w->rc_free;
    if (r) {
        w->rc_free = r->next_free;
        return r;
    }
    if (w->n_rcs == w->cap_rcs) {
        size_t nc = w->cap_rcs ? w->cap_rcs * 2 : 64;
        http_req **nr = realloc(w->rcs, nc * sizeof *nr);
        if (!nr)
            return NULL;
        w->rcs = nr;
        w->cap_rcs = nc;
    }
    http_req_opts o = {
        .timeout = sc->timeout, .connect_timeout = sc->connect_timeout, .cookies = sc->cookies};
    if (!(r = http_req_new(&w->h, &o)))
        return NULL;
    w->rcs[w->n_rcs++] = r;
    return r;
}

static void rc_put(worker *w, http_req *r)
{
    r->owner = NULL;
    r->next_free = w->rc_free;
    w->rc_free = r;
}

static void slot_put(worker *w, slot *s)
{
    s->state = SLOT_FREE;
    s->next_free = w->free_list;
    w->free_list = s;
    w->active--;
    w->m->sessions_done += !w->e->cfg.p->s[s->sess].lane; /* an asset lane is no session */
    live_add(&w->e->cfg.live->active, (uint64_t)-1);
}

static void on_slot_timer(loop *l, void *arg);

/* Counts the rest of a session as unsent and frees its slot. */
static void abandon(worker *w, slot *s)
{
    const plan_session *ps = &w->e->cfg.p->s[s->sess];
    uint64_t left = ps->n_req - s->k;
    w->m->requests_unsent += left;
    live_add(&w->e->cfg.live->unsent, left);
    loop_timer_cancel(w->l, &s->timer);
    slot_put(w, s);
}

/* Takes a --max-rps token; returns 0 and sets *retry (monotonic ns) when none is left. */
static int take_token(worker *w, uint64_t now, uint64_t *retry)
{
    if (w->token_rate <= 0)
        return 1;
    if (now < w->token_at)
        now = w->token_at; /* the loop's clock can be a little behind the last refill's */
    w->tokens = fmin(w->tokens + (double)(now - w->token_at) * w->token_rate / 1e9,
                     fmax(1, w->token_rate / 100));
    w->token_at = now;
    if (w->tokens >= 1) {
        w->tokens -= 1;
        return 1;
    }
    *retry = now + (uint64_t)((1 - w->tokens) / w->token_rate * 1e9) + 1;
    return 0;
}

static void next_request(worker *w, slot *s, uint64_t now);

/* Sends request s->k of the session now (or re-arms for a --max-rps token). */
static void send_now(worker *w, slot *s)
{
    const engine_cfg *cfg = &w->e->cfg;
    const plan *p = cfg->p;
    const plan_session *ps = &p->s[s->sess];
    const plan_req *q = &p->r[ps->first_req + s->k];
    const sc_route *r = &cfg->sc->routes[q->route];
    uint64_t now = loop_now(w->l), retry; /* the clock is read once more for sent_at below */
    long sec = (long)floor(q->t);
    if (w->max_inflight && w->inflight >= w->max_inflight) {
        /* The wait for a connection starts when the send was ready: its intended time, or
         * now if the session's previous response or a timer wake-up came later. */
        s->queued_at = now > s->intended ? now : s->intended;
        s->state = SLOT_QUEUED;
        s->next_free = NULL;
        if (w->rq_tail)
            w->rq_tail->next_free = s;
        else
            w->rq_head = s;
        w->rq_tail = s;
        return;
    }
    if (!take_token(w, now, &retry)) {
        if (!s->throttled) {
            w->m->throttled++;
            s->throttled = 1;
        }
        s->state = SLOT_WAITING;
        loop_timer_set(w->l, &s->timer, retry);
        return;
    }
    http_req *rc = rc_get(w);
    if (!rc) {
        w->failed = 1;
        st_err(w->err, ST_ENOMEM, "out of memory for request buffers");
        engine_stop(w->e);
        abandon(w, s);
        return;
    }
    if (plan_render(cfg->sc, p, q, s->vars, 0, rc->url, sizeof rc->url, rc->body, sizeof rc->body,
                    rc->hdr, &rc->n_hdr)) {
        /* Cannot happen for plans that `replay plan` rendered; count it as an error. */
        rc_put(w, rc);
        metrics_record(w->m, q->route, 0, ERR_OTHER, 0, 0, sec, 0);
        live_add(&cfg->live->errors, 1);
        s->k++;
        next_request(w, s, now);
        return;
    }
    http_send hs = {
        .method = r->method,
        .has_body = r->has_body,
        .want_body = r->needs_body,
        .want_hdrs = r->needs_headers,
        .traceparent = cfg->sc->traceparent,
        .trace_hi = s->trace_hi,
        .trace_lo = s->trace_lo,
        .span = cfg->sc->traceparent
                    ? rng_u64(cfg->sc->seed, w->e->h_span, rng_mix(ps->id, s->k)) | 1
                    : 0,
        .rows = {s->cl.ip_hdr, s->cl.ua_hdr}, /* the session's client rows, built at its start */
        .iface = s->cl.iface,
        .share = s->share,
        .per_session = cfg->sc->per_session_conn,
        .first = s->k == 0,
        .last = s->k + 1 == ps->n_req,
        .version = cfg->sc->per_session_conn && w->tr.reuse_version
                       ? (s->k ? w->tr.reuse_version : w->tr.version)
                       : 0,
        .jar = cfg->sc->cookies ? &s->jar : NULL,
    };
    rc->owner = s;
    s->rc = rc;
    s->sent_at = st_now_ns();
    if (s->blocked) {
        w->m->blocked_sends++;
    } else {
        uint64_t late = s->sent_at > s->intended ? (s->sent_at - s->intended) / 1000 : 0;
        hist_record(w->m->lateness, late);
        if (!s->queued_at)
            hist_record(w->m->lateness_unqueued, late);
        if (late > MX_LATE_US) {
            w->m->late_sends++;
            live_add(&cfg->live->late, 1);
            if (sec >= 0 && (size_t)sec < w->m->n_secs)
                w->m->secs[sec].late++;
        }
        if (late > atomic_load_explicit(&cfg->live->lateness_max_us, memory_order_relaxed))
            atomic_store_explicit(&cfg->live->lateness_max_us, late, memory_order_relaxed);
    }
    w->m->routes[q->route].sent++;
    if (sec >= 0 && (size_t)sec < w->m->n_secs)
        w->m->secs[sec].sent++;
    live_add(&cfg->live->sent, 1);
    s->queued_at = 0;
    s->state = SLOT_IN_FLIGHT;
    w->inflight++;
    if (http_req_send(&w->h, rc, &hs)) {
        w->failed = 1;
        st_err(w->err, ST_EENV, "curl_multi_add_handle failed");
    }
}

/* Arms the slot for its next request, or frees it when the session is over. */
static void next_request(worker *w, slot *s, uint64_t now)
{
    const plan_session *ps = &w->e->cfg.p->s[s->sess];
    if (s->k >= ps->n_req) {
        slot_put(w, s);
        return;
    }
    if (w->stopping) {
        abandon(w, s);
        return;
    }
    s->intended = intended_ns(w, &w->e->cfg.p->r[ps->first_req + s->k]);
    s->throttled = 0;
    s->queued_at = 0;
    s->state = SLOT_WAITING;
    if (s->intended <= now)
        send_now(w, s);
    else
        loop_timer_set(w->l, &s->timer, s->intended);
}

static void on_slot_timer(loop *l, void *arg)
{
    slot *s = arg;
    /* The loop runs a timer only once its time has come (loop_now was read just before). */
    if (s->state == SLOT_WAITING && s->intended <= loop_now(l) + 1000)
        send_now(s->w, s);
    else
        next_request(s->w, s, loop_now(l));
}

/* Records a finished (or cancelled) request of slot s. */
static void finish(worker *w, slot *s, CURLcode rc, uint64_t now)
{
    const engine_cfg *cfg = &w->e->cfg;
    const plan_session *ps = &cfg->p->s[s->sess];
    const plan_req *q = &cfg->p->r[ps->first_req + s->k];
    const sc_route *r = &cfg->sc->routes[q->route];
    long status = 0, hv = 0;
    int cls = 0, err = -1, vi;
    uint64_t lat = (now - s->intended) / 1000, svc = (now - s->sent_at) / 1000;
    if (rc == CURLE_OK && (vi = http_version_of(s->rc->easy, &hv)) >= 0) {
        w->m->routes[q->route].version[vi]++;
        /* Pooled HTTP/2 that got 1.1 has one request per connection: the rest wait in our FIFO,
         * not in libcurl's pending list. http.require_version: such a response is an error. */
        if (hv < CURL_HTTP_VERSION_2_0 && w->h1_max)
            w->max_inflight = w->h1_max, w->h1_max = 0;
        if (cfg->sc->require_version && hv != CURL_HTTP_VERSION_2_0) {
            w->m->routes[q->route].version_refused++;
            rc = CURLE_HTTP2;
        }
    }
    if (rc == CURLE_OK) {
        status = http_req_status(s->rc);
        cls = status >= 100 && status < 600 ? (int)(status / 100) : 0;
        if (cls == 0)
            err = ERR_OTHER;
        else if (cls == 4)
            err = ERR_4XX;
        else if (cls == 5)
            err = ERR_5XX;
    } else {
        err = http_err_class(rc);
    }
    if (metrics_record(w->m, q->route, cls, err, lat, svc, (long)floor(q->t), s->rc->bytes) &&
        !w->failed) {
        w->failed = 1;
        st_err(w->err, ST_ENOMEM, "out of memory for histograms");
    }
    if (rc == CURLE_OK && (r->check.present || r->n_captures)) {
        http_req *x = s->rc;
        dbuf_add(&x->body_in, "", 0); /* NUL-terminated for strstr/regexec */
        int ok = respcheck_apply(r, status, x->hdrs_in.p, x->hdrs_in.len, x->body_in.p,
                                 x->body_in.len, s->vars);
        if (r->check.present) {
            w->m->routes[q->route].checks++;
            if (!ok) {
                w->m->routes[q->route].checks_failed++;
                live_add(&cfg->live->checks_failed, 1);
            }
        }
    } else if (r->check.present) {
        w->m->routes[q->route].checks++;
        w->m->routes[q->route].checks_failed++;
        live_add(&cfg->live->checks_failed, 1);
    }
    live_add(&cfg->live->done, 1);
    live_add(&cfg->live->status[cls], 1);
    live_add(&cfg->live->coarse[mx_coarse_index(lat)], 1);
    if (err >= 0) {
        live_add(&cfg->live->errors, 1);
        live_add(&cfg->live->err[err], 1);
    }
}

static void on_done(void *arg, CURL *easy, CURLcode rc)
{
    worker *w = arg;
    http_req *r = http_req_of(easy);
    slot *s;
    uint64_t now = st_now_ns();
    s = r->owner;
    http_remove(&w->h, easy);
    w->inflight--;
    finish(w, s, rc, now);
    if (w->e->cfg.sc->cookies && http_req_keep_cookies(&w->h, r, &s->jar) && !w->failed) {
        w->failed = 1;
        st_err(w->err, ST_ENOMEM, "out of memory for a session's cookies");
    }
    s->rc = NULL;
    rc_put(w, r);
    s->k++;
    {
        const plan_session *ps = &w->e->cfg.p->s[s->sess];
        if (s->k < ps->n_req)
            s->blocked = intended_ns(w, &w->e->cfg.p->r[ps->first_req + s->k]) < now;
    }
    next_request(w, s, now);
    /* A pooled connection is free again: send the oldest ready requests. */
    while (w->rq_head && (!w->max_inflight || w->inflight < w->max_inflight)) {
        slot *q = w->rq_head;
        w->rq_head = q->next_free;
        if (!w->rq_head)
            w->rq_tail = NULL;
        w->m->queued_sends++;
        hist_record(w->m->pool_wait, now > q->queued_at ? (now - q->queued_at) / 1000 : 0);
        send_now(w, q);
    }
}

static void start_session(worker *w, size_t si, uint64_t now)
{
    const engine_cfg *cfg = &w->e->cfg;
    const plan_session *ps = &cfg->p->s[si];
    slot *s = w->active < w->cap ? slot_get(w) : NULL;
    long sec = (long)floor(ps->start);
    if (!s) {
        w->m->sessions_dropped += !ps->lane;
        w->m->requests_unsent += ps->n_req;
        live_add(&cfg->live->dropped, 1);
        live_add(&cfg->live->unsent, ps->n_req);
        return;
    }
    w->active++;
    live_add(&cfg->live->active, 1);
    w->m->sessions_started += !ps->lane;
    if (sec >= 0 && (size_t)sec < w->m->n_secs && !ps->lane)
        w->m->secs[sec].sessions++;
    s->sess = (uint32_t)si;
    s->k = 0;
    s->blocked = 0;
    memset(s->vars->set, 0, sizeof s->vars->set);
    cookiejar_reset(&s->jar, http_jar_id(&w->h));
    scenario_client_build(cfg->sc, ps->client, &s->cl);
    scenario_client_vars(cfg->sc, &s->cl, s->vars);
    s->trace_hi = rng_u64(cfg->sc->seed, w->e->h_trace, rng_mix(ps->id, 1));
    s->trace_lo = rng_u64(cfg->sc->seed, w->e->h_trace, rng_mix(ps->id, 2)) | 1;
    next_request(w, s, now);
}

static void on_arrival(loop *l, void *arg)
{
    worker *w = arg;
    const plan *p = w->e->cfg.p;
    uint64_t now = st_now_ns();
    int batch = 0;
    (void)l;
    while (!w->stopping && w->next_s < p->n_s &&
           w->e->cfg.start_ns + (uint64_t)llround(p->s[w->next_s].start * 1e9) <= now + 1000) {
        /* When far behind, start sessions in batches so I/O and the stop check still run. */
        if (++batch > 64) {
            loop_timer_set(w->l, &w->arrival, now);
            return;
        }
        start_session(w, w->next_s, now);
        w->next_s += w->e->n;
    }
    if (!w->stopping && w->next_s < p->n_s)
        loop_timer_set(w->l, &w->arrival,
                       w->e->cfg.start_ns + (uint64_t)llround(p->s[w->next_s].start * 1e9));
}

/* Stop: no new sessions; sessions waiting for their next request end here. */
static void begin_stop(worker *w)
{
    const plan *p = w->e->cfg.p;
    w->stopping = 1;
    loop_timer_cancel(w->l, &w->arrival);
    wsess_worker_stop(w->wsw);
    for (; w->next_s < p->n_s; w->next_s += w->e->n) {
        w->m->requests_unsent += p->s[w->next_s].n_req;
        live_add(&w->e->cfg.live->unsent, p->s[w->next_s].n_req);
    }
    w->rq_head = w->rq_tail = NULL;
    for (size_t i = 0; i < w->n_slots; i++)
        if (w->slots[i]->state == SLOT_WAITING || w->slots[i]->state == SLOT_QUEUED)
            abandon(w, w->slots[i]);
    uint64_t g = st_now_ns() + (uint64_t)(w->e->cfg.grace * 1e9);
    if (g < w->hard_deadline)
        w->hard_deadline = g;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    const engine_cfg *cfg = &w->e->cfg;
    char err[ST_ERRLEN];
    w->hard_deadline = cfg->start_ns + (uint64_t)((cfg->sc->duration + cfg->grace) * 1e9);
    loop_timer_init(&w->arrival, on_arrival, w);
    if (w->next_s < cfg->p->n_s)
        loop_timer_set(w->l, &w->arrival,
                       cfg->start_ns + (uint64_t)llround(cfg->p->s[w->next_s].start * 1e9));
    wsess_worker_begin(w->wsw);
    for (;;) {
        uint64_t now = st_now_ns();
        if (!w->stopping && atomic_load(&w->e->stop))
            begin_stop(w);
        if (w->active == 0 && (w->stopping || w->next_s >= cfg->p->n_s) &&
            wsess_worker_idle(w->wsw))
            break;
        if (now >= w->hard_deadline) {
            if (!w->stopping)
                begin_stop(w);
            /* Grace is over: cancel what is still in flight, as timeouts. */
            for (size_t i = 0; i < w->n_slots; i++) {
                slot *s = w->slots[i];
                if (s->state == SLOT_IN_FLIGHT) {
                    http_remove(&w->h, s->rc->easy);
                    w->inflight--;
                    finish(w, s, CURLE_OPERATION_TIMEDOUT, now);
                    rc_put(w, s->rc);
                    s->rc = NULL;
                    s->k++;
                    abandon(w, s);
                }
            }
            wsess_worker_abort(w->wsw);
            break;
        }
        uint64_t wake = now + 100000000u;
        if (wake > w->hard_deadline)
            wake = w->hard_deadline;
        if (loop_run_once(w->l, wake)) {
            st_err(w->err, ST_EENV, "event loop failed");
            w->failed = 1;
            break;
        }
        if (w->h.failed && !w->failed) {
            w->failed = 1;
            snprintf(err, sizeof err, "%s", w->h.err);
            st_err(w->err, ST_EENV, "%s", err);
        }
        uint64_t wo = wsess_worker_open(w->wsw);
        live_add(&cfg->live->ws_open, wo - w->ws_pub); /* unsigned wrap-around subtracts */
        w->ws_pub = wo;
    }
    wsess_worker_finish(w->wsw);
    atomic_store(&w->finished, 1);
    return NULL;
}

static void worker_term(worker *w)
{
    for (size_t i = 0; w->rcs && i < w->n_rcs; i++)
        http_req_free(&w->h, w->rcs[i]);
    free(w->rcs);
    for (size_t i = 0; w->slots && i < w->n_slots; i++) {
        cookiejar_term(&w->slots[i]->jar);
        free(w->slots[i]->vars);
        http_share_free(w->slots[i]->share);
        free(w->slots[i]);
    }
    free(w->slots);
    wsess_worker_free(w->wsw);
    http_term(&w->h);
    loop_free(w->l);
    metrics_free(w->m);
}

engine *engine_start(const engine_cfg *cfg, char *err)
{
    engine *e = calloc(1, sizeof *e);
    unsigned n = cfg->threads ? cfg->threads : 1;
    size_t n_secs = (size_t)ceil(cfg->sc->duration) + 1;
    if (!e || !(e->w = calloc(n, sizeof *e->w))) {
        free(e);
        st_err(err, ST_ENOMEM, "out of memory");
        return NULL;
    }
    e->h_trace = rng_stream_id("replay.traceparent.trace");
    e->h_span = rng_stream_id("replay.traceparent.span");
    e->cfg = *cfg;
    e->n = n;
    for (unsigned i = 0; i < n; i++) {
        worker *w = &e->w[i];
        w->e = e;
        w->idx = i;
        w->next_s = i;
        w->cap = cfg->sc->max_active / n + 1;
        w->token_rate = cfg->sc->max_rps > 0 ? cfg->sc->max_rps / n : 0;
        w->tokens = 1;
        w->token_at = cfg->start_ns;
        w->m = metrics_new(cfg->sc->n_routes, cfg->start_wall, n_secs);
        w->slots = calloc(w->cap, sizeof *w->slots);
        size_t wst = cfg->ws ? wsess_timers_needed(cfg->ws, i, n) : 0;
        w->l = w->m && w->slots ? loop_new(w->cap + 8 + wst, err) : NULL;
        if (w->l && cfg->ws && cfg->ws->n &&
            !(w->wsw = wsess_worker_new(cfg->sc, cfg->ws, w->l, w->m, cfg->start_ns, i, n, err))) {
            loop_free(w->l);
            w->l = NULL;
        }
        /* pooled: a pool of pool_size connections per process, split over workers (a burst
         * then queues for a connection instead of opening thousands); per-session: one
         * connection per active session. */
        long pool = cfg->sc->per_session_conn ? (long)w->cap + 16
                                              : (long)(cfg->sc->pool_size + n - 1) / (long)n;
        sc_http_transport(cfg->sc, &w->tr);
        w->max_inflight = cfg->sc->per_session_conn
                              ? 0
                              : (size_t)pool * (size_t)(w->tr.multiplex ? cfg->sc->max_streams : 1);
        w->h1_max = w->tr.multiplex && !cfg->sc->per_session_conn ? (size_t)pool : 0;
        if (!w->l ||
            http_init(&w->h, w->l, on_done, w, pool, cfg->sc->per_session_conn ? 0 : pool, err) ||
            http_set_transport(&w->h, &w->tr, err)) {
            if (!w->l && (!w->m || !w->slots))
                st_err(err, ST_ENOMEM, "out of memory");
            for (unsigned j = 0; j <= i; j++)
                worker_term(&e->w[j]);
            free(e->w);
            free(e);
            return NULL;
        }
    }
    for (unsigned i = 0; i < n; i++) {
        if (pthread_create(&e->w[i].th, NULL, worker_main, &e->w[i]) != 0) {
            st_err(err, ST_EENV, "cannot start worker thread %u", i);
            atomic_store(&e->stop, 1);
            for (unsigned j = 0; j < i; j++)
                pthread_join(e->w[j].th, NULL);
            for (unsigned j = 0; j < n; j++)
                worker_term(&e->w[j]);
            free(e->w);
            free(e);
            return NULL;
        }
    }
    return e;
}

void engine_stop(engine *e)
{
    atomic_store(&e->stop, 1);
}

int engine_finished(engine *e)
{
    for (unsigned i = 0; i < e->n; i++)
        if (!atomic_load(&e->w[i].finished))
            return 0;
    return 1;
}

metrics *engine_join(engine *e, int *failed, char *err)
{
    metrics *m;
    *failed = 0;
    for (unsigned i = 0; i < e->n; i++)
        pthread_join(e->w[i].th, NULL);
    m = metrics_new(e->cfg.sc->n_routes, e->cfg.start_wall, e->w[0].m->n_secs);
    for (unsigned i = 0; i < e->n; i++) {
        if (m)
            metrics_merge(m, e->w[i].m);
        if (e->w[i].failed && !*failed) {
            *failed = 1;
            snprintf(err, ST_ERRLEN, "%s", e->w[i].err);
        }
        worker_term(&e->w[i]);
    }
    free(e->w);
    free(e);
    return m;
}
