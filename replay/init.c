/*
 * init.c -- a scenario from a model (see init.h).
 */
#include "init.h"
#include "formats.h"

#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feeder.h"
#include "jsonio.h"
#include "model.h"
#include "scenario.h"

typedef struct init_feeder {
    char name[64], pattern[48], file[4096];
    uint64_t count;
} init_feeder;

typedef struct init_ctx {
    const init_opts *o;
    model m;
    json_t *root, *notes, *feeders;
    init_feeder f[SC_MAX_FEEDERS];
    size_t n_f;
} init_ctx;

static void note(init_ctx *c, const char *fmt, const char *a, const char *b)
{
    char buf[512];
    snprintf(buf, sizeof buf, fmt, a, b);
    json_array_append_new(c->notes, json_string(buf));
}

/* The value pattern and default row count that modeler normalises back to placeholder ph. */
static const char *pattern_of(const char *ph, uint64_t *count)
{
    /* clang-format off */
    static const struct { const char *ph, *pat; uint64_t n; } tab[] = {
        {"id", "{rank}", 1000}, {"n", "{rank}", 20}, {"s", "w{rank}", 1000},
        {"slug", "item-{rank}", 1000}, {"uuid", "00000000-0000-4000-8000-{rank_hex}", 1000},
        {"hash", "feed0000{rank_hex}", 1000}, {"file", "a{rank}", 50}};
    /* clang-format on */
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (!strcmp(tab[i].ph, ph)) {
            *count = tab[i].n;
            return tab[i].pat;
        }
    *count = 1000;
    return "{rank}"; /* an unknown placeholder: digits are the safest guess */
}

/* A feeder name: the word before the placeholder + "_" + placeholder, letters/digits/_ only. */
static void feeder_name(char *out, size_t n, const char *word, size_t wl, const char *ph)
{
    size_t k = 0;
    for (size_t i = 0; i < wl && k + 1 < n && k < 40; i++) {
        char ch = word[i];
        out[k++] = ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9'))
                       ? ch
                       : '_';
    }
    if (k == 0)
        k = (size_t)snprintf(out, n, "root");
    snprintf(out + k, n - k, "_%s", ph);
}

/* The feeder for one placeholder: the catalog file when one exists, else synthetic; shared
 * when an identical one exists; at the feeder cap, the nearest synthetic of the same
 * pattern. Returns its name, or NULL when none can be had. */
static const char *pick_feeder(init_ctx *c, const char *name, const char *word, size_t wl,
                               const char *pat, uint64_t count, int item)
{
    char file[4096] = "";
    if (c->o->feeders_dir && item && wl > 0 && wl < 100) {
        snprintf(file, sizeof file, "%s/hot/%.*s.csv", c->o->feeders_dir, (int)wl, word);
        if (access(file, R_OK) != 0)
            file[0] = 0;
    }
    for (size_t i = 0; i < c->n_f; i++)
        if (!strcmp(c->f[i].file, file) &&
            (file[0] || (!strcmp(c->f[i].pattern, pat) && c->f[i].count == count)))
            return c->f[i].name;
    if (c->n_f == SC_MAX_FEEDERS) {
        size_t best = SIZE_MAX;
        double bd = INFINITY;
        for (size_t i = 0; i < c->n_f; i++) {
            double d = fabs(log((double)c->f[i].count / (double)count));
            if (!c->f[i].file[0] && !strcmp(c->f[i].pattern, pat) && d < bd) {
                bd = d;
                best = i;
            }
        }
        if (best == SIZE_MAX)
            return NULL;
        note(c, "feeder %s shared for %s (at most 16 feeders)", c->f[best].name, name);
        return c->f[best].name;
    }
    init_feeder *f = &c->f[c->n_f];
    snprintf(f->name, sizeof f->name, "%s", name);
    for (int k = 2; k < 100; k++) { /* a unique name */
        int dup = 0;
        for (size_t i = 0; i < c->n_f; i++)
            dup |= !strcmp(c->f[i].name, f->name);
        if (!dup)
            break;
        snprintf(f->name, sizeof f->name, "%.56s%d", name, k);
    }
    snprintf(f->pattern, sizeof f->pattern, "%s", pat);
    snprintf(f->file, sizeof f->file, "%s", file);
    f->count = count;
    json_t *fj = file[0] ? json_pack("{s:s,s:s}", "file", file, "column", "id")
                         : json_pack("{s:I,s:s}", "count", (json_int_t)count, "pattern", pat);
    if (!fj || json_object_set_new(c->feeders, f->name, fj))
        return NULL;
    c->n_f++;
    return f->name;
}

/* The row count for parameter k of a model route: its n_est / uniform max, else the default. */
static uint64_t param_count(json_t *params, size_t k, uint64_t dflt, int *item)
{
    json_t *pop = json_object_get(json_array_get(params, k), "popularity");
    const char *dist = json_string_value(json_object_get(pop, "dist"));
    double v = 0;
    *item = 0;
    if (dist && !strcmp(dist, "zipf")) {
        v = json_number_value(json_object_get(pop, "n_est"));
        if (v < json_number_value(json_object_get(pop, "observed")))
            v = json_number_value(json_object_get(pop, "observed"));
        *item = 1;
    } else if (dist && !strcmp(dist, "uniform")) {
        v = json_number_value(json_object_get(pop, "max"));
        *item = 1;
    }
    if (!(v >= 1))
        return dflt;
    return v > FEEDER_SYNTH_MAX ? FEEDER_SYNTH_MAX : (uint64_t)v;
}

/* The scenario path of model route i ("/products/{products_id}"), or -1 when it cannot be
 * built (a placeholder too long, no feeder left). */
static int route_path(init_ctx *c, size_t i, char *out, size_t cap)
{
    const char *t = c->m.routes[i].template_;
    json_t *params = json_object_get(json_array_get(json_object_get(c->root, "routes"), i),
                                     "params");
    size_t len = 0, k = 0;
    const char *seg = t, *qkey = NULL;
    int in_query = 0;
    for (const char *p = t; *p;) {
        if (*p == '{') {
            const char *e = strchr(p, '}');
            char ph[32], name[64];
            if (!e || (size_t)(e - p - 1) >= sizeof ph)
                return -1;
            snprintf(ph, sizeof ph, "%.*s", (int)(e - p - 1), p + 1);
            /* The word naming the placeholder: the query key, else the previous segment. */
            const char *w = in_query ? qkey : seg;
            size_t wl = 0;
            if (!in_query) { /* the segment before this one: "/products/{id}" -> "products" */
                const char *end = p > t ? p - 1 : p, *b = end;
                while (b > t && b[-1] != '/')
                    b--;
                w = b;
                wl = (size_t)(end - b);
            } else if (qkey) {
                wl = (size_t)(p - 1 - qkey);
            }
            uint64_t count;
            int item = 0;
            const char *pat = pattern_of(ph, &count);
            if (strcmp(ph, "file") != 0)
                count = param_count(params, k++, count, &item);
            feeder_name(name, sizeof name, w ? w : "", w ? wl : 0, ph);
            const char *fn = pick_feeder(c, name, w ? w : "", w ? wl : 0, pat, count, item);
            if (!fn)
                return -1;
            int n = snprintf(out + len, cap - len, "{%s}", fn);
            if (n < 0 || (size_t)n >= cap - len)
                return -1;
            len += (size_t)n;
            p = e + 1;
            continue;
        }
        if (*p == '?' || *p == '&') {
            in_query = 1;
            qkey = p + 1;
        } else if (*p == '/') {
            seg = p + 1;
        }
        if (len + 2 > cap)
            return -1;
        out[len++] = *p++;
        out[len] = 0;
    }
    return 0;
}

static json_t *route_json(init_ctx *c, size_t i, const char *path)
{
    const model_route *r = &c->m.routes[i];
    json_t *o = json_pack("{s:s,s:s}", "method", r->method, "path", path);
    if (o &&
        (!strcmp(r->method, "POST") || !strcmp(r->method, "PUT") || !strcmp(r->method, "PATCH"))) {
        json_object_set_new(o, "body", json_string("{}"));
        json_object_set_new(o, "headers", json_pack("{s:s}", "Content-Type", "application/json"));
        json_object_set_new(o, "_edit",
                            json_string("placeholder body: replace it with what the application "
                                        "expects (placeholders allowed)"));
    }
    return o;
}

/* Starter thresholds: the p95 latency of each route with >= 1% of the requests at twice
 * the observed p95 (at least +50 ms), and the error rate at twice the log's (at least 1%). */
static json_t *thresholds(init_ctx *c, json_t *root)
{
    json_t *th = json_array();
    double err = 0, tot = 0;
    json_t *routes = json_object_get(root, "routes");
    for (size_t i = 0; th && i < c->m.n_routes; i++) {
        const model_route *r = &c->m.routes[i];
        json_t *sm = json_object_get(json_array_get(routes, i), "status_mix");
        err += r->share * (json_number_value(json_object_get(sm, "4xx")) +
                           json_number_value(json_object_get(sm, "5xx")));
        tot += r->share;
        if (r->lat_p95_s <= 0 || r->share < 0.01 || !strcmp(r->kind, "websocket") ||
            json_array_size(th) >= SC_MAX_THRESHOLDS - 2 || !strcmp(r->template_, "{other}"))
            continue;
        char e[400];
        double lim = fmax(2 * r->lat_p95_s, r->lat_p95_s + 0.05);
        snprintf(e, sizeof e, "p95(latency{route=\"%s\"}) < %.0fms", r->template_,
                 ceil(lim * 1000));
        json_array_append_new(th, json_string(e));
    }
    if (th) {
        char e[64];
        snprintf(e, sizeof e, "rate(errors) < %.1f%%", fmax(1, tot > 0 ? 200 * err / tot : 1));
        json_array_append_new(th, json_string(e));
    }
    return th;
}

/* The model's busiest hour as a model_clock start ("Fri 18:00"); "Mon 00:00" when flat. */
static void busiest_hour(const model *m, char *out, size_t n)
{
    static const char *const days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    size_t slots = m->profile_kind == PROFILE_WEEK  ? 168
                   : m->profile_kind == PROFILE_DAY ? 24
                                                    : 1,
           best = 0;
    for (size_t i = 1; i < slots; i++)
        if (m->profile[i] > m->profile[best])
            best = i;
    snprintf(out, n, "%s %02zu:00", days[(best / 24) % 7], best % 24);
}

/* The model path as the scenario should name it: relative to the scenario's directory. */
static void model_ref(const init_opts *o, char *out, size_t n)
{
    char mabs[PATH_MAX], tmp[PATH_MAX], dabs[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", o->out_path);
    if (!realpath(o->model_path, mabs) || !realpath(dirname(tmp), dabs)) {
        snprintf(out, n, "%s", o->model_path);
        return;
    }
    size_t common = 0, i = 0;
    for (; mabs[i] && mabs[i] == dabs[i]; i++)
        if (mabs[i] == '/')
            common = i;
    if (!dabs[i] && mabs[i] == '/')
        common = i;
    size_t len = 0;
    out[0] = 0;
    for (const char *p = dabs + common; *p; p++) /* one ".." per directory left in dabs */
        if (*p == '/' && len + 4 < n)
            len += (size_t)snprintf(out + len, n - len, "../");
    snprintf(out + len, n - len, "%s", mabs + common + 1);
}

static int build(init_ctx *c, json_t *sc, char *err)
{
    json_t *routes = json_object(),
           *ws_routes = json_object_get(json_object_get(c->root, "websockets"), "routes");
    char path[2048], mref[PATH_MAX], start[16];
    if (!routes)
        return ST_ENOMEM;
    json_object_set_new(sc, "routes", routes);
    for (size_t i = 0; i < c->m.n_routes; i++) {
        const model_route *r = &c->m.routes[i];
        if (!strcmp(r->kind, "websocket"))
            continue; /* the websockets section sends these */
        if (!strcmp(r->template_, "{other}")) {
            note(c, "%s: folded routes have no path to send (coverage lists their share)%s",
                 r->template_, "");
            continue;
        }
        if (route_path(c, i, path, sizeof path)) {
            note(c, "%s: not mapped (a placeholder has no feeder left; edit the scenario)%s",
                 r->template_, "");
            continue;
        }
        if (json_object_set_new(routes, r->template_, route_json(c, i, path)))
            return ST_ENOMEM;
    }
    if (json_object_size(routes) == 0)
        return st_err(err, ST_EINPUT, "model.routes: no route replay can send");
    model_ref(c->o, mref, sizeof mref);
    busiest_hour(&c->m, start, sizeof start);
    json_object_set_new(sc, "model", json_string(mref));
    json_object_set_new(sc, "target",
                        json_string(c->o->target ? c->o->target : "http://127.0.0.1:8080"));
    json_object_set_new(sc, "seed", json_integer((json_int_t)c->o->seed));
    json_object_set_new(sc, "duration", json_string(c->o->duration ? c->o->duration : "10m"));
    json_object_set_new(sc, "model_clock", json_pack("{s:s,s:i}", "start", start, "speed", 1));
    json_object_set_new(sc, "sessions", json_pack("{s:s}", "assets", "fetch"));
    json_object_set_new(sc, "http",
                        json_pack("{s:{s:s,s:s},s:s}", "client_ip", "header", "X-Forwarded-For",
                                  "range", "10.0.0.0/8", "user_agent", "model"));
    if (c->m.ws_share > 0 && json_is_string(json_array_get(ws_routes, 0))) {
        const char *wr = json_string_value(json_array_get(ws_routes, 0));
        if (strchr(wr, '{'))
            note(c, "websockets: %s has placeholders; edit scenario.websockets.path%s", wr, "");
        else
            json_object_set_new(sc, "websockets",
                                json_pack("{s:s,s:s}", "path", wr, "duration", "model"));
    }
    json_object_set_new(sc, "thresholds", thresholds(c, c->root));
    return 0;
}

int init_build(const init_opts *o, json_t **out, json_t **notes, char *err)
{
    init_ctx c = {.o = o};
    json_t *sc = NULL;
    int rc;
    *out = *notes = NULL;
    if ((rc = model_load(&c.m, o->model_path, err)))
        return rc;
    if (!(c.root = jsonio_load(o->model_path, err))) {
        model_term(&c.m);
        return ST_EINPUT;
    }
    c.notes = json_array();
    c.feeders = json_object();
    sc = json_pack("{s:s,s:i,s:s}", "format", ST_FMT_SCENARIO, "version", ST_FMT_SCENARIO_VERSION,
                   "name", "init");
    rc = c.notes && c.feeders && sc ? 0 : ST_ENOMEM;
    if (!rc) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s", o->model_path);
        json_object_set_new(sc, "name", json_string(basename(tmp)));
        json_object_set_new(sc, "_generated",
                            json_string("replay init: every route mapped; edit bodies, "
                                        "feeders and thresholds to taste"));
        rc = build(&c, sc, err);
    }
    if (!rc && json_object_set(sc, "feeders", c.feeders))
        rc = ST_ENOMEM;
    if (rc == ST_ENOMEM)
        st_err(err, rc, "init: out of memory");
    json_decref(c.feeders);
    json_decref(c.root);
    model_term(&c.m);
    if (rc) {
        json_decref(sc);
        json_decref(c.notes);
        return rc;
    }
    *out = sc;
    *notes = c.notes;
    return 0;
}
