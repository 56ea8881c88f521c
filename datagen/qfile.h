/*
 * qfile.h -- query files for `datagen plans` (docs/datagen/plans.md, "Query files").
 *
 * A query file is SQL with a few structured comments:
 *   -- query: listing                   names the next statement (default q1, q2, ...)
 *   -- $1: products.category_id         $1 is sampled from that column's statistics
 *   -- $2 = 20                          $2 is a fixed literal
 *   -- samples: hot, cold               which samples to run (default hot, median, cold)
 *   SELECT ... WHERE category_id = $1 ... LIMIT $2;
 * A statement ends at a line ending with ';'. Other comments are ignored. Every $n used in
 * the statement must be declared, and at most QF_MAX_PARAMS.
 *
 * Samples: each sampled parameter takes the value of the chosen frequency rank among the
 * column's distinct values, read from pg_stats of the database the query runs on (not from
 * rows), so a masked or generated database gets its own hot value: hot = the most common
 * value, median = the value at the middle frequency rank, cold = a value from the equal-depth
 * histogram (the rarest kind the planner knows), or the least common MCV without histogram.
 *
 * Ownership: qf_load returns a qf_file owning all strings; qf_free releases it.
 */
#ifndef DG_QFILE_H
#define DG_QFILE_H

#include <stddef.h>

#include "st.h"

#define QF_MAX_PARAMS 16
#define QF_MAX_QUERIES 256
#define QF_MAX_BYTES (1024u * 1024u)

enum qf_sample { QS_HOT = 1, QS_MEDIAN = 2, QS_COLD = 4 };

typedef struct qf_param {
    char *table; /* sampled: table and column; fixed: NULL */
    char *column;
    char *fixed; /* fixed literal, or NULL */
} qf_param;

typedef struct qf_query {
    char *name;
    char *sql;
    int line;    /* first line of the statement */
    int samples; /* QS_* bits */
    qf_param params[QF_MAX_PARAMS];
    int nparams; /* highest $n used */
} qf_query;

typedef struct qf_file {
    qf_query *q;
    size_t nq;
} qf_file;

/* Loads and validates. Returns NULL with err "FILE:LINE: message" (ST_EINPUT) or a read
 * error (ST_EINPUT too: a missing file is bad input). Caller frees with qf_free. */
qf_file *qf_load(const char *path, char *err);
qf_file *qf_parse(const char *text, const char *name, char *err);
void qf_free(qf_file *f);

const char *qf_sample_name(int s);

#endif
