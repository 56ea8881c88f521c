/*
 * rates.h -- rate traces: reading a series of counts or rates per time bin (a per-minute
 * count export, a metrics system's query_range answer, a LIMBO/DLIM trace) and fitting from
 * it what a trace holds: the level, the hour-of-day or hour-of-week profile with a linear
 * trend, the dispersion about that profile at the bin scale and above, and burst episodes.
 *
 * Design. Reading collects (time, value) points, detects the bin width as the median gap
 * between distinct times, and places every point on a regular grid (points sharing a bin are
 * summed: several series, or several rows per minute). Bins with no point are "missing",
 * never zero: they are left out of every fit and counted. A line that cannot be read is
 * counted with its line number and field; the read goes on.
 *
 * The fit is multiplicative: expected(t) = level * profile[slot(t)] * (1 + trend * d(t)),
 * d(t) the days from the trace's mid time, with a burst episode's trapezoid (ramp, plateau,
 * decay) in place of it inside the episode. The profile kind (flat, hour_of_day,
 * hour_of_week, or hour of day x day of week, written as hour_of_week) is chosen by BIC on
 * log residuals, so a flat trace fits flat. Slot
 * multipliers are medians (bursts do not bend them), normalised to mean 1. Bursts are runs of
 * bins whose log residual is above 4 robust sigmas (MAD), widened while above 2; they are
 * left out and the profile refitted until the set of burst bins stops changing.
 *
 * Ownership: rates_trace_read fills a caller-owned rates_trace (rates_trace_term frees it);
 * rates_fit fills a caller-owned rates_model (rates_model_term frees it). Nothing here
 * prints.
 */
#ifndef MODELER_RATES_H
#define MODELER_RATES_H

#include <stddef.h>
#include <stdint.h>

#include "st.h"

enum { RATES_CSV, RATES_LIMBO, RATES_PROMETHEUS };

/* Reasons a line (or a sample) is not used. */
enum { RB_TIME, RB_VALUE, RB_FIELD, RB_LONG, RB_N };
extern const char *const rates_bad_names[RB_N];

#define RATES_FIRST_BAD 5
#define RATES_MAX_POINTS 20000000u /* points read; past it the read fails (ST_ELIMIT) */
#define RATES_MAX_BINS 10000000u   /* grid size; a finer or longer trace must be aggregated */
#define RATES_MAX_EPISODES 64      /* replay reads at most 64 (MODEL_MAX_EPISODES) */

typedef struct rates_spec {
    int kind;
    char time_col[64], value_col[64];
    int value_is_rate; /* csv rate=COL: per-second rates; count=COL: counts per bin */
    double unit_s;     /* limbo: the unit of t and of the rate (--rates-bin), default 1 s */
    double start;      /* limbo: epoch of t = 0 (--rates-start), default 0 */
    int start_given;
    char text[160]; /* the spec as given, for the model */
} rates_spec;

/* Parses "csv:time=COL,count=COL" / "csv:time=COL,rate=COL" / "limbo" / "prometheus".
 * Returns 0 or ST_EINPUT with err naming what is wrong. */
int rates_spec_parse(const char *s, rates_spec *sp, char *err);
/* Epoch seconds (above 1e11: milliseconds) or ISO 8601 (zone-less = UTC). 0 or -1. */
int rates_parse_time(const char *s, double *out);

typedef struct rates_trace {
    double t0; /* epoch of the start of bin 0 */
    double bin_s;
    size_t n;
    double *rate;        /* per second, per bin */
    unsigned char *have; /* 0: no point fell in the bin (missing, not zero) */
    int counts;          /* values were counts (dispersion is then exact) */
    uint64_t lines, points, summed, off_grid, missing, series;
    uint64_t bad[RB_N], bad_first[RB_N][RATES_FIRST_BAD];
    char bad_why[RB_N][120]; /* the first failure of each reason, "line 12: count: ..." */
    double bin_share;        /* share of gaps between distinct times equal to the bin */
} rates_trace;

/* Reads a trace file ("-" = stdin). Returns 0; ST_EINPUT (err: cannot open, not JSON, no
 * usable point: the caller exits 2), ST_ELIMIT or ST_ENOMEM. */
int rates_trace_read(const char *path, const rates_spec *sp, rates_trace *tr, char *err);
void rates_trace_term(rates_trace *tr);

typedef struct rates_episode {
    double onset; /* epoch of the first bin's start */
    double duration_s, ramp_s, decay_s;
    double peak_rate, baseline_rate; /* per second */
    double arrivals;                 /* sum over the episode of rate x bin */
} rates_episode;

typedef struct rates_model {
    double level;     /* mean rate per second (the profile and trend have mean 1) */
    int profile_kind; /* 0 flat, 1 hour_of_day, 2 hour_of_week */
    double profile[168];
    double trend_per_day, t_ref; /* trend relative to the level, centred on epoch t_ref */
    double bic[4];               /* flat, hour_of_day, hour_of_week, hour x day-of-week; HUGE_VAL
                                    when the trace cannot support the kind */
    int fit_kind;                /* the kind chosen (3 is written as hour_of_week) */
    size_t ndisp;
    double disp_scale[4], disp_index[4];
    rates_episode ep[RATES_MAX_EPISODES];
    size_t nep, ep_dropped;
    double *fitted; /* expected rate per bin, episodes included */
    size_t nfitted;
    double median_rel_err; /* |fitted - observed| / observed, over bins with observed > 0 */
    size_t nerr, zero_bins, burst_bins;
    int rounds;
} rates_model;

/* Fits tr. Returns 0, ST_EINPUT (fewer than 3 usable bins) or ST_ENOMEM. */
int rates_fit(const rates_trace *tr, rates_model *m, char *err);
void rates_model_term(rates_model *m);
/* The expected rate at epoch t without episodes (level x profile x trend). */
double rates_base(const rates_model *m, double t);
/* The hour-of-day or hour-of-week slot of epoch t (hour of week from Monday 00:00 UTC). */
size_t rates_slot(int kind, double t);

#endif
