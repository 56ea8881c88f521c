/*
 * profile_types.c -- the profile of columns whose type datagen does not generate from a
 * numeric or text axis: enums, domains, and PostgreSQL's other types (tsvector, arrays,
 * jsonb, inet, interval, ranges, money, bit, ...).
 *
 * A domain is profiled as its base type and keeps its name (the shape declares it under
 * "types"; PostgreSQL checks its CHECK on COPY). An enum is drawn from its MCVs, the rest
 * over its labels (labels are schema, so --mask keeps them). Other types draw from the
 * statistics' own literals (MCVs, then histogram bounds), which are valid input of the type
 * by construction; with --mask or without statistics they get one type-correct constant, or
 * NULL where the column allows it, and a note saying so.
 */
#include "profile_types.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvalue.h"
#include "shape_int.h"

const char *pt_gen_type(const pgs_db *db, const pgs_col *c)
{
    const pgs_type *ty = pgs_find_type(db, c->type);
    if (ty && ty->base && profile_type_class(ty->base) != PC_OTHER)
        return ty->base;
    return c->type;
}

/* 1 when a shape holding db's types accepts `type` (shape_types.c decides). */
static int shape_accepts(const pgs_db *db, const char *type)
{
    stype st[PGS_MAX_TABLES];
    shape sh = {.types = st, .ntypes = 0};
    for (size_t i = 0; i < db->ntypes && i < PGS_MAX_TABLES; i++) {
        const pgs_type *ty = &db->types[i];
        st[sh.ntypes++] = (stype){ty->name, ty->sql,
                                  ty->base && profile_type_class(ty->base) != PC_OTHER ? ty->base
                                                                                       : NULL};
    }
    scol c;
    return sh_col_type(&sh, type, &c) == 0;
}

int pt_type_ok(const pgs_db *db, const char *type)
{
    return shape_accepts(db, type);
}

int pt_keeps(const pgs_db *db, const pgs_col *c)
{
    return profile_type_class(pt_gen_type(db, c)) == PC_OTHER && strcmp(c->type, "bytea") &&
           shape_accepts(db, c->type);
}

/* A constant in the input syntax of `type`, or NULL when none is known. */
static const char *type_constant(const char *type)
{
    /* clang-format off */
    static const struct { const char *prefix; const char *lit; } k[] = {
        {"tsvector", ""}, {"tsquery", ""}, {"jsonb", "{}"}, {"json", "{}"},
        {"inet", "0.0.0.0"}, {"cidr", "0.0.0.0/32"}, {"macaddr8", "00:00:00:00:00:00:00:00"},
        {"macaddr", "00:00:00:00:00:00"}, {"interval", "0"}, {"money", "0"},
        {"int4range", "empty"}, {"int8range", "empty"}, {"numrange", "empty"},
        {"tsrange", "empty"}, {"tstzrange", "empty"}, {"daterange", "empty"},
        {"int4multirange", "{}"}, {"int8multirange", "{}"}, {"nummultirange", "{}"},
        {"datemultirange", "{}"}, {"bit varying", ""}, {"varbit", ""}, {"xml", ""},
        {"point", "(0,0)"}, {"time", "00:00:00"}, {"oid", "0"}, {"citext", ""}, {"hstore", ""},
    };
    /* clang-format on */
    size_t n = strlen(type);
    if (n > 2 && !strcmp(type + n - 2, "[]"))
        return "{}";
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
        if (!strncmp(type, k[i].prefix, strlen(k[i].prefix)))
            return k[i].lit;
    return NULL;
}

/* bit(n) needs exactly n digits. */
static json_t *bit_constant(const char *type)
{
    char buf[1100];
    long n = 1;
    if (!strncmp(type, "bit(", 4))
        n = strtol(type + 4, NULL, 10);
    if (n < 1 || n >= (long)sizeof buf)
        return NULL;
    memset(buf, '0', (size_t)n);
    buf[n] = 0;
    return json_string(buf);
}

static json_t *strings(char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static int is_tsvector(const char *type)
{
    return !strcmp(type, "tsvector");
}

static int is_array(const char *type)
{
    size_t n = strlen(type);
    return n > 2 && !strcmp(type + n - 2, "[]");
}

/* Appends element e quoted for its type: 'lexeme' with quotes doubled, or "elem" with
 * quotes and backslashes escaped (inside an array literal's braces). */
static size_t put_elem(char *buf, size_t o, size_t cap, const char *e, int tsv)
{
    if (o + 4 >= cap)
        return o;
    buf[o++] = tsv ? '\'' : '"';
    for (const char *p = e; *p && o + 4 < cap; p++) {
        if (tsv && *p == '\'')
            buf[o++] = '\'';
        else if (*p == '\\' || (!tsv && *p == '"'))
            buf[o++] = '\\';
        buf[o++] = *p;
    }
    buf[o++] = tsv ? '\'' : '"';
    return o;
}

/* Values of k elements, k the expected number of common elements per row (the sum of their
 * frequencies): windows of k consecutive elements in frequency order, each window weighted
 * by its first element's frequency, so that an element is in about its own share of rows
 * and a GIN or GiST lookup of it finds about as many rows as on the source. */
static json_t *elem_gen(const pgs_col *c, int tsv, int mask)
{
    json_t *vals = json_array(), *w = json_array();
    double sum = 0;
    for (size_t i = 0; i < c->nelems; i++)
        sum += c->elemf[i];
    size_t k = (size_t)(sum + 0.5);
    k = k < 1 ? 1 : k > c->nelems ? c->nelems : k > 16 ? 16 : k;
    for (size_t i = 0; vals && w && i < c->nelems; i++) {
        char buf[4096];
        size_t o = 0;
        if (!tsv)
            buf[o++] = '{';
        for (size_t j = 0; j < k; j++) {
            if (j)
                buf[o++] = tsv ? ' ' : ',';
            char mk[32];
            snprintf(mk, sizeof mk, "w%zu", (i + j) % c->nelems + 1);
            o = put_elem(buf, o, sizeof buf - 4, mask ? mk : c->elems[(i + j) % c->nelems], tsv);
        }
        if (!tsv)
            buf[o++] = '}';
        buf[o] = 0;
        json_array_append_new(vals, json_string(buf));
        json_array_append_new(w, json_real(pv_r6(c->elemf[i] > 0 ? c->elemf[i] : 1e-6)));
    }
    return json_pack("{s:s, s:o, s:o}", "kind", "categorical", "values", vals, "weights", w);
}

/* Under --mask: the literal standing for the source's value of rank r (0-based) of the
 * column's statistics, distinct per rank, so frequencies and distinct counts survive while
 * no value of the source does. NULL for types without such a form. */
static json_t *masked_lit(const char *type, size_t r)
{
    char b[96];
    size_t n = strlen(type);
    unsigned long long v = (unsigned long long)r + 1;
    if (n > 2 && !strcmp(type + n - 2, "[]")) {
        /* Digits are valid elements of arrays of numbers and of text alike. */
        /* clang-format off */
        static const char *const ok[] = {"integer[]", "bigint[]", "smallint[]", "text[]", "numeric[]",
                                         "real[]", "double precision[]", NULL};
        /* clang-format on */
        for (size_t i = 0; ok[i]; i++)
            if (!strcmp(type, ok[i]) ||
                (!strncmp(type, "character varying", 17) && strstr(type, "[]")))
                return json_sprintf("{%llu}", v);
        return NULL;
    }
    if (!strcmp(type, "interval"))
        snprintf(b, sizeof b, "%llu seconds", v);
    else if (!strcmp(type, "jsonb") || !strcmp(type, "json"))
        snprintf(b, sizeof b, "{\"k\": %llu}", v);
    else if (!strcmp(type, "inet") || !strcmp(type, "cidr"))
        snprintf(b, sizeof b, "10.%llu.%llu.%llu%s", (v >> 16) & 255, (v >> 8) & 255, v & 255,
                 !strcmp(type, "cidr") ? "/32" : "");
    else if (!strcmp(type, "tsvector"))
        snprintf(b, sizeof b, "'w%llu'", v);
    else if (!strcmp(type, "money"))
        snprintf(b, sizeof b, "%llu", v);
    else if (!strcmp(type, "int4range") || !strcmp(type, "int8range") || !strcmp(type, "numrange"))
        snprintf(b, sizeof b, "[%llu,%llu)", v, v + 1);
    else if (!strncmp(type, "bit(", 4)) {
        long k = strtol(type + 4, NULL, 10);
        if (k < 1 || k > 64)
            return NULL;
        for (long i = 0; i < k; i++)
            b[i] = (char)('0' + ((r >> (k - 1 - i)) & 1));
        b[k] = 0;
    } else
        return NULL;
    return json_string(b);
}

/* The column's statistics literals from rank `from`, masked when asked; NULL when a masked
 * form is missing. */
static json_t *lits(const pgs_col *c, char *const *v, size_t n, size_t from, int mask)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        json_t *x = mask ? masked_lit(c->type, from + i) : json_string(v[i]);
        if (!x) {
            json_decref(a);
            return NULL;
        }
        json_array_append_new(a, x);
    }
    return a;
}

json_t *pt_gen(const pgs_db *db, const pgs_table *t, const pgs_col *c, int mask, json_t *notes,
               int *all_null)
{
    const pgs_type *ty = pgs_find_type(db, c->type);
    int is_enum = ty && ty->labels && ty->nlabels;
    double live = 1 - c->null_frac > 1e-9 ? 1 - c->null_frac : 1;
    json_t *rest = NULL;
    *all_null = 0;
    json_t *hv = !is_enum && c->nhist >= 2 ? lits(c, c->hist, c->nhist, c->nmcv, mask) : NULL;
    json_t *mv = c->nmcv ? is_enum ? strings(c->mcv, c->nmcv) : lits(c, c->mcv, c->nmcv, 0, mask)
                         : NULL;
    if (is_enum)
        rest = json_pack("{s:s, s:o}", "kind", "categorical", "values",
                         strings(ty->labels, ty->nlabels));
    else if (hv)
        rest = json_pack("{s:s, s:o}", "kind", "categorical", "values", hv);
    if (mv) {
        json_t *w = json_array();
        double sum = 0;
        for (size_t i = 0; i < c->nmcv; i++)
            sum += c->mcf[i] / live;
        for (size_t i = 0; w && i < c->nmcv; i++)
            json_array_append_new(
                w, json_real(pv_r6(c->mcf[i] / live / (rest && sum <= 1 ? 1 : sum))));
        json_t *g = json_pack("{s:s, s:o, s:o}", "kind", "categorical", "values", mv, "weights", w);
        if (g && rest && sum < 1 - 1e-6)
            json_object_set_new(g, "rest", rest);
        else
            json_decref(rest);
        return g;
    }
    if (rest)
        return rest;
    if (c->nelems && (is_tsvector(c->type) || is_array(c->type)))
        return elem_gen(c, is_tsvector(c->type), mask);
    json_t *lit = !strncmp(c->type, "bit(", 4) || !strcmp(c->type, "bit") ? bit_constant(c->type)
                  : type_constant(c->type) ? json_string(type_constant(c->type))
                                           : NULL;
    if (!c->notnull || !lit) {
        json_decref(lit);
        *all_null = 1;
        json_array_append_new(
            notes,
            json_sprintf("%s.%s: type %s %s; all %.0f rows NULL%s", t->name, c->name, c->type,
                         mask ? "masked" : "has no statistics to draw from",
                         t->reltuples > 0 ? t->reltuples : 0,
                         c->notnull
                             ? " (the column is NOT NULL: the load will fail; give it a generator)"
                             : ""));
        return json_pack("{s:s, s:n}", "kind", "const", "value");
    }
    json_array_append_new(
        notes, json_sprintf("%s.%s: type %s %s; all %.0f rows get the constant '%s'", t->name,
                            c->name, c->type, mask ? "masked" : "has no statistics to draw from",
                            t->reltuples > 0 ? t->reltuples : 0, json_string_value(lit)));
    return json_pack("{s:s, s:o}", "kind", "const", "value", lit);
}

json_t *pt_types_json(const pgs_db *db, int mask, json_t *notes)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < db->ntypes; i++) {
        const pgs_type *ty = &db->types[i];
        /* Masked values are moved off the source's (they must not reveal it), so a domain's
         * CHECK no longer holds for them: under --mask it is left out, and said so. The
         * CHECKs come last in the statement (pgstats.c SQL_TYPES). */
        const char *cut = mask && ty->base ? strstr(ty->sql, " CONSTRAINT ") : NULL;
        json_t *o = json_pack("{s:s, s:s%}", "name", ty->name, "sql", ty->sql,
                              cut ? (size_t)(cut - ty->sql) : strlen(ty->sql));
        if (cut)
            json_array_append_new(notes,
                                  json_sprintf("domain %s: its CHECK is left out under --mask "
                                               "(masked values need not satisfy it)",
                                               ty->name));
        if (o && ty->base && profile_type_class(ty->base) != PC_OTHER)
            json_object_set_new(o, "base", json_string(ty->base));
        json_array_append_new(a, o);
    }
    return a;
}

void pt_table_extras(const pgs_db *db, const pgs_table *t, json_t *jt, json_t *notes)
{
    if (t->partkey) {
        /* Partitions are not tables of the shape: rows go through the parent, which routes
         * them; the parent's statistics are the inherited ones (pgstats.c). */
        json_t *pa = json_array();
        for (size_t i = 0; pa && i < db->nt; i++)
            if (db->t[i].part_of && !strcmp(db->t[i].part_of, t->name) && db->t[i].bound) {
                if (db->t[i].partkey)
                    json_array_append_new(
                        notes, json_sprintf("%s: sub-partitioned; its own partitions are not "
                                            "reproduced (rows routed to it fail)",
                                            db->t[i].name));
                json_array_append_new(
                    pa, json_pack("{s:s, s:s}", "name", db->t[i].name, "bound", db->t[i].bound));
            }
        json_object_set_new(jt, "partition_by", json_string(t->partkey));
        json_object_set_new(jt, "partitions", pa);
    }
    if (t->ngcols) {
        json_t *ga = json_array();
        for (size_t i = 0; ga && i < t->ngcols; i++)
            if (!pt_type_ok(db, t->gcols[i].type))
                json_array_append_new(notes,
                                      json_sprintf("%s.%s: generated column of type %s left out "
                                                   "(a shape cannot declare the type)",
                                                   t->name, t->gcols[i].name, t->gcols[i].type));
            else
                json_array_append_new(ga,
                                      json_pack("{s:s, s:s, s:s}", "name", t->gcols[i].name, "type",
                                                t->gcols[i].type, "expr", t->gcols[i].expr));
        json_object_set_new(jt, "generated", ga);
    }
}

json_t *pt_views_json(const pgs_db *db, int mask, json_t *notes)
{
    json_t *va = json_array();
    for (size_t i = 0; va && i < db->nviews; i++) {
        const pgs_view *v = &db->views[i];
        if (mask && strchr(v->query, '\'')) { /* a quoted literal could be a row value */
            json_array_append_new(
                notes,
                json_sprintf("view %s left out under --mask (it quotes a literal)", v->name));
            continue;
        }
        json_t *jv = json_pack("{s:s, s:s}", "name", v->name, "query", v->query);
        if (jv && v->materialized)
            json_object_set_new(jv, "materialized", json_true());
        json_array_append_new(va, jv);
    }
    return va;
}
