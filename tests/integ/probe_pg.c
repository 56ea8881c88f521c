/*
 * probe_pg.c -- the PostgreSQL probe (replay/probe.h) against the real server of ./check
 * (scripts/with-pg, PG* in the environment). Fails, never skips, without a server.
 *
 * 1. A bad conninfo (unreachable port, password=SECRET; a malformed URI with a password)
 *    gives a clear one-line error that never contains the password.
 * 2. Counts: opens extra connections (2 idle in transaction, 1 idle in an aborted transaction,
 *    1 holding an ACCESS EXCLUSIVE lock, 1 blocked on that lock, 1 running pg_sleep, 2 idle)
 *    and checks the maxima the probe saw. Other tests may share the server (ctest -j), so
 *    counts are lower bounds.
 * 3. Gap: terminates the probe's backend (pg_terminate_backend) and checks that a gap is
 *    recorded with a reason and that sampling resumes after it.
 * About 10 s in total.
 */
#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

static int failures;

#define CHECK(cond, ...) \
    do { \
        if (!(cond)) { \
            fprintf(stderr, "probe_pg: FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__); \
            fputc('\n', stderr); \
            failures++; \
        } \
    } while (0)

static PGconn *conn(void)
{
    PGconn *c = PQconnectdb("connect_timeout=5 application_name=probe_pg_test");
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "probe_pg: cannot connect (PG* from scripts/with-pg?): %s",
                PQerrorMessage(c));
        exit(1);
    }
    return c;
}

static void exec_ok(PGconn *c, const char *sql, ExecStatusType want)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != want) {
        fprintf(stderr, "probe_pg: \"%s\" failed: %s", sql, PQerrorMessage(c));
        exit(1);
    }
    PQclear(r);
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
    nanosleep(&ts, NULL);
}

static double max_of(const probe *p, const char *name)
{
    double v = -1;
    char err[ST_ERRLEN];
    int rc = probe_metric_max(p, name, &v, err);
    CHECK(rc == 0, "probe_metric_max(%s) = %d", name, rc);
    return v;
}

static void test_bad_conninfo(void)
{
    static const char *const bad[] = {
        "host=127.0.0.1 port=1 user=nobody password=SECRET dbname=x",
        "host=127.0.0.1 port=1 password='SECRET' bogus_option=1",
        "postgresql://nobody:SECRET@127.0.0.1:1/x",
        "postgresql://nobody:SE%zzCRET@127.0.0.1:1/x?password=SECRET",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[ST_ERRLEN] = "";
        probe *p = probe_new(bad[i], 1, err);
        int rc = p ? probe_start(p, err) : ST_EINPUT;
        CHECK(rc < 0, "conninfo %zu: expected a failure", i);
        CHECK(err[0] != '\0', "conninfo %zu: empty error", i);
        CHECK(!strstr(err, "SECRET") && !strstr(err, "SE%zzCRET"),
              "conninfo %zu: password in error: %s", i, err);
        CHECK(!strchr(err, '\n'), "conninfo %zu: error is not one line: %s", i, err);
        if (i == 0)
            CHECK(rc == ST_EENV && strstr(err, "cannot connect") && strstr(err, "127.0.0.1"),
                  "unreachable server: unclear error: %s", err);
        printf("probe_pg: conninfo %zu -> %s\n", i, err);
        probe_free(p);
    }
}

static void test_counts_and_gap(void)
{
    char err[ST_ERRLEN] = "";
    PGconn *ctl = conn();
    exec_ok(ctl, "DROP TABLE IF EXISTS probe_pg_lock", PGRES_COMMAND_OK);
    exec_ok(ctl, "CREATE TABLE probe_pg_lock (id int)", PGRES_COMMAND_OK);

    /* An empty conninfo key set: the PG* environment decides, as libpq does. */
    /* A private application_name marks this test's probe, so that killing its backend below
     * never hits the probes of other tests running on the same server (ctest -j). */
    char ci[128];
    snprintf(ci, sizeof ci, "connect_timeout=5 application_name=probe_pg_%ld", (long)getpid());
    probe *p = probe_new(ci, 1, err);
    CHECK(p != NULL, "probe_new: %s", err);
    if (!p)
        return;
    int rc = probe_start(p, err);
    CHECK(rc == 0, "probe_start: %s", err);
    if (rc) {
        probe_free(p);
        return;
    }

    PGconn *c[8];
    for (int i = 0; i < 8; i++)
        c[i] = conn();
    exec_ok(c[0], "BEGIN", PGRES_COMMAND_OK); /* idle in transaction */
    exec_ok(c[0], "SELECT 1", PGRES_TUPLES_OK);
    exec_ok(c[1], "BEGIN", PGRES_COMMAND_OK);
    exec_ok(c[1], "SELECT 1", PGRES_TUPLES_OK);
    exec_ok(c[2], "BEGIN", PGRES_COMMAND_OK); /* idle in transaction (aborted) */
    PQclear(PQexec(c[2], "SELECT 1/0"));
    exec_ok(c[3], "BEGIN", PGRES_COMMAND_OK); /* the lock holder, idle in transaction */
    exec_ok(c[3], "LOCK TABLE probe_pg_lock IN ACCESS EXCLUSIVE MODE", PGRES_COMMAND_OK);
    CHECK(PQsendQuery(c[4], "SELECT count(*) FROM probe_pg_lock"), "send"); /* blocked */
    CHECK(PQsendQuery(c[5], "SELECT pg_sleep(30)"), "send");                /* active */
    /* c[6], c[7]: idle. Some commits for the rate: 40 one-statement transactions, then close
     * the connection so the backend flushes its statistics at exit. */
    PGconn *w = conn();
    for (int i = 0; i < 40; i++)
        exec_ok(w, "SELECT 1", PGRES_TUPLES_OK);
    PQfinish(w);
    sleep_s(3.5);

    printf("probe_pg: saw active %.0f idle %.0f idle_in_tx %.0f aborted %.0f waiting %.0f "
           "blockers %.0f wait_timeout %.0f longest %.2fs connections %.0f headroom %.0f "
           "commits/s %.1f hit ratio %.3f rtt %.2fms\n",
           max_of(p, "db.active"), max_of(p, "db.idle"), max_of(p, "db.idle_in_tx"),
           max_of(p, "db.idle_in_tx_aborted"), max_of(p, "db.waiting"), max_of(p, "db.blockers"),
           max_of(p, "db.wait_timeout"), max_of(p, "db.longest_query_s"),
           max_of(p, "db.connections"), max_of(p, "db.headroom"), max_of(p, "db.commits_per_s"),
           max_of(p, "db.blks_hit_ratio"), max_of(p, "db.rtt_ms"));
    CHECK(max_of(p, "db.idle_in_tx") >= 3, "idle in transaction: want >= 3 (2 + lock holder)");
    CHECK(max_of(p, "db.idle_in_tx_aborted") >= 1, "idle in aborted transaction: want >= 1");
    CHECK(max_of(p, "db.active") >= 2, "active: want >= 2 (blocked + pg_sleep)");
    CHECK(max_of(p, "db.idle") >= 2, "idle: want >= 2");
    CHECK(max_of(p, "db.waiting") >= 1, "waiting on a lock: want >= 1");
    CHECK(max_of(p, "db.wait_lock") >= 1, "wait_event_type Lock: want >= 1");
    CHECK(max_of(p, "db.blockers") >= 1, "blockers: want >= 1");
    CHECK(max_of(p, "db.wait_timeout") >= 1, "wait_event_type Timeout (pg_sleep): want >= 1");
    CHECK(max_of(p, "db.longest_query_s") >= 2, "longest query: want >= 2 s");
    CHECK(max_of(p, "db.connections") >= 9, "connections: want >= 9");
    double hr = max_of(p, "db.headroom"), mx;
    CHECK(hr > 0 && hr < 400, "headroom %g out of range", hr);
    CHECK(probe_metric_stat(p, "db.headroom", PROBE_MIN, &mx, err) == 0 && mx <= 400 - 3 - 10,
          "min headroom %g: want <= max_connections - reserved - 10", mx);
    CHECK(probe_metric_max(p, "db.bogus", &mx, err) == ST_EINPUT && strstr(err, "db.bogus"),
          "unknown metric: %s", err);

    /* Unblock, then kill the probe's backend: a gap, then samples again. */
    for (int i = 0; i < 8; i++)
        PQfinish(c[i]);
    char kill_sql[192];
    snprintf(kill_sql, sizeof kill_sql,
             "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
             "WHERE application_name = 'probe_pg_%ld'",
             (long)getpid());
    exec_ok(ctl, kill_sql, PGRES_TUPLES_OK);
    sleep_s(3.5);
    probe_counters k;
    probe_counters_get(p, &k);
    CHECK(k.connected == 1, "probe not connected again after the kill");
    probe_stop(p);
    probe_counters_get(p, &k);
    const probe_gap *g;
    const probe_sample *s;
    size_t ng = probe_gaps(p, &g), ns = probe_samples(p, &s);
    printf("probe_pg: %zu samples, %zu gaps, reconnects %llu, failed %llu\n", ns, ng,
           (unsigned long long)k.reconnects, (unsigned long long)k.failed_samples);
    CHECK(ng == 1, "gaps: want 1, got %zu", ng);
    CHECK(k.reconnects >= 1 && k.failed_samples >= 1, "no reconnect recorded");
    if (ng == 1) {
        printf("probe_pg: gap from %lld to %lld: %s\n", (long long)g[0].from, (long long)g[0].to,
               g[0].reason);
        CHECK(g[0].to > g[0].from, "gap not closed");
        CHECK(strstr(g[0].reason, "connection lost") != NULL, "gap reason: %s", g[0].reason);
        size_t after = 0;
        for (size_t i = 0; i < ns; i++) {
            CHECK(s[i].t < g[0].from || s[i].t >= g[0].to, "sample inside the gap");
            after += s[i].t >= g[0].to;
        }
        CHECK(after >= 1, "no sample after the gap");
    }
    for (size_t i = 1; i < ns; i++)
        CHECK(s[i].t > s[i - 1].t, "sample seconds not increasing");
    CHECK(ns >= 6, "samples: want >= 6 in ~7 s, got %zu", ns);
    /* Commits: the 40 transactions (and the probe's own) are in the deltas. */
    int64_t commits = 0;
    for (size_t i = 0; i < ns; i++)
        commits += s[i].d_commit > 0 ? s[i].d_commit : 0;
    CHECK(commits >= 40, "commit deltas: want >= 40, got %lld", (long long)commits);

    json_t *j = probe_to_json(p);
    CHECK(j != NULL, "probe_to_json");
    double v;
    CHECK(probe_json_metric_stat(j, "db.waiting", PROBE_MAX, &v, err) == 0 && v >= 1,
          "JSON summary of db.waiting");
    CHECK(json_array_size(json_object_get(json_object_get(j, "samples"), "t")) == ns,
          "JSON t column");
    CHECK(json_array_size(json_object_get(j, "gaps")) == 1, "JSON gaps");
    json_decref(j);
    probe_free(p);
    exec_ok(ctl, "DROP TABLE probe_pg_lock", PGRES_COMMAND_OK);
    PQfinish(ctl);
}

int main(void)
{
    if (!getenv("PGHOST") || !getenv("PGPORT")) {
        fprintf(stderr, "probe_pg: PGHOST/PGPORT are not set: run through ./check or "
                        "scripts/with-pg\n");
        return 1;
    }
    test_bad_conninfo();
    test_counts_and_gap();
    if (failures) {
        fprintf(stderr, "probe_pg: %d check(s) failed\n", failures);
        return 1;
    }
    printf("probe_pg: all checks passed\n");
    return 0;
}
