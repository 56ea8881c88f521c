/*
 * st.c -- error-buffer formatting, rc-to-exit mapping and clocks (see st.h).
 */
#include "st.h"

#include <stdio.h>
#include <time.h>

int st_err(char *err, int rc, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, ST_ERRLEN, fmt, ap);
        va_end(ap);
    }
    return rc;
}

int st_rc_exit(int rc)
{
    if (rc >= 0)
        return ST_EXIT_OK;
    if (rc == ST_EINPUT)
        return ST_EXIT_INPUT;
    return ST_EXIT_ENV;
}

uint64_t st_now_ns(void)
{
    struct timespec ts;
    /* CLOCK_MONOTONIC cannot fail on Linux with a valid pointer; 0 is a safe fallback. */
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t st_wall_us(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
