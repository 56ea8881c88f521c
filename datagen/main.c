/*
 * main.c -- the datagen command: option parsing and dispatch only (placeholder until the
 * subcommands land; a subcommand appears in --help only once it works).
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "st.h"

int main(int argc, char **argv)
{
    log_set_tool("datagen");
    if (argc > 1 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
        printf("datagen %s\n", ST_VERSION);
        return ST_EXIT_OK;
    }
    if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        printf("usage: datagen COMMAND [OPTIONS]\n\nNo subcommands are available yet.\n");
        return ST_EXIT_OK;
    }
    log_error("%s: unknown command (try 'datagen --help')", argc > 1 ? argv[1] : "(none)");
    return ST_EXIT_INPUT;
}
