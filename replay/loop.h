/*
 * loop.h -- a small event loop: epoll for descriptors, a binary heap of caller-owned timers,
 * and one timerfd armed to the earliest deadline (microsecond precision, where epoll_wait's
 * own timeout only has milliseconds).
 *
 * Design (after Redis's ae.c, sized for libcurl's multi_socket API):
 *  - One loop per worker thread; nothing here is shared between threads.
 *  - Any descriptor can be watched: libcurl's sockets, a WebSocket client's socket (replay/ws.c
 *    exposes its fd, wanted events and next timeout exactly for this), a pipe.
 *  - "Idle" registration: loop_idle() keeps a descriptor in the epoll set while nobody wants
 *    its events, so a keep-alive socket that goes back to work costs no epoll_ctl at all (it
 *    saved ~15% CPU here with libcurl). If an idle descriptor reports an event (the peer
 *    closed it), the loop removes it then, lazily.
 *  - Timers are structs the caller embeds in its own objects: setting, moving and cancelling
 *    never allocate. The heap's capacity is fixed at creation.
 * Time is CLOCK_MONOTONIC nanoseconds (st_now_ns()).
 * Ownership: loop_new/loop_free; loop_free does not close watched descriptors.
 */
#ifndef RP_LOOP_H
#define RP_LOOP_H

#include "st.h"

enum { LOOP_IN = 1, LOOP_OUT = 2, LOOP_ERR = 4 };

typedef struct loop loop;
typedef void (*loop_io_fn)(loop *l, int fd, unsigned events, void *arg);
typedef void (*loop_timer_fn)(loop *l, void *arg);

typedef struct loop_timer {
    uint64_t when; /* monotonic ns */
    size_t slot;   /* heap position + 1; 0 = not armed */
    loop_timer_fn fn;
    void *arg;
} loop_timer;

/* max_timers bounds the number of armed timers. NULL with err set on failure. */
loop *loop_new(size_t max_timers, char *err);
void loop_free(loop *l);

/* Watches fd for `events` (LOOP_IN | LOOP_OUT), adding or modifying the registration only
 * when it changes. Returns 0 or ST_EENV (epoll_ctl failed; err set). */
int loop_watch(loop *l, int fd, unsigned events, loop_io_fn fn, void *arg, char *err);
/* Stops delivering events for fd but leaves it registered (see the note above). */
void loop_idle(loop *l, int fd);
/* Removes fd from the epoll set now. */
void loop_unwatch(loop *l, int fd);
/* fd is about to be closed: forget it (the kernel drops a closed fd from epoll itself). */
void loop_forget(loop *l, int fd);

void loop_timer_init(loop_timer *t, loop_timer_fn fn, void *arg);
/* Arms (or moves) t to fire at `when`. Returns ST_ELIMIT when the heap is full. */
int loop_timer_set(loop *l, loop_timer *t, uint64_t when);
void loop_timer_cancel(loop *l, loop_timer *t);

/* Waits for events or the earliest timer, but at most until `deadline` (monotonic ns), and
 * dispatches what is ready. Returns 0, or ST_EENV on an epoll failure other than EINTR. */
int loop_run_once(loop *l, uint64_t deadline);
/* The time sampled after the last wake-up (cheap "now" for callbacks). */
uint64_t loop_now(const loop *l);

#endif
