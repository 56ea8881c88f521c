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
#include "tmodel.h"

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

static double num(const json_t *o, const char *k1, const char *k2, const char *k3)
{
    const json_t *v = json_object_get(o, k1);
    if (v && k2)
        v = json_object_get(v, k2);
    if (v && k3)
        v = json_object_get(v, k3);
    return v && json_is_number(v) ? json_number_value(v) : NAN;
}

static double rel(double o, double n)
{
    if (!isfinite(o) || !isfinite(n))
        return NAN;
    if (o == 0)
        return n == 0 ? 0 : INFINITY;
    return (n - o) / o;
}

static long find_route(const json_t *routes, const char *tmpl)
{
    size_t i;
    json_t *r;
    json_array_foreach(routes, i, r) {
        const char *t = json_string_value(json_object_get(r, "template"));
        if (t && !strcmp(t, tmpl))
            return (long)i;
    }
    return -1;
}

static const char *tmpl_of(const json_t *routes, size_t i)
{
    const char *t = json_string_value(json_object_get(json_array_get(routes, i), "template"));
    return t ? t : "?";
}

static double profile_diff(const json_t *a, const json_t *b)
{
    const json_t *pa = json_object_get(a, "profile"), *pb = json_object_get(b, "profile");
    const json_t *ma = json_object_get(pa, "multipliers"), *mb = json_object_get(pb, "multipliers");
    size_t na = json_array_size(ma), nb = json_array_size(mb);
    if (na == 0 && nb == 0)
        return 0;
    size_t n = na > nb ? na : nb;
    double *e = malloc(n * sizeof *e);
    if (!e)
        return NAN;
    for (size_t i = 0; i < n; i++) {
        /* A flat profile is multiplier 1 everywhere; a daily one repeats over the week. */
        double x = na ? json_number_value(json_array_get(ma, i % na)) : 1;
        double y = nb ? json_number_value(json_array_get(mb, i % nb)) : 1;
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

static int clock_map_build(const json_t *a, const json_t *b, double start_h, double speed,
                           clock_map *m)
{
    const json_t *ma = json_object_get(json_object_get(json_object_get(a, "arrivals"), "profile"),
                                       "multipliers");
    const json_t *sb = json_object_get(json_object_get(b, "arrivals"), "series");
    const json_t *rates = json_object_get(sb, "rates");
    const json_t *src = json_object_get(b, "source");
    size_t na = json_array_size(ma);
    double bin = num(sb, "bin_s", NULL, NULL), t0 = num(sb, "t0", NULL, NULL);
    memset(m, 0, sizeof *m);
    m->ns = na == 168 ? 168 : 24;
    for (size_t s = 0; s < m->ns; s++)
        m->mult[s] = na ? json_number_value(json_array_get(ma, s % na)) : 1;
    if (!(bin > 0) || !(speed > 0) || json_array_size(rates) == 0)
        return -1;
    double lo = 0, hi = bin * (double)json_array_size(rates);
    double f = num(src, "first_ts", NULL, NULL), l = num(src, "last_ts", NULL, NULL);
    if (isfinite(t0) && isfinite(f) && isfinite(l) && l >= f) {
        lo = fmax(lo, floor(f) - t0);
        hi = fmin(hi, floor(l) + 1 - t0);
    }
    /* Half of what one model hour takes in real time (or of a bin, when a bin spans more
     * than an hour): a slot holding less is a sliver of an hour, not a measure of it. */
    m->min_cov = 0.5 * fmax(3600.0 / speed, bin);
    size_t i;
    json_t *v;
    json_array_foreach(rates, i, v) {
        double b0 = (double)i * bin, b1 = b0 + bin;
        double c = fmin(b1, hi) - fmax(b0, lo);
        if (!(c > 0))
            continue;
        double h = start_h + ((double)i + 0.5) * bin * speed / 3600.0;
        size_t slot = (size_t)fmod(floor(h), (double)m->ns);
        m->cov[slot] += c;
        m->cnt[slot] += json_number_value(v) * bin; /* rates are per second of the bin */
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

static int d_arrivals(const json_t *a, const json_t *b, const drift_thresholds *t, drift_report *r)
{
    const json_t *aa = json_object_get(a, "arrivals"), *ba = json_object_get(b, "arrivals");
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
    double o = k * lvl * num(aa, "session_rate", NULL, NULL),
           n = num(ba, "session_rate", NULL, NULL);
    ADD("arrivals", o, n, rel(o, n), t->rate_rel, 0, "session rate (/s)%s, relative change", sc);
    o = k * lvl * num(aa, "request_rate", NULL, NULL);
    n = num(ba, "request_rate", NULL, NULL);
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
        ADD("arrivals", NAN, NAN, profile_diff(aa, ba), t->profile_err, 0,
            "profile: median relative difference of multipliers");
    }
    const json_t *da = json_object_get(aa, "dispersion"), *db = json_object_get(ba, "dispersion");
    for (size_t i = 0; i < json_array_size(da) && i < json_array_size(db); i++) {
        double x = num(json_array_get(da, i), "index", NULL, NULL);
        double y = num(json_array_get(db, i), "index", NULL, NULL);
        ADD("arrivals", x, y, y - x, INFINITY, 1, "dispersion index at %gs",
            num(json_array_get(da, i), "scale_s", NULL, NULL));
    }
    const json_t *ha = json_object_get(a, "hawkes"), *hb = json_object_get(b, "hawkes");
    if (json_is_true(json_object_get(ha, "fitted")) &&
        json_is_true(json_object_get(hb, "fitted"))) {
        o = num(ha, "branching_ratio", NULL, NULL);
        n = num(hb, "branching_ratio", NULL, NULL);
        ADD("hawkes", o, n, n - o, t->branching, 0, "branching ratio");
    } else {
        ADD("hawkes", NAN, NAN, NAN, INFINITY, 1,
            "branching ratio not comparable (fitted: %s / %s)",
            json_is_true(json_object_get(ha, "fitted")) ? "yes" : "no",
            json_is_true(json_object_get(hb, "fitted")) ? "yes" : "no");
    }
    return 0;
}

/* The episode with the largest peak over baseline: the flash crowd a rehearsal re-creates
 * (epochs differ between a log and its rehearsal, so episodes are paired by size, not time). */
static const json_t *main_episode(const json_t *eps)
{
    const json_t *best = NULL;
    double bx = -INFINITY;
    size_t i;
    json_t *e;
    json_array_foreach(eps, i, e) {
        double x = num(e, "peak_rate", NULL, NULL) - num(e, "baseline_rate", NULL, NULL);
        if (x > bx) {
            bx = x;
            best = e;
        }
    }
    return best;
}

static int d_bursts(const json_t *a, const json_t *b, const drift_thresholds *t, drift_report *r)
{
    const json_t *ea = json_object_get(json_object_get(a, "bursts"), "episodes");
    const json_t *eb = json_object_get(json_object_get(b, "bursts"), "episodes");
    ADD("bursts", (double)json_array_size(ea), (double)json_array_size(eb),
        (double)json_array_size(eb) - (double)json_array_size(ea), INFINITY, 1, "burst episodes");
    const json_t *x = main_episode(ea), *y = main_episode(eb);
    if (!x)
        return 0;
    if (!y) {
        ADD("bursts", 1, 0, INFINITY, t->burst_peak_rel, 0,
            "largest episode: missing in the new model");
        return 0;
    }
    double k = t->rate_scale > 0 ? t->rate_scale : 1;
    double o = k * num(x, "peak_rate", NULL, NULL), n = num(y, "peak_rate", NULL, NULL);
    ADD("bursts", o, n, rel(o, n), t->burst_peak_rel, 0, "largest episode: peak rate (/s)%s",
        k != 1 ? " vs K x old" : "");
    o = num(x, "ramp_s", NULL, NULL);
    n = num(y, "ramp_s", NULL, NULL);
    if (isfinite(o) && isfinite(n))
        ADD("bursts", o, n, n - o, t->burst_ramp_s, 0, "largest episode: ramp (s)");
    o = num(x, "duration_s", NULL, NULL);
    n = num(y, "duration_s", NULL, NULL);
    ADD("bursts", o, n, rel(o, n), INFINITY, 1, "largest episode: duration (s), relative change");
    o = num(x, "convergence", "hot_share", NULL);
    n = num(y, "convergence", "hot_share", NULL);
    if (isfinite(o))
        ADD("bursts", o, n, isfinite(n) ? n - o : INFINITY, t->burst_hot, 0,
            "largest episode: hot share");
    return 0;
}

/* Client classes: total-variation distance over desktop/mobile/script (shares of counted
 * sessions); the bot share is informational, like the other data-quality rows. */
static int d_clients(const json_t *a, const json_t *b, const drift_thresholds *t, drift_report *r)
{
    const json_t *ca = json_object_get(json_object_get(a, "sessions"), "client_classes");
    const json_t *cb = json_object_get(json_object_get(b, "sessions"), "client_classes");
    if (!ca && !cb)
        return 0;
    if (!ca || !cb) {
        ADD("clients", NAN, NAN, NAN, INFINITY, 1, "client classes in one model only");
        return 0;
    }
    double tv = 0;
    for (int i = TM_DESKTOP; i <= TM_SCRIPT; i++) {
        const char *cl = tmodel_class_name(i);
        double o = num(ca, cl, NULL, NULL), n = num(cb, cl, NULL, NULL);
        tv += fabs((isfinite(n) ? n : 0) - (isfinite(o) ? o : 0));
        ADD("clients", o, n, n - o, INFINITY, 1, "%s share of sessions", cl);
    }
    ADD("clients", NAN, NAN, tv / 2, t->class_tv, 0, "client classes, total-variation distance");
    const char *bot = tmodel_class_name(TM_BOT);
    double o = num(ca, bot, NULL, NULL), n = num(cb, bot, NULL, NULL);
    ADD("clients", o, n, n - o, INFINITY, 1, "bot share of sessions");
    return 0;
}

static int d_sessions(const json_t *a, const json_t *b, const drift_thresholds *t, drift_report *r)
{
    const json_t *sa = json_object_get(a, "sessions"), *sb = json_object_get(b, "sessions");
    double o = num(sa, "think_time", "median_s", NULL), n = num(sb, "think_time", "median_s", NULL);
    if (o > 0 && n > 0)
        ADD("sessions", o, n, rel(o, n), t->think_rel, 0, "think-time median (s), relative change");
    else
        ADD("sessions", o, n, NAN, INFINITY, 1,
            "think time not comparable (not fitted in one model)");
    o = num(sa, "length", "mean", NULL);
    n = num(sb, "length", "mean", NULL);
    ADD("sessions", o, n, rel(o, n), t->think_rel, 0, "session length mean, relative change");
    o = num(sa, "duration", "median", NULL);
    n = num(sb, "duration", "median", NULL);
    ADD("sessions", o, n, rel(o, n), INFINITY, 1, "session duration median (s), relative change");
    o = num(sa, "static_assets", "attributed_share", NULL);
    n = num(sb, "static_assets", "attributed_share", NULL);
    if (isfinite(o) || isfinite(n))
        ADD("sessions", o, n, n - o, INFINITY, 1, "static requests that follow a page view");
    return d_clients(a, b, t, r);
}

static int d_routes(const json_t *a, const json_t *b, const drift_thresholds *t, drift_report *r)
{
    const json_t *ra = json_object_get(a, "routes"), *rb = json_object_get(b, "routes");
    double tv = 0, st_a = 0, st_b = 0;
    size_t i;
    json_t *x;
    json_array_foreach(ra, i, x) {
        long j = find_route(rb, tmpl_of(ra, i));
        double sa_ = num(x, "share", NULL, NULL);
        double sb_ = j >= 0 ? num(json_array_get(rb, (size_t)j), "share", NULL, NULL) : 0;
        tv += fabs(sa_ - sb_);
        const char *k = json_string_value(json_object_get(x, "kind"));
        st_a += k && !strcmp(k, "static") ? sa_ : 0;
    }
    json_array_foreach(rb, i, x) {
        if (find_route(ra, tmpl_of(rb, i)) < 0)
            tv += num(x, "share", NULL, NULL);
        const char *k = json_string_value(json_object_get(x, "kind"));
        st_b += k && !strcmp(k, "static") ? num(x, "share", NULL, NULL) : 0;
    }
    ADD("routes", NAN, NAN, tv / 2, t->mix_tv, 0,
        "route mix (static included), total-variation distance");
    ADD("routes", st_a, st_b, st_b - st_a, INFINITY, 1, "static share of requests");
    json_array_foreach(ra, i, x) {
        long j = find_route(rb, tmpl_of(ra, i));
        if (j < 0)
            continue;
        const json_t *y = json_array_get(rb, (size_t)j);
        const json_t *pa = json_object_get(x, "params"), *pb = json_object_get(y, "params");
        for (size_t k = 0; k < json_array_size(pa) && k < json_array_size(pb); k++) {
            const json_t *qa = json_object_get(json_array_get(pa, k), "popularity");
            const json_t *qb = json_object_get(json_array_get(pb, k), "popularity");
            double s1 = num(qa, "s", NULL, NULL), s2 = num(qb, "s", NULL, NULL);
            if (isfinite(s1) && isfinite(s2))
                ADD("popularity", s1, s2, s2 - s1, t->zipf_s, 0, "zipf s %s %s", tmpl_of(ra, i),
                    json_string_value(json_object_get(json_array_get(pa, k), "name")));
        }
        double e1 = num(x, "status_mix", "5xx", NULL), e2 = num(y, "status_mix", "5xx", NULL);
        if (isfinite(e1) && isfinite(e2) && (e1 > 0 || e2 > 0))
            ADD("status", e1, e2, e2 - e1, 0.02, 0, "5xx share %s", tmpl_of(ra, i));
        /* Assets per view of the pages that matter (a rehearsal that skips assets shows here
         * and in the route mix). */
        double m1 = num(x, "assets", "mean", NULL), m2 = num(y, "assets", "mean", NULL);
        if (isfinite(m1) && num(x, "share", NULL, NULL) >= t->min_row_share)
            ADD("assets", m1, isfinite(m2) ? m2 : 0, rel(m1, isfinite(m2) ? m2 : 0), t->assets_rel,
                0, "assets per view %s, relative change", tmpl_of(ra, i));
    }
    return 0;
}

static int d_journeys(const json_t *a, const json_t *b, const drift_thresholds *t, drift_report *r)
{
    /* Journey rows: TV over the union of target templates plus exit, for every page/api
     * route with at least min_row_share of the traffic (each row listed, drifted or not). */
    const json_t *ra = json_object_get(a, "routes"), *rb = json_object_get(b, "routes");
    const json_t *ta = json_object_get(json_object_get(a, "journeys"), "transitions");
    const json_t *tb = json_object_get(json_object_get(b, "journeys"), "transitions");
    size_t na = json_array_size(ra), nb = json_array_size(rb), i, rows = 0;
    double worst = 0;
    json_t *x;
    json_array_foreach(ra, i, x) {
        if (num(x, "share", NULL, NULL) < t->min_row_share)
            continue;
        const char *kind = json_string_value(json_object_get(x, "kind"));
        if (kind && (!strcmp(kind, "static") || !strcmp(kind, "websocket")))
            continue;
        long j = find_route(rb, tmpl_of(ra, i));
        if (j < 0) {
            ADD("journeys", NAN, NAN, 1, t->markov_tv, 0, "row %s: route missing in the new model",
                tmpl_of(ra, i));
            continue;
        }
        const json_t *rowa = json_array_get(ta, i), *rowb = json_array_get(tb, (size_t)j);
        double d = fabs(json_number_value(json_array_get(rowa, na)) -
                        json_number_value(json_array_get(rowb, nb)));
        for (size_t c = 0; c < na; c++) {
            long cb = find_route(rb, tmpl_of(ra, c));
            double p = json_number_value(json_array_get(rowa, c));
            double q = cb >= 0 ? json_number_value(json_array_get(rowb, (size_t)cb)) : 0;
            d += fabs(p - q);
        }
        for (size_t c = 0; c < nb; c++)
            if (find_route(ra, tmpl_of(rb, c)) < 0)
                d += json_number_value(json_array_get(rowb, c));
        d /= 2;
        if (d > worst)
            worst = d;
        rows++;
        ADD("journeys", NAN, NAN, d, t->markov_tv, 0, "row %s, total-variation distance",
            tmpl_of(ra, i));
    }
    ADD("journeys", NAN, NAN, worst, t->markov_tv, 1,
        "largest row TV of the %zu rows with >= %g%% of traffic", rows, 100 * t->min_row_share);
    return 0;
}

static int d_websockets(const json_t *a, const json_t *b, const drift_thresholds *t,
                        drift_report *r)
{
    const json_t *wa = json_object_get(a, "websockets"), *wb = json_object_get(b, "websockets");
    double o = num(wa, "share_of_sessions", NULL, NULL),
           n = num(wb, "share_of_sessions", NULL, NULL);
    if (isfinite(o) || isfinite(n))
        ADD("websockets", o, n, (isfinite(n) ? n : 0) - (isfinite(o) ? o : 0), 0.05, 0,
            "share of sessions opening a WebSocket");
    o = num(wa, "duration", "median_s", NULL);
    n = num(wb, "duration", "median_s", NULL);
    if (isfinite(o) && isfinite(n))
        ADD("websockets", o, n, rel(o, n), t->ws_rel, 0, "duration median (s), relative change");
    else if (isfinite(o))
        ADD("websockets", o, n, INFINITY, t->ws_rel, 0,
            "duration median (s): not in the new model");
    return 0;
}

static int d_quality(const json_t *a, const json_t *b, drift_report *r)
{
    /* Data quality, next to the behaviour: informational. */
    const json_t *qa = json_object_get(a, "quality"), *qb = json_object_get(b, "quality");
    double o = num(qa, "bot_share", NULL, NULL), n = num(qb, "bot_share", NULL, NULL);
    ADD("quality", o, n, n - o, INFINITY, 1, "bot share");
    double la = num(qa, "lines", NULL, NULL), lb = num(qb, "lines", NULL, NULL);
    o = la > 0 ? num(qa, "malformed", "total", NULL) / la : 0;
    n = lb > 0 ? num(qb, "malformed", "total", NULL) / lb : 0;
    ADD("quality", o, n, n - o, INFINITY, 1, "malformed line share");
    o = num(qa, "out_of_order_share", NULL, NULL);
    n = num(qb, "out_of_order_share", NULL, NULL);
    ADD("quality", o, n, n - o, INFINITY, 1, "out-of-order share");
    const json_t *fa = json_object_get(qa, "timestamp_findings"),
                 *fb = json_object_get(qb, "timestamp_findings");
    size_t i;
    json_t *x;
    json_array_foreach(fb, i, x) {
        const char *k = json_string_value(json_object_get(x, "kind"));
        int seen = 0;
        size_t j;
        json_t *y;
        json_array_foreach(fa, j, y)
            seen |= k && json_string_value(json_object_get(y, "kind")) &&
                    !strcmp(k, json_string_value(json_object_get(y, "kind")));
        if (k && !seen)
            ADD("quality", NAN, NAN, NAN, INFINITY, 1, "new timestamp finding: %s", k);
    }
    ADD("quality", json_is_true(json_object_get(qa, "low_client_cardinality")),
        json_is_true(json_object_get(qb, "low_client_cardinality")), NAN, INFINITY, 1,
        "low client cardinality (NAT)");
    return 0;
}
#undef ADD

int drift_compare(const json_t *a, const json_t *b, const drift_thresholds *t, drift_report *r)
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
