/*
 * tool_formats.c -- `modeler formats`: the format presets, as a table a person reads or as
 * the bare spec of one preset, ready to copy into --format and adapt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"
#include "log.h"
#include "logfmt.h"
#include "st.h"
#include "tools.h"

/* clang-format off */
static void formats_usage(FILE *f)
{
    fprintf(f,
            "usage: modeler formats [NAME] [--json]\n"
            "\n"
            "Lists the --format presets of 'modeler fit' (the ones '--format auto' tries, in\n"
            "that order): name, what writes it, and the spec it stands for. With NAME, prints\n"
            "only that preset's spec, to copy and adapt (docs/modeler.md, \"Log formats\").\n"
            "\n"
            "options:\n"
            "  --json       one JSON object per preset {name, spec, about}\n"
            "  -h, --help   this help\n"
            "\n"
            "examples:\n"
            "  modeler formats\n"
            "  modeler formats caddy\n"
            "  modeler fit caddy.log --format \"$(modeler formats caddy),bytes=bytes_read\" -o m.json\n");
}
/* clang-format on */

int tool_formats_main(int argc, char **argv)
{
    const char *name = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            formats_usage(stdout);
            return ST_EXIT_OK;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (argv[i][0] == '-') {
            log_error("formats: unknown option '%s' (try 'modeler formats --help')", argv[i]);
            return ST_EXIT_INPUT;
        } else if (name) {
            log_error("formats: one preset name at most");
            return ST_EXIT_INPUT;
        } else {
            name = argv[i];
        }
    }
    int found = 0;
    for (size_t i = 0; logfmt_preset_at(i); i++) {
        const logfmt_preset *p = logfmt_preset_at(i);
        if (name && strcmp(name, p->name) != 0)
            continue;
        found = 1;
        if (json) {
            json_t *o = json_pack("{s:s,s:s,s:s}", "name", p->name, "spec", p->spec, "about",
                                  p->about);
            char *line = o ? jsonio_dumps_line(o) : NULL;
            json_decref(o);
            if (!line) {
                log_error("out of memory");
                return ST_EXIT_ENV;
            }
            printf("%s\n", line);
            free(line);
        } else if (name) {
            printf("%s\n", p->spec);
        } else {
            printf("%-13s %s\n              %s\n", p->name, p->about, p->spec);
        }
    }
    if (name && !found) {
        log_error("formats: no preset named '%s' (try 'modeler formats')", name);
        return ST_EXIT_INPUT;
    }
    return ST_EXIT_OK;
}
