/*
 * shape_gen.c -- parsing and validating generators (`gen` objects of a shape) and fan-out.
 * Checks that span tables (cycles, unique-capable generators, resolving) are in
 * shape_resolve.c.
 */
#include "shape_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonio.h"

static const char *const gen_names[] = {
    "sequence", "permutation", "const", "uniform", "normal", "lognormal", "exponential",
    "zipf", "categorical", "histogram", "bool", "timestamp", "text", "uuid", "ref", "parent",
    "line", "switch", NULL};

static const char *const *gen_keys[] = {
    (const char *const[]){"kind", "start", "step", NULL},
    (const char *const[]){"kind", "start", NULL},
    (const char *const[]){"kind", "value", NULL},
    (const char *const[]){"kind", "min", "max", NULL},
    (const char *const[]){"kind", "mean", "sd", "min", "max", NULL},
    (const char *const[]){"kind", "mu", "median", "sigma", "min", "max", "group", NULL},
    (const char *const[]){"kind", "mean", "max", NULL},
    (const char *const[]){"kind", "n", "s", "start", "permute", NULL},
    (const char *const[]){"kind", "values", "weights", "rest", NULL},
    (const char *const[]){"kind", "bounds", NULL},
    (const char *const[]){"kind", "p", NULL},
    (const char *const[]){"kind", "from", "to", "growth", "weekly", "daily", NULL},
    (const char *const[]){"kind", "pattern", "width", "min_width", "max_width", "words", NULL},
    (const char *const[]){"kind", NULL},
    (const char *const[]){"kind", "table", "column", "dist", "s", "div", "div_tables", NULL},
    (const char *const[]){"kind", "column", NULL},
    (const char *const[]){"kind", NULL},
    (const char *const[]){"kind", "on", "cases", "else", NULL},
};

const char *sh_gen_name(int kind)
{
    return kind >= 0 && kind <= G_SWITCH ? gen_names[kind] : "?";
}

int sh_parse_time(const char *s, double *out)
{
    int y, mo, d, h = 0, mi = 0, n = 0;
    double sec = 0;
    char rest[32] = "";
    int k = sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n);
    if (k != 3 || mo < 1 || mo > 12 || d < 1 || d > 31)
        return -1;
    const char *p = s + n;
    if (*p == 'T' || *p == ' ') {
        int m = 0;
        if (sscanf(p + 1, "%2d:%2d:%lf%n", &h, &mi, &sec, &m) != 3 || h > 23 || mi > 59 ||
            sec < 0 || sec >= 61)
            return -1;
        p += 1 + m;
    }
    snprintf(rest, sizeof rest, "%s", p);
    if (rest[0] && strcmp(rest, "Z") && strcmp(rest, "+00") && strcmp(rest, "+00:00"))
        return -1;
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    *out = (double)timegm(&tm) + sec;
    return 0;
}

static int is_time(int ct)
{
    return ct == CT_DATE || ct == CT_TS || ct == CT_TSTZ;
}

/* A JSON scalar as a value typed for a column of type ct; text is malloc'd. */
static int parse_value(json_t *v, int ct, const char *path, gval *out, char *err)
{
    memset(out, 0, sizeof *out);
    if (json_is_null(v)) {
        out->kind = V_NULL;
    } else if (json_is_boolean(v)) {
        out->kind = V_BOOL;
        out->i = json_is_true(v);
    } else if (json_is_integer(v)) {
        out->kind = V_INT;
        out->i = json_integer_value(v);
        out->d = (double)out->i;
    } else if (json_is_real(v)) {
        out->kind = V_NUM;
        out->d = json_real_value(v);
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (is_time(ct)) {
            if (sh_parse_time(s, &out->d))
                return st_err(err, ST_EINPUT, "%s: expected a timestamp like \"2024-01-31\" or \"2024-01-31T12:00:00Z\"", path);
            out->kind = V_NUM;
        } else {
            /* fmt_row_max() budgets 80 bytes for a non-text column; a longer string there
             * (escaped, up to 2n + 2) would overrun the row buffer. */
            int textual = ct == CT_TEXT || ct == CT_JSON || ct == CT_UUID || ct == CT_BYTEA;
            if (!textual && json_string_length(v) > 32)
                return st_err(err, ST_EINPUT, "%s: a string for a non-text column is at most 32 bytes", path);
            out->kind = V_TEXT;
            out->len = json_string_length(v);
            char *c = malloc(out->len + 1);
            if (!c)
                return st_err(err, ST_ENOMEM, "out of memory");
            memcpy(c, s, out->len + 1);
            out->s = c;
        }
    } else {
        return st_err(err, ST_EINPUT, "%s: expected a number, string, boolean or null", path);
    }
    return 0;
}

/* A number or, for time columns, a timestamp string. */
static int num_or_time(json_t *o, const char *path, const char *key, int required, int ct,
                       double *out, char *err)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        if (required)
            return st_err(err, ST_EINPUT, "%s.%s: required", path, key);
        return 0;
    }
    if (json_is_string(v) && is_time(ct)) {
        if (sh_parse_time(json_string_value(v), out))
            return st_err(err, ST_EINPUT, "%s.%s: expected a timestamp like \"2024-01-31\"", path, key);
        return 0;
    }
    return jv_number(o, path, key, required, -INFINITY, INFINITY, out, err);
}

static int parse_pattern(gen *g, const char *pat, const char *path, char *err)
{
    size_t n = strlen(pat), cap = 8;
    g->pieces = calloc(cap, sizeof(tpiece));
    if (!g->pieces)
        return st_err(err, ST_ENOMEM, "out of memory");
    size_t i = 0;
    while (i < n) {
        if (g->npieces + 1 >= cap) {
            tpiece *np = realloc(g->pieces, 2 * cap * sizeof(tpiece));
            if (!np)
                return st_err(err, ST_ENOMEM, "out of memory");
            memset(np + cap, 0, cap * sizeof(tpiece));
            g->pieces = np;
            cap *= 2;
        }
        tpiece *tp = &g->pieces[g->npieces];
        if (pat[i] == '{') {
            const char *close = strchr(pat + i, '}');
            if (!close)
                return st_err(err, ST_EINPUT, "%s.pattern: unclosed '{'", path);
            char ph[64];
            size_t len = (size_t)(close - (pat + i + 1));
            if (len >= sizeof ph)
                return st_err(err, ST_EINPUT, "%s.pattern: placeholder too long", path);
            memcpy(ph, pat + i + 1, len);
            ph[len] = 0;
            long long a, b;
            char tail;
            if (!strcmp(ph, "row"))
                tp->kind = TP_ROW;
            else if (!strcmp(ph, "word"))
                tp->kind = TP_WORD;
            else if (!strcmp(ph, "words"))
                tp->kind = TP_WORDS;
            else if (sscanf(ph, "int:%lld:%lld%c", &a, &b, &tail) == 2 && a <= b) {
                tp->kind = TP_INT;
                tp->a = a;
                tp->b = b;
            } else if (sscanf(ph, "hex:%lld%c", &a, &tail) == 1 && a >= 1 && a <= 32) {
                tp->kind = TP_HEX;
                tp->a = a;
            } else
                return st_err(err, ST_EINPUT,
                              "%s.pattern: unknown placeholder {%s} (use {row}, {word}, {words}, {int:A:B}, {hex:N})",
                              path, ph);
            g->npieces++;
            i += len + 2;
        } else {
            const char *open = strchr(pat + i, '{');
            size_t len = open ? (size_t)(open - (pat + i)) : n - i;
            tp->kind = TP_LIT;
            tp->lit = malloc(len + 1);
            if (!tp->lit)
                return st_err(err, ST_ENOMEM, "out of memory");
            memcpy(tp->lit, pat + i, len);
            tp->lit[len] = 0;
            tp->len = len;
            g->npieces++;
            i += len;
        }
    }
    return 0;
}

static int weights_of(json_t *arr, const char *path, size_t want, double *out, char *err)
{
    if (!json_is_array(arr) || json_array_size(arr) != want)
        return st_err(err, ST_EINPUT, "%s: expected %zu numbers", path, want);
    double sum = 0;
    for (size_t i = 0; i < want; i++) {
        json_t *v = json_array_get(arr, i);
        if (!json_is_number(v) || !(json_number_value(v) >= 0) || !isfinite(json_number_value(v)))
            return st_err(err, ST_EINPUT, "%s[%zu]: expected a number >= 0", path, i);
        out[i] = json_number_value(v);
        sum += out[i];
    }
    if (!(sum > 0))
        return st_err(err, ST_EINPUT, "%s: weights must not all be 0", path);
    return 0;
}

/* Finds column `name` of table ti (or a pseudo-column when allowed). */
static int col_ref(const shape *sh, int ti, const char *name, const char *path, int pseudo_ok,
                   int *col, int *pseudo, char *err)
{
    *col = -1;
    if (pseudo) *pseudo = PS_NONE;
    if (pseudo_ok && name[0] == '$') {
        if (!strcmp(name, "$rank") || !strcmp(name, "$rank_frac")) {
            if (!sh->t[ti].has_pop)
                return st_err(err, ST_EINPUT, "%s: %s needs the table's popularity", path, name);
            *pseudo = name[5] ? PS_RANK_FRAC : PS_RANK;
            return 0;
        }
        if (!strcmp(name, "$row_frac")) {
            *pseudo = PS_ROW_FRAC;
            return 0;
        }
        return st_err(err, ST_EINPUT, "%s: unknown pseudo-column '%s' (use $rank, $rank_frac, $row_frac)", path, name);
    }
    *col = shape_col_index(&sh->t[ti], name);
    if (*col < 0)
        return st_err(err, ST_EINPUT, "%s: no column '%s' in table '%s'", path, name, sh->t[ti].name);
    return 0;
}

/* The word run behind {words}: SHAPE_SOUP_BYTES of words drawn from the list with a fixed
 * stream of the column (independent of the run's seed, which picks the slices), plus a tail
 * so that a slice starting near the end never wraps. */
static int build_soup(gen *g, uint64_t colstream, char *err)
{
    int has = 0;
    for (size_t i = 0; i < g->npieces; i++)
        has |= g->pieces[i].kind == TP_WORDS;
    if (!has)
        return 0;
    size_t cap = SHAPE_SOUP_BYTES + 2 * SHAPE_MAX_WIDTH + 512;
    g->soup = malloc(cap);
    g->starts = malloc((SHAPE_SOUP_BYTES / 2 + 1) * sizeof(uint32_t));
    if (!g->soup || !g->starts)
        return st_err(err, ST_ENOMEM, "out of memory");
    rng_stream s;
    rng_stream_init(&s, 0x534f5550ull, rng_mix(colstream, 0x534f5550ull));
    size_t n = 0;
    while (n + 300 < cap) {
        const char *w = g->nwords ? g->words[rng_below(&s, g->nwords)] : sh_default_word(rng_below(&s, sh_default_nwords()));
        size_t k = strlen(w);
        if (n < SHAPE_SOUP_BYTES && k > 0)
            g->starts[g->nstarts++] = (uint32_t)n;
        memcpy(g->soup + n, w, k);
        n += k;
        g->soup[n++] = ' ';
    }
    g->soup_len = n;
    if (g->nstarts == 0) { /* only empty words: slices are empty */
        g->starts[g->nstarts++] = 0;
        g->soup_len = 0;
    }
    return 0;
}

int sh_parse_gen(shape *sh, int ti, int ci, json_t *jg, const char *path, gen **out, char *err)
{
    stable *t = &sh->t[ti];
    int ct = t->cols[ci].ctype;
    char p[400];
    int rc, kind = 0;
    *out = NULL;
    if (!json_is_object(jg))
        return st_err(err, ST_EINPUT, "%s: expected an object", path);
    if ((rc = jv_enum(jg, path, "kind", 1, gen_names, &kind, err)))
        return rc;
    if ((rc = jv_no_unknown(jg, path, gen_keys[kind], err)))
        return rc;
    gen *g = calloc(1, sizeof *g);
    if (!g)
        return st_err(err, ST_ENOMEM, "out of memory");
    *out = g;
    g->kind = kind;
    g->group_col = -1;
    g->on_col = -1;
    g->ref_table = -1;
    g->ref_col = -1;
    if (num_or_time(jg, path, "min", 0, ct, &g->lo, err) || num_or_time(jg, path, "max", 0, ct, &g->hi, err))
        return ST_EINPUT;
    g->has_lo = json_object_get(jg, "min") != NULL;
    g->has_hi = json_object_get(jg, "max") != NULL;
    switch (kind) {
    case G_SEQUENCE:
        g->i1 = 1;
        g->i2 = 1;
        if ((rc = jv_int(jg, path, "start", 0, INT64_MIN / 4, INT64_MAX / 4, &g->i1, err)) ||
            (rc = jv_int(jg, path, "step", 0, -(1 << 30), 1 << 30, &g->i2, err)))
            return rc;
        if (g->i2 == 0)
            return st_err(err, ST_EINPUT, "%s.step: must not be 0", path);
        break;
    case G_PERMUTATION:
        g->i1 = 1;
        if ((rc = jv_int(jg, path, "start", 0, INT64_MIN / 4, INT64_MAX / 4, &g->i1, err)))
            return rc;
        g->perm_key = rng_mix(t->cols[ci].stream, 0x7065726dull);
        break;
    case G_CONST: {
        json_t *v = json_object_get(jg, "value");
        jv_key(p, sizeof p, path, "value");
        if (!v)
            return st_err(err, ST_EINPUT, "%s: required", p);
        if ((rc = parse_value(v, ct, p, &g->cval, err)))
            return rc;
        break;
    }
    case G_UNIFORM:
        if (!g->has_lo || !g->has_hi)
            return st_err(err, ST_EINPUT, "%s: uniform needs min and max", path);
        if (!(g->lo <= g->hi))
            return st_err(err, ST_EINPUT, "%s.max: must be >= min", path);
        g->has_lo = g->has_hi = 0;
        g->p1 = g->lo;
        g->p2 = g->hi;
        break;
    case G_NORMAL:
        if ((rc = num_or_time(jg, path, "mean", 1, ct, &g->p1, err)) ||
            (rc = jv_number(jg, path, "sd", 1, 0, INFINITY, &g->p2, err)))
            return rc;
        break;
    case G_LOGNORMAL: {
        double med = 0;
        if ((rc = jv_number(jg, path, "sigma", 1, 0, 20, &g->p2, err)))
            return rc;
        if (json_object_get(jg, "median")) {
            if ((rc = jv_number(jg, path, "median", 1, -INFINITY, INFINITY, &med, err)))
                return rc;
            if (!(med > 0))
                return st_err(err, ST_EINPUT, "%s.median: must be > 0", path);
            g->p1 = log(med);
        } else if ((rc = jv_number(jg, path, "mu", 1, -700, 700, &g->p1, err)))
            return rc;
        json_t *grp = NULL;
        grp = NULL;
        if ((rc = jv_object(jg, path, "group", 0, &grp, err)))
            return rc;
        if (grp) {
            static const char *const k[] = {"on", "sigma", NULL};
            const char *on;
            jv_key(p, sizeof p, path, "group");
            if ((rc = jv_no_unknown(grp, p, k, err)) || (rc = jv_string(grp, p, "on", 1, &on, err)) ||
                (rc = jv_number(grp, p, "sigma", 1, 0, 20, &g->group_sigma, err)))
                return rc;
            char q[420];
            jv_key(q, sizeof q, p, "on");
            if ((rc = col_ref(sh, ti, on, q, 0, &g->group_col, NULL, err)))
                return rc;
        }
        break;
    }
    case G_EXPONENTIAL:
        if ((rc = jv_number(jg, path, "mean", 1, -INFINITY, INFINITY, &g->p1, err)))
            return rc;
        if (!(g->p1 > 0))
            return st_err(err, ST_EINPUT, "%s.mean: must be > 0", path);
        break;
    case G_ZIPF: {
        int64_t n;
        double s;
        g->i1 = 1;
        g->permute = 1;
        if ((rc = jv_int(jg, path, "n", 1, 1, (int64_t)1 << 53, &n, err)) ||
            (rc = jv_number(jg, path, "s", 1, -INFINITY, INFINITY, &s, err)))
            return rc;
        if (!(s > 0) || s > 20)
            return st_err(err, ST_EINPUT, "%s.s: must be > 0", path);
        if ((rc = jv_int(jg, path, "start", 0, INT64_MIN / 4, INT64_MAX / 4, &g->i1, err)) ||
            (rc = jv_bool(jg, path, "permute", 0, &g->permute, err)))
            return rc;
        if (rng_zipf_init(&g->z, (uint64_t)n, s, err))
            return ST_EINPUT;
        g->perm_key = rng_mix(t->cols[ci].stream, 0x7a697066ull);
        break;
    }
    case G_CATEGORICAL: {
        json_t *vals = json_object_get(jg, "values"), *w = json_object_get(jg, "weights");
        jv_key(p, sizeof p, path, "values");
        if (!json_is_array(vals) || json_array_size(vals) == 0 || json_array_size(vals) > 1000000)
            return st_err(err, ST_EINPUT, "%s: expected a non-empty array", p);
        g->nvals = json_array_size(vals);
        g->vals = calloc(g->nvals, sizeof(gval));
        double *wt = malloc(g->nvals * sizeof(double));
        if (!g->vals || !wt) {
            free(wt);
            return st_err(err, ST_ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < g->nvals; i++) {
            char q[420];
            jv_path(q, sizeof q, p, i);
            if ((rc = parse_value(json_array_get(vals, i), ct, q, &g->vals[i], err))) {
                free(wt);
                return rc;
            }
        }
        jv_key(p, sizeof p, path, "weights");
        if (!w) {
            for (size_t i = 0; i < g->nvals; i++)
                wt[i] = 1;
        } else if ((rc = weights_of(w, p, g->nvals, wt, err))) {
            free(wt);
            return rc;
        }
        json_t *rest = json_object_get(jg, "rest");
        if (rest) {
            double sum = 0;
            for (size_t i = 0; i < g->nvals; i++)
                sum += wt[i];
            if (sum > 1 + 1e-9) {
                free(wt);
                return st_err(err, ST_EINPUT, "%s: with rest, the weights are frequencies and must sum to <= 1 (sum %.4g)", p, sum);
            }
            g->rest_p = sum >= 1 ? 0 : 1 - sum;
            jv_key(p, sizeof p, path, "rest");
            if ((rc = sh_parse_gen(sh, ti, ci, rest, p, &g->rest, err))) {
                free(wt);
                return rc;
            }
        }
        g->alias = rng_alias_new(wt, g->nvals, err);
        free(wt);
        if (!g->alias)
            return st_err(err, ST_EINPUT, "%s: bad weights", p);
        break;
    }
    case G_HISTOGRAM: {
        json_t *b = json_object_get(jg, "bounds");
        jv_key(p, sizeof p, path, "bounds");
        if (!json_is_array(b) || json_array_size(b) < 2 || json_array_size(b) > 100000)
            return st_err(err, ST_EINPUT, "%s: expected at least 2 ascending bounds", p);
        g->nbounds = json_array_size(b);
        g->bounds = malloc(g->nbounds * sizeof(double));
        if (!g->bounds)
            return st_err(err, ST_ENOMEM, "out of memory");
        for (size_t i = 0; i < g->nbounds; i++) {
            gval v;
            char q[420];
            jv_path(q, sizeof q, p, i);
            if ((rc = parse_value(json_array_get(b, i), ct, q, &v, err)))
                return rc;
            if (v.kind != V_INT && v.kind != V_NUM) {
                free((char *)v.s);
                return st_err(err, ST_EINPUT, "%s: expected a number%s", q, is_time(ct) ? " or timestamp" : "");
            }
            g->bounds[i] = v.kind == V_INT ? (double)v.i : v.d;
            if (i && g->bounds[i] < g->bounds[i - 1])
                return st_err(err, ST_EINPUT, "%s: bounds must ascend", q);
        }
        break;
    }
    case G_BOOL:
        if ((rc = jv_number(jg, path, "p", 1, 0, 1, &g->p1, err)))
            return rc;
        break;
    case G_TIMESTAMP: {
        if ((rc = num_or_time(jg, path, "from", 1, CT_TSTZ, &g->p1, err)) ||
            (rc = num_or_time(jg, path, "to", 1, CT_TSTZ, &g->p2, err)))
            return rc;
        if (!(g->p2 > g->p1))
            return st_err(err, ST_EINPUT, "%s.to: must be after from", path);
        double growth = 1;
        if ((rc = jv_number(jg, path, "growth", 0, 1e-6, 1e6, &growth, err)))
            return rc;
        g->growth_l = log(growth);
        json_t *wk = json_object_get(jg, "weekly"), *dy = json_object_get(jg, "daily");
        if (wk || dy) {
            double w7[7], d24[24];
            for (int i = 0; i < 7; i++) w7[i] = 1;
            for (int i = 0; i < 24; i++) d24[i] = 1;
            jv_key(p, sizeof p, path, "weekly");
            if (wk && (rc = weights_of(wk, p, 7, w7, err)))
                return rc;
            jv_key(p, sizeof p, path, "daily");
            if (dy && (rc = weights_of(dy, p, 24, d24, err)))
                return rc;
            g->warp = malloc(169 * sizeof(double));
            if (!g->warp)
                return st_err(err, ST_ENOMEM, "out of memory");
            g->warp[0] = 0;
            for (int h = 0; h < 168; h++)
                g->warp[h + 1] = g->warp[h] + w7[h / 24] * d24[h % 24];
            for (int h = 1; h <= 168; h++)
                g->warp[h] /= g->warp[168];
        }
        break;
    }
    case G_TEXT: {
        const char *pat = "{words}";
        double width = 24;
        if ((rc = jv_string(jg, path, "pattern", 0, &pat, err)) ||
            (rc = jv_number(jg, path, "width", 0, 0, SHAPE_MAX_WIDTH, &width, err)))
            return rc;
        g->width = width;
        g->wmin = floor(width / 2);
        g->wmax = ceil(width * 1.5);
        if ((rc = jv_number(jg, path, "min_width", 0, 0, SHAPE_MAX_WIDTH, &g->wmin, err)) ||
            (rc = jv_number(jg, path, "max_width", 0, 0, SHAPE_MAX_WIDTH, &g->wmax, err)))
            return rc;
        if (g->wmax < g->wmin)
            return st_err(err, ST_EINPUT, "%s.max_width: must be >= min_width", path);
        if ((rc = parse_pattern(g, pat, path, err)))
            return rc;
        json_t *w = json_object_get(jg, "words");
        if (w) {
            jv_key(p, sizeof p, path, "words");
            if (!json_is_array(w) || json_array_size(w) == 0)
                return st_err(err, ST_EINPUT, "%s: expected a non-empty array of strings", p);
            g->nwords = json_array_size(w);
            g->words = calloc(g->nwords, sizeof(char *));
            if (!g->words)
                return st_err(err, ST_ENOMEM, "out of memory");
            for (size_t i = 0; i < g->nwords; i++) {
                json_t *x = json_array_get(w, i);
                if (!json_is_string(x) || json_string_length(x) > 256)
                    return st_err(err, ST_EINPUT, "%s[%zu]: expected a string (max 256 bytes)", p, i);
                g->words[i] = sh_strdup(json_string_value(x));
            }
        }
        if ((rc = build_soup(g, t->cols[ci].stream, err)))
            return rc;
        break;
    }
    case G_UUID:
    case G_LINE:
        if (kind == G_LINE && t->parent < 0)
            return st_err(err, ST_EINPUT, "%s: 'line' needs a child table (parent)", path);
        break;
    case G_REF: {
        const char *tn, *cn = NULL;
        static const char *const dists[] = {"uniform", "zipf", "popular", "cycle", NULL};
        int64_t div = 1;
        if ((rc = jv_string(jg, path, "table", 1, &tn, err)) ||
            (rc = jv_string(jg, path, "column", 0, &cn, err)) ||
            (rc = jv_enum(jg, path, "dist", 0, dists, &g->ref_dist, err)) ||
            (rc = jv_int(jg, path, "div", 0, 1, INT64_MAX / 4, &div, err)))
            return rc;
        g->ref_div = g->ref_div0 = (uint64_t)div;
        json_t *dt = json_object_get(jg, "div_tables");
        if (dt) {
            jv_key(p, sizeof p, path, "div_tables");
            if (!json_is_array(dt) || json_array_size(dt) > 4)
                return st_err(err, ST_EINPUT, "%s: expected up to 4 table names", p);
            for (size_t k = 0; k < json_array_size(dt); k++) {
                json_t *x = json_array_get(dt, k);
                int ix = json_is_string(x) ? shape_table_index(sh, json_string_value(x)) : -1;
                if (ix < 0)
                    return st_err(err, ST_EINPUT, "%s[%zu]: expected the name of a table in the shape", p, k);
                g->div_tables[g->ndiv_tables++] = ix;
            }
        }
        g->ref_table = shape_table_index(sh, tn);
        if (g->ref_table < 0)
            return st_err(err, ST_EINPUT, "%s.table: no table '%s' in the shape", path, tn);
        const stable *rt = &sh->t[g->ref_table];
        if (rt->parent >= 0)
            return st_err(err, ST_EINPUT, "%s.table: '%s' is a child table; refer to an ordinary table", path, tn);
        g->ref_col = cn ? shape_col_index(rt, cn) : 0;
        if (g->ref_col < 0)
            return st_err(err, ST_EINPUT, "%s.column: no column '%s' in table '%s'", path, cn, tn);
        if (g->ref_dist == RD_ZIPF) {
            if ((rc = jv_number(jg, path, "s", 1, -INFINITY, INFINITY, &g->ref_s, err)))
                return rc;
            if (!(g->ref_s > 0) || g->ref_s > 20)
                return st_err(err, ST_EINPUT, "%s.s: must be > 0", path);
        }
        if (g->ref_dist == RD_POPULAR && !rt->has_pop)
            return st_err(err, ST_EINPUT, "%s.dist: table '%s' has no popularity", path, tn);
        break;
    }
    case G_PARENT: {
        const char *cn;
        if (t->parent < 0)
            return st_err(err, ST_EINPUT, "%s: 'parent' needs a child table (parent)", path);
        if ((rc = jv_string(jg, path, "column", 1, &cn, err)))
            return rc;
        g->ref_table = t->parent;
        g->ref_col = shape_col_index(&sh->t[t->parent], cn);
        if (g->ref_col < 0)
            return st_err(err, ST_EINPUT, "%s.column: no column '%s' in table '%s'", path, cn, sh->t[t->parent].name);
        break;
    }
    case G_SWITCH: {
        const char *on;
        json_t *cases, *els;
        if ((rc = jv_string(jg, path, "on", 1, &on, err)))
            return rc;
        jv_key(p, sizeof p, path, "on");
        if ((rc = col_ref(sh, ti, on, p, 1, &g->on_col, &g->on_pseudo, err)))
            return rc;
        int on_ct = g->on_col >= 0 ? t->cols[g->on_col].ctype : CT_FLOAT8;
        if ((rc = jv_array(jg, path, "cases", 1, &cases, err)))
            return rc;
        g->ncases = json_array_size(cases);
        g->cases = calloc(g->ncases + 1, sizeof(gcase));
        if (!g->cases)
            return st_err(err, ST_ENOMEM, "out of memory");
        for (size_t i = 0; i < g->ncases; i++) {
            char cp[420], wp[440];
            static const char *const ck[] = {"when", "gen", NULL};
            static const char *const ops[] = {"lt", "le", "gt", "ge", "eq", "in", NULL};
            jv_key(p, sizeof p, path, "cases");
            jv_path(cp, sizeof cp, p, i);
            json_t *jc = json_array_get(cases, i), *when, *cg;
            if (!json_is_object(jc))
                return st_err(err, ST_EINPUT, "%s: expected an object", cp);
            if ((rc = jv_no_unknown(jc, cp, ck, err)) || (rc = jv_object(jc, cp, "when", 1, &when, err)) ||
                (rc = jv_object(jc, cp, "gen", 1, &cg, err)))
                return rc;
            jv_key(wp, sizeof wp, cp, "when");
            if (json_object_size(when) != 1)
                return st_err(err, ST_EINPUT, "%s: expected exactly one of lt, le, gt, ge, eq, in", wp);
            const char *op = json_object_iter_key(json_object_iter(when));
            json_t *x = json_object_iter_value(json_object_iter(when));
            int opi = -1;
            for (int k = 0; ops[k]; k++)
                if (!strcmp(op, ops[k]))
                    opi = k;
            if (opi < 0)
                return st_err(err, ST_EINPUT, "%s.%s: unknown condition (use lt, le, gt, ge, eq, in)", wp, op);
            gcase *gc = &g->cases[i];
            gc->op = opi;
            char vp[460];
            jv_key(vp, sizeof vp, wp, op);
            if (opi == OP_IN) {
                if (!json_is_array(x) || json_array_size(x) == 0)
                    return st_err(err, ST_EINPUT, "%s: expected a non-empty array", vp);
                gc->nvals = json_array_size(x);
            } else
                gc->nvals = 1;
            gc->vals = calloc(gc->nvals, sizeof(gval));
            if (!gc->vals)
                return st_err(err, ST_ENOMEM, "out of memory");
            for (size_t k = 0; k < gc->nvals; k++)
                if ((rc = parse_value(opi == OP_IN ? json_array_get(x, k) : x, on_ct, vp, &gc->vals[k], err)))
                    return rc;
            char gp[460];
            jv_key(gp, sizeof gp, cp, "gen");
            if ((rc = sh_parse_gen(sh, ti, ci, cg, gp, &gc->g, err)))
                return rc;
        }
        if ((rc = jv_object(jg, path, "else", 1, &els, err)))
            return rc;
        jv_key(p, sizeof p, path, "else");
        if ((rc = sh_parse_gen(sh, ti, ci, els, p, &g->els, err)))
            return rc;
        break;
    }
    }
    if (g->has_lo && g->has_hi && g->lo > g->hi)
        return st_err(err, ST_EINPUT, "%s.max: must be >= min", path);
    return 0;
}

int sh_parse_parent(shape *sh, stable *t, json_t *jp, const char *tpath, char *err)
{
    char p[300], fp[320];
    const char *pn;
    json_t *jf;
    int rc;
    static const char *const k[] = {"table", "fanout", NULL};
    static const char *const fk[] = {"dist", "n", "min", "max", "s", "mean", "values", "weights", NULL};
    static const char *const dists[] = {"const", "uniform", "zipf", "geometric", "categorical", NULL};
    jv_key(p, sizeof p, tpath, "parent");
    if ((rc = jv_no_unknown(jp, p, k, err)) || (rc = jv_string(jp, p, "table", 1, &pn, err)) ||
        (rc = jv_object(jp, p, "fanout", 1, &jf, err)))
        return rc;
    t->parent = shape_table_index(sh, pn);
    if (t->parent < 0)
        return st_err(err, ST_EINPUT, "%s.table: no table '%s' in the shape", p, pn);
    if (sh->t[t->parent].parent >= 0 || &sh->t[t->parent] == t)
        return st_err(err, ST_EINPUT, "%s.table: the parent must be an ordinary table (not a child)", p);
    fanout *f = &t->fan;
    jv_key(fp, sizeof fp, p, "fanout");
    if ((rc = jv_no_unknown(jf, fp, fk, err)) || (rc = jv_enum(jf, fp, "dist", 1, dists, &f->dist, err)))
        return rc;
    f->min = 1;
    f->max = SHAPE_MAX_FANOUT;
    switch (f->dist) {
    case FD_CONST:
        if ((rc = jv_int(jf, fp, "n", 1, 0, SHAPE_MAX_FANOUT, &f->min, err)))
            return rc;
        f->max = f->min;
        break;
    case FD_UNIFORM:
    case FD_ZIPF:
    case FD_GEOMETRIC:
        if ((rc = jv_int(jf, fp, "min", 0, 0, SHAPE_MAX_FANOUT, &f->min, err)) ||
            (rc = jv_int(jf, fp, "max", 1, 0, SHAPE_MAX_FANOUT, &f->max, err)))
            return rc;
        if (f->max < f->min)
            return st_err(err, ST_EINPUT, "%s.max: must be >= min", fp);
        if (f->dist == FD_ZIPF) {
            if ((rc = jv_number(jf, fp, "s", 1, -INFINITY, INFINITY, &f->s, err)))
                return rc;
            if (!(f->s > 0) || f->s > 20)
                return st_err(err, ST_EINPUT, "%s.s: must be > 0", fp);
            if (rng_zipf_init(&f->z, (uint64_t)(f->max - f->min + 1), f->s, err))
                return ST_EINPUT;
        }
        if (f->dist == FD_GEOMETRIC) {
            if ((rc = jv_number(jf, fp, "mean", 1, 1, SHAPE_MAX_FANOUT, &f->mean, err)))
                return rc;
            f->mean = f->mean - f->min + 1; /* mean of the geometric part counted from min */
            if (f->mean < 1)
                f->mean = 1;
        }
        break;
    case FD_CATEGORICAL: {
        json_t *v = json_object_get(jf, "values"), *w = json_object_get(jf, "weights");
        char q[340];
        jv_key(q, sizeof q, fp, "values");
        if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > 65536)
            return st_err(err, ST_EINPUT, "%s: expected a non-empty array of integers", q);
        f->nvals = json_array_size(v);
        f->vals = calloc(f->nvals, sizeof(int64_t));
        double *wt = calloc(f->nvals, sizeof(double));
        if (!f->vals || !wt) {
            free(wt);
            return st_err(err, ST_ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < f->nvals; i++) {
            json_t *x = json_array_get(v, i);
            if (!json_is_integer(x) || json_integer_value(x) < 0 || json_integer_value(x) > SHAPE_MAX_FANOUT) {
                free(wt);
                return st_err(err, ST_EINPUT, "%s[%zu]: expected an integer in [0, %d]", q, i, SHAPE_MAX_FANOUT);
            }
            f->vals[i] = json_integer_value(x);
            wt[i] = 1;
        }
        jv_key(q, sizeof q, fp, "weights");
        if (w && (rc = weights_of(w, q, f->nvals, wt, err))) {
            free(wt);
            return rc;
        }
        f->alias = rng_alias_new(wt, f->nvals, err);
        free(wt);
        if (!f->alias)
            return ST_EINPUT;
        break;
    }
    }
    return 0;
}
