/*
 * rates_model.h -- a rate-trace fit in the traffic model (docs/formats/traffic-model.md,
 * "Rate traces"): a whole model from a trace alone, or a log model whose arrival profile and
 * burst episodes are replaced by the trace's, and the --fitted-rates CSV.
 *
 * A trace-only model has source.kind "rates"; every component a trace cannot hold carries
 * {"not_fitted": "not in a rate trace"} (hawkes says so in "refused"), routes is empty, and
 * source.<component> says where each component came from ("rates:FILE" or the note). replay
 * refuses such a model alone. A merged model has source.kind "logs+rates".
 */
#ifndef MODELER_RATES_MODEL_H
#define MODELER_RATES_MODEL_H

#include <jansson.h>

#include "rates.h"

#define RATES_NOT_IN "not in a rate trace"

typedef struct rates_info {
    const char *path; /* the trace as given */
    const rates_spec *spec;
    int of_sessions; /* the trace counts sessions (else requests) */
    const char *command;
    uint64_t seed;
} rates_info;

/* A new model from a trace alone (caller decrefs), NULL on out of memory. */
json_t *rates_model_build(const rates_trace *tr, const rates_model *m, const rates_info *in);
/* Replaces arrivals and adds the trace's episodes in a log model. sessions_per_request
 * converts a request trace into session arrivals. Returns 0 or ST_ENOMEM. */
int rates_model_merge(json_t *model, const rates_trace *tr, const rates_model *m,
                      const rates_info *in, double sessions_per_request, char *err);
/* Writes t_mid (seconds from the trace's start), observed (empty for a missing bin), fitted,
 * per second, one row per bin, atomically. Returns 0 or ST_EENV. */
int rates_write_fitted(const char *path, const rates_trace *tr, const rates_model *m, char *err);

#endif
