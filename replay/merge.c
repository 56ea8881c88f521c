/*
 * merge.c -- exact merge of segment results (see merge.h).
 */
#include "merge.h"

#include "probe.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Severity order of `stopped`: the merged run stopped as its worst segment did. */
static int stop_rank(const char *s)
{
    return !strcmp(s, "aborted") ? 2 : !strcmp(s, "interrupted") ? 1 : 0;
}

static int same_routes(const rr_result *a, const rr_result *b)
{
    if (a->sc->n_routes != b->sc->n_routes || a->sc->n_thresholds != b->sc->n_thresholds)
        return 0;
    for (size_t i = 0; i < a->sc->n_routes; i++)
        if (strcmp(a->sc->routes[i].template_, b->sc->routes[i].template_) ||
            strcmp(a->sc->routes[i].method, b->sc->routes[i].method))
            return 0;
    for (size_t i = 0; i < a->sc->n_thresholds; i++)
        if (strcmp(a->sc->thresholds[i].expr, b->sc->thresholds[i].expr))
            return 0;
    return 1;
}

/* Refuses inputs that are not slices of one run. Returns 0 or ST_EINPUT. */
static int check_compatible(const rr_result *in, size_t n, char *err)
{
    const rr_result *a = &in[0];
    for (size_t k = 1; k < n; k++) {
        const rr_result *b = &in[k];
        if (a->version != b->version)
            return st_err(err, ST_EINPUT,
                          "different results formats: version %lld in %s, %lld in %s",
                          (long long)a->version, a->file, (long long)b->version, b->file);
        if (strcmp(a->tool_version, b->tool_version))
            return st_err(err, ST_EINPUT, "different replay versions: %s in %s, %s in %s",
                          a->tool_version, a->file, b->tool_version, b->file);
        if (a->sc->hash != b->sc->hash)
            return st_err(err, ST_EINPUT,
                          "different scenarios: %s ran \"%s\" (hash %016llx), %s ran "
                          "\"%s\" (hash %016llx)",
                          a->file, a->sc->name, (unsigned long long)a->sc->hash, b->file,
                          b->sc->name, (unsigned long long)b->sc->hash);
        if (a->sc->seed != b->sc->seed)
            return st_err(err, ST_EINPUT,
                          "different seeds: %llu in %s, %llu in %s (segments of one run "
                          "share the seed)",
                          (unsigned long long)a->sc->seed, a->file, (unsigned long long)b->sc->seed,
                          b->file);
        if (a->sc->scale != b->sc->scale || a->sc->duration != b->sc->duration)
            return st_err(err, ST_EINPUT,
                          "different --scale or --duration: %gx over %g s in %s, %gx over "
                          "%g s in %s",
                          a->sc->scale, a->sc->duration, a->file, b->sc->scale, b->sc->duration,
                          b->file);
        if (a->p.seg_n != b->p.seg_n)
            return st_err(err, ST_EINPUT,
                          "different splits: %s is of %u segments, %s of %u: their "
                          "sessions overlap",
                          a->file, a->p.seg_n, b->file, b->p.seg_n);
        if (a->p.all_sessions != b->p.all_sessions || !same_routes(a, b))
            return st_err(err, ST_EINPUT,
                          "%s and %s disagree on the plan (sessions, routes or "
                          "thresholds) although their scenario hash is the same",
                          a->file, b->file);
    }
    /* Overlap: a segment number held by two inputs. */
    {
        const char **owner = calloc(a->p.seg_n + 1, sizeof *owner);
        int rc = 0;
        if (!owner)
            return ST_ENOMEM;
        for (size_t k = 0; k < n && !rc; k++)
            for (unsigned j = 0; j < in[k].n_segs; j++) {
                unsigned s = in[k].segs[j];
                if (owner[s]) {
                    rc = st_err(err, ST_EINPUT,
                                "segment %u/%u is in both %s and %s (duplicate or "
                                "overlapping segments)",
                                s, a->p.seg_n, owner[s], in[k].file);
                    break;
                }
                owner[s] = in[k].file;
            }
        free(owner);
        if (rc)
            return rc;
    }
    for (size_t k = 0, with = n; k < n; k++)
        if (in[k].db) {
            if (with < n)
                return st_err(err, ST_EINPUT,
                              "both %s and %s have a \"db\" section: only one segment "
                              "may run --db-probe (the probe's samples do not add)",
                              in[with].file, in[k].file);
            with = k;
        }
    return 0;
}

static int copy_frame(rr_result *out, const rr_result *a)
{
    out->sc = malloc(sizeof *out->sc);
    if (!out->sc)
        return ST_ENOMEM;
    *out->sc = *a->sc;
    out->sc->routes = calloc(a->sc->n_routes + 1, sizeof *out->sc->routes);
    out->thr_values = calloc(a->sc->n_thresholds + 1, sizeof *out->thr_values);
    out->thr_ok = calloc(a->sc->n_thresholds + 1, sizeof *out->thr_ok);
    out->warnings = json_array();
    if (!out->sc->routes || !out->thr_values || !out->thr_ok || !out->warnings)
        return ST_ENOMEM;
    memcpy(out->sc->routes, a->sc->routes, a->sc->n_routes * sizeof *a->sc->routes);
    out->version = a->version;
    snprintf(out->tool_version, sizeof out->tool_version, "%s", a->tool_version);
    out->p.seg_i = 0;
    out->p.seg_n = a->p.seg_n;
    out->p.all_sessions = a->p.all_sessions;
    snprintf(out->file, sizeof out->file, "merged");
    return 0;
}

static int add_warning(json_t *w, const char *prefix, const char *text)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s%s", prefix, text);
    return json_array_append_new(w, json_string(buf)) ? ST_ENOMEM : 0;
}

static int merge_segments(rr_result *out, const rr_result *in, size_t n)
{
    unsigned char *have = calloc(out->p.seg_n + 1, 1);
    unsigned c = 0;
    if (!have || !(out->segs = calloc(out->p.seg_n, sizeof *out->segs)) ||
        !(out->missing = calloc(out->p.seg_n, sizeof *out->missing))) {
        free(have);
        return ST_ENOMEM;
    }
    for (size_t k = 0; k < n; k++)
        for (unsigned j = 0; j < in[k].n_segs; j++)
            have[in[k].segs[j]] = 1;
    for (unsigned s = 1; s <= out->p.seg_n; s++) {
        if (have[s])
            out->segs[out->n_segs++] = s;
        else
            out->missing[out->n_missing++] = s;
    }
    free(have);
    if (out->n_missing) {
        char buf[512];
        size_t len = (size_t)snprintf(
            buf, sizeof buf, "merged %u of %u segments; missing:", out->n_segs, out->p.seg_n);
        for (unsigned j = 0; j < out->n_missing && len < sizeof buf - 16; j++, c++)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s %u/%u", j ? "," : "",
                                    out->missing[j], out->p.seg_n);
        if (c < out->n_missing)
            snprintf(buf + len, sizeof buf - len, " ...");
        return add_warning(out->warnings, "", buf);
    }
    return 0;
}

int merge_results(rr_result *out, const rr_result *in, size_t n, char *err)
{
    int64_t lo = INT64_MAX, hi = INT64_MIN, end = 0;
    int rc, worst = 0;
    memset(out, 0, sizeof *out);
    if (!n)
        return st_err(err, ST_EINPUT, "nothing to merge");
    if ((rc = check_compatible(in, n, err)))
        return rc;
    if ((rc = copy_frame(out, &in[0])))
        goto fail;
    for (size_t k = 0; k < n; k++) {
        const metrics *m = in[k].m;
        if (m->n_secs) {
            lo = m->t0 < lo ? m->t0 : lo;
            hi = m->t0 + (int64_t)m->n_secs > hi ? m->t0 + (int64_t)m->n_secs : hi;
        }
    }
    if (lo > hi)
        lo = hi = 0;
    if (!(out->m = metrics_new(out->sc->n_routes, lo, (size_t)(hi - lo)))) {
        rc = ST_ENOMEM;
        goto fail;
    }
    out->start = in[0].start;
    for (size_t k = 0; k < n; k++) {
        char prefix[600];
        metrics_merge(out->m, in[k].m);
        out->threads += in[k].threads;
        out->start = in[k].start < out->start ? in[k].start : out->start;
        if (stop_rank(in[k].stopped) > stop_rank(in[worst].stopped))
            worst = (int)k;
        if (in[k].p.seg_i)
            snprintf(prefix, sizeof prefix, "segment %u/%u: ", in[k].p.seg_i, in[k].p.seg_n);
        else
            snprintf(prefix, sizeof prefix, "%s: ", in[k].file);
        for (size_t w = 0; w < json_array_size(in[k].warnings); w++)
            if ((rc = add_warning(out->warnings, prefix,
                                  json_string_value(json_array_get(in[k].warnings, w)))))
                goto fail;
        if (in[k].db && !(out->db = json_deep_copy(in[k].db))) {
            rc = ST_ENOMEM;
            goto fail;
        }
        /* Segments of one scenario share its coverage (merge refuses different scenarios). */
        if (in[k].coverage && !out->coverage && !(out->coverage = json_deep_copy(in[k].coverage))) {
            rc = ST_ENOMEM;
            goto fail;
        }
        /* Every segment of a trace run describes the same whole trace. */
        if (in[k].trace && !out->trace && !(out->trace = json_deep_copy(in[k].trace))) {
            rc = ST_ENOMEM;
            goto fail;
        }
    }
    for (size_t k = 0; k < n; k++) {
        int64_t e_ms = (in[k].start * 1000) + (int64_t)llround(in[k].elapsed_s * 1000);
        end = e_ms > end ? e_ms : end;
    }
    out->elapsed_s = (double)(end - out->start * 1000) / 1000;
    snprintf(out->stopped, sizeof out->stopped, "%s", in[worst].stopped);
    if ((rc = merge_segments(out, in, n)))
        goto fail;
    if ((rc = merge_measure(out)) < 0)
        goto fail;
    return 0;
fail:
    if (rc == ST_ENOMEM)
        st_err(err, rc, "out of memory merging results");
    results_read_term(out);
    return rc;
}

int merge_measure(rr_result *r)
{
    const char **names = results_route_names(r);
    int failed = 0;
    if (!names)
        return ST_ENOMEM;
    /* db.* thresholds are the probe's aggregates, read from the copied `db` section's
     * summary as `run` reads them from the probe; no sample (or no db section) fails them. */
    thr_src src = {0};
    src.m = r->m;
    src.route_names = names;
    src.db = r->db;
    failed = (int)thr_eval_all(r->sc->thresholds, r->sc->n_thresholds, &src, r->thr_values,
                               r->thr_ok);
    free(names);
    return failed;
}

json_t *merge_build_doc(const rr_result *r)
{
    run_info ri;
    json_t *doc, *mg, *segs, *miss;
    results_read_info(r, &ri);
    if (!(doc = results_build(r->m, &ri)))
        return NULL;
    /* The trace and probe sections as they were read, where and as `replay run` puts them. */
    if (results_attach(doc, r->trace, r->db)) {
        json_decref(doc);
        return NULL;
    }
    if (r->p.seg_i)
        return doc;
    mg = json_object();
    segs = json_array();
    miss = json_array();
    for (unsigned j = 0; segs && j < r->n_segs; j++)
        json_array_append_new(segs, json_integer(r->segs[j]));
    for (unsigned j = 0; miss && j < r->n_missing; j++)
        json_array_append_new(miss, json_integer(r->missing[j]));
    if (!mg || !segs || !miss || json_object_set_new(mg, "segments", segs) ||
        json_object_set_new(mg, "missing", miss) || json_object_set_new(doc, "merged", mg)) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}
