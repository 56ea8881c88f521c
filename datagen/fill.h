/*
 * fill.h -- the options of `datagen fill` and what a fill reports back. Shared by the
 * command layer (tool_fill.c) and the engines: load.c (PostgreSQL), csvout.c (--out DIR),
 * hotids.c (hot-id catalog). The options are filled once by the command layer and read-only
 * afterwards.
 */
#ifndef DG_FILL_H
#define DG_FILL_H

#include <stdint.h>

#include "shape.h"

enum copy_fmt { COPYF_AUTO, COPYF_TEXT, COPYF_BINARY };

typedef struct fill_opts {
    const char *conninfo; /* --db; NULL = not loading into PostgreSQL */
    const char *out_dir;  /* --out */
    const char *schema;   /* --schema (search_path of every session) */
    uint64_t seed;
    double scale;
    unsigned jobs;
    unsigned part_i, part_n; /* 1-based slice; n = 1 means everything */
    uint64_t chunk_rows;
    int replace, resume, quiet, no_vacuum, drop_fks;
    int freeze;       /* --freeze: first chunks by COPY FREEZE (load.c) */
    int copy_format;  /* COPYF_AUTO (binary where possible), COPYF_TEXT, COPYF_BINARY */
    char run_key[24]; /* hex of (shape, seed, scale, overrides) */
} fill_opts;

typedef struct fill_table_rep {
    uint64_t rows;   /* rows the table has at the end (this run's share for --part) */
    uint64_t loaded; /* rows written by this invocation */
    uint64_t bytes;  /* bytes sent (COPY text or CSV) */
    double seconds;  /* wall time spent on the table's chunks (sum over jobs) */
} fill_table_rep;

typedef struct fill_rep {
    fill_table_rep *t; /* one per shape table; caller allocates */
    double load_seconds, post_seconds, total_seconds;
    int complete; /* all chunks of all parts present, post-load steps done */
    uint64_t chunks_done, chunks_skipped, chunks_pending_other_parts;
    uint64_t vacuum_retries;              /* extra VACUUMs of tables not yet all-visible */
    uint64_t pages_not_all_visible;       /* after the last VACUUM (relpages - relallvisible) */
    uint64_t rows_frozen;                 /* rows written by COPY ... FREEZE (load.c) */
    uint64_t stats_created, stats_failed; /* CREATE STATISTICS steps (load_post.c) */
    char stats_error[256];                /* the first failure's message */
} fill_rep;

#endif
