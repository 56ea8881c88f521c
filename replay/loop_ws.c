/*
 * loop_ws.c -- a ws_conn on a replay loop (see loop_ws.h).
 */
#include "loop_ws.h"

#include <string.h>

static void on_io(loop *l, int fd, unsigned ev, void *arg);
static void on_timer(loop *l, void *arg);

int loop_ws_sync(loop_ws *a, char *err)
{
    ws_state st = ws_conn_state(a->c);
    int fd = ws_conn_fd(a->c);
    unsigned w = ws_conn_want(a->c), want = 0;
    uint64_t dl;
    if (st == WS_CLOSED || st == WS_FAILED) {
        /* ws.c closed the socket, and the kernel dropped it from epoll. */
        if (a->fd >= 0)
            loop_forget(a->l, a->fd);
        a->fd = -1;
        loop_timer_cancel(a->l, &a->timer);
        return 0;
    }
    if (w & WS_WANT_READ)
        want |= LOOP_IN;
    if (w & WS_WANT_WRITE)
        want |= LOOP_OUT;
    if (a->fd >= 0 && a->fd != fd) {
        loop_unwatch(a->l, a->fd);
        a->fd = -1;
    }
    if (fd >= 0 && (fd != a->fd || want != a->want)) {
        int rc = want ? loop_watch(a->l, fd, want, on_io, a, err) : 0;
        if (!want)
            loop_idle(a->l, fd);
        if (rc)
            return rc;
        a->fd = fd;
        a->want = want;
    }
    dl = ws_conn_next_deadline_ns(a->c);
    if (dl == WS_DEADLINE_NONE)
        loop_timer_cancel(a->l, &a->timer);
    else if (loop_timer_set(a->l, &a->timer, dl))
        return st_err(err, ST_ELIMIT, "event loop: timer heap full");
    return 0;
}

static void on_io(loop *l, int fd, unsigned ev, void *arg)
{
    loop_ws *a = arg;
    unsigned ready = 0;
    char err[ST_ERRLEN];
    (void)l;
    (void)fd;
    if (ev & LOOP_IN)
        ready |= WS_WANT_READ;
    if (ev & LOOP_OUT)
        ready |= WS_WANT_WRITE;
    if (ev & LOOP_ERR)
        ready |= WS_WANT_READ | WS_WANT_WRITE;
    int rc = ws_conn_on_io(a->c, ready);
    if (rc && !a->rc)
        a->rc = rc;
    if ((rc = loop_ws_sync(a, err)) && !a->rc)
        a->rc = rc;
}

static void on_timer(loop *l, void *arg)
{
    loop_ws *a = arg;
    char err[ST_ERRLEN];
    int rc = ws_conn_on_timer(a->c, loop_now(l));
    if (rc && !a->rc)
        a->rc = rc;
    if ((rc = loop_ws_sync(a, err)) && !a->rc)
        a->rc = rc;
}

int loop_ws_attach(loop_ws *a, loop *l, ws_conn *c, char *err)
{
    memset(a, 0, sizeof *a);
    a->l = l;
    a->c = c;
    a->fd = -1;
    loop_timer_init(&a->timer, on_timer, a);
    return loop_ws_sync(a, err);
}

void loop_ws_detach(loop_ws *a)
{
    if (!a->l)
        return;
    if (a->fd >= 0)
        loop_unwatch(a->l, a->fd);
    loop_timer_cancel(a->l, &a->timer);
    a->fd = -1;
    a->l = NULL;
}
