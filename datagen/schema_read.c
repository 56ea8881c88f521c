/*
 * schema_read.c -- a shape from the catalog (see schema_read.h).
 */
#include "schema_read.h"
#include "formats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "jsonio.h"
#include "pgx.h"
#include "shape_int.h"

/* What the catalog says about one column, as the default generators need it. */
typedef struct colinfo {
    const pgs_col *c;
    const pgs_fk *fk; /* the single-column foreign key on it, or NULL */
    int in_key;       /* part of a PK/unique constraint */
    int single_key;   /* alone a PK/unique */
    double lo, hi;    /* CHECK-derived range */
    int has_lo, has_hi;
} colinfo;

static colinfo *by_name(colinfo *cols, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(cols[i].c->name, name))
            return &cols[i];
    return NULL;
}

/* "(price >= (0)::numeric)", "((qty > 0) AND (qty <= 100))" (catalog.h: checks without
 * their CHECK wrapper). Returns 1 when every conjunct is `column op number` and applies
 * them; 0 otherwise. */
static int apply_check(const char *expr, colinfo *cols, size_t n)
{
    char buf[512], *save = NULL;
    if (strlen(expr) >= sizeof buf)
        return 0;
    snprintf(buf, sizeof buf, "%s", expr);
    for (char *p = buf; *p; p++)
        if (*p == '(' || *p == ')')
            *p = ' ';
    /* Two passes: validate, then apply. */
    for (int pass = 0; pass < 2; pass++) {
        char tmp[512];
        snprintf(tmp, sizeof tmp, "%s", buf);
        for (char *term = strtok_r(tmp, "A", &save); term; term = strtok_r(NULL, "A", &save)) {
            if (!strncmp(term, "ND ", 3))
                term += 3;
            char col[128], op[4], num[64];
            if (sscanf(term, " %127s %3s %63s", col, op, num) != 3)
                return 0;
            char *cast = strstr(num, "::");
            if (cast)
                *cast = 0;
            char *end;
            double v = strtod(num, &end);
            if (*end || !isfinite(v))
                return 0;
            colinfo *ci = by_name(cols, n, col);
            if (!ci)
                return 0;
            int ge = !strcmp(op, ">="), gt = !strcmp(op, ">"), le = !strcmp(op, "<="),
                lt = !strcmp(op, "<");
            if (!(ge || gt || le || lt))
                return 0;
            if (pass == 1) {
                if (ge || gt) {
                    ci->lo = gt ? v + 1 : v;
                    ci->has_lo = 1;
                } else {
                    ci->hi = lt ? v - 1 : v;
                    ci->has_hi = 1;
                }
            }
        }
    }
    return 1;
}

static json_t *default_gen(const colinfo *ci, int is_int, int *nullable)
{
    const char *t = ci->c->type;
    int vlen = 0;
    const char *paren = strchr(t, '(');
    if (paren && (!strncmp(t, "character", 9) || !strncmp(t, "varchar", 7)))
        vlen = (int)strtol(paren + 1, NULL, 10);
    if (ci->single_key) {
        *nullable = 0;
        if (!strcmp(t, "uuid"))
            return json_pack("{s:s}", "kind", "uuid");
        if (is_int || !strncmp(t, "numeric", 7))
            return json_pack("{s:s}", "kind", "sequence");
        return json_pack("{s:s,s:s}", "kind", "text", "pattern", "{row}");
    }
    if (ci->in_key)
        *nullable = 0;
    if (is_int || !strncmp(t, "numeric", 7) || !strcmp(t, "real") ||
        !strcmp(t, "double precision")) {
        double lo = 0, hi = !strcmp(t, "smallint") ? 1000 : 100000;
        if (!strncmp(t, "numeric(", 8)) {
            int p = 10, s = 0;
            sscanf(t, "numeric(%d,%d)", &p, &s);
            double cap = pow(10, p - s) - 1;
            hi = cap < 1000 ? cap : 1000;
        }
        if (ci->has_lo)
            lo = ci->lo;
        if (ci->has_hi)
            hi = ci->hi;
        if (ci->has_lo && !ci->has_hi)
            hi = lo + (hi > lo ? hi : 1000);
        if (ci->has_hi && !ci->has_lo)
            lo = hi - 1000 < 0 && hi >= 0 ? 0 : hi - 1000;
        return json_pack("{s:s,s:f,s:f}", "kind", "uniform", "min", lo, "max", hi);
    }
    if (!strcmp(t, "boolean"))
        return json_pack("{s:s,s:f}", "kind", "bool", "p", 0.5);
    if (!strcmp(t, "date") || !strncmp(t, "timestamp", 9))
        return json_pack("{s:s,s:s,s:s}", "kind", "timestamp", "from", "2015-01-01", "to",
                         "2025-01-01");
    if (!strcmp(t, "uuid"))
        return json_pack("{s:s}", "kind", "uuid");
    if (!strcmp(t, "json") || !strcmp(t, "jsonb"))
        return json_pack("{s:s,s:s}", "kind", "const", "value", "{}");
    if (!strcmp(t, "bytea"))
        return json_pack("{s:s,s:f}", "kind", "text", "width", 16.0);
    double w = vlen ? (vlen * 0.6 < 40 ? vlen * 0.6 : 40) : 24;
    if (w < 1)
        w = 1;
    json_t *g = json_pack("{s:s,s:f}", "kind", "text", "width", w);
    if (vlen)
        json_object_set_new(g, "max_width", json_real((double)vlen));
    if (vlen && w / 2 > vlen)
        json_object_set_new(g, "min_width", json_real(0));
    return g;
}

static int supported(const char *t)
{
    scol c;
    return sh_parse_type(t, &c) == 0;
}

static void mark_key(colinfo *cols, size_t n, const pgs_names *key)
{
    for (size_t i = 0; i < key->n; i++) {
        colinfo *ci = by_name(cols, n, key->v[i]);
        if (ci) {
            ci->in_key = 1;
            ci->single_key |= key->n == 1;
        }
    }
}

/* Keys, then foreign keys, then the CHECK ranges, onto the table's columns. 0 or ST_EINPUT
 * (a composite foreign key). */
static int mark_columns(const pgs_table *t, colinfo *cols, char *err)
{
    mark_key(cols, t->ncols, &t->pk);
    for (size_t k = 0; k < t->nuniq; k++)
        mark_key(cols, t->ncols, &t->uniq[k]);
    for (size_t k = 0; k < t->nfks; k++) {
        const pgs_fk *fk = &t->fks[k];
        if (fk->cols.n != 1 || fk->ref_cols.n != 1)
            return st_err(err, ST_EINPUT,
                          "--from-schema: %s.%s is a composite foreign key; datagen fills "
                          "single-column foreign keys only",
                          t->name, fk->name);
        colinfo *ci = by_name(cols, t->ncols, fk->cols.v[0]);
        if (ci && fk->ref_table)
            ci->fk = fk;
    }
    for (size_t k = 0; k < t->nchecks; k++)
        apply_check(t->checks[k], cols, t->ncols);
    return 0;
}

/* A column of a type without a default generator: an enum (or a domain over one) draws its
 * labels, equally likely (sent as text, which enum_in/enum_recv accept); other types are
 * NULL where allowed, else refused. *out is NULL when refused (err set). */
static json_t *other_type_json(const pgs_table *t, const pgs_col *c, char *err)
{
    if (c->nlabels) {
        json_t *vals = json_array();
        for (size_t k = 0; k < c->nlabels; k++)
            json_array_append_new(vals, json_string(c->labels[k]));
        json_t *jc = json_pack("{s:s,s:s,s:{s:s,s:o}}", "name", c->name, "type", "text", "gen",
                               "kind", "categorical", "values", vals);
        if (jc && !c->notnull)
            json_object_set_new(jc, "null_frac", json_real(0.1));
        return jc;
    }
    if (c->notnull) {
        st_err(err, ST_EINPUT,
               "--from-schema: %s.%s has type '%s', which has no default generator; give it one in "
               "--shape (type text, gen const)",
               t->name, c->name, c->type);
        return NULL;
    }
    return json_pack("{s:s,s:s,s:f,s:{s:s,s:n}}", "name", c->name, "type", "text", "null_frac", 1.0,
                     "gen", "kind", "const", "value");
}

/* One column's shape entry. prev_cycle: the tables of earlier cycle references in a key
 * (a composite key of references enumerates their combinations). NULL with err set. */
static json_t *column_json(const pgs_table *t, const colinfo *ci, json_t *prev_cycle, char *err)
{
    const pgs_col *c = ci->c;
    if (!supported(c->type))
        return other_type_json(t, c, err);
    int is_int = !strcmp(c->type, "smallint") || !strcmp(c->type, "integer") ||
                 !strcmp(c->type, "bigint");
    int nullable = !c->notnull;
    json_t *g;
    if (ci->fk && ci->in_key) {
        g = json_pack("{s:s,s:s,s:s,s:s,s:o}", "kind", "ref", "table", ci->fk->ref_table, "column",
                      ci->fk->ref_cols.v[0], "dist", "cycle", "div_tables", json_copy(prev_cycle));
        json_array_append_new(prev_cycle, json_string(ci->fk->ref_table));
        nullable = 0;
    } else if (ci->fk) {
        g = json_pack("{s:s,s:s,s:s}", "kind", "ref", "table", ci->fk->ref_table, "column",
                      ci->fk->ref_cols.v[0]);
    } else {
        g = default_gen(ci, is_int, &nullable);
    }
    json_t *jc = json_pack("{s:s,s:s,s:o}", "name", c->name, "type", c->type, "gen", g);
    if (jc && nullable)
        json_object_set_new(jc, "null_frac", json_real(0.1));
    if (!jc)
        st_err(err, ST_ENOMEM, "out of memory");
    return jc;
}

/* Rows: pg_class.reltuples when the table was analyzed (a partitioned table: the sum of its
 * partitions'), else count(*), else 1000. */
static int table_rows(PGconn *c, const pgs_table *t, int64_t *rows, char *err)
{
    *rows = t->reltuples > 0 ? (int64_t)t->reltuples : 0;
    if (*rows == 0 && (t->reltuples < 0 || t->partkey)) {
        char sql[300];
        char *id = pgx_ident(c, t->name);
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", id ? id : "\"?\"");
        free(id);
        int rc = pgx_scalar_i64(c, sql, 0, NULL, rows, err);
        if (rc)
            return rc;
    }
    if (*rows <= 0)
        *rows = 1000;
    return 0;
}

/* One table's shape entry into *out. 0, ST_EINPUT, ST_EENV or ST_ENOMEM. */
static int table_json(PGconn *c, const pgs_table *t, json_t **out, char *err)
{
    colinfo *cols = calloc(t->ncols + 1, sizeof *cols);
    json_t *jcols = json_array(), *prev_cycle = json_array();
    int rc = cols && jcols && prev_cycle ? 0 : st_err(err, ST_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < t->ncols; i++)
        cols[i].c = &t->cols[i];
    rc = rc ? rc : mark_columns(t, cols, err);
    for (size_t i = 0; i < t->ncols && !rc; i++) {
        json_t *jc = column_json(t, &cols[i], prev_cycle, err);
        rc = jc ? json_array_append_new(jcols, jc) : ST_EINPUT;
        if (jc && rc)
            rc = st_err(err, ST_ENOMEM, "out of memory");
    }
    int64_t rows = 0;
    rc = rc ? rc : table_rows(c, t, &rows, err);
    json_decref(prev_cycle);
    free(cols);
    if (!rc) {
        *out = json_pack("{s:s,s:I,s:b,s:o}", "name", t->name, "rows", (json_int_t)rows, "create",
                         0, "columns", jcols);
        return *out ? 0 : st_err(err, ST_ENOMEM, "out of memory");
    }
    json_decref(jcols);
    return rc;
}

int schema_read(PGconn *c, const char *schema, json_t **out, char *err)
{
    char cur[128] = "";
    if (!schema) {
        PGresult *r = pgx_query(c, "SELECT current_schema()", 0, NULL, err);
        if (!r)
            return ST_EENV;
        snprintf(cur, sizeof cur, "%s", PQgetisnull(r, 0, 0) ? "" : PQgetvalue(r, 0, 0));
        PQclear(r);
    }
    int rc = 0;
    pgs_db *db = schema || *cur ? cat_read(c, schema ? schema : cur, NULL, &rc, err) : NULL;
    if (!db)
        return rc ? rc
                  : st_err(err, ST_EINPUT,
                           "--from-schema: no current schema (search_path); give --schema");
    json_t *tables = json_array();
    rc = tables ? 0 : st_err(err, ST_ENOMEM, "out of memory");
    for (size_t i = 0; i < db->nt && !rc; i++) {
        json_t *jt = NULL;
        /* A partition's rows go through its parent (PostgreSQL routes them); loading both
         * would write them twice. */
        if (db->t[i].part_of)
            continue;
        rc = table_json(c, &db->t[i], &jt, err);
        if (!rc && json_array_append_new(tables, jt))
            rc = st_err(err, ST_ENOMEM, "out of memory");
    }
    if (!rc && json_array_size(tables) == 0)
        rc = st_err(err, ST_EINPUT, "--from-schema: schema '%s' has no tables", db->schema);
    pgs_db_free(db);
    if (rc) {
        json_decref(tables);
        return rc;
    }
    *out = json_pack("{s:s,s:i,s:s,s:o}", "format", ST_FMT_SHAPE, "version", ST_FMT_SHAPE_VERSION,
                     "name", schema ? schema : "from-schema", "tables", tables);
    return *out ? 0 : st_err(err, ST_ENOMEM, "out of memory");
}

int schema_saved(PGconn *c, const char *schema, json_t **out, char *err)
{
    const char *p[1] = {schema ? schema : ""};
    *out = NULL;
    int64_t have;
    int rc = pgx_scalar_i64(
        c, "SELECT count(*) FROM pg_class WHERE oid = to_regclass('stampede_datagen_progress')", 0,
        NULL, &have, err);
    if (rc || !have)
        return rc;
    PGresult *r = pgx_query(
        c, "SELECT info FROM stampede_datagen_progress WHERE run = '$fromschema' AND tbl = $1", 1,
        p, err);
    if (!r)
        return ST_EENV;
    if (PQntuples(r) == 1) {
        const char *txt = PQgetvalue(r, 0, 0);
        *out = jsonio_loads(txt, strlen(txt), "saved --from-schema shape", err);
    }
    PQclear(r);
    return 0;
}

int schema_save(PGconn *c, const char *schema, const json_t *base, char *err)
{
    char *txt = json_dumps(base, JSON_COMPACT | JSON_SORT_KEYS);
    if (!txt)
        return st_err(err, ST_ENOMEM, "out of memory");
    const char *p[2] = {schema ? schema : "", txt};
    PGresult *r = PQexecParams(
        c,
        "INSERT INTO stampede_datagen_progress (run, tbl, chunk, rows, info) "
        "VALUES ('$fromschema', $1, 0, 0, $2) ON CONFLICT (run, tbl, chunk) "
        "DO UPDATE SET info = EXCLUDED.info, done_at = now()",
        2, NULL, p, NULL, NULL, 0);
    int rc = r && PQresultStatus(r) == PGRES_COMMAND_OK
                 ? 0
                 : st_err(err, ST_EENV, "saving the --from-schema shape: %s", PQerrorMessage(c));
    PQclear(r);
    free(txt);
    return rc;
}

int schema_merge(json_t *base, json_t *over, const char *file, char *err)
{
    json_t *bt = json_object_get(base, "tables"), *ot = json_object_get(over, "tables");
    if (!json_is_array(ot))
        return st_err(err, ST_EINPUT, "%s: tables: expected an array", file);
    json_t *seed = json_object_get(over, "seed");
    if (seed)
        json_object_set(base, "seed", seed);
    for (size_t i = 0; i < json_array_size(ot); i++) {
        json_t *o = json_array_get(ot, i), *b = NULL;
        const char *name = json_string_value(json_object_get(o, "name"));
        for (size_t k = 0; name && k < json_array_size(bt); k++)
            if (!strcmp(json_string_value(json_object_get(json_array_get(bt, k), "name")), name))
                b = json_array_get(bt, k);
        if (!b)
            return st_err(err, ST_EINPUT,
                          "%s: tables[%zu].name: no table '%s' in the database schema", file, i,
                          name ? name : "?");
        static const char *const tkeys[] = {"rows",   "popularity", "hot_ids",
                                            "parent", "scale",      NULL};
        for (int k = 0; tkeys[k]; k++) {
            json_t *v = json_object_get(o, tkeys[k]);
            if (v)
                json_object_set(b, tkeys[k], v);
        }
        if (json_object_get(o, "parent"))
            json_object_del(b, "rows");
        json_t *oc = json_object_get(o, "columns"), *bc = json_object_get(b, "columns");
        for (size_t k = 0; k < json_array_size(oc); k++) {
            json_t *x = json_array_get(oc, k), *y = NULL;
            const char *cn = json_string_value(json_object_get(x, "name"));
            for (size_t m = 0; cn && m < json_array_size(bc); m++)
                if (!strcmp(json_string_value(json_object_get(json_array_get(bc, m), "name")), cn))
                    y = json_array_get(bc, m);
            if (!y)
                return st_err(err, ST_EINPUT,
                              "%s: tables[%zu].columns[%zu].name: no column '%s' in table '%s'",
                              file, i, k, cn ? cn : "?", name);
            static const char *const ckeys[] = {"gen",         "null_frac", "n_distinct",
                                                "correlation", "unique",    NULL};
            for (int m = 0; ckeys[m]; m++) {
                json_t *v = json_object_get(x, ckeys[m]);
                if (v)
                    json_object_set(y, ckeys[m], v);
            }
        }
    }
    return 0;
}

static uint64_t pow10u(int n)
{
    uint64_t v = 1;
    for (int i = 0; i < n && v < UINT64_MAX / 10; i++)
        v *= 10;
    return v;
}

int schema_clamp_rows(shape *sh, double scale, char **user, size_t nuser, uint64_t seed,
                      dbuf *notes, char *err)
{
    char **over = calloc(sh->nt + nuser + 1, sizeof(char *));
    size_t nover = 0;
    int rc = 0;
    if (!over)
        return st_err(err, ST_ENOMEM, "out of memory");
    for (int round = 0; round < 4; round++) {
        int changed = 0;
        for (size_t i = 0; i < sh->nt; i++) {
            stable *t = &sh->t[i];
            uint64_t cap = UINT64_MAX;
            const char *why = "";
            uint64_t cyc = 0;
            for (size_t k = 0; k < t->ncols; k++) {
                const scol *c = &t->cols[k];
                const gen *g = c->g;
                uint64_t m = UINT64_MAX;
                if (g->kind == G_SEQUENCE && g->i2 == 1) {
                    int64_t maxv = c->ctype == CT_INT2   ? 32767
                                   : c->ctype == CT_INT4 ? 2147483647
                                                         : INT64_MAX;
                    m = (uint64_t)(maxv - g->i1 + 1);
                } else if (g->kind == G_TEXT && g->npieces == 1 && g->pieces[0].kind == TP_ROW &&
                           c->maxlen > 0 && c->maxlen < 19) {
                    m = pow10u(c->maxlen) - 1;
                } else if (g->kind == G_REF && g->ref_dist == RD_CYCLE) {
                    /* The last cycle column of a key (the largest product) bounds the
                     * combinations. */
                    uint64_t combos = g->ref_div * sh->t[g->ref_table].rows;
                    cyc = combos > cyc ? combos : cyc;
                }
                if (m < cap) {
                    cap = m;
                    why = c->name;
                }
            }
            if (cyc && cyc < cap) {
                cap = cyc;
                why = "(composite key of foreign keys)";
            }
            if (t->parent < 0 && t->rows > cap) {
                char *s = malloc(160);
                if (!s) {
                    rc = st_err(err, ST_ENOMEM, "out of memory");
                    goto out;
                }
                snprintf(s, 160, "%s=%llu", t->name, (unsigned long long)cap);
                dbuf_printf(notes,
                            "table '%s': %llu rows lowered to %llu, what key column %s can hold\n",
                            t->name, (unsigned long long)t->rows, (unsigned long long)cap, why);
                size_t j;
                for (j = 0; j < nover; j++)
                    if (!strncmp(over[j], t->name, strlen(t->name)) &&
                        over[j][strlen(t->name)] == '=')
                        break;
                if (j < nover)
                    free(over[j]);
                else
                    nover++;
                over[j] = s;
                changed = 1;
            }
        }
        if (!changed)
            break;
        char **all = calloc(nuser + nover + 1, sizeof(char *));
        if (!all) {
            rc = st_err(err, ST_ENOMEM, "out of memory");
            break;
        }
        memcpy(all, user, nuser * sizeof(char *));
        memcpy(all + nuser, over, nover * sizeof(char *));
        rc = shape_resolve(sh, scale, all, nuser + nover, seed, err);
        free(all);
        if (rc)
            break;
    }
out:
    for (size_t i = 0; i < nover; i++)
        free(over[i]);
    free(over);
    return rc;
}
