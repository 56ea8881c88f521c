/*
 * main.c -- the datagen command: dispatch to a subcommand (tool_*.c); nothing else.
 * A subcommand appears in --help only once it works.
 */
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "log.h"
#include "st.h"
#include "tool.h"
#ifdef DG_HAVE_VALIDATE
#include "tool_validate.h"
#endif

static void usage(FILE *f)
{
    fprintf(f, "usage: datagen COMMAND [OPTIONS]\n"
               "\n"
               "commands:\n"
               "  fill     fill PostgreSQL (or CSV files) with production-shaped rows from a shape\n"
#ifdef DG_HAVE_VALIDATE
               "  profile  a shape from a database's planner statistics (no rows read)\n"
               "  compare  statistical fidelity of a filled database against a shape\n"
               "  plans    EXPLAIN a query set and compare plan shapes\n"
#endif
               "\n"
               "Run 'datagen COMMAND --help' for a command's options and examples, e.g.\n"
               "  datagen fill --shape models/shapes/shop.json --dry-run\n");
}

int main(int argc, char **argv)
{
    log_set_tool("datagen");
    gsl_set_error_handler_off();
    if (argc > 1 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
        printf("datagen %s\n", ST_VERSION);
        return ST_EXIT_OK;
    }
    if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        usage(stdout);
        return ST_EXIT_OK;
    }
    if (argc > 1 && !strcmp(argv[1], "fill"))
        return tool_fill(argc - 1, argv + 1);
#ifdef DG_HAVE_VALIDATE
    if (argc > 1 && !strcmp(argv[1], "profile"))
        return tool_profile(argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "compare"))
        return tool_compare(argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "plans"))
        return tool_plans(argc - 1, argv + 1);
#endif
    log_error("%s: unknown command (try 'datagen --help')", argc > 1 ? argv[1] : "(none)");
    return ST_EXIT_INPUT;
}
