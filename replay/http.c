/*
 * http.c -- libcurl multi_socket glue (see http.h). The pattern is libcurl's documented
 * event-based API (curl_multi_socket_action with CURLMOPT_SOCKETFUNCTION/TIMERFUNCTION).
 */
#include "http.h"

#include "metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static void check_done(http *h)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(h->multi, &left)))
        if (m->msg == CURLMSG_DONE)
            h->done(h->arg, m->easy_handle, m->data.result);
}

static void on_io(loop *l, int fd, unsigned events, void *arg)
{
    http *h = arg;
    int flags = (events & LOOP_IN ? CURL_CSELECT_IN : 0) |
                (events & LOOP_OUT ? CURL_CSELECT_OUT : 0) |
                (events & LOOP_ERR ? CURL_CSELECT_ERR : 0);
    (void)l;
    curl_multi_socket_action(h->multi, fd, flags, &h->running);
    check_done(h);
}

static void on_timer(loop *l, void *arg)
{
    http *h = arg;
    (void)l;
    curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &h->running);
    check_done(h);
}

static int sock_cb(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
    http *h = userp;
    unsigned ev = (what == CURL_POLL_IN ? LOOP_IN : 0) | (what == CURL_POLL_OUT ? LOOP_OUT : 0) |
                  (what == CURL_POLL_INOUT ? LOOP_IN | LOOP_OUT : 0);
    (void)e;
    (void)socketp;
    if (what == CURL_POLL_REMOVE) {
        loop_idle(h->l, s);
        return 0;
    }
    if (loop_watch(h->l, s, ev, on_io, h, h->err))
        h->failed = 1;
    return 0;
}

static int timer_cb(CURLM *m, long ms, void *userp)
{
    http *h = userp;
    (void)m;
    if (ms < 0)
        loop_timer_cancel(h->l, &h->timer);
    else
        loop_timer_set(h->l, &h->timer, loop_now(h->l) + (uint64_t)ms * 1000000u);
    return 0;
}

static int close_cb(void *clientp, curl_socket_t s)
{
    http *h = clientp;
    loop_forget(h->l, s);
    return close(s);
}

int http_init(http *h, loop *l, http_done_fn done, void *arg, long maxconnects, long max_host,
              char *err)
{
    memset(h, 0, sizeof *h);
    h->l = l;
    h->done = done;
    h->arg = arg;
    loop_timer_init(&h->timer, on_timer, h);
    h->multi = curl_multi_init();
    if (!h->multi)
        return st_err(err, ST_EENV, "curl_multi_init failed");
    if (curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, sock_cb) != CURLM_OK ||
        curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h) != CURLM_OK ||
        curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, timer_cb) != CURLM_OK ||
        curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h) != CURLM_OK ||
        curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, maxconnects) != CURLM_OK ||
        (max_host > 0 &&
         curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, max_host) != CURLM_OK)) {
        http_term(h);
        return st_err(err, ST_EENV, "curl_multi_setopt failed");
    }
    return 0;
}

void http_term(http *h)
{
    if (h->multi)
        curl_multi_cleanup(h->multi);
    if (h->l)
        loop_timer_cancel(h->l, &h->timer);
    h->multi = NULL;
}

int http_set_transport(http *h, const http_transport *t, char *err)
{
    /* libcurl 7.88 multiplexes by default; say so explicitly for HTTP/2 and turn it off for
     * HTTP/1.1, where it has no meaning but would let a future libcurl change behaviour. */
    long pipe = t->multiplex ? CURLPIPE_MULTIPLEX : CURLPIPE_NOTHING;
    if (curl_multi_setopt(h->multi, CURLMOPT_PIPELINING, pipe) != CURLM_OK ||
        (t->max_streams > 0 &&
         curl_multi_setopt(h->multi, CURLMOPT_MAX_CONCURRENT_STREAMS, t->max_streams) != CURLM_OK))
        return st_err(err, ST_EENV, "curl_multi_setopt (HTTP/2 multiplexing) failed");
    h->tr = t;
    return 0;
}

void http_easy_setup(http *h, CURL *easy)
{
    const http_transport *t = h->tr;
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, close_cb);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, h);
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION,
                     t && t->version ? t->version : (long)CURL_HTTP_VERSION_1_1);
    if (!t)
        return;
    /* PIPEWAIT: a transfer that could share a connection still being set up waits for it
     * instead of opening another, as a browser does with its page's first requests. */
    if (t->multiplex)
        curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
    http_tls_setup(easy, t);
}

void http_tls_setup(CURL *easy, const http_transport *t)
{
    if (t->ca_file && *t->ca_file)
        curl_easy_setopt(easy, CURLOPT_CAINFO, t->ca_file);
    if (t->client_cert && *t->client_cert)
        curl_easy_setopt(easy, CURLOPT_SSLCERT, t->client_cert);
    if (t->client_key && *t->client_key)
        curl_easy_setopt(easy, CURLOPT_SSLKEY, t->client_key);
    if (t->insecure) {
        curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
    }
}

CURLSH *http_share_new(void)
{
    CURLSH *sh = curl_share_init();
    if (sh && curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT) != CURLSHE_OK) {
        curl_share_cleanup(sh);
        return NULL;
    }
    return sh;
}

void http_share_free(CURLSH *sh)
{
    if (sh)
        curl_share_cleanup(sh);
}

int http_h2c_reuse_broken(void)
{
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    return !v || v->version_num < 0x080000;
}

int http_version_of(CURL *easy, long *v)
{
    *v = 0;
    if (curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, v) != CURLE_OK)
        return -1;
    return http_version_index(*v);
}

int http_version_index(long v)
{
    switch (v) {
    case CURL_HTTP_VERSION_1_0: return 0;
    case CURL_HTTP_VERSION_1_1: return 1;
    case CURL_HTTP_VERSION_2_0: return 2;
    case CURL_HTTP_VERSION_3: return 3;
    default: return -1;
    }
}

int http_err_class(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return ERR_CONNECT;
    case CURLE_OPERATION_TIMEDOUT: return ERR_TIMEOUT;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE: return ERR_RESET;
    default: return ERR_OTHER;
    }
}

int http_add(http *h, CURL *easy)
{
    if (curl_multi_add_handle(h->multi, easy) != CURLM_OK)
        return ST_EENV;
    return 0;
}

void http_remove(http *h, CURL *easy)
{
    curl_multi_remove_handle(h->multi, easy);
}

/* ---- requests ---- */

#define BODY_CAP (1u << 20)
#define HDRS_CAP (64u << 10)

static size_t on_body(char *p, size_t sz, size_t n, void *arg)
{
    http_req *r = arg;
    r->bytes += sz * n;
    if (r->want_body)
        dbuf_add(&r->body_in, p, sz * n); /* past the cap the capture is truncated */
    return sz * n;
}

static size_t on_header(char *p, size_t sz, size_t n, void *arg)
{
    http_req *r = arg;
    size_t len = sz * n;
    if (r->want_hdrs)
        dbuf_add(&r->hdrs_in, p, len);
    /* The jar is copied back only after a response that changed it (http_req_keep_cookies). */
    if (r->cookies && len > 11 && (p[0] | 0x20) == 's' && !strncasecmp(p, "set-cookie:", 11))
        r->set_cookie = 1;
    return len;
}

/* The header callback only while someone reads the header lines (a capture, or the cookie
 * engine's Set-Cookie check): libcurl calls it once per line, ~0.4k instructions a response. */
static void set_header_fn(http_req *r, int on)
{
    if (r->hdr_fn == on)
        return;
    /* Both or neither: HEADERDATA without a function sends the headers to on_body. */
    curl_easy_setopt(r->easy, CURLOPT_HEADERFUNCTION, on ? on_header : NULL);
    curl_easy_setopt(r->easy, CURLOPT_HEADERDATA, on ? (void *)r : NULL);
    r->hdr_fn = on;
}

http_req *http_req_new(http *h, const http_req_opts *o)
{
    http_req *r = calloc(1, sizeof *r);
    if (!r || !(r->easy = curl_easy_init()) || !(r->uh = curl_url())) {
        if (r)
            curl_easy_cleanup(r->easy);
        free(r);
        return NULL;
    }
    dbuf_init(&r->body_in, BODY_CAP);
    dbuf_init(&r->hdrs_in, HDRS_CAP);
    http_easy_setup(h, r->easy);
    curl_easy_setopt(r->easy, CURLOPT_PRIVATE, r);
    curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(r->easy, CURLOPT_TIMEOUT_MS, (long)(o->timeout * 1000));
    curl_easy_setopt(r->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)(o->connect_timeout * 1000));
    /* Safety: never follow a redirect away from the target, never a proxy from the
     * environment (this also spares libcurl three getenv() per request). */
    curl_easy_setopt(r->easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(r->easy, CURLOPT_PROXY, "");
    if (o->cookies)
        curl_easy_setopt(r->easy, CURLOPT_COOKIEFILE, "");
    r->cookies = o->cookies;
    set_header_fn(r, o->cookies);
    return r;
}

void http_req_free(http *h, http_req *r)
{
    if (!r)
        return;
    if (r->owner)
        http_remove(h, r->easy);
    curl_easy_cleanup(r->easy);
    curl_url_cleanup(r->uh);
    dbuf_free(&r->body_in);
    dbuf_free(&r->hdrs_in);
    free(r);
}

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

/* The method, set only when it (or a body) differs from the handle's last request. */
static void set_method(http_req *r, const char *m, int has_body)
{
    CURL *c = r->easy;
    if (m == r->method_set && !has_body)
        return;
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
    if (!strcmp(m, "GET")) {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    } else if (!strcmp(m, "HEAD")) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, has_body ? r->body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, has_body ? (long)strlen(r->body) : 0L);
        if (strcmp(m, "POST") != 0)
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m);
    }
    /* A body-less request after one with a body must set its method again. */
    r->method_set = has_body ? NULL : m;
}

/* Links the header rows (the rendered ones, traceparent, Expect, the client rows) into the
 * handle's fixed list nodes. Returns the number of nodes. */
static size_t link_headers(http_req *r, const http_send *s)
{
    size_t nh = r->n_hdr;
    if (s->traceparent && nh < HTTP_REQ_ROWS - 2)
        traceparent(r->hdr[nh++], s->trace_hi, s->trace_lo, s->span);
    if (s->has_body && nh < HTTP_REQ_ROWS - 1)
        memcpy(r->hdr[nh++], "Expect:", 8); /* no 100-continue round trip */
    for (size_t i = 0; i < nh; i++)
        r->nodes[i].data = r->hdr[i];
    for (int i = 0; i < 2; i++)
        if (s->rows[i] && s->rows[i][0] && nh < HTTP_REQ_ROWS)
            r->nodes[nh++].data = (char *)s->rows[i]; /* libcurl only reads the rows */
    for (size_t i = 0; i < nh; i++)
        r->nodes[i].next = i + 1 < nh ? &r->nodes[i + 1] : NULL;
    return nh;
}

int http_req_send(http *h, http_req *r, const http_send *s)
{
    CURL *c = r->easy;
    size_t nh = link_headers(r, s);
    if (s->iface && s->iface[0] && strcmp(r->iface, s->iface)) {
        /* libcurl matches reusable connections by interface too, so a session never gets
         * another client's connection. */
        curl_easy_setopt(c, CURLOPT_INTERFACE, s->iface);
        snprintf(r->iface, sizeof r->iface, "%s", s->iface);
    }
    if (strcmp(r->url_set, r->url)) {
        /* The URL goes to libcurl parsed (CURLOPT_CURLU): given a string, libcurl 7.88 parses
         * it again at every transfer, ~13k instructions a request here (15% of replay's
         * total). The flags are the ones libcurl itself parses CURLOPT_URL with, so the same
         * URLs are accepted and normalised alike; one it refuses goes as a string, and the
         * transfer fails with libcurl's own error as before. */
        unsigned fl = CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME;
        int parsed = curl_url_set(r->uh, CURLUPART_URL, r->url, fl) == CURLUE_OK;
        curl_easy_setopt(c, CURLOPT_CURLU, parsed ? r->uh : NULL);
        if (!parsed) /* CURLOPT_CURLU takes precedence over CURLOPT_URL: cleared above */
            curl_easy_setopt(c, CURLOPT_URL, r->url);
        snprintf(r->url_set, sizeof r->url_set, "%s", r->url);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, nh ? r->nodes : NULL);
    set_method(r, s->method, s->has_body);
    if (s->share)
        curl_easy_setopt(c, CURLOPT_SHARE, s->share);
    if (s->per_session) {
        curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, s->first ? 1L : 0L);
        curl_easy_setopt(c, CURLOPT_FORBID_REUSE, s->last ? 1L : 0L);
    }
    if (s->version > 0)
        curl_easy_setopt(c, CURLOPT_HTTP_VERSION, s->version);
    if (s->jar && (r->jar_id == 0 || r->jar_id != s->jar->id)) {
        cookiejar_load(c, s->jar); /* the easy handle is shared between sessions */
        r->jar_id = s->jar->id;
    }
    r->want_body = s->want_body;
    r->want_hdrs = s->want_hdrs;
    set_header_fn(r, r->cookies || s->want_hdrs);
    r->set_cookie = 0;
    dbuf_reset(&r->body_in);
    dbuf_reset(&r->hdrs_in);
    r->bytes = 0;
    return http_add(h, c);
}

http_req *http_req_of(CURL *easy)
{
    http_req *r = NULL;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&r);
    return r;
}

long http_req_status(http_req *r)
{
    long status = 0;
    if (curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK)
        return 0;
    return status;
}

int http_req_keep_cookies(http *h, http_req *r, cookiejar *jar)
{
    if (!r->set_cookie)
        return 0; /* the engine holds what the jar holds */
    if (cookiejar_save(jar, r->easy, http_jar_id(h))) {
        r->jar_id = 0; /* the handle and the jar now differ */
        return -1;
    }
    r->jar_id = jar->id;
    return 0;
}

uint64_t http_jar_id(http *h)
{
    return ++h->jar_seq;
}
