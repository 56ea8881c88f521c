/*
 * replay_loop_ws.c -- replay's event loop drives WebSocket sessions (replay/ws.h through
 * replay/loop_ws.h) and libcurl HTTP transfers (replay/http.h) on one epoll loop at once.
 * Usage: replay_loop_ws WS_URL HTTP_URL. Three sessions each echo 5 messages and close with
 * 1000 while 20 HTTP requests go to HTTP_URL (any HTTP status counts as a response).
 * Prints one line and exits 0 when everything happened, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "loop.h"
#include "loop_ws.h"

#define N_WS 3
#define N_MSG 5
#define N_HTTP 20

typedef struct sess {
    ws_conn *c;
    loop_ws a;
    int echoes, opened;
    uint16_t code;
    int closed;
} sess;

static int http_done_n, http_ok;

static void on_open(ws_conn *c, void *user)
{
    sess *s = user;
    s->opened = 1;
    ws_conn_send(c, 0, "hello", 5);
}

static void on_message(ws_conn *c, int binary, const uint8_t *data, size_t len, void *user)
{
    sess *s = user;
    (void)binary;
    if (len == 5 && !memcmp(data, "hello", 5) && ++s->echoes < N_MSG)
        ws_conn_send(c, 0, "hello", 5);
    else if (s->echoes >= N_MSG)
        ws_conn_close(c, 1000, "bye");
}

static void on_close(ws_conn *c, uint16_t code, const char *reason, void *user)
{
    sess *s = user;
    (void)c;
    (void)reason;
    s->code = code;
    s->closed = 1;
}

static size_t sink(char *p, size_t sz, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return sz * n;
}

static void on_http_done(void *arg, CURL *easy, CURLcode rc)
{
    http *h = arg;
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    http_remove(h, easy);
    http_done_n++;
    if (rc == CURLE_OK && status >= 100)
        http_ok++;
    if (http_done_n < N_HTTP)
        http_add(h, easy);
}

int main(int argc, char **argv)
{
    char err[ST_ERRLEN];
    sess s[N_WS];
    http h;
    loop *l;
    CURL *easy;
    int ok = 1;
    if (argc != 3) {
        fprintf(stderr, "usage: replay_loop_ws WS_URL HTTP_URL\n");
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    l = loop_new(64, err);
    if (!l || http_init(&h, l, on_http_done, &h, 8, 0, err)) {
        fprintf(stderr, "setup: %s\n", err);
        return 1;
    }
    memset(s, 0, sizeof s);
    for (int i = 0; i < N_WS; i++) {
        ws_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.url = argv[1];
        cfg.seed = 1;
        cfg.session_id = (uint64_t)i;
        cfg.cb.on_open = on_open;
        cfg.cb.on_message = on_message;
        cfg.cb.on_close = on_close;
        cfg.user = &s[i];
        if (!(s[i].c = ws_conn_new(&cfg, err)) || ws_conn_start(s[i].c, err) ||
            loop_ws_attach(&s[i].a, l, s[i].c, err)) {
            fprintf(stderr, "ws session %d: %s\n", i, err);
            return 1;
        }
    }
    easy = curl_easy_init();
    http_easy_setup(&h, easy);
    curl_easy_setopt(easy, CURLOPT_URL, argv[2]);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(easy, CURLOPT_PROXY, "");
    http_add(&h, easy);
    uint64_t deadline = st_now_ns() + 15000000000ull;
    for (;;) {
        int done = http_done_n >= N_HTTP;
        for (int i = 0; i < N_WS; i++)
            done &= s[i].closed;
        if (done || st_now_ns() > deadline)
            break;
        if (loop_run_once(l, st_now_ns() + 100000000u)) {
            fprintf(stderr, "loop failed\n");
            break;
        }
    }
    for (int i = 0; i < N_WS; i++) {
        if (!s[i].opened || s[i].echoes != N_MSG || !s[i].closed || s[i].code != 1000) {
            fprintf(stderr, "ws session %d: opened %d, echoes %d/%d, closed %d code %u, rc %d\n", i,
                    s[i].opened, s[i].echoes, N_MSG, s[i].closed, s[i].code, s[i].a.rc);
            ok = 0;
        }
        loop_ws_detach(&s[i].a);
        ws_conn_free(s[i].c);
    }
    if (http_ok != N_HTTP) {
        fprintf(stderr, "http: %d of %d responses\n", http_ok, N_HTTP);
        ok = 0;
    }
    curl_easy_cleanup(easy);
    http_term(&h);
    loop_free(l);
    curl_global_cleanup();
    printf("%s: %d WebSocket sessions x %d echoes closed with 1000, %d HTTP responses, one loop\n",
           ok ? "OK" : "FAIL", N_WS, N_MSG, http_ok);
    return ok ? 0 : 1;
}
