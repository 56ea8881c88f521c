/*
 * routetab.c -- route interning and per-route statistics (see routetab.h).
 */
#include "routetab.h"

#include <stdlib.h>
#include <string.h>

/* clang-format off */
const char *const routetab_method_names[ROUTETAB_METHODS] = {"GET", "POST", "PUT", "DELETE",
                                                             "PATCH", "HEAD", "OPTIONS", "OTHER"};
/* clang-format on */

int routetab_init(routetab *t, uint64_t seed, size_t item_cap)
{
    memset(t, 0, sizeof *t);
    t->seed = seed;
    t->other = -1;
    t->item_cap_big = item_cap ? item_cap : 65536;
    t->item_cap_small = 2048;
    t->nslots = 2 * ROUTETAB_MAX;
    t->slots = calloc(t->nslots, sizeof *t->slots);
    return t->slots ? 0 : ST_ENOMEM;
}

void routetab_term(routetab *t)
{
    for (size_t i = 0; i < t->n; i++) {
        resv_free(t->r[i].bytes);
        resv_free(t->r[i].latency);
        for (size_t p = 0; p < t->r[i].nparams; p++)
            ctab_free(t->r[i].params[p].items);
    }
    free(t->r);
    free(t->slots);
    memset(t, 0, sizeof *t);
}

static int method_index(const char *m, size_t n)
{
    for (int i = 0; i < ROUTETAB_METHODS - 1; i++)
        if (strlen(routetab_method_names[i]) == n && memcmp(routetab_method_names[i], m, n) == 0)
            return i;
    return ROUTETAB_METHODS - 1;
}

static int rt_new(routetab *t, const char *tmpl, size_t len, uint64_t h, int kind,
                  const route_norm *n)
{
    if (t->n == t->alloc) {
        size_t na = t->alloc ? t->alloc * 2 : 64;
        rt_route *nr = realloc(t->r, na * sizeof *nr);
        if (!nr)
            return ST_ENOMEM;
        t->r = nr;
        t->alloc = na;
    }
    rt_route *r = &t->r[t->n];
    memset(r, 0, sizeof *r);
    memcpy(r->tmpl, tmpl, len);
    r->tmpl[len] = 0;
    r->hash = h;
    r->kind = kind;
    uint64_t key = rng_mix(t->seed, h);
    r->bytes = resv_new(256, key, "route.bytes");
    r->latency = resv_new(256, key, "route.latency");
    if (!r->bytes || !r->latency) {
        resv_free(r->bytes);
        resv_free(r->latency);
        return ST_ENOMEM;
    }
    if (n) {
        r->nparams = n->nparams;
        for (size_t i = 0; i < n->nparams; i++) {
            rt_param *p = &r->params[i];
            memcpy(p->name, n->params[i].name, sizeof p->name);
            p->in_query = n->params[i].in_query;
            p->is_item = n->params[i].is_item;
            if (p->is_item) {
                size_t cap = t->big_items < ROUTETAB_BIG_ITEMS ? t->item_cap_big
                                                               : t->item_cap_small;
                t->big_items++;
                p->items = ctab_new(cap);
                if (!p->items)
                    return ST_ENOMEM;
            }
        }
    }
    return (int)t->n++;
}

int routetab_add(routetab *t, const route_norm *n, const char *method, size_t mlen, int status,
                 int64_t bytes, double req_time, uint64_t client)
{
    uint64_t h = route_hash(n->tmpl, n->tmpl_len);
    size_t m = t->nslots - 1, i = (size_t)sketch_mix(h) & m;
    int idx = -1;
    while (t->slots[i]) {
        rt_route *r = &t->r[t->slots[i] - 1];
        if (r->hash == h && strcmp(r->tmpl, n->tmpl) == 0) {
            idx = (int)t->slots[i] - 1;
            break;
        }
        i = (i + 1) & m;
    }
    if (idx < 0) {
        if (t->n + 1 >= ROUTETAB_MAX) {
            if (t->other < 0) {
                t->other = rt_new(t, "{other}", 7, route_hash("{other}", 7), ROUTE_PAGE, NULL);
                if (t->other < 0)
                    return t->other;
            }
            idx = t->other;
        } else {
            idx = rt_new(t, n->tmpl, n->tmpl_len, h, n->kind, n);
            if (idx < 0)
                return idx;
            t->slots[i] = (uint32_t)idx + 1;
        }
    }
    rt_route *r = &t->r[idx];
    r->requests++;
    if (n->kind == ROUTE_WEBSOCKET)
        r->kind = ROUTE_WEBSOCKET;
    r->methods[method_index(method, mlen)]++;
    r->status[status / 100 <= 5 ? status / 100 : 5]++;
    if (bytes >= 0)
        resv_add(r->bytes, (double)bytes);
    if (req_time >= 0)
        resv_add(r->latency, req_time);
    if (r->nclients < ROUTETAB_KMAX) {
        unsigned c = 0;
        while (c < r->nclients && r->clients[c] != client)
            c++;
        if (c == r->nclients)
            r->clients[r->nclients++] = client;
    }
    if (idx != t->other) {
        for (size_t p = 0; p < r->nparams && p < n->nparams; p++) {
            r->params[p].seen++;
            if (r->params[p].items)
                ctab_add(r->params[p].items, n->params[p].value, 1);
        }
    }
    return idx;
}
