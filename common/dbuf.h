/*
 * dbuf.h -- a growable byte buffer with a hard size cap (after curl's dynbuf).
 *
 * Every append either fits under the cap or fails with ST_ELIMIT and leaves the buffer as it
 * was. The content is always NUL-terminated (the terminator is not counted in len).
 * dbuf_init allocates nothing; dbuf_free releases and re-inits; dbuf_free on an inited but
 * unused buffer is a no-op.
 */
#ifndef ST_DBUF_H
#define ST_DBUF_H

#include "st.h"

typedef struct dbuf {
    char *p;
    size_t len;
    size_t alloc;
    size_t cap; /* maximum len */
} dbuf;

void dbuf_init(dbuf *b, size_t cap);
void dbuf_free(dbuf *b);
void dbuf_reset(dbuf *b);                          /* len = 0, keeps the allocation */
int dbuf_add(dbuf *b, const void *data, size_t n); /* 0, ST_ENOMEM or ST_ELIMIT */
int dbuf_adds(dbuf *b, const char *s);
int dbuf_printf(dbuf *b, const char *fmt, ...) ST_PRINTF(2, 3);
int dbuf_vprintf(dbuf *b, const char *fmt, va_list ap);
/* Appends s with &, <, >, ", ' escaped for HTML/XML text and attributes. */
int dbuf_add_html(dbuf *b, const char *s);
/* Detaches the content (caller frees); the buffer is re-inited. Returns NULL if empty. */
char *dbuf_take(dbuf *b, size_t *len);

#endif
