/*
 * main.c -- the datagen command: dispatch to a subcommand (tool_*.c) through the shared
 * table-driven dispatcher (common/cmd.h); nothing else. A subcommand appears in the table
 * (and so in --help) only once it works.
 */
#include <gsl/gsl_errno.h>

#include "cmd.h"
#include "log.h"
#include "st.h"
#include "tools.h"

/* clang-format off */
static const st_cmd cmds[] = {
    {"fill", tool_fill, "fill", "fill PostgreSQL (or CSV files) with production-shaped rows from a shape"},
    {"profile", tool_profile, "profile", "a shape from a database's planner statistics (no rows read)"},
    {"compare", tool_compare, "compare", "statistical fidelity of a filled database against a shape"},
    {"plans", tool_plans, "plans", "EXPLAIN a query set and compare plan shapes"},
};
/* clang-format on */

/* clang-format off */
static const st_tool tool = {
    "datagen", "Fill PostgreSQL with production-shaped rows, deterministically; validate query plans.",
    cmds, sizeof cmds / sizeof cmds[0],
    "  datagen fill --shape models/shapes/shop.json --dry-run\n"
    "  datagen fill --shape models/shapes/shop.json --scale 0.01 --out /tmp/shop-csv\n"};
/* clang-format on */

int main(int argc, char **argv)
{
    log_set_tool("datagen");
    gsl_set_error_handler_off();
    return st_cmd_main(&tool, argc, argv);
}
