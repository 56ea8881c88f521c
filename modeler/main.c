/*
 * main.c -- the modeler command: dispatch to the subcommands (tool_*.c) only, through the
 * shared table-driven dispatcher (common/cmd.h).
 */
#include <gsl/gsl_errno.h>

#include "cmd.h"
#include "log.h"
#include "st.h"
#include "tools.h"

/* clang-format off */
static const st_cmd cmds[] = {
    {"fit", tool_fit_main, "fit LOG... -o MODEL.json", "one streaming pass over logs (gzip, stdin '-')"},
    {"diff", tool_diff_main, "diff OLD.json NEW.json", "drift between two models; exit 1 beyond thresholds"},
    {"report", tool_report_main, "report MODEL.json -o R.html", "self-contained HTML with inline SVG plots"},
    {"extract", tool_extract_main, "extract LOG... -o T.ndjson", "the log as a replayable trace (replay run --trace)"},
    {"formats", tool_formats_main, "formats [NAME]", "the --format presets, to print and adapt"},
};
/* clang-format on */

/* clang-format off */
static const st_tool tool = {
    "modeler", "Fit a traffic model from access logs, compare two models, draw a report.",
    cmds, sizeof cmds / sizeof cmds[0],
    "  modeler fit access.log.gz -o models/prod.model.json\n"
    "  modeler fit --format '$remote_addr [$time_local] \"$request\" $status' app.log -o m.json\n"
    "  modeler diff models/q2.json models/q3.json --json\n"
    "  modeler report models/prod.model.json -o prod.html\n"};
/* clang-format on */

int main(int argc, char **argv)
{
    log_set_tool("modeler");
    gsl_set_error_handler_off();
    return st_cmd_main(&tool, argc, argv);
}
