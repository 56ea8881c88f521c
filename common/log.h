/*
 * log.h -- the command layer's voice on stderr.
 *
 * Only tool code (main.c, tool_*.c) calls these; library modules report through err buffers.
 * The level is one of the few permitted mutable globals, set once from --quiet / -v.
 * Messages are prefixed with the tool name: "datagen: error: ...".
 */
#ifndef ST_LOG_H
#define ST_LOG_H

#include "st.h"

enum log_level { LOG_QUIET = 0, LOG_ERROR = 1, LOG_WARN = 2, LOG_INFO = 3, LOG_DEBUG = 4 };

extern int log_level;                /* default LOG_INFO */
void log_set_tool(const char *name); /* pointer kept; pass a string literal */

void log_error(const char *fmt, ...) ST_PRINTF(1, 2); /* "tool: error: ..." */
void log_warn(const char *fmt, ...) ST_PRINTF(1, 2);  /* "tool: warning: ..." */
void log_info(const char *fmt, ...) ST_PRINTF(1, 2);  /* "tool: ..." unless quiet */
void log_debug(const char *fmt, ...) ST_PRINTF(1, 2);

#endif
