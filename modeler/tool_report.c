/*
 * tool_report.c -- `modeler report MODEL.json -o REPORT.html`.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "report.h"
#include "tmodel_desc.h"
#include "tools.h"

static void report_usage(FILE *f)
{
    fprintf(f, "usage: modeler report MODEL.json -o REPORT.html [--quiet]\n"
               "\n"
               "Draws a self-contained HTML page (inline SVG, no scripts, no external files):\n"
               "rate over time with bursts shaded, rank-frequency on log-log axes with the Zipf\n"
               "fit, the think-time histogram with the fitted density, the journey matrix and\n"
               "WebSocket concurrency, plus the data-quality findings.\n"
               "\n"
               "examples:\n"
               "  modeler report models/shop.model.json -o shop.html\n"
               "  modeler fit access.log -o m.json --report m.html   (the same, in one go)\n");
}

int tool_report_main(int argc, char **argv)
{
    const char *in = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            report_usage(stdout);
            return ST_EXIT_OK;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (i + 1 >= argc) {
                log_error("%s: needs a value", a);
                return ST_EXIT_INPUT;
            }
            out = argv[++i];
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            log_level = LOG_ERROR;
        } else if (a[0] == '-' && a[1]) {
            log_error("report: unknown option '%s' (try 'modeler report --help')", a);
            return ST_EXIT_INPUT;
        } else if (!in) {
            in = a;
        } else {
            log_error("report: one model file only, got '%s' too", a);
            return ST_EXIT_INPUT;
        }
    }
    if (!in || !out) {
        log_error("report: expected MODEL.json -o REPORT.html (try 'modeler report --help')");
        return ST_EXIT_INPUT;
    }
    char err[ST_ERRLEN];
    tmodel_desc m;
    int rc = tmodel_desc_read(&m, in, err);
    if (rc < 0) {
        log_error("%s", err);
        return st_rc_exit(rc);
    }
    rc = report_write(&m, out, err);
    tmodel_desc_term(&m);
    if (rc < 0) {
        log_error("%s", err);
        return st_rc_exit(rc);
    }
    log_info("report: wrote %s", out);
    return ST_EXIT_OK;
}
