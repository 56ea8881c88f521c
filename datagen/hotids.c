/*
 * hotids.c -- writes the hot-id catalog (see hotids.h).
 */
#include "hotids.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "afile.h"
#include "csvout.h"
#include "fmt.h"
#include "gen.h"

#include <csv.h>

/* Plain ids go as they are; anything with a separator, quote or newline is quoted. */
static int csv_fwrite_plain(FILE *f, const char *s, size_t n)
{
    if (n && !memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) && !memchr(s, '\r', n))
        return fwrite(s, 1, n, f) == n ? 0 : -1;
    return csv_fwrite(f, s, n);
}

int hotids_write(const shape *sh, uint64_t seed, const char *dir, int *nfiles, char *err)
{
    char hot[4096];
    int rc = 0;
    *nfiles = 0;
    snprintf(hot, sizeof hot, "%s/hot", dir);
    gen_ctx cx;
    if (gen_ctx_init(&cx, sh, seed))
        return st_err(err, ST_ENOMEM, "out of memory");
    char *val = malloc(FMT_TEXT_CAP + 128);
    if (!val) {
        gen_ctx_term(&cx);
        return st_err(err, ST_ENOMEM, "out of memory");
    }
    for (size_t ti = 0; ti < sh->nt && !rc; ti++) {
        const stable *t = &sh->t[ti];
        if (!t->hot_col || t->rows == 0)
            continue;
        if ((rc = csvout_mkdir(dir, err)) || (rc = csvout_mkdir(hot, err)))
            break;
        int ci = shape_col_index(t, t->hot_col);
        char path[4200];
        snprintf(path, sizeof path, "%s/%s.csv", hot, t->name);
        afile af;
        FILE *f = afile_open(&af, path, err);
        if (!f) {
            rc = ST_EENV;
            break;
        }
        double h = rng_zipf_harmonic(t->rows, t->pop_s);
        fprintf(
            f,
            "# stampede hot-id catalog v1 table=%s column=%s total=%llu dist=zipf s=%g seed=%llu\n",
            t->name, t->hot_col, (unsigned long long)t->rows, t->pop_s, (unsigned long long)seed);
        fprintf(f, "rank,id,weight\n");
        uint64_t top = (uint64_t)t->hot_top < t->rows ? (uint64_t)t->hot_top : t->rows;
        for (uint64_t r = 1; r <= top; r++) {
            gval v;
            gen_ctx_reset(&cx);
            gen_eval_col(&cx, (int)ti, ci, gen_rank_row(t, r), &v);
            size_t n = fmt_plain(&t->cols[ci], &v, val);
            fprintf(f, "%llu,", (unsigned long long)r);
            if (csv_fwrite_plain(f, val, n) ||
                fprintf(f, ",%.6g\n", exp(-t->pop_s * log((double)r)) / h) < 0) {
                rc = st_err(err, ST_EENV, "%s: write failed", path);
                break;
            }
        }
        if (rc) {
            afile_abort(&af);
            break;
        }
        if ((rc = afile_commit(&af, err)))
            break;
        (*nfiles)++;
    }
    free(val);
    gen_ctx_term(&cx);
    return rc;
}
