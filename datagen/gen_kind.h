/*
 * gen_kind.h -- the generator kinds of a shape, one table row per kind.
 *
 * A row holds everything a kind is: its name in JSON, the keys it accepts, and its parse,
 * resolve, unique and eval functions. The rows are defined next to their functions
 * (gk_num.c numbers and times, gk_text.c text and uuid, gk_ref.c categorical, references,
 * child lines and switch) and listed, by enum gkind, in gen_kinds.c. Adding a kind: its enum
 * value in shape.h, its functions and row in a gk_*.c file, its line in gen_kinds.c; nothing
 * else (shape_gen.c, gen.c and shape_resolve.c only go through this table).
 */
#ifndef DG_GEN_KIND_H
#define DG_GEN_KIND_H

#include <jansson.h>

#include "gen.h"
#include "shape.h"

/* What a kind's parse sees: the generator's JSON object at `path`, for column ci of table ti
 * (of SQL type ct). The common fields (min/max clamp, defaults of -1 for column references)
 * are already set when parse runs. */
typedef struct gparse {
    shape *sh;
    int ti, ci, ct;
    json_t *jg;
    const char *path;
} gparse;

typedef struct gkind_def {
    const char *name;
    const char *const *keys; /* the JSON keys it accepts, "kind" included; NULL-terminated */
    /* Reads the kind's keys into g. Returns 0 or ST_E* with err set to "PATH: message". */
    int (*parse)(const gparse *p, gen *g, char *err);
    /* After the row counts are known (tables with rows only), for a generator of column c
     * (nested generators see their column too); NULL = nothing to do. */
    int (*resolve)(shape *sh, stable *t, const scol *c, gen *g, char *err);
    /* 1 when no two rows of a table can get the same value; NULL = never. */
    int (*unique)(const gen *g);
    /* The value at row key `key`, drawing from s (see gen.h); never fails. */
    void (*eval)(gen_ctx *cx, int ti, int ci, const gen *g, uint64_t key, rng_stream *s, gval *out);
} gkind_def;

#define G_NKINDS (G_DEP + 1)

/* gk_activity.c: releases a G_ACTIVITY generator's state (NULL is a no-op). */
void gk_activity_free(struct gk_act *a);
/* gk_distinct.c: releases a G_DISTINCT generator's state (NULL is a no-op). */
void gk_distinct_free(struct gk_dist *d);
/* gk_activity.c: the table-level "activity" of table ti's JSON jt (path tp), if any: a parent
 * table name, or {"table", "corr" (default 0.9), "counts" (default: derived from the column's
 * `ref` dist)}. Rewrites the generator of the column that refers to that table into the
 * `activity` kind (the shape's JSON is changed in place), before the generators are parsed.
 * Returns 0, or ST_EINPUT/ST_ENOMEM with err naming tables[i].activity. */
int gk_activity_sugar(const shape *sh, int ti, json_t *jt, const char *tp, char *err);
/* The count quantile function of an `activity` generator's knots (values v ascending, cdf
 * nondecreasing, last 1; nk >= 1) at u in (0, 1): the one home of that rule, used by fill and
 * by profile --fanout when it calibrates correlations. */
double gk_activity_quantile(const double *v, const double *cdf, size_t nk, double u);

/* The row of kind `kind` (an enum gkind), or NULL when out of range. */
const gkind_def *gk_def(int kind);
/* The rows themselves, by enum gkind (gen.c reads them directly on the per-value path). */
extern const gkind_def *const gk_kinds[G_NKINDS];
/* 1 when the kind's resolve evaluates other columns (gen_kinds.c lists them): it then runs
 * after every other generator's resolve. */
int gk_late(int kind);

/* gen.c: evaluates a (sub-)generator of column ci through its kind's row; kinds holding
 * generators (switch, categorical rest) call it for them. */
void gen_eval(gen_ctx *cx, int ti, int ci, const gen *g, uint64_t key, rng_stream *s, gval *out);

/* gk_ref.c: the check every generator that refers to table g->ref_table makes against the
 * final row counts (ref, activity). Returns 0, or ST_EINPUT with err naming tables[i].rows
 * when the referenced table has no rows. */
int gk_ref_rows_check(const shape *sh, const stable *t, const gen *g, char *err);

#endif
