/*
 * model_write.c -- the traffic-model JSON (see model_write.h).
 */
#include "model_write.h"
#include "formats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fit_zipf.h"
#include "logfmt.h"
#include "route.h"
#include "uaclass.h"

/* A finite real rounded to 6 significant digits (the model is for people, too). */
static json_t *jr(double x)
{
    if (!isfinite(x))
        x = 0;
    if (x != 0) {
        double m = pow(10, 5 - floor(log10(fabs(x))));
        if (isfinite(m) && m > 0)
            x = round(x * m) / m;
    }
    return json_real(x);
}

/* An epoch time, to the millisecond. */
static json_t *jt(double x)
{
    return json_real(isfinite(x) ? round(x * 1000) / 1000 : 0);
}

static void set(json_t *o, const char *k, json_t *v)
{
    json_object_set_new(o, k, v ? v : json_null());
}

static json_t *j_source(const fit_result *fr)
{
    const ingest *g = fr->g;
    json_t *files = json_array();
    for (size_t i = 0; i < fr->nfiles; i++) {
        const char *p = fr->files[i], *b = strrchr(p, '/');
        json_array_append_new(files, json_string(b ? b + 1 : p));
    }
    json_t *o = json_object();
    set(o, "files", files);
    set(o, "format", json_string(logfmt_name(g->fmt)));
    set(o, "lines", json_integer((json_int_t)g->q.lines));
    set(o, "parsed", json_integer((json_int_t)g->q.parsed));
    set(o, "first_ts", jt(g->first_ts));
    set(o, "last_ts", jt(g->last_ts));
    set(o, "span_s", jr(ingest_span(g)));
    set(o, "bot_requests", json_integer((json_int_t)g->q.bot_requests));
    return o;
}

static json_t *j_series(double t0, double bin_s, const double *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, jr(v[i]));
    json_t *o = json_object();
    set(o, "t0", jt(t0));
    set(o, "bin_s", jr(bin_s));
    set(o, "rates", a);
    return o;
}

static json_t *j_arrivals(const fit_result *fr)
{
    const ingest *g = fr->g;
    double span = ingest_span(g);
    json_t *o = json_object();
    set(o, "session_rate", jr(span > 0 ? (double)g->ss.sessions / span : 0));
    set(o, "request_rate", jr(span > 0 ? (double)g->human_requests / span : 0));
    set(o, "series", j_series(fr->t0, fr->bin_s, fr->rates, fr->nrates));
    if (fr->rates_1s)
        set(o, "series_1s", j_series(fr->t0, 1, fr->rates_1s, fr->nrates_1s));
    json_t *p = json_object();
    static const char *const kinds[] = {"flat", "hour_of_day", "hour_of_week"};
    set(p, "kind", json_string(kinds[fr->profile_kind]));
    if (fr->profile_kind) {
        size_t n = fr->profile_kind == 1 ? 24 : 168;
        json_t *m = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(m, jr(fr->profile[i]));
        set(p, "multipliers", m);
    }
    set(o, "profile", p);
    set(o, "trend", json_pack("{s:o}", "per_day", jr(fr->trend_per_day)));
    static const int scales[4] = {1, 10, 60, 600};
    json_t *d = json_array();
    for (int i = 0; i < 4; i++)
        json_array_append_new(
            d, json_pack("{s:i,s:o}", "scale_s", scales[i], "index", jr(fr->dispersion[i])));
    set(o, "dispersion", d);
    set(o, "gof", json_pack("{s:o}", "profile_median_rel_err", jr(fr->profile_err)));
    return o;
}

static json_t *j_hawkes(const fit_result *fr)
{
    const hawkes_fit *h = &fr->hk;
    json_t *o = json_object();
    set(o, "fitted", json_boolean(h->fitted));
    if (!h->fitted) {
        set(o, "refused", json_string(fr->hk_refused));
        return o;
    }
    set(o, "mu", jr(h->mu));
    set(o, "alpha", jr(h->alpha));
    set(o, "beta", jr(h->beta));
    set(o, "branching_ratio", jr(h->n));
    set(o, "branching_ci95", json_pack("[o,o]", jr(h->ci_lo), jr(h->ci_hi)));
    set(o, "loglik", jr(h->loglik));
    set(o, "loglik_poisson", jr(h->loglik_poisson));
    set(o, "events", json_integer((json_int_t)h->events));
    set(o, "gof", json_pack("{s:o}", "ks_d", jr(h->ks_d)));
    return o;
}

static json_t *j_bursts(const fit_result *fr, const int *map, const json_t *routes)
{
    json_t *o = json_object();
    set(o, "method", json_string("kleinberg"));
    if (fr->burst_refused[0]) {
        set(o, "refused", json_string(fr->burst_refused));
        return o;
    }
    json_t *eps = json_array();
    double t0 = fr->t0;
    for (size_t i = 0; i < fr->bf.n; i++) {
        const burst_episode *e = &fr->bf.ep[i];
        json_t *x = json_object();
        set(x, "onset", jt(t0 + e->onset));
        set(x, "ramp_s", jr(e->ramp_s));
        set(x, "peak_rate", jr(e->peak_rate));
        set(x, "baseline_rate", jr(e->baseline_rate));
        set(x, "duration_s", jr(e->duration_s));
        set(x, "decay_s", jr(e->decay_s));
        set(x, "sessions", json_integer((json_int_t)e->sessions));
        /* What a replay event adds on top of its baseline: the sessions the baseline does not
         * explain. */
        double xs = (double)e->sessions - e->baseline_rate * e->duration_s;
        set(x, "excess_sessions", json_integer((json_int_t)llround(xs > 0 ? xs : 0)));
        const burst_conv *c = &e->conv;
        if (c->valid && map[c->route] >= 0) {
            json_t *r = json_array_get(routes, (size_t)map[c->route]);
            json_t *cv = json_object();
            set(cv, "route", json_copy(json_object_get(r, "template")));
            json_t *params = json_object_get(r, "params");
            json_t *p0 = json_array_get(params, 0);
            set(cv, "param", p0 ? json_copy(json_object_get(p0, "name")) : json_string(""));
            set(cv, "top_k", json_integer(c->top_k));
            set(cv, "top_k_share", jr(c->top_k_share));
            set(cv, "hot_share", jr(c->hot_share));
            set(cv, "follows", json_string(c->session_bound ? "sessions" : "window"));
            json_t *hr = json_array();
            for (int k = 0; k < c->top_k; k++)
                json_array_append_new(hr, json_integer((json_int_t)c->hot_ranks[k]));
            set(cv, "hot_ranks", hr);
            set(cv, "tv_from_baseline", jr(c->tv));
            set(x, "convergence", cv);
        }
        json_array_append_new(eps, x);
    }
    set(o, "episodes", eps);
    return o;
}

static json_t *j_dist(const think_fit *t, int with_aic)
{
    const dist_fit *d = &t->all[t->best];
    json_t *o = json_object();
    set(o, "dist", json_string(dist_names[d->kind]));
    if (d->kind == DIST_LOGNORMAL)
        set(o, "params", json_pack("{s:o,s:o}", "mu", jr(d->p1), "sigma", jr(d->p2)));
    else
        set(o, "params", json_pack("{s:o,s:o}", "shape", jr(d->p1), "scale", jr(d->p2)));
    set(o, "median_s", jr(t->median_s));
    if (with_aic) {
        json_t *a = json_object();
        for (int i = 0; i < DIST_N; i++)
            set(a, dist_names[i], jr(t->all[i].aic));
        set(o, "aic", a);
    } else {
        set(o, "p95_s", jr(t->p95_s));
    }
    set(o, "gof", json_pack("{s:o}", "ks_d", jr(d->ks_d)));
    return o;
}

/* sessions.client_classes: desktop, mobile and script as shares of the sessions the model
 * counts; bot as the share of bot sessions among all sessions (bots stay out of the fits). */
static json_t *j_client_classes(const sessionize *s)
{
    json_t *o = json_object();
    for (int c = 0; c < UA_NCLASS; c++) {
        double v;
        if (c == UA_BOT) {
            double all = (double)(s->sessions + s->bot_sessions);
            v = all > 0 ? (double)s->bot_sessions / all : 0;
        } else {
            v = s->sessions ? (double)s->class_sessions[c] / (double)s->sessions : 0;
        }
        set(o, ua_class_name((enum ua_class)c), jr(v));
    }
    return o;
}

static json_t *j_sessions(const fit_result *fr)
{
    const sessionize *s = &fr->g->ss;
    json_t *o = json_object();
    set(o, "timeout_s", jr(s->timeout));
    set(o, "timeout_fitted_s", fr->timeout_fitted > 0 ? jr(fr->timeout_fitted) : json_null());
    set(o, "count", json_integer((json_int_t)s->sessions));
    json_t *pmf = json_array();
    size_t last = 0;
    for (size_t i = 0; i < SESS_PMF; i++)
        if (s->length_pmf[i])
            last = i;
    uint64_t tot = 0;
    for (size_t i = 0; i < SESS_PMF; i++)
        tot += s->length_pmf[i];
    for (size_t i = 0; i <= last && tot; i++)
        json_array_append_new(pmf, jr((double)s->length_pmf[i] / (double)tot));
    set(o, "length",
        json_pack("{s:o,s:o,s:o,s:o}", "mean", jr(tot ? s->length_sum / (double)tot : 0), "median",
                  jr(fr->length_median), "p95", jr(fr->length_p95), "pmf", pmf));
    if (fr->think_ok) {
        json_t *t = j_dist(&fr->think, 1);
        json_t *e = json_array(), *dn = json_array();
        for (int i = 0; i <= MODEL_HIST_BINS; i++)
            json_array_append_new(e, jr(fr->think_edges[i]));
        for (int i = 0; i < MODEL_HIST_BINS; i++)
            json_array_append_new(dn, jr(fr->think_density[i]));
        set(t, "hist", json_pack("{s:o,s:o}", "edges_s", e, "density", dn));
        if (fr->think_note[0])
            set(t, "note", json_string(fr->think_note));
        set(o, "think_time", t);
    } else {
        set(o, "think_time",
            json_pack("{s:s,s:s,s:{s:f,s:f},s:f,s:{s:f,s:f,s:f},s:{s:f},s:s}", "dist", "lognormal",
                      "fitted", "no", "params", "mu", 0.0, "sigma", 0.0, "median_s", 0.0, "aic",
                      "lognormal", 0.0, "weibull", 0.0, "gamma", 0.0, "gof", "ks_d", 0.0, "note",
                      fr->think_note));
        json_object_del(json_object_get(o, "think_time"), "fitted");
    }
    set(o, "duration",
        json_pack("{s:o,s:o}", "median", jr(fr->dur_median), "p95", jr(fr->dur_p95)));
    set(o, "client_classes", j_client_classes(s));
    set(o, "static_assets", assets_summary_json(&s->as));
    return o;
}

static json_t *j_popularity(const rt_param *p, fit_result *fr, const char *tmpl, int baseline_of)
{
    size_t n = 0;
    ctab_entry *e = NULL;
    uint64_t *c = NULL;
    json_t *o = NULL;
    char err[ST_ERRLEN];
    /* The route that bursts converge on is fitted on traffic outside the episodes, so the
     * hot set does not bend its exponent. */
    if (baseline_of >= 0)
        bursts_baseline_counts(fr->g, &fr->bf, (uint32_t)baseline_of, &c, &n, err);
    if (!c) {
        e = ctab_sorted(p->items, &n);
        c = malloc((n ? n : 1) * sizeof *c);
        for (size_t i = 0; c && i < n; i++)
            c[i] = e[i].count;
    }
    if (c) {
        zipf_fit z;
        if (fit_zipf(c, n, &z, err) == 0) {
            o = json_object();
            set(o, "dist", json_string("zipf"));
            set(o, "s", jr(z.s));
            set(o, "n_est", json_integer((json_int_t)z.n_est));
            set(o, "observed", json_integer((json_int_t)z.observed));
            set(o, "top_shares",
                json_pack("[o,o,o]", jr(z.top_shares[0]), jr(z.top_shares[1]),
                          jr(z.top_shares[2])));
            set(o, "gof", json_pack("{s:o}", "ks_d", jr(z.ks_d)));
            json_t *pts = json_array();
            for (size_t i = 0; i < z.npoints; i++)
                json_array_append_new(pts, json_pack("[o,o]", jr(z.rank[i]), jr(z.share[i])));
            set(o, "rank_shares", pts);
            if (z.total > fr->zipf_main_total) {
                /* Remember the busiest item route's exponent for the summary. */
                fr->zipf_main_total = z.total;
                fr->zipf_s_main = z.s;
                snprintf(fr->zipf_main_route, sizeof fr->zipf_main_route, "%s", tmpl);
            }
        }
    }
    free(c);
    free(e);
    if (!o)
        o = json_pack("{s:s,s:i,s:i,s:i}", "dist", "uniform", "min", 1, "max",
                      (json_int_t)(n ? n : 1), "observed", (json_int_t)n);
    return o;
}

static json_t *j_mix(const uint64_t *v, const char *const *names, size_t n, uint64_t total)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++)
        if (v[i] || !names[i][0])
            set(o, names[i], jr(total ? (double)v[i] / (double)total : 0));
    return o;
}

/* One model route from one or more table routes (folded routes are summed). */
static json_t *j_route(const rt_route *r, int ridx, const char *tmpl, int kind, uint64_t requests,
                       const uint64_t *methods, const uint64_t *status, uint64_t human,
                       int with_params, fit_result *fr, int has_rt)
{
    json_t *o = json_object();
    set(o, "template", json_string(tmpl));
    int dm = 0;
    for (int i = 1; i < ROUTETAB_METHODS; i++)
        if (methods[i] > methods[dm])
            dm = i;
    set(o, "method", json_string(routetab_method_names[dm]));
    set(o, "method_mix", j_mix(methods, routetab_method_names, ROUTETAB_METHODS, requests));
    set(o, "kind", json_string(route_kind_name(kind)));
    set(o, "share", jr(human ? (double)requests / (double)human : 0));
    json_t *params = json_array();
    int conv = 0;
    for (size_t e = 0; e < fr->bf.n; e++)
        conv |= fr->bf.ep[e].conv.valid && (int)fr->bf.ep[e].conv.route == ridx;
    if (with_params && r) {
        int first_item = 1;
        for (size_t i = 0; i < r->nparams; i++) {
            const rt_param *p = &r->params[i];
            int base = p->is_item && first_item && conv ? ridx : -1;
            first_item &= !p->is_item;
            json_t *pop = p->is_item
                              ? j_popularity(p, fr, tmpl, base)
                              : json_pack("{s:s,s:[s],s:[f]}", "dist", "categorical", "values",
                                          p->in_query ? "{s}" : "{slug}", "weights", 1.0);
            json_array_append_new(params,
                                  json_pack("{s:s,s:s,s:o}", "name", p->name, "position",
                                            p->in_query ? "query" : "path", "popularity", pop));
        }
    }
    set(o, "params", params);
    uint64_t st = status[1] + status[2] + status[3] + status[4] + status[5];
    double d = st ? (double)st : 1;
    set(o, "status_mix",
        json_pack("{s:o,s:o,s:o,s:o}", "2xx", jr((double)(status[2] + status[1]) / d), "3xx",
                  jr((double)status[3] / d), "4xx", jr((double)status[4] / d), "5xx",
                  jr((double)status[5] / d)));
    double bm = 0, bp = 0, lm = 0, lp = 0;
    size_t ln = 0;
    if (r) {
        bm = resv_quantile(r->bytes, 0.5);
        bp = resv_quantile(r->bytes, 0.95);
        ln = r->latency->n;
        lm = resv_quantile(r->latency, 0.5);
        lp = resv_quantile(r->latency, 0.95);
    }
    set(o, "bytes", json_pack("{s:o,s:o}", "median", jr(bm), "p95", jr(bp)));
    if (has_rt && ln)
        set(o, "latency", json_pack("{s:o,s:o}", "median_s", jr(lm), "p95_s", jr(lp)));
    return o;
}

static int cmp_req_desc(const void *a, const void *b, void *ctx)
{
    const routetab *t = ctx;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (t->r[x].requests != t->r[y].requests)
        return t->r[x].requests > t->r[y].requests ? -1 : 1;
    return x < y ? -1 : x > y;
}

static json_t *j_websockets(const fit_result *fr, const json_t *routes)
{
    const ingest *g = fr->g;
    json_t *o = json_object();
    set(o, "count", json_integer((json_int_t)g->ws_count));
    if (g->ws_count == 0)
        return o;
    uint64_t sess = g->ss.sessions;
    double share = sess ? (double)g->ws_count / (double)sess : 0;
    set(o, "share_of_sessions", jr(share > 1 ? 1 : share));
    json_t *rl = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(routes, i, r) {
        const char *k = json_string_value(json_object_get(r, "kind"));
        if (k && strcmp(k, "websocket") == 0)
            json_array_append(rl, json_object_get(r, "template"));
    }
    set(o, "routes", rl);
    if (fr->ws_ok) {
        json_t *d = j_dist(&fr->ws, 0);
        set(d, "censored", json_integer((json_int_t)fr->ws_censored));
        set(o, "duration", d);
    }
    json_t *c = json_pack("{s:o,s:o}", "max", jr(fr->ws_conc_max), "mean", jr(fr->ws_conc_mean));
    if (fr->ws_conc)
        set(c, "series", j_series(fr->t0, fr->bin_s, fr->ws_conc, fr->nrates));
    set(o, "concurrency", c);
    return o;
}

static json_t *j_quality(const fit_result *fr)
{
    const quality *q = &fr->g->q;
    json_t *o = json_object();
    set(o, "lines", json_integer((json_int_t)q->lines));
    json_t *br = json_object();
    uint64_t tot = 0;
    for (int r = 1; r < LF_NREASONS; r++) {
        if (!q->bad[r])
            continue;
        tot += q->bad[r];
        json_t *fl = json_array();
        for (uint64_t k = 0; k < q->bad[r] && k < QUALITY_FIRST_LINES; k++)
            json_array_append_new(fl, json_integer((json_int_t)q->bad_first[r][k]));
        set(br, logfmt_reason_name(r),
            json_pack("{s:I,s:o}", "count", (json_int_t)q->bad[r], "first_lines", fl));
    }
    json_t *first = json_array();
    for (size_t k = 0; k < q->nfails; k++)
        json_array_append_new(
            first, json_pack("{s:I,s:s,s:s,s:I}", "line", (json_int_t)q->fails[k].line, "reason",
                             logfmt_reason_name(q->fails[k].reason), "field", q->fails[k].field,
                             "column", (json_int_t)q->fails[k].column));
    set(o, "malformed",
        json_pack("{s:I,s:o,s:o}", "total", (json_int_t)tot, "by_reason", br, "first", first));
    set(o, "out_of_order_share", jr(q->parsed ? (double)q->out_of_order / (double)q->parsed : 0));
    set(o, "reorder_window_s", jr(q->reorder_window_s));
    set(o, "too_late", json_integer((json_int_t)q->too_late));
    json_t *gaps = json_array();
    for (size_t i = 0; i < q->ngaps; i++)
        json_array_append_new(gaps, json_pack("{s:o,s:o}", "start", jt(q->gaps[i].start),
                                              "duration_s", jr(q->gaps[i].duration)));
    set(o, "gaps", gaps);
    json_t *tf = json_array();
    if (q->constant_minute >= 0)
        json_array_append_new(tf, json_pack("{s:s,s:i,s:o,s:s}", "kind", "constant_minute",
                                            "minute", q->constant_minute, "share",
                                            jr(q->constant_minute_share), "effect",
                                            "inter-arrival times are not real: Hawkes, bursts "
                                            "and think times refused"));
    if (q->constant_second >= 0)
        json_array_append_new(tf, json_pack("{s:s,s:i,s:s}", "kind", "constant_second", "second",
                                            q->constant_second, "effect",
                                            "sub-minute timing is not real"));
    if (q->second_resolution && q->parsed)
        json_array_append_new(tf, json_pack("{s:s,s:s}", "kind", "second_resolution_only", "effect",
                                            "times within a second are jittered "
                                            "uniformly (seeded) before the Hawkes fit"));
    if (q->dup_share > q->dup_expected + 0.3)
        json_array_append_new(tf, json_pack("{s:s,s:o,s:s}", "kind", "duplicated_timestamps",
                                            "share", jr(q->dup_share), "effect",
                                            "many lines share a timestamp"));
    set(o, "timestamp_findings", tf);
    set(o, "clients", json_integer((json_int_t)llround(q->clients_est)));
    set(o, "low_client_cardinality", json_boolean(q->low_client_cardinality));
    set(o, "bot_share", jr(q->parsed ? (double)q->bot_requests / (double)q->parsed : 0));
    json_t *f = json_array();
    for (size_t i = 0; i < q->nfindings; i++)
        json_array_append_new(f, json_string(q->findings[i]));
    if (fr->hk_note[0])
        json_array_append_new(f, json_string(fr->hk_note));
    set(o, "findings", f);
    return o;
}

json_t *model_build(fit_result *fr, char *err)
{
    const ingest *g = fr->g;
    const routetab *t = &g->rt;
    size_t n = t->n;
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    int *map = malloc((n ? n : 1) * sizeof *map);
    if (!order || !map) {
        free(order);
        free(map);
        st_err(err, ST_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    qsort_r(order, n, sizeof *order, cmp_req_desc, (void *)t);
    /* Keep: enough distinct clients (privacy) and among the max_routes busiest. */
    size_t kept = 0, folded = 0;
    int other_kind = -1;
    uint64_t om[ROUTETAB_METHODS] = {0}, os[6] = {0}, oreq = 0;
    for (size_t k = 0; k < n; k++) {
        const rt_route *r = &t->r[order[k]];
        int keep = (int)order[k] != t->other && r->nclients >= fr->k_min && kept < fr->max_routes &&
                   r->requests > 0;
        if (keep) {
            map[order[k]] = (int)kept++;
            continue;
        }
        map[order[k]] = -2; /* folded, index assigned below */
        if (r->requests == 0)
            continue;
        folded += (int)order[k] != t->other;
        oreq += r->requests;
        for (int i = 0; i < ROUTETAB_METHODS; i++)
            om[i] += r->methods[i];
        for (int i = 0; i < 6; i++)
            os[i] += r->status[i];
        if (r->kind == ROUTE_PAGE || r->kind == ROUTE_API || other_kind < 0)
            other_kind = r->kind == ROUTE_API ? ROUTE_PAGE : r->kind;
    }
    int has_rt = logfmt_has_request_time(g->fmt);
    json_t *routes = json_array();
    for (size_t k = 0; k < n; k++) {
        size_t i = order[k];
        if (map[i] < 0)
            continue;
        const rt_route *r = &t->r[i];
        json_array_append_new(routes, j_route(r, (int)i, r->tmpl, r->kind, r->requests, r->methods,
                                              r->status, g->human_requests, 1, fr, has_rt));
    }
    /* Assets of page routes, once every route is in place (a page's assets may be routes
     * listed after it). */
    for (size_t i = 0; i < n; i++) {
        if (map[i] < 0 || t->r[i].kind != ROUTE_PAGE)
            continue;
        json_t *as = assets_json(&g->ss.as, (uint32_t)i, map, n, routes);
        if (as)
            json_object_set_new(json_array_get(routes, (size_t)map[i]), "assets", as);
    }
    size_t kstates = kept;
    if (oreq) {
        for (size_t i = 0; i < n; i++)
            if (map[i] == -2)
                map[i] = (int)kept;
        json_array_append_new(routes, j_route(NULL, -1, "{other}", other_kind < 0 ? 0 : other_kind,
                                              oreq, om, os, g->human_requests, 0, fr, 0));
        kstates = kept + 1;
    }
    for (size_t i = 0; i < n; i++)
        if (map[i] < 0)
            map[i] = -1;
    fr->routes_out = kstates;
    fr->folded = folded;

    /* Journeys over every model route (static and WebSocket rows are all-exit). */
    double *entry = calloc(kstates + 1, sizeof *entry);
    double *tr = calloc((kstates + 1) * (kstates + 1), sizeof *tr);
    uint64_t *rows = calloc(kstates + 1, sizeof *rows);
    json_t *root = NULL;
    if (!entry || !tr || !rows) {
        st_err(err, ST_ENOMEM, "out of memory");
        goto out;
    }
    markov_matrix(&g->ss.mk, map, n, kstates, entry, tr, rows);
    json_t *je = json_array(), *jt = json_array();
    double tvmax = 0;
    for (size_t i = 0; i < kstates; i++) {
        json_array_append_new(je, jr(entry[i]));
        json_t *row = json_array();
        double tv = 0;
        for (size_t j = 0; j <= kstates; j++) {
            double p = tr[i * (kstates + 1) + j];
            json_array_append_new(row, jr(p));
            if (rows[i])
                tv += sqrt(2 * p * (1 - p) / (M_PI * (double)rows[i]));
        }
        if (tv / 2 > tvmax)
            tvmax = tv / 2;
        json_array_append_new(jt, row);
    }
    json_t *journeys = json_pack("{s:o,s:o,s:{s:o}}", "entry", je, "transitions", jt, "gof",
                                 "tv_max", jr(tvmax));

    root = json_object();
    set(root, "format", json_string(ST_FMT_MODEL));
    set(root, "version", json_integer(ST_FMT_MODEL_VERSION));
    set(root, "generator",
        json_pack("{s:s,s:s,s:I,s:s}", "tool", "modeler", "version", ST_VERSION, "seed",
                  (json_int_t)fr->seed, "command", fr->command ? fr->command : ""));
    set(root, "source", j_source(fr));
    set(root, "arrivals", j_arrivals(fr));
    set(root, "hawkes", j_hawkes(fr));
    set(root, "bursts", j_bursts(fr, map, routes));
    set(root, "sessions", j_sessions(fr));
    set(root, "routes", routes);
    set(root, "journeys", journeys);
    set(root, "websockets", j_websockets(fr, routes));
    set(root, "quality", j_quality(fr));
    set(root, "privacy",
        json_pack("{s:i,s:I}", "k_min_clients", (int)fr->k_min, "folded_routes",
                  (json_int_t)folded));
    routes = NULL;
out:
    json_decref(routes);
    free(entry);
    free(tr);
    free(rows);
    free(order);
    free(map);
    return root;
}
