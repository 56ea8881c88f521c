/*
 * quality.h -- data-quality findings gathered during the streaming pass.
 *
 * Everything here is counters and fixed arrays: malformed lines by reason with their first
 * line numbers, minute-of-hour and second-of-minute histograms (the signature of quantised
 * timestamps), disorder, gaps, distinct clients (HyperLogLog over hashed addresses, never
 * the addresses), the heaviest clients' share (NAT/proxy) and the bot share.
 * quality_finish() turns the counters into findings; the model writer prints them.
 */
#ifndef MODELER_QUALITY_H
#define MODELER_QUALITY_H

#include <stdint.h>
#include "logfmt.h"
#include "sketch.h"

#define QUALITY_FIRST_LINES 5
#define QUALITY_MAX_GAPS 50
#define QUALITY_MAX_FINDINGS 32
#define QUALITY_FIRST_FAILS 10

/* Where one malformed line stopped parsing: what `quality.malformed.first` and stderr show. */
typedef struct quality_fail {
    uint64_t line;
    int reason;
    size_t column; /* 1-based byte column where parsing stopped */
    char field[40];
} quality_fail;

typedef struct quality_gap {
    double start, duration;
} quality_gap;

typedef struct quality {
    uint64_t lines, parsed;
    uint64_t bad[LF_NREASONS];
    uint64_t bad_first[LF_NREASONS][QUALITY_FIRST_LINES];
    quality_fail fails[QUALITY_FIRST_FAILS];
    size_t nfails;
    uint64_t bom, nul_lines, crlf_lines; /* input oddities: counted, never fatal */
    uint64_t minute[60], second[60];
    uint64_t subsec;       /* lines whose time had sub-second digits */
    uint64_t dup_ts;       /* same time as the previous line */
    uint64_t out_of_order; /* earlier than the previous line */
    uint64_t too_late;     /* later than the reorder window allowed */
    double reorder_window_s;
    double prev_ts, last_sorted_ts;
    quality_gap gaps[QUALITY_MAX_GAPS];
    size_t ngaps;
    uint64_t bot_requests;
    hll clients;
    ctab *client_heavy; /* hashed client -> requests (bounded) */
    /* Results of quality_finish. */
    int constant_minute; /* -1, or the minute-of-hour every line shares */
    double constant_minute_share;
    int constant_second;   /* -1, or the second every line shares */
    int second_resolution; /* no sub-second times */
    double dup_share, dup_expected;
    double clients_est;
    double top_client_share; /* share of the 10 heaviest clients */
    int low_client_cardinality;
    char findings[QUALITY_MAX_FINDINGS][200];
    size_t nfindings;
    size_t dropped_findings; /* past the cap; the last finding says how many */
} quality;

int quality_init(quality *q, double reorder_window_s); /* ST_ENOMEM on failure */
void quality_term(quality *q);
void quality_bad(quality *q, int reason, uint64_t lineno);
/* quality_bad plus where parsing stopped (column 0-based here, kept 1-based), for the first
 * QUALITY_FIRST_FAILS lines. */
void quality_bad_at(quality *q, int reason, uint64_t lineno, const char *field, size_t column);
/* A finding from outside the counters (format warnings, an assumed time zone). */
void quality_note(quality *q, const char *fmt, ...) ST_PRINTF(2, 3);
/* One parsed line in input order (before reordering). */
void quality_line(quality *q, const logrec *r, uint64_t client_hash, int is_bot);
/* One line in time order (after the reorder window). */
void quality_sorted(quality *q, double ts);
void quality_finish(quality *q, double span_s);
/* 1 when inter-arrival times cannot be trusted (quantised timestamps, or 5% or more of the
 * lines later than the reorder window); why is set. */
int quality_timing_unusable(const quality *q, char *why, size_t n);

#endif
