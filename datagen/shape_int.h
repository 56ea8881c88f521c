/*
 * shape_int.h -- private helpers of the shape loader. Not for use outside it. Every
 * function returning int returns 0 or a negative ST_E* with err set to "PATH: message".
 *
 * The loader's files have one direction (each calls only those after it):
 *   shape.c (tables, constraints) -> shape_gen.c (a `gen` object: common keys, then its
 *   kind's row of gen_kind.h; fan-out) -> gk_*.c (the kinds) -> shape_util.c (leaf helpers).
 * shape_resolve.c (cross-table checks, resolve, free) is called by shape.c and uses the
 * kind table. Nested generators (switch cases, categorical rest) parse by calling
 * sh_parse_gen again: that recursion is the grammar's, not a file circle.
 */
#ifndef DG_SHAPE_INT_H
#define DG_SHAPE_INT_H

#include "shape.h"

/* shape_util.c */
char *sh_strdup(const char *s); /* NULL on out of memory */
int sh_ident_ok(const char *s);
int sh_parse_type(const char *s, scol *c); /* 0 or -1 */
/* Parses "2024-01-01", "2024-01-01T12:00:00Z", "2024-01-01 12:00:00+00" into epoch
 * seconds. Returns 0 or -1. */
int sh_parse_time(const char *s, double *out);
int sh_is_time(int ct);
/* A JSON scalar as a value typed for a column of type ct; text is malloc'd. */
int sh_parse_value(json_t *v, int ct, const char *path, gval *out, char *err);
/* Key `key` of o as a number or, for time columns, a timestamp string; absent leaves out. */
int sh_num_or_time(json_t *o, const char *path, const char *key, int required, int ct, double *out,
                   char *err);
/* `want` weights >= 0, not all 0. */
int sh_weights(json_t *arr, const char *path, size_t want, double *out, char *err);
/* Column `name` of table ti, or (pseudo_ok) a pseudo-column $rank, $rank_frac, $row_frac. */
int sh_col_ref(const shape *sh, int ti, const char *name, const char *path, int pseudo_ok, int *col,
               int *pseudo, char *err);

/* shape_types.c: the column type s (built-in, declared under "types", a known literal type
 * or an array of one) into c's ctype/scale/maxlen; -1 when unknown. */
int sh_col_type(const shape *sh, const char *s, scol *c);
int sh_parse_types(shape *sh, json_t *root, char *err);
int sh_parse_views(shape *sh, json_t *root, char *err);
/* A table's "generated" columns and each column's "identity" (shape_types.c). */
int sh_parse_generated(shape *sh, stable *t, json_t *jt, const char *tp, char *err);
int sh_parse_identity(scol *c, json_t *jc, const char *cp, char *err);
void sh_free_generated(stable *t);
/* A table's "partition_by" and "partitions" (shape_types.c). */
int sh_parse_partitions(stable *t, json_t *jt, const char *tp, char *err);
void sh_free_types(shape *sh);

/* extstats_shape.c: a table's "statistics" (extended statistics objects). */
int sh_parse_statistics(stable *t, json_t *jt, const char *tp, char *err);
void sh_free_statistics(stable *t);

/* shape_gen.c */
int sh_parse_gen(shape *sh, int ti, int ci, json_t *jg, const char *path, gen **out, char *err);
int sh_parse_parent(shape *sh, stable *t, json_t *jp, const char *tpath, char *err);

/* shape_resolve.c */
int sh_gen_unique(const stable *t, const gen *g);
const char *sh_gen_name(int kind);
void sh_gen_free(gen *g);
int sh_check_cycles(const shape *sh, char *err);
int sh_resolve_gens(shape *sh, char *err);

/* gk_text.c: the built-in word list of text generators. */
const char *sh_default_word(size_t i);
size_t sh_default_nwords(void);
/* The longest value text generator g makes at `rows` rows, in bytes (after resolve). */
size_t gk_text_max_len(const gen *g, uint64_t rows);

#endif
