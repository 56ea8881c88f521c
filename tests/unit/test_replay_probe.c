/*
 * test_replay_probe.c -- unit tests of replay/probe.c without a server: argument checks,
 * password redaction, the record path (deltas, rates, headroom, gaps, the sample cap's
 * aggregates) through probe__feed, the metric names, and the "db" JSON with its summary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "probe.h"

static void test_new_rejects(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    assert_null(probe_new("", 1, err));
    assert_non_null(strstr(err, "empty"));
    assert_null(probe_new("host=x", 0.5, err));
    assert_non_null(strstr(err, "interval"));
    assert_null(probe_new("host=x password=SECRET nosuchkey=1", 1, err));
    assert_non_null(strstr(err, "nosuchkey"));
    assert_null(strstr(err, "SECRET"));
    probe *p = probe_new("mydb", 1, err); /* a bare database name, as libpq accepts */
    assert_non_null(p);
    probe_free(p);
    probe_free(NULL);
}

static void test_redact(void **state)
{
    (void)state;
    char m[ST_ERRLEN];
    snprintf(m, sizeof m, "failed: SECRET and SECRET");
    probe__redact(m, sizeof m, "host=h password=SECRET user=u");
    assert_string_equal(m, "failed: *** and ***");
    snprintf(m, sizeof m, "bad token \"p@ss w\"");
    probe__redact(m, sizeof m, "host=h password = 'p@ss w'");
    assert_string_equal(m, "bad token \"***\"");
    snprintf(m, sizeof m, "x S3%%zz y S3/q");
    probe__redact(m, sizeof m, "postgresql://u:S3%zz@h:5/db?password=S3%2Fq");
    assert_null(strstr(m, "S3"));
    snprintf(m, sizeof m, "nothing to hide");
    probe__redact(m, sizeof m, "host=h");
    assert_string_equal(m, "nothing to hide");
}

static void test_metric_names(void **state)
{
    (void)state;
    for (int i = 0; i < PROBE_NMETRICS; i++) {
        const char *n = probe_metric_name(i);
        assert_non_null(n);
        assert_int_equal(strncmp(n, "db.", 3), 0);
        assert_int_equal(probe_metric_index(n), i);
    }
    assert_null(probe_metric_name(PROBE_NMETRICS));
    assert_int_equal(probe_metric_index("db.nope"), -1);
    assert_int_equal(probe_metric_index("db.waiting"), 5);
}

static probe__raw raw_at(int64_t t, int64_t commits, int waiting)
{
    probe__raw r;
    memset(&r, 0, sizeof r);
    r.t = t;
    r.mono_s = (double)t;
    r.connected = 1;
    r.s.connections = 10;
    r.s.state[PROBE_ST_ACTIVE] = 4;
    r.s.state[PROBE_ST_IDLE] = 6;
    r.s.waiting = waiting;
    r.s.wait[PROBE_W_LOCK] = waiting;
    r.commit = commits;
    r.rollback = 1;
    r.blks_read = 10 * t;
    r.blks_hit = 30 * t;
    r.max_conn = 100;
    r.reserved = 3;
    return r;
}

static void test_record_and_json(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    probe *p = probe_new("host=x", 1, err);
    assert_non_null(p);
    double v;
    assert_int_equal(probe_metric_max(p, "db.waiting", &v, err), 1); /* no data yet */
    assert_int_equal(probe_metric_max(p, "db.nope", &v, err), ST_EINPUT);

    probe__raw r = raw_at(1000, 500, 0);
    probe__feed(p, &r);
    r = raw_at(1001, 520, 2);
    probe__feed(p, &r);
    r = raw_at(1002, 0, 0);
    r.connected = 0;
    r.reason = "connection lost: server closed the connection unexpectedly";
    probe__feed(p, &r);
    r.t = 1003;
    probe__feed(p, &r); /* still down: the same gap */
    r = raw_at(1004, 560, 7);
    probe__feed(p, &r); /* first after the gap: no deltas */
    r = raw_at(1005, 565, 1);
    probe__feed(p, &r);

    const probe_sample *s;
    assert_int_equal(probe_samples(p, &s), 4);
    assert_int_equal(s[0].d_commit, -1);
    assert_int_equal(s[1].d_commit, 20);
    assert_int_equal(s[2].d_commit, -1);
    assert_int_equal(s[3].d_commit, 5);
    assert_int_equal(s[1].headroom, 100 - 3 - 10 - 1);
    assert_true(isnan(probe_sample_value(&s[0], probe_metric_index("db.commits_per_s"))));
    assert_float_equal(probe_sample_value(&s[1], probe_metric_index("db.blks_hit_ratio")), 0.75,
                       1e-9);

    const probe_gap *g;
    assert_int_equal(probe_gaps(p, &g), 1);
    assert_int_equal(g[0].from, 1002);
    assert_int_equal(g[0].to, 1004);
    assert_non_null(strstr(g[0].reason, "connection lost"));

    assert_int_equal(probe_metric_max(p, "db.waiting", &v, err), 0);
    assert_float_equal(v, 7, 0);
    assert_int_equal(probe_metric_stat(p, "db.commits_per_s", PROBE_MEAN, &v, err), 0);
    assert_float_equal(v, 12.5, 1e-9);
    assert_int_equal(probe_metric_stat(p, "db.waiting", PROBE_LAST, &v, err), 0);
    assert_float_equal(v, 1, 0);
    probe_counters k;
    probe_counters_get(p, &k);
    assert_int_equal(k.samples, 4);
    assert_int_equal(k.failed_samples, 2);

    json_t *j = probe_to_json(p);
    assert_non_null(j);
    json_t *smp = json_object_get(j, "samples");
    assert_int_equal(json_array_size(json_object_get(smp, "t")), 4);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(smp, "t"), 3)), 1005);
    assert_true(json_is_null(json_array_get(json_object_get(smp, "commits_per_s"), 0)));
    assert_int_equal(json_integer_value(json_array_get(json_object_get(smp, "commits"), 1)), 20);
    assert_int_equal(json_array_size(json_object_get(json_object_get(smp, "wait"), "Lock")), 4);
    json_t *gap = json_array_get(json_object_get(j, "gaps"), 0);
    assert_int_equal(json_integer_value(json_object_get(gap, "from")), 1002);
    assert_int_equal(probe_json_metric_stat(j, "db.waiting", PROBE_MAX, &v, err), 0);
    assert_float_equal(v, 7, 0);
    assert_int_equal(probe_json_metric_stat(j, "db.rollbacks_per_s", PROBE_MAX, &v, err), 0);
    assert_float_equal(v, 0, 0);
    assert_int_equal(probe_json_metric_stat(j, "db.longest_xact_s", PROBE_MAX, &v, err), 0);
    assert_int_equal(probe_json_metric_stat(j, "db.nope", PROBE_MAX, &v, err), ST_EINPUT);
    /* Round trip through text, as `replay merge` reads it. */
    char *txt = json_dumps(j, 0);
    json_t *back = json_loads(txt, 0, NULL);
    assert_int_equal(probe_json_metric_stat(back, "db.commits_per_s", PROBE_MEAN, &v, err), 0);
    assert_float_equal(v, 12.5, 1e-9);
    free(txt);
    json_decref(back);
    json_decref(j);
    probe_free(p);
}

/* Past PROBE_MAX_SAMPLES, samples are counted, not stored, and still count in aggregates. */
static void test_cap(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    probe *p = probe_new("host=x", 1, err);
    for (int64_t i = 0; i < (int64_t)PROBE_MAX_SAMPLES + 5; i++) {
        probe__raw r = raw_at(i, i, i == (int64_t)PROBE_MAX_SAMPLES + 3 ? 99 : 0);
        probe__feed(p, &r);
    }
    const probe_sample *s;
    assert_int_equal(probe_samples(p, &s), PROBE_MAX_SAMPLES);
    probe_counters k;
    probe_counters_get(p, &k);
    assert_int_equal(k.dropped_samples, 5);
    double v;
    assert_int_equal(probe_metric_max(p, "db.waiting", &v, err), 0);
    assert_float_equal(v, 99, 0);
    probe_free(p);
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_rejects),   cmocka_unit_test(test_redact),
        cmocka_unit_test(test_metric_names),  cmocka_unit_test(test_record_and_json),
        cmocka_unit_test(test_cap),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
