/*
 * tmpl.c -- compiling and rendering request templates (see tmpl.h).
 */
#include "tmpl.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

tmpl_vars *tmpl_vars_new(size_t n_vars)
{
    return calloc(1, sizeof(tmpl_vars) + n_vars * TMPL_VAR_LEN);
}

int tmpl_var_index(tmpl_names *nm, const char *name)
{
    for (size_t i = 0; i < nm->n_vars; i++)
        if (!strcmp(nm->vars[i], name))
            return (int)i;
    if (nm->n_vars == TMPL_MAX_VARS || strlen(name) >= sizeof nm->vars[0])
        return -1;
    snprintf(nm->vars[nm->n_vars], sizeof nm->vars[0], "%s", name);
    return (int)nm->n_vars++;
}

static int add_part(tmpl *t, size_t *cap, tmpl_part p)
{
    if (t->n_parts == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        tmpl_part *np = realloc(t->parts, nc * sizeof *np);
        if (!np)
            return ST_ENOMEM;
        t->parts = np;
        *cap = nc;
    }
    t->parts[t->n_parts++] = p;
    return 0;
}

int tmpl_compile(tmpl *t, const char *src, tmpl_names *nm, const char *path, char *err)
{
    size_t cap = 0, i = 0, lit = 0, n = strlen(src);
    memset(t, 0, sizeof *t);
    t->text = strdup(src);
    if (!t->text)
        return st_err(err, ST_ENOMEM, "%s: out of memory", path);
    while (i <= n) {
        const char *close;
        tmpl_part p = {TP_LIT, 0, lit, i - lit};
        if (i < n && src[i] != '{') {
            i++;
            continue;
        }
        if (i == n) {
            if (p.len && add_part(t, &cap, p))
                goto nomem;
            break;
        }
        /* A placeholder is '{' IDENT '}' (IDENT: [$A-Za-z_][A-Za-z0-9_.-]*); any other
         * '{' is literal text, so JSON bodies need no escaping. */
        {
            size_t j = i + 1;
            if (src[j] == '$' || src[j] == '_' || isalpha((unsigned char)src[j]))
                for (j++; src[j] == '_' || src[j] == '.' || src[j] == '-' ||
                          isalnum((unsigned char)src[j]);
                     j++)
                    ;
            else
                j = i + 1;
            if (j == i + 1 || src[j] != '}') {
                i++;
                continue;
            }
            close = src + j;
        }
        if (p.len && add_part(t, &cap, p))
            goto nomem;
        char name[80];
        size_t len = (size_t)(close - (src + i + 1));
        if (len == 0 || len >= sizeof name) {
            tmpl_term(t);
            return st_err(err, ST_EINPUT, "%s: bad placeholder at offset %zu", path, i);
        }
        memcpy(name, src + i + 1, len);
        name[len] = 0;
        memset(&p, 0, sizeof p);
        if (!strcmp(name, "session")) {
            p.kind = TP_SESSION;
        } else if (!strcmp(name, "seq")) {
            p.kind = TP_SEQ;
        } else if (!strcmp(name, "client_ip")) {
            p.kind = TP_CLIENT_IP;
        } else if (!strcmp(name, "user_agent")) {
            p.kind = TP_USER_AGENT;
        } else if (name[0] == '$') {
            p.kind = TP_VAR;
            p.idx = tmpl_var_index(nm, name + 1);
        } else {
            p.kind = TP_FEEDER;
            p.idx = -1;
            for (size_t f = 0; f < nm->n_feeders; f++)
                if (!strcmp(nm->feeders[f], name))
                    p.idx = (int)f;
            if (p.idx < 0) {
                tmpl_term(t);
                return st_err(err, ST_EINPUT,
                              "%s: unknown placeholder {%s} (feeders, {$var}, {session}, {seq}, "
                              "{client_ip}, {user_agent})",
                              path, name);
            }
            t->n_feeders++;
        }
        if (p.idx < 0) {
            tmpl_term(t);
            return st_err(err, ST_EINPUT, "%s: too many variables (max %d)", path, TMPL_MAX_VARS);
        }
        if (add_part(t, &cap, p))
            goto nomem;
        i += len + 2;
        lit = i;
    }
    return 0;
nomem:
    tmpl_term(t);
    return st_err(err, ST_ENOMEM, "%s: out of memory", path);
}

void tmpl_term(tmpl *t)
{
    free(t->text);
    free(t->parts);
    memset(t, 0, sizeof *t);
}

static int put(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
    if (*len + n + 1 > cap) {
        size_t room = cap > *len + 1 ? cap - *len - 1 : 0;
        memcpy(out + *len, s, room);
        *len += room;
        out[*len] = 0;
        return ST_ELIMIT;
    }
    memcpy(out + *len, s, n);
    *len += n;
    out[*len] = 0;
    return 0;
}

long tmpl_render(const tmpl *t, tmpl_ctx *c, char *out, size_t cap)
{
    size_t len = 0;
    char num[40];
    int rc = 0;
    if (cap)
        out[0] = 0;
    for (size_t i = 0; i < t->n_parts && !rc; i++) {
        const tmpl_part *p = &t->parts[i];
        const char *v;
        switch (p->kind) {
        case TP_LIT: rc = put(out, cap, &len, t->text + p->off, p->len); break;
        case TP_SESSION:
            snprintf(num, sizeof num, "%016" PRIx64, c->session);
            rc = put(out, cap, &len, num, 16);
            break;
        case TP_SEQ:
            rc = put(out, cap, &len, num, (size_t)snprintf(num, sizeof num, "%" PRIu32, c->seq));
            break;
        case TP_CLIENT_IP:
        case TP_USER_AGENT:
            v = c->vars ? (p->kind == TP_CLIENT_IP ? c->vars->client_ip : c->vars->user_agent)
                        : NULL;
            if (v)
                rc = put(out, cap, &len, v, strlen(v));
            break;
        case TP_FEEDER:
            v = c->next_draw < c->n_draws ? c->draws[c->next_draw++] : "";
            rc = put(out, cap, &len, v, strlen(v));
            /* The feeder's variable (index == feeder index, see tmpl_names) remembers the
             * draw for later templates. */
            if (c->vars) {
                snprintf(c->vars->val[p->idx], TMPL_VAR_LEN, "%s", v);
                c->vars->set[p->idx] = 1;
            }
            break;
        case TP_VAR:
            if (c->vars && c->vars->set[p->idx]) {
                v = c->vars->val[p->idx];
                rc = put(out, cap, &len, v, strlen(v));
            } else if (c->plan_mode) {
                rc = put(out, cap, &len, "{$", 2);
                if (!rc)
                    rc = put(out, cap, &len, c->names->vars[p->idx],
                             strlen(c->names->vars[p->idx]));
                if (!rc)
                    rc = put(out, cap, &len, "}", 1);
            }
            break;
        }
    }
    return rc ? rc : (long)len;
}
