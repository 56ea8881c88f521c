/*
 * http.h -- libcurl's multi_socket API driven by one replay loop (loop.h).
 *
 * libcurl tells us which sockets it wants watched (CURLMOPT_SOCKETFUNCTION) and when it wants
 * a timeout (CURLMOPT_TIMERFUNCTION); the loop calls back into curl_multi_socket_action, and
 * finished transfers are handed to the owner's `done` callback. Sockets libcurl no longer
 * wants (an idle keep-alive connection) stay registered in epoll (loop_idle), and sockets are
 * forgotten when libcurl closes them (CURLOPT_CLOSESOCKETFUNCTION, installed on every easy
 * handle by http_easy_setup).
 * Ownership: http_init/http_term pair on a caller-owned struct; easy handles are the owner's.
 */
#ifndef RP_HTTP_H
#define RP_HTTP_H

#include <curl/curl.h>

#include "loop.h"

typedef void (*http_done_fn)(void *arg, CURL *easy, CURLcode rc);

typedef struct http {
    CURLM *multi;
    loop *l;
    loop_timer timer;
    http_done_fn done;
    void *arg;
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
/* Options every easy handle of this multi needs (no signals, the close-socket hook). */
void http_easy_setup(http *h, CURL *easy);
/* Starts a transfer (curl_multi_add_handle). 0 or ST_EENV. */
int http_add(http *h, CURL *easy);
/* Removes a handle (after done, or to cancel). */
void http_remove(http *h, CURL *easy);

#endif
