/*
 * copy.h -- the only COPY module: streams bytes into `COPY ... FROM STDIN` over libpq.
 *
 * Usage: copy_begin(conn, "COPY t (a, b) FROM STDIN", err); copy_put(...)...; copy_end().
 * The connection is in blocking mode, so PQputCopyData either queues the data or fails; it
 * never returns 0. On any failure after begin, call copy_abort() so the connection leaves
 * COPY_IN state (the server then rolls back the statement).
 */
#ifndef DG_COPY_H
#define DG_COPY_H

#include <libpq-fe.h>
#include <stddef.h>

#include "st.h"

int copy_begin(PGconn *c, const char *sql, char *err);         /* 0 or ST_EENV */
int copy_put(PGconn *c, const char *buf, size_t n, char *err); /* 0 or ST_EENV */
int copy_end(PGconn *c, char *err);                            /* 0 or ST_EENV */
void copy_abort(PGconn *c, const char *why);

#endif
