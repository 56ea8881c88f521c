/*
 * shape_int.h -- private helpers shared by shape.c (tables, constraints) and shape_gen.c
 * (generators). Not for use outside the shape loader. Every function returns 0 or a
 * negative ST_E* with err set to "PATH: message".
 */
#ifndef DG_SHAPE_INT_H
#define DG_SHAPE_INT_H

#include "shape.h"

char *sh_strdup(const char *s);           /* NULL on out of memory */
int sh_ident_ok(const char *s);
int sh_parse_type(const char *s, scol *c); /* 0 or -1 */
int sh_parse_gen(shape *sh, int ti, int ci, json_t *jg, const char *path, gen **out, char *err);
int sh_parse_parent(shape *sh, stable *t, json_t *jp, const char *tpath, char *err);
int sh_gen_unique(const stable *t, const gen *g);
const char *sh_gen_name(int kind);
void sh_gen_free(gen *g);
int sh_check_cycles(const shape *sh, char *err);
int sh_resolve_gens(shape *sh, char *err);
/* Parses "2024-01-01", "2024-01-01T12:00:00Z", "2024-01-01 12:00:00+00" into epoch
 * seconds. Returns 0 or -1. */
int sh_parse_time(const char *s, double *out);
/* The built-in word list of text generators (gen.c). */
const char *sh_default_word(size_t i);
size_t sh_default_nwords(void);

#endif
