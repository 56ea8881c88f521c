/*
 * tool_plan.c -- `replay plan SCENARIO.json [-o FILE]`: the schedule that `run` would send,
 * one NDJSON line per request, sorted by intended time, then session id, then sequence:
 *   {"session":"9f3c..","seq":0,"t":12.345678,"origin":"base","route":"/products/{id}",
 *    "method":"GET","url":"http://127.0.0.1:8080/products/183204"}
 * ("body" is added for routes that have one; "event" for flash-crowd sessions), and one line
 * per planned WebSocket session open (scenario `websockets`), in the same time order:
 *   {"kind":"ws","session":"..","ws":"..","t":3.2,"origin":"base","client_ip":"10.3.1.7",
 *    "ua_class":"mobile","url":"ws://...","duration_s":148.4,"end":"planned","subscribe":"{..}"}
 * ("client_ip" and "ua_class", on request and WebSocket lines alike, when the scenario gives
 * sessions a client address or model User-Agents).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool_trace.h"
#include "afile.h"
#include "dbuf.h"
#include "log.h"
#include "opts.h"
#include "plan.h"
#include "tools.h"
#include "uaclass.h"
#include "wsplan.h"

static const char *const origin_names[] = {"base", "child", "event", "ws"};

/* The "client_ip" and "ua_class" fields of a request or WebSocket line (when on). */
static void client_fields(dbuf *line, const scenario *sc, const sc_client *cl)
{
    if (cl->ip[0])
        dbuf_printf(line, ",\"client_ip\":\"%s\"", cl->ip);
    if (sc->ua_model)
        dbuf_printf(line, ",\"ua_class\":\"%s\"", ua_class_name((enum ua_class)cl->ua_class));
}

/* One "kind":"ws" line for WebSocket i of the plan into line. Returns 0 or ST_ELIMIT. */
static int ws_line(const scenario *sc, const wsplan *wp, size_t i, tmpl_vars *vars, dbuf *line)
{
    const wsplan_item *it = &wp->w[i];
    char url[4096], sub[8192];
    sc_client cl;
    wsplan_client(sc, wp, i, &cl);
    int rc = wsplan_render(sc, wp, i, &cl, vars, 1, url, sizeof url, sub, sizeof sub, NULL, 0);
    if (rc)
        return rc;
    dbuf_reset(line);
    dbuf_printf(line,
                "{\"kind\":\"ws\",\"session\":\"%016" PRIx64 "\",\"ws\":\"%016" PRIx64
                "\",\"t\":%.6f,\"origin\":\"%s\"",
                it->session, it->id, it->open, origin_names[it->origin]);
    if (it->event >= 0) {
        dbuf_adds(line, ",\"event\":");
        tool_json_str(line, sc->events[it->event].name);
    }
    client_fields(line, sc, &cl); /* the handshake's client, as its session's requests show it */
    dbuf_adds(line, ",\"url\":");
    tool_json_str(line, url);
    dbuf_printf(line, ",\"duration_s\":%.3f,\"end\":\"%s\"", it->dur,
                it->clipped ? "run" : "planned");
    if (sc->ws.has_subscribe) {
        dbuf_adds(line, ",\"subscribe\":");
        tool_json_str(line, sub);
    }
    return dbuf_adds(line, "}\n") ? ST_ENOMEM : 0;
}

void tool_print_coverage(const scenario *sc)
{
    const coverage *c = &sc->cov;
    for (size_t i = 0; i < c->n_missing; i++)
        log_warn("coverage: model route %s (%.2f%% of the model's %s) is not sent: %s",
                 sc->m.routes[c->missing[i]].template_, 100 * c->missing_share[i],
                 c->by_count ? "routes" : "requests", coverage_why(c->why[i]));
    if (c->bot_share > 0)
        log_info(
            "coverage: bot sessions (%.1f%% of the log's sessions) are not replayed: the model "
            "excludes them from every fit",
            100 * c->bot_share);
    log_info("coverage: the plan sends %.1f%% of the model's %s (%zu route%s left out)",
             100 * c->share, c->by_count ? "routes" : "requests", c->n_missing,
             c->n_missing == 1 ? "" : "s");
}

static void caveat(json_t *warnings, const char *w)
{
    log_warn("%s", w);
    if (warnings)
        json_array_append_new(warnings, json_string(w));
}

void tool_model_caveats(const scenario *sc, json_t *warnings)
{
    char w[256];
    if (sc->m.think_fallback) {
        snprintf(w, sizeof w,
                 "the model has no fitted think-time law; using lognormal(median %.1f s, sigma 1)",
                 exp(sc->m.think_a));
        caveat(warnings, w);
    }
    if (sc->ua_model && !sc->m.has_classes)
        caveat(warnings, "scenario.http.user_agent \"model\": the model has no "
                         "sessions.client_classes; every session sends the desktop User-Agent");
}

void tool_json_str(dbuf *b, const char *s)
{
    dbuf_add(b, "\"", 1);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            char esc[2] = {'\\', (char)ch};
            dbuf_add(b, esc, 2);
        } else if (ch < 0x20) {
            dbuf_printf(b, "\\u%04x", ch);
        } else {
            dbuf_add(b, s, 1);
        }
    }
    dbuf_add(b, "\"", 1);
}

static void usage(void)
{
    printf("usage: replay plan SCENARIO.json [-o FILE] [options]\n\n"
           "Writes the schedule that 'replay run' would send, without sending anything:\n"
           "one NDJSON line per planned request (session, intended time, route, URL).\n\n"
           "options:\n"
           "  -o, --output FILE   write here instead of stdout (atomically)\n"
           "  --target URL        override scenario.target\n"
           "  --duration D        override the arrival window (e.g. 10m)\n"
           "  --scale F           degradation factor (e.g. 1.5x)\n"
           "  --seed N            seed of every random draw\n"
           "  --segment i/n       only the sessions of slice i of n\n"
           "  --feeders DIR       directory of the feeder CSVs\n"
           "  --trace FILE        plan a trace from 'modeler extract' (docs/formats/trace.md)\n"
           "  --speed K, --from T, --to T   trace mode: speed factor and window of offsets\n"
           "  --max-rps R, --start-at EPOCH   accepted for symmetry with run\n"
           "  -q, --quiet         no summary on stderr\n\n"
           "examples:\n"
           "  replay plan models/scenarios/shop-campaign.json --duration 60s | head\n"
           "  replay plan s.json --seed 7 --segment 2/4 -o seg2.ndjson\n"
           "  replay plan s.json | jq -r .route | sort | uniq -c\n"
           "  replay plan s.json --trace t.ndjson --speed 4 -o plan4.ndjson\n");
}

int tool_plan(int argc, char **argv)
{
    rp_opts o;
    scenario sc;
    plan p;
    char err[ST_ERRLEN], url[4096], body[8192], hdrs[SC_MAX_HEADERS * 2][512];
    tmpl_vars *vars;
    uint32_t *order;
    afile af;
    FILE *f;
    dbuf line;
    int rc;
    if (opts_parse(&o, argc, argv, 0, err)) {
        log_error("plan: %s", err);
        return ST_EXIT_INPUT;
    }
    if (o.help) {
        usage();
        return 0;
    }
    if (o.version) {
        printf("replay %s\n", ST_VERSION);
        return 0;
    }
    if (o.quiet)
        log_level = LOG_ERROR; /* quiet drops the summary, never the error line */
    if ((rc = scenario_load(&sc, o.scenario, &o.ov, err))) {
        log_error("%s", err);
        return st_rc_exit(rc);
    }
    tool_model_caveats(&sc, NULL);
    trace tr;
    wsplan wp;
    if (!o.trace) /* a trace sends what it recorded: its own unmapped list (trace info) */
        tool_print_coverage(&sc);
    if ((rc = tool_trace_prepare(&sc, &o, &tr, err)) ||
        (rc = tool_trace_plans(&sc, &o, &tr, &p, &wp, err))) {
        log_error("%s", err);
        trace_term(&tr);
        scenario_term(&sc);
        return st_rc_exit(rc);
    }
    vars = tmpl_vars_new(sc.names.n_vars);
    order = plan_order(&p);
    f = (vars && order) ? afile_open(&af, o.out ? o.out : "-", err) : NULL;
    if (!f) {
        log_error("%s", vars && order ? err : "out of memory");
        free(vars);
        free(order);
        wsplan_term(&wp);
        plan_term(&p);
        trace_term(&tr);
        scenario_term(&sc);
        return ST_EXIT_ENV;
    }
    dbuf_init(&line, 1 << 20);
    /* Render each session in order (variables carry over), then print in time order. */
    char **lines = calloc(p.n_r ? p.n_r : 1, sizeof *lines);
    rc = lines ? 0 : ST_ENOMEM;
    for (size_t s = 0; !rc && s < p.n_s; s++) {
        const plan_session *ps = &p.s[s];
        sc_client cl;
        memset(vars->set, 0, sizeof vars->set);
        scenario_client_build(&sc, ps->client, &cl);
        scenario_client_vars(&sc, &cl, vars);
        for (uint32_t k = 0; !rc && k < ps->n_req; k++) {
            const plan_req *q = &p.r[ps->first_req + k];
            size_t nh;
            if (plan_render(&sc, &p, q, vars, 1, url, sizeof url, body, sizeof body, hdrs, &nh)) {
                rc = st_err(err, ST_EINPUT,
                            "scenario.routes[\"%s\"]: a rendered request exceeds the URL, "
                            "header or body limits",
                            sc.routes[q->route].template_);
                break;
            }
            dbuf_reset(&line);
            dbuf_printf(&line,
                        "{\"session\":\"%016" PRIx64 "\",\"seq\":%u,\"t\":%.6f,\"origin\":\"%s\"",
                        ps->id, q->seq, q->t, origin_names[ps->origin]);
            if (ps->event >= 0) {
                dbuf_adds(&line, ",\"event\":");
                tool_json_str(&line, sc.events[ps->event].name);
            }
            if (ps->lane) /* an asset lane: its page session is the client */
                dbuf_printf(&line, ",\"asset_of\":\"%016" PRIx64 "\"", ps->client);
            client_fields(&line, &sc, &cl);
            dbuf_adds(&line, ",\"route\":");
            tool_json_str(&line, sc.routes[q->route].template_);
            dbuf_printf(&line, ",\"method\":\"%s\",\"url\":", sc.routes[q->route].method);
            tool_json_str(&line, url);
            if (sc.routes[q->route].has_body) {
                dbuf_adds(&line, ",\"body\":");
                tool_json_str(&line, body);
            }
            if (dbuf_adds(&line, "}\n") || !(lines[ps->first_req + k] = strdup(line.p)))
                rc = st_err(err, ST_ENOMEM, "plan: out of memory");
        }
    }
    /* Requests and WebSocket opens merged in time order (a WebSocket first on a tie). */
    for (size_t i = 0, j = 0; !rc && (i < p.n_r || j < wp.n);) {
        if (j < wp.n && (i >= p.n_r || wp.w[j].open <= p.r[order[i]].t)) {
            if ((rc = ws_line(&sc, &wp, j++, vars, &line)))
                /* Too long a rendering is the scenario's fault (exit 2), as for requests. */
                rc = st_err(
                    err, rc == ST_ENOMEM ? rc : ST_EINPUT,
                    "scenario.websockets: a rendered URL or subscribe message exceeds the limits");
            else if (fputs(line.p, f) < 0)
                rc = st_err(err, ST_EENV, "plan: write failed");
        } else if (fputs(lines[order[i++]], f) < 0) {
            rc = st_err(err, ST_EENV, "plan: write failed");
        }
    }
    if (!rc)
        rc = afile_commit(&af, err);
    else
        afile_abort(&af);
    for (size_t i = 0; lines && i < p.n_r; i++)
        free(lines[i]);
    free(lines);
    if (rc)
        log_error("%s", err);
    else
        log_info("plan: seed %" PRIu64 ", segment %u/%u: %zu sessions (%" PRIu64 " base, %" PRIu64
                 " child, %" PRIu64 " event; %" PRIu64 " in all segments), %zu requests (%" PRIu64
                 " static assets on %zu lanes), %zu WebSockets over %.0f s",
                 sc.seed, o.seg_i, o.seg_n, p.n_s - p.n_lanes, p.by_origin[0], p.by_origin[1],
                 p.by_origin[2], p.all_sessions, p.n_r, p.n_assets, p.n_lanes, wp.n, sc.duration);
    wsplan_term(&wp);
    dbuf_free(&line);
    free(vars);
    free(order);
    plan_term(&p);
    trace_term(&tr);
    scenario_term(&sc);
    return rc ? st_rc_exit(rc) : 0;
}
