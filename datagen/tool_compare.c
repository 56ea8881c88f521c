/*
 * tool_compare.c -- `datagen compare`: fidelity of a filled database against a shape.
 *
 * Optionally runs ANALYZE first (--analyze), reads the database's statistics (pgstats.c),
 * computes the metrics (fidelity.c) and prints one line per table and column, or JSON.
 * Structure comes first (structure.c: columns and types, keys, indexes, checks): any
 * difference is printed and fails the comparison. Exit 1 when the structure differs, any
 * metric is outside its tolerance or a table/column is missing.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fidelity.h"
#include "formats.h"
#include "jsonio.h"
#include "log.h"
#include "pgstats.h"
#include "pgx.h"
#include "structure.h"
#include "dbuf.h"
#include "st.h"
#include "tools.h"
#include "units.h"

static void usage(void)
{
    printf("usage: datagen compare --shape SHAPE.json --db CONNINFO [OPTIONS]\n"
           "\n"
           "First compares the structure with the shape (columns and their types,\n"
           "generated columns, primary key, unique sets, foreign keys, indexes with their\n"
           "method and definition, CHECK count): every difference is printed and fails.\n"
           "Then compares the database's planner statistics with the shape (a profile's recorded\n"
           "statistics, or what a hand-written shape's generators imply): row counts,\n"
           "null_frac, n_distinct, MCV frequencies by rank, histogram (KS distance),\n"
           "correlation and avg_width, with tolerances that allow for ANALYZE's sampling.\n"
           "\n"
           "  --shape FILE       the shape or profile\n"
           "  --db CONNINFO      the filled database (libpq conninfo or URI)\n"
           "  --scale F          the --scale the database was filled with (default 1)\n"
           "  --analyze          run ANALYZE on the shape's tables first\n"
           "  --tolerance F      multiply every tolerance by F (default 1)\n"
           "  --schema S         schema (default public)\n"
           "  --all              print every line, not only the failing ones\n"
           "  --json             machine-readable report on stdout\n"
           "  --quiet            no summary on stderr\n"
           "  -h, --help         this help;  --version  the version\n"
           "\n"
           "exit: 0 within tolerance, 1 outside, 2 bad input, 3 environment\n"
           "\n"
           "examples:\n"
           "  datagen compare --shape chinook.profile.json --db dbname=chinook_fill --analyze\n"
           "  datagen compare --shape shop.json --db dbname=shop --scale 0.035 --json\n");
}

static void print_line(const fid_line *ln)
{
    char name[140];
    snprintf(name, sizeof name, "%s%s%s", ln->table, ln->column[0] ? "." : "", ln->column);
    printf("%-4s %-36s", ln->ok ? "ok" : "FAIL", name);
    if (ln->missing)
        printf(" missing in the database");
    for (int k = 0; k < FM_N; k++) {
        const fid_metric *m = &ln->m[k];
        if (!m->present)
            continue;
        if (k == FM_ROWS || k == FM_PAGES || k == FM_NDISTINCT)
            printf(" %s %.3gx/%.3g%s", fid_metric_name(k), m->value, m->tol, m->ok ? "" : "!");
        else
            printf(" %s %.3g/%.3g%s", fid_metric_name(k), m->value, m->tol, m->ok ? "" : "!");
    }
    printf("\n");
}

static int analyze_tables(PGconn *c, const json_t *shape, const char *schema, char *err)
{
    json_t *tables = json_object_get(shape, "tables");
    for (size_t i = 0; i < json_array_size(tables); i++) {
        const char *tn = json_string_value(json_object_get(json_array_get(tables, i), "name"));
        if (!tn)
            continue;
        char *qs = pgx_ident(c, schema), *qt = pgx_ident(c, tn);
        char sql[512], e2[ST_ERRLEN];
        if (!qs || !qt) {
            free(qs);
            free(qt);
            return st_err(err, ST_ENOMEM, "out of memory");
        }
        snprintf(sql, sizeof sql, "ANALYZE %s.%s", qs, qt);
        free(qs);
        free(qt);
        /* A table missing from the database is reported by the comparison itself. */
        if (pgx_exec(c, sql, e2) && !strstr(e2, "does not exist"))
            return st_err(err, ST_EENV, "%s", e2);
    }
    return 0;
}

int tool_compare(int argc, char **argv)
{
    /* clang-format off */
    static const struct option opts[] = {
        {"shape", required_argument, NULL, 'S'},   {"db", required_argument, NULL, 'd'},
        {"scale", required_argument, NULL, 'x'},   {"analyze", no_argument, NULL, 'A'},
        {"tolerance", required_argument, NULL, 't'}, {"schema", required_argument, NULL, 's'},
        {"all", no_argument, NULL, 'a'},           {"json", no_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},         {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},       {NULL, 0, NULL, 0}};
    /* clang-format on */
    const char *spath = NULL, *db = NULL, *schema = "public";
    fid_opts fo = {.scale = 1, .tol_factor = 1, .sample_rows = 30000};
    int analyze = 0, all = 0, json = 0, c;
    char err[ST_ERRLEN];
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":hVq", opts, NULL)) != -1) {
        switch (c) {
        case 'S': spath = optarg; break;
        case 'd': db = optarg; break;
        case 'x':
        case 't': {
            double v;
            if (units_parse_double(optarg, &v, err) || !(v > 0)) {
                log_error("%s: expected a number > 0, got '%s'",
                          c == 'x' ? "--scale" : "--tolerance", optarg);
                return ST_EXIT_INPUT;
            }
            *(c == 'x' ? &fo.scale : &fo.tol_factor) = v;
            break;
        }
        case 'A': analyze = 1; break;
        case 's': schema = optarg; break;
        case 'a': all = 1; break;
        case 'j': json = 1; break;
        case 'q': log_level = LOG_ERROR; break;
        case 'h': usage(); return ST_EXIT_OK;
        case 'V': printf("datagen %s\n", ST_VERSION); return ST_EXIT_OK;
        case ':':
            log_error("compare: option '%s' needs a value (try 'datagen compare --help')",
                      argv[optind - 1]);
            return ST_EXIT_INPUT;
        default:
            log_error("compare: unknown option '%s' (try 'datagen compare --help')",
                      argv[optind - 1]);
            return ST_EXIT_INPUT;
        }
    }
    if (optind < argc) {
        log_error("compare: unexpected argument '%s' (try 'datagen compare --help')", argv[optind]);
        return ST_EXIT_INPUT;
    }
    if (!spath || !db) {
        log_error("compare: --shape and --db are required (try 'datagen compare --help')");
        return ST_EXIT_INPUT;
    }
    json_t *shape = jsonio_load(spath, err);
    if (!shape) {
        log_error("%s", err);
        return ST_EXIT_INPUT;
    }
    const char *fmt = json_string_value(json_object_get(shape, "format"));
    if (!fmt || strcmp(fmt, ST_FMT_SHAPE)) {
        log_error("%s: format: expected \"" ST_FMT_SHAPE "\"", spath);
        json_decref(shape);
        return ST_EXIT_INPUT;
    }
    PGconn *conn = pgs_connect(db, err);
    if (!conn) {
        log_error("%s", err);
        json_decref(shape);
        return ST_EXIT_ENV;
    }
    int rc = analyze ? analyze_tables(conn, shape, schema, err) : 0;
    pgs_db *st = rc ? NULL : pgs_read(conn, schema, NULL, &rc, err);
    PQfinish(conn);
    if (!st) {
        log_error("%s", err);
        json_decref(shape);
        return st_rc_exit(rc);
    }
    /* Structure first: a missing index or a changed type makes the statistics moot. */
    dbuf sd;
    dbuf_init(&sd, 1 << 20);
    size_t nstruct = structure_diff(shape, st, &sd, &rc);
    if (rc) {
        log_error("compare: out of memory");
        dbuf_free(&sd);
        pgs_db_free(st);
        json_decref(shape);
        return ST_EXIT_ENV;
    }
    if (!json && nstruct)
        fwrite(sd.p, 1, sd.len, stdout);
    fid_report *r = fid_compare(shape, st, &fo, &rc, err);
    pgs_db_free(st);
    json_decref(shape);
    if (!r) {
        log_error("%s: %s", spath, err);
        dbuf_free(&sd);
        return st_rc_exit(rc);
    }
    if (json) {
        json_t *doc = fid_report_json(r);
        if (doc) {
            json_t *sa = json_array();
            for (char *line = sd.p, *nl; sa && line && (nl = strchr(line, '\n')); line = nl + 1)
                json_array_append_new(sa, json_stringn(line, (size_t)(nl - line)));
            json_object_set_new(doc, "structure", sa);
            json_object_set_new(doc, "scale", json_real(fo.scale));
        }
        if (!doc || (rc = jsonio_save("-", doc, err))) {
            log_error("%s", doc ? err : "out of memory");
            json_decref(doc);
            fid_report_free(r);
            dbuf_free(&sd);
            return ST_EXIT_ENV;
        }
        json_decref(doc);
    } else {
        for (size_t i = 0; i < r->n; i++)
            if (all || !r->lines[i].ok)
                print_line(&r->lines[i]);
    }
    dbuf_free(&sd);
    if (nstruct)
        log_info("compare: %zu structural difference%s (lines without ok/FAIL above)", nstruct,
                 nstruct == 1 ? "" : "s");
    log_info("compare: %zu of %zu tables/columns outside tolerance (scale %g)", r->failed, r->n,
             fo.scale);
    int code = r->failed || nstruct ? ST_EXIT_CHECK : ST_EXIT_OK;
    fid_report_free(r);
    return code;
}
