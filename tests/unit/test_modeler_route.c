/*
 * test_modeler_route.c -- unit tests of modeler/route.c, sketch.c and markov.c.
 *
 * What is checked: templates for numeric ids, UUIDs, hex hashes, slugs, query strings
 * (sorted keys, counters vs ids vs text), static assets, absolute-form targets, WebSockets
 * and junk; that equal values hash equally and raw values never reach the template; the
 * ctab cap and eviction, HyperLogLog accuracy, reservoir uniformity; Markov matrices with
 * route 0 self-loops (key 0 must not be lost).
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

#include "markov.h"
#include "route.h"
#include "sketch.h"

static route_norm norm(const char *path, const char *method, int status)
{
    route_norm n;
    route_normalize(path, strlen(path), method, strlen(method), status, &n);
    return n;
}

static void test_templates(void **state)
{
    (void)state;
    struct {
        const char *path, *method;
        int status;
        const char *tmpl;
        int kind;
        size_t nparams;
    } cases[] = {
        {"/", "GET", 200, "/", ROUTE_PAGE, 0},
        {"/products/8812", "GET", 200, "/products/{id}", ROUTE_PAGE, 1},
        {"/users/550e8400-e29b-41d4-a716-446655440000/orders/12", "GET", 200,
         "/users/{uuid}/orders/{id}", ROUTE_PAGE, 2},
        {"/blob/9f86d081884c7d659a2feaa0c55ad015", "GET", 200, "/blob/{hash}", ROUTE_PAGE, 1},
        {"/blog/how-to-scale-2024", "GET", 200, "/blog/{slug}", ROUTE_PAGE, 1},
        {"/about-us", "GET", 200, "/about-us", ROUTE_PAGE, 0},
        {"/search?q=red+shoes&page=3", "GET", 200, "/search?page={n}&q={s}", ROUTE_PAGE, 2},
        {"/search?page=2&q=x", "GET", 200, "/search?page={n}&q={s}", ROUTE_PAGE, 2},
        {"/products?category=17&page=2", "GET", 200, "/products?category={id}&page={n}", ROUTE_PAGE,
         2},
        {"/static/app.3f2a.js", "GET", 200, "/static/{file}.js", ROUTE_STATIC, 0},
        {"/img/p/77.JPG", "GET", 200, "/img/p/{file}.jpg", ROUTE_STATIC, 0},
        {"/api/v1/cart", "GET", 200, "/api/v1/cart", ROUTE_API, 0},
        {"/cart", "POST", 201, "/cart", ROUTE_API, 0},
        {"/ws/inventory", "GET", 101, "/ws/inventory", ROUTE_WEBSOCKET, 0},
        {"http://example.com/products/5", "GET", 200, "/products/{id}", ROUTE_PAGE, 1},
        {"//double//slash", "GET", 200, "/double/slash", ROUTE_PAGE, 0},
        {"/a\"b{c}", "GET", 200, "/a_b_c_", ROUTE_PAGE, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        route_norm n = norm(cases[i].path, cases[i].method, cases[i].status);
        if (strcmp(n.tmpl, cases[i].tmpl) != 0)
            fprintf(stderr, "case %zu: %s -> %s (want %s)\n", i, cases[i].path, n.tmpl,
                    cases[i].tmpl);
        assert_string_equal(n.tmpl, cases[i].tmpl);
        assert_int_equal(n.kind, cases[i].kind);
        assert_int_equal(n.nparams, cases[i].nparams);
        assert_int_equal(n.tmpl_len, strlen(n.tmpl));
    }
    route_norm a = norm("/products/8812", "GET", 200), b = norm("/products/8812?", "GET", 200);
    route_norm c = norm("/products/8813", "GET", 200);
    assert_true(a.params[0].value == b.params[0].value);
    assert_true(a.params[0].value != c.params[0].value);
    assert_int_equal(a.params[0].is_item, 1);
    assert_string_equal(a.params[0].name, "id");
    route_norm d = norm("/search?q=red&page=3", "GET", 200);
    assert_string_equal(d.params[0].name, "page");
    assert_int_equal(d.params[0].is_item, 0);
    assert_int_equal(d.params[0].in_query, 1);
    /* A huge path is cut, never overflowed. */
    char big[5000];
    memset(big, 'a', sizeof big - 1);
    big[0] = '/';
    big[sizeof big - 1] = 0;
    route_norm e = norm(big, "GET", 200);
    assert_int_equal(e.tmpl_len, ROUTE_MAX_TMPL - 1);
}

static void test_ctab(void **state)
{
    (void)state;
    ctab *t = ctab_new(1000);
    assert_non_null(t);
    /* One heavy key among many singletons: the heavy one survives every sweep exactly. */
    for (uint64_t i = 0; i < 100000; i++) {
        assert_int_equal(ctab_add(t, i + 10, 1), 0);
        if (i % 10 == 0)
            assert_int_equal(ctab_add(t, 0, 1), 0); /* key 0 is allowed */
    }
    assert_true(t->used <= 1000);
    assert_int_equal(ctab_get(t, 0), 10000);
    assert_int_equal(t->total, 110000);
    size_t n;
    ctab_entry *e = ctab_sorted(t, &n);
    assert_non_null(e);
    assert_int_equal(e[0].count, 10000);
    free(e);
    ctab_free(t);
    ctab_free(NULL);
}

static void test_hll_resv(void **state)
{
    (void)state;
    hll h;
    hll_init(&h);
    for (uint64_t i = 0; i < 50000; i++)
        hll_add(&h, sketch_mix(i));
    double e = hll_estimate(&h);
    assert_true(fabs(e - 50000) < 0.06 * 50000);
    hll_init(&h);
    for (uint64_t i = 0; i < 100; i++)
        hll_add(&h, sketch_mix(i * 7));
    assert_true(fabs(hll_estimate(&h) - 100) < 5);

    resv *r = resv_new(2000, 5, "test");
    assert_non_null(r);
    for (int i = 0; i < 200000; i++)
        resv_add(r, (double)i);
    assert_int_equal(r->n, 2000);
    double med = resv_quantile(r, 0.5);
    assert_true(fabs(med - 100000) < 8000); /* ~5 standard errors */
    resv_free(r);
    resv_free(NULL);
}

static void test_markov(void **state)
{
    (void)state;
    markov m;
    assert_int_equal(markov_init(&m), 0);
    /* Sessions: 0 -> 0 -> 1 -> exit, and 0 -> exit. */
    markov_entry(&m, 0);
    markov_step(&m, 0, 0);
    markov_step(&m, 0, 1);
    markov_exit(&m, 1);
    markov_entry(&m, 0);
    markov_exit(&m, 0);
    int map[2] = {0, 1};
    double entry[2], tr[2 * 3];
    uint64_t rows[2];
    markov_matrix(&m, map, 2, 2, entry, tr, rows);
    assert_true(entry[0] == 1.0);
    assert_int_equal(rows[0], 3);
    assert_true(fabs(tr[0] - 1.0 / 3) < 1e-12); /* 0 -> 0 kept (key 0 is not lost) */
    assert_true(fabs(tr[1] - 1.0 / 3) < 1e-12);
    assert_true(fabs(tr[2] - 1.0 / 3) < 1e-12);
    assert_true(tr[3 + 2] == 1.0);
    markov_term(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_templates),
        cmocka_unit_test(test_ctab),
        cmocka_unit_test(test_hll_resv),
        cmocka_unit_test(test_markov),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
