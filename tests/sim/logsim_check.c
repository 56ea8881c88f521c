/*
 * logsim_check.c -- compares a fitted model with the simulator's truth file and prints one
 * line per recovered parameter: truth, fitted, error, tolerance, verdict. Exit 0 when all
 * pass, 1 otherwise, 2 on unreadable files.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "jsonio.h"

static int fails, checks;

static void verdict(const char *what, double truth, double fit, double err, double tol)
{
    int ok = isfinite(fit) && fabs(err) <= tol;
    checks++;
    fails += !ok;
    printf("%-34s truth %9.4f  fitted %9.4f  error %+8.4f  tol %6.3f  %s\n", what, truth, fit, err,
           tol, ok ? "PASS" : "FAIL");
}

static double num(const json_t *o, const char *path)
{
    /* Dotted path with numeric components for arrays: "hawkes.branching_ratio". */
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    const json_t *cur = o;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ".", &save); tok && cur; tok = strtok_r(NULL, ".", &save)) {
        if (json_is_array(cur)) {
            char *end;
            long i = strtol(tok, &end, 10);
            cur = json_array_get(cur, (size_t)i);
        } else {
            cur = json_object_get(cur, tok);
        }
    }
    return cur && json_is_number(cur) ? json_number_value(cur) : NAN;
}

static long route_index(const json_t *routes, const char *tmpl)
{
    size_t i;
    json_t *r;
    json_array_foreach(routes, i, r) {
        const char *t = json_string_value(json_object_get(r, "template"));
        if (t && !strcmp(t, tmpl))
            return (long)i;
    }
    return -1;
}

int logsim_check(const char *truth_path, const char *model_path)
{
    char err[ST_ERRLEN];
    json_t *t = jsonio_load(truth_path, err);
    if (!t) {
        fprintf(stderr, "logsim: %s\n", err);
        return 2;
    }
    json_t *m = jsonio_load(model_path, err);
    if (!m) {
        fprintf(stderr, "logsim: %s\n", err);
        json_decref(t);
        return 2;
    }
    json_t *routes = json_object_get(m, "routes");
    long prod = route_index(routes, "/products/{id}");
    char path[128];
    snprintf(path, sizeof path, "routes.%ld.params.0.popularity.s", prod);
    double zs = num(t, "zipf_s_products");
    verdict("zipf s /products/{id}", zs, num(m, path), num(m, path) - zs, 0.05);
    long cat = route_index(routes, "/categories/{id}");
    snprintf(path, sizeof path, "routes.%ld.params.0.popularity.s", cat);
    double cs = num(t, "zipf_s_categories");
    verdict("zipf s /categories/{id} (s<1)", cs, num(m, path), num(m, path) - cs, 0.05);

    double tm = num(t, "think_median_s"), fm = num(m, "sessions.think_time.median_s");
    verdict("think-time median (rel)", tm, fm, (fm - tm) / tm, 0.10);

    double br = num(t, "branching_ratio"), fb = num(m, "hawkes.branching_ratio");
    verdict("branching ratio", br, fb, fb - br, 0.10);

    /* The episode closest to the true onset. */
    double on = num(t, "crowd_onset");
    json_t *eps = json_object_get(json_object_get(m, "bursts"), "episodes");
    size_t i, best = (size_t)-1;
    json_t *e;
    double bd = INFINITY;
    json_array_foreach(eps, i, e) {
        double d = fabs(json_number_value(json_object_get(e, "onset")) - on);
        if (d < bd) {
            bd = d;
            best = i;
        }
    }
    json_t *ep = best == (size_t)-1 ? NULL : json_array_get(eps, best);
    double fo = ep ? json_number_value(json_object_get(ep, "onset")) : NAN;
    verdict("burst onset (s)", 0, fo - on, fo - on, 30);
    /* Peak and ramp, when the truth carries them (logsim gen writes them with a crowd). */
    double tpk = num(t, "crowd_peak_rate"), tr = num(t, "crowd_ramp_s");
    if (isfinite(tpk)) {
        double fp = ep ? json_number_value(json_object_get(ep, "peak_rate")) : NAN;
        verdict("burst peak rate (rel)", tpk, fp, (fp - tpk) / tpk, 0.15);
        double fr = ep ? json_number_value(json_object_get(ep, "ramp_s")) : NAN;
        verdict("burst ramp (s)", tr, fr, fr - tr, 12);
    }
    json_t *cv = ep ? json_object_get(ep, "convergence") : NULL;
    double hs = num(t, "hot_share");
    double fh = cv ? json_number_value(json_object_get(cv, "hot_share")) : NAN;
    const char *cr = cv ? json_string_value(json_object_get(cv, "route")) : NULL;
    if (!cr || strcmp(cr, "/products/{id}") != 0)
        fh = NAN;
    verdict("hot-set share", hs, fh, fh - hs, 0.05);
    /* Whether the convergence was read as bound to the crowd's sessions or to the window. */
    json_t *tcs = json_object_get(t, "crowd_sessions");
    if (json_is_boolean(tcs)) {
        const char *fw = cv ? json_string_value(json_object_get(cv, "follows")) : NULL;
        const char *want = json_is_true(tcs) ? "sessions" : "window";
        int ok = fw && !strcmp(fw, want);
        checks++;
        fails += !ok;
        printf("%-34s truth %9s  fitted %9s  %s\n", "convergence follows", want, fw ? fw : "-",
               ok ? "PASS" : "FAIL");
    }

    double wm = num(t, "ws_median_s"), fw = num(m, "websockets.duration.median_s");
    verdict("websocket median duration (rel)", wm, fw, (fw - wm) / wm, 0.10);

    /* Transitions: every cell of every simulated route's row, plus the exit column. */
    json_t *names = json_object_get(t, "routes"), *tt = json_object_get(t, "transitions");
    json_t *mt = json_object_get(json_object_get(m, "journeys"), "transitions");
    size_t nr = json_array_size(names), k = json_array_size(routes);
    double worst = 0;
    char worst_cell[160] = "";
    int missing = 0;
    for (size_t a = 0; a < nr; a++) {
        long ia = route_index(routes, json_string_value(json_array_get(names, a)));
        if (ia < 0) {
            missing++;
            continue;
        }
        json_t *row = json_array_get(mt, (size_t)ia);
        for (size_t b = 0; b <= nr; b++) {
            double tp = json_number_value(json_array_get(json_array_get(tt, a), b));
            long ib = b == nr ? (long)k
                              : route_index(routes, json_string_value(json_array_get(names, b)));
            double fp = ib < 0 ? 0 : json_number_value(json_array_get(row, (size_t)ib));
            if (fabs(fp - tp) > fabs(worst)) {
                worst = fp - tp;
                snprintf(worst_cell, sizeof worst_cell, "%s -> %s",
                         json_string_value(json_array_get(names, a)),
                         b == nr ? "exit" : json_string_value(json_array_get(names, b)));
            }
        }
    }
    printf("  (largest transition error: %s)\n", worst_cell);
    verdict("transition probabilities (max)", 0, missing ? NAN : worst, worst, 0.03);
    printf("%d/%d recovery checks passed (seed %.0f)\n", checks - fails, checks, num(t, "seed"));
    json_decref(t);
    json_decref(m);
    return fails ? 1 : 0;
}

/* `logsim get FILE.json PATH`: prints the value at a dotted path (numbers as %.6g, strings
 * raw, true/false, arrays and objects as their size), for the shell integration tests. */
int logsim_get(const char *file, const char *path)
{
    char err[ST_ERRLEN];
    json_t *m = jsonio_load(file, err);
    if (!m) {
        fprintf(stderr, "logsim: %s\n", err);
        return 2;
    }
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    const json_t *cur = m;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ".", &save); tok && cur; tok = strtok_r(NULL, ".", &save)) {
        if (json_is_array(cur)) {
            char *end;
            long i = strtol(tok, &end, 10);
            cur = *end ? NULL : json_array_get(cur, (size_t)i);
        } else {
            cur = json_object_get(cur, tok);
        }
    }
    int rc = 0;
    if (!cur) {
        printf("missing\n");
        rc = 1;
    } else if (json_is_number(cur)) {
        printf("%.6g\n", json_number_value(cur));
    } else if (json_is_string(cur)) {
        printf("%s\n", json_string_value(cur));
    } else if (json_is_boolean(cur)) {
        printf("%s\n", json_is_true(cur) ? "true" : "false");
    } else if (json_is_array(cur)) {
        printf("%zu\n", json_array_size(cur));
    } else if (json_is_object(cur)) {
        printf("%zu\n", json_object_size(cur));
    } else {
        printf("null\n");
    }
    json_decref(m);
    return rc;
}
