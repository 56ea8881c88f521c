/*
 * main.c -- the replay command: dispatch to the subcommands only (tool_*.c), through the
 * shared table-driven dispatcher (common/cmd.h).
 */
#include <gsl/gsl_errno.h>

#include "cmd.h"
#include "log.h"
#include "st.h"
#include "tools.h"

/* clang-format off */
static const st_cmd cmds[] = {
    {"init", tool_init, "init", "write a complete, runnable scenario from a traffic model"},
    {"plan", tool_plan, "plan", "write the schedule that run would send (NDJSON), send nothing"},
    {"run", tool_run, "run", "fire the scenario at its target, measure, write results"},
    {"merge", tool_merge, "merge", "merge the results of a run's segments exactly, thresholds re-evaluated"},
    {"report", tool_report, "report", "write the self-contained HTML report of a results file"},
    {"search", tool_search, "search", "find the breaking point: steps of --scale, then bisection; the knee"},
};
/* clang-format on */

/* clang-format off */
static const st_tool tool = {
    "replay", "Fire a scenario's production-shaped traffic at a target, measure, merge, report.",
    cmds, sizeof cmds / sizeof cmds[0],
    "  replay init model.json --target http://127.0.0.1:8080 -o scenario.json\n"
    "  replay plan models/scenarios/shop-campaign.json --duration 60s | head\n"
    "  replay run models/scenarios/shop-campaign.json --target http://127.0.0.1:8080 -o results.json\n"
    "  replay merge seg-*.json -o merged.json --report merged.html\n"
    "  replay report results.json -o report.html\n"
    "  replay search s.json --to 3x --step 25% --hold 2m --require 1.5x -o search.json\n"};
/* clang-format on */

int main(int argc, char **argv)
{
    log_set_tool("replay");
    gsl_set_error_handler_off();
    return st_cmd_main(&tool, argc, argv);
}
