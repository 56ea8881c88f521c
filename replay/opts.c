/*
 * opts.c -- parsing the shared replay options (see opts.h).
 */
#include "opts.h"

#include <getopt.h>
#include <string.h>

#include "units.h"

enum {
    O_TARGET = 256,
    O_DURATION,
    O_SCALE,
    O_SEED,
    O_MAXRPS,
    O_SEGMENT,
    O_START,
    O_FEEDERS,
    O_THREADS,
    O_SERIES,
    O_METRICS,
    O_GRACE,
    O_JSON,
    O_NOPROG,
    O_VERSION,
    O_DBPROBE,
    O_SRCADDRS,
    O_TRACE,
    O_SPEED,
    O_FROM,
    O_TO
};

int opts_parse(rp_opts *o, int argc, char **argv, int run, char *err)
{
    /* clang-format off */
    static const struct option lo[] = {
        {"target", 1, 0, O_TARGET}, {"duration", 1, 0, O_DURATION}, {"scale", 1, 0, O_SCALE},
        {"seed", 1, 0, O_SEED}, {"max-rps", 1, 0, O_MAXRPS}, {"segment", 1, 0, O_SEGMENT},
        {"start-at", 1, 0, O_START}, {"feeders", 1, 0, O_FEEDERS}, {"threads", 1, 0, O_THREADS},
        {"series", 1, 0, O_SERIES}, {"metrics-addr", 1, 0, O_METRICS}, {"grace", 1, 0, O_GRACE},
        {"json", 0, 0, O_JSON}, {"no-progress", 0, 0, O_NOPROG}, {"output", 1, 0, 'o'},
        {"quiet", 0, 0, 'q'}, {"help", 0, 0, 'h'}, {"version", 0, 0, O_VERSION},
        {"db-probe", 1, 0, O_DBPROBE}, {"source-addrs", 1, 0, O_SRCADDRS}, {"trace", 1, 0, O_TRACE},
        {"speed", 1, 0, O_SPEED}, {"from", 1, 0, O_FROM}, {"to", 1, 0, O_TO}, {0, 0, 0, 0}};
    /* clang-format on */
    char e[ST_ERRLEN];
    int c, li = -1;
    int64_t v;
    memset(o, 0, sizeof *o);
    o->seg_i = o->seg_n = 1;
    o->speed = 1;
    o->trace_to = -1;
    opterr = 0;
    optind = 1;
    while ((li = -1, c = getopt_long(argc, argv, ":o:qh", lo, &li)) != -1) {
        const char *a = optarg;
        int run_only = c == O_THREADS || c == O_SERIES || c == O_METRICS || c == O_GRACE ||
                       c == O_NOPROG || c == O_DBPROBE;
        if (run_only && !run)
            return st_err(err, ST_EINPUT, "--%s: only valid for 'replay run'",
                          li >= 0 ? lo[li].name : "?");
        switch (c) {
        case 'o': o->out = a; break;
        case 'q': o->quiet = 1; break;
        case 'h': o->help = 1; break;
        case O_VERSION: o->version = 1; break;
        case O_JSON: o->json = 1; break;
        case O_NOPROG: o->no_progress = 1; break;
        case O_TARGET: o->ov.target = a; break;
        case O_FEEDERS: o->ov.feeders_dir = a; break;
        case O_SRCADDRS: o->ov.source_addrs = a; break; /* validated with the scenario */
        case O_SERIES: o->series = a; break;
        case O_DBPROBE: /* "" is libpq's defaults (PGHOST, PGDATABASE, ...) */
            o->db_probe = a;
            break;
        case O_METRICS: {
            const char *colon = strrchr(a, ':');
            if (!colon || colon == a || units_parse_i64(colon + 1, 1, 65535, &v, e))
                return st_err(err, ST_EINPUT,
                              "--metrics-addr: expected HOST:PORT like 127.0.0.1:9464, got '%s'",
                              a);
            o->metrics_addr = a;
            break;
        }
        case O_DURATION:
            if (units_parse_duration(a, &o->ov.duration, e) || o->ov.duration <= 0)
                return st_err(err, ST_EINPUT, "--duration: expected a duration like 90s, got '%s'",
                              a);
            o->ov.has_duration = 1;
            break;
        case O_SCALE:
            if (units_parse_factor(a, &o->ov.scale, e))
                return st_err(err, ST_EINPUT, "--scale: expected a factor like 1.5x, got '%s'", a);
            o->ov.has_scale = 1;
            break;
        case O_SEED:
            if (units_parse_u64(a, &o->ov.seed, e))
                return st_err(err, ST_EINPUT, "--seed: expected a non-negative integer, got '%s'",
                              a);
            o->ov.has_seed = 1;
            break;
        case O_MAXRPS:
            if (units_parse_rate(a, &o->ov.max_rps, e) || o->ov.max_rps <= 0)
                return st_err(err, ST_EINPUT, "--max-rps: expected a rate like 2000/s, got '%s'",
                              a);
            o->ov.has_max_rps = 1;
            break;
        case O_SEGMENT:
            if (units_parse_slice(a, &o->seg_i, &o->seg_n, e))
                return st_err(err, ST_EINPUT, "--segment: expected i/n with 1 <= i <= n, got '%s'",
                              a);
            break;
        case O_START:
            if (units_parse_double(a, &o->start_at, e) || o->start_at < 1e9)
                return st_err(err, ST_EINPUT, "--start-at: expected Unix epoch seconds, got '%s'",
                              a);
            o->has_start_at = 1;
            break;
        case O_THREADS:
            if (units_parse_i64(a, 1, 256, &v, e))
                return st_err(err, ST_EINPUT, "--threads: expected 1..256, got '%s'", a);
            o->threads = (unsigned)v;
            break;
        case O_GRACE:
            if (units_parse_duration(a, &o->grace, e))
                return st_err(err, ST_EINPUT, "--grace: expected a duration like 10s, got '%s'", a);
            o->has_grace = 1;
            break;
        case O_TRACE: o->trace = a; break;
        case O_SPEED:
            if (units_parse_factor(a, &o->speed, e) || !(o->speed > 0) || o->speed > 1e6)
                return st_err(err, ST_EINPUT, "--speed: expected a factor like 2 or 0.5x, got '%s'",
                              a);
            break;
        case O_FROM:
        case O_TO: {
            double d;
            if (units_parse_duration(a, &d, e) || d < 0)
                return st_err(err, ST_EINPUT,
                              "--%s: expected an offset into the trace like 10m, got '%s'",
                              c == O_FROM ? "from" : "to", a);
            *(c == O_FROM ? &o->trace_from : &o->trace_to) = d;
            o->has_window = 1;
            break;
        }
        case ':': return st_err(err, ST_EINPUT, "%s: missing value", argv[optind - 1]);
        default: return st_err(err, ST_EINPUT, "%s: unknown option (try --help)", argv[optind - 1]);
        }
    }
    if (o->help || o->version)
        return 0;
    if (!o->trace && (o->speed != 1 || o->has_window))
        return st_err(err, ST_EINPUT, "--speed, --from and --to need --trace TRACE.ndjson");
    if (o->trace_to >= 0 && o->trace_to <= o->trace_from)
        return st_err(err, ST_EINPUT, "--to: must be after --from");
    if (optind >= argc)
        return st_err(err, ST_EINPUT, "missing SCENARIO.json (try --help)");
    if (optind + 1 < argc)
        return st_err(err, ST_EINPUT, "%s: unexpected argument (one scenario per run)",
                      argv[optind + 1]);
    o->scenario = argv[optind];
    return 0;
}
