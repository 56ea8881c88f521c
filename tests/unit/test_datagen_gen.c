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

static shape *load_text_at(const char *text, double scale)
{
    char err[ST_ERRLEN];
    json_t *root = jsonio_loads(text, strlen(text), "inline", err);
    assert_non_null(root);
    shape *sh = shape_from_json(root, "inline", err);
    json_decref(root);
    if (!sh)
        fail_msg("%s", err);
    if (shape_resolve(sh, scale, NULL, 0, 42, err))
        fail_msg("%s", err);
    return sh;
}

static shape *load_text(const char *text)
{
    return load_text_at(text, 1);
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

/* 1 when s[0..n) is well-formed UTF-8 (no cut sequence at either end or inside). */
static int utf8_ok(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t len = p[i] < 0x80             ? 1
                     : (p[i] & 0xE0) == 0xC0 ? 2
                     : (p[i] & 0xF0) == 0xE0 ? 3
                     : (p[i] & 0xF8) == 0xF0 ? 4
                                             : 0;
        if (!len || i + len > n)
            return 0;
        for (size_t k = 1; k < len; k++)
            if ((p[i + k] & 0xC0) != 0x80)
                return 0;
        i += len;
    }
    return 1;
}

/* {words} slices of a list with 2- and 3-byte characters: every value is valid UTF-8
 * (PostgreSQL refuses a cut character and the whole chunk with it). */
static void test_text_utf8_words(void **state)
{
    (void)state;
    shape *sh = load_text(
        "{\"format\":\"stampede-shape\",\"version\":1,\"tables\":[{\"name\":\"t\",\"rows\":5000,"
        "\"columns\":["
        "{\"name\":\"a\",\"type\":\"text\",\"gen\":{\"kind\":\"text\",\"width\":30,"
        "\"words\":[\"\u00e9t\u00e9\",\"\u65e5\u672c\u8a9e\",\"x\"]}},"
        "{\"name\":\"b\",\"type\":\"text\",\"gen\":{\"kind\":\"text\",\"pattern\":"
        "\"{words}|{words}\",\"width\":41,\"words\":[\"\u00e9t\u00e9\",\"\u65e5\u672c\u8a9e\"]}}"
        "]}]}");
    gen_ctx cx;
    assert_int_equal(gen_ctx_init(&cx, sh, 42), 0);
    size_t multi = 0;
    for (uint64_t r = 0; r < 5000; r++)
        for (int c = 0; c < 2; c++) {
            gval v;
            gen_ctx_reset(&cx);
            gen_eval_col(&cx, 0, c, r, &v);
            assert_int_equal(v.kind, V_TEXT);
            if (!utf8_ok(v.s, v.len))
                fail_msg("row %llu column %d: cut UTF-8 in '%.*s'", (unsigned long long)r, c,
                         (int)v.len, v.s);
            multi += v.len > 0 && (unsigned char)v.s[0] >= 0x80;
        }
    assert_true(multi > 1000); /* the words really are multi-byte */
    gen_ctx_term(&cx);
    shape_free(sh);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* The first two columns of table ti at every row, "a|b" in 96 bytes each, computed backwards
 * (the values cannot lean on row order). */
static char *pairs_of(shape *sh, int ti)
{
    const stable *t = &sh->t[ti];
    gen_ctx cx;
    assert_int_equal(gen_ctx_init(&cx, sh, 42), 0);
    char *pairs = calloc(t->rows, 96), *buf = malloc(64 + FMT_TEXT_CAP);
    assert_non_null(pairs);
    assert_non_null(buf);
    for (size_t r = t->rows; r-- > 0;) {
        gval a, b;
        gen_ctx_reset(&cx);
        gen_eval_col(&cx, ti, 0, r, &a);
        gen_eval_col(&cx, ti, 1, r, &b);
        size_t la = fmt_plain(&t->cols[0], &a, buf);
        buf[la] = '|';
        size_t lb = fmt_plain(&t->cols[1], &b, buf + la + 1);
        assert_true(la + 1 + lb < 96);
        memcpy(pairs + r * 96, buf, la + 1 + lb);
    }
    free(buf);
    gen_ctx_term(&cx);
    return pairs;
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
    size_t n = sh->t[2].rows;
    char *pairs = pairs_of(sh, 2);
    qsort(pairs, n, 96, cmp_str);
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
    shape_free(sh);
}

/* A junction of literal ids (`distinct` with `table`, as profile writes Northwind's
 * order_details): 80 orders of about 5 lines (order 1 about 10) over 40 products drawn by a
 * skewed law; `%s` is the histogram's bounds, then the `table` key or nothing. */
static const char junction_lit[] =
    "{\"format\": \"stampede-shape\", \"version\": 1, \"name\": \"od\", \"tables\": ["
    "{\"name\": \"products\", \"rows\": 40, \"columns\": [{\"name\": \"id\", \"type\": "
    "\"integer\", \"gen\": {\"kind\": \"sequence\", \"start\": 101}}]},"
    "{\"name\": \"lines\", \"rows\": 400, \"primary_key\": [\"o\", \"p\"], \"columns\": ["
    "{\"name\": \"o\", \"type\": \"integer\", \"correlation\": 1, \"gen\": {\"kind\": "
    "\"histogram\", \"bounds\": [%s]}},"
    "{\"name\": \"p\", \"type\": \"integer\", \"gen\": {\"kind\": \"distinct\", \"of\": "
    "\"o\", %s\"gen\": {\"kind\": \"zipf\", \"n\": 40, \"s\": 0.8, \"start\": 101}}}]}]}";

static void junction_text(char *text, size_t n, int with_table)
{
    char b[512] = "1";
    size_t k = 1;
    for (int v = 1; v <= 81; v++)
        k += (size_t)snprintf(b + k, sizeof b - k, ", %d", v);
    snprintf(text, n, junction_lit, b, with_table ? "\"table\": \"products\", " : "");
}

/* Column p of table 1 at every row (pairs_of), counting each p in cnt[p - 101]. */
static char *junction_values(shape *sh, unsigned *cnt)
{
    char *v = pairs_of(sh, 1);
    for (uint64_t r = 0; r < sh->t[1].rows; r++) {
        long p = strtol(strchr(v + r * 96, '|') + 1, NULL, 10);
        assert_true(p >= 101 && p <= 500);
        cnt[p - 101]++;
    }
    return v;
}

/* `distinct` with `table`: at 1x the same bytes as without it; at 10x, where the literal
 * values alone cannot fill a run (refused), every pair is still unique, the values span the
 * 400 scaled products (ids 101..500), and each literal value's count spreads over its 10
 * copies, so the top copy keeps about the 1x top count. */
static void test_distinct_table(void **state)
{
    (void)state;
    char text[2048], err[ST_ERRLEN];
    unsigned c1[400] = {0}, c0[400] = {0}, c10[400] = {0};
    junction_text(text, sizeof text, 0);
    shape *plain = load_text(text);
    junction_text(text, sizeof text, 1);
    shape *sh = load_text(text);
    char *a = junction_values(plain, c0), *b = junction_values(sh, c1);
    assert_memory_equal(a, b, (size_t)sh->t[1].rows * 96);
    free(a);
    free(b);
    shape_free(sh);
    junction_text(text, sizeof text, 0);
    json_t *root = jsonio_loads(text, strlen(text), "inline", err);
    shape *lit = shape_from_json(root, "inline", err);
    json_decref(root);
    assert_non_null(lit);
    assert_int_not_equal(shape_resolve(lit, 10, NULL, 0, 42, err), 0);
    assert_non_null(strstr(err, "gives only 40 distinct values"));
    shape_free(lit);
    junction_text(text, sizeof text, 1);
    sh = load_text_at(text, 10);
    size_t n = sh->t[1].rows;
    char *v = junction_values(sh, c10);
    qsort(v, n, 96, cmp_str);
    for (size_t r = 1; r < n; r++)
        assert_string_not_equal(v + (r - 1) * 96, v + r * 96);
    unsigned used = 0, top1 = 0, top10 = 0, p1 = 0;
    for (unsigned p = 0; p < 400; p++) {
        used += c10[p] > 0;
        top10 = c10[p] > top10 ? c10[p] : top10;
        if (p < 40 && c1[p] > top1)
            top1 = c1[p], p1 = p;
    }
    unsigned copies = 0, sum = 0;
    for (unsigned k = 0; k < 10; k++)
        copies += c10[p1 + 40 * k] > 0, sum += c10[p1 + 40 * k];
    printf("10x: %u of 400 products; top count %u (1x %u); product %u: %u rows over %u copies "
           "(1x %u)\n",
           used, top10, top1, p1 + 101, sum, copies, c1[p1]);
    assert_true(used > 300);
    assert_true(2 * top10 >= top1 && top10 <= 2 * top1);
    assert_true(copies >= 8 && 2 * sum >= 10 * c1[p1] && sum <= 20 * c1[p1]);
    free(v);
    shape_free(plain);
    shape_free(sh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_row_independence), cmocka_unit_test(test_shop_marginals),
        cmocka_unit_test(test_zipf_refs),        cmocka_unit_test(test_columns),
        cmocka_unit_test(test_text_utf8_words),  cmocka_unit_test(test_distinct),
        cmocka_unit_test(test_distinct_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
