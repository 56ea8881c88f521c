/*
 * tool_search.c -- `replay search SCENARIO.json -o SEARCH.json`: the capacity (breaking-point)
 * search. Runs the scenario at increasing --scale, each step a full rehearsal made by
 * tool_run_rehearsal() in this process (the same code as `replay run`), then bisects between
 * the highest pass and the lowest fail; settles the system between steps; writes SEARCH.json
 * after every step (a stop leaves the steps so far) and SEARCH.html at the end.
 * The rules (next scale, verdicts, knee, degradation) are in search.c; this file runs and talks.
 * Exit: 0 the knee is at or above --require; 1 below it; 2 bad input; 3 environment, or the
 * generator could not offer the load needed to answer.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonio.h"
#include "log.h"
#include "opts.h"
#include "probe.h"
#include "report_search.h"
#include "search.h"
#include "tools.h"
#include "units.h"

#define SETTLE_MAX_S 60.0 /* the longest wait for the probe's active connections to come back */

/* clang-format off */
static void usage(void)
{
    printf("usage: replay search SCENARIO.json -o SEARCH.json [options]\n\n"
           "Finds the breaking point: runs the scenario at increasing --scale (each step a full\n"
           "rehearsal with its thresholds; abort thresholds end a step early), stops at the first\n"
           "failing step or --to, then with --bisect halves the interval between the highest pass\n"
           "and the lowest fail down to --precision. Between steps it waits for the system to\n"
           "settle: the probe's active connections back to their level before the first step\n"
           "(--db-probe), or --cooldown. A step whose generator fell behind (late sends, --max-rps,\n"
           "dropped sessions) is re-run once, then reported inconclusive: never a failure.\n\n"
           "options:\n"
           "  -o, --output FILE     SEARCH.json (required; atomic, rewritten after every step);\n"
           "                        each step's results go next to it: FILE-step-NN.json + .html\n"
           "  --report FILE         SEARCH.html: the steps on a scale axis, knee marked\n"
           "  --from F, --to F      the scales searched (default 1x to 3x)\n"
           "  --step F              added per step: 10%% = 0.1x (default 10%%)\n"
           "  --bisect              then bisect between the highest pass and the lowest fail\n"
           "  --precision F         bisection stops at this width (default a quarter of --step)\n"
           "  --hold D              each step's measured duration (default the scenario's)\n"
           "  --warmup D            a run of D at the step's scale before it, not judged (default 0)\n"
           "  --require F           exit 0 only when the knee is at or above F (default --from)\n"
           "  --cooldown D          settle by waiting D between steps (default: by the probe with\n"
           "                        --db-probe, else 5s)\n"
           "  --cascade-factor F    p95 or error rate jumping by more than F between the last\n"
           "                        pass and the first fail is a cascade (default 3)\n"
           "  --target URL, --seed N, --max-rps R, --feeders DIR, --threads N, --grace D,\n"
           "  --db-probe CONNINFO   as for 'replay run' (each step probes; db.* thresholds)\n"
           "  --segment i/n --start-at EPOCH\n"
           "                        one slice of a search on several machines: every grid step\n"
           "                        is run (no early stop, no --bisect) at --start-at + k x slot;\n"
           "                        'replay merge' of the segments' SEARCH files judges the steps\n"
           "  -q, --quiet           errors only; --no-progress is implied\n\n"
           "exit: 0 knee at or above --require, 1 below it, 2 bad input, 3 environment (or the\n"
           "generator could not offer the load below --require)\n\n"
           "examples:\n"
           "  replay search s.json --target http://127.0.0.1:8080 --to 3x --step 25%% --hold 2m \\\n"
           "      --require 1.5x -o search.json --report search.html\n"
           "  replay search s.json --from 1x --to 2x --step 20%% --bisect --precision 5%% \\\n"
           "      --hold 30s --warmup 10s --db-probe 'dbname=shop' -o search.json\n"
           "  replay search s.json --segment 2/4 --start-at 1790000000 --to 2x -o seg2.json\n"
           "  replay merge seg1.json seg2.json seg3.json seg4.json -o search.json --report s.html\n");
}
/* clang-format on */

typedef struct search_args {
    search_cfg c;
    rp_opts o; /* the run options every step starts from */
    const char *report;
    int has_cooldown, has_require, has_precision, has_hold;
} search_args;

enum {
    S_FROM = 300,
    S_TO,
    S_STEP,
    S_BISECT,
    S_PRECISION,
    S_HOLD,
    S_WARMUP,
    S_REQUIRE,
    S_COOLDOWN,
    S_CASCADE,
    S_REPORT
};

static int factor(const char *name, const char *a, double *out, char *err)
{
    char e[ST_ERRLEN];
    if (units_parse_factor(a, out, e) || !(*out > 0) || *out > 1e6)
        return st_err(err, ST_EINPUT, "%s: expected a factor like 1.5x or 10%%, got '%s'", name, a);
    return 0;
}

static int duration(const char *name, const char *a, double *out, char *err)
{
    char e[ST_ERRLEN];
    if (units_parse_duration(a, out, e) || *out < 0)
        return st_err(err, ST_EINPUT, "%s: expected a duration like 30s, got '%s'", name, a);
    return 0;
}

/* Takes the search's own options out of argv; the rest go to opts_parse as for `run`. */
static int parse(search_args *s, int argc, char **argv, char **rest, char *err)
{
    /* clang-format off */
    static const struct { const char *name; int id, arg; } so[] = {
        {"--from", S_FROM, 1}, {"--to", S_TO, 1}, {"--step", S_STEP, 1}, {"--bisect", S_BISECT, 0},
        {"--precision", S_PRECISION, 1}, {"--hold", S_HOLD, 1}, {"--warmup", S_WARMUP, 1},
        {"--require", S_REQUIRE, 1}, {"--cooldown", S_COOLDOWN, 1}, {"--cascade-factor", S_CASCADE, 1},
        {"--report", S_REPORT, 1}};
    /* clang-format on */
    /* clang-format off */
    static const char *const refused[] = {"--duration", "--scale", "--series", "--json", "--metrics-addr", "--trace",
                                          "--speed"};
    /* clang-format on */
    int nr = 0, rc;
    memset(s, 0, sizeof *s);
    s->c.from = 1;
    s->c.to = 3;
    s->c.step = 0.1;
    s->c.cascade = 3;
    s->c.cooldown = -1;
    rest[nr++] = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        size_t k, n = sizeof so / sizeof so[0];
        for (size_t r = 0; r < sizeof refused / sizeof refused[0]; r++)
            if (!strncmp(a, refused[r], strlen(refused[r])) &&
                (a[strlen(refused[r])] == 0 || a[strlen(refused[r])] == '='))
                return st_err(err, ST_EINPUT, "%s: not an option of search (%s)", refused[r],
                              r == 0   ? "use --hold"
                              : r == 1 ? "the search chooses the scales: --from/--to/--step"
                              : r >= 5
                                  ? "a search scales the scenario's model, not a recorded trace"
                                  : "each step writes its own results and report");
        for (k = 0; k < n && strcmp(a, so[k].name); k++)
            ;
        if (k == n) {
            rest[nr++] = argv[i];
            continue;
        }
        if (so[k].arg && i + 1 >= argc)
            return st_err(err, ST_EINPUT, "%s: missing value", a);
        v = so[k].arg ? argv[++i] : NULL;
        switch (so[k].id) {
        case S_FROM: rc = factor("--from", v, &s->c.from, err); break;
        case S_TO: rc = factor("--to", v, &s->c.to, err); break;
        case S_STEP: rc = factor("--step", v, &s->c.step, err); break;
        case S_BISECT:
            s->c.bisect = 1;
            rc = 0;
            break;
        case S_PRECISION:
            rc = factor("--precision", v, &s->c.precision, err);
            s->has_precision = 1;
            break;
        case S_HOLD:
            rc = duration("--hold", v, &s->c.hold, err);
            s->has_hold = 1;
            break;
        case S_WARMUP: rc = duration("--warmup", v, &s->c.warmup, err); break;
        case S_REQUIRE:
            rc = factor("--require", v, &s->c.require, err);
            s->has_require = 1;
            break;
        case S_COOLDOWN:
            rc = duration("--cooldown", v, &s->c.cooldown, err);
            s->has_cooldown = 1;
            break;
        case S_CASCADE:
            rc = factor("--cascade-factor", v, &s->c.cascade, err);
            if (!rc && s->c.cascade <= 1)
                rc = st_err(err, ST_EINPUT, "--cascade-factor: expected a factor above 1, got '%s'",
                            v);
            break;
        default:
            s->report = v;
            rc = 0;
            break;
        }
        if (rc)
            return rc;
    }
    if ((rc = opts_parse(&s->o, nr, rest, 1, err)))
        return rc;
    if (s->o.help || s->o.version)
        return 0;
    if (!s->o.out)
        return st_err(err, ST_EINPUT, "missing -o SEARCH.json (try 'replay search --help')");
    if (s->c.to < s->c.from)
        return st_err(err, ST_EINPUT, "--to %gx is below --from %gx", s->c.to, s->c.from);
    if (s->has_hold && s->c.hold <= 0)
        return st_err(err, ST_EINPUT, "--hold: expected a duration above 0");
    if (!s->has_require)
        s->c.require = s->c.from;
    if (s->c.require > s->c.to + 1e-9)
        return st_err(err, ST_EINPUT,
                      "--require %gx is above --to %gx: the search could never show it",
                      s->c.require, s->c.to);
    if (!s->has_precision)
        s->c.precision = s->c.step / 4;
    if (s->c.bisect && s->o.seg_n > 1)
        return st_err(
            err, ST_EINPUT,
            "--bisect with --segment: each bisection step depends on the merged verdicts; "
            "run the grid per segment, merge, then search the interval again");
    if (s->o.seg_n > 1 && !s->o.has_start_at)
        return st_err(
            err, ST_EINPUT,
            "--segment needs --start-at EPOCH, so that every segment's steps start together");
    if (s->o.seg_n == 1 && s->o.has_start_at)
        return st_err(err, ST_EINPUT,
                      "--start-at: only with --segment (a single search starts each step when the "
                      "system has settled)");
    if ((double)(s->c.to - s->c.from) / s->c.step > SEARCH_MAX_STEPS / 2)
        return st_err(err, ST_EINPUT, "--step %gx gives more than %d steps from %gx to %gx",
                      s->c.step, SEARCH_MAX_STEPS / 2, s->c.from, s->c.to);
    return 0;
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
    while (s > 0 && nanosleep(&ts, &ts) != 0)
        ;
}

/* db.active over about `secs` seconds of a fresh probe: the minimum (baseline) or the latest
 * sample (settling). Returns 0 with *v set, or ST_EENV with err set. */
static int probe_active(const char *conninfo, double secs, int latest, double *v, char *err)
{
    probe *p = probe_new(*conninfo ? conninfo : "application_name=" PROBE_APPNAME, 1.0, err);
    int rc;
    if (!p)
        return ST_EINPUT;
    if ((rc = probe_start(p, err))) {
        probe_free(p);
        return rc;
    }
    sleep_s(secs);
    probe_stop(p);
    rc = probe_metric_stat(p, "db.active", latest ? PROBE_LAST : PROBE_MIN, v, NULL);
    probe_free(p);
    return rc ? st_err(err, ST_EENV, "--db-probe: no sample of db.active in %.0f s", secs) : 0;
}

/* Waits for the system to settle before a step; returns the settle record (new reference). */
static json_t *settle(const search_args *s, double baseline, char *err)
{
    double waited = 0, v = NAN;
    if (s->c.cooldown >= 0 || !s->o.db_probe) {
        double d = s->c.cooldown >= 0 ? s->c.cooldown : 5;
        log_info("search: settling: cooldown %.0f s%s", d,
                 s->c.cooldown >= 0 ? "" : " (no --db-probe, no --cooldown)");
        sleep_s(d);
        return json_pack("{s:s,s:f}", "mode", "cooldown", "waited_s", d);
    }
    while (waited < SETTLE_MAX_S) {
        if (probe_active(s->o.db_probe, 1.5, 1, &v, err)) {
            log_warn("search: settling by the probe failed (%s); waiting 5 s instead", err);
            sleep_s(5);
            return json_pack("{s:s,s:f,s:s}", "mode", "cooldown", "waited_s", waited + 5, "why",
                             err);
        }
        waited += 1.5;
        if (v <= baseline)
            break;
    }
    log_info("search: settling: %s after %.1f s (db.active %.0f, %.0f before the first step)",
             v <= baseline ? "settled" : "NOT settled, going on", waited, v, baseline);
    return json_pack("{s:s,s:f,s:f,s:f,s:b}", "mode", "probe", "waited_s", waited, "db_active", v,
                     "db_active_before", baseline, "settled", v <= baseline);
}

/* FILE.json -> FILE-step-NN[.warmup].json */
static void step_path(char *buf, size_t n, const char *out, unsigned k, int warm)
{
    size_t len = strlen(out);
    if (len > 5 && !strcmp(out + len - 5, ".json"))
        len -= 5;
    snprintf(buf, n, "%.*s-step-%02u%s.json", (int)len, out, k, warm ? ".warmup" : "");
}

typedef struct search_run {
    search_args *a;
    json_t *doc;
    unsigned n_steps;
    double baseline;
    double slot; /* segment mode: seconds between step starts */
    int fatal;   /* an exit code 2/3 of a step, or 0 */
} search_run;

/* One rehearsal at `scale` for `dur` seconds into `path`. Returns the run's exit code. */
static int rehearse(search_run *r, double scale, double dur, const char *path, double start_at,
                    json_t **res)
{
    rp_opts o = r->a->o;
    o.out = path;
    o.quiet = 1;
    o.no_progress = 1;
    o.ov.has_scale = 1;
    o.ov.scale = scale;
    o.ov.has_duration = 1;
    o.ov.duration = dur;
    if (start_at > 0) {
        o.has_start_at = 1;
        o.start_at = start_at;
    }
    return tool_run_rehearsal(&o, res);
}

static void print_step(const json_t *doc)
{
    const json_t *steps = json_object_get(doc, "steps"),
                 *st = json_array_get(steps, json_array_size(steps) - 1);
    search_row row;
    const char *v = json_string_value(json_object_get(st, "verdict"));
    if (search_row_of(st, &row)) {
        log_info("search: step %zu  %gx  %s: %s", json_array_size(steps), row.scale, v,
                 json_string_value(json_object_get(st, "why")));
        return;
    }
    log_info("search: step %zu  %gx  %-12s p95 %.1f ms  errors %.2f%%  sent %.1f/s of %.1f/s "
             "planned%s%s",
             json_array_size(steps), row.scale, v, row.p95_ms, row.err_rate * 100, row.sent_rps,
             row.planned_rps, row.verdict == SV_PASS ? "" : "  -- ",
             row.verdict == SV_PASS ? "" : json_string_value(json_object_get(st, "why")));
}

/* The scenario facts of the document from the first step's results (name, hash, seed, target):
 * they are what the runs loaded, the scenario's own values with the command-line overrides. */
static void scenario_facts(json_t *doc)
{
    const json_t *first = json_object_get(json_array_get(json_object_get(doc, "steps"), 0),
                                          "results");
    const json_t *fs = json_object_get(first, "scenario");
    json_t *o;
    if (!fs ||
        !(o = json_pack("{s:O,s:O,s:O,s:O,s:O}", "name", json_object_get(fs, "name"), "path",
                        json_object_get(fs, "path"), "hash", json_object_get(fs, "hash"), "seed",
                        json_object_get(fs, "seed"), "target", json_object_get(fs, "target"))))
        return;
    json_object_set_new(doc, "scenario", o);
}

/* Runs one step (warm-up, measured run, one re-run when inconclusive). Returns its verdict, or
 * -1 when a run failed for input or environment reasons (r->fatal set). */
static int step(search_run *r, double scale, const char *phase)
{
    char path[4096], wpath[4096], why[1024], err[ST_ERRLEN];
    int verdict = SV_INCONCLUSIVE;
    for (unsigned attempt = 1; attempt <= 2; attempt++) {
        unsigned k = ++r->n_steps;
        double t0 = r->slot > 0 ? r->a->o.start_at + (double)(k - 1) * r->slot : 0;
        json_t *st = NULL, *res = NULL;
        int rc;
        if (k > 1 && r->slot <= 0 && !(st = settle(r->a, r->baseline, err)))
            return r->fatal = ST_EXIT_ENV, -1;
        step_path(path, sizeof path, r->a->o.out, k, 0);
        step_path(wpath, sizeof wpath, r->a->o.out, k, 1);
        if (r->a->c.warmup > 0) {
            log_info("search: step %u at %gx: warm-up %.0f s (not judged)", k, scale,
                     r->a->c.warmup);
            rc = rehearse(r, scale, r->a->c.warmup, wpath, t0, NULL);
            if (rc >= ST_EXIT_INPUT) {
                json_decref(st);
                return r->fatal = rc, -1;
            }
            if (t0 > 0)
                t0 += r->a->c.warmup + r->a->o.grace + 2;
        }
        log_info("search: step %u at %gx (%s%s): %.0f s", k, scale, phase,
                 attempt > 1 ? ", re-run" : "", r->a->c.hold);
        rc = rehearse(r, scale, r->a->c.hold, path, t0, &res);
        if (rc >= ST_EXIT_INPUT || !res) {
            snprintf(why, sizeof why, "the run failed (exit %d): see the messages above", rc);
            search_add_step(r->doc, scale, phase, attempt, SV_INCONCLUSIVE, why, rc, NULL, NULL, st,
                            NULL);
            json_decref(st);
            return r->fatal = rc >= ST_EXIT_INPUT ? rc : ST_EXIT_ENV, -1;
        }
        verdict = search_judge(res, why, sizeof why);
        if (search_add_step(r->doc, scale, phase, attempt, verdict, why, rc, path,
                            r->a->c.warmup > 0 ? wpath : NULL, st, res)) {
            json_decref(st);
            return r->fatal = ST_EXIT_ENV, -1;
        }
        json_decref(st);
        scenario_facts(r->doc);
        print_step(r->doc);
        if (search_finish(r->doc, NULL) || jsonio_save(r->a->o.out, r->doc, err)) {
            log_error("search: %s", err);
            return r->fatal = ST_EXIT_ENV, -1;
        }
        if (verdict != SV_INCONCLUSIVE || tool_run_interrupted() || r->slot > 0)
            break;
    }
    return verdict;
}

/* The grid, then bisection. Returns the stop reason. */
static const char *search_loop(search_run *r)
{
    double hp, lf, inc, s;
    int v = SV_PASS;
    for (unsigned k = 0; (s = search_grid_scale(&r->a->c, k)) > 0; k++) {
        v = step(r, s, "step");
        if (v < 0)
            return "error";
        if (tool_run_interrupted())
            return "interrupted";
        /* Segments run the whole grid: the verdicts that count are the merged ones. */
        if (r->slot <= 0 && v != SV_PASS)
            break;
    }
    if (r->slot > 0)
        return "grid";
    if (v == SV_INCONCLUSIVE)
        return "inconclusive";
    if (v == SV_PASS)
        return "to";
    for (;;) {
        search_bounds(r->doc, &hp, &lf, &inc);
        if (!(s = search_bisect_next(&r->a->c, hp, lf)))
            return "knee";
        v = step(r, s, "bisect");
        if (v < 0)
            return "error";
        if (tool_run_interrupted())
            return "interrupted";
        if (v == SV_INCONCLUSIVE)
            return "inconclusive";
    }
}

static void print_knee(const json_t *doc, int code)
{
    const json_t *k = json_object_get(doc, "knee"), *bf = json_object_get(k, "broke_first"), *t;
    const json_t *wh = json_object_get(k, "what_happened"), *dg = json_object_get(k, "degradation");
    const json_t *hp = json_object_get(k, "highest_pass"), *lf = json_object_get(k, "lowest_fail");
    const json_t *inc = json_object_get(k, "lowest_inconclusive");
    hp = json_is_number(hp) ? hp : NULL; /* null in the document: none */
    lf = json_is_number(lf) ? lf : NULL;
    inc = json_is_number(inc) ? inc : NULL;
    size_t i;
    printf("replay search: %s, seed %lld, stopped: %s\n",
           json_string_value(json_object_get(json_object_get(doc, "scenario"), "name")),
           (long long)json_integer_value(json_object_get(json_object_get(doc, "scenario"), "seed")),
           json_string_value(json_object_get(doc, "stopped")));
    char hps[32] = "none", lfs[32] = "none";
    if (hp)
        snprintf(hps, sizeof hps, "%gx", json_number_value(hp));
    if (lf)
        snprintf(lfs, sizeof lfs, "%gx", json_number_value(lf));
    printf("  knee: highest pass %s, lowest fail %s", hps, lfs);
    if (json_is_number(json_object_get(k, "interval")))
        printf(" (within %gx)", json_number_value(json_object_get(k, "interval")));
    printf("\n");
    if (inc)
        printf(
            "  inconclusive at %gx: the generator could not offer the load (see the step's why)\n",
            json_number_value(inc));
    json_array_foreach(bf, i, t)
        printf("  broke first: %s (measured %s)\n", json_string_value(json_object_get(t, "expr")),
               json_string_value(json_object_get(t, "measured")));
    if (lf)
        printf("  degradation: %s: %s\n", json_string_value(json_object_get(dg, "verdict")),
               json_string_value(json_object_get(dg, "why")));
    json_array_foreach(wh, i, t)
        printf("  what happened at %gx: %s\n", json_number_value(lf), json_string_value(t));
    printf("  require %gx: %s (exit %d)\n", json_number_value(json_object_get(k, "require")),
           code == 0   ? "met"
           : code == 1 ? "NOT met"
                       : "not shown",
           code);
}

int tool_search(int argc, char **argv)
{
    search_args a;
    search_run r;
    scenario sc;
    char err[ST_ERRLEN];
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    const char *stopped;
    int rc;
    if (!rest) {
        log_error("out of memory");
        return ST_EXIT_ENV;
    }
    rc = parse(&a, argc, argv, rest, err);
    if (rc || a.o.help || a.o.version) {
        if (rc)
            log_error("search: %s", err);
        else if (a.o.help)
            usage();
        else
            printf("replay %s\n", ST_VERSION);
        free(rest);
        return rc ? ST_EXIT_INPUT : ST_EXIT_OK;
    }
    if (a.o.quiet)
        log_level = LOG_ERROR;
    /* The scenario is loaded once up front, so that bad input is exit 2 before any traffic. */
    if ((rc = scenario_load(&sc, a.o.scenario, &a.o.ov, err))) {
        log_error("%s", err);
        free(rest);
        return st_rc_exit(rc);
    }
    if (!a.has_hold)
        a.c.hold = sc.duration;
    if (!a.o.has_grace) {
        a.o.has_grace = 1;
        a.o.grace = sc.grace;
    }
    scenario_term(&sc);
    memset(&r, 0, sizeof r);
    r.a = &a;
    if (a.o.seg_n > 1) {
        double cd = a.c.cooldown >= 0 ? a.c.cooldown : 5;
        r.slot = ceil((a.c.warmup > 0 ? a.c.warmup + a.o.grace + 2 : 0) + a.c.hold + a.o.grace +
                      cd + 3);
        log_info("search: segment %u/%u: every grid step, one every %.0f s from %.0f", a.o.seg_i,
                 a.o.seg_n, r.slot, a.o.start_at);
    } else if (a.o.db_probe && a.c.cooldown < 0) {
        if ((rc = probe_active(a.o.db_probe, 2.5, 0, &r.baseline, err))) {
            log_error("search: %s", err);
            free(rest);
            return rc == ST_EINPUT ? ST_EXIT_INPUT : ST_EXIT_ENV;
        }
        log_info("search: before the first step the database has %.0f active connections",
                 r.baseline);
    }
    {
        search_cfg cfg = a.c;
        json_t *probe_doc = json_pack("{s:{s:s,s:s,s:s,s:I,s:s},s:{s:i,s:i}}", "scenario", "name",
                                      "", "path", a.o.scenario, "hash", "", "seed", (json_int_t)0,
                                      "target", "", "segment", "i", a.o.seg_i, "n", a.o.seg_n);
        r.doc = probe_doc ? search_doc_new(&cfg,
                                           r.slot > 0                           ? "grid"
                                           : a.c.cooldown >= 0 || !a.o.db_probe ? "cooldown"
                                                                                : "probe",
                                           probe_doc)
                          : NULL;
        json_decref(probe_doc);
    }
    if (!r.doc) {
        log_error("out of memory");
        free(rest);
        return ST_EXIT_ENV;
    }
    stopped = search_loop(&r);
    if (search_finish(r.doc, stopped) || jsonio_save(a.o.out, r.doc, err)) {
        log_error("search: %s", err);
        rc = ST_EXIT_ENV;
    } else {
        rc = r.fatal ? r.fatal : search_exit_code(r.doc);
        if (a.report && search_report_write(r.doc, a.o.out, a.report, err)) {
            log_error("search: %s", err);
            rc = ST_EXIT_ENV;
        }
        if (!a.o.quiet)
            print_knee(r.doc, rc);
    }
    json_decref(r.doc);
    free(rest);
    return rc;
}

int tool_search_is_search_file(const char *path)
{
    char err[ST_ERRLEN];
    json_t *d = jsonio_load(path, err);
    const char *f = json_string_value(json_object_get(d, "format"));
    int is = f && !strcmp(f, SEARCH_FORMAT);
    json_decref(d);
    return is;
}

int tool_merge_search(const char *const *files, size_t n, const char *out, const char *report,
                      int json, int quiet)
{
    json_t **in = calloc(n, sizeof *in), *merged = NULL;
    char err[ST_ERRLEN];
    size_t k = 0;
    int rc = 0;
    if (!in) {
        log_error("out of memory");
        return ST_EXIT_ENV;
    }
    for (; k < n; k++) {
        if (!(in[k] = jsonio_load(files[k], err)) || search_check(in[k], files[k], err)) {
            log_error("merge: %s", err);
            rc = ST_EXIT_INPUT;
            k += in[k] != NULL;
            goto out;
        }
    }
    if ((rc = search_merge(&merged, in, files, n, err))) {
        log_error("merge: %s", err);
        rc = st_rc_exit(rc);
        goto out;
    }
    for (size_t i = 0; i < json_array_size(json_object_get(merged, "warnings")); i++)
        log_warn("merge: %s",
                 json_string_value(json_array_get(json_object_get(merged, "warnings"), i)));
    if (jsonio_save(out, merged, err) ||
        (report && search_report_write(merged, out, report, err))) {
        log_error("merge: %s", err);
        rc = ST_EXIT_ENV;
        goto out;
    }
    rc = search_exit_code(merged);
    if (json)
        jsonio_save("-", merged, err);
    else if (!quiet)
        print_knee(merged, rc);
out:
    json_decref(merged);
    for (size_t i = 0; i < k && i < n; i++)
        json_decref(in[i]);
    free(in);
    return rc;
}
