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
    json_array_foreach(routes, i, r)
    {
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

int drift_compare(const json_t *a, const json_t *b, const drift_thresholds *t, drift_report *r)
{
    memset(r, 0, sizeof *r);
    int rc = 0;
#define ADD(...)                                                                           \
    do {                                                                                   \
        if ((rc = add(r, __VA_ARGS__)) < 0)                                                \
            return rc;                                                                     \
    } while (0)
    const json_t *aa = json_object_get(a, "arrivals"), *ba = json_object_get(b, "arrivals");
    double o = num(aa, "session_rate", NULL, NULL), n = num(ba, "session_rate", NULL, NULL);
    ADD("arrivals", o, n, rel(o, n), t->rate_rel, 0, "session rate (/s), relative change");
    ADD("arrivals", NAN, NAN, profile_diff(aa, ba), t->profile_err, 0,
        "profile: median relative difference of multipliers");
    const json_t *da = json_object_get(aa, "dispersion"), *db = json_object_get(ba, "dispersion");
    for (size_t i = 0; i < json_array_size(da) && i < json_array_size(db); i++) {
        double x = num(json_array_get(da, i), "index", NULL, NULL);
        double y = num(json_array_get(db, i), "index", NULL, NULL);
        ADD("arrivals", x, y, y - x, INFINITY, 1, "dispersion index at %gs",
            num(json_array_get(da, i), "scale_s", NULL, NULL));
    }
    const json_t *ha = json_object_get(a, "hawkes"), *hb = json_object_get(b, "hawkes");
    if (json_is_true(json_object_get(ha, "fitted")) && json_is_true(json_object_get(hb, "fitted"))) {
        o = num(ha, "branching_ratio", NULL, NULL);
        n = num(hb, "branching_ratio", NULL, NULL);
        ADD("hawkes", o, n, n - o, t->branching, 0, "branching ratio");
    } else {
        ADD("hawkes", NAN, NAN, NAN, INFINITY, 1, "branching ratio not comparable (fitted: %s / %s)",
            json_is_true(json_object_get(ha, "fitted")) ? "yes" : "no",
            json_is_true(json_object_get(hb, "fitted")) ? "yes" : "no");
    }
    const json_t *ea = json_object_get(json_object_get(a, "bursts"), "episodes");
    const json_t *eb = json_object_get(json_object_get(b, "bursts"), "episodes");
    ADD("bursts", (double)json_array_size(ea), (double)json_array_size(eb),
        (double)json_array_size(eb) - (double)json_array_size(ea), INFINITY, 1, "burst episodes");

    const json_t *sa = json_object_get(a, "sessions"), *sb = json_object_get(b, "sessions");
    o = num(sa, "think_time", "median_s", NULL);
    n = num(sb, "think_time", "median_s", NULL);
    if (o > 0 && n > 0)
        ADD("sessions", o, n, rel(o, n), t->think_rel, 0, "think-time median (s), relative change");
    else
        ADD("sessions", o, n, NAN, INFINITY, 1, "think time not comparable (not fitted in one model)");
    o = num(sa, "length", "mean", NULL);
    n = num(sb, "length", "mean", NULL);
    ADD("sessions", o, n, rel(o, n), t->think_rel, 0, "session length mean, relative change");

    /* Route mix and per-route popularity, matched by template. */
    const json_t *ra = json_object_get(a, "routes"), *rb = json_object_get(b, "routes");
    double tv = 0;
    size_t i;
    json_t *x;
    json_array_foreach(ra, i, x)
    {
        long j = find_route(rb, tmpl_of(ra, i));
        double sa_ = num(x, "share", NULL, NULL);
        double sb_ = j >= 0 ? num(json_array_get(rb, (size_t)j), "share", NULL, NULL) : 0;
        tv += fabs(sa_ - sb_);
    }
    json_array_foreach(rb, i, x) if (find_route(ra, tmpl_of(rb, i)) < 0) tv +=
        num(x, "share", NULL, NULL);
    ADD("routes", NAN, NAN, tv / 2, t->mix_tv, 0, "route mix, total-variation distance");
    json_array_foreach(ra, i, x)
    {
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
    }
    /* Journey rows: TV over the union of target templates plus exit. */
    const json_t *ta = json_object_get(json_object_get(a, "journeys"), "transitions");
    const json_t *tb = json_object_get(json_object_get(b, "journeys"), "transitions");
    size_t na = json_array_size(ra), nb = json_array_size(rb);
    double worst = 0;
    json_array_foreach(ra, i, x)
    {
        long j = find_route(rb, tmpl_of(ra, i));
        if (j < 0 || num(x, "share", NULL, NULL) < t->min_row_share)
            continue;
        const char *kind = json_string_value(json_object_get(x, "kind"));
        if (kind && (!strcmp(kind, "static") || !strcmp(kind, "websocket")))
            continue;
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
        if (d > t->markov_tv)
            ADD("journeys", NAN, NAN, d, t->markov_tv, 0, "row %s, total-variation distance",
                tmpl_of(ra, i));
    }
    ADD("journeys", NAN, NAN, worst, t->markov_tv, 1, "largest row total-variation distance");

    const json_t *wa = json_object_get(a, "websockets"), *wb = json_object_get(b, "websockets");
    o = num(wa, "share_of_sessions", NULL, NULL);
    n = num(wb, "share_of_sessions", NULL, NULL);
    if (isfinite(o) || isfinite(n))
        ADD("websockets", o, n, (isfinite(n) ? n : 0) - (isfinite(o) ? o : 0), 0.05, 0,
            "share of sessions opening a WebSocket");
    o = num(wa, "duration", "median_s", NULL);
    n = num(wb, "duration", "median_s", NULL);
    if (isfinite(o) && isfinite(n))
        ADD("websockets", o, n, rel(o, n), t->ws_rel, 0, "duration median (s), relative change");

    /* Data quality, next to the behaviour: informational. */
    const json_t *qa = json_object_get(a, "quality"), *qb = json_object_get(b, "quality");
    o = num(qa, "bot_share", NULL, NULL);
    n = num(qb, "bot_share", NULL, NULL);
    ADD("quality", o, n, n - o, INFINITY, 1, "bot share");
    double la = num(qa, "lines", NULL, NULL), lb = num(qb, "lines", NULL, NULL);
    o = la > 0 ? num(qa, "malformed", "total", NULL) / la : 0;
    n = lb > 0 ? num(qb, "malformed", "total", NULL) / lb : 0;
    ADD("quality", o, n, n - o, INFINITY, 1, "malformed line share");
    o = num(qa, "out_of_order_share", NULL, NULL);
    n = num(qb, "out_of_order_share", NULL, NULL);
    ADD("quality", o, n, n - o, INFINITY, 1, "out-of-order share");
    const json_t *fa = json_object_get(qa, "timestamp_findings"), *fb = json_object_get(qb, "timestamp_findings");
    json_array_foreach(fb, i, x)
    {
        const char *k = json_string_value(json_object_get(x, "kind"));
        int seen = 0;
        size_t j;
        json_t *y;
        json_array_foreach(fa, j, y) seen |= k && json_string_value(json_object_get(y, "kind")) &&
                                             !strcmp(k, json_string_value(json_object_get(y, "kind")));
        if (k && !seen)
            ADD("quality", NAN, NAN, NAN, INFINITY, 1, "new timestamp finding: %s", k);
    }
    ADD("quality", json_is_true(json_object_get(qa, "low_client_cardinality")),
        json_is_true(json_object_get(qb, "low_client_cardinality")), NAN, INFINITY, 1,
        "low client cardinality (NAT)");
#undef ADD
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
        json_object_set_new(o, "verdict", json_string(w->info ? "info" : w->drift ? "drift" : "ok"));
        json_array_append_new(rows, o);
    }
    return json_pack("{s:s,s:I,s:o}", "command", "diff", "drifted", (json_int_t)r->drifted, "rows",
                     rows);
}
