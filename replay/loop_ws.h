/*
 * loop_ws.h -- drives one WebSocket client session (replay/ws.h, ws_conn) from a replay
 * event loop (loop.h), next to libcurl's HTTP sockets.
 *
 * ws_conn never blocks and owns no loop: it says which descriptor to watch, for what, and
 * when it next needs a timer call. This adapter keeps the loop in step after every call into
 * the session: the descriptor is (re)registered when it or its wanted events change (the
 * descriptor can change while connecting), the timer follows ws_conn_next_deadline_ns, and a
 * session in a final state is forgotten (ws.c has closed its socket). No allocation.
 * Ownership: the caller owns both the loop_ws (embed it in the session) and the ws_conn;
 * loop_ws_detach before ws_conn_free.
 */
#ifndef RP_LOOP_WS_H
#define RP_LOOP_WS_H

#include "loop.h"
#include "ws.h"

typedef struct loop_ws {
    loop *l;
    ws_conn *c;
    loop_timer timer;
    int fd;        /* registered descriptor, -1 if none */
    unsigned want; /* LOOP_IN | LOOP_OUT registered */
    int rc;        /* the session's error once it failed (negative ST_E*), else 0 */
} loop_ws;

/* Attaches a started session (after ws_conn_start) to the loop. 0 or ST_EENV (err set). */
int loop_ws_attach(loop_ws *a, loop *l, ws_conn *c, char *err);
/* Stops watching (safe twice, and after the session ended). */
void loop_ws_detach(loop_ws *a);
/* Re-syncs after the caller called into the session itself (ws_conn_send, ws_conn_close). */
int loop_ws_sync(loop_ws *a, char *err);

#endif
