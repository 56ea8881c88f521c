/*
 * tool_run.c -- `replay run SCENARIO.json`: plan, check the target is reachable, fire the
 * plan on worker threads, show live progress, evaluate thresholds, write results.
 * Exit: 0 ok; 1 a threshold failed or an abort threshold stopped the run; 2 bad input;
 * 3 environment (target unreachable, descriptors, threads).
 */
#include <curl/curl.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "tool_trace.h"
#include "engine.h"
#include "jsonio.h"
#include "lag.h"
#include "live.h"
#include "log.h"
#include "opts.h"
#include "probe.h"
#include "progress.h"
#include "results.h"
#include "sc_http.h"
#include "tools.h"
#include "wsplan.h"

static volatile sig_atomic_t g_interrupted;

static void on_signal(int sig)
{
    (void)sig;
    g_interrupted++;
}

/* clang-format off */
static void usage(void)
{
    printf("usage: replay run SCENARIO.json [options]\n\n"
           "Fires the scenario's plan at its target (open model: sessions arrive on schedule\n"
           "whatever the server does), measures latency from the intended send time, and\n"
           "writes results.json. Ctrl-C stops arrivals, drains in-flight requests for the\n"
           "grace period and still writes the results.\n\n"
           "options:\n"
           "  -o, --output FILE     results JSON (default results.json; atomic)\n"
           "  --series FILE         per-second series, CSV if FILE ends in .csv, else NDJSON\n"
           "  --metrics-addr H:P    live Prometheus text endpoint at http://H:P/metrics\n"
           "  --threads N           worker threads (default: one per core)\n"
           "  --target URL          override scenario.target (the only host traffic goes to)\n"
           "  --duration D, --scale F, --seed N, --max-rps R, --feeders DIR\n"
           "  --segment i/n         run only slice i of n (exact; see docs/replay.md)\n"
           "  --trace FILE          replay a trace from 'modeler extract' as it happened: each\n"
           "                        request at its offset, on its session (docs/formats/trace.md);\n"
           "                        the scenario's events still add a flash crowd on top\n"
           "  --speed K             trace mode: send at offset / K (default 1)\n"
           "  --from T, --to T      trace mode: only this window of offsets (e.g. 10m, 70m)\n"
           "  --start-at EPOCH      begin at this Unix second (several machines together)\n"
           "  --grace D             drain time for in-flight requests (default scenario, 10s)\n"
           "  --db-probe CONNINFO   sample PostgreSQL's pg_stat_activity/pg_stat_database every\n"
           "                        second on the same clock (results.json \"db\"; db.* thresholds);\n"
           "                        one segment of n > 1 probes, the others leave db.* to merge\n"
           "  --source-addrs CIDR   each session (its requests and WebSockets) connects from its\n"
           "                        own address of CIDR, e.g. 127.0.0.0/8 against a loopback target\n"
           "  --json                print results.json to stdout instead of the summary\n"
           "  --no-progress         no live line; -q, --quiet: no summary either\n\n"
           "HTTP/2 and TLS are scenario settings (docs/formats/scenario.md), e.g.\n"
           "  \"http\": {\"version\": \"2\"}, \"tls\": {\"ca_file\": \"pki/ca.pem\"}  (or \"h2c\" over http://)\n\n"
           "examples:\n"
           "  replay run models/scenarios/shop-campaign.json --target http://127.0.0.1:8080\n"
           "  replay run s.json --duration 60s --scale 1.5x --series s.csv -o r.json\n"
           "  replay run s.json --segment 2/4 --start-at 1790000000 -o r2.json\n"
           "  replay run s.json --trace friday.ndjson --speed 2 --from 10m --to 70m -o r.json\n"
           "  replay run s.json --db-probe 'host=127.0.0.1 dbname=shop' --series s.csv\n"
           "  replay run s.json --target http://127.0.0.1:8080 --source-addrs 127.0.0.0/8\n");
}
/* clang-format on */

/* Connects once to the target so that an unreachable target is a clear error, not a hang. */
static int preflight(const scenario *sc, char *err)
{
    CURL *c = curl_easy_init();
    CURLcode rc;
    http_transport tr;
    char ebuf[CURL_ERROR_SIZE] = "";
    if (!c)
        return st_err(err, ST_EENV, "curl_easy_init failed");
    curl_easy_setopt(c, CURLOPT_URL, sc->target);
    curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(sc->connect_timeout * 1000));
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
    sc_http_transport(sc, &tr);
    http_tls_setup(c, &tr); /* the check must trust what the run trusts (scenario.tls) */
    rc = curl_easy_perform(c);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK)
        return st_err(err, ST_EENV, "cannot reach target %s: %s", sc->target,
                      ebuf[0] ? ebuf : curl_easy_strerror(rc));
    return 0;
}

static void raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static void fill_planned(metrics *m, const plan *p)
{
    m->sessions_planned = p->n_s - p->n_lanes; /* asset lanes are no sessions */
    m->requests_planned = p->n_r;
    for (size_t i = 0; i < p->n_r; i++) {
        size_t sec = (size_t)floor(p->r[i].t);
        m->routes[p->r[i].route].planned++;
        if (sec < m->n_secs)
            m->secs[sec].planned++;
    }
}

typedef struct run_ctx {
    rp_opts o;
    scenario sc;
    plan p;
    wsplan wp;
    trace tr;
    probe *pr;
    json_t *db;
    rp_live live;
    live_srv *srv;
    engine *eng;
    metrics *m;
    json_t *warnings;
    int aborted;
    uint32_t *planned_per_sec;
} run_ctx;

/* Where this run's thresholds read their values (thr_eval). A segment of a many-machine run
 * without the probe leaves db.* rules to the probing segment and to `replay merge`. */
static thr_src run_src(const run_ctx *c)
{
    thr_src src = {0};
    src.pr = c->pr;
    src.defer_db = !c->pr && c->o.seg_n > 1;
    return src;
}

/* db.* rules need the probe. A whole run without it is refused (exit 2); a segment of n > 1
 * without it leaves them to the probing segment and to merge, and says so once. */
static int check_db_rules(const run_ctx *c)
{
    size_t n_db = 0, first = 0;
    for (size_t i = 0; i < c->sc.n_thresholds; i++)
        if (c->sc.thresholds[i].metric == THR_DB && n_db++ == 0)
            first = i;
    if (!n_db || c->o.db_probe)
        return 0;
    if (c->o.seg_n <= 1) {
        log_error("scenario.thresholds[%zu]: '%s' needs --db-probe CONNINFO", first,
                  c->sc.thresholds[first].expr);
        return ST_EXIT_INPUT;
    }
    if (!c->o.quiet)
        log_info("segment %u/%u has no --db-probe: %zu db.* threshold%s (first: '%s') left to the "
                 "probing segment and to replay merge",
                 c->o.seg_i, c->o.seg_n, n_db, n_db > 1 ? "s" : "", c->sc.thresholds[first].expr);
    return 0;
}

/* The main thread's watch while workers run: progress, Ctrl-C, abort thresholds. */
static void watch(run_ctx *c, uint64_t start_ns)
{
    progress pr;
    int stop_sent = 0;
    uint64_t last_sent = 0, last_ns = st_now_ns(), next_eval = 0;
    double rate = 0;
    progress_init(&pr, stderr, c->o.quiet || c->o.no_progress || c->o.json);
    while (!engine_finished(c->eng)) {
        struct timespec ts = {0, 100000000};
        nanosleep(&ts, NULL);
        uint64_t now = st_now_ns();
        double el = now > start_ns ? (double)(now - start_ns) / 1e9 : 0;
        if (g_interrupted && !stop_sent) {
            progress_done(&pr);
            log_warn("interrupted: stopping arrivals, draining in-flight requests for up to %.0f s",
                     c->sc.grace);
            engine_stop(c->eng);
            stop_sent = 1;
        }
        if (now - last_ns >= 1000000000u) {
            uint64_t s = atomic_load(&c->live.sent);
            rate = (double)(s - last_sent) * 1e9 / (double)(now - last_ns);
            last_sent = s;
            last_ns = now;
        }
        if (!stop_sent && el >= c->sc.abort_after && now >= next_eval) {
            next_eval = now + 1000000000u;
            thr_src src = run_src(c);
            src.live = &c->live;
            for (size_t i = 0; i < c->sc.n_thresholds; i++) {
                const thr *t = &c->sc.thresholds[i];
                double v;
                if (t->abort && thr_eval(t, &src, &v) == THR_FAILED) {
                    char vb[64];
                    progress_done(&pr);
                    log_error("abort threshold failed: %s (measured %s); stopping the run", t->expr,
                              thr_fmt_value(t, v, vb, sizeof vb));
                    c->aborted = 1;
                    engine_stop(c->eng);
                    stop_sent = 1;
                    break;
                }
            }
        }
        char line[256];
        size_t sec = el > 0 ? (size_t)el : 0;
        double planned = sec < (size_t)ceil(c->sc.duration) ? c->planned_per_sec[sec] : 0;
        live_line(line, sizeof line, &c->live, el, planned, rate);
        progress_update(&pr, 0, "%s", line);
    }
    progress_done(&pr);
}

static int finish_run(run_ctx *c, int64_t start_wall, double elapsed, unsigned threads,
                      json_t **res_out)
{
    char err[ST_ERRLEN];
    double *vals = calloc(c->sc.n_thresholds + 1, sizeof *vals);
    int *oks = calloc(c->sc.n_thresholds + 1, sizeof *oks), rc = 0, failed = 0;
    const char *names[SC_MAX_THRESHOLDS + 256];
    json_t *res;
    uint64_t sent = metrics_total_sent(c->m);
    const lag_figures lag = lag_of_metrics(c->m);
    if (!vals || !oks) {
        free(vals);
        free(oks);
        log_error("out of memory");
        return ST_EXIT_ENV;
    }
    for (size_t i = 0; i < c->sc.n_routes && i < 256; i++)
        names[i] = c->sc.routes[i].template_;
    thr_src src = run_src(c);
    src.m = c->m;
    src.route_names = names;
    failed = thr_eval_all(c->sc.thresholds, c->sc.n_thresholds, &src, vals, oks) > 0;
    if (c->m->sessions_dropped) {
        char w[256];
        snprintf(w, sizeof w,
                 "engine fell behind: %" PRIu64
                 " sessions dropped at the session cap (sessions.max_active = %u)",
                 c->m->sessions_dropped, c->sc.max_active);
        json_array_append_new(c->warnings, json_string(w));
    }
    if (lag_judge(&lag, &lag_bar_run) == LAG_LATE) {
        char w[256];
        snprintf(w, sizeof w,
                 "engine fell behind: %" PRIu64 " of %" PRIu64 " sends were more than 10 ms late "
                 "(p99 lateness %.1f ms); latencies stay corrected, but the offered load was lower "
                 "than planned",
                 c->m->late_sends, sent, (double)hist_percentile(c->m->lateness, 99) / 1000);
        json_array_append_new(c->warnings, json_string(w));
    }
    if (c->m->requests_unsent) {
        char w[256];
        snprintf(w, sizeof w,
                 "%" PRIu64
                 " planned requests were not sent (run stopped early or sessions dropped)",
                 c->m->requests_unsent);
        json_array_append_new(c->warnings, json_string(w));
    }
    if (c->sc.cov.n_missing) {
        char w[256];
        snprintf(w, sizeof w,
                 "coverage: the plan sends %.1f%% of the model's requests; %zu model routes "
                 "are not sent (results.coverage.missing lists them)",
                 100 * c->sc.cov.share, c->sc.cov.n_missing);
        json_array_append_new(c->warnings, json_string(w));
    }
    json_t *cov = coverage_to_json(&c->sc, &c->sc.cov);
    run_info ri = {
        &c->sc,     &c->p,   threads,
        start_wall, elapsed, c->aborted ? "aborted" : g_interrupted ? "interrupted" : "completed",
        vals,       oks,     c->warnings,
        cov};
    res = results_build(c->m, &ri);
    if (res) {
        json_t *ti = c->o.trace ? tool_trace_info(&c->tr) : NULL;
        if ((c->o.trace && !ti) || results_attach(res, ti, c->db)) {
            json_decref(res);
            res = NULL;
        }
        json_decref(ti);
    }
    if (!res || jsonio_save(c->o.out ? c->o.out : "results.json", res, err)) {
        log_error("%s", res ? err : "out of memory");
        rc = ST_EXIT_ENV;
    } else {
        /* The HTML report next to the results (tool_report.c; a failure only warns). */
        tool_report_after_run(res, c->o.out ? c->o.out : "results.json");
    }
    if (!rc && c->o.series && results_write_series(c->m, c->db, c->o.series, err)) {
        log_error("%s", err);
        rc = ST_EXIT_ENV;
    }
    if (c->o.json && res)
        jsonio_save("-", res, err);
    else if (!c->o.quiet)
        results_summary(stdout, c->m, &ri);
    if (!c->o.quiet)
        for (size_t i = 0; i < json_array_size(c->warnings); i++)
            log_warn("%s", json_string_value(json_array_get(c->warnings, i)));
    if (res_out && !rc)
        *res_out = json_incref(res);
    json_decref(res);
    json_decref(cov);
    free(vals);
    free(oks);
    if (rc)
        return rc;
    return failed || c->aborted ? ST_EXIT_CHECK : ST_EXIT_OK;
}

int tool_run(int argc, char **argv)
{
    rp_opts o;
    char err[ST_ERRLEN];
    if (opts_parse(&o, argc, argv, 1, err)) {
        log_error("run: %s", err);
        return ST_EXIT_INPUT;
    }
    if (o.help || o.version) {
        if (o.help)
            usage();
        else
            printf("replay %s\n", ST_VERSION);
        return 0;
    }
    if (o.quiet)
        log_level = LOG_ERROR; /* quiet drops the summary, never the error line */
    return tool_run_rehearsal(&o, NULL);
}

int tool_run_rehearsal(const rp_opts *o, json_t **res)
{
    run_ctx *c = calloc(1, sizeof *c);
    char err[ST_ERRLEN];
    int rc = ST_EXIT_OK, failed = 0;
    unsigned threads;
    int64_t start_wall;
    uint64_t start_ns;
    if (res)
        *res = NULL;
    if (!c) {
        log_error("out of memory");
        return ST_EXIT_ENV;
    }
    c->o = *o;
    if ((rc = scenario_load(&c->sc, c->o.scenario, &c->o.ov, err))) {
        log_error("%s", err);
        free(c);
        return st_rc_exit(rc);
    }
    if (c->o.has_grace)
        c->sc.grace = c->o.grace;
    if (!c->o.trace) /* a trace sends what it recorded: its own unmapped list (trace info) */
        tool_print_coverage(&c->sc);
    if ((rc = tool_trace_prepare(&c->sc, &c->o, &c->tr, err)) ||
        (rc = tool_trace_plans(&c->sc, &c->o, &c->tr, &c->p, &c->wp, err))) {
        log_error("%s", err);
        rc = st_rc_exit(rc);
        goto out;
    }
    if ((rc = check_db_rules(c)))
        goto out;
    /* An empty conninfo means libpq's defaults (PGHOST, PGDATABASE, ...), as psql does. */
    if (c->o.db_probe &&
        !(c->pr = probe_new(*c->o.db_probe ? c->o.db_probe : "application_name=" PROBE_APPNAME, 1.0,
                            err))) {
        log_error("%s", err);
        rc = ST_EXIT_INPUT;
        goto out;
    }
    c->warnings = json_array();
    c->planned_per_sec = calloc((size_t)ceil(c->sc.duration) + 1, sizeof *c->planned_per_sec);
    if (!c->warnings || !c->planned_per_sec) {
        log_error("out of memory");
        rc = ST_EXIT_ENV;
        goto out;
    }
    tool_model_caveats(&c->sc, c->warnings);
    for (size_t i = 0; i < c->p.n_r; i++)
        c->planned_per_sec[(size_t)c->p.r[i].t]++;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        log_error("curl_global_init failed");
        rc = ST_EXIT_ENV;
        goto out;
    }
    if (preflight(&c->sc, err)) {
        log_error("%s", err);
        rc = ST_EXIT_ENV;
        goto out_curl;
    }
    if (c->pr && probe_start(c->pr, err)) {
        log_error("%s", err);
        rc = ST_EXIT_ENV;
        goto out_curl;
    }
    raise_nofile();
    threads = c->o.threads ? c->o.threads : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1)
        threads = 1;
    if (c->o.metrics_addr &&
        !(c->srv = live_http_start(c->o.metrics_addr, &c->live, &c->sc, err))) {
        log_error("%s", err);
        rc = ST_EXIT_ENV;
        goto out_curl;
    }
    {
        uint64_t wall = st_wall_us(), mono = st_now_ns();
        if (c->o.has_start_at) {
            start_wall = (int64_t)floor(c->o.start_at);
            if ((double)start_wall * 1e6 < (double)wall - 1e6) {
                log_error("--start-at %" PRId64 " is in the past", start_wall);
                rc = ST_EXIT_INPUT;
                goto out_srv;
            }
        } else {
            start_wall = (int64_t)(wall / 1000000u) + 1; /* the next whole second */
        }
        start_ns = mono + (uint64_t)((double)start_wall * 1e6 - (double)wall) * 1000u;
    }
    log_info("run: %s -> %s, seed %" PRIu64 ", segment %u/%u: %zu sessions, %zu requests (%" PRIu64
             " static assets), %zu WebSockets over %.0f s, %u threads",
             c->sc.name, c->sc.target, c->sc.seed, c->o.seg_i, c->o.seg_n, c->p.n_s - c->p.n_lanes,
             c->p.n_r, c->p.n_assets, c->wp.n, c->sc.duration, threads);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    {
        engine_cfg ec = {&c->sc,   &c->p,      &c->wp,      threads,
                         start_ns, start_wall, c->sc.grace, &c->live};
        c->eng = engine_start(&ec, err);
    }
    if (!c->eng) {
        log_error("%s", err);
        rc = ST_EXIT_ENV;
        goto out_srv;
    }
    watch(c, start_ns);
    c->m = engine_join(c->eng, &failed, err);
    if (!c->m) {
        log_error("out of memory merging results");
        rc = ST_EXIT_ENV;
        goto out_srv;
    }
    if (failed)
        log_error("%s", err);
    if (c->pr) {
        probe_stop(c->pr);
        if (!(c->db = probe_to_json(c->pr)))
            log_warn("--db-probe: out of memory writing the db section");
    }
    c->m->has_ws = c->sc.ws.mode != SCWS_NONE;
    fill_planned(c->m, &c->p);
    rc = finish_run(c, start_wall, (double)(st_now_ns() - start_ns) / 1e9, threads, res);
    if (failed && rc != ST_EXIT_ENV)
        rc = ST_EXIT_ENV;
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
out_srv:
    live_http_stop(c->srv);
out_curl:
    probe_free(c->pr);
    curl_global_cleanup();
out:
    json_decref(c->db);
    wsplan_term(&c->wp);
    metrics_free(c->m);
    json_decref(c->warnings);
    free(c->planned_per_sec);
    plan_term(&c->p);
    trace_term(&c->tr);
    scenario_term(&c->sc);
    free(c);
    return rc;
}

int tool_run_interrupted(void)
{
    return g_interrupted != 0;
}
