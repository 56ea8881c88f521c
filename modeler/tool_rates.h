/*
 * tool_rates.h -- the rate-trace options of `modeler fit` (--rates, --rates-format,
 * --rates-bin, --rates-start, --rates-of, --fitted-rates) and their output. tool_fit.c
 * hands every option to tool_rates_option first, reads and fits the trace before the log pass
 * (a bad trace fails in seconds, not after an hour of logs), and then either writes a
 * trace-only model or merges the trace into the log model. This layer prints.
 */
#ifndef MODELER_TOOL_RATES_H
#define MODELER_TOOL_RATES_H

#include <jansson.h>
#include <stdio.h>

#include "rates.h"
#include "rates_model.h"

typedef struct rates_opts {
    const char *path, *format, *fitted, *bin, *start;
    int of_sessions;
    rates_spec spec;
    rates_trace tr;
    rates_model m;
    int loaded;
} rates_opts;

/* Returns 1 when `a` was a rates option (*i advanced past its value), 0 when it is not one,
 * -1 after printing an error (exit 2). */
int tool_rates_option(rates_opts *ro, const char *a, const char *v, int *i);
/* The help lines of the options. */
void tool_rates_usage(FILE *f);
/* Checks the options, reads and fits the trace, prints what was not used. Returns an exit
 * code: 0 or 2/3 (printed). */
int tool_rates_load(rates_opts *ro, int have_logs);
/* `modeler fit --rates TRACE -o MODEL` without logs. Returns the exit code. */
int tool_rates_fit_only(rates_opts *ro, const char *out, const char *report, uint64_t seed,
                        int json, int argc, char **argv);
/* Merges the loaded trace into a log model (the log's sessions per human request convert a
 * request trace to sessions) and writes --fitted-rates. Returns 0 or a library code with err
 * set. */
int tool_rates_merge(rates_opts *ro, json_t *model, uint64_t sessions, uint64_t requests,
                     char *err);
/* One summary line (skipped with --quiet); adds keys to a --json summary when j is not NULL. */
void tool_rates_summary(const rates_opts *ro, json_t *j);
void tool_rates_term(rates_opts *ro);

#endif
