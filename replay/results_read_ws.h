/*
 * results_read_ws.h -- the WebSocket parts of results.json read back into metrics: the
 * inverse of results_ws.c (the `websockets` section and the series' ws_* fields), used by
 * results_read.c so that `replay merge` and `replay report` see WebSocket runs whole.
 * Errors are one line naming the field path (ST_EINPUT), like results_read.h's.
 */
#ifndef RP_RESULTS_READ_WS_H
#define RP_RESULTS_READ_WS_H

#include <jansson.h>

#include "metrics.h"

/* Reads root's "websockets" (if present: sets m->has_ws). Returns 0, ST_EINPUT, ST_ENOMEM. */
int results_read_ws(metrics *m, const json_t *root, char *err);
/* Reads a series entry's ws_* fields (absent: zero). Returns 0 or ST_EINPUT. */
int results_read_ws_second(mx_second *s, const json_t *o, const char *path, char *err);

#endif
