/*
 * st.h -- conventions shared by every Stampede module.
 *
 * Errors: library functions return 0 on success and a negative value on failure, and write
 * one line of explanation (no trailing newline) into a caller-provided `char err[ST_ERRLEN]`.
 * Only the command layer (each tool's main.c / tool_*.c) prints or chooses an exit code.
 *
 * Exit codes are the same in all three tools:
 *   0 success; 1 a check the user asked for failed (threshold, drift, plan regression,
 *   fidelity); 2 bad usage or bad input; 3 the environment failed (connection, descriptors).
 */
#ifndef ST_H
#define ST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define ST_ERRLEN 256

enum st_exit {
    ST_EXIT_OK = 0,
    ST_EXIT_CHECK = 1,
    ST_EXIT_INPUT = 2,
    ST_EXIT_ENV = 3,
};

/* Library return codes (negative). ST_EINPUT maps to exit 2, ST_EENV to exit 3. */
enum st_rc {
    ST_OK = 0,
    ST_EINPUT = -2,
    ST_EENV = -3,
    ST_ENOMEM = -4,
    ST_ELIMIT = -5, /* a size cap was reached */
};

#ifndef ST_VERSION
#define ST_VERSION "0.0.0-dev"
#endif

#if defined(__GNUC__)
#define ST_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define ST_PRINTF(a, b)
#endif

/* Formats into err (ST_ERRLEN bytes, always NUL-terminated); err may be NULL. Returns rc so
 * that `return st_err(err, ST_EINPUT, "...")` reads naturally. */
int st_err(char *err, int rc, const char *fmt, ...) ST_PRINTF(3, 4);

/* Maps a library rc to an exit code (ST_EINPUT -> 2, everything else negative -> 3). */
int st_rc_exit(int rc);

/* Monotonic clock in nanoseconds, and wall clock in microseconds since the epoch. */
/* Grows the array *p of *cap elements of sz bytes to hold at least need, doubling from
 * 4096, never past max elements (SIZE_MAX: no limit). 0, ST_ELIMIT (need > max) or
 * ST_ENOMEM (*p and *cap unchanged). */
int st_grow(void **p, size_t *cap, size_t need, size_t sz, size_t max);

uint64_t st_now_ns(void);
uint64_t st_wall_us(void);

#endif
