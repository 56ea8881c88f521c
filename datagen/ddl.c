/*
 * ddl.c -- CREATE TABLE and post-load constraint SQL (see ddl.h).
 */
#include "ddl.h"

#include <stdlib.h>
#include <string.h>

int ddl_create_table(const stable *t, int if_not_exists, dbuf *out)
{
    int rc = dbuf_printf(out, "CREATE %sTABLE %s\"%s\" (", t->unlogged ? "UNLOGGED " : "",
                         if_not_exists ? "IF NOT EXISTS " : "", t->name);
    for (size_t i = 0; i < t->ncols && !rc; i++)
        rc = dbuf_printf(out, "%s\"%s\" %s%s", i ? ", " : "", t->cols[i].name,
                         t->cols[i].type_sql, t->cols[i].not_null ? " NOT NULL" : "");
    return rc ? rc : dbuf_adds(out, ")");
}

static int add_cols(dbuf *b, char **cols, size_t n, int raw)
{
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        if (raw) {
            /* index columns may carry " DESC ..." after the name */
            const char *sp = strchr(cols[i], ' ');
            size_t len = sp ? (size_t)(sp - cols[i]) : strlen(cols[i]);
            rc = dbuf_printf(b, "%s\"%.*s\"%s", i ? ", " : "", (int)len, cols[i], sp ? sp : "");
        } else
            rc = dbuf_printf(b, "%s\"%s\"", i ? ", " : "", cols[i]);
    }
    return rc;
}

static void join_name(char *dst, size_t n, const char *t, char **cols, size_t nc, const char *suf)
{
    size_t o = (size_t)snprintf(dst, n, "%s", t);
    for (size_t i = 0; i < nc && o < n; i++)
        o += (size_t)snprintf(dst + o, n - o, "_%s", cols[i]);
    if (o < n)
        snprintf(dst + o, n - o, "_%s", suf);
    dst[63] = 0; /* PostgreSQL truncates names to 63 bytes; do the same */
}

static int push(ddl_step **v, size_t *n, size_t *cap, int kind, int table, const char *name, dbuf *b)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        ddl_step *nv = realloc(*v, nc * sizeof **v);
        if (!nv)
            return ST_ENOMEM;
        *v = nv;
        *cap = nc;
    }
    ddl_step *s = &(*v)[(*n)++];
    s->kind = kind;
    s->table = table;
    snprintf(s->name, sizeof s->name, "%s", name);
    s->sql = dbuf_take(b, NULL);
    return s->sql ? 0 : ST_ENOMEM;
}

ddl_step *ddl_steps(const shape *sh, size_t *n)
{
    ddl_step *v = NULL;
    size_t cap = 0;
    *n = 0;
    dbuf b;
    char name[128];
    int rc = 0;
    for (int pass = 0; pass < 5 && !rc; pass++) {
        for (size_t ti = 0; ti < sh->nt && !rc; ti++) {
            const stable *t = &sh->t[ti];
            dbuf_init(&b, 1 << 16);
            if (pass == 0 && t->npk) {
                snprintf(name, sizeof name, "%.58s_pkey", t->name);
                rc = dbuf_printf(&b, "ALTER TABLE \"%s\" ADD CONSTRAINT \"%s\" PRIMARY KEY (", t->name, name);
                rc = rc ? rc : add_cols(&b, t->pk, t->npk, 0);
                rc = rc ? rc : dbuf_adds(&b, ")");
                rc = rc ? rc : push(&v, n, &cap, DDL_PK, (int)ti, name, &b);
            }
            for (size_t u = 0; pass == 1 && u < t->nuniq + t->ncols && !rc; u++) {
                char **cols;
                size_t nc;
                char *single[1];
                if (u < t->nuniq) {
                    cols = t->uniq[u];
                    nc = t->nuniq_cols[u];
                } else {
                    if (!t->cols[u - t->nuniq].unique)
                        continue;
                    single[0] = t->cols[u - t->nuniq].name;
                    cols = single;
                    nc = 1;
                }
                join_name(name, sizeof name, t->name, cols, nc, "key");
                int dup = 0;
                for (size_t k = 0; k < *n; k++)
                    dup |= !strcmp(v[k].name, name);
                if (dup)
                    continue;
                dbuf_reset(&b);
                rc = dbuf_printf(&b, "ALTER TABLE \"%s\" ADD CONSTRAINT \"%s\" UNIQUE (", t->name, name);
                rc = rc ? rc : add_cols(&b, cols, nc, 0);
                rc = rc ? rc : dbuf_adds(&b, ")");
                rc = rc ? rc : push(&v, n, &cap, DDL_UNIQUE, (int)ti, name, &b);
            }
            for (size_t f = 0; pass == 2 && f < t->nfks && !rc; f++) {
                join_name(name, sizeof name, t->name, t->fks[f].cols, t->fks[f].ncols, "fkey");
                dbuf_reset(&b);
                rc = dbuf_printf(&b, "ALTER TABLE \"%s\" ADD CONSTRAINT \"%s\" FOREIGN KEY (", t->name, name);
                rc = rc ? rc : add_cols(&b, t->fks[f].cols, t->fks[f].ncols, 0);
                rc = rc ? rc : dbuf_printf(&b, ") REFERENCES \"%s\" (", t->fks[f].table);
                rc = rc ? rc : add_cols(&b, t->fks[f].ref_cols, t->fks[f].nref, 0);
                rc = rc ? rc : dbuf_adds(&b, ")");
                rc = rc ? rc : push(&v, n, &cap, DDL_FK, (int)ti, name, &b);
            }
            for (size_t c = 0; pass == 3 && c < t->nchecks && !rc; c++) {
                snprintf(name, sizeof name, "%.50s_check%zu", t->name, c + 1);
                dbuf_reset(&b);
                rc = dbuf_printf(&b, "ALTER TABLE \"%s\" ADD CONSTRAINT \"%s\" CHECK (%s)", t->name, name, t->checks[c]);
                rc = rc ? rc : push(&v, n, &cap, DDL_CHECK, (int)ti, name, &b);
            }
            for (size_t x = 0; pass == 4 && x < t->nidx && !rc; x++) {
                const sindex *ix = &t->idx[x];
                dbuf_reset(&b);
                rc = dbuf_printf(&b, "CREATE %sINDEX IF NOT EXISTS \"%s\" ON \"%s\" USING ",
                                 ix->unique ? "UNIQUE " : "", ix->name, t->name);
                if (ix->using)
                    rc = rc ? rc : dbuf_adds(&b, ix->using);
                else {
                    rc = rc ? rc : dbuf_printf(&b, "%s (", ix->method);
                    rc = rc ? rc : add_cols(&b, ix->cols, ix->ncols, 1);
                    rc = rc ? rc : dbuf_adds(&b, ")");
                }
                rc = rc ? rc : push(&v, n, &cap, DDL_INDEX, (int)ti, ix->name, &b);
            }
            dbuf_free(&b);
        }
    }
    if (rc) {
        ddl_steps_free(v, *n);
        *n = 0;
        return NULL;
    }
    if (!v)
        v = calloc(1, sizeof *v);
    return v;
}

void ddl_steps_free(ddl_step *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        free(s[i].sql);
    free(s);
}
