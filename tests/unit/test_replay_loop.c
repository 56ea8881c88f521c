/*
 * test_replay_loop.c -- unit tests of replay/loop.c: timers fire in deadline order with
 * sub-millisecond precision, can be moved and cancelled, and a foreign descriptor (a pipe,
 * as ws.c's socket would be) is delivered; an idle descriptor that wakes is dropped quietly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <unistd.h>

#include "loop.h"

static int order[8], n_order;
static uint64_t fired_at[8];

static void on_timer(loop *l, void *arg)
{
    int id = (int)(intptr_t)arg;
    fired_at[n_order] = loop_now(l);
    order[n_order++] = id;
}

static int io_hits;
static void on_io(loop *l, int fd, unsigned ev, void *arg)
{
    (void)l;
    (void)arg;
    char c;
    assert_true(ev & LOOP_IN);
    assert_int_equal(read(fd, &c, 1), 1);
    io_hits++;
}

static void test_timers(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    loop *l = loop_new(8, err);
    loop_timer t[4];
    uint64_t now = st_now_ns();
    assert_non_null(l);
    for (int i = 0; i < 4; i++)
        loop_timer_init(&t[i], on_timer, (void *)(intptr_t)i);
    assert_int_equal(loop_timer_set(l, &t[0], now + 30000000), 0);
    assert_int_equal(loop_timer_set(l, &t[1], now + 10000000), 0);
    assert_int_equal(loop_timer_set(l, &t[2], now + 20000000), 0);
    assert_int_equal(loop_timer_set(l, &t[3], now + 5000000), 0);
    loop_timer_cancel(l, &t[3]);
    loop_timer_set(l, &t[0], now + 15000000); /* moved earlier */
    while (n_order < 3)
        assert_int_equal(loop_run_once(l, now + 1000000000), 0);
    assert_int_equal(order[0], 1);
    assert_int_equal(order[1], 0);
    assert_int_equal(order[2], 2);
    /* Fired no earlier than asked, and (on an idle machine) well within a millisecond. */
    assert_true(fired_at[0] >= now + 10000000);
    assert_true(fired_at[0] < now + 10000000 + 50000000);
    loop_free(l);
}

static void test_fds(void **state)
{
    (void)state;
    char err[ST_ERRLEN];
    int p[2];
    loop *l = loop_new(4, err);
    assert_non_null(l);
    assert_int_equal(pipe(p), 0);
    assert_int_equal(loop_watch(l, p[0], LOOP_IN, on_io, NULL, err), 0);
    assert_int_equal(write(p[1], "x", 1), 1);
    assert_int_equal(loop_run_once(l, st_now_ns() + 100000000), 0);
    assert_int_equal(io_hits, 1);
    /* Idle: still registered, events not delivered; the wake-up drops it. */
    loop_idle(l, p[0]);
    assert_int_equal(write(p[1], "y", 1), 1);
    assert_int_equal(loop_run_once(l, st_now_ns() + 20000000), 0);
    assert_int_equal(io_hits, 1);
    /* Watching again re-adds it and the pending byte is delivered. */
    assert_int_equal(loop_watch(l, p[0], LOOP_IN, on_io, NULL, err), 0);
    assert_int_equal(loop_run_once(l, st_now_ns() + 100000000), 0);
    assert_int_equal(io_hits, 2);
    close(p[0]);
    close(p[1]);
    loop_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timers),
        cmocka_unit_test(test_fds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
