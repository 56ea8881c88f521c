/*
 * thresholds.h -- pass/fail rules such as `p95(latency{route="/products/{id}"}) < 300ms` and
 * `rate(errors) < 1%` (grammar in docs/formats/scenario.md, "thresholds").
 *
 * thr_parse() compiles one expression at scenario load, so a typo is an exit-2 error before
 * any traffic. thr_eval() is the one place a rule is measured and judged: `replay run` (at
 * the end and in the live abort check) and `replay merge` call it with a thr_src saying
 * where the values come from. Values are kept in the metric's unit: microseconds for
 * latency/service/lateness, a fraction for rates, a plain number for counts.
 *
 * db.* rules read the PostgreSQL probe: a running or stopped probe in `run`, the results'
 * `db` section in `merge`. A segment of a many-machine run without the probe (only one
 * segment probes, docs/deploy/) cannot judge them: it marks them THR_DEFERRED, and the
 * merge, which has the probing segment's `db` section, judges them.
 */
#ifndef RP_THRESHOLDS_H
#define RP_THRESHOLDS_H

#include <jansson.h>

#include "st.h"

enum thr_agg { THR_PCT = 0, THR_MEAN, THR_MAX, THR_RATE, THR_COUNT, THR_MIN };
/* Three kinds of metric: timed (a histogram in microseconds: pNN, mean, max, min), counted
 * (rate, count) and gauges (a per-second value or a probe sample: max, min, mean). */
enum thr_metric {
    THR_LATENCY = 0,
    THR_SERVICE,
    THR_LATENESS,
    THR_ERRORS,
    THR_CHECKS,
    THR_DROPPED,
    THR_LATE,
    THR_REQUESTS,
    THR_WS_HANDSHAKE,
    THR_WS_PUSH_DELAY, /* timed */
    THR_WS_ERRORS,
    THR_WS_HS_FAILED,
    THR_WS_RECONNECTS,
    THR_WS_OPENED,
    THR_WS_MSGS_IN,
    THR_WS_MSGS_OUT, /* counted */
    THR_WS_OPEN,
    THR_DB, /* gauges */
    THR_NMETRICS
};
enum thr_kind { THR_TIMED = 0, THR_COUNTED, THR_GAUGE };
enum thr_op { THR_LT = 0, THR_LE, THR_GT, THR_GE };

typedef struct thr {
    char expr[256];
    int abort; /* also evaluated during the run */
    int agg, metric, op;
    double pct;       /* for THR_PCT */
    char route[256];  /* "" = all routes */
    int status_class; /* 1..5, or 0 = any */
    double value;
    char db_name[48]; /* THR_DB: the probe metric ("db.waiting") */
} thr;

/* The kind of a metric (enum thr_kind). */
int thr_metric_kind(int metric);

/* Returns 0 or ST_EINPUT with "PATH: ..." naming what is wrong. */
int thr_parse(thr *t, const char *expr, const char *path, char *err);
/* 1 if `measured` satisfies the rule, else 0. */
int thr_compare(const thr *t, double measured);
/* What thr_eval() returns. */
enum thr_verdict {
    THR_FAILED = 0,
    THR_PASSED = 1,
    THR_DEFERRED = -1, /* a db.* rule left to the probing segment and merge */
    THR_NOVALUE = -2
}; /* live only: the rule cannot be measured (yet) */

struct metrics;
struct rp_live;
struct probe;

/* Where thr_eval() reads values. Final evaluation (run's end, merge): m (with the route
 * names, index = route id) and, for db.*, pr or db; a rule with no value there fails, as a
 * rule nobody could check must not pass. Live evaluation: live instead of m; a rule with no
 * live value yet is THR_NOVALUE. defer_db: db.* rules are THR_DEFERRED (value NAN). */
typedef struct thr_src {
    const struct metrics *m;
    const char *const *route_names;
    struct rp_live *live;
    const struct probe *pr;
    const json_t *db;
    int defer_db;
} thr_src;

/* Measures t from src into *value (NAN when there is none) and returns an enum thr_verdict. */
int thr_eval(const thr *t, const thr_src *src, double *value);
/* thr_eval() over n rules, values[i] and verdicts[i] per rule; returns how many failed. */
size_t thr_eval_all(const thr *ts, size_t n, const thr_src *src, double *values, int *verdicts);

/* Formats a measured value in the rule's unit ("312ms", "0.42%", "17"). */
char *thr_fmt_value(const thr *t, double v, char *buf, size_t n);

#endif
