/*
 * tool_diff.c -- `modeler diff OLD.json NEW.json`: the effect-size table, exit 1 on drift.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drift.h"
#include "jsonio.h"
#include "log.h"
#include "tmodel_desc.h"
#include "tools.h"
#include "units.h"

/* clang-format off */
static void diff_usage(FILE *f)
{
    fprintf(f,
            "usage: modeler diff OLD.json NEW.json [options]\n"
            "\n"
            "Compares two traffic models (e.g. last quarter's and this quarter's) and prints\n"
            "one row per assumption: old, new, effect size, threshold, verdict. Data-quality\n"
            "changes are listed next to the behaviour changes (informational). Exit 1 when an\n"
            "effect exceeds its threshold, 0 otherwise, 2 on a bad model file.\n"
            "\n"
            "options:\n"
            "  --zipf-s X        |delta Zipf s| threshold (default 0.1)\n"
            "  --markov-tv X     journey row total-variation threshold (default 0.1)\n"
            "  --profile-err X   arrival profile median relative difference (default 0.15)\n"
            "  --rate-rel X      session-rate relative change (default 0.25)\n"
            "  --branching X     |delta branching ratio| (default 0.1)\n"
            "  --think-rel X     think-time median / session length relative change (default 0.15)\n"
            "  --mix-tv X        route-mix total-variation threshold (default 0.1)\n"
            "  --assets-rel X    mean assets per page view, relative change (default 0.15)\n"
            "  --class-tv X      client-class (desktop/mobile/script) TV threshold (default 0.1)\n"
            "  --burst-peak X    largest burst's peak rate, relative change (default 0.25)\n"
            "  --burst-ramp S    largest burst's ramp, |delta| in seconds (default 30)\n"
            "  --burst-hot X     largest burst's hot share, |delta| (default 0.1)\n"
            "\n"
            "comparing a rehearsal with the model it came from:\n"
            "  --rate-scale K    compare rates (session, request, burst peak) against K x OLD,\n"
            "                    for a rehearsal run at --scale K (e.g. 4 or 4x)\n"
            "  --clock START     the rehearsal replayed OLD's profile from model hour START\n"
            "                    (\"Fri 18:00\", or \"18:00\" for a daily profile): NEW's series is\n"
            "                    mapped through that clock onto OLD's hour slots (a slot the\n"
            "                    log covers for less than half an hour's real time is left out),\n"
            "                    and rates are compared with K x OLD x the clock's mean multiplier\n"
            "  --clock-speed K   the clock ran K times faster than real time (default 1)\n"
            "  --json            print the rows as JSON\n"
            "  --quiet           print nothing; the exit code says it all\n"
            "  -h, --help        this help\n"
            "\n"
            "examples:\n"
            "  modeler diff models/2026q1.json models/2026q2.json\n"
            "  modeler diff old.json new.json --zipf-s 0.05 --json | jq '.rows[] | select(.verdict==\"drift\")'\n"
            "  modeler diff fitted.json refit.json --rate-scale 4 --clock 'Fri 18:00' --clock-speed 12\n");
}
/* clang-format on */

/* "Fri 18:00" -> hour of week from Monday 00:00 (4 * 24 + 18); "18:00" or "18" -> hour of day.
 * Returns 0, or -1 when the text is not such a time. */
static int parse_clock(const char *s, double *hour)
{
    static const char *const days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    int day = 0;
    for (int d = 0; d < 7; d++)
        if (!strncmp(s, days[d], 3) && s[3] == ' ') {
            day = d;
            s += 4;
            break;
        }
    unsigned h = 0, m = 0;
    int used = 0;
    if (sscanf(s, "%2u:%2u%n", &h, &m, &used) != 2 || s[used]) {
        used = 0;
        m = 0;
        if (sscanf(s, "%2u%n", &h, &used) != 1 || s[used])
            return -1;
    }
    if (h > 23 || m > 59)
        return -1;
    *hour = day * 24.0 + h + m / 60.0;
    return 0;
}

static void fmtv(char *b, size_t n, double v)
{
    if (!isfinite(v))
        snprintf(b, n, "-");
    else
        snprintf(b, n, "%.4g", v);
}

int tool_diff_main(int argc, char **argv)
{
    const char *paths[2] = {NULL, NULL};
    int np = 0, json = 0;
    drift_thresholds t;
    drift_defaults(&t);
    char err[ST_ERRLEN];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        double *target = NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            diff_usage(stdout);
            return ST_EXIT_OK;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            log_level = LOG_ERROR;
        } else if (!strcmp(a, "--zipf-s")) {
            target = &t.zipf_s;
        } else if (!strcmp(a, "--markov-tv")) {
            target = &t.markov_tv;
        } else if (!strcmp(a, "--profile-err")) {
            target = &t.profile_err;
        } else if (!strcmp(a, "--rate-rel")) {
            target = &t.rate_rel;
        } else if (!strcmp(a, "--branching")) {
            target = &t.branching;
        } else if (!strcmp(a, "--think-rel")) {
            target = &t.think_rel;
        } else if (!strcmp(a, "--mix-tv")) {
            target = &t.mix_tv;
        } else if (!strcmp(a, "--assets-rel")) {
            target = &t.assets_rel;
        } else if (!strcmp(a, "--class-tv")) {
            target = &t.class_tv;
        } else if (!strcmp(a, "--burst-peak")) {
            target = &t.burst_peak_rel;
        } else if (!strcmp(a, "--burst-ramp")) {
            target = &t.burst_ramp_s;
        } else if (!strcmp(a, "--burst-hot")) {
            target = &t.burst_hot;
        } else if (!strcmp(a, "--rate-scale") || !strcmp(a, "--clock-speed")) {
            double *k = a[2] == 'r' ? &t.rate_scale : &t.clock_speed;
            if (i + 1 >= argc || units_parse_factor(argv[i + 1], k, err) < 0 || !(*k > 0) ||
                *k > 1e6) {
                log_error("%s: expected a factor > 0 such as 4 or 4x%s%s", a,
                          i + 1 < argc ? ", got " : "", i + 1 < argc ? argv[i + 1] : "");
                return ST_EXIT_INPUT;
            }
            i++;
        } else if (!strcmp(a, "--clock")) {
            if (i + 1 >= argc || parse_clock(argv[i + 1], &t.clock_start_h) < 0) {
                log_error("--clock: expected a model hour such as \"Fri 18:00\" or \"18:00\"%s%s",
                          i + 1 < argc ? ", got " : "", i + 1 < argc ? argv[i + 1] : "");
                return ST_EXIT_INPUT;
            }
            i++;
        } else if (a[0] == '-' && a[1]) {
            log_error("diff: unknown option '%s' (try 'modeler diff --help')", a);
            return ST_EXIT_INPUT;
        } else if (np < 2) {
            paths[np++] = a;
        } else {
            log_error("diff: expected two model files, got a third: '%s'", a);
            return ST_EXIT_INPUT;
        }
        if (target) {
            if (i + 1 >= argc || units_parse_double(argv[i + 1], target, err) < 0 || *target < 0) {
                log_error("%s: expected a non-negative number%s%s", a, i + 1 < argc ? ": " : "",
                          i + 1 < argc ? argv[i + 1] : "");
                return ST_EXIT_INPUT;
            }
            i++;
        }
    }
    if (t.clock_speed != 1 && t.clock_start_h < 0) {
        log_error("--clock-speed: needs --clock START (the model hour the rehearsal began at)");
        return ST_EXIT_INPUT;
    }
    if (np != 2) {
        log_error("diff: expected OLD.json NEW.json (try 'modeler diff --help')");
        return ST_EXIT_INPUT;
    }
    tmodel_desc m[2];
    for (int k = 0; k < 2; k++) {
        int rc = tmodel_desc_read(&m[k], paths[k], err);
        if (rc < 0) {
            log_error("%s", err);
            if (k)
                tmodel_desc_term(&m[0]);
            return st_rc_exit(rc);
        }
    }
    drift_report r;
    int rc = drift_compare(&m[0], &m[1], &t, &r);
    tmodel_desc_term(&m[0]);
    tmodel_desc_term(&m[1]);
    if (rc < 0) {
        log_error("out of memory");
        return ST_EXIT_ENV;
    }
    if (log_level >= LOG_INFO) {
        if (json) {
            json_t *j = drift_to_json(&r);
            char *line = jsonio_dumps_line(j);
            if (line)
                printf("%s\n", line);
            free(line);
            json_decref(j);
        } else {
            printf("%-11s %-66s %10s %10s %10s %9s  %s\n", "component", "metric", "old", "new",
                   "effect", "threshold", "verdict");
            for (size_t i = 0; i < r.n; i++) {
                const drift_row *w = &r.rows[i];
                char o[24], n[24], e[24], th[24];
                fmtv(o, sizeof o, w->old_v);
                fmtv(n, sizeof n, w->new_v);
                fmtv(e, sizeof e, w->effect);
                fmtv(th, sizeof th, w->threshold);
                /* The metric in full: a longer one shifts its row rather than lose words. */
                printf("%-11s %-66s %10s %10s %10s %9s  %s\n", w->component, w->metric, o, n, e, th,
                       w->info    ? "info"
                       : w->drift ? "DRIFT"
                                  : "ok");
            }
            printf("%zu of the checked assumptions drifted (%s -> %s)\n", r.drifted, paths[0],
                   paths[1]);
        }
    }
    rc = r.drifted ? ST_EXIT_CHECK : ST_EXIT_OK;
    drift_free(&r);
    return rc;
}
