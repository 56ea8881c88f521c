/*
 * tool_trace.h -- trace mode for the replay tools (see tool_trace.c).
 */
#ifndef RP_TOOL_TRACE_H
#define RP_TOOL_TRACE_H

#include <jansson.h>

#include "opts.h"
#include "plan.h"
#include "trace.h"
#include "wsplan.h"

/* Without --trace: zeroes tr and returns 0. With it: loads and binds the trace, sets the run
 * duration to the window (unless --duration), prints what is not sent. 0 or ST_* with err. */
int tool_trace_prepare(scenario *sc, const rp_opts *o, trace *tr, char *err);

/* Builds the HTTP and WebSocket plans in model or trace mode. On failure both are empty. */
int tool_trace_plans(const scenario *sc, const rp_opts *o, trace *tr, plan *p, wsplan *wp,
                     char *err);

/* results.json's "trace" section (docs/formats/results.md): the file, speed, window, what
 * the window holds and what the scenario leaves unsent, by template. NULL on no memory. */
json_t *tool_trace_info(const trace *tr);

#endif
