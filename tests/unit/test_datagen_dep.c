/*
 * test_datagen_dep.c -- unit tests of the `dep` generator kind (datagen/gk_dep.c), the
 * reproduction of functional dependencies and ndistinct of extended statistics.
 *
 * What is checked: the functional-dependency degree PostgreSQL would compute over the whole
 * table (the share of rows in groups of `on` whose column has a single value) comes out at
 * the asked degree within sampling error (3 standard errors over the groups); degree 1 is
 * an exact function; `per` m bounds the values per determinant value by m, `values` N the
 * column's value set by N; a row's value does not depend on which rows were generated
 * before, nor on the context (the --jobs/--part property); a different seed changes the
 * mapping; bad parameters fail naming the field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "jsonio.h"
#include "shape.h"

#define ROWS 200000
#define NA 2000 /* values of the determinant */
#define NB 50   /* values of the dependent column */

static shape *load_text(const char *text, char *err)
{
    json_t *root = jsonio_loads(text, strlen(text), "inline", err);
    assert_non_null(root);
    shape *sh = shape_from_json(root, "inline", err);
    json_decref(root);
    if (sh && shape_resolve(sh, 1, NULL, 0, 42, err)) {
        shape_free(sh);
        return NULL;
    }
    return sh;
}

/* A table t(a integer uniform 1..NA, b integer = dep on a with the given parameters). */
static shape *dep_shape(const char *dep_params)
{
    char text[2048], err[ST_ERRLEN];
    snprintf(text, sizeof text,
             "{\"format\": \"stampede-shape\", \"version\": 1, \"tables\": [{\"name\": \"t\", "
             "\"rows\": %d, \"columns\": ["
             "{\"name\": \"a\", \"type\": \"integer\", \"gen\": {\"kind\": \"uniform\", "
             "\"min\": 1, \"max\": %d}},"
             "{\"name\": \"b\", \"type\": \"integer\", \"gen\": {\"kind\": \"dep\", \"on\": "
             "\"a\", %s, \"gen\": {\"kind\": \"uniform\", \"min\": 1, \"max\": %d}}}]}]}",
             ROWS, NA, dep_params, NB);
    shape *sh = load_text(text, err);
    if (!sh)
        fail_msg("%s", err);
    return sh;
}

/* Generates every row: a[] and b[] (values as integers). */
static void gen_all(const shape *sh, uint64_t seed, int *a, int *b)
{
    gen_ctx cx;
    assert_int_equal(gen_ctx_init(&cx, sh, seed), 0);
    for (uint64_t r = 0; r < ROWS; r++) {
        gval va, vb;
        gen_ctx_reset(&cx);
        gen_eval_col(&cx, 0, 0, r, &va);
        gen_eval_col(&cx, 0, 1, r, &vb);
        a[r] = (int)llround(va.kind == V_NUM ? va.d : (double)va.i);
        b[r] = (int)llround(vb.kind == V_NUM ? vb.d : (double)vb.i);
    }
    gen_ctx_term(&cx);
}

/* PostgreSQL's dependency degree a => b over all rows; *maxper: most b values of one a. */
static double degree_of(const int *a, const int *b, int *maxper)
{
    static int nvals[NA + 1], count[NA + 1];
    static unsigned char seen[NA + 1][NB + 1];
    memset(nvals, 0, sizeof nvals);
    memset(count, 0, sizeof count);
    memset(seen, 0, sizeof seen);
    for (int r = 0; r < ROWS; r++) {
        count[a[r]]++;
        if (!seen[a[r]][b[r]]) {
            seen[a[r]][b[r]] = 1;
            nvals[a[r]]++;
        }
    }
    long support = 0;
    *maxper = 0;
    for (int v = 1; v <= NA; v++) {
        if (nvals[v] == 1)
            support += count[v];
        if (nvals[v] > *maxper)
            *maxper = nvals[v];
    }
    return (double)support / ROWS;
}

static void check_degree(double want)
{
    char params[64];
    snprintf(params, sizeof params, "\"degree\": %g", want);
    shape *sh = dep_shape(params);
    int *a = malloc(ROWS * sizeof *a), *b = malloc(ROWS * sizeof *b), maxper;
    gen_all(sh, 42, a, b);
    double d = degree_of(a, b, &maxper);
    /* The mapped share is decided per value of a: a binomial over NA groups. */
    double se = sqrt(want * (1 - want) / NA) + 1e-9;
    printf("degree asked %.2f, measured %.4f (3 se = %.4f)\n", want, d, 3 * se);
    assert_true(fabs(d - want) <= 3 * se + 0.002);
    free(a);
    free(b);
    shape_free(sh);
}

static void test_degree_reproduced(void **state)
{
    (void)state;
    check_degree(1.0);
    check_degree(0.9);
    check_degree(0.6);
    check_degree(0.3);
}

static void test_per_and_values(void **state)
{
    (void)state;
    shape *sh = dep_shape("\"degree\": 1, \"per\": 3");
    int *a = malloc(ROWS * sizeof *a), *b = malloc(ROWS * sizeof *b), maxper;
    gen_all(sh, 42, a, b);
    double d = degree_of(a, b, &maxper);
    assert_true(maxper <= 3);
    assert_true(d < 0.05); /* ~100 rows per value: three slots are all used */
    shape_free(sh);
    sh = dep_shape("\"degree\": 0.5, \"values\": 7");
    gen_all(sh, 42, a, b);
    unsigned char seen[NB + 1] = {0};
    int n = 0;
    for (int r = 0; r < ROWS; r++)
        if (b[r] >= 0 && b[r] <= NB && !seen[b[r]]) {
            seen[b[r]] = 1;
            n++;
        }
    printf("values 7: %d distinct\n", n);
    assert_true(n <= 7 && n >= 3);
    free(a);
    free(b);
    shape_free(sh);
}

/* The --jobs/--part property: a row's value is the same whatever was generated before and
 * in whichever context; another seed gives another mapping. */
static void test_determinism(void **state)
{
    (void)state;
    shape *sh = dep_shape("\"degree\": 0.8, \"per\": 2");
    int *a = malloc(ROWS * sizeof *a), *b = malloc(ROWS * sizeof *b);
    int *b2 = malloc(ROWS * sizeof *b2);
    gen_all(sh, 42, a, b);
    gen_ctx cx;
    assert_int_equal(gen_ctx_init(&cx, sh, 42), 0);
    for (uint64_t r = ROWS; r-- > 0;) { /* backwards, one context: as another part would */
        gval v;
        gen_ctx_reset(&cx);
        gen_eval_col(&cx, 0, 1, r, &v);
        assert_int_equal((int)llround(v.kind == V_NUM ? v.d : (double)v.i), b[r]);
    }
    gen_ctx_term(&cx);
    gen_all(sh, 43, a, b2);
    long same = 0;
    for (int r = 0; r < ROWS; r++)
        same += b[r] == b2[r];
    assert_true(same < ROWS / 10);
    free(a);
    free(b);
    free(b2);
    shape_free(sh);
}

static void expect_error(const char *cols, const char *want)
{
    char text[2048], err[ST_ERRLEN] = "";
    snprintf(text, sizeof text,
             "{\"format\": \"stampede-shape\", \"version\": 1, \"tables\": [{\"name\": \"t\", "
             "\"rows\": 10, \"columns\": [%s]}]}",
             cols);
    shape *sh = load_text(text, err);
    assert_null(sh);
    if (!strstr(err, want))
        fail_msg("expected '%s' in: %s", want, err);
}

static void test_errors(void **state)
{
    (void)state;
    static const char a[] =
        "{\"name\": \"a\", \"type\": \"integer\", \"gen\": {\"kind\": \"uniform\", \"min\": 1, "
        "\"max\": 9}},";
    char c[1024];
    snprintf(c, sizeof c,
             "%s{\"name\": \"b\", \"type\": \"integer\", \"gen\": {\"kind\": \"dep\", \"on\": "
             "\"a\", \"degree\": 1.5, \"gen\": {\"kind\": \"const\", \"value\": 1}}}",
             a);
    expect_error(c, "tables[0].columns[1].gen.degree");
    snprintf(c, sizeof c,
             "%s{\"name\": \"b\", \"type\": \"integer\", \"gen\": {\"kind\": \"dep\", \"on\": "
             "\"zz\", \"degree\": 1, \"gen\": {\"kind\": \"const\", \"value\": 1}}}",
             a);
    expect_error(c, "tables[0].columns[1].gen.on");
    snprintf(c, sizeof c,
             "%s{\"name\": \"b\", \"type\": \"integer\", \"n_distinct\": 5, \"gen\": {\"kind\": "
             "\"dep\", \"on\": \"a\", \"degree\": 1, \"gen\": {\"kind\": \"const\", \"value\": "
             "1}}}",
             a);
    expect_error(c, "cannot have n_distinct");
    expect_error("{\"name\": \"a\", \"type\": \"integer\", \"gen\": {\"kind\": \"dep\", \"on\": "
                 "\"b\", \"degree\": 1, \"gen\": {\"kind\": \"const\", \"value\": 1}}},"
                 "{\"name\": \"b\", \"type\": \"integer\", \"gen\": {\"kind\": \"dep\", \"on\": "
                 "\"a\", \"degree\": 1, \"gen\": {\"kind\": \"const\", \"value\": 1}}}",
                 "depends on itself");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_degree_reproduced),
        cmocka_unit_test(test_per_and_values),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
