/*
 * test_datagen_extstats.c -- extended statistics in a profile (extstats.c) on hand-built
 * catalogs and statistics, without a server.
 *
 * What is checked: a chain of functional dependencies city -> region -> country is planned
 * as that chain (the determinant with the fewest values among equal degrees, no cycle from
 * the weaker reverse dependency), the implied and multi-column dependencies count as
 * reproduced and the weak one does not (with a note); a key column is never rewritten; an
 * mcv list over (status, channel) becomes a switch whose case values are the determinant's
 * own categorical values, masked under --mask with no source literal left; the profile
 * loads as a shape and its statistics objects are recreated by fill's DDL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddl.h"
#include "jsonio.h"
#include "profile.h"
#include "shape.h"

static char *mcv_country[] = {"C0", "C1"};
static double mcf_country[] = {0.6, 0.4};
static char *mcv_region[] = {"R0", "R1", "R2", "R3"};
static double mcf_region[] = {0.4, 0.2, 0.25, 0.15};
static char *mcv_city[] = {"K0", "K1", "K2", "K3", "K4", "K5", "K6", "K7"};
static double mcf_city[] = {0.2, 0.2, 0.1, 0.1, 0.15, 0.1, 0.1, 0.05};
static char *mcv_status[] = {"paid", "open", "void"};
static double mcf_status[] = {0.6, 0.3, 0.1};
static char *mcv_channel[] = {"web", "shop"};
static double mcf_channel[] = {0.7, 0.3};
static char *hist_id[] = {"1", "5000", "10000"};

static pgs_col text_col(const char *name, char **mcv, double *mcf, size_t n)
{
    return (pgs_col){.name = (char *)name,
                     .type = "text",
                     .has_stats = 1,
                     .n_distinct = (double)n,
                     .avg_width = 3,
                     .mcv = mcv,
                     .mcf = mcf,
                     .nmcv = n};
}

/* addr(id, country, region, city) with dependencies; orders(id, status, channel) with mcv. */
static pgs_db *make_db(void)
{
    static pgs_col ac[4], oc[3];
    static pgs_table t[2];
    static pgs_db db;
    static pgs_ext ea, eo;
    static char *pk[] = {"id"}, *acols[] = {"country", "region", "city"};
    static char *ocols[] = {"status", "channel"};
    static short aatt[] = {2, 3, 4}, oatt[] = {2, 3};
    /* (paid, web) (open, web) (paid, shop) (void, shop): row-major, status then channel. */
    static char *omcv[] = {"paid", "web", "open", "web", "paid", "shop", "void", "shop"};
    static char *onull[] = {"false", "false", "false", "false", "false", "false", "false", "false"};
    static double omcf[] = {0.5, 0.2, 0.1, 0.1};
    pgs_col id = {.name = "id",
                  .type = "integer",
                  .has_stats = 1,
                  .n_distinct = -1,
                  .avg_width = 4,
                  .hist = hist_id,
                  .nhist = 3};
    ac[0] = oc[0] = id;
    ac[1] = text_col("country", mcv_country, mcf_country, 2);
    ac[2] = text_col("region", mcv_region, mcf_region, 4);
    ac[3] = text_col("city", mcv_city, mcf_city, 8);
    oc[1] = text_col("status", mcv_status, mcf_status, 3);
    oc[2] = text_col("channel", mcv_channel, mcf_channel, 2);
    ea = (pgs_ext){.name = "addr_deps",
                   .schema = "public",
                   .def = "CREATE STATISTICS public.addr_deps (dependencies) ON country, "
                          "region, city FROM public.addr",
                   .kinds = "f",
                   .cols = {acols, 3},
                   .attnums = aatt,
                   .has_data = 1,
                   .dependencies = "{\"3 => 2\": 1.000000, \"4 => 2\": 1.000000, \"4 => 3\": "
                                   "1.000000, \"2 => 3\": 0.300000, \"2, 4 => 3\": 1.000000, "
                                   "\"2 => 1\": 1.0}"};
    eo = (pgs_ext){.name = "orders_sc",
                   .schema = "public",
                   .def = "CREATE STATISTICS public.orders_sc (mcv) ON status, channel FROM "
                          "public.orders",
                   .kinds = "m",
                   .cols = {ocols, 2},
                   .attnums = oatt,
                   .has_data = 1,
                   .mcv = omcv,
                   .mcv_null = onull,
                   .nmcv_cells = 8,
                   .mcf = omcf,
                   .nmcv = 4};
    t[0] = (pgs_table){.name = "addr",
                       .reltuples = 10000,
                       .relpages = 50,
                       .cols = ac,
                       .ncols = 4,
                       .pk = {pk, 1},
                       .ext = &ea,
                       .next = 1};
    t[1] = (pgs_table){.name = "orders",
                       .reltuples = 10000,
                       .relpages = 50,
                       .cols = oc,
                       .ncols = 3,
                       .pk = {pk, 1},
                       .ext = &eo,
                       .next = 1};
    db = (pgs_db){.schema = "public", .t = t, .nt = 2};
    return &db;
}

static json_t *column(json_t *sh, int ti, const char *name)
{
    json_t *cols = json_object_get(json_array_get(json_object_get(sh, "tables"), ti), "columns");
    for (size_t i = 0; i < json_array_size(cols); i++)
        if (!strcmp(json_string_value(json_object_get(json_array_get(cols, i), "name")), name))
            return json_array_get(cols, i);
    fail_msg("no column %s", name);
    return NULL;
}

static const char *on_of(json_t *c)
{
    return json_string_value(json_object_get(json_object_get(c, "gen"), "on"));
}

static json_t *profile(int mask)
{
    char err[ST_ERRLEN];
    profile_opts o = {.mask = mask, .seed = 42};
    json_t *sh = profile_build(make_db(), &o, err);
    if (!sh)
        fail_msg("%s", err);
    return sh;
}

static void test_dependency_chain(void **state)
{
    (void)state;
    json_t *sh = profile(0);
    assert_string_equal(on_of(column(sh, 0, "country")), "region");
    assert_string_equal(on_of(column(sh, 0, "region")), "city");
    assert_null(json_object_get(column(sh, 0, "city"), "_extstats"));
    assert_null(json_object_get(column(sh, 0, "id"), "_extstats")); /* a key: never */
    json_t *st = json_array_get(
        json_object_get(json_array_get(json_object_get(sh, "tables"), 0), "statistics"), 0);
    assert_string_equal(json_string_value(json_object_get(st, "on")), "country, region, city");
    /* 3 => 2, 4 => 2 (implied), 4 => 3, 2, 4 => 3 (implied): reproduced; 2 => 3 (0.3, the
     * reverse) not; 2 => 1 names a key outside the columns (as an expression): not. */
    json_t *miss = json_object_get(st, "_not_reproduced");
    assert_int_equal(json_array_size(json_object_get(st, "_reproduced")), 3);
    assert_int_equal(json_array_size(miss), 2);
    char *notes = json_dumps(json_object_get(sh, "_notes"), 0);
    assert_non_null(strstr(notes, "4 of 6 dependencies"));
    free(notes);
    json_decref(sh);
}

/* The profile loads as a shape, and fill's DDL recreates the objects. */
static void test_loads_and_ddl(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    for (int mask = 0; mask <= 1; mask++) {
        json_t *j = profile(mask);
        shape *sh = shape_from_json(j, "profile", err);
        json_decref(j);
        if (!sh)
            fail_msg("%s", err);
        assert_int_equal(shape_resolve(sh, 1, NULL, 0, 42, err), 0);
        size_t n = 0, found = 0;
        ddl_step *s = ddl_steps(sh, &n);
        assert_non_null(s);
        for (size_t i = 0; i < n; i++)
            if (s[i].kind == DDL_STATS) {
                found++;
                assert_true(!strcmp(s[i].sql, "CREATE STATISTICS IF NOT EXISTS \"addr_deps\" "
                                              "(dependencies) ON country, region, city FROM "
                                              "\"addr\"") ||
                            !strcmp(s[i].sql, "CREATE STATISTICS IF NOT EXISTS \"orders_sc\" "
                                              "(mcv) ON status, channel FROM \"orders\""));
            }
        assert_int_equal(found, 2);
        ddl_steps_free(s, n);
        shape_free(sh);
    }
}

static void test_mcv_masked(void **state)
{
    (void)state;
    json_t *sh = profile(0);
    json_t *st = column(sh, 1, "status"), *g = json_object_get(st, "gen");
    assert_string_equal(json_string_value(json_object_get(g, "kind")), "switch");
    assert_string_equal(on_of(st), "channel");
    /* P(status = paid | web) = 0.5 / 0.7. */
    json_t *c0 = json_array_get(json_object_get(g, "cases"), 0);
    assert_string_equal(json_string_value(json_object_get(json_object_get(c0, "when"), "eq")),
                        "web");
    json_t *w = json_object_get(json_object_get(c0, "gen"), "weights");
    assert_true(json_real_value(json_array_get(w, 0)) > 0.71 &&
                json_real_value(json_array_get(w, 0)) < 0.72);
    json_decref(sh);
    sh = profile(1);
    char *text = json_dumps(json_array_get(json_object_get(sh, "tables"), 1), 0);
    for (int i = 0; i < 3; i++)
        assert_null(strstr(text, mcv_status[i]));
    assert_null(strstr(text, "\"web\""));
    free(text);
    json_t *ch = json_object_get(json_object_get(column(sh, 1, "channel"), "gen"), "values");
    g = json_object_get(column(sh, 1, "status"), "gen");
    json_t *eq = json_object_get(
        json_object_get(json_array_get(json_object_get(g, "cases"), 0), "when"), "eq");
    assert_true(json_equal(eq, json_array_get(ch, 0))); /* the masked "web" */
    json_decref(sh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dependency_chain),
        cmocka_unit_test(test_loads_and_ddl),
        cmocka_unit_test(test_mcv_masked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
