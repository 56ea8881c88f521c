/*
 * feeder.c -- loading a feeder CSV with libcsv (see feeder.h).
 */
#include "feeder.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbuf.h"

#define FEEDER_MAX_LINE 65536

typedef struct fstate {
    const char *column;
    long col;   /* index of the wanted column, -1 until the header is read */
    long field; /* field index within the current row */
    int header_done;
    int got; /* the wanted column was seen in this row */
    int rc;
    size_t line;
    dbuf arena;
    uint32_t *off;
    size_t n, cap;
    char *err;
    const char *path;
} fstate;

static void on_field(void *s, size_t len, void *data)
{
    fstate *st = data;
    const char *v = s ? s : "";
    if (st->rc)
        return;
    if (!st->header_done) {
        if (len == strlen(st->column) && !memcmp(v, st->column, len))
            st->col = st->field;
    } else if (st->field == st->col) {
        if (len == 0 || len > FEEDER_MAX_VALUE) {
            st->rc = st_err(st->err, ST_EINPUT,
                            "%s:%zu: column '%s': expected a value of 1..%d bytes", st->path,
                            st->line, st->column, FEEDER_MAX_VALUE);
            return;
        }
        if (st->n == st->cap) {
            size_t nc = st->cap ? st->cap * 2 : 1024;
            uint32_t *o = realloc(st->off, nc * sizeof *o);
            if (!o) {
                st->rc = st_err(st->err, ST_ENOMEM, "%s: out of memory", st->path);
                return;
            }
            st->off = o;
            st->cap = nc;
        }
        st->off[st->n] = (uint32_t)st->arena.len;
        if (dbuf_add(&st->arena, v, len) || dbuf_add(&st->arena, "", 1)) {
            st->rc = st_err(st->err, ST_ELIMIT, "%s: feeder too large", st->path);
            return;
        }
        st->n++;
        st->got = 1;
    }
    st->field++;
}

static void on_row(int c, void *data)
{
    fstate *st = data;
    if (st->rc)
        return;
    if (!st->header_done) {
        st->header_done = 1;
        if (st->col < 0)
            st->rc = st_err(st->err, ST_EINPUT, "%s:%zu: no column '%s' in the header", st->path,
                            st->line, st->column);
    } else if (!st->got) {
        st->rc = st_err(st->err, ST_EINPUT, "%s:%zu: row has no column '%s'", st->path, st->line,
                        st->column);
    } else if (st->n > FEEDER_MAX_ROWS) {
        st->rc = st_err(st->err, ST_ELIMIT, "%s: more than %u rows", st->path, FEEDER_MAX_ROWS);
    }
    st->field = 0;
    st->got = 0;
}

int feeder_load(feeder *f, const char *path, const char *column, char *err)
{
    struct csv_parser p;
    fstate st;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    FILE *in;
    memset(f, 0, sizeof *f);
    memset(&st, 0, sizeof st);
    st.column = column;
    st.col = -1;
    st.err = err;
    st.path = path;
    dbuf_init(&st.arena, (size_t)1 << 31);
    in = fopen(path, "r");
    if (!in)
        return st_err(err, ST_EINPUT, "%s: %s", path, strerror(errno));
    if (csv_init(&p, CSV_APPEND_NULL) != 0) {
        fclose(in);
        return st_err(err, ST_ENOMEM, "%s: csv_init failed", path);
    }
    while (!st.rc && (len = getline(&line, &lcap, in)) >= 0) {
        st.line++;
        /* libcsv grows its field buffer 128 bytes at a time (a copy each): a multi-megabyte
         * line would take quadratic time before on_field could refuse it. */
        if (len > FEEDER_MAX_LINE) {
            st.rc = st_err(err, ST_EINPUT, "%s:%zu: line longer than %d bytes", path, st.line,
                           FEEDER_MAX_LINE);
            break;
        }
        if (len > 0 && line[0] == '#')
            continue;
        if (csv_parse(&p, line, (size_t)len, on_field, on_row, &st) != (size_t)len && !st.rc)
            st.rc = st_err(err, ST_EINPUT, "%s:%zu: %s", path, st.line,
                           csv_strerror(csv_error(&p)));
    }
    if (!st.rc && ferror(in))
        st.rc = st_err(err, ST_EINPUT, "%s: read error", path);
    if (!st.rc)
        csv_fini(&p, on_field, on_row, &st);
    csv_free(&p);
    free(line);
    fclose(in);
    if (!st.rc && st.n == 0)
        st.rc = st_err(err, ST_EINPUT, "%s: no rows", path);
    if (st.rc) {
        dbuf_free(&st.arena);
        free(st.off);
        return st.rc;
    }
    f->arena = dbuf_take(&st.arena, NULL);
    f->off = st.off;
    f->n = st.n;
    return 0;
}

void feeder_term(feeder *f)
{
    free(f->arena);
    free(f->off);
    memset(f, 0, sizeof *f);
}

/* Renders pattern for one rank into out: {rank} is the decimal rank, {rank_hex} its 12
 * lowercase hex digits; anything else is copied. Returns the length, or -1 past cap. */
static int synth_value(const char *pat, uint64_t rank, char *out, size_t cap)
{
    size_t len = 0;
    for (const char *p = pat; *p;) {
        char num[24];
        const char *v = NULL;
        size_t vl = 1, skip = 1;
        if (!strncmp(p, "{rank}", 6)) {
            vl = (size_t)snprintf(num, sizeof num, "%llu", (unsigned long long)rank);
            v = num;
            skip = 6;
        } else if (!strncmp(p, "{rank_hex}", 10)) {
            vl = (size_t)snprintf(num, sizeof num, "%012llx", (unsigned long long)rank);
            v = num;
            skip = 10;
        } else {
            v = p;
        }
        if (len + vl + 1 > cap)
            return -1;
        memcpy(out + len, v, vl);
        len += vl;
        p += skip;
    }
    out[len] = 0;
    return (int)len;
}

int feeder_synth(feeder *f, uint64_t n, const char *pattern, char *err)
{
    char v[FEEDER_MAX_VALUE + 1];
    size_t total = 0;
    memset(f, 0, sizeof *f);
    if (n < 1 || n > FEEDER_SYNTH_MAX)
        return st_err(err, ST_EINPUT, "expected a count in 1..%u", FEEDER_SYNTH_MAX);
    int l = synth_value(pattern, n, v, sizeof v); /* the longest value: the largest rank */
    if (l < 0)
        return st_err(err, ST_EINPUT, "pattern: values longer than %d bytes", FEEDER_MAX_VALUE);
    total = (size_t)(l + 1) * n;
    f->arena = malloc(total);
    f->off = malloc(n * sizeof *f->off);
    if (!f->arena || !f->off) {
        feeder_term(f);
        return st_err(err, ST_ENOMEM, "out of memory");
    }
    size_t off = 0;
    for (uint64_t r = 1; r <= n; r++) {
        int k = synth_value(pattern, r, f->arena + off, total - off);
        f->off[r - 1] = (uint32_t)off;
        off += (size_t)k + 1;
    }
    f->n = n;
    return 0;
}
