/*
 * progress.c -- one redrawn status line on a terminal (see progress.h).
 *
 * Design: the decision to draw is taken once, at init: only a TTY that is not quieted gets
 * output, so a pipe or a log file never sees a carriage return. Each redraw is "\r", the
 * text, then "\033[K" (erase to end of line) so that a shorter line leaves no debris of a
 * longer one. Redraws are limited to one per min_interval_ms (default 100 ms) unless forced;
 * formatting is skipped entirely for suppressed updates, so calling progress_update in a hot
 * loop costs one clock read.
 */
#include "progress.h"

#include <unistd.h>

#define PROGRESS_DEFAULT_MS 100u
#define PROGRESS_LINE 512

void progress_init(progress *p, FILE *out, int quiet)
{
    p->out = out;
    p->drawn = 0;
    p->last_ns = 0;
    p->min_interval_ms = PROGRESS_DEFAULT_MS;
    p->enabled = 0;
    if (out && !quiet) {
        int fd = fileno(out);
        p->enabled = fd >= 0 && isatty(fd);
    }
}

/* The one formatter of both entry points: a bounded line handed to fn. */
static void progress_vsay(progress_fn fn, void *ud, const char *fmt, va_list ap)
{
    char line[PROGRESS_LINE];
    vsnprintf(line, sizeof line, fmt, ap);
    fn(ud, line);
}

/* Redraws the terminal line. A status line is best-effort: a failed write to the terminal
 * is not worth an error. */
static void progress_draw(void *ud, const char *line)
{
    progress *p = ud;
    fprintf(p->out, "\r%s\033[K", line);
    fflush(p->out);
}

void progress_update(progress *p, int force, const char *fmt, ...)
{
    if (!p->enabled)
        return;
    uint64_t now = st_now_ns();
    if (!force && p->drawn && now - p->last_ns < (uint64_t)p->min_interval_ms * 1000000u)
        return;
    va_list ap;
    va_start(ap, fmt);
    progress_vsay(progress_draw, p, fmt, ap);
    va_end(ap);
    p->drawn = 1;
    p->last_ns = now;
}

void progress_done(progress *p)
{
    if (!p->enabled || !p->drawn)
        return;
    fputc('\n', p->out);
    fflush(p->out);
    p->drawn = 0;
}

void progress_say(progress_fn fn, void *ud, const char *fmt, ...)
{
    if (!fn)
        return;
    va_list ap;
    va_start(ap, fmt);
    progress_vsay(fn, ud, fmt, ap);
    va_end(ap);
}
