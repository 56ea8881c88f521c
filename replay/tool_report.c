/*
 * tool_report.c -- `replay report RESULT.json -o REPORT.html`: the self-contained HTML report
 * of a run or a merge (replay/report.h). Exit: 0 ok; 2 bad usage or a bad results file;
 * 3 cannot write. (Thresholds are shown as recorded; the report never fails a run.)
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "report.h"
#include "tools.h"

/* clang-format off */
static void usage(void)
{
    printf("usage: replay report RESULT.json -o REPORT.html [options]\n\n"
           "Writes one self-contained HTML file (inline SVG, no script, no external asset):\n"
           "run metadata, what happened, the thresholds table, planned vs achieved requests\n"
           "per second with flash crowds shaded, latency p50/p95/p99 over time, errors by\n"
           "class, sessions, the database timeline of --db-probe, and generator health.\n"
           "'replay run' writes the same report next to its results (see --report there).\n\n"
           "options:\n"
           "  -o, --output FILE     the HTML file (default REPORT.html next to RESULT.json's name)\n"
           "  --scenario FILE       scenario file for the flash-crowd shading (default: the\n"
           "                        path recorded in the results; skipped if it changed)\n"
           "  -q, --quiet           print nothing but errors\n"
           "  -h, --help, --version\n\n"
           "examples:\n"
           "  replay report results.json -o report.html\n"
           "  replay report merged.json -o merged.html --scenario models/scenarios/shop-campaign.json\n");
}
/* clang-format on */

int tool_report_write(const rr_result *r, const char *scenario_path, const char *out, char *err)
{
    report_events ev;
    char e[ST_ERRLEN];
    const char *path = scenario_path ? scenario_path : r->sc->path;
    int rc = report_events_load(path, r->sc->hash, &ev, e);
    if (rc < 0)
        return st_err(err, rc, "%s", e);
    if (rc > 0)
        log_info("report: no flash-crowd shading: %s", e);
    return report_write(r, &ev, out, err);
}

int tool_report(int argc, char **argv)
{
    const char *in = NULL, *out = NULL, *scen = NULL;
    char err[ST_ERRLEN], def[4096];
    rr_result r;
    int rc;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage();
            return ST_EXIT_OK;
        } else if (!strcmp(a, "--version")) {
            printf("replay %s\n", ST_VERSION);
            return ST_EXIT_OK;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--scenario")) {
            if (i + 1 >= argc) {
                log_error("report: %s: expected a file name", a);
                return ST_EXIT_INPUT;
            }
            *(!strcmp(a, "--scenario") ? &scen : &out) = argv[++i];
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            log_level = LOG_ERROR; /* quiet drops the summary, never the error line */
        } else if (a[0] == '-' && a[1]) {
            log_error("report: %s: unknown option (try 'replay report --help')", a);
            return ST_EXIT_INPUT;
        } else if (in) {
            log_error("report: %s: unexpected argument (one RESULT.json; merge first)", a);
            return ST_EXIT_INPUT;
        } else {
            in = a;
        }
    }
    if (!in) {
        log_error("report: missing RESULT.json (try 'replay report --help')");
        return ST_EXIT_INPUT;
    }
    if (!out) {
        size_t n = strlen(in);
        snprintf(def, sizeof def, "%.*s.html",
                 (int)(n > 5 && !strcmp(in + n - 5, ".json") ? n - 5 : n), in);
        out = def;
    }
    if ((rc = results_read_file(&r, in, err))) {
        log_error("report: %s", err);
        return st_rc_exit(rc);
    }
    rc = tool_report_write(&r, scen, out, err);
    if (rc)
        log_error("report: %s", err);
    else
        log_info("report: wrote %s", out);
    results_read_term(&r);
    return rc ? (rc == ST_EINPUT ? ST_EXIT_INPUT : ST_EXIT_ENV) : ST_EXIT_OK;
}

void tool_report_after_run(const json_t *doc, const char *results_path)
{
    char err[ST_ERRLEN], out[4096];
    size_t n = strlen(results_path);
    rr_result r;
    if (!strcmp(results_path, "-"))
        return;
    snprintf(out, sizeof out, "%.*s.html",
             (int)(n > 5 && !strcmp(results_path + n - 5, ".json") ? n - 5 : n), results_path);
    if (results_read(&r, doc, results_path, err)) {
        log_warn("no HTML report: %s", err);
        return;
    }
    if (tool_report_write(&r, NULL, out, err))
        log_warn("no HTML report: %s", err);
    else
        log_info("report: %s", out);
    results_read_term(&r);
}
