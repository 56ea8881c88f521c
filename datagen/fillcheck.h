/*
 * fillcheck.h -- `datagen fill --check`: learn in seconds whether a fill would fail.
 *
 * In one transaction that is always rolled back, on one connection: a throwaway schema
 * (stampede_check_<pid>, first on the search_path) gets the shape's types and tables; every
 * post-load step (keys, foreign keys, CHECKs, indexes, identity sequences) is run on the
 * empty tables, which validates its DDL (an operator class a type lacks, a bad expression);
 * then a sample of the generated rows (the first `sample` of each table) is copied in, which
 * validates every value against its type, domain and NOT NULL, and the keys, CHECKs and
 * indexes are built again over the sample (a generator that repeats under a unique index, a
 * value outside a CHECK). Foreign keys are not checked on the sample: a sample of a child
 * table refers to parent rows outside the parent's sample. Nothing is written.
 */
#ifndef DG_FILLCHECK_H
#define DG_FILLCHECK_H

#include <libpq-fe.h>

#include "dbuf.h"
#include "shape.h"

/* Appends one line per problem to out ("index posts_tsv_gist: ERROR: ..."), and sets
 * *nprob. Returns 0 (problems or not), or ST_EENV/ST_ENOMEM with err set when the check
 * itself could not run. */
int fill_check(PGconn *c, const shape *sh, uint64_t seed, uint64_t sample, dbuf *out, size_t *nprob,
               char *err);

#endif
