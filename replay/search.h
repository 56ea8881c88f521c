/*
 * search.h -- the capacity search of `replay search` (docs/replay.md "search"): the rules that
 * turn a sequence of rehearsals at increasing --scale into a knee, and the SEARCH.json
 * document that keeps them (docs/formats/search.md).
 *
 * Design: the tool layer (tool_search.c) runs the rehearsals; this module only decides. It
 * says which scale comes next (the grid from --from by --step up to --to, then bisection
 * between the highest pass and the lowest fail until they are --precision apart), judges one
 * step from its results document (pass, fail, or inconclusive when the generator could not
 * offer the planned load: that is never the system's failure), and computes the knee from the
 * steps of a document: the highest scale that passed below the lowest that failed, the
 * thresholds that broke there, the report's "what happened" for the failing step, and the
 * degradation between the two (graceful, or a cascade when p95 or the error rate jumps by
 * more than the cascade factor).
 *
 * Invariants: the knee is a function of the steps array alone, so a merged search (the steps
 * of n segments merged scale by scale, search_merge) is judged by the same code as a live one.
 * When a scale appears more than once (an inconclusive step re-run), its last entry counts.
 *
 * Library code: nothing prints. Errors are one line in err (ST_ERRLEN). Ownership: every
 * json_t returned is a new reference the caller decrefs; inputs are borrowed unless a
 * comment says "stolen".
 */
#ifndef RP_SEARCH_H
#define RP_SEARCH_H

#include <jansson.h>
#include <stddef.h>

#include "st.h"
#include "formats.h"

#define SEARCH_MAX_STEPS 256
#define SEARCH_FORMAT ST_FMT_SEARCH

/* A step's verdict, in the order the documents name them (search_verdict_names). */
enum search_verdict { SV_PASS = 0, SV_FAIL, SV_INCONCLUSIVE, SV_N };
extern const char *const search_verdict_names[SV_N];

typedef struct search_cfg {
    double from, to, step; /* scales (1.0 = the scenario's rate); step > 0 is added */
    double precision;      /* bisection stops when pass and fail are this close */
    int bisect;
    double hold, warmup; /* seconds: each step's measured duration, and the warm-up run */
    double require;      /* the scale the knee must reach for exit 0 */
    double cooldown;     /* seconds between steps when settling by time; < 0: by the probe */
    double cascade;      /* a jump larger than this factor is a cascade (default 3) */
} search_cfg;

/* The scale of grid step k (0-based): min(from + k * step, to), rounded to 1e-6; 0 when step k
 * is past --to. */
double search_grid_scale(const search_cfg *c, unsigned k);
/* The next bisection scale between the highest pass hp and the lowest fail lf, or 0 when they
 * are within the precision (hp < 0: nothing passed; bisection does not go below --from). */
double search_bisect_next(const search_cfg *c, double hp, double lf);

/* Whether the generator offered the planned load, from a results document, by lag.h's
 * lag_bar_search: more than 5% of the sends later than 10 ms (at least 10 of them), a p99
 * send lateness above 100 ms, more than 1% of the requests held by --max-rps, or sessions
 * dropped at the session cap. Returns 1 and a sentence in why when it fell behind, else 0. */
int search_generator_behind(const json_t *res, char *why, size_t n);
/* The verdict of one step: SV_INCONCLUSIVE when the generator fell behind (why says how) or
 * the run was interrupted, else SV_FAIL when a threshold failed or the run was aborted, else
 * SV_PASS. */
int search_judge(const json_t *res, char *why, size_t n);

/* A new SEARCH document without steps. NULL on ENOMEM. */
json_t *search_doc_new(const search_cfg *c, const char *settle, const json_t *first_results);
/* Appends a step. `results` is stolen (may be NULL when the run wrote none); `settle` is
 * borrowed (may be NULL). Returns 0 or ST_ENOMEM. */
int search_add_step(json_t *doc, double scale, const char *phase, unsigned attempt, int verdict,
                    const char *why, int exit_code, const char *results_file,
                    const char *warmup_file, const json_t *settle, json_t *results);
/* The latest verdict recorded for each distinct scale, ascending: hp is the highest pass below
 * the lowest fail (-1 if none), lf the lowest fail (-1 if none), inc the lowest inconclusive
 * scale (-1 if none). */
void search_bounds(const json_t *doc, double *hp, double *lf, double *inc);
/* (Re)computes doc.knee from doc.steps and doc.settings, and doc.stopped (a string the caller
 * chose, or NULL to keep it). Returns 0 or ST_ENOMEM. */
int search_finish(json_t *doc, const char *stopped);
/* The exit code the knee means: 0 when the highest pass is at or above --require; 1 when a
 * failing step put the knee below it; 3 when below it nothing failed but the generator could
 * not offer the load (inconclusive). */
int search_exit_code(const json_t *doc);

/* Reads doc as a SEARCH document and checks its shape (format, version, settings, steps with
 * results). Returns 0 or ST_EINPUT naming the field path, prefixed with `name`. */
int search_check(const json_t *doc, const char *name, char *err);
/* The merge of n segments' SEARCH documents (`replay merge`): steps are matched by scale, each
 * scale's results merged exactly (merge.h) and judged again, and the knee computed from the
 * merged steps. Scales missing from some segments are listed in the merged warnings. Returns
 * 0 with *out set, ST_EINPUT (incompatible inputs; err names the files) or ST_ENOMEM. */
int search_merge(json_t **out, json_t *const *in, const char *const *names, size_t n, char *err);

/* Per-step figures for tables and charts, from a step object of the document. */
typedef struct search_row {
    double scale;
    int verdict;
    double planned_rps, sent_rps, done_rps;
    double p50_ms, p95_ms, p99_ms;
    double err_rate;     /* errors / completed requests */
    double err_class[6]; /* per class of counts.errors, as rates of completed requests */
    double db_conn, db_active, db_waiting; /* maxima from the probe, NAN without one */
    int has_db;
} search_row;
extern const char *const search_err_class_names[6];
/* Fills row from step. Returns 0, or 1 when the step has no results. */
int search_row_of(const json_t *step, search_row *row);

#endif
