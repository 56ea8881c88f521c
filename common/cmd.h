/*
 * cmd.h -- the subcommand dispatcher the three tools share (`modeler fit`, `replay run`, ...).
 *
 * A tool is a table of {name, function, synopsis, one-line help} plus a summary and
 * examples. st_cmd_main() answers the same way in every tool:
 *   TOOL -h | --help | help      the usage, on stdout, exit 0
 *   TOOL help COMMAND            the command's own --help (TOOL COMMAND --help)
 *   TOOL -V | --version          "TOOL X.Y.Z", exit 0
 *   TOOL                         the usage on stderr, then "missing command", exit 2
 *   TOOL bogus                   "bogus: unknown command (try 'TOOL --help')", exit 2
 *   TOOL COMMAND ARGS...         the command's function with argv[0] = COMMAND
 * The same table feeds the man pages and the bash completions (docs/man/, packaging/),
 * so a command added here is one line, not three switches.
 */
#ifndef ST_CMD_H
#define ST_CMD_H

#include <stddef.h>
#include <stdio.h>

typedef struct st_cmd {
    const char *name;                  /* "fit" */
    int (*run)(int argc, char **argv); /* argv[0] is the command name; returns an exit code */
    const char *synopsis;              /* "fit LOG... -o MODEL.json" */
    const char *help;                  /* one line: "one streaming pass over logs" */
} st_cmd;

typedef struct st_tool {
    const char *name;    /* "modeler" */
    const char *summary; /* one sentence, printed under the usage line */
    const st_cmd *cmds;
    size_t n_cmds;
    const char *examples; /* lines of "  TOOL ...\n", or NULL */
} st_tool;

/* The command named `name`, or NULL. */
const st_cmd *st_cmd_find(const st_tool *t, const char *name);
/* Writes the usage (usage line, summary, command table, examples) to f. */
void st_cmd_usage(const st_tool *t, FILE *f);
/* Dispatches argv[1] as described above; returns the exit code. */
int st_cmd_main(const st_tool *t, int argc, char **argv);

#endif
