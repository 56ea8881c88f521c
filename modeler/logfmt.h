/*
 * logfmt.h -- access-log line tokenizer: Apache/nginx combined and common, any nginx
 * log_format string, Apache LogFormat strings, CSV/TSV with a column mapping (libcsv), JSON
 * lines with dotted paths, W3C extended (IIS, CloudFront), HAProxy httplog and AWS ALB, plus
 * named presets of these (logfmt_preset_at) and `auto` detection (ingest.c).
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
    double ts;     /* epoch seconds (UTC) */
    int ts_subsec; /* 1 when the source time had sub-second digits */
    const char *ip;
    size_t ip_len;
    const char *method;
    size_t method_len;
    const char *path; /* path and query, as logged */
    size_t path_len;
    const char *ua;
    size_t ua_len;
    int status;      /* 100..599 */
    int64_t bytes;   /* -1 when unknown */
    double req_time; /* seconds; -1 when the format has none */
} logrec;

typedef struct logfmt logfmt;

/* logfmt_parse's answer for a line that is not a request but a directive of the format
 * (a W3C "#Fields:" or "#Version:" line): not malformed, not a request. */
#define LF_DIRECTIVE (-1)

/* A named preset: what `modeler formats` prints and `auto` tries, in this order. */
typedef struct logfmt_preset {
    const char *name;
    const char *spec;  /* what --format takes; the name itself for built-in parsers */
    const char *about; /* one line: who writes it, what is read as the request time */
} logfmt_preset;
const logfmt_preset *logfmt_preset_at(size_t i); /* NULL past the last */

/* spec: "combined", "common", an nginx log_format string containing '$', "apache:LOGFORMAT",
 * "csv:FIELD=COLUMN,..." / "tsv:..." where FIELD is one of time, ip, method, path, request,
 * status, bytes, ua, request_time and COLUMN a header name or a 1-based column number,
 * "json:FIELD=PATH,...", "w3c", "haproxy", "alb", or a preset name (logfmt_preset_at).
 * Returns NULL with err set (ST_EINPUT) on a bad spec. Free with logfmt_free. */
logfmt *logfmt_new(const char *spec, char *err);
void logfmt_free(logfmt *f);
const char *logfmt_name(const logfmt *f); /* "combined", "apache", "json", "w3c", ... */
int logfmt_has_request_time(const logfmt *f);
/* --time-format (strftime, may be NULL) for every time field, and --tz (IANA name from
 * /usr/share/zoneinfo or TZDIR, "UTC", or +hh:mm; may be NULL) for times without a zone.
 * Returns 0 or ST_EINPUT with err set. */
int logfmt_set_time(logfmt *f, const char *time_format, const char *tz, char *err);
const char *logfmt_warning(const logfmt *f); /* compile warning (unknown directives) or NULL */
uint64_t logfmt_zoneless(const logfmt *f);   /* lines whose time had no zone */
const char *logfmt_tz_name(const logfmt *f); /* the --tz given, or NULL (UTC assumed) */
/* After a failed parse: the 0-based byte column where parsing stopped and the field. */
size_t logfmt_fail_col(const logfmt *f);
const char *logfmt_fail_field(const logfmt *f);

/* CSV/TSV with header names: feed the first line here; returns 1 if it was consumed as the
 * header, 0 if the format needs none, negative with err set if a mapped column is missing. */
int logfmt_header(logfmt *f, const char *line, size_t len, char *err);

/* Parses one line (not NUL-terminated) into *r. Returns LF_OK, a reason, or LF_DIRECTIVE. */
int logfmt_parse(logfmt *f, const char *line, size_t len, logrec *r);

/* `--format auto` (fmt_auto.c): every preset is tried on the sample lines; the best one
 * wins if it parses at least LOGFMT_AUTO_SHARE of them (directive lines not counted). A
 * preset earlier in the table (stricter: more fields) wins over a better one when it is
 * within LOGFMT_AUTO_SLACK of it: combined at 99.5% beats common at 100%. */
#define LOGFMT_AUTO_SAMPLE 2000
#define LOGFMT_AUTO_SHARE 0.95
#define LOGFMT_AUTO_TOP 3
#define LOGFMT_AUTO_SLACK 0.01
typedef struct logfmt_candidate {
    const char *name; /* the preset's name (static) */
    size_t order;     /* its place in the preset table */
    double share;     /* parsed / tried */
    uint64_t parsed, tried;
    uint64_t first_bad_line; /* 0 when every line parsed */
    int reason;
    size_t column; /* 1-based byte column where that line stopped */
    char field[40];
} logfmt_candidate;
typedef struct logfmt_detection {
    logfmt_candidate best[LOGFMT_AUTO_TOP]; /* best first */
    size_t nbest, sample;
} logfmt_detection;
/* Empty lines and lines flagged in too_long (may be NULL) are not tried.
 * Returns the chosen format (free with logfmt_free), with --time-format/--tz applied, or
 * NULL with err set (ST_EINPUT) and det filled so the caller can list the candidates. */
logfmt *logfmt_detect(const char *const *lines, const size_t *lens, const uint64_t *linenos,
                      const int *too_long, size_t n, const char *time_format, const char *tz,
                      logfmt_detection *det, char *err);

/* Time helpers, exposed for tests and the CSV path. Return 0 or -1. */
int logfmt_time_local(const char *s, size_t n, double *ts);   /* 17/May/2015:10:05:03 +0000 */
int logfmt_time_iso8601(const char *s, size_t n, double *ts); /* 2015-05-17T10:05:03+00:00 */
int64_t logfmt_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
