/*
 * report_why.c -- "what happened" (see report_why.h). Every sentence names its numbers.
 */
#include "report_why.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "lag.h"

#define R(x) HTML_TRY(x) /* every section step: the first non-zero dbuf code returns */

/* p95 (µs) of the coarse histograms of seconds [a, z) that had completions. */
static double p95_of(const metrics *m, size_t a, size_t z)
{
    uint32_t c[MX_COARSE] = {0};
    uint64_t any = 0;
    for (size_t i = a; i < z && i < m->n_secs; i++)
        for (int k = 0; k < MX_COARSE; k++) {
            c[k] += m->secs[i].coarse[k];
            any += m->secs[i].coarse[k];
        }
    return any ? (double)results_coarse_pct(c, 95) : NAN;
}

static int why_errors(dbuf *b, const metrics *m, const rr_result *r)
{
    uint64_t tot = metrics_total_errors(m), done = 0, kind[ERR_N] = {0}, best = 0;
    size_t br = 0;
    int bk = 0;
    char s[512];
    for (size_t i = 0; i < m->n_routes; i++) {
        uint64_t e = 0;
        done += m->routes[i].done;
        for (int k = 0; k < ERR_N; k++) {
            kind[k] += m->routes[i].err[k];
            e += m->routes[i].err[k];
        }
        if (e > best) {
            best = e;
            br = i;
        }
    }
    if (!tot)
        return 0;
    for (int k = 1; k < ERR_N; k++)
        if (kind[k] > kind[bk])
            bk = k;
    snprintf(s, sizeof s,
             "%" PRIu64 " errors in %" PRIu64 " responses (%.2f%%): %.0f%% were %s; "
             "%.0f%% of them on %s %s.",
             tot, done, done ? 100.0 * (double)tot / (double)done : 0.0,
             100.0 * (double)kind[bk] / (double)tot, mx_err_names[bk],
             100.0 * (double)best / (double)tot, r->sc->routes[br].method,
             r->sc->routes[br].template_);
    return html_li(b, s);
}

/* A run that asked for HTTP/2 and got HTTP/1.x rehearsed another connection pattern than
 * the one it meant to (more connections, no multiplexing): say so, with the share. */
static int why_versions(dbuf *b, const metrics *m, const rr_result *r)
{
    uint64_t h1 = 0, tot = 0, refused = 0;
    char s[512];
    if (r->sc->http_version == SCHV_1_1)
        return 0;
    for (size_t i = 0; i < m->n_routes; i++) {
        for (int k = 0; k < MX_HV; k++)
            tot += m->routes[i].version[k];
        h1 += m->routes[i].version[0] + m->routes[i].version[1]; /* "1.0", "1.1" */
        refused += m->routes[i].version_refused;
    }
    if (!h1)
        return 0;
    snprintf(
        s, sizeof s,
        "The scenario asked for HTTP/2%s, but %" PRIu64 " of %" PRIu64 " responses "
        "(%.1f%%) came over HTTP/1.x: %s.",
        r->sc->http_version == SCHV_H2C ? " (h2c)" : "", h1, tot, 100.0 * (double)h1 / (double)tot,
        refused ? "http.require_version refused them (errors of kind other)"
                : "the server did not negotiate HTTP/2, so those connections behaved as HTTP/1.1");
    return html_li(b, s);
}

static int why_latency(dbuf *b, const metrics *m, const rr_result *r, size_t *worst)
{
    size_t first = m->n_secs, last = 0, n;
    double w = -1;
    char s[512], x[32], y[32];
    *worst = m->n_secs;
    for (size_t i = 0; i < m->n_secs; i++)
        if (m->secs[i].done) {
            double v = (double)results_coarse_pct(m->secs[i].coarse, 95);
            first = i < first ? i : first;
            last = i;
            if (v > w) {
                w = v;
                *worst = i;
            }
        }
    if (*worst == m->n_secs)
        return 0;
    n = last - first + 1;
    if (n >= 6) {
        double a = p95_of(m, first, first + n / 3), z = p95_of(m, last + 1 - n / 3, last + 1);
        html_fmt_us(x, sizeof x, a);
        html_fmt_us(y, sizeof y, z);
        if (z > 1.5 * a)
            snprintf(s, sizeof s,
                     "Latency rose during the run: p95 %s in the first third of the seconds, "
                     "%s in the last third.",
                     x, y);
        else if (a > 1.5 * z)
            snprintf(s, sizeof s,
                     "Latency fell during the run: p95 %s in the first third, %s in the "
                     "last third.",
                     x, y);
        else
            snprintf(s, sizeof s,
                     "Latency was steady: p95 %s in the first third of the seconds, %s in "
                     "the last third.",
                     x, y);
        R(html_li(b, s));
    }
    html_fmt_us(x, sizeof x, w);
    snprintf(s, sizeof s, "Worst second: +%" PRId64 " s (p95 %s over %u responses, %u errors).",
             m->t0 + (int64_t)*worst - r->start, x, m->secs[*worst].done, m->secs[*worst].errors);
    return html_li(b, s);
}

static int why_events(dbuf *b, const metrics *m, const rr_result *r, const report_events *ev)
{
    uint32_t in[MX_COARSE] = {0}, out[MX_COARSE] = {0};
    uint64_t nin = 0, nout = 0, ein = 0, eout = 0;
    char s[512], x[32], y[32];
    if (!ev || !ev->n)
        return 0;
    for (size_t i = 0; i < m->n_secs; i++) {
        double t = (double)(m->t0 + (int64_t)i - r->start);
        int inside = 0;
        for (size_t e = 0; e < ev->n; e++)
            inside |= t + 1 > ev->ev[e].at && t < ev->ev[e].end;
        for (int k = 0; k < MX_COARSE; k++)
            (inside ? in : out)[k] += m->secs[i].coarse[k];
        *(inside ? &nin : &nout) += m->secs[i].done;
        *(inside ? &ein : &eout) += m->secs[i].errors;
    }
    if (!nin)
        return 0;
    html_fmt_us(x, sizeof x, (double)results_coarse_pct(in, 95));
    html_fmt_us(y, sizeof y, nout ? (double)results_coarse_pct(out, 95) : 0);
    snprintf(s, sizeof s,
             "During the flash crowd%s: p95 %s and %.2f%% errors over %" PRIu64
             " responses; outside: p95 %s and %.2f%% errors over %" PRIu64 ".",
             ev->n > 1 ? "s" : "", x, 100.0 * (double)ein / (double)nin, nin, y,
             nout ? 100.0 * (double)eout / (double)nout : 0.0, nout);
    return html_li(b, s);
}

/* Index of second t in the db sample columns, or -1. */
static long db_at(const json_t *t, int64_t sec)
{
    for (size_t i = 0; i < json_array_size(t); i++)
        if ((int64_t)json_number_value(json_array_get(t, i)) == sec)
            return (long)i;
    return -1;
}

static double db_val(const json_t *samples, const char *key, long i)
{
    const json_t *v = i < 0 ? NULL : json_array_get(json_object_get(samples, key), (size_t)i);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* The client-side value of second i that db columns are compared with (NAN: none). */
enum why_x { WHY_P95 = 0, WHY_WS_OPEN };

static double x_of(const metrics *m, size_t i, enum why_x what)
{
    if (what == WHY_WS_OPEN)
        return m->secs[i].ws_open;
    return m->secs[i].done ? (double)results_coarse_pct(m->secs[i].coarse, 95) : NAN;
}

/* Pearson correlation of a per-second client value with a db column over the seconds both
 * have (seconds missing from the series count as 0 open WebSockets, and as no p95). */
static double db_corr(const metrics *m, const json_t *samples, const char *key, enum why_x what,
                      size_t *np)
{
    const json_t *t = json_object_get(samples, "t");
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, n = 0;
    for (size_t i = 0; i < json_array_size(t); i++) {
        int64_t sec = (int64_t)json_number_value(json_array_get(t, i)) - m->t0;
        double y = db_val(samples, key, (long)i), x;
        if (sec < 0 || (size_t)sec >= m->n_secs || !isfinite(y))
            continue;
        x = x_of(m, (size_t)sec, what);
        if (!isfinite(x))
            continue;
        sx += x;
        sy += y;
        sxx += x * x;
        syy += y * y;
        sxy += x * y;
        n++;
    }
    *np = (size_t)n;
    if (n < 5)
        return NAN;
    double vx = sxx - sx * sx / n, vy = syy - sy * sy / n;
    return vx > 0 && vy > 0 ? (sxy - sx * sy / n) / sqrt(vx * vy) : NAN;
}

static double col_max(const json_t *samples, const char *key, int want_min)
{
    const json_t *a = json_object_get(samples, key);
    double best = NAN;
    for (size_t i = 0; i < json_array_size(a); i++) {
        const json_t *v = json_array_get(a, i);
        if (json_is_number(v) &&
            (isnan(best) || (want_min ? json_number_value(v) < best : json_number_value(v) > best)))
            best = json_number_value(v);
    }
    return best;
}

/* Open WebSockets against the database: the backends at their peak, and the db columns
 * that moved with them (the "WebSockets holding connections" pattern). */
static int why_ws_db(dbuf *b, const metrics *m, const rr_result *r, const json_t *samples)
{
    static const char *const keys[] = {"connections", "idle", "idle_in_tx", "active"};
    size_t peak = 0;
    char s[512];
    for (size_t i = 1; i < m->n_secs; i++)
        if (m->secs[i].ws_open > m->secs[peak].ws_open)
            peak = i;
    if (m->n_secs && m->secs[peak].ws_open) {
        long i = db_at(json_object_get(samples, "t"), m->t0 + (int64_t)peak);
        if (i >= 0) {
            snprintf(s, sizeof s,
                     "At the peak of open WebSockets (%u at +%" PRId64 " s) the database had "
                     "%.0f client connections: %.0f active, %.0f idle, %.0f idle in transaction; "
                     "headroom %.0f.",
                     m->secs[peak].ws_open, m->t0 + (int64_t)peak - r->start,
                     db_val(samples, "connections", i), db_val(samples, "active", i),
                     db_val(samples, "idle", i), db_val(samples, "idle_in_tx", i),
                     db_val(samples, "headroom", i));
            R(html_li(b, s));
        }
    }
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
        size_t n;
        double c = db_corr(m, samples, keys[k], WHY_WS_OPEN, &n);
        if (isfinite(c) && c >= 0.6) {
            snprintf(s, sizeof s,
                     "db.%s rose and fell with the open WebSockets (correlation %.2f over %zu "
                     "seconds): the WebSocket sessions hold database connections.",
                     keys[k], c, n);
            return html_li(b, s);
        }
    }
    return 0;
}

static int why_db(dbuf *b, const metrics *m, const rr_result *r, size_t worst)
{
    const json_t *samples = json_object_get(r->db, "samples"), *t = json_object_get(samples, "t");
    char s[512];
    const char *keys[2] = {"active", "waiting"};
    if (!r->db || !json_array_size(t))
        return 0;
    if (worst < m->n_secs) {
        long i = db_at(t, m->t0 + (int64_t)worst);
        if (i >= 0) {
            snprintf(s, sizeof s,
                     "At the worst second the database had %.0f active backends, %.0f waiting "
                     "on a lock, %.0f idle in transaction, headroom %.0f connection slots.",
                     db_val(samples, "active", i), db_val(samples, "waiting", i),
                     db_val(samples, "idle_in_tx", i), db_val(samples, "headroom", i));
            R(html_li(b, s));
        }
    }
    {
        double hmin = col_max(samples, "headroom", 1), wmax = col_max(samples, "waiting", 0);
        double itx = col_max(samples, "idle_in_tx", 0), amax = col_max(samples, "active", 0);
        snprintf(s, sizeof s,
                 "Over the run: at most %.0f active backends and %.0f waiting on locks; "
                 "lowest headroom %.0f%s; at most %.0f idle in transaction%s.",
                 amax, wmax, hmin, hmin <= 0 ? " (the server refused new connections)" : "", itx,
                 itx > 0 ? " (connections held open without work: a pool or a long-lived session "
                           "holding them)"
                         : "");
        R(html_li(b, s));
    }
    for (int k = 0; k < 2; k++) {
        size_t n;
        double c = db_corr(m, samples, keys[k], WHY_P95, &n);
        if (isfinite(c) && c >= 0.6) {
            snprintf(s, sizeof s,
                     "Per-second p95 rose and fell with db.%s (correlation %.2f over %zu "
                     "seconds): the latency is most likely spent in the database.",
                     keys[k], c, n);
            R(html_li(b, s));
        }
    }
    return m->has_ws ? why_ws_db(b, m, r, samples) : 0;
}

int report_why(dbuf *b, const rr_result *r, const report_events *ev)
{
    const metrics *m = r->m;
    size_t failed = 0, worst;
    uint64_t sent = metrics_total_sent(m);
    char s[512], v[64];
    R(dbuf_adds(b, "<ul id=\"what-happened\">\n"));
    for (size_t i = 0; i < r->sc->n_thresholds; i++)
        failed += !r->thr_ok[i];
    if (!r->sc->n_thresholds)
        snprintf(s, sizeof s, "The scenario has no thresholds.");
    else if (!failed)
        snprintf(s, sizeof s, "All %zu thresholds passed.", r->sc->n_thresholds);
    else
        snprintf(s, sizeof s, "%zu of %zu thresholds failed.", failed, r->sc->n_thresholds);
    R(html_li(b, s));
    for (size_t i = 0; i < r->sc->n_thresholds; i++)
        if (!r->thr_ok[i]) {
            snprintf(s, sizeof s, "FAIL %s: measured %s.", r->sc->thresholds[i].expr,
                     thr_fmt_value(&r->sc->thresholds[i], r->thr_values[i], v, sizeof v));
            R(html_li(b, s));
        }
    snprintf(s, sizeof s,
             "%" PRIu64 " of %" PRIu64 " planned requests were sent (%.1f%%) by %" PRIu64
             " sessions; %" PRIu64 " unsent.",
             sent, m->requests_planned,
             m->requests_planned ? 100.0 * (double)sent / (double)m->requests_planned : 0.0,
             m->sessions_started, m->requests_unsent);
    R(html_li(b, s));
    R(why_errors(b, m, r));
    R(why_versions(b, m, r));
    R(why_latency(b, m, r, &worst));
    R(why_events(b, m, r, ev));
    if (m->has_ws) {
        uint32_t peak = 0;
        for (size_t i = 0; i < m->n_secs; i++)
            peak = m->secs[i].ws_open > peak ? m->secs[i].ws_open : peak;
        snprintf(s, sizeof s,
                 "WebSockets: %" PRIu64 " opened of %" PRIu64 " planned, at most %u open at "
                 "once; %" PRIu64 " failed handshakes, %" PRIu64 " errors.",
                 m->ws.opened, m->ws.planned, peak, m->ws.hs_failed, m->ws.errors);
        R(html_li(b, s));
    }
    R(why_db(b, m, r, worst));
    /* lag.h has the bar (over 1% of sends late, or any session dropped at the cap). */
    const lag_figures lag = lag_of_metrics(m);
    if (lag_judge(&lag, &lag_bar_report) != LAG_NONE) {
        snprintf(
            s, sizeof s,
            "The generator fell behind (%" PRIu64 " late sends, %" PRIu64 " dropped "
            "sessions): the offered load was lower than planned; read the server's figures with "
            "that in mind.",
            m->late_sends, m->sessions_dropped);
        R(html_li(b, s));
    }
    if (!r->db)
        R(html_li(
            b, "No database timeline (no --db-probe): causes on the server side cannot be shown."));
    return dbuf_adds(b, "</ul>\n");
}
