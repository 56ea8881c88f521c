/*
 * tool_init.c -- `replay init MODEL.json -o SCENARIO.json [--feeders DIR] [--target URL]`:
 * a complete, runnable scenario from a traffic model (init.h), written atomically and then
 * loaded back as `replay run` would load it, so what init writes always runs.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "init.h"
#include "jsonio.h"
#include "log.h"
#include "scenario.h"
#include "tools.h"
#include "units.h"

/* clang-format off */
static void usage(void)
{
    printf("usage: replay init MODEL.json -o SCENARIO.json [options]\n\n"
           "Writes a complete, runnable scenario from a traffic model: every route mapped (ids from\n"
           "the feeders when given, else ids 1..N drawn by the fitted popularity), methods from the\n"
           "model, placeholder bodies to edit, static assets fetched, a distinct client per session\n"
           "(X-Forwarded-For address, User-Agent of the model's classes), model_clock at the busiest\n"
           "hour, starter thresholds from the observed latencies. What cannot be mapped is printed.\n\n"
           "options:\n"
           "  -o, --output FILE   the scenario to write (required; atomically)\n"
           "  --feeders DIR       use DIR/hot/<table>.csv catalogs (datagen fill --out DIR) when present\n"
           "  --target URL        scenario.target (default http://127.0.0.1:8080)\n"
           "  --duration D        scenario.duration (default 10m)\n"
           "  --seed N            scenario.seed (default 1)\n"
           "  -q, --quiet         no notes on stderr\n\n"
           "examples:\n"
           "  modeler fit access.log -o model.json\n"
           "  replay init model.json --target http://127.0.0.1:8080 -o scenario.json\n"
           "  replay run scenario.json -o results.json\n");
}
/* clang-format on */

int tool_init(int argc, char **argv)
{
    /* clang-format off */
    static const struct option lo[] = {{"output", 1, 0, 'o'}, {"feeders", 1, 0, 'f'}, {"target", 1, 0, 't'},
                                       {"duration", 1, 0, 'd'}, {"seed", 1, 0, 's'}, {"quiet", 0, 0, 'q'},
                                       {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    /* clang-format on */
    init_opts o = {.seed = 1};
    char err[ST_ERRLEN];
    double dur;
    int c, quiet = 0, rc;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:qh", lo, NULL)) != -1) {
        switch (c) {
        case 'o': o.out_path = optarg; break;
        case 'f': o.feeders_dir = optarg; break;
        case 't': o.target = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': usage(); return 0;
        case 'd':
            if (units_parse_duration(optarg, &dur, err) || dur <= 0) {
                log_error("init: --duration: expected a duration like 10m, got '%s'", optarg);
                return ST_EXIT_INPUT;
            }
            o.duration = optarg;
            break;
        case 's':
            if (units_parse_u64(optarg, &o.seed, err)) {
                log_error("init: --seed: expected a non-negative integer, got '%s'", optarg);
                return ST_EXIT_INPUT;
            }
            break;
        case ':': log_error("init: %s: missing value", argv[optind - 1]); return ST_EXIT_INPUT;
        default:
            log_error("init: %s: unknown option (try --help)", argv[optind - 1]);
            return ST_EXIT_INPUT;
        }
    }
    if (optind + 1 != argc || !o.out_path) {
        log_error("init: expected one MODEL.json and -o SCENARIO.json (try --help)");
        return ST_EXIT_INPUT;
    }
    o.model_path = argv[optind];
    json_t *sc_json, *notes;
    if ((rc = init_build(&o, &sc_json, &notes, err))) {
        log_error("%s", err);
        return st_rc_exit(rc);
    }
    rc = jsonio_save(o.out_path, sc_json, err);
    size_t n_routes = json_object_size(json_object_get(sc_json, "routes"));
    size_t n_feeders = json_object_size(json_object_get(sc_json, "feeders"));
    json_decref(sc_json);
    if (rc) {
        json_decref(notes);
        log_error("%s", err);
        return ST_EXIT_ENV;
    }
    for (size_t i = 0; !quiet && i < json_array_size(notes); i++)
        log_warn("init: %s", json_string_value(json_array_get(notes, i)));
    json_decref(notes);
    /* Load what was written as run would: a scenario init writes must run. */
    scenario sc;
    sc_overrides ov = {0};
    if ((rc = scenario_load(&sc, o.out_path, &ov, err))) {
        log_error("init: the written scenario does not load (a bug, please report): %s", err);
        return st_rc_exit(rc);
    }
    if (!quiet) {
        tool_print_coverage(&sc);
        log_info("init: %s: %zu routes mapped, %zu feeders, seed %" PRIu64 ", target %s",
                 o.out_path, n_routes, n_feeders, sc.seed, sc.target);
    }
    scenario_term(&sc);
    return 0;
}
