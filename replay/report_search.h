/*
 * report_search.h -- SEARCH.html, the page of a capacity search (`replay search --report`, and
 * `replay merge --report` of segments' SEARCH files): one self-contained file, inline SVG from
 * common/svg.h, no script.
 *
 * Contents, all from the SEARCH document: the knee (highest pass, lowest fail, the thresholds
 * that broke first, the degradation verdict, the failing step's "what happened"); charts with
 * the scale on the x axis and the knee shaded: latency p50/p95/p99, error rate by class, the
 * database's connections, active backends and lock waiters (maxima per step, or a line saying
 * there was no --db-probe), and achieved vs planned requests per second; and the steps table,
 * <table id="steps"> with one <tr data-scale data-verdict> per step, each linking to the
 * step's own HTML report (the path relative to the page when both sit in one directory).
 *
 * Library code: nothing prints; errors go to err.
 */
#ifndef RP_REPORT_SEARCH_H
#define RP_REPORT_SEARCH_H

#include <jansson.h>

#include "dbuf.h"

/* Appends the page to out. Returns 0, ST_ENOMEM or ST_ELIMIT. */
int report_search_html(const json_t *doc, const char *search_path, const char *page_path,
                       dbuf *out);
/* The page into a file, atomically. search_path is where SEARCH.json is (for the links).
 * Returns 0 or ST_EENV / ST_ENOMEM / ST_ELIMIT with err set. */
int search_report_write(const json_t *doc, const char *search_path, const char *page_path,
                        char *err);

#endif
