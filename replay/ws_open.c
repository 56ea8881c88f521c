/*
 * ws_open.c -- getting a client WebSocket to OPEN: URL parsing and the copy of the config,
 * the non-blocking libcurl connect (CONNECT_ONLY on a private multi handle, driven by
 * socket_action), and the Upgrade exchange over curl_easy_send/recv (see ws.h; ws_hs.h checks
 * the response).
 *
 * Direction: ws.c calls this file; this file calls ws_io.c and ws_hs.c, never ws.c. It does
 * not change the session's state: each step returns WS_STEP_* (where the session should go)
 * or a negative ST_E* with the error text set, and ws.c's opening_io makes the move.
 */
#include "ws_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void ws__free_hs(struct hs *h)
{
    if (!h)
        return;
    free(h->url);
    free(h->curl_url);
    free(h->target);
    free(h->host);
    free(h->subprotocol);
    free(h->ca_file);
    free(h->client_cert);
    free(h->client_key);
    free(h->iface);
    for (size_t i = 0; h->headers && h->headers[i]; i++)
        free(h->headers[i]);
    free(h->headers);
    dbuf_free(&h->req);
    dbuf_free(&h->resp);
    free(h);
}

/* Releases libcurl's handles. With c->detached set, the close-socket callback leaves the
 * descriptor open for us; otherwise libcurl closes it. */
void ws__release_curl(ws_conn *c)
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

/* HANDSHAKE: writes the rest of the request, then reads and checks the response. */
int ws__handshake_io(ws_conn *c, size_t *hdr_len)
{
    struct hs *h = c->hs;
    while (h->req_off < h->req.len) {
        size_t n;
        int r = ws__io_send(c, h->req.p + h->req_off, h->req.len - h->req_off, &n, 0);
        if (r == IO_AGAIN)
            return WS_STEP_WAIT;
        if (r != IO_OK)
            return ST_EENV;
        h->req_off += n;
    }
    for (;;) {
        char buf[2048];
        size_t room = h->resp.cap - h->resp.len, got;
        if (room == 0)
            return ws__set_error(c, ST_EENV,
                                 "websocket handshake: response headers longer than %d "
                                 "bytes",
                                 WS_HS_RESPONSE_CAP);
        int r = ws__io_recv(c, buf, room < sizeof buf ? room : sizeof buf, &got);
        if (r == IO_AGAIN)
            return WS_STEP_WAIT;
        if (r == IO_EOF)
            return ws__set_error(c, ST_EENV,
                                 "websocket handshake: server closed the connection "
                                 "before answering");
        if (r != IO_OK)
            return ST_EENV;
        if (dbuf_add(&h->resp, buf, got) != 0)
            return ws__set_error(c, ST_ENOMEM, "websocket: out of memory");
        char err[ST_ERRLEN];
        int rc = ws_hs_check_response(h->resp.p, h->resp.len, h->accept, h->subprotocol, hdr_len,
                                      err);
        if (rc == 1)
            continue;
        if (rc < 0)
            return ws__set_error(c, ST_EENV, "%s", err);
        return WS_STEP_UPGRADED;
    }
}

/* CONNECTING: lets libcurl act on ev (CURL_SOCKET_TIMEOUT for timers), then looks for the
 * end of the connect transfer; once connected, c->fd is the session's descriptor. */
int ws__connect_step(ws_conn *c, curl_socket_t s, int ev)
{
    int running;
    CURLMcode m = curl_multi_socket_action(c->multi, s, ev, &running);
    if (m != CURLM_OK)
        return ws__set_error(c, ST_EENV, "websocket connect: %s", curl_multi_strerror(m));
    CURLMsg *msg;
    int q;
    while ((msg = curl_multi_info_read(c->multi, &q))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        if (msg->data.result != CURLE_OK) {
            long oserr = 0;
            curl_easy_getinfo(c->easy, CURLINFO_OS_ERRNO, &oserr);
            return ws__set_error(
                c, ST_EENV, "websocket connect to %s: %s%s%s%s", c->hs->url,
                c->hs->curlerr[0] ? c->hs->curlerr : curl_easy_strerror(msg->data.result),
                oserr ? " (" : "", oserr ? strerror((int)oserr) : "", oserr ? ")" : "");
        }
        curl_socket_t fd = CURL_SOCKET_BAD;
        CURLcode r = curl_easy_getinfo(c->easy, CURLINFO_ACTIVESOCKET, &fd);
        if (r != CURLE_OK || fd == CURL_SOCKET_BAD)
            return ws__set_error(c, ST_EENV, "websocket: libcurl gave no socket after connect");
        c->fd = (int)fd;
        return WS_STEP_CONNECTED;
    }
    return WS_STEP_WAIT;
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

int ws__open_init(ws_conn *c, const ws_config *cfg, char *err)
{
    if (!cfg || !cfg->url)
        return st_err(err, ST_EINPUT, "websocket: no url");
    struct hs *h = calloc(1, sizeof *h);
    if (!h)
        return st_err(err, ST_ENOMEM, "websocket: out of memory");
    c->hs = h;
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
    if (rc == 0 && cfg->interface && !(h->iface = dupstr(cfg->interface)))
        rc = st_err(err, ST_ENOMEM, "websocket: out of memory");
    if (rc == 0 && ((cfg->client_cert && !(h->client_cert = dupstr(cfg->client_cert))) ||
                    (cfg->client_key && !(h->client_key = dupstr(cfg->client_key)))))
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
    return rc;
}

int ws__open_start(ws_conn *c)
{
    struct hs *h = c->hs;
    c->easy = curl_easy_init();
    c->multi = curl_multi_init();
    if (!c->easy || !c->multi)
        return ws__set_error(c, ST_ENOMEM, "websocket: libcurl handle allocation failed");
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
    if (h->iface) /* bound before connect; the descriptor keeps it after libcurl is released */
        bad |= curl_easy_setopt(c->easy, CURLOPT_INTERFACE, h->iface) != CURLE_OK;
    if (c->tls) {
        /* ALPN must not offer h2: the server would then expect HTTP/2 on this socket. */
        bad |= curl_easy_setopt(c->easy, CURLOPT_SSL_ENABLE_ALPN, 0L) != CURLE_OK;
        if (h->ca_file)
            bad |= curl_easy_setopt(c->easy, CURLOPT_CAINFO, h->ca_file) != CURLE_OK;
        if (h->client_cert)
            bad |= curl_easy_setopt(c->easy, CURLOPT_SSLCERT, h->client_cert) != CURLE_OK;
        if (h->client_key)
            bad |= curl_easy_setopt(c->easy, CURLOPT_SSLKEY, h->client_key) != CURLE_OK;
        if (h->insecure) {
            bad |= curl_easy_setopt(c->easy, CURLOPT_SSL_VERIFYPEER, 0L) != CURLE_OK;
            bad |= curl_easy_setopt(c->easy, CURLOPT_SSL_VERIFYHOST, 0L) != CURLE_OK;
        }
    }
    bad |= curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, sock_cb) != CURLM_OK;
    bad |= curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c) != CURLM_OK;
    bad |= curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, timer_cb) != CURLM_OK;
    bad |= curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c) != CURLM_OK;
    if (bad)
        return ws__set_error(c, ST_EENV, "websocket: libcurl refused an option (too old?)");
    if (curl_multi_add_handle(c->multi, c->easy) != CURLM_OK)
        return ws__set_error(c, ST_EENV, "websocket: curl_multi_add_handle failed");
    return 0;
}
