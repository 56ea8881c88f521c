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
#include "tmodel_desc.h"

#define ROUTE_TITLE_MAX 320
#define R(x) HTML_TRY(x) /* every section step: the first non-zero dbuf code returns */

/* A string of the model as shown: "" when the model has none. */
static const char *rstr(const char *s)
{
    return s ? s : "";
}

static int sec_source(const tmodel_desc *m, dbuf *b)
{
    const tmd_source *s = &m->source;
    const tmd_quality *q = &m->quality;
    R(html_h2(b, NULL, "Source and data quality"));
    /* A model from a rate trace alone has no clients to count. */
    char clients[32] = "not in a rate trace";
    if (q->has_clients)
        snprintf(clients, sizeof clients, "%.0f", q->clients);
    R(dbuf_printf(b,
                  "<table><tr><th>lines</th><td class=\"n\">%.0f</td></tr>"
                  "<tr><th>parsed</th><td class=\"n\">%.0f</td></tr>"
                  "<tr><th>span</th><td class=\"n\">%.0f s</td></tr>"
                  "<tr><th>bot share</th><td class=\"n\">%.2f%%</td></tr>"
                  "<tr><th>distinct clients (est.)</th><td class=\"n\">%s</td></tr>"
                  "<tr><th>seed</th><td class=\"n\">%.0f</td></tr><tr><th>format</th><td>",
                  s->lines, s->parsed, s->span_s, 100 * q->bot_share, clients, m->seed));
    R(dbuf_add_html(b, rstr(s->format)));
    R(dbuf_adds(b, "</td></tr></table>\n"));
    if (q->n_findings == 0)
        return html_para(b, "ok", "No data-quality findings.");
    R(dbuf_adds(b, "<ul>\n"));
    for (size_t i = 0; i < q->n_findings; i++) {
        R(dbuf_adds(b, "<li class=\"bad\">"));
        R(dbuf_add_html(b, rstr(q->findings[i])));
        R(dbuf_adds(b, "</li>\n"));
    }
    return dbuf_adds(b, "</ul>\n");
}

static int sec_arrivals(const tmodel_desc *m, dbuf *b)
{
    const tmd_arrivals *a = &m->arrivals;
    const tmd_series *se = &a->series;
    size_t n = se->rates.n;
    double t0 = se->t0, bin = se->bin_s;
    R(html_h2(b, NULL, "Arrivals and bursts"));
    R(dbuf_printf(b,
                  "<p>Session rate %.4g/s, request rate %.4g/s; profile <code>%s</code>, "
                  "median relative error %.1f%%.</p>\n",
                  a->session_rate, a->request_rate, rstr(a->profile_kind),
                  100 * a->profile_median_rel_err));
    if (n == 0)
        return html_para(b, "muted", "No arrival series.");
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    svg_plot *p = svg_plot_new("Session arrivals (bursts shaded)", "time", "sessions/s", 0, 0,
                               SVG_XTIME);
    int rc = x && y && p ? 0 : ST_ENOMEM;
    for (size_t i = 0; !rc && i < n; i++) {
        x[i] = t0 + ((double)i + 0.5) * bin;
        y[i] = se->rates.v[i];
    }
    if (!rc)
        rc = svg_plot_series(p, "sessions/s", x, y, n, SVG_LINE);
    /* A rate-trace fit also carries its expected rate per bin: observed against fitted. */
    if (!rc && se->fitted.n == n) {
        for (size_t i = 0; i < n; i++)
            y[i] = se->fitted.v[i];
        rc = svg_plot_series(p, "fitted", x, y, n, SVG_LINE);
    }
    const tmd_bursts *bu = &m->bursts;
    for (size_t i = 0; i < bu->n_episodes; i++) {
        const tmd_episode *e = &bu->episodes[i];
        char lab[32];
        snprintf(lab, sizeof lab, "burst %zu", i);
        if (!rc)
            rc = svg_plot_shade(p, e->onset, e->onset + e->duration_s, lab);
    }
    free(x);
    free(y);
    if (rc) {
        svg_plot_free(p);
        return rc;
    }
    R(html_plot_done(p, b));
    const tmd_hawkes *h = &m->hawkes;
    if (h->fitted) {
        R(dbuf_printf(b,
                      "<p>Hawkes (exponential kernel on a time-varying baseline): branching "
                      "ratio <b>%.3f</b> [%.3f, %.3f], &beta; = %.4g/s (mean child delay %.1f s), "
                      "%.0f session arrivals, KS D %.4f, log-likelihood %.1f vs %.1f "
                      "baseline-only.</p>\n",
                      h->branching_ratio, h->ci_lo, h->ci_hi, h->beta, 1 / h->beta, h->events,
                      h->ks_d, h->loglik, h->loglik_poisson));
    } else {
        char t[256];
        snprintf(t, sizeof t, "Hawkes not fitted: %s", rstr(h->refused));
        R(html_para(b, "bad", t));
    }
    if (bu->has_refused) {
        char t[256];
        snprintf(t, sizeof t, "Bursts not fitted: %s", rstr(bu->refused));
        return html_para(b, "bad", t);
    }
    if (bu->n_episodes == 0)
        return html_para(b, "muted", "No burst episodes.");
    R(dbuf_adds(b, "<table><tr><th>#</th><th class=\"n\">start (+s)</th><th class=\"n\">duration "
                   "s</th><th class=\"n\">ramp s</th><th class=\"n\">peak/s</th><th "
                   "class=\"n\">baseline/s</th><th>convergence</th></tr>\n"));
    for (size_t i = 0; i < bu->n_episodes; i++) {
        const tmd_episode *e = &bu->episodes[i];
        R(dbuf_printf(b,
                      "<tr><td>%zu</td><td class=\"n\">%.0f</td><td class=\"n\">%.0f</td><td "
                      "class=\"n\">%.0f</td><td class=\"n\">%.3g</td><td class=\"n\">%.3g</td><td>",
                      i, e->onset - t0, e->duration_s, e->ramp_s, e->peak_rate, e->baseline_rate));
        if (e->has_convergence) {
            R(dbuf_printf(b, "top %.0f items of ", e->top_k));
            R(dbuf_add_html(b, rstr(e->conv_route)));
            R(dbuf_printf(b, ": %.0f%% of requests (hot share %.0f%%, TV from baseline %.2f)",
                          100 * e->top_k_share, 100 * e->hot_share, e->tv_from_baseline));
        }
        R(dbuf_adds(b, "</td></tr>\n"));
    }
    return dbuf_adds(b, "</table>\n");
}

static int sec_popularity(const tmodel_desc *m, dbuf *b)
{
    R(html_h2(b, NULL, "Popularity (rank-frequency, log-log)"));
    size_t shown = 0;
    for (size_t i = 0; i < m->n_routes; i++) {
        const tmd_route *r = &m->routes[i];
        for (size_t k = 0; k < r->n_params; k++) {
            const tmd_param *pa = &r->params[k];
            if (strcmp(rstr(pa->dist), "zipf") != 0 || pa->n_points < 2 || shown >= 6)
                continue;
            shown++;
            size_t n = pa->n_points;
            double x[64], y[64], fx[64], fy[64];
            if (n > 64)
                n = 64;
            double s = pa->s, N = pa->n_est;
            double H = rng_zipf_harmonic(N > 1 ? (uint64_t)N : 1, s);
            for (size_t j = 0; j < n; j++) {
                x[j] = pa->rank[j];
                y[j] = pa->shares[j];
                fx[j] = x[j];
                fy[j] = pow(x[j], -s) / H;
            }
            char title[ROUTE_TITLE_MAX];
            snprintf(title, sizeof title, "%.200s {%.20s}: zipf s = %.3f, N ~ %.0f",
                     rstr(r->template_), rstr(pa->name), s, N);
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

static int sec_think(const tmodel_desc *m, dbuf *b)
{
    R(html_h2(b, NULL, "Think times"));
    const tmd_think *t = &m->sessions.think;
    size_t n = t->density.n;
    if (n == 0 || t->edges_s.n != n + 1) {
        char msg[256];
        snprintf(msg, sizeof msg, "No think-time fit%s%s", t->has_note ? ": " : ".", rstr(t->note));
        return html_para(b, "bad", msg);
    }
    dist_fit d = {0};
    const char *dist = rstr(t->dist);
    int law = tmodel_dist_of(dist);
    d.kind = law == TM_WEIBULL ? DIST_WEIBULL : law == TM_GAMMA ? DIST_GAMMA : DIST_LOGNORMAL;
    d.p1 = d.kind == DIST_LOGNORMAL ? t->mu : t->shape;
    d.p2 = d.kind == DIST_LOGNORMAL ? t->sigma : t->scale;
    double x[128], y[128], fy[128];
    if (n > 128)
        n = 128;
    for (size_t i = 0; i < n; i++) {
        double a = t->edges_s.v[i], e = t->edges_s.v[i + 1];
        x[i] = sqrt(a * e);
        y[i] = t->density.v[i];
        fy[i] = dist_pdf(&d, x[i]);
    }
    char title[160];
    snprintf(title, sizeof title, "Think time: %s, median %.2f s, KS D %.3f", dist, t->median_s,
             t->ks_d);
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

static int sec_journeys(const tmodel_desc *m, dbuf *b)
{
    R(html_h2(b, NULL, "Journeys (Markov chain over routes)"));
    size_t nr = m->n_routes;
    size_t idx[40], k = 0;
    for (size_t i = 0; i < nr && k < 40; i++) {
        const char *kind = rstr(m->routes[i].kind);
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
        rl[i] = cl[i] = rstr(m->routes[idx[i]].template_);
        for (size_t j = 0; j < k; j++)
            mat[i * (k + 1) + j] = tmodel_desc_trans(m, idx[i], idx[j]);
        mat[i * (k + 1) + k] = tmodel_desc_trans(m, idx[i], nr);
    }
    cl[k] = "exit";
    int rc = svg_heatmap(b, "P(next route | route), with exit", rl, cl, mat, k, k + 1);
    free(mat);
    R(rc);
    R(dbuf_adds(b, "<table><tr><th>route</th><th>kind</th><th class=\"n\">share</th><th>method</th>"
                   "<th class=\"n\">5xx</th><th class=\"n\">bytes p50</th></tr>\n"));
    for (size_t i = 0; i < nr && i < 60; i++) {
        const tmd_route *r = &m->routes[i];
        R(dbuf_adds(b, "<tr><td><code>"));
        R(dbuf_add_html(b, rstr(r->template_)));
        R(dbuf_printf(b,
                      "</code></td><td>%s</td><td class=\"n\">%.2f%%</td><td>%s</td><td "
                      "class=\"n\">%.2f%%</td><td class=\"n\">%.0f</td></tr>\n",
                      rstr(r->kind), 100 * r->share, rstr(r->method), 100 * r->share_5xx,
                      r->bytes_median));
    }
    return dbuf_adds(b, "</table>\n");
}

static int sec_websockets(const tmodel_desc *m, dbuf *b)
{
    R(html_h2(b, NULL, "WebSockets"));
    const tmd_websockets *w = &m->websockets;
    if (rstr(w->not_fitted)[0])
        return html_para(b, "muted", "WebSockets: not in a rate trace.");
    if (w->count <= 0)
        return html_para(b, "muted", "No WebSocket sessions (101 lines) in the log.");
    R(dbuf_printf(b,
                  "<p>%.0f WebSocket sessions (%.1f%% of sessions); duration %s median %.1f s, "
                  "p95 %.1f s; concurrency max %.0f, mean %.1f.</p>\n",
                  w->count, 100 * w->share_of_sessions, rstr(w->duration_dist),
                  w->duration_median_s, w->duration_p95_s, w->conc_max, w->conc_mean));
    const tmd_series *se = &w->conc;
    size_t n = se->rates.n;
    if (n == 0)
        return 0;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    svg_plot *p = svg_plot_new("Open WebSockets", "time", "open", 0, 0, SVG_XTIME);
    int rc = x && y && p ? 0 : ST_ENOMEM;
    for (size_t i = 0; !rc && i < n; i++) {
        x[i] = se->t0 + ((double)i + 0.5) * se->bin_s;
        y[i] = se->rates.v[i];
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

int report_render(const tmodel_desc *model, const char *title, dbuf *out, char *err)
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

int report_write(const tmodel_desc *model, const char *path, char *err)
{
    dbuf b;
    dbuf_init(&b, (size_t)64 << 20);
    int rc = report_render(model, "Traffic model report", &b, err);
    if (rc == 0)
        rc = afile_write_all(path, b.p, b.len, err);
    dbuf_free(&b);
    return rc;
}

int report_write_tree(json_t *model, const char *path, char *err)
{
    tmodel_desc d;
    int rc = tmodel_desc_from_json(&d, model, err);
    if (rc == 0)
        rc = report_write(&d, path, err);
    tmodel_desc_term(&d);
    return rc;
}
