/*
 * thresholds.h -- pass/fail rules such as `p95(latency{route="/products/{id}"}) < 300ms` and
 * `rate(errors) < 1%` (grammar in docs/formats/scenario.md, "thresholds").
 *
 * thr_parse() compiles one expression at scenario load, so a typo is an exit-2 error before
 * any traffic. thr_eval() measures the expression on merged metrics and compares. Values are
 * kept in the metric's unit: microseconds for latency/service/lateness, a fraction for rates,
 * a plain number for counts.
 */
#ifndef RP_THRESHOLDS_H
#define RP_THRESHOLDS_H

#include "st.h"

enum thr_agg { THR_PCT = 0, THR_MEAN, THR_MAX, THR_RATE, THR_COUNT, THR_MIN };
/* Three kinds of metric: timed (a histogram in microseconds: pNN, mean, max, min), counted
 * (rate, count) and gauges (a per-second value or a probe sample: max, min, mean). */
enum thr_metric { THR_LATENCY = 0, THR_SERVICE, THR_LATENESS, THR_ERRORS, THR_CHECKS,
                  THR_DROPPED, THR_LATE, THR_REQUESTS,
                  THR_WS_HANDSHAKE, THR_WS_PUSH_DELAY,                    /* timed */
                  THR_WS_ERRORS, THR_WS_HS_FAILED, THR_WS_RECONNECTS, THR_WS_OPENED,
                  THR_WS_MSGS_IN, THR_WS_MSGS_OUT,                         /* counted */
                  THR_WS_OPEN, THR_DB,                                     /* gauges */
                  THR_NMETRICS };
enum thr_kind { THR_TIMED = 0, THR_COUNTED, THR_GAUGE };
enum thr_op { THR_LT = 0, THR_LE, THR_GT, THR_GE };

typedef struct thr {
    char expr[256];
    int abort;          /* also evaluated during the run */
    int agg, metric, op;
    double pct;         /* for THR_PCT */
    char route[256];    /* "" = all routes */
    int status_class;   /* 1..5, or 0 = any */
    double value;
    char db_name[48];   /* THR_DB: the probe metric ("db.waiting") */
} thr;

/* The kind of a metric (enum thr_kind). */
int thr_metric_kind(int metric);

/* Returns 0 or ST_EINPUT with "PATH: ..." naming what is wrong. */
int thr_parse(thr *t, const char *expr, const char *path, char *err);
/* 1 if `measured` satisfies the rule, else 0. */
int thr_compare(const thr *t, double measured);
/* Formats a measured value in the rule's unit ("312ms", "0.42%", "17"). */
char *thr_fmt_value(const thr *t, double v, char *buf, size_t n);

#endif
