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

/* One value as SQL-literal-free text (no escaping), for hot-id CSVs and messages. Returns
 * the length written into dst (room >= 64 + FMT_TEXT_CAP). NULL gives "". */
size_t fmt_plain(const scol *c, const gval *v, char *dst);

#endif
