/*
 * scenario.h -- a loaded, validated scenario (docs/formats/scenario.md) with its model,
 * feeders, compiled request templates and thresholds.
 *
 * scenario_load() applies the command-line overrides first and then validates everything
 * that a run needs (model, feeders, templates, thresholds, target), so that after it returns
 * 0 nothing can fail for input reasons. Errors name the field path and map to exit 2.
 * The struct is read-only once worker threads start.
 * Ownership: caller-owned struct; scenario_term releases everything (safe twice).
 */
#ifndef RP_SCENARIO_H
#define RP_SCENARIO_H

#include <regex.h>
#include <jansson.h>

#include "coverage.h"
#include "feeder.h"
#include "model.h"
#include "rng.h"
#include "thresholds.h"
#include "tmpl.h"

#define SC_MAX_FEEDERS 16
#define SC_MAX_HEADERS 16
#define SC_MAX_CAPTURES 8
#define SC_MAX_DRAWS 16
#define SC_MAX_STAGES 64
#define SC_MAX_EVENTS 32
#define SC_MAX_THRESHOLDS 64
#define SC_MAX_HOT 16

enum sc_capture_from { CAP_JSON = 0, CAP_HEADER = 1, CAP_REGEX = 2 };

typedef struct sc_capture {
    int from, var;
    char name[128]; /* header name or JSON pointer */
    regex_t re;
    int has_re;
} sc_capture;

typedef struct sc_check {
    int present;
    int n_status, status[16];
    char header[128], header_contains[256];
    char *body_contains;
    char json_pointer[256];
    json_t *json_equals;
} sc_check;

typedef struct sc_route {
    int model_idx;
    char template_[256];
    char method[16];
    tmpl path, body;
    int has_body;
    size_t n_headers;
    char header_names[SC_MAX_HEADERS][64];
    tmpl header_vals[SC_MAX_HEADERS];
    size_t n_draws; /* feeder placeholders: path, headers, body in order */
    int draw_feeder[SC_MAX_DRAWS];
    rng_zipf draw_zipf[SC_MAX_DRAWS];
    unsigned char draw_uniform[SC_MAX_DRAWS]; /* the model fitted a uniform popularity */
    size_t n_captures;
    sc_capture captures[SC_MAX_CAPTURES];
    sc_check check;
    int needs_body, needs_headers;
} sc_route;

enum sc_curve { CURVE_LINEAR = 0, CURVE_EXP = 1 };
typedef struct sc_stage {
    double dur, from, to;
    int curve;
} sc_stage;

typedef struct sc_event {
    char name[64];
    double at, ramp, hold, decay, hot_share;
    uint64_t sessions; /* after scale */
    int hot_feeder;
    uint64_t ranks[SC_MAX_HOT];
    size_t n_ranks;
} sc_event;

/* The `websockets` section (docs/formats/scenario.md; loaded by sc_ws.c). */
enum sc_ws_mode { SCWS_NONE = 0, SCWS_COUNT, SCWS_SHARE };
enum sc_ws_dur { SCWS_DUR_MODEL = 0, SCWS_DUR_FIXED, SCWS_DUR_SESSION, SCWS_DUR_RUN };
typedef struct sc_ws {
    int mode;        /* SCWS_NONE: no WebSocket sessions */
    uint64_t count;  /* SCWS_COUNT: dedicated sessions (after scale) */
    double at, ramp; /* SCWS_COUNT: their arrivals, uniform over [at, at + ramp) */
    double share;    /* SCWS_SHARE: share of plan sessions that hold one */
    tmpl path, subscribe, message;
    int has_subscribe, has_message;
    unsigned char uses_feeder[SC_MAX_FEEDERS]; /* feeders the templates draw from */
    double msgs_per_min;
    int dur_mode;
    double dur_fixed, dur_mu, dur_sigma; /* fixed seconds, or lognormal of seconds */
    double ping_interval, pong_timeout, handshake_timeout;
    unsigned reconnect_max;
    double reconnect_backoff; /* first delay; doubles per attempt, at most 30 s */
} sc_ws;

/* HTTP versions (`http.version`, sc_http.h) and the `tls` section. */
enum sc_http_version { SCHV_1_1 = 0, SCHV_2, SCHV_H2C };
typedef struct sc_tls {
    char ca_file[4096], client_cert[4096], client_key[4096]; /* "" = none */
    int insecure;
} sc_tls;

/* Command-line overrides; a field is used when its has_ flag is set. */
typedef struct sc_overrides {
    const char *target, *feeders_dir;
    const char *source_addrs; /* --source-addrs CIDR */
    int has_duration, has_scale, has_seed, has_max_rps;
    double duration, scale, max_rps;
    uint64_t seed;
} sc_overrides;

typedef struct scenario {
    char path[4096], name[128];
    char target[512], host[256];
    int port, https;
    uint64_t seed, hash;
    double duration, scale;
    model m;
    size_t n_feeders;
    char feeder_names[SC_MAX_FEEDERS][64];
    feeder feeders[SC_MAX_FEEDERS];
    double feeder_zipf[SC_MAX_FEEDERS];
    tmpl_names names;
    size_t n_routes;
    sc_route *routes;
    int route_of_model[MODEL_MAX_ROUTES]; /* -1: journey step skipped */
    /* sessions */
    unsigned max_requests, max_active, pool_size;
    double think_scale;
    int per_session_conn, cookies, use_hawkes;
    /* http */
    double timeout, connect_timeout;
    size_t n_headers;
    char header_names[SC_MAX_HEADERS][64];
    tmpl header_vals[SC_MAX_HEADERS];
    int traceparent;
    int http_version, require_version; /* an sc_http_version; refuse a fallback to 1.1 */
    unsigned max_streams;              /* HTTP/2 streams per pooled connection */
    sc_tls tls;
    /* arrivals */
    size_t n_stages;
    sc_stage stages[SC_MAX_STAGES];
    size_t n_events;
    sc_event events[SC_MAX_EVENTS];
    /* checks and limits */
    size_t n_thresholds;
    thr thresholds[SC_MAX_THRESHOLDS];
    double max_rps, grace, abort_after;
    char model_path[4096];
    sc_ws ws;
    /* model_clock, coverage, assets and client identity (sc_ident.c) */
    int has_clock;
    double clock_start, clock_speed; /* model-clock epoch of run time 0; model s per run s */
    int unmapped_error;
    int assets_fetch;
    char client_header[64];     /* "" = no client address header */
    uint32_t addr_base, addr_n; /* client addresses: addr_base + [0, addr_n) */
    int has_addrs, bind_source; /* bind_source: also the connection's source address */
    int ua_model;               /* User-Agent from the model's client classes */
    double ua_cdf[3];           /* cumulative desktop, mobile, script */
    coverage cov;               /* what of the model the plan sends */
} scenario;

/* Returns 0, ST_EINPUT (one line naming the field path) or ST_ENOMEM. */
int scenario_load(scenario *sc, const char *path, const sc_overrides *ov, char *err);
void scenario_term(scenario *sc);
/* The session's client: its address (dotted quad into ip, 16 bytes) and User-Agent class
 * (common/uaclass enum), both functions of (seed, key). *ip = 0 when no address is set. */
void scenario_client(const scenario *sc, uint64_t key, char *ip, int *ua_class);
/* A session's client as the engine sends it, built once per session: header lines for
 * libcurl's list ("" when off) and the CURLOPT_INTERFACE value ("host!ADDR", "" when off). */
typedef struct sc_client {
    char ip[16];
    int ua_class;
    char iface[24];
    char ip_hdr[96];
    char ua_hdr[288];
} sc_client;
void scenario_client_build(const scenario *sc, uint64_t key, sc_client *c);
/* Points the templates' {client_ip} and {user_agent} at client c (borrowed: c must outlive
 * the renders); c NULL, or a part that is off, renders as "". */
void scenario_client_vars(const scenario *sc, const sc_client *c, tmpl_vars *v);
/* The stage multiplier at run time t (seconds). */
double scenario_stage(const scenario *sc, double t);
/* The baseline session rate (per second) at run time t, before the Hawkes (1 - n) split. */
double scenario_base_rate(const scenario *sc, double t);

#endif
