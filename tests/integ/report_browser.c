/*
 * report_browser.c -- writes a small report page with common/svg.h (html_page_begin, plots,
 * the thresholds table, html_page_end) and the matching results.json, so that the browser
 * harness (report_browser.sh) is proven before `replay report` exists.
 *
 * Usage: report_browser OUTDIR [--empty-chart | --wrong-threshold]
 * Writes OUTDIR/report.html and OUTDIR/results.json. The two flags break the page on purpose
 * (a chart without data; a table row whose verdict disagrees with results.json) so the
 * harness's self-test can show that it fails when it should.
 *
 * The thresholds table follows the contract the harness checks (report_browser.sh):
 *   <table id="thresholds"> ... <tr data-expr="EXPR" data-pass="true|false"> per threshold,
 *   in the order of results.json "thresholds": [{"expr": EXPR, "pass": BOOL, ...}].
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "afile.h"
#include "dbuf.h"
#include "html.h"
#include "jsonio.h"
#include "svg.h"

#define N 120

static int chart(dbuf *out, const char *title, const char *ylabel, const char *const *names,
                 double (*f)(int s, int i), int nseries, int empty)
{
    static double x[N], y[N];
    svg_plot *p = svg_plot_new(title, "time", ylabel, 0, 0, SVG_XTIME);
    if (!p)
        return ST_ENOMEM;
    int rc = 0;
    for (int s = 0; s < nseries && !rc; s++) {
        for (int i = 0; i < N; i++) {
            x[i] = 1795650000.0 + i;
            y[i] = f(s, i);
        }
        rc = svg_plot_series(p, names[s], x, y, empty ? 0 : N, SVG_LINE);
    }
    if (!rc)
        rc = svg_plot_shade(p, 1795650000.0 + 40, 1795650000.0 + 70, "flash crowd");
    if (!rc)
        rc = svg_plot_render(p, out);
    svg_plot_free(p);
    return rc;
}

static double arrivals(int s, int i)
{
    double base = 200 + (i >= 40 && i < 70 ? 600 : 0);
    return s == 0 ? base : base * (0.97 + 0.02 * sin(i / 5.0));
}

static double latency(int s, int i)
{
    double q[] = {40, 120, 260};
    return q[s] * (1 + (i >= 40 && i < 70 ? 1.5 : 0) + 0.1 * sin(i / 3.0));
}

static double dbconn(int s, int i)
{
    double busy = i >= 40 && i < 70;
    return s == 0 ? 10 + 30 * busy : s == 1 ? 30 - 20 * busy : 2 + 6 * busy;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: report_browser OUTDIR [--empty-chart | --wrong-threshold]\n");
        return 2;
    }
    int empty = argc > 2 && !strcmp(argv[2], "--empty-chart");
    int wrong = argc > 2 && !strcmp(argv[2], "--wrong-threshold");
    /* clang-format off */
    static const struct { const char *expr, *shown; int pass; double value; } thr[] = {
        {"p95(latency{route=\"/products/{id}\"}) < 300ms", "212ms", 1, 212000},
        {"rate(errors) < 1%", "1.8%", 0, 0.018},
        {"max(db.waiting) < 5", "3", 1, 3},
    };
    /* clang-format on */
    dbuf out;
    dbuf_init(&out, 4u << 20);
    static const char *const arr[] = {"target", "achieved"};
    static const char *const lat[] = {"p50", "p95", "p99"};
    static const char *const db[] = {"active", "idle", "idle in transaction"};
    int rc = html_page_begin(&out, "Stampede harness page: shop-campaign");
    rc = rc ? rc
            : dbuf_adds(&out, "<p class=\"muted\">seed 1 &middot; segments 1/1</p>\n"
                              "<h2>Arrivals</h2>\n");
    rc = rc ? rc : chart(&out, "Arrivals per second", "req/s", arr, arrivals, 2, 0);
    rc = rc ? rc : dbuf_adds(&out, "<h2>Latency</h2>\n");
    rc = rc ? rc : chart(&out, "Latency", "ms", lat, latency, 3, 0);
    rc = rc ? rc : dbuf_adds(&out, "<h2>Database</h2>\n");
    rc = rc ? rc : chart(&out, "DB connections by state", "backends", db, dbconn, 3, empty);
    rc = rc ? rc
            : dbuf_adds(&out, "<h2>Thresholds</h2>\n<table id=\"thresholds\"><thead><tr>"
                              "<th>threshold</th><th class=\"n\">measured</th>"
                              "<th>result</th></tr></thead><tbody>\n");
    json_t *res = json_pack("{s:s,s:i,s:i,s:[]}", "format", "stampede-results", "version", 1,
                            "seed", 1, "thresholds");
    for (size_t i = 0; i < sizeof thr / sizeof thr[0] && !rc && res; i++) {
        int shown_pass = wrong && i == 1 ? !thr[i].pass : thr[i].pass;
        rc = dbuf_adds(&out, "<tr data-expr=\"");
        rc = rc ? rc : dbuf_add_html(&out, thr[i].expr);
        rc = rc ? rc
                : dbuf_printf(&out, "\" data-pass=\"%s\"><td><code>",
                              shown_pass ? "true" : "false");
        rc = rc ? rc : dbuf_add_html(&out, thr[i].expr);
        rc = rc ? rc
                : dbuf_printf(&out,
                              "</code></td><td class=\"n\">%s</td><td class=\"%s\">"
                              "%s</td></tr>\n",
                              thr[i].shown, shown_pass ? "ok" : "bad",
                              shown_pass ? "pass" : "FAIL");
        rc = rc ? rc
                : json_array_append_new(json_object_get(res, "thresholds"),
                                        json_pack("{s:s,s:b,s:f}", "expr", thr[i].expr, "pass",
                                                  thr[i].pass, "value", thr[i].value));
    }
    rc = rc ? rc : dbuf_adds(&out, "</tbody></table>\n");
    rc = rc ? rc : html_page_end(&out);
    char path[4096], err[ST_ERRLEN] = "";
    if (!rc && res) {
        snprintf(path, sizeof path, "%s/report.html", argv[1]);
        rc = afile_write_all(path, out.p, out.len, err);
    }
    if (!rc && res) {
        snprintf(path, sizeof path, "%s/results.json", argv[1]);
        rc = jsonio_save(path, res, err);
    }
    json_decref(res);
    dbuf_free(&out);
    if (rc || !res) {
        fprintf(stderr, "report_browser: cannot write the page: %s (rc %d)\n", err, rc);
        return 3;
    }
    return 0;
}
