/*
 * engine.c -- worker threads, sessions and requests (see engine.h).
 *
 * Slot states: FREE (on the free list) -> WAITING (timer armed for the next request's
 * intended time, or a --max-rps token) -> [QUEUED (pooled mode: every pooled connection is
 * busy; FIFO of ready requests, sent as transfers finish)] -> IN_FLIGHT (handle added to the
 * multi) -> back to WAITING for the next request, or FREE when the session has sent its last.
 * The ready queue is ours rather than libcurl's pending list: libcurl 7.88 rescans pending
 * transfers, which turned a short stall into a collapse at a few thousand queued requests.
 * All transitions happen in send_next() and on_done().
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
#include "uaclass.h"
#include "wsess.h"

#define HDR_ROWS (SC_MAX_HEADERS * 2 + 5)
#define BODY_CAP (1u << 20)
#define HDRS_CAP (64u << 10)

enum slot_state { SLOT_FREE = 0, SLOT_WAITING, SLOT_QUEUED, SLOT_IN_FLIGHT };

typedef struct worker worker;
typedef struct slot slot;

/* What a request needs only while it is in flight: a reused libcurl easy handle and the
 * buffers it points into. Pooled per worker, so waiting sessions cost no buffers. */
typedef struct reqctx {
    CURL *easy;
    slot *s;
    uint64_t bytes;
    int want_body, want_hdrs;
    char iface[24];            /* the CURLOPT_INTERFACE last set on easy ("" = none) */
    struct reqctx *next_free;
    dbuf body_in, hdrs_in;
    char url[4096];
    char body[8192];
    char hdr[HDR_ROWS][512];
    struct curl_slist nodes[HDR_ROWS];
} reqctx;

/* A session in progress (small: sessions far outnumber requests in flight). */
struct slot {
    worker *w;
    loop_timer timer;
    int state;
    uint32_t sess, k;          /* plan session index, next request index within it */
    int blocked;               /* the request became due while the previous was in flight */
    int throttled;             /* already counted as throttled */
    uint64_t intended, sent_at;
    uint64_t trace_hi, trace_lo;
    reqctx *rc;                /* while in flight */
    slot *next_free;           /* free list, or the ready queue */
    char *cookies;             /* the session's cookie jar between requests (Netscape lines) */
    tmpl_vars *vars;
    sc_client cl;              /* address and User-Agent, built once per session */
    CURLSH *share;             /* per-session HTTP/2: own connection cache, never another's */
};

struct worker {
    struct engine *e;
    unsigned idx;
    pthread_t th;
    loop *l;
    http h;
    http_transport tr;
    metrics *m;
    slot **slots;              /* allocated lazily, up to cap */
    size_t n_slots, cap, active;
    slot *free_list;
    reqctx **rcs;              /* all request contexts, for cleanup */
    size_t n_rcs, cap_rcs;
    reqctx *rc_free;
    slot *rq_head, *rq_tail;   /* ready queue (pooled mode) */
    size_t inflight, max_inflight, h1_max; /* 0 = unlimited; h1_max: the cap if pooled h2 gets 1.1 */
    loop_timer arrival;
    wsess_worker *wsw;         /* this worker's WebSocket sessions, or NULL */
    uint64_t ws_pub;           /* its open WebSockets as last added to live->ws_open */
    size_t next_s;             /* next plan session index for this worker */
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
    atomic_int stop;
};

static uint64_t H_TRACE, H_SPAN;

static uint64_t intended_ns(const worker *w, const plan_req *q)
{
    return w->e->cfg.start_ns + (uint64_t)llround(q->t * 1e9);
}

static void live_add(atomic_uint_fast64_t *a, uint64_t v)
{
    atomic_fetch_add_explicit(a, v, memory_order_relaxed);
}

static size_t on_body(char *p, size_t sz, size_t n, void *arg)
{
    reqctx *s = arg;
    s->bytes += sz * n;
    if (s->want_body)
        dbuf_add(&s->body_in, p, sz * n); /* past the cap the capture is truncated */
    return sz * n;
}

static size_t on_header(char *p, size_t sz, size_t n, void *arg)
{
    reqctx *s = arg;
    if (s->want_hdrs)
        dbuf_add(&s->hdrs_in, p, sz * n);
    return sz * n;
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
    loop_timer_init(&s->timer, on_slot_timer, s);
    w->slots[w->n_slots++] = s;
    return s;
}

static reqctx *rc_get(worker *w)
{
    const scenario *sc = w->e->cfg.sc;
    reqctx *r = w->rc_free;
    if (r) {
        w->rc_free = r->next_free;
        return r;
    }
    if (w->n_rcs == w->cap_rcs) {
        size_t nc = w->cap_rcs ? w->cap_rcs * 2 : 64;
        reqctx **nr = realloc(w->rcs, nc * sizeof *nr);
        if (!nr)
            return NULL;
        w->rcs = nr;
        w->cap_rcs = nc;
    }
    if (!(r = calloc(1, sizeof *r)) || !(r->easy = curl_easy_init())) {
        free(r);
        return NULL;
    }
    dbuf_init(&r->body_in, BODY_CAP);
    dbuf_init(&r->hdrs_in, HDRS_CAP);
    http_easy_setup(&w->h, r->easy);
    curl_easy_setopt(r->easy, CURLOPT_PRIVATE, r);
    curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(r->easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(r->easy, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(r->easy, CURLOPT_TIMEOUT_MS, (long)(sc->timeout * 1000));
    curl_easy_setopt(r->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)(sc->connect_timeout * 1000));
    /* Safety: never follow a redirect away from the target, never a proxy from the
     * environment (this also spares libcurl three getenv() per request). */
    curl_easy_setopt(r->easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(r->easy, CURLOPT_PROXY, "");
    if (sc->cookies)
        curl_easy_setopt(r->easy, CURLOPT_COOKIEFILE, "");
    w->rcs[w->n_rcs++] = r;
    return r;
}

static void rc_put(worker *w, reqctx *r)
{
    r->s = NULL;
    r->next_free = w->rc_free;
    w->rc_free = r;
}

static void slot_put(worker *w, slot *s)
{
    s->state = SLOT_FREE;
    free(s->cookies);
    s->cookies = NULL;
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

static void set_method(CURL *c, const char *m, const char *body, int has_body)
{
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
    if (!strcmp(m, "GET")) {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    } else if (!strcmp(m, "HEAD")) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, has_body ? body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, has_body ? (long)strlen(body) : 0L);
        if (strcmp(m, "POST") != 0)
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m);
    }
}

static void next_request(worker *w, slot *s, uint64_t now);

static void hex16(char *o, uint64_t v)
{
    static const char d[] = "0123456789abcdef";
    for (int i = 15; i >= 0; i--, v >>= 4)
        o[i] = d[v & 15];
}

/* "traceparent: 00-<trace>-<span>-01" (W3C Trace Context): one trace per session, one span
 * per request. Hand-formatted: it is on every request. */
static void traceparent(char *o, uint64_t hi, uint64_t lo, uint64_t span)
{
    memcpy(o, "traceparent: 00-", 16);
    hex16(o + 16, hi);
    hex16(o + 32, lo);
    o[48] = '-';
    hex16(o + 49, span);
    memcpy(o + 65, "-01", 4);
}

/* Sends request s->k of the session now (or re-arms for a --max-rps token). */
static void send_now(worker *w, slot *s)
{
    const engine_cfg *cfg = &w->e->cfg;
    const plan *p = cfg->p;
    const plan_session *ps = &p->s[s->sess];
    const plan_req *q = &p->r[ps->first_req + s->k];
    const sc_route *r = &cfg->sc->routes[q->route];
    uint64_t now = st_now_ns(), retry;
    size_t nh = 0;
    long sec = (long)floor(q->t);
    if (w->max_inflight && w->inflight >= w->max_inflight) {
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
    reqctx *rc = rc_get(w);
    if (!rc) {
        w->failed = 1;
        st_err(w->err, ST_ENOMEM, "out of memory for request buffers");
        engine_stop(w->e);
        abandon(w, s);
        return;
    }
    if (plan_render(cfg->sc, p, q, s->vars, 0, rc->url, sizeof rc->url, rc->body, sizeof rc->body,
                    rc->hdr, &nh)) {
        /* Cannot happen for plans that `replay plan` rendered; count it as an error. */
        rc_put(w, rc);
        metrics_record(w->m, q->route, 0, ERR_OTHER, 0, 0, sec, 0);
        live_add(&cfg->live->errors, 1);
        s->k++;
        next_request(w, s, now);
        return;
    }
    if (cfg->sc->traceparent && nh < HDR_ROWS - 2)
        traceparent(rc->hdr[nh++], s->trace_hi, s->trace_lo,
                    rng_u64(cfg->sc->seed, H_SPAN, rng_mix(ps->id, s->k)) | 1);
    if (r->has_body && nh < HDR_ROWS - 1)
        snprintf(rc->hdr[nh++], sizeof rc->hdr[0], "Expect:");
    for (size_t i = 0; i < nh; i++)
        rc->nodes[i].data = rc->hdr[i];
    if (s->cl.ip_hdr[0]) /* the session's client rows, built at its start: no copy */
        rc->nodes[nh++].data = s->cl.ip_hdr;
    if (s->cl.ua_hdr[0])
        rc->nodes[nh++].data = s->cl.ua_hdr;
    for (size_t i = 0; i < nh; i++)
        rc->nodes[i].next = i + 1 < nh ? &rc->nodes[i + 1] : NULL;
    if (s->cl.iface[0] && strcmp(rc->iface, s->cl.iface)) {
        /* libcurl matches reusable connections by interface too, so a session never gets
         * another client's connection; set only when the handle's value changes. */
        curl_easy_setopt(rc->easy, CURLOPT_INTERFACE, s->cl.iface);
        memcpy(rc->iface, s->cl.iface, sizeof rc->iface);
    }
    curl_easy_setopt(rc->easy, CURLOPT_URL, rc->url);
    curl_easy_setopt(rc->easy, CURLOPT_HTTPHEADER, nh ? rc->nodes : NULL);
    set_method(rc->easy, r->method, rc->body, r->has_body);
    if (s->share)
        curl_easy_setopt(rc->easy, CURLOPT_SHARE, s->share);
    if (cfg->sc->per_session_conn) {
        curl_easy_setopt(rc->easy, CURLOPT_FRESH_CONNECT, s->k == 0 ? 1L : 0L);
        curl_easy_setopt(rc->easy, CURLOPT_FORBID_REUSE, s->k + 1 == ps->n_req ? 1L : 0L);
        if (w->tr.reuse_version)
            curl_easy_setopt(rc->easy, CURLOPT_HTTP_VERSION, s->k ? w->tr.reuse_version : w->tr.version);
    }
    if (cfg->sc->cookies) /* the easy handle is shared between sessions */
        cookiejar_load(rc->easy, s->cookies);
    rc->s = s;
    s->rc = rc;
    rc->want_body = r->needs_body;
    rc->want_hdrs = r->needs_headers;
    dbuf_reset(&rc->body_in);
    dbuf_reset(&rc->hdrs_in);
    rc->bytes = 0;
    s->sent_at = st_now_ns();
    if (s->blocked) {
        w->m->blocked_sends++;
    } else {
        uint64_t late = s->sent_at > s->intended ? (s->sent_at - s->intended) / 1000 : 0;
        hist_record(w->m->lateness, late);
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
    s->state = SLOT_IN_FLIGHT;
    w->inflight++;
    if (http_add(&w->h, rc->easy)) {
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
    s->state = SLOT_WAITING;
    if (s->intended <= now)
        send_now(w, s);
    else
        loop_timer_set(w->l, &s->timer, s->intended);
}

static void on_slot_timer(loop *l, void *arg)
{
    slot *s = arg;
    (void)l;
    if (s->state == SLOT_WAITING && s->intended <= st_now_ns() + 1000)
        send_now(s->w, s);
    else
        next_request(s->w, s, st_now_ns());
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
        curl_easy_getinfo(s->rc->easy, CURLINFO_RESPONSE_CODE, &status);
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
    if (metrics_record(w->m, q->route, cls, err, lat, svc, (long)floor(q->t), s->rc->bytes) && !w->failed) {
        w->failed = 1;
        st_err(w->err, ST_ENOMEM, "out of memory for histograms");
    }
    if (rc == CURLE_OK && (r->check.present || r->n_captures)) {
        reqctx *x = s->rc;
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
    reqctx *r = NULL;
    slot *s;
    uint64_t now = st_now_ns();
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&r);
    s = r->s;
    http_remove(&w->h, easy);
    w->inflight--;
    finish(w, s, rc, now);
    if (w->e->cfg.sc->cookies)
        cookiejar_save(&s->cookies, easy);
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
    scenario_client_build(cfg->sc, ps->client, &s->cl);
    s->vars->client_ip = s->cl.ip[0] ? s->cl.ip : NULL;
    s->vars->user_agent = cfg->sc->ua_model ? ua_class_example((enum ua_class)s->cl.ua_class) : NULL;
    s->trace_hi = rng_u64(cfg->sc->seed, H_TRACE, rng_mix(ps->id, 1));
    s->trace_lo = rng_u64(cfg->sc->seed, H_TRACE, rng_mix(ps->id, 2)) | 1;
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
        if (w->active == 0 && (w->stopping || w->next_s >= cfg->p->n_s) && wsess_worker_idle(w->wsw))
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
    for (size_t i = 0; w->rcs && i < w->n_rcs; i++) {
        reqctx *r = w->rcs[i];
        if (r->s)
            http_remove(&w->h, r->easy);
        curl_easy_cleanup(r->easy);
        dbuf_free(&r->body_in);
        dbuf_free(&r->hdrs_in);
        free(r);
    }
    free(w->rcs);
    for (size_t i = 0; w->slots && i < w->n_slots; i++) {
        free(w->slots[i]->cookies);
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
    H_TRACE = rng_stream_id("replay.traceparent.trace");
    H_SPAN = rng_stream_id("replay.traceparent.span");
    if (!e || !(e->w = calloc(n, sizeof *e->w))) {
        free(e);
        st_err(err, ST_ENOMEM, "out of memory");
        return NULL;
    }
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
        w->max_inflight = cfg->sc->per_session_conn ? 0
                          : (size_t)pool * (size_t)(w->tr.multiplex ? cfg->sc->max_streams : 1);
        w->h1_max = w->tr.multiplex && !cfg->sc->per_session_conn ? (size_t)pool : 0;
        if (!w->l || http_init(&w->h, w->l, on_done, w, pool, cfg->sc->per_session_conn ? 0 : pool, err) ||
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
