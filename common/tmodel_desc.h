/*
 * tmodel_desc.h -- the descriptive side of the traffic model (docs/formats/traffic-model.md):
 * what `modeler diff` compares and `modeler report` draws (data quality, the arrival series,
 * goodness of fit, burst episodes, popularity points, the journey matrix, WebSocket
 * concurrency), read once into plain fields, next to the one reader (tmodel.h).
 *
 * Why a second struct: tmodel_load keeps what a load generator fires and refuses models it
 * cannot fire (no routes, a rate-trace-only model, a branching ratio >= 0.99), which diff and
 * report must still accept. tmodel_desc_read accepts exactly what tmodel_read_json accepts,
 * with the same field-path errors; tmodel_desc_from_json reads a tree already in memory (the
 * one `modeler fit --report` has just built) and validates nothing.
 *
 * Absence is kept, not defaulted, so that each reader of the struct decides what a missing
 * part means: a number that is absent or not a number is NAN; a string that is absent or not
 * a string is NULL; an absent array has n = 0; has_* says whether a key is present at all
 * where presence alone changes what is shown. Array elements follow json_number_value (0 for
 * an element that is missing or not a number; the validator refuses those in files).
 *
 * Ownership: both entry points fill a caller-owned struct; its strings point into the model
 * tree it holds a reference to. tmodel_desc_term releases everything (safe twice, and after
 * a failed read). Library code: nothing is printed.
 */
#ifndef ST_TMODEL_DESC_H
#define ST_TMODEL_DESC_H

#include <jansson.h>
#include <stddef.h>

#include "tmodel.h"

typedef struct tmd_vec {
    size_t n;
    double *v;
} tmd_vec;

/* A per-bin series: bin i covers [t0 + i * bin_s, t0 + (i + 1) * bin_s). */
typedef struct tmd_series {
    double t0, bin_s;
    tmd_vec rates;  /* per second of the bin (arrivals) or open count (WebSockets) */
    tmd_vec fitted; /* a rate-trace fit's expected rate per bin; n = 0 otherwise */
} tmd_series;

typedef struct tmd_param {
    const char *name;
    const char *dist;      /* popularity.dist */
    double s, n_est;       /* popularity.s, popularity.n_est */
    size_t n_points;       /* popularity.rank_shares */
    double *rank, *shares; /* n_points each */
} tmd_param;

typedef struct tmd_route {
    const char *template_, *kind, *method;
    double share, share_5xx;          /* share, status_mix.5xx */
    double bytes_median, assets_mean; /* bytes.median, assets.mean */
    size_t n_params;
    tmd_param *params;
} tmd_route;

typedef struct tmd_episode {
    double onset, duration_s, ramp_s, peak_rate, baseline_rate;
    int has_convergence;
    const char *conv_route; /* convergence.route */
    double top_k, top_k_share, hot_share, tv_from_baseline;
} tmd_episode;

typedef struct tmd_source {
    double lines, parsed, span_s, first_ts, last_ts;
    const char *format;
} tmd_source;

typedef struct tmd_arrivals {
    double session_rate, request_rate;
    const char *profile_kind;      /* profile.kind */
    tmd_vec multipliers;           /* profile.multipliers */
    double profile_median_rel_err; /* gof.profile_median_rel_err */
    size_t n_dispersion;
    double *disp_scale_s, *disp_index; /* dispersion[i].scale_s, .index */
    tmd_series series;
} tmd_arrivals;

typedef struct tmd_hawkes {
    int fitted; /* fitted is true */
    double branching_ratio, ci_lo, ci_hi, beta, events, ks_d, loglik, loglik_poisson;
    const char *refused;
} tmd_hawkes;

typedef struct tmd_bursts {
    int has_refused;
    const char *refused;
    size_t n_episodes;
    tmd_episode *episodes;
} tmd_bursts;

typedef struct tmd_think {
    const char *dist;
    double mu, sigma, shape, scale; /* params.* */
    double median_s, ks_d;          /* median_s, gof.ks_d */
    int has_note;
    const char *note;
    tmd_vec edges_s, density; /* hist.edges_s, hist.density */
} tmd_think;

typedef struct tmd_sessions {
    tmd_think think;
    double length_mean, duration_median; /* length.mean, duration.median */
    double static_attributed_share;      /* static_assets.attributed_share */
    int has_classes;                     /* client_classes present */
    double classes[TM_NCLASS];           /* client_classes.<tmodel_class_name> */
} tmd_sessions;

typedef struct tmd_websockets {
    const char *not_fitted;
    double count, share_of_sessions;
    const char *duration_dist;
    double duration_median_s, duration_p95_s;
    double conc_max, conc_mean; /* concurrency.max, .mean */
    tmd_series conc;            /* concurrency.series */
} tmd_websockets;

typedef struct tmd_quality {
    double lines, bot_share, malformed_total, out_of_order_share;
    int has_clients;
    double clients;
    int low_client_cardinality; /* low_client_cardinality is true */
    size_t n_findings;
    const char **findings;
    size_t n_ts_findings;
    const char **ts_finding_kinds; /* timestamp_findings[i].kind */
} tmd_quality;

typedef struct tmodel_desc {
    tmd_source source;
    double seed; /* generator.seed */
    tmd_arrivals arrivals;
    tmd_hawkes hawkes;
    tmd_bursts bursts;
    tmd_sessions sessions;
    size_t n_routes;
    tmd_route *routes;
    /* journeys.transitions as n_routes rows of n_routes + 1 (the last column is exit). */
    double *transitions;
    tmd_websockets websockets;
    tmd_quality quality;
    json_t *tree_; /* the model the strings point into (owned reference) */
} tmodel_desc;

/* Reads and validates PATH (tmodel_read_json). Returns 0, ST_EINPUT with err set as
 * tmodel_read_json sets it, or ST_ENOMEM. */
int tmodel_desc_read(tmodel_desc *d, const char *path, char *err);
/* Reads a tree already in memory, without validating it. Takes a reference to model.
 * Returns 0 or ST_ENOMEM with err set. */
int tmodel_desc_from_json(tmodel_desc *d, json_t *model, char *err);
void tmodel_desc_term(tmodel_desc *d);

/* The journey probability from route `from` to route `to` (to == n_routes: exit). */
static inline double tmodel_desc_trans(const tmodel_desc *d, size_t from, size_t to)
{
    return d->transitions[from * (d->n_routes + 1) + to];
}

#endif
