/*
 * ws.c -- an open client WebSocket session: wslay framing, keepalive, closing (see ws.h).
 *
 * Layout: teardown, set_state (the only writer of c->state) and the transitions that call it
 * (finish, check_closed, opening_io, go_open), the wslay callbacks, then the public
 * functions. Direction: this file calls ws_open.c (libcurl connect, Upgrade handshake: each
 * step returns where the session should go, and opening_io moves it) and ws_io.c (the socket
 * I/O edge, the error text); neither calls back. The struct is in ws_int.h.
 *
 * Memory: an idle open session holds this struct, wslay's context and (for wss:// or
 * keep_curl) libcurl's handles; the close reason and error text are allocated only when
 * needed.
 */
#include "ws_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- teardown ----------------------------------------------------------------------- */

static void release_io(ws_conn *c)
{
    if (c->ws)
        wslay_event_context_free(c->ws);
    c->ws = NULL;
    int own_fd = c->detached || !c->easy;
    ws__release_curl(c);
    if (own_fd && c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    free(c->pending);
    c->pending = NULL;
    while (c->frags) {
        struct frag *f = c->frags;
        c->frags = f->next;
        free(f);
    }
    ws__free_hs(c->hs);
    c->hs = NULL;
}

static void set_reason(ws_conn *c, const char *r, size_t n)
{
    if (n > WS_REASON_MAX)
        n = WS_REASON_MAX;
    char *p = realloc(c->reason, n + 1);
    if (!p)
        return;
    memcpy(p, r, n);
    p[n] = '\0';
    c->reason = p;
}

/* The one function that changes c->state (ws.h lists the transitions at ws_state). Entering a
 * state arms the timers that belong to it and disarms the others; what else a transition
 * does (callbacks, releasing I/O) is up to its caller. */
static void set_state(ws_conn *c, ws_state to)
{
    switch (to) {
    case WS_CONNECTING: /* the initial state (ws_conn_new); never re-entered */
    case WS_HANDSHAKE: /* hs_deadline, armed by ws_conn_start, still runs */ break;
    case WS_OPEN:
        c->hs_deadline = WS_DEADLINE_NONE;
        if (c->ping_interval)
            c->next_ping = st_now_ns() + c->ping_interval;
        break;
    case WS_CLOSING:
        c->next_ping = c->pong_deadline = WS_DEADLINE_NONE;
        /* Re-entered when the second close frame passes: the first deadline still holds. */
        if (c->state == WS_OPEN || c->close_deadline == WS_DEADLINE_NONE)
            c->close_deadline = st_now_ns() + c->close_timeout;
        break;
    case WS_CLOSED:
    case WS_FAILED:
        c->next_ping = c->pong_deadline = c->close_deadline = c->hs_deadline = WS_DEADLINE_NONE;
        break;
    }
    c->state = to;
}

/* The one place sessions end: into CLOSED or FAILED, releasing I/O, then on_close once. */
static void finish(ws_conn *c, ws_state to, uint16_t code, const char *reason)
{
    if (c->state == WS_CLOSED || c->state == WS_FAILED)
        return;
    if (reason && reason != c->reason)
        set_reason(c, reason, strlen(reason));
    set_state(c, to);
    c->st.close_code = code;
    release_io(c);
    /* A failure's reason is the full error text, not a wire close reason (<= 123 bytes). */
    const char *why = to == WS_FAILED && c->errtext ? c->errtext : c->reason ? c->reason : "";
    if (c->started && c->cb.on_close)
        c->cb.on_close(c, code, why, c->user);
}

/* Fails a session that has not opened (or hit a local error). Returns rc. */
static int fail(ws_conn *c, int rc)
{
    c->rc = rc;
    if (!c->errtext)
        ws__set_error(c, rc, "websocket: failed");
    finish(c, WS_FAILED, WS_CLOSE_ABNORMAL, NULL);
    return rc;
}

static const char *code_text(uint16_t code)
{
    switch (code) {
    case 1000: return "normal closure";
    case 1001: return "going away";
    case 1002: return "protocol error";
    case 1003: return "unsupported data";
    case 1007: return "invalid payload data";
    case 1008: return "policy violation";
    case 1009: return "message too big";
    case 1011: return "internal error";
    default: return "";
    }
}

/* After any wslay call: moves OPEN -> CLOSING -> CLOSED as the close frames pass. */
static void check_closed(ws_conn *c)
{
    if (!c->ws || c->state >= WS_CLOSED)
        return;
    int rcv = wslay_event_get_close_received(c->ws);
    int snt = wslay_event_get_close_sent(c->ws);
    if (rcv && !snt && !c->local_close && !c->peer_first)
        c->peer_first = 1;
    if (c->await_eof)
        return;
    if ((rcv && snt) || (snt && !wslay_event_get_read_enabled(c->ws))) {
        uint16_t code;
        if (c->peer_first) {
            code = c->rcv_code;
            c->st.closed_by_peer = 1;
        } else {
            code = wslay_event_get_status_code_sent(c->ws);
            if (!c->reason)
                set_reason(c, code_text(code), strlen(code_text(code)));
        }
        if (rcv && snt && !c->eof) {
            /* RFC 6455 §7.1.1: the server should close TCP first, so that TIME_WAIT stays on
             * its side and not on our ephemeral ports; wait for that (up to the close
             * timeout). When we failed the connection (read shut), we close at once. */
            c->await_eof = 1;
            c->final_code = code;
            set_state(c, WS_CLOSING);
            return;
        }
        finish(c, WS_CLOSED, code, NULL);
        return;
    }
    if ((rcv || snt || c->local_close) && c->state == WS_OPEN)
        set_state(c, WS_CLOSING);
}

/* An I/O failure while OPEN/CLOSING: the peer's close frame counts if it came, else 1006. */
static void io_failed(ws_conn *c, const char *what)
{
    if (c->ws && wslay_event_get_close_received(c->ws)) {
        if (!c->local_close)
            c->st.closed_by_peer = 1;
        finish(c, WS_CLOSED, c->rcv_code, NULL);
        return;
    }
    finish(c, WS_CLOSED, WS_CLOSE_ABNORMAL, what);
}

/* ---- wslay callbacks ---------------------------------------------------------------- */

static ssize_t wsl_recv(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags,
                        void *user)
{
    ws_conn *c = user;
    if (c->pending) {
        size_t n = c->pending_len - c->pending_off;
        if (n > len)
            n = len;
        memcpy(buf, c->pending + c->pending_off, n);
        c->pending_off += n;
        if (c->pending_off == c->pending_len) {
            free(c->pending);
            c->pending = NULL;
        }
        return (ssize_t)n;
    }
    size_t got;
    int r = ws__io_recv(c, buf, len, &got);
    if (r == IO_OK)
        return (ssize_t)got;
    if (r == IO_AGAIN) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    if (r == IO_EOF)
        c->eof = 1;
    wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
    return -1;
}

static ssize_t wsl_send(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags,
                        void *user)
{
    ws_conn *c = user;
    size_t sent;
    /* wslay writes a frame's header and its payload in separate calls, flagging the
     * header WSLAY_MSG_MORE: MSG_MORE lets the kernel put both in one segment. */
    int r = ws__io_send(c, data, len, &sent, (flags & WSLAY_MSG_MORE) != 0);
    if (r == IO_OK)
        return (ssize_t)sent;
    wslay_event_set_error(ctx, r == IO_AGAIN ? WSLAY_ERR_WOULDBLOCK : WSLAY_ERR_CALLBACK_FAILURE);
    return -1;
}

static int wsl_genmask(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, void *user)
{
    ws_conn *c = user;
    /* RFC 6455 §5.3: masking keys must be unpredictable to the server's intermediaries; a
     * seeded Philox stream is, and keeps runs reproducible. */
    for (size_t i = 0; i < len; i += 8) {
        uint64_t v = rng_next_u64(&c->rng);
        size_t n = len - i < 8 ? len - i : 8;
        memcpy(buf + i, &v, n);
    }
    return 0;
}

static void wsl_frame_start(wslay_event_context_ptr ctx,
                            const struct wslay_event_on_frame_recv_start_arg *arg, void *user)
{
    ws_conn *c = user;
    if (arg->payload_length > c->max_frame && !(arg->opcode & 0x8)) {
        /* RFC 6455 §7.4.1: 1009 for a message (here: a frame) too big to process. */
        c->local_close = 1;
        set_reason(c, "frame too big", 13);
        wslay_event_queue_close(ctx, WS_CLOSE_TOO_BIG, (const uint8_t *)"frame too big", 13);
        wslay_event_shutdown_read(ctx);
    }
}

static void wsl_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg,
                    void *user)
{
    ws_conn *c = user;
    switch (arg->opcode) {
    case WSLAY_TEXT_FRAME:
    case WSLAY_BINARY_FRAME:
        c->st.msgs_in++;
        c->st.bytes_in += arg->msg_length;
        if (c->cb.on_message)
            c->cb.on_message(c, arg->opcode == WSLAY_BINARY_FRAME, arg->msg, arg->msg_length,
                             c->user);
        break;
    case WSLAY_CONNECTION_CLOSE:
        c->rcv_code = arg->status_code ? arg->status_code : 1005; /* §7.1.5: no status */
        if (!wslay_event_get_close_sent(ctx) && !c->local_close) {
            c->peer_first = 1;
            if (arg->msg_length > 2)
                set_reason(c, (const char *)arg->msg + 2, arg->msg_length - 2);
        }
        break;
    case WSLAY_PONG: {
        uint64_t rtt = 0;
        c->st.pongs_in++;
        if (arg->msg_length == 8 && c->ping_sent_ns && memcmp(arg->msg, &c->ping_sent_ns, 8) == 0) {
            rtt = st_now_ns() - c->ping_sent_ns;
            c->ping_sent_ns = 0;
            c->pong_deadline = WS_DEADLINE_NONE;
        }
        if (c->cb.on_pong)
            c->cb.on_pong(c, rtt, c->user);
        break;
    }
    default: break;
    }
}

/* The 101 was verified and hs->resp holds hdr_len bytes of headers, then perhaps the first
 * frames: keeps those for wslay, frees the handshake state, releases libcurl for ws://
 * (unless keep_curl), starts wslay, enters OPEN and calls on_open. Returns 0 or ST_E*. */
static int go_open(ws_conn *c, size_t hdr_len)
{
    const struct hs *h = c->hs;
    size_t extra = h->resp.len - hdr_len;
    if (extra) {
        c->pending = malloc(extra);
        if (!c->pending)
            return fail(c, ws__set_error(c, ST_ENOMEM, "websocket: out of memory"));
        memcpy(c->pending, h->resp.p + hdr_len, extra);
        c->pending_len = extra;
        c->pending_off = 0;
    }
    ws__free_hs(c->hs);
    c->hs = NULL;
    if (!c->tls && !c->keep_curl) {
        c->detached = 1;
        ws__release_curl(c);
    }
    struct wslay_event_callbacks cbs = {
        .recv_callback = wsl_recv,
        .send_callback = wsl_send,
        .genmask_callback = wsl_genmask,
        .on_frame_recv_start_callback = wsl_frame_start,
        .on_msg_recv_callback = wsl_msg,
    };
    if (wslay_event_context_client_init(&c->ws, &cbs, c) != 0)
        return fail(c, ws__set_error(c, ST_ENOMEM, "websocket: out of memory"));
    wslay_event_config_set_max_recv_msg_length(c->ws, c->max_message);
    c->st.handshake_us = (st_now_ns() - c->st.start_ns) / 1000;
    set_state(c, WS_OPEN);
    if (c->cb.on_open)
        c->cb.on_open(c, c->user);
    return 0;
}

/* CONNECTING and HANDSHAKE: one libcurl step on socket s with CURL_CSELECT_* bits ev
 * (CURL_SOCKET_TIMEOUT for timers; skipped once connected), then as much of the Upgrade
 * exchange as the socket allows. Moves the session to HANDSHAKE, OPEN or FAILED as
 * ws_open.c reports. Returns 0 or the failure's ST_E*. */
static int opening_io(ws_conn *c, curl_socket_t s, int ev)
{
    int r = 0;
    if (c->state == WS_CONNECTING) {
        r = ws__connect_step(c, s, ev);
        if (r == WS_STEP_CONNECTED)
            set_state(c, WS_HANDSHAKE);
    }
    if (r >= 0 && c->state == WS_HANDSHAKE) {
        size_t hdr_len = 0;
        r = ws__handshake_io(c, &hdr_len);
        if (r == WS_STEP_UPGRADED)
            return go_open(c, hdr_len);
    }
    return r < 0 ? fail(c, r) : 0;
}

ws_conn *ws_conn_new(const ws_config *cfg, char *err)
{
    ws_conn *c = calloc(1, sizeof *c);
    if (!c) {
        st_err(err, ST_ENOMEM, "websocket: out of memory");
        return NULL;
    }
    c->fd = -1;
    c->state = WS_CONNECTING;
    if (ws__open_init(c, cfg, err) != 0) {
        ws_conn_free(c);
        return NULL;
    }
    return c;
}

int ws_conn_start(ws_conn *c, char *err)
{
    if (c->started || !c->hs)
        return st_err(err, ST_EINPUT, "websocket: ws_conn_start called twice");
    c->started = 1;
    c->st.start_ns = st_now_ns();
    c->hs_deadline = c->st.start_ns + c->hs_timeout;
    int rc = ws__open_start(c);
    rc = rc ? fail(c, rc) : opening_io(c, CURL_SOCKET_TIMEOUT, 0);
    if (rc && err)
        st_err(err, rc, "%s", ws_conn_error(c));
    return rc;
}

int ws_conn_fd(const ws_conn *c)
{
    if (c->state == WS_CONNECTING && c->hs) {
        if (c->hs->socks[0] != CURL_SOCKET_BAD)
            return (int)c->hs->socks[0];
        return c->hs->socks[1] != CURL_SOCKET_BAD ? (int)c->hs->socks[1] : -1;
    }
    return c->fd;
}

unsigned ws_conn_want(const ws_conn *c)
{
    switch (c->state) {
    case WS_CONNECTING: {
        const struct hs *h = c->hs;
        int i = h->socks[0] != CURL_SOCKET_BAD ? 0 : h->socks[1] != CURL_SOCKET_BAD ? 1 : -1;
        if (i < 0)
            return 0;
        unsigned w = 0;
        if (h->sock_what[i] == CURL_POLL_IN || h->sock_what[i] == CURL_POLL_INOUT)
            w |= WS_WANT_READ;
        if (h->sock_what[i] == CURL_POLL_OUT || h->sock_what[i] == CURL_POLL_INOUT)
            w |= WS_WANT_WRITE;
        return w;
    }
    case WS_HANDSHAKE: return c->hs->req_off < c->hs->req.len ? WS_WANT_WRITE : WS_WANT_READ;
    case WS_OPEN:
    case WS_CLOSING: {
        unsigned w = 0;
        if (c->await_eof)
            return WS_WANT_READ;
        if (c->pending || wslay_event_want_read(c->ws))
            w |= WS_WANT_READ;
        if (wslay_event_want_write(c->ws))
            w |= WS_WANT_WRITE;
        return w;
    }
    default: return 0;
    }
}

/* CLOSING after both close frames: reads (and drops) until the server closes TCP. */
static void await_eof_io(ws_conn *c)
{
    for (;;) {
        uint8_t buf[256];
        size_t got;
        int r = ws__io_recv(c, buf, sizeof buf, &got);
        if (r == IO_AGAIN)
            return;
        if (r != IO_OK) {
            finish(c, WS_CLOSED, c->final_code, NULL);
            return;
        }
    }
}

/* OPEN/CLOSING: reads (when readable or bytes are pending), flushes, then checks closing. */
static void frames_io(ws_conn *c, unsigned ready)
{
    if (c->await_eof) {
        if (ready & WS_WANT_READ)
            await_eof_io(c);
        return;
    }
    if ((ready & WS_WANT_READ) || c->pending) {
        c->in_io = 1;
        int r = wslay_event_recv(c->ws);
        c->in_io = 0;
        if (r != 0) {
            io_failed(c, c->eof ? "connection dropped by peer without a close frame"
                                : (c->errtext ? c->errtext : "receive failed"));
            return;
        }
    }
    if (wslay_event_want_write(c->ws)) {
        c->in_io = 1;
        int r = wslay_event_send(c->ws);
        c->in_io = 0;
        if (r != 0) {
            io_failed(c, c->errtext ? c->errtext : "send failed");
            return;
        }
    }
    check_closed(c);
}

static int result(const ws_conn *c)
{
    return c->state == WS_FAILED ? (c->rc ? c->rc : ST_EENV) : 0;
}

int ws_conn_on_io(ws_conn *c, unsigned ready)
{
    switch (c->state) {
    case WS_CONNECTING: {
        int fd = ws_conn_fd(c);
        if (fd < 0)
            return opening_io(c, CURL_SOCKET_TIMEOUT, 0);
        int ev = 0;
        if (ready & WS_WANT_READ)
            ev |= CURL_CSELECT_IN;
        if (ready & WS_WANT_WRITE)
            ev |= CURL_CSELECT_OUT;
        return opening_io(c, (curl_socket_t)fd, ev);
    }
    case WS_HANDSHAKE: return opening_io(c, CURL_SOCKET_BAD, 0);
    case WS_OPEN:
    case WS_CLOSING: frames_io(c, ready); return result(c);
    default: return result(c);
    }
}

uint64_t ws_conn_next_deadline_ns(const ws_conn *c)
{
    uint64_t d = WS_DEADLINE_NONE;
#define MIN_D(x) \
    if ((x) < d) \
    d = (x)
    switch (c->state) {
    case WS_CONNECTING:
        MIN_D(c->hs_deadline);
        MIN_D(c->hs->curl_deadline);
        break;
    case WS_HANDSHAKE: MIN_D(c->hs_deadline); break;
    case WS_OPEN:
        MIN_D(c->next_ping);
        MIN_D(c->pong_deadline);
        if (c->pending)
            d = 0;
        break;
    case WS_CLOSING: MIN_D(c->close_deadline); break;
    default: break;
    }
#undef MIN_D
    return d;
}

int ws_conn_on_timer(ws_conn *c, uint64_t now)
{
    switch (c->state) {
    case WS_CONNECTING:
    case WS_HANDSHAKE:
        if (now >= c->hs_deadline)
            return fail(c, ws__set_error(c, ST_EENV, "websocket handshake timed out after %llu ms",
                                         (unsigned long long)(c->hs_timeout / 1000000ull)));
        if (c->state == WS_CONNECTING && now >= c->hs->curl_deadline) {
            c->hs->curl_deadline = WS_DEADLINE_NONE;
            int rc = opening_io(c, CURL_SOCKET_TIMEOUT, 0);
            /* A second socket (happy eyeballs, resolver) is not in the caller's epoll set:
             * let libcurl check it on each timer. */
            if (rc == 0 && c->state == WS_CONNECTING && c->hs->socks[1] != CURL_SOCKET_BAD)
                rc = opening_io(c, c->hs->socks[1], 0);
            return rc;
        }
        return 0;
    case WS_OPEN:
        if (c->pending) {
            frames_io(c, 0);
            if (c->state != WS_OPEN)
                return result(c);
        }
        if (now >= c->pong_deadline) {
            char why[96];
            snprintf(why, sizeof why, "no pong within %llu ms",
                     (unsigned long long)(c->pong_timeout / 1000000ull));
            finish(c, WS_CLOSED, WS_CLOSE_ABNORMAL, why);
            return 0;
        }
        if (now >= c->next_ping) {
            uint64_t t = st_now_ns();
            struct wslay_event_msg m = {WSLAY_PING, (const uint8_t *)&t, sizeof t};
            if (wslay_event_queue_msg(c->ws, &m) == 0) {
                c->st.pings_out++;
                if (!c->ping_sent_ns) {
                    c->ping_sent_ns = t;
                    c->pong_deadline = now + c->pong_timeout;
                }
            }
            c->next_ping = now + c->ping_interval;
            frames_io(c, 0);
        }
        return result(c);
    case WS_CLOSING:
        if (now >= c->close_deadline) {
            if (c->await_eof) /* the close handshake itself completed */
                finish(c, WS_CLOSED, c->final_code, NULL);
            else
                finish(c, WS_CLOSED, WS_CLOSE_ABNORMAL, "close handshake timed out");
        }
        return 0;
    default: return result(c);
    }
}

int ws_conn_send(ws_conn *c, int binary, const void *data, size_t len)
{
    if (c->state != WS_OPEN || c->local_close)
        return ST_EINPUT;
    struct wslay_event_msg m = {binary ? WSLAY_BINARY_FRAME : WSLAY_TEXT_FRAME, data, len};
    int r = wslay_event_queue_msg(c->ws, &m);
    if (r == WSLAY_ERR_NOMEM)
        return ST_ENOMEM;
    if (r != 0)
        return ST_EINPUT;
    c->st.msgs_out++;
    c->st.bytes_out += len;
    return 0;
}

static ssize_t frag_read(wslay_event_context_ptr ctx, uint8_t *buf, size_t len,
                         const union wslay_event_msg_source *src, int *eof, void *user)
{
    ws_conn *c = user;
    struct frag *f = src->data;
    size_t n = f->len - f->off;
    if (n > f->chunk)
        n = f->chunk;
    if (n > len)
        n = len;
    memcpy(buf, f->data + f->off, n);
    f->off += n;
    if (f->off == f->len) {
        *eof = 1;
        /* wslay does not touch the source after eof: unlink and free it now. */
        for (struct frag **pp = &c->frags; *pp; pp = &(*pp)->next)
            if (*pp == f) {
                *pp = f->next;
                break;
            }
        free(f);
    }
    return (ssize_t)n;
}

int ws_conn_send_fragmented(ws_conn *c, int binary, const void *data, size_t len, size_t frag)
{
    if (c->state != WS_OPEN || c->local_close || frag == 0)
        return ST_EINPUT;
    struct frag *f = malloc(sizeof *f + len);
    if (!f)
        return ST_ENOMEM;
    f->len = len;
    f->off = 0;
    f->chunk = frag;
    if (len)
        memcpy(f->data, data, len);
    struct wslay_event_fragmented_msg m;
    memset(&m, 0, sizeof m);
    m.opcode = binary ? WSLAY_BINARY_FRAME : WSLAY_TEXT_FRAME;
    m.source.data = f;
    m.read_callback = frag_read;
    int r = wslay_event_queue_fragmented_msg(c->ws, &m);
    if (r != 0) {
        free(f);
        return r == WSLAY_ERR_NOMEM ? ST_ENOMEM : ST_EINPUT;
    }
    f->next = c->frags;
    c->frags = f;
    c->st.msgs_out++;
    c->st.bytes_out += len;
    return 0;
}

int ws_conn_close(ws_conn *c, uint16_t code, const char *reason)
{
    size_t rl = reason ? strlen(reason) : 0;
    if (code < 1000 || code > 4999 || code == 1005 || code == 1006 || code == 1015 ||
        rl > WS_REASON_MAX)
        return ST_EINPUT;
    switch (c->state) {
    case WS_CONNECTING:
    case WS_HANDSHAKE:
        if (!c->started) {
            set_state(c, WS_FAILED); /* never started: no on_close owed */
            return 0;
        }
        ws__set_error(c, ST_EENV, "closed by the caller before the handshake completed");
        fail(c, ST_EENV);
        return 0;
    case WS_OPEN:
        if (c->local_close || wslay_event_queue_close(c->ws, code, (const uint8_t *)reason, rl))
            return 0; /* a close is already on its way */
        c->local_close = 1;
        set_reason(c, reason ? reason : "", rl);
        if (!c->in_io)
            check_closed(c);
        return 0;
    default: return 0;
    }
}

ws_state ws_conn_state(const ws_conn *c)
{
    return c->state;
}

const char *ws_state_name(ws_state s)
{
    static const char *const names[] = {"CONNECTING", "HANDSHAKE", "OPEN",
                                        "CLOSING",    "CLOSED",    "FAILED"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

const ws_stats *ws_conn_stats(const ws_conn *c)
{
    return &c->st;
}

const char *ws_conn_error(const ws_conn *c)
{
    return c->errtext ? c->errtext : "";
}

int ws_conn_uses_curl(const ws_conn *c)
{
    return c->easy != NULL;
}

void ws_conn_free(ws_conn *c)
{
    if (!c)
        return;
    release_io(c);
    free(c->reason);
    free(c->errtext);
    free(c);
}
