/*
 * trace.c -- loading and binding a trace (see trace.h).
 */
#include "trace.h"
#include "formats.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonio.h"
#include "st.h"

#define TRACE_MAX_LINE (64u * 1024u)

uint64_t trace_session_id(uint32_t rank)
{
    static const char purpose[] = "replay.trace.session";
    return rng_mix(rng_stream_id(purpose), rank);
}

static long tmpl_index(trace *tr, size_t *cap, const char *s, char *err, const char *where)
{
    for (size_t i = 0; i < tr->n_tm; i++) /* templates are few (at most 256 in a model) */
        if (!strcmp(tr->tm[i].s, s))
            return (long)i;
    if (strlen(s) >= sizeof tr->tm[0].s)
        return st_err(err, ST_EINPUT, "%s: field 'r': template longer than %zu bytes", where,
                      sizeof tr->tm[0].s - 1);
    if (tr->n_tm >= TRACE_MAX_TEMPLATES)
        return st_err(err, ST_ELIMIT, "%s: more than %d distinct templates", where,
                      TRACE_MAX_TEMPLATES);
    if (st_grow((void **)&tr->tm, cap, tr->n_tm + 1, sizeof *tr->tm, SIZE_MAX))
        return st_err(err, ST_ENOMEM, "trace: out of memory");
    trace_tmpl *t = &tr->tm[tr->n_tm];
    memset(t, 0, sizeof *t);
    snprintf(t->s, sizeof t->s, "%s", s);
    t->route = -1;
    return (long)tr->n_tm++;
}

static int check_header(trace *tr, json_t *h, const char *where, char *err)
{
    const char *fmt = json_string_value(json_object_get(h, "format"));
    json_t *v = json_object_get(h, "version");
    if (!fmt || strcmp(fmt, ST_FMT_TRACE))
        return st_err(err, ST_EINPUT,
                      "%s: field 'format': expected \"" ST_FMT_TRACE "\" (is this a "
                      "trace from 'modeler extract'?)",
                      where);
    if (!json_is_integer(v) || json_integer_value(v) < 1)
        return st_err(err, ST_EINPUT, "%s: field 'version': expected a positive integer", where);
    if (json_integer_value(v) > ST_FMT_TRACE_VERSION)
        return st_err(err, ST_EINPUT,
                      "%s: field 'version': %lld is newer than this replay "
                      "reads (%d)",
                      where, (long long)json_integer_value(v), ST_FMT_TRACE_VERSION);
    json_t *t0 = json_object_get(h, "t0");
    tr->t0 = json_is_number(t0) ? json_number_value(t0) : 0;
    return 0;
}

static const char *const trace_keys[] = {"t", "s", "m", "r", "i", "bot", "p", "ws", "dur", NULL};

/* One request or WebSocket line. */
static int parse_line(trace *tr, json_t *o, const char *where, double *last_t, size_t *caps,
                      char *err)
{
    int rc;
    double t, s;
    if (!json_is_object(o))
        return st_err(err, ST_EINPUT, "%s: expected a JSON object", where);
    const char *key;
    json_t *val;
    json_object_foreach(o, key, val) {
        int known = key[0] == '_';
        for (size_t k = 0; trace_keys[k] && !known; k++)
            known = !strcmp(key, trace_keys[k]);
        if (!known)
            return st_err(err, ST_EINPUT, "%s: unknown field '%s'", where, key);
    }
    json_t *jt = json_object_get(o, "t"), *js = json_object_get(o, "s");
    if (!json_is_number(jt) || !isfinite(t = json_number_value(jt)) || t < 0)
        return st_err(err, ST_EINPUT, "%s: field 't': expected seconds >= 0", where);
    if (t < *last_t)
        return st_err(err, ST_EINPUT,
                      "%s: field 't': %.6f is earlier than the previous line's "
                      "%.6f (a trace is in time order)",
                      where, t, *last_t);
    *last_t = t;
    if (!json_is_integer(js) || (s = (double)json_integer_value(js)) < 0 || s >= 4294967295.0)
        return st_err(err, ST_EINPUT, "%s: field 's': expected a session rank >= 0", where);
    uint32_t sess = (uint32_t)json_integer_value(js);
    if (sess >= tr->n_sessions)
        tr->n_sessions = sess + 1;
    json_t *ws = json_object_get(o, "ws");
    if (ws) {
        json_t *jd = json_object_get(o, "dur");
        double d;
        if (!json_is_string(ws))
            return st_err(err, ST_EINPUT, "%s: field 'ws': expected a template string", where);
        if (!json_is_number(jd) || !isfinite(d = json_number_value(jd)) || d < 0)
            return st_err(err, ST_EINPUT, "%s: field 'dur': expected seconds >= 0", where);
        if (st_grow((void **)&tr->w, &caps[0], tr->n_w + 1, sizeof *tr->w, SIZE_MAX))
            return st_err(err, ST_ENOMEM, "trace: out of memory");
        tr->w[tr->n_w++] = (trace_ws){t, d, sess, 0};
        return 0;
    }
    json_t *jm = json_object_get(o, "m"), *jr = json_object_get(o, "r"),
           *ji = json_object_get(o, "i");
    if (!json_is_string(jm))
        return st_err(err, ST_EINPUT, "%s: field 'm': expected a method string", where);
    if (!json_is_string(jr))
        return st_err(err, ST_EINPUT, "%s: field 'r': expected a route template string", where);
    long ti = tmpl_index(tr, &caps[1], json_string_value(jr), err, where);
    if (ti < 0)
        return (int)ti;
    if ((rc = st_grow((void **)&tr->r, &caps[2], tr->n_r + 1, sizeof *tr->r, SIZE_MAX)))
        return st_err(err, ST_ENOMEM, "trace: out of memory");
    trace_req *q = &tr->r[tr->n_r];
    *q = (trace_req){t, sess, (uint32_t)ti, (uint32_t)tr->n_ranks, 0, 0, -1};
    if (ji) {
        if (!json_is_array(ji) || json_array_size(ji) > TRACE_MAX_RANKS)
            return st_err(err, ST_EINPUT,
                          "%s: field 'i': expected an array of at most %d item "
                          "ranks",
                          where, TRACE_MAX_RANKS);
        for (size_t k = 0; k < json_array_size(ji); k++) {
            json_t *e = json_array_get(ji, k);
            if (!json_is_integer(e) || json_integer_value(e) < 1 ||
                json_integer_value(e) > UINT32_MAX)
                return st_err(err, ST_EINPUT, "%s: field 'i[%zu]': expected a rank >= 1", where, k);
            if (st_grow((void **)&tr->ranks, &caps[3], tr->n_ranks + 1, sizeof *tr->ranks,
                        SIZE_MAX))
                return st_err(err, ST_ENOMEM, "trace: out of memory");
            tr->ranks[tr->n_ranks++] = (uint32_t)json_integer_value(e);
            q->n_ranks++;
        }
    }
    tr->tm[ti].requests++;
    tr->n_r++;
    return 0;
}

/* Groups request indices by session (counting sort: ranks are dense). */
static int group_sessions(trace *tr, char *err)
{
    size_t ns = (size_t)tr->n_sessions;
    tr->sess_first = calloc(ns + 2, sizeof *tr->sess_first);
    tr->by_sess = malloc((tr->n_r ? tr->n_r : 1) * sizeof *tr->by_sess);
    tr->plan_index = malloc((ns ? ns : 1) * sizeof *tr->plan_index);
    if (!tr->sess_first || !tr->by_sess || !tr->plan_index)
        return st_err(err, ST_ENOMEM, "trace: out of memory (%zu sessions)", ns);
    for (size_t i = 0; i < tr->n_r; i++)
        tr->sess_first[tr->r[i].session + 1]++;
    for (size_t k = 0; k < ns; k++)
        tr->sess_first[k + 1] += tr->sess_first[k];
    uint32_t *fill = calloc(ns ? ns : 1, sizeof *fill);
    if (!fill)
        return st_err(err, ST_ENOMEM, "trace: out of memory");
    for (size_t i = 0; i < tr->n_r; i++) {
        uint32_t s = tr->r[i].session;
        tr->by_sess[tr->sess_first[s] + fill[s]++] = (uint32_t)i;
    }
    free(fill);
    for (size_t k = 0; k < ns; k++)
        tr->plan_index[k] = UINT32_MAX;
    return 0;
}

int trace_load(trace *tr, const char *path, char *err)
{
    memset(tr, 0, sizeof *tr);
    snprintf(tr->path, sizeof tr->path, "%s", path);
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    FILE *f = fopen(path, "r");
    if (!f)
        return st_err(err, ST_EINPUT, "%s: %s", path, strerror(errno));
    char *line = NULL, where[1200];
    size_t lcap = 0, caps[4] = {0, 0, 0, 0}, lineno = 0;
    ssize_t len;
    double last_t = 0;
    int rc = 0;
    while ((len = getline(&line, &lcap, f)) >= 0) {
        lineno++;
        snprintf(where, sizeof where, "%s line %zu", base, lineno);
        if ((size_t)len > TRACE_MAX_LINE) {
            rc = st_err(err, ST_EINPUT, "%s: longer than %u bytes", where, TRACE_MAX_LINE);
            break;
        }
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        if (len == 0 && lineno > 1)
            continue;
        if (lineno > TRACE_MAX_LINES) {
            rc = st_err(err, ST_ELIMIT,
                        "%s: more than %zu lines; cut the trace with "
                        "'modeler extract --from/--to'",
                        where, TRACE_MAX_LINES);
            break;
        }
        json_error_t je;
        json_t *o = json_loadb(line, (size_t)len, 0, &je);
        if (!o) {
            rc = st_err(err, ST_EINPUT, "%s, column %d: %s", where, je.column, je.text);
            break;
        }
        rc = lineno == 1 ? check_header(tr, o, where, err)
                         : parse_line(tr, o, where, &last_t, caps, err);
        json_decref(o);
        if (rc)
            break;
    }
    if (!rc && ferror(f))
        rc = st_err(err, ST_EINPUT, "%s: read error", path);
    if (!rc && lineno == 0)
        rc = st_err(err, ST_EINPUT, "%s: empty file (expected a trace header line)", base);
    free(line);
    fclose(f);
    if (!rc && tr->n_r == 0 && tr->n_w == 0)
        rc = st_err(err, ST_EINPUT, "%s: the trace holds no requests", base);
    tr->span = last_t;
    if (!rc)
        rc = group_sessions(tr, err);
    if (rc)
        trace_term(tr);
    return rc;
}

int trace_bind(trace *tr, const scenario *sc, double speed, double from, double to, char *err)
{
    if (!(speed > 0))
        return st_err(err, ST_EINPUT, "--speed: must be positive");
    if (to < 0)
        to = INFINITY;
    tr->speed = speed;
    tr->from = from;
    tr->to = to;
    tr->window_requests = tr->unmapped_requests = tr->ws_in_window = 0;
    for (size_t k = 0; k < tr->n_tm; k++) {
        tr->tm[k].route = -1;
        for (size_t i = 0; i < sc->n_routes; i++)
            if (!strcmp(sc->routes[i].template_, tr->tm[k].s))
                tr->tm[k].route = (int)i;
    }
    double last = 0;
    for (size_t i = 0; i < tr->n_r; i++) {
        trace_req *q = &tr->r[i];
        double off = q->t;
        q->in_window = off >= from && off < to;
        q->route = (int16_t)tr->tm[q->tmpl].route;
        if (!q->in_window)
            continue;
        tr->window_requests++;
        if (q->route < 0)
            tr->unmapped_requests++;
        last = fmax(last, (off - from) / speed);
    }
    for (size_t i = 0; i < tr->n_w; i++) {
        trace_ws *w = &tr->w[i];
        w->in_window = w->t >= from && w->t < to;
        if (w->in_window) {
            tr->ws_in_window++;
            last = fmax(last, (fmin(w->t + w->dur, to) - from) / speed);
        }
    }
    tr->duration = last + 1;
    if (tr->window_requests == tr->unmapped_requests && !tr->ws_in_window)
        return st_err(err, ST_EINPUT,
                      "trace: nothing to send: %llu requests in the window, none "
                      "on a route the scenario maps",
                      (unsigned long long)tr->window_requests);
    return 0;
}

void trace_term(trace *tr)
{
    free(tr->r);
    free(tr->ranks);
    free(tr->w);
    free(tr->tm);
    free(tr->sess_first);
    free(tr->by_sess);
    free(tr->plan_index);
    memset(tr, 0, sizeof *tr);
}
