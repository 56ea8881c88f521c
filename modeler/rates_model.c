/*
 * rates_model.c -- the rate-trace fit in the traffic model (see rates_model.h).
 */
#include "rates_model.h"
#include "formats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "afile.h"

/* The model's series holds at most this many bins (as the log fit's): a finer trace is
 * averaged into coarser bins, and bin_s says so. */
#define SERIES_MAX_BINS 20160

static json_t *jr(double x)
{
    if (!isfinite(x))
        x = 0;
    if (x != 0) {
        double p = pow(10, 5 - floor(log10(fabs(x))));
        if (isfinite(p) && p > 0)
            x = round(x * p) / p;
    }
    return json_real(x);
}

static json_t *jt(double x)
{
    return json_real(isfinite(x) ? round(x * 1000) / 1000 : 0);
}

static void set(json_t *o, const char *k, json_t *v)
{
    json_object_set_new(o, k, v ? v : json_null());
}

static const char *base_name(const char *p)
{
    const char *b = strrchr(p, '/');
    return b ? b + 1 : p;
}

static json_t *j_malformed(const rates_trace *tr)
{
    json_t *br = json_object();
    uint64_t tot = 0;
    for (int r = 0; r < RB_N; r++) {
        if (!tr->bad[r])
            continue;
        tot += tr->bad[r];
        json_t *fl = json_array();
        for (uint64_t k = 0; k < tr->bad[r] && k < RATES_FIRST_BAD; k++)
            json_array_append_new(fl, json_integer((json_int_t)tr->bad_first[r][k]));
        set(br, rates_bad_names[r],
            json_pack("{s:I,s:o,s:s}", "count", (json_int_t)tr->bad[r], "first_lines", fl, "first",
                      tr->bad_why[r]));
    }
    return json_pack("{s:I,s:o}", "total", (json_int_t)tot, "by_reason", br);
}

/* source.rates: what was read and how it was placed on the grid. */
static json_t *j_trace(const rates_trace *tr, const rates_model *m, const rates_info *in)
{
    json_t *o = json_object();
    set(o, "file", json_string(base_name(in->path)));
    set(o, "format", json_string(in->spec->text));
    set(o, "of", json_string(in->of_sessions ? "sessions" : "requests"));
    set(o, "lines", json_integer((json_int_t)tr->lines));
    set(o, "points", json_integer((json_int_t)tr->points));
    if (in->spec->kind == RATES_PROMETHEUS)
        set(o, "series_summed", json_integer((json_int_t)tr->series));
    set(o, "t0", jt(tr->t0));
    set(o, "bin_s", jr(tr->bin_s));
    set(o, "bin_detected_share", jr(tr->bin_share));
    set(o, "bins", json_integer((json_int_t)tr->n));
    set(o, "missing_bins", json_integer((json_int_t)tr->missing));
    set(o, "summed_points", json_integer((json_int_t)tr->summed));
    set(o, "off_grid_points", json_integer((json_int_t)tr->off_grid));
    set(o, "zero_bins", json_integer((json_int_t)m->zero_bins));
    set(o, "malformed", j_malformed(tr));
    return o;
}

/* The trace and its fit in the model's series layout, scaled by f, coarsened when long.
 * Missing bins are written as the fitted rate (series.missing counts them). */
static json_t *j_series(const rates_trace *tr, const rates_model *m, double f)
{
    size_t k = (tr->n + SERIES_MAX_BINS - 1) / SERIES_MAX_BINS;
    json_t *obs = json_array(), *fit = json_array();
    for (size_t i = 0; i < tr->n; i += k) {
        double so = 0, sf = 0;
        size_t c = 0;
        for (size_t j = i; j < i + k && j < tr->n; j++, c++) {
            so += tr->have[j] ? tr->rate[j] : m->fitted[j];
            sf += m->fitted[j];
        }
        json_array_append_new(obs, jr(f * so / (double)c));
        json_array_append_new(fit, jr(f * sf / (double)c));
    }
    return json_pack("{s:o,s:o,s:o,s:o,s:I}", "t0", jt(tr->t0), "bin_s", jr(tr->bin_s * (double)k),
                     "rates", obs, "fitted", fit, "missing", (json_int_t)tr->missing);
}

static const char *const kinds[] = {"flat", "hour_of_day", "hour_of_week"};

/* Fills arrivals' profile, trend, dispersion and gof from the trace fit (f: to sessions). */
static void set_profile(json_t *a, const rates_trace *tr, const rates_model *m, double f)
{
    json_t *p = json_object();
    set(p, "kind", json_string(kinds[m->profile_kind]));
    if (m->profile_kind) {
        json_t *mu = json_array();
        for (size_t i = 0; i < (m->profile_kind == 1 ? 24u : 168u); i++)
            json_array_append_new(mu, jr(m->profile[i]));
        set(p, "multipliers", mu);
    }
    set(p, "source", json_string("rates"));
    set(a, "profile", p);
    set(a, "trend",
        json_pack("{s:o,s:o,s:s}", "per_day", jr(m->trend_per_day), "t_ref", jt(m->t_ref), "source",
                  "rates"));
    set(a, "series", j_series(tr, m, f));
    static const char *const fk[4] = {"flat", "hour_of_day", "hour_of_week", "hour_x_weekday"};
    json_t *bic = json_object();
    for (int k = 0; k < 4; k++)
        set(bic, fk[k], isfinite(m->bic[k]) ? jr(m->bic[k]) : json_null());
    set(a, "rates_fit",
        json_pack("{s:o,s:s,s:o,s:I,s:I,s:i}", "level", jr(m->level * f), "kind", fk[m->fit_kind],
                  "bic", bic, "burst_bins", (json_int_t)m->burst_bins, "bins_compared",
                  (json_int_t)m->nerr, "rounds", m->rounds));
    set(a, "gof",
        json_pack("{s:o,s:s}", "profile_median_rel_err", jr(m->median_rel_err), "of",
                  "fitted against observed, per trace bin"));
}

/* f scales a request trace's index to sessions: variance goes with f^2, the mean with f. */
static json_t *j_dispersion(const rates_model *m, double f)
{
    json_t *d = json_array();
    for (size_t i = 0; i < m->ndisp; i++)
        json_array_append_new(d, json_pack("{s:o,s:o,s:s,s:s}", "scale_s", jr(m->disp_scale[i]),
                                           "index", jr(f * m->disp_index[i]), "about", "fitted",
                                           "source", "rates"));
    return d;
}

static json_t *j_episode(const rates_episode *e, double f)
{
    return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:I,s:s}", "onset", jt(e->onset), "ramp_s",
                     jr(e->ramp_s), "peak_rate", jr(f * e->peak_rate), "baseline_rate",
                     jr(f * e->baseline_rate), "duration_s", jr(e->duration_s), "decay_s",
                     jr(e->decay_s), "sessions", (json_int_t)llround(f * e->arrivals), "source",
                     "rates");
}

json_t *rates_model_build(const rates_trace *tr, const rates_model *m, const rates_info *in)
{
    char from[300];
    snprintf(from, sizeof from, "rates:%s", base_name(in->path));
    double first = tr->t0, last = tr->t0 + (double)tr->n * tr->bin_s;
    json_t *src = json_pack(
        "{s:s,s:[s],s:s,s:I,s:I,s:o,s:o,s:o,s:i}", "kind", "rates", "files", base_name(in->path),
        "format", in->spec->text, "lines", (json_int_t)tr->lines, "parsed", (json_int_t)tr->points,
        "first_ts", jt(first), "last_ts", jt(last), "span_s", jr(last - first), "bot_requests", 0);
    static const char *const none[] = {"hawkes", "sessions", "routes", "journeys", "websockets"};
    set(src, "arrivals", json_string(from));
    set(src, "bursts", json_string(from));
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
        set(src, none[i], json_string(RATES_NOT_IN));
    set(src, "rates", j_trace(tr, m, in));

    json_t *a = json_object();
    set(a, "session_rate", jr(in->of_sessions ? m->level : 0));
    set(a, "request_rate", jr(in->of_sessions ? 0 : m->level));
    set(a, "not_fitted",
        json_string(in->of_sessions ? "request_rate: not in a rate trace of sessions"
                                    : "session_rate: not in a rate trace of requests"));
    set_profile(a, tr, m, 1);
    set(a, "dispersion", j_dispersion(m, 1));

    json_t *eps = json_array();
    for (size_t i = 0; i < m->nep; i++)
        json_array_append_new(eps, j_episode(&m->ep[i], 1));
    json_t *bursts = json_pack("{s:s,s:o,s:o,s:I}", "method", "rates", "bin_s", jr(tr->bin_s),
                               "episodes", eps, "dropped", (json_int_t)m->ep_dropped);

    json_t *f = json_array();
    char line[200];
    if (tr->missing) {
        snprintf(
            line, sizeof line, "%llu of %zu trace bins have no data (%.1f%%): left out of the fit",
            (unsigned long long)tr->missing, tr->n, 100.0 * (double)tr->missing / (double)tr->n);
        json_array_append_new(f, json_string(line));
    }
    if (m->ep_dropped) {
        snprintf(line, sizeof line, "%zu smaller burst episodes beyond the %d largest left out",
                 m->ep_dropped, RATES_MAX_EPISODES);
        json_array_append_new(f, json_string(line));
    }
    json_t *root = json_object();
    set(root, "format", json_string(ST_FMT_MODEL));
    set(root, "version", json_integer(ST_FMT_MODEL_VERSION));
    set(root, "generator",
        json_pack("{s:s,s:s,s:I,s:s}", "tool", "modeler", "version", ST_VERSION, "seed",
                  (json_int_t)in->seed, "command", in->command ? in->command : ""));
    set(root, "source", src);
    set(root, "arrivals", a);
    set(root, "hawkes", json_pack("{s:b,s:s}", "fitted", 0, "refused", RATES_NOT_IN));
    set(root, "bursts", bursts);
    set(root, "sessions", json_pack("{s:s}", "not_fitted", RATES_NOT_IN));
    set(root, "routes", json_array());
    set(root, "journeys", json_pack("{s:s}", "not_fitted", RATES_NOT_IN));
    set(root, "websockets", json_pack("{s:s}", "not_fitted", RATES_NOT_IN));
    set(root, "quality",
        json_pack("{s:I,s:o,s:i,s:o}", "lines", (json_int_t)tr->lines, "malformed", j_malformed(tr),
                  "bot_share", 0, "findings", f));
    set(root, "privacy", json_pack("{s:i,s:i}", "k_min_clients", 0, "folded_routes", 0));
    return root;
}

static int cmp_onset(const void *a, const void *b)
{
    double x = json_number_value(json_object_get(*(json_t *const *)a, "onset"));
    double y = json_number_value(json_object_get(*(json_t *const *)b, "onset"));
    return x < y ? -1 : x > y;
}

/* Trace episodes plus the log's episodes that no trace episode covers, by onset, at most
 * RATES_MAX_EPISODES (the log's finer episodes carry the item convergence). */
static int merge_bursts(json_t *model, const rates_model *m, double f, size_t *log_kept,
                        size_t *dropped)
{
    json_t *b = json_object_get(model, "bursts");
    json_t *old = json_object_get(b, "episodes");
    json_t *all[2 * RATES_MAX_EPISODES + 2];
    size_t n = 0;
    for (size_t i = 0; i < m->nep; i++)
        all[n++] = j_episode(&m->ep[i], f);
    size_t i;
    json_t *e;
    *log_kept = *dropped = 0;
    json_array_foreach(old, i, e) {
        double on = json_number_value(json_object_get(e, "onset"));
        int covered = 0;
        for (size_t k = 0; k < m->nep; k++)
            covered |= on >= m->ep[k].onset && on < m->ep[k].onset + m->ep[k].duration_s;
        if (covered || n >= sizeof all / sizeof all[0]) {
            ++*dropped;
            continue;
        }
        json_t *c = json_deep_copy(e);
        if (!c)
            return ST_ENOMEM;
        set(c, "source", json_string("log"));
        all[n++] = c;
        ++*log_kept;
    }
    qsort(all, n, sizeof *all, cmp_onset);
    json_t *eps = json_array();
    for (size_t k = 0; k < n; k++) {
        if (k < RATES_MAX_EPISODES)
            json_array_append_new(eps, all[k]);
        else {
            json_decref(all[k]);
            ++*dropped;
        }
    }
    if (!b || !json_is_object(b)) {
        b = json_object();
        set(model, "bursts", b);
    }
    json_object_del(b, "refused");
    set(b, "episodes", eps);
    return 0;
}

int rates_model_merge(json_t *model, const rates_trace *tr, const rates_model *m,
                      const rates_info *in, double sessions_per_request, char *err)
{
    double f = in->of_sessions ? 1 : sessions_per_request;
    json_t *a = json_object_get(model, "arrivals"), *src = json_object_get(model, "source");
    if (!a || !src)
        return st_err(err, ST_EINPUT, "model: no arrivals to replace");
    /* The log's own series stays, under another key, for the report and for review. */
    json_t *ls = json_object_get(a, "series");
    if (ls)
        json_object_set(a, "log_series", ls);
    set(a, "session_rate", jr(m->level * f));
    set(a, "request_rate",
        jr(in->of_sessions && sessions_per_request > 0 ? m->level / sessions_per_request
                                                       : m->level));
    set_profile(a, tr, m, f);
    /* Dispersion below the trace's bin stays the log's; the trace's starts at its bin. */
    json_t *od = json_object_get(a, "dispersion"), *nd = j_dispersion(m, f), *d = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(od, i, e) {
        if (json_number_value(json_object_get(e, "scale_s")) < tr->bin_s) {
            json_t *c = json_deep_copy(e);
            set(c, "source", json_string("log"));
            json_array_append_new(d, c);
        }
    }
    json_array_extend(d, nd);
    json_decref(nd);
    set(a, "dispersion", d);
    size_t log_kept, dropped;
    if (merge_bursts(model, m, f, &log_kept, &dropped) < 0)
        return st_err(err, ST_ENOMEM, "out of memory");
    char from[300], both[340];
    snprintf(from, sizeof from, "rates:%s", base_name(in->path));
    snprintf(both, sizeof both, "%s+log", from);
    set(src, "kind", json_string("logs+rates"));
    set(src, "arrivals", json_string(from));
    set(src, "bursts", json_string(log_kept ? both : from));
    static const char *const logc[] = {"hawkes", "sessions", "routes", "journeys", "websockets"};
    for (size_t k = 0; k < sizeof logc / sizeof logc[0]; k++)
        set(src, logc[k], json_string("log"));
    set(src, "rates", j_trace(tr, m, in));
    json_t *fl = json_object_get(json_object_get(model, "quality"), "findings");
    char line[300];
    snprintf(line, sizeof line,
             "arrival profile, trend and %zu burst episodes from the rate trace "
             "%s (%zu bins of %g s)%s",
             m->nep, base_name(in->path), tr->n, tr->bin_s,
             in->of_sessions ? ""
                             : "; its requests converted to sessions with the log's "
                               "sessions per request");
    if (json_is_array(fl))
        json_array_append_new(fl, json_string(line));
    if (dropped && json_is_array(fl)) {
        snprintf(line, sizeof line,
                 "%zu burst episodes of the log left out (inside a trace "
                 "episode, or beyond %d)",
                 dropped, RATES_MAX_EPISODES);
        json_array_append_new(fl, json_string(line));
    }
    return 0;
}

int rates_write_fitted(const char *path, const rates_trace *tr, const rates_model *m, char *err)
{
    afile af;
    FILE *f = afile_open(&af, path, err);
    if (!f)
        return ST_EENV;
    fprintf(f, "t_mid,observed,fitted\n");
    for (size_t i = 0; i < tr->n; i++) {
        double t = ((double)i + 0.5) * tr->bin_s;
        if (tr->have[i])
            fprintf(f, "%.3f,%.9g,%.9g\n", t, tr->rate[i], m->fitted[i]);
        else
            fprintf(f, "%.3f,,%.9g\n", t, m->fitted[i]);
    }
    return afile_commit(&af, err);
}
