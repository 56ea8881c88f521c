/*
 * ws.c -- client WebSocket sessions over libcurl CONNECT_ONLY + wslay (see ws.h).
 *
 * Layout of this file: the I/O edge (io_recv/io_send: libcurl or the bare descriptor), the
 * libcurl connect phase (private multi handle driven by socket_action), the opening
 * handshake (ws_hs.h does the parsing), the wslay callbacks, the state transitions
 * (finish, check_closed, go_open), then the public functions.
 *
 * Memory: everything needed only until OPEN (URL parts, request, response, libcurl's error
 * buffer) lives in a separately allocated `struct hs` that is freed on the way into OPEN, so
 * an idle open session holds only this struct, wslay's context and (for wss:// or keep_curl)
 * libcurl's handles. The close reason and error text are allocated only when needed.
 */
#include "ws.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wslay/wslay.h>

#include "dbuf.h"
#include "rng.h"
#include "ws_hs.h"

#define WS_DEFAULT_MAX_MESSAGE (1u << 20)
#define WS_DEFAULT_HS_TIMEOUT (10ull * 1000000000ull)
#define WS_DEFAULT_CLOSE_TIMEOUT (5ull * 1000000000ull)
#define WS_HS_RESPONSE_CAP 8192 /* a 101 response longer than this is refused */
#define WS_HS_REQUEST_CAP 16384
#define WS_REASON_MAX 123 /* RFC 6455 §5.5: control payload <= 125, minus the 2-byte code */

enum { IO_OK = 0, IO_AGAIN = 1, IO_EOF = 2, IO_ERR = 3 };

/* Handshake-only state, freed on the way into OPEN. */
struct hs {
    char *url;        /* as given, for error messages */
    char *curl_url;   /* http(s)://host:port/ for libcurl */
    char *target;     /* path?query */
    char *host;       /* Host header value */
    char *subprotocol;
    char *ca_file;
    int insecure;
    char **headers;   /* NULL-terminated copies */
    dbuf req;
    size_t req_off;
    dbuf resp;
    char accept[WS_HS_ACCEPT_LEN + 1];
    char curlerr[CURL_ERROR_SIZE];
    curl_socket_t socks[2]; /* sockets libcurl asked us to watch while connecting */
    int sock_what[2];
    uint64_t curl_deadline;
};

/* Data of a message queued with ws_conn_send_fragmented, until wslay has read it all. */
struct frag {
    struct frag *next;
    size_t len, off, chunk;
    uint8_t data[];
};

struct ws_conn {
    ws_callbacks cb;
    void *user;
    ws_state state;
    int fd;
    uint8_t tls, keep_curl, detached, started;
    uint8_t eof, local_close, peer_first, in_io;
    int rc; /* the negative ST_E* once FAILED */
    CURL *easy;
    CURLM *multi;
    struct hs *hs;
    wslay_event_context_ptr ws;
    uint8_t *pending; /* bytes that followed the 101 response, fed to wslay first */
    size_t pending_len, pending_off;
    struct frag *frags;
    rng_stream rng;
    uint64_t max_frame, max_message;
    uint64_t ping_interval, pong_timeout, hs_timeout, close_timeout;
    uint64_t hs_deadline, next_ping, pong_deadline, close_deadline, ping_sent_ns;
    uint16_t rcv_code;
    char *reason; /* close reason to report, allocated at close time */
    char *errtext;
    ws_stats st;
};

static int set_error(ws_conn *c, int rc, const char *fmt, ...) ST_PRINTF(3, 4);
static int set_error(ws_conn *c, int rc, const char *fmt, ...)
{
    if (!c->errtext)
        c->errtext = malloc(ST_ERRLEN);
    if (c->errtext) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->errtext, ST_ERRLEN, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* ---- I/O edge ----------------------------------------------------------------------- */

/* Reads up to len bytes. Returns IO_OK (*got > 0), IO_AGAIN, IO_EOF, or IO_ERR with the
 * error text set. EAGAIN is never an error (wrk's habit). */
static int io_recv(ws_conn *c, void *buf, size_t len, size_t *got)
{
    *got = 0;
    if (c->easy) {
        CURLcode r = curl_easy_recv(c->easy, buf, len, got);
        if (r == CURLE_AGAIN)
            return IO_AGAIN;
        if (r != CURLE_OK) {
            set_error(c, ST_EENV, "websocket receive: %s", curl_easy_strerror(r));
            return IO_ERR;
        }
        return *got ? IO_OK : IO_EOF;
    }
    for (;;) {
        ssize_t n = recv(c->fd, buf, len, 0);
        if (n > 0) {
            *got = (size_t)n;
            return IO_OK;
        }
        if (n == 0)
            return IO_EOF;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return IO_AGAIN;
        set_error(c, ST_EENV, "websocket receive: %s", strerror(errno));
        return errno == ECONNRESET ? IO_EOF : IO_ERR;
    }
}

/* Writes up to len bytes; as io_recv (IO_EOF never returned: a reset is IO_ERR). */
static int io_send(ws_conn *c, const void *buf, size_t len, size_t *sent, int more)
{
    *sent = 0;
    if (c->easy) {
        CURLcode r = curl_easy_send(c->easy, buf, len, sent);
        if (r == CURLE_AGAIN)
            return IO_AGAIN;
        if (r != CURLE_OK) {
            set_error(c, ST_EENV, "websocket send: %s", curl_easy_strerror(r));
            return IO_ERR;
        }
        return *sent ? IO_OK : IO_AGAIN;
    }
    for (;;) {
        ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL | (more ? MSG_MORE : 0));
        if (n >= 0) {
            *sent = (size_t)n;
            return n ? IO_OK : IO_AGAIN;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return IO_AGAIN;
        set_error(c, ST_EENV, "websocket send: %s", strerror(errno));
        return IO_ERR;
    }
}

/* ---- teardown ----------------------------------------------------------------------- */

static void free_hs(struct hs *h)
{
    if (!h)
        return;
    free(h->url);
    free(h->curl_url);
    free(h->target);
    free(h->host);
    free(h->subprotocol);
    free(h->ca_file);
    for (size_t i = 0; h->headers && h->headers[i]; i++)
        free(h->headers[i]);
    free(h->headers);
    dbuf_free(&h->req);
    dbuf_free(&h->resp);
    free(h);
}

/* Releases libcurl's handles. With c->detached set, the close-socket callback leaves the
 * descriptor open for us; otherwise libcurl closes it. */
static void release_curl(ws_conn *c)
{
    if (c->multi && c->easy)
        curl_multi_remove_handle(c->multi, c->easy);
    if (c->easy)
        curl_easy_cleanup(c->easy);
    if (c->multi)
        curl_multi_cleanup(c->multi);
    c->easy = NULL;
    c->multi = NULL;
}

static void release_io(ws_conn *c)
{
    if (c->ws)
        wslay_event_context_free(c->ws);
    c->ws = NULL;
    int own_fd = c->detached || !c->easy;
    release_curl(c);
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
    free_hs(c->hs);
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

/* The one place sessions end: into CLOSED or FAILED, releasing I/O, then on_close once. */
static void finish(ws_conn *c, ws_state to, uint16_t code, const char *reason)
{
    if (c->state == WS_CLOSED || c->state == WS_FAILED)
        return;
    if (reason && reason != c->reason)
        set_reason(c, reason, strlen(reason));
    c->state = to;
    c->st.close_code = code;
    c->next_ping = c->pong_deadline = c->close_deadline = c->hs_deadline = WS_DEADLINE_NONE;
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
        set_error(c, rc, "websocket: failed");
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
        finish(c, WS_CLOSED, code, NULL);
        return;
    }
    if ((rcv || snt || c->local_close) && c->state == WS_OPEN) {
        c->state = WS_CLOSING;
        c->next_ping = c->pong_deadline = WS_DEADLINE_NONE;
        c->close_deadline = st_now_ns() + c->close_timeout;
    }
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
    int r = io_recv(c, buf, len, &got);
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
    int r = io_send(c, data, len, &sent, (flags & WSLAY_MSG_MORE) != 0);
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
        if (arg->msg_length == 8 && c->ping_sent_ns &&
            memcmp(arg->msg, &c->ping_sent_ns, 8) == 0) {
            rtt = st_now_ns() - c->ping_sent_ns;
            c->ping_sent_ns = 0;
            c->pong_deadline = WS_DEADLINE_NONE;
        }
        if (c->cb.on_pong)
            c->cb.on_pong(c, rtt, c->user);
        break;
    }
    default:
        break;
    }
}

/* ---- opening: libcurl connect, then the Upgrade exchange ----------------------------- */

static int sock_cb(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
    ws_conn *c = userp;
    struct hs *h = c->hs;
    if (!h)
        return 0;
    int slot = h->socks[0] == s ? 0 : h->socks[1] == s ? 1 : -1;
    if (what == CURL_POLL_REMOVE) {
        if (slot >= 0)
            h->socks[slot] = CURL_SOCKET_BAD;
        return 0;
    }
    if (slot < 0) {
        /* The newest socket becomes slot 0, the one ws_conn_fd reports. */
        h->socks[1] = h->socks[0];
        h->sock_what[1] = h->sock_what[0];
        slot = 0;
    }
    h->socks[slot] = s;
    h->sock_what[slot] = what;
    return 0;
}

static int timer_cb(CURLM *m, long timeout_ms, void *userp)
{
    ws_conn *c = userp;
    if (c->hs)
        c->hs->curl_deadline = timeout_ms < 0 ? WS_DEADLINE_NONE
                                              : st_now_ns() + (uint64_t)timeout_ms * 1000000ull;
    return 0;
}

static int closesock_cb(void *clientp, curl_socket_t s)
{
    ws_conn *c = clientp;
    if (c->detached && s == c->fd)
        return 0; /* we keep this descriptor after releasing libcurl */
    return close(s);
}

static int go_open(ws_conn *c, const char *extra, size_t extra_len)
{
    if (extra_len) {
        c->pending = malloc(extra_len);
        if (!c->pending)
            return fail(c, set_error(c, ST_ENOMEM, "websocket: out of memory"));
        memcpy(c->pending, extra, extra_len);
        c->pending_len = extra_len;
        c->pending_off = 0;
    }
    free_hs(c->hs);
    c->hs = NULL;
    if (!c->tls && !c->keep_curl) {
        c->detached = 1;
        release_curl(c);
    }
    struct wslay_event_callbacks cbs = {
        .recv_callback = wsl_recv,
        .send_callback = wsl_send,
        .genmask_callback = wsl_genmask,
        .on_frame_recv_start_callback = wsl_frame_start,
        .on_msg_recv_callback = wsl_msg,
    };
    if (wslay_event_context_client_init(&c->ws, &cbs, c) != 0)
        return fail(c, set_error(c, ST_ENOMEM, "websocket: out of memory"));
    wslay_event_config_set_max_recv_msg_length(c->ws, c->max_message);
    uint64_t now = st_now_ns();
    c->st.handshake_us = (now - c->st.start_ns) / 1000;
    c->hs_deadline = WS_DEADLINE_NONE;
    if (c->ping_interval)
        c->next_ping = now + c->ping_interval;
    c->state = WS_OPEN;
    if (c->cb.on_open)
        c->cb.on_open(c, c->user);
    return 0;
}

/* HANDSHAKE: writes the rest of the request, then reads and checks the response. */
static int handshake_io(ws_conn *c)
{
    struct hs *h = c->hs;
    while (h->req_off < h->req.len) {
        size_t n;
        int r = io_send(c, h->req.p + h->req_off, h->req.len - h->req_off, &n, 0);
        if (r == IO_AGAIN)
            return 0;
        if (r != IO_OK)
            return fail(c, ST_EENV);
        h->req_off += n;
    }
    for (;;) {
        char buf[2048];
        size_t room = h->resp.cap - h->resp.len, got;
        if (room == 0)
            return fail(c, set_error(c, ST_EENV, "websocket handshake: response headers longer "
                                     "than %d bytes", WS_HS_RESPONSE_CAP));
        int r = io_recv(c, buf, room < sizeof buf ? room : sizeof buf, &got);
        if (r == IO_AGAIN)
            return 0;
        if (r == IO_EOF)
            return fail(c, set_error(c, ST_EENV, "websocket handshake: server closed the "
                                     "connection before answering"));
        if (r != IO_OK)
            return fail(c, ST_EENV);
        if (dbuf_add(&h->resp, buf, got) != 0)
            return fail(c, set_error(c, ST_ENOMEM, "websocket: out of memory"));
        size_t hl;
        char err[ST_ERRLEN];
        int rc = ws_hs_check_response(h->resp.p, h->resp.len, h->accept, h->subprotocol, &hl,
                                      err);
        if (rc == 1)
            continue;
        if (rc < 0)
            return fail(c, set_error(c, ST_EENV, "%s", err));
        /* Copy the tail out before go_open frees the response buffer. */
        size_t extra = h->resp.len - hl;
        char tail[2048];
        char *t = extra <= sizeof tail ? tail : malloc(extra);
        if (!t)
            return fail(c, set_error(c, ST_ENOMEM, "websocket: out of memory"));
        memcpy(t, h->resp.p + hl, extra);
        rc = go_open(c, t, extra);
        if (t != tail)
            free(t);
        return rc;
    }
}

static int begin_handshake(ws_conn *c)
{
    curl_socket_t s = CURL_SOCKET_BAD;
    CURLcode r = curl_easy_getinfo(c->easy, CURLINFO_ACTIVESOCKET, &s);
    if (r != CURLE_OK || s == CURL_SOCKET_BAD)
        return fail(c, set_error(c, ST_EENV, "websocket: libcurl gave no socket after connect"));
    c->fd = (int)s;
    c->state = WS_HANDSHAKE;
    return handshake_io(c);
}

/* CONNECTING: lets libcurl act on ev (CURL_SOCKET_TIMEOUT for timers), then looks for the
 * end of the connect transfer. */
static int connect_step(ws_conn *c, curl_socket_t s, int ev)
{
    int running;
    CURLMcode m = curl_multi_socket_action(c->multi, s, ev, &running);
    if (m != CURLM_OK)
        return fail(c, set_error(c, ST_EENV, "websocket connect: %s", curl_multi_strerror(m)));
    CURLMsg *msg;
    int q;
    while ((msg = curl_multi_info_read(c->multi, &q))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        if (msg->data.result != CURLE_OK) {
            long oserr = 0;
            curl_easy_getinfo(c->easy, CURLINFO_OS_ERRNO, &oserr);
            return fail(c, set_error(c, ST_EENV, "websocket connect to %s: %s%s%s%s",
                                     c->hs->url,
                                     c->hs->curlerr[0] ? c->hs->curlerr
                                                       : curl_easy_strerror(msg->data.result),
                                     oserr ? " (" : "", oserr ? strerror((int)oserr) : "",
                                     oserr ? ")" : ""));
        }
        return begin_handshake(c);
    }
    return 0;
}

/* ---- public ------------------------------------------------------------------------- */

int ws_global_init(char *err)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return st_err(err, ST_EENV, "curl_global_init failed");
    return 0;
}

static char *dupstr(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Splits cfg->url into the parts the handshake needs. Returns 0 or ST_EINPUT/ST_ENOMEM. */
static int parse_url(ws_conn *c, struct hs *h, const char *url, char *err)
{
    CURLU *u = curl_url();
    if (!u)
        return st_err(err, ST_ENOMEM, "websocket: out of memory");
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *query = NULL;
    int rc = 0;
    CURLUcode ur = curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME);
    if (ur != CURLUE_OK) {
        rc = st_err(err, ST_EINPUT, "websocket url '%s': %s", url, curl_url_strerror(ur));
        goto out;
    }
    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
    if (!scheme || (strcmp(scheme, "ws") != 0 && strcmp(scheme, "wss") != 0)) {
        rc = st_err(err, ST_EINPUT, "websocket url '%s': scheme must be ws:// or wss://", url);
        goto out;
    }
    c->tls = scheme[2] == 's';
    if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host || !*host) {
        rc = st_err(err, ST_EINPUT, "websocket url '%s': no host", url);
        goto out;
    }
    curl_url_get(u, CURLUPART_PORT, &port, 0); /* only when given explicitly */
    curl_url_get(u, CURLUPART_PATH, &path, 0);
    curl_url_get(u, CURLUPART_QUERY, &query, 0);
    const char *p = path && *path ? path : "/";
    const char *dport = c->tls ? "443" : "80";
    dbuf b;
    dbuf_init(&b, 8192);
    int e = dbuf_printf(&b, "%s://%s:%s/", c->tls ? "https" : "http", host, port ? port : dport);
    h->curl_url = dbuf_take(&b, NULL);
    e |= dbuf_printf(&b, "%s%s%s", p, query ? "?" : "", query ? query : "");
    h->target = dbuf_take(&b, NULL);
    e |= dbuf_printf(&b, "%s%s%s", host, port ? ":" : "", port ? port : "");
    h->host = dbuf_take(&b, NULL);
    if (e || !h->curl_url || !h->target || !h->host)
        rc = st_err(err, ST_EINPUT, "websocket url '%s': too long", url);
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_free(query);
    curl_url_cleanup(u);
    return rc;
}

ws_conn *ws_conn_new(const ws_config *cfg, char *err)
{
    if (!cfg || !cfg->url) {
        st_err(err, ST_EINPUT, "websocket: no url");
        return NULL;
    }
    ws_conn *c = calloc(1, sizeof *c);
    struct hs *h = calloc(1, sizeof *h);
    if (!c || !h) {
        free(c);
        free(h);
        st_err(err, ST_ENOMEM, "websocket: out of memory");
        return NULL;
    }
    c->hs = h;
    c->fd = -1;
    c->state = WS_CONNECTING;
    c->cb = cfg->cb;
    c->user = cfg->user;
    c->keep_curl = cfg->keep_curl != 0;
    c->max_message = cfg->max_message ? cfg->max_message : WS_DEFAULT_MAX_MESSAGE;
    c->max_frame = cfg->max_frame ? cfg->max_frame : c->max_message;
    c->ping_interval = cfg->ping_interval_ns;
    c->pong_timeout = cfg->pong_timeout_ns ? cfg->pong_timeout_ns : cfg->ping_interval_ns;
    c->hs_timeout = cfg->handshake_timeout_ns ? cfg->handshake_timeout_ns : WS_DEFAULT_HS_TIMEOUT;
    c->close_timeout = cfg->close_timeout_ns ? cfg->close_timeout_ns : WS_DEFAULT_CLOSE_TIMEOUT;
    c->hs_deadline = c->next_ping = c->pong_deadline = c->close_deadline = WS_DEADLINE_NONE;
    rng_stream_init(&c->rng, cfg->seed, rng_mix(rng_stream_id("replay.ws"), cfg->session_id));
    h->socks[0] = h->socks[1] = CURL_SOCKET_BAD;
    h->curl_deadline = WS_DEADLINE_NONE;
    dbuf_init(&h->req, WS_HS_REQUEST_CAP);
    dbuf_init(&h->resp, WS_HS_RESPONSE_CAP);

    int rc = parse_url(c, h, cfg->url, err);
    if (rc == 0 && !(h->url = dupstr(cfg->url)))
        rc = st_err(err, ST_ENOMEM, "websocket: out of memory");
    size_t nh = 0;
    while (rc == 0 && cfg->headers && cfg->headers[nh])
        nh++;
    if (rc == 0 && cfg->subprotocol && *cfg->subprotocol &&
        !(h->subprotocol = dupstr(cfg->subprotocol)))
        rc = st_err(err, ST_ENOMEM, "websocket: out of memory");
    h->insecure = cfg->insecure != 0;
    if (rc == 0 && cfg->ca_file && !(h->ca_file = dupstr(cfg->ca_file)))
        rc = st_err(err, ST_ENOMEM, "websocket: out of memory");
    if (rc == 0 && !(h->headers = calloc(nh + 1, sizeof *h->headers)))
        rc = st_err(err, ST_ENOMEM, "websocket: out of memory");
    for (size_t i = 0; rc == 0 && i < nh; i++)
        if (!(h->headers[i] = dupstr(cfg->headers[i])))
            rc = st_err(err, ST_ENOMEM, "websocket: out of memory");
    if (rc == 0) {
        /* Build the request now so that header errors surface at ws_conn_new. */
        uint8_t nonce[16];
        uint64_t a = rng_next_u64(&c->rng), b = rng_next_u64(&c->rng);
        memcpy(nonce, &a, 8);
        memcpy(nonce + 8, &b, 8);
        char key[WS_HS_KEY_LEN + 1];
        ws_hs_key(nonce, key);
        ws_hs_accept(key, h->accept);
        rc = ws_hs_build_request(&h->req, h->target, h->host, key, h->subprotocol,
                                 (const char *const *)h->headers, err);
    }
    if (rc) {
        ws_conn_free(c);
        return NULL;
    }
    return c;
}

int ws_conn_start(ws_conn *c, char *err)
{
    struct hs *h = c->hs;
    if (c->started || !h)
        return st_err(err, ST_EINPUT, "websocket: ws_conn_start called twice");
    c->started = 1;
    c->st.start_ns = st_now_ns();
    c->hs_deadline = c->st.start_ns + c->hs_timeout;
    c->easy = curl_easy_init();
    c->multi = curl_multi_init();
    if (!c->easy || !c->multi) {
        st_err(err, ST_ENOMEM, "websocket: libcurl handle allocation failed");
        return fail(c, set_error(c, ST_ENOMEM, "%s", err ? err : "out of memory"));
    }
    long ms = (long)(c->hs_timeout / 1000000ull);
    int bad = 0;
    bad |= curl_easy_setopt(c->easy, CURLOPT_URL, h->curl_url) != CURLE_OK;
    bad |= curl_easy_setopt(c->easy, CURLOPT_CONNECT_ONLY, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(c->easy, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(c->easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1) != CURLE_OK;
    bad |= curl_easy_setopt(c->easy, CURLOPT_CONNECTTIMEOUT_MS, ms > 0 ? ms : 1L) != CURLE_OK;
    bad |= curl_easy_setopt(c->easy, CURLOPT_BUFFERSIZE, 1024L) != CURLE_OK;
    bad |= curl_easy_setopt(c->easy, CURLOPT_ERRORBUFFER, h->curlerr) != CURLE_OK;
    bad |= curl_easy_setopt(c->easy, CURLOPT_CLOSESOCKETFUNCTION, closesock_cb) != CURLE_OK;
    bad |= curl_easy_setopt(c->easy, CURLOPT_CLOSESOCKETDATA, c) != CURLE_OK;
    bad |= curl_easy_setopt(c->easy, CURLOPT_TCP_NODELAY, 1L) != CURLE_OK;
    if (c->tls) {
        /* ALPN must not offer h2: the server would then expect HTTP/2 on this socket. */
        bad |= curl_easy_setopt(c->easy, CURLOPT_SSL_ENABLE_ALPN, 0L) != CURLE_OK;
        if (h->ca_file)
            bad |= curl_easy_setopt(c->easy, CURLOPT_CAINFO, h->ca_file) != CURLE_OK;
        if (h->insecure) {
            bad |= curl_easy_setopt(c->easy, CURLOPT_SSL_VERIFYPEER, 0L) != CURLE_OK;
            bad |= curl_easy_setopt(c->easy, CURLOPT_SSL_VERIFYHOST, 0L) != CURLE_OK;
        }
    }
    bad |= curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, sock_cb) != CURLM_OK;
    bad |= curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c) != CURLM_OK;
    bad |= curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, timer_cb) != CURLM_OK;
    bad |= curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c) != CURLM_OK;
    if (bad) {
        st_err(err, ST_EENV, "websocket: libcurl refused an option (too old?)");
        return fail(c, set_error(c, ST_EENV, "%s", err ? err : "libcurl option"));
    }
    if (curl_multi_add_handle(c->multi, c->easy) != CURLM_OK) {
        st_err(err, ST_EENV, "websocket: curl_multi_add_handle failed");
        return fail(c, set_error(c, ST_EENV, "curl_multi_add_handle failed"));
    }
    int rc = connect_step(c, CURL_SOCKET_TIMEOUT, 0);
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
    case WS_HANDSHAKE:
        return c->hs->req_off < c->hs->req.len ? WS_WANT_WRITE : WS_WANT_READ;
    case WS_OPEN:
    case WS_CLOSING: {
        unsigned w = 0;
        if (c->pending || wslay_event_want_read(c->ws))
            w |= WS_WANT_READ;
        if (wslay_event_want_write(c->ws))
            w |= WS_WANT_WRITE;
        return w;
    }
    default:
        return 0;
    }
}

/* OPEN/CLOSING: reads (when readable or bytes are pending), flushes, then checks closing. */
static void frames_io(ws_conn *c, unsigned ready)
{
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
            return connect_step(c, CURL_SOCKET_TIMEOUT, 0);
        int ev = 0;
        if (ready & WS_WANT_READ)
            ev |= CURL_CSELECT_IN;
        if (ready & WS_WANT_WRITE)
            ev |= CURL_CSELECT_OUT;
        return connect_step(c, (curl_socket_t)fd, ev);
    }
    case WS_HANDSHAKE:
        return handshake_io(c);
    case WS_OPEN:
    case WS_CLOSING:
        frames_io(c, ready);
        return result(c);
    default:
        return result(c);
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
    case WS_HANDSHAKE:
        MIN_D(c->hs_deadline);
        break;
    case WS_OPEN:
        MIN_D(c->next_ping);
        MIN_D(c->pong_deadline);
        if (c->pending)
            d = 0;
        break;
    case WS_CLOSING:
        MIN_D(c->close_deadline);
        break;
    default:
        break;
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
            return fail(c, set_error(c, ST_EENV, "websocket handshake timed out after %llu ms",
                                     (unsigned long long)(c->hs_timeout / 1000000ull)));
        if (c->state == WS_CONNECTING && now >= c->hs->curl_deadline) {
            c->hs->curl_deadline = WS_DEADLINE_NONE;
            int rc = connect_step(c, CURL_SOCKET_TIMEOUT, 0);
            /* A second socket (happy eyeballs, resolver) is not in the caller's epoll set:
             * let libcurl check it on each timer. */
            if (rc == 0 && c->state == WS_CONNECTING && c->hs->socks[1] != CURL_SOCKET_BAD)
                rc = connect_step(c, c->hs->socks[1], 0);
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
        if (now >= c->close_deadline)
            finish(c, WS_CLOSED, WS_CLOSE_ABNORMAL, "close handshake timed out");
        return 0;
    default:
        return result(c);
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
            c->state = WS_FAILED;
            return 0;
        }
        set_error(c, ST_EENV, "closed by the caller before the handshake completed");
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
    default:
        return 0;
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
