/*
 * tool_merge.c -- `replay merge RESULT.json... -o MERGED.json [--report MERGED.html]`: the
 * exact merge of segment results (replay/merge.h), thresholds measured again on the merged
 * data. Exit: 0 ok; 1 a threshold failed on the merged data; 2 bad usage, unreadable or
 * incompatible inputs (different scenarios, seeds, overlapping segments); 3 cannot write.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"
#include "log.h"
#include "merge.h"
#include "report.h"
#include "tools.h"

#define MERGE_MAX_INPUTS 4096

/* clang-format off */
static void usage(void)
{
    printf("usage: replay merge RESULT.json... -o MERGED.json [options]\n\n"
           "Merges the results of the segments of one run (replay run --segment i/n) exactly:\n"
           "counts add, histograms add bucket by bucket, per-second series align on wall-clock\n"
           "seconds, thresholds are measured again on the merged data. Refuses results of\n"
           "different scenarios, seeds or splits, and segments present twice; warns about\n"
           "missing segments.\n\n"
           "options:\n"
           "  -o, --output FILE     merged results JSON (required; atomic)\n"
           "  --report FILE         also write the HTML report of the merged results\n"
           "  --scenario FILE       scenario file for the report's flash-crowd shading\n"
           "                        (default: the path recorded in the results)\n"
           "  --json                print the merged results on stdout instead of the summary\n"
           "  -q, --quiet           print nothing but errors\n"
           "  -h, --help, --version\n\n"
           "exit: 0 ok, 1 a threshold failed on the merged data, 2 bad or incompatible input,\n"
           "3 cannot write\n\n"
           "examples:\n"
           "  replay merge seg-1.json seg-2.json seg-3.json seg-4.json -o merged.json\n"
           "  replay merge /results/run-7/seg-*.json -o merged.json --report merged.html\n"
           "  replay merge seg1.search.json seg2.search.json -o search.json --report search.html\n"
           "    (SEARCH files of 'replay search --segment i/n': each step merged, knee found again)\n");
}
/* clang-format on */

static void summary(const rr_result *r)
{
    hist *lat = hist_new();
    uint64_t done = 0;
    for (size_t i = 0; lat && i < r->m->n_routes; i++) {
        done += r->m->routes[i].done;
        for (int k = 0; k < MX_CLASSES; k++)
            if (r->m->routes[i].lat[k])
                hist_merge(lat, r->m->routes[i].lat[k]);
    }
    printf("replay merge: %s, seed %" PRIu64 ", %u of %u segments\n", r->sc->name, r->sc->seed,
           r->n_segs, r->p.seg_n);
    printf("  requests  %" PRIu64 " planned, %" PRIu64 " sent, %" PRIu64 " done, %" PRIu64
           " errors\n",
           r->m->requests_planned, metrics_total_sent(r->m), done, metrics_total_errors(r->m));
    if (lat)
        printf("  latency   p50 %.3f ms  p95 %.3f ms  p99 %.3f ms\n",
               (double)hist_percentile(lat, 50) / 1000, (double)hist_percentile(lat, 95) / 1000,
               (double)hist_percentile(lat, 99) / 1000);
    for (size_t i = 0; i < r->sc->n_thresholds; i++) {
        char v[64];
        printf("  %s %s   (measured %s)\n", r->thr_ok[i] ? "PASS" : "FAIL",
               r->sc->thresholds[i].expr,
               thr_fmt_value(&r->sc->thresholds[i], r->thr_values[i], v, sizeof v));
    }
    hist_free(lat);
}


int tool_merge(int argc, char **argv)
{
    const char *out = NULL, *report = NULL, *scen = NULL;
    const char **files = calloc((size_t)argc + 1, sizeof *files);
    rr_result *in = NULL, merged;
    size_t n = 0, nread = 0;
    int json = 0, quiet = 0, rc = ST_EXIT_OK, failed;
    char err[ST_ERRLEN];
    json_t *doc = NULL;
    memset(&merged, 0, sizeof merged);
    if (!files) {
        log_error("out of memory");
        return ST_EXIT_ENV;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage();
            free(files);
            return ST_EXIT_OK;
        } else if (!strcmp(a, "--version")) {
            printf("replay %s\n", ST_VERSION);
            free(files);
            return ST_EXIT_OK;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--report") ||
                   !strcmp(a, "--scenario")) {
            if (i + 1 >= argc) {
                log_error("merge: %s: expected a file name", a);
                free(files);
                return ST_EXIT_INPUT;
            }
            *(a[1] == 'o' || a[2] == 'o' ? &out : a[2] == 'r' ? &report : &scen) = argv[++i];
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
        } else if (a[0] == '-' && a[1]) {
            log_error("merge: %s: unknown option (try 'replay merge --help')", a);
            free(files);
            return ST_EXIT_INPUT;
        } else {
            files[n++] = a;
        }
    }
    if (quiet)
        log_level = LOG_ERROR; /* quiet drops the summary, never the error line */
    if (!n || !out) {
        log_error("merge: %s (try 'replay merge --help')",
                  !n ? "missing RESULT.json files" : "missing -o MERGED.json");
        free(files);
        return ST_EXIT_INPUT;
    }
    /* SEARCH files of a segmented `replay search` merge step by step (tool_search.c). */
    if (tool_search_is_search_file(files[0])) {
        rc = tool_merge_search(files, n, out, report, json, quiet);
        free(files);
        return rc;
    }
    if (n > MERGE_MAX_INPUTS || !(in = calloc(n, sizeof *in))) {
        log_error("merge: %s", n > MERGE_MAX_INPUTS ? "more than 4096 inputs" : "out of memory");
        free(files);
        return n > MERGE_MAX_INPUTS ? ST_EXIT_INPUT : ST_EXIT_ENV;
    }
    for (; nread < n; nread++)
        if ((rc = results_read_file(&in[nread], files[nread], err))) {
            log_error("merge: %s", err);
            rc = st_rc_exit(rc);
            goto out;
        }
    if ((rc = merge_results(&merged, in, n, err))) {
        log_error("merge: %s", err);
        rc = st_rc_exit(rc);
        goto out;
    }
    for (unsigned j = 0; j < merged.n_missing; j++)
        if (!j)
            log_warn("merge: %s", json_string_value(json_array_get(
                                      merged.warnings, json_array_size(merged.warnings) - 1)));
    failed = merge_measure(&merged);
    if (failed < 0 || !(doc = merge_build_doc(&merged))) {
        log_error("merge: out of memory");
        rc = ST_EXIT_ENV;
        goto out;
    }
    if (jsonio_save(out, doc, err)) {
        log_error("merge: %s", err);
        rc = ST_EXIT_ENV;
        goto out;
    }
    if (report && (rc = tool_report_write(&merged, scen, report, err))) {
        log_error("merge: %s", err);
        rc = ST_EXIT_ENV;
        goto out;
    }
    if (json)
        jsonio_save("-", doc, err);
    else if (!quiet)
        summary(&merged);
    rc = failed ? ST_EXIT_CHECK : ST_EXIT_OK;
out:
    json_decref(doc);
    results_read_term(&merged);
    for (size_t k = 0; k < nread; k++)
        results_read_term(&in[k]);
    free(in);
    free(files);
    return rc;
}
