/*
 * cmd.c -- the subcommand dispatcher (see cmd.h). It is the command layer of every tool, so
 * unlike the rest of common/ it prints: the usage to the FILE it is given, errors through
 * log_error (the tool's name prefixed, as every other error of the tool).
 */
#include "cmd.h"

#include <string.h>

#include "log.h"
#include "st.h"

const st_cmd *st_cmd_find(const st_tool *t, const char *name)
{
    for (size_t i = 0; i < t->n_cmds; i++)
        if (!strcmp(t->cmds[i].name, name))
            return &t->cmds[i];
    return NULL;
}

/* clang-format off */
void st_cmd_usage(const st_tool *t, FILE *f)
{
    int w = 0;
    for (size_t i = 0; i < t->n_cmds; i++) {
        int n = (int)strlen(t->cmds[i].synopsis);
        w = n > w ? n : w;
    }
    fprintf(f, "usage: %s COMMAND [OPTIONS]\n\n%s\n\ncommands:\n", t->name, t->summary);
    for (size_t i = 0; i < t->n_cmds; i++)
        fprintf(f, "  %-*s  %s\n", w, t->cmds[i].synopsis, t->cmds[i].help);
    if (t->examples)
        fprintf(f, "\nexamples:\n%s", t->examples);
    fprintf(f, "\n'%s COMMAND --help' (or '%s help COMMAND') shows a command's options and examples;\n"
               "'man %s-COMMAND' the same as a manual page.\n", t->name, t->name, t->name);
}
/* clang-format on */

int st_cmd_main(const st_tool *t, int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;
    const st_cmd *c;
    if (!cmd) {
        st_cmd_usage(t, stderr);
        log_error("missing command (try '%s --help')", t->name);
        return ST_EXIT_INPUT;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("%s %s\n", t->name, ST_VERSION);
        return ST_EXIT_OK;
    }
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        if (!strcmp(cmd, "help") && argc > 2) {
            /* `help run` is `run --help`: one help text per command, not two. */
            char *sub[] = {argv[2], "--help", NULL};
            if (!(c = st_cmd_find(t, argv[2]))) {
                log_error("%s: unknown command (try '%s --help')", argv[2], t->name);
                return ST_EXIT_INPUT;
            }
            return c->run(2, sub);
        }
        st_cmd_usage(t, stdout);
        return ST_EXIT_OK;
    }
    if (!(c = st_cmd_find(t, cmd))) {
        log_error("%s: unknown command (try '%s --help')", cmd, t->name);
        return ST_EXIT_INPUT;
    }
    return c->run(argc - 1, argv + 1);
}
