/*
 * tools.h -- the subcommands of replay (one tool_*.c each) and small helpers they share.
 * Each returns the process exit code (0 ok, 1 check failed, 2 bad input, 3 environment).
 */
#ifndef RP_TOOLS_H
#define RP_TOOLS_H

#include <jansson.h>

#include "dbuf.h"
#include "opts.h"

int tool_init(int argc, char **argv);
int tool_plan(int argc, char **argv);
int tool_run(int argc, char **argv);
/* One rehearsal exactly as `replay run` makes it, from parsed options (`replay search` calls
 * it once per step, in this process): plan, preflight, fire, thresholds, results file and its
 * HTML report, summary unless o->quiet. Returns the run's exit code (0, 1 thresholds or
 * abort, 2 input, 3 environment). When res is not NULL, *res is the results document (new
 * reference, the caller decrefs) or NULL when the run did not get as far as writing it.
 * A Ctrl-C during the run stops it as in `replay run`; tool_run_interrupted() then says so. */
int tool_run_rehearsal(const rp_opts *o, json_t **res);
int tool_run_interrupted(void);
/* `replay search` (tool_search.c). */
int tool_search(int argc, char **argv);
/* 1 when path holds a SEARCH document (its "format"), for `replay merge`. */
int tool_search_is_search_file(const char *path);
/* `replay merge` of SEARCH files: writes out (and report); --json prints the merged document
 * instead of the summary. Returns the exit code. */
int tool_merge_search(const char *const *files, size_t n, const char *out, const char *report, int json,
                      int quiet);
/* Prints (log_warn) every model route the scenario does not send, with its share of the
 * model's requests, and the coverage line (log_info). */
struct scenario;
void tool_print_coverage(const struct scenario *sc);
/* Appends s as a JSON string literal (quotes and escapes). */
void tool_json_str(dbuf *b, const char *s);

#endif
