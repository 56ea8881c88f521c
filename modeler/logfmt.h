/*
 * logfmt.h -- access-log line tokenizer: Apache/nginx combined and common, any nginx
 * log_format string, and CSV/TSV with a column mapping (libcsv).
 *
 * Design: a format is compiled once into a list of literals and variables. Parsing walks
 * the line with memchr/memcmp only: each variable ends where the next literal begins, so a
 * line costs one scan and no allocation. Fields are returned as (pointer, length) slices of
 * the caller's line (CSV fields point into the parser's own row buffer); nothing is copied
 * for nginx-style formats, so a logrec is valid only until the next parse.
 *
 * The built-in `combined` and `common` formats also accept one extra trailing number, read
 * as $request_time (the common "combined + request_time" nginx setup).
 *
 * Failure reasons are counted by the caller (quality.h); a line never crashes the parser.
 */
#ifndef MODELER_LOGFMT_H
#define MODELER_LOGFMT_H

#include <stddef.h>
#include <stdint.h>
#include "st.h"

enum logfmt_reason {
    LF_OK = 0,
    LF_BAD_TIME,
    LF_BAD_REQUEST,
    LF_BAD_STATUS,
    LF_TRUNCATED,
    LF_TOO_LONG,
    LF_BAD_FIELD,
    LF_NREASONS
};
const char *logfmt_reason_name(int reason); /* "bad_time", ... */

typedef struct logrec {
    double ts;          /* epoch seconds (UTC) */
    int ts_subsec;      /* 1 when the source time had sub-second digits */
    const char *ip;
    size_t ip_len;
    const char *method;
    size_t method_len;
    const char *path;   /* path and query, as logged */
    size_t path_len;
    const char *ua;
    size_t ua_len;
    int status;         /* 100..599 */
    int64_t bytes;      /* -1 when unknown */
    double req_time;    /* seconds; -1 when the format has none */
} logrec;

typedef struct logfmt logfmt;

/* spec: "combined", "common", an nginx log_format string containing '$', or
 * "csv:FIELD=COLUMN,..." / "tsv:..." where FIELD is one of time, ip, method, path, request,
 * status, bytes, ua, request_time and COLUMN a header name or a 1-based column number.
 * Returns NULL with err set (ST_EINPUT) on a bad spec. Free with logfmt_free. */
logfmt *logfmt_new(const char *spec, char *err);
void logfmt_free(logfmt *f);
const char *logfmt_name(const logfmt *f); /* "combined", "common", "nginx", "csv", "tsv" */
int logfmt_has_request_time(const logfmt *f);

/* CSV/TSV with header names: feed the first line here; returns 1 if it was consumed as the
 * header, 0 if the format needs none, negative with err set if a mapped column is missing. */
int logfmt_header(logfmt *f, const char *line, size_t len, char *err);

/* Parses one line (not NUL-terminated) into *r. Returns LF_OK or a reason. */
int logfmt_parse(logfmt *f, const char *line, size_t len, logrec *r);

/* Time helpers, exposed for tests and the CSV path. Return 0 or -1. */
int logfmt_time_local(const char *s, size_t n, double *ts);   /* 17/May/2015:10:05:03 +0000 */
int logfmt_time_iso8601(const char *s, size_t n, double *ts); /* 2015-05-17T10:05:03+00:00 */
int64_t logfmt_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
