/*
 * shape_keys.c -- uniqueness by construction: every primary key, unique constraint and
 * unique index of a shape must be held by its generators at the resolved row counts, or the
 * fill is refused before a row is written (a unique index that fails after a 40-minute load
 * is the failure this prevents).
 *
 * A column set is unique when one of these holds:
 *   - one of its columns is unique alone: a unique-capable kind (gen_kind.h `unique`), no
 *     n_distinct folding, and every value fits the column (integer range, varchar(n) cut);
 *   - in a child table, a `parent` column whose parent column is unique alone plus a `line`
 *     column (the key is (parent row, line)), or that column alone when the fan-out is at
 *     most 1;
 *   - in an ordinary table, `ref` columns with dist "cycle" to columns unique alone, whose
 *     divisors form a mixed radix (1, N1, N1*N2, ...) covering the table's rows;
 *   - in an ordinary table, a `distinct` column together with its `of` column (gk_distinct.c
 *     holds the pair at resolve, or refuses the fill there).
 * Primary-key columns must also have no NULL fraction.
 *
 * An exclusion constraint EXCLUDE USING m (e1 WITH op1, ...) is violated only by two rows
 * that match on every element, so it holds when one element never matches between two
 * rows: a column unique alone under `=`, or a range column under `&&` whose generator is
 * one of the disjoint slot patterns of shape.h (SH_SLOT_*) in an ordinary table.
 */
#include "gen_kind.h"
#include "shape_int.h"

#include <string.h>

static int64_t int_max(int ct)
{
    return ct == CT_INT2 ? 32767 : ct == CT_INT4 ? 2147483647 : INT64_MAX;
}

/* 1 when column ci of t cannot repeat over the table's rows; else why says what breaks. */
static int col_unique(const stable *t, int ci, char *why, size_t wn)
{
    const scol *c = &t->cols[ci];
    const gen *g = c->g;
    if (!sh_gen_unique(t, g)) {
        snprintf(why, wn, "'%s' has generator '%s', which can repeat", c->name,
                 sh_gen_name(g->kind));
        return 0;
    }
    if (c->n_distinct != 0) {
        snprintf(why, wn, "'%s' has n_distinct, which folds rows onto fewer values", c->name);
        return 0;
    }
    uint64_t last = t->rows ? t->rows - 1 : 0;
    if ((g->kind == G_SEQUENCE || g->kind == G_PERMUTATION) &&
        (c->ctype == CT_INT2 || c->ctype == CT_INT4 || c->ctype == CT_INT8)) {
        double step = g->kind == G_SEQUENCE ? (double)g->i2 : 1;
        double hi = (double)g->i1 + (double)last * step, lo = (double)g->i1;
        double top = (double)int_max(c->ctype);
        if (hi > top || lo > top || hi < -top - 1 || lo < -top - 1) {
            snprintf(why, wn, "'%s' (%s) would need values up to %.0f at %llu rows", c->name,
                     c->type_sql, hi > lo ? hi : lo, (unsigned long long)t->rows);
            return 0;
        }
    }
    if (g->kind == G_TEXT && c->maxlen > 0 && c->ctype == CT_TEXT &&
        gk_text_max_len(g, t->rows) > (size_t)c->maxlen) {
        snprintf(why, wn,
                 "'%s' values of up to %zu bytes would be cut to %s, losing the row number",
                 c->name, gk_text_max_len(g, t->rows), c->type_sql);
        return 0;
    }
    return 1;
}

/* The most child rows one parent row can get. */
static int64_t fan_max(const fanout *f)
{
    if (f->dist != FD_CATEGORICAL)
        return f->max;
    int64_t m = 0;
    for (size_t i = 0; i < f->nvals; i++)
        m = f->vals[i] > m ? f->vals[i] : m;
    return m;
}

/* The child-table key (parent's unique column, line), or the parent's unique column alone
 * when no parent row gets more than one child row. */
static int child_key(const shape *sh, const stable *t, const int *cols, size_t n)
{
    int has_parent = 0, has_line = 0;
    char why[256];
    for (size_t i = 0; t->parent >= 0 && i < n; i++) {
        const gen *g = t->cols[cols[i]].g;
        if (t->cols[cols[i]].n_distinct != 0)
            continue;
        if (g->kind == G_LINE)
            has_line = 1;
        if (g->kind == G_PARENT && col_unique(&sh->t[g->ref_table], g->ref_col, why, sizeof why))
            has_parent = 1;
    }
    return has_parent && (has_line || fan_max(&t->fan) <= 1);
}

/* Cycle references as digits of a mixed radix over the row key. */
static int radix_key(const shape *sh, const stable *t, const int *cols, size_t n)
{
    char why[256];
    uint64_t cover = 1;
    int progress = 1;
    if (t->parent >= 0)
        return 0; /* a child's row keys are not contiguous */
    while (progress && cover < t->rows) {
        progress = 0;
        for (size_t i = 0; i < n; i++) {
            const scol *c = &t->cols[cols[i]];
            const gen *g = c->g;
            if (g->kind != G_REF || g->ref_dist != RD_CYCLE || c->n_distinct != 0 ||
                g->ref_div != cover)
                continue;
            const stable *rt = &sh->t[g->ref_table];
            if (rt->rows < 2 || !col_unique(rt, g->ref_col, why, sizeof why))
                continue;
            cover = rt->rows > UINT64_MAX / cover ? UINT64_MAX : cover * rt->rows;
            progress = 1;
            break;
        }
    }
    return cover >= t->rows;
}

/* A `distinct` column and its `of` column, both in the set and unfolded. */
static int distinct_key(const stable *t, const int *cols, size_t n)
{
    for (size_t i = 0; t->parent < 0 && i < n; i++) {
        const scol *c = &t->cols[cols[i]];
        if (c->g->kind != G_DISTINCT || c->n_distinct != 0)
            continue;
        for (size_t j = 0; j < n; j++)
            if (cols[j] == c->g->on_col && t->cols[cols[j]].n_distinct == 0)
                return 1;
    }
    return 0;
}

/* The rows that cycle references of a key can tell apart (the product of their parents'
 * rows), 0 when the key holds other columns too. */
static uint64_t ref_combinations(const shape *sh, const stable *t, char **names, size_t n)
{
    uint64_t combos = 1;
    for (size_t i = 0; i < n; i++) {
        int ci = shape_col_index(t, names[i]);
        if (ci < 0 || t->cols[ci].g->kind != G_REF || t->cols[ci].g->ref_dist != RD_CYCLE)
            return 0;
        uint64_t r = sh->t[t->cols[ci].g->ref_table].rows;
        combos = r && combos > UINT64_MAX / r ? UINT64_MAX : combos * r;
    }
    return combos;
}

static int check_set(const shape *sh, const stable *t, char **names, size_t n, const char *path,
                     int pk, char *err)
{
    int cols[SHAPE_MAX_COLS];
    char why[256] = "", first[256] = "";
    size_t k = 0;
    for (size_t i = 0; i < n && k < SHAPE_MAX_COLS; i++) {
        char nm[128];
        /* index columns may carry " DESC", " NULLS FIRST", an operator class */
        size_t len = strcspn(names[i], " ");
        if (len >= sizeof nm)
            continue;
        memcpy(nm, names[i], len);
        nm[len] = 0;
        int ci = shape_col_index(t, nm);
        if (ci >= 0)
            cols[k++] = ci;
    }
    for (size_t i = 0; pk && i < k; i++)
        if (t->cols[cols[i]].null_frac > 0)
            return st_err(err, ST_EINPUT,
                          "%s: primary-key column '%s' has null_frac %g; a key is never NULL", path,
                          t->cols[cols[i]].name, t->cols[cols[i]].null_frac);
    if (t->rows <= 1)
        return 0;
    for (size_t i = 0; i < k; i++) {
        if (col_unique(t, cols[i], why, sizeof why))
            return 0;
        if (!first[0])
            snprintf(first, sizeof first, "%s", why);
    }
    if (child_key(sh, t, cols, k) || (k > 1 && radix_key(sh, t, cols, k)) ||
        distinct_key(t, cols, k))
        return 0;
    uint64_t combos = k > 1 && t->parent < 0 ? ref_combinations(sh, t, names, n) : 0;
    if (combos && combos < t->rows)
        return st_err(
            err, ST_EINPUT,
            "%s: table '%s' asks for %llu rows, but its key is made of references only and the "
            "referenced tables give %llu distinct combinations; lower its rows (or raise the "
            "referenced tables')",
            path, t->name, (unsigned long long)t->rows, (unsigned long long)combos);
    return st_err(
        err, ST_EINPUT,
        "%s: table '%s' (%llu rows): the generators cannot guarantee this key is unique (%s%s); "
        "give one of its columns a unique generator (sequence, permutation, uuid, text with "
        "{row})%s",
        path, t->name, (unsigned long long)t->rows, first,
        k > 1 ? ", and no other column makes the set unique" : "",
        k > 1 ? " or make it (parent column, line) or cycle references" : "");
}

/* The text of a text generator's pattern when it has only literals and {row}, else "". */
static void pattern_text(const gen *g, char *out, size_t n)
{
    size_t k = 0;
    out[0] = 0;
    for (size_t i = 0; g->kind == G_TEXT && i < g->npieces; i++) {
        const tpiece *p = &g->pieces[i];
        const char *txt = p->kind == TP_LIT ? p->lit : p->kind == TP_ROW ? "{row}" : NULL;
        int w = txt ? snprintf(out + k, n - k, "%s", txt) : -1;
        if (w < 0 || (size_t)w >= n - k) {
            out[0] = 0;
            return;
        }
        k += (size_t)w;
    }
}

/* The slot pattern that fits a range type, or NULL when the type has none. */
const char *shape_slot_pattern(const char *type)
{
    if (!strcmp(type, "int4range") || !strcmp(type, "int8range") || !strcmp(type, "numrange"))
        return SH_SLOT_INT;
    if (!strcmp(type, "tsrange") || !strcmp(type, "tstzrange"))
        return SH_SLOT_TIME;
    if (!strcmp(type, "daterange"))
        return SH_SLOT_DATE;
    return NULL;
}

/* 1 when no two rows of t can match on element `col WITH op`. */
static int excl_element_holds(const stable *t, const char *col, const char *op)
{
    char why[256], pat[128];
    int ci = shape_col_index(t, col);
    if (ci < 0)
        return 0;
    const scol *c = &t->cols[ci];
    if (!strcmp(op, "="))
        return c->null_frac == 0 && col_unique(t, ci, why, sizeof why);
    const char *slot = shape_slot_pattern(c->type_sql);
    if (strcmp(op, "&&") || !slot || t->parent >= 0 || c->n_distinct != 0)
        return 0;
    pattern_text(c->g, pat, sizeof pat);
    if (strcmp(pat, slot))
        return 0;
    /* The last slot must still be a value of the type: 10r + 9 within int4, a Julian day a
     * timestamp can hold. */
    return !strcmp(slot, SH_SLOT_INT)
               ? (strcmp(c->type_sql, "int4range") || t->rows <= 200000000ull)
               : t->rows <= SH_SLOT_TIME_ROWS;
}

/* "gist (room WITH =, during WITH &&) WHERE (...)": 1 when one element always differs. */
static int excl_holds(const stable *t, const char *use)
{
    const char *p = strchr(use, '(');
    if (!p)
        return 0;
    char el[256];
    size_t k = 0;
    int depth = 0;
    for (p++; *p; p++) {
        if ((*p == ',' || *p == ')') && depth == 0) {
            el[k] = 0;
            char col[128], op[16], tail;
            if (sscanf(el, " %127s WITH %15s %c", col, op, &tail) == 2 &&
                excl_element_holds(t, col, op))
                return 1;
            if (*p == ')')
                return 0;
            k = 0;
            continue;
        }
        depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
        if (k + 1 < sizeof el)
            el[k++] = *p;
    }
    return 0;
}

int shape_check_keys(const shape *sh, char *err)
{
    char p[300];
    int rc;
    for (size_t ti = 0; ti < sh->nt; ti++) {
        const stable *t = &sh->t[ti];
        if (t->npk) {
            snprintf(p, sizeof p, "tables[%zu].primary_key", ti);
            if ((rc = check_set(sh, t, t->pk, t->npk, p, 1, err)))
                return rc;
        }
        for (size_t u = 0; u < t->nuniq; u++) {
            snprintf(p, sizeof p, "tables[%zu].unique[%zu]", ti, u);
            if ((rc = check_set(sh, t, t->uniq[u], t->nuniq_cols[u], p, 0, err)))
                return rc;
        }
        for (size_t i = 0; i < t->nidx; i++) {
            if (!t->idx[i].unique)
                continue;
            snprintf(p, sizeof p, "tables[%zu].indexes[%zu]", ti, i);
            if ((rc = check_set(sh, t, t->idx[i].cols, t->idx[i].ncols, p, 0, err)))
                return rc;
        }
        for (size_t x = 0; x < t->nexcl && t->rows > 1; x++)
            if (!excl_holds(t, t->excl[x].using))
                return st_err(
                    err, ST_EINPUT,
                    "tables[%zu].exclusions[%zu]: table '%s' (%llu rows): the generators cannot "
                    "guarantee that no two rows conflict under EXCLUDE USING %s; give one "
                    "element's "
                    "column a unique generator (for `=`) or, for a range under `&&`, the text "
                    "pattern "
                    "of one disjoint range per row (docs/formats/shape.md, \"exclusions\")",
                    ti, x, t->name, (unsigned long long)t->rows, t->excl[x].using);
        for (size_t ci = 0; ci < t->ncols; ci++) {
            char *one = t->cols[ci].name;
            if (!t->cols[ci].unique)
                continue;
            snprintf(p, sizeof p, "tables[%zu].columns[%zu].unique", ti, ci);
            if ((rc = check_set(sh, t, &one, 1, p, 0, err)))
                return rc;
        }
    }
    return 0;
}
