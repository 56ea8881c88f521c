/*
 * plannorm.c -- EXPLAIN JSON into plan shapes, diffs and flags (see plannorm.h).
 *
 * The JSON keys read are PostgreSQL's EXPLAIN output keys: "Plan", "Plans", "Node Type",
 * "Parallel Aware", "Strategy", "Partial Mode", "Relation Name", "Index Name", "Join Type",
 * "Plan Rows", "Total Cost", "Actual Rows", "Actual Loops", "Rows Removed by Filter",
 * "Planning Time", "Execution Time".
 */
#include "plannorm.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbuf.h"

static const char *jstr(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static double jnum(json_t *o, const char *k, double dflt)
{
    json_t *v = json_object_get(o, k);
    return json_is_number(v) ? json_number_value(v) : dflt;
}

static void node_free(pn_node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->nkids; i++)
        node_free(n->kids[i]);
    free(n->kids);
    free(n->label);
    free(n->type);
    free(n->rel);
    free(n);
}

/* The node's type as the shape names it: parallel awareness and the aggregate strategy
 * folded in, so that "Parallel Seq Scan" and "HashAggregate" read as in text EXPLAIN. */
static void node_type(json_t *j, char *buf, size_t n)
{
    const char *t = jstr(j, "Node Type");
    if (!t)
        t = "?";
    const char *strategy = jstr(j, "Strategy");
    const char *partial = jstr(j, "Partial Mode");
    const char *par = json_is_true(json_object_get(j, "Parallel Aware")) ? "Parallel " : "";
    const char *pm = partial && strcmp(partial, "Simple") ? partial : NULL;
    if (!strcmp(t, "Aggregate") && strategy) {
        if (!strcmp(strategy, "Hashed"))
            t = "HashAggregate";
        else if (!strcmp(strategy, "Sorted"))
            t = "GroupAggregate";
        else if (!strcmp(strategy, "Mixed"))
            t = "MixedAggregate";
    }
    snprintf(buf, n, "%s%s%s%s", pm ? pm : "", pm ? " " : "", par, t);
}

typedef struct pctx {
    pn_index_label idx;
    void *ctx;
} pctx;

static pn_node *parse_node(json_t *j, pn_plan *p, const pctx *px, int *rc, char *err)
{
    if (!json_is_object(j)) {
        *rc = st_err(err, ST_EINPUT, "EXPLAIN JSON: a plan node is not an object");
        return NULL;
    }
    if (++p->nnodes > PN_MAX_NODES) {
        *rc = st_err(err, ST_ELIMIT, "EXPLAIN JSON: more than %d plan nodes", PN_MAX_NODES);
        return NULL;
    }
    pn_node *n = calloc(1, sizeof *n);
    char type[96], label[512];
    if (!n) {
        *rc = st_err(err, ST_ENOMEM, "out of memory");
        return NULL;
    }
    node_type(j, type, sizeof type);
    const char *rel = jstr(j, "Relation Name"), *idx = jstr(j, "Index Name");
    char ilabel[300];
    if (idx && px->idx && !px->idx(px->ctx, idx, ilabel, sizeof ilabel))
        idx = ilabel;
    const char *join = jstr(j, "Join Type");
    char jt[40] = "";
    if (join) {
        snprintf(jt, sizeof jt, " %s", join);
        for (char *q = jt; *q; q++)
            if (*q >= 'A' && *q <= 'Z')
                *q = (char)(*q - 'A' + 'a');
    }
    snprintf(label, sizeof label, "%s%s%s%s%s%s", type, jt, idx ? " using " : "", idx ? idx : "",
             rel ? " on " : "", rel ? rel : "");
    n->label = strdup(label);
    n->type = strdup(type);
    n->rel = rel ? strdup(rel) : NULL;
    n->plan_rows = jnum(j, "Plan Rows", 0);
    n->has_actual = json_object_get(j, "Actual Rows") != NULL;
    n->actual_rows = jnum(j, "Actual Rows", 0);
    n->loops = jnum(j, "Actual Loops", 0);
    n->removed = jnum(j, "Rows Removed by Filter", 0);
    if (!n->label || !n->type || (rel && !n->rel)) {
        node_free(n);
        *rc = st_err(err, ST_ENOMEM, "out of memory");
        return NULL;
    }
    json_t *kids = json_object_get(j, "Plans");
    size_t nk = json_array_size(kids);
    if (nk) {
        n->kids = calloc(nk, sizeof *n->kids);
        if (!n->kids) {
            node_free(n);
            *rc = st_err(err, ST_ENOMEM, "out of memory");
            return NULL;
        }
        for (size_t i = 0; i < nk; i++) {
            n->kids[i] = parse_node(json_array_get(kids, i), p, px, rc, err);
            if (!n->kids[i]) {
                node_free(n);
                return NULL;
            }
            n->nkids++;
        }
    }
    return n;
}

pn_plan *pn_parse(const char *text, pn_index_label idx, void *ctx, char *err)
{
    pctx px = {idx, ctx};
    json_error_t je;
    json_t *doc = json_loads(text ? text : "", 0, &je);
    json_t *top = json_is_array(doc) ? json_array_get(doc, 0) : doc;
    json_t *plan = json_is_object(top) ? json_object_get(top, "Plan") : NULL;
    if (!plan) {
        st_err(err, ST_EINPUT, "not EXPLAIN (FORMAT JSON) output%s%s", doc ? "" : ": ",
               doc ? "" : je.text);
        json_decref(doc);
        return NULL;
    }
    pn_plan *p = calloc(1, sizeof *p);
    if (!p) {
        json_decref(doc);
        st_err(err, ST_ENOMEM, "out of memory");
        return NULL;
    }
    int rc = 0;
    p->root = parse_node(plan, p, &px, &rc, err);
    p->total_cost = jnum(plan, "Total Cost", 0);
    p->planning_ms = jnum(top, "Planning Time", -1);
    p->exec_ms = jnum(top, "Execution Time", -1);
    json_decref(doc);
    if (!p->root) {
        free(p);
        return NULL;
    }
    return p;
}

void pn_plan_free(pn_plan *p)
{
    if (!p)
        return;
    node_free(p->root);
    free(p);
}

static int shape_rec(const pn_node *n, dbuf *b)
{
    int rc = dbuf_adds(b, n->label);
    if (rc || !n->nkids)
        return rc;
    if ((rc = dbuf_adds(b, "(")))
        return rc;
    for (size_t i = 0; i < n->nkids; i++)
        if ((i && (rc = dbuf_adds(b, ", "))) || (rc = shape_rec(n->kids[i], b)))
            return rc;
    return dbuf_adds(b, ")");
}

char *pn_shape(const pn_plan *p)
{
    dbuf b;
    dbuf_init(&b, PN_MAX_SHAPE);
    if (!p || !p->root || shape_rec(p->root, &b)) {
        dbuf_free(&b);
        return NULL;
    }
    return dbuf_take(&b, NULL);
}

/* Pre-order list of nodes (depth recorded so that a moved child counts as a difference). */
static size_t flatten(const pn_node *n, const pn_node **out, int *depth, int d, size_t k,
                      size_t cap)
{
    if (k < cap) {
        out[k] = n;
        depth[k] = d;
    }
    k++;
    for (size_t i = 0; i < n->nkids; i++)
        k = flatten(n->kids[i], out, depth, d + 1, k, cap);
    return k;
}

int pn_diff(const pn_plan *a, const pn_plan *b, char *buf, size_t n)
{
    size_t cap = a->nnodes > b->nnodes ? a->nnodes : b->nnodes;
    const pn_node **la = calloc(cap + 1, sizeof *la), **lb = calloc(cap + 1, sizeof *lb);
    int *da = calloc(cap + 1, sizeof *da), *db = calloc(cap + 1, sizeof *db);
    int differ = 0;
    if (!la || !lb || !da || !db) {
        snprintf(buf, n, "out of memory comparing plans");
        differ = 1;
        goto out;
    }
    size_t na = flatten(a->root, la, da, 0, 0, cap);
    size_t nb = flatten(b->root, lb, db, 0, 0, cap);
    size_t m = na < nb ? na : nb;
    for (size_t i = 0; i < m && !differ; i++)
        if (da[i] != db[i] || strcmp(la[i]->label, lb[i]->label)) {
            snprintf(buf, n, "node %zu: %s -> %s", i + 1, la[i]->label, lb[i]->label);
            differ = 1;
        }
    if (!differ && na != nb) {
        snprintf(buf, n, "node %zu: %s -> %s", m + 1, na > m ? la[m]->label : "(none)",
                 nb > m ? lb[m]->label : "(none)");
        differ = 1;
    }
    if (!differ && n)
        buf[0] = 0;
out:
    free(la);
    free(lb);
    free(da);
    free(db);
    return differ;
}

const char *pn_flag_name(int kind)
{
    static const char *const names[] = {"seq-scan", "sort", "estimate", "runtime"};
    return kind >= 0 && kind <= PF_RUNTIME ? names[kind] : "?";
}

static void add_flag(pn_flag *out, size_t cap, size_t *k, int kind, const char *fmt, ...)
    ST_PRINTF(5, 6);
static void add_flag(pn_flag *out, size_t cap, size_t *k, int kind, const char *fmt, ...)
{
    if (*k < cap) {
        va_list ap;
        va_start(ap, fmt);
        out[*k].kind = kind;
        vsnprintf(out[*k].msg, sizeof out[*k].msg, fmt, ap);
        va_end(ap);
    }
    (*k)++;
}

/* under_limit: a Limit above stops its subtree early, so the subtree's full-size estimates
 * are not errors (Plan Rows counts what the node would return if run to completion). */
static void check_rec(const pn_node *n, const pn_limits *lim, pn_flag *out, size_t cap, size_t *k,
                      int under_limit)
{
    double loops = n->loops > 0 ? n->loops : 1;
    if (lim->max_rows > 0 && strstr(n->type, "Seq Scan")) {
        double scanned = -1;
        if (n->has_actual)
            scanned = (n->actual_rows + n->removed) * loops;
        else if (lim->reltuples && n->rel)
            scanned = lim->reltuples(lim->ctx, n->rel);
        if (scanned < 0)
            scanned = n->plan_rows;
        if (scanned > lim->max_rows)
            add_flag(out, cap, k, PF_SEQSCAN, "%s reads %.0f rows (> %.0f)", n->label, scanned,
                     lim->max_rows);
    }
    if (lim->max_rows > 0 && strstr(n->type, "Sort") && !strstr(n->type, "Incremental")) {
        double rows = n->has_actual && n->nkids ? n->kids[0]->actual_rows * loops : n->plan_rows;
        if (rows > lim->max_rows)
            add_flag(out, cap, k, PF_SORT, "%s sorts %.0f rows (> %.0f)", n->label, rows,
                     lim->max_rows);
    }
    if (lim->est_factor > 1 && n->has_actual && n->loops > 0 && !under_limit) {
        double e = n->plan_rows + 1, a = n->actual_rows + 1;
        double f = e > a ? e / a : a / e;
        if (f > lim->est_factor)
            add_flag(out, cap, k, PF_ESTIMATE, "%s: estimated %.0f rows, actual %.0f (%.0fx)",
                     n->label, n->plan_rows, n->actual_rows, f);
    }
    for (size_t i = 0; i < n->nkids; i++)
        check_rec(n->kids[i], lim, out, cap, k, under_limit || !strcmp(n->type, "Limit"));
}

size_t pn_check(const pn_plan *p, const pn_limits *lim, pn_flag *out, size_t cap)
{
    size_t k = 0;
    if (!p || !p->root)
        return 0;
    check_rec(p->root, lim, out, cap, &k, 0);
    if (lim->max_ms > 0 && p->exec_ms > lim->max_ms)
        add_flag(out, cap, &k, PF_RUNTIME, "execution took %.1f ms (> %.1f ms)", p->exec_ms,
                 lim->max_ms);
    return k;
}
