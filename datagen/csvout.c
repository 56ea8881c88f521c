/*
 * csvout.c -- CSV + schema files for `--out DIR` (see csvout.h).
 */
#include "csvout.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "afile.h"
#include "dbuf.h"
#include "ddl.h"
#include "fmt.h"

#define CSV_FLUSH (256u * 1024u)

int csvout_mkdir(const char *dir, char *err)
{
    struct stat st;
    if (stat(dir, &st) == 0)
        return S_ISDIR(st.st_mode) ? 0
                                   : st_err(err, ST_EENV, "%s: exists and is not a directory", dir);
    if (mkdir(dir, 0777) != 0)
        return st_err(err, ST_EENV, "%s: cannot create directory: %s", dir, strerror(errno));
    return 0;
}

static int write_text(const char *dir, const char *name, const char *text, char *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return afile_write_all(path, text, strlen(text), err);
}

static int write_table(const shape *sh, int ti, const fill_opts *o, fill_table_rep *tr, char *err)
{
    const stable *t = &sh->t[ti];
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.csv", o->out_dir, t->name);
    afile af;
    FILE *f = afile_open(&af, path, err);
    if (!f)
        return ST_EENV;
    size_t rowmax = fmt_row_max(t);
    char *buf = malloc(CSV_FLUSH + rowmax);
    gen_ctx cx;
    if (!buf || gen_ctx_init(&cx, sh, o->seed)) {
        free(buf);
        afile_abort(&af);
        return st_err(err, ST_ENOMEM, "out of memory");
    }
    uint64_t t0 = st_now_ns();
    size_t len = 0;
    for (size_t i = 0; i < t->ncols; i++)
        len += (size_t)snprintf(buf + len, 80, "%s%s", i ? "," : "", t->cols[i].name);
    buf[len++] = '\n';
    int rc = 0;
    for (uint64_t u = 0; u < t->nunits && !rc; u++) {
        uint64_t k = t->parent >= 0 ? shape_fanout(sh, t, o->seed, u) : 1;
        for (uint64_t line = 1; line <= k; line++) {
            uint64_t key = t->parent >= 0 ? gen_child_key(u, line) : u;
            len += fmt_row(&cx, ti, key, FMT_CSV, buf + len);
            tr->loaded++;
        }
        if (len >= CSV_FLUSH) {
            if (fwrite(buf, 1, len, f) != len)
                rc = st_err(err, ST_EENV, "%s: write failed: %s", path, strerror(errno));
            tr->bytes += len;
            len = 0;
        }
    }
    if (!rc && len && fwrite(buf, 1, len, f) != len)
        rc = st_err(err, ST_EENV, "%s: write failed: %s", path, strerror(errno));
    tr->bytes += len;
    gen_ctx_term(&cx);
    free(buf);
    if (rc) {
        afile_abort(&af);
        return rc;
    }
    tr->rows = tr->loaded;
    tr->seconds = (double)(st_now_ns() - t0) / 1e9;
    return afile_commit(&af, err);
}

int csvout_write(const shape *sh, const fill_opts *o, fill_rep *rep, char *err)
{
    int rc = csvout_mkdir(o->out_dir, err);
    if (rc)
        return rc;
    uint64_t t0 = st_now_ns();
    dbuf schema, cons, load;
    dbuf_init(&schema, 1 << 22);
    dbuf_init(&cons, 1 << 22);
    dbuf_init(&load, 1 << 22);
    rc = dbuf_printf(&schema, "-- datagen fill: shape %s, seed %llu, scale %g\n", sh->name,
                     (unsigned long long)o->seed, o->scale);
    for (size_t i = 0; i < sh->ntypes && !rc; i++)
        rc = dbuf_printf(&schema, "%s;\n", sh->types[i].sql);
    for (size_t i = 0; i < sh->nt && !rc; i++) {
        rc = ddl_create_table(&sh->t[i], 0, &schema);
        rc = rc ? rc : dbuf_adds(&schema, ";\n");
    }
    size_t n = 0;
    ddl_step *steps = rc ? NULL : ddl_steps(sh, &n);
    if (!rc && !steps)
        rc = ST_ENOMEM;
    for (size_t i = 0; i < n && !rc; i++)
        rc = dbuf_printf(&cons, "%s;\n", steps[i].sql);
    ddl_steps_free(steps, n);
    for (size_t i = 0; i < sh->nt && !rc; i++)
        rc = dbuf_printf(&cons, "ANALYZE \"%s\";\n", sh->t[i].name);
    rc = rc ? rc
            : dbuf_adds(
                  &load,
                  "-- load with: cd DIR && psql -v ON_ERROR_STOP=1 -f load.sql\n\\i schema.sql\n");
    for (size_t i = 0; i < sh->nt && !rc; i++)
        rc = dbuf_printf(&load, "\\copy \"%s\" FROM '%s.csv' WITH (FORMAT csv, HEADER true)\n",
                         sh->t[i].name, sh->t[i].name);
    rc = rc ? rc : dbuf_adds(&load, "\\i constraints.sql\n");
    if (rc)
        rc = st_err(err, rc, "out of memory building schema.sql");
    for (size_t i = 0; i < sh->nt && !rc; i++)
        rc = write_table(sh, (int)i, o, &rep->t[i], err);
    if (!rc)
        rc = write_text(o->out_dir, "schema.sql", schema.p ? schema.p : "", err);
    if (!rc)
        rc = write_text(o->out_dir, "constraints.sql", cons.p ? cons.p : "", err);
    if (!rc)
        rc = write_text(o->out_dir, "load.sql", load.p, err);
    dbuf_free(&schema);
    dbuf_free(&cons);
    dbuf_free(&load);
    rep->load_seconds = (double)(st_now_ns() - t0) / 1e9;
    rep->complete = rc == 0;
    return rc;
}
