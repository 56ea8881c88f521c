/*
 * report_why.h -- the "what happened" paragraph of the HTML report: a few factual sentences
 * computed from the numbers of one results file, never guessed.
 *
 * It states, in this order and only when the data shows it: which thresholds failed and by
 * how much; where the errors are (the dominant kind, the route with most of them); whether
 * the offered load fell short of the plan; how latency moved (p95 of the first third of the
 * seconds vs the last third, and the worst second); latency during the flash crowds vs
 * outside; what the database did at the worst second and over the run (lock waiters, active
 * backends, headroom reaching 0, idle-in-transaction, and the correlation of per-second p95
 * with db.active / db.waiting when it is strong); and whether the generator fell behind.
 * Private to report.c. Returns 0 or a dbuf error code.
 */
#ifndef RP_REPORT_WHY_H
#define RP_REPORT_WHY_H

#include "report.h"

int report_why(dbuf *b, const rr_result *r, const report_events *ev);

#endif
