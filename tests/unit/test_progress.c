/*
 * test_progress.c -- unit tests of common/progress.c.
 *
 * The promise under test is silence: a stream that is not a terminal (a tmpfile) or a quiet
 * run gets zero bytes, whatever is called. The positive side uses a real pseudo-terminal
 * (posix_openpt) to check that a redraw is "\r" + text + "\033[K", that redraws inside the
 * rate limit are skipped unless forced, and that progress_done ends the line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"

static long file_size(FILE *f)
{
    fflush(f);
    fseek(f, 0, SEEK_END);
    return ftell(f);
}

static void test_not_a_tty(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    assert_non_null(f);
    progress p;
    progress_init(&p, f, 0);
    assert_int_equal(p.enabled, 0);
    for (int i = 0; i < 100; i++)
        progress_update(&p, 1, "row %d", i);
    progress_done(&p);
    assert_int_equal(file_size(f), 0);
    fclose(f);
}

/* Opens a pseudo-terminal pair; returns the slave as a FILE and the master fd in *mfd, or
 * NULL when the system has no ptys (the caller then skips). */
static FILE *open_pty(int *mfd)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0)
        return NULL;
    if (grantpt(m) != 0 || unlockpt(m) != 0) {
        close(m);
        return NULL;
    }
    const char *name = ptsname(m);
    FILE *s = name ? fopen(name, "w") : NULL;
    if (!s) {
        close(m);
        return NULL;
    }
    *mfd = m;
    return s;
}

/* Reads what is waiting on the master side (non-blocking). */
static size_t drain(int m, char *buf, size_t n)
{
    int fl = fcntl(m, F_GETFL);
    fcntl(m, F_SETFL, fl | O_NONBLOCK);
    size_t got = 0;
    for (int tries = 0; tries < 50 && got + 1 < n; tries++) {
        ssize_t r = read(m, buf + got, n - 1 - got);
        if (r > 0)
            got += (size_t)r;
        else
            usleep(2000);
    }
    buf[got] = '\0';
    return got;
}

static void test_quiet_tty(void **state)
{
    (void)state;
    int m = -1;
    FILE *s = open_pty(&m);
    if (!s)
        skip();
    progress p;
    progress_init(&p, s, 1);
    assert_int_equal(p.enabled, 0);
    progress_update(&p, 1, "hidden");
    progress_done(&p);
    fflush(s);
    char buf[256];
    assert_int_equal(drain(m, buf, sizeof buf), 0);
    fclose(s);
    close(m);
}

static void test_tty_redraw(void **state)
{
    (void)state;
    int m = -1;
    FILE *s = open_pty(&m);
    if (!s)
        skip();
    progress p;
    progress_init(&p, s, 0);
    assert_int_equal(p.enabled, 1);
    p.min_interval_ms = 60000; /* nothing unforced gets through after the first draw */
    progress_update(&p, 0, "step %d", 1);
    progress_update(&p, 0, "step %d", 2); /* inside the rate limit: skipped */
    progress_update(&p, 1, "step %d", 3); /* forced */
    progress_done(&p);
    progress_done(&p); /* the line is ended once */
    char buf[512];
    drain(m, buf, sizeof buf);
    /* The pty's output processing may turn "\n" into "\r\n". */
    const char *want1 = "\rstep 1\033[K\rstep 3\033[K\r\n";
    const char *want2 = "\rstep 1\033[K\rstep 3\033[K\n";
    if (strcmp(buf, want1) != 0 && strcmp(buf, want2) != 0) {
        print_error("unexpected tty output (%zu bytes)\n", strlen(buf));
        fail();
    }
    fclose(s);
    close(m);
}

static void test_done_without_draw(void **state)
{
    (void)state;
    int m = -1;
    FILE *s = open_pty(&m);
    if (!s)
        skip();
    progress p;
    progress_init(&p, s, 0);
    progress_done(&p); /* nothing drawn: no newline either */
    fflush(s);
    char buf[64];
    assert_int_equal(drain(m, buf, sizeof buf), 0);
    fclose(s);
    close(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_a_tty),
        cmocka_unit_test(test_quiet_tty),
        cmocka_unit_test(test_tty_redraw),
        cmocka_unit_test(test_done_without_draw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
