/*
 * tool_trace.c -- the trace-mode glue shared by `replay plan` and `replay run`: load and
 * bind the trace, size the run to it, build both plans, and say what the trace leaves out.
 * The only place in trace mode that prints.
 */
#include "tool_trace.h"

#include <stdio.h>
#include <string.h>

#include "log.h"

int tool_trace_prepare(scenario *sc, const rp_opts *o, trace *tr, char *err)
{
    int rc;
    memset(tr, 0, sizeof *tr);
    if (!o->trace)
        return 0;
    if ((rc = trace_load(tr, o->trace, err)))
        return rc;
    if ((rc = trace_bind(tr, sc, o->speed, o->trace_from, o->trace_to, err)))
        return rc;
    if (!o->ov.has_duration)
        sc->duration = tr->duration;
    double w = (double)(tr->window_requests ? tr->window_requests : 1);
    log_info("trace: %s: %llu requests and %llu WebSockets in the window, speed %gx, run %.1f s",
             o->trace, (unsigned long long)tr->window_requests,
             (unsigned long long)tr->ws_in_window, tr->speed, sc->duration);
    if (tr->unmapped_requests) {
        log_warn("trace: %llu of %llu requests (%.1f%%) are on templates the scenario does not map; "
                 "not sent:", (unsigned long long)tr->unmapped_requests,
                 (unsigned long long)tr->window_requests, 100.0 * (double)tr->unmapped_requests / w);
        for (size_t k = 0; k < tr->n_tm; k++)
            if (tr->tm[k].route < 0 && tr->tm[k].requests)
                log_warn("  %-40s %6.2f%% of the trace", tr->tm[k].s,
                         100.0 * (double)tr->tm[k].requests / (double)(tr->n_r ? tr->n_r : 1));
    }
    if (tr->ws_in_window && sc->ws.mode == SCWS_NONE)
        log_warn("trace: %llu WebSocket sessions not sent: the scenario has no 'websockets' section "
                 "(their URL and messages)", (unsigned long long)tr->ws_in_window);
    if (sc->n_stages)
        log_info("trace: the scenario's stages are ignored; the trace is the baseline (events still "
                 "apply)");
    return 0;
}

int tool_trace_plans(const scenario *sc, const rp_opts *o, trace *tr, plan *p, wsplan *wp,
                     char *err)
{
    int rc;
    memset(wp, 0, sizeof *wp);
    if ((rc = plan_build_trace(p, sc, o->trace ? tr : NULL, o->seg_i, o->seg_n, err)))
        return rc;
    rc = o->trace ? wsplan_build_trace(wp, sc, p, tr, err) : wsplan_build(wp, sc, p, err);
    if (rc) {
        plan_term(p);
        return rc;
    }
    if (o->trace && tr->ranks_wrapped)
        log_warn("trace: %llu item ranks are past their feeder's size and wrapped around (a larger "
                 "feeder keeps them distinct)", (unsigned long long)tr->ranks_wrapped);
    if (o->trace && tr->truncated)
        log_warn("trace: %llu requests of sessions longer than 65535 requests not sent",
                 (unsigned long long)tr->truncated);
    return 0;
}
