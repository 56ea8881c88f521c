/*
 * lag.c -- the "generator fell behind" rule (see lag.h).
 *
 * Shares are compared as x * 100 > sent * pct: exact on whole counts (a double holds them
 * exactly below 2^53), so a count at the bar (1 late send of 100) is not past it.
 */
#include "lag.h"

#include "metrics.h"

const lag_bar lag_bar_live = {.dropped = 1, .late_min = 1};
const lag_bar lag_bar_run = {.late_pct = 1, .p99_us = MX_LATE_US};
const lag_bar lag_bar_report = {.dropped = 1, .late_pct = 1};
/* clang-format off */
const lag_bar lag_bar_search = {.throttled_pct = LAG_SEARCH_THROTTLED_PCT, .dropped = 1,
                                .late_pct = LAG_SEARCH_LATE_PCT, .late_min = LAG_SEARCH_LATE_MIN,
                                .p99_us = LAG_SEARCH_P99_US};
/* clang-format on */

lag_figures lag_of_metrics(const metrics *m)
{
    return (lag_figures){.sent = (double)metrics_total_sent(m),
                         .late = (double)m->late_sends,
                         .p99_us = (double)hist_percentile(m->lateness, 99),
                         .dropped = (double)m->sessions_dropped,
                         .throttled = (double)m->throttled};
}

enum lag_verdict lag_judge(const lag_figures *f, const lag_bar *bar)
{
    if (bar->throttled_pct > 0 && f->throttled > 0 &&
        f->throttled * 100 > f->sent * bar->throttled_pct)
        return LAG_THROTTLED;
    if (bar->dropped && f->dropped > 0)
        return LAG_DROPPED;
    if (f->sent > 0) {
        if ((bar->late_pct > 0 || bar->late_min > 0) && f->late * 100 > f->sent * bar->late_pct &&
            f->late >= bar->late_min)
            return LAG_LATE;
        if (bar->p99_us > 0 && f->p99_us > bar->p99_us)
            return LAG_LATE;
    }
    return LAG_NONE;
}
