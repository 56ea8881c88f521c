/*
 * report.c -- the HTML report of a traffic model (see report.h).
 *
 * Sections, in the order a reviewer asks: what was read and what is wrong with it (quality
 * findings), how traffic arrives (rate with burst episodes shaded, Hawkes), where it goes
 * (rank-frequency per item route with the fitted Zipf law on log-log axes, the journey
 * matrix), how users pause (think-time histogram with the fitted density), WebSockets
 * (concurrency over time). Every number printed comes from the model file itself.
 */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "afile.h"
#include "fit_think.h"
#include "fit_zipf.h"
#include "html.h"
#include "rng.h"
#include "svg.h"
#include "tmodel.h"

#define ROUTE_TITLE_MAX 320
#define R(x) HTML_TRY(x) /* every section step: the first non-zero dbuf code returns */

static double rnum(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return v && json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *rstr(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static int sec_source(const json_t *m, dbuf *b)
{
    const json_t *s = json_object_get(m, "source"), *g = json_object_get(m, "generator");
    const json_t *q = json_object_get(m, "quality");
    R(html_h2(b, NULL, "Source and data quality"));
    /* A model from a rate trace alone has no clients to count. */
    char clients[32] = "not in a rate trace";
    if (json_object_get(q, "clients"))
        snprintf(clients, sizeof clients, "%.0f", rnum(q, "clients"));
    R(dbuf_printf(b,
                  "<table><tr><th>lines</th><td class=\"n\">%.0f</td></tr>"
                  "<tr><th>parsed</th><td class=\"n\">%.0f</td></tr>"
                  "<tr><th>span</th><td class=\"n\">%.0f s</td></tr>"
                  "<tr><th>bot share</th><td class=\"n\">%.2f%%</td></tr>"
                  "<tr><th>distinct clients (est.)</th><td class=\"n\">%s</td></tr>"
                  "<tr><th>seed</th><td class=\"n\">%.0f</td></tr><tr><th>format</th><td>",
                  rnum(s, "lines"), rnum(s, "parsed"), rnum(s, "span_s"),
                  100 * rnum(q, "bot_share"), clients, rnum(g, "seed")));
    R(dbuf_add_html(b, rstr(s, "format")));
    R(dbuf_adds(b, "</td></tr></table>\n"));
    const json_t *f = json_object_get(q, "findings");
    if (json_array_size(f) == 0)
        return html_para(b, "ok", "No data-quality findings.");
    R(dbuf_adds(b, "<ul>\n"));
    size_t i;
    json_t *x;
    json_array_foreach(f, i, x) {
        R(dbuf_adds(b, "<li class=\"bad\">"));
        R(dbuf_add_html(b, json_string_value(x) ? json_string_value(x) : ""));
        R(dbuf_adds(b, "</li>\n"));
    }
    return dbuf_adds(b, "</ul>\n");
}

static int sec_arrivals(const json_t *m, dbuf *b)
{
    const json_t *a = json_object_get(m, "arrivals"), *se = json_object_get(a, "series");
    const json_t *rates = json_object_get(se, "rates");
    size_t n = json_array_size(rates);
    double t0 = rnum(se, "t0"), bin = rnum(se, "bin_s");
    R(html_h2(b, NULL, "Arrivals and bursts"));
    R(dbuf_printf(b,
                  "<p>Session rate %.4g/s, request rate %.4g/s; profile <code>%s</code>, "
                  "median relative error %.1f%%.</p>\n",
                  rnum(a, "session_rate"), rnum(a, "request_rate"),
                  rstr(json_object_get(a, "profile"), "kind"),
                  100 * rnum(json_object_get(a, "gof"), "profile_median_rel_err")));
    if (n == 0)
        return html_para(b, "muted", "No arrival series.");
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    svg_plot *p = svg_plot_new("Session arrivals (bursts shaded)", "time", "sessions/s", 0, 0,
                               SVG_XTIME);
    int rc = x && y && p ? 0 : ST_ENOMEM;
    for (size_t i = 0; !rc && i < n; i++) {
        x[i] = t0 + ((double)i + 0.5) * bin;
        y[i] = json_number_value(json_array_get(rates, i));
    }
    if (!rc)
        rc = svg_plot_series(p, "sessions/s", x, y, n, SVG_LINE);
    /* A rate-trace fit also carries its expected rate per bin: observed against fitted. */
    const json_t *fit = json_object_get(se, "fitted");
    if (!rc && json_array_size(fit) == n) {
        for (size_t i = 0; i < n; i++)
            y[i] = json_number_value(json_array_get(fit, i));
        rc = svg_plot_series(p, "fitted", x, y, n, SVG_LINE);
    }
    const json_t *bu = json_object_get(m, "bursts"), *eps = json_object_get(bu, "episodes");
    size_t i;
    json_t *e;
    json_array_foreach(eps, i, e) {
        char lab[32];
        snprintf(lab, sizeof lab, "burst %zu", i);
        if (!rc)
            rc = svg_plot_shade(p, rnum(e, "onset"), rnum(e, "onset") + rnum(e, "duration_s"), lab);
    }
    free(x);
    free(y);
    if (rc) {
        svg_plot_free(p);
        return rc;
    }
    R(html_plot_done(p, b));
    const json_t *h = json_object_get(m, "hawkes");
    if (json_is_true(json_object_get(h, "fitted"))) {
        const json_t *ci = json_object_get(h, "branching_ci95");
        R(dbuf_printf(b,
                      "<p>Hawkes (exponential kernel on a time-varying baseline): branching "
                      "ratio <b>%.3f</b> [%.3f, %.3f], &beta; = %.4g/s (mean child delay %.1f s), "
                      "%.0f session arrivals, KS D %.4f, log-likelihood %.1f vs %.1f "
                      "baseline-only.</p>\n",
                      rnum(h, "branching_ratio"), json_number_value(json_array_get(ci, 0)),
                      json_number_value(json_array_get(ci, 1)), rnum(h, "beta"),
                      1 / rnum(h, "beta"), rnum(h, "events"),
                      rnum(json_object_get(h, "gof"), "ks_d"), rnum(h, "loglik"),
                      rnum(h, "loglik_poisson")));
    } else {
        char t[256];
        snprintf(t, sizeof t, "Hawkes not fitted: %s", rstr(h, "refused"));
        R(html_para(b, "bad", t));
    }
    if (json_object_get(bu, "refused")) {
        char t[256];
        snprintf(t, sizeof t, "Bursts not fitted: %s", rstr(bu, "refused"));
        return html_para(b, "bad", t);
    }
    if (json_array_size(eps) == 0)
        return html_para(b, "muted", "No burst episodes.");
    R(dbuf_adds(b, "<table><tr><th>#</th><th class=\"n\">start (+s)</th><th class=\"n\">duration "
                   "s</th><th class=\"n\">ramp s</th><th class=\"n\">peak/s</th><th "
                   "class=\"n\">baseline/s</th><th>convergence</th></tr>\n"));
    json_array_foreach(eps, i, e) {
        const json_t *c = json_object_get(e, "convergence");
        R(dbuf_printf(b,
                      "<tr><td>%zu</td><td class=\"n\">%.0f</td><td class=\"n\">%.0f</td><td "
                      "class=\"n\">%.0f</td><td class=\"n\">%.3g</td><td class=\"n\">%.3g</td><td>",
                      i, rnum(e, "onset") - t0, rnum(e, "duration_s"), rnum(e, "ramp_s"),
                      rnum(e, "peak_rate"), rnum(e, "baseline_rate")));
        if (c) {
            R(dbuf_printf(b, "top %.0f items of ", rnum(c, "top_k")));
            R(dbuf_add_html(b, rstr(c, "route")));
            R(dbuf_printf(b, ": %.0f%% of requests (hot share %.0f%%, TV from baseline %.2f)",
                          100 * rnum(c, "top_k_share"), 100 * rnum(c, "hot_share"),
                          rnum(c, "tv_from_baseline")));
        }
        R(dbuf_adds(b, "</td></tr>\n"));
    }
    return dbuf_adds(b, "</table>\n");
}

static int sec_popularity(const json_t *m, dbuf *b)
{
    R(html_h2(b, NULL, "Popularity (rank-frequency, log-log)"));
    const json_t *routes = json_object_get(m, "routes");
    size_t i, shown = 0;
    json_t *r;
    json_array_foreach(routes, i, r) {
        const json_t *params = json_object_get(r, "params");
        size_t k;
        json_t *pa;
        json_array_foreach(params, k, pa) {
            const json_t *pop = json_object_get(pa, "popularity");
            const json_t *pts = json_object_get(pop, "rank_shares");
            if (strcmp(rstr(pop, "dist"), "zipf") != 0 || json_array_size(pts) < 2 || shown >= 6)
                continue;
            shown++;
            size_t n = json_array_size(pts);
            double x[64], y[64], fx[64], fy[64];
            if (n > 64)
                n = 64;
            double s = rnum(pop, "s"), N = rnum(pop, "n_est");
            double H = rng_zipf_harmonic(N > 1 ? (uint64_t)N : 1, s);
            for (size_t j = 0; j < n; j++) {
                const json_t *pt = json_array_get(pts, j);
                x[j] = json_number_value(json_array_get(pt, 0));
                y[j] = json_number_value(json_array_get(pt, 1));
                fx[j] = x[j];
                fy[j] = pow(x[j], -s) / H;
            }
            char title[ROUTE_TITLE_MAX];
            snprintf(title, sizeof title, "%.200s {%.20s}: zipf s = %.3f, N ~ %.0f",
                     rstr(r, "template"), rstr(pa, "name"), s, N);
            svg_plot *p = svg_plot_new(title, "rank", "share of requests", 0, 0,
                                       SVG_LOGX | SVG_LOGY);
            if (!p)
                return ST_ENOMEM;
            int rc = svg_plot_series(p, "observed", x, y, n, SVG_POINTS);
            if (!rc)
                rc = svg_plot_series(p, "fitted zipf", fx, fy, n, SVG_LINE);
            if (rc) {
                svg_plot_free(p);
                return rc;
            }
            R(html_plot_done(p, b));
        }
    }
    if (!shown)
        return html_para(b, "muted", "No parametrised route has enough items for a Zipf fit.");
    return 0;
}

static int sec_think(const json_t *m, dbuf *b)
{
    R(html_h2(b, NULL, "Think times"));
    const json_t *t = json_object_get(json_object_get(m, "sessions"), "think_time");
    const json_t *h = json_object_get(t, "hist");
    const json_t *edges = json_object_get(h, "edges_s"), *dens = json_object_get(h, "density");
    size_t n = json_array_size(dens);
    if (n == 0 || json_array_size(edges) != n + 1) {
        char msg[256];
        snprintf(msg, sizeof msg, "No think-time fit%s%s", json_object_get(t, "note") ? ": " : ".",
                 rstr(t, "note"));
        return html_para(b, "bad", msg);
    }
    dist_fit d = {0};
    const char *dist = rstr(t, "dist");
    const json_t *pr = json_object_get(t, "params");
    int law = tmodel_dist_of(dist);
    d.kind = law == TM_WEIBULL ? DIST_WEIBULL : law == TM_GAMMA ? DIST_GAMMA : DIST_LOGNORMAL;
    d.p1 = d.kind == DIST_LOGNORMAL ? rnum(pr, "mu") : rnum(pr, "shape");
    d.p2 = d.kind == DIST_LOGNORMAL ? rnum(pr, "sigma") : rnum(pr, "scale");
    double x[128], y[128], fy[128];
    if (n > 128)
        n = 128;
    for (size_t i = 0; i < n; i++) {
        double a = json_number_value(json_array_get(edges, i));
        double e = json_number_value(json_array_get(edges, i + 1));
        x[i] = sqrt(a * e);
        y[i] = json_number_value(json_array_get(dens, i));
        fy[i] = dist_pdf(&d, x[i]);
    }
    char title[160];
    snprintf(title, sizeof title, "Think time: %s, median %.2f s, KS D %.3f", dist,
             rnum(t, "median_s"), rnum(json_object_get(t, "gof"), "ks_d"));
    svg_plot *p = svg_plot_new(title, "seconds (log)", "density (1/s)", 0, 0, SVG_LOGX);
    if (!p)
        return ST_ENOMEM;
    int rc = svg_plot_series(p, "observed", x, y, n, SVG_BARS);
    if (!rc)
        rc = svg_plot_series(p, "fitted density", x, fy, n, SVG_LINE);
    if (rc) {
        svg_plot_free(p);
        return rc;
    }
    return html_plot_done(p, b);
}

static int sec_journeys(const json_t *m, dbuf *b)
{
    R(html_h2(b, NULL, "Journeys (Markov chain over routes)"));
    const json_t *routes = json_object_get(m, "routes");
    const json_t *tr = json_object_get(json_object_get(m, "journeys"), "transitions");
    size_t nr = json_array_size(routes);
    size_t idx[40], k = 0;
    for (size_t i = 0; i < nr && k < 40; i++) {
        const char *kind = rstr(json_array_get(routes, i), "kind");
        if (!strcmp(kind, "page") || !strcmp(kind, "api"))
            idx[k++] = i;
    }
    if (k == 0)
        return html_para(b, "muted", "No page or api routes.");
    const char *rl[40], *cl[41];
    double *mat = calloc(k * (k + 1), sizeof *mat);
    if (!mat)
        return ST_ENOMEM;
    for (size_t i = 0; i < k; i++) {
        rl[i] = cl[i] = rstr(json_array_get(routes, idx[i]), "template");
        const json_t *row = json_array_get(tr, idx[i]);
        for (size_t j = 0; j < k; j++)
            mat[i * (k + 1) + j] = json_number_value(json_array_get(row, idx[j]));
        mat[i * (k + 1) + k] = json_number_value(json_array_get(row, nr));
    }
    cl[k] = "exit";
    int rc = svg_heatmap(b, "P(next route | route), with exit", rl, cl, mat, k, k + 1);
    free(mat);
    R(rc);
    R(dbuf_adds(b, "<table><tr><th>route</th><th>kind</th><th class=\"n\">share</th><th>method</th>"
                   "<th class=\"n\">5xx</th><th class=\"n\">bytes p50</th></tr>\n"));
    size_t i;
    json_t *r;
    json_array_foreach(routes, i, r) {
        if (i >= 60)
            break;
        R(dbuf_adds(b, "<tr><td><code>"));
        R(dbuf_add_html(b, rstr(r, "template")));
        R(dbuf_printf(b,
                      "</code></td><td>%s</td><td class=\"n\">%.2f%%</td><td>%s</td><td "
                      "class=\"n\">%.2f%%</td><td class=\"n\">%.0f</td></tr>\n",
                      rstr(r, "kind"), 100 * rnum(r, "share"), rstr(r, "method"),
                      100 * rnum(json_object_get(r, "status_mix"), "5xx"),
                      rnum(json_object_get(r, "bytes"), "median")));
    }
    return dbuf_adds(b, "</table>\n");
}

static int sec_websockets(const json_t *m, dbuf *b)
{
    R(html_h2(b, NULL, "WebSockets"));
    const json_t *w = json_object_get(m, "websockets");
    if (rstr(w, "not_fitted")[0])
        return html_para(b, "muted", "WebSockets: not in a rate trace.");
    if (rnum(w, "count") <= 0)
        return html_para(b, "muted", "No WebSocket sessions (101 lines) in the log.");
    const json_t *d = json_object_get(w, "duration"), *c = json_object_get(w, "concurrency");
    R(dbuf_printf(b,
                  "<p>%.0f WebSocket sessions (%.1f%% of sessions); duration %s median %.1f s, "
                  "p95 %.1f s; concurrency max %.0f, mean %.1f.</p>\n",
                  rnum(w, "count"), 100 * rnum(w, "share_of_sessions"), rstr(d, "dist"),
                  rnum(d, "median_s"), rnum(d, "p95_s"), rnum(c, "max"), rnum(c, "mean")));
    const json_t *se = json_object_get(c, "series"), *v = json_object_get(se, "rates");
    size_t n = json_array_size(v);
    if (n == 0)
        return 0;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    svg_plot *p = svg_plot_new("Open WebSockets", "time", "open", 0, 0, SVG_XTIME);
    int rc = x && y && p ? 0 : ST_ENOMEM;
    for (size_t i = 0; !rc && i < n; i++) {
        x[i] = rnum(se, "t0") + ((double)i + 0.5) * rnum(se, "bin_s");
        y[i] = json_number_value(json_array_get(v, i));
    }
    if (!rc)
        rc = svg_plot_series(p, "open WebSockets", x, y, n, SVG_STEP);
    free(x);
    free(y);
    if (rc) {
        svg_plot_free(p);
        return rc;
    }
    return html_plot_done(p, b);
}

int report_render(const json_t *model, const char *title, dbuf *out, char *err)
{
    int rc = html_page_begin(out, title);
    if (!rc)
        rc = sec_source(model, out);
    if (!rc)
        rc = sec_arrivals(model, out);
    if (!rc)
        rc = sec_popularity(model, out);
    if (!rc)
        rc = sec_think(model, out);
    if (!rc)
        rc = sec_journeys(model, out);
    if (!rc)
        rc = sec_websockets(model, out);
    if (!rc)
        rc = dbuf_printf(out, "<p class=\"muted\">%s</p>\n",
                         "Generated by modeler report from the model file alone.");
    if (!rc)
        rc = html_page_end(out);
    if (rc == ST_ELIMIT)
        return st_err(err, rc, "report larger than %zu bytes", out->cap);
    if (rc < 0)
        return st_err(err, rc, "out of memory");
    return 0;
}

int report_write(const json_t *model, const char *path, char *err)
{
    dbuf b;
    dbuf_init(&b, (size_t)64 << 20);
    int rc = report_render(model, "Traffic model report", &b, err);
    if (rc == 0)
        rc = afile_write_all(path, b.p, b.len, err);
    dbuf_free(&b);
    return rc;
}
