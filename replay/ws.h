/*
 * ws.h -- one client WebSocket (RFC 6455) session, driven by the caller's event loop.
 *
 * Purpose: replay holds thousands of long-lived WebSockets on the same epoll loop as its HTTP
 * traffic. This module is one connection: it never blocks, never owns a loop and never
 * sleeps. The caller asks what to wait for (ws_conn_fd, ws_conn_want,
 * ws_conn_next_deadline_ns) and reports what happened (ws_conn_on_io, ws_conn_on_timer).
 * tests/integ/ws_driver.c is the reference integration on epoll.
 *
 * Design:
 *  - libcurl opens TCP (and TLS for wss://) with CURLOPT_CONNECT_ONLY, HTTP/1.1 forced and
 *    CURLOPT_NOSIGNAL, on a private multi handle so that the connect is non-blocking (Debian
 *    12's libcurl 7.88 has no WebSocket support of its own).
 *  - The Upgrade request and the 101 response go through curl_easy_send/curl_easy_recv;
 *    Sec-WebSocket-Accept is verified (ws_hs.h). Bytes that arrive after the 101 response are
 *    fed to wslay before anything else is read from the socket.
 *  - wslay (event API, client context) does the framing; its I/O callbacks read and write
 *    through curl_easy_recv/send, or, for ws:// once the handshake is done and
 *    cfg.keep_curl is 0 (the default), through recv/send on the same descriptor after the
 *    libcurl handles are released (libcurl's close-socket callback leaves it open). Kept,
 *    libcurl's easy + private multi handles cost ~60 kB and two more descriptors (the
 *    multi's wake-up socketpair) per session; released, an idle ws:// session costs ~9.5 kB
 *    of RSS and one descriptor (docs/replay/websocket.md). wss:// always keeps libcurl, which owns
 *    TLS (~113 kB per session measured).
 *  - Sec-WebSocket-Key nonces and frame masking keys come from one rng stream per session,
 *    keyed by (cfg.seed, "replay.ws", cfg.session_id), so a run is reproducible.
 *
 * State machine: the states and their transitions are documented at enum ws_state below;
 * every transition goes through one function, set_state() in ws.c.
 * on_close is called exactly once for every session that ws_conn_start accepted, on the way
 * into CLOSED or FAILED, with the close code of the side that closed first (peer's or ours),
 * 1006 when the connection ended without a close handshake, and its reason text.
 *
 * Callbacks run from inside ws_conn_on_io / ws_conn_on_timer only. They may call
 * ws_conn_send and ws_conn_close (which only queue) but must not call ws_conn_free.
 *
 * Ownership: ws_conn_new copies everything it needs from the config (strings included);
 * ws_conn_free(NULL) is a no-op and releases everything, closing the socket if still open.
 * Memory per idle open session is measured in docs/replay/websocket.md.
 */
#ifndef ST_WS_H
#define ST_WS_H

#include <stddef.h>
#include <stdint.h>

#include "st.h"

typedef struct ws_conn ws_conn;

/* A session's states, each with what it does and where it goes next (pgbench's habit). */
typedef enum ws_state {
    /* From ws_conn_new; after ws_conn_start libcurl resolves and connects (TLS included). The
     * descriptor may change while here (libcurl may try several addresses): re-read
     * ws_conn_fd after every call. -> HANDSHAKE when connected; -> FAILED on a connect error,
     * the handshake timeout or ws_conn_close (before ws_conn_start: FAILED, no on_close). */
    WS_CONNECTING = 0,
    /* Sending the Upgrade request and reading the response. -> OPEN on a valid 101 (on_open is
     * called); -> FAILED on a bad response, a dropped connection, the handshake timeout
     * (which counts from ws_conn_start) or ws_conn_close. */
    WS_HANDSHAKE,
    /* Messages flow both ways; pings go out every cfg.ping_interval_ns. -> CLOSING when either
     * side sends a close frame; -> CLOSED when the connection drops (1006) or a pong is
     * overdue (1006). */
    WS_OPEN,
    /* A close frame was sent or received and the other half is pending (or both have passed
     * and we wait for the server to close TCP: RFC 6455 §7.1.1, the server closes first, so
     * TIME_WAIT is not ours). -> CLOSED when that TCP close comes, when we failed the
     * connection (e.g. 1009 for an oversize message: our close frame is enough), or when
     * cfg.close_timeout_ns expires (1006, or the exchanged code if both frames had passed). */
    WS_CLOSING,
    /* Final; the socket is closed (so epoll has forgotten it). */
    WS_CLOSED,
    /* Final; the session never opened, or a local error (out of memory). */
    WS_FAILED,
} ws_state;

#define WS_WANT_READ 1u
#define WS_WANT_WRITE 2u
#define WS_DEADLINE_NONE UINT64_MAX

/* RFC 6455 §7.4.1 close codes used here. */
#define WS_CLOSE_NORMAL 1000
#define WS_CLOSE_GOING_AWAY 1001
#define WS_CLOSE_PROTOCOL 1002
#define WS_CLOSE_ABNORMAL 1006 /* never sent on the wire; reported for drops and timeouts */
#define WS_CLOSE_TOO_BIG 1009

typedef struct ws_callbacks {
    void (*on_open)(ws_conn *c, void *user);
    /* A complete message (fragments already joined); data is valid during the call only. */
    void (*on_message)(ws_conn *c, int binary, const uint8_t *data, size_t len, void *user);
    /* Once per session; reason is NUL-terminated and valid during the call only. */
    void (*on_close)(ws_conn *c, uint16_t code, const char *reason, void *user);
    /* rtt_ns is the round trip of our own ping, 0 for an unsolicited pong. */
    void (*on_pong)(ws_conn *c, uint64_t rtt_ns, void *user);
} ws_callbacks;

typedef struct ws_config {
    const char *url;            /* ws://host[:port]/path?query or wss://... (required) */
    const char *const *headers; /* NULL or NULL-terminated "Name: value" lines */
    const char *interface;      /* NULL, or the source address as CURLOPT_INTERFACE takes it
                                   ("host!127.0.0.5"): the socket binds to it before connecting */
    const char *subprotocol;    /* NULL or "" for none */
    size_t max_frame;           /* largest frame payload accepted; 0 = max_message */
    size_t max_message;         /* largest message accepted; 0 = 1 MiB. Past either: close 1009 */
    uint64_t ping_interval_ns;  /* 0 = no keepalive pings */
    uint64_t pong_timeout_ns;   /* 0 = ping_interval_ns; overdue pong -> CLOSED 1006 */
    uint64_t handshake_timeout_ns; /* connect + TLS + upgrade; 0 = 10 s */
    uint64_t close_timeout_ns;     /* waiting for the peer's close frame; 0 = 5 s */
    uint64_t seed;                 /* run seed */
    uint64_t session_id;           /* picks this session's rng stream */
    const char *ca_file;           /* wss://: CA bundle; NULL = system default */
    int insecure;                  /* wss://: skip certificate verification (tests only) */
    const char *client_cert;       /* wss://: PEM client certificate; NULL = none */
    const char *client_key;        /* wss://: its PEM private key; NULL = none */
    int keep_curl;                 /* ws://: keep libcurl after the handshake (costs memory) */
    ws_callbacks cb;
    void *user;
} ws_config;

/* Counters for replay's metrics; read them at any time, they live until ws_conn_free. */
typedef struct ws_stats {
    uint64_t start_ns;     /* st_now_ns() at ws_conn_start */
    uint64_t handshake_us; /* start -> 101 verified (TCP + TLS + upgrade), 0 until OPEN */
    uint64_t msgs_in, msgs_out, bytes_in, bytes_out; /* data messages and their payload bytes */
    uint64_t pings_out, pongs_in;
    uint16_t close_code;    /* as passed to on_close; 0 until then */
    uint8_t closed_by_peer; /* 1 if the peer's close frame came first */
} ws_stats;

/* Validates and copies cfg (nothing is connected yet). Returns NULL with err set on a bad URL
 * (scheme other than ws/wss, no host), a bad header line, or out of memory. Caller frees with
 * ws_conn_free. */
ws_conn *ws_conn_new(const ws_config *cfg, char *err);

/* Starts the non-blocking connect. Returns 0, or a negative ST_E* with err set when the
 * session failed at once (state FAILED, on_close already called). Call once. While
 * CONNECTING (and for wss:// or keep_curl sessions, for life) the session also holds the
 * two descriptors of libcurl's multi wake-up socketpair. */
int ws_conn_start(ws_conn *c, char *err);

/* The descriptor to watch, or -1 (nothing to watch now: rely on the deadline). */
int ws_conn_fd(const ws_conn *c);
/* WS_WANT_READ | WS_WANT_WRITE for that descriptor; 0 in final states. */
unsigned ws_conn_want(const ws_conn *c);

/* The descriptor is ready: ready is WS_WANT_READ | WS_WANT_WRITE (map EPOLLHUP/EPOLLERR to
 * both). Returns 0, or the session's error as a negative ST_E* once it has FAILED (its text
 * from ws_conn_error). Callbacks may run. Re-read fd, want, deadline and state afterwards. */
int ws_conn_on_io(ws_conn *c, unsigned ready);

/* Absolute st_now_ns() time of the next ws_conn_on_timer call needed, WS_DEADLINE_NONE if
 * none. A deadline in the past means "now". */
uint64_t ws_conn_next_deadline_ns(const ws_conn *c);
/* Handles due timers (connect progress, handshake/close timeouts, pings, pong timeout).
 * Returns as ws_conn_on_io. Calling it early is harmless. */
int ws_conn_on_timer(ws_conn *c, uint64_t now_ns);

/* Queues a text (binary = 0) or binary message (copied); it goes out on the next writable
 * on_io, and counts in msgs_out/bytes_out when queued. Returns 0, ST_EINPUT when not OPEN
 * (or a close was already queued), ST_ENOMEM. */
int ws_conn_send(ws_conn *c, int binary, const void *data, size_t len);
/* As ws_conn_send, but sent as frames of at most frag bytes (frag > 0; RFC 6455 §5.4). */
int ws_conn_send_fragmented(ws_conn *c, int binary, const void *data, size_t len, size_t frag);
/* Starts the closing handshake with code (1000..4999, not 1005/1006/1015) and reason (UTF-8,
 * at most 123 bytes). Before OPEN it just aborts (FAILED). Returns 0 or ST_EINPUT. */
int ws_conn_close(ws_conn *c, uint16_t code, const char *reason);

ws_state ws_conn_state(const ws_conn *c);
const char *ws_state_name(ws_state s);
const ws_stats *ws_conn_stats(const ws_conn *c);
/* The last error text ("" if none); valid until the next call on c. */
const char *ws_conn_error(const ws_conn *c);
/* 1 if the session still holds a libcurl easy handle (CONNECTING, HANDSHAKE, wss://,
 * keep_curl). */
int ws_conn_uses_curl(const ws_conn *c);

void ws_conn_free(ws_conn *c);

/* curl_global_init wrapper for tools: call once at start-up before threads. Returns 0 or
 * ST_EENV with err set. */
int ws_global_init(char *err);

#endif
