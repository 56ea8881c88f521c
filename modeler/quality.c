/*
 * quality.c -- data-quality counters and findings (see quality.h).
 */
#include "quality.h"

#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int quality_init(quality *q, double reorder_window_s)
{
    memset(q, 0, sizeof *q);
    q->reorder_window_s = reorder_window_s;
    q->prev_ts = -1;
    q->last_sorted_ts = -1;
    q->constant_minute = -1;
    q->constant_second = -1;
    hll_init(&q->clients);
    q->client_heavy = ctab_new(4096);
    return q->client_heavy ? 0 : ST_ENOMEM;
}

void quality_term(quality *q)
{
    ctab_free(q->client_heavy);
    q->client_heavy = NULL;
}

void quality_bad(quality *q, int reason, uint64_t lineno)
{
    if (reason <= 0 || reason >= LF_NREASONS)
        reason = LF_BAD_FIELD;
    uint64_t k = q->bad[reason]++;
    if (k < QUALITY_FIRST_LINES)
        q->bad_first[reason][k] = lineno;
}

void quality_bad_at(quality *q, int reason, uint64_t lineno, const char *field, size_t column)
{
    quality_bad(q, reason, lineno);
    if (q->nfails >= QUALITY_FIRST_FAILS)
        return;
    quality_fail *f = &q->fails[q->nfails++];
    f->line = lineno;
    f->reason = reason;
    f->column = column + 1;
    snprintf(f->field, sizeof f->field, "%s", field ? field : "line");
}

void quality_line(quality *q, const logrec *r, uint64_t client_hash, int is_bot)
{
    q->parsed++;
    int64_t t = (int64_t)r->ts;
    q->minute[(t / 60) % 60]++;
    q->second[t % 60]++;
    q->subsec += r->ts_subsec != 0;
    if (q->prev_ts >= 0) {
        if (r->ts == q->prev_ts)
            q->dup_ts++;
        else if (r->ts < q->prev_ts)
            q->out_of_order++;
    }
    q->prev_ts = r->ts;
    hll_add(&q->clients, client_hash);
    /* The heaviest clients' share only needs a sample: one line in eight. */
    if ((q->parsed & 7) == 0)
        ctab_add(q->client_heavy, client_hash, 8);
    q->bot_requests += is_bot != 0;
}

void quality_sorted(quality *q, double ts)
{
    if (q->last_sorted_ts >= 0 && ts - q->last_sorted_ts >= 300 && q->ngaps < QUALITY_MAX_GAPS) {
        q->gaps[q->ngaps].start = q->last_sorted_ts;
        q->gaps[q->ngaps].duration = ts - q->last_sorted_ts;
        q->ngaps++;
    }
    if (ts > q->last_sorted_ts)
        q->last_sorted_ts = ts;
}

static void q_finding(quality *q, const char *fmt, ...) ST_PRINTF(2, 3);
static void q_finding(quality *q, const char *fmt, ...)
{
    if (q->nfindings >= QUALITY_MAX_FINDINGS) {
        /* Never silently: the last slot says how many more there were. */
        snprintf(q->findings[QUALITY_MAX_FINDINGS - 1], sizeof q->findings[0],
                 "... and %zu more findings not kept", ++q->dropped_findings + 1);
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q->findings[q->nfindings++], sizeof q->findings[0], fmt, ap);
    va_end(ap);
}

void quality_note(quality *q, const char *fmt, ...)
{
    if (q->nfindings >= QUALITY_MAX_FINDINGS) {
        snprintf(q->findings[QUALITY_MAX_FINDINGS - 1], sizeof q->findings[0],
                 "... and %zu more findings not kept", ++q->dropped_findings + 1);
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q->findings[q->nfindings++], sizeof q->findings[0], fmt, ap);
    va_end(ap);
}

void quality_finish(quality *q, double span_s)
{
    uint64_t n = q->parsed;
    q->clients_est = hll_estimate(&q->clients);
    if (n == 0) {
        q_finding(q, "no line could be parsed: check --format");
        return;
    }
    /* Gaps only count when they are long against the typical spacing (doc: > 10x median gap). */
    double mean_gap = span_s / (double)n;
    size_t k = 0;
    for (size_t i = 0; i < q->ngaps; i++)
        if (q->gaps[i].duration > 10 * mean_gap)
            q->gaps[k++] = q->gaps[i];
    q->ngaps = k;

    uint64_t best = 0;
    int bm = 0;
    for (int m = 0; m < 60; m++)
        if (q->minute[m] > best) {
            best = q->minute[m];
            bm = m;
        }
    double share = (double)best / (double)n;
    /* A constant minute-of-hour means the clock was quantised (or rewritten): with a span of
     * more than two hours and more than 100 lines this cannot happen by chance. */
    if (share >= 0.99 && n >= 100 && span_s > 7200) {
        q->constant_minute = bm;
        q->constant_minute_share = share;
        q_finding(q,
                  "timestamps quantised: %.1f%% of lines have minute %02d of the hour; "
                  "inter-arrival, Hawkes and burst fitting refused",
                  100 * share, bm);
    }
    best = 0;
    int bs = 0;
    for (int s = 0; s < 60; s++)
        if (q->second[s] > best) {
            best = q->second[s];
            bs = s;
        }
    if ((double)best / (double)n >= 0.99 && n >= 100 && span_s > 600) {
        q->constant_second = bs;
        q_finding(q, "timestamps quantised: every line has second %02d of the minute", bs);
    }
    q->second_resolution = q->subsec == 0;
    q->dup_share = (double)q->dup_ts / (double)n;

    uint64_t bad = 0;
    for (int r = 1; r < LF_NREASONS; r++)
        bad += q->bad[r];
    if (bad)
        q_finding(q, "%llu malformed lines (%.2f%%), see quality.malformed",
                  (unsigned long long)bad, 100.0 * (double)bad / (double)q->lines);

    if (q->bom || q->nul_lines || q->crlf_lines)
        q_finding(q,
                  "input: %llu UTF-8 byte-order marks skipped, %llu lines with NUL bytes, "
                  "%llu CRLF line ends",
                  (unsigned long long)q->bom, (unsigned long long)q->nul_lines,
                  (unsigned long long)q->crlf_lines);

    size_t nh = 0;
    ctab_entry *top = ctab_sorted(q->client_heavy, &nh);
    uint64_t topsum = 0;
    for (size_t i = 0; i < nh && i < 10; i++)
        topsum += top[i].count;
    free(top);
    q->top_client_share = (double)topsum / (double)n;
    q->low_client_cardinality = (q->clients_est < 50 && n >= 1000) || q->top_client_share > 0.5;
    if (q->low_client_cardinality)
        q_finding(q,
                  "low client cardinality: ~%.0f clients, the 10 heaviest send %.0f%% of "
                  "requests (NAT or proxy?): sessions may mix users",
                  q->clients_est, 100 * q->top_client_share);
    double bot = (double)q->bot_requests / (double)n;
    if (bot >= 0.01)
        q_finding(q,
                  "bots: %.1f%% of requests come from crawler/monitor user agents (excluded "
                  "from fits)",
                  100 * bot);
    double ooo = (double)q->out_of_order / (double)n;
    if (ooo >= 0.01)
        q_finding(q, "%.1f%% of lines are out of order (reorder window %.0f s, %llu too late)",
                  100 * ooo, q->reorder_window_s, (unsigned long long)q->too_late);
    double late = (double)q->too_late / (double)n;
    if (late >= 0.01)
        q_finding(q,
                  "%.1f%% of lines are older than the newest line by more than the reorder "
                  "window (%.0f s): files out of order? give them oldest first; time series, "
                  "Hawkes and bursts are unreliable",
                  100 * late, q->reorder_window_s);
    if (q->ngaps)
        q_finding(q, "%zu gaps with no lines (longest %.0f s)", q->ngaps, q->gaps[0].duration);
    /* Repeated timestamps are expected at high rates with whole seconds: flag only beyond
     * what a Poisson stream at the observed rate gives, 1 - (1 - e^-r) / r. */
    double lr = span_s > 0 ? (double)n / span_s : 0;
    double expect = lr > 0 ? 1 - (1 - exp(-lr)) / lr : 0;
    q->dup_expected = expect;
    if (q->dup_share > expect + 0.3 && q->constant_minute < 0)
        q_finding(q, "%.0f%% of lines repeat the previous line's timestamp", 100 * q->dup_share);
}

int quality_timing_unusable(const quality *q, char *why, size_t n)
{
    if (q->constant_minute >= 0) {
        snprintf(why, n, "timestamps quantised: every line has minute %02d", q->constant_minute);
        return 1;
    }
    if (q->constant_second >= 0) {
        snprintf(why, n, "timestamps quantised: every line has second %02d", q->constant_second);
        return 1;
    }
    if (q->parsed && (double)q->too_late / (double)q->parsed >= 0.05) {
        snprintf(why, n,
                 "%.0f%% of lines arrive later than the %.0f s reorder window (files out "
                 "of order?)",
                 100.0 * (double)q->too_late / (double)q->parsed, q->reorder_window_s);
        return 1;
    }
    return 0;
}
