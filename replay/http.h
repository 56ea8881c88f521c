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
 * Requests (http_req): HTTP request assembly lives here, so the engine only schedules. An
 * http_req is one reused easy handle plus the fixed buffers it points into: the URL, body and
 * header rows the caller renders (plan_render), the curl_slist nodes that point into those
 * rows (no list is ever built), the response capture. http_req_send sets on the handle only
 * what differs from the request it sent before (URL, method, interface, cookies), adds the
 * W3C traceparent and the prebuilt client rows, and starts the transfer; after `done`, the
 * http_req_* getters read the response. The request path allocates nothing of ours.
 * Ownership: http_init/http_term pair on a caller-owned struct; easy handles are the owner's
 * (http_req_new/http_req_free for the ones made here); the transport struct must outlive the
 * http struct.
 */
#ifndef RP_HTTP_H
#define RP_HTTP_H

#include <curl/curl.h>

#include "cookiejar.h"
#include "dbuf.h"
#include "loop.h"

typedef struct http_transport {
    long version;     /* CURL_HTTP_VERSION_*; 0 = 1.1 */
    int multiplex;    /* HTTP/2: multiplex streams on a connection, wait for one (PIPEWAIT) */
    long max_streams; /* > 0: streams per connection (CURLMOPT_MAX_CONCURRENT_STREAMS) */
    const char *ca_file, *client_cert, *client_key; /* NULL or "": none */
    int insecure;       /* skip certificate and host-name verification */
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
    int failed;       /* a loop registration failed (reported once by the owner) */
    uint64_t jar_seq; /* last cookie-jar content identity handed out (http_jar_id) */
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


/* ---- requests ---- */

#define HTTP_REQ_ROWS 40 /* header rows: the scenario's, traceparent, Expect, client rows */

typedef struct http_req {
    CURL *easy;
    void *owner;                /* the caller's, while in flight (NULL when idle) */
    struct http_req *next_free; /* the caller's free list */
    uint64_t bytes;             /* response body bytes */
    int want_body, want_hdrs;   /* capture the body / header block of this response */
    int cookies;                /* the handle runs libcurl's cookie engine */
    int set_cookie;             /* this response carried a Set-Cookie header */
    int hdr_fn;                 /* CURLOPT_HEADERFUNCTION is set (on_header) */
    dbuf body_in, hdrs_in;      /* captures (capped: past the cap they are truncated) */
    char url[4096];             /* rendered by the caller before http_req_send */
    char body[8192];
    char hdr[HTTP_REQ_ROWS][512];
    size_t n_hdr; /* rows of hdr in use */
    /* What the handle holds now, so an unchanged request costs no setopt. */
    char url_set[4096];
    CURLU *uh; /* url_set, parsed once (CURLOPT_CURLU) */
    const char *method_set;
    char iface[24];
    uint64_t jar_id; /* content of the cookie engine (cookiejar.h), 0 = unknown */
    struct curl_slist nodes[HTTP_REQ_ROWS];
} http_req;

typedef struct http_req_opts {
    double timeout, connect_timeout; /* seconds */
    int cookies;                     /* run libcurl's cookie engine on the handle */
} http_req_opts;

/* How one request goes out, beside what is in the http_req's buffers. */
typedef struct http_send {
    const char *method; /* "GET", "HEAD", "POST", ...; a stable string (compared by
                         * address to skip the setopt when unchanged) */
    int has_body;       /* send r->body (else an empty body for non-GET/HEAD) */
    int want_body, want_hdrs;
    int traceparent; /* add "traceparent: 00-<hi><lo>-<span>-01" */
    uint64_t trace_hi, trace_lo, span;
    const char *rows[2]; /* prebuilt header rows (client address, User-Agent); NULL or
                          * "": none; they must stay valid while in flight */
    const char *iface;   /* CURLOPT_INTERFACE, "" or NULL: none */
    CURLSH *share;       /* a connection cache of its own (http_share_new), or NULL */
    int per_session;     /* one connection per session: fresh on the first request,
                          * closed after the last */
    int first, last;     /* this is the session's first / last request */
    long version;        /* > 0: CURLOPT_HTTP_VERSION for this request */
    cookiejar *jar;      /* the session's cookies (loaded only when the handle holds
                          * another content); NULL: cookies off */
} http_send;

/* A request handle with the options every request of this multi needs (http_easy_setup, the
 * capture callbacks, timeouts, no redirects, no proxy). NULL on ENOMEM. */
http_req *http_req_new(http *h, const http_req_opts *o);
/* Frees r (removing it from the multi first when it is in flight). NULL is a no-op. */
void http_req_free(http *h, http_req *r);
/* Sets what differs from r's previous request and starts the transfer. Returns 0 or ST_EENV. */
int http_req_send(http *h, http_req *r, const http_send *s);
/* The http_req an easy handle made by http_req_new belongs to. */
http_req *http_req_of(CURL *easy);
/* After `done`: the HTTP status (0 without one). */
long http_req_status(http_req *r);
/* After `done`: keeps the session's jar in step with the handle's cookie engine (copies only
 * when the response set a cookie). 0, or -1 on ENOMEM (the jar is unchanged). */
int http_req_keep_cookies(http *h, http_req *r, cookiejar *jar);
/* A fresh cookie-jar content identity (for cookiejar_reset at a session's start). */
uint64_t http_jar_id(http *h);

#endif
