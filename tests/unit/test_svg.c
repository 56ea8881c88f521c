/*
 * test_svg.c -- unit tests of common/svg.c.
 *
 * Checks the contract the report tests rely on: every <svg> carries data-chart,
 * data-series and data-points with the number of points actually drawn; text is escaped
 * (a "<script>" title never reaches the output raw); log axes drop non-positive points and
 * count them; caps return ST_ELIMIT and leave the output buffer unchanged; and the same
 * input gives byte-identical output.
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

#include "html.h"
#include "svg.h"

#define assert_contains(hay, needle) \
    do { \
        if (!strstr((hay), (needle))) { \
            print_error("output does not contain \"%s\"\n", (needle)); \
            fail(); \
        } \
    } while (0)

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* Builds a representative plot: two line series, bars, steps, points, a shade, a hline. */
static svg_plot *sample(unsigned flags)
{
    double x[50], y1[50], y2[50];
    for (int i = 0; i < 50; i++) {
        x[i] = 1700000000.0 + i * 60;
        y1[i] = 100 + 50 * sin(i / 5.0);
        y2[i] = i * 3.5;
    }
    svg_plot *p = svg_plot_new("Arrivals <b>", "time", "req/s", 0, 0, flags);
    assert_non_null(p);
    assert_int_equal(svg_plot_series(p, "observed", x, y1, 50, SVG_LINE), 0);
    assert_int_equal(svg_plot_series(p, "model & fit", x, y2, 50, SVG_STEP), 0);
    assert_int_equal(svg_plot_series(p, "bars", x, y2, 10, SVG_BARS), 0);
    assert_int_equal(svg_plot_series(p, "dots", x, y1, 5, SVG_POINTS), 0);
    assert_int_equal(svg_plot_shade(p, x[10], x[20], "burst 1"), 0);
    assert_int_equal(svg_plot_hline(p, 180, "SLO"), 0);
    return p;
}

static void test_attributes_and_escaping(void **state)
{
    (void)state;
    svg_plot *p = sample(SVG_XTIME);
    dbuf b;
    dbuf_init(&b, 1 << 20);
    assert_int_equal(svg_plot_render(p, &b), 0);
    assert_contains(b.p, "<svg ");
    assert_contains(b.p, "data-chart=\"Arrivals &lt;b&gt;\"");
    assert_contains(b.p, "data-series=\"4\"");
    assert_contains(b.p, "data-points=\"115\"");
    assert_contains(b.p, "data-dropped=\"0\"");
    assert_contains(b.p, "model &amp; fit");
    assert_contains(b.p, "burst 1");
    assert_contains(b.p, "SLO");
    assert_contains(b.p, "(UTC)");
    assert_null(strstr(b.p, "<b>"));
    assert_int_equal(count(b.p, "<svg"), 1);
    assert_int_equal(count(b.p, "</svg>"), 1);
    assert_null(strstr(b.p, "nan"));
    assert_null(strstr(b.p, "inf"));
    assert_null(strstr(b.p, "-0.00"));
    /* 1700000000 is 22:13:20 UTC; ticks fall on whole 5 or 10 minutes. */
    assert_true(strstr(b.p, ">22:20:00<") || strstr(b.p, ">22:15:00<"));
    svg_plot_free(p);
    dbuf_free(&b);
}

static void test_script_title(void **state)
{
    (void)state;
    svg_plot *p = svg_plot_new("<script>alert(1)</script>", "x\"", "y'", 300, 200, 0);
    double x[] = {1, 2}, y[] = {3, 4};
    assert_int_equal(svg_plot_series(p, "<script>", x, y, 2, SVG_LINE), 0);
    assert_int_equal(svg_plot_shade(p, 1, 2, "</text><script>"), 0);
    dbuf b;
    dbuf_init(&b, 1 << 20);
    assert_int_equal(svg_plot_render(p, &b), 0);
    assert_null(strstr(b.p, "<script"));
    assert_contains(b.p, "&lt;script&gt;alert(1)&lt;/script&gt;");
    assert_int_equal(html_page_begin(&b, "<script>x</script>"), 0);
    assert_int_equal(html_page_end(&b), 0);
    assert_null(strstr(b.p, "<script"));
    svg_plot_free(p);
    dbuf_free(&b);
}

static void test_log_axes_drop(void **state)
{
    (void)state;
    double x[] = {-1, 0, 1, 10, 100, 1000, NAN};
    double y[] = {5, 5, 0.001, -3, 10, 1e6, 1};
    svg_plot *p = svg_plot_new("latency", "rate", "ms", 0, 0, SVG_LOGX | SVG_LOGY);
    assert_int_equal(svg_plot_series(p, "p99", x, y, 7, SVG_POINTS), 0);
    assert_int_equal(svg_plot_hline(p, -5, "impossible on log"), 0);
    dbuf b;
    dbuf_init(&b, 1 << 20);
    assert_int_equal(svg_plot_render(p, &b), 0);
    /* Kept: (1, .001), (100, 10), (1000, 1e6). Dropped: x<=0 twice, y<=0 once, NaN once. */
    assert_contains(b.p, "data-points=\"3\"");
    assert_contains(b.p, "data-dropped=\"4\"");
    assert_contains(b.p, "4 points not shown");
    assert_null(strstr(b.p, "nan"));
    assert_null(strstr(b.p, "inf"));
    assert_int_equal(count(b.p, "h0"), 3);
    svg_plot_free(p);

    /* Everything dropped still renders a valid, empty chart. */
    double yn[] = {-1, -2};
    p = svg_plot_new("empty", "", "", 0, 0, SVG_LOGY);
    assert_int_equal(svg_plot_series(p, "neg", x, yn, 2, SVG_LINE), 0);
    dbuf_reset(&b);
    assert_int_equal(svg_plot_render(p, &b), 0);
    assert_contains(b.p, "data-points=\"0\"");
    assert_null(strstr(b.p, "nan"));
    svg_plot_free(p);
    dbuf_free(&b);
}

static void test_deterministic(void **state)
{
    (void)state;
    dbuf a, c;
    dbuf_init(&a, 1 << 20);
    dbuf_init(&c, 1 << 20);
    svg_plot *p1 = sample(SVG_XTIME), *p2 = sample(SVG_XTIME);
    assert_int_equal(svg_plot_render(p1, &a), 0);
    assert_int_equal(svg_plot_render(p2, &c), 0);
    assert_int_equal(a.len, c.len);
    assert_memory_equal(a.p, c.p, a.len);
    /* A different input gives a different chart (the comparison above can fail). */
    double x[] = {0, 1}, y[] = {0, 1};
    assert_int_equal(svg_plot_series(p2, "extra", x, y, 2, SVG_LINE), 0);
    dbuf_reset(&c);
    assert_int_equal(svg_plot_render(p2, &c), 0);
    assert_true(a.len != c.len || memcmp(a.p, c.p, a.len) != 0);
    svg_plot_free(p1);
    svg_plot_free(p2);
    dbuf_free(&a);
    dbuf_free(&c);
}

static void test_caps(void **state)
{
    (void)state;
    svg_plot *p = svg_plot_new("caps", "", "", 0, 0, 0);
    double x[] = {1}, y[] = {1};
    int rc = 0;
    size_t added = 0;
    while ((rc = svg_plot_series(p, "s", x, y, 1, SVG_LINE)) == 0)
        added++;
    assert_int_equal(rc, ST_ELIMIT);
    assert_int_equal(added, 64);
    svg_plot_free(p);

    p = svg_plot_new("points", "", "", 0, 0, 0);
    size_t n = 600000;
    double *big = calloc(n, sizeof *big);
    assert_non_null(big);
    assert_int_equal(svg_plot_series(p, "a", big, big, n, SVG_POINTS), 0);
    assert_int_equal(svg_plot_series(p, "b", big, big, n, SVG_POINTS), ST_ELIMIT);
    free(big);

    /* A chart that does not fit the output cap leaves the buffer exactly as it was. */
    dbuf b;
    dbuf_init(&b, 4096);
    assert_int_equal(dbuf_adds(&b, "prefix"), 0);
    assert_int_equal(svg_plot_render(p, &b), ST_ELIMIT);
    assert_string_equal(b.p, "prefix");
    svg_plot_free(p);
    dbuf_free(&b);
}

static void test_heatmap_and_page(void **state)
{
    (void)state;
    static const char *const rows[] = {"orders", "users & co"};
    static const char *const cols[] = {"Mon", "Tue", "Wed"};
    double m[] = {0, 0.5, 1, 2, -1, NAN};
    dbuf b;
    dbuf_init(&b, 1 << 20);
    assert_int_equal(html_page_begin(&b, "Report"), 0);
    assert_int_equal(svg_heatmap(&b, "Drift", rows, cols, m, 2, 3), 0);
    assert_int_equal(html_page_end(&b), 0);
    assert_int_equal(strncmp(b.p, "<!doctype html>", 15), 0);
    assert_contains(b.p, "<meta charset=\"utf-8\">");
    assert_contains(b.p, "max-width");
    assert_contains(b.p, "system-ui");
    assert_contains(b.p, "data-chart=\"Drift\" data-series=\"2\" data-points=\"6\"");
    assert_contains(b.p, "users &amp; co");
    assert_contains(b.p, "fill=\"#ffffff\""); /* 0 -> white */
    assert_contains(b.p, "fill=\"#08306b\""); /* 1 (and 2, clamped) -> dark */
    assert_contains(b.p, "fill=\"#cccccc\""); /* NaN -> grey */
    assert_int_equal(count(b.p, "<rect"), 6);
    assert_null(strstr(b.p, "<script"));
    assert_null(strstr(b.p, "src=")); /* no external assets */
    assert_null(strstr(b.p, "href="));
    const char *end = "</main>\n</body>\n</html>\n";
    assert_string_equal(b.p + b.len - strlen(end), end);
    dbuf_free(&b);
}

static void test_linear_ticks(void **state)
{
    (void)state;
    double x[] = {0, 10}, y[] = {0.13, 0.87};
    svg_plot *p = svg_plot_new("ticks", "x", "y", 0, 0, 0);
    assert_int_equal(svg_plot_series(p, "s", x, y, 2, SVG_LINE), 0);
    dbuf b;
    dbuf_init(&b, 1 << 20);
    assert_int_equal(svg_plot_render(p, &b), 0);
    /* Y ticks are whole steps of 0.2 from 0 to 1, labelled with one decimal. */
    assert_contains(b.p, ">0.0</text>");
    assert_contains(b.p, ">0.4</text>");
    assert_contains(b.p, ">1.0</text>");
    assert_null(strstr(b.p, ">0.3</text>"));
    svg_plot_free(p);
    dbuf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attributes_and_escaping),
        cmocka_unit_test(test_script_title),
        cmocka_unit_test(test_log_axes_drop),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_heatmap_and_page),
        cmocka_unit_test(test_linear_ticks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
