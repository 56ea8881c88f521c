/*
 * drift.c -- effect sizes between two models (see drift.h).
 */
#include "drift.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "st.h"
#include "tmodel_desc.h"

void drift_defaults(drift_thresholds *t)
{
    t->zipf_s = 0.1;
    t->markov_tv = 0.1;
    t->profile_err = 0.15;
    t->rate_rel = 0.25;
    t->branching = 0.1;
    t->think_rel = 0.15;
    t->mix_tv = 0.1;
    t->ws_rel = 0.2;
    t->min_row_share = 0.005;
    t->assets_rel = 0.15;
    t->class_tv = 0.1;
    t->burst_peak_rel = 0.25;
    t->burst_ramp_s = 30;
    t->burst_hot = 0.1;
    t->rate_scale = 1;
    t->clock_start_h = -1;
    t->clock_speed = 1;
}

static int add(drift_report *r, const char *comp, double o, double n, double eff, double thr,
               int info, const char *fmt, ...) ST_PRINTF(8, 9);
static int add(drift_report *r, const char *comp, double o, double n, double eff, double thr,
               int info, const char *fmt, ...)
{
    if (r->n == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 32;
        drift_row *x = realloc(r->rows, nc * sizeof *x);
        if (!x)
            return ST_ENOMEM;
        r->rows = x;
        r->cap = nc;
    }
    drift_row *w = &r->rows[r->n++];
    memset(w, 0, sizeof *w);
    snprintf(w->component, sizeof w->component, "%s", comp);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->metric, sizeof w->metric, fmt, ap);
    va_end(ap);
    w->old_v = o;
    w->new_v = n;
    w->effect = eff;
    w->threshold = thr;
    w->info = info;
    w->drift = !info && isfinite(eff) && fabs(eff) > thr;
    r->drifted += w->drift;
    return 0;
}

static double rel(double o, double n)
{
    if (!isfinite(o) || !isfinite(n))
        return NAN;
    if (o == 0)
        return n == 0 ? 0 : INFINITY;
    return (n - o) / o;
}

static long find_route(const tmodel_desc *m, const char *tmpl)
{
    for (size_t i = 0; i < m->n_routes; i++) {
        const char *t = m->routes[i].template_;
        if (t && !strcmp(t, tmpl))
            return (long)i;
    }
    return -1;
}

static const char *tmpl_of(const tmodel_desc *m, size_t i)
{
    const char *t = i < m->n_routes ? m->routes[i].template_ : NULL;
    return t ? t : "?";
}

static int is_kind(const tmd_route *r, const char *kind)
{
    return r->kind && !strcmp(r->kind, kind);
}

static double profile_diff(const tmd_vec *ma, const tmd_vec *mb)
{
    size_t na = ma->n, nb = mb->n;
    if (na == 0 && nb == 0)
        return 0;
    size_t n = na > nb ? na : nb;
    double *e = malloc(n * sizeof *e);
    if (!e)
        return NAN;
    for (size_t i = 0; i < n; i++) {
        /* A flat profile is multiplier 1 everywhere; a daily one repeats over the week. */
        double x = na ? ma->v[i % na] : 1;
        double y = nb ? mb->v[i % nb] : 1;
        e[i] = x > 0 ? fabs(y - x) / x : (y > 0 ? 1 : 0);
    }
    for (size_t i = 1; i < n; i++) /* insertion sort: n <= 168 */
        for (size_t j = i; j > 0 && e[j - 1] > e[j]; j--) {
            double t = e[j];
            e[j] = e[j - 1];
            e[j - 1] = t;
        }
    double med = e[n / 2];
    free(e);
    return med;
}

/* A rehearsal's series seen through replay's model_clock: the real seconds it covered and
 * the sessions it started, per hour slot of the old model's profile. Bin i of the new
 * series (real offset r from its t0) is model hour start + r * speed / 3600 at its middle;
 * it covers its bin_s seconds, except where the log starts or ends inside it (the new
 * model's source.first_ts / last_ts, whole seconds as the series counts them), so a last,
 * nearly empty bin carries its few seconds, not a whole bin's weight. */
typedef struct clock_map {
    size_t ns;                 /* 24 or 168 slots */
    double mult[168];          /* the old model's multipliers (1 for a flat profile) */
    double cov[168], cnt[168]; /* covered real seconds, sessions started */
    double min_cov;            /* a slot is compared when it covers this much */
} clock_map;

static int clock_map_build(const tmodel_desc *a, const tmodel_desc *b, double start_h, double speed,
                           clock_map *m)
{
    const tmd_vec *ma = &a->arrivals.multipliers, *rates = &b->arrivals.series.rates;
    size_t na = ma->n;
    double bin = b->arrivals.series.bin_s, t0 = b->arrivals.series.t0;
    memset(m, 0, sizeof *m);
    m->ns = na == 168 ? 168 : 24;
    for (size_t s = 0; s < m->ns; s++)
        m->mult[s] = na ? ma->v[s % na] : 1;
    if (!(bin > 0) || !(speed > 0) || rates->n == 0)
        return -1;
    double lo = 0, hi = bin * (double)rates->n;
    double f = b->source.first_ts, l = b->source.last_ts;
    if (isfinite(t0) && isfinite(f) && isfinite(l) && l >= f) {
        lo = fmax(lo, floor(f) - t0);
        hi = fmin(hi, floor(l) + 1 - t0);
    }
    /* Half of what one model hour takes in real time (or of a bin, when a bin spans more
     * than an hour): a slot holding less is a sliver of an hour, not a measure of it. */
    m->min_cov = 0.5 * fmax(3600.0 / speed, bin);
    for (size_t i = 0; i < rates->n; i++) {
        double b0 = (double)i * bin, b1 = b0 + bin;
        double c = fmin(b1, hi) - fmax(b0, lo);
        if (!(c > 0))
            continue;
        double h = start_h + ((double)i + 0.5) * bin * speed / 3600.0;
        size_t slot = (size_t)fmod(floor(h), (double)m->ns);
        m->cov[slot] += c;
        m->cnt[slot] += rates->v[i] * bin; /* rates are per second of the bin */
    }
    return 0;
}

/* The clock's mean multiplier over the rehearsal (weighted by covered time): what the
 * session rate should be relative to the old model's mean. NAN when nothing is covered. */
static double clock_level(const clock_map *m)
{
    double w = 0, x = 0;
    for (size_t s = 0; s < m->ns; s++) {
        w += m->cov[s];
        x += m->cov[s] * m->mult[s];
    }
    return w > 0 ? x / w : NAN;
}

/* The profile's shape over the slots covered enough (each side normalised to mean 1 there;
 * the level is the session-rate row's job): median relative difference, NAN when fewer than
 * 2 slots count. *covered: the slots compared; *slivers: the covered ones left out. */
static double profile_clock_diff(const clock_map *m, size_t *covered, size_t *slivers)
{
    double mo = 0, mn = 0, e[168];
    size_t k = 0;
    *covered = *slivers = 0;
    for (size_t s = 0; s < m->ns; s++) {
        if (m->cov[s] <= 0)
            continue;
        if (m->cov[s] < m->min_cov) {
            (*slivers)++;
            continue;
        }
        mo += m->mult[s];
        mn += m->cnt[s] / m->cov[s];
        k++;
    }
    *covered = k;
    if (k < 2 || mo <= 0 || mn <= 0)
        return NAN;
    mo /= (double)k;
    mn /= (double)k;
    k = 0;
    for (size_t s = 0; s < m->ns; s++)
        if (m->cov[s] >= m->min_cov && m->cov[s] > 0) {
            double x = m->mult[s] / mo, y = m->cnt[s] / m->cov[s] / mn;
            e[k++] = x > 0 ? fabs(y - x) / x : (y > 0 ? 1 : 0);
        }
    for (size_t p = 1; p < k; p++) /* insertion sort: k <= 168 */
        for (size_t q = p; q > 0 && e[q - 1] > e[q]; q--) {
            double t = e[q];
            e[q] = e[q - 1];
            e[q - 1] = t;
        }
    return e[k / 2];
}

#define ADD(...) \
    do { \
        int rc_ = add(r, __VA_ARGS__); \
        if (rc_ < 0) \
            return rc_; \
    } while (0)

static int d_arrivals(const tmodel_desc *a, const tmodel_desc *b, const drift_thresholds *t,
                      drift_report *r)
{
    const tmd_arrivals *aa = &a->arrivals, *ba = &b->arrivals;
    double k = t->rate_scale > 0 ? t->rate_scale : 1;
    char sc[64] = "";
    clock_map cm;
    int clock = t->clock_start_h >= 0 &&
                clock_map_build(a, b, t->clock_start_h, t->clock_speed, &cm) == 0;
    /* Through a clock, the rehearsal's rate follows the profile over the hours it replayed:
     * K x the old mean rate x the clock's mean multiplier there (replay's base rate is the
     * model's rate times the multiplier of the current model hour). */
    double lvl = clock ? clock_level(&cm) : 1;
    if (!isfinite(lvl))
        lvl = 1;
    if (clock)
        snprintf(sc, sizeof sc, " vs %g x old x profile %.3g", k, lvl);
    else if (k != 1)
        snprintf(sc, sizeof sc, " vs %g x old", k);
    double o = k * lvl * aa->session_rate, n = ba->session_rate;
    ADD("arrivals", o, n, rel(o, n), t->rate_rel, 0, "session rate (/s)%s, relative change", sc);
    o = k * lvl * aa->request_rate;
    n = ba->request_rate;
    ADD("arrivals", o, n, rel(o, n), t->rate_rel, 0, "request rate (/s)%s, relative change", sc);
    if (t->clock_start_h >= 0) {
        size_t cov = 0, sliv = 0;
        double d = clock ? profile_clock_diff(&cm, &cov, &sliv) : NAN;
        char sl[64] = "";
        if (sliv)
            snprintf(sl, sizeof sl, ", %zu sliver%s < %.0f s left out", sliv, sliv > 1 ? "s" : "",
                     cm.min_cov);
        if (isfinite(d))
            ADD("arrivals", NAN, NAN, d, t->profile_err, 0,
                "profile via clock x%g (%zu hour slots%s), median rel. diff", t->clock_speed, cov,
                sl);
        else
            ADD("arrivals", NAN, NAN, NAN, INFINITY, 1,
                "profile through the clock: fewer than 2 hour slots covered%s", sl);
    } else {
        ADD("arrivals", NAN, NAN, profile_diff(&aa->multipliers, &ba->multipliers), t->profile_err,
            0, "profile: median relative difference of multipliers");
    }
    for (size_t i = 0; i < aa->n_dispersion && i < ba->n_dispersion; i++) {
        double x = aa->disp_index[i], y = ba->disp_index[i];
        ADD("arrivals", x, y, y - x, INFINITY, 1, "dispersion index at %gs", aa->disp_scale_s[i]);
    }
    if (a->hawkes.fitted && b->hawkes.fitted) {
        o = a->hawkes.branching_ratio;
        n = b->hawkes.branching_ratio;
        ADD("hawkes", o, n, n - o, t->branching, 0, "branching ratio");
    } else {
        ADD("hawkes", NAN, NAN, NAN, INFINITY, 1,
            "branching ratio not comparable (fitted: %s / %s)", a->hawkes.fitted ? "yes" : "no",
            b->hawkes.fitted ? "yes" : "no");
    }
    return 0;
}

/* The episode with the largest peak over baseline: the flash crowd a rehearsal re-creates
 * (epochs differ between a log and its rehearsal, so episodes are paired by size, not time). */
static const tmd_episode *main_episode(const tmd_bursts *bu)
{
    const tmd_episode *best = NULL;
    double bx = -INFINITY;
    for (size_t i = 0; i < bu->n_episodes; i++) {
        const tmd_episode *e = &bu->episodes[i];
        double x = e->peak_rate - e->baseline_rate;
        if (x > bx) {
            bx = x;
            best = e;
        }
    }
    return best;
}

static int d_bursts(const tmodel_desc *a, const tmodel_desc *b, const drift_thresholds *t,
                    drift_report *r)
{
    double na = (double)a->bursts.n_episodes, nb = (double)b->bursts.n_episodes;
    ADD("bursts", na, nb, nb - na, INFINITY, 1, "burst episodes");
    const tmd_episode *x = main_episode(&a->bursts), *y = main_episode(&b->bursts);
    if (!x)
        return 0;
    if (!y) {
        ADD("bursts", 1, 0, INFINITY, t->burst_peak_rel, 0,
            "largest episode: missing in the new model");
        return 0;
    }
    double k = t->rate_scale > 0 ? t->rate_scale : 1;
    double o = k * x->peak_rate, n = y->peak_rate;
    ADD("bursts", o, n, rel(o, n), t->burst_peak_rel, 0, "largest episode: peak rate (/s)%s",
        k != 1 ? " vs K x old" : "");
    o = x->ramp_s;
    n = y->ramp_s;
    if (isfinite(o) && isfinite(n))
        ADD("bursts", o, n, n - o, t->burst_ramp_s, 0, "largest episode: ramp (s)");
    o = x->duration_s;
    n = y->duration_s;
    ADD("bursts", o, n, rel(o, n), INFINITY, 1, "largest episode: duration (s), relative change");
    o = x->hot_share;
    n = y->hot_share;
    if (isfinite(o))
        ADD("bursts", o, n, isfinite(n) ? n - o : INFINITY, t->burst_hot, 0,
            "largest episode: hot share");
    return 0;
}

/* Client classes: total-variation distance over desktop/mobile/script (shares of counted
 * sessions); the bot share is informational, like the other data-quality rows. */
static int d_clients(const tmodel_desc *a, const tmodel_desc *b, const drift_thresholds *t,
                     drift_report *r)
{
    const tmd_sessions *ca = &a->sessions, *cb = &b->sessions;
    if (!ca->has_classes && !cb->has_classes)
        return 0;
    if (!ca->has_classes || !cb->has_classes) {
        ADD("clients", NAN, NAN, NAN, INFINITY, 1, "client classes in one model only");
        return 0;
    }
    double tv = 0;
    for (int i = TM_DESKTOP; i <= TM_SCRIPT; i++) {
        double o = ca->classes[i], n = cb->classes[i];
        tv += fabs((isfinite(n) ? n : 0) - (isfinite(o) ? o : 0));
        ADD("clients", o, n, n - o, INFINITY, 1, "%s share of sessions", tmodel_class_name(i));
    }
    ADD("clients", NAN, NAN, tv / 2, t->class_tv, 0, "client classes, total-variation distance");
    double o = ca->classes[TM_BOT], n = cb->classes[TM_BOT];
    ADD("clients", o, n, n - o, INFINITY, 1, "bot share of sessions");
    return 0;
}

static int d_sessions(const tmodel_desc *a, const tmodel_desc *b, const drift_thresholds *t,
                      drift_report *r)
{
    const tmd_sessions *sa = &a->sessions, *sb = &b->sessions;
    double o = sa->think.median_s, n = sb->think.median_s;
    if (o > 0 && n > 0)
        ADD("sessions", o, n, rel(o, n), t->think_rel, 0, "think-time median (s), relative change");
    else
        ADD("sessions", o, n, NAN, INFINITY, 1,
            "think time not comparable (not fitted in one model)");
    o = sa->length_mean;
    n = sb->length_mean;
    ADD("sessions", o, n, rel(o, n), t->think_rel, 0, "session length mean, relative change");
    o = sa->duration_median;
    n = sb->duration_median;
    ADD("sessions", o, n, rel(o, n), INFINITY, 1, "session duration median (s), relative change");
    o = sa->static_attributed_share;
    n = sb->static_attributed_share;
    if (isfinite(o) || isfinite(n))
        ADD("sessions", o, n, n - o, INFINITY, 1, "static requests that follow a page view");
    return d_clients(a, b, t, r);
}

static int d_routes(const tmodel_desc *a, const tmodel_desc *b, const drift_thresholds *t,
                    drift_report *r)
{
    double tv = 0, st_a = 0, st_b = 0;
    for (size_t i = 0; i < a->n_routes; i++) {
        const tmd_route *x = &a->routes[i];
        long j = find_route(b, tmpl_of(a, i));
        double sa_ = x->share;
        double sb_ = j >= 0 ? b->routes[j].share : 0;
        tv += fabs(sa_ - sb_);
        st_a += is_kind(x, "static") ? sa_ : 0;
    }
    for (size_t i = 0; i < b->n_routes; i++) {
        const tmd_route *x = &b->routes[i];
        if (find_route(a, tmpl_of(b, i)) < 0)
            tv += x->share;
        st_b += is_kind(x, "static") ? x->share : 0;
    }
    ADD("routes", NAN, NAN, tv / 2, t->mix_tv, 0,
        "route mix (static included), total-variation distance");
    ADD("routes", st_a, st_b, st_b - st_a, INFINITY, 1, "static share of requests");
    for (size_t i = 0; i < a->n_routes; i++) {
        long j = find_route(b, tmpl_of(a, i));
        if (j < 0)
            continue;
        const tmd_route *x = &a->routes[i], *y = &b->routes[j];
        for (size_t k = 0; k < x->n_params && k < y->n_params; k++) {
            double s1 = x->params[k].s, s2 = y->params[k].s;
            if (isfinite(s1) && isfinite(s2))
                ADD("popularity", s1, s2, s2 - s1, t->zipf_s, 0, "zipf s %s %s", tmpl_of(a, i),
                    x->params[k].name);
        }
        double e1 = x->share_5xx, e2 = y->share_5xx;
        if (isfinite(e1) && isfinite(e2) && (e1 > 0 || e2 > 0))
            ADD("status", e1, e2, e2 - e1, 0.02, 0, "5xx share %s", tmpl_of(a, i));
        /* Assets per view of the pages that matter (a rehearsal that skips assets shows here
         * and in the route mix). */
        double m1 = x->assets_mean, m2 = y->assets_mean;
        if (isfinite(m1) && x->share >= t->min_row_share)
            ADD("assets", m1, isfinite(m2) ? m2 : 0, rel(m1, isfinite(m2) ? m2 : 0), t->assets_rel,
                0, "assets per view %s, relative change", tmpl_of(a, i));
    }
    return 0;
}

static int d_journeys(const tmodel_desc *a, const tmodel_desc *b, const drift_thresholds *t,
                      drift_report *r)
{
    /* Journey rows: TV over the union of target templates plus exit, for every page/api
     * route with at least min_row_share of the traffic (each row listed, drifted or not). */
    size_t na = a->n_routes, nb = b->n_routes, rows = 0;
    double worst = 0;
    for (size_t i = 0; i < na; i++) {
        const tmd_route *x = &a->routes[i];
        if (x->share < t->min_row_share)
            continue;
        if (is_kind(x, "static") || is_kind(x, "websocket"))
            continue;
        long j = find_route(b, tmpl_of(a, i));
        if (j < 0) {
            ADD("journeys", NAN, NAN, 1, t->markov_tv, 0, "row %s: route missing in the new model",
                tmpl_of(a, i));
            continue;
        }
        size_t jb = (size_t)j;
        double d = fabs(tmodel_desc_trans(a, i, na) - tmodel_desc_trans(b, jb, nb));
        for (size_t c = 0; c < na; c++) {
            long cb = find_route(b, tmpl_of(a, c));
            double p = tmodel_desc_trans(a, i, c);
            double q = cb >= 0 ? tmodel_desc_trans(b, jb, (size_t)cb) : 0;
            d += fabs(p - q);
        }
        for (size_t c = 0; c < nb; c++)
            if (find_route(a, tmpl_of(b, c)) < 0)
                d += tmodel_desc_trans(b, jb, c);
        d /= 2;
        if (d > worst)
            worst = d;
        rows++;
        ADD("journeys", NAN, NAN, d, t->markov_tv, 0, "row %s, total-variation distance",
            tmpl_of(a, i));
    }
    ADD("journeys", NAN, NAN, worst, t->markov_tv, 1,
        "largest row TV of the %zu rows with >= %g%% of traffic", rows, 100 * t->min_row_share);
    return 0;
}

static int d_websockets(const tmodel_desc *a, const tmodel_desc *b, const drift_thresholds *t,
                        drift_report *r)
{
    const tmd_websockets *wa = &a->websockets, *wb = &b->websockets;
    double o = wa->share_of_sessions, n = wb->share_of_sessions;
    if (isfinite(o) || isfinite(n))
        ADD("websockets", o, n, (isfinite(n) ? n : 0) - (isfinite(o) ? o : 0), 0.05, 0,
            "share of sessions opening a WebSocket");
    o = wa->duration_median_s;
    n = wb->duration_median_s;
    if (isfinite(o) && isfinite(n))
        ADD("websockets", o, n, rel(o, n), t->ws_rel, 0, "duration median (s), relative change");
    else if (isfinite(o))
        ADD("websockets", o, n, INFINITY, t->ws_rel, 0,
            "duration median (s): not in the new model");
    return 0;
}

static int d_quality(const tmodel_desc *a, const tmodel_desc *b, drift_report *r)
{
    /* Data quality, next to the behaviour: informational. */
    const tmd_quality *qa = &a->quality, *qb = &b->quality;
    double o = qa->bot_share, n = qb->bot_share;
    ADD("quality", o, n, n - o, INFINITY, 1, "bot share");
    double la = qa->lines, lb = qb->lines;
    o = la > 0 ? qa->malformed_total / la : 0;
    n = lb > 0 ? qb->malformed_total / lb : 0;
    ADD("quality", o, n, n - o, INFINITY, 1, "malformed line share");
    o = qa->out_of_order_share;
    n = qb->out_of_order_share;
    ADD("quality", o, n, n - o, INFINITY, 1, "out-of-order share");
    for (size_t i = 0; i < qb->n_ts_findings; i++) {
        const char *k = qb->ts_finding_kinds[i];
        int seen = 0;
        for (size_t j = 0; j < qa->n_ts_findings; j++)
            seen |= k && qa->ts_finding_kinds[j] && !strcmp(k, qa->ts_finding_kinds[j]);
        if (k && !seen)
            ADD("quality", NAN, NAN, NAN, INFINITY, 1, "new timestamp finding: %s", k);
    }
    ADD("quality", qa->low_client_cardinality, qb->low_client_cardinality, NAN, INFINITY, 1,
        "low client cardinality (NAT)");
    return 0;
}
#undef ADD

int drift_compare(const tmodel_desc *a, const tmodel_desc *b, const drift_thresholds *t,
                  drift_report *r)
{
    memset(r, 0, sizeof *r);
    int rc;
    if ((rc = d_arrivals(a, b, t, r)) < 0 || (rc = d_bursts(a, b, t, r)) < 0 ||
        (rc = d_sessions(a, b, t, r)) < 0 || (rc = d_routes(a, b, t, r)) < 0 ||
        (rc = d_journeys(a, b, t, r)) < 0 || (rc = d_websockets(a, b, t, r)) < 0 ||
        (rc = d_quality(a, b, r)) < 0) {
        drift_free(r);
        return rc;
    }
    return 0;
}

void drift_free(drift_report *r)
{
    free(r->rows);
    memset(r, 0, sizeof *r);
}

static json_t *jnum(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

json_t *drift_to_json(const drift_report *r)
{
    json_t *rows = json_array();
    for (size_t i = 0; i < r->n; i++) {
        const drift_row *w = &r->rows[i];
        json_t *o = json_object();
        json_object_set_new(o, "component", json_string(w->component));
        json_object_set_new(o, "metric", json_string(w->metric));
        json_object_set_new(o, "old", jnum(w->old_v));
        json_object_set_new(o, "new", jnum(w->new_v));
        json_object_set_new(o, "effect", jnum(w->effect));
        json_object_set_new(o, "threshold", jnum(w->threshold));
        json_object_set_new(o, "verdict",
                            json_string(w->info    ? "info"
                                        : w->drift ? "drift"
                                                   : "ok"));
        json_array_append_new(rows, o);
    }
    return json_pack("{s:s,s:I,s:o}", "command", "diff", "drifted", (json_int_t)r->drifted, "rows",
                     rows);
}
