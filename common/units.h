/*
 * units.h -- parsing and printing of durations, rates, factors, sizes and plain numbers.
 *
 * Parsers accept the whole string or fail with ST_EINPUT and a message quoting the input
 * (no trailing junk, no empty strings, no NaN/inf, no overflow). They replace atoi/strtol
 * at every call site.
 *   durations: "90s", "2m30s", "1h", "1h30m", "250ms", "500us", "1.5s", "3d"; a bare number is
 *              seconds. Units: d h m s ms us ns.
 *   rates:     "800/s", "50/m", "3000/h", "12/min", a bare number is per second.
 *   factors:   "1.5x", "150%", "1.5".
 *   sizes:     "64KiB", "1MiB", "2GiB", "10kB", "1MB", "512", "512B" (kB/MB/GB decimal).
 * Printers always NUL-terminate and return buf.
 */
#ifndef ST_UNITS_H
#define ST_UNITS_H

#include "st.h"

int units_parse_duration(const char *s, double *seconds, char *err);
int units_parse_rate(const char *s, double *per_sec, char *err);
int units_parse_factor(const char *s, double *factor, char *err);
int units_parse_size(const char *s, uint64_t *bytes, char *err);
int units_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out, char *err);
int units_parse_u64(const char *s, uint64_t *out, char *err);
int units_parse_double(const char *s, double *out, char *err);
/* "i/n" with 1 <= i <= n (used by --segment and --part). */
int units_parse_slice(const char *s, unsigned *i, unsigned *n, char *err);

/* "2m30s", "1.5s", "250ms", "12us" -- the shortest exact-enough form. */
char *units_fmt_duration(char *buf, size_t n, double seconds);
/* "1.2k/s", "800/s" */
char *units_fmt_rate(char *buf, size_t n, double per_sec);
/* "64.0KiB", "1.5MiB" */
char *units_fmt_size(char *buf, size_t n, uint64_t bytes);
/* "1,234,567" */
char *units_fmt_count(char *buf, size_t n, uint64_t v);

#endif
