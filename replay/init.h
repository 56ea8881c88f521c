/*
 * init.h -- a complete, runnable scenario from a traffic model (`replay init`, docs/replay.md).
 *
 * Every page, api and static route of the model gets a request template: the route's
 * method, its path with each parameter filled from a feeder, a placeholder body to edit for
 * methods that carry one. A parameter's feeder is the hot-id catalog DIR/hot/<table>.csv
 * when --feeders DIR has one for the word before the parameter ("/products/{id}" looks for
 * products.csv), else a synthetic feeder of ids 1..N (N = the model's n_est, drawn by the
 * fitted popularity), with values shaped so that modeler normalises them back to the same
 * template ({id} digits, {slug} "item-7", {uuid}, {hash}, {s} "w7", {file} "a7"). Static
 * assets are fetched, each session is a distinct client (an X-Forwarded-For address, a
 * User-Agent of the model's classes), model_clock starts at the model's busiest hour, and
 * starter thresholds come from the observed latencies. "{other}" (folded routes) has no
 * path to send and is left to coverage, which says so.
 * Library code: nothing is printed; notes for the user come back in `notes`.
 */
#ifndef RP_INIT_H
#define RP_INIT_H

#include <stdint.h>
#include <jansson.h>

typedef struct init_opts {
    const char *model_path;  /* as given on the command line */
    const char *out_path;    /* where the scenario goes (the model path is made relative to it) */
    const char *feeders_dir; /* NULL: synthetic feeders */
    const char *target;      /* NULL: http://127.0.0.1:8080 */
    const char *duration;    /* NULL: "10m" */
    uint64_t seed;
} init_opts;

/* Builds the scenario; *out is a new reference, *notes an array of strings (what init chose
 * or could not map). Returns 0, ST_EINPUT (the model is not usable, err names the field) or
 * ST_ENOMEM. */
int init_build(const init_opts *o, json_t **out, json_t **notes, char *err);

#endif
