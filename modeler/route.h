/*
 * route.h -- request paths to route templates, and the parameter values that become items.
 *
 * "/products/8812?color=red&page=3" becomes "/products/{id}?color={s}&page={n}" with the
 * parameters id (an item: its popularity is fitted), color (free text) and page (a
 * counter). Path segments are classified as numeric ids, UUIDs, hex hashes (16+ hex digits)
 * or slugs (lowercase words joined by '-' with a digit or two or more hyphens); query
 * values as counters ({n}, for page/offset/limit-like keys), ids ({id}) or text ({s}), with
 * query keys sorted so that the order in the URL does not split a route. Static assets
 * (by extension) become "/dir/{file}.ext" and carry no item parameters.
 *
 * Raw values never leave this module: a parameter carries a 64-bit hash of its value.
 * Pure functions, no allocation; the output struct is caller-owned.
 */
#ifndef MODELER_ROUTE_H
#define MODELER_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#define ROUTE_MAX_TMPL 256
#define ROUTE_MAX_PARAMS 8

enum route_kind { ROUTE_PAGE = 0, ROUTE_API, ROUTE_STATIC, ROUTE_WEBSOCKET, ROUTE_NKINDS };
const char *route_kind_name(int kind);

typedef struct route_param {
    char name[24];
    int in_query;   /* 0 path, 1 query */
    int is_item;    /* an id whose popularity is fitted */
    uint64_t value; /* FNV-1a hash of the raw value */
} route_param;

typedef struct route_norm {
    char tmpl[ROUTE_MAX_TMPL];
    size_t tmpl_len;
    int kind;
    size_t nparams;
    route_param params[ROUTE_MAX_PARAMS];
} route_norm;

/* Normalises one request. Never fails: junk paths give a best-effort template (cut at
 * ROUTE_MAX_TMPL). status 101 marks a WebSocket. */
void route_normalize(const char *path, size_t len, const char *method, size_t mlen, int status,
                     route_norm *out);

uint64_t route_hash(const void *p, size_t n); /* fast 64-bit hash, stable across runs */

#endif
