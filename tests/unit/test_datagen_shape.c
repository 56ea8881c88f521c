/*
 * test_datagen_shape.c -- unit tests of the shape loader (datagen/shape.c, shape_gen.c).
 *
 * What is checked: the shop shape loads and resolves with the documented row counts; errors
 * name the JSON path; and a small fuzz: every prefix of a shape file (truncation) and every
 * node of the shop shape replaced by values of the wrong type must give either a valid shape
 * or a one-line error mentioning a path -- never a crash or a leak (run under ASan in
 * ./check). All inputs are fixed, so the outcome is deterministic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"
#include "shape.h"

static char *slurp(const char *rel, size_t *len)
{
    char path[4096];
    const char *src = getenv("ST_SRC_DIR");
    snprintf(path, sizeof path, "%s/%s", src ? src : ".", rel);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static shape *from_text(const char *text, char *err)
{
    json_t *root = jsonio_loads(text, strlen(text), "t.json", err);
    if (!root)
        return NULL;
    shape *sh = shape_from_json(root, "t.json", err);
    json_decref(root);
    return sh;
}

static void test_shop_loads(void **state)
{
    (void)state;
    size_t n;
    char *text = slurp("models/shapes/shop.json", &n);
    char err[ST_ERRLEN] = "";
    shape *sh = from_text(text, err);
    assert_non_null(sh);
    assert_int_equal(sh->nt, 6);
    assert_int_equal(shape_resolve(sh, 1.0, NULL, 0, 42, err), 0);
    int p = shape_table_index(sh, "products");
    assert_true(p >= 0);
    assert_int_equal(sh->t[p].rows, 340000);
    int inv = shape_table_index(sh, "inventory");
    assert_int_equal(sh->t[inv].rows, 340000); /* one inventory row per product */
    /* --scale 0.035: the toy catalog of the incident; categories are fixed. */
    assert_int_equal(shape_resolve(sh, 0.035, NULL, 0, 42, err), 0);
    assert_int_equal(sh->t[p].rows, 11900);
    assert_int_equal(sh->t[shape_table_index(sh, "categories")].rows, 2000);
    char *over[] = {"products=500"};
    assert_int_equal(shape_resolve(sh, 1.0, over, 1, 42, err), 0);
    assert_int_equal(sh->t[p].rows, 500);
    char *bad[] = {"order_items=5"};
    assert_int_equal(shape_resolve(sh, 1.0, bad, 1, 42, err), ST_EINPUT);
    assert_non_null(strstr(err, "child table"));
    shape_free(sh);
    free(text);
}

static void test_error_paths(void **state)
{
    (void)state;
    /* clang-format off */
    static const struct { const char *json, *want; } cases[] = {
        {"{\"format\":\"stampede-shape\",\"version\":1,\"tables\":[{\"name\":\"t\",\"rows\":1,"
         "\"columns\":[{\"name\":\"a\",\"type\":\"integer\",\"gen\":{\"kind\":\"zipf\",\"n\":10,\"s\":-1}}]}]}",
         "t.json: tables[0].columns[0].gen.s: must be > 0"},
        {"{\"format\":\"stampede-shape\",\"version\":1,\"tables\":[{\"name\":\"t\",\"rows\":1,"
         "\"columns\":[{\"name\":\"a\",\"type\":\"integer\",\"gen\":{\"kind\":\"sequence\",\"stpe\":2}}]}]}",
         "tables[0].columns[0].gen.stpe: unknown key"},
        {"{\"format\":\"stampede-shape\",\"version\":1,\"tables\":[{\"name\":\"T\",\"rows\":1,"
         "\"columns\":[{\"name\":\"a\",\"type\":\"integer\",\"gen\":{\"kind\":\"sequence\"}}]}]}",
         "tables[0].name: 'T' is not a lowercase SQL identifier"},
        {"{\"format\":\"stampede-shape\",\"version\":1,\"tables\":[{\"name\":\"t\",\"rows\":1,"
         "\"columns\":[{\"name\":\"a\",\"type\":\"integer\",\"gen\":{\"kind\":\"switch\",\"on\":\"$rank\","
         "\"cases\":[],\"else\":{\"kind\":\"const\",\"value\":1}}}]}]}",
         "$rank needs the table's popularity"},
        {"{\"format\":\"stampede-shape\",\"version\":1,\"tables\":[{\"name\":\"t\",\"rows\":1,"
         "\"columns\":[{\"name\":\"a\",\"type\":\"timestamptz\",\"gen\":{\"kind\":\"timestamp\",\"from\":\"2024-13-01\",\"to\":\"2025-01-01\"}}]}]}",
         "tables[0].columns[0].gen.from: expected a timestamp"},
        {"{\"format\":\"stampede-shape\",\"version\":1,\"tables\":[{\"name\":\"t\",\"rows\":1,"
         "\"columns\":[{\"name\":\"a\",\"type\":\"text\",\"gen\":{\"kind\":\"text\",\"pattern\":\"{nope}\"}}]}]}",
         "tables[0].columns[0].gen.pattern: unknown placeholder {nope}"},
        {"{\"format\":\"stampede-shape\",\"version\":1,\"tables\":[{\"name\":\"c\",\"parent\":{\"table\":\"c\","
         "\"fanout\":{\"dist\":\"const\",\"n\":1}},\"columns\":[{\"name\":\"a\",\"type\":\"integer\",\"gen\":{\"kind\":\"line\"}}]}]}",
         "tables[0].parent.table: the parent must be an ordinary table"},
    };
    /* clang-format on */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[ST_ERRLEN] = "";
        shape *sh = from_text(cases[i].json, err);
        if (sh || !strstr(err, cases[i].want))
            fail_msg("case %zu: got '%s', want '%s'", i, err, cases[i].want);
        assert_null(strchr(err, '\n'));
    }
}

/* Every prefix of a valid file fails cleanly (or, for the full length, loads). */
static void test_fuzz_truncated(void **state)
{
    (void)state;
    size_t n;
    char *text = slurp("tests/integ/datagen_shapes/tiny.json", &n);
    for (size_t k = 0; k < n; k++) {
        char err[ST_ERRLEN] = "";
        char saved = text[k];
        text[k] = 0;
        shape *sh = from_text(text, err);
        text[k] = saved;
        if (sh) {
            /* Only a prefix that is itself complete JSON may load (trailing whitespace). */
            assert_true(k >= n - 2);
            shape_free(sh);
        } else {
            assert_true(err[0] != 0);
        }
    }
    free(text);
}

/* Replace node `target` (in DFS order) with `repl`; returns the number of nodes visited. */
static size_t mutate(json_t *v, size_t *counter, size_t target, json_t *repl, int *done)
{
    size_t here = (*counter)++;
    (void)here;
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        void *tmp;
        json_object_foreach_safe(v, tmp, k, x) {
            if (*done)
                break;
            if (*counter == target) {
                json_object_set(v, k, repl);
                *done = 1;
                break;
            }
            mutate(x, counter, target, repl, done);
        }
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v) && !*done; i++) {
            if (*counter == target) {
                json_array_set(v, i, repl);
                *done = 1;
                break;
            }
            mutate(json_array_get(v, i), counter, target, repl, done);
        }
    }
    return *counter;
}

static void test_fuzz_wrong_types(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    size_t n;
    char *text = slurp("models/shapes/shop.json", &n);
    json_t *base = jsonio_loads(text, n, "shop.json", err);
    assert_non_null(base);
    size_t total = 0;
    int done = 0;
    mutate(base, &total, (size_t)-1, NULL, &done);
    /* clang-format off */
    json_t *repls[] = {json_string("x"), json_integer(-1), json_real(1e300), json_true(), json_null(),
                       json_array(), json_object(), json_integer(0)};
    /* clang-format on */
    size_t nrep = sizeof repls / sizeof repls[0];
    size_t loaded = 0, refused = 0;
    for (size_t node = 1; node < total; node++) {
        for (size_t r = 0; r < nrep; r++) {
            json_t *doc = json_deep_copy(base);
            size_t counter = 0;
            done = 0;
            mutate(doc, &counter, node, repls[r], &done);
            err[0] = 0;
            shape *sh = shape_from_json(doc, "f.json", err);
            if (sh) {
                /* A mutation the format accepts must still resolve or refuse cleanly. */
                char e2[ST_ERRLEN];
                if (shape_resolve(sh, 0.001, NULL, 0, 1, e2) == 0)
                    loaded++;
                shape_free(sh);
            } else {
                assert_true(strncmp(err, "f.json: ", 8) == 0);
                assert_null(strchr(err, '\n'));
                refused++;
            }
            json_decref(doc);
        }
    }
    for (size_t r = 0; r < nrep; r++)
        json_decref(repls[r]);
    json_decref(base);
    free(text);
    print_message("fuzz: %zu nodes x %zu replacements: %zu refused, %zu accepted\n", total, nrep,
                  refused, loaded);
    assert_true(refused > total); /* most wrong types must be refused */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shop_loads),
        cmocka_unit_test(test_error_paths),
        cmocka_unit_test(test_fuzz_truncated),
        cmocka_unit_test(test_fuzz_wrong_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
