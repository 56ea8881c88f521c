/*
 * test_dbuf.c -- unit tests of common/dbuf.c.
 *
 * The cap is the point of the module, so most checks are about it: an append that would pass
 * the cap fails with ST_ELIMIT and leaves length and content exactly as they were, an append
 * that lands exactly on the cap succeeds, and the content stays NUL-terminated throughout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dbuf.h"

static void test_basic(void **state)
{
    (void)state;
    dbuf b;
    dbuf_init(&b, 1024);
    assert_null(b.p);
    dbuf_free(&b); /* unused: a no-op */
    assert_int_equal(dbuf_adds(&b, "hello"), 0);
    assert_int_equal(dbuf_add(&b, ", ", 2), 0);
    assert_int_equal(dbuf_printf(&b, "%s %d", "world", 42), 0);
    assert_string_equal(b.p, "hello, world 42");
    assert_int_equal(b.len, strlen("hello, world 42"));
    dbuf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.p, "");
    assert_int_equal(dbuf_add(&b, "", 0), 0);
    assert_string_equal(b.p, "");
    dbuf_free(&b);
    assert_null(b.p);
    assert_int_equal(b.cap, 1024);
}

static void test_cap(void **state)
{
    (void)state;
    dbuf b;
    dbuf_init(&b, 10);
    assert_int_equal(dbuf_adds(&b, "12345"), 0);
    assert_int_equal(dbuf_adds(&b, "678901"), ST_ELIMIT); /* 11 > 10 */
    assert_int_equal(b.len, 5);
    assert_string_equal(b.p, "12345");
    assert_int_equal(dbuf_printf(&b, "%d", 123456), ST_ELIMIT);
    assert_string_equal(b.p, "12345");
    assert_int_equal(dbuf_add_html(&b, "<a>"), ST_ELIMIT); /* 11 bytes escaped */
    assert_string_equal(b.p, "12345");
    assert_int_equal(dbuf_adds(&b, "67890"), 0); /* exactly at the cap */
    assert_int_equal(b.len, 10);
    assert_string_equal(b.p, "1234567890");
    assert_int_equal(dbuf_add(&b, "x", 1), ST_ELIMIT);
    assert_true(b.alloc <= 11);
    dbuf_free(&b);

    /* A zero cap refuses everything but empty appends. */
    dbuf_init(&b, 0);
    assert_int_equal(dbuf_add(&b, "x", 1), ST_ELIMIT);
    assert_int_equal(dbuf_add(&b, "", 0), 0);
    dbuf_free(&b);

    /* Huge n must not wrap around the cap check. */
    dbuf_init(&b, 100);
    assert_int_equal(dbuf_adds(&b, "abc"), 0);
    assert_int_equal(dbuf_add(&b, "x", SIZE_MAX - 1), ST_ELIMIT);
    assert_string_equal(b.p, "abc");
    dbuf_free(&b);
}

static void test_growth_and_long_printf(void **state)
{
    (void)state;
    dbuf b;
    dbuf_init(&b, 1 << 20);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(dbuf_printf(&b, "%04d,", i % 10000), 0);
    assert_int_equal(b.len, 50000);
    assert_int_equal(strncmp(b.p + 49995, "9999,", 5), 0);
    assert_int_equal(b.p[b.len], '\0');
    /* Output longer than the internal scratch goes through the second path. */
    char big[1000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    dbuf_reset(&b);
    assert_int_equal(dbuf_printf(&b, "[%s]", big), 0);
    assert_int_equal(b.len, 1001);
    assert_int_equal(b.p[0], '[');
    assert_int_equal(b.p[1000], ']');
    dbuf_free(&b);
    dbuf_init(&b, 500);
    assert_int_equal(dbuf_printf(&b, "[%s]", big), ST_ELIMIT);
    assert_int_equal(b.len, 0);
    dbuf_free(&b);
}

static void test_html(void **state)
{
    (void)state;
    dbuf b;
    dbuf_init(&b, 1024);
    assert_int_equal(dbuf_add_html(&b, "<script>alert(\"x\" & 'y')</script>"), 0);
    assert_string_equal(b.p, "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;");
    dbuf_free(&b);
}

static void test_take(void **state)
{
    (void)state;
    dbuf b;
    dbuf_init(&b, 64);
    size_t n = 99;
    assert_null(dbuf_take(&b, &n));
    assert_int_equal(n, 0);
    assert_int_equal(dbuf_adds(&b, "abc"), 0);
    char *s = dbuf_take(&b, &n);
    assert_string_equal(s, "abc");
    assert_int_equal(n, 3);
    assert_null(b.p);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 64);
    free(s);
    /* Emptied after use: take returns NULL and frees the allocation. */
    assert_int_equal(dbuf_adds(&b, "abc"), 0);
    dbuf_reset(&b);
    assert_null(dbuf_take(&b, NULL));
    assert_null(b.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_growth_and_long_printf),
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_take),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
