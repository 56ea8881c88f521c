/*
 * test_jsonio.c -- unit tests of common/jsonio.c.
 *
 * Parse errors must carry FILE:LINE:COL; the validators must name the full field path, say
 * what was expected and show what was found; jv_no_unknown must catch a misspelt key and
 * list the allowed ones. Saving is checked for the exact bytes (indent 2, insertion order,
 * trailing newline) and for leaving no temporary behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonio.h"

#define assert_contains(hay, needle) \
    do { \
        if (!strstr((hay), (needle))) { \
            print_error("\"%s\" does not contain \"%s\"\n", (hay), (needle)); \
            fail(); \
        } \
    } while (0)

static char tmpdir[256];

static int group_setup(void **state)
{
    (void)state;
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/st-jsonio-XXXXXX", t && *t ? t : "/tmp");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    DIR *d = opendir(tmpdir);
    if (d) {
        struct dirent *e;
        char p[600];
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
                unlink(p);
            }
        closedir(d);
    }
    rmdir(tmpdir);
    return 0;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_load_errors(void **state)
{
    (void)state;
    char err[ST_ERRLEN], path[400], want[450];
    snprintf(path, sizeof path, "%s/bad.json", tmpdir);
    write_file(path, "{\n  \"a\": 1,\n  \"b\": tru\n}\n");
    assert_null(jsonio_load(path, err));
    snprintf(want, sizeof want, "%s:3:", path);
    assert_contains(err, want);

    write_file(path, "{\"a\": 1, \"a\": 2}");
    assert_null(jsonio_load(path, err));
    assert_contains(err, "duplicate");

    snprintf(path, sizeof path, "%s/missing.json", tmpdir);
    assert_null(jsonio_load(path, err));
    assert_contains(err, path);
    assert_contains(err, "No such file");

    assert_null(jsonio_loads("[1, 2", 5, "inline", err));
    assert_contains(err, "inline:1:");

    json_t *ok = jsonio_loads("{\"x\": [1, 2]}", 13, "ok", err);
    assert_non_null(ok);
    json_decref(ok);
}

static void test_save_and_dumps(void **state)
{
    (void)state;
    char err[ST_ERRLEN], path[400];
    snprintf(path, sizeof path, "%s/out.json", tmpdir);
    json_t *o = json_object();
    json_object_set_new(o, "zeta", json_integer(1));
    json_object_set_new(o, "alpha", json_pack("[s, b]", "x", 1));
    assert_int_equal(jsonio_save(path, o, err), 0);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char buf[256];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    assert_string_equal(buf, "{\n  \"zeta\": 1,\n  \"alpha\": [\n    \"x\",\n    true\n  ]\n}\n");
    /* Loading what was saved gives the same value back. */
    json_t *back = jsonio_load(path, err);
    assert_non_null(back);
    assert_true(json_equal(o, back));
    json_decref(back);
    char *line = jsonio_dumps_line(o);
    assert_string_equal(line, "{\"zeta\":1,\"alpha\":[\"x\",true]}");
    free(line);
    /* Only out.json is left in the directory (no temporaries). */
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    while ((e = readdir(d)))
        assert_null(strstr(e->d_name, ".tmp."));
    closedir(d);
    snprintf(path, sizeof path, "%s/nodir/out.json", tmpdir);
    assert_int_equal(jsonio_save(path, o, err), ST_EENV);
    assert_contains(err, path);
    json_decref(o);
}

static void test_paths(void **state)
{
    (void)state;
    char b[64];
    assert_string_equal(jv_path(b, sizeof b, "scenario.events", 1), "scenario.events[1]");
    assert_string_equal(jv_key(b, sizeof b, "scenario", "target"), "scenario.target");
    assert_string_equal(jv_key(b, sizeof b, "", "target"), "target");
    char tiny[8];
    assert_string_equal(jv_key(tiny, sizeof tiny, "scenario", "target"), "scenari");
    /* The parent may be the buffer itself (found by tests/fuzz: "[0]: expected an object"). */
    assert_string_equal(jv_path(b, sizeof b, jv_key(b, sizeof b, "model.routes[2]", "params"), 0),
                        "model.routes[2].params[0]");
    assert_string_equal(jv_key(b, sizeof b, b, "popularity"),
                        "model.routes[2].params[0].popularity");
    assert_string_equal(jv_path(tiny, sizeof tiny, jv_key(tiny, sizeof tiny, "a", "bcdef"), 7),
                        "a.bcdef");
}

static void test_validators(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    static const char doc[] =
        "{\"ramp\": \"abc\", \"hold\": \"2m30s\", \"rate\": \"800/s\", \"slow\": 12,"
        " \"f\": \"150%\", \"neg\": -5, \"n\": 2.5, \"i\": 3.0, \"name\": \"x\","
        " \"on\": true, \"kind\": \"burst\", \"nul\": null, \"obj\": {}, \"arr\": [1]}";
    json_t *ev = jsonio_loads(doc, strlen(doc), "t", err);
    assert_non_null(ev);
    const char *path = "a.b[1]";
    double d = -1;
    assert_int_equal(jv_duration(ev, path, "ramp", 1, &d, err), ST_EINPUT);
    assert_string_equal(err, "a.b[1].ramp: expected a duration like \"90s\", got \"abc\"");
    assert_true(d == -1);
    assert_int_equal(jv_duration(ev, path, "hold", 1, &d, err), 0);
    assert_true(d == 150);
    assert_int_equal(jv_duration(ev, path, "slow", 1, &d, err), 0);
    assert_true(d == 12);
    assert_int_equal(jv_duration(ev, path, "neg", 1, &d, err), ST_EINPUT);
    assert_contains(err, "a.b[1].neg: expected a duration");
    assert_contains(err, "got -5");
    assert_int_equal(jv_duration(ev, path, "on", 1, &d, err), ST_EINPUT);
    assert_contains(err, "got true");

    /* Absent or null: optional keeps the default, required names the path. */
    d = 42;
    assert_int_equal(jv_duration(ev, path, "missing", 0, &d, err), 0);
    assert_int_equal(jv_duration(ev, path, "nul", 0, &d, err), 0);
    assert_true(d == 42);
    assert_int_equal(jv_duration(ev, path, "missing", 1, &d, err), ST_EINPUT);
    assert_contains(err, "a.b[1].missing: missing; expected a duration");

    assert_int_equal(jv_rate(ev, path, "rate", 1, &d, err), 0);
    assert_true(d == 800);
    assert_int_equal(jv_rate(ev, path, "ramp", 1, &d, err), ST_EINPUT);
    assert_contains(err, "a.b[1].ramp: expected a rate like \"800/s\", got \"abc\"");
    assert_int_equal(jv_factor(ev, path, "f", 1, &d, err), 0);
    assert_true(fabs(d - 1.5) < 1e-12);
    assert_int_equal(jv_factor(ev, path, "neg", 1, &d, err), ST_EINPUT);
    assert_contains(err, "a.b[1].neg: expected a factor");

    assert_int_equal(jv_number(ev, path, "n", 1, 0, 10, &d, err), 0);
    assert_true(d == 2.5);
    assert_int_equal(jv_number(ev, path, "n", 1, 3, 10, &d, err), ST_EINPUT);
    assert_string_equal(err, "a.b[1].n: expected a number between 3 and 10, got 2.5");
    assert_int_equal(jv_number(ev, path, "neg", 1, 0, INFINITY, &d, err), ST_EINPUT);
    assert_string_equal(err, "a.b[1].neg: expected a number >= 0, got -5");
    assert_int_equal(jv_number(ev, path, "name", 1, -INFINITY, INFINITY, &d, err), ST_EINPUT);
    assert_string_equal(err, "a.b[1].name: expected a number, got \"x\"");

    int64_t i = 0;
    assert_int_equal(jv_int(ev, path, "i", 1, 0, 5, &i, err), 0);
    assert_int_equal(i, 3);
    assert_int_equal(jv_int(ev, path, "n", 1, 0, 5, &i, err), ST_EINPUT);
    assert_string_equal(err, "a.b[1].n: expected an integer between 0 and 5, got 2.5");
    assert_int_equal(jv_int(ev, path, "slow", 1, 0, 5, &i, err), ST_EINPUT);
    assert_contains(err, "got 12");

    const char *s = NULL;
    assert_int_equal(jv_string(ev, path, "name", 1, &s, err), 0);
    assert_string_equal(s, "x");
    assert_int_equal(jv_string(ev, path, "slow", 1, &s, err), ST_EINPUT);
    assert_string_equal(err, "a.b[1].slow: expected a string, got 12");
    int b = 0;
    assert_int_equal(jv_bool(ev, path, "on", 1, &b, err), 0);
    assert_int_equal(b, 1);
    assert_int_equal(jv_bool(ev, path, "name", 1, &b, err), ST_EINPUT);
    assert_contains(err, "a.b[1].name: expected true or false");
    json_t *o = NULL;
    assert_int_equal(jv_object(ev, path, "obj", 1, &o, err), 0);
    assert_true(json_is_object(o));
    assert_int_equal(jv_object(ev, path, "arr", 1, &o, err), ST_EINPUT);
    assert_string_equal(err, "a.b[1].arr: expected an object, got an array");
    assert_int_equal(jv_array(ev, path, "arr", 1, &o, err), 0);
    assert_int_equal(jv_array(ev, path, "obj", 1, &o, err), ST_EINPUT);
    assert_contains(err, "got an object");

    static const char *const kinds[] = {"steady", "burst", "flash", NULL};
    int k = -1;
    assert_int_equal(jv_enum(ev, path, "kind", 1, kinds, &k, err), 0);
    assert_int_equal(k, 1);
    assert_int_equal(jv_enum(ev, path, "name", 1, kinds, &k, err), ST_EINPUT);
    assert_string_equal(err,
                        "a.b[1].name: expected one of \"steady\", \"burst\", \"flash\", got \"x\"");

    /* The container itself must be an object. */
    json_t *arr = json_array();
    assert_int_equal(jv_string(arr, "top", "k", 1, &s, err), ST_EINPUT);
    assert_contains(err, "top: expected an object, got an array");
    json_decref(arr);
    json_decref(ev);
}

static void test_long_values_are_shortened(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    char big[2000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    json_t *o = json_pack("{s:s}", "ramp", big);
    double d;
    assert_int_equal(jv_duration(o, "x", "ramp", 1, &d, err), ST_EINPUT);
    assert_contains(err, "...\"");
    assert_true(strlen(err) < 120);
    json_decref(o);
}

static void test_no_unknown(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    static const char *const allowed[] = {"name", "events", "seed", NULL};
    json_t *o = json_pack("{s:s, s:[], s:i, s:s}", "name", "x", "events", "seed", 1, "_comment",
                          "fine");
    assert_int_equal(jv_no_unknown(o, "scenario", allowed, err), 0);
    json_object_set_new(o, "$schema", json_string("also fine"));
    assert_int_equal(jv_no_unknown(o, "scenario", allowed, err), 0);
    json_object_set_new(o, "evnets", json_array());
    assert_int_equal(jv_no_unknown(o, "scenario", allowed, err), ST_EINPUT);
    assert_contains(err, "scenario.evnets: unknown key");
    assert_contains(err, "did you mean \"events\"");
    assert_contains(err, "allowed: name, events, seed");
    json_object_del(o, "evnets");
    json_object_set_new(o, "completely_different", json_true());
    assert_int_equal(jv_no_unknown(o, "", allowed, err), ST_EINPUT);
    assert_contains(err, "completely_different: unknown key; allowed:");
    assert_null(strstr(err, "did you mean"));
    json_decref(o);
}

static void test_version(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    int64_t v = 0;
    json_t *o = json_pack("{s:i}", "version", 1);
    assert_int_equal(jv_version(o, "model", 2, &v, err), 0);
    assert_int_equal(v, 1);
    json_object_set_new(o, "version", json_integer(3));
    assert_int_equal(jv_version(o, "model", 2, &v, err), ST_EINPUT);
    assert_contains(err, "model.version: format version 3 is newer");
    json_object_set_new(o, "version", json_integer(0));
    assert_int_equal(jv_version(o, "model", 2, &v, err), ST_EINPUT);
    assert_contains(err, "model.version: expected an integer >= 1, got 0");
    json_object_del(o, "version");
    assert_int_equal(jv_version(o, "", 2, &v, err), ST_EINPUT);
    assert_contains(err, "version: missing");
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_save_and_dumps),
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_validators),
        cmocka_unit_test(test_long_values_are_shortened),
        cmocka_unit_test(test_no_unknown),
        cmocka_unit_test(test_version),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
