/*
 * ws_io.c -- the bottom layer of replay's WebSocket client: the session's error text and its
 * socket I/O, through libcurl while the session holds it (TLS, or the handshake) and through
 * recv/send on the bare descriptor after that (see ws.h, "Design").
 *
 * Direction: ws.c (the session and its states) calls ws_open.c (getting to OPEN) and this
 * file; ws_open.c calls this file; this file calls neither. Nothing here changes a session's
 * state: a failure is returned, and the caller above decides what it means.
 */
#include "ws_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int ws__set_error(ws_conn *c, int rc, const char *fmt, ...)
{
    /* Allocated on first use: an idle session that never fails carries no error buffer. */
    if (!c->errtext)
        c->errtext = malloc(ST_ERRLEN);
    if (c->errtext) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->errtext, ST_ERRLEN, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* EAGAIN is never an error (wrk's habit): it is IO_AGAIN, "wait for the descriptor". */
int ws__io_recv(ws_conn *c, void *buf, size_t len, size_t *got)
{
    *got = 0;
    if (c->easy) {
        CURLcode r = curl_easy_recv(c->easy, buf, len, got);
        if (r == CURLE_AGAIN)
            return IO_AGAIN;
        if (r != CURLE_OK) {
            ws__set_error(c, ST_EENV, "websocket receive: %s", curl_easy_strerror(r));
            return IO_ERR;
        }
        return *got ? IO_OK : IO_EOF;
    }
    for (;;) {
        ssize_t n = recv(c->fd, buf, len, 0);
        if (n > 0) {
            *got = (size_t)n;
            return IO_OK;
        }
        if (n == 0)
            return IO_EOF;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return IO_AGAIN;
        ws__set_error(c, ST_EENV, "websocket receive: %s", strerror(errno));
        return errno == ECONNRESET ? IO_EOF : IO_ERR;
    }
}

/* As ws__io_recv; IO_EOF is never returned (a reset peer is IO_ERR). */
int ws__io_send(ws_conn *c, const void *buf, size_t len, size_t *sent, int more)
{
    *sent = 0;
    if (c->easy) {
        CURLcode r = curl_easy_send(c->easy, buf, len, sent);
        if (r == CURLE_AGAIN)
            return IO_AGAIN;
        if (r != CURLE_OK) {
            ws__set_error(c, ST_EENV, "websocket send: %s", curl_easy_strerror(r));
            return IO_ERR;
        }
        return *sent ? IO_OK : IO_AGAIN;
    }
    for (;;) {
        ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL | (more ? MSG_MORE : 0));
        if (n >= 0) {
            *sent = (size_t)n;
            return n ? IO_OK : IO_AGAIN;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return IO_AGAIN;
        ws__set_error(c, ST_EENV, "websocket send: %s", strerror(errno));
        return IO_ERR;
    }
}
