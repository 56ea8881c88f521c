/*
 * report_search.c -- SEARCH.html (see report_search.h).
 */
#include "report_search.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "afile.h"
#include "html.h"
#include "report.h"
#include "search.h"
#include "svg.h"

#define R(x) HTML_TRY(x) /* every section step: the first non-zero dbuf code returns */

typedef struct rows {
    size_t n;
    search_row r[SEARCH_MAX_STEPS];
    double x[SEARCH_MAX_STEPS], y[6][SEARCH_MAX_STEPS];
    double hp, lf;
    int has_db;
} rows;

static double num(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : -1;
}

/* The latest step with results per scale, ascending (the charts' points). */
static void collect(const json_t *doc, rows *w)
{
    const json_t *steps = json_object_get(doc, "steps"), *s, *k = json_object_get(doc, "knee");
    size_t i;
    memset(w, 0, sizeof *w);
    w->hp = num(k, "highest_pass");
    w->lf = num(k, "lowest_fail");
    json_array_foreach(steps, i, s) {
        search_row row;
        size_t j;
        if (search_row_of(s, &row))
            continue;
        for (j = 0; j < w->n && fabs(w->r[j].scale - row.scale) > 1e-9; j++)
            ;
        if (j == w->n && w->n == SEARCH_MAX_STEPS)
            continue;
        w->r[j] = row;
        if (j == w->n)
            w->n++;
        w->has_db |= row.has_db;
    }
    for (size_t a = 1; a < w->n; a++)
        for (size_t b = a; b > 0 && w->r[b - 1].scale > w->r[b].scale; b--) {
            search_row t = w->r[b];
            w->r[b] = w->r[b - 1];
            w->r[b - 1] = t;
        }
    for (size_t j = 0; j < w->n; j++)
        w->x[j] = w->r[j].scale;
}

static int plot(dbuf *b, const rows *w, const char *title, const char *ylabel,
                const char *const *names, size_t ns)
{
    svg_plot *p = svg_plot_new(title, "scale (x the scenario's rate)", ylabel, 0, 0, 0);
    int rc = p ? 0 : ST_ENOMEM;
    for (size_t k = 0; !rc && k < ns; k++)
        rc = svg_plot_series(p, names[k], w->x, w->y[k], w->n, SVG_LINE);
    if (!rc && w->hp > 0 && w->lf > 0)
        rc = svg_plot_shade(p, w->hp, w->lf, "knee");
    else if (!rc && w->lf > 0)
        rc = svg_plot_shade(p, w->lf, w->lf, "first fail");
    if (!rc)
        rc = svg_plot_render(p, b);
    svg_plot_free(p);
    return rc;
}

static int charts(dbuf *b, rows *w)
{
    static const char *const lat[] = {"p50", "p95", "p99"};
    static const char *const rate[] = {"planned", "sent (achieved)", "completed"};
    static const char *const db[] = {"connections (max)", "active (max)", "lock waiters (max)"};
    if (!w->n)
        return dbuf_adds(b, "<p>No step has results: nothing to draw.</p>\n");
    for (size_t j = 0; j < w->n; j++) {
        w->y[0][j] = w->r[j].p50_ms;
        w->y[1][j] = w->r[j].p95_ms;
        w->y[2][j] = w->r[j].p99_ms;
    }
    R(dbuf_adds(b, "<h2 id=\"latency\">Latency by scale</h2>\n"));
    R(plot(b, w, "Latency p50 / p95 / p99 per step (from intended send time)", "ms", lat, 3));
    for (size_t j = 0; j < w->n; j++)
        for (int k = 0; k < 6; k++)
            w->y[k][j] = w->r[j].err_class[k] * 100;
    R(dbuf_adds(b, "<h2 id=\"errors\">Errors by class</h2>\n"));
    R(plot(b, w, "Error rate by class per step (% of completed requests)", "%",
           search_err_class_names, 6));
    R(dbuf_adds(b, "<h2 id=\"db\">Database</h2>\n"));
    if (!w->has_db) {
        R(dbuf_adds(b, "<p>no --db-probe: the steps did not sample the database.</p>\n"));
    } else {
        for (size_t j = 0; j < w->n; j++) {
            w->y[0][j] = isnan(w->r[j].db_conn) ? 0 : w->r[j].db_conn;
            w->y[1][j] = isnan(w->r[j].db_active) ? 0 : w->r[j].db_active;
            w->y[2][j] = isnan(w->r[j].db_waiting) ? 0 : w->r[j].db_waiting;
        }
        R(plot(b, w, "DB connections, active backends and lock waiters per step", "backends", db,
               3));
    }
    for (size_t j = 0; j < w->n; j++) {
        w->y[0][j] = w->r[j].planned_rps;
        w->y[1][j] = w->r[j].sent_rps;
        w->y[2][j] = w->r[j].done_rps;
    }
    R(dbuf_adds(b, "<h2 id=\"rate\">Achieved vs planned rate</h2>\n"));
    return plot(b, w, "Requests per second per step: planned vs sent vs completed", "req/s", rate,
                3);
}

static int li(dbuf *b, const char *fmt_html_prefix, const char *text)
{
    R(dbuf_printf(b, "<li>%s", fmt_html_prefix));
    R(dbuf_add_html(b, text ? text : ""));
    return dbuf_adds(b, "</li>\n");
}

static int knee(dbuf *b, const json_t *doc)
{
    const json_t *k = json_object_get(doc, "knee"), *t;
    const json_t *dg = json_object_get(k, "degradation");
    double hp = num(k, "highest_pass"), lf = num(k, "lowest_fail"),
           inc = num(k, "lowest_inconclusive");
    size_t i;
    char s[256];
    R(dbuf_adds(b, "<h2 id=\"knee\">The knee</h2>\n<ul id=\"knee-facts\">\n"));
    snprintf(s, sizeof s, "%s",
             json_string_value(json_object_get(k, "status"))
                 ? json_string_value(json_object_get(k, "status"))
                 : "?");
    R(li(b, "status: ", s));
    if (hp > 0)
        snprintf(s, sizeof s, "%gx", hp);
    else
        snprintf(s, sizeof s, "none (the first step failed or was inconclusive)");
    R(li(b, "<b>highest pass</b>: ", s));
    if (lf > 0)
        snprintf(s, sizeof s, "%gx", lf);
    else
        snprintf(s, sizeof s, "none up to --to");
    R(li(b, "<b>lowest fail</b>: ", s));
    if (inc > 0) {
        snprintf(s, sizeof s,
                 "%gx: the generator could not offer the planned load (not the system's failure)",
                 inc);
        R(li(b, "inconclusive: ", s));
    }
    snprintf(s, sizeof s, "%gx: %s", num(k, "require"),
             json_is_true(json_object_get(k, "meets_require")) ? "met" : "NOT met");
    R(li(b, "required: ", s));
    json_array_foreach(json_object_get(k, "broke_first"), i, t) {
        snprintf(s, sizeof s, "%s (measured %s)", json_string_value(json_object_get(t, "expr")),
                 json_string_value(json_object_get(t, "measured")));
        R(li(b, "broke first: ", s));
    }
    if (json_string_value(json_object_get(dg, "verdict"))) {
        R(dbuf_printf(b, "<li id=\"degradation\" data-verdict=\"%s\">degradation: <b>",
                      json_string_value(json_object_get(dg, "verdict"))));
        R(dbuf_add_html(b, json_string_value(json_object_get(dg, "verdict"))));
        R(dbuf_adds(b, "</b>: "));
        R(dbuf_add_html(b, json_string_value(json_object_get(dg, "why"))
                               ? json_string_value(json_object_get(dg, "why"))
                               : ""));
        R(dbuf_adds(b, "</li>\n"));
    }
    R(dbuf_adds(b, "</ul>\n"));
    if (lf > 0) {
        R(dbuf_printf(
            b,
            "<h3>What happened at %gx (the lowest failing step)</h3>\n<ul id=\"what-happened\">\n",
            lf));
        json_array_foreach(json_object_get(k, "what_happened"), i, t)
            R(li(b, "", json_string_value(t)));
        R(dbuf_adds(b, "</ul>\n"));
    }
    return 0;
}

/* The link to a step's report: its results path with .html, relative when the page sits in the
 * same directory as SEARCH.json. */
static void link_of(char *buf, size_t n, const char *results, const char *search_path,
                    const char *page_path)
{
    const char *ss = strrchr(search_path, '/'), *ps = strrchr(page_path, '/');
    size_t ds = ss ? (size_t)(ss - search_path) : 0, dp = ps ? (size_t)(ps - page_path) : 0;
    size_t len = strlen(results);
    const char *r = results;
    if (ds == dp && !strncmp(search_path, page_path, ds) && !strncmp(results, search_path, ds))
        r = results + ds + (ds ? 1 : 0);
    len = strlen(r);
    snprintf(buf, n, "%.*s.html", (int)(len > 5 && !strcmp(r + len - 5, ".json") ? len - 5 : len),
             r);
}

static int steps_table(dbuf *b, const json_t *doc, const char *search_path, const char *page_path)
{
    const json_t *steps = json_object_get(doc, "steps"), *s;
    size_t i;
    R(dbuf_adds(b, "<h2 id=\"steps-h\">Steps</h2>\n<table "
                   "id=\"steps\"><tr><th>#</th><th>scale</th><th>phase</th>"
                   "<th>verdict</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>errors</th>"
                   "<th>planned/s</th><th>sent/s</th><th>db active "
                   "max</th><th>settle</th><th>why</th><th>report</th></tr>\n"));
    json_array_foreach(steps, i, s) {
        search_row row;
        const char *v = json_string_value(json_object_get(s, "verdict"));
        const char *rf = json_string_value(json_object_get(s, "results_file"));
        const json_t *st = json_object_get(s, "settle");
        char lk[4096];
        int has = !search_row_of(s, &row);
        R(dbuf_printf(b, "<tr data-scale=\"%g\" data-verdict=\"%s\"><td>%zu</td><td>%gx</td><td>",
                      num(s, "scale"), v ? v : "?", i + 1, num(s, "scale")));
        R(dbuf_add_html(b, json_string_value(json_object_get(s, "phase"))
                               ? json_string_value(json_object_get(s, "phase"))
                               : ""));
        if (num(s, "attempt") > 1)
            R(dbuf_adds(b, " (re-run)"));
        R(dbuf_printf(b, "</td><td class=\"%s\">%s</td>", v && !strcmp(v, "pass") ? "pass" : "fail",
                      v ? v : "?"));
        if (has)
            R(dbuf_printf(
                b,
                "<td>%.1f</td><td>%.1f</td><td>%.1f</td><td>%.2f%%</td><td>%.1f</td><td>%.1f</td>",
                row.p50_ms, row.p95_ms, row.p99_ms, row.err_rate * 100, row.planned_rps,
                row.sent_rps));
        else
            R(dbuf_adds(b, "<td colspan=\"6\">no results</td>"));
        if (has && row.has_db && !isnan(row.db_active))
            R(dbuf_printf(b, "<td>%.0f</td>", row.db_active));
        else
            R(dbuf_adds(b, "<td>-</td>"));
        R(dbuf_adds(b, "<td>"));
        if (json_is_object(st))
            R(dbuf_printf(b, "%s %.1f s", json_string_value(json_object_get(st, "mode")),
                          num(st, "waited_s")));
        R(dbuf_adds(b, "</td><td>"));
        R(dbuf_add_html(b, json_string_value(json_object_get(s, "why"))
                               ? json_string_value(json_object_get(s, "why"))
                               : ""));
        R(dbuf_adds(b, "</td><td>"));
        if (rf) {
            link_of(lk, sizeof lk, rf, search_path, page_path);
            R(dbuf_adds(b, "<a href=\""));
            R(dbuf_add_html(b, lk));
            R(dbuf_adds(b, "\">report</a>"));
        }
        R(dbuf_adds(b, "</td></tr>\n"));
    }
    return dbuf_adds(b, "</table>\n");
}

static int meta(dbuf *b, const json_t *doc)
{
    const json_t *sc = json_object_get(doc, "scenario"), *st = json_object_get(doc, "settings");
    const json_t *w;
    size_t i;
    R(dbuf_adds(b, "<p id=\"meta\">Scenario <b>"));
    R(dbuf_add_html(b, json_string_value(json_object_get(sc, "name"))
                           ? json_string_value(json_object_get(sc, "name"))
                           : "?"));
    R(dbuf_printf(b, "</b>, seed %lld, hash %s, target ",
                  (long long)json_integer_value(json_object_get(sc, "seed")),
                  json_string_value(json_object_get(sc, "hash"))
                      ? json_string_value(json_object_get(sc, "hash"))
                      : "?"));
    R(dbuf_add_html(b, json_string_value(json_object_get(sc, "target"))
                           ? json_string_value(json_object_get(sc, "target"))
                           : "?"));
    R(dbuf_printf(
        b,
        ". Searched %gx to %gx by %gx%s (precision %gx), hold %.0f s, warm-up %.0f s, settle: %s; "
        "segment %lld of %lld; stopped: %s.</p>\n",
        num(st, "from"), num(st, "to"), num(st, "step"),
        json_is_true(json_object_get(st, "bisect")) ? " then bisection" : "", num(st, "precision"),
        num(st, "hold_s"), num(st, "warmup_s"),
        json_string_value(json_object_get(st, "settle"))
            ? json_string_value(json_object_get(st, "settle"))
            : "?",
        (long long)json_integer_value(json_object_get(json_object_get(doc, "segment"), "i")),
        (long long)json_integer_value(json_object_get(json_object_get(doc, "segment"), "n")),
        json_string_value(json_object_get(doc, "stopped"))
            ? json_string_value(json_object_get(doc, "stopped"))
            : "?"));
    json_array_foreach(json_object_get(doc, "warnings"), i, w) {
        R(dbuf_adds(b, "<p class=\"warn\">"));
        R(dbuf_add_html(b, json_string_value(w) ? json_string_value(w) : ""));
        R(dbuf_adds(b, "</p>\n"));
    }
    return 0;
}

int report_search_html(const json_t *doc, const char *search_path, const char *page_path, dbuf *b)
{
    rows *w = calloc(1, sizeof *w); /* about 80 KiB of per-step rows: not on the stack */
    char title[256];
    const char *name = json_string_value(json_object_get(json_object_get(doc, "scenario"), "name"));
    int rc;
    if (!w)
        return ST_ENOMEM;
    snprintf(title, sizeof title, "Capacity search: %s", name ? name : "?");
    collect(doc, w);
    if (!(rc = html_page_begin(b, title)) && !(rc = meta(b, doc)) && !(rc = knee(b, doc)) &&
        !(rc = charts(b, w)) && !(rc = steps_table(b, doc, search_path, page_path)))
        rc = dbuf_adds(b, "<p class=\"muted\">Written by replay " ST_VERSION
                          " from the SEARCH file; each step's own "
                          "report has its time series and its own \"what happened\".</p>\n");
    if (!rc)
        rc = html_page_end(b);
    free(w);
    return rc;
}

int search_report_write(const json_t *doc, const char *search_path, const char *page_path,
                        char *err)
{
    dbuf b;
    int rc;
    dbuf_init(&b, REPORT_MAX_BYTES);
    rc = report_search_html(doc, search_path, page_path, &b);
    if (rc)
        rc = st_err(err, rc, "search report: %s",
                    rc == ST_ELIMIT ? "larger than the size cap" : "out of memory");
    else
        rc = afile_write_all(page_path, b.p, b.len, err);
    dbuf_free(&b);
    return rc;
}
