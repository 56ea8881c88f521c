/*
 * test_replay_merge.c -- unit tests of replay/results_read.c and replay/merge.c on metrics
 * built by hand: the same 600 requests recorded once ("whole") and split over 3 segments
 * whose series start at different seconds; merging the segments' results must give the
 * whole run's routes, histograms, series, counts, summary and threshold verdicts exactly.
 * Also: results_read round trip, refusals with their messages, missing segments, db section.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "merge.h"

#define T0 1795000000
#define NREQ 600

static const char *const exprs[] = {"p95(latency) < 30ms", "rate(errors) < 1%",
                                    "count(requests) < 300", NULL};

typedef struct fixture {
    scenario *sc;
    plan p;
} fixture;

static void fx_init(fixture *f, uint64_t seed, uint64_t hash)
{
    char err[ST_ERRLEN];
    memset(f, 0, sizeof *f);
    f->sc = calloc(1, sizeof *f->sc);
    assert_non_null(f->sc);
    snprintf(f->sc->name, sizeof f->sc->name, "unit");
    snprintf(f->sc->path, sizeof f->sc->path, "/nonexistent/unit.json");
    snprintf(f->sc->target, sizeof f->sc->target, "http://127.0.0.1:1");
    f->sc->seed = seed;
    f->sc->hash = hash;
    f->sc->duration = 6;
    f->sc->scale = 1;
    f->sc->http_version = SCHV_2;
    f->sc->require_version = 1;
    f->sc->n_routes = 2;
    f->sc->routes = calloc(2, sizeof *f->sc->routes);
    assert_non_null(f->sc->routes);
    snprintf(f->sc->routes[0].template_, sizeof f->sc->routes[0].template_, "/products/{id}");
    snprintf(f->sc->routes[0].method, sizeof f->sc->routes[0].method, "GET");
    snprintf(f->sc->routes[1].template_, sizeof f->sc->routes[1].template_, "/checkout");
    snprintf(f->sc->routes[1].method, sizeof f->sc->routes[1].method, "POST");
    for (size_t i = 0; exprs[i]; i++) {
        assert_int_equal(thr_parse(&f->sc->thresholds[i], exprs[i], "t", err), 0);
        f->sc->n_thresholds++;
    }
    f->p.all_sessions = NREQ;
}

static void fx_term(fixture *f)
{
    free(f->sc->routes);
    free(f->sc);
}

/* Records the requests of segment seg (0 = all) into metrics whose series starts at t0. */
static metrics *record(unsigned seg, unsigned nseg, int64_t t0, size_t n_secs)
{
    metrics *m = metrics_new(2, t0, n_secs);
    assert_non_null(m);
    for (unsigned k = 0; k < NREQ; k++) {
        size_t route = k % 2;
        int fail = k % 50 == 7;
        long sec = (long)(T0 + k / 100 - t0);
        if (seg && k % nseg != seg - 1)
            continue;
        m->routes[route].planned++;
        m->routes[route].sent++;
        m->secs[sec].planned++;
        m->secs[sec].sent++;
        if (k % 3 == 0)
            m->secs[sec].sessions++;
        m->sessions_planned += k % 3 == 0;
        m->sessions_started += k % 3 == 0;
        m->requests_planned++;
        hist_record(m->lateness, k % 7);
        /* Every response has a negotiated version; one in 9 of the checkout's fell back to
         * HTTP/1.1 and was refused (http.require_version). */
        m->routes[route].version[route && k % 9 == 1 ? 1 : 2]++;
        m->routes[route].version_refused += route && k % 9 == 1;
        assert_int_equal(metrics_record(m, route, fail ? 5 : 2, fail ? ERR_5XX : -1,
                                        100 + 37 * (uint64_t)k, 50 + 11 * (uint64_t)k, sec, 200),
                         0);
    }
    return m;
}

static json_t *doc_of(fixture *f, const metrics *m, unsigned seg_i, unsigned seg_n, json_t *db)
{
    double vals[8];
    int oks[8];
    const char *names[2] = {f->sc->routes[0].template_, f->sc->routes[1].template_};
    json_t *w = json_array(), *doc;
    for (size_t i = 0; i < f->sc->n_thresholds; i++) {
        vals[i] = metrics_measure(m, &f->sc->thresholds[i], names);
        oks[i] = thr_compare(&f->sc->thresholds[i], vals[i]);
    }
    f->p.seg_i = seg_i;
    f->p.seg_n = seg_n;
    run_info ri = {f->sc, &f->p, 1, T0, 6.5, "completed", vals, oks, w, NULL};
    doc = results_build(m, &ri);
    assert_non_null(doc);
    if (db)
        json_object_set(doc, "db", db);
    json_decref(w);
    return doc;
}

static void read_doc(rr_result *r, const json_t *doc, const char *name)
{
    char err[ST_ERRLEN] = "";
    int rc = results_read(r, doc, name, err);
    if (rc)
        fail_msg("%s", err);
}

static void test_round_trip(void **state)
{
    (void)state;
    fixture f;
    rr_result r;
    fx_init(&f, 11, 0x1234abcd5678ef90u);
    metrics *m = record(0, 1, T0, 6);
    json_t *doc = doc_of(&f, m, 1, 1, NULL), *again;
    read_doc(&r, doc, "one.json");
    again = merge_build_doc(&r);
    char *a = json_dumps(doc, JSON_INDENT(2)), *b = json_dumps(again, JSON_INDENT(2));
    assert_string_equal(a, b);
    free(a);
    free(b);
    json_decref(again);
    results_read_term(&r);
    json_decref(doc);
    metrics_free(m);
    fx_term(&f);
}

static void test_merge_equals_whole(void **state)
{
    (void)state;
    fixture f;
    rr_result in[3], out;
    char err[ST_ERRLEN] = "";
    /* Each segment's series starts elsewhere: alignment is on wall-clock seconds. */
    const int64_t t0s[3] = {T0 - 3, T0, T0 - 1};
    fx_init(&f, 11, 42);
    metrics *whole = record(0, 1, T0, 6);
    json_t *want = doc_of(&f, whole, 1, 1, NULL), *got;
    for (unsigned s = 0; s < 3; s++) {
        metrics *m = record(s + 1, 3, t0s[s], 12);
        json_t *d = doc_of(&f, m, s + 1, 3, NULL);
        char name[16];
        snprintf(name, sizeof name, "seg%u.json", s + 1);
        read_doc(&in[s], d, name);
        json_decref(d);
        metrics_free(m);
    }
    assert_int_equal(merge_results(&out, in, 3, err), 0);
    assert_int_equal(out.n_segs, 3);
    assert_int_equal(out.n_missing, 0);
    got = merge_build_doc(&out);
    assert_non_null(got);
    const char *keys[] = {"routes", "series", "summary", "lateness", "thresholds", NULL};
    for (size_t k = 0; keys[k]; k++)
        if (!json_equal(json_object_get(want, keys[k]), json_object_get(got, keys[k]))) {
            char *a = json_dumps(json_object_get(want, keys[k]), JSON_COMPACT);
            char *b = json_dumps(json_object_get(got, keys[k]), JSON_COMPACT);
            print_error("%s differs:\nwhole  %.400s\nmerged %.400s\n", keys[k], a, b);
            free(a);
            free(b);
            fail();
        }
    assert_true(json_equal(json_object_get(want, "counts"), json_object_get(got, "counts")));
    /* The versions add exactly (k = 1, 19, ..., 595 fell back), and the asked one survives. */
    json_t *ck = json_array_get(json_object_get(got, "routes"), 1);
    assert_int_equal(json_integer_value(json_object_get(ck, "version_refused")), 34);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(ck, "http_versions"), "1.1")), 34);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(ck, "http_versions"), "2")),
                     300 - 34);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(got, "scenario"), "http_version")), "2");
    /* count(requests) < 300 passes in every segment (200 each) and fails merged (600). */
    assert_true(in[0].thr_ok[2] && in[1].thr_ok[2] && in[2].thr_ok[2]);
    assert_false(out.thr_ok[2]);
    assert_true(out.thr_values[2] == NREQ);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(got, "segment"), "i")), 0);
    json_decref(got);
    json_decref(want);
    results_read_term(&out);
    for (int s = 0; s < 3; s++)
        results_read_term(&in[s]);
    metrics_free(whole);
    fx_term(&f);
}

/* Reads seg i of n with the given seed and hash into r. */
static void seg_of(rr_result *r, unsigned i, unsigned n, uint64_t seed, uint64_t hash, json_t *db,
                   const char *name)
{
    fixture f;
    fx_init(&f, seed, hash);
    metrics *m = record(i, n, T0, 6);
    json_t *d = doc_of(&f, m, i, n, db);
    read_doc(r, d, name);
    json_decref(d);
    metrics_free(m);
    fx_term(&f);
}

static void expect_refused(rr_result *a, rr_result *b, const char *msg)
{
    rr_result in[2] = {*a, *b}, out;
    char err[ST_ERRLEN] = "";
    assert_int_equal(merge_results(&out, in, 2, err), ST_EINPUT);
    if (!strstr(err, msg))
        fail_msg("message \"%s\" lacks \"%s\"", err, msg);
}

static void test_refusals(void **state)
{
    (void)state;
    rr_result a, b, seed, other, quarter, dba, dbb;
    json_t *db = json_pack("{s:s}", "format", "stampede-db-probe");
    seg_of(&a, 1, 2, 11, 42, NULL, "a.json");
    seg_of(&b, 2, 2, 11, 42, NULL, "b.json");
    seg_of(&seed, 2, 2, 12, 42, NULL, "s.json");
    seg_of(&other, 2, 2, 11, 43, NULL, "o.json");
    seg_of(&quarter, 2, 4, 11, 42, NULL, "q.json");
    seg_of(&dba, 1, 2, 11, 42, db, "da.json");
    seg_of(&dbb, 2, 2, 11, 42, db, "db.json");
    expect_refused(&a, &seed, "different seeds: 11 in a.json, 12 in s.json");
    expect_refused(&a, &other, "different scenarios: a.json ran \"unit\" (hash 000000000000002a)");
    expect_refused(&a, &a, "segment 1/2 is in both a.json and a.json");
    expect_refused(&a, &quarter, "different splits: a.json is of 2 segments, q.json of 4");
    expect_refused(&dba, &dbb, "both da.json and db.json have a \"db\" section");
    {
        /* One db section: copied as it is. */
        rr_result in[2] = {dba, b}, out;
        char err[ST_ERRLEN];
        assert_int_equal(merge_results(&out, in, 2, err), 0);
        assert_true(json_equal(out.db, db));
        results_read_term(&out);
    }
    rr_result *all[] = {&a, &b, &seed, &other, &quarter, &dba, &dbb};
    for (size_t i = 0; i < 7; i++)
        results_read_term(all[i]);
    json_decref(db);
}

static void test_missing_and_remerge(void **state)
{
    (void)state;
    rr_result s[3], part, full, in2[2];
    char err[ST_ERRLEN];
    seg_of(&s[0], 1, 3, 11, 42, NULL, "s1.json");
    seg_of(&s[1], 2, 3, 11, 42, NULL, "s2.json");
    seg_of(&s[2], 3, 3, 11, 42, NULL, "s3.json");
    rr_result two[2] = {s[0], s[2]};
    assert_int_equal(merge_results(&part, two, 2, err), 0);
    assert_int_equal(part.n_missing, 1);
    assert_int_equal(part.missing[0], 2);
    assert_non_null(strstr(json_string_value(json_array_get(part.warnings, 0)),
                           "merged 2 of 3 segments; missing: 2/3"));
    /* The merge of 1+3, read back, merges with 2; and refuses 1 again. */
    json_t *d = merge_build_doc(&part);
    rr_result back;
    read_doc(&back, d, "m13.json");
    assert_int_equal(back.n_segs, 2);
    in2[0] = back;
    in2[1] = s[1];
    assert_int_equal(merge_results(&full, in2, 2, err), 0);
    assert_int_equal(full.n_missing, 0);
    assert_int_equal(metrics_total_sent(full.m), NREQ);
    results_read_term(&part);
    in2[1] = s[0];
    assert_int_equal(merge_results(&part, in2, 2, err), ST_EINPUT);
    assert_non_null(strstr(err, "segment 1/3 is in both m13.json and s1.json"));
    results_read_term(&full);
    results_read_term(&back);
    json_decref(d);
    for (int i = 0; i < 3; i++)
        results_read_term(&s[i]);
}

static void test_read_errors(void **state)
{
    (void)state;
    fixture f;
    rr_result r;
    char err[ST_ERRLEN];
    fx_init(&f, 11, 42);
    metrics *m = record(0, 1, T0, 6);
    json_t *doc = doc_of(&f, m, 1, 1, NULL), *bad = json_deep_copy(doc);
    json_t *c = json_object_get(bad, "counts");
    json_object_set_new(c, "requests_sent", json_integer(NREQ + 1));
    assert_int_equal(results_read(&r, bad, "x.json", err), ST_EINPUT);
    assert_string_equal(err,
                        "x.json: results.counts.requests_sent: 601, but the routes add up to 600");
    json_decref(bad);
    bad = json_deep_copy(doc);
    json_object_set_new(json_array_get(json_object_get(bad, "routes"), 1), "sennt",
                        json_integer(1));
    assert_int_equal(results_read(&r, bad, "y.json", err), ST_EINPUT);
    assert_non_null(strstr(err, "y.json: results.routes[1].sennt: unknown key"));
    json_decref(bad);
    bad = json_deep_copy(doc);
    json_object_set_new(json_object_get(bad, "segment"), "i", json_integer(0));
    assert_int_equal(results_read(&r, bad, "z.json", err), ST_EINPUT);
    assert_non_null(strstr(err, "z.json: results.segment.i: 0 marks merged results"));
    json_decref(bad);
    bad = json_deep_copy(doc);
    json_object_set_new(json_array_get(json_object_get(bad, "routes"), 1), "version_refused",
                        json_integer(NREQ));
    assert_int_equal(results_read(&r, bad, "v.json", err), ST_EINPUT);
    assert_non_null(
        strstr(err, "v.json: results.routes[1].version_refused: more than the responses"));
    json_decref(bad);
    bad = json_deep_copy(doc);
    json_object_set_new(
        json_object_get(json_array_get(json_object_get(bad, "routes"), 0), "http_versions"), "2.5",
        json_integer(1));
    assert_int_equal(results_read(&r, bad, "w.json", err), ST_EINPUT);
    assert_non_null(strstr(err, "w.json: results.routes[0].http_versions.2.5: unknown key"));
    json_decref(bad);
    json_decref(doc);
    metrics_free(m);
    fx_term(&f);
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_merge_equals_whole),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_missing_and_remerge),
        cmocka_unit_test(test_read_errors),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
