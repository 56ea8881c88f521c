/*
 * hotids.h -- the hot-id catalog (docs/formats/traffic-model.md, last section): for every
 * table with `hot_ids`, DIR/hot/<table>.csv lists the ids by popularity rank with the
 * probability of each rank under the table's Zipf law, so replay's feeders make the items hot
 * in traffic the items hot in the data. Ranks map to rows through the same permutation the
 * generators use (gen_rank_row), so the file is exact, not sampled.
 */
#ifndef DG_HOTIDS_H
#define DG_HOTIDS_H

#include "shape.h"

/* Writes DIR/hot/<table>.csv for each table with hot_ids (atomically). *nfiles counts them.
 * Returns 0, ST_EENV or ST_ENOMEM with err set. */
int hotids_write(const shape *sh, uint64_t seed, const char *dir, int *nfiles, char *err);

#endif
