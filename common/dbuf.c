/*
 * dbuf.c -- capped growable byte buffer (see dbuf.h).
 *
 * Design: the allocation grows by doubling (starting at 64 bytes) but never beyond cap + 1,
 * the +1 being room for the terminating NUL. Every append first checks that the result fits
 * under the cap, then makes room, then copies; so a failing append, whether for the cap or for
 * memory, leaves p, len and the content exactly as they were.
 * Invariant: p == NULL implies len == 0 and alloc == 0; otherwise p[len] == '\0'.
 */
#include "dbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DBUF_MIN_ALLOC 64

void dbuf_init(dbuf *b, size_t cap)
{
    b->p = NULL;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap;
}

void dbuf_free(dbuf *b)
{
    size_t cap = b->cap;
    free(b->p);
    dbuf_init(b, cap);
}

void dbuf_reset(dbuf *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

/* Makes room for n more bytes plus the NUL. Returns 0, ST_ELIMIT (len + n > cap) or
 * ST_ENOMEM; on failure the buffer is unchanged. */
static int dbuf_reserve(dbuf *b, size_t n)
{
    if (n > b->cap || b->len > b->cap - n)
        return ST_ELIMIT;
    size_t need = b->len + n + 1;
    if (need <= b->alloc)
        return 0;
    size_t a = b->alloc ? b->alloc : DBUF_MIN_ALLOC;
    while (a < need)
        a = a > SIZE_MAX / 2 ? need : a * 2;
    /* Never allocate past what the cap can ever use. */
    if (b->cap < SIZE_MAX && a > b->cap + 1)
        a = b->cap + 1;
    char *np = realloc(b->p, a);
    if (!np)
        return ST_ENOMEM;
    b->p = np;
    b->alloc = a;
    return 0;
}

int dbuf_add(dbuf *b, const void *data, size_t n)
{
    int rc = dbuf_reserve(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

int dbuf_adds(dbuf *b, const char *s)
{
    return dbuf_add(b, s, strlen(s));
}

int dbuf_vprintf(dbuf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return ST_EINPUT;
    if ((size_t)n < sizeof small)
        return dbuf_add(b, small, (size_t)n);
    /* Longer output: reserve first so that vsnprintf writes straight into the buffer. */
    int rc = dbuf_reserve(b, (size_t)n);
    if (rc)
        return rc;
    va_copy(ap2, ap);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    b->len += (size_t)n;
    return 0;
}

int dbuf_printf(dbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = dbuf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

int dbuf_add_html(dbuf *b, const char *s)
{
    /* Compute the escaped length first so that the append is all-or-nothing. */
    size_t n = 0;
    for (const char *c = s; *c; c++) {
        switch (*c) {
        case '&': n += 5; break;  /* &amp; */
        case '<': n += 4; break;  /* &lt; */
        case '>': n += 4; break;  /* &gt; */
        case '"': n += 6; break;  /* &quot; */
        case '\'': n += 5; break; /* &#39; */
        default: n += 1; break;
        }
    }
    int rc = dbuf_reserve(b, n);
    if (rc)
        return rc;
    char *o = b->p + b->len;
    for (const char *c = s; *c; c++) {
        const char *rep = NULL;
        switch (*c) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: *o++ = *c; continue;
        }
        size_t rl = strlen(rep);
        memcpy(o, rep, rl);
        o += rl;
    }
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

char *dbuf_take(dbuf *b, size_t *len)
{
    char *p = b->len ? b->p : NULL;
    if (len)
        *len = p ? b->len : 0;
    if (!p)
        free(b->p);
    dbuf_init(b, b->cap);
    return p;
}
