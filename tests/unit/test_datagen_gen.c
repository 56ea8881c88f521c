/*
 * test_datagen_gen.c -- unit tests of value generation and formatting (datagen/gen.c,
 * fmt.c) on the shop shape and small inline shapes.
 *
 * What is checked: a row's bytes do not depend on which rows were generated before it (the
 * property behind --jobs/--part identity); the shop shape's documented marginals (about 92%
 * active, about 3% featured and featured concentrated on popular products, a Zipf-hot
 * product set that is not the lowest ids); child tables' fan-out sums and unique (parent,
 * line) keys; NULL fraction, n_distinct, text width and varchar cut; timestamp, numeric and
 * COPY-escape formatting. Seeds are fixed and tolerances are several standard errors wide.
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

#include "fmt.h"
#include "gen.h"
#include "jsonio.h"
#include "shape.h"

static shape *load_rel(const char *rel, double scale)
{
    char path[4096], err[ST_ERRLEN];
    const char *src = getenv("ST_SRC_DIR");
    snprintf(path, sizeof path, "%s/%s", src ? src : ".", rel);
    shape *sh = shape_load(path, err);
    if (!sh)
        fail_msg("%s", err);
    if (shape_resolve(sh, scale, NULL, 0, 42, err))
        fail_msg("%s", err);
    return sh;
}

static shape *load_text(const char *text)
{
    char err[ST_ERRLEN];
    json_t *root = jsonio_loads(text, strlen(text), "inline", err);
    assert_non_null(root);
    shape *sh = shape_from_json(root, "inline", err);
    json_decref(root);
    if (!sh)
        fail_msg("%s", err);
    if (shape_resolve(sh, 1, NULL, 0, 42, err))
        fail_msg("%s", err);
    return sh;
}

static void test_row_independence(void **state)
{
    (void)state;
    shape *sh = load_rel("models/shapes/shop.json", 0.01);
    gen_ctx a, b;
    assert_int_equal(gen_ctx_init(&a, sh, 42), 0);
    assert_int_equal(gen_ctx_init(&b, sh, 42), 0);
    for (size_t ti = 0; ti < sh->nt; ti++) {
        const stable *t = &sh->t[ti];
        size_t m = fmt_row_max(t);
        char *x = malloc(m), *y = malloc(m);
        uint64_t key = t->parent >= 0 ? gen_child_key(t->nunits / 2, 1) : t->rows / 2;
        /* a: the row alone; b: after generating other rows first */
        size_t nx = fmt_row(&a, (int)ti, key, FMT_COPY_TEXT, x);
        for (uint64_t k = 0; k < 50; k++)
            fmt_row(&b, (int)ti, t->parent >= 0 ? gen_child_key(k, 1) : k, FMT_COPY_TEXT, y);
        size_t ny = fmt_row(&b, (int)ti, key, FMT_COPY_TEXT, y);
        assert_int_equal(nx, ny);
        assert_memory_equal(x, y, nx);
        free(x);
        free(y);
    }
    /* A different seed changes the data. */
    gen_ctx c;
    assert_int_equal(gen_ctx_init(&c, sh, 43), 0);
    int p = shape_table_index(sh, "products");
    char x[4096], y[4096];
    size_t nx = fmt_row(&a, p, 7, FMT_COPY_TEXT, x), ny = fmt_row(&c, p, 7, FMT_COPY_TEXT, y);
    assert_true(nx != ny || memcmp(x, y, nx) != 0);
    gen_ctx_term(&a);
    gen_ctx_term(&b);
    gen_ctx_term(&c);
    shape_free(sh);
}

static void test_shop_marginals(void **state)
{
    (void)state;
    shape *sh = load_rel("models/shapes/shop.json", 0.1); /* 34,000 products */
    int p = shape_table_index(sh, "products");
    const stable *t = &sh->t[p];
    int ca = shape_col_index(t, "active"), cf = shape_col_index(t, "featured");
    gen_ctx cx;
    assert_int_equal(gen_ctx_init(&cx, sh, 42), 0);
    uint64_t active = 0, featured = 0, feat_top = 0, top = t->rows / 100;
    for (uint64_t r = 0; r < t->rows; r++) {
        gval v;
        gen_ctx_reset(&cx);
        gen_eval_col(&cx, p, ca, r, &v);
        active += v.i;
        gen_eval_col(&cx, p, cf, r, &v);
        featured += v.i;
        if (v.i && gen_row_rank(t, r) <= top)
            feat_top++;
    }
    double fa = (double)active / (double)t->rows, ff = (double)featured / (double)t->rows;
    print_message("active %.4f featured %.4f featured among top 1%%: %.3f\n", fa, ff,
                  (double)feat_top / (double)top);
    assert_true(fa > 0.90 && fa < 0.94);
    assert_true(ff > 0.025 && ff < 0.035);
    assert_true((double)feat_top / (double)top > 0.2); /* popular products: ~30% featured */
    /* The hottest products are scattered, not ids 1..k. */
    uint64_t low = 0;
    for (uint64_t r = 1; r <= 100; r++)
        low += gen_rank_row(t, r) < 100;
    assert_true(low < 5);
    /* Rank and row are inverse bijections. */
    for (uint64_t r = 1; r <= 1000; r++)
        assert_int_equal(gen_row_rank(t, gen_rank_row(t, r)), r);
    gen_ctx_term(&cx);
    shape_free(sh);
}

static void test_zipf_refs(void **state)
{
    (void)state;
    shape *sh = load_rel("models/shapes/shop.json", 0.01);
    int oi = shape_table_index(sh, "order_items"), p = shape_table_index(sh, "products");
    const stable *t = &sh->t[oi], *pt = &sh->t[p];
    int cp = shape_col_index(t, "product_id");
    gen_ctx cx;
    assert_int_equal(gen_ctx_init(&cx, sh, 42), 0);
    uint64_t *hits = calloc(pt->rows + 1, sizeof(uint64_t)), n = 0, prev_order = UINT64_MAX,
             lines = 0;
    for (uint64_t u = 0; u < t->nunits; u++) {
        uint64_t k = shape_fanout(sh, t, 42, u);
        assert_true(k >= 1 && k <= 12);
        for (uint64_t line = 1; line <= k; line++) {
            gval v;
            gen_ctx_reset(&cx);
            gen_eval_col(&cx, oi, cp, gen_child_key(u, line), &v);
            assert_true(v.i >= 1 && (uint64_t)v.i <= pt->rows);
            hits[v.i]++;
            n++;
            lines += u != prev_order;
            prev_order = u;
        }
    }
    assert_int_equal(n, t->rows);       /* resolve counted exactly what generation produces */
    assert_int_equal(lines, t->nunits); /* every order got at least one line */
    /* Share of the 1% hottest products (by their rank) in order lines. */
    uint64_t top = pt->rows / 100, in_top = 0;
    for (uint64_t r = 1; r <= top; r++)
        in_top += hits[gen_rank_row(pt, r) + 1];
    double share = (double)in_top / (double)n;
    print_message("top 1%% of %llu products hold %.3f of %llu order lines\n",
                  (unsigned long long)pt->rows, share, (unsigned long long)n);
    assert_true(share > 0.35 && share < 0.75); /* Zipf s=1.1 over 3,400 items: ~0.55 */
    free(hits);
    gen_ctx_term(&cx);
    shape_free(sh);
}

static void test_columns(void **state)
{
    (void)state;
    shape *sh = load_text(
        "{\"format\":\"stampede-shape\",\"version\":1,\"tables\":[{\"name\":\"t\",\"rows\":20000,"
        "\"columns\":["
        "{\"name\":\"n\",\"type\":\"integer\",\"null_frac\":0.25,\"gen\":{\"kind\":\"uniform\","
        "\"min\":1,\"max\":6}},"
        "{\"name\":\"d\",\"type\":\"bigint\",\"n_distinct\":-0.01,\"gen\":{\"kind\":\"uniform\","
        "\"min\":0,\"max\":1e12}},"
        "{\"name\":\"w\",\"type\":\"text\",\"gen\":{\"kind\":\"text\",\"width\":100}},"
        "{\"name\":\"v\",\"type\":\"varchar(5)\",\"gen\":{\"kind\":\"text\",\"pattern\":"
        "\"abcdefgh\"}},"
        "{\"name\":\"ts\",\"type\":\"timestamptz\",\"correlation\":1,\"gen\":{\"kind\":"
        "\"timestamp\",\"from\":\"2024-02-28T23:00:00Z\",\"to\":\"2024-03-01\"}},"
        "{\"name\":\"m\",\"type\":\"numeric(10,2)\",\"gen\":{\"kind\":\"const\",\"value\":-3.005}},"
        "{\"name\":\"e\",\"type\":\"text\",\"gen\":{\"kind\":\"const\",\"value\":"
        "\"a\\tb\\\\c\\nd\"}}]}]}");
    gen_ctx cx;
    assert_int_equal(gen_ctx_init(&cx, sh, 42), 0);
    uint64_t nulls = 0, width = 0;
    double last_ts = -1;
    int sorted = 1;
    int64_t *dv = calloc(20000, sizeof(int64_t));
    for (uint64_t r = 0; r < 20000; r++) {
        gval v;
        gen_ctx_reset(&cx);
        gen_eval_col(&cx, 0, 0, r, &v);
        nulls += v.kind == V_NULL;
        if (v.kind != V_NULL)
            assert_true(v.i >= 1 && v.i <= 6);
        gen_eval_col(&cx, 0, 1, r, &v);
        dv[r] = v.i;
        gen_eval_col(&cx, 0, 2, r, &v);
        width += v.len;
        gen_eval_col(&cx, 0, 4, r, &v);
        sorted &= v.d >= last_ts;
        last_ts = v.d;
    }
    assert_true(nulls > 4600 && nulls < 5400);
    assert_true(sorted); /* correlation 1: physical order = time order */
    double avgw = (double)width / 20000.0;
    assert_true(avgw > 90 && avgw < 110);
    /* n_distinct -0.01 of 20,000 rows: at most 200 distinct values */
    size_t distinct = 0;
    for (size_t i = 0; i < 20000; i++) {
        int seen = 0;
        for (size_t k = 0; k < i && !seen; k++)
            seen = dv[k] == dv[i];
        distinct += !seen;
        if (distinct > 200)
            break;
    }
    assert_true(distinct <= 200 && distinct > 150);
    free(dv);
    char row[1 << 17];
    size_t n = fmt_row(&cx, 0, 0, FMT_COPY_TEXT, row);
    row[n] = 0;
    print_message("row 0: %s", row);
    assert_non_null(strstr(row, "\tabcde\t2024-02-28 23:"));      /* varchar(5) cut, UTC */
    assert_non_null(strstr(row, "+00\t-3.01\ta\\tb\\\\c\\nd\n")); /* numeric rounding, escapes */
    n = fmt_row(&cx, 0, 0, FMT_CSV, row);
    row[n] = 0;
    assert_non_null(strstr(row, ",-3.01,\"a\tb\\c\nd\"\n"));
    gen_ctx_term(&cx);
    shape_free(sh);
}

/* `distinct` (gk_distinct.c): a key of two references is unique over every row, the second
 * column keeps its Zipf head (certain in every run), and a row's value does not depend on
 * the order rows are computed in. */
static void test_distinct(void **state)
{
    (void)state;
    shape *sh = load_text(
        "{\"format\": \"stampede-shape\", \"version\": 1, \"name\": \"j\", \"tables\": ["
        "{\"name\": \"a\", \"rows\": 30, \"columns\": [{\"name\": \"id\", \"type\": \"bigint\","
        " \"gen\": {\"kind\": \"sequence\"}}]},"
        "{\"name\": \"b\", \"rows\": 200, \"columns\": [{\"name\": \"k\", \"type\": \"text\","
        " \"gen\": {\"kind\": \"text\", \"pattern\": \"k{row}\"}}]},"
        "{\"name\": \"ab\", \"rows\": 2000, \"primary_key\": [\"a_id\", \"b_k\"], \"columns\": ["
        "{\"name\": \"a_id\", \"type\": \"bigint\", \"gen\": {\"kind\": \"ref\", \"table\": \"a\","
        " \"dist\": \"cycle\", \"div\": 67}},"
        "{\"name\": \"b_k\", \"type\": \"text\", \"gen\": {\"kind\": \"distinct\", \"of\": "
        "\"a_id\","
        " \"gen\": {\"kind\": \"ref\", \"table\": \"b\", \"dist\": \"zipf\", \"s\": 1.2}}}]}]}");
    const stable *t = &sh->t[2];
    gen_ctx cx;
    assert_int_equal(gen_ctx_init(&cx, sh, 42), 0);
    size_t n = t->rows, w = 64 + FMT_TEXT_CAP;
    char *pairs = calloc(n, 96), *buf = malloc(w);
    assert_non_null(pairs);
    assert_non_null(buf);
    for (size_t r = n; r-- > 0;) { /* backwards: the values cannot lean on row order */
        gval a, b;
        gen_ctx_reset(&cx);
        gen_eval_col(&cx, 2, 0, r, &a);
        gen_eval_col(&cx, 2, 1, r, &b);
        size_t la = fmt_plain(&t->cols[0], &a, buf);
        buf[la] = '|';
        size_t lb = fmt_plain(&t->cols[1], &b, buf + la + 1);
        assert_true(la + 1 + lb < 96);
        memcpy(pairs + r * 96, buf, la + 1 + lb);
    }
    qsort(pairs, n, 96, (int (*)(const void *, const void *))strcmp);
    for (size_t r = 1; r < n; r++)
        assert_string_not_equal(pairs + (r - 1) * 96, pairs + r * 96);
    /* The most frequent b value (the Zipf head, about 28% of the draws) is in all 30 runs. */
    size_t best = 0;
    for (size_t r = 0; r < n; r++) {
        const char *v = strchr(pairs + r * 96, '|') + 1;
        size_t c = 0;
        for (size_t k = 0; k < n; k++)
            c += !strcmp(strchr(pairs + k * 96, '|') + 1, v);
        best = c > best ? c : best;
    }
    assert_int_equal(best, 30);
    free(pairs);
    free(buf);
    gen_ctx_term(&cx);
    shape_free(sh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_row_independence), cmocka_unit_test(test_shop_marginals),
        cmocka_unit_test(test_zipf_refs),        cmocka_unit_test(test_columns),
        cmocka_unit_test(test_distinct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
