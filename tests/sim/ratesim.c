/*
 * ratesim.c -- rate traces from known parameters, for the modeler's rate-trace tests: a
 * LIMBO-style series with a daily and a weekly pattern, a linear trend, noise and bursts.
 *
 *   ratesim --out FILE [--format csv|limbo|prometheus] [--days 61] [--bin 1h]
 *           [--start EPOCH] [--level 50] [--daily 0.5] [--weekend 0.6] [--trend 0.005]
 *           [--noise 0.12] [--burst HOUR:LEN_H:FACTOR]... [--missing-every K] [--seed N]
 *
 * The generative model (draws from common/rng.h streams keyed by seed and purpose):
 *   rate(t) = level * (1 + trend * (d - days/2)) * day(t) * week(t) * burst(t)  [per second]
 *   day(t)  = 1 + daily * cos(2 pi (hour - 14) / 24)          (mean 1 over a day, peak 14:00)
 *   week(t) = weekend on Saturday and Sunday, 1 otherwise, divided by (5 + 2 weekend) / 7
 *   burst(t) = FACTOR for HOUR <= hours since start < HOUR + LEN_H, else 1
 *   count per bin ~ Poisson(rate * bin * LN), LN = exp(N(0, noise) - noise^2 / 2) (mean 1).
 * csv writes "time,count" with ISO 8601 bin starts; limbo "t,rate;" with t the bin middle
 * in units of the bin and rate the count per bin; prometheus a query_range answer with two
 * series (60% and 40% of the rate, per second, at bin middles) that the reader must sum.
 * --missing-every K leaves out every K-th bin (a gap in the export).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "afile.h"
#include "rng.h"
#include "units.h"

#define MAX_BURSTS 16

typedef struct burst {
    double at_h, len_h, factor;
} burst;

static int usage(void)
{
    fprintf(stderr, "usage: ratesim --out FILE [--format csv|limbo|prometheus] [--days 61] "
                    "[--bin 1h] [--start EPOCH] [--level 50] [--daily 0.5] [--weekend 0.6] "
                    "[--trend 0.005] [--noise 0.12] [--burst HOUR:LEN_H:FACTOR]... "
                    "[--missing-every K] [--seed N]\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *out = NULL, *format = "limbo";
    double days = 61, bin = 3600, start = 1767571200 /* 2026-01-05 00:00 UTC, a Monday */;
    double level = 50, daily = 0.5, weekend = 0.6, trend = 0.005, noise = 0.12;
    uint64_t seed = 1;
    int64_t missing_every = 0;
    burst bu[MAX_BURSTS];
    size_t nb = 0;
    char err[ST_ERRLEN];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return usage();
        i++;
        int rc = 0;
        if (!strcmp(a, "--out"))
            out = v;
        else if (!strcmp(a, "--format"))
            format = v;
        else if (!strcmp(a, "--days"))
            rc = units_parse_double(v, &days, err);
        else if (!strcmp(a, "--bin"))
            rc = units_parse_duration(v, &bin, err);
        else if (!strcmp(a, "--start"))
            rc = units_parse_double(v, &start, err);
        else if (!strcmp(a, "--level"))
            rc = units_parse_double(v, &level, err);
        else if (!strcmp(a, "--daily"))
            rc = units_parse_double(v, &daily, err);
        else if (!strcmp(a, "--weekend"))
            rc = units_parse_double(v, &weekend, err);
        else if (!strcmp(a, "--trend"))
            rc = units_parse_double(v, &trend, err);
        else if (!strcmp(a, "--noise"))
            rc = units_parse_double(v, &noise, err);
        else if (!strcmp(a, "--seed"))
            rc = units_parse_u64(v, &seed, err);
        else if (!strcmp(a, "--missing-every"))
            rc = units_parse_i64(v, 0, 1000000, &missing_every, err);
        else if (!strcmp(a, "--burst")) {
            if (nb == MAX_BURSTS ||
                sscanf(v, "%lf:%lf:%lf", &bu[nb].at_h, &bu[nb].len_h, &bu[nb].factor) != 3) {
                fprintf(stderr, "ratesim: --burst: expected HOUR:LEN_H:FACTOR (at most %d)\n",
                        MAX_BURSTS);
                return 2;
            }
            nb++;
        } else
            return usage();
        if (rc < 0) {
            fprintf(stderr, "ratesim: %s: %s\n", a, err);
            return 2;
        }
    }
    int kind = !strcmp(format, "csv")          ? 0
               : !strcmp(format, "limbo")      ? 1
               : !strcmp(format, "prometheus") ? 2
                                               : -1;
    if (!out || kind < 0 || bin <= 0 || days <= 0)
        return usage();
    afile af;
    FILE *f = afile_open(&af, out, err);
    if (!f) {
        fprintf(stderr, "ratesim: %s\n", err);
        return 3;
    }
    rng_stream rs;
    rng_stream_init(&rs, seed, rng_stream_id("ratesim.counts"));
    size_t n = (size_t)(days * 86400 / bin);
    double wnorm = (5 + 2 * weekend) / 7;
    if (kind == 0)
        fprintf(f, "time,count\n");
    for (int s = 0; s < (kind == 2 ? 2 : 1); s++) {
        if (kind == 2)
            fprintf(f, "%s{\"metric\":{\"instance\":\"web-%d\"},\"values\":[",
                    s ? ","
                      : "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[",
                    s + 1);
        rng_stream_init(&rs, seed, rng_stream_id("ratesim.counts"));
        int first = 1;
        for (size_t i = 0; i < n; i++) {
            double t = start + ((double)i + 0.5) * bin, hours = ((double)i + 0.5) * bin / 3600;
            double hod = fmod((t / 3600), 24), d = hours / 24;
            int64_t dow = ((int64_t)floor(t / 86400) + 3) % 7; /* 0 = Monday */
            double r = level * (1 + trend * (d - days / 2)) *
                       (1 + daily * cos(2 * M_PI * (hod - 14) / 24)) * (dow >= 5 ? weekend : 1) /
                       wnorm;
            for (size_t k = 0; k < nb; k++)
                if (hours >= bu[k].at_h && hours < bu[k].at_h + bu[k].len_h)
                    r *= bu[k].factor;
            double ln = exp(rng_normal(&rs, 0, noise) - noise * noise / 2);
            double c = rng_poisson(&rs, r * bin * ln);
            if (missing_every > 0 && (int64_t)(i % (size_t)missing_every) == missing_every - 1)
                continue;
            if (kind == 0) {
                time_t ts = (time_t)(start + (double)i * bin);
                struct tm tm;
                char buf[40];
                gmtime_r(&ts, &tm);
                strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
                fprintf(f, "%s,%.0f\n", buf, c);
            } else if (kind == 1) {
                fprintf(f, "%.1f,%.0f;\n", (double)i + 0.5, c);
            } else {
                fprintf(f, "%s[%.3f,\"%.6g\"]", first ? "" : ",", t, c / bin * (s ? 0.4 : 0.6));
                first = 0;
            }
        }
        if (kind == 2)
            fprintf(f, "]}");
    }
    if (kind == 2)
        fprintf(f, "]}}\n");
    if (afile_commit(&af, err) < 0) {
        fprintf(stderr, "ratesim: %s\n", err);
        return 3;
    }
    return 0;
}
