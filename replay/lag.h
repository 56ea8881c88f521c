/*
 * lag.h -- the one rule for "the generator fell behind": whether replay itself offered the
 * load the plan asked for. A run that fell behind measured a lighter load than planned, so
 * `replay run` warns, the report says so, and `replay search` calls the step inconclusive
 * (never the system's failure).
 *
 * The callers read the same figures (lag_figures) with different bars (lag_bar), on purpose:
 * the live progress line flags any late send or dropped session as it happens; run's
 * end-of-run warning wants over 1% of sends late, or p99 lateness over MX_LATE_US; the
 * report's sentence adds dropped sessions and leaves p99 out; search, which
 * throws a step's verdict away when it fires, asks for more (LAG_SEARCH_*): a few tens of
 * milliseconds of lateness on a busy generator leave the offered rate per second as planned,
 * and latency is measured from the intended send time anyway. The numbers live here and
 * nowhere else.
 *
 * Pure functions over plain numbers: nothing prints; the callers word the verdict.
 */
#ifndef RP_LAG_H
#define RP_LAG_H

/* What the generator did against its plan. Counts are doubles so that a results document's
 * JSON numbers and the engine's counters go in alike. */
typedef struct lag_figures {
    double sent;      /* requests sent */
    double late;      /* of those, sent more than MX_LATE_US after their intended time */
    double p99_us;    /* p99 send lateness, microseconds */
    double dropped;   /* sessions dropped at the session cap (sessions.max_active) */
    double throttled; /* requests held back by --max-rps / limits.max_rps */
} lag_figures;

/* A bar: how much of each figure is too much. A test whose field is 0 is not made. */
typedef struct lag_bar {
    double throttled_pct; /* throttled * 100 > sent * throttled_pct (and throttled > 0) */
    int dropped;          /* 1: any dropped session counts */
    double late_pct;      /* late * 100 > sent * late_pct ... */
    double late_min;      /* ... and late >= late_min (the test is made when either is > 0) */
    double p99_us;        /* p99_us > this */
} lag_bar;

/* search's bar (see above): 5% of the sends late (at least 10 of them: fewer is noise in a
 * short step), or p99 send lateness over 100 ms; 1% of the requests throttled; any dropped
 * session. */
#define LAG_SEARCH_LATE_PCT 5.0
#define LAG_SEARCH_LATE_MIN 10.0
#define LAG_SEARCH_P99_US 100000.0
#define LAG_SEARCH_THROTTLED_PCT 1.0

extern const lag_bar lag_bar_live;   /* the live line's "ENGINE BEHIND" */
extern const lag_bar lag_bar_run;    /* run's "engine fell behind" warning on late sends */
extern const lag_bar lag_bar_report; /* the report's "The generator fell behind" sentence */
extern const lag_bar lag_bar_search; /* a search step made inconclusive */

/* Which test fired first, in this order; LAG_NONE when the generator kept up. */
enum lag_verdict { LAG_NONE = 0, LAG_THROTTLED, LAG_DROPPED, LAG_LATE };

struct metrics;
/* The figures of a run's (or a merge's) metrics. */
lag_figures lag_of_metrics(const struct metrics *m);

/* Judges f against bar. The late tests need sent > 0 (nothing sent, nothing late). */
enum lag_verdict lag_judge(const lag_figures *f, const lag_bar *bar);

#endif
