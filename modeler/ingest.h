/*
 * ingest.h -- the one streaming pass of `modeler fit`: read, tokenize, classify, reorder,
 * sessionize and count. Everything the fits need afterwards is in struct ingest.
 *
 * Pipeline per line: logread -> logfmt -> quality counters -> User-Agent class (common/
 * uaclass; bots are counted, their sessions too, then dropped) -> route template -> route
 * statistics -> a bounded reorder buffer (reorder.h; lines are released in time order once they are
 * older than the newest line by the reorder window)
 * -> per-second series, sessions, journeys, static assets per page view, item-event sample,
 * WebSocket intervals. Lines with equal times leave the buffer in input order, so a page and
 * its assets logged in the same second stay in the order the server wrote them.
 *
 * Memory is bounded: the reorder buffer, the client table, the item sketches, the reservoirs
 * and the per-second series (at most INGEST_MAX_SECONDS) all have caps. The item-event
 * sample (for burst convergence) keeps every k-th event, doubling k when full.
 */
#ifndef MODELER_INGEST_H
#define MODELER_INGEST_H

#include <stdint.h>
#include "logfmt.h"
#include "progress.h"
#include "quality.h"
#include "reorder.h"
#include "routetab.h"
#include "sessionize.h"

#define INGEST_MAX_SECONDS ((size_t)40 * 86400)
#define INGEST_HEAP_CAP ((size_t)1 << 18)
#define INGEST_IEV_CAP ((size_t)1 << 21)

typedef struct ingest_opts {
    const char *format; /* NULL = combined; "auto" = detected from the first lines */
    double timeout_s;   /* session timeout */
    double reorder_window_s;
    uint64_t seed;
    size_t item_cap;         /* per item parameter (0 = default) */
    const char *time_format; /* --time-format (NULL = the format's own) */
    const char *tz;          /* --tz for zone-less times (NULL = UTC, stated as a finding) */
} ingest_opts;

typedef reorder_ev ingest_ev; /* reorder.h: time, client, item, route, seq, kind, ua */

typedef struct item_ev {
    float t;      /* seconds from t0 */
    float sess_t; /* start of the request's session, seconds from t0: burst
                   * convergence follows a crowd's sessions past the episode */
    uint32_t route;
    uint64_t item;
} item_ev;

typedef struct ingest {
    ingest_opts o;
    logfmt *fmt;
    quality q;
    routetab rt;
    sessionize ss;
    reorder ro; /* the bounded reorder buffer (INGEST_HEAP_CAP events) */
    double max_ts;
    int have_t0;
    double t0, first_ts, last_ts;
    uint32_t *sec_sessions, *sec_requests;
    int32_t *sec_ws; /* +1 at a WebSocket's open second, -1 at its close */
    size_t nsec, sec_alloc;
    uint64_t human_requests, page_requests;
    uint64_t ws_count;
    uint64_t directives;  /* format directive lines (W3C #Fields:), not requests */
    int auto_format;      /* --format auto: fmt is chosen from the first lines */
    logfmt_detection det; /* what auto tried (for the messages) */
    int header_checked;
    struct wsdur *ws_dur; /* durations; the log's last closes as censored (wsdur.h) */
    item_ev *iev;
    size_t niev;
    uint64_t iev_stride, iev_seen;
    uint64_t ua_cache[4096]; /* ua hash with the low 3 bits = enum ua_class + 1, direct mapped */
    uint32_t seq;
} ingest;

int ingest_init(ingest *g, const ingest_opts *o, char *err);
void ingest_term(ingest *g);
/* Reads every path ("-" = stdin). Returns 0, or ST_EINPUT/ST_EENV/ST_ENOMEM with err set
 * (bad format spec, unreadable file). Malformed lines are never errors. */
int ingest_run(ingest *g, const char *const *paths, size_t npaths, progress *pg, char *err);
double ingest_span(const ingest *g); /* seconds between first and last line */

#endif
