/*
 * main.c -- the modeler command: dispatch to the subcommands (tool_*.c) only.
 */
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "log.h"
#include "st.h"
#include "tools.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: modeler COMMAND [OPTIONS]\n"
            "\n"
            "Fit a traffic model from access logs, compare two models, draw a report.\n"
            "\n"
            "commands:\n"
            "  fit LOG... -o MODEL.json   one streaming pass over logs (gzip, stdin '-')\n"
            "  diff OLD.json NEW.json     drift between two models; exit 1 beyond thresholds\n"
            "  report MODEL.json -o R.html  self-contained HTML with inline SVG plots\n"
            "  extract LOG... -o T.ndjson   the log as a replayable trace (replay run --trace)\n"
            "\n"
            "examples:\n"
            "  modeler fit access.log.gz -o models/prod.model.json\n"
            "  modeler fit --format '$remote_addr [$time_local] \"$request\" $status' app.log -o m.json\n"
            "  modeler diff models/q2.json models/q3.json --json\n"
            "  modeler report models/prod.model.json -o prod.html\n"
            "\n"
            "'modeler COMMAND --help' shows the options of a command. docs/modeler.md has more.\n");
}

int main(int argc, char **argv)
{
    log_set_tool("modeler");
    gsl_set_error_handler_off();
    if (argc < 2) {
        usage(stderr);
        return ST_EXIT_INPUT;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("modeler %s\n", ST_VERSION);
        return ST_EXIT_OK;
    }
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        usage(stdout);
        return ST_EXIT_OK;
    }
    if (!strcmp(cmd, "fit"))
        return tool_fit_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "diff"))
        return tool_diff_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "report"))
        return tool_report_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "extract"))
        return tool_extract_main(argc - 1, argv + 1);
    log_error("%s: unknown command (try 'modeler --help')", cmd);
    return ST_EXIT_INPUT;
}
