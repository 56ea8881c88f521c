/*
 * test_modeler_rates.c -- unit tests of the rate-trace reader and fit (modeler/rates*.c):
 * spec and time parsing, CSV and Prometheus reading with bad lines counted by line number,
 * and recovery of known parameters from traces simulated with fixed seeds: a flat trace, a
 * trace with one burst, a trace with a weekly pattern and a trend, and the LIMBO-style
 * two-month hourly trace whose median relative error must stay within LIMBO's 12.4%.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rates.h"
#include "rng.h"

#define MONDAY 1767571200.0 /* 2026-01-05 00:00 UTC */

typedef struct sim {
    double days, level, daily, weekend, trend, noise;
    double burst_at_h, burst_len_h, burst_factor;
    uint64_t seed;
} sim;

/* The same generative model as tests/sim/ratesim.c, in memory, as counts per hour. */
static double sim_rate(const sim *s, double t)
{
    double hours = (t - MONDAY) / 3600, d = hours / 24, hod = fmod(t / 3600, 24);
    int64_t dow = ((int64_t)floor(t / 86400) + 3) % 7;
    double r = s->level * (1 + s->trend * (d - s->days / 2)) *
               (1 + s->daily * cos(2 * M_PI * (hod - 14) / 24)) * (dow >= 5 ? s->weekend : 1) /
               ((5 + 2 * s->weekend) / 7);
    if (hours >= s->burst_at_h && hours < s->burst_at_h + s->burst_len_h)
        r *= s->burst_factor;
    return r;
}

static void sim_trace(const sim *s, rates_trace *tr)
{
    memset(tr, 0, sizeof *tr);
    tr->t0 = MONDAY;
    tr->bin_s = 3600;
    tr->n = (size_t)(s->days * 24);
    tr->rate = calloc(tr->n, sizeof *tr->rate);
    tr->have = calloc(tr->n, 1);
    tr->counts = 1;
    assert_non_null(tr->rate);
    assert_non_null(tr->have);
    rng_stream rs;
    rng_stream_init(&rs, s->seed, 7);
    for (size_t i = 0; i < tr->n; i++) {
        double ln = exp(rng_normal(&rs, 0, s->noise) - s->noise * s->noise / 2);
        double lam = sim_rate(s, MONDAY + ((double)i + 0.5) * 3600) * 3600 * ln;
        tr->rate[i] = rng_poisson(&rs, lam) / 3600.0;
        tr->have[i] = 1;
    }
}

static void test_spec(void **state)
{
    (void)state;
    rates_spec sp;
    char err[ST_ERRLEN];
    assert_int_equal(rates_spec_parse("csv:time=ts,count=hits", &sp, err), 0);
    assert_int_equal(sp.kind, RATES_CSV);
    assert_string_equal(sp.time_col, "ts");
    assert_string_equal(sp.value_col, "hits");
    assert_int_equal(sp.value_is_rate, 0);
    assert_int_equal(rates_spec_parse("csv:rate=r,time=t", &sp, err), 0);
    assert_int_equal(sp.value_is_rate, 1);
    assert_int_equal(rates_spec_parse("limbo", &sp, err), 0);
    assert_int_equal(sp.kind, RATES_LIMBO);
    assert_int_equal(rates_spec_parse("prometheus", &sp, err), 0);
    assert_int_equal(rates_spec_parse("csv:time=t", &sp, err), ST_EINPUT);
    assert_non_null(strstr(err, "count=COL"));
    assert_int_equal(rates_spec_parse("csv:time=t,count=a,rate=b", &sp, err), ST_EINPUT);
    assert_int_equal(rates_spec_parse("csv:when=t,count=a", &sp, err), ST_EINPUT);
    assert_non_null(strstr(err, "when"));
    assert_int_equal(rates_spec_parse("tsv", &sp, err), ST_EINPUT);
}

static void test_time(void **state)
{
    (void)state;
    double t;
    assert_int_equal(rates_parse_time("2026-01-05T00:00:00Z", &t), 0);
    assert_true(t == MONDAY);
    assert_int_equal(rates_parse_time("2026-01-05 01:30:00+01:30", &t), 0);
    assert_true(t == MONDAY);
    assert_int_equal(rates_parse_time("2026-01-04T19:00:00-0500", &t), 0);
    assert_true(t == MONDAY);
    assert_int_equal(rates_parse_time("2026-01-05T00:00:00.250", &t), 0);
    assert_true(fabs(t - MONDAY - 0.25) < 1e-6);
    assert_int_equal(rates_parse_time("2026-01-05", &t), 0);
    assert_true(t == MONDAY);
    assert_int_equal(rates_parse_time("1767571200", &t), 0);
    assert_true(t == MONDAY);
    assert_int_equal(rates_parse_time("1767571200000", &t), 0); /* milliseconds */
    assert_true(t == MONDAY);
    assert_int_equal(rates_parse_time("2026-13-05", &t), -1);
    assert_int_equal(rates_parse_time("yesterday", &t), -1);
    assert_int_equal(rates_parse_time("2026-01-05T00:00:00Zjunk", &t), -1);
}

static const char *write_tmp(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "/tmp/test_rates_%d_%s", (int)getpid(), name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_read_csv(void **state)
{
    (void)state;
    const char *p = write_tmp("a.csv", "\xEF\xBB\xBFminute,hits\r\n"
                                       "2026-01-05T00:00:00Z,60\r\n"
                                       "2026-01-05T00:01:00Z,x\r\n"
                                       "never,5\r\n"
                                       "2026-01-05T00:02:00Z,120\r\n"
                                       "2026-01-05T00:02:00Z,60\r\n"
                                       "2026-01-05T00:04:00Z\r\n"
                                       "2026-01-05T00:05:00Z,30\r\n"
                                       "2026-01-05T00:06:00Z,30\r\n"
                                       "2026-01-05T00:07:00Z,30\r\n");
    rates_spec sp;
    rates_trace tr;
    char err[ST_ERRLEN];
    assert_int_equal(rates_spec_parse("csv:time=minute,count=hits", &sp, err), 0);
    assert_int_equal(rates_trace_read(p, &sp, &tr, err), 0);
    assert_true(tr.bin_s == 60);
    assert_true(tr.t0 == MONDAY);
    assert_int_equal(tr.n, 8);
    assert_int_equal(tr.bad[RB_VALUE], 1);
    assert_int_equal(tr.bad_first[RB_VALUE][0], 3);
    assert_non_null(strstr(tr.bad_why[RB_VALUE], "line 3: hits"));
    assert_int_equal(tr.bad[RB_TIME], 1);
    assert_int_equal(tr.bad_first[RB_TIME][0], 4);
    assert_int_equal(tr.bad[RB_FIELD], 1);
    assert_int_equal(tr.bad_first[RB_FIELD][0], 7);
    assert_int_equal(tr.summed, 1);
    assert_true(fabs(tr.rate[0] - 1) < 1e-12);
    assert_true(fabs(tr.rate[2] - 3) < 1e-12); /* 120 + 60 in one minute */
    assert_int_equal(tr.have[1], 0);           /* missing, not zero */
    assert_int_equal(tr.have[3], 0);
    assert_int_equal(tr.missing, 3); /* minutes 1, 3 and 4 */
    rates_trace_term(&tr);
    assert_int_equal(rates_spec_parse("csv:time=ts,count=hits", &sp, err), 0);
    assert_int_equal(rates_trace_read(p, &sp, &tr, err), ST_EINPUT);
    assert_non_null(strstr(err, "no column 'ts'"));
    unlink(p);
}

static void test_read_variants(void **state)
{
    (void)state;
    rates_spec sp;
    rates_trace tr;
    char err[ST_ERRLEN];
    /* A spreadsheet export: ';' separated, per-second rates, epoch milliseconds. */
    const char *p = write_tmp("s.csv", "# exported\nwhen;\"rps\"\n1767571200000;2.5\n"
                                       "1767571210000;3\n1767571220000;3.5\n");
    assert_int_equal(rates_spec_parse("csv:time=when,rate=rps", &sp, err), 0);
    assert_int_equal(rates_trace_read(p, &sp, &tr, err), 0);
    assert_true(tr.bin_s == 10);
    assert_int_equal(tr.n, 3);
    assert_true(fabs(tr.rate[0] - 2.5) < 1e-12); /* a rate is not divided by the bin */
    assert_int_equal(tr.counts, 0);
    rates_trace_term(&tr);
    unlink(p);
    /* LIMBO: t in hours from a given start, the rate per hour; comments, ';' ends, two
     * entries on one line. */
    p = write_tmp("l.txt", "# LIMBO\n0.5,3600.0;1.5, 7200;\n2.5,x;\n3.5,1800\n");
    assert_int_equal(rates_spec_parse("limbo", &sp, err), 0);
    sp.unit_s = 3600;
    sp.start = MONDAY;
    assert_int_equal(rates_trace_read(p, &sp, &tr, err), 0);
    assert_true(tr.bin_s == 3600);
    assert_true(tr.t0 == MONDAY);
    assert_int_equal(tr.n, 4);
    assert_true(fabs(tr.rate[0] - 1) < 1e-12 && fabs(tr.rate[1] - 2) < 1e-12);
    assert_int_equal(tr.have[2], 0);
    assert_int_equal(tr.bad[RB_VALUE], 1);
    assert_int_equal(tr.bad_first[RB_VALUE][0], 3);
    rates_trace_term(&tr);
    unlink(p);
}

static void test_read_prometheus(void **state)
{
    (void)state;
    const char *p = write_tmp(
        "p.json", "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
                  "{\"metric\":{\"i\":\"a\"},\"values\":[[1767571230,\"1.5\"],[1767571290,\"2\"],"
                  "[1767571350,\"NaN\"]]},"
                  "{\"metric\":{\"i\":\"b\"},\"values\":[[1767571230,\"0.5\"],[1767571290,\"1\"],"
                  "[1767571350,\"4\"]]}]}}");
    rates_spec sp;
    rates_trace tr;
    char err[ST_ERRLEN];
    assert_int_equal(rates_spec_parse("prometheus", &sp, err), 0);
    assert_int_equal(rates_trace_read(p, &sp, &tr, err), 0);
    assert_int_equal(tr.series, 2);
    assert_int_equal(tr.n, 3);
    assert_true(tr.t0 == MONDAY);              /* samples are bin middles */
    assert_true(fabs(tr.rate[0] - 2) < 1e-12); /* the two series summed */
    assert_true(fabs(tr.rate[1] - 3) < 1e-12);
    assert_true(fabs(tr.rate[2] - 4) < 1e-12);
    assert_int_equal(tr.bad[RB_VALUE], 1);
    assert_non_null(strstr(tr.bad_why[RB_VALUE], "data.result[0].values[2]"));
    rates_trace_term(&tr);
    unlink(p);
}

static void test_flat(void **state)
{
    (void)state;
    sim s = {61, 40, 0, 1, 0, 0.1, -1, 0, 1, 11};
    rates_trace tr;
    rates_model m;
    char err[ST_ERRLEN];
    sim_trace(&s, &tr);
    assert_int_equal(rates_fit(&tr, &m, err), 0);
    assert_int_equal(m.profile_kind, 0);
    assert_true(fabs(m.level / 40 - 1) < 0.01);
    assert_true(fabs(m.trend_per_day) < 0.0005);
    assert_int_equal(m.nep, 0);
    /* Lognormal noise of sigma 0.1: the median |error| is near 0.6745 x 0.1. */
    assert_true(m.median_rel_err > 0.04 && m.median_rel_err < 0.09);
    /* Dispersion about the fit: counts of 144,000 an hour with 10% noise are far from
     * Poisson (index ~ 0.01 x 144,000). */
    assert_true(m.ndisp >= 1 && m.disp_scale[0] == 3600);
    assert_true(m.disp_index[0] > 700 && m.disp_index[0] < 2900);
    rates_model_term(&m);
    rates_trace_term(&tr);
}

static void test_burst(void **state)
{
    (void)state;
    sim s = {30, 40, 0.4, 1, 0, 0.08, 400, 5, 3, 12};
    rates_trace tr;
    rates_model m;
    char err[ST_ERRLEN];
    sim_trace(&s, &tr);
    assert_int_equal(rates_fit(&tr, &m, err), 0);
    assert_int_equal(m.profile_kind, 1);
    assert_int_equal(m.nep, 1);
    const rates_episode *e = &m.ep[0];
    assert_true(e->onset == MONDAY + 400 * 3600.0);
    assert_true(e->duration_s == 5 * 3600.0);
    /* The true plateau: three times the base over the burst's five hours. */
    double peak = 0;
    for (int h = 0; h < 5; h++)
        peak += sim_rate(&s, MONDAY + (400 + h + 0.5) * 3600) / 5;
    assert_true(fabs(e->peak_rate / peak - 1) < 0.15);
    assert_true(fabs(e->peak_rate / e->baseline_rate / 3 - 1) < 0.2);
    /* The burst does not bend the profile or the level. */
    assert_true(fabs(m.level / 40 - 1) < 0.02);
    assert_true(fabs(m.profile[14] / 1.4 - 1) < 0.05);
    assert_true(fabs(m.profile[2] / 0.6 - 1) < 0.08);
    rates_model_term(&m);
    rates_trace_term(&tr);
}

static void test_weekly(void **state)
{
    (void)state;
    sim s = {61, 40, 0.5, 0.5, 0.01, 0.1, -1, 0, 1, 13};
    rates_trace tr;
    rates_model m;
    char err[ST_ERRLEN];
    sim_trace(&s, &tr);
    assert_int_equal(rates_fit(&tr, &m, err), 0);
    assert_int_equal(m.profile_kind, 2);
    double wk = 0, we = 0;
    for (int sl = 0; sl < 168; sl++) {
        if (sl < 120)
            wk += m.profile[sl] / 120;
        else
            we += m.profile[sl] / 48;
    }
    assert_true(fabs(we / wk / 0.5 - 1) < 0.05);
    assert_true(fabs(m.trend_per_day / 0.01 - 1) < 0.1);
    assert_true(fabs(m.level / 40 - 1) < 0.02);
    /* Monday 14:00 against Monday 02:00: (1 + 0.5) / (1 - 0.5 cos(pi/6 x 0)) ~ 1.5 / 0.567. */
    double want = (1 + 0.5) / (1 + 0.5 * cos(2 * M_PI * (2 - 14) / 24.0));
    assert_true(fabs(m.profile[14] / m.profile[2] / want - 1) < 0.1);
    assert_int_equal(m.nep, 0);
    rates_model_term(&m);
    rates_trace_term(&tr);
}

/* LIMBO (Kistowski et al., "Modeling and extracting load intensity profiles", 2017) reports
 * a median relative error of 12.4% over nine real traces. A two-month hourly trace with a
 * daily and weekly pattern, trend, noise and two bursts must do at least as well. */
static void test_limbo_median_error(void **state)
{
    (void)state;
    sim s = {61, 30, 0.6, 0.6, 0.005, 0.15, 700, 4, 2.5, 14};
    rates_trace tr;
    rates_model m;
    char err[ST_ERRLEN];
    sim_trace(&s, &tr);
    assert_int_equal(rates_fit(&tr, &m, err), 0);
    assert_int_equal(m.nerr, tr.n);
    assert_true(m.median_rel_err <= 0.124);
    assert_int_equal(m.nep, 1);
    rates_model_term(&m);
    rates_trace_term(&tr);
}

static void test_too_short(void **state)
{
    (void)state;
    rates_trace tr;
    rates_model m;
    char err[ST_ERRLEN];
    memset(&tr, 0, sizeof tr);
    double r[2] = {1, 2};
    unsigned char h[2] = {1, 1};
    tr.rate = r;
    tr.have = h;
    tr.n = 2;
    tr.bin_s = 60;
    assert_int_equal(rates_fit(&tr, &m, err), ST_EINPUT);
    assert_non_null(strstr(err, "at least 3"));
}

int main(void)
{
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec),         cmocka_unit_test(test_time),
        cmocka_unit_test(test_read_csv),     cmocka_unit_test(test_read_variants),
        cmocka_unit_test(test_read_prometheus),
        cmocka_unit_test(test_flat),         cmocka_unit_test(test_burst),
        cmocka_unit_test(test_weekly),       cmocka_unit_test(test_limbo_median_error),
        cmocka_unit_test(test_too_short),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
