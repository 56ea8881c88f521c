/*
 * tool_rates.c -- rate-trace options and output of `modeler fit` (see tool_rates.h).
 */
#include "tool_rates.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dbuf.h"
#include "jsonio.h"
#include "log.h"
#include "report.h"
#include "units.h"

/* clang-format off */
void tool_rates_usage(FILE *f)
{
    fprintf(f,
            "  --rates TRACE            a rate trace: alone, it gives an arrivals-and-bursts model\n"
            "                           (replay refuses it without a log); with logs, the trace's\n"
            "                           profile, trend and bursts replace the log's\n"
            "  --rates-format SPEC      csv:time=COL,count=COL | csv:time=COL,rate=COL (per second)\n"
            "                           | limbo ('t,rate;' lines) | prometheus (query_range JSON);\n"
            "                           default: prometheus for *.json, else limbo\n"
            "  --rates-bin DUR          limbo: the unit of t and of the rate (default 1s)\n"
            "  --rates-start TIME       limbo: epoch or ISO 8601 time of t = 0 (default epoch 0)\n"
            "  --rates-of WHAT          the trace counts requests (default) or sessions\n"
            "  --fitted-rates FILE.csv  write t_mid,observed,fitted per trace bin\n");
}
/* clang-format on */

int tool_rates_option(rates_opts *ro, const char *a, const char *v, int *i)
{
    const char **dst = !strcmp(a, "--rates")          ? &ro->path
                       : !strcmp(a, "--rates-format") ? &ro->format
                       : !strcmp(a, "--fitted-rates") ? &ro->fitted
                       : !strcmp(a, "--rates-bin")    ? &ro->bin
                       : !strcmp(a, "--rates-start")  ? &ro->start
                                                      : NULL;
    int of = !strcmp(a, "--rates-of");
    if (!dst && !of)
        return 0;
    if (!v) {
        log_error("%s: needs a value (try 'modeler fit --help')", a);
        return -1;
    }
    ++*i;
    if (of) {
        if (strcmp(v, "requests") && strcmp(v, "sessions")) {
            log_error("--rates-of: expected requests or sessions, got '%s'", v);
            return -1;
        }
        ro->of_sessions = v[0] == 's';
        return 1;
    }
    *dst = v;
    return 1;
}

static void warn_bad(const rates_opts *ro)
{
    const rates_trace *tr = &ro->tr;
    uint64_t tot = 0;
    for (int k = 0; k < RB_N; k++)
        tot += tr->bad[k];
    for (int k = 0; k < RB_N; k++)
        if (tr->bad[k])
            log_warn("%s: %llu of %llu %s not used (%.2f%%), %s; first: %s", ro->path,
                     (unsigned long long)tr->bad[k], (unsigned long long)tr->lines,
                     ro->spec.kind == RATES_PROMETHEUS ? "samples" : "lines",
                     tr->lines ? 100.0 * (double)tr->bad[k] / (double)tr->lines : 0,
                     rates_bad_names[k], tr->bad_why[k]);
    if (tr->summed)
        log_info("%s: %llu points shared a bin with another and were summed%s", ro->path,
                 (unsigned long long)tr->summed,
                 ro->spec.kind == RATES_PROMETHEUS && tr->series > 1 ? " (several series)" : "");
    if (tr->off_grid)
        log_warn("%s: %llu points off the %g-s grid were put in the nearest bin", ro->path,
                 (unsigned long long)tr->off_grid, tr->bin_s);
    if (tr->missing)
        log_warn("%s: %llu of %zu bins have no data (%.1f%%): left out of the fit", ro->path,
                 (unsigned long long)tr->missing, tr->n,
                 100.0 * (double)tr->missing / (double)tr->n);
    (void)tot;
}

int tool_rates_load(rates_opts *ro, int have_logs)
{
    char err[ST_ERRLEN];
    if (!ro->path) {
        const char *o = ro->format   ? "--rates-format"
                        : ro->fitted ? "--fitted-rates"
                        : ro->bin    ? "--rates-bin"
                        : ro->start  ? "--rates-start"
                                     : NULL;
        if (o) {
            log_error("%s needs --rates TRACE", o);
            return ST_EXIT_INPUT;
        }
        return ST_EXIT_OK;
    }
    const char *fmt = ro->format;
    size_t pl = strlen(ro->path);
    if (!fmt)
        fmt = pl > 5 && !strcmp(ro->path + pl - 5, ".json") ? "prometheus" : "limbo";
    if (rates_spec_parse(fmt, &ro->spec, err) < 0) {
        log_error("%s", err);
        return ST_EXIT_INPUT;
    }
    if ((ro->bin || ro->start) && ro->spec.kind != RATES_LIMBO) {
        log_error("%s: only for --rates-format limbo", ro->bin ? "--rates-bin" : "--rates-start");
        return ST_EXIT_INPUT;
    }
    if (ro->bin &&
        (units_parse_duration(ro->bin, &ro->spec.unit_s, err) < 0 || ro->spec.unit_s <= 0)) {
        log_error("--rates-bin: %s", ro->spec.unit_s <= 0 ? "must be positive" : err);
        return ST_EXIT_INPUT;
    }
    if (ro->start) {
        if (rates_parse_time(ro->start, &ro->spec.start) < 0) {
            log_error("--rates-start: expected epoch seconds or ISO 8601, got '%s'", ro->start);
            return ST_EXIT_INPUT;
        }
        ro->spec.start_given = 1;
    }
    int rc = rates_trace_read(ro->path, &ro->spec, &ro->tr, err);
    if (rc < 0) {
        log_error("%s", err);
        return st_rc_exit(rc);
    }
    warn_bad(ro);
    if (ro->spec.kind == RATES_LIMBO && !ro->spec.start_given)
        log_info("%s: limbo times are relative: t = 0 taken as 1970-01-01T00:00Z (a Thursday); "
                 "give --rates-start for the real hour of day and week",
                 ro->path);
    if (ro->spec.kind == RATES_LIMBO && !ro->bin)
        log_info("%s: limbo t and rates read per second; give --rates-bin (e.g. 1h) when t "
                 "counts another unit",
                 ro->path);
    rc = rates_fit(&ro->tr, &ro->m, err);
    if (rc < 0) {
        log_error("%s: %s", ro->path, err);
        return st_rc_exit(rc);
    }
    ro->loaded = 1;
    (void)have_logs;
    return ST_EXIT_OK;
}

static rates_info info_of(const rates_opts *ro, uint64_t seed, const char *command)
{
    rates_info in = {ro->path, &ro->spec, ro->of_sessions, command, seed};
    return in;
}

int tool_rates_merge(rates_opts *ro, json_t *model, uint64_t sessions, uint64_t requests, char *err)
{
    rates_info in = info_of(ro, 0, NULL);
    double spr = requests ? (double)sessions / (double)requests : 1;
    int rc = rates_model_merge(model, &ro->tr, &ro->m, &in, spr, err);
    if (rc == 0 && ro->fitted)
        rc = rates_write_fitted(ro->fitted, &ro->tr, &ro->m, err);
    return rc;
}

void tool_rates_summary(const rates_opts *ro, json_t *j)
{
    static const char *const kinds[] = {"flat", "hour_of_day", "hour_of_week"};
    const rates_model *m = &ro->m;
    const rates_trace *tr = &ro->tr;
    if (j) {
        json_object_set_new(j, "rates_bins", json_integer((json_int_t)tr->n));
        json_object_set_new(j, "rates_bin_s", json_real(tr->bin_s));
        json_object_set_new(j, "rates_profile", json_string(kinds[m->profile_kind]));
        json_object_set_new(j, "rates_episodes", json_integer((json_int_t)m->nep));
        json_object_set_new(j, "rates_median_rel_err", json_real(m->median_rel_err));
        return;
    }
    char b[32];
    char e[48];
    if (m->nerr)
        snprintf(e, sizeof e, "%.1f%%", 100 * m->median_rel_err);
    else
        snprintf(e, sizeof e, "n/a (no bin above 0)");
    printf("  rates: %s (%s), %zu bins of %s (%.0f%% of gaps), %llu missing; level %.4g/s, "
           "profile %s, trend %+.2f%%/day, %zu burst episodes; median relative error %s "
           "(fitted vs observed)\n",
           ro->path, ro->spec.text, tr->n, units_fmt_duration(b, sizeof b, tr->bin_s),
           100 * tr->bin_share, (unsigned long long)tr->missing, m->level, kinds[m->profile_kind],
           100 * m->trend_per_day, m->nep, e);
    for (size_t i = 0; i < m->nep && i < 5; i++)
        printf("    burst at +%.0fs for %.0fs, peak %.4g/s over %.4g/s\n", m->ep[i].onset - tr->t0,
               m->ep[i].duration_s, m->ep[i].peak_rate, m->ep[i].baseline_rate);
    if (m->nep > 5)
        printf("    ... %zu more in the model\n", m->nep - 5);
}

int tool_rates_fit_only(rates_opts *ro, const char *out, const char *report, uint64_t seed,
                        int json, int argc, char **argv)
{
    char err[ST_ERRLEN];
    uint64_t t_start = st_now_ns();
    dbuf cmd;
    dbuf_init(&cmd, 4096);
    dbuf_adds(&cmd, "modeler");
    for (int k = 0; k < argc; k++) {
        dbuf_adds(&cmd, " ");
        dbuf_adds(&cmd, argv[k]);
    }
    rates_info in = info_of(ro, seed, cmd.p ? cmd.p : "modeler fit");
    json_t *model = rates_model_build(&ro->tr, &ro->m, &in);
    dbuf_free(&cmd);
    int r = model ? 0 : st_err(err, ST_ENOMEM, "out of memory");
    if (r == 0)
        r = jsonio_save(out, model, err);
    if (r == 0 && ro->fitted)
        r = rates_write_fitted(ro->fitted, &ro->tr, &ro->m, err);
    if (r == 0 && report)
        r = report_write_tree(model, report, err);
    json_decref(model);
    if (r < 0) {
        log_error("%s", err);
        return st_rc_exit(r);
    }
    double secs = (double)(st_now_ns() - t_start) / 1e9;
    if (json && log_level >= LOG_INFO && strcmp(out, "-") != 0) {
        json_t *s = json_pack("{s:s,s:s,s:I,s:I,s:f}", "command", "fit", "model", out, "seed",
                              (json_int_t)seed, "lines", (json_int_t)ro->tr.lines, "seconds", secs);
        tool_rates_summary(ro, s);
        char *line = jsonio_dumps_line(s);
        if (line)
            printf("%s\n", line);
        free(line);
        json_decref(s);
    } else if (log_level >= LOG_INFO && strcmp(out, "-") != 0) {
        printf("modeler fit: rate trace only -> %s (seed %llu); sessions, journeys, popularity "
               "and think times are not in a rate trace: replay needs a log too\n",
               out, (unsigned long long)seed);
        tool_rates_summary(ro, NULL);
    }
    return ST_EXIT_OK;
}

void tool_rates_term(rates_opts *ro)
{
    rates_trace_term(&ro->tr);
    rates_model_term(&ro->m);
}
