/*
 * http.c -- libcurl multi_socket glue (see http.h). The pattern is libcurl's documented
 * event-based API (curl_multi_socket_action with CURLMOPT_SOCKETFUNCTION/TIMERFUNCTION).
 */
#include "http.h"

#include "metrics.h"

#include <string.h>
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
    int flags = (events & LOOP_IN ? CURL_CSELECT_IN : 0) | (events & LOOP_OUT ? CURL_CSELECT_OUT : 0) |
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
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, t && t->version ? t->version : (long)CURL_HTTP_VERSION_1_1);
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
    case CURL_HTTP_VERSION_1_0:
        return 0;
    case CURL_HTTP_VERSION_1_1:
        return 1;
    case CURL_HTTP_VERSION_2_0:
        return 2;
    case CURL_HTTP_VERSION_3:
        return 3;
    default:
        return -1;
    }
}

int http_err_class(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return ERR_CONNECT;
    case CURLE_OPERATION_TIMEDOUT:
        return ERR_TIMEOUT;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
        return ERR_RESET;
    default:
        return ERR_OTHER;
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
