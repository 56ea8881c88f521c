/*
 * wsplan.h -- the WebSocket part of a run's schedule: which WebSocket sessions open when,
 * for how long, on which URL (docs/formats/scenario.md, "websockets").
 *
 * Design: built after the HTTP plan (plan.h) from the scenario's `websockets` section.
 *  - count mode: exactly `count` dedicated sessions (no HTTP requests), session j with id
 *    mix(mix("replay.ws.arrival", 0), j), opening at at + ramp * U(seed, id).
 *  - share mode: each of the plan's sessions holds one with probability `share`, drawn from
 *    (seed, session id, "replay.ws.pick"); it opens at the session's start.
 * Every draw (pick, offset, duration, items, message gaps) comes from a stream keyed by
 * (seed, id, purpose), so the schedule is the same on any machine and thread count, and
 * `--segment i/n` keeps exactly the sessions with id mod n = i - 1 (share-mode WebSockets
 * follow their session, which is in the same segment).
 * Items: for every feeder the templates use, a row: in share mode the row the session's
 * first request drew from that feeder (the product it is looking at), else a fresh draw
 * (Zipf as the routes draw it; an event session's draw goes to the hot set with
 * hot_share). Planned durations are clipped to the end of the arrival window.
 * Ownership: wsplan_build fills a caller-owned struct; wsplan_term frees it (safe twice).
 */
#ifndef RP_WSPLAN_H
#define RP_WSPLAN_H

#include "plan.h"

typedef struct wsplan_item {
    uint64_t id;       /* the WebSocket session's id (its rng streams) */
    uint64_t session;  /* the plan session holding it (share), or the id (count) */
    uint64_t client;   /* client key (scenario_client_build): the session's, or the id (count) */
    double open;       /* intended open time, seconds from the run start */
    double dur;        /* planned duration in seconds (clipped to the window end) */
    int16_t event;     /* owning session's event, or -1 */
    uint8_t origin;    /* ORIGIN_* of the owning session; ORIGIN_WS for dedicated ones */
    uint8_t clipped;   /* the planned end was cut at the window end */
    uint32_t rows_off; /* feeder rows in rows[rows_off ..] (sc->n_feeders of them) */
} wsplan_item;

#define ORIGIN_WS 3

typedef struct wsplan {
    wsplan_item *w; /* sorted by (open, id) */
    size_t n;
    uint32_t *rows;
    uint64_t all; /* WebSocket sessions across all segments (count mode; share: this segment) */
} wsplan;

/* Returns 0 or ST_ENOMEM with err set. An empty plan when the scenario has no websockets. */
int wsplan_build(wsplan *wp, const scenario *sc, const plan *p, char *err);
/* Trace mode: the trace's WebSocket sessions at their times and durations (divided by the
 * speed), on the scenario's `websockets` URL and messages; none when the scenario has no
 * `websockets` section (the caller reports them as not sent). */
struct trace;
int wsplan_build_trace(wsplan *wp, const scenario *sc, const plan *p, const struct trace *tr,
                       char *err);
void wsplan_term(wsplan *wp);

/* WebSocket i's client (address, User-Agent class, the header rows and the source-address
 * interface of scenario_client_build) into *cl. */
void wsplan_client(const scenario *sc, const wsplan *wp, size_t i, sc_client *cl);

/* Renders WebSocket i's URL (ws:// or wss:// from the target) and, when the scenario has
 * them, its subscribe message and message (else ""). cl is the socket's client
 * (wsplan_client): {client_ip} and {user_agent} render from it. plan_mode as plan_render.
 * Returns 0 or ST_ELIMIT when a buffer is too small. vars must hold sc->names.n_vars
 * variables; its client fields point into cl afterwards. */
int wsplan_render(const scenario *sc, const wsplan *wp, size_t i, const sc_client *cl,
                  tmpl_vars *vars, int plan_mode, char *url, size_t url_cap, char *sub,
                  size_t sub_cap, char *msg, size_t msg_cap);

/* Header rows a handshake may carry: the scenario's http.headers plus the client's address
 * header and User-Agent. */
#define WSPLAN_MAX_HEADERS (SC_MAX_HEADERS + 2)

/* Renders the handshake headers of WebSocket i into hdrs (one "Name: value" line each, 512
 * bytes, WSPLAN_MAX_HEADERS rows) and points line[] at them, NULL-terminated (line holds
 * WSPLAN_MAX_HEADERS + 1): the scenario's http.headers, then cl's client rows (the
 * http.client_ip.header with its address, the model's User-Agent), so the socket is the
 * same client as its session's requests (identity, authorization). Headers the handshake
 * owns (Host, Upgrade, Connection, Sec-WebSocket-*) are left out. Returns 0 or ST_ELIMIT. */
int wsplan_render_headers(const scenario *sc, const wsplan *wp, size_t i, const sc_client *cl,
                          tmpl_vars *vars, char (*hdrs)[512], const char **line);

#endif
