/*
 * search_merge.c -- reading SEARCH documents back, and the merge of the SEARCH documents of a
 * search's segments (see search.h). Each scale's results are merged by merge.h, exactly as
 * `replay merge` merges the results of one run; the verdicts and the knee are then computed
 * again from the merged steps, by the same rules as a live search.
 */
#include "search.h"
#include "formats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"
#include "merge.h"
#include "results_read.h"

int search_check(const json_t *doc, const char *name, char *err)
{
    /* clang-format off */
    static const char *const top[] = {"format", "version", "tool", "scenario", "segment", "settings",
                                      "steps", "knee", "stopped", "warnings", "merged", NULL};
    /* clang-format on */
    static const char *const verdicts[] = {"pass", "fail", "inconclusive", NULL};
    const char *fmt = NULL;
    json_t *settings = NULL, *steps = NULL, *s;
    char e[ST_ERRLEN], path[64];
    int64_t ver;
    double v;
    size_t i;
    int rc, vi;
    if (!json_is_object(doc))
        return st_err(err, ST_EINPUT, "%s: search: expected an object", name);
    if ((rc = jv_no_unknown(doc, "search", top, e)) ||
        (rc = jv_string(doc, "search", "format", 1, &fmt, e)))
        return st_err(err, ST_EINPUT, "%s: %s", name, e);
    if (strcmp(fmt, SEARCH_FORMAT))
        return st_err(err, ST_EINPUT, "%s: search.format: expected \"%s\", got \"%s\"", name,
                      SEARCH_FORMAT, fmt);
    if ((rc = jv_version(doc, "search", ST_FMT_SEARCH_VERSION, &ver, e)) ||
        (rc = jv_object(doc, "search", "settings", 1, &settings, e)) ||
        (rc = jv_number(settings, "search.settings", "from", 1, 1e-9, 1e9, &v, e)) ||
        (rc = jv_number(settings, "search.settings", "to", 1, 1e-9, 1e9, &v, e)) ||
        (rc = jv_number(settings, "search.settings", "hold_s", 1, 0, 1e9, &v, e)) ||
        (rc = jv_array(doc, "search", "steps", 1, &steps, e)))
        return st_err(err, ST_EINPUT, "%s: %s", name, e);
    if (json_array_size(steps) > SEARCH_MAX_STEPS)
        return st_err(err, ST_EINPUT, "%s: search.steps: more than %d steps", name,
                      SEARCH_MAX_STEPS);
    json_array_foreach(steps, i, s) {
        const json_t *res;
        jv_path(path, sizeof path, "search.steps", i);
        if (!json_is_object(s))
            return st_err(err, ST_EINPUT, "%s: %s: expected an object", name, path);
        if ((rc = jv_number(s, path, "scale", 1, 1e-9, 1e9, &v, e)) ||
            (rc = jv_enum(s, path, "verdict", 1, verdicts, &vi, e)))
            return st_err(err, ST_EINPUT, "%s: %s", name, e);
        res = json_object_get(s, "results");
        if (res && !json_is_object(res) && !json_is_null(res))
            return st_err(err, ST_EINPUT, "%s: %s.results: expected a results object or null", name,
                          path);
    }
    return 0;
}

static double num(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : 0;
}

/* The last step of doc at `scale` that has results, or NULL. */
static const json_t *step_at(const json_t *doc, double scale)
{
    const json_t *steps = json_object_get(doc, "steps"), *s, *found = NULL;
    size_t i;
    json_array_foreach(steps, i, s)
        if (fabs(num(s, "scale") - scale) < 1e-9 && json_is_object(json_object_get(s, "results")))
            found = s;
    return found;
}

static int same_search(const json_t *a, const json_t *b, const char *na, const char *nb, char *err)
{
    const json_t *sa = json_object_get(a, "settings"), *sb = json_object_get(b, "settings");
    const json_t *ha = json_object_get(json_object_get(a, "scenario"), "hash");
    const json_t *hb = json_object_get(json_object_get(b, "scenario"), "hash");
    if (!json_equal(ha, hb))
        return st_err(err, ST_EINPUT, "%s and %s searched different scenarios (hash %s vs %s)", na,
                      nb, json_string_value(ha) ? json_string_value(ha) : "?",
                      json_string_value(hb) ? json_string_value(hb) : "?");
    if (num(sa, "from") != num(sb, "from") || num(sa, "to") != num(sb, "to") ||
        num(sa, "step") != num(sb, "step") || num(sa, "hold_s") != num(sb, "hold_s"))
        return st_err(err, ST_EINPUT,
                      "%s and %s are different searches (--from, --to, --step or --hold differ)",
                      na, nb);
    return 0;
}

/* Merges the results of one scale over the inputs that have it into *out (new reference). */
static int merge_scale(double scale, json_t *const *in, const char *const *names, size_t n,
                       json_t **out, size_t *have, char *err)
{
    rr_result *rr = calloc(n, sizeof *rr), merged;
    size_t k = 0;
    int rc = 0;
    char label[600];
    *out = NULL;
    *have = 0;
    memset(&merged, 0, sizeof merged);
    if (!rr)
        return ST_ENOMEM;
    for (size_t i = 0; i < n && !rc; i++) {
        const json_t *s = step_at(in[i], scale);
        if (!s)
            continue;
        snprintf(label, sizeof label, "%s (step %gx)", names[i], scale);
        rc = results_read(&rr[k], json_object_get(s, "results"), label, err);
        if (!rc)
            k++;
    }
    *have = k;
    if (!rc && k)
        rc = merge_results(&merged, rr, k, err);
    if (!rc && k) {
        if (merge_measure(&merged) < 0 || !(*out = merge_build_doc(&merged)))
            rc = ST_ENOMEM;
    }
    results_read_term(&merged);
    for (size_t i = 0; i < k; i++)
        results_read_term(&rr[i]);
    free(rr);
    return rc;
}

int search_merge(json_t **out, json_t *const *in, const char *const *names, size_t n, char *err)
{
    double scales[SEARCH_MAX_STEPS];
    size_t ns = 0;
    json_t *doc, *segs, *warn;
    int rc = 0;
    *out = NULL;
    for (size_t i = 0; i < n; i++) {
        const json_t *steps = json_object_get(in[i], "steps"), *s;
        size_t j;
        if (i && (rc = same_search(in[0], in[i], names[0], names[i], err)))
            return rc;
        json_array_foreach(steps, j, s) {
            double sc = num(s, "scale");
            size_t k;
            for (k = 0; k < ns && fabs(scales[k] - sc) > 1e-9; k++)
                ;
            if (k == ns && ns < SEARCH_MAX_STEPS)
                scales[ns++] = sc;
        }
    }
    for (size_t a = 1; a < ns; a++)
        for (size_t b = a; b > 0 && scales[b - 1] > scales[b]; b--) {
            double t = scales[b];
            scales[b] = scales[b - 1];
            scales[b - 1] = t;
        }
    if (!(doc = json_deep_copy(in[0])))
        return ST_ENOMEM;
    json_object_set_new(doc, "steps", json_array());
    json_object_del(doc, "knee");
    segs = json_array();
    warn = json_array();
    for (size_t i = 0; segs && i < n; i++)
        json_array_append_new(
            segs, json_integer((json_int_t)num(json_object_get(in[i], "segment"), "i")));
    json_object_set_new(
        doc, "segment",
        json_pack("{s:i,s:i}", "i", 0, "n", (int)num(json_object_get(in[0], "segment"), "n")));
    json_object_set_new(doc, "merged", json_pack("{s:o}", "segments", segs));
    json_object_set_new(doc, "warnings", warn);
    for (size_t k = 0; !rc && k < ns; k++) {
        json_t *res = NULL;
        size_t have = 0;
        char why[1024], w[256];
        int v;
        if ((rc = merge_scale(scales[k], in, names, n, &res, &have, err)))
            break;
        if (have < n) {
            snprintf(w, sizeof w,
                     "step %gx: only %zu of %zu inputs have it; its verdict is from those",
                     scales[k], have, n);
            json_array_append_new(warn, json_string(w));
        }
        if (!res)
            continue;
        v = search_judge(res, why, sizeof why);
        rc = search_add_step(doc, scales[k], "step", 1, v, why, v == SV_PASS ? 0 : 1, NULL, NULL,
                             NULL, res);
    }
    if (!rc)
        rc = search_finish(doc, "merged");
    if (rc) {
        json_decref(doc);
        return rc;
    }
    *out = doc;
    return 0;
}
