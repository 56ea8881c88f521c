/*
 * test_modeler_wsdur.c -- WebSocket durations censored at the log's end (modeler/wsdur.c).
 *
 * What is checked, on simulated logs with a known lognormal (median 10 s, sigma 0.7):
 *  - a rehearsal's log (every socket opened in a 150-s run, the ones still open at the end
 *    closed then): the censored fit's median is within 2% of the geometric mean of the
 *    simulated draws themselves (and 5% of 10 s), while the plain fit of the same lines is
 *    more than 5% short of it (so the test can fail); the censored count is the number of
 *    sockets the end cut, plus the few that closed by themselves in its last second (two
 *    with whole-second times);
 *  - the same with one-second log times (nginx's $time_local);
 *  - a window cut from a running system (closes in [1000, 3000) of a stream open since 0):
 *    the fit stays within 2% of the draws and almost nothing is taken as censored;
 *  - without censored values the MLE is the closed form, and fewer than 10 durations are
 *    refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "rng.h"
#include "wsdur.h"

#define MEDIAN 10.0
#define SIGMA 0.7

typedef struct line {
    double ts, dur;
} line;

static int cmp_line(const void *a, const void *b)
{
    const line *x = a, *y = b;
    return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/* n sockets opening uniformly in [0, open_to); each closes at open + D, or at cut when that
 * is earlier (cut_closes: the run's end closes it then; else it is not logged at all); only
 * closes in [from, cut] are logged, in time order. Returns the lines (caller frees). */
static double draws_gm; /* the geometric mean of every draw of the last simulate() */

static line *simulate(size_t n, double open_to, double from, double cut, int cut_closes,
                      int whole_seconds, size_t *nl, size_t *ncut, uint64_t seed)
{
    line *l = malloc(n * sizeof *l);
    assert_non_null(l);
    rng_stream s;
    rng_stream_init(&s, seed, rng_stream_id("test.wsdur"));
    *nl = *ncut = 0;
    double sl = 0;
    for (size_t i = 0; i < n; i++) {
        double o = open_to * rng_uniform(&s), d = rng_lognormal(&s, log(MEDIAN), SIGMA);
        double c = o + d;
        sl += log(d);
        if (c > cut) {
            if (!cut_closes)
                continue;
            c = cut;
            d = cut - o;
            (*ncut)++;
        }
        if (c < from)
            continue;
        l[(*nl)++] = (line){whole_seconds ? floor(c) : c, d};
    }
    qsort(l, *nl, sizeof *l, cmp_line);
    draws_gm = exp(sl / (double)n);
    return l;
}

static double fit_median(const line *l, size_t n, size_t *censored)
{
    wsdur *w = wsdur_new(7);
    assert_non_null(w);
    for (size_t i = 0; i < n; i++)
        wsdur_add(w, l[i].ts, l[i].dur);
    think_fit f;
    char err[ST_ERRLEN];
    assert_int_equal(wsdur_fit(w, &f, censored, err), 0);
    wsdur_free(w);
    return f.median_s;
}

static double plain_median(const line *l, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += log(l[i].dur);
    return exp(s / (double)n);
}

static void rehearsal(int whole_seconds)
{
    size_t nl, ncut, cens;
    line *l = simulate(3000, 150, 0, 150, 1, whole_seconds, &nl, &ncut, 11);
    double m = fit_median(l, nl, &cens), p = plain_median(l, nl);
    print_message(
        "rehearsal: %zu lines, %zu cut, %zu censored; median censored fit %.3f, plain %.3f, "
        "every draw %.3f\n",
        nl, ncut, cens, m, p, draws_gm);
    assert_true(ncut > 100);
    /* Against the sample's own draws (the fit cannot know better), and the population. */
    assert_true(fabs(m / draws_gm - 1) < 0.02);
    assert_true(fabs(m / MEDIAN - 1) < 0.05);
    assert_true(p / draws_gm - 1 < -0.05);
    /* Natural closes in the last 1-2 s: about 3000 / 150 * 2 = 40 at most. */
    assert_true(cens >= ncut && cens <= ncut + 60);
    free(l);
}

static void test_rehearsal(void **state)
{
    (void)state;
    rehearsal(0);
}

static void test_rehearsal_whole_seconds(void **state)
{
    (void)state;
    rehearsal(1);
}

static void test_window_of_running_system(void **state)
{
    (void)state;
    size_t nl, ncut, cens;
    line *l = simulate(6000, 3000, 1000, 3000, 0, 1, &nl, &ncut, 12);
    double m = fit_median(l, nl, &cens);
    print_message("window: %zu lines, %zu censored; median %.3f, every draw %.3f\n", nl, cens, m,
                  draws_gm);
    assert_true(nl > 3000);
    assert_true(fabs(m / draws_gm - 1) < 0.02);
    assert_true(cens <= 20); /* the last 1-2 s of a 2000-s window */
    free(l);
}

static void test_mle_without_censoring(void **state)
{
    (void)state;
    double y[5] = {0.5, 1.0, 1.5, 2.0, 3.0}, mu = 0, sigma = 1, ll;
    wsdur_mle(y, 5, 1, NULL, 0, &mu, &sigma, &ll);
    assert_true(mu == 0 && sigma == 1); /* nothing censored: the start is kept */
    double c[1] = {2.5};
    double mu2 = 1.6, s2 = 0.85;
    wsdur_mle(y, 5, 1, c, 1, &mu2, &s2, &ll);
    /* One value known to be above 2.5 pulls the mean up from 1.6 and stays finite. */
    assert_true(mu2 > 1.6 && mu2 < 2.5 && s2 > 0.5 && isfinite(ll));
}

static void test_too_few(void **state)
{
    (void)state;
    wsdur *w = wsdur_new(1);
    for (int i = 0; i < 9; i++)
        wsdur_add(w, 100 + i * 10, 5);
    wsdur_add(w, 200, -1); /* unknown duration: ignored */
    think_fit f;
    size_t c;
    char err[ST_ERRLEN];
    assert_int_equal(wsdur_fit(w, &f, &c, err), ST_EINPUT);
    wsdur_free(w);
    wsdur_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rehearsal),
        cmocka_unit_test(test_rehearsal_whole_seconds),
        cmocka_unit_test(test_window_of_running_system),
        cmocka_unit_test(test_mle_without_censoring),
        cmocka_unit_test(test_too_few),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
