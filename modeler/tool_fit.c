/*
 * tool_fit.c -- `modeler fit`: options, the streaming pass, the fits, the model file, the
 * human (or --json) summary. The only place in fit that prints.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "afile.h"
#include "dbuf.h"
#include "fit_run.h"
#include "ingest.h"
#include "jsonio.h"
#include "log.h"
#include "model_write.h"
#include "progress.h"
#include "report.h"
#include "tool_rates.h"
#include "tools.h"
#include "units.h"

#define FIT_MAX_FILES 4096

/* clang-format off */
static void fit_usage(FILE *f)
{
    fprintf(f,
            "usage: modeler fit LOG... -o MODEL.json [options]\n"
            "\n"
            "Reads access logs in one streaming pass (plain or .gz, '-' for stdin, several\n"
            "files in order) and writes a traffic model (docs/formats/traffic-model.md).\n"
            "\n"
            "options:\n"
            "  -o, --output FILE        model file to write (required; '-' = stdout)\n"
            "  --format SPEC            combined (default), common, an nginx log_format string,\n"
            "                           apache:'LOGFORMAT', csv:FIELD=COLUMN,... / tsv:...\n"
            "                           (fields: time, ip, method, path, query, request, status,\n"
            "                           bytes, ua, request_time), json:FIELD=PATH,..., w3c, alb,\n"
            "                           haproxy,"
            " a preset ('modeler formats'), or auto (tries every\n"
            "                           preset on the first 2,000 lines)\n"
            "  --time-format STRFTIME   how every time field is written (%%Y %%m %%d %%H %%M %%S,\n"
            "                           %%f any fraction, %%s epoch, %%z/%%Z zone, %%b month name;\n"
            "                           other characters must match)\n"
            "  --tz ZONE                zone of times that carry none: an IANA name\n"
            "                           (Europe/Paris) or +hh:mm (default UTC, stated as a finding)\n"
            "  --session-timeout DUR    session timeout (default 30m)\n"
            "  --reorder-window DUR     tolerated disorder of lines (default 10s)\n"
            "  --k-min N                fold routes seen from fewer than N clients (default 5)\n"
            "  --max-routes N           keep at most N routes (<= 255), fold the rest (default 200)\n"
            "  --limbo FILE.csv         also write LIMBO's t_mid,rate arrival-rate CSV\n"
            "  --report FILE.html       also write the HTML report\n"
            "  --seed N                 seed for sampling and jitter (default 1)\n"
            "  --json                   print the summary as JSON\n"
            "  --quiet                  print nothing but errors\n"
            "  -h, --help               this help\n");
    tool_rates_usage(f);
    fprintf(f,
            "\n"
            "examples:\n"
            "  modeler fit /var/log/nginx/access.log* -o prod.model.json\n"
            "  zcat old.log.gz | modeler fit - -o m.json --session-timeout 20m\n"
            "  modeler fit app.log --format '$remote_addr - [$time_iso8601] \"$request\" "
            "$status $body_bytes_sent $request_time' -o m.json\n"
            "  modeler fit events.csv --format csv:time=ts,ip=client,path=url,status=code -o m.json\n"
            "  modeler fit access.log --format apache:'%%h %%l %%u [%%{%%Y-%%m-%%d %%H:%%M:%%S}t.%%{usec_frac}t] "
            "\"%%r\" %%>s %%b %%D' -o m.json\n"
            "  modeler fit mystery.log --format auto -o m.json\n"
            "  modeler fit export.csv --format csv:time=2,path=4,status=5 "
            "--time-format '[%%d/%%b/%%Y:%%H:%%M:%%S' --tz Europe/Berlin -o m.json\n"
            "  modeler fit --rates hits.csv --rates-format csv:time=minute,count=hits -o trace.json\n"
            "  modeler fit week.log --rates year.txt --rates-format limbo --rates-bin 1h \\\n"
            "      --rates-start 2025-01-06T00:00Z --fitted-rates fit.csv -o m.json\n");
}
/* clang-format on */

/* The LIMBO interchange CSV: t_mid (seconds from the start), rate (sessions per second). */
static int write_limbo(const char *path, const fit_result *fr, char *err)
{
    afile af;
    FILE *f = afile_open(&af, path, err);
    if (!f)
        return ST_EENV;
    fprintf(f, "t_mid,rate\n");
    for (size_t i = 0; i < fr->nrates; i++)
        fprintf(f, "%.1f,%.6g\n", ((double)i + 0.5) * fr->bin_s, fr->rates[i]);
    return afile_commit(&af, err);
}

/* Client classes and static assets: what replay re-creates (a User-Agent per class, assets
 * fetched with their page) and the share of static requests it cannot (no page before them). */
static void print_clients_assets(const ingest *g)
{
    const sessionize *s = &g->ss;
    double n = s->sessions ? (double)s->sessions : 1, all = (double)(s->sessions + s->bot_sessions);
    printf(
        "  clients: desktop %.0f%%, mobile %.0f%%, script %.0f%% of sessions; bots %.1f%% of all "
        "sessions (excluded)\n",
        100 * (double)s->class_sessions[UA_DESKTOP] / n,
        100 * (double)s->class_sessions[UA_MOBILE] / n,
        100 * (double)s->class_sessions[UA_SCRIPT] / n,
        all > 0 ? 100 * (double)s->bot_sessions / all : 0);
    if (s->as.statics)
        printf("  static assets: %llu requests, %.1f%% within %.0f s after their client's page "
               "(routes[].assets); %.1f%% follow no page view\n",
               (unsigned long long)s->as.statics,
               100 * (double)s->as.attributed / (double)s->as.statics, s->as.window_s,
               100 * (1 - (double)s->as.attributed / (double)s->as.statics));
}

static void print_summary(const fit_result *fr, const char *out, double secs)
{
    const ingest *g = fr->g;
    char a[32], b[32];
    printf("modeler fit: %s lines (%s parsed) in %.2f s -> %s (seed %llu)\n",
           units_fmt_count(a, sizeof a, g->q.lines), units_fmt_count(b, sizeof b, g->q.parsed),
           secs, out, (unsigned long long)fr->seed);
    printf("  span %.0f s, %llu sessions, %llu human requests, %zu routes (%zu folded)\n",
           ingest_span(g), (unsigned long long)g->ss.sessions,
           (unsigned long long)g->human_requests, fr->routes_out, fr->folded);
    if (fr->hk.fitted)
        printf("  hawkes: branching ratio %.3f [%.3f, %.3f], beta %.4g/s, %zu events\n", fr->hk.n,
               fr->hk.ci_lo, fr->hk.ci_hi, fr->hk.beta, fr->hk.events);
    else
        printf("  hawkes: not fitted (%s)\n", fr->hk_refused);
    if (fr->burst_refused[0])
        printf("  bursts: refused (%s)\n", fr->burst_refused);
    else
        printf("  bursts: %zu episodes\n", fr->bf.n);
    for (size_t i = 0; i < fr->bf.n && i < 5; i++) {
        const burst_episode *e = &fr->bf.ep[i];
        printf("    +%.0fs for %.0fs, ramp %.0fs, peak %.2f/s over %.2f/s", e->onset, e->duration_s,
               e->ramp_s, e->peak_rate, e->baseline_rate);
        if (e->conv.valid)
            printf(", top %d items %.0f%% of requests (hot share %.0f%% of the %s)", e->conv.top_k,
                   100 * e->conv.top_k_share, 100 * e->conv.hot_share,
                   e->conv.session_bound ? "crowd's sessions" : "window's requests");
        printf("\n");
    }
    if (fr->think_ok)
        printf("  think time: %s, median %.2f s (KS D %.3f)\n",
               dist_names[fr->think.all[fr->think.best].kind], fr->think.median_s,
               fr->think.all[fr->think.best].ks_d);
    else
        printf("  think time: %s\n", fr->think_note);
    if (fr->zipf_main_route[0])
        printf("  popularity: %s zipf s = %.3f\n", fr->zipf_main_route, fr->zipf_s_main);
    print_clients_assets(g);
    if (g->ws_count)
        printf("  websockets: %llu, median %.1f s, max concurrency %.0f\n",
               (unsigned long long)g->ws_count, fr->ws_ok ? fr->ws.median_s : 0, fr->ws_conc_max);
    for (size_t i = 0; i < g->q.nfindings; i++)
        printf("  finding: %s\n", g->q.findings[i]);
    if (fr->hk_note[0])
        printf("  finding: %s\n", fr->hk_note);
}

static json_t *json_summary(const fit_result *fr, const char *out, double secs)
{
    const ingest *g = fr->g;
    json_t *f = json_array();
    for (size_t i = 0; i < g->q.nfindings; i++)
        json_array_append_new(f, json_string(g->q.findings[i]));
    json_t *o = json_pack("{s:s,s:s,s:I,s:I,s:I,s:f,s:f,s:I}", "command", "fit", "model", out,
                          "seed", (json_int_t)fr->seed, "lines", (json_int_t)g->q.lines, "parsed",
                          (json_int_t)g->q.parsed, "seconds", secs, "lines_per_s",
                          secs > 0 ? (double)g->q.lines / secs : 0.0, "sessions",
                          (json_int_t)g->ss.sessions);
    json_object_set_new(o, "hawkes_fitted", json_boolean(fr->hk.fitted));
    if (fr->hk.fitted)
        json_object_set_new(o, "branching_ratio", json_real(fr->hk.n));
    json_object_set_new(o, "burst_episodes", json_integer((json_int_t)fr->bf.n));
    json_object_set_new(o, "findings", f);
    return o;
}

/* The first malformed lines, where each stopped: bounded, the rest is in the model. */
static void print_failures(const ingest *g)
{
    const char *w = logfmt_warning(g->fmt);
    if (w)
        log_warn("%s", w);
    for (size_t i = 0; i < g->q.nfails && i < 5; i++)
        log_warn("line %llu: %s at byte %zu (field %s)", (unsigned long long)g->q.fails[i].line,
                 logfmt_reason_name(g->q.fails[i].reason), g->q.fails[i].column,
                 g->q.fails[i].field);
    uint64_t bad = g->q.lines - g->q.parsed - g->directives;
    if (bad > 5)
        log_warn("... %llu malformed lines in all (quality.malformed in the model)",
                 (unsigned long long)bad);
}

/* After the pass: the exit code when there is nothing to fit (the pass failed, auto found
 * no format, no line parsed), each said on stderr; -1 to go on. */
static int check_input(const ingest *g, int r, const char *err, int json, const char *const *files,
                       size_t nfiles)
{
    if (r < 0) {
        log_error("%s", err);
        for (size_t i = 0; g->auto_format && !g->fmt && i < g->det.nbest; i++) {
            const logfmt_candidate *c = &g->det.best[i];
            if (c->first_bad_line)
                log_error("  %-12s %5.1f%%, first failing line %llu: %s at byte %zu (field %s)",
                          c->name, 100 * c->share, (unsigned long long)c->first_bad_line,
                          logfmt_reason_name(c->reason), c->column, c->field);
            else
                log_error("  %-12s %5.1f%%", c->name, 100 * c->share);
        }
        return st_rc_exit(r);
    }
    if (g->auto_format && !json)
        log_info("--format auto: %s (%.1f%% of the first %zu lines)", logfmt_name(g->fmt),
                 100 * g->det.best[0].share, g->det.sample);
    print_failures(g);
    if (g->q.parsed > 0)
        return -1;
    /* Nothing to model: almost always a wrong --format. Name the first failure. */
    int why = 0;
    for (int k = 1; k < LF_NREASONS; k++)
        if (g->q.bad[k] && (!why || g->q.bad_first[k][0] < g->q.bad_first[why][0]))
            why = k;
    if (why)
        log_error("none of the %llu lines parsed as '%s' (line %llu: %s); check --format",
                  (unsigned long long)g->q.lines, logfmt_name(g->fmt),
                  (unsigned long long)g->q.bad_first[why][0], logfmt_reason_name(why));
    else
        log_error("%s%s: no lines read", files[0], nfiles > 1 ? " (and the other inputs)" : "");
    return ST_EXIT_INPUT;
}

/* The command as typed, recorded in the model's generator block. */
static void command_line(dbuf *cmd, int argc, char **argv)
{
    dbuf_init(cmd, 4096);
    dbuf_adds(cmd, "modeler");
    for (int i = 0; i < argc; i++) {
        dbuf_adds(cmd, " ");
        dbuf_adds(cmd, argv[i]);
    }
}

static void print_result(const fit_result *fr, const char *out, double secs, int json,
                         const rates_opts *ro)
{
    if (json) {
        json_t *s = json_summary(fr, out, secs);
        if (s && ro->loaded)
            tool_rates_summary(ro, s);
        char *line = jsonio_dumps_line(s);
        if (line && log_level >= LOG_INFO)
            printf("%s\n", line);
        free(line);
        json_decref(s);
    } else if (log_level >= LOG_INFO && strcmp(out, "-") != 0) {
        print_summary(fr, out, secs);
        if (ro->loaded)
            tool_rates_summary(ro, NULL);
    }
}

typedef struct fit_outputs {
    const char *out, *limbo, *report;
    int json;
} fit_outputs;

/* Fits what ingest read and writes the model (plus --limbo, --report) and the summary.
 * Returns the exit code. */
static int fit_and_write(ingest *g, const char **files, size_t nfiles, const ingest_opts *o,
                         int64_t kmin, int64_t maxr, rates_opts *ro, const fit_outputs *fo,
                         uint64_t t_start, int argc, char **argv)
{
    char err[ST_ERRLEN];
    int rc;
    dbuf cmd;
    command_line(&cmd, argc, argv);
    fit_result fr;
    memset(&fr, 0, sizeof fr);
    fr.g = g;
    fr.files = files;
    fr.nfiles = nfiles;
    fr.command = cmd.p ? cmd.p : "modeler fit";
    fr.seed = o->seed;
    fr.k_min = (unsigned)kmin;
    fr.max_routes = (size_t)maxr;
    json_t *model = NULL;
    int r = fit_run(&fr, err);
    if (r == 0) {
        model = model_build(&fr, err);
        if (!model)
            r = ST_ENOMEM;
    }
    if (r == 0 && ro->loaded)
        r = tool_rates_merge(ro, model, g->ss.sessions, g->human_requests, err);
    if (r == 0)
        r = jsonio_save(fo->out, model, err);
    if (r == 0 && fo->limbo)
        r = write_limbo(fo->limbo, &fr, err);
    if (r == 0 && fo->report)
        r = report_write_tree(model, fo->report, err);
    double secs = (double)(st_now_ns() - t_start) / 1e9;
    if (r < 0) {
        log_error("%s", err);
        rc = st_rc_exit(r);
    } else {
        rc = ST_EXIT_OK;
        print_result(&fr, fo->out, secs, fo->json, ro);
    }
    json_decref(model);
    fit_result_term(&fr);
    dbuf_free(&cmd);
    return rc;
}

int tool_fit_main(int argc, char **argv)
{
    const char *out = NULL, *limbo = NULL, *report = NULL;
    ingest_opts o = {NULL, 1800, 10, 1, 0, NULL, NULL};
    int json = 0;
    int64_t kmin = 5, maxr = 200;
    const char **files = calloc((size_t)argc + 1, sizeof *files);
    size_t nfiles = 0;
    char err[ST_ERRLEN];
    rates_opts ro;
    memset(&ro, 0, sizeof ro);
    if (!files) {
        log_error("out of memory");
        return ST_EXIT_ENV;
    }
    int rc = ST_EXIT_INPUT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEEDV() \
    do { \
        if (!v) { \
            log_error("%s: needs a value (try 'modeler fit --help')", a); \
            goto done; \
        } \
        i++; \
    } while (0)
        int rr = tool_rates_option(&ro, a, v, &i);
        if (rr < 0)
            goto done;
        if (rr > 0)
            continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fit_usage(stdout);
            rc = ST_EXIT_OK;
            goto done;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            NEEDV();
            out = v;
        } else if (!strcmp(a, "--format")) {
            NEEDV();
            o.format = v;
        } else if (!strcmp(a, "--time-format") || !strcmp(a, "--tz")) {
            NEEDV();
            *(a[3] == 'i' ? &o.time_format : &o.tz) = v;
        } else if (!strcmp(a, "--limbo")) {
            NEEDV();
            limbo = v;
        } else if (!strcmp(a, "--report")) {
            NEEDV();
            report = v;
        } else if (!strcmp(a, "--session-timeout") || !strcmp(a, "--reorder-window")) {
            NEEDV();
            double d;
            if (units_parse_duration(v, &d, err) < 0 || d <= 0) {
                log_error("%s: %s", a, d <= 0 ? "must be positive" : err);
                goto done;
            }
            if (a[2] == 's')
                o.timeout_s = d;
            else
                o.reorder_window_s = d;
        } else if (!strcmp(a, "--seed")) {
            NEEDV();
            if (units_parse_u64(v, &o.seed, err) < 0) {
                log_error("--seed: %s", err);
                goto done;
            }
        } else if (!strcmp(a, "--k-min") || !strcmp(a, "--max-routes")) {
            NEEDV();
            int64_t x;
            /* 255 routes + "{other}" is replay's limit (MODEL_MAX_ROUTES 256). */
            if (units_parse_i64(v, 1, a[2] == 'k' ? 16 : 255, &x, err) < 0) {
                log_error("%s: %s", a, err);
                goto done;
            }
            if (a[2] == 'k')
                kmin = x;
            else
                maxr = x;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            log_level = LOG_ERROR;
        } else if (a[0] == '-' && a[1]) {
            log_error("fit: unknown option '%s' (try 'modeler fit --help')", a);
            goto done;
        } else {
            files[nfiles++] = a;
        }
#undef NEEDV
    }
    if (nfiles == 0 && !ro.path) {
        log_error("fit: no log files given (try 'modeler fit --help')");
        goto done;
    }
    if (!out) {
        log_error("fit: -o MODEL.json is required");
        goto done;
    }
    if ((rc = tool_rates_load(&ro, nfiles > 0)) != ST_EXIT_OK)
        goto done;
    rc = ST_EXIT_INPUT;
    if (nfiles == 0) {
        rc = tool_rates_fit_only(&ro, out, report, o.seed, json, argc, argv);
        goto done;
    }
    ingest g;
    if (ingest_init(&g, &o, err) < 0) {
        log_error("%s", err);
        goto done;
    }
    progress pg;
    progress_init(&pg, stderr, log_level < LOG_INFO || json);
    uint64_t t_start = st_now_ns();
    int r = ingest_run(&g, files, nfiles, &pg, err);
    progress_done(&pg);
    int stop = check_input(&g, r, err, json, files, nfiles);
    if (stop >= 0) {
        ingest_term(&g);
        rc = stop;
        goto done;
    }
    fit_outputs fo = {out, limbo, report, json};
    rc = fit_and_write(&g, files, nfiles, &o, kmin, maxr, &ro, &fo, t_start, argc, argv);
    ingest_term(&g);
done:
    tool_rates_term(&ro);
    free(files);
    return rc;
}
