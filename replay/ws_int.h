/*
 * ws_int.h -- internals shared by the three layers of replay's WebSocket client, each of which
 * calls only the layers below it:
 *   ws.c       the session: public API, the state machine (set_state), framing, timers, closing;
 *   ws_open.c  getting to OPEN: config copy, libcurl connect, the Upgrade exchange;
 *   ws_io.c    the socket I/O edge and the error text.
 *
 * Not a public header: replay's engine includes ws.h only. Internal names carry the double
 * prefix ws__ (libuv's habit). The struct layout is documented here because all three
 * touch it; everything needed only until OPEN lives in `struct hs`, freed on the way in.
 */
#ifndef ST_WS_INT_H
#define ST_WS_INT_H

#include <curl/curl.h>
#include <wslay/wslay.h>

#include "dbuf.h"
#include "rng.h"
#include "ws.h"
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
    char *url;      /* as given, for error messages */
    char *curl_url; /* http(s)://host:port/ for libcurl */
    char *target;   /* path?query */
    char *host;     /* Host header value */
    char *subprotocol;
    char *ca_file, *client_cert, *client_key;
    char *iface; /* CURLOPT_INTERFACE, or NULL */
    int insecure;
    char **headers; /* NULL-terminated copies */
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
    uint8_t await_eof;   /* both close frames passed; waiting for the server's TCP close */
    uint16_t final_code; /* the close code to report once await_eof ends */
    int rc;              /* the negative ST_E* once FAILED */
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

/* ---- ws_io.c ---- */
/* Formats the session's error text (allocated on first use). Returns rc. */
int ws__set_error(ws_conn *c, int rc, const char *fmt, ...) ST_PRINTF(3, 4);
/* Socket I/O through libcurl while it is held, else recv/send. Return IO_OK (bytes > 0),
 * IO_AGAIN, IO_EOF (recv only) or IO_ERR with the error text set. more: MSG_MORE hint. */
int ws__io_recv(ws_conn *c, void *buf, size_t len, size_t *got);
int ws__io_send(ws_conn *c, const void *buf, size_t len, size_t *sent, int more);

/* ---- ws_open.c ---- */
/* What an opening step reports; a negative ST_E* (error text set) means the session failed. */
enum {
    WS_STEP_WAIT = 0,      /* nothing to do until the descriptor or a timer fires */
    WS_STEP_CONNECTED = 1, /* TCP (and TLS) is up, c->fd set: the Upgrade exchange may start */
    WS_STEP_UPGRADED = 2,  /* a valid 101 arrived: the session may open */
};
/* Copies cfg into c (timeouts, limits, rng, handshake state in c->hs with the request already
 * built, so that header errors surface at ws_conn_new). Returns 0, or ST_EINPUT/ST_ENOMEM
 * with err set; the caller frees c either way. */
int ws__open_init(ws_conn *c, const ws_config *cfg, char *err);
/* Creates libcurl's easy + private multi handles and sets their options. Returns 0 or ST_E*
 * with the error text set. */
int ws__open_start(ws_conn *c);
/* CONNECTING: libcurl acts on socket s with CURL_CSELECT_* bits ev (CURL_SOCKET_TIMEOUT for
 * timers). Returns WS_STEP_WAIT, WS_STEP_CONNECTED or ST_E*. */
int ws__connect_step(ws_conn *c, curl_socket_t s, int ev);
/* HANDSHAKE: sends the rest of the request, reads and checks the response. Returns
 * WS_STEP_WAIT, or WS_STEP_UPGRADED with *hdr_len the length of the 101's headers in
 * c->hs->resp (any bytes after them are the server's first frames), or ST_E*. */
int ws__handshake_io(ws_conn *c, size_t *hdr_len);
/* Releases libcurl's handles (the descriptor survives when c->detached is set). */
void ws__release_curl(ws_conn *c);
void ws__free_hs(struct hs *h);

#endif
