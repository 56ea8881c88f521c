/*
 * assets.c -- per-page static-asset counters and their model object (see assets.h).
 */
#include "assets.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "routetab.h"
#include "st.h"

int assets_init(assets *a)
{
    memset(a, 0, sizeof *a);
    a->window_s = ASSETS_WINDOW_S;
    a->p = calloc(ROUTETAB_MAX, sizeof *a->p);
    if (!a->p)
        return ST_ENOMEM;
    a->np = ROUTETAB_MAX;
    return 0;
}

void assets_term(assets *a)
{
    for (size_t i = 0; a->p && i < a->np; i++)
        free(a->p[i].t);
    free(a->p);
    memset(a, 0, sizeof *a);
}

void assets_view_end(assets *a, uint32_t page, unsigned k)
{
    if (!a->p || page >= a->np)
        return;
    asset_page *p = &a->p[page];
    p->views++;
    p->assets += k;
    p->hist[k < ASSETS_MAX_K ? k : ASSETS_MAX_K]++;
}

int assets_hit(assets *a, uint32_t page, uint32_t stat)
{
    if (!a->p || page >= a->np)
        return 0;
    asset_page *p = &a->p[page];
    if (!p->t) {
        p->t = malloc(ASSETS_TMPL_CAP * sizeof *p->t);
        if (!p->t)
            return ST_ENOMEM;
    }
    /* A page has a handful of asset templates: a linear scan beats any index here. */
    for (size_t i = 0; i < p->nt; i++)
        if (p->t[i].route == stat) {
            p->t[i].count++;
            return 0;
        }
    if (p->nt < ASSETS_TMPL_CAP) {
        p->t[p->nt].route = stat;
        p->t[p->nt].count = 1;
        p->nt++;
    } else {
        p->spill++;
    }
    return 0;
}

static int is_static(const json_t *routes, int idx)
{
    const char *k = json_string_value(json_object_get(json_array_get(routes, (size_t)idx), "kind"));
    return k && !strcmp(k, "static");
}

/* Model routes and counts of one page's templates, merged by model index (several table
 * routes fold into one model route) and sorted by count, largest first. */
typedef struct out_tmpl {
    int route;
    uint64_t count;
} out_tmpl;

static int cmp_out(const void *x, const void *y)
{
    const out_tmpl *a = x, *b = y;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return a->route - b->route;
}

json_t *assets_json(const assets *a, uint32_t page, const int *map, size_t nmap,
                    const json_t *routes)
{
    if (!a->p || page >= a->np)
        return NULL;
    const asset_page *p = &a->p[page];
    if (p->views == 0 || p->assets == 0 || !p->t)
        return NULL;
    out_tmpl o[ASSETS_TMPL_CAP];
    size_t n = 0;
    uint64_t loose = p->spill; /* assets whose template is not a model static route */
    for (size_t i = 0; i < p->nt; i++) {
        int m = p->t[i].route < nmap ? map[p->t[i].route] : -1;
        if (m < 0 || !is_static(routes, m)) {
            loose += p->t[i].count;
            continue;
        }
        size_t j = 0;
        while (j < n && o[j].route != m)
            j++;
        if (j == n)
            o[n++] = (out_tmpl){m, 0};
        o[j].count += p->t[i].count;
    }
    if (n == 0)
        return NULL; /* every asset went to templates the model does not keep as static */
    qsort(o, n, sizeof *o, cmp_out);
    /* At most ASSETS_TMPL_OUT templates; the rest, and the loose assets, join the largest so
     * that the shares still sum to 1 and replay still sends that many requests. */
    for (size_t i = ASSETS_TMPL_OUT; i < n; i++)
        loose += o[i].count;
    if (n > ASSETS_TMPL_OUT)
        n = ASSETS_TMPL_OUT;
    o[0].count += loose;
    uint64_t tot = 0;
    for (size_t i = 0; i < n; i++)
        tot += o[i].count;
    json_t *tm = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(tm, json_pack("{s:i,s:f}", "route", o[i].route, "share",
                                            (double)o[i].count / (double)tot));
    json_t *cd = json_array();
    for (unsigned k = 0; k <= ASSETS_MAX_K; k++)
        if (p->hist[k])
            json_array_append_new(
                cd, json_pack("[i,f]", (int)k, (double)p->hist[k] / (double)p->views));
    return json_pack("{s:f,s:f,s:o,s:o}", "window_s", a->window_s, "mean",
                     (double)p->assets / (double)p->views, "count_dist", cd, "templates", tm);
}

json_t *assets_summary_json(const assets *a)
{
    return json_pack("{s:f,s:I,s:f}", "window_s", a->window_s, "requests", (json_int_t)a->statics,
                     "attributed_share",
                     a->statics ? (double)a->attributed / (double)a->statics : 0.0);
}
