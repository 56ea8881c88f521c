/*
 * probe.c -- the PostgreSQL probe thread, its sample store and the "db" JSON (see probe.h).
 * Talking to the server (the statement, connect, query, row parsing, error messages) is in
 * probe_sql.c; the struct and the helpers both files use are in probe_int.h.
 *
 * Design: the thread sleeps on a condition variable until the next wall-clock tick (so
 * probe_stop wakes it at once), runs PROBE_SQL (one statement, one round trip) over libpq's
 * non-blocking API polled in PROBE_SLICE_MS slices (so neither a hung server nor a slow
 * connect delays a stop), parses one row and hands a probe__raw to probe_record(), the single
 * place where samples, deltas, gaps and aggregates change. Unit tests drive probe_record()
 * through probe__feed() without a server.
 *
 * State of the connection, in the thread only:
 *   DOWN  conn == NULL. At a tick at or after retry_at: connect. Success -> UP (reconnects
 *         counted, deltas restart); failure -> DOWN with backoff doubled up to
 *         PROBE_BACKOFF_MAX_S. Either way, a tick without a sample is a failed tick.
 *   UP    run PROBE_SQL. Success -> sample, stay UP. Failure or timeout -> PQfinish, DOWN
 *         with retry_at = now (the next tick tries again at once), failed tick.
 */
#include "probe_int.h"
#include "formats.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* clang-format off */
static const char *const probe_metric_names[PROBE_NMETRICS] = {
    "db.connections", "db.active", "db.idle", "db.idle_in_tx", "db.idle_in_tx_aborted",
    "db.waiting", "db.blockers", "db.headroom", "db.commits_per_s", "db.rollbacks_per_s",
    "db.blks_read_per_s", "db.blks_hit_per_s", "db.blks_hit_ratio", "db.longest_query_s",
    "db.longest_xact_s", "db.wait_lock", "db.wait_lwlock", "db.wait_io", "db.wait_client",
    "db.wait_ipc", "db.wait_timeout", "db.rtt_ms"};
/* clang-format on */
static const char *const probe_wait_keys[PROBE_NWAITS] = {
    "Lock", "LWLock", "IO", "Client", "IPC", "Timeout", "BufferPin", "Activity", "Extension"};

/* ---- the record path (thread and tests) ---- */

static int64_t delta(int64_t cur, int64_t prev)
{
    return cur >= prev ? cur - prev : -1;
}

double probe_sample_value(const probe_sample *s, int m)
{
    double dt = s->dt;
    switch (m) {
    case 0: return s->connections;
    case 1:
    case 2:
    case 3:
    case 4: return s->state[m - 1];
    case 5: return s->waiting;
    case 6: return s->blockers;
    case 7: return s->headroom;
    case 8:
    case 9:
    case 10:
    case 11: {
        int64_t d = m == 8    ? s->d_commit
                    : m == 9  ? s->d_rollback
                    : m == 10 ? s->d_blks_read
                              : s->d_blks_hit;
        return d >= 0 && dt > 0 ? (double)d / dt : NAN;
    }
    case 12:
        return s->d_blks_hit >= 0 && s->d_blks_read >= 0 && s->d_blks_hit + s->d_blks_read > 0
                   ? (double)s->d_blks_hit / (double)(s->d_blks_hit + s->d_blks_read)
                   : NAN;
    case 13: return s->longest_query_s;
    case 14: return s->longest_xact_s;
    case 15:
    case 16:
    case 17:
    case 18:
    case 19:
    case 20: return s->wait[m - 15];
    case 21: return s->rtt_ms;
    default: return NAN;
    }
}

/* Opens a gap at second t unless one is open. Called locked. */
static void gap_open(probe *p, int64_t t, const char *reason)
{
    if (p->gap_open)
        return;
    p->gap_open = 1;
    p->gap_stored = 0;
    if (p->ngaps >= PROBE_MAX_GAPS) {
        p->c.dropped_gaps++;
        return;
    }
    if (p->ngaps == p->gaps_alloc) {
        size_t na = p->gaps_alloc ? p->gaps_alloc * 2 : 8;
        probe_gap *g = realloc(p->gaps, na * sizeof *g);
        if (!g) { /* Out of memory: the gap is counted, not stored. */
            p->c.dropped_gaps++;
            return;
        }
        p->gaps = g;
        p->gaps_alloc = na;
    }
    probe_gap *g = &p->gaps[p->ngaps++];
    g->from = t;
    g->to = -1;
    snprintf(g->reason, sizeof g->reason, "%s", reason && reason[0] ? reason : "no connection");
    p->gap_stored = 1;
}

static void probe_record(probe *p, const probe__raw *raw)
{
    lock(p);
    if (!raw->connected) {
        p->c.failed_samples++;
        p->have_prev = 0;
        gap_open(p, raw->t, raw->reason);
        unlock(p);
        return;
    }
    probe_sample s = raw->s;
    s.t = raw->t;
    s.dt = 0;
    s.d_commit = s.d_rollback = s.d_blks_read = s.d_blks_hit = -1;
    if (p->have_prev && raw->mono_s > p->prev_mono) {
        s.dt = (float)(raw->mono_s - p->prev_mono);
        s.d_commit = delta(raw->commit, p->prev_commit);
        s.d_rollback = delta(raw->rollback, p->prev_rollback);
        s.d_blks_read = delta(raw->blks_read, p->prev_read);
        s.d_blks_hit = delta(raw->blks_hit, p->prev_hit);
    }
    p->have_prev = 1;
    p->prev_mono = raw->mono_s;
    p->prev_commit = raw->commit;
    p->prev_rollback = raw->rollback;
    p->prev_read = raw->blks_read;
    p->prev_hit = raw->blks_hit;
    p->max_conn = (int)raw->max_conn;
    p->reserved = (int)raw->reserved;
    s.headroom = (int32_t)(raw->max_conn - raw->reserved - s.connections - 1);
    if (p->gap_open) {
        if (p->gap_stored)
            p->gaps[p->ngaps - 1].to = s.t;
        p->gap_open = p->gap_stored = 0;
    }
    p->c.samples++;
    int stored = 0;
    if (p->n < PROBE_MAX_SAMPLES) {
        if (p->n == p->alloc) {
            size_t na = p->alloc ? p->alloc * 2 : 256;
            if (na > PROBE_MAX_SAMPLES)
                na = PROBE_MAX_SAMPLES;
            probe_sample *ns = realloc(p->samples, na * sizeof *ns);
            if (ns) {
                p->samples = ns;
                p->alloc = na;
            }
        }
        if (p->n < p->alloc) {
            p->samples[p->n++] = s;
            stored = 1;
        }
    }
    if (!stored)
        p->c.dropped_samples++;
    for (int m = 0; m < PROBE_NMETRICS; m++) {
        double v = probe_sample_value(&s, m);
        if (!isfinite(v))
            continue;
        probe_agg *a = &p->agg[m];
        if (!a->n || v < a->min)
            a->min = v;
        if (!a->n || v > a->max)
            a->max = v;
        a->n++;
        a->sum += v;
        a->last = v;
    }
    unlock(p);
}

void probe__feed(probe *p, const probe__raw *raw)
{
    probe_record(p, raw);
}

/* ---- the thread ---- */

static void *probe_main(void *arg)
{
    probe *p = arg;
    double backoff = 1, retry_at = 0;
    double next = floor(wall_s()) + 1;
    lock(p);
    for (;;) {
        struct timespec ts = {.tv_sec = (time_t)next,
                              .tv_nsec = (long)((next - floor(next)) * 1e9)};
        while (!p->stop && wall_s() < next)
            if (pthread_cond_timedwait(&p->cv, &p->mu, &ts) == ETIMEDOUT)
                break;
        if (p->stop)
            break;
        unlock(p);
        probe__raw raw;
        memset(&raw, 0, sizeof raw);
        raw.t = (int64_t)floor(next);
        char why[ST_ERRLEN] = "";
        if (!p->conn && mono_s() >= retry_at) {
            if (probe__connect(p, why, sizeof why) == 0) {
                lock(p);
                p->c.reconnects++;
                p->c.connected = 1;
                unlock(p);
                backoff = 1;
            } else {
                retry_at = mono_s() + backoff;
                backoff = backoff * 2 > PROBE_BACKOFF_MAX_S ? PROBE_BACKOFF_MAX_S : backoff * 2;
            }
        }
        if (p->conn) {
            raw.mono_s = mono_s();
            if (probe__query(p, &raw, why, sizeof why) != 0) {
                PQfinish(p->conn);
                p->conn = NULL;
                retry_at = 0;
                backoff = 1;
                lock(p);
                p->c.connected = 0;
                unlock(p);
                char tmp[ST_ERRLEN];
                snprintf(tmp, sizeof tmp, "connection lost: %.200s", why);
                probe__redact(tmp, sizeof tmp, p->conninfo);
                snprintf(why, sizeof why, "%s", tmp);
            }
        } else if (!why[0]) {
            snprintf(why, sizeof why, "reconnecting");
        }
        /* A sample cut short by probe_stop is not a lost connection. */
        raw.reason = why;
        if (raw.connected || !stop_requested(p))
            probe_record(p, &raw);
        lock(p);
        double now = wall_s();
        next += p->interval;
        while (next <= now) {
            next += p->interval;
            p->c.skipped_ticks++;
        }
        if (p->stop)
            break;
    }
    unlock(p);
    if (p->conn) {
        PQfinish(p->conn);
        p->conn = NULL;
    }
    return NULL;
}

/* ---- lifecycle ---- */

probe *probe_new(const char *conninfo, double interval_s, char *err)
{
    if (!conninfo || !conninfo[0])
        return st_err(err, ST_EINPUT, "--db-probe: empty connection string"), NULL;
    if (!(interval_s >= 1 && interval_s <= 3600))
        return st_err(err, ST_EINPUT, "--db-probe: interval must be 1 to 3600 seconds"), NULL;
    int is_ci = strchr(conninfo, '=') || !strncmp(conninfo, "postgresql://", 13) ||
                !strncmp(conninfo, "postgres://", 11);
    if (is_ci) {
        char *perr = NULL;
        PQconninfoOption *o = PQconninfoParse(conninfo, &perr);
        if (!o) {
            char msg[ST_ERRLEN];
            probe__one_line(msg, sizeof msg, perr ? perr : "out of memory");
            PQfreemem(perr);
            probe__redact(msg, sizeof msg, conninfo);
            return st_err(err, ST_EINPUT, "--db-probe: bad connection string: %s", msg), NULL;
        }
        PQconninfoFree(o);
    }
    probe *p = calloc(1, sizeof *p);
    if (!p || !(p->conninfo = strdup(conninfo))) {
        free(p);
        return st_err(err, ST_ENOMEM, "--db-probe: out of memory"), NULL;
    }
    p->interval = interval_s;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    return p;
}

int probe_start(probe *p, char *err)
{
    if (p->started)
        return st_err(err, ST_EINPUT, "--db-probe: the probe was already started");
    char why[ST_ERRLEN] = "";
    p->stop = 0;
    if (probe__connect(p, why, sizeof why) != 0)
        return st_err(err, ST_EENV, "--db-probe: cannot connect: %s", why);
    /* One trial sample proves the role may read the statistics views. */
    probe__raw raw;
    memset(&raw, 0, sizeof raw);
    raw.t = (int64_t)floor(wall_s());
    raw.mono_s = mono_s();
    if (probe__query(p, &raw, why, sizeof why) != 0) {
        PQfinish(p->conn);
        p->conn = NULL;
        probe__redact(why, sizeof why, p->conninfo);
        return st_err(err, ST_EENV, "--db-probe: the probe statement failed: %s", why);
    }
    p->server_version = PQserverVersion(p->conn);
    p->started_at = (int64_t)floor(wall_s());
    p->c.connected = 1;
    probe_record(p, &raw);
    int rc = pthread_create(&p->th, NULL, probe_main, p);
    if (rc != 0) {
        PQfinish(p->conn);
        p->conn = NULL;
        return st_err(err, ST_EENV, "--db-probe: cannot start a thread: %s", strerror(rc));
    }
    p->running = p->started = 1;
    return 0;
}

void probe_stop(probe *p)
{
    if (!p || !p->running)
        return;
    lock(p);
    p->stop = 1;
    pthread_cond_broadcast(&p->cv);
    unlock(p);
    pthread_join(p->th, NULL);
    p->running = 0;
    p->c.connected = 0;
    p->stopped_at = (int64_t)floor(wall_s());
}

void probe_free(probe *p)
{
    if (!p)
        return;
    probe_stop(p);
    if (p->conn)
        PQfinish(p->conn);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p->samples);
    free(p->gaps);
    free(p->conninfo);
    free(p);
}

/* ---- accessors ---- */

int probe_metric_index(const char *name)
{
    for (int i = 0; name && i < PROBE_NMETRICS; i++)
        if (!strcmp(name, probe_metric_names[i]))
            return i;
    return -1;
}

const char *probe_metric_name(int i)
{
    return i >= 0 && i < PROBE_NMETRICS ? probe_metric_names[i] : NULL;
}

static int unknown_metric(const char *name, char *err)
{
    return st_err(err, ST_EINPUT,
                  "unknown probe metric \"%s\" (known: db.connections, "
                  "db.active, db.idle, db.idle_in_tx, db.waiting, db.headroom, ... see "
                  "docs/replay/probe.md)",
                  name ? name : "");
}

static int agg_pick(const probe_agg *a, enum probe_stat which, double *out)
{
    if (!a->n)
        return 1;
    *out = which == PROBE_MAX    ? a->max
           : which == PROBE_MIN  ? a->min
           : which == PROBE_MEAN ? a->sum / (double)a->n
                                 : a->last;
    return 0;
}

int probe_metric_stat(const probe *p, const char *name, enum probe_stat which, double *out,
                      char *err)
{
    int i = probe_metric_index(name);
    if (i < 0)
        return unknown_metric(name, err);
    lock(p);
    probe_agg a = p->agg[i];
    unlock(p);
    return agg_pick(&a, which, out);
}

int probe_metric_max(const probe *p, const char *name, double *out, char *err)
{
    return probe_metric_stat(p, name, PROBE_MAX, out, err);
}

void probe_counters_get(const probe *p, probe_counters *out)
{
    lock(p);
    *out = p->c;
    unlock(p);
}

size_t probe_samples(const probe *p, const probe_sample **out)
{
    *out = p->samples;
    return p->n;
}

size_t probe_gaps(const probe *p, const probe_gap **out)
{
    *out = p->gaps;
    return p->ngaps;
}

/* ---- JSON ---- */

static json_t *jnum(double v)
{
    if (!isfinite(v))
        return json_null();
    double r = round(v * 1000.0) / 1000.0;
    if (r == floor(r) && fabs(r) < 9e15)
        return json_integer((json_int_t)r);
    return json_real(r);
}

static json_t *jdelta(int64_t d)
{
    return d >= 0 ? json_integer(d) : json_null();
}

json_t *probe_to_json(const probe *p)
{
    /* Children are attached to o as soon as they exist, so one json_decref(o) cleans up. */
    json_t *o = json_object(), *smp = json_object(), *wait = json_object();
    json_t *gaps = json_array(), *cnt = json_object(), *sum = json_object();
    int bad = !o || json_object_set_new(o, "format", json_string(ST_FMT_DB_PROBE));
    bad |= !o || json_object_set_new(o, "samples", smp) || json_object_set_new(smp, "wait", wait);
    bad |= !o || json_object_set_new(o, "gaps", gaps) || json_object_set_new(o, "counters", cnt);
    bad |= !o || json_object_set_new(o, "summary", sum);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    bad |= json_object_set_new(o, "version", json_integer(ST_FMT_DB_PROBE_VERSION));
    bad |= json_object_set_new(o, "interval_s", jnum(p->interval));
    bad |= json_object_set_new(o, "server_version", json_integer(p->server_version));
    bad |= json_object_set_new(o, "max_connections", json_integer(p->max_conn));
    bad |= json_object_set_new(o, "superuser_reserved_connections", json_integer(p->reserved));
    bad |= json_object_set_new(o, "started_at", json_integer(p->started_at));
    bad |= json_object_set_new(o, "stopped_at", json_integer(p->stopped_at));
    /* Columns: name, kind (0 plain field, 1 metric index, 2 delta), selector. */
    /* clang-format off */
    static const struct { const char *k; int kind, sel; } cols[] = {
        {"t", 0, 0}, {"dt", 0, 1}, {"connections", 1, 0}, {"active", 1, 1}, {"idle", 1, 2},
        {"idle_in_tx", 1, 3}, {"idle_in_tx_aborted", 1, 4}, {"other", 0, 2},
        {"waiting", 1, 5}, {"blockers", 1, 6}, {"headroom", 1, 7}, {"commits", 2, 0},
        {"rollbacks", 2, 1}, {"blks_read", 2, 2}, {"blks_hit", 2, 3},
        {"commits_per_s", 1, 8}, {"rollbacks_per_s", 1, 9}, {"blks_read_per_s", 1, 10},
        {"blks_hit_per_s", 1, 11}, {"blks_hit_ratio", 1, 12}, {"longest_query_s", 1, 13},
        {"longest_xact_s", 1, 14}, {"rtt_ms", 1, 21}};
    /* clang-format on */
    for (size_t c = 0; c < sizeof cols / sizeof cols[0] + PROBE_NWAITS && !bad; c++) {
        json_t *a = json_array();
        int w = (int)c - (int)(sizeof cols / sizeof cols[0]);
        bad |= !a ||
               json_object_set_new(w >= 0 ? wait : smp, w >= 0 ? probe_wait_keys[w] : cols[c].k, a);
        for (size_t i = 0; i < p->n && !bad; i++) {
            const probe_sample *s = &p->samples[i];
            json_t *v;
            if (w >= 0)
                v = json_integer(s->wait[w]);
            else if (cols[c].kind == 1)
                v = jnum(probe_sample_value(s, cols[c].sel));
            else if (cols[c].kind == 2)
                v = jdelta(cols[c].sel == 0   ? s->d_commit
                           : cols[c].sel == 1 ? s->d_rollback
                           : cols[c].sel == 2 ? s->d_blks_read
                                              : s->d_blks_hit);
            else
                v = cols[c].sel == 0   ? json_integer(s->t)
                    : cols[c].sel == 1 ? (s->dt > 0 ? jnum(s->dt) : json_null())
                                       : json_integer(s->state[PROBE_ST_OTHER]);
            bad |= json_array_append_new(a, v);
        }
    }
    for (size_t g = 0; g < p->ngaps && !bad; g++) {
        json_t *j = json_pack("{s:I,s:o,s:s}", "from", (json_int_t)p->gaps[g].from, "to",
                              p->gaps[g].to >= 0 ? json_integer(p->gaps[g].to) : json_null(),
                              "reason", p->gaps[g].reason);
        bad |= !j || json_array_append_new(gaps, j);
    }
    /* clang-format off */
    const struct { const char *k; uint64_t v; } cv[] = {
        {"samples", p->c.samples}, {"dropped_samples", p->c.dropped_samples},
        {"failed_samples", p->c.failed_samples}, {"skipped_ticks", p->c.skipped_ticks},
        {"reconnects", p->c.reconnects}, {"dropped_gaps", p->c.dropped_gaps}};
    /* clang-format on */
    for (size_t i = 0; i < sizeof cv / sizeof cv[0] && !bad; i++)
        bad |= json_object_set_new(cnt, cv[i].k, json_integer((json_int_t)cv[i].v));
    for (int m = 0; m < PROBE_NMETRICS && !bad; m++) {
        const probe_agg *a = &p->agg[m];
        json_t *j = a->n ? json_pack("{s:I,s:o,s:o,s:o,s:o}", "n", (json_int_t)a->n, "min",
                                     jnum(a->min), "max", jnum(a->max), "mean",
                                     jnum(a->sum / (double)a->n), "last", jnum(a->last))
                         : json_pack("{s:i}", "n", 0);
        bad |= !j || json_object_set_new(sum, probe_metric_names[m], j);
    }
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

int probe_json_metric_stat(const json_t *db, const char *name, enum probe_stat which, double *out,
                           char *err)
{
    if (probe_metric_index(name) < 0)
        return unknown_metric(name, err);
    json_t *sum = json_object_get(db, "summary");
    if (!json_is_object(sum))
        return st_err(err, ST_EINPUT, "db.summary: expected an object");
    json_t *m = json_object_get(sum, name);
    if (!m)
        return 1;
    json_t *n = json_object_get(m, "n");
    if (!json_is_integer(n))
        return st_err(err, ST_EINPUT, "db.summary.%s.n: expected an integer", name);
    if (json_integer_value(n) == 0)
        return 1;
    static const char *const keys[] = {"max", "min", "mean", "last"};
    json_t *v = json_object_get(m, keys[which]);
    if (!json_is_number(v))
        return st_err(err, ST_EINPUT, "db.summary.%s.%s: expected a number", name, keys[which]);
    *out = json_number_value(v);
    return 0;
}
