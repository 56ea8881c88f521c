/*
 * tools.h -- the subcommands of replay (one tool_*.c each) and small helpers they share.
 * Each returns the process exit code (0 ok, 1 check failed, 2 bad input, 3 environment).
 */
#ifndef RP_TOOLS_H
#define RP_TOOLS_H

#include "dbuf.h"

int tool_init(int argc, char **argv);
int tool_plan(int argc, char **argv);
int tool_run(int argc, char **argv);
/* Prints (log_warn) every model route the scenario does not send, with its share of the
 * model's requests, and the coverage line (log_info). */
struct scenario;
void tool_print_coverage(const struct scenario *sc);
/* Appends s as a JSON string literal (quotes and escapes). */
void tool_json_str(dbuf *b, const char *s);

#endif
