/*
 * markov.h -- a first-order Markov chain over route indices with entry and exit states.
 *
 * Counts are sparse (a ctab keyed by (from+1)<<32|to) so that thousands of routes cost memory
 * only for the transitions that occur. markov_matrix() turns counts into the dense
 * row-stochastic matrix of the model over a chosen subset of routes (the others folded into
 * one state by the caller's mapping).
 */
#ifndef MODELER_MARKOV_H
#define MODELER_MARKOV_H

#include <stddef.h>
#include <stdint.h>
#include "sketch.h"

typedef struct markov {
    ctab *trans;     /* ((from + 1) << 32 | to) -> count */
    uint64_t *entry; /* per route */
    uint64_t *exit;  /* per route */
    size_t nroutes;  /* allocated length of entry/exit */
} markov;

int markov_init(markov *m); /* ST_ENOMEM */
void markov_term(markov *m);
int markov_entry(markov *m, uint32_t route);
int markov_step(markov *m, uint32_t from, uint32_t to);
int markov_exit(markov *m, uint32_t route);

/* Dense model over k states: map[route] gives the state (0..k-1) or -1 to drop the route.
 * entry_out has k entries; trans_out is k x (k+1) (last column = exit), row-major; rows
 * with no data are all-exit. rows_n (k entries, may be NULL) receives the count per row.
 * Returns 0. */
int markov_matrix(const markov *m, const int *map, size_t nroutes, size_t k, double *entry_out,
                  double *trans_out, uint64_t *rows_n);

#endif
