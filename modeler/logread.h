/*
 * logread.h -- line reader over several log files: plain or gzip (zlib), "-" for stdin.
 *
 * Design: every input goes through zlib's gzread, which passes plain files through
 * unchanged, so .gz detection is by content, not by name. Lines are handed out as pointers
 * into one internal buffer (valid until the next call) without copying; a line longer than
 * the cap is reported once as too long and skipped up to its newline, so memory stays
 * bounded whatever the input. Line numbers are global across files (1-based) and the
 * current file's base name is available for messages.
 *
 * Ownership: logread_open copies nothing but the path pointers (the caller keeps argv alive);
 * logread_close releases everything; logread_close(NULL) is a no-op.
 */
#ifndef MODELER_LOGREAD_H
#define MODELER_LOGREAD_H

#include <stddef.h>
#include <stdint.h>
#include "st.h"

#define LOGREAD_MAX_LINE (64u * 1024u)

typedef struct logread logread;

/* Opens the first file immediately (so a missing file fails here, ST_EINPUT). NULL on
 * failure with err set. max_line 0 means LOGREAD_MAX_LINE. */
logread *logread_open(const char *const *paths, size_t npaths, size_t max_line, char *err);

/* Next line, without its newline (and without a trailing \r). Returns 1 with *line and *len
 * set, 0 at the end of all inputs, negative on a read error (err set). *too_long is set to
 * 1 for a line past the cap (then *len is the cap and the line is cut). */
int logread_next(logread *r, char **line, size_t *len, uint64_t *lineno, int *too_long, char *err);

/* The first lines, read ahead (at most max_lines, stopping once max_bytes are held) and
 * kept: the next logread_next calls hand the same lines out again, then go on. For
 * `--format auto`, which must see lines before any is consumed. Once per reader. The
 * arrays in *s stay valid until logread_close. Returns 0 or negative with err set. */
typedef struct logread_sample {
    const char *const *lines;
    const size_t *lens;
    const uint64_t *linenos;
    const int *too_long;
    size_t n;
} logread_sample;
int logread_peek(logread *r, size_t max_lines, size_t max_bytes, logread_sample *s, char *err);

uint64_t logread_bytes(const logread *r); /* uncompressed bytes consumed so far */
/* What was tolerated so far: byte-order marks skipped at file starts, lines holding NUL
 * bytes (passed on as they are: the format decides), lines that ended in CRLF. */
void logread_oddities(const logread *r, uint64_t *bom, uint64_t *nul_lines, uint64_t *crlf_lines);
void logread_close(logread *r);

#endif
