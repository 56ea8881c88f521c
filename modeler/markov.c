/*
 * markov.c -- sparse transition counts and the dense model matrix (see markov.h).
 */
#include "markov.h"

#include <stdlib.h>
#include <string.h>

int markov_init(markov *m)
{
    memset(m, 0, sizeof *m);
    m->trans = ctab_new((size_t)1 << 22);
    return m->trans ? 0 : ST_ENOMEM;
}

void markov_term(markov *m)
{
    ctab_free(m->trans);
    free(m->entry);
    free(m->exit);
    memset(m, 0, sizeof *m);
}

static int markov_grow(markov *m, uint32_t route)
{
    if (route < m->nroutes)
        return 0;
    size_t n = m->nroutes ? m->nroutes : 64;
    while (n <= route)
        n *= 2;
    uint64_t *e = realloc(m->entry, n * sizeof *e);
    if (!e)
        return ST_ENOMEM;
    m->entry = e;
    uint64_t *x = realloc(m->exit, n * sizeof *x);
    if (!x)
        return ST_ENOMEM;
    m->exit = x;
    memset(m->entry + m->nroutes, 0, (n - m->nroutes) * sizeof *e);
    memset(m->exit + m->nroutes, 0, (n - m->nroutes) * sizeof *x);
    m->nroutes = n;
    return 0;
}

int markov_entry(markov *m, uint32_t route)
{
    if (markov_grow(m, route) < 0)
        return ST_ENOMEM;
    m->entry[route]++;
    return 0;
}

int markov_exit(markov *m, uint32_t route)
{
    if (markov_grow(m, route) < 0)
        return ST_ENOMEM;
    m->exit[route]++;
    return 0;
}

int markov_step(markov *m, uint32_t from, uint32_t to)
{
    /* from + 1 keeps the key non-zero (ctab reserves key 0). */
    return ctab_add(m->trans, ((uint64_t)from + 1) << 32 | to, 1);
}

int markov_matrix(const markov *m, const int *map, size_t nroutes, size_t k, double *entry_out,
                  double *trans_out, uint64_t *rows_n)
{
    memset(entry_out, 0, k * sizeof *entry_out);
    memset(trans_out, 0, k * (k + 1) * sizeof *trans_out);
    double etot = 0;
    for (size_t r = 0; r < nroutes && r < m->nroutes; r++) {
        if (map[r] < 0)
            continue;
        entry_out[map[r]] += (double)m->entry[r];
        etot += (double)m->entry[r];
        trans_out[(size_t)map[r] * (k + 1) + k] += (double)m->exit[r];
    }
    for (size_t i = 0; i < m->trans->size; i++) {
        const ctab_entry *e = &m->trans->e[i];
        if (!e->key)
            continue;
        uint64_t from = (e->key >> 32) - 1, to = e->key & 0xffffffffu;
        if (from >= nroutes || to >= nroutes || map[from] < 0)
            continue;
        size_t row = (size_t)map[from];
        size_t col = map[to] < 0 ? k : (size_t)map[to]; /* a dropped target counts as exit */
        trans_out[row * (k + 1) + col] += (double)e->count;
    }
    for (size_t i = 0; i < k; i++)
        entry_out[i] = etot > 0 ? entry_out[i] / etot : 0;
    for (size_t r = 0; r < k; r++) {
        double *row = trans_out + r * (k + 1);
        double s = 0;
        for (size_t c = 0; c <= k; c++)
            s += row[c];
        if (rows_n)
            rows_n[r] = (uint64_t)s;
        if (s <= 0) {
            row[k] = 1;
            continue;
        }
        for (size_t c = 0; c <= k; c++)
            row[c] /= s;
    }
    return 0;
}
