/*
 * progress.h -- one redrawn status line for long work.
 *
 * On a TTY, progress_update() redraws a single line (\r + clear) at most every
 * `min_interval_ms`; when the stream is not a TTY, or quiet is set, it prints nothing at all,
 * so logs and pipes stay clean. progress_done() ends the line if anything was drawn.
 * progress_say() is the library side: it formats a message for a caller's callback.
 * Not thread-safe: call from one thread.
 */
#ifndef ST_PROGRESS_H
#define ST_PROGRESS_H

#include <stdio.h>
#include "st.h"

typedef struct progress {
    FILE *out;
    int enabled;
    int drawn;
    uint64_t last_ns;
    unsigned min_interval_ms;
} progress;

void progress_init(progress *p, FILE *out, int quiet);
/* force=1 draws even inside the rate limit (e.g. the final state). */
void progress_update(progress *p, int force, const char *fmt, ...) ST_PRINTF(3, 4);
void progress_done(progress *p);

/* Progress from library code, which never prints: a message formatted into a bounded line
 * (512 bytes, longer ones cut) and handed to the caller's sink, which decides where it goes.
 * A NULL fn skips the formatting. */
typedef void (*progress_fn)(void *ud, const char *msg);
void progress_say(progress_fn fn, void *ud, const char *fmt, ...) ST_PRINTF(3, 4);

#endif
