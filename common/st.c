/*
 * st.c -- error-buffer formatting, rc-to-exit mapping and clocks (see st.h).
 */
#include "st.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

int st_grow(void **p, size_t *cap, size_t need, size_t sz, size_t max)
{
    if (need <= *cap)
        return 0;
    if (need > max || need > SIZE_MAX / sz)
        return ST_ELIMIT;
    size_t nc = *cap ? *cap : 4096;
    while (nc < need)
        nc = nc > SIZE_MAX / 2 ? need : nc * 2;
    if (nc > max)
        nc = max;
    if (nc > SIZE_MAX / sz)
        nc = need;
    void *np = realloc(*p, nc * sz);
    if (!np)
        return ST_ENOMEM;
    *p = np;
    *cap = nc;
    return 0;
}
