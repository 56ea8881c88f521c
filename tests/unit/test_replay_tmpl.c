/*
 * test_replay_tmpl.c -- unit tests of replay/tmpl.c: placeholders vs literal braces (JSON
 * bodies), feeder draws that also set the session variable, unset variables in plan mode,
 * unknown placeholders, and the buffer cap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tmpl.h"

static void names_init(tmpl_names *nm)
{
    memset(nm, 0, sizeof *nm);
    nm->feeders[0] = "products";
    nm->n_feeders = 1;
    assert_int_equal(tmpl_var_index(nm, "products"), 0);
}

static void test_render(void **state)
{
    (void)state;
    tmpl_names nm;
    tmpl t;
    tmpl_vars *vp = tmpl_vars_new(2);
    char err[ST_ERRLEN], out[256];
    const char *draws[] = {"183204"};
    names_init(&nm);
    assert_non_null(vp);
#define vars (*vp)
    assert_int_equal(tmpl_compile(&t, "/p/{products}?s={session}&n={seq}", &nm, "x", err), 0);
    assert_int_equal(t.n_feeders, 1);
    tmpl_ctx c = {&vars, &nm, draws, 1, 0, 0xabcULL, 3, 0};
    assert_true(tmpl_render(&t, &c, out, sizeof out) > 0);
    assert_string_equal(out, "/p/183204?s=0000000000000abc&n=3");
    assert_true(vars.set[0]);
    assert_string_equal(vars.val[0], "183204");
    tmpl_term(&t);

    /* JSON braces are literal; {$products} reuses the draw; {$cart} is unset. */
    assert_int_equal(
        tmpl_compile(&t, "{\"id\": {$products}, \"cart\": \"{$cart}\"}", &nm, "b", err), 0);
    tmpl_ctx c2 = {&vars, &nm, NULL, 0, 0, 1, 0, 1};
    assert_true(tmpl_render(&t, &c2, out, sizeof out) > 0);
    assert_string_equal(out, "{\"id\": 183204, \"cart\": \"{$cart}\"}");
    c2.plan_mode = 0;
    assert_true(tmpl_render(&t, &c2, out, sizeof out) > 0);
    assert_string_equal(out, "{\"id\": 183204, \"cart\": \"\"}");
    /* The cap: a truncated render is an error, never an overflow. */
    assert_int_equal(tmpl_render(&t, &c2, out, 8), ST_ELIMIT);
    assert_int_equal(strlen(out), 7);
    tmpl_term(&t);
#undef vars
    free(vp);
}

static void test_unknown(void **state)
{
    (void)state;
    tmpl_names nm;
    tmpl t;
    char err[ST_ERRLEN];
    names_init(&nm);
    assert_int_equal(tmpl_compile(&t, "/p/{product}", &nm, "scenario.routes.x.path", err),
                     ST_EINPUT);
    assert_non_null(strstr(err, "scenario.routes.x.path: unknown placeholder {product}"));
    assert_int_equal(tmpl_compile(&t, "{ not a placeholder } {}", &nm, "p", err), 0);
    assert_int_equal(t.n_feeders, 0);
    tmpl_term(&t);
    tmpl_term(&t); /* safe twice */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
