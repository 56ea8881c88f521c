/*
 * wsess.c -- WebSocket sessions on a worker's loop (see wsess.h).
 */
#include "wsess.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loop_ws.h"

enum { WSS_PENDING = 0, WSS_LIVE, WSS_WAIT, WSS_DONE };

typedef struct wsess {
    struct wsess_worker *x;
    uint32_t item; /* wsplan index */
    uint8_t state;
    uint8_t closing;   /* our close: WSE_* + 1; 0 = none */
    uint8_t opened;    /* this connection reached OPEN */
    uint8_t dead;      /* the connection ended: free it at the end timer */
    uint8_t reconnect; /* reconnect after freeing it */
    uint16_t attempt;
    uint32_t msg_k;
    uint64_t end_ns; /* planned end, monotonic */
    ws_conn *c;
    loop_ws a;
    loop_timer t_end, t_msg;
} wsess;

struct wsess_worker {
    const scenario *sc;
    const wsplan *wp;
    loop *l;
    metrics *m;
    uint64_t start_ns;
    uint64_t msg_key; /* rng_stream_id("replay.ws.message"): the message gaps' stream */
    unsigned idx, n;
    wsess *s;
    size_t n_s, next, live; /* sessions of this worker; next to open; not DONE */
    uint64_t open_now;
    int stopping;
    loop_timer t_open;
    tmpl_vars *vars;
    sc_client cl; /* the client of the session being rendered (client_of) */
    char url[4096], sub[8192], msg[8192];
    char hdr[WSPLAN_MAX_HEADERS][512];
    const char *hdr_line[WSPLAN_MAX_HEADERS + 1];
};

static long sec_now(const wsess_worker *x, uint64_t now)
{
    return now < x->start_ns ? -1 : (long)((now - x->start_ns) / 1000000000u);
}

static mx_second *second(wsess_worker *x, uint64_t now)
{
    long s = sec_now(x, now);
    return s >= 0 && (size_t)s < x->m->n_secs ? &x->m->secs[s] : NULL;
}

static void gauge(wsess_worker *x, uint64_t now)
{
    mx_second *s = second(x, now);
    if (s) {
        s->ws_open = (uint32_t)x->open_now;
        s->ws_set = 1;
    }
}

static const wsplan_item *item_of(const wsess *s)
{
    return &s->x->wp->w[s->item];
}

/* Session s's client, built into the worker's scratch for the render at hand (the vars'
 * {client_ip}/{user_agent} borrow it): once per open or message, never per frame. */
static const sc_client *client_of(wsess *s)
{
    wsplan_client(s->x->sc, s->x->wp, s->item, &s->x->cl);
    return &s->x->cl;
}

/* Adds a finished connection's message counters to the metrics. */
static void harvest(wsess *s)
{
    const ws_stats *st = ws_conn_stats(s->c);
    mx_ws *w = &s->x->m->ws;
    w->msgs_in += st->msgs_in;
    w->msgs_out += st->msgs_out;
    w->bytes_in += st->bytes_in;
    w->bytes_out += st->bytes_out;
}

static void release(wsess *s)
{
    if (!s->c)
        return;
    loop_ws_detach(&s->a);
    harvest(s);
    ws_conn_free(s->c);
    s->c = NULL;
}

static void done(wsess *s)
{
    loop_timer_cancel(s->x->l, &s->t_end);
    loop_timer_cancel(s->x->l, &s->t_msg);
    release(s);
    if (s->state != WSS_DONE) {
        s->state = WSS_DONE;
        s->x->live--;
    }
}

static void arm_msg(wsess *s, uint64_t now)
{
    const wsplan_item *it = item_of(s);
    double rate = s->x->sc->ws.msgs_per_min / 60;
    uint64_t u = rng_u64(s->x->sc->seed, s->x->msg_key, rng_mix(it->id, s->msg_k++));
    double gap = -log(((double)(u >> 11) + 0.5) / 9007199254740992.0) / rate;
    loop_timer_set(s->x->l, &s->t_msg, now + (uint64_t)(gap * 1e9));
}

static void on_open(ws_conn *c, void *user)
{
    wsess *s = user;
    wsess_worker *x = s->x;
    uint64_t now = st_now_ns();
    mx_second *sec = second(x, now);
    s->opened = 1;
    x->m->ws.opened++;
    if (!x->m->ws.handshake)
        x->m->ws.handshake = hist_new();
    if (x->m->ws.handshake)
        hist_record(x->m->ws.handshake, ws_conn_stats(c)->handshake_us);
    x->open_now++;
    if (sec)
        sec->ws_opened++;
    gauge(x, now);
    if (x->sc->ws.has_subscribe &&
        !wsplan_render(x->sc, x->wp, s->item, client_of(s), x->vars, 0, x->url, sizeof x->url,
                       x->sub, sizeof x->sub, NULL, 0))
        ws_conn_send(c, 0, x->sub, strlen(x->sub));
    if (x->sc->ws.msgs_per_min > 0)
        arm_msg(s, now);
}

/* A server push carrying "ts_ms" (the server's send time, epoch ms): its delay. */
static void on_message(ws_conn *c, int binary, const uint8_t *d, size_t len, void *user)
{
    wsess *s = user;
    wsess_worker *x = s->x;
    mx_second *sec = second(x, st_now_ns());
    static const char key[] = "\"ts_ms\":";
    (void)c;
    (void)binary;
    if (sec)
        sec->ws_msgs_in++;
    const uint8_t *p = len >= sizeof key ? memmem(d, len, key, sizeof key - 1) : NULL;
    if (!p)
        return;
    p += sizeof key - 1;
    while (p < d + len && *p == ' ')
        p++;
    uint64_t ts = 0;
    int digits = 0;
    while (p < d + len && *p >= '0' && *p <= '9' && digits < 18) {
        ts = ts * 10 + (uint64_t)(*p++ - '0');
        digits++;
    }
    if (!digits)
        return;
    uint64_t wall = st_wall_us(), sent = ts * 1000;
    if (!x->m->ws.push_delay)
        x->m->ws.push_delay = hist_new();
    if (x->m->ws.push_delay)
        hist_record(x->m->ws.push_delay, wall > sent ? wall - sent : 0);
    x->m->ws.pushes++;
}

/* A failed handshake: by HTTP status when the server answered ("HTTP 503 instead of 101",
 * ws_hs.c), else connect / timeout / other from the error text. */
static void count_hs_failure(mx_ws *w, const char *reason)
{
    const char *h = strstr(reason, "answered HTTP ");
    w->hs_failed++;
    if (h) {
        int st = 0;
        for (h += 14; *h >= '0' && *h <= '9' && st < MX_WS_STATUS; h++)
            st = st * 10 + (*h - '0');
        if (st > 0 && st < MX_WS_STATUS) {
            w->hs_status[st]++;
            return;
        }
    }
    if (strstr(reason, "imeout") || strstr(reason, "timed out"))
        w->hs_kind[WSF_TIMEOUT]++;
    else if (strstr(reason, "onnect"))
        w->hs_kind[WSF_CONNECT]++;
    else
        w->hs_kind[WSF_OTHER]++;
}

static void on_close(ws_conn *c, uint16_t code, const char *reason, void *user)
{
    wsess *s = user;
    wsess_worker *x = s->x;
    mx_ws *w = &x->m->ws;
    uint64_t now = st_now_ns();
    mx_second *sec = second(x, now);
    int unexpected = 0;
    if (s->opened) {
        x->open_now--;
        gauge(x, now);
        metrics_ws_close(x->m, code);
        if (s->closing) {
            w->ends[s->closing - 1]++;
        } else {
            w->ends[ws_conn_stats(c)->closed_by_peer ? WSE_SERVER_CLOSE : WSE_DROPPED]++;
            unexpected = 1;
        }
    } else if (s->closing) {
        w->aborted++; /* closed by us (stop, planned end) before the handshake completed */
    } else {
        count_hs_failure(w, reason);
        unexpected = 1;
    }
    if (unexpected) {
        w->errors++;
        if (sec)
            sec->ws_errors++;
    }
    s->dead = 1;
    s->reconnect = unexpected && !x->stopping && s->attempt < x->sc->ws.reconnect_max;
    loop_timer_cancel(x->l, &s->t_msg);
    loop_timer_set(x->l, &s->t_end, now);
}

static void on_pong(ws_conn *c, uint64_t rtt_ns, void *user)
{
    (void)c;
    (void)rtt_ns;
    (void)user;
}

static void open_conn(wsess *s, uint64_t now)
{
    wsess_worker *x = s->x;
    const sc_ws *cfg = &x->sc->ws;
    const wsplan_item *it = item_of(s);
    const sc_client *cl = client_of(s);
    ws_config wc;
    char err[ST_ERRLEN];
    memset(&wc, 0, sizeof wc);
    s->state = WSS_LIVE;
    s->opened = s->dead = s->closing = s->reconnect = 0;
    x->m->ws.attempts++;
    if (wsplan_render(x->sc, x->wp, s->item, cl, x->vars, 0, x->url, sizeof x->url, NULL, 0, NULL,
                      0) ||
        wsplan_render_headers(x->sc, x->wp, s->item, cl, x->vars, x->hdr, x->hdr_line)) {
        x->m->ws.hs_failed++;
        x->m->ws.hs_kind[WSF_OTHER]++;
        x->m->ws.errors++;
        done(s);
        return;
    }
    wc.url = x->url;
    wc.headers = x->hdr_line;
    /* --source-addrs: the socket connects from its session's address, as its requests do. */
    wc.interface = cl->iface[0] ? cl->iface : NULL;
    wc.ping_interval_ns = (uint64_t)(cfg->ping_interval * 1e9);
    wc.pong_timeout_ns = (uint64_t)(cfg->pong_timeout * 1e9);
    wc.handshake_timeout_ns = (uint64_t)(cfg->handshake_timeout * 1e9);
    /* wss:// trusts and presents what the scenario's HTTP requests do (scenario.tls); the upgrade
     * itself always uses HTTP/1.1 (ws_open.c), whatever http.version says. */
    wc.ca_file = x->sc->tls.ca_file[0] ? x->sc->tls.ca_file : NULL;
    wc.insecure = x->sc->tls.insecure;
    wc.client_cert = x->sc->tls.client_cert[0] ? x->sc->tls.client_cert : NULL;
    wc.client_key = x->sc->tls.client_key[0] ? x->sc->tls.client_key : NULL;
    wc.seed = x->sc->seed;
    wc.session_id = rng_mix(it->id, s->attempt);
    wc.cb.on_open = on_open;
    wc.cb.on_message = on_message;
    wc.cb.on_close = on_close;
    wc.cb.on_pong = on_pong;
    wc.user = s;
    if (!(s->c = ws_conn_new(&wc, err))) {
        x->m->ws.hs_failed++;
        x->m->ws.hs_kind[WSF_OTHER]++;
        x->m->ws.errors++;
        done(s);
        return;
    }
    ws_conn_start(s->c, err); /* a failure has called on_close already */
    if (loop_ws_attach(&s->a, x->l, s->c, err) && !s->dead) {
        /* Cannot watch the socket (epoll): give the connection up as a failed handshake. */
        s->closing = 0;
        x->m->ws.hs_failed++;
        x->m->ws.hs_kind[WSF_OTHER]++;
        x->m->ws.errors++;
        done(s);
        return;
    }
    if (!s->dead)
        loop_timer_set(x->l, &s->t_end, s->end_ns > now ? s->end_ns : now);
}

/* The end timer: free a dead connection (then reconnect or finish), reconnect after the
 * backoff, or close at the planned end. */
static void on_end(loop *l, void *arg)
{
    wsess *s = arg;
    wsess_worker *x = s->x;
    uint64_t now = st_now_ns();
    (void)l;
    if (s->state == WSS_LIVE && s->dead) {
        release(s);
        if (s->reconnect) {
            double b = fmin(x->sc->ws.reconnect_backoff * pow(2, s->attempt), 30);
            uint64_t at = now + (uint64_t)(b * 1e9);
            if (at < s->end_ns) {
                s->state = WSS_WAIT;
                loop_timer_set(x->l, &s->t_end, at);
                return;
            }
        }
        done(s);
    } else if (s->state == WSS_WAIT) {
        s->attempt++;
        x->m->ws.reconnects++;
        open_conn(s, now);
    } else if (s->state == WSS_LIVE && !s->closing) {
        char err[ST_ERRLEN];
        s->closing = (uint8_t)((item_of(s)->clipped ? WSE_RUN_END : WSE_PLANNED) + 1);
        ws_conn_close(s->c, WS_CLOSE_NORMAL, item_of(s)->clipped ? "run ends" : "done");
        if (s->c)
            loop_ws_sync(&s->a, err);
    }
}

static void on_msg(loop *l, void *arg)
{
    wsess *s = arg;
    wsess_worker *x = s->x;
    char err[ST_ERRLEN];
    (void)l;
    if (s->state != WSS_LIVE || s->dead || s->closing || !s->c || ws_conn_state(s->c) != WS_OPEN)
        return;
    if (wsplan_render(x->sc, x->wp, s->item, client_of(s), x->vars, 0, x->url, sizeof x->url,
                      x->sub, sizeof x->sub, x->msg, sizeof x->msg) == 0) {
        const char *m = x->sc->ws.has_message ? x->msg : x->sub;
        ws_conn_send(s->c, 0, m, strlen(m));
        loop_ws_sync(&s->a, err);
    }
    arm_msg(s, st_now_ns());
}

static void on_open_timer(loop *l, void *arg)
{
    wsess_worker *x = arg;
    uint64_t now = st_now_ns();
    int batch = 0;
    (void)l;
    while (!x->stopping && x->next < x->n_s) {
        wsess *s = &x->s[x->next];
        uint64_t at = x->start_ns + (uint64_t)llround(item_of(s)->open * 1e9);
        if (at > now + 1000) {
            loop_timer_set(x->l, &x->t_open, at);
            return;
        }
        if (++batch > 64) { /* let I/O run between batches of opens */
            loop_timer_set(x->l, &x->t_open, now);
            return;
        }
        x->next++;
        open_conn(s, now);
    }
}

size_t wsess_timers_needed(const wsplan *wp, unsigned idx, unsigned n)
{
    size_t k = wp->n > idx ? (wp->n - idx + n - 1) / n : 0;
    return 3 * k + 1;
}

wsess_worker *wsess_worker_new(const scenario *sc, const wsplan *wp, loop *l, metrics *m,
                               uint64_t start_ns, unsigned idx, unsigned n, char *err)
{
    wsess_worker *x = calloc(1, sizeof *x);
    if (!x)
        goto nomem;
    x->msg_key = rng_stream_id("replay.ws.message");
    x->sc = sc;
    x->wp = wp;
    x->l = l;
    x->m = m;
    x->start_ns = start_ns;
    x->idx = idx;
    x->n = n;
    x->n_s = wp->n > idx ? (wp->n - idx + n - 1) / n : 0;
    x->s = calloc(x->n_s ? x->n_s : 1, sizeof *x->s);
    x->vars = tmpl_vars_new(sc->names.n_vars);
    if (!x->s || !x->vars)
        goto nomem;
    m->has_ws = sc->ws.mode != SCWS_NONE;
    m->ws.planned = x->n_s;
    x->live = x->n_s;
    for (size_t i = 0; i < x->n_s; i++) {
        wsess *s = &x->s[i];
        s->x = x;
        s->item = (uint32_t)(idx + i * n);
        s->end_ns = start_ns + (uint64_t)llround((wp->w[s->item].open + wp->w[s->item].dur) * 1e9);
        loop_timer_init(&s->t_end, on_end, s);
        loop_timer_init(&s->t_msg, on_msg, s);
    }
    loop_timer_init(&x->t_open, on_open_timer, x);
    return x;
nomem:
    wsess_worker_free(x);
    st_err(err, ST_ENOMEM, "out of memory (WebSocket sessions)");
    return NULL;
}

void wsess_worker_begin(wsess_worker *x)
{
    if (x && x->n_s)
        loop_timer_set(x->l, &x->t_open,
                       x->start_ns + (uint64_t)llround(x->wp->w[x->s[0].item].open * 1e9));
}

void wsess_worker_stop(wsess_worker *x)
{
    char err[ST_ERRLEN];
    if (!x || x->stopping)
        return;
    x->stopping = 1;
    loop_timer_cancel(x->l, &x->t_open);
    for (size_t i = x->next; i < x->n_s; i++) /* never opened */
        if (x->s[i].state == WSS_PENDING) {
            x->s[i].state = WSS_DONE;
            x->live--;
        }
    for (size_t i = 0; i < x->next; i++) {
        wsess *s = &x->s[i];
        if (s->state == WSS_WAIT) {
            done(s);
        } else if (s->state == WSS_LIVE && !s->dead) {
            if (!s->closing)
                s->closing = WSE_INTERRUPTED + 1;
            s->reconnect = 0;
            loop_timer_cancel(x->l, &s->t_msg);
            ws_conn_close(s->c, WS_CLOSE_GOING_AWAY, "going away");
            if (s->c && !s->dead)
                loop_ws_sync(&s->a, err);
        } else if (s->state == WSS_LIVE) {
            s->reconnect = 0;
        }
    }
}

int wsess_worker_idle(const wsess_worker *x)
{
    return !x || x->live == 0;
}

void wsess_worker_abort(wsess_worker *x)
{
    uint64_t now = st_now_ns();
    if (!x)
        return;
    for (size_t i = 0; i < x->n_s; i++) {
        wsess *s = &x->s[i];
        if (s->state == WSS_LIVE && s->c && !s->dead && s->opened) {
            x->open_now--;
            x->m->ws.ends[WSE_CUT]++;
            metrics_ws_close(x->m, WS_CLOSE_ABNORMAL);
        }
        if (s->state != WSS_DONE)
            done(s);
    }
    gauge(x, now);
}

void wsess_worker_finish(wsess_worker *x)
{
    uint32_t last = 0;
    if (!x)
        return;
    for (size_t i = 0; i < x->m->n_secs; i++) {
        mx_second *s = &x->m->secs[i];
        if (s->ws_set)
            last = s->ws_open;
        else
            s->ws_open = last;
    }
}

uint64_t wsess_worker_open(const wsess_worker *x)
{
    return x ? x->open_now : 0;
}

void wsess_worker_free(wsess_worker *x)
{
    if (!x)
        return;
    for (size_t i = 0; x->s && i < x->n_s; i++)
        release(&x->s[i]);
    free(x->s);
    free(x->vars);
    free(x);
}
