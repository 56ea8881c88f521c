/*
 * tool_fill.c -- `datagen fill`: options, safety messages, dry run, summary. Everything
 * else lives in the engines (load.c, csvout.c, hotids.c, schema_read.c); this file only
 * wires them together, prints, and chooses the exit code.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvout.h"
#include "ddl.h"
#include "fillcheck.h"
#include "fill.h"
#include "fmt.h"
#include "hotids.h"
#include "jsonio.h"
#include "load.h"
#include "log.h"
#include "pgx.h"
#include "progress.h"
#include "schema_read.h"
#include "tools.h"
#include "units.h"

#define MAX_OVERRIDES 256
/* Rows per table that fill --check copies: enough to hit a repeating generator or a CHECK
 * that a value breaks, few enough for seconds. */
#define FILL_CHECK_SAMPLE 2000

/* clang-format off */
static void usage(FILE *f)
{
    fprintf(f,
            "usage: datagen fill --shape SHAPE.json (--db CONNINFO | --out DIR | --dry-run) [options]\n"
            "       datagen fill --db CONNINFO --from-schema [--schema S] [--shape OVERRIDES.json] [options]\n"
            "\n"
            "Fills PostgreSQL (or writes CSV + schema.sql) with rows drawn from a shape: row counts,\n"
            "skew, correlations and physical order of production. Values are a pure function of\n"
            "(seed, table, column, row): any --jobs / --part gives byte-identical tables.\n"
            "\n"
            "targets:\n"
            "  --shape FILE        the shape (docs/formats/shape.md)\n"
            "  --db CONNINFO       libpq conninfo or URI ('' = PG* environment); password never printed\n"
            "  --out DIR           write DIR/<table>.csv, schema.sql, constraints.sql, load.sql instead\n"
            "  --from-schema       read tables, types, keys and checks from the database catalog\n"
            "  --schema S          schema to read/fill (search_path; default: the server's)\n"
            "  --dry-run           print tables, rows and estimated bytes; write nothing\n"
            "  --check             with --db: build the types, tables, keys, checks and indexes and\n"
            "                      2000 rows per table in a throwaway schema, roll back, report\n"
            "                      every statement that would fail (exit 1); writes nothing\n"
            "sizes:\n"
            "  --scale F           multiply every linear table's rows by F (default 1)\n"
            "  --rows TABLE=N      exact row count for one table (repeatable)\n"
            "  --seed N            random seed (default: the shape's, else 42)\n"
            "loading:\n"
            "  --jobs N            parallel COPY streams (default 1)\n"
            "  --part i/n          load only slice i of n (for several machines); last part builds keys\n"
            "  --chunk-rows N      rows per chunk = per transaction (default 100000)\n"
            "  --copy-format F     auto (binary where every column allows; default), text, binary\n"
            "  --replace           drop/truncate the shape's tables first (never others, never CASCADE)\n"
            "  --resume            finish an interrupted fill of the same shape, seed and scale\n"
            "  --no-vacuum         skip VACUUM (ANALYZE) after the load\n"
            "  --freeze            write the first chunk of each empty table with COPY FREEZE (all-visible\n"
            "                      without VACUUM; off by default: PostgreSQL packs those pages looser)\n"
            "  --disable-triggers  user triggers of the shape's tables off during the load, on after\n"
            "                      (they are otherwise left as they are and fire on every row)\n"
            "  --hot-ids DIR|none  hot-id catalog directory: DIR/hot/<table>.csv\n"
            "                      (default: the --out DIR, or the current directory with --db)\n"
            "output:\n"
            "  --json              machine-readable summary on stdout\n"
            "  --quiet             no progress or summary on stderr\n"
            "  -h, --help          this help;  --version\n"
            "\n"
            "exit: 0 ok, 1 a check failed, 2 bad usage/shape or a refused target, 3 environment\n"
            "\n"
            "examples:\n"
            "  datagen fill --shape models/shapes/shop.json --dry-run\n"
            "  datagen fill --shape chinook.profile.json --db dbname=scratch --check\n"
            "  datagen fill --shape models/shapes/shop.json --db postgresql://localhost/shop --jobs 2\n"
            "  datagen fill --shape models/shapes/shop.json --scale 0.035 --out /tmp/shop-toy\n"
            "  datagen fill --shape models/shapes/shop.json --db '' --resume      # after a crash\n"
            "  datagen fill --shape models/shapes/shop.json --db '' --freeze --chunk-rows 10000000\n"
            "  datagen fill --db 'dbname=chinook' --from-schema --rows track=350000\n"
            "  datagen fill --db 'dbname=app' --from-schema --replace --disable-triggers\n");
}
/* clang-format on */

typedef struct tick_state {
    progress pg;
} tick_state;

static void on_tick(void *ud, const char *table, uint64_t done, uint64_t total, double secs)
{
    tick_state *ts = ud;
    char a[32], b[32], r[32], eta[32];
    double rate = secs > 0 ? (double)done / secs : 0;
    units_fmt_count(a, sizeof a, done);
    units_fmt_count(b, sizeof b, total);
    units_fmt_rate(r, sizeof r, rate);
    units_fmt_duration(eta, sizeof eta,
                       rate > 0 && total > done ? (double)(total - done) / rate : 0);
    progress_update(&ts->pg, 0, "datagen: %-16s %s/%s rows  %s  ETA %s", table, a, b, r, eta);
}

/* FNV-1a over the things that decide the rows, so --resume and --part only ever continue
 * the same fill. */
static void make_run_key(const shape *sh, fill_opts *o, char **over, size_t nover)
{
    char extra[128];
    uint64_t h = rng_stream_id(sh->canon);
    /* The version too: a resumed fill must be finished by the generators that started it. */
    snprintf(extra, sizeof extra, "|%llu|%.17g|%s|%llu|", (unsigned long long)o->seed, o->scale,
             ST_VERSION, (unsigned long long)o->chunk_rows);
    h = rng_mix(h, rng_stream_id(extra));
    for (size_t i = 0; i < nover; i++)
        h = rng_mix(h, rng_stream_id(over[i]));
    snprintf(o->run_key, sizeof o->run_key, "%016llx", (unsigned long long)h);
}

static uint64_t est_bytes(const shape *sh, int ti, uint64_t seed)
{
    const stable *t = &sh->t[ti];
    if (t->rows == 0)
        return 0;
    gen_ctx cx;
    char *buf = malloc(fmt_row_max(t));
    if (!buf || gen_ctx_init(&cx, sh, seed)) {
        free(buf);
        return 0;
    }
    uint64_t n = 0, bytes = 0;
    for (uint64_t u = 0; u < t->nunits && n < 1000; u += 1 + t->nunits / 1000) {
        uint64_t k = t->parent >= 0 ? shape_fanout(sh, t, seed, u) : 1;
        for (uint64_t line = 1; line <= k; line++, n++)
            bytes += fmt_row(&cx, ti, t->parent >= 0 ? gen_child_key(u, line) : u, FMT_COPY_TEXT,
                             buf);
    }
    gen_ctx_term(&cx);
    free(buf);
    return n ? (uint64_t)((double)bytes / (double)n * (double)t->rows) : 0;
}

/* --disable-triggers: the user triggers of the shape's tables off for the load and back on
 * after it (system triggers, those of foreign keys, stay: they need a superuser). */
static int set_triggers(PGconn *c, const shape *sh, const char *what, char *err)
{
    int rc = 0;
    for (size_t i = 0; i < sh->nt && !rc; i++) {
        char sql[256];
        snprintf(sql, sizeof sql, "ALTER TABLE \"%s\" %s TRIGGER USER", sh->t[i].name, what);
        rc = pgx_exec(c, sql, err);
    }
    return rc;
}

/* fill --check: the schema and a sample of rows in a throwaway schema, rolled back. Exit 0
 * when everything would build, 1 with one line per problem. */
static int run_check(PGconn **conn, const shape *sh, const fill_opts *o)
{
    char err[ST_ERRLEN], target[512];
    if (!*conn && !(*conn = load_connect(o, target, sizeof target, err))) {
        log_error("%s", err);
        return ST_EXIT_ENV;
    }
    dbuf out;
    size_t n = 0;
    dbuf_init(&out, 1 << 20);
    int rc = fill_check(*conn, sh, o->seed, FILL_CHECK_SAMPLE, &out, &n, err);
    if (rc) {
        log_error("--check: %s", err);
        dbuf_free(&out);
        return st_rc_exit(rc);
    }
    for (char *line = out.p, *nl; line && (nl = strchr(line, '\n')); line = nl + 1)
        log_error("check: %.*s", (int)(nl - line), line);
    dbuf_free(&out);
    size_t steps = 0;
    ddl_step *s = ddl_steps(sh, &steps);
    ddl_steps_free(s, steps);
    log_info("check: %zu types, %zu tables, %zu post-load steps and up to %d rows per table "
             "built in a throwaway schema and rolled back: %zu problem%s",
             sh->ntypes, sh->nt, steps, FILL_CHECK_SAMPLE, n, n == 1 ? "" : "s");
    return n ? ST_EXIT_CHECK : ST_EXIT_OK;
}

static void print_dry_run(const shape *sh, const fill_opts *o, int json)
{
    uint64_t tot_rows = 0, tot_bytes = 0;
    json_t *arr = json_array();
    if (!json)
        printf("shape %s  seed %llu  scale %g\n%-24s %14s %12s\n", sh->name,
               (unsigned long long)o->seed, o->scale, "table", "rows", "est. bytes");
    for (size_t i = 0; i < sh->nt; i++) {
        uint64_t b = est_bytes(sh, (int)i, o->seed);
        char rows[32], sz[32];
        units_fmt_count(rows, sizeof rows, sh->t[i].rows);
        units_fmt_size(sz, sizeof sz, b);
        if (!json)
            printf("%-24s %14s %12s\n", sh->t[i].name, rows, sz);
        json_array_append_new(arr,
                              json_pack("{s:s,s:I,s:I}", "name", sh->t[i].name, "rows",
                                        (json_int_t)sh->t[i].rows, "est_bytes", (json_int_t)b));
        tot_rows += sh->t[i].rows;
        tot_bytes += b;
    }
    char rows[32], sz[32];
    units_fmt_count(rows, sizeof rows, tot_rows);
    units_fmt_size(sz, sizeof sz, tot_bytes);
    if (json) {
        json_t *j = json_pack("{s:s,s:s,s:s,s:I,s:f,s:o,s:I,s:I}", "tool", "datagen", "version",
                              ST_VERSION, "shape", sh->name, "seed", (json_int_t)o->seed, "scale",
                              o->scale, "tables", arr, "total_rows", (json_int_t)tot_rows,
                              "est_bytes", (json_int_t)tot_bytes);
        char *s = jsonio_dumps_line(j);
        if (s)
            printf("%s\n", s);
        free(s);
        json_decref(j);
    } else {
        printf("%-24s %14s %12s\n", "total", rows, sz);
        json_decref(arr);
    }
}

static void print_summary(const shape *sh, const fill_opts *o, const fill_rep *rep,
                          const char *target, int json, int nhot, const char *hotdir)
{
    uint64_t tot = 0, loaded = 0;
    for (size_t i = 0; i < sh->nt; i++) {
        tot += rep->t[i].rows;
        loaded += rep->t[i].loaded;
    }
    if (json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < sh->nt; i++) {
            const fill_table_rep *t = &rep->t[i];
            json_array_append_new(
                arr, json_pack("{s:s,s:I,s:I,s:I,s:f,s:f}", "name", sh->t[i].name, "rows",
                               (json_int_t)t->rows, "loaded", (json_int_t)t->loaded, "bytes",
                               (json_int_t)t->bytes, "seconds", t->seconds, "rows_per_s",
                               t->seconds > 0 ? (double)t->loaded / t->seconds : 0.0));
        }
        json_t *j = json_pack(
            "{s:s,s:s,s:s,s:s,s:I,s:f,s:i,s:s,s:b,s:o,s:I,s:I,s:f,s:f,s:f,s:I,s:I}", "tool",
            "datagen", "version", ST_VERSION, "shape", sh->name, "target", target, "seed",
            (json_int_t)o->seed, "scale", o->scale, "jobs", (int)o->jobs, "run", o->run_key,
            "complete", rep->complete, "tables", arr, "total_rows", (json_int_t)tot, "loaded_rows",
            (json_int_t)loaded, "load_seconds", rep->load_seconds, "post_seconds",
            rep->post_seconds, "rows_per_s",
            rep->load_seconds > 0 ? (double)loaded / rep->load_seconds : 0.0, "chunks_done",
            (json_int_t)rep->chunks_done, "chunks_skipped", (json_int_t)rep->chunks_skipped);
        if (o->conninfo && rep->complete && !o->no_vacuum) {
            json_object_set_new(j, "vacuum_retries", json_integer((json_int_t)rep->vacuum_retries));
            json_object_set_new(j, "pages_not_all_visible",
                                json_integer((json_int_t)rep->pages_not_all_visible));
        }
        if (o->conninfo)
            json_object_set_new(j, "rows_frozen", json_integer((json_int_t)rep->rows_frozen));
        if (o->conninfo && rep->complete)
            json_object_set_new(j, "statistics",
                                json_pack("{s:I, s:I}", "created", (json_int_t)rep->stats_created,
                                          "failed", (json_int_t)rep->stats_failed));
        if (nhot)
            json_object_set_new(j, "hot_ids", json_string(hotdir));
        char *s = jsonio_dumps_line(j);
        if (s)
            printf("%s\n", s);
        free(s);
        json_decref(j);
        return;
    }
    for (size_t i = 0; i < sh->nt; i++) {
        const fill_table_rep *t = &rep->t[i];
        char a[32], r[32];
        units_fmt_count(a, sizeof a, t->loaded);
        units_fmt_rate(r, sizeof r, t->seconds > 0 ? (double)t->loaded / t->seconds : 0);
        log_info("  %-20s %14s rows  %10s per stream  %.2fs", sh->t[i].name, a, r, t->seconds);
    }
    char a[32], r[32];
    units_fmt_count(a, sizeof a, loaded);
    units_fmt_rate(r, sizeof r, rep->load_seconds > 0 ? (double)loaded / rep->load_seconds : 0);
    log_info("%s rows in %.2fs (%s), post-load %.2fs, seed %llu, run %s%s", a, rep->load_seconds, r,
             rep->post_seconds, (unsigned long long)o->seed, o->run_key,
             rep->complete ? "" : " (incomplete: other parts pending)");
    if (rep->chunks_skipped)
        log_info("resumed: %llu chunks were already loaded",
                 (unsigned long long)rep->chunks_skipped);
    if (rep->rows_frozen)
        log_info("COPY FREEZE: %llu rows written frozen and all-visible (first chunks into empty "
                 "tables)",
                 (unsigned long long)rep->rows_frozen);
    if (nhot)
        log_info("hot-id catalog: %d file(s) in %s/hot", nhot, hotdir);
}

/* Everything tool_fill holds between its steps: the options, then what the run opened.
 * fill_cli_term releases the second half, whatever step failed. */
typedef struct fill_cli {
    fill_opts o;
    const char *shape_path, *hot_dir;
    int from_schema, dry, check, json, seed_set, no_triggers;
    char *over[MAX_OVERRIDES];
    size_t nover;
    PGconn *conn;
    json_t *catalog; /* a fresh --from-schema read, saved for --resume */
    shape *sh;
    char target[512];
} fill_cli;

static void fill_cli_term(fill_cli *f)
{
    json_decref(f->catalog);
    shape_free(f->sh);
    PQfinish(f->conn);
}

/* Options into f. Returns -1 to go on, else the exit code (help, version, bad option). */
static int fill_parse_args(int argc, char **argv, fill_cli *f)
{
    /* clang-format off */
    static const struct option opts[] = {
        {"shape", required_argument, 0, 's'}, {"db", required_argument, 0, 'd'},
        {"out", required_argument, 0, 'o'}, {"from-schema", no_argument, 0, 'F'},
        {"schema", required_argument, 0, 'S'}, {"dry-run", no_argument, 0, 'n'},
        {"check", no_argument, 0, 'K'},
        {"scale", required_argument, 0, 'x'}, {"rows", required_argument, 0, 'r'},
        {"seed", required_argument, 0, 'e'}, {"jobs", required_argument, 0, 'j'},
        {"part", required_argument, 0, 'p'}, {"chunk-rows", required_argument, 0, 'c'},
        {"replace", no_argument, 0, 'R'}, {"resume", no_argument, 0, 'u'},
        {"no-vacuum", no_argument, 0, 'V'}, {"hot-ids", required_argument, 0, 'H'}, {"freeze", no_argument, 0, 'Z'},
        {"disable-triggers", no_argument, 0, 'T'},
        {"json", no_argument, 0, 'J'}, {"copy-format", required_argument, 0, 'C'}, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'v'}, {0, 0, 0, 0}};
    /* clang-format on */
    fill_opts *o = &f->o;
    char err[ST_ERRLEN];
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "hq", opts, NULL)) != -1) {
        int64_t v;
        double d;
        switch (c) {
        case 's': f->shape_path = optarg; break;
        case 'd': o->conninfo = optarg; break;
        case 'o': o->out_dir = optarg; break;
        case 'F': f->from_schema = 1; break;
        case 'S': o->schema = optarg; break;
        case 'n': f->dry = 1; break;
        case 'K': f->check = 1; break;
        case 'x':
            if (units_parse_double(optarg, &d, err) || !(d > 0) || d > 1e6) {
                log_error("--scale %s: expected a number > 0", optarg);
                return ST_EXIT_INPUT;
            }
            o->scale = d;
            break;
        case 'r':
            if (f->nover == MAX_OVERRIDES) {
                log_error("--rows: at most %d overrides", MAX_OVERRIDES);
                return ST_EXIT_INPUT;
            }
            f->over[f->nover++] = optarg;
            break;
        case 'e':
            if (units_parse_i64(optarg, 0, INT64_MAX, &v, err)) {
                log_error("--seed: %s", err);
                return ST_EXIT_INPUT;
            }
            o->seed = (uint64_t)v;
            f->seed_set = 1;
            break;
        case 'j':
            if (units_parse_i64(optarg, 1, 64, &v, err)) {
                log_error("--jobs: %s", err);
                return ST_EXIT_INPUT;
            }
            o->jobs = (unsigned)v;
            break;
        case 'p':
            if (units_parse_slice(optarg, &o->part_i, &o->part_n, err)) {
                log_error("--part: %s", err);
                return ST_EXIT_INPUT;
            }
            break;
        case 'c':
            if (units_parse_i64(optarg, 1, (int64_t)1 << 40, &v, err)) {
                log_error("--chunk-rows: %s", err);
                return ST_EXIT_INPUT;
            }
            o->chunk_rows = (uint64_t)v;
            break;
        case 'R': o->replace = 1; break;
        case 'u': o->resume = 1; break;
        case 'V': o->no_vacuum = 1; break;
        case 'Z': o->freeze = 1; break;
        case 'T': f->no_triggers = 1; break;
        case 'H': f->hot_dir = optarg; break;
        case 'J': f->json = 1; break;
        case 'C':
            if (!strcmp(optarg, "auto"))
                o->copy_format = COPYF_AUTO;
            else if (!strcmp(optarg, "text"))
                o->copy_format = COPYF_TEXT;
            else if (!strcmp(optarg, "binary"))
                o->copy_format = COPYF_BINARY;
            else {
                log_error("--copy-format %s: expected auto, text or binary", optarg);
                return ST_EXIT_INPUT;
            }
            break;
        case 'q': o->quiet = 1; break;
        case 'h': usage(stdout); return ST_EXIT_OK;
        case 'v': printf("datagen %s\n", ST_VERSION); return ST_EXIT_OK;
        default:
            log_error("fill: unknown or incomplete option '%s' (try 'datagen fill --help')",
                      argv[optind - 1]);
            return ST_EXIT_INPUT;
        }
    }
    if (optind < argc) {
        log_error("fill: unexpected argument '%s' (try 'datagen fill --help')", argv[optind]);
        return ST_EXIT_INPUT;
    }
    return -1;
}

/* The combinations of options that cannot work, before anything is read. 0 or the exit
 * code. */
static int fill_validate(const fill_cli *f)
{
    const fill_opts *o = &f->o;
    const char *bad = NULL;
    if (!f->shape_path && !f->from_schema)
        bad = "fill: --shape FILE is required (or --from-schema with --db)";
    else if (f->from_schema && !o->conninfo)
        bad = "fill: --from-schema needs --db";
    else if (!f->dry && !o->conninfo && !o->out_dir)
        bad = "fill: say where to write: --db CONNINFO, --out DIR, or --dry-run";
    else if (o->conninfo && o->out_dir)
        bad = "fill: --db and --out are exclusive";
    else if (o->part_n > 1 && !o->conninfo)
        bad = "fill: --part needs --db";
    else if (o->replace && o->part_n > 1)
        /* One part replacing would drop what the other parts already loaded. */
        bad = "fill: --replace cannot be combined with --part; empty the tables first (or run one "
              "--replace fill)";
    else if (o->replace && o->resume)
        bad = "fill: --replace and --resume are exclusive";
    if (bad)
        log_error("%s", bad);
    return bad ? ST_EXIT_INPUT : 0;
}

/* --from-schema: the catalog, read before anything else while nothing is written yet, with
 * the user's shape merged on top. Takes *root (the user's shape or NULL) and replaces it by
 * the merged shape. 0 or an st.h code with err set. */
static int fill_from_schema(fill_cli *f, json_t **root, char *err)
{
    if (!(f->conn = load_connect(&f->o, f->target, sizeof f->target, err)))
        return ST_EENV;
    json_t *base = NULL;
    int rc = load_session(f->conn, &f->o, err);
    if (!rc && f->o.resume)
        rc = schema_saved(f->conn, f->o.schema, &base, err);
    if (!rc && !base) {
        rc = schema_read(f->conn, f->o.schema, &base, err);
        if (!rc && !(f->catalog = json_deep_copy(base)))
            rc = st_err(err, ST_ENOMEM, "out of memory");
    }
    rc = rc ? rc : (*root ? schema_merge(base, *root, f->shape_path, err) : 0);
    json_decref(*root);
    *root = base;
    f->o.drop_fks = 1;
    return rc;
}

/* The shape, resolved at the scale with its keys checked, and the run key. 0 or the exit
 * code (the message printed). */
static int fill_load_shape(fill_cli *f)
{
    char err[ST_ERRLEN];
    json_t *root = NULL;
    if (f->shape_path && !(root = jsonio_load(f->shape_path, err))) {
        log_error("%s", err);
        return ST_EXIT_INPUT;
    }
    int rc = f->from_schema ? fill_from_schema(f, &root, err) : 0;
    if (rc) {
        log_error("%s", err);
        json_decref(root);
        return st_rc_exit(rc);
    }
    f->sh = shape_from_json(root, f->from_schema ? "--from-schema" : f->shape_path, err);
    json_decref(root);
    if (!f->sh) {
        log_error("%s", err);
        return ST_EXIT_INPUT;
    }
    shape *sh = f->sh;
    if (!f->seed_set)
        f->o.seed = (uint64_t)sh->seed;
    rc = shape_resolve(sh, f->o.scale, f->over, f->nover, f->o.seed, err);
    if (!rc && f->from_schema) {
        dbuf notes;
        dbuf_init(&notes, 1 << 16);
        rc = schema_clamp_rows(sh, f->o.scale, f->over, f->nover, f->o.seed, &notes, err);
        char *save = NULL;
        for (char *line = notes.p ? strtok_r(notes.p, "\n", &save) : NULL; line;
             line = strtok_r(NULL, "\n", &save))
            log_warn("%s", line);
        dbuf_free(&notes);
    }
    if (!rc)
        rc = shape_check_keys(sh, err);
    if (rc) {
        log_error("%s", err);
        return ST_EXIT_INPUT;
    }
    make_run_key(sh, &f->o, f->over, f->nover);
    for (size_t i = 0; i < sh->nt && f->o.copy_format == COPYF_BINARY; i++)
        if (!fmt_table_binary_ok(&sh->t[i])) {
            log_error("--copy-format binary: table '%s' has a json column; use auto or text",
                      sh->t[i].name);
            return ST_EXIT_INPUT;
        }
    return 0;
}

/* The load into PostgreSQL: prepare, triggers off if asked, COPY, triggers back on. Returns
 * the exit code, the failure printed with what to do next. */
static int fill_run_db(fill_cli *f, fill_rep *rep)
{
    fill_opts *o = &f->o;
    shape *sh = f->sh;
    char err[ST_ERRLEN] = "";
    if (!f->conn && !(f->conn = load_connect(o, f->target, sizeof f->target, err))) {
        log_error("%s", err);
        return ST_EXIT_ENV;
    }
    log_info("target %s; shape %s, seed %llu, scale %g, jobs %u, part %u/%u", f->target, sh->name,
             (unsigned long long)o->seed, o->scale, o->jobs, o->part_i, o->part_n);
    int rc = load_prepare(f->conn, sh, o, err);
    if (!rc && f->catalog)
        rc = schema_save(f->conn, o->schema, f->catalog, err);
    if (!rc && f->no_triggers)
        rc = set_triggers(f->conn, sh, "DISABLE", err);
    if (rc) {
        log_error("%s", err);
        return st_rc_exit(rc);
    }
    tick_state ts;
    progress_init(&ts.pg, stderr, o->quiet);
    rc = load_run(f->conn, sh, o, rep, on_tick, &ts, err);
    progress_done(&ts.pg);
    if (f->no_triggers) {
        /* Re-enabled whatever the load did: a failed fill must not leave them off. */
        char e2[ST_ERRLEN];
        int trc = set_triggers(f->conn, sh, "ENABLE", e2);
        if (trc) {
            log_error("%s; the shape's tables may still have their triggers disabled "
                      "(ALTER TABLE ... ENABLE TRIGGER USER)",
                      e2);
            rc = rc ? rc : trc;
            if (!err[0] || rc == trc)
                snprintf(err, sizeof err, "%s", e2);
        }
    }
    if (rc) {
        log_error("%s", err);
        if (rc == ST_EINPUT) {
            /* SQLSTATE class 22 or 23 (pgx_error_rc): the generated rows break a type or a
             * constraint, a shape problem, not a transient one: --resume would fail the same
             * way. */
            log_error(
                "the generators cannot satisfy this type or constraint; give the column a "
                "generator "
                "in --shape (see docs/datagen.md, CHECK constraints; fill --check finds this in "
                "seconds), then rerun with --replace");
            return ST_EXIT_INPUT;
        }
        if (rc == ST_EENV)
            log_error("the load can be finished with the same command plus --resume");
        return st_rc_exit(rc);
    }
    if (rep->stats_failed)
        log_warn("%llu of %llu extended statistics object(s) not created (the data is loaded; the "
                 "planner lacks them): %s",
                 (unsigned long long)rep->stats_failed,
                 (unsigned long long)(rep->stats_failed + rep->stats_created), rep->stats_error);
    if (rep->pages_not_all_visible)
        log_warn("%llu page(s) not all-visible after VACUUM (another transaction holding back the "
                 "xmin horizon, or"
                 " never-initialized pages left by parallel COPY): index-only scans will look "
                 "dearer than on a"
                 " database at rest; run VACUUM later",
                 (unsigned long long)rep->pages_not_all_visible);
    return ST_EXIT_OK;
}

/* The fill itself (CSV or PostgreSQL), then the hot-id catalog and the summary. */
static int fill_run(fill_cli *f)
{
    fill_opts *o = &f->o;
    char err[ST_ERRLEN];
    fill_rep rep;
    memset(&rep, 0, sizeof rep);
    if (!(rep.t = calloc(f->sh->nt, sizeof(fill_table_rep)))) {
        log_error("out of memory");
        return ST_EXIT_ENV;
    }
    uint64_t t0 = st_now_ns();
    int exitc = ST_EXIT_OK, rc;
    if (o->out_dir) {
        snprintf(f->target, sizeof f->target, "%s", o->out_dir);
        log_info("writing shape %s (seed %llu, scale %g) as CSV into %s", f->sh->name,
                 (unsigned long long)o->seed, o->scale, o->out_dir);
        if ((rc = csvout_write(f->sh, o, &rep, err))) {
            log_error("%s", err);
            exitc = st_rc_exit(rc);
        }
    } else {
        exitc = fill_run_db(f, &rep);
        if (exitc != ST_EXIT_OK) {
            free(rep.t);
            return exitc;
        }
    }
    rep.total_seconds = (double)(st_now_ns() - t0) / 1e9;
    int nhot = 0;
    const char *hd = f->hot_dir ? f->hot_dir : (o->out_dir ? o->out_dir : ".");
    if (exitc == ST_EXIT_OK && strcmp(hd, "none") &&
        (rc = hotids_write(f->sh, o->seed, hd, &nhot, err))) {
        log_error("%s", err);
        exitc = st_rc_exit(rc);
    }
    if (exitc == ST_EXIT_OK && (!o->quiet || f->json))
        print_summary(f->sh, o, &rep, f->target, f->json, nhot, hd);
    free(rep.t);
    return exitc;
}

/* datagen fill: options -> validation -> shape -> one of check, dry run or fill, with one
 * cleanup path. */
int tool_fill(int argc, char **argv)
{
    fill_cli f;
    memset(&f, 0, sizeof f);
    f.o.scale = 1;
    f.o.jobs = 1;
    f.o.part_i = f.o.part_n = 1;
    f.o.chunk_rows = 100000;
    int code = fill_parse_args(argc, argv, &f);
    if (code >= 0)
        return code;
    if (f.o.quiet)
        log_level = LOG_ERROR;
    if ((code = fill_validate(&f)) || (code = fill_load_shape(&f)))
        goto done;
    if (f.check && (f.o.out_dir || !f.o.conninfo)) {
        log_error("--check needs --db (it builds the schema in a throwaway schema there)");
        code = ST_EXIT_INPUT;
    } else if (f.check) {
        code = run_check(&f.conn, f.sh, &f.o);
    } else if (f.dry) {
        print_dry_run(f.sh, &f.o, f.json);
        code = ST_EXIT_OK;
    } else {
        code = fill_run(&f);
    }
done:
    fill_cli_term(&f);
    return code;
}
