/*
 * main.c -- the replay command: dispatch to the subcommands only (tool_*.c).
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "st.h"
#include "tools.h"

/* The results commands (tool_merge.c, tool_report.c). */
int tool_merge(int argc, char **argv);
int tool_report(int argc, char **argv);

static void usage(void)
{
    printf("usage: replay COMMAND [OPTIONS] SCENARIO.json\n\n"
           "commands:\n"
           "  init   write a complete, runnable scenario from a traffic model\n"
           "  plan   write the schedule that run would send (NDJSON), send nothing\n"
           "  run    fire the scenario at its target, measure, write results\n"
           "  merge  merge the results of a run's segments exactly, thresholds re-evaluated\n"
           "  report write the self-contained HTML report of a results file\n\n"
           "'replay COMMAND --help' shows each command's options and examples.\n"
           "examples:\n"
           "  replay init model.json --target http://127.0.0.1:8080 -o scenario.json\n"
           "  replay plan models/scenarios/shop-campaign.json --duration 60s | head\n"
           "  replay run models/scenarios/shop-campaign.json --target http://127.0.0.1:8080 -o results.json\n"
           "  replay merge seg-*.json -o merged.json --report merged.html\n"
           "  replay report results.json -o report.html\n");
}

int main(int argc, char **argv)
{
    log_set_tool("replay");
    if (argc < 2) {
        log_error("missing command (try 'replay --help')");
        return ST_EXIT_INPUT;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        printf("replay %s\n", ST_VERSION);
        return ST_EXIT_OK;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage();
        return ST_EXIT_OK;
    }
    if (!strcmp(argv[1], "init"))
        return tool_init(argc - 1, argv + 1);
    if (!strcmp(argv[1], "plan"))
        return tool_plan(argc - 1, argv + 1);
    if (!strcmp(argv[1], "run"))
        return tool_run(argc - 1, argv + 1);
    if (!strcmp(argv[1], "merge"))
        return tool_merge(argc - 1, argv + 1);
    if (!strcmp(argv[1], "report"))
        return tool_report(argc - 1, argv + 1);
    log_error("%s: unknown command (try 'replay --help')", argv[1]);
    return ST_EXIT_INPUT;
}
