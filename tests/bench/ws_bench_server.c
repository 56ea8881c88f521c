/*
 * ws_bench_server.c -- a minimal epoll WebSocket server for tests/bench/ws_idle_sessions.sh.
 *
 * Why it exists: the benchmark needs tens of thousands of idle sessions on one machine, and
 * the reference shop (fixtures/shop) keeps one civetweb thread and one pooled database
 * connection per WebSocket, by design (it reproduces the incident). This server keeps one
 * small struct per connection and no thread or database at all.
 *
 * What it does: listens on 127.0.0.1 at each --port (several ports spread the client's
 * 4-tuples), answers the Upgrade with 101 and the computed Sec-WebSocket-Accept
 * (replay/ws_hs.h), then holds the connection. In frames it answers ping with pong and close
 * with close (frames split across reads included); it handles only the small frames of this
 * benchmark's traffic (idle sessions, tiny pings) and is not a general WebSocket server.
 *
 * Usage: ws_bench_server --port P [--port P...]   (prints "READY" when listening; runs until
 * SIGTERM/SIGINT; prints the peak session count at exit).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "units.h"
#include "ws_hs.h"

#define MAX_PORTS 16
#define HS_CAP 2048

struct conn {
    char *hs; /* handshake bytes until answered; later an incomplete frame, if any */
    uint16_t hlen;
    uint8_t open;
};

static volatile sig_atomic_t stop;
static void on_sig(int s)
{
    stop = 1;
}

static struct conn *conns; /* indexed by fd */
static long nconn_max, open_now, open_peak, closes_seen, hs_pending_at_exit;

static void drop(int ep, int fd)
{
    epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
    free(conns[fd].hs);
    if (conns[fd].open)
        open_now--;
    memset(&conns[fd], 0, sizeof conns[fd]);
    close(fd);
}

/* Finds the Sec-WebSocket-Key value in the request; returns 0 and copies it, or -1. */
static int find_key(const char *req, char key[64])
{
    const char *p = req;
    while ((p = strchr(p, '\n'))) {
        p++;
        if (strncasecmp(p, "Sec-WebSocket-Key:", 18) == 0) {
            p += 18;
            while (*p == ' ')
                p++;
            size_t n = strcspn(p, "\r\n ");
            if (n == 0 || n > 63)
                return -1;
            memcpy(key, p, n);
            key[n] = '\0';
            return 0;
        }
    }
    return -1;
}

static void handshake(int ep, int fd)
{
    struct conn *c = &conns[fd];
    if (!c->hs && !(c->hs = malloc(HS_CAP))) {
        drop(ep, fd);
        return;
    }
    ssize_t n = recv(fd, c->hs + c->hlen, HS_CAP - 1 - c->hlen, 0);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        drop(ep, fd);
        return;
    }
    c->hlen += (uint16_t)n;
    c->hs[c->hlen] = '\0';
    if (!strstr(c->hs, "\r\n\r\n")) {
        if (c->hlen >= HS_CAP - 1)
            drop(ep, fd);
        return;
    }
    char key[64], acc[WS_HS_ACCEPT_LEN + 1], resp[256];
    if (find_key(c->hs, key) != 0 || ws_hs_accept(key, acc) != 0) {
        const char bad[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
        if (send(fd, bad, sizeof bad - 1, MSG_NOSIGNAL) < 0) {
            /* dropped below either way */
        }
        drop(ep, fd);
        return;
    }
    int rl = snprintf(resp, sizeof resp,
                      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                      acc);
    /* 101 responses are ~130 bytes: a fresh socket's send buffer always takes them. */
    if (send(fd, resp, (size_t)rl, MSG_NOSIGNAL) != rl) {
        drop(ep, fd);
        return;
    }
    free(c->hs);
    c->hs = NULL;
    c->hlen = 0;
    c->open = 1;
    if (++open_now > open_peak)
        open_peak = open_now;
}

/* Open session: answers ping with pong, close with close (RFC 6455 §5.5). A control frame
 * split across reads (clients may write the header and the payload separately) is kept in
 * the connection's small buffer until complete; data frames are read and ignored as long as
 * they are small (idle benchmark). */
static void frames(int ep, int fd)
{
    struct conn *c = &conns[fd];
    uint8_t b[512];
    size_t have = 0;
    if (c->hs && c->hlen) {
        memcpy(b, c->hs, c->hlen);
        have = c->hlen;
        c->hlen = 0;
    }
    ssize_t n = recv(fd, b + have, sizeof b - have, 0);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        drop(ep, fd);
        return;
    }
    n += (ssize_t)have;
    size_t off = 0;
    while (off + 2 <= (size_t)n) {
        uint8_t op = b[off] & 0x0f;
        size_t len = b[off + 1] & 0x7f;
        if (len > 125) {
            drop(ep, fd); /* not this benchmark's traffic */
            return;
        }
        if (off + 6 + len > (size_t)n)
            break;
        uint8_t *mask = b + off + 2, *pl = b + off + 6;
        for (size_t i = 0; i < len; i++)
            pl[i] ^= mask[i & 3];
        if (op == 0x9 || op == 0x8) {
            uint8_t out[2 + 125];
            out[0] = (uint8_t)(0x80 | (op == 0x9 ? 0xA : 0x8));
            out[1] = (uint8_t)len;
            memcpy(out + 2, pl, len);
            if (op == 0x8)
                closes_seen++;
            if (send(fd, out, 2 + len, MSG_NOSIGNAL) < 0 || op == 0x8) {
                drop(ep, fd);
                return;
            }
        }
        off += 6 + len;
    }
    if (off < (size_t)n) { /* keep the incomplete frame for the next read */
        if (!c->hs && !(c->hs = malloc(HS_CAP))) {
            drop(ep, fd);
            return;
        }
        memcpy(c->hs, b + off, (size_t)n - off);
        c->hlen = (uint16_t)((size_t)n - off);
    }
}

int main(int argc, char **argv)
{
    int ports[MAX_PORTS], np = 0;
    for (int i = 1; i < argc; i++) {
        int64_t v;
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc && np < MAX_PORTS &&
            units_parse_i64(argv[i + 1], 1, 65535, &v, NULL) == 0) {
            ports[np++] = (int)v;
            i++;
        } else {
            fprintf(stderr, "usage: ws_bench_server --port P [--port P...]\n");
            return 2;
        }
    }
    if (np == 0) {
        fprintf(stderr, "usage: ws_bench_server --port P [--port P...]\n");
        return 2;
    }
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    nconn_max = (long)rl.rlim_cur;
    conns = calloc((size_t)nconn_max, sizeof *conns);
    signal(SIGTERM, on_sig);
    signal(SIGINT, on_sig);
    signal(SIGPIPE, SIG_IGN);
    int ep = epoll_create1(0);
    int lfd[MAX_PORTS];
    for (int i = 0; i < np; i++) {
        lfd[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        int one = 1;
        setsockopt(lfd[i], SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        struct sockaddr_in a;
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_port = htons((uint16_t)ports[i]);
        a.sin_addr.s_addr = htonl(0x7f000001);
        if (bind(lfd[i], (struct sockaddr *)&a, sizeof a) != 0 || listen(lfd[i], 4096) != 0) {
            fprintf(stderr, "ws_bench_server: port %d: %s\n", ports[i], strerror(errno));
            return 3;
        }
        struct epoll_event ev = {.events = EPOLLIN,
                                 .data.u64 = (uint64_t)(1ull << 32 | (unsigned)lfd[i])};
        epoll_ctl(ep, EPOLL_CTL_ADD, lfd[i], &ev);
    }
    printf("READY fd-limit %ld\n", nconn_max);
    fflush(stdout);
    struct epoll_event evs[256];
    while (!stop) {
        int n = epoll_wait(ep, evs, 256, 200);
        for (int i = 0; i < n; i++) {
            int fd = (int)(evs[i].data.u64 & 0xffffffffu);
            if (evs[i].data.u64 >> 32) {
                for (;;) {
                    int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK);
                    if (c < 0)
                        break;
                    if (c >= nconn_max) {
                        close(c);
                        continue;
                    }
                    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (unsigned)c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
                }
            } else if (conns[fd].open) {
                frames(ep, fd);
            } else {
                handshake(ep, fd);
            }
        }
    }
    for (long i = 0; i < nconn_max; i++)
        if (conns[i].hs && !conns[i].open)
            hs_pending_at_exit++;
    printf("peak-open %ld open-at-exit %ld closes-answered %ld mid-handshake-at-exit %ld\n",
           open_peak, open_now, closes_seen, hs_pending_at_exit);
    return 0;
}
