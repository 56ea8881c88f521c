/*
 * reorder.h -- the bounded reorder buffer of the streaming pass: events come in roughly in
 * time order and leave in exact (ts, seq) order.
 *
 * Design: a log is almost sorted (a server writes a line when its response ends, so lines
 * are out of order by about a request's duration, and many share a second). An event not
 * earlier than the last one appended to a FIFO ring goes there, at O(1), and the ring
 * stays sorted; only an event that arrives earlier than that goes to a binary heap. The
 * next event out is the smaller of the ring's head and the heap's top. Keys (ts, seq) are
 * unique (seq is the input order), so the order out is exactly the order one heap would
 * give, whatever the split; on a sorted log the heap stays empty.
 *
 * Capacity: cap events in total; the caller pops before pushing past it (reorder_full).
 * Ownership: reorder_init allocates, reorder_term frees (safe on a zeroed struct).
 */
#ifndef MODELER_REORDER_H
#define MODELER_REORDER_H

#include <stddef.h>
#include <stdint.h>

typedef struct reorder_ev {
    double ts;
    uint64_t client;
    uint64_t item; /* hash of the first item parameter, 0 if none */
    uint32_t route;
    uint32_t seq; /* input order: equal times leave in the order read */
    uint16_t kind;
    uint8_t ua; /* enum ua_class */
} reorder_ev;

typedef struct reorder {
    reorder_ev *ring; /* sorted FIFO: [head, head + nring) modulo cap */
    size_t head, nring;
    reorder_ev *heap; /* late events, a binary min-heap */
    size_t nheap;
    size_t cap;
} reorder;

int reorder_init(reorder *r, size_t cap); /* 0 or ST_ENOMEM */
void reorder_term(reorder *r);

static inline size_t reorder_count(const reorder *r)
{
    return r->nring + r->nheap;
}

static inline int reorder_full(const reorder *r)
{
    return r->nring + r->nheap >= r->cap;
}

/* Adds one event; the buffer must not be full. */
void reorder_push(reorder *r, const reorder_ev *e);
/* The next event out, or NULL when empty; valid until the next push or pop. */
const reorder_ev *reorder_peek(const reorder *r);
/* Removes and returns the next event; the buffer must not be empty. */
reorder_ev reorder_pop(reorder *r);
/* The k-th event of the ring after its head, or NULL: what will most likely leave soon,
 * for prefetching the state it will touch. */
static inline const reorder_ev *reorder_ahead(const reorder *r, size_t k)
{
    if (k >= r->nring)
        return NULL;
    size_t i = r->head + k;
    return &r->ring[i >= r->cap ? i - r->cap : i];
}

#endif
