/*
 * report.c -- the HTML report (see report.h). Sections in page order; each returns 0 or a
 * dbuf error code. "What happened" is computed in report_why.c.
 */
#include "report.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "afile.h"
#include "html.h"
#include "jsonio.h"
#include "report_why.h"
#include "rng.h"
#include "svg.h"
#include "units.h"

#define R(x) HTML_TRY(x) /* every section step: the first non-zero dbuf code returns */

int report_events_load(const char *path, uint64_t hash, report_events *ev, char *err)
{
    json_t *root, *events;
    char *canon;
    uint64_t h;
    int rc = 0;
    memset(ev, 0, sizeof *ev);
    if (!(root = jsonio_load(path, err)))
        return 1;
    canon = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
    h = canon ? rng_stream_id(canon) : 0;
    free(canon);
    if (h != hash) {
        json_decref(root);
        st_err(err, 1,
               "%s: not the scenario of these results (hash %016" PRIx64 ", results have "
               "%016" PRIx64 ")",
               path, h, hash);
        return 1;
    }
    events = json_object_get(root, "events");
    for (size_t i = 0; !rc && i < json_array_size(events) && i < SC_MAX_EVENTS; i++) {
        json_t *e = json_array_get(events, i);
        report_event *x = &ev->ev[ev->n];
        const char *name = NULL;
        double ramp = 0, hold = 0, decay = 0;
        char p[64];
        jv_path(p, sizeof p, "scenario.events", i);
        if (!json_is_object(e))
            rc = st_err(err, ST_EINPUT, "%s: expected an object", p);
        if (!rc && !(rc = jv_string(e, p, "name", 0, &name, err)) &&
            !(rc = jv_duration(e, p, "at", 1, &x->at, err)) &&
            !(rc = jv_duration(e, p, "ramp", 0, &ramp, err)) &&
            !(rc = jv_duration(e, p, "hold", 0, &hold, err)))
            rc = jv_duration(e, p, "decay", 0, &decay, err);
        if (rc)
            break;
        snprintf(x->name, sizeof x->name, "%s", name ? name : "flash crowd");
        x->exact = json_object_get(e, "ramp") != NULL;
        x->end = x->at + (x->exact ? ramp + hold + decay : 1);
        ev->n++;
    }
    json_decref(root);
    return rc;
}

static int shade_events(svg_plot *p, const rr_result *r, const report_events *ev)
{
    for (size_t i = 0; ev && i < ev->n; i++)
        R(svg_plot_shade(p, (double)r->start + ev->ev[i].at, (double)r->start + ev->ev[i].end,
                         ev->ev[i].name));
    return 0;
}

/* The last step of every time plot of the report: the flash crowds shaded, then the plot
 * written into b, when rc (the plot's making so far) is 0. p is freed either way. Returns rc
 * or the first error of these steps. */
static int plot_out(dbuf *b, svg_plot *p, int rc, const rr_result *r, const report_events *ev)
{
    if (!rc)
        rc = shade_events(p, r, ev);
    if (!rc)
        return html_plot_done(p, b);
    svg_plot_free(p);
    return rc;
}

/* The route's negotiated HTTP versions: "2" when there is one, else each with its share;
 * refusals by http.require_version follow. "-" when no response came back. Plain ASCII, so
 * the cell needs no escaping. */
static void fmt_versions(char *buf, size_t n, const mx_route *mr)
{
    uint64_t tot = 0;
    int kinds = 0;
    size_t off = 0;
    for (int k = 0; k < MX_HV; k++) {
        tot += mr->version[k];
        kinds += mr->version[k] > 0;
    }
    buf[0] = 0;
    for (int k = 0; k < MX_HV && off < n; k++) {
        int w;
        if (!mr->version[k])
            continue;
        if (kinds == 1)
            w = snprintf(buf + off, n - off, "%s", mx_hv_names[k]);
        else
            w = snprintf(buf + off, n - off, "%s%s %.1f%%", off ? ", " : "", mx_hv_names[k],
                         100.0 * (double)mr->version[k] / (double)tot);
        off += w > 0 ? (size_t)w : 0;
    }
    if (!tot)
        snprintf(buf, n, "-");
    else if (mr->version_refused && off < n)
        snprintf(buf + off, n - off, " (%" PRIu64 " refused)", mr->version_refused);
}

static int sec_meta(dbuf *b, const rr_result *r)
{
    char when[64] = "?", el[32], segs[512];
    time_t t = (time_t)r->start;
    struct tm tm;
    size_t len = 0;
    if (gmtime_r(&t, &tm))
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    units_fmt_duration(el, sizeof el, r->elapsed_s);
    if (r->p.seg_i)
        snprintf(segs, sizeof segs, "segment %u of %u", r->p.seg_i, r->p.seg_n);
    else {
        len = (size_t)snprintf(segs, sizeof segs, "merged %u of %u:", r->n_segs, r->p.seg_n);
        for (unsigned j = 0; j < r->n_segs && len < sizeof segs - 24; j++)
            len += (size_t)snprintf(segs + len, sizeof segs - len, " %u", r->segs[j]);
        for (unsigned j = 0; j < r->n_missing && len < sizeof segs - 24; j++)
            len += (size_t)snprintf(segs + len, sizeof segs - len, "%s%u", j ? ", " : "; missing ",
                                    r->missing[j]);
    }
    R(html_h2(b, "run", "Run"));
    R(dbuf_adds(b, "<table id=\"meta\">\n<tr><th>scenario</th><td>"));
    R(dbuf_add_html(b, r->sc->name));
    R(dbuf_printf(b, " <span class=\"muted\">hash %016" PRIx64 ", ", r->sc->hash));
    R(dbuf_add_html(b, r->sc->path));
    R(dbuf_printf(b,
                  "</span></td></tr>\n<tr><th>seed</th><td>%" PRIu64 "</td></tr>\n"
                  "<tr><th>target</th><td>",
                  r->sc->seed));
    R(dbuf_add_html(b, r->sc->target));
    R(dbuf_printf(b,
                  "</td></tr>\n<tr><th>scale, duration</th><td>%gx over %g s</td></tr>\n"
                  "<tr><th>segments</th><td>",
                  r->sc->scale, r->sc->duration));
    R(dbuf_add_html(b, segs));
    R(dbuf_printf(b,
                  "</td></tr>\n<tr><th>started</th><td>%s, ran %s (%s), %u threads</td></tr>\n"
                  "<tr><th>replay</th><td>",
                  when, el, r->stopped, r->threads));
    R(dbuf_add_html(b, r->tool_version));
    R(dbuf_printf(b, " (results format %lld)</td></tr>\n</table>\n", (long long)r->version));
    return 0;
}

static int sec_thresholds(dbuf *b, const rr_result *r)
{
    R(html_h2(b, "thresholds-h", "Thresholds"));
    if (!r->sc->n_thresholds)
        R(html_para(b, "muted", "The scenario has no thresholds."));
    R(dbuf_adds(b, "<table id=\"thresholds\">\n<tr><th>verdict</th><th>rule</th>"
                   "<th class=\"n\">measured</th><th>abort</th></tr>\n"));
    for (size_t i = 0; i < r->sc->n_thresholds; i++) {
        const thr *t = &r->sc->thresholds[i];
        char v[64];
        R(dbuf_adds(b, "<tr data-expr=\""));
        R(dbuf_add_html(b, t->expr));
        R(dbuf_printf(b, "\" data-pass=\"%s\"><td class=\"%s\">%s</td><td><code>",
                      r->thr_ok[i] ? "true" : "false", r->thr_ok[i] ? "ok" : "bad",
                      r->thr_ok[i] == THR_DEFERRED ? "DEFERRED"
                      : r->thr_ok[i]               ? "PASS"
                                                   : "FAIL"));
        R(dbuf_add_html(b, t->expr));
        R(dbuf_adds(b, "</code></td><td class=\"n\">"));
        R(dbuf_add_html(b, thr_fmt_value(t, r->thr_values[i], v, sizeof v)));
        R(dbuf_printf(b, "</td><td>%s</td></tr>\n", t->abort ? "yes" : ""));
    }
    return dbuf_adds(b, "</table>\n");
}

/* Per-second arrays over the whole series span. */
typedef struct secs_xy {
    size_t n;
    double *x, *y[6];
} secs_xy;

static int xy_alloc(secs_xy *s, size_t n, int ny)
{
    memset(s, 0, sizeof *s);
    s->n = n;
    s->x = calloc(n ? n : 1, sizeof *s->x);
    if (!s->x)
        return ST_ENOMEM;
    for (int k = 0; k < ny; k++)
        if (!(s->y[k] = calloc(n ? n : 1, sizeof *s->y[k])))
            return ST_ENOMEM;
    return 0;
}

static void xy_free(secs_xy *s)
{
    free(s->x);
    for (int k = 0; k < 6; k++)
        free(s->y[k]);
}

static int sec_arrivals(dbuf *b, const rr_result *r, const report_events *ev)
{
    const metrics *m = r->m;
    secs_xy s;
    svg_plot *p;
    int rc;
    R(html_h2(b, "arrivals", "Target vs achieved"));
    if (!m->n_secs)
        return html_para(b, "muted", "The results have no per-second series.");
    if ((rc = xy_alloc(&s, m->n_secs, 4))) {
        xy_free(&s);
        return rc;
    }
    for (size_t i = 0; i < m->n_secs; i++) {
        s.x[i] = (double)(m->t0 + (int64_t)i);
        s.y[0][i] = m->secs[i].planned;
        s.y[1][i] = m->secs[i].sent;
        s.y[2][i] = m->secs[i].done;
        s.y[3][i] = m->secs[i].sessions;
    }
    p = svg_plot_new(ev && ev->n ? "Requests per second: planned vs sent (flash crowds shaded)"
                                 : "Requests per second: planned vs sent",
                     "time", "requests/s", 0, 0, SVG_XTIME);
    rc = p ? 0 : ST_ENOMEM;
    if (!rc)
        rc = svg_plot_series(p, "planned (target)", s.x, s.y[0], s.n, SVG_STEP);
    if (!rc)
        rc = svg_plot_series(p, "sent (achieved)", s.x, s.y[1], s.n, SVG_STEP);
    if (!rc)
        rc = svg_plot_series(p, "completed", s.x, s.y[2], s.n, SVG_LINE);
    rc = plot_out(b, p, rc, r, ev);
    if (!rc) {
        p = svg_plot_new("Sessions started per second", "time", "sessions/s", 0, 0, SVG_XTIME);
        rc = p ? svg_plot_series(p, "sessions started", s.x, s.y[3], s.n, SVG_STEP) : ST_ENOMEM;
        rc = plot_out(b, p, rc, r, ev);
    }
    xy_free(&s);
    if (!rc)
        rc = html_para(b, "muted",
                       "Open HTTP sessions over time are not in the results (they record "
                       "sessions started per second); open WebSockets are below.");
    return rc;
}

static int sec_ws(dbuf *b, const rr_result *r, const report_events *ev)
{
    const metrics *m = r->m;
    const mx_ws *w = &m->ws;
    secs_xy s;
    svg_plot *p;
    int rc;
    R(html_h2(b, "websockets", "WebSockets"));
    if (!m->has_ws)
        return html_para(b, "muted", "No WebSocket sessions in this run.");
    R(dbuf_printf(b,
                  "<p>%" PRIu64 " planned, %" PRIu64 " opened, %" PRIu64
                  " handshakes failed, %" PRIu64 " reconnects, %" PRIu64 " errors; %" PRIu64
                  " messages in, %" PRIu64 " out, %" PRIu64 " server pushes.</p>\n",
                  w->planned, w->opened, w->hs_failed, w->reconnects, w->errors, w->msgs_in,
                  w->msgs_out, w->pushes));
    if (!m->n_secs)
        return 0;
    if ((rc = xy_alloc(&s, m->n_secs, 3))) {
        xy_free(&s);
        return rc;
    }
    for (size_t i = 0; i < m->n_secs; i++) {
        s.x[i] = (double)(m->t0 + (int64_t)i);
        s.y[0][i] = m->secs[i].ws_open;
        s.y[1][i] = m->secs[i].ws_opened;
        s.y[2][i] = m->secs[i].ws_errors;
    }
    p = svg_plot_new("Open WebSockets (end of each second)", "time", "connections", 0, 0,
                     SVG_XTIME);
    rc = p ? 0 : ST_ENOMEM;
    if (!rc)
        rc = svg_plot_series(p, "open", s.x, s.y[0], s.n, SVG_STEP);
    if (!rc)
        rc = svg_plot_series(p, "opened", s.x, s.y[1], s.n, SVG_STEP);
    if (!rc && w->errors)
        rc = svg_plot_series(p, "errors", s.x, s.y[2], s.n, SVG_STEP);
    rc = plot_out(b, p, rc, r, ev);
    xy_free(&s);
    return rc;
}

static int sec_latency(dbuf *b, const rr_result *r, const report_events *ev)
{
    const metrics *m = r->m;
    secs_xy s;
    size_t n = 0;
    int rc;
    const double pct[3] = {50, 95, 99};
    R(html_h2(b, "latency", "Latency"));
    if ((rc = xy_alloc(&s, m->n_secs, 3))) {
        xy_free(&s);
        return rc;
    }
    for (size_t i = 0; i < m->n_secs; i++) {
        if (!m->secs[i].done)
            continue;
        s.x[n] = (double)(m->t0 + (int64_t)i);
        for (int k = 0; k < 3; k++)
            s.y[k][n] = (double)results_coarse_pct(m->secs[i].coarse, pct[k]) / 1000;
        n++;
    }
    if (!n)
        rc = html_para(b, "muted", "No request completed: no latency to plot.");
    else {
        svg_plot *p = svg_plot_new("Latency over time, all routes (from intended send time)",
                                   "time", "ms", 0, 0, SVG_XTIME);
        const char *names[3] = {"p50", "p95", "p99"};
        rc = p ? 0 : ST_ENOMEM;
        for (int k = 0; !rc && k < 3; k++)
            rc = svg_plot_series(p, names[k], s.x, s.y[k], n, SVG_LINE);
        rc = plot_out(b, p, rc, r, ev);
        if (!rc)
            rc = html_para(
                b, "muted",
                "Per second, from the results' coarse histograms (4 buckets per "
                "power of two, about 12.5%); per route, the exact whole-run histograms below.");
    }
    xy_free(&s);
    if (rc)
        return rc;
    R(dbuf_adds(b, "<table id=\"routes\">\n<tr><th>route</th><th>HTTP</th><th class=\"n\">done</th>"
                   "<th class=\"n\">errors</th><th class=\"n\">p50</th><th class=\"n\">p95</th>"
                   "<th class=\"n\">p99</th><th class=\"n\">max</th></tr>\n"));
    for (size_t i = 0; i < m->n_routes; i++) {
        const mx_route *mr = &m->routes[i];
        hist *h = hist_new();
        uint64_t errs = 0;
        char a[32], c[32], d[32], e[32], v[160];
        if (!h)
            return ST_ENOMEM;
        for (int k = 0; k < MX_CLASSES; k++)
            if (mr->lat[k])
                hist_merge(h, mr->lat[k]);
        for (int k = 0; k < ERR_N; k++)
            errs += mr->err[k];
        html_fmt_us(a, sizeof a, (double)hist_percentile(h, 50));
        html_fmt_us(c, sizeof c, (double)hist_percentile(h, 95));
        html_fmt_us(d, sizeof d, (double)hist_percentile(h, 99));
        html_fmt_us(e, sizeof e, (double)hist_percentile(h, 100));
        hist_free(h);
        R(dbuf_adds(b, "<tr><td><code>"));
        R(dbuf_add_html(b, r->sc->routes[i].method));
        R(dbuf_adds(b, " "));
        R(dbuf_add_html(b, r->sc->routes[i].template_));
        fmt_versions(v, sizeof v, mr);
        R(dbuf_printf(b,
                      "</code></td><td>%s</td><td class=\"n\">%" PRIu64
                      "</td><td class=\"n\">%" PRIu64
                      "</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
                      "<td class=\"n\">%s</td></tr>\n",
                      v, mr->done, errs, a, c, d, e));
    }
    return dbuf_adds(b, "</table>\n");
}

static int sec_errors(dbuf *b, const rr_result *r, const report_events *ev)
{
    const metrics *m = r->m;
    uint64_t tot = metrics_total_errors(m);
    secs_xy s;
    svg_plot *p;
    int rc;
    const int cls[3] = {0, 4, 5};
    const char *names[3] = {"transport error (connect, timeout, reset)", "4xx", "5xx"};
    R(html_h2(b, "errors", "Errors"));
    if (!tot)
        return html_para(b, "ok",
                         "No errors: every request got a response that was not 4xx or 5xx.");
    if ((rc = xy_alloc(&s, m->n_secs, 3))) {
        xy_free(&s);
        return rc;
    }
    for (size_t i = 0; i < m->n_secs; i++) {
        s.x[i] = (double)(m->t0 + (int64_t)i);
        for (int k = 0; k < 3; k++)
            s.y[k][i] = m->secs[i].status[cls[k]];
    }
    p = svg_plot_new("Errors per second by class", "time", "errors/s", 0, 0, SVG_XTIME);
    rc = p ? 0 : ST_ENOMEM;
    for (int k = 0; !rc && k < 3; k++) {
        uint64_t any = 0;
        for (size_t i = 0; i < m->n_secs; i++)
            any += m->secs[i].status[cls[k]];
        if (any)
            rc = svg_plot_series(p, names[k], s.x, s.y[k], s.n, SVG_STEP);
    }
    if (m->n_secs)
        rc = plot_out(b, p, rc, r, ev);
    else
        svg_plot_free(p);
    xy_free(&s);
    return rc;
}

/* Numbers of one db column (null -> NAN). Returns the count of finite values. */
static size_t db_column(const json_t *obj, const char *key, size_t n, double *out)
{
    const json_t *a = json_object_get(obj, key);
    size_t good = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(a, i);
        out[i] = json_is_number(v) ? json_number_value(v) : NAN;
        good += isfinite(out[i]) != 0;
    }
    return json_array_size(a) == n ? good : 0;
}

static int db_chart(dbuf *b, const rr_result *r, const report_events *ev, const json_t *samples,
                    const char *title, const char *ylabel, const char *const *keys,
                    const char *const *labels, size_t nk)
{
    const json_t *t = json_object_get(samples, "t");
    size_t n = json_array_size(t), any = 0;
    double *x = calloc(n + 1, sizeof *x), *y = calloc((n + 1) * nk, sizeof *y);
    svg_plot *p = svg_plot_new(title, "time", ylabel, 0, 0, SVG_XTIME);
    int rc = x && y && p ? 0 : ST_ENOMEM;
    for (size_t i = 0; !rc && i < n; i++)
        x[i] = json_number_value(json_array_get(t, i));
    for (size_t k = 0; !rc && k < nk; k++) {
        const json_t *src = samples;
        const char *key = keys[k];
        size_t good;
        if (!strncmp(key, "wait.", 5)) {
            src = json_object_get(samples, "wait");
            key += 5;
        }
        good = db_column(src, key, n, y + k * (n + 1));
        any += good;
        if (good)
            rc = svg_plot_series(p, labels[k], x, y + k * (n + 1), n, SVG_STEP);
    }
    if (!rc)
        rc = shade_events(p, r, ev);
    if (!rc && any)
        rc = svg_plot_render(p, b);
    else if (!rc)
        rc = html_para(b, "muted", "The probe recorded no values for this chart.");
    svg_plot_free(p);
    free(x);
    free(y);
    return rc;
}

static int sec_db(dbuf *b, const rr_result *r, const report_events *ev)
{
    const json_t *samples = json_object_get(r->db, "samples"),
                 *gaps = json_object_get(r->db, "gaps");
    static const char *const st_keys[] = {"active", "idle", "idle_in_tx", "idle_in_tx_aborted",
                                          "other"};
    static const char *const st_lab[] = {"active", "idle", "idle in transaction",
                                         "idle in transaction (aborted)", "other"};
    static const char *const w_keys[] = {"waiting", "blockers", "wait.LWLock", "wait.IO"};
    static const char *const w_lab[] = {"waiting on a lock", "blockers", "wait LWLock", "wait IO"};
    static const char *const h_keys[] = {"headroom"};
    static const char *const h_lab[] = {"headroom (free connection slots)"};
    R(html_h2(b, "db", "Database"));
    if (!r->db)
        return html_para(b, "muted",
                         "no --db-probe: the run did not sample the database, so there is "
                         "no server-side timeline (replay run ... --db-probe CONNINFO).");
    if (!json_array_size(json_object_get(samples, "t")))
        return html_para(b, "muted", "--db-probe was on, but it recorded no sample.");
    R(db_chart(b, r, ev, samples, "DB connections by state", "backends", st_keys, st_lab, 5));
    R(db_chart(b, r, ev, samples, "DB waits", "backends", w_keys, w_lab, 4));
    R(db_chart(b, r, ev, samples, "DB headroom", "connection slots", h_keys, h_lab, 1));
    if (json_array_size(gaps)) {
        char line[160];
        snprintf(line, sizeof line,
                 "The probe lost its connection %zu time(s); the charts have "
                 "gaps there.",
                 json_array_size(gaps));
        R(html_para(b, "bad", line));
    }
    return 0;
}

static int sec_engine(dbuf *b, const rr_result *r)
{
    const metrics *m = r->m;
    char a[32], c[32], d[32];
    R(html_h2(b, "engine", "Generator health"));
    html_fmt_us(a, sizeof a, (double)hist_percentile(m->lateness, 50));
    html_fmt_us(c, sizeof c, (double)hist_percentile(m->lateness, 99));
    html_fmt_us(d, sizeof d, (double)hist_percentile(m->lateness, 100));
    R(dbuf_printf(b,
                  "<p>Send lateness p50 %s, p99 %s, max %s; %" PRIu64 " sends more than 10 ms "
                  "late, %" PRIu64 " sessions dropped at the session cap, %" PRIu64 " requests "
                  "unsent, %" PRIu64 " throttled by --max-rps, %" PRIu64 " held by a slow previous "
                  "response.</p>\n",
                  a, c, d, m->late_sends, m->sessions_dropped, m->requests_unsent, m->throttled,
                  m->blocked_sends));
    if (m->queued_sends) {
        /* Pool waits are mostly the server's delay (no response freed a connection), the lateness
         * of the other sends the generator's own: a reader must not blame one for the other. */
        char e[32], f[32];
        html_fmt_us(a, sizeof a, (double)hist_percentile(m->pool_wait, 50));
        html_fmt_us(c, sizeof c, (double)hist_percentile(m->pool_wait, 99));
        html_fmt_us(d, sizeof d, (double)hist_percentile(m->pool_wait, 100));
        html_fmt_us(e, sizeof e, (double)hist_percentile(m->lateness_unqueued, 50));
        html_fmt_us(f, sizeof f, (double)hist_percentile(m->lateness_unqueued, 99));
        R(dbuf_printf(b,
                      "<p id=\"pool-wait\">%" PRIu64 " sends waited for a free pooled connection "
                      "because no response had freed one yet (mostly the server's delay; responses "
                      "the generator read late count here too), included in the lateness above: "
                      "wait p50 %s, p99 %s, max %s. The sends that did not wait were late by "
                      "p50 %s, p99 %s (the generator's own delay).</p>\n",
                      m->queued_sends, a, c, d, e, f));
    }
    if (!json_array_size(r->warnings))
        return html_para(b, "ok", "No warnings: the generator kept up with the plan.");
    R(dbuf_adds(b, "<ul class=\"bad\" id=\"warnings\">\n"));
    for (size_t i = 0; i < json_array_size(r->warnings); i++) {
        R(dbuf_adds(b, "<li>"));
        R(dbuf_add_html(b, json_string_value(json_array_get(r->warnings, i))));
        R(dbuf_adds(b, "</li>\n"));
    }
    return dbuf_adds(b, "</ul>\n");
}

/* results.coverage: the share of the model's requests the plan sent, and what it left out. */
static int sec_coverage(dbuf *b, const rr_result *r)
{
    json_t *miss = json_object_get(r->coverage, "missing");
    if (!r->coverage)
        return 0;
    R(html_h2(b, "coverage", "Coverage of the model"));
    R(dbuf_printf(b, "<p id=\"coverage-share\">The plan sends %.1f%% of the model's %s.</p>\n",
                  100 * json_number_value(json_object_get(r->coverage, "share")),
                  json_string_value(json_object_get(r->coverage, "by")) ?: "requests"));
    if (!json_array_size(miss))
        return html_para(b, "ok", "Every model route is sent.");
    R(dbuf_adds(
        b, "<table id=\"coverage\">\n<tr><th>model route not sent</th><th class=\"n\">share</th>"
           "<th>why</th></tr>\n"));
    for (size_t i = 0; i < json_array_size(miss); i++) {
        json_t *e = json_array_get(miss, i);
        R(dbuf_adds(b, "<tr><td><code>"));
        R(dbuf_add_html(b, json_string_value(json_object_get(e, "route")) ?: "?"));
        R(dbuf_printf(b, "</code></td><td class=\"n\">%.2f%%</td><td>",
                      100 * json_number_value(json_object_get(e, "share"))));
        R(dbuf_add_html(b, json_string_value(json_object_get(e, "why")) ?: ""));
        R(dbuf_adds(b, "</td></tr>\n"));
    }
    return dbuf_adds(b, "</table>\n");
}

int report_html(const rr_result *r, const report_events *ev, dbuf *b, char *err)
{
    char title[256];
    int rc;
    snprintf(title, sizeof title, "replay: %s (seed %" PRIu64 ")", r->sc->name, r->sc->seed);
    if ((rc = html_page_begin(b, title)) || (rc = sec_meta(b, r)) ||
        (rc = html_h2(b, "why", "What happened")) || (rc = report_why(b, r, ev)) ||
        (rc = sec_thresholds(b, r)) || (rc = sec_coverage(b, r)) || (rc = sec_arrivals(b, r, ev)) ||
        (rc = sec_ws(b, r, ev)) || (rc = sec_latency(b, r, ev)) || (rc = sec_errors(b, r, ev)) ||
        (rc = sec_db(b, r, ev)) || (rc = sec_engine(b, r)) ||
        (rc = html_para(b, "muted",
                        "Written by replay " ST_VERSION " from results.json; charts are "
                        "inline SVG (common/svg.h), the same as modeler's reports.")) ||
        (rc = html_page_end(b)))
        return st_err(err, rc, "report: %s",
                      rc == ST_ELIMIT ? "larger than the size cap" : "out of memory");
    return 0;
}

int report_write(const rr_result *r, const report_events *ev, const char *path, char *err)
{
    dbuf b;
    int rc;
    dbuf_init(&b, REPORT_MAX_BYTES);
    rc = report_html(r, ev, &b, err);
    if (!rc)
        rc = afile_write_all(path, b.p, b.len, err);
    dbuf_free(&b);
    return rc;
}
