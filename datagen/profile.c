/*
 * profile.c -- statistics into shape generators (see profile.h for the mapping and the
 * masking rules).
 */
#include "profile.h"
#include "formats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extstats.h"
#include "profile_keys.h"
#include "profile_types.h"
#include "rng.h"

/* varchar(n) / character(n) length limit, 0 when none. */
static int type_maxlen(const char *t)
{
    const char *p = strchr(t, '(');
    if (!p || profile_type_class(t) != PC_TEXT)
        return 0;
    return (int)strtol(p + 1, NULL, 10);
}

static const char *shape_type(int cls, const char *t)
{
    if (cls != PC_OTHER || !strcmp(t, "bytea"))
        return t;
    return "text";
}

/* Zipf exponent whose top-rank probability over n ranks is f1 (bisection; 1/H(n, s) grows
 * with s). Returns 0 when f1 is within 1.5x of uniform: the caller uses a uniform ref. */
static double fit_zipf(double n, double f1)
{
    if (n < 2 || f1 <= 1.5 / n)
        return 0;
    double lo = 0.01, hi = 6;
    uint64_t nn = (uint64_t)n;
    for (int i = 0; i < 50; i++) {
        double mid = 0.5 * (lo + hi);
        if (1.0 / rng_zipf_harmonic(nn, mid) < f1)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* A column of a composite primary key or unique set that ANALYZE found all distinct
 * (n_distinct -1, an id next to a partition key): it gets a unique generator of its own, so
 * the composite key is unique by construction and kept as a constraint. */
static int unique_member(const pgs_table *t, const pgs_col *c)
{
    if (c->n_distinct != -1 || !c->has_stats)
        return 0;
    for (size_t k = 0; k < t->pk.n; k++)
        if (t->pk.n > 1 && !strcmp(t->pk.v[k], c->name))
            return 1;
    for (size_t i = 0; i < t->nuniq; i++)
        for (size_t k = 0; t->uniq[i].n > 1 && k < t->uniq[i].n; k++)
            if (!strcmp(t->uniq[i].v[k], c->name))
                return 1;
    return 0;
}

/* The text generator draws each value's width uniformly in [min_width, max_width]: centre
 * that range on the measured mean w, within the column's length limit (0 = none). */
static void text_widths(json_t *g, double w, int limit, double rows)
{
    if (!g)
        return;
    /* datagen fill budgets 7 characters for {row} whatever its length: widen the target
     * by what the row numbers of this table do not use. */
    const char *pat = json_string_value(json_object_get(g, "pattern"));
    if (pat && strstr(pat, "{row}") && strcmp(pat, "{row}")) {
        double spare = 7 - (floor(log10(fmax(rows, 1))) + 1);
        w += spare;
        if (limit > 0)
            limit += (int)spare;
    }
    double hi = w * 1.5, lo;
    if (limit > 0 && hi > limit)
        hi = limit;
    if (hi < 1)
        hi = 1;
    lo = fmax(1, 2 * w - hi);
    if (lo > hi)
        lo = hi;
    json_object_set_new(g, "width", json_integer((json_int_t)round(fmin(fmax(w, lo), hi))));
    json_object_set_new(g, "min_width", json_integer((json_int_t)floor(lo)));
    json_object_set_new(g, "max_width", json_integer((json_int_t)ceil(hi)));
}

#define PROFILE_QBUCKETS 500
#define PROFILE_QBUCKETS_MAX 20000
/* Above this |correlation| physical order is worth more than an exact MCV list. */
#define PROFILE_CORR_MIN 0.15

/* A unique-capable generator for a single-column key; NULL when the type has none. */
static json_t *key_gen(const pgs_table *t, const pgs_col *c, int cls, int mask, int maxlen,
                       int domain)
{
    if (cls == PC_INT) {
        double lo = 1, hi = 0;
        if (!mask && c->nhist >= 2) {
            profile_axis(cls, c->hist[0], &lo);
            profile_axis(cls, c->hist[c->nhist - 1], &hi);
        }
        double rows = t->reltuples > 1 ? t->reltuples : 1;
        double step = hi > lo && rows > 1 ? round((hi - lo) / (rows - 1)) : 1;
        if (step < 1)
            step = 1;
        if (c->has_corr && fabs(c->correlation) < 0.5 && step == 1)
            return json_pack("{s:s, s:I}", "kind", "permutation", "start", (json_int_t)lo);
        return json_pack("{s:s, s:I, s:I}", "kind", "sequence", "start", (json_int_t)lo, "step",
                         (json_int_t)step);
    }
    if (cls == PC_UUID)
        return json_pack("{s:s}", "kind", "uuid");
    if (cls == PC_TEXT) {
        int w = c->avg_width > 1 ? c->avg_width - 1 : 8;
        double digits = floor(log10(fmax(t->reltuples, 1))) + 1;
        /* A domain's CHECK often wants a letter first (handles, slugs): at least one letter
         * before the row number (eval_text budgets 7 bytes for {row}: width 8 is one letter),
         * every value of the measured width, never the digits alone. */
        if (domain && (!maxlen || maxlen > digits + 1)) {
            json_t *g = json_pack("{s:s, s:s}", "kind", "text", "pattern", "{words}{row}");
            text_widths(g, w, maxlen, t->reltuples);
            json_int_t k = json_integer_value(json_object_get(g, "width"));
            k = k < 8 ? 8 : k;
            json_object_set_new(g, "width", json_integer(k));
            json_object_set_new(g, "min_width", json_integer(k));
            json_object_set_new(g, "max_width", json_integer(k));
            return g;
        }
        if (maxlen && maxlen < 16) {
            /* Letters then digits: unique because the row number ends every value. */
            if (w <= digits || maxlen <= digits + 1)
                return json_pack("{s:s, s:s}", "kind", "text", "pattern", "{row}");
            json_t *g = json_pack("{s:s, s:s}", "kind", "text", "pattern", "{words}{row}");
            text_widths(g, w, maxlen, t->reltuples);
            return g;
        }
        json_t *g = json_pack("{s:s, s:s, s:i}", "kind", "text", "pattern", "{words} {row}",
                              "width", w);
        text_widths(g, w, maxlen, t->reltuples);
        return g;
    }
    return NULL;
}

static json_t *sorted_runs(const pgs_col *c, const pv_map *vm, int cls);

/* Buckets for a quantile histogram: enough that the least common MCV spans about four of
 * them (a point mass narrower than a bucket would come out as a bucket's worth of rows). */
static int qbuckets(const pgs_col *c)
{
    double live = c->null_frac < 1 ? 1 - c->null_frac : 1, fmin_ = 1;
    for (size_t i = 0; i < c->nmcv; i++)
        fmin_ = fmin(fmin_, c->mcf[i] / live);
    double nb = fmax(PROFILE_QBUCKETS, ceil(4 / fmax(fmin_, 1e-9)));
    return (int)fmin(nb, PROFILE_QBUCKETS_MAX);
}

/* The generator for the values of a column that is neither a key nor a reference. */
static json_t *value_gen(const pgs_table *t, const pgs_col *c, int cls, int mask, const pv_mask *m,
                         int maxlen, int *inverse_cdf)
{
    double live = 1 - c->null_frac;
    if (live <= 1e-9)
        live = 1;
    double w = c->avg_width > 1 ? c->avg_width - 1 : 8;
    if (maxlen && w > maxlen)
        w = maxlen;
    *inverse_cdf = 0;
    if (cls == PC_BOOL) {
        double p = 0.5;
        for (size_t i = 0; i < c->nmcv; i++) {
            if (c->mcv[i][0] == 't')
                p = c->mcf[i] / live;
            else if (c->nmcv == 1)
                p = 1 - c->mcf[i] / live;
        }
        return json_pack("{s:s, s:f}", "kind", "bool", "p", pv_r6(fmin(1, fmax(0, p))));
    }
    if (cls == PC_UUID)
        return json_pack("{s:s}", "kind", "uuid");
    json_t *rest = NULL;
    int numeric = cls == PC_INT || cls == PC_NUM || cls == PC_DATE || cls == PC_TS ||
                  cls == PC_TSTZ;
    /* Physical order matters for index-scan costs: a correlated column with MCVs trades the
     * exact MCV list for a quantile histogram that can carry the correlation. */
    if ((numeric || cls == PC_TEXT) && c->nmcv) {
        pv_map vr = {.cls = cls, .mask = mask, .m = m};
        json_t *runs = sorted_runs(c, &vr, cls);
        if (runs)
            return runs;
    }
    if (numeric && cls != PC_NUM && c->nmcv && c->has_corr &&
        fabs(c->correlation) > PROFILE_CORR_MIN) {
        pv_map vm = {.cls = cls, .mask = mask, .m = m};
        json_t *b = pv_quantiles(c, &vm, qbuckets(c));
        if (b) {
            *inverse_cdf = 1;
            return json_pack("{s:s, s:o}", "kind", "histogram", "bounds", b);
        }
    }
    if (numeric && c->nhist >= 2) {
        json_t *b = json_array();
        for (size_t i = 0; b && i < c->nhist; i++)
            json_array_append_new(b, pv_lit(m, mask, cls, c->hist[i]));
        rest = json_pack("{s:s, s:o}", "kind", "histogram", "bounds", b);
        *inverse_cdf = 1;
    } else if (cls == PC_TEXT || cls == PC_OTHER) {
        /* Random words collide: a column of many distinct strings gets the row key in its
         * pattern (n_distinct, when set, then bounds the keys and so the values). */
        double nd = c->n_distinct < 0 ? -c->n_distinct * t->reltuples : c->n_distinct;
        const char *pat = "{words}";
        if (nd > 200 || c->n_distinct < -0.05)
            pat = maxlen && maxlen < 12 ? "{words}{row}" : "{words} {row}";
        rest = json_pack("{s:s, s:s, s:i}", "kind", "text", "pattern", pat, "width", (int)w);
        text_widths(rest, w, maxlen, t->reltuples);
    } else if (numeric && c->nmcv) {
        /* Only MCVs: the rest spreads between their extremes. */
        double lo = INFINITY, hi = -INFINITY, v;
        for (size_t i = 0; i < c->nmcv; i++)
            if (!profile_axis(cls, c->mcv[i], &v)) {
                lo = fmin(lo, v);
                hi = fmax(hi, v);
            }
        if (mask) {
            lo = m->gap;
            hi = (double)m->n * m->gap;
        }
        if (cls == PC_INT || cls == PC_NUM)
            rest = json_pack("{s:s, s:f, s:f}", "kind", "uniform", "min", lo, "max", hi);
        else
            rest = json_pack("{s:s, s:[o, o]}", "kind", "histogram", "bounds",
                             pv_epoch_literal(cls, lo),
                             pv_epoch_literal(cls, hi > lo ? hi : lo + 1));
        *inverse_cdf = 1;
    } else if (cls == PC_INT || cls == PC_NUM) {
        rest = json_pack("{s:s, s:i, s:i}", "kind", "uniform", "min", 0, "max", 100);
        *inverse_cdf = 1;
    } else {
        rest = json_pack("{s:s, s:s, s:s}", "kind", "timestamp", "from", "2020-01-01", "to",
                         "2025-01-01");
        *inverse_cdf = 1;
    }
    if (!c->nmcv || !rest)
        return rest;
    double sum = 0;
    json_t *vals = json_array(), *wts = json_array();
    for (size_t i = 0; i < c->nmcv; i++) {
        json_array_append_new(vals, pv_lit(m, mask, cls, c->mcv[i]));
        json_array_append_new(wts, pv_jreal(c->mcf[i] / live));
        sum += c->mcf[i] / live;
    }
    json_t *g = json_pack("{s:s, s:o, s:o}", "kind", "categorical", "values", vals, "weights", wts);
    /* MCVs that cover (nearly) every row need no rest: the weights are then renormalised. */
    if (g && sum < 0.995 && sum <= 1.0)
        json_object_set_new(g, "rest", rest);
    else
        json_decref(rest);
    *inverse_cdf = 0;
    return g;
}

static json_t *names_json(const pgs_names *nm)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < nm->n; i++)
        json_array_append_new(a, json_string(nm->v[i]));
    return a;
}

/* The raw statistics kept for `datagen compare` (masked literals when masking). */
/* The raw statistics kept for `datagen compare`: scalars, MCV frequencies, and for numeric
 * classes the whole-column quantiles (100 buckets) on the generator's axis (vm: masked or
 * renumbered like the generated values; NULL when the values are not comparable). */
static json_t *stats_json(const pgs_col *c, const pv_map *vm)
{
    json_t *s = json_pack("{s:f, s:i, s:f}", "null_frac", pv_r6(c->null_frac), "avg_width",
                          c->avg_width, "n_distinct", pv_r6(c->n_distinct));
    if (!s)
        return NULL;
    if (c->has_corr)
        json_object_set_new(s, "correlation", pv_jreal(c->correlation));
    json_t *f = json_array();
    for (size_t i = 0; f && i < c->nmcv; i++)
        json_array_append_new(f, pv_jreal(c->mcf[i]));
    json_object_set_new(s, "mcf", f);
    json_t *q = vm ? pv_quantiles(c, vm, 100) : NULL;
    if (q)
        json_object_set_new(s, "quantiles", q);
    return s;
}

/* The id range [lo, lo + rows - 1] that key_gen gives a dense integer key (sequence or
 * permutation with step 1); 0 when the key is not dense or not an integer. */
static int dense_key(const pgs_table *rt, const char *col, double *lo, double *hi)
{
    const pgs_col *pc = pgs_find_col(rt, col);
    double a, b, rows = round(rt->reltuples);
    if (!pc || profile_type_class(pc->type) != PC_INT || pc->nhist < 2 || rows < 2 ||
        profile_axis(PC_INT, pc->hist[0], &a) || profile_axis(PC_INT, pc->hist[pc->nhist - 1], &b))
        return 0;
    if (round((b - a) / (rows - 1)) != 1)
        return 0;
    *lo = a;
    *hi = a + rows - 1;
    return 1;
}

/* Share of the non-null rows the MCV list covers. */
static double mcv_cover(const pgs_col *c)
{
    double live = c->null_frac < 1 ? 1 - c->null_frac : 1, sum = 0;
    for (size_t i = 0; i < c->nmcv; i++)
        sum += c->mcf[i] / live;
    return sum;
}

/* A column whose MCVs cover it and whose physical order follows its values (|corr| > 0.9):
 * laid down as sorted runs, `switch` on the row's position ($row_frac) with one constant per
 * value, in value order (reversed for negative correlation). Frequencies, the value set and
 * the correlation come out exact, where a histogram would invent values between the MCVs.
 * Returns NULL when the column does not qualify. */
static json_t *sorted_runs(const pgs_col *c, const pv_map *vm, int cls)
{
    /* The few values left out of the MCV list (when it covers >= 99%) are the histogram's
     * bounds: they join as values sharing the remaining mass. */
    double cover = mcv_cover(c);
    if (!c->nmcv || !c->has_corr || fabs(c->correlation) <= 0.9 || cover < 0.99 ||
        (cover < 0.995 && c->nhist < 2))
        return NULL;
    size_t nh = cover < 0.9999 ? c->nhist : 0, n = c->nmcv + nh;
    size_t *ord = calloc(n, sizeof *ord);
    double *key = calloc(n, sizeof *key), *w = calloc(n, sizeof *w);
    const char **txt = calloc(n, sizeof *txt);
    json_t *cases = json_array(), *els = NULL;
    if (!ord || !key || !w || !txt || !cases)
        goto out;
    double live = 1 - fmin(c->null_frac, 0.999999);
    for (size_t i = 0; i < n; i++) {
        ord[i] = i;
        txt[i] = i < c->nmcv ? c->mcv[i] : c->hist[i - c->nmcv];
        w[i] = i < c->nmcv ? c->mcf[i] / live : fmax(0, 1 - cover) / (double)nh;
        key[i] = cls == PC_TEXT ? 0 : pv_axis(vm, txt[i]);
    }
    /* Insertion sort into value order (descending for a negative correlation): MCV lists
     * are at most a few hundred long. */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0; j--) {
            size_t a = ord[j - 1], b = ord[j];
            double d = cls == PC_TEXT ? (double)strcmp(txt[a], txt[b]) : key[a] - key[b];
            if (!(c->correlation < 0 ? d < 0 : d > 0))
                break;
            ord[j - 1] = b;
            ord[j] = a;
        }
    double total = 0, cum = 0;
    for (size_t i = 0; i < n; i++)
        total += w[i];
    for (size_t i = 0; i < n; i++) {
        size_t k = ord[i];
        json_t *v = cls == PC_TEXT ? pv_lit(vm->m, vm->mask, cls, txt[k]) : pv_json(vm, key[k]);
        json_t *g = json_pack("{s:s, s:o}", "kind", "const", "value", v);
        cum += w[k] / total;
        if (i + 1 == n) {
            els = g;
            break;
        }
        json_array_append_new(cases,
                              json_pack("{s:{s:f}, s:o}", "when", "lt", pv_r6(cum), "gen", g));
    }
out:
    free(ord);
    free(key);
    free(w);
    free(txt);
    if (!els) {
        json_decref(cases);
        return NULL;
    }
    return json_pack("{s:s, s:s, s:o, s:o}", "kind", "switch", "on", "$row_frac", "cases", cases,
                     "else", els);
}

/* A literal FK value as the parent's generated key: clamped into the parent's id range and,
 * masked, renumbered from 1 (the masked parent key starts at 1): order and equality kept. */
static json_t *fk_lit(const char *text, double lo, double hi, int mask)
{
    double v;
    if (profile_axis(PC_INT, text, &v))
        v = lo;
    v = fmin(hi, fmax(lo, v));
    return json_integer((json_int_t)(mask ? v - lo + 1 : v));
}

/* A foreign-key column. With a dense integer parent key the FK keeps its own statistics:
 * MCVs at their frequencies, the rest over the histogram (with its correlation), all values
 * inside the parent's ids so the constraint holds at any scale >= 1. Otherwise a `ref`:
 * `cycle` when the column follows physical order, else Zipf fitted to the top frequency.
 * *hist receives the histogram bounds as generated (for `_stats`), or NULL. */
static json_t *fk_gen(const pgs_db *db, const pgs_table *t, const pgs_col *c, const pgs_fk *fk,
                      int mask, int *inverse_cdf, json_t **hist)
{
    const pgs_table *rt = pgs_find_table(db, fk->ref_table);
    const char *rc = fk->ref_cols.v[0];
    double lo, hi, live = c->null_frac < 1 ? 1 - c->null_frac : 1;
    *hist = NULL;
    if (dense_key(rt, rc, &lo, &hi) && (c->nmcv || c->nhist >= 2)) {
        json_t *rest = NULL;
        pv_map vm = {.cls = PC_INT, .mask = mask, .fk = 1, .lo = lo, .hi = hi};
        json_t *runs = sorted_runs(c, &vm, PC_INT);
        if (runs)
            return runs;
        /* A flat FK over (nearly) every parent (the top frequency within half a percent of
         * the average): a round-robin assignment (`ref` cycle)
         * reproduces it, where independent draws would grow Poisson tails -- the top
         * frequency (which the planner's hash-join skew estimate reads) would come out
         * several times too high, and an exact MCV list would turn into a histogram. */
        double nd = c->n_distinct < 0 ? -c->n_distinct * t->reltuples : c->n_distinct;
        double top = c->nmcv ? c->mcf[0] / live : 0;
        if (nd >= 0.9 * rt->reltuples && top - 1 / fmax(nd, 1) < 0.005 &&
            (!c->has_corr || fabs(c->correlation) < 0.5))
            return json_pack("{s:s, s:s, s:s, s:s, s:i}", "kind", "ref", "table", rt->name,
                             "column", rc, "dist", "cycle", "div", 1);
        if (c->nmcv && c->has_corr && fabs(c->correlation) > PROFILE_CORR_MIN) {
            json_t *b = pv_quantiles(c, &vm, qbuckets(c));
            if (b) {
                *inverse_cdf = 1;
                return json_pack("{s:s, s:o}", "kind", "histogram", "bounds", b);
            }
        }
        if (c->nhist >= 2) {
            *hist = json_array();
            for (size_t i = 0; *hist && i < c->nhist; i++)
                json_array_append_new(*hist, fk_lit(c->hist[i], lo, hi, mask));
            rest = json_pack("{s:s, s:O}", "kind", "histogram", "bounds", *hist);
        } else
            rest = json_pack("{s:s, s:s, s:s, s:s}", "kind", "ref", "table", rt->name, "column", rc,
                             "dist", "uniform");
        if (!c->nmcv) {
            *inverse_cdf = c->nhist >= 2;
            return rest;
        }
        json_t *vals = json_array(), *wts = json_array();
        double sum = 0;
        for (size_t i = 0; i < c->nmcv; i++) {
            json_array_append_new(vals, fk_lit(c->mcv[i], lo, hi, mask));
            json_array_append_new(wts, pv_jreal(c->mcf[i] / live));
            sum += c->mcf[i] / live;
        }
        json_t *g = json_pack("{s:s, s:o, s:o}", "kind", "categorical", "values", vals, "weights",
                              wts);
        if (g && sum < 0.995)
            json_object_set_new(g, "rest", rest);
        else
            json_decref(rest);
        return g;
    }
    double s = c->nmcv ? fit_zipf(rt->reltuples, c->mcf[0] / live) : 0;
    /* An FK laid down in parent order (child rows appended per parent) keeps its physical
     * correlation only through `cycle`: row / div walks the parents in order. */
    double div = rt->reltuples >= 1 ? round(t->reltuples / rt->reltuples) : 1;
    if (c->has_corr && c->correlation > 0.7)
        return json_pack("{s:s, s:s, s:s, s:s, s:I}", "kind", "ref", "table", rt->name, "column",
                         rc, "dist", "cycle", "div", (json_int_t)(div < 1 ? 1 : div));
    if (s > 0)
        return json_pack("{s:s, s:s, s:s, s:s, s:f}", "kind", "ref", "table", rt->name, "column",
                         rc, "dist", "zipf", "s", round(s * 1e4) / 1e4);
    return json_pack("{s:s, s:s, s:s, s:s}", "kind", "ref", "table", rt->name, "column", rc, "dist",
                     "uniform");
}

static const char *kind_of(const json_t *g)
{
    const char *k = json_string_value(json_object_get(g, "kind"));
    return k ? k : "";
}

/* 1 when g (or its categorical rest) is text with {row}: a new value at every row key, so
 * without an n_distinct fold the column has as many values as rows. */
static int row_text(const json_t *g)
{
    if (!strcmp(kind_of(g), "categorical"))
        g = json_object_get(g, "rest");
    const char *pat = json_string_value(json_object_get(g, "pattern"));
    return !strcmp(kind_of(g), "text") && pat && strstr(pat, "{row}");
}

static json_t *column_json(const pgs_db *db, const pgs_table *t, const pgs_col *c,
                           const profile_opts *o, json_t *notes)
{
    const char *gt = pt_gen_type(db, c);
    int cls = profile_type_class(gt), keeps = pt_keeps(db, c), all_null = 0;
    int maxlen = type_maxlen(gt);
    pv_mask m;
    if (pv_mask_init(&m, c, cls, t->reltuples))
        return NULL;
    m.maxlen = maxlen;
    json_t *jc = json_pack("{s:s, s:s}", "name", c->name, "type",
                           keeps || gt != c->type ? c->type : shape_type(cls, c->type));
    if (!jc) {
        pv_mask_term(&m);
        return NULL;
    }
    if (cls == PC_OTHER && strcmp(c->type, "bytea") && !keeps)
        json_object_set_new(jc, "_note", json_sprintf("was %s; generated as text", c->type));
    if (gt != c->type) /* for datagen compare: the domain's values compare as its base type */
        json_object_set_new(jc, "_base_type", json_string(gt));
    json_t *g = NULL, *fk_hist = NULL;
    int inverse_cdf = 0, keep_hist = 1;
    pv_map vm = {.cls = cls, .mask = o->mask, .m = &m};
    int numeric = cls == PC_INT || cls == PC_NUM || cls == PC_DATE || cls == PC_TS ||
                  cls == PC_TSTZ;
    const pgs_fk *fk = keeps ? NULL : pk_ref_of(db, t, c->name);
    int held = 0;
    if ((g = pk_key_gen(db, t, c))) {
        /* A key's digits or disjoint slots, not the source's distribution: said in a note,
         * and compare has no statistics to hold them to. */
        held = 1;
        json_array_append_new(
            notes, json_sprintf("%s.%s: generated to hold a key or exclusion constraint by "
                                "construction; its distribution is not reproduced",
                                t->name, c->name));
    } else if (keeps) {
        g = pt_gen(db, t, c, o->mask, notes, &all_null);
        keep_hist = 0;
    } else if (fk) {
        g = fk_gen(db, t, c, fk, o->mask, &inverse_cdf, &fk_hist);
        /* Comparable values only when they are the parent's ids, renumbered like them. */
        const pgs_table *rt = pgs_find_table(db, fk->ref_table);
        keep_hist = fk_hist != NULL || (g && !strcmp(kind_of(g), "histogram"));
        if (!dense_key(rt, fk->ref_cols.v[0], &vm.lo, &vm.hi))
            keep_hist = 0;
        vm.fk = 1;
    } else if ((pk_single_key(t, c->name) || unique_member(t, c)) &&
               pk_key_capable(db, t, c->name)) {
        g = key_gen(t, c, cls, o->mask, maxlen, gt != c->type);
        keep_hist = !o->mask || dense_key(t, c->name, &vm.lo, &vm.hi);
        vm.fk = o->mask;
        inverse_cdf = 0;
    } else if (!c->has_stats) {
        json_array_append_new(notes, json_sprintf("%s.%s: no statistics (run ANALYZE); "
                                                  "type-default generator",
                                                  t->name, c->name));
        g = value_gen(t, c, cls, o->mask, &m, maxlen, &inverse_cdf);
    } else {
        g = value_gen(t, c, cls, o->mask, &m, maxlen, &inverse_cdf);
        /* n_distinct caps the value set (the generator runs at hash(row) mod n) where MCVs
         * are absent or minor and the count is large: each of n keys then draws the MCVs at
         * their frequencies, where a few keys would scatter them. Without it a continuous
         * histogram (numeric(10,2) prices) yields far more distinct values than the source
         * (18x on the shop's prices). Only for n <= rows / 4: with n near the row count the
         * keys collide (birthday) and the count would come out ~0.63 n. A {row} text rest
         * needs it at any n: it would give every row a value of its own (977 street names
         * came out as 39,767). */
        double nd = c->n_distinct < 0 ? -c->n_distinct * t->reltuples : c->n_distinct;
        int minor = mcv_cover(c) < 0.5 && (nd >= 1000 || row_text(g));
        if ((!c->nmcv || (minor && nd <= 0.25 * t->reltuples)) && c->n_distinct != -1 &&
            c->n_distinct != 0 && cls != PC_BOOL && strcmp(kind_of(g), "switch"))
            json_object_set_new(jc, "n_distinct", pv_jreal(c->n_distinct));
    }
    if (c->identity && profile_type_class(c->type) == PC_INT)
        json_object_set_new(jc, "identity",
                            json_string(c->identity == 'a' ? "always" : "by default"));
    if (c->null_frac > 0 || all_null)
        json_object_set_new(jc, "null_frac", pv_jreal(all_null ? 1 : c->null_frac));
    if (inverse_cdf && c->has_corr) {
        /* With few distinct values the ties make ANALYZE's correlation of a partly sorted
         * column come out near sqrt(c) (measured on Northwind's orders.ship_via: 0.30 in,
         * 0.57 out); ask for c * |c| so that the result lands near c. */
        double nd = c->n_distinct < 0 ? -c->n_distinct * t->reltuples : c->n_distinct;
        double cc = fmax(-1, fmin(1, c->correlation));
        if (nd < 50)
            cc *= fabs(cc);
        json_object_set_new(jc, "correlation", pv_jreal(cc));
    }
    json_object_set_new(jc, "gen", g);
    if (c->has_stats && !held) {
        json_object_set_new(jc, "_stats", stats_json(c, keep_hist && numeric ? &vm : NULL));
    }
    json_decref(fk_hist);
    pv_mask_term(&m);
    return g ? jc : (json_decref(jc), NULL);
}

/* A composite key one of whose columns gets a unique generator (unique_member, not a
 * reference): kept as the constraint it is. */
static int held_by_member(const pgs_db *db, const pgs_table *t, const pgs_names *key)
{
    for (size_t k = 0; key->n > 1 && k < key->n; k++) {
        const pgs_col *c = pgs_find_col(t, key->v[k]);
        if (c && unique_member(t, c) && pk_key_capable(db, t, c->name) &&
            !pk_ref_of(db, t, c->name))
            return 1;
    }
    return 0;
}

static json_t *index_json(const char *name, const pgs_names *cols, int unique, const char *method,
                          const char *def)
{
    json_t *j = json_pack("{s:s, s:o, s:b, s:s}", "name", name, "columns", names_json(cols),
                          "unique", unique, "method", method);
    if (j && def)
        json_object_set_new(j, "using", json_string(def));
    return j;
}

static json_t *table_json(const pgs_db *db, const pgs_table *t, const profile_opts *o,
                          json_t *notes)
{
    double rows = t->reltuples < 0 ? 0 : round(t->reltuples);
    if (t->reltuples < 0)
        json_array_append_new(notes, json_sprintf("%s: never analysed (reltuples -1); run "
                                                  "ANALYZE first; rows set to 0",
                                                  t->name));
    json_t *jt = json_pack("{s:s, s:I}", "name", t->name, "rows", (json_int_t)rows);
    if (!jt)
        return NULL;
    if (pk_fixed_table(t))
        json_object_set_new(jt, "scale", json_string("fixed"));
    json_object_set_new(
        jt, "_stats",
        json_pack("{s:f, s:I}", "reltuples", t->reltuples, "relpages", (json_int_t)t->relpages));
    json_t *cols = json_array(), *idx = json_array(), *uniq = json_array(), *fks = json_array(),
           *checks = json_array();
    json_object_set_new(jt, "columns", cols);
    for (size_t i = 0; i < t->ncols; i++) {
        json_t *jc = column_json(db, t, &t->cols[i], o, notes);
        if (!jc) {
            json_decref(jt);
            json_decref(idx);
            json_decref(uniq);
            json_decref(fks);
            json_decref(checks);
            return NULL;
        }
        json_array_append_new(cols, jc);
    }
    char nm[160];
    if ((t->pk.n == 1 && pk_key_capable(db, t, t->pk.v[0])) || held_by_member(db, t, &t->pk) ||
        pk_junction_json(db, t, &t->pk, cols, notes))
        json_object_set_new(jt, "primary_key", names_json(&t->pk));
    else if (t->pk.n) {
        snprintf(nm, sizeof nm, "%s", t->pk_name ? t->pk_name : "pkey");
        json_array_append_new(idx, index_json(nm, &t->pk, 0, "btree", NULL));
    }
    for (size_t i = 0; i < t->nuniq; i++) {
        if ((t->uniq[i].n == 1 && pk_key_capable(db, t, t->uniq[i].v[0])) ||
            held_by_member(db, t, &t->uniq[i]) ||
            pk_junction_json(db, t, &t->uniq[i], cols, notes)) {
            json_array_append_new(uniq, names_json(&t->uniq[i]));
            continue;
        }
        snprintf(nm, sizeof nm, "%s", t->uniq_names[i]);
        json_array_append_new(idx, index_json(nm, &t->uniq[i], 0, "btree", NULL));
    }
    for (size_t i = 0; i < t->nfks; i++) {
        const pgs_fk *fk = &t->fks[i];
        if (fk->cols.n == 1 && pk_ref_of(db, t, fk->cols.v[0]) == fk) {
            json_t *jf = json_pack("{s:o, s:s, s:o}", "columns", names_json(&fk->cols), "table",
                                   fk->ref_table, "ref_columns", names_json(&fk->ref_cols));
            if (jf && fk->actions)
                json_object_set_new(jf, "actions", json_string(fk->actions));
            json_array_append_new(fks, jf);
        }
    }
    for (size_t i = 0; i < t->nchecks; i++) {
        if (o->mask && strchr(t->checks[i], '\''))
            continue; /* a quoted literal could be a row value */
        json_array_append_new(checks, json_string(t->checks[i]));
    }
    for (size_t i = 0; i < t->nidx; i++)
        json_array_append_new(idx, index_json(t->idx[i].name, &t->idx[i].cols, t->idx[i].unique,
                                              t->idx[i].method, t->idx[i].def));
    json_object_set_new(jt, json_array_size(uniq) ? "unique" : "_unique", uniq);
    json_object_set_new(jt, json_array_size(fks) ? "foreign_keys" : "_foreign_keys", fks);
    json_object_set_new(jt, json_array_size(checks) ? "checks" : "_checks", checks);
    json_object_set_new(jt, json_array_size(idx) ? "indexes" : "_indexes", idx);
    json_t *excl = pk_exclusions_json(t, o->mask, notes);
    if (excl)
        json_object_set_new(jt, "exclusions", excl);
    pt_table_extras(db, t, jt, notes);
    if (xs_profile_table(db, t, o->mask, jt, notes)) {
        json_decref(jt);
        return NULL;
    }
    return jt;
}

json_t *profile_build(const pgs_db *db, const profile_opts *o, char *err)
{
    json_t *notes = json_array();
    json_t *tables = json_array();
    json_t *root = json_pack("{s:s, s:i, s:s, s:I}", "format", ST_FMT_SHAPE, "version",
                             ST_FMT_SHAPE_VERSION, "name", o->name ? o->name : "profile", "seed",
                             (json_int_t)o->seed);
    if (!root || !notes || !tables) {
        json_decref(root);
        json_decref(notes);
        json_decref(tables);
        st_err(err, ST_ENOMEM, "out of memory");
        return NULL;
    }
    json_object_set_new(root, "_profile",
                        json_pack("{s:s, s:i, s:b}", "schema", db->schema, "server_version",
                                  db->server_version, "masked", o->mask));
    for (size_t i = 0; i < db->nt; i++) {
        if (db->t[i].part_of)
            continue; /* a partition comes with its parent */
        json_t *jt = table_json(db, &db->t[i], o, notes);
        if (!jt) {
            json_decref(root);
            json_decref(notes);
            json_decref(tables);
            st_err(err, ST_ENOMEM, "out of memory");
            return NULL;
        }
        json_array_append_new(tables, jt);
    }
    if (db->skipped_gen)
        json_array_append_new(
            notes, json_sprintf("%zu generated columns without an expression left out (the "
                                "server computes them; add them back to the DDL)",
                                db->skipped_gen));
    if (db->skipped_idx)
        json_array_append_new(
            notes, json_sprintf("%zu indexes that read no column left out", db->skipped_idx));
    if (db->ntypes)
        json_object_set_new(root, "types", pt_types_json(db, o->mask, notes));
    if (db->nviews)
        json_object_set_new(root, "views", pt_views_json(db, o->mask, notes));
    json_object_set_new(root, "tables", tables);
    json_object_set_new(root, "_notes", notes);
    return root;
}
