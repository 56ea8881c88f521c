/*
 * respcheck.c -- checks and captures on responses (see respcheck.h).
 */
#include "respcheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

json_t *respcheck_pointer(json_t *root, const char *ptr)
{
    json_t *cur = root;
    char tok[256];
    if (!*ptr)
        return root;
    while (cur && *ptr == '/') {
        size_t n = 0;
        ptr++;
        while (*ptr && *ptr != '/' && n + 1 < sizeof tok) {
            if (ptr[0] == '~' && (ptr[1] == '0' || ptr[1] == '1')) {
                tok[n++] = ptr[1] == '0' ? '~' : '/';
                ptr += 2;
            } else {
                tok[n++] = *ptr++;
            }
        }
        tok[n] = 0;
        if (json_is_object(cur)) {
            cur = json_object_get(cur, tok);
        } else if (json_is_array(cur)) {
            char *end;
            unsigned long i = strtoul(tok, &end, 10);
            cur = (*tok && !*end) ? json_array_get(cur, i) : NULL;
        } else {
            cur = NULL;
        }
    }
    return cur;
}

/* Finds header `name` in a raw header block; copies its value (trimmed) into out. */
static int find_header(const char *h, size_t hlen, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    const char *end = h + hlen;
    while (h < end) {
        const char *eol = memchr(h, '\n', (size_t)(end - h));
        const char *le = eol ? eol : end;
        if ((size_t)(le - h) > nl && h[nl] == ':' && !strncasecmp(h, name, nl)) {
            const char *v = h + nl + 1;
            while (v < le && (*v == ' ' || *v == '\t'))
                v++;
            const char *ve = le;
            while (ve > v && (ve[-1] == '\r' || ve[-1] == ' '))
                ve--;
            snprintf(out, cap, "%.*s", (int)(ve - v), v);
            return 1;
        }
        h = le + 1;
    }
    return 0;
}

static void set_var(tmpl_vars *vars, int idx, const char *v, size_t n)
{
    if (n >= TMPL_VAR_LEN)
        n = TMPL_VAR_LEN - 1;
    memcpy(vars->val[idx], v, n);
    vars->val[idx][n] = 0;
    vars->set[idx] = 1;
}

int respcheck_apply(const sc_route *r, long status, const char *hdrs, size_t hlen, const char *body,
                    size_t blen, tmpl_vars *vars)
{
    const sc_check *ck = &r->check;
    json_t *doc = NULL;
    int need_json = ck->json_pointer[0] != 0, ok = 1;
    char val[TMPL_VAR_LEN];
    for (size_t i = 0; i < r->n_captures; i++)
        need_json |= r->captures[i].from == CAP_JSON;
    if (need_json && body)
        doc = json_loadb(body, blen, 0, NULL);
    for (size_t i = 0; i < r->n_captures && vars; i++) {
        const sc_capture *c = &r->captures[i];
        if (c->from == CAP_HEADER) {
            if (hdrs && find_header(hdrs, hlen, c->name, val, sizeof val))
                set_var(vars, c->var, val, strlen(val));
        } else if (c->from == CAP_JSON) {
            json_t *v = doc ? respcheck_pointer(doc, c->name) : NULL;
            if (json_is_string(v))
                set_var(vars, c->var, json_string_value(v), json_string_length(v));
            else if (json_is_integer(v))
                set_var(
                    vars, c->var, val,
                    (size_t)snprintf(val, sizeof val, "%lld", (long long)json_integer_value(v)));
            else if (v && !json_is_null(v)) {
                char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
                if (s)
                    set_var(vars, c->var, s, strlen(s));
                free(s);
            }
        } else if (body) {
            regmatch_t m[2];
            if (regexec(&c->re, body, 2, m, 0) == 0) {
                regmatch_t g = m[1].rm_so >= 0 ? m[1] : m[0];
                set_var(vars, c->var, body + g.rm_so, (size_t)(g.rm_eo - g.rm_so));
            }
        }
    }
    if (ck->present) {
        if (ck->n_status) {
            int hit = 0;
            for (int i = 0; i < ck->n_status; i++)
                hit |= ck->status[i] == status;
            ok &= hit;
        } else {
            ok &= status >= 100 && status < 400;
        }
        if (ck->header[0]) {
            ok &= hdrs && find_header(hdrs, hlen, ck->header, val, sizeof val) &&
                  strstr(val, ck->header_contains) != NULL;
        }
        if (ck->body_contains)
            ok &= body && strstr(body, ck->body_contains) != NULL;
        if (ck->json_pointer[0]) {
            json_t *v = doc ? respcheck_pointer(doc, ck->json_pointer) : NULL;
            ok &= v != NULL && (!ck->json_equals || json_equal(v, ck->json_equals));
        }
    }
    json_decref(doc);
    return ok;
}
