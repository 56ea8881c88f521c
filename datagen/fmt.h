/*
 * fmt.h -- rows as bytes: PostgreSQL COPY text format and CSV (libcsv quoting).
 *
 * Design: the loader reserves fmt_row_max() bytes and fmt_row() writes one complete row
 * (with its newline) straight into the caller's buffer, so the hot path has no allocation
 * and no per-field bounds checks. Values are converted to the column's SQL type here:
 * integers rounded, numeric(p,s) printed with s decimals, timestamps as ISO 8601 UTC, text
 * cut to varchar(n) on a UTF-8 boundary and escaped for the chosen format.
 * Text values longer than FMT_TEXT_CAP bytes are cut (a shape's widths are capped lower).
 */
#ifndef DG_FMT_H
#define DG_FMT_H

#include "gen.h"

#define FMT_TEXT_CAP (2 * SHAPE_MAX_WIDTH + 64)

enum fmt_mode { FMT_COPY_TEXT, FMT_CSV };

/* Upper bound of the bytes fmt_row writes for one row of table t. */
size_t fmt_row_max(const stable *t);

/* Writes the row at `key` into dst (room >= fmt_row_max); returns the bytes written. */
size_t fmt_row(gen_ctx *cx, int ti, uint64_t key, int mode, char *dst);

/* COPY BINARY (PostgreSQL protocol docs, "COPY file formats"): the 19-byte header, one
 * tuple per row (int16 field count, then int32 length + bytes per field, -1 for NULL), and
 * the int16 -1 trailer. Values follow each type's send/recv format: big-endian integers,
 * timestamps as microseconds since 2000-01-01, numeric as base-10000 digit groups. Rounding
 * matches the text format (timestamps to whole seconds, floats through their %.7g/%.15g
 * text), so a table has the same contents whichever format loaded it. */
#define FMT_BIN_HEADER_LEN 19
extern const char fmt_bin_header[FMT_BIN_HEADER_LEN];
/* 1 when every column of t has a binary encoding here (json/jsonb do not). */
int fmt_table_binary_ok(const stable *t);
/* Writes one binary tuple into dst (room >= fmt_row_max); returns the bytes written. */
size_t fmt_row_bin(gen_ctx *cx, int ti, uint64_t key, char *dst);
/* A number as float8/float4 reads back from its "%.15g"/"%.7g" text, computed without the
 * text: 1 and *out set for 1e-8 <= |x| < 1e15 (float: 1e-4 <= |x| < 1e7), zero and
 * non-finite (read as 0, as in the text); 0 otherwise. */
int fmt_bin_round8(double x, double *out);
int fmt_bin_round4(double x, float *out);

/* One value as SQL-literal-free text (no escaping), for hot-id CSVs and messages. Returns
 * the length written into dst (room >= 64 + FMT_TEXT_CAP). NULL gives "". */
size_t fmt_plain(const scol *c, const gval *v, char *dst);

/* The value as text before escaping; *out may point at v->s. Used by both formats. */
size_t fmt_value_text(const scol *c, const gval *v, char *tmp, const char **out);

#endif
