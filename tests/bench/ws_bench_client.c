/*
 * ws_bench_client.c -- opens N idle WebSocket sessions with replay/ws.h from one process,
 * on one epoll loop, holds them, closes them, and reports memory per session.
 *
 * Driven by tests/bench/ws_idle_sessions.sh (read that first). The loop is the pattern of
 * tests/integ/ws_driver.c (sync the epoll registration after every call into a ws_conn),
 * with at most --inflight sessions in CONNECTING/HANDSHAKE at once so the server's accept
 * backlog never overflows.
 *
 * Memory figures: VmRSS from /proc/self/status before the first session and once all are
 * open; their difference divided by the open sessions is "client RSS per session". It
 * includes everything the process holds for them (ws_conn, wslay's context, libcurl handles
 * when kept, heap fragmentation, this program's 24-byte slot). mallinfo2's in-use bytes are
 * printed as a cross-check (allocated bytes, without fragmentation), and RSS after
 * malloc_trim(0) too.
 *
 * Usage: ws_bench_client --sessions N --port P [--port P...] [--inflight K] [--hold SECONDS]
 *                        [--keep-curl] [--ping-ms MS] [--seed S] [--tls-ca CERT_FILE]
 * --tls-ca makes the sessions wss:// (libcurl's TLS kept for their whole life), trusting
 * CERT_FILE.
 * Prints key=value lines (see the script). Exit 0 when every session opened and closed,
 * 1 otherwise (the report says how far it got and why), 2 bad usage.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>

#include "hist.h"
#include "units.h"
#include "ws.h"

struct bench;
struct sess {
    ws_conn *c;
    int reg_fd;
    unsigned reg_want;
    struct bench *b;
};

struct bench {
    int ep;
    long opened, closed, failed, open_now, clean_closes;
    char first_error[ST_ERRLEN];
};

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            v = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return v;
}

static void sync_reg(struct sess *s)
{
    ws_state st = ws_conn_state(s->c);
    int fd = (st == WS_CLOSED || st == WS_FAILED) ? -1 : ws_conn_fd(s->c);
    unsigned w = fd >= 0 ? ws_conn_want(s->c) : 0;
    if (fd != s->reg_fd) {
        if (s->reg_fd >= 0 && fd >= 0)
            epoll_ctl(s->b->ep, EPOLL_CTL_DEL, s->reg_fd, NULL);
        s->reg_fd = -1;
    }
    if (fd < 0)
        return;
    struct epoll_event ev = {0};
    ev.events = ((w & WS_WANT_READ) ? EPOLLIN : 0) | ((w & WS_WANT_WRITE) ? EPOLLOUT : 0);
    ev.data.ptr = s;
    if (s->reg_fd < 0) {
        if (epoll_ctl(s->b->ep, EPOLL_CTL_ADD, fd, &ev) == 0) {
            s->reg_fd = fd;
            s->reg_want = w;
        }
    } else if (w != s->reg_want) {
        if (epoll_ctl(s->b->ep, EPOLL_CTL_MOD, fd, &ev) != 0 && errno == ENOENT)
            epoll_ctl(s->b->ep, EPOLL_CTL_ADD, fd, &ev);
        s->reg_want = w;
    }
}

/* Runs due timers of s right away (libcurl often asks for "now" while connecting). */
static void after_call(struct sess *s)
{
    for (int i = 0; i < 4; i++) {
        uint64_t now = st_now_ns();
        if (ws_conn_next_deadline_ns(s->c) > now)
            break;
        ws_conn_on_timer(s->c, now);
    }
    sync_reg(s);
}

static void on_open(ws_conn *c, void *u)
{
    struct sess *s = u;
    s->b->opened++;
    s->b->open_now++;
}

static void on_close(ws_conn *c, uint16_t code, const char *reason, void *u)
{
    struct sess *s = u;
    struct bench *b = s->b;
    if (ws_conn_state(c) == WS_FAILED) {
        b->failed++;
        if (!b->first_error[0])
            snprintf(b->first_error, sizeof b->first_error, "%s", reason);
        return;
    }
    b->open_now--;
    b->closed++;
    if (code == WS_CLOSE_NORMAL)
        b->clean_closes++;
    else if (!b->first_error[0])
        snprintf(b->first_error, sizeof b->first_error, "closed %u %s", code, reason);
}

/* One loop turn: epoll up to ms, then I/O, then a timer sweep every 20 ms. */
static void turn(struct bench *b, struct sess *ss, long n, int ms, uint64_t *last_sweep)
{
    struct epoll_event evs[512];
    int k = epoll_wait(b->ep, evs, 512, ms);
    for (int i = 0; i < k; i++) {
        struct sess *s = evs[i].data.ptr;
        unsigned r = 0;
        if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
            r |= WS_WANT_READ;
        if (evs[i].events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
            r |= WS_WANT_WRITE;
        ws_conn_on_io(s->c, r);
        after_call(s);
    }
    uint64_t now = st_now_ns();
    if (now - *last_sweep >= 20000000ull) {
        *last_sweep = now;
        for (long i = 0; i < n; i++)
            if (ss[i].c && ws_conn_next_deadline_ns(ss[i].c) <= now) {
                ws_conn_on_timer(ss[i].c, now);
                sync_reg(&ss[i]);
            }
    }
}

static int usage(void)
{
    fprintf(stderr, "usage: ws_bench_client --sessions N --port P [--port P...] [--inflight K] "
                    "[--hold SECONDS] [--keep-curl] [--ping-ms MS] [--seed S] "
                    "[--tls-ca CERT_FILE]\n");
    return 2;
}

/* The command line (see Usage at the top). */
struct bench_opts {
    int64_t n, inflight, hold, ping_ms, seed;
    int ports[16], np, keep;
    const char *tls_ca;
};

/* Returns 0, or 2 after printing the usage on a bad or missing option. */
static int parse_opts(int argc, char **argv, struct bench_opts *o)
{
    *o = (struct bench_opts){.inflight = 256, .hold = 5, .seed = 1};
    for (int i = 1; i < argc; i++) {
        int64_t v;
        const char *a = argv[i], *nx = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name, lo, hi, dst) \
    if (strcmp(a, name) == 0 && nx && units_parse_i64(nx, lo, hi, &v, NULL) == 0) { \
        dst = v; \
        i++; \
        continue; \
    }
        OPT("--sessions", 1, 10000000, o->n)
        OPT("--inflight", 1, 100000, o->inflight)
        OPT("--hold", 0, 86400, o->hold)
        OPT("--ping-ms", 0, 86400000, o->ping_ms)
        OPT("--seed", 0, INT64_MAX, o->seed)
        if (strcmp(a, "--port") == 0 && nx && o->np < 16 &&
            units_parse_i64(nx, 1, 65535, &v, NULL) == 0) {
            o->ports[o->np++] = (int)v;
            i++;
            continue;
        }
        if (strcmp(a, "--tls-ca") == 0 && nx) {
            o->tls_ca = nx;
            i++;
            continue;
        }
        if (strcmp(a, "--keep-curl") == 0) {
            o->keep = 1;
            continue;
        }
        return usage();
#undef OPT
    }
    if (o->n == 0 || o->np == 0)
        return usage();
    return 0;
}

/* Descriptors: one per open session (three with --keep-curl: libcurl 7.88's multi handle
 * holds a wake-up socketpair), plus that socketpair for each session still connecting, plus
 * a few. Asks for that and reports what it got. Returns how many sessions can be held. */
static long raise_fd_limit(const struct bench_opts *o)
{
    long per = o->keep || o->tls_ca ? 3 : 1, extra = 2 * o->inflight + 32;
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rlim_t need = (rlim_t)(o->n * per + extra);
    printf("fd_limit_before=%llu/%llu\n", (unsigned long long)rl.rlim_cur,
           (unsigned long long)rl.rlim_max);
    if (rl.rlim_max < need) {
        struct rlimit want = {need, need};
        if (setrlimit(RLIMIT_NOFILE, &want) != 0)
            printf("fd_limit_raise=failed: setrlimit(%llu): %s\n", (unsigned long long)need,
                   strerror(errno));
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    rl.rlim_cur = rl.rlim_max < need ? rl.rlim_max : need;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
    printf("fd_limit=%llu\n", (unsigned long long)rl.rlim_cur);
    long reachable = ((long)rl.rlim_cur - extra) / per;
    if (reachable < o->n)
        printf("note=only %ld of %lld sessions can be held: RLIMIT_NOFILE is %llu\n", reachable,
               (long long)o->n, (unsigned long long)rl.rlim_cur);
    return reachable;
}

/* Starts session `next` (its slot s) on url. Returns 0, or -1 when ws_conn_new failed (the
 * error is kept in b->first_error). */
static int open_one(struct bench *b, struct sess *s, const struct bench_opts *o, const char *url,
                    long next)
{
    char err[ST_ERRLEN];
    ws_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = url;
    cfg.seed = (uint64_t)o->seed;
    cfg.session_id = (uint64_t)next;
    cfg.keep_curl = o->keep;
    cfg.ca_file = o->tls_ca;
    cfg.ping_interval_ns = (uint64_t)o->ping_ms * 1000000ull;
    cfg.handshake_timeout_ns = 30ull * 1000000000ull;
    /* Closing tens of thousands at once on a shared 2-core machine can take longer than the
     * default 5 s; this benchmark measures holding, not close latency. */
    cfg.close_timeout_ns = 30ull * 1000000000ull;
    cfg.cb.on_open = on_open;
    cfg.cb.on_close = on_close;
    cfg.user = s;
    s->b = b;
    s->reg_fd = -1;
    s->c = ws_conn_new(&cfg, err);
    if (!s->c) {
        b->failed++;
        snprintf(b->first_error, sizeof b->first_error, "%s", err);
        return -1;
    }
    ws_conn_start(s->c, err); /* a failure arrives through on_close */
    after_call(s);
    return 0;
}

/* Opens up to o->n sessions, at most o->inflight connecting at once, until all settle, 50
 * fail or 10 minutes pass. Returns how many slots were used. */
static long open_all(struct bench *b, struct sess *ss, const struct bench_opts *o, long reachable,
                     uint64_t t0, uint64_t *last_sweep)
{
    char url[16][64];
    for (int i = 0; i < o->np; i++)
        snprintf(url[i], sizeof url[i], "%s://127.0.0.1:%d/idle", o->tls_ca ? "wss" : "ws",
                 o->ports[i]);
    uint64_t deadline = t0 + 600ull * 1000000000ull;
    long next = 0;
    int stop_opening = 0;
    while ((next < o->n && !stop_opening) || b->opened + b->failed < next) {
        while (!stop_opening && next < o->n && next - b->opened - b->failed < o->inflight) {
            if (next >= reachable) {
                stop_opening = 1;
                break;
            }
            int rc = open_one(b, &ss[next], o, url[next % o->np], next);
            next++;
            if (rc != 0) {
                stop_opening = 1;
                break;
            }
        }
        if (b->failed >= 50 || st_now_ns() > deadline)
            stop_opening = 1;
        if (stop_opening && b->opened + b->failed >= next)
            break;
        turn(b, ss, next, 10, last_sweep);
        if (st_now_ns() > deadline + 30ull * 1000000000ull)
            break;
    }
    return next;
}

/* Closes every open session with 1000 and waits for the closing handshakes (up to 40 s),
 * naming up to three sessions still closing after 20 s. */
static void close_all(struct bench *b, struct sess *ss, long next, uint64_t *last_sweep)
{
    uint64_t tc = st_now_ns();
    for (long i = 0; i < next; i++)
        if (ss[i].c && ws_conn_state(ss[i].c) == WS_OPEN) {
            ws_conn_close(ss[i].c, WS_CLOSE_NORMAL, "bench done");
            sync_reg(&ss[i]);
        }
    while (b->open_now > 0 && st_now_ns() - tc < 20ull * 1000000000ull)
        turn(b, ss, next, 10, last_sweep);
    for (long i = 0, shown = 0; i < next && shown < 3; i++)
        if (ss[i].c && ws_conn_state(ss[i].c) == WS_CLOSING) {
            printf("stuck_session=%ld state=%s want=%u reg_fd=%d reg_want=%u fd=%d\n", i,
                   ws_state_name(ws_conn_state(ss[i].c)), ws_conn_want(ss[i].c), ss[i].reg_fd,
                   ss[i].reg_want, ws_conn_fd(ss[i].c));
            shown++;
        }
    while (b->open_now > 0 && st_now_ns() - tc < 40ull * 1000000000ull)
        turn(b, ss, next, 10, last_sweep);
    printf("close_seconds=%.2f\nclosed_clean=%ld\n", (double)(st_now_ns() - tc) / 1e9,
           b->clean_closes);
}

/* What opening cost: rate, handshake latency, memory per held session. */
static void report_open(const struct bench *b, const struct sess *ss, long next, int64_t n,
                        double secs, long rss0, long rss1, size_t heap0, size_t heap1)
{
    hist *hs = hist_new();
    for (long i = 0; hs && i < next; i++)
        if (ss[i].c && ws_conn_stats(ss[i].c)->handshake_us)
            hist_record(hs, ws_conn_stats(ss[i].c)->handshake_us);
    long held = b->open_now;
    printf("sessions_requested=%lld\nsessions_opened=%ld\nsessions_failed=%ld\n", (long long)n,
           b->opened, b->failed);
    printf("open_seconds=%.2f\nopen_rate_per_s=%.0f\n", secs, secs > 0 ? b->opened / secs : 0.0);
    if (hs)
        printf("handshake_us_p50=%llu\nhandshake_us_p99=%llu\nhandshake_us_max=%llu\n",
               (unsigned long long)hist_percentile(hs, 50),
               (unsigned long long)hist_percentile(hs, 99),
               (unsigned long long)hist_percentile(hs, 100));
    printf("rss_base_kib=%ld\nrss_open_kib=%ld\n", rss0, rss1);
    if (held > 0) {
        printf("rss_bytes_per_session=%.0f\n", (double)(rss1 - rss0) * 1024.0 / (double)held);
        printf("heap_bytes_per_session=%.0f\n", (double)(heap1 - heap0) / (double)held);
    }
    hist_free(hs);
}

int main(int argc, char **argv)
{
    struct bench_opts o;
    int rc = parse_opts(argc, argv, &o);
    if (rc != 0)
        return rc;
    char err[ST_ERRLEN];
    if (ws_global_init(err) != 0) {
        fprintf(stderr, "ws_bench_client: %s\n", err);
        return 3;
    }
    long reachable = raise_fd_limit(&o);

    struct bench b;
    memset(&b, 0, sizeof b);
    b.ep = epoll_create1(EPOLL_CLOEXEC);
    malloc_trim(0);
    long rss0 = rss_kib();
    size_t heap0 = mallinfo2().uordblks;
    struct sess *ss = calloc((size_t)o.n, sizeof *ss);
    long next = 0;
    rc = 3;
    if (!ss || b.ep < 0) {
        fprintf(stderr, "ws_bench_client: out of memory\n");
        goto done;
    }
    uint64_t t0 = st_now_ns(), last_sweep = t0;
    next = open_all(&b, ss, &o, reachable, t0, &last_sweep);
    double secs = (double)(st_now_ns() - t0) / 1e9;
    long rss1 = rss_kib(), held = b.open_now;
    report_open(&b, ss, next, o.n, secs, rss0, rss1, heap0, mallinfo2().uordblks);
    /* Hold: sessions must stay open while idle (pings flow if --ping-ms). */
    uint64_t hold_end = st_now_ns() + (uint64_t)o.hold * 1000000000ull;
    while (st_now_ns() < hold_end)
        turn(&b, ss, next, 50, &last_sweep);
    malloc_trim(0);
    long rss2 = rss_kib();
    printf("held_after_%llds=%ld\n", (long long)o.hold, b.open_now);
    if (b.open_now > 0)
        printf("rss_bytes_per_session_after_trim=%.0f\n",
               (double)(rss2 - rss0) * 1024.0 / (double)b.open_now);
    close_all(&b, ss, next, &last_sweep);
    if (b.first_error[0])
        printf("first_error=%s\n", b.first_error);
    rc = b.opened == o.n && b.clean_closes == o.n && held == o.n ? 0 : 1;
done:
    for (long i = 0; i < next; i++)
        ws_conn_free(ss[i].c);
    free(ss);
    return rc;
}
