/*
 * feeder.h -- a CSV column of ids ordered by popularity rank (datagen's hot-id catalog, see
 * the end of docs/formats/traffic-model.md), read with libcsv.
 *
 * Lines starting with '#' are skipped, the first remaining line is the header, then one row
 * per rank (rank 1 first). Only the named column is kept: all values live in one arena, so a
 * feeder is two allocations whatever its size. Values are capped at FEEDER_MAX_VALUE bytes
 * and a feeder at FEEDER_MAX_ROWS rows, a line at 64 KiB (an error past any).
 * Ownership: feeder_load fills a caller-owned struct; feeder_term releases it (safe twice).
 */
#ifndef RP_FEEDER_H
#define RP_FEEDER_H

#include "st.h"

#define FEEDER_MAX_VALUE 127
#define FEEDER_MAX_ROWS 10000000u

typedef struct feeder {
    char *arena;   /* values, NUL-terminated, back to back */
    uint32_t *off; /* off[i] = offset of row i (rank i+1) */
    size_t n;
} feeder;

/* Returns 0, ST_EINPUT (names the file, line and problem) or ST_ENOMEM. */
int feeder_load(feeder *f, const char *path, const char *column, char *err);
/* A synthetic feeder of n rows (replay init without feeders): rank r's value is `pattern`
 * with {rank} replaced by r and {rank_hex} by r as 12 hex digits, so ids 1..n follow the
 * fitted popularity. Returns 0, ST_EINPUT (err says what, the caller prefixes the path) or
 * ST_ENOMEM. */
#define FEEDER_SYNTH_MAX 5000000u
int feeder_synth(feeder *f, uint64_t n, const char *pattern, char *err);
void feeder_term(feeder *f);
static inline const char *feeder_value(const feeder *f, size_t row)
{
    return f->arena + f->off[row];
}

#endif
