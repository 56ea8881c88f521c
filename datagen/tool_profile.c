/*
 * tool_profile.c -- `datagen profile`: options, connection, and writing the shape.
 *
 * Reads only catalogs and planner statistics (pgstats.c), builds the shape (profile.c) and
 * writes it atomically. Warnings about what could not be modelled go to stderr and into the
 * shape's `_notes`.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fanout.h"
#include "jsonio.h"
#include "log.h"
#include "pgstats.h"
#include "profile.h"
#include "st.h"
#include "tools.h"
#include "units.h"

#define MAX_TABLE_ARGS 1024

/* clang-format off */
static void usage(void)
{
    printf("usage: datagen profile --db CONNINFO -o SHAPE.json [OPTIONS]\n"
           "\n"
           "Writes a shape whose generators reproduce the planner statistics of a database.\n"
           "Reads only pg_class, pg_attribute, pg_constraint, pg_index, pg_stats and\n"
           "pg_stats_ext: never a row. Run ANALYZE on the source first.\n"
           "Extended statistics (CREATE STATISTICS) are recorded under each table's\n"
           "'statistics' and reproduced: dependencies and ndistinct as 'dep' generators, a\n"
           "two-column mcv list as a 'switch'; what is not reproduced is noted with its share.\n"
           "\n"
           "  --db CONNINFO      libpq conninfo or URI (PG* environment and .pgpass honoured)\n"
           "  -o, --out FILE     the shape to write ('-' for stdout)\n"
           "  --schema S         schema to read (default public)\n"
           "  --tables A,B,...   only these tables\n"
           "  --mask             replace every statistics literal by a synthetic value that\n"
           "                     keeps order and equality (no row value leaves the database)\n"
           "  --fanout           also measure each foreign key's child counts per parent and\n"
           "                     their rank correlation across the tables referencing the same\n"
           "                     parent (aggregates over those tables: counts only, never a\n"
           "                     value); FK columns become 'activity' generators\n"
           "  --fanout-sample N  parents sampled at most per referenced table (TABLESAMPLE\n"
           "                     BERNOULLI, REPEATABLE by --seed; default 100000; 0 = all)\n"
           "  --name NAME        the shape's name (default: profile)\n"
           "  --seed N           the shape's seed (default 42)\n"
           "  --quiet            no progress messages\n"
           "  -h, --help         this help;  --version  the version\n"
           "\n"
           "examples:\n"
           "  datagen profile --db 'host=prod-replica dbname=shop' --mask -o shop.profile.json\n"
           "  datagen profile --db postgresql:///chinook --tables album,track -o chinook.json\n"
           "  datagen profile --db dbname=stackexchange --fanout --fanout-sample 50000 -o se.json\n");
}
/* clang-format on */

/* Splits "a,b,c" into a NULL-terminated array of pointers into s (modified). */
static void fan_progress(void *ud, const char *msg)
{
    (void)ud;
    log_info("%s", msg);
}

static int split_list(char *s, char **out, size_t cap)
{
    size_t n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (n + 1 >= cap)
            return -1;
        out[n++] = tok;
    }
    out[n] = NULL;
    return n ? 0 : -1;
}

int tool_profile(int argc, char **argv)
{
    /* clang-format off */
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},     {"out", required_argument, NULL, 'o'},
        {"schema", required_argument, NULL, 's'}, {"tables", required_argument, NULL, 't'},
        {"mask", no_argument, NULL, 'm'},         {"name", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 'S'},   {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},         {"version", no_argument, NULL, 'V'},
        {"fanout", no_argument, NULL, 'F'},       {"fanout-sample", required_argument, NULL, 'P'},
        {NULL, 0, NULL, 0}};
    /* clang-format on */
    fanout_opts fo = {.sample = 100000, .progress = fan_progress};
    int fanout = 0;
    const char *db = NULL, *out = NULL, *schema = "public", *name = NULL;
    char *tables_arg = NULL;
    profile_opts po = {.seed = 42};
    char err[ST_ERRLEN];
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:hVq", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'o': out = optarg; break;
        case 's': schema = optarg; break;
        case 't': tables_arg = optarg; break;
        case 'm': po.mask = 1; break;
        case 'n': name = optarg; break;
        case 'q': log_level = LOG_ERROR; break;
        case 'F': fanout = 1; break;
        case 'P':
            if (units_parse_i64(optarg, 0, INT64_MAX, &fo.sample, err)) {
                log_error("--fanout-sample: %s", err);
                return ST_EXIT_INPUT;
            }
            break;
        case 'S':
            if (units_parse_i64(optarg, 0, INT64_MAX, &po.seed, err)) {
                log_error("--seed: %s", err);
                return ST_EXIT_INPUT;
            }
            break;
        case 'h': usage(); return ST_EXIT_OK;
        case 'V': printf("datagen %s\n", ST_VERSION); return ST_EXIT_OK;
        case ':':
            log_error("profile: option '%s' needs a value (try 'datagen profile --help')",
                      argv[optind - 1]);
            return ST_EXIT_INPUT;
        default:
            log_error("profile: unknown option '%s' (try 'datagen profile --help')",
                      argv[optind - 1]);
            return ST_EXIT_INPUT;
        }
    }
    if (optind < argc) {
        log_error("profile: unexpected argument '%s' (try 'datagen profile --help')", argv[optind]);
        return ST_EXIT_INPUT;
    }
    if (!db || !out) {
        log_error("profile: --db and -o are required (try 'datagen profile --help')");
        return ST_EXIT_INPUT;
    }
    po.name = name;
    char *tables[MAX_TABLE_ARGS];
    char *tcopy = NULL;
    if (tables_arg) {
        tcopy = strdup(tables_arg);
        if (!tcopy || split_list(tcopy, tables, MAX_TABLE_ARGS)) {
            free(tcopy);
            log_error("--tables: expected a comma-separated list of table names");
            return ST_EXIT_INPUT;
        }
    }
    PGconn *conn = pgs_connect(db, err);
    if (!conn) {
        free(tcopy);
        log_error("%s", err);
        return ST_EXIT_ENV;
    }
    int rc = 0;
    pgs_db *st = pgs_read(conn, schema, tcopy ? tables : NULL, &rc, err);
    free(tcopy);
    if (!st) {
        PQfinish(conn);
        log_error("%s", err);
        return st_rc_exit(rc);
    }
    if (!st->nt) {
        PQfinish(conn);
        log_error("profile: schema '%s' has no tables", schema);
        pgs_db_free(st);
        return ST_EXIT_INPUT;
    }
    json_t *shape = profile_build(st, &po, err);
    size_t ntables = st->nt;
    pgs_db_free(st);
    if (!shape) {
        PQfinish(conn);
        log_error("%s", err);
        return ST_EXIT_ENV;
    }
    fo.schema = schema;
    fo.seed = po.seed;
    rc = fanout ? fanout_profile(conn, shape, &fo, err) : 0;
    PQfinish(conn);
    if (rc) {
        json_decref(shape);
        log_error("%s", err);
        return st_rc_exit(rc);
    }
    json_t *notes = json_object_get(shape, "_notes");
    for (size_t i = 0; i < json_array_size(notes); i++)
        log_warn("%s", json_string_value(json_array_get(notes, i)));
    rc = jsonio_save(out, shape, err);
    json_decref(shape);
    if (rc) {
        log_error("%s", err);
        return st_rc_exit(rc);
    }
    log_info("profile: %zu tables from statistics%s -> %s (seed %lld)", ntables,
             po.mask ? " (masked)" : "", out, (long long)po.seed);
    return ST_EXIT_OK;
}
