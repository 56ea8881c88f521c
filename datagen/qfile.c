/*
 * qfile.c -- query-file parsing (see qfile.h for the syntax).
 */
#include "qfile.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbuf.h"

const char *qf_sample_name(int s)
{
    return s == QS_HOT ? "hot" : s == QS_MEDIAN ? "median" : s == QS_COLD ? "cold" : "?";
}

void qf_free(qf_file *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->nq; i++) {
        free(f->q[i].name);
        free(f->q[i].sql);
        for (int k = 0; k < QF_MAX_PARAMS; k++) {
            free(f->q[i].params[k].table);
            free(f->q[i].params[k].column);
            free(f->q[i].params[k].fixed);
        }
    }
    free(f->q);
    free(f);
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = 0;
    return s;
}

static int parse_samples(char *s, int *out)
{
    int bits = 0;
    char *save = NULL;
    for (char *tok = strtok_r(s, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        if (!strcmp(tok, "hot"))
            bits |= QS_HOT;
        else if (!strcmp(tok, "median"))
            bits |= QS_MEDIAN;
        else if (!strcmp(tok, "cold"))
            bits |= QS_COLD;
        else
            return -1;
    }
    *out = bits;
    return bits ? 0 : -1;
}

/* "-- $1: table.column" or "-- $2 = literal" into the pending declarations. */
static int parse_param(char *s, qf_param *decl, char *err, const char *name, int line)
{
    char *end;
    errno = 0;
    long n = strtol(s + 1, &end, 10);
    if (end == s + 1 || n < 1 || n > QF_MAX_PARAMS)
        return st_err(err, ST_EINPUT, "%s:%d: parameter number must be $1..$%d", name, line,
                      QF_MAX_PARAMS);
    qf_param *p = &decl[n - 1];
    free(p->table);
    free(p->column);
    free(p->fixed);
    memset(p, 0, sizeof *p);
    char *rest = trim(end);
    if (*rest == '=') {
        p->fixed = strdup(trim(rest + 1));
        return p->fixed ? 0 : st_err(err, ST_ENOMEM, "out of memory");
    }
    if (*rest != ':')
        return st_err(err, ST_EINPUT, "%s:%d: expected '$%ld: table.column' or '$%ld = value'",
                      name, line, n, n);
    rest = trim(rest + 1);
    char *dot = strchr(rest, '.');
    if (!dot || dot == rest || !dot[1] || strchr(dot + 1, '.') || strchr(rest, ' '))
        return st_err(err, ST_EINPUT, "%s:%d: $%ld: expected table.column, got '%s'", name, line, n,
                      rest);
    *dot = 0;
    p->table = strdup(rest);
    p->column = strdup(dot + 1);
    return p->table && p->column ? 0 : st_err(err, ST_ENOMEM, "out of memory");
}

/* Highest $n in the SQL outside quotes; -1 when one exceeds QF_MAX_PARAMS. */
static int max_param(const char *sql)
{
    int hi = 0, q = 0;
    for (const char *p = sql; *p; p++) {
        if (*p == '\'')
            q = !q;
        if (q || *p != '$' || !isdigit((unsigned char)p[1]))
            continue;
        long n = strtol(p + 1, NULL, 10);
        if (n > QF_MAX_PARAMS)
            return -1;
        if (n > hi)
            hi = (int)n;
    }
    return hi;
}

static int finish(qf_file *f, char *qname, qf_param *decl, int samples, dbuf *sql, int line,
                  const char *name, char *err)
{
    if (f->nq >= QF_MAX_QUERIES)
        return st_err(err, ST_ELIMIT, "%s: more than %d queries", name, QF_MAX_QUERIES);
    qf_query *q = &f->q[f->nq];
    memset(q, 0, sizeof *q);
    char def[32];
    snprintf(def, sizeof def, "q%zu", f->nq + 1);
    q->name = strdup(qname ? qname : def);
    q->sql = strdup(trim(sql->p));
    q->line = line;
    q->samples = samples;
    f->nq++;
    if (!q->name || !q->sql)
        return st_err(err, ST_ENOMEM, "out of memory");
    int hi = max_param(q->sql);
    if (hi < 0)
        return st_err(err, ST_EINPUT, "%s:%d: more than %d parameters", name, line, QF_MAX_PARAMS);
    q->nparams = hi;
    for (int k = 0; k < QF_MAX_PARAMS; k++) {
        q->params[k] = decl[k];
        memset(&decl[k], 0, sizeof decl[k]);
    }
    for (int k = 0; k < hi; k++)
        if (!q->params[k].table && !q->params[k].fixed)
            return st_err(err, ST_EINPUT,
                          "%s:%d: query '%s' uses $%d but does not declare it "
                          "('-- $%d: table.column' or '-- $%d = value')",
                          name, line, q->name, k + 1, k + 1, k + 1);
    for (size_t i = 0; i + 1 < f->nq; i++)
        if (!strcmp(f->q[i].name, q->name))
            return st_err(err, ST_EINPUT, "%s:%d: query name '%s' is used twice", name, line,
                          q->name);
    return 0;
}

qf_file *qf_parse(const char *text, const char *name, char *err)
{
    qf_file *f = calloc(1, sizeof *f);
    char *copy = strdup(text);
    qf_param decl[QF_MAX_PARAMS];
    memset(decl, 0, sizeof decl);
    dbuf sql;
    dbuf_init(&sql, QF_MAX_BYTES);
    char *qname = NULL;
    int samples = QS_HOT | QS_MEDIAN | QS_COLD, rc = 0, lineno = 0, start = 0;
    if (!f || !copy || !(f->q = calloc(QF_MAX_QUERIES, sizeof *f->q))) {
        rc = st_err(err, ST_ENOMEM, "out of memory");
        goto out;
    }
    char *save = NULL;
    for (char *ln = copy; ln && !rc; ln = save) {
        char *nl = strchr(ln, '\n');
        save = nl ? nl + 1 : NULL;
        if (nl)
            *nl = 0;
        lineno++;
        char *t = trim(ln);
        if (!strncmp(t, "--", 2)) {
            char *c = trim(t + 2);
            if (!strncmp(c, "query:", 6)) {
                free(qname);
                qname = strdup(trim(c + 6));
                if (!qname || !*qname)
                    rc = st_err(err, ST_EINPUT, "%s:%d: query: needs a name", name, lineno);
            } else if (c[0] == '$' && isdigit((unsigned char)c[1])) {
                rc = parse_param(c, decl, err, name, lineno);
            } else if (!strncmp(c, "samples:", 8)) {
                if (parse_samples(c + 8, &samples))
                    rc = st_err(err, ST_EINPUT,
                                "%s:%d: samples: expected hot, median and/or "
                                "cold",
                                name, lineno);
            }
            continue;
        }
        if (!*t)
            continue;
        if (!sql.len)
            start = lineno;
        size_t n = strlen(t);
        int last = t[n - 1] == ';';
        if (last)
            t[n - 1] = 0;
        if ((sql.len && dbuf_adds(&sql, "\n")) || dbuf_adds(&sql, t)) {
            rc = st_err(err, ST_ELIMIT, "%s:%d: statement too long", name, lineno);
            break;
        }
        if (last) {
            rc = finish(f, qname, decl, samples, &sql, start, name, err);
            free(qname);
            qname = NULL;
            samples = QS_HOT | QS_MEDIAN | QS_COLD;
            dbuf_reset(&sql);
            if (sql.p)
                sql.p[0] = 0;
        }
    }
    if (!rc && sql.len)
        rc = st_err(err, ST_EINPUT, "%s:%d: the last statement does not end with ';'", name, start);
    if (!rc && !f->nq)
        rc = st_err(err, ST_EINPUT, "%s: no queries", name);
out:
    for (int k = 0; k < QF_MAX_PARAMS; k++) {
        free(decl[k].table);
        free(decl[k].column);
        free(decl[k].fixed);
    }
    free(qname);
    free(copy);
    dbuf_free(&sql);
    if (rc) {
        qf_free(f);
        return NULL;
    }
    return f;
}

qf_file *qf_load(const char *path, char *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        st_err(err, ST_EINPUT, "%s: %s", path, strerror(errno));
        return NULL;
    }
    dbuf b;
    dbuf_init(&b, QF_MAX_BYTES);
    char chunk[8192];
    size_t n;
    int rc = 0;
    while (!rc && (n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        rc = dbuf_add(&b, chunk, n);
    int bad = ferror(fp);
    fclose(fp);
    if (rc || bad) {
        dbuf_free(&b);
        st_err(err, ST_EINPUT, "%s: %s", path, bad ? "read error" : "larger than 1 MiB");
        return NULL;
    }
    qf_file *f = qf_parse(b.p ? b.p : "", path, err);
    dbuf_free(&b);
    return f;
}
