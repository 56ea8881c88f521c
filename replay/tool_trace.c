/*
 * tool_trace.c -- the trace-mode glue shared by `replay plan` and `replay run`: load and
 * bind the trace, size the run to it, build both plans, and say what the trace leaves out.
 * The only place in trace mode that prints.
 */
#include "tool_trace.h"

#include <math.h>
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
        log_warn(
            "trace: %llu of %llu requests (%.1f%%) are on templates the scenario does not map; "
            "not sent:",
            (unsigned long long)tr->unmapped_requests, (unsigned long long)tr->window_requests,
            100.0 * (double)tr->unmapped_requests / w);
        for (size_t k = 0; k < tr->n_tm; k++)
            if (tr->tm[k].route < 0 && tr->tm[k].requests)
                log_warn("  %-40s %6.2f%% of the trace", tr->tm[k].s,
                         100.0 * (double)tr->tm[k].requests / (double)(tr->n_r ? tr->n_r : 1));
    }
    if (tr->ws_in_window && sc->ws.mode == SCWS_NONE)
        log_warn(
            "trace: %llu WebSocket sessions not sent: the scenario has no 'websockets' section "
            "(their URL and messages)",
            (unsigned long long)tr->ws_in_window);
    if (sc->n_stages)
        log_info(
            "trace: the scenario's stages are ignored; the trace is the baseline (events still "
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
                 "feeder keeps them distinct)",
                 (unsigned long long)tr->ranks_wrapped);
    if (o->trace && tr->truncated)
        log_warn("trace: %llu requests of sessions longer than 65535 requests not sent",
                 (unsigned long long)tr->truncated);
    return 0;
}

json_t *tool_trace_info(const trace *tr)
{
    json_t *o = json_object(), *un = json_array();
    if (!o || !un) {
        json_decref(o);
        json_decref(un);
        return NULL;
    }
    double w = (double)(tr->window_requests ? tr->window_requests : 1);
    for (size_t k = 0; k < tr->n_tm; k++)
        if (tr->tm[k].route < 0 && tr->tm[k].requests)
            json_array_append_new(un, json_pack("{s:s,s:I,s:f}", "template", tr->tm[k].s,
                                                "requests", (json_int_t)tr->tm[k].requests, "share",
                                                (double)tr->tm[k].requests / w));
    json_object_set_new(o, "path", json_string(tr->path));
    json_object_set_new(o, "t0", json_real(tr->t0));
    json_object_set_new(o, "speed", json_real(tr->speed));
    json_object_set_new(o, "from_s", json_real(tr->from));
    json_object_set_new(o, "to_s", isfinite(tr->to) ? json_real(tr->to) : json_null());
    json_object_set_new(o, "sessions", json_integer((json_int_t)tr->n_sessions));
    json_object_set_new(o, "requests", json_integer((json_int_t)tr->window_requests));
    json_object_set_new(o, "websockets", json_integer((json_int_t)tr->ws_in_window));
    json_object_set_new(o, "unmapped_requests", json_integer((json_int_t)tr->unmapped_requests));
    json_object_set_new(o, "unmapped", un);
    json_object_set_new(o, "ranks_wrapped", json_integer((json_int_t)tr->ranks_wrapped));
    json_object_set_new(o, "truncated_requests", json_integer((json_int_t)tr->truncated));
    return o;
}
