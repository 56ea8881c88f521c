/*
 * test_datagen_plannorm.c -- plan shapes from EXPLAIN JSON, diffs, flags (plannorm.c) and
 * the query-file syntax (qfile.c). The EXPLAIN documents are trimmed copies of what
 * PostgreSQL 15 printed for the shop listing query and a Chinook join.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plannorm.h"
#include "qfile.h"

static const char SEQ[] =
    "[{\"Plan\": {\"Node Type\": \"Limit\", \"Parallel Aware\": false, \"Total Cost\": 1304.79,"
    " \"Plan Rows\": 20, \"Plans\": [{\"Node Type\": \"Sort\", \"Parent Relationship\": \"Outer\","
    " \"Plan Rows\": 3955, \"Sort Key\": [\"featured DESC\"], \"Plans\": [{\"Node Type\": "
    "\"Seq Scan\", \"Parallel Aware\": false, \"Relation Name\": \"products\", \"Alias\": "
    "\"products\", \"Plan Rows\": 3955}]}]}}]";

static const char PAR[] =
    "[{\"Plan\": {\"Node Type\": \"Limit\", \"Plan Rows\": 20, \"Total Cost\": 29366.66, "
    "\"Plans\": [{\"Node Type\": \"Gather Merge\", \"Plan Rows\": 95452, \"Plans\": [{\"Node "
    "Type\":"
    " \"Sort\", \"Plan Rows\": 47726, \"Plans\": [{\"Node Type\": \"Seq Scan\", \"Parallel Aware\":"
    " true, \"Relation Name\": \"products\", \"Plan Rows\": 47726}]}]}]}}]";

static const char IDX[] =
    "[{\"Plan\": {\"Node Type\": \"Limit\", \"Plan Rows\": 20, \"Actual Rows\": 20, \"Actual "
    "Loops\": 1,"
    " \"Plans\": [{\"Node Type\": \"Index Scan\", \"Index Name\": \"products_listing_idx\", "
    "\"Relation Name\": \"products\", \"Plan Rows\": 114543, \"Actual Rows\": 20, "
    "\"Actual Loops\": 1}]}, \"Planning Time\": 0.2, \"Execution Time\": 0.9}]";

static const char JOIN[] =
    "[{\"Plan\": {\"Node Type\": \"Aggregate\", \"Strategy\": \"Hashed\", \"Partial Mode\": "
    "\"Simple\", \"Plan Rows\": 10, \"Actual Rows\": 9000, \"Actual Loops\": 1, \"Plans\": [{"
    "\"Node Type\": \"Hash Join\", \"Join Type\": \"Inner\", \"Plan Rows\": 50, \"Actual Rows\":"
    " 9000, \"Actual Loops\": 1, \"Plans\": [{\"Node Type\": \"Seq Scan\", \"Relation Name\": "
    "\"track\", \"Plan Rows\": 3503, \"Actual Rows\": 3000, \"Actual Loops\": 1, "
    "\"Rows Removed by Filter\": 503}, {\"Node Type\": \"Hash\", \"Plan Rows\": 347, \"Actual "
    "Rows\": 347, \"Actual Loops\": 1, \"Plans\": [{\"Node Type\": \"Seq Scan\", \"Relation Name\":"
    " \"album\", \"Plan Rows\": 347, \"Actual Rows\": 347, \"Actual Loops\": 1}]}]}]}, "
    "\"Execution Time\": 250.0}]";

static char *shape_of(const char *json)
{
    char err[ST_ERRLEN];
    pn_plan *p = pn_parse(json, NULL, NULL, err);
    assert_non_null(p);
    char *s = pn_shape(p);
    pn_plan_free(p);
    return s;
}

static void test_shapes(void **state)
{
    (void)state;
    char *s = shape_of(SEQ);
    assert_string_equal(s, "Limit(Sort(Seq Scan on products))");
    free(s);
    s = shape_of(PAR);
    assert_string_equal(s, "Limit(Gather Merge(Sort(Parallel Seq Scan on products)))");
    free(s);
    s = shape_of(IDX);
    assert_string_equal(s, "Limit(Index Scan using products_listing_idx on products)");
    free(s);
    s = shape_of(JOIN);
    assert_string_equal(s, "HashAggregate(Hash Join inner(Seq Scan on track, "
                           "Hash(Seq Scan on album)))");
    free(s);
}

static int label_cb(void *ctx, const char *name, char *buf, size_t n)
{
    (void)ctx;
    if (strcmp(name, "products_listing_idx"))
        return -1;
    snprintf(buf, n, "(category_id, active)");
    return 0;
}

static void test_index_label(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    pn_plan *p = pn_parse(IDX, label_cb, NULL, err);
    assert_non_null(p);
    char *s = pn_shape(p);
    assert_string_equal(s, "Limit(Index Scan using (category_id, active) on products)");
    free(s);
    pn_plan_free(p);
}

static void test_diff(void **state)
{
    (void)state;
    char err[ST_ERRLEN], why[300];
    pn_plan *a = pn_parse(SEQ, NULL, NULL, err), *b = pn_parse(PAR, NULL, NULL, err),
            *c = pn_parse(SEQ, NULL, NULL, err);
    assert_int_equal(pn_diff(a, c, why, sizeof why), 0);
    assert_int_equal(pn_diff(a, b, why, sizeof why), 1);
    assert_string_equal(why, "node 2: Sort -> Gather Merge");
    pn_plan_free(a);
    pn_plan_free(b);
    pn_plan_free(c);
}

static double reltuples(void *ctx, const char *rel)
{
    (void)ctx;
    return strcmp(rel, "products") ? -1 : 340000;
}

static void test_flags(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    pn_flag f[8];
    pn_limits lim = {.max_rows = 100000, .est_factor = 10, .max_ms = 100, .reltuples = reltuples};
    pn_plan *p = pn_parse(PAR, NULL, NULL, err);
    size_t n = pn_check(p, &lim, f, 8);
    assert_int_equal(n, 1); /* the seq scan reads the whole table, the sort only 47726 */
    assert_int_equal(f[0].kind, PF_SEQSCAN);
    assert_non_null(strstr(f[0].msg, "340000"));
    pn_plan_free(p);
    /* Under a Limit, a full-size estimate against 20 actual rows is not an error. */
    p = pn_parse(IDX, NULL, NULL, err);
    assert_int_equal(pn_check(p, &lim, f, 8), 0);
    pn_plan_free(p);
    /* Estimates 10 vs 9000 and 50 vs 9000 are flagged; runtime 250 ms > 100 ms. */
    p = pn_parse(JOIN, NULL, NULL, err);
    n = pn_check(p, &lim, f, 8);
    assert_int_equal(n, 3);
    assert_int_equal(f[0].kind, PF_ESTIMATE);
    assert_int_equal(f[1].kind, PF_ESTIMATE);
    assert_int_equal(f[2].kind, PF_RUNTIME);
    pn_plan_free(p);
}

static void test_parse_errors(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    assert_null(pn_parse("not json", NULL, NULL, err));
    assert_non_null(strstr(err, "not EXPLAIN"));
    assert_null(pn_parse("[{\"Query\": 1}]", NULL, NULL, err));
    assert_null(
        pn_parse("[{\"Plan\": {\"Node Type\": \"Limit\", \"Plans\": [3]}}]", NULL, NULL, err));
}

static void test_qfile(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    qf_file *f = qf_parse("-- query: listing\n-- $1: products.category_id\n-- $2 = 20\n"
                          "-- samples: hot, cold\n"
                          "SELECT id FROM products WHERE category_id = $1\nLIMIT $2;\n\n"
                          "SELECT 1;\n",
                          "t.sql", err);
    assert_non_null(f);
    assert_int_equal(f->nq, 2);
    assert_string_equal(f->q[0].name, "listing");
    assert_int_equal(f->q[0].nparams, 2);
    assert_string_equal(f->q[0].params[0].table, "products");
    assert_string_equal(f->q[0].params[0].column, "category_id");
    assert_string_equal(f->q[0].params[1].fixed, "20");
    assert_int_equal(f->q[0].samples, QS_HOT | QS_COLD);
    assert_string_equal(f->q[0].sql, "SELECT id FROM products WHERE category_id = $1\nLIMIT $2");
    assert_int_equal(f->q[0].line, 5);
    assert_string_equal(f->q[1].name, "q2");
    assert_int_equal(f->q[1].samples, QS_HOT | QS_MEDIAN | QS_COLD);
    qf_free(f);
}

static void test_qfile_errors(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    assert_null(qf_parse("SELECT $1;\n", "t.sql", err));
    assert_non_null(strstr(err, "t.sql:1: query 'q1' uses $1 but does not declare it"));
    assert_null(qf_parse("-- $1: nodot\nSELECT $1;\n", "t.sql", err));
    assert_non_null(strstr(err, "t.sql:1: $1: expected table.column"));
    assert_null(qf_parse("SELECT 1\n", "t.sql", err));
    assert_non_null(strstr(err, "does not end with ';'"));
    assert_null(qf_parse("-- samples: warm\nSELECT 1;\n", "t.sql", err));
    assert_null(qf_parse("-- query: a\nSELECT 1;\n-- query: a\nSELECT 2;\n", "t.sql", err));
    assert_non_null(strstr(err, "used twice"));
    assert_null(qf_parse("-- nothing\n", "t.sql", err));
    /* '$1' inside a string literal is not a parameter. */
    qf_file *f = qf_parse("SELECT '$1';\n", "t.sql", err);
    assert_non_null(f);
    assert_int_equal(f->q[0].nparams, 0);
    qf_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shapes),       cmocka_unit_test(test_index_label),
        cmocka_unit_test(test_diff),         cmocka_unit_test(test_flags),
        cmocka_unit_test(test_parse_errors), cmocka_unit_test(test_qfile),
        cmocka_unit_test(test_qfile_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
