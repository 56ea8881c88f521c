/*
 * logread.c -- buffered line reading over gzip/plain files and stdin (see logread.h).
 *
 * The buffer holds [start, end) of unread bytes. A line is found with memchr; when none is
 * complete, the unread tail moves to the front and more is read. A line that does not fit
 * in max_line is cut, flagged, and the rest up to the newline is discarded in a skip mode.
 */
#include "logread.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define LOGREAD_CHUNK (1u << 20)

struct logread {
    const char *const *paths;
    size_t npaths, cur;
    gzFile gz;
    char *buf;
    size_t cap, start, end;
    size_t max_line;
    int eof;      /* current file fully read */
    int skipping; /* discarding the rest of a too-long line */
    uint64_t lineno, bytes;
    int at_file_start; /* the next line is a file's first: a UTF-8 BOM may open it */
    uint64_t bom, nul_lines, crlf_lines;
    /* logread_peek's copies, handed out again before any new line. */
    char *sbuf;
    const char **sline;
    size_t *slen;
    uint64_t *sno;
    int *stl;
    size_t sn, snext;
};

static int logread_open_cur(logread *r, char *err)
{
    const char *p = r->paths[r->cur];
    if (strcmp(p, "-") == 0) {
        int fd = dup(0);
        r->gz = fd >= 0 ? gzdopen(fd, "rb") : NULL;
        if (!r->gz && fd >= 0)
            close(fd);
    } else {
        r->gz = gzopen(p, "rb");
    }
    if (!r->gz) {
        int e = errno;
        return st_err(err, e == ENOENT || e == EISDIR || e == EACCES ? ST_EINPUT : ST_EENV,
                      "%s: cannot open: %s", p, e ? strerror(e) : "out of memory");
    }
    gzbuffer(r->gz, 256u * 1024u);
    r->eof = 0;
    r->at_file_start = 1;
    return 0;
}

logread *logread_open(const char *const *paths, size_t npaths, size_t max_line, char *err)
{
    if (npaths == 0) {
        st_err(err, ST_EINPUT, "no log files given");
        return NULL;
    }
    logread *r = calloc(1, sizeof *r);
    if (!r) {
        st_err(err, ST_ENOMEM, "out of memory");
        return NULL;
    }
    r->paths = paths;
    r->npaths = npaths;
    r->max_line = max_line ? max_line : LOGREAD_MAX_LINE;
    r->cap = LOGREAD_CHUNK + r->max_line + 1;
    r->buf = malloc(r->cap);
    if (!r->buf) {
        free(r);
        st_err(err, ST_ENOMEM, "out of memory");
        return NULL;
    }
    /* Check every file up front so that a typo in the third file fails before a long pass. */
    for (size_t i = 1; i < npaths; i++) {
        if (strcmp(paths[i], "-") != 0 && access(paths[i], R_OK) != 0) {
            st_err(err, ST_EINPUT, "%s: cannot open: %s", paths[i], strerror(errno));
            logread_close(r);
            return NULL;
        }
    }
    if (logread_open_cur(r, err) < 0) {
        logread_close(r);
        return NULL;
    }
    return r;
}

/* Reads more bytes into the buffer; returns bytes read, 0 at EOF of the current file, <0. */
static int logread_fill(logread *r, char *err)
{
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    size_t room = r->cap - 1 - r->end;
    if (room > LOGREAD_CHUNK)
        room = LOGREAD_CHUNK;
    int n = gzread(r->gz, r->buf + r->end, (unsigned)room);
    if (n < 0) {
        int zerr;
        const char *m = gzerror(r->gz, &zerr);
        return st_err(err, ST_EINPUT, "%s: read error: %s", r->paths[r->cur], m);
    }
    r->end += (size_t)n;
    r->bytes += (uint64_t)n;
    return n;
}

static int lr_next_raw(logread *r, char **line, size_t *len, uint64_t *lineno, int *too_long,
                       char *err)
{
    for (;;) {
        if (!r->gz)
            return 0;
        char *s = r->buf + r->start;
        size_t avail = r->end - r->start;
        char *nl = avail ? memchr(s, '\n', avail) : NULL;
        if (r->skipping) {
            if (nl) {
                r->start += (size_t)(nl - s) + 1;
                r->skipping = 0;
                continue;
            }
            r->start = r->end;
            if (r->eof) {
                r->skipping = 0;
                continue;
            }
            int n = logread_fill(r, err);
            if (n < 0)
                return n;
            if (n == 0)
                r->eof = 1;
            continue;
        }
        size_t l = nl ? (size_t)(nl - s) : avail;
        if (nl || (r->eof && avail > 0) || avail >= r->max_line) {
            int tl = 0;
            if (l >= r->max_line) {
                l = r->max_line;
                tl = 1;
                /* The rest of this line is discarded, up to and including its newline. */
                if (nl && (size_t)(nl - s) == l) {
                    r->start += l + 1;
                } else {
                    r->start += l;
                    r->skipping = 1;
                }
            } else {
                r->start += l + (nl ? 1 : 0);
            }
            if (l > 0 && s[l - 1] == '\r' && !tl) {
                l--;
                r->crlf_lines++;
            }
            /* Editors and Windows exports open files with a BOM; it is not part of a field. */
            if (r->at_file_start && l >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
                s += 3;
                l -= 3;
                r->bom++;
            }
            r->at_file_start = 0;
            if (memchr(s, 0, l))
                r->nul_lines++;
            r->lineno++;
            *line = s;
            *len = l;
            *lineno = r->lineno;
            *too_long = tl;
            return 1;
        }
        if (!r->eof) {
            int n = logread_fill(r, err);
            if (n < 0)
                return n;
            if (n == 0)
                r->eof = 1;
            continue;
        }
        /* End of this file: move to the next. */
        gzclose(r->gz);
        r->gz = NULL;
        r->start = r->end = 0;
        if (++r->cur >= r->npaths)
            return 0;
        int rc = logread_open_cur(r, err);
        if (rc < 0)
            return rc;
    }
}

int logread_next(logread *r, char **line, size_t *len, uint64_t *lineno, int *too_long, char *err)
{
    if (r->snext < r->sn) {
        size_t i = r->snext++;
        *line = (char *)r->sline[i];
        *len = r->slen[i];
        *lineno = r->sno[i];
        *too_long = r->stl[i];
        return 1;
    }
    return lr_next_raw(r, line, len, lineno, too_long, err);
}

int logread_peek(logread *r, size_t max_lines, size_t max_bytes, logread_sample *s, char *err)
{
    memset(s, 0, sizeof *s);
    if (r->sbuf)
        return st_err(err, ST_EINPUT, "logread_peek: called twice");
    /* Room for max_bytes plus one whole line, so the line that crosses the cap is kept. */
    r->sbuf = malloc(max_bytes + r->max_line + 1);
    r->sline = malloc(max_lines * sizeof *r->sline);
    r->slen = malloc(max_lines * sizeof *r->slen);
    r->sno = malloc(max_lines * sizeof *r->sno);
    r->stl = malloc(max_lines * sizeof *r->stl);
    if (!r->sbuf || !r->sline || !r->slen || !r->sno || !r->stl)
        return st_err(err, ST_ENOMEM, "out of memory");
    size_t used = 0;
    char *line;
    size_t len;
    uint64_t no;
    int tl, rc = 0;
    while (r->sn < max_lines && used < max_bytes &&
           (rc = lr_next_raw(r, &line, &len, &no, &tl, err)) > 0) {
        memcpy(r->sbuf + used, line, len);
        r->sline[r->sn] = r->sbuf + used;
        r->slen[r->sn] = len;
        r->sno[r->sn] = no;
        r->stl[r->sn] = tl;
        r->sn++;
        used += len;
    }
    if (rc < 0)
        return rc;
    s->lines = r->sline;
    s->lens = r->slen;
    s->linenos = r->sno;
    s->too_long = r->stl;
    s->n = r->sn;
    return 0;
}

uint64_t logread_bytes(const logread *r)
{
    return r->bytes;
}

void logread_oddities(const logread *r, uint64_t *bom, uint64_t *nul_lines, uint64_t *crlf_lines)
{
    *bom = r->bom;
    *nul_lines = r->nul_lines;
    *crlf_lines = r->crlf_lines;
}

void logread_close(logread *r)
{
    if (!r)
        return;
    if (r->gz)
        gzclose(r->gz);
    free(r->buf);
    free(r->sbuf);
    free(r->sline);
    free(r->slen);
    free(r->sno);
    free(r->stl);
    free(r);
}
