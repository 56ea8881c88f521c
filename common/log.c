/*
 * log.c -- stderr messages for the command layer (see log.h). Library code never calls this.
 */
#include "log.h"

#include <stdio.h>

int log_level = LOG_INFO;
static const char *log_tool = "stampede";

void log_set_tool(const char *name)
{
    if (name)
        log_tool = name;
}

static void log_v(int level, const char *tag, const char *fmt, va_list ap)
{
    if (log_level < level)
        return;
    fprintf(stderr, "%s: %s", log_tool, tag);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

#define LOG_FN(name, level, tag) \
    void name(const char *fmt, ...) \
    { \
        va_list ap; \
        va_start(ap, fmt); \
        log_v(level, tag, fmt, ap); \
        va_end(ap); \
    }

LOG_FN(log_error, LOG_ERROR, "error: ")
LOG_FN(log_warn, LOG_WARN, "warning: ")
LOG_FN(log_info, LOG_INFO, "")
LOG_FN(log_debug, LOG_DEBUG, "debug: ")
