/*
 * ws_driver.c -- drives one replay/ws.h session on epoll through a scripted exchange, and
 * is the reference for how replay's event loop integrates ws_conn.
 *
 * Integration pattern (what the engine should copy):
 *   1. ws_conn_new + ws_conn_start, then sync(): register ws_conn_fd() with the events of
 *      ws_conn_want() (level-triggered).
 *   2. epoll_wait with a timeout up to the earliest ws_conn_next_deadline_ns().
 *   3. For a ready descriptor, ws_conn_on_io(c, READ/WRITE, with EPOLLHUP/EPOLLERR as both);
 *      for a due deadline, ws_conn_on_timer(c, now).
 *   4. After *every* call into a ws_conn (on_io, on_timer, send, close), sync() again: the
 *      descriptor can change while CONNECTING, and is closed (so already gone from epoll)
 *      once the state is CLOSED or FAILED: never EPOLL_CTL_DEL it then, its number may
 *      already belong to another session.
 *
 * Usage: ws_driver MODE URL [--keep-curl] [--ca CERT_FILE] [--seed N]
 *   conformance  text, binary, fragmented both ways, pings both ways, close 4000 from us
 *   server-close the server closes with 4001 "server bye"
 *   oversize     the server sends 5000 bytes against a 1024-byte cap: we close with 1009
 *   drop         the server drops TCP without a close frame: on_close 1006
 *   refused      URL points at a closed port: FAILED with a clear error
 *   refused-tls  wss:// to a server whose certificate we do not trust: FAILED
 *   bad-accept   the server answers 101 with a wrong Sec-WebSocket-Accept: FAILED
 *   early-frame  a frame arrives in the same segment as the 101: delivered first
 *   lws          libwebsockets-test-server's lws-mirror-protocol: our messages come back
 * Prints one "ok"/"FAIL" line per check; exit 0 when all pass, 1 otherwise, 2 bad usage.
 * Every wait is bounded (a few seconds), so the driver always ends.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "dbuf.h"
#include "units.h"
#include "ws.h"

struct drv {
    ws_conn *c;
    int ep;
    int reg_fd;
    unsigned reg_want;
    /* what the callbacks saw */
    int opened, closed, msgs, pongs, last_binary;
    int settled; /* opened or closed: the handshake's outcome is known */
    uint64_t last_rtt;
    uint16_t close_code;
    char close_reason[128];
    dbuf last; /* the last message */
    int failures;
};

static void check(struct drv *d, int cond, const char *what)
{
    printf("%s %s\n", cond ? "ok  " : "FAIL", what);
    fflush(stdout);
    if (!cond)
        d->failures++;
}

/* Keeps the epoll registration equal to (ws_conn_fd, ws_conn_want). */
static void sync_reg(struct drv *d)
{
    ws_state s = ws_conn_state(d->c);
    int fd = (s == WS_CLOSED || s == WS_FAILED) ? -1 : ws_conn_fd(d->c);
    unsigned w = fd >= 0 ? ws_conn_want(d->c) : 0;
    if (fd != d->reg_fd) {
        if (d->reg_fd >= 0 && fd >= 0)
            epoll_ctl(d->ep, EPOLL_CTL_DEL, d->reg_fd, NULL); /* may fail: libcurl closed it */
        d->reg_fd = -1;
    }
    if (fd < 0)
        return;
    struct epoll_event ev = {0};
    ev.events = ((w & WS_WANT_READ) ? EPOLLIN : 0) | ((w & WS_WANT_WRITE) ? EPOLLOUT : 0);
    ev.data.ptr = d;
    if (d->reg_fd < 0) {
        if (epoll_ctl(d->ep, EPOLL_CTL_ADD, fd, &ev) == 0) {
            d->reg_fd = fd;
            d->reg_want = w;
        }
    } else if (w != d->reg_want) {
        if (epoll_ctl(d->ep, EPOLL_CTL_MOD, fd, &ev) != 0 && errno == ENOENT)
            epoll_ctl(d->ep, EPOLL_CTL_ADD, fd, &ev); /* same number, new socket */
        d->reg_want = w;
    }
}

/* Runs the loop until *flag != 0 or timeout_ms passes. Returns 1 if the flag was set. */
static int pump(struct drv *d, const int *flag, int timeout_ms)
{
    uint64_t end = st_now_ns() + (uint64_t)timeout_ms * 1000000ull;
    while (!*flag) {
        uint64_t now = st_now_ns();
        if (now >= end)
            return 0;
        uint64_t dl = ws_conn_next_deadline_ns(d->c);
        uint64_t until = dl < end ? dl : end;
        int ms = until <= now ? 0 : (int)((until - now + 999999) / 1000000);
        struct epoll_event evs[4];
        int n = epoll_wait(d->ep, evs, 4, ms);
        for (int i = 0; i < n; i++) {
            unsigned r = 0;
            if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
                r |= WS_WANT_READ;
            if (evs[i].events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
                r |= WS_WANT_WRITE;
            ws_conn_on_io(d->c, r);
            sync_reg(d);
        }
        now = st_now_ns();
        if (ws_conn_next_deadline_ns(d->c) <= now) {
            ws_conn_on_timer(d->c, now);
            sync_reg(d);
        }
    }
    return 1;
}

static void on_open(ws_conn *c, void *u)
{
    ((struct drv *)u)->opened = 1;
    ((struct drv *)u)->settled = 1;
}

static void on_message(ws_conn *c, int binary, const uint8_t *data, size_t len, void *u)
{
    struct drv *d = u;
    dbuf_reset(&d->last);
    if (dbuf_add(&d->last, data, len) != 0)
        d->failures++;
    d->last_binary = binary;
    d->msgs++;
}

static void on_close(ws_conn *c, uint16_t code, const char *reason, void *u)
{
    struct drv *d = u;
    d->closed = 1;
    d->settled = 1;
    d->close_code = code;
    snprintf(d->close_reason, sizeof d->close_reason, "%s", reason);
}

static void on_pong(ws_conn *c, uint64_t rtt_ns, void *u)
{
    struct drv *d = u;
    if (rtt_ns)
        d->last_rtt = rtt_ns;
    d->pongs++;
}

/* Sends one message and waits for the next message to arrive. */
static int exchange(struct drv *d, int binary, const void *p, size_t n, size_t frag)
{
    int before = d->msgs, rc;
    rc = frag ? ws_conn_send_fragmented(d->c, binary, p, n, frag)
              : ws_conn_send(d->c, binary, p, n);
    if (rc != 0)
        return 0;
    sync_reg(d);
    int target = before + 1, seen = 0;
    uint64_t end = st_now_ns() + 3000000000ull;
    while (d->msgs < target && st_now_ns() < end && !d->closed)
        pump(d, &seen, 50);
    return d->msgs >= target;
}

static int same(struct drv *d, int binary, const void *p, size_t n)
{
    return d->last.len == n && d->last_binary == binary && memcmp(d->last.p, p, n) == 0;
}

static void conformance(struct drv *d)
{
    check(d, exchange(d, 0, "hello", 5, 0) && same(d, 0, "hello", 5), "text echo");
    uint8_t bin[256];
    for (int i = 0; i < 256; i++)
        bin[i] = (uint8_t)i;
    check(d, exchange(d, 1, bin, sizeof bin, 0) && same(d, 1, bin, sizeof bin),
          "binary echo (all 256 byte values)");
    char big[3000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)('a' + i % 26);
    check(d, exchange(d, 0, big, sizeof big, 1000) && same(d, 0, big, sizeof big),
          "fragmented send: 3 frames of 1000 bytes reassembled by the peer");
    uint8_t bbig[70000]; /* > 65535: the 64-bit length form (RFC 6455 §5.2) */
    for (size_t i = 0; i < sizeof bbig; i++)
        bbig[i] = (uint8_t)(i * 7);
    check(d, exchange(d, 1, bbig, sizeof bbig, 0) && same(d, 1, bbig, sizeof bbig),
          "70000-byte binary echo (64-bit payload length)");
    check(d, exchange(d, 0, "frag:3", 6, 0) && same(d, 0, "part0part1part2", 15),
          "fragmented receive: 3 frames from the peer joined into one message");
    check(d, exchange(d, 0, "ping", 4, 0) && same(d, 0, "pong-ok", 7),
          "peer's ping answered with our pong");
    int got_rtt = 0;
    uint64_t end = st_now_ns() + 3000000000ull;
    while (!d->last_rtt && st_now_ns() < end && !d->closed)
        pump(d, &got_rtt, 50);
    check(d, d->last_rtt > 0, "our keepalive ping answered (pong with round trip)");
    check(d, ws_conn_stats(d->c)->pings_out > 0, "pings counted");
    check(d, ws_conn_close(d->c, 4000, "client done") == 0, "close queued");
    sync_reg(d);
    pump(d, &d->closed, 3000);
    check(d, d->closed && d->close_code == 4000 && strcmp(d->close_reason, "client done") == 0,
          "our close 4000 'client done' completed the closing handshake");
    check(d, ws_conn_state(d->c) == WS_CLOSED && !ws_conn_stats(d->c)->closed_by_peer,
          "state CLOSED, closed by us");
}

/* Options after MODE URL into cfg, then the mode's own settings. Returns 0, or 2 after
 * printing what is wrong. */
static int parse_config(int argc, char **argv, ws_config *cfg)
{
    char err[ST_ERRLEN];
    const char *mode = argv[1];
    memset(cfg, 0, sizeof *cfg);
    cfg->url = argv[2];
    cfg->seed = 42;
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--keep-curl") == 0) {
            cfg->keep_curl = 1;
        } else if (strcmp(argv[i], "--ca") == 0 && i + 1 < argc) {
            cfg->ca_file = argv[++i];
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            uint64_t v;
            if (units_parse_u64(argv[++i], &v, err) != 0) {
                fprintf(stderr, "ws_driver: --seed: %s\n", err);
                return 2;
            }
            cfg->seed = v;
        } else {
            fprintf(stderr, "ws_driver: unknown option '%s'\n", argv[i]);
            return 2;
        }
    }
    cfg->handshake_timeout_ns = 3000000000ull;
    cfg->close_timeout_ns = 2000000000ull;
    cfg->cb.on_open = on_open;
    cfg->cb.on_message = on_message;
    cfg->cb.on_close = on_close;
    cfg->cb.on_pong = on_pong;
    if (strcmp(mode, "conformance") == 0) {
        cfg->ping_interval_ns = 200000000ull;
        cfg->pong_timeout_ns = 5000000000ull; /* a loaded sanitizer run must not end it */
    }
    if (strcmp(mode, "oversize") == 0)
        cfg->max_message = 1024;
    if (strcmp(mode, "lws") == 0)
        cfg->subprotocol = "lws-mirror-protocol";
    return 0;
}

/* refused, refused-tls, bad-accept: the session must fail with a clear error. */
static void expect_failure(struct drv *d, const char *mode)
{
    pump(d, &d->closed, 4000);
    check(d, ws_conn_state(d->c) == WS_FAILED, "state FAILED");
    check(d, !d->opened, "never opened");
    check(d, d->closed && d->close_code == WS_CLOSE_ABNORMAL, "on_close 1006 once");
    const char *want = strcmp(mode, "refused") == 0       ? "Connection refused"
                       : strcmp(mode, "refused-tls") == 0 ? "certificate"
                                                          : "does not match";
    int has = strstr(ws_conn_error(d->c), want) != NULL;
    printf("     error: %s\n", ws_conn_error(d->c));
    check(d, has, "clear error text");
}

static void mode_server_close(struct drv *d)
{
    const ws_stats *st = ws_conn_stats(d->c);
    ws_conn_send(d->c, 0, "close:4001:server bye", 21);
    sync_reg(d);
    pump(d, &d->closed, 3000);
    check(d, d->close_code == 4001 && strcmp(d->close_reason, "server bye") == 0,
          "peer's close 4001 'server bye' reported");
    check(d, ws_conn_state(d->c) == WS_CLOSED && st->closed_by_peer,
          "state CLOSED, closed by peer");
}

static void mode_oversize(struct drv *d)
{
    const ws_stats *st = ws_conn_stats(d->c);
    ws_conn_send(d->c, 0, "big:5000", 8);
    sync_reg(d);
    pump(d, &d->closed, 3000);
    check(d, d->close_code == WS_CLOSE_TOO_BIG, "oversize message: we closed with 1009");
    check(d, d->msgs == 0, "the oversize message was not delivered");
    check(d, ws_conn_state(d->c) == WS_CLOSED && !st->closed_by_peer, "closed by us");
}

static void mode_drop(struct drv *d)
{
    ws_conn_send(d->c, 0, "drop", 4);
    sync_reg(d);
    pump(d, &d->closed, 3000);
    check(d, d->close_code == WS_CLOSE_ABNORMAL, "dropped connection: on_close 1006");
    printf("     reason: %s\n", d->close_reason);
    check(d, ws_conn_state(d->c) == WS_CLOSED, "state CLOSED");
}

static void mode_early_frame(struct drv *d)
{
    int got = 0;
    uint64_t end = st_now_ns() + 2000000000ull;
    while (d->msgs == 0 && st_now_ns() < end && !d->closed)
        pump(d, &got, 50);
    check(d, d->msgs == 1 && same(d, 0, "early", 5),
          "bytes after the 101 went to wslay: 'early' delivered");
}

static void mode_lws(struct drv *d)
{
    const ws_stats *st = ws_conn_stats(d->c);
    /* lws-mirror-protocol sends every message to all its clients, the sender too. */
    check(d, exchange(d, 0, "stampede mirror", 15, 0) && same(d, 0, "stampede mirror", 15),
          "lws-mirror: text comes back");
    /* The mirror forwards each received fragment as a message of its own, so count bytes:
     * all 2000 must come back. */
    char frag[2000];
    memset(frag, 'z', sizeof frag);
    uint64_t want = st->bytes_in + sizeof frag;
    int none = 0;
    check(d, ws_conn_send_fragmented(d->c, 0, frag, sizeof frag, 500) == 0,
          "lws-mirror: fragmented text queued (4 frames)");
    sync_reg(d);
    uint64_t end = st_now_ns() + 3000000000ull;
    while (st->bytes_in < want && st_now_ns() < end && !d->closed)
        pump(d, &none, 50);
    check(d, st->bytes_in == want && d->last.len && d->last.p[0] == 'z',
          "lws-mirror: all 2000 fragmented bytes come back");
    check(d, ws_conn_close(d->c, 1000, "bye") == 0, "close queued");
    sync_reg(d);
    pump(d, &d->closed, 3000);
    check(d, d->closed && ws_conn_state(d->c) == WS_CLOSED, "closed");
    printf("     close %u '%s'\n", d->close_code, d->close_reason);
}

/* The modes that run on an open session. */
static const struct {
    const char *name;
    void (*run)(struct drv *d);
} open_modes[] = {
    {"conformance", conformance}, {"server-close", mode_server_close}, {"oversize", mode_oversize},
    {"drop", mode_drop},          {"early-frame", mode_early_frame},   {"lws", mode_lws},
};

/* Runs mode on the session that opened (or says why it did not). Returns 0, or 2 for an
 * unknown mode. */
static int run_open_mode(struct drv *d, const char *mode)
{
    const ws_stats *st = ws_conn_stats(d->c);
    check(d, d->opened && ws_conn_state(d->c) == WS_OPEN, "handshake: 101 verified, OPEN");
    if (!d->opened) {
        printf("     error: %s\n", ws_conn_error(d->c));
    } else {
        printf("     handshake %llu us, libcurl kept: %s\n", (unsigned long long)st->handshake_us,
               ws_conn_uses_curl(d->c) ? "yes" : "no");
        size_t k = 0, n = sizeof open_modes / sizeof open_modes[0];
        while (k < n && strcmp(open_modes[k].name, mode) != 0)
            k++;
        if (k == n) {
            fprintf(stderr, "ws_driver: unknown mode '%s'\n", mode);
            return 2;
        }
        open_modes[k].run(d);
    }
    printf("     messages in %llu out %llu, bytes in %llu out %llu\n",
           (unsigned long long)st->msgs_in, (unsigned long long)st->msgs_out,
           (unsigned long long)st->bytes_in, (unsigned long long)st->bytes_out);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: ws_driver MODE URL [--keep-curl] [--ca CERT_FILE] [--seed N]\n");
        return 2;
    }
    const char *mode = argv[1];
    char err[ST_ERRLEN];
    if (ws_global_init(err) != 0) {
        fprintf(stderr, "ws_driver: %s\n", err);
        return 3;
    }
    ws_config cfg;
    int rc = parse_config(argc, argv, &cfg);
    if (rc != 0)
        return rc;
    struct drv d;
    memset(&d, 0, sizeof d);
    d.reg_fd = -1;
    dbuf_init(&d.last, 1 << 20);
    d.ep = epoll_create1(EPOLL_CLOEXEC);
    const char *hdrs[] = {"X-Stampede-Test: 1", NULL};
    cfg.headers = hdrs;
    cfg.user = &d;
    d.c = ws_conn_new(&cfg, err);
    if (!d.c) {
        fprintf(stderr, "ws_driver: %s\n", err);
        dbuf_free(&d.last);
        return 2;
    }
    rc = ws_conn_start(d.c, err);
    sync_reg(&d);
    if (rc == 0)
        pump(&d, &d.settled, 4000);
    rc = 0;
    if (strcmp(mode, "refused") == 0 || strcmp(mode, "bad-accept") == 0 ||
        strcmp(mode, "refused-tls") == 0)
        expect_failure(&d, mode);
    else
        rc = run_open_mode(&d, mode);
    ws_conn_free(d.c);
    dbuf_free(&d.last);
    if (rc != 0)
        return rc;
    printf("%s: %d failure(s)\n", mode, d.failures);
    return d.failures ? 1 : 0;
}
