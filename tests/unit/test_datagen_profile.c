/*
 * test_datagen_profile.c -- statistics into generators (profile.c), masking, and the
 * fidelity metrics (fidelity.c), on hand-built pg_stats without a server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fidelity.h"
#include "profile.h"

static char *mcv_cat[] = {"Rock", "Jazz", "Metal"};
static double mcf_cat[] = {0.5, 0.2, 0.1};
static char *hist_cat[] = {"Blues", "Latin", "Pop", "Soundtrack"};
static char *hist_id[] = {"1", "50", "100"};
static char *hist_price[] = {"0.99", "1.99", "5.00", "9.99"};
static char *hist_ts[] = {"2009-01-01 00:00:00", "2010-06-01 12:00:00", "2013-12-22 00:00:00"};
static char *mcv_fk[] = {"7", "3"};
static double mcf_fk[] = {0.3, 0.1};
static char *hist_fk[] = {"1", "20", "40", "60", "80", "100"};

/* One parent (artist: 100 rows, dense ids 1..100) and one child (album). */
static pgs_db *make_db(void)
{
    static pgs_col acols[2], bcols[5];
    static pgs_table t[2];
    static pgs_db db;
    static char *pk_a[] = {"id"}, *pk_b[] = {"id"}, *fk_cols[] = {"artist_id"}, *fk_ref[] = {"id"};
    static pgs_fk fk;
    memset(acols, 0, sizeof acols);
    memset(bcols, 0, sizeof bcols);
    memset(t, 0, sizeof t);
    acols[0] = (pgs_col){.name = "id",
                         .type = "integer",
                         .has_stats = 1,
                         .n_distinct = -1,
                         .correlation = 1,
                         .has_corr = 1,
                         .avg_width = 4,
                         .hist = hist_id,
                         .nhist = 3};
    acols[1] = (pgs_col){.name = "name",
                         .type = "character varying(120)",
                         .has_stats = 1,
                         .n_distinct = -1,
                         .avg_width = 13,
                         .hist = hist_cat,
                         .nhist = 4};
    bcols[0] = (pgs_col){.name = "id",
                         .type = "integer",
                         .has_stats = 1,
                         .n_distinct = -1,
                         .correlation = 1,
                         .has_corr = 1,
                         .avg_width = 4,
                         .hist = hist_id,
                         .nhist = 3};
    bcols[1] = (pgs_col){.name = "genre",
                         .type = "text",
                         .has_stats = 1,
                         .n_distinct = 25,
                         .null_frac = 0.1,
                         .avg_width = 6,
                         .mcv = mcv_cat,
                         .mcf = mcf_cat,
                         .nmcv = 3,
                         .hist = hist_cat,
                         .nhist = 4};
    bcols[2] = (pgs_col){.name = "price",
                         .type = "numeric(10,2)",
                         .has_stats = 1,
                         .n_distinct = -0.5,
                         .avg_width = 6,
                         .hist = hist_price,
                         .nhist = 4,
                         .correlation = 0.1,
                         .has_corr = 1};
    bcols[3] = (pgs_col){.name = "released",
                         .type = "timestamp without time zone",
                         .has_stats = 1,
                         .n_distinct = -1,
                         .avg_width = 8,
                         .hist = hist_ts,
                         .nhist = 3,
                         .correlation = 0.9,
                         .has_corr = 1};
    bcols[4] = (pgs_col){.name = "artist_id",
                         .type = "integer",
                         .has_stats = 1,
                         .n_distinct = 90,
                         .avg_width = 4,
                         .mcv = mcv_fk,
                         .mcf = mcf_fk,
                         .nmcv = 2,
                         .hist = hist_fk,
                         .nhist = 6,
                         .correlation = 0.05,
                         .has_corr = 1};
    fk = (pgs_fk){
        .name = "fk", .cols = {fk_cols, 1}, .ref_table = "artist", .ref_cols = {fk_ref, 1}};
    t[0] = (pgs_table){.name = "artist",
                       .reltuples = 100,
                       .relpages = 1,
                       .cols = acols,
                       .ncols = 2,
                       .pk = {pk_a, 1}};
    t[1] = (pgs_table){.name = "album",
                       .reltuples = 1000,
                       .relpages = 8,
                       .cols = bcols,
                       .ncols = 5,
                       .pk = {pk_b, 1},
                       .fks = &fk,
                       .nfks = 1};
    db = (pgs_db){.schema = "public", .t = t, .nt = 2};
    return &db;
}

static json_t *col(json_t *shape, int ti, int ci)
{
    return json_array_get(
        json_object_get(json_array_get(json_object_get(shape, "tables"), ti), "columns"), ci);
}

static const char *kind(json_t *c)
{
    return json_string_value(json_object_get(json_object_get(c, "gen"), "kind"));
}

static void test_generators(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    profile_opts o = {.seed = 7};
    json_t *sh = profile_build(make_db(), &o, err);
    assert_non_null(sh);
    /* Lookup table: fixed; keys: sequences from the histogram's lower bound. */
    json_t *artist = json_array_get(json_object_get(sh, "tables"), 0);
    assert_string_equal(json_string_value(json_object_get(artist, "scale")), "fixed");
    assert_string_equal(kind(col(sh, 0, 0)), "sequence");
    /* MCVs at their frequencies over non-null rows, the rest as text. */
    json_t *g = json_object_get(col(sh, 1, 1), "gen");
    assert_string_equal(kind(col(sh, 1, 1)), "categorical");
    assert_string_equal(json_string_value(json_array_get(json_object_get(g, "values"), 0)), "Rock");
    assert_true(fabs(json_number_value(json_array_get(json_object_get(g, "weights"), 0)) -
                     0.5 / 0.9) < 1e-4);
    assert_string_equal(json_string_value(json_object_get(json_object_get(g, "rest"), "kind")),
                        "text");
    /* Histogram with n_distinct kept as a fraction (it scales). */
    assert_string_equal(kind(col(sh, 1, 2)), "histogram");
    assert_true(json_number_value(json_object_get(col(sh, 1, 2), "n_distinct")) == -0.5);
    /* Timestamps as ISO 8601 with their correlation. */
    json_t *b = json_object_get(json_object_get(col(sh, 1, 3), "gen"), "bounds");
    assert_string_equal(json_string_value(json_array_get(b, 1)), "2010-06-01T12:00:00Z");
    assert_true(json_number_value(json_object_get(col(sh, 1, 3), "correlation")) > 0.89);
    /* The FK keeps its skew over the dense parent ids. */
    assert_string_equal(kind(col(sh, 1, 4)), "categorical");
    json_decref(sh);
}

static int contains(json_t *sh, const char *needle)
{
    char *s = json_dumps(sh, 0);
    int r = strstr(s, needle) != NULL;
    free(s);
    return r;
}

static void test_mask(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    profile_opts o = {.seed = 7, .mask = 1};
    json_t *sh = profile_build(make_db(), &o, err);
    assert_non_null(sh);
    /* clang-format off */
    const char *secret[] = {"Rock", "Jazz", "Metal", "Blues", "Latin", "Soundtrack", "9.99",
                            "2010-06-01"};
    /* clang-format on */
    for (size_t i = 0; i < sizeof secret / sizeof secret[0]; i++)
        assert_false(contains(sh, secret[i]));
    /* Order and equality: MCV codes sort as the values did. */
    json_t *v = json_object_get(json_object_get(col(sh, 1, 1), "gen"), "values");
    const char *rock = json_string_value(json_array_get(v, 0)),
               *jazz = json_string_value(json_array_get(v, 1)),
               *metal = json_string_value(json_array_get(v, 2));
    assert_true(strcmp(jazz, metal) < 0 && strcmp(metal, rock) < 0);
    /* Masked FK values are renumbered parent ids: 7 -> 7 (ids start at 1 already). */
    json_t *fv = json_object_get(json_object_get(col(sh, 1, 4), "gen"), "values");
    assert_int_equal(json_integer_value(json_array_get(fv, 0)), 7);
    json_decref(sh);
    /* Unmasked, the literals are there (the grep above can fail). */
    o.mask = 0;
    sh = profile_build(make_db(), &o, err);
    assert_true(contains(sh, "Rock") && contains(sh, "Jazz") && contains(sh, "9.99"));
    json_decref(sh);
}

static void test_fidelity(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    int rc;
    profile_opts o = {.seed = 7};
    pgs_db *db = make_db();
    json_t *sh = profile_build(db, &o, err);
    fid_opts fo = {.scale = 1, .tol_factor = 1, .sample_rows = 30000};
    /* The source against its own profile: everything within tolerance. */
    fid_report *r = fid_compare(sh, db, &fo, &rc, err);
    assert_non_null(r);
    assert_int_equal(r->failed, 0);
    fid_report_free(r);
    /* Twice the rows, a different null share and top frequency: three failures. */
    db->t[1].reltuples = 2000;
    db->t[1].cols[1].null_frac = 0.3;
    db->t[1].cols[1].mcf[0] = 0.3;
    r = fid_compare(sh, db, &fo, &rc, err);
    assert_non_null(r);
    int rows_bad = 0, null_bad = 0, mcv_bad = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (!strcmp(r->lines[i].table, "album") && !r->lines[i].column[0])
            rows_bad = !r->lines[i].m[FM_ROWS].ok;
        if (!strcmp(r->lines[i].column, "genre")) {
            null_bad = !r->lines[i].m[FM_NULL].ok;
            mcv_bad = !r->lines[i].m[FM_MCV].ok;
        }
    }
    assert_true(rows_bad && null_bad && mcv_bad);
    fid_report_free(r);
    /* ...which is within tolerance again at --scale 2 for the row count. */
    fo.scale = 2;
    r = fid_compare(sh, db, &fo, &rc, err);
    assert_string_equal(r->lines[3].table, "album");
    assert_true(r->lines[3].m[FM_ROWS].present && r->lines[3].m[FM_ROWS].ok);
    fid_report_free(r);
    mcf_cat[0] = 0.5;
    json_decref(sh);
}

static void test_axis(void **state)
{
    (void)state;
    double v;
    assert_int_equal(profile_axis(PC_DATE, "1970-01-02", &v), 0);
    assert_true(v == 86400);
    assert_int_equal(profile_axis(PC_TS, "2000-01-01T00:00:10Z", &v), 0);
    assert_true(v == 946684810);
    assert_int_equal(profile_axis(PC_TEXT, "x", &v), -1);
    assert_int_equal(profile_type_class("character varying(5)"), PC_TEXT);
    assert_int_equal(profile_type_class("timestamp with time zone"), PC_TSTZ);
    assert_int_equal(profile_type_class("bigint"), PC_INT);
}

/* A unique integer key column with a 3-bound histogram. */
static pgs_col id_col(char **hist)
{
    return (pgs_col){.name = "id",
                     .type = "integer",
                     .has_stats = 1,
                     .n_distinct = -1,
                     .avg_width = 4,
                     .hist = hist,
                     .nhist = 3};
}

/* A text column of 977 values in 40,000 rows with five minor MCVs (addresses.street of
 * tests/integ/datagen_extstats): its {row} text rest would give every row a value of its
 * own, so the profile folds it to the source's n_distinct. */
static void test_row_text_fold(void **state)
{
    (void)state;
    static char *mcv[] = {"Street 10", "Street 209", "Street 294", "Street 346", "Street 357"};
    static double mcf[] = {0.00127, 0.00127, 0.00127, 0.00127, 0.00127};
    static char *pk[] = {"id"};
    pgs_col cols[2] = {{.name = "id",
                        .type = "integer",
                        .has_stats = 1,
                        .n_distinct = -1,
                        .avg_width = 4,
                        .hist = hist_id,
                        .nhist = 3},
                       {.name = "street",
                        .type = "text",
                        .has_stats = 1,
                        .n_distinct = 977,
                        .avg_width = 10,
                        .mcv = mcv,
                        .mcf = mcf,
                        .nmcv = 5}};
    pgs_table t = {.name = "addresses",
                   .reltuples = 40000,
                   .relpages = 300,
                   .cols = cols,
                   .ncols = 2,
                   .pk = {pk, 1}};
    pgs_db db = {.schema = "public", .t = &t, .nt = 1};
    char err[ST_ERRLEN];
    profile_opts o = {.seed = 7};
    json_t *sh = profile_build(&db, &o, err);
    assert_non_null(sh);
    json_t *g = json_object_get(col(sh, 0, 1), "gen");
    assert_string_equal(json_string_value(json_object_get(json_object_get(g, "rest"), "pattern")),
                        "{words} {row}");
    assert_true(json_number_value(json_object_get(col(sh, 0, 1), "n_distinct")) == 977);
    json_decref(sh);
}

/* A junction (order_id, product_id) whose product ids are literal (MCVs covering every
 * product): kept as the primary key with `distinct` spreading over `products` at --scale,
 * but left a plain index, with a note, when products is a fixed-size lookup table. */
static void junction_case(double product_rows, int want_distinct)
{
    static char *ord_hist[] = {"1", "1", "1", "2", "2", "3", "3", "3", "4", "5"};
    static double ord_mcf[] = {0.3, 0.2};
    static char *ord_mcv[] = {"1", "3"};
    static char *prod_mcv[] = {"1", "2", "3", "4", "5"};
    static double prod_mcf[] = {0.3, 0.25, 0.2, 0.15, 0.1};
    static char *pk_o[] = {"id"}, *pk_l[] = {"order_id", "product_id"};
    static char *fo[] = {"order_id"}, *fp[] = {"product_id"}, *fr[] = {"id"};
    pgs_col ocols[1] = {id_col(hist_id)};
    static char *hist_big[] = {"1", "250", "500"}, *hist_small[] = {"1", "3", "5"};
    pgs_col pcols[1] = {id_col(product_rows > 100 ? hist_big : hist_small)};
    pgs_col lcols[2] = {{.name = "order_id",
                         .type = "integer",
                         .has_stats = 1,
                         .n_distinct = -0.4,
                         .correlation = 1,
                         .has_corr = 1,
                         .avg_width = 4,
                         .mcv = ord_mcv,
                         .mcf = ord_mcf,
                         .nmcv = 2,
                         .hist = ord_hist,
                         .nhist = 10},
                        {.name = "product_id",
                         .type = "integer",
                         .has_stats = 1,
                         .n_distinct = 5,
                         .avg_width = 4,
                         .mcv = prod_mcv,
                         .mcf = prod_mcf,
                         .nmcv = 5}};
    pgs_fk fks[2] = {{.name = "fo", .cols = {fo, 1}, .ref_table = "orders", .ref_cols = {fr, 1}},
                     {.name = "fp", .cols = {fp, 1}, .ref_table = "products", .ref_cols = {fr, 1}}};
    pgs_table t[3] = {{.name = "orders",
                       .reltuples = 400,
                       .relpages = 4,
                       .cols = ocols,
                       .ncols = 1,
                       .pk = {pk_o, 1}},
                      {.name = "products",
                       .reltuples = product_rows,
                       .relpages = 1,
                       .cols = pcols,
                       .ncols = 1,
                       .pk = {pk_o, 1}},
                      {.name = "lines",
                       .reltuples = 1000,
                       .relpages = 8,
                       .cols = lcols,
                       .ncols = 2,
                       .pk = {pk_l, 2},
                       .fks = fks,
                       .nfks = 2}};
    pgs_db db = {.schema = "public", .t = t, .nt = 3};
    char err[ST_ERRLEN];
    profile_opts o = {.seed = 7};
    json_t *sh = profile_build(&db, &o, err);
    assert_non_null(sh);
    json_t *g = json_object_get(col(sh, 2, 1), "gen");
    json_t *lines = json_array_get(json_object_get(sh, "tables"), 2);
    if (want_distinct) {
        assert_string_equal(kind(col(sh, 2, 1)), "distinct");
        assert_string_equal(json_string_value(json_object_get(g, "table")), "products");
        assert_string_equal(json_string_value(json_object_get(g, "column")), "id");
        assert_int_equal(json_array_size(json_object_get(lines, "primary_key")), 2);
    } else {
        assert_string_equal(kind(col(sh, 2, 1)), "categorical");
        assert_null(json_object_get(lines, "primary_key"));
        json_t *notes = json_object_get(sh, "_notes");
        int seen = 0;
        for (size_t i = 0; i < json_array_size(notes); i++)
            seen |= strstr(json_string_value(json_array_get(notes, i)), "keeps its 5 rows") != NULL;
        assert_true(seen);
    }
    json_decref(sh);
}

static void test_junction_literal(void **state)
{
    (void)state;
    junction_case(500, 1); /* products scales with --scale: the key is kept */
    junction_case(5, 0);   /* a 5-row lookup table stays 5 rows: a plain index */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generators),    cmocka_unit_test(test_mask),
        cmocka_unit_test(test_fidelity),      cmocka_unit_test(test_axis),
        cmocka_unit_test(test_row_text_fold), cmocka_unit_test(test_junction_literal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
