/*
 * probe_int.h -- internals shared by replay/probe.c (the thread, the sample store, the
 * lifecycle, the accessors and the "db" JSON) and replay/probe_sql.c (talking to the server:
 * the sampling statement, connecting and querying over libpq's non-blocking API, row
 * parsing, and one-line error messages with the password redacted).
 *
 * Not a public header: callers include probe.h only. Internal functions shared between the
 * two files carry the double prefix probe__ (ws_int.h's habit). The seam: probe_sql.c turns
 * one round trip into a probe__raw and never touches the store; probe.c records it.
 *
 * Invariants: the fields under "Guarded by mu" are read and written only with mu held (the
 * lock()/unlock() helpers below), except where probe.h says the probe is not running. conn
 * belongs to whichever thread runs the probe: probe_start before the thread exists, then the
 * probe thread alone until probe_stop has joined it. probe_sql.c reads conninfo and conn and
 * polls stop (through stop_requested), nothing else.
 */
#ifndef RP_PROBE_INT_H
#define RP_PROBE_INT_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "probe.h"

typedef struct probe_agg {
    uint64_t n;
    double sum, min, max, last;
} probe_agg;

struct probe {
    char *conninfo;
    double interval;
    /* Guarded by mu: */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop, running, started;
    probe_sample *samples;
    size_t n, alloc;
    probe_gap *gaps;
    size_t ngaps, gaps_alloc;
    int gap_open;   /* a failed tick has no sample after it yet */
    int gap_stored; /* the open gap is gaps[ngaps - 1] */
    probe_counters c;
    probe_agg agg[PROBE_NMETRICS];
    int have_prev;
    double prev_mono;
    int64_t prev_commit, prev_rollback, prev_read, prev_hit;
    int server_version, max_conn, reserved;
    int64_t started_at, stopped_at;
    /* The thread's own: */
    pthread_t th;
    PGconn *conn;
};

static inline double mono_s(void)
{
    return (double)st_now_ns() / 1e9;
}
static inline double wall_s(void)
{
    return (double)st_wall_us() / 1e6;
}

static inline void lock(const probe *p)
{
    pthread_mutex_lock((pthread_mutex_t *)&p->mu);
}
static inline void unlock(const probe *p)
{
    pthread_mutex_unlock((pthread_mutex_t *)&p->mu);
}
static inline int stop_requested(probe *p)
{
    lock(p);
    int stop = p->stop;
    unlock(p);
    return stop;
}

/* Copies libpq's (multi-line) message src (NULL reads as "") into dst[n] as one line,
 * whitespace runs folded to one space. Cannot fail; dst is always terminated. */
void probe__one_line(char *dst, size_t n, const char *src);

/* Opens p->conn (bounded by PROBE_CONNECT_TIMEOUT_S, cut short by a stop request). Returns 0,
 * or -1 with a one-line reason in why[n] (password redacted) and p->conn untouched. The caller
 * owns p->conn afterwards and closes it with PQfinish. */
int probe__connect(probe *p, char *why, size_t n);

/* Runs the sampling statement on p->conn (bounded by PROBE_QUERY_TIMEOUT_S, cut short by a
 * stop request) and fills raw's counts, ages, rtt_ms and cumulative counters, and sets
 * raw->connected = 1. Returns 0, or -1 with a one-line reason in why[n] (not yet redacted;
 * why should start empty). On -1 the connection is in an unknown state: the caller closes
 * it. Nothing to free. */
int probe__query(probe *p, probe__raw *raw, char *why, size_t n);

#endif
