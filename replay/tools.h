/*
 * tools.h -- the subcommands of replay (one tool_*.c each, dispatched by main.c) and the
 * small helpers they share: every tool_* entry point is declared here and nowhere else.
 * Each subcommand returns the process exit code (0 ok, 1 check failed, 2 bad input,
 * 3 environment). tool_trace.h holds trace mode's helpers for run and plan.
 */
#ifndef RP_TOOLS_H
#define RP_TOOLS_H

#include <jansson.h>

#include "dbuf.h"
#include "opts.h"

int tool_init(int argc, char **argv);   /* tool_init.c */
int tool_plan(int argc, char **argv);   /* tool_plan.c */
int tool_run(int argc, char **argv);    /* tool_run.c */
int tool_merge(int argc, char **argv);  /* tool_merge.c */
int tool_report(int argc, char **argv); /* tool_report.c */
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
int tool_merge_search(const char *const *files, size_t n, const char *out, const char *report,
                      int json, int quiet);
/* tool_report.c: writes the HTML report of r to out, with flash-crowd shading from the
 * scenario at scenario_path when it can be read (NULL: none). Returns 0 or ST_E* with err
 * set. */
struct rr_result;
int tool_report_write(const struct rr_result *r, const char *scenario_path, const char *out,
                      char *err);
/* tool_report.c: the report `replay run` writes next to its results: RESULTS.json ->
 * RESULTS.html (a path not ending in .json gets .html appended; "-" writes none). A report
 * that cannot be written is a warning: it never changes the run's exit code. */
void tool_report_after_run(const json_t *doc, const char *results_path);
/* Prints (log_warn) every model route the scenario does not send, with its share of the
 * model's requests, and the coverage line (log_info). */
struct scenario;
void tool_print_coverage(const struct scenario *sc);
/* Prints what the plan substitutes for what the model lacks (no think-time law, no client
 * classes for `http.user_agent: "model"`) and, when warnings is not NULL, appends each line to
 * it (results.warnings), so a substitution is never silent. */
void tool_model_caveats(const struct scenario *sc, json_t *warnings);
/* Appends s as a JSON string literal (quotes and escapes). */
void tool_json_str(dbuf *b, const char *s);

#endif
