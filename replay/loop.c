/*
 * loop.c -- epoll + timer heap + timerfd (see loop.h).
 */
#include "loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

typedef struct fdent {
    loop_io_fn fn;
    void *arg;
    unsigned reg;  /* events registered in epoll (0 = not registered) */
    unsigned want; /* events the owner wants delivered (0 = idle) */
} fdent;

struct loop {
    int ep, tfd;
    uint64_t armed; /* deadline the timerfd is armed to, 0 = disarmed */
    uint64_t now;
    fdent *fds;
    size_t n_fds;
    loop_timer **heap;
    size_t n_heap, cap_heap;
};

loop *loop_new(size_t max_timers, char *err)
{
    loop *l = calloc(1, sizeof *l);
    /* Edge-triggered: every expiry wakes epoll once, and the timerfd is never read (re-arming
     * resets its count), which spares a read() per timer wake-up, one per arrival in an open
     * model. */
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET};
    if (!l)
        goto nomem;
    l->ep = l->tfd = -1;
    l->cap_heap = max_timers ? max_timers : 1;
    l->heap = calloc(l->cap_heap, sizeof *l->heap);
    if (!l->heap)
        goto nomem;
    l->ep = epoll_create1(EPOLL_CLOEXEC);
    l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    ev.data.fd = l->tfd;
    if (l->ep < 0 || l->tfd < 0 || epoll_ctl(l->ep, EPOLL_CTL_ADD, l->tfd, &ev) < 0) {
        st_err(err, ST_EENV, "event loop: %s", strerror(errno));
        loop_free(l);
        return NULL;
    }
    l->now = st_now_ns();
    return l;
nomem:
    loop_free(l);
    st_err(err, ST_ENOMEM, "event loop: out of memory");
    return NULL;
}

void loop_free(loop *l)
{
    if (!l)
        return;
    if (l->ep >= 0)
        close(l->ep);
    if (l->tfd >= 0)
        close(l->tfd);
    free(l->fds);
    free(l->heap);
    free(l);
}

static fdent *ent(loop *l, int fd)
{
    if ((size_t)fd >= l->n_fds) {
        size_t n = l->n_fds ? l->n_fds : 256;
        while (n <= (size_t)fd)
            n *= 2;
        fdent *nf = realloc(l->fds, n * sizeof *nf);
        if (!nf)
            return NULL;
        memset(nf + l->n_fds, 0, (n - l->n_fds) * sizeof *nf);
        l->fds = nf;
        l->n_fds = n;
    }
    return &l->fds[fd];
}

static uint32_t to_epoll(unsigned ev)
{
    return (ev & LOOP_IN ? EPOLLIN : 0) | (ev & LOOP_OUT ? EPOLLOUT : 0);
}

int loop_watch(loop *l, int fd, unsigned events, loop_io_fn fn, void *arg, char *err)
{
    fdent *e = ent(l, fd);
    struct epoll_event ev;
    if (!e)
        return st_err(err, ST_ENOMEM, "event loop: out of memory");
    e->fn = fn;
    e->arg = arg;
    e->want = events;
    if (e->reg == events)
        return 0;
    memset(&ev, 0, sizeof ev);
    ev.events = to_epoll(events);
    ev.data.fd = fd;
    if (epoll_ctl(l->ep, e->reg ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev) < 0) {
        /* Our record can be stale when a descriptor number was reused: retry the other op. */
        int op = errno == ENOENT ? EPOLL_CTL_ADD : errno == EEXIST ? EPOLL_CTL_MOD : -1;
        if (op < 0 || epoll_ctl(l->ep, op, fd, &ev) < 0)
            return st_err(err, ST_EENV, "epoll_ctl(%d): %s", fd, strerror(errno));
    }
    e->reg = events;
    return 0;
}

void loop_idle(loop *l, int fd)
{
    if ((size_t)fd < l->n_fds)
        l->fds[fd].want = 0;
}

void loop_unwatch(loop *l, int fd)
{
    if ((size_t)fd >= l->n_fds)
        return;
    if (l->fds[fd].reg)
        epoll_ctl(l->ep, EPOLL_CTL_DEL, fd, NULL);
    memset(&l->fds[fd], 0, sizeof l->fds[fd]);
}

void loop_forget(loop *l, int fd)
{
    if ((size_t)fd < l->n_fds)
        memset(&l->fds[fd], 0, sizeof l->fds[fd]);
}

/* ---- timer heap (1-based slots stored in the timers) ---- */

static void heap_swap(loop *l, size_t a, size_t b)
{
    loop_timer *t = l->heap[a];
    l->heap[a] = l->heap[b];
    l->heap[b] = t;
    l->heap[a]->slot = a + 1;
    l->heap[b]->slot = b + 1;
}

static void heap_up(loop *l, size_t i)
{
    while (i > 0 && l->heap[(i - 1) / 2]->when > l->heap[i]->when) {
        heap_swap(l, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void heap_down(loop *l, size_t i)
{
    for (;;) {
        size_t c = 2 * i + 1, m = i;
        if (c < l->n_heap && l->heap[c]->when < l->heap[m]->when)
            m = c;
        if (c + 1 < l->n_heap && l->heap[c + 1]->when < l->heap[m]->when)
            m = c + 1;
        if (m == i)
            return;
        heap_swap(l, i, m);
        i = m;
    }
}

void loop_timer_init(loop_timer *t, loop_timer_fn fn, void *arg)
{
    memset(t, 0, sizeof *t);
    t->fn = fn;
    t->arg = arg;
}

int loop_timer_set(loop *l, loop_timer *t, uint64_t when)
{
    if (t->slot) {
        size_t i = t->slot - 1;
        t->when = when;
        heap_up(l, i);
        heap_down(l, t->slot - 1);
        return 0;
    }
    if (l->n_heap == l->cap_heap)
        return ST_ELIMIT;
    t->when = when;
    l->heap[l->n_heap] = t;
    t->slot = ++l->n_heap;
    heap_up(l, l->n_heap - 1);
    return 0;
}

void loop_timer_cancel(loop *l, loop_timer *t)
{
    size_t i;
    if (!t->slot)
        return;
    i = t->slot - 1;
    t->slot = 0;
    l->n_heap--;
    if (i == l->n_heap)
        return;
    l->heap[i] = l->heap[l->n_heap];
    l->heap[i]->slot = i + 1;
    heap_up(l, i);
    heap_down(l, l->heap[i]->slot - 1);
}

static void run_timers(loop *l)
{
    /* A callback may re-arm its timer at "now" to yield (the engine does when far behind):
     * stop after a bounded number so I/O is served in between. */
    size_t budget = l->n_heap + 64;
    while (budget-- && l->n_heap && l->heap[0]->when <= l->now) {
        loop_timer *t = l->heap[0];
        loop_timer_cancel(l, t);
        t->fn(l, t->arg);
    }
}

static void arm(loop *l, uint64_t when)
{
    struct itimerspec its;
    if (when == l->armed)
        return;
    memset(&its, 0, sizeof its);
    if (when) {
        its.it_value.tv_sec = (time_t)(when / 1000000000u);
        its.it_value.tv_nsec = (long)(when % 1000000000u);
    }
    timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL);
    l->armed = when;
}

int loop_run_once(loop *l, uint64_t deadline)
{
    struct epoll_event evs[256];
    uint64_t next = deadline;
    int n, timeout = -1;
    l->now = st_now_ns();
    run_timers(l);
    if (l->n_heap && l->heap[0]->when < next)
        next = l->heap[0]->when;
    if (next <= l->now) {
        timeout = 0;
    } else if (next - l->now < 50000) {
        timeout = 0; /* closer than 50 us: poll rather than sleep, for send precision */
    } else {
        arm(l, next);
    }
    n = epoll_wait(l->ep, evs, 256, timeout);
    if (n < 0)
        return errno == EINTR ? 0 : st_err(NULL, ST_EENV, "epoll_wait");
    l->now = st_now_ns();
    /* Due timers (intended sends) go first: a send that came due while we slept must not
     * wait behind the I/O of other transfers that woke up with it. */
    if (l->n_heap && l->heap[0]->when <= l->now)
        run_timers(l);
    for (int i = 0; i < n; i++) {
        int fd = evs[i].data.fd;
        unsigned ev = 0;
        fdent *e;
        if (fd == l->tfd) {
            l->armed = 0;
            continue;
        }
        if ((size_t)fd >= l->n_fds)
            continue;
        e = &l->fds[fd];
        if (!e->want) {
            /* An idle descriptor woke up (peer closed a keep-alive socket): drop it now. */
            if (e->reg)
                epoll_ctl(l->ep, EPOLL_CTL_DEL, fd, NULL);
            e->reg = 0;
            continue;
        }
        if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP))
            ev |= LOOP_IN;
        if (evs[i].events & EPOLLOUT)
            ev |= LOOP_OUT;
        if (evs[i].events & EPOLLERR)
            ev |= LOOP_ERR;
        e->fn(l, fd, ev, e->arg);
        /* A batch of events can take milliseconds: keep timers (intended sends) on time,
         * checking the clock after every event (a completed response costs 10-30 us of
         * libcurl work; the clock read is a vDSO call, ~1% of that). */
        if (i + 1 < n) {
            l->now = st_now_ns();
            if (l->n_heap && l->heap[0]->when <= l->now)
                run_timers(l);
        }
    }
    run_timers(l);
    return 0;
}

uint64_t loop_now(const loop *l)
{
    return l->now;
}
