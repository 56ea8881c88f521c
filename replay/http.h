/*
 * http.h -- libcurl's multi_socket API driven by one replay loop (loop.h).
 *
 * libcurl tells us which sockets it wants watched (CURLMOPT_SOCKETFUNCTION) and when it wants
 * a timeout (CURLMOPT_TIMERFUNCTION); the loop calls back into curl_multi_socket_action, and
 * finished transfers are handed to the owner's `done` callback. Sockets libcurl no longer
 * wants (an idle keep-alive connection) stay registered in epoll (loop_idle), and sockets are
 * forgotten when libcurl closes them (CURLOPT_CLOSESOCKETFUNCTION, installed on every easy
 * handle by http_easy_setup).
 * Transport (http_set_transport): the HTTP version every transfer asks for, HTTP/2
 * multiplexing and the TLS settings. Options are set once per easy handle (http_easy_setup),
 * never per request, so HTTP/1.1 costs what it did before HTTP/2 existed here. HTTP/2
 * multiplexing (CURLPIPE_MULTIPLEX) lets libcurl put a transfer on any connection of the
 * multi that has a free stream; a caller that wants connections kept apart (one browser
 * connection per session) gives each group of transfers its own connection cache with
 * http_share_new (libcurl's CURL_LOCK_DATA_CONNECT share).
 * Ownership: http_init/http_term pair on a caller-owned struct; easy handles are the owner's;
 * the transport struct must outlive the http struct.
 */
#ifndef RP_HTTP_H
#define RP_HTTP_H

#include <curl/curl.h>

#include "loop.h"

typedef struct http_transport {
    long version;      /* CURL_HTTP_VERSION_*; 0 = 1.1 */
    int multiplex;     /* HTTP/2: multiplex streams on a connection, wait for one (PIPEWAIT) */
    long max_streams;  /* > 0: streams per connection (CURLMOPT_MAX_CONCURRENT_STREAMS) */
    const char *ca_file, *client_cert, *client_key; /* NULL or "": none */
    int insecure;      /* skip certificate and host-name verification */
    long reuse_version; /* > 0: the version asked for on a connection reused by a session
                         * (h2c on libcurl < 8.0, see http_h2c_reuse_broken) */
} http_transport;

typedef void (*http_done_fn)(void *arg, CURL *easy, CURLcode rc);

typedef struct http {
    CURLM *multi;
    loop *l;
    loop_timer timer;
    http_done_fn done;
    void *arg;
    const http_transport *tr; /* NULL: HTTP/1.1 with libcurl's TLS defaults */
    int running;
    int failed;        /* a loop registration failed (reported once by the owner) */
    char err[ST_ERRLEN];
} http;

/* Returns 0 or ST_EENV with err set. maxconnects bounds libcurl's connection cache;
 * max_host > 0 also caps open connections to the target (transfers beyond it wait inside
 * libcurl for a free connection: a client connection pool). */
int http_init(http *h, loop *l, http_done_fn done, void *arg, long maxconnects, long max_host,
              char *err);
void http_term(http *h);
/* Sets the transport (before any http_easy_setup). 0 or ST_EENV with err set. */
int http_set_transport(http *h, const http_transport *t, char *err);
/* Options every easy handle of this multi needs (no signals, the close-socket hook, the
 * transport's version and TLS settings). */
void http_easy_setup(http *h, CURL *easy);
/* The transport's TLS settings alone (CA file, client certificate, verification), for an easy
 * handle outside the multi (the pre-flight check). */
void http_tls_setup(CURL *easy, const http_transport *t);
/* A connection cache of its own for the transfers given it with CURLOPT_SHARE (set while
 * the handle is not in the multi). NULL on ENOMEM. http_share_free(NULL) is a no-op; free a
 * share only after every easy handle that used it has been cleaned up. */
CURLSH *http_share_new(void);
void http_share_free(CURLSH *sh);
/* 1 when this libcurl breaks a reused h2c prior-knowledge connection: before 8.0.0 each
 * transfer asking for CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE on a connection already speaking
 * HTTP/2 switches it to HTTP/2 a second time and fails with CURLE_HTTP2, and the connection is
 * dead after that (curl issue 10634, fixed by commit cbe9d82). A transfer that asks for
 * CURL_HTTP_VERSION_2_0 instead reuses the connection and sends no Upgrade on it. */
int http_h2c_reuse_broken(void);
/* The index of a CURLINFO_HTTP_VERSION value in metrics.h's mx_hv_names ("1.0", "1.1",
 * "2", "3"), or -1 (no response, or a version this table does not know). */
int http_version_index(long curl_version);
/* The finished transfer's negotiated version: its index as above (or -1), and in *v the
 * CURL_HTTP_VERSION_* value (0 when libcurl has none). */
int http_version_of(CURL *easy, long *v);
/* The error class (metrics.h mx_err) of a failed transfer's CURLcode. */
int http_err_class(CURLcode rc);
/* Starts a transfer (curl_multi_add_handle). 0 or ST_EENV. */
int http_add(http *h, CURL *easy);
/* Removes a handle (after done, or to cancel). */
void http_remove(http *h, CURL *easy);

#endif
