/*
 * extract.c -- a log as a trace (see extract.h and docs/formats/trace.md).
 */
#include "extract.h"
#include "formats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "logfmt.h"
#include "logread.h"
#include "quality.h"
#include "route.h"
#include "sketch.h"
#include "uaclass.h"
#include "st.h"

#define EX_KMAX 16
#define EX_MAX_METHODS 16
#define EX_MAX_TEMPLATES 65536

struct ex_rec {
    double ts;  /* request time; a WebSocket's open time */
    double dur; /* WebSocket duration (s), -1 for a request */
    uint64_t client;
    uint32_t tmpl, items_off, path_off, ord;
    uint32_t session; /* set by finish */
    uint8_t method, kind, nitems, bot;
};

struct ex_tmpl {
    char s[ROUTE_MAX_TMPL];
    uint64_t hash;
    int kind;
    uint64_t requests;
    uint64_t clients[EX_KMAX];
    unsigned nclients;
    uint32_t folded_to; /* index of the template it is written as */
};

/* clang-format off */
static const char *const ex_methods_fixed[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD",
                                               "OPTIONS", "OTHER"};
/* clang-format on */
#define EX_NFIXED (sizeof ex_methods_fixed / sizeof *ex_methods_fixed)


static uint8_t method_index(const char *m, size_t n)
{
    for (uint8_t i = 0; (size_t)i + 1 < EX_NFIXED; i++)
        if (strlen(ex_methods_fixed[i]) == n && !memcmp(ex_methods_fixed[i], m, n))
            return i;
    return (uint8_t)(EX_NFIXED - 1);
}

/* Interns a template; returns its index, or a negative ST_* code. */
static long tmpl_intern(extract *x, const char *s, size_t len, int kind)
{
    uint64_t h = route_hash(s, len) | 1;
    if (x->nt * 2 >= x->ntslots) {
        size_t ns = x->ntslots ? x->ntslots * 2 : 1024;
        uint32_t *sl = calloc(ns, sizeof *sl);
        if (!sl)
            return ST_ENOMEM;
        for (size_t i = 0; i < x->nt; i++) {
            size_t j = (size_t)x->t[i].hash & (ns - 1);
            while (sl[j])
                j = (j + 1) & (ns - 1);
            sl[j] = (uint32_t)i + 1;
        }
        free(x->tslots);
        x->tslots = sl;
        x->ntslots = ns;
    }
    size_t j = (size_t)h & (x->ntslots - 1);
    while (x->tslots[j]) {
        ex_tmpl *t = &x->t[x->tslots[j] - 1];
        if (t->hash == h && strlen(t->s) == len && !memcmp(t->s, s, len))
            return (long)(x->tslots[j] - 1);
        j = (j + 1) & (x->ntslots - 1);
    }
    if (x->nt >= EX_MAX_TEMPLATES)
        return ST_ELIMIT;
    int rc = st_grow((void **)&x->t, &x->tcap, x->nt + 1, sizeof *x->t, EX_MAX_TEMPLATES);
    if (rc)
        return rc;
    ex_tmpl *t = &x->t[x->nt];
    memset(t, 0, sizeof *t);
    if (len >= sizeof t->s)
        len = sizeof t->s - 1;
    memcpy(t->s, s, len);
    t->hash = h;
    t->kind = kind;
    t->folded_to = (uint32_t)x->nt;
    x->tslots[j] = (uint32_t)x->nt + 1;
    return (long)x->nt++;
}

static void tmpl_client(ex_tmpl *t, uint64_t client)
{
    if (t->nclients >= EX_KMAX)
        return;
    for (unsigned i = 0; i < t->nclients; i++)
        if (t->clients[i] == client)
            return;
    t->clients[t->nclients++] = client;
}

static int in_window(const extract *x, double ts, double first)
{
    const extract_opts *o = &x->o;
    if (o->has_from && ts < (o->from_rel ? first + o->from : o->from))
        return 0;
    if (o->has_to && ts >= (o->to_rel ? first + o->to : o->to))
        return 0;
    return 1;
}

/* One parsed line. Returns 0 or a negative ST_* code. */
static int ex_record(extract *x, const logrec *r, double *first, int *have_first)
{
    if (!*have_first) {
        *have_first = 1;
        *first = r->ts;
    }
    /* The one bot rule of Stampede (common/uaclass), as fit applies it. */
    int bot = r->ua ? ua_classify(r->ua, r->ua_len) == UA_BOT : 0;
    if (bot)
        x->bots++;
    if (bot && x->o.drop_bots) {
        x->bot_dropped++;
        return 0;
    }
    route_norm n;
    route_normalize(r->path, r->path_len, r->method, r->method_len, r->status, &n);
    int ws = n.kind == ROUTE_WEBSOCKET && r->status == 101;
    double ts = ws && r->req_time >= 0 ? r->ts - r->req_time : r->ts;
    if (!in_window(x, ts, *first)) {
        x->outside++;
        return 0;
    }
    long ti = tmpl_intern(x, n.tmpl, n.tmpl_len, n.kind);
    if (ti < 0)
        return (int)ti;
    uint64_t ua_hash = r->ua ? route_hash(r->ua, r->ua_len) : 0;
    uint64_t client = sketch_mix(route_hash(r->ip ? r->ip : "", r->ip_len) ^ ua_hash);
    int rc = st_grow((void **)&x->r, &x->cap, x->n + 1, sizeof *x->r, EXTRACT_MAX_REQUESTS);
    if (rc)
        return rc;
    ex_rec *e = &x->r[x->n];
    memset(e, 0, sizeof *e);
    e->ts = ts;
    e->dur = ws ? (r->req_time >= 0 ? r->req_time : 0) : -1;
    /* A trace is a window: a socket still open at its end closes there, or a one-hour
     * window would hold a replay open for as long as the longest socket lived. */
    if (ws && x->o.has_to) {
        double end = x->o.to_rel ? *first + x->o.to : x->o.to;
        if (ts + e->dur > end) {
            e->dur = end - ts;
            x->ws_clipped++;
        }
    }
    e->client = client;
    e->tmpl = (uint32_t)ti;
    e->ord = (uint32_t)x->n;
    e->method = method_index(r->method, r->method_len);
    e->kind = (uint8_t)n.kind;
    e->bot = (uint8_t)bot;
    e->items_off = (uint32_t)x->nitems;
    for (size_t i = 0; i < n.nparams; i++) {
        if (!n.params[i].is_item)
            continue;
        if ((rc = st_grow((void **)&x->items, &x->icap, x->nitems + 1, sizeof *x->items,
                          (size_t)UINT32_MAX)))
            return rc;
        x->items[x->nitems++] = n.params[i].value;
        e->nitems++;
    }
    if (x->o.keep_paths) {
        size_t need = x->npaths + r->path_len + 1;
        if ((rc = st_grow((void **)&x->paths, &x->pcap, need, 1, (size_t)UINT32_MAX)))
            return rc;
        e->path_off = (uint32_t)x->npaths;
        memcpy(x->paths + x->npaths, r->path, r->path_len);
        x->paths[x->npaths + r->path_len] = 0;
        x->npaths = need;
    }
    ex_tmpl *t = &x->t[ti];
    t->requests++;
    tmpl_client(t, client);
    x->n++;
    return 0;
}

static int cmp_rec(const void *a, const void *b)
{
    const ex_rec *p = a, *q = b;
    if (p->ts != q->ts)
        return p->ts < q->ts ? -1 : 1;
    return p->ord < q->ord ? -1 : p->ord > q->ord;
}

/* Templates seen from fewer than k_min clients are written as "{other}". */
static int fold_templates(extract *x)
{
    if (!x->o.k_min)
        return 0;
    size_t nt = x->nt;
    long other = -1;
    for (size_t i = 0; i < nt; i++) {
        if (x->t[i].nclients >= x->o.k_min || x->t[i].kind == ROUTE_WEBSOCKET)
            continue;
        if (other < 0 && (other = tmpl_intern(x, "{other}", 7, ROUTE_PAGE)) < 0)
            return (int)other;
        x->t[i].folded_to = (uint32_t)other;
        x->folded_templates++;
        x->folded_requests += x->t[i].requests;
    }
    for (size_t i = 0; i < x->n; i++) {
        ex_rec *e = &x->r[i];
        if (x->t[e->tmpl].folded_to != e->tmpl) {
            e->tmpl = x->t[e->tmpl].folded_to;
            e->nitems = 0;
        }
    }
    return 0;
}

typedef struct ex_client {
    uint64_t key;
    double last_any, last_page;
    uint32_t session;
    uint8_t has_page;
} ex_client;

/* Sessions in time order, numbered by their first request: the rule of `fit` (a gap longer
 * than the timeout between page/api requests starts a new one); static and WebSocket lines
 * join the client's open session. */
static int sessionize_all(extract *x)
{
    size_t cap = 1024;
    while (cap < x->n * 2 + 2)
        cap *= 2;
    ex_client *c = calloc(cap, sizeof *c);
    if (!c)
        return ST_ENOMEM;
    double to = x->o.timeout_s;
    for (size_t i = 0; i < x->n; i++) {
        ex_rec *e = &x->r[i];
        uint64_t k = e->client | 1;
        size_t j = (size_t)sketch_mix(k) & (cap - 1);
        while (c[j].key && c[j].key != k)
            j = (j + 1) & (cap - 1);
        ex_client *cl = &c[j];
        int page = e->kind == ROUTE_PAGE || e->kind == ROUTE_API;
        int fresh = !cl->key;
        if (!fresh) {
            if (page)
                fresh = cl->has_page ? e->ts - cl->last_page > to : e->ts - cl->last_any > to;
            else
                fresh = e->ts - cl->last_any > to;
        }
        if (fresh) {
            cl->key = k;
            cl->session = (uint32_t)x->sessions++;
            cl->has_page = 0;
        }
        cl->last_any = e->ts;
        if (page) {
            cl->last_page = e->ts;
            cl->has_page = 1;
        }
        e->session = cl->session;
        if (e->dur >= 0)
            x->websockets++;
    }
    free(c);
    return 0;
}

typedef struct ex_item {
    uint64_t hash;
    uint32_t group; /* tmpl << 4 | parameter position */
    uint32_t count, first, rank;
} ex_item;

static int cmp_item(const void *a, const void *b)
{
    const ex_item *p = *(const ex_item *const *)a, *q = *(const ex_item *const *)b;
    if (p->group != q->group)
        return p->group < q->group ? -1 : 1;
    if (p->count != q->count)
        return p->count > q->count ? -1 : 1;
    return p->first < q->first ? -1 : p->first > q->first;
}

static size_t item_slot(ex_item *t, size_t cap, uint32_t group, uint64_t hash)
{
    size_t j = (size_t)sketch_mix(hash ^ ((uint64_t)group << 40)) & (cap - 1);
    while (t[j].count && !(t[j].hash == hash && t[j].group == group))
        j = (j + 1) & (cap - 1);
    return j;
}

/* Item values become ranks per (template, position): 1 = most requested in the window. */
static int rank_items(extract *x)
{
    x->ranks = calloc(x->nitems ? x->nitems : 1, sizeof *x->ranks);
    if (!x->ranks)
        return ST_ENOMEM;
    if (!x->nitems)
        return 0;
    size_t cap = 1024;
    while (cap < x->nitems * 2)
        cap *= 2;
    ex_item *t = calloc(cap, sizeof *t);
    ex_item **order = NULL;
    if (!t)
        return ST_ENOMEM;
    size_t used = 0;
    for (size_t i = 0; i < x->n; i++) {
        const ex_rec *e = &x->r[i];
        for (uint32_t k = 0; k < e->nitems; k++) {
            uint32_t g = e->tmpl << 4 | k;
            uint64_t h = x->items[e->items_off + k];
            size_t j = item_slot(t, cap, g, h);
            if (!t[j].count) {
                t[j] = (ex_item){h, g, 0, (uint32_t)i, 0};
                used++;
            }
            t[j].count++;
        }
    }
    order = malloc(used * sizeof *order);
    if (!order) {
        free(t);
        return ST_ENOMEM;
    }
    size_t m = 0;
    for (size_t j = 0; j < cap; j++)
        if (t[j].count)
            order[m++] = &t[j];
    qsort(order, m, sizeof *order, cmp_item);
    for (size_t i = 0; i < m; i++)
        order[i]->rank = i && order[i - 1]->group == order[i]->group ? order[i - 1]->rank + 1 : 1;
    for (size_t i = 0; i < x->n; i++) {
        const ex_rec *e = &x->r[i];
        for (uint32_t k = 0; k < e->nitems; k++) {
            uint32_t g = e->tmpl << 4 | k;
            x->ranks[e->items_off + k] = t[item_slot(t, cap, g, x->items[e->items_off + k])].rank;
        }
    }
    free(order);
    free(t);
    return 0;
}

static int read_all(extract *x, const char *const *paths, size_t npaths, progress *pg, char *err)
{
    logread *lr = logread_open(paths, npaths, 0, err);
    if (!lr)
        return ST_EINPUT;
    logfmt *fmt = NULL;
    if (x->o.format && strcmp(x->o.format, "auto") == 0) {
        /* As in fit: the first lines are read ahead, tried by every preset, then read. */
        logread_sample smp;
        logfmt_detection det;
        if (logread_peek(lr, LOGFMT_AUTO_SAMPLE, (size_t)16 << 20, &smp, err) == 0)
            fmt = logfmt_detect(smp.lines, smp.lens, smp.linenos, smp.too_long, smp.n,
                                x->o.time_format, x->o.tz, &det, err);
    } else {
        fmt = logfmt_new(x->o.format ? x->o.format : "combined", err);
        if (fmt && logfmt_set_time(fmt, x->o.time_format, x->o.tz, err) < 0) {
            logfmt_free(fmt);
            fmt = NULL;
        }
    }
    if (!fmt) {
        logread_close(lr);
        return ST_EINPUT;
    }
    snprintf(x->fmt_name, sizeof x->fmt_name, "%s", logfmt_name(fmt));
    char *line;
    size_t len;
    uint64_t lineno;
    int too_long, rc, header_checked = 0, have_first = 0;
    double first = 0;
    while ((rc = logread_next(lr, &line, &len, &lineno, &too_long, err)) > 0) {
        x->lines++;
        if (!header_checked) {
            header_checked = 1;
            int h = logfmt_header(fmt, line, len, err);
            if (h < 0) {
                rc = h;
                break;
            }
            if (h == 1)
                continue;
        }
        logrec r;
        int why = too_long   ? LF_TOO_LONG
                  : len == 0 ? LF_TRUNCATED
                             : logfmt_parse(fmt, line, len, &r);
        if (why == LF_DIRECTIVE)
            continue; /* a W3C #Fields:/#Version: line: the format's own, not a request */
        if (why) {
            if (!x->malformed++) {
                x->first_bad_line = lineno;
                x->first_bad_reason = why;
            }
            continue;
        }
        x->parsed++;
        if ((rc = ex_record(x, &r, &first, &have_first)) < 0) {
            if (rc == ST_ELIMIT)
                st_err(err, rc,
                       "more than %zu requests (line %llu); extract a window with "
                       "--from/--to",
                       EXTRACT_MAX_REQUESTS, (unsigned long long)lineno);
            else
                st_err(err, rc, "line %llu: out of memory or too many templates",
                       (unsigned long long)lineno);
            break;
        }
        if (pg && (lineno & 0xffff) == 0)
            progress_update(pg, 0, "%llu lines", (unsigned long long)lineno);
    }
    logread_close(lr);
    logfmt_free(fmt);
    return rc < 0 ? rc : 0;
}

int extract_run(extract *x, const extract_opts *o, const char *const *paths, size_t npaths,
                progress *pg, char *err)
{
    memset(x, 0, sizeof *x);
    x->o = *o;
    if (!(x->o.timeout_s > 0))
        x->o.timeout_s = 1800;
    int rc = read_all(x, paths, npaths, pg, err);
    if (rc)
        return rc;
    if (!x->parsed) {
        if (x->malformed)
            return st_err(err, ST_EINPUT,
                          "none of the %llu lines parsed as '%s' (line %llu: %s); "
                          "check --format",
                          (unsigned long long)x->lines, x->fmt_name,
                          (unsigned long long)x->first_bad_line,
                          logfmt_reason_name(x->first_bad_reason));
        return st_err(err, ST_EINPUT, "no lines read");
    }
    if (x->n)
        qsort(x->r, x->n, sizeof *x->r, cmp_rec);
    if ((rc = fold_templates(x)) || (rc = sessionize_all(x)) || (rc = rank_items(x)))
        return st_err(err, rc, "out of memory");
    x->t0 = x->n ? x->r[0].ts : 0;
    x->t_last = x->n ? x->r[x->n - 1].ts : 0;
    return 0;
}

void extract_term(extract *x)
{
    free(x->r);
    free(x->t);
    free(x->tslots);
    free(x->items);
    free(x->ranks);
    free(x->paths);
    memset(x, 0, sizeof *x);
}

/* A JSON string: printable ASCII as is, quotes/backslashes/controls escaped, bytes >= 0x80
 * as \u00XX so any logged path stays valid JSON. */
static void put_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static int write_header(const extract *x, FILE *f, const char *const *files, size_t nfiles,
                        const char *command)
{
    json_t *h = json_object(), *src = json_object(), *fl = json_array(), *rt = json_array();
    json_t *gen = json_object();
    if (!h || !src || !fl || !rt || !gen) {
        json_decref(h);
        json_decref(src);
        json_decref(fl);
        json_decref(rt);
        json_decref(gen);
        return -1;
    }
    for (size_t i = 0; i < nfiles; i++) {
        const char *b = strrchr(files[i], '/');
        json_array_append_new(fl, json_string(b ? b + 1 : files[i]));
    }
    json_object_set_new(gen, "tool", json_string("modeler"));
    json_object_set_new(gen, "version", json_string(ST_VERSION));
    json_object_set_new(gen, "command", json_string(command ? command : ""));
    json_object_set_new(src, "files", fl);
    json_object_set_new(src, "format", json_string(x->fmt_name));
    json_object_set_new(src, "lines", json_integer((json_int_t)x->lines));
    json_object_set_new(src, "parsed", json_integer((json_int_t)x->parsed));
    json_object_set_new(src, "malformed", json_integer((json_int_t)x->malformed));
    json_object_set_new(src, "outside_window", json_integer((json_int_t)x->outside));
    json_object_set_new(src, "websockets_clipped", json_integer((json_int_t)x->ws_clipped));
    json_object_set_new(src, "bot_requests", json_integer((json_int_t)x->bots));
    json_object_set_new(src, "bots_dropped", json_integer((json_int_t)x->bot_dropped));
    for (size_t i = 0; i < x->nt; i++) {
        const ex_tmpl *t = &x->t[i];
        if (t->folded_to != i || !t->requests)
            continue;
        json_t *o = json_pack("{s:s,s:s,s:I}", "template", t->s, "kind", route_kind_name(t->kind),
                              "requests", (json_int_t)t->requests);
        if (o)
            json_array_append_new(rt, o);
    }
    json_object_set_new(h, "format", json_string(ST_FMT_TRACE));
    json_object_set_new(h, "version", json_integer(ST_FMT_TRACE_VERSION));
    json_object_set_new(h, "generator", gen);
    json_object_set_new(h, "source", src);
    json_object_set_new(h, "t0", json_real(x->t0));
    json_object_set_new(h, "span_s", json_real(x->t_last - x->t0));
    json_object_set_new(h, "session_timeout_s", json_real(x->o.timeout_s));
    json_object_set_new(h, "sessions", json_integer((json_int_t)x->sessions));
    json_object_set_new(h, "requests", json_integer((json_int_t)(x->n - x->websockets)));
    json_object_set_new(h, "websockets", json_integer((json_int_t)x->websockets));
    json_object_set_new(h, "bots", json_string(x->o.drop_bots ? "drop" : "keep"));
    json_object_set_new(h, "keep_paths", json_boolean(x->o.keep_paths));
    json_object_set_new(h, "folded",
                        json_pack("{s:I,s:I,s:I}", "templates", (json_int_t)x->folded_templates,
                                  "requests", (json_int_t)x->folded_requests, "k_min_clients",
                                  (json_int_t)x->o.k_min));
    json_object_set_new(h, "routes", rt);
    char *s = json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    json_decref(h);
    if (!s)
        return -1;
    fprintf(f, "%s\n", s);
    free(s);
    return 0;
}

int extract_write(const extract *x, FILE *f, const char *const *files, size_t nfiles,
                  const char *command)
{
    if (write_header(x, f, files, nfiles, command))
        return -1;
    for (size_t i = 0; i < x->n; i++) {
        const ex_rec *e = &x->r[i];
        fprintf(f, "{\"t\":%.6f,\"s\":%u,", e->ts - x->t0, e->session);
        if (e->dur >= 0) {
            fputs("\"ws\":", f);
            put_str(f, x->t[e->tmpl].s);
            fprintf(f, ",\"dur\":%.6f", e->dur);
        } else {
            fprintf(f, "\"m\":\"%s\",\"r\":", ex_methods_fixed[e->method]);
            put_str(f, x->t[e->tmpl].s);
            if (e->nitems) {
                fputs(",\"i\":[", f);
                for (uint32_t k = 0; k < e->nitems; k++)
                    fprintf(f, "%s%u", k ? "," : "", x->ranks[e->items_off + k]);
                fputc(']', f);
            }
        }
        if (e->bot)
            fputs(",\"bot\":true", f);
        if (x->o.keep_paths) {
            fputs(",\"p\":", f);
            put_str(f, x->paths + e->path_off);
        }
        fputs("}\n", f);
    }
    return ferror(f) ? -1 : 0;
}
