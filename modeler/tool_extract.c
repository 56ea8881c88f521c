/*
 * tool_extract.c -- `modeler extract`: options, the pass (extract.c), the trace file, the
 * summary. The only place in extract that prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "afile.h"
#include "extract.h"
#include "log.h"
#include "logfmt.h"
#include "route.h"
#include "tools.h"
#include "units.h"

#define EXTRACT_MAX_FILES 4096

/* clang-format off */
static void extract_usage(FILE *f)
{
    fprintf(f,
            "usage: modeler extract LOG... -o TRACE.ndjson [options]\n"
            "\n"
            "Writes an access log as a replayable trace (docs/formats/trace.md): one line per\n"
            "request in time order with its offset, session (a stable rank, never the client\n"
            "address), method, route template and item ranks; WebSocket sessions with their open\n"
            "time and duration. `replay run --trace` sends it as it happened.\n"
            "\n"
            "options:\n"
            "  -o, --output FILE        trace file to write (required; '-' = stdout)\n"
            "  --format SPEC            log format, as for 'modeler fit' (default combined)\n"
            "  --time-format STRFTIME, --tz ZONE  times, as for 'modeler fit'\n"
            "  --from T, --to T         keep [from, to): a duration after the log's first line\n"
            "                           (10m, +1h) or an absolute time (2015-05-17T10:05:00Z,\n"
            "                           @1431857100); WebSockets still open at --to close\n"
           "                           there\n"
            "  --keep-paths             also write each raw path and query (\"p\"): raw ids and\n"
            "                           query values leave the log; off by default\n"
            "  --bots keep|drop         keep bot requests (default: a trace is verbatim) or drop\n"
            "  --session-timeout DUR    session timeout (default 30m, as 'fit')\n"
            "  --k-min N                write templates seen from fewer than N clients as\n"
            "                           {other} (default 5, as 'fit'; 1 keeps every template)\n"
            "  --json                   print the summary as JSON\n"
            "  --quiet                  print nothing but errors\n"
            "  -h, --help               this help\n"
            "\n"
            "examples:\n"
            "  modeler extract access.log -o friday.trace.ndjson --from 2026-11-27T18:00:00Z --to "
            "2026-11-27T19:00:00Z\n"
            "  modeler extract access.log.gz --from 10m --to 20m -o ten.ndjson\n"
            "  replay run shop.json --trace friday.trace.ndjson --speed 2 -o r.json\n");
}
/* clang-format on */

/* A --from/--to value: a duration after the first line, or an absolute time. */
static int parse_when(const char *v, double *t, int *rel, char *err)
{
    if (v[0] == '@') {
        char *end;
        double e = strtod(v + 1, &end);
        if (end == v + 1 || *end || !(e >= 0))
            return st_err(err, ST_EINPUT, "'%s': expected @EPOCH_SECONDS", v);
        *t = e;
        *rel = 0;
        return 0;
    }
    if (strchr(v, 'T') && strchr(v, '-') && v[0] != '+') {
        if (logfmt_time_iso8601(v, strlen(v), t) < 0)
            return st_err(err, ST_EINPUT,
                          "'%s': expected an ISO 8601 time like "
                          "2015-05-17T10:05:00Z",
                          v);
        *rel = 0;
        return 0;
    }
    if (units_parse_duration(v[0] == '+' ? v + 1 : v, t, err) < 0)
        return st_err(err, ST_EINPUT,
                      "'%s': expected a duration after the first line (10m) or "
                      "an absolute time (2015-05-17T10:05:00Z, @EPOCH)",
                      v);
    *rel = 1;
    return 0;
}

static int summary(const extract *x, const char *out, int json)
{
    double span = x->t_last - x->t0;
    uint64_t reqs = x->n - x->websockets;
    if (json) {
        printf("{\"output\":\"%s\",\"lines\":%llu,\"parsed\":%llu,\"malformed\":%llu,"
               "\"requests\":%llu,\"sessions\":%llu,\"websockets\":%llu,\"span_s\":%.3f,"
               "\"outside_window\":%llu,\"bots\":%llu,\"bots_dropped\":%llu,"
               "\"folded_requests\":%llu,\"websockets_clipped\":%llu}\n",
               out, (unsigned long long)x->lines, (unsigned long long)x->parsed,
               (unsigned long long)x->malformed, (unsigned long long)reqs,
               (unsigned long long)x->sessions, (unsigned long long)x->websockets, span,
               (unsigned long long)x->outside, (unsigned long long)x->bots,
               (unsigned long long)x->bot_dropped, (unsigned long long)x->folded_requests,
               (unsigned long long)x->ws_clipped);
        return 0;
    }
    char d[32];
    log_info("extract: %llu requests in %llu sessions, %llu WebSockets over %s -> %s",
             (unsigned long long)reqs, (unsigned long long)x->sessions,
             (unsigned long long)x->websockets, units_fmt_duration(d, sizeof d, span), out);
    if (x->malformed)
        log_warn("extract: %llu of %llu lines did not parse (first: line %llu, %s)",
                 (unsigned long long)x->malformed, (unsigned long long)x->lines,
                 (unsigned long long)x->first_bad_line, logfmt_reason_name(x->first_bad_reason));
    if (x->outside)
        log_info("extract: %llu lines outside --from/--to", (unsigned long long)x->outside);
    if (x->ws_clipped)
        log_info("extract: %llu WebSockets still open at --to end there",
                 (unsigned long long)x->ws_clipped);
    if (x->bots)
        log_info("extract: %llu bot requests %s (%.1f%%)", (unsigned long long)x->bots,
                 x->bot_dropped ? "dropped (--bots drop)" : "kept",
                 100.0 * (double)x->bots / (double)(x->parsed ? x->parsed : 1));
    if (x->folded_requests)
        log_warn("extract: %llu templates seen from fewer than %u clients written as {other} "
                 "(%llu requests, %.1f%%)",
                 (unsigned long long)x->folded_templates, x->o.k_min,
                 (unsigned long long)x->folded_requests,
                 100.0 * (double)x->folded_requests / (double)(x->n ? x->n : 1));
    if (x->o.keep_paths)
        log_warn("extract: --keep-paths: the trace holds raw paths and query strings");
    return 0;
}

/* Joins argv into the command line recorded in the trace header. */
static char *command_line(int argc, char **argv)
{
    size_t n = 16;
    for (int i = 0; i < argc; i++)
        n += strlen(argv[i]) + 1;
    char *s = malloc(n);
    if (!s)
        return NULL;
    size_t k = (size_t)snprintf(s, n, "modeler");
    for (int i = 0; i < argc && k < n; i++)
        k += (size_t)snprintf(s + k, n - k, " %s", argv[i]);
    return s;
}

static int write_trace(const extract *x, const char *out, const char *const *files, size_t nfiles,
                       const char *cmd, char *err)
{
    afile af;
    FILE *f = afile_open(&af, out, err);
    if (!f)
        return ST_EENV;
    if (extract_write(x, f, files, nfiles, cmd)) {
        afile_abort(&af);
        return st_err(err, ST_EENV, "%s: write failed", out);
    }
    return afile_commit(&af, err) < 0 ? ST_EENV : 0;
}

int tool_extract_main(int argc, char **argv)
{
    extract_opts o = {.timeout_s = 1800, .k_min = 5};
    const char *out = NULL;
    const char **files = calloc(argc > 0 ? (size_t)argc : 1, sizeof *files);
    size_t nfiles = 0;
    int json = 0, rc = ST_EXIT_INPUT;
    char err[ST_ERRLEN];
    if (!files) {
        log_error("out of memory");
        return ST_EXIT_ENV;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = !strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--format") ||
                    !strcmp(a, "--time-format") || !strcmp(a, "--tz") || !strcmp(a, "--from") ||
                    !strcmp(a, "--to") || !strcmp(a, "--bots") || !strcmp(a, "--session-timeout") ||
                    !strcmp(a, "--k-min");
        if (takes && !v) {
            log_error("%s: needs a value (try 'modeler extract --help')", a);
            goto done;
        }
        if (takes)
            i++;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            extract_usage(stdout);
            rc = ST_EXIT_OK;
            goto done;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            out = v;
        } else if (!strcmp(a, "--format")) {
            o.format = v;
        } else if (!strcmp(a, "--time-format") || !strcmp(a, "--tz")) {
            *(a[3] == 'i' ? &o.time_format : &o.tz) = v;
        } else if (!strcmp(a, "--from") || !strcmp(a, "--to")) {
            int from = a[2] == 'f';
            if (parse_when(v, from ? &o.from : &o.to, from ? &o.from_rel : &o.to_rel, err)) {
                log_error("%s: %s", a, err);
                goto done;
            }
            *(from ? &o.has_from : &o.has_to) = 1;
        } else if (!strcmp(a, "--bots")) {
            if (strcmp(v, "keep") && strcmp(v, "drop")) {
                log_error("--bots: expected keep or drop, not '%s'", v);
                goto done;
            }
            o.drop_bots = v[0] == 'd';
        } else if (!strcmp(a, "--session-timeout")) {
            if (units_parse_duration(v, &o.timeout_s, err) < 0 || !(o.timeout_s > 0)) {
                log_error("--session-timeout: %s", o.timeout_s <= 0 ? "must be positive" : err);
                goto done;
            }
        } else if (!strcmp(a, "--k-min")) {
            int64_t k;
            if (units_parse_i64(v, 1, 16, &k, err) < 0) {
                log_error("--k-min: %s", err);
                goto done;
            }
            o.k_min = k > 1 ? (unsigned)k : 0;
        } else if (!strcmp(a, "--keep-paths")) {
            o.keep_paths = 1;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            log_level = LOG_ERROR;
        } else if (a[0] == '-' && a[1]) {
            log_error("extract: unknown option '%s' (try 'modeler extract --help')", a);
            goto done;
        } else {
            files[nfiles++] = a;
        }
    }
    if (!nfiles || !out) {
        log_error("extract: %s (try 'modeler extract --help')",
                  !nfiles ? "no log files given" : "-o TRACE.ndjson is required");
        goto done;
    }
    if (o.has_from && o.has_to && o.from_rel == o.to_rel && o.to <= o.from) {
        log_error("--to: must be after --from");
        goto done;
    }
    extract x;
    progress pg;
    progress_init(&pg, stderr, log_level < LOG_INFO || json);
    int r = extract_run(&x, &o, files, nfiles, &pg, err);
    progress_done(&pg);
    char *cmd = r ? NULL : command_line(argc, argv);
    if (!r)
        r = write_trace(&x, out, files, nfiles, cmd, err);
    free(cmd);
    if (r) {
        log_error("%s", err);
        rc = st_rc_exit(r);
    } else {
        summary(&x, out, json);
        rc = ST_EXIT_OK;
    }
    extract_term(&x);
done:
    free(files);
    return rc;
}
