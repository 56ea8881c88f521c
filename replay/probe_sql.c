/*
 * probe_sql.c -- the probe's side of the wire (see probe.h, probe_int.h): the one sampling
 * statement, connecting and querying over libpq, parsing the row into a probe__raw, and the
 * one-line, password-redacted error messages the probe reports.
 *
 * Design: everything here runs in whichever thread owns p->conn (probe_start, then the probe
 * thread) and never touches the sample store; probe.c's probe_record() is the only consumer
 * of what probe__query() returns. Connecting and querying use libpq's non-blocking API polled
 * in PROBE_SLICE_MS slices, checking for a stop request between slices, so neither a hung
 * server nor a slow connect delays probe_stop by more than a slice.
 *
 * Errors: libpq's messages span lines; they are folded to one line (probe__one_line) and any
 * password from the conninfo (keyword=value or URI, quoted, escaped or percent-encoded) is
 * replaced by "***" (probe__redact) before they reach a caller's err.
 */
#include "probe_int.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROBE_SLICE_MS 100

/* All figures in one statement. pg_blocking_pids() takes the lock manager's partition locks,
 * so it runs only for backends already waiting on a heavyweight lock (CASE guards it). */
static const char PROBE_SQL[] =
    "WITH a AS (SELECT pid, state, wait_event_type, query_start, xact_start "
    "FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()), "
    "s AS (SELECT count(*), "
    "count(*) FILTER (WHERE state = 'active'), count(*) FILTER (WHERE state = 'idle'), "
    "count(*) FILTER (WHERE state = 'idle in transaction'), "
    "count(*) FILTER (WHERE state = 'idle in transaction (aborted)'), "
    "count(*) FILTER (WHERE wait_event_type = 'Lock'), "
    "count(*) FILTER (WHERE wait_event_type = 'LWLock'), "
    "count(*) FILTER (WHERE wait_event_type = 'IO'), "
    "count(*) FILTER (WHERE wait_event_type = 'Client'), "
    "count(*) FILTER (WHERE wait_event_type = 'IPC'), "
    "count(*) FILTER (WHERE wait_event_type = 'Timeout'), "
    "count(*) FILTER (WHERE wait_event_type = 'BufferPin'), "
    "count(*) FILTER (WHERE wait_event_type = 'Activity'), "
    "count(*) FILTER (WHERE wait_event_type = 'Extension'), "
    "coalesce(extract(epoch FROM max(now() - query_start) FILTER (WHERE state = 'active')), 0), "
    "coalesce(extract(epoch FROM max(now() - xact_start)), 0) FROM a), "
    "b AS (SELECT count(DISTINCT x) FROM a, unnest(CASE WHEN a.wait_event_type = 'Lock' "
    "THEN pg_blocking_pids(a.pid) END) AS x), "
    "d AS (SELECT coalesce(sum(xact_commit), 0), coalesce(sum(xact_rollback), 0), "
    "coalesce(sum(blks_read), 0), coalesce(sum(blks_hit), 0) FROM pg_stat_database) "
    "SELECT s.*, b.*, d.*, current_setting('max_connections')::int, "
    "current_setting('superuser_reserved_connections')::int FROM s, b, d";
#define PROBE_SQL_COLS 23

/* ---- errors: one line, password redacted ---- */

/* Appends the secret candidate [s, s+len) to the list if it is not empty. */
static void secret_add(char sec[][128], int *ns, const char *s, size_t len, int unescape)
{
    if (!len || *ns >= 6)
        return;
    char *d = sec[*ns];
    size_t k = 0;
    for (size_t i = 0; i < len && k + 1 < 128; i++) {
        if (unescape == 1 && s[i] == '\\' && i + 1 < len)
            i++;
        d[k++] = s[i];
    }
    d[k] = '\0';
    (*ns)++;
    if (unescape == 2 && *ns < 6) { /* also the percent-decoded form of a URI part */
        char *e = sec[*ns];
        size_t m = 0;
        for (size_t i = 0; i < k && m + 1 < 128; i++) {
            if (d[i] == '%' && i + 2 < k && isxdigit((unsigned char)d[i + 1]) &&
                isxdigit((unsigned char)d[i + 2])) {
                char hex[3] = {d[i + 1], d[i + 2], '\0'};
                e[m++] = (char)strtol(hex, NULL, 16);
                i += 2;
            } else {
                e[m++] = d[i];
            }
        }
        e[m] = '\0';
        if (m && strcmp(e, d) != 0)
            (*ns)++;
    }
}

void probe__redact(char *msg, size_t n, const char *ci)
{
    char sec[6][128];
    int ns = 0;
    if (!msg || !ci)
        return;
    const char *sch = strstr(ci, "://");
    if (sch && (!strncmp(ci, "postgresql://", 13) || !strncmp(ci, "postgres://", 11))) {
        const char *a = sch + 3, *end = a + strcspn(a, "/?");
        const char *at = NULL;
        for (const char *q = a; q < end; q++)
            if (*q == '@')
                at = q;
        const char *colon = at ? memchr(a, ':', (size_t)(at - a)) : NULL;
        if (colon)
            secret_add(sec, &ns, colon + 1, (size_t)(at - colon - 1), 2);
        for (const char *q = strstr(ci, "password="); q; q = strstr(q + 1, "password="))
            secret_add(sec, &ns, q + 9, strcspn(q + 9, "&"), 2);
    } else {
        for (const char *q = strstr(ci, "password"); q; q = strstr(q + 1, "password")) {
            const char *v = q + 8;
            while (*v == ' ' || *v == '\t')
                v++;
            if (*v != '=')
                continue;
            v++;
            while (*v == ' ' || *v == '\t')
                v++;
            if (*v == '\'') {
                const char *e = v + 1;
                while (*e && *e != '\'')
                    e += (*e == '\\' && e[1]) ? 2 : 1;
                secret_add(sec, &ns, v + 1, (size_t)(e - v - 1), 1);
            } else {
                secret_add(sec, &ns, v, strcspn(v, " \t\n"), 1);
            }
        }
    }
    for (int i = 0; i < ns; i++) {
        size_t sl = strlen(sec[i]);
        if (!sl)
            continue;
        char *hit;
        while ((hit = strstr(msg, sec[i])) != NULL) {
            size_t tail = strlen(hit + sl);
            if ((size_t)(hit - msg) + 3 + tail + 1 > n) { /* no room: cut the message there */
                *hit = '\0';
                break;
            }
            memmove(hit + 3, hit + sl, tail + 1);
            memcpy(hit, "***", 3);
        }
    }
}

/* Copies libpq's (multi-line) message into dst as one line. */
void probe__one_line(char *dst, size_t n, const char *src)
{
    size_t k = 0;
    for (const char *s = src ? src : ""; *s && k + 1 < n; s++) {
        int ws = *s == '\n' || *s == '\t' || *s == '\r' || *s == ' ';
        if (!ws || (k && dst[k - 1] != ' '))
            dst[k++] = ws ? ' ' : *s;
    }
    while (k && dst[k - 1] == ' ')
        k--;
    dst[k] = '\0';
}

/* ---- libpq, non-blocking, in slices ---- */

/* Waits until the socket is ready (events), the deadline passes (-1, "timed out") or stop is
 * requested (-1, "stopped"). */
static int wait_sock(probe *p, int sock, short events, double deadline, char *why, size_t n)
{
    for (;;) {
        if (stop_requested(p))
            return snprintf(why, n, "stopped"), -1;
        double left = deadline - mono_s();
        if (left <= 0)
            return snprintf(why, n, "timed out"), -1;
        int ms = left * 1000 < PROBE_SLICE_MS ? (int)(left * 1000) + 1 : PROBE_SLICE_MS;
        struct pollfd pfd = {.fd = sock, .events = events};
        int r = poll(&pfd, 1, ms);
        if (r > 0)
            return 0;
        if (r < 0 && errno != EINTR)
            return snprintf(why, n, "poll: %s", strerror(errno)), -1;
    }
}

/* Opens p->conn. Returns 0, or -1 with a one-line reason (password redacted). */
int probe__connect(probe *p, char *why, size_t n)
{
    const char *const kw[] = {"fallback_application_name", "dbname", NULL};
    const char *const val[] = {PROBE_APPNAME, p->conninfo, NULL};
    PGconn *c = PQconnectStartParams(kw, val, 1);
    if (!c)
        return snprintf(why, n, "out of memory"), -1;
    double deadline = mono_s() + PROBE_CONNECT_TIMEOUT_S;
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    char tmp[48] = "";
    while (PQstatus(c) != CONNECTION_BAD && st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
        int sock = PQsocket(c);
        if (sock < 0)
            break;
        if (wait_sock(p, sock, st == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline, tmp,
                      sizeof tmp))
            break;
        st = PQconnectPoll(c);
    }
    if (st == PGRES_POLLING_OK && PQstatus(c) == CONNECTION_OK) {
        p->conn = c;
        return 0;
    }
    char msg[ST_ERRLEN];
    probe__one_line(msg, sizeof msg, PQerrorMessage(c));
    if (tmp[0] && !msg[0])
        snprintf(msg, sizeof msg, "connect %s after %.0f s", tmp, PROBE_CONNECT_TIMEOUT_S);
    else if (tmp[0])
        snprintf(msg + strlen(msg), sizeof msg - strlen(msg), " (connect %s)", tmp);
    PQfinish(c);
    snprintf(why, n, "%s", msg[0] ? msg : "connection failed");
    probe__redact(why, n, p->conninfo);
    return -1;
}

static int col_i64(const PGresult *r, int i, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(PQgetvalue(r, 0, i), &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

/* Runs PROBE_SQL on p->conn and fills raw. Returns 0, or -1 with a reason. */
int probe__query(probe *p, probe__raw *raw, char *why, size_t n)
{
    PGconn *c = p->conn;
    double t0 = mono_s(), deadline = t0 + PROBE_QUERY_TIMEOUT_S;
    if (!PQsendQuery(c, PROBE_SQL)) {
        probe__one_line(why, n, PQerrorMessage(c));
        return -1;
    }
    while (PQisBusy(c)) {
        if (wait_sock(p, PQsocket(c), POLLIN, deadline, why, n))
            return -1;
        if (!PQconsumeInput(c)) {
            probe__one_line(why, n, PQerrorMessage(c));
            return -1;
        }
    }
    PGresult *r, *keep = NULL;
    while ((r = PQgetResult(c)) != NULL) {
        if (!keep && PQresultStatus(r) == PGRES_TUPLES_OK)
            keep = r;
        else {
            if (!keep && PQresultStatus(r) != PGRES_TUPLES_OK)
                probe__one_line(why, n, PQresultErrorMessage(r));
            PQclear(r);
        }
    }
    if (!keep) {
        if (!why[0])
            snprintf(why, n, "the probe statement returned no rows");
        return -1;
    }
    raw->s.rtt_ms = (float)((mono_s() - t0) * 1000.0);
    int64_t v[PROBE_SQL_COLS];
    int bad = PQntuples(keep) != 1 || PQnfields(keep) != PROBE_SQL_COLS;
    for (int i = 0; !bad && i < PROBE_SQL_COLS; i++) {
        if (i == 14 || i == 15) {
            char *end;
            double d = strtod(PQgetvalue(keep, 0, i), &end);
            bad = *end != '\0' || !isfinite(d);
            v[i] = 0;
            if (i == 14)
                raw->s.longest_query_s = d > 0 ? (float)d : 0;
            else
                raw->s.longest_xact_s = d > 0 ? (float)d : 0;
        } else {
            bad = col_i64(keep, i, &v[i]) != 0;
        }
    }
    PQclear(keep);
    if (bad)
        return snprintf(why, n, "unexpected result shape from the probe statement"), -1;
    raw->s.connections = (int32_t)v[0];
    for (int i = 0; i < PROBE_NSTATES - 1; i++)
        raw->s.state[i] = (int32_t)v[1 + i];
    int64_t known = v[1] + v[2] + v[3] + v[4];
    raw->s.state[PROBE_ST_OTHER] = (int32_t)(v[0] - known);
    for (int i = 0; i < PROBE_NWAITS; i++)
        raw->s.wait[i] = (int32_t)v[5 + i];
    raw->s.waiting = raw->s.wait[PROBE_W_LOCK];
    raw->s.blockers = (int32_t)v[16];
    raw->commit = v[17];
    raw->rollback = v[18];
    raw->blks_read = v[19];
    raw->blks_hit = v[20];
    raw->max_conn = v[21];
    raw->reserved = v[22];
    raw->connected = 1;
    return 0;
}
