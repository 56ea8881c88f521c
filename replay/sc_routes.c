/*
 * sc_routes.c -- loading request templates, captures and checks (see sc_routes.h).
 */
#include "sc_routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"

/* clang-format off */
static const char *const route_keys[] = {"method", "path", "headers", "body", "captures",
                                         "checks", NULL};
/* clang-format on */
static const char *const capture_keys[] = {"var", "from", "pointer", "name", "regex", NULL};
static const char *const check_keys[] = {"status", "header", "body_contains", "json", NULL};

int sc_headers_load(scenario *sc, json_t *obj, const char *path, char names[][64], tmpl *vals,
                    size_t *n, char *err)
{
    const char *k;
    json_t *v;
    char p[512];
    int rc;
    if (!json_is_object(obj))
        return st_err(err, ST_EINPUT, "%s: expected an object of header: value", path);
    json_object_foreach(obj, k, v) {
        jv_key(p, sizeof p, path, k);
        if (*n == SC_MAX_HEADERS)
            return st_err(err, ST_EINPUT, "%s: more than %d headers", path, SC_MAX_HEADERS);
        if (!json_is_string(v))
            return st_err(err, ST_EINPUT, "%s: expected a string", p);
        if (!*k || strlen(k) >= 64 || strpbrk(k, ": \r\n"))
            return st_err(err, ST_EINPUT, "%s: bad header name", p);
        if (strpbrk(json_string_value(v), "\r\n"))
            return st_err(err, ST_EINPUT, "%s: header values may not contain line breaks", p);
        snprintf(names[*n], 64, "%s", k);
        if ((rc = tmpl_compile(&vals[*n], json_string_value(v), &sc->names, p, err)))
            return rc;
        (*n)++;
    }
    return 0;
}

static int load_captures(scenario *sc, sc_route *r, json_t *caps, const char *path, char *err)
{
    static const char *const froms[] = {"json", "header", "regex", NULL};
    char p[512];
    int rc;
    if (json_array_size(caps) > SC_MAX_CAPTURES)
        return st_err(err, ST_EINPUT, "%s: at most %d captures", path, SC_MAX_CAPTURES);
    for (size_t i = 0; i < json_array_size(caps); i++) {
        json_t *c = json_array_get(caps, i);
        sc_capture *cp = &r->captures[i];
        const char *var, *s = NULL;
        jv_path(p, sizeof p, path, i);
        if (!json_is_object(c))
            return st_err(err, ST_EINPUT, "%s: expected an object", p);
        if ((rc = jv_no_unknown(c, p, capture_keys, err)) ||
            (rc = jv_string(c, p, "var", 1, &var, err)) ||
            (rc = jv_enum(c, p, "from", 1, froms, &cp->from, err)))
            return rc;
        if ((cp->var = tmpl_var_index(&sc->names, var)) < 0)
            return st_err(err, ST_EINPUT, "%s.var: too many variables", p);
        r->n_captures = i + 1;
        if (cp->from == CAP_JSON) {
            if ((rc = jv_string(c, p, "pointer", 1, &s, err)))
                return rc;
            if (s[0] && s[0] != '/')
                return st_err(err, ST_EINPUT,
                              "%s.pointer: expected a JSON pointer like \"/cart/id\"", p);
            r->needs_body = 1;
        } else if (cp->from == CAP_HEADER) {
            if ((rc = jv_string(c, p, "name", 1, &s, err)))
                return rc;
            r->needs_headers = 1;
        } else {
            if ((rc = jv_string(c, p, "regex", 1, &s, err)))
                return rc;
            if (regcomp(&cp->re, s, REG_EXTENDED) != 0)
                return st_err(err, ST_EINPUT, "%s.regex: not a valid POSIX extended regex", p);
            cp->has_re = 1;
            r->needs_body = 1;
        }
        if (strlen(s) >= sizeof cp->name)
            return st_err(err, ST_EINPUT, "%s: value too long", p);
        snprintf(cp->name, sizeof cp->name, "%s", s);
    }
    return 0;
}

static int load_checks(sc_route *r, json_t *c, const char *path, char *err)
{
    json_t *st = NULL, *h = NULL, *js = NULL;
    const char *s = NULL;
    char p[512];
    int rc;
    sc_check *ck = &r->check;
    if (!json_is_object(c))
        return st_err(err, ST_EINPUT, "%s: expected an object", path);
    if ((rc = jv_no_unknown(c, path, check_keys, err)) ||
        (rc = jv_array(c, path, "status", 0, &st, err)) ||
        (rc = jv_object(c, path, "header", 0, &h, err)) ||
        (rc = jv_string(c, path, "body_contains", 0, &s, err)) ||
        (rc = jv_object(c, path, "json", 0, &js, err)))
        return rc;
    ck->present = 1;
    for (size_t i = 0; st && i < json_array_size(st); i++) {
        json_t *v = json_array_get(st, i);
        jv_path(p, sizeof p, jv_key(p, sizeof p, path, "status"), i);
        if (i >= 16 || !json_is_integer(v) || json_integer_value(v) < 100 ||
            json_integer_value(v) > 599)
            return st_err(err, ST_EINPUT, "%s: expected an HTTP status (at most 16)", p);
        ck->status[ck->n_status++] = (int)json_integer_value(v);
    }
    if (h) {
        const char *name, *contains = "";
        jv_key(p, sizeof p, path, "header");
        if ((rc = jv_string(h, p, "name", 1, &name, err)) ||
            (rc = jv_string(h, p, "contains", 0, &contains, err)))
            return rc;
        snprintf(ck->header, sizeof ck->header, "%s", name);
        snprintf(ck->header_contains, sizeof ck->header_contains, "%s", contains);
        r->needs_headers = 1;
    }
    if (s) {
        if (!(ck->body_contains = strdup(s)))
            return st_err(err, ST_ENOMEM, "out of memory");
        r->needs_body = 1;
    }
    if (js) {
        const char *ptr;
        jv_key(p, sizeof p, path, "json");
        if ((rc = jv_string(js, p, "pointer", 1, &ptr, err)))
            return rc;
        snprintf(ck->json_pointer, sizeof ck->json_pointer, "%s", ptr);
        ck->json_equals = json_incref(json_object_get(js, "equals"));
        r->needs_body = 1;
    }
    return 0;
}

/* Records the feeder placeholders of t (in order) as draws of route r. */
static int add_draws(scenario *sc, sc_route *r, const tmpl *t, const char *path, char *err)
{
    char zerr[ST_ERRLEN];
    for (size_t i = 0; i < t->n_parts; i++) {
        int f = t->parts[i].idx;
        if (t->parts[i].kind != TP_FEEDER)
            continue;
        if (r->n_draws == SC_MAX_DRAWS)
            return st_err(err, ST_EINPUT, "%s: more than %d feeder placeholders", path,
                          SC_MAX_DRAWS);
        double s = sc->m.routes[r->model_idx].zipf_s;
        r->draw_uniform[r->n_draws] = s < 0 && !(sc->feeder_zipf[f] > 0);
        if (s <= 0)
            s = sc->feeder_zipf[f] > 0 ? sc->feeder_zipf[f] : 1.0;
        r->draw_feeder[r->n_draws] = f;
        if (rng_zipf_init(&r->draw_zipf[r->n_draws], sc->feeders[f].n, s, zerr))
            return st_err(err, ST_EINPUT, "%s: %s", path, zerr);
        r->n_draws++;
    }
    return 0;
}

static int load_route(scenario *sc, sc_route *r, const char *key, json_t *v, const char *p,
                      char *err)
{
    static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", NULL};
    const char *path, *body = NULL, *method = NULL;
    json_t *hdr = NULL, *caps = NULL, *chk = NULL;
    char q[512];
    int rc, mi;
    if (!json_is_object(v))
        return st_err(err, ST_EINPUT, "%s: expected an object", p);
    r->model_idx = model_route_index(&sc->m, key);
    if (r->model_idx < 0)
        return st_err(err, ST_EINPUT, "%s: no route with this template in the model", p);
    snprintf(r->template_, sizeof r->template_, "%s", key);
    if ((rc = jv_no_unknown(v, p, route_keys, err)) ||
        (rc = jv_string(v, p, "path", 1, &path, err)) ||
        (rc = jv_string(v, p, "body", 0, &body, err)) ||
        (rc = jv_object(v, p, "headers", 0, &hdr, err)) ||
        (rc = jv_array(v, p, "captures", 0, &caps, err)) ||
        (rc = jv_object(v, p, "checks", 0, &chk, err)))
        return rc;
    if (json_object_get(v, "method")) {
        if ((rc = jv_enum(v, p, "method", 1, methods, &mi, err)))
            return rc;
        method = methods[mi];
    } else {
        method = sc->m.routes[r->model_idx].method;
    }
    snprintf(r->method, sizeof r->method, "%s", method);
    if (path[0] != '/')
        return st_err(err, ST_EINPUT, "%s.path: expected a path starting with '/'", p);
    if ((rc = tmpl_compile(&r->path, path, &sc->names, jv_key(q, sizeof q, p, "path"), err)) ||
        (rc = add_draws(sc, r, &r->path, q, err)))
        return rc;
    if (hdr) {
        jv_key(q, sizeof q, p, "headers");
        if ((rc = sc_headers_load(sc, hdr, q, r->header_names, r->header_vals, &r->n_headers, err)))
            return rc;
        for (size_t i = 0; i < r->n_headers; i++)
            if ((rc = add_draws(sc, r, &r->header_vals[i], q, err)))
                return rc;
    }
    if (body) {
        r->has_body = 1;
        if ((rc = tmpl_compile(&r->body, body, &sc->names, jv_key(q, sizeof q, p, "body"), err)) ||
            (rc = add_draws(sc, r, &r->body, q, err)))
            return rc;
    }
    if (caps && (rc = load_captures(sc, r, caps, jv_key(q, sizeof q, p, "captures"), err)))
        return rc;
    if (chk && (rc = load_checks(r, chk, jv_key(q, sizeof q, p, "checks"), err)))
        return rc;
    return 0;
}

int sc_routes_load(scenario *sc, json_t *routes, char *err)
{
    const char *k;
    json_t *v;
    char p[512];
    size_t i = 0;
    int rc;
    for (size_t m = 0; m < MODEL_MAX_ROUTES; m++)
        sc->route_of_model[m] = -1;
    sc->n_routes = json_object_size(routes);
    if (sc->n_routes == 0)
        return st_err(err, ST_EINPUT, "scenario.routes: expected at least one route");
    sc->routes = calloc(sc->n_routes, sizeof *sc->routes);
    if (!sc->routes)
        return st_err(err, ST_ENOMEM, "out of memory");
    json_object_foreach(routes, k, v) {
        snprintf(p, sizeof p, "scenario.routes[\"%s\"]", k);
        if ((rc = load_route(sc, &sc->routes[i], k, v, p, err)))
            return rc;
        sc->route_of_model[sc->routes[i].model_idx] = (int)i;
        i++;
    }
    return 0;
}

void sc_routes_term(scenario *sc)
{
    for (size_t i = 0; sc->routes && i < sc->n_routes; i++) {
        sc_route *r = &sc->routes[i];
        tmpl_term(&r->path);
        tmpl_term(&r->body);
        for (size_t h = 0; h < r->n_headers; h++)
            tmpl_term(&r->header_vals[h]);
        for (size_t c = 0; c < r->n_captures; c++)
            if (r->captures[c].has_re)
                regfree(&r->captures[c].re);
        free(r->check.body_contains);
        json_decref(r->check.json_equals);
    }
    free(sc->routes);
    sc->routes = NULL;
    sc->n_routes = 0;
}
