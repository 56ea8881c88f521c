/*
 * reorder.c -- a sorted FIFO ring with a heap beside it for late events (see reorder.h).
 */
#include "reorder.h"

#include <stdlib.h>
#include <string.h>

#include "st.h"

int reorder_init(reorder *r, size_t cap)
{
    memset(r, 0, sizeof *r);
    r->ring = malloc(cap * sizeof *r->ring);
    r->heap = malloc(cap * sizeof *r->heap);
    if (!r->ring || !r->heap) {
        reorder_term(r);
        return ST_ENOMEM;
    }
    r->cap = cap;
    return 0;
}

void reorder_term(reorder *r)
{
    free(r->ring);
    free(r->heap);
    memset(r, 0, sizeof *r);
}

static int ev_less(const reorder_ev *a, const reorder_ev *b)
{
    if (a->ts != b->ts)
        return a->ts < b->ts;
    /* The buffer holds far fewer than 2^31 events, so the wrapped difference orders them. */
    return (int32_t)(a->seq - b->seq) < 0;
}

static reorder_ev *ring_at(const reorder *r, size_t k)
{
    size_t i = r->head + k;
    return &r->ring[i >= r->cap ? i - r->cap : i];
}

static void heap_push(reorder *r, const reorder_ev *e)
{
    size_t i = r->nheap++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!ev_less(e, &r->heap[p]))
            break;
        r->heap[i] = r->heap[p];
        i = p;
    }
    r->heap[i] = *e;
}

static reorder_ev heap_pop(reorder *r)
{
    reorder_ev top = r->heap[0];
    reorder_ev last = r->heap[--r->nheap];
    size_t i = 0, n = r->nheap;
    for (;;) {
        size_t l = 2 * i + 1, rt = l + 1, m = i;
        const reorder_ev *mv = &last;
        if (l < n && ev_less(&r->heap[l], mv)) {
            m = l;
            mv = &r->heap[l];
        }
        if (rt < n && ev_less(&r->heap[rt], mv))
            m = rt;
        if (m == i)
            break;
        r->heap[i] = r->heap[m];
        i = m;
    }
    if (n)
        r->heap[i] = last;
    return top;
}

void reorder_push(reorder *r, const reorder_ev *e)
{
    if (r->nring == 0 || !ev_less(e, ring_at(r, r->nring - 1))) {
        *ring_at(r, r->nring) = *e;
        r->nring++;
    } else {
        heap_push(r, e);
    }
}

const reorder_ev *reorder_peek(const reorder *r)
{
    if (r->nheap == 0)
        return r->nring ? ring_at(r, 0) : NULL;
    if (r->nring == 0 || ev_less(&r->heap[0], ring_at(r, 0)))
        return &r->heap[0];
    return ring_at(r, 0);
}

reorder_ev reorder_pop(reorder *r)
{
    if (r->nheap && (r->nring == 0 || ev_less(&r->heap[0], ring_at(r, 0))))
        return heap_pop(r);
    reorder_ev e = *ring_at(r, 0);
    r->head = r->head + 1 == r->cap ? 0 : r->head + 1;
    r->nring--;
    return e;
}
