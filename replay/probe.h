/*
 * probe.h -- the PostgreSQL server probe of `replay run ... --db-probe CONNINFO`: one thread,
 * one connection, one SQL statement per sample, on the client's wall-clock seconds.
 *
 * What it samples (docs/replay/probe.md has the SQL and the meaning of every figure): client
 * backends of pg_stat_activity by state and by wait_event_type, backends waiting on a
 * heavyweight lock and the distinct backends blocking them (pg_blocking_pids, evaluated only
 * for lock waiters), max_connections headroom, pg_stat_database commit/rollback and
 * blocks read/hit deltas, and the ages of the longest-running active query and the oldest
 * open transaction. The probe's own backend is excluded from every count.
 *
 * Timeline: sample k is taken at wall-clock second S0 + k*interval (CLOCK_REALTIME, whole
 * seconds), and keyed by that epoch second, the same key as the client's per-second series.
 * Deltas (commits, blocks) are taken against the previous sample of the same connection;
 * the first sample after a (re)connection has no deltas (JSON null).
 *
 * Connection loss: a failed or timed-out sample (PROBE_QUERY_TIMEOUT_S) closes the connection
 * and opens a gap record {from, to, reason}: `from` is the first second without a sample,
 * `to` the second of the first sample after recovery (null if the run ended first). The
 * thread keeps trying with bounded exponential backoff (1 s doubling to PROBE_BACKOFF_MAX_S)
 * and never blocks longer than a fraction of a second when asked to stop: connecting and
 * querying use libpq's non-blocking API polled in short slices.
 *
 * Memory is bounded: at most PROBE_MAX_SAMPLES samples (24 h at 1 s) and PROBE_MAX_GAPS gap
 * records are stored; past the cap, samples are counted in `dropped_samples` and no longer
 * stored, but the running aggregates (min/max/mean/last per metric) still include them, so
 * thresholds stay exact for any run length.
 *
 * Threads: probe_start() hands the connection to the probe thread, which alone touches it.
 * probe_metric_stat()/probe_metric_max() and probe_counters_get() lock and may be called from any
 * thread at any time (abort-thresholds are evaluated during the run). probe_samples(),
 * probe_gaps() and probe_to_json() read the stored arrays and must be called only when the
 * probe is not running (before probe_start or after probe_stop).
 *
 * Ownership: probe_new copies the conninfo; probe_free(NULL) is a no-op; probe_free stops a
 * running probe first. probe_to_json returns a new reference the caller owns. Library code:
 * nothing here prints or exits; errors are one line in the caller's err[ST_ERRLEN], and a
 * password from the conninfo never appears in it (it is redacted as "***").
 */
#ifndef RP_PROBE_H
#define RP_PROBE_H

#include <jansson.h>
#include "st.h"

#define PROBE_MAX_SAMPLES 86400u /* 24 h at 1 s */
#define PROBE_MAX_GAPS 4096u
#define PROBE_QUERY_TIMEOUT_S 5.0 /* a sample slower than this counts as a lost connection */
#define PROBE_CONNECT_TIMEOUT_S 5.0
#define PROBE_BACKOFF_MAX_S 16.0
#define PROBE_APPNAME "stampede-probe" /* default application_name; the conninfo may override */

/* pg_stat_activity.state of client backends; OTHER covers fastpath, disabled and NULL (a
 * role without pg_read_all_stats sees other roles' states as NULL: grant pg_monitor). */
enum probe_state {
    PROBE_ST_ACTIVE = 0,
    PROBE_ST_IDLE,
    PROBE_ST_IDLE_TX,
    PROBE_ST_IDLE_TX_ABORTED,
    PROBE_ST_OTHER,
    PROBE_NSTATES
};

/* pg_stat_activity.wait_event_type of client backends (PostgreSQL 15's list); a backend with
 * no wait event (running on CPU, or idle without a Client wait) is counted in none. */
enum probe_wait {
    PROBE_W_LOCK = 0,
    PROBE_W_LWLOCK,
    PROBE_W_IO,
    PROBE_W_CLIENT,
    PROBE_W_IPC,
    PROBE_W_TIMEOUT,
    PROBE_W_BUFFERPIN,
    PROBE_W_ACTIVITY,
    PROBE_W_EXTENSION,
    PROBE_NWAITS
};

/* One sample. Deltas are -1 and dt is 0 when undefined (first sample of a connection, or a
 * statistics reset made a counter go backwards). */
typedef struct probe_sample {
    int64_t t;             /* wall-clock epoch second the sample was taken at */
    float dt;              /* seconds since the previous sample of this connection */
    float longest_query_s; /* age of the oldest running active query, 0 if none */
    float longest_xact_s;  /* age of the oldest open transaction, 0 if none */
    float rtt_ms;          /* round trip of the probe's statement (its overhead) */
    int32_t connections;   /* client backends, the probe excluded */
    int32_t state[PROBE_NSTATES];
    int32_t wait[PROBE_NWAITS];
    int32_t waiting;  /* backends waiting on a heavyweight lock */
    int32_t blockers; /* distinct backends blocking those */
    int32_t headroom; /* max_connections - superuser_reserved - used (probe included) */
    int64_t d_commit, d_rollback, d_blks_read, d_blks_hit; /* deltas, -1 when undefined */
} probe_sample;

typedef struct probe_gap {
    int64_t from; /* first epoch second without a sample */
    int64_t to;   /* epoch second of the first sample after recovery; -1 = not recovered */
    char reason[160];
} probe_gap;

typedef struct probe_counters {
    uint64_t samples;         /* successful samples, stored or not */
    uint64_t dropped_samples; /* successful samples past PROBE_MAX_SAMPLES, not stored */
    uint64_t failed_samples;  /* ticks that found no connection or whose statement failed */
    uint64_t skipped_ticks;   /* ticks missed because a sample or a connect ran long */
    uint64_t reconnects;      /* successful connections after the first */
    uint64_t dropped_gaps;    /* gap records past PROBE_MAX_GAPS */
    int connected;            /* 1 while the probe holds a working connection */
} probe_counters;

/* Aggregates over every successful sample (stored or dropped). */
enum probe_stat { PROBE_MAX = 0, PROBE_MIN, PROBE_MEAN, PROBE_LAST };

typedef struct probe probe;

/* Validates interval_s (1 .. 3600 seconds) and parses the conninfo (keyword=value or URI)
 * without connecting. Returns NULL with err set (ST_EINPUT-class error: bad usage) or on
 * ENOMEM. The conninfo is copied. Caller frees with probe_free. */
probe *probe_new(const char *conninfo, double interval_s, char *err);

/* Connects (bounded by PROBE_CONNECT_TIMEOUT_S), checks the server answers the probe's
 * statement, then starts the sampling thread. Returns 0, ST_EENV (cannot connect, statement
 * refused; the message names host:port and libpq's reason, never the password), ST_EINPUT
 * (already started) or ST_ENOMEM. On failure nothing is left running and probe_start may be
 * called again. */
int probe_start(probe *p, char *err);

/* Stops and joins the thread and closes the connection; returns within about 0.2 s. A gap
 * still open stays open (to = -1). No-op when not running. */
void probe_stop(probe *p);

void probe_free(probe *p);

/* Threshold metrics ("db.waiting" ...). Names: db.connections, db.active, db.idle,
 * db.idle_in_tx, db.idle_in_tx_aborted, db.waiting, db.blockers, db.headroom,
 * db.commits_per_s, db.rollbacks_per_s, db.blks_read_per_s, db.blks_hit_per_s,
 * db.blks_hit_ratio, db.longest_query_s, db.longest_xact_s, db.wait_lock, db.wait_lwlock,
 * db.wait_io, db.wait_client, db.wait_ipc, db.wait_timeout, db.rtt_ms. */
#define PROBE_NMETRICS 22
/* Index of a metric name in [0, PROBE_NMETRICS), or -1 if unknown (for thr_parse). */
int probe_metric_index(const char *name);
/* Name of metric i, or NULL when out of range. */
const char *probe_metric_name(int i);

/* Aggregate `which` of metric `name` over all successful samples. Returns 0 with *out set;
 * 1 when no sample had a value (no data: *out untouched); ST_EINPUT for an unknown name
 * (err set when err is not NULL). Thread-safe. */
int probe_metric_stat(const probe *p, const char *name, enum probe_stat which, double *out,
                      char *err);
/* Shorthand for probe_metric_stat(p, name, PROBE_MAX, out, err). */
int probe_metric_max(const probe *p, const char *name, double *out, char *err);

/* The same aggregate, read from a probe_to_json() object's "summary" (for `replay merge`
 * and `replay report`, which only have results.json). Same returns; ST_EINPUT also for a
 * malformed object. */
int probe_json_metric_stat(const json_t *db, const char *name, enum probe_stat which, double *out,
                           char *err);

/* Copies the counters (thread-safe). */
void probe_counters_get(const probe *p, probe_counters *out);

/* Stored samples / gaps in time order; the pointer is borrowed and valid until probe_free
 * or the next probe_start. Only when not running. */
size_t probe_samples(const probe *p, const probe_sample **out);
size_t probe_gaps(const probe *p, const probe_gap **out);

/* Per-sample value of metric i (same units as probe_metric_stat); NAN when undefined. */
double probe_sample_value(const probe_sample *s, int metric);

/* The "db" section of results.json (format in docs/replay/probe.md): columnar samples keyed by the
 * epoch-second array "t", gaps, counters, per-metric summary. New reference, NULL on ENOMEM.
 * Only when not running. */
json_t *probe_to_json(const probe *p);

/* Internal, for unit tests only: feeds one raw sample as the thread would (raw counters are
 * cumulative values; pass connected=0 to record a failed tick with `reason`). */
typedef struct probe__raw {
    int64_t t;
    double mono_s;
    int connected;
    const char *reason;
    probe_sample s; /* counts and ages; d_* ignored */
    int64_t commit, rollback, blks_read, blks_hit, max_conn, reserved;
} probe__raw;
void probe__feed(probe *p, const probe__raw *raw);
/* Internal, for unit tests: redacts the password of `conninfo` from msg in place. */
void probe__redact(char *msg, size_t n, const char *conninfo);

#endif
