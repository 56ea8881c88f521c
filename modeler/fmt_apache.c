/*
 * fmt_apache.c -- Apache httpd LogFormat strings (mod_log_config) compiled into the same
 * literal/field list as nginx formats, so they are parsed by the same memchr-level loop.
 *
 * Every directive of mod_log_config is accepted: %h %a %A %l %u %t %{FORMAT}t (strftime,
 * begin:/end: prefixes, sec msec usec msec_frac usec_frac) %r %m %U %q %H %>s %<s %s %b %B
 * %D %T %{UNIT}T %I %O %S %v %V %p %P %k %L %R %X %f %{NAME}i/o/e/n/x/C/^ti/^to and %%, with
 * the status-condition and </> modifiers. Directives that carry nothing the model uses are
 * matched as one field and ignored. A directive this file does not know is matched the same
 * way and named in a warning (logfmt_warning): a newer httpd or a module's own directive must
 * not stop a fit.
 *
 * Which field wins when several carry the same thing: %a (the client address, after
 * mod_remoteip) over %h; %>s (final status) over %s; %b/%B (body bytes) over %O; the most
 * precise request time (%D or %{us}T over %{ms}T over %T).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fmt_internal.h"

/* Undoes the escapes a LogFormat line in httpd.conf carries (\" \t \n \\). */
static int ap_unescape(const char *in, char *out, size_t cap)
{
    size_t o = 0;
    for (const char *p = in; *p; p++) {
        char c = *p;
        if (c == '\\' && p[1]) {
            p++;
            c = *p == 't' ? '\t' : *p == 'n' ? '\n' : *p;
        }
        if (o + 1 >= cap)
            return -1;
        out[o++] = c;
    }
    out[o] = 0;
    return 0;
}

typedef struct ap_ctx {
    int has_a, has_final_status, has_body_bytes;
    char unknown[128];
} ap_ctx;

/* The field kind of one directive; -1 for an unknown one, -2 on a bad pattern (err set). */
static int ap_var(logfmt *f, ap_ctx *c, char d, const char *arg, size_t alen, char mod, int *tfi,
                  char *err)
{
    *tfi = -1;
    switch (d) {
    case 'a': return alen ? V_SKIP : V_ADDR;
    case 'h': return c->has_a ? V_SKIP : V_ADDR;
    case 'r': return V_REQUEST;
    case 'm': return V_METHOD;
    case 'U': return V_URI;
    case 'q': return V_QUERY;
    case 's':
        if (mod == '>' || !c->has_final_status)
            return V_STATUS;
        return V_SKIP;
    case 'b':
    case 'B': return V_BYTES;
    case 'O': return c->has_body_bytes ? V_SKIP : V_BYTES;
    case 'D': return V_RT_US;
    case 'T':
        if (alen == 2 && memcmp(arg, "ms", 2) == 0)
            return V_RT_MS;
        if (alen == 2 && memcmp(arg, "us", 2) == 0)
            return V_RT_US;
        return V_RT;
    case 'i': return alen == 10 && strncasecmp(arg, "User-Agent", 10) == 0 ? V_UA : V_SKIP;
    case 't': {
        if (alen == 0)
            return V_TIME_LOCAL;
        char pat[LF_TF_LEN];
        if (alen >= sizeof pat)
            return st_err(err, ST_EINPUT, "--format: %%{...}t pattern too long"), -2;
        memcpy(pat, arg, alen);
        pat[alen] = 0;
        char *p = pat;
        if (strncmp(p, "begin:", 6) == 0) {
            p += 6;
        } else if (strncmp(p, "end:", 4) == 0) {
            p += 4;
            f->time_at_end = 1;
        }
        static const struct {
            const char *tok;
            int var;
        } toks[] = {{"sec", V_EPOCH_S},
                    {"msec", V_EPOCH_MS},
                    {"usec", V_EPOCH_US},
                    {"msec_frac", V_FRAC_MS},
                    {"usec_frac", V_FRAC_US}};
        for (size_t k = 0; k < sizeof toks / sizeof toks[0]; k++)
            if (strcmp(p, toks[k].tok) == 0)
                return toks[k].var;
        if (f->ntpat >= LF_MAX_TF)
            return st_err(err, ST_EINPUT, "--format: more than %d %%{...}t times", LF_MAX_TF), -2;
        if (lf_strf_check(p, err) < 0)
            return -2;
        snprintf(f->tpat[f->ntpat], LF_TF_LEN, "%s", p);
        *tfi = (int)f->ntpat++;
        return V_TIME_STRF;
    }
    case 'A':
    case 'l':
    case 'u':
    case 'H':
    case 'I':
    case 'S':
    case 'v':
    case 'V':
    case 'p':
    case 'P':
    case 'k':
    case 'L':
    case 'R':
    case 'X':
    case 'f':
    case 'o':
    case 'e':
    case 'n':
    case 'x':
    case 'C':
    case '^': return V_SKIP;
    default: return -1;
    }
}

static int ap_push(logfmt *f, lf_item **it, char *err)
{
    if (f->nitems >= LF_MAX_ITEMS)
        return st_err(err, ST_EINPUT, "--format: too many fields (max %d)", LF_MAX_ITEMS);
    *it = &f->items[f->nitems++];
    memset(*it, 0, sizeof **it);
    (*it)->tfi = -1;
    return 0;
}

static int ap_lit(logfmt *f, char ch, char *err)
{
    lf_item *it = f->nitems ? &f->items[f->nitems - 1] : NULL;
    if (!it || !it->is_lit) {
        if (ap_push(f, &it, err) < 0)
            return ST_EINPUT;
        it->is_lit = 1;
    }
    if (it->lit_len + 1 >= LF_MAX_LIT)
        return st_err(err, ST_EINPUT, "--format: literal text too long");
    it->lit[it->lit_len++] = ch;
    return 0;
}

/* Which directives the format holds, so that the preferred one of a pair is known before
 * the first is compiled (a %{...}t pattern's own %b must not count as a directive). */
static void ap_prescan(const char *p, ap_ctx *c)
{
    while ((p = strchr(p, '%'))) {
        p++;
        while (*p == '!' || *p == ',' || (*p >= '0' && *p <= '9'))
            p++;
        char mod = *p == '<' || *p == '>' ? *p++ : 0;
        int arg = *p == '{';
        if (arg) {
            const char *e = strchr(p, '}');
            if (!e)
                return;
            p = e + 1;
        }
        if (!*p)
            return;
        c->has_a |= *p == 'a' && !arg;
        c->has_final_status |= *p == 's' && mod == '>';
        c->has_body_bytes |= *p == 'b' || *p == 'B';
        p++;
    }
}

/* One directive starting after its '%'; *pp is advanced past it. */
static int ap_directive(logfmt *f, ap_ctx *c, const char **pp, char *err)
{
    const char *start = *pp - 1, *p = *pp;
    while (*p == '!' || *p == ',' || (*p >= '0' && *p <= '9'))
        p++; /* status conditions: %400,501{...}i, %!200{...}i */
    char mod = 0;
    if (*p == '<' || *p == '>')
        mod = *p++;
    const char *arg = "";
    size_t alen = 0;
    if (*p == '{') {
        arg = ++p;
        const char *e = strchr(p, '}');
        if (!e)
            return st_err(err, ST_EINPUT, "--format: unterminated %%{ in '%.40s'", start);
        alen = (size_t)(e - arg);
        p = e + 1;
    }
    char d = *p;
    if (!d)
        return st_err(err, ST_EINPUT, "--format: '%%' at the end of the format");
    p++;
    if (d == '^' && p[0] == 't' && (p[1] == 'i' || p[1] == 'o'))
        p += 2;
    *pp = p;
    if (d == '%')
        return ap_lit(f, '%', err);
    int tfi;
    int var = ap_var(f, c, d, arg, alen, mod, &tfi, err);
    if (var == -2)
        return ST_EINPUT;
    if (var < 0) {
        var = V_SKIP;
        size_t ul = strlen(c->unknown);
        snprintf(c->unknown + ul, sizeof c->unknown - ul, "%s%.*s", ul ? " " : "", (int)(p - start),
                 start);
    }
    lf_item *prev = f->nitems ? &f->items[f->nitems - 1] : NULL;
    if (prev && !prev->is_lit) {
        /* %U%q: the path field simply runs on through the query. */
        if (prev->var == V_URI && var == V_QUERY)
            return 0;
        return st_err(err, ST_EINPUT,
                      "--format: %s and %.*s have nothing between them; they cannot be told apart",
                      prev->name, (int)(p - start), start);
    }
    lf_item *it = NULL;
    if (ap_push(f, &it, err) < 0)
        return ST_EINPUT;
    it->var = var;
    it->tfi = tfi;
    it->quoted = prev && prev->lit_len && prev->lit[prev->lit_len - 1] == '"';
    snprintf(it->name, sizeof it->name, "%.*s", (int)(p - start < 31 ? p - start : 31), start);
    return 0;
}

int lf_apache_spec(logfmt *f, const char *spec, char *err)
{
    char buf[1024];
    if (ap_unescape(spec, buf, sizeof buf) < 0)
        return st_err(err, ST_EINPUT, "--format: LogFormat longer than %zu bytes", sizeof buf - 1);
    ap_ctx c;
    memset(&c, 0, sizeof c);
    ap_prescan(buf, &c);
    for (const char *p = buf; *p;) {
        int rc = *p == '%' ? (p++, ap_directive(f, &c, &p, err)) : ap_lit(f, *p++, err);
        if (rc < 0)
            return rc;
    }
    int seen_time = 0, seen_req = 0, rt_vars = 0;
    for (size_t i = 0; i < f->nitems; i++) {
        int v = f->items[i].is_lit ? -1 : f->items[i].var;
        seen_time |= v == V_TIME_LOCAL || v == V_TIME_STRF || v == V_EPOCH_S || v == V_EPOCH_MS ||
                     v == V_EPOCH_US;
        seen_req |= v == V_REQUEST || v == V_URI;
        rt_vars += v == V_RT || v == V_RT_MS || v == V_RT_US;
    }
    /* Several request times: keep the most precise one, skip the others. */
    if (rt_vars > 1) {
        int best = V_RT;
        for (size_t i = 0; i < f->nitems; i++)
            if (!f->items[i].is_lit &&
                (f->items[i].var == V_RT_US || (f->items[i].var == V_RT_MS && best == V_RT)))
                best = f->items[i].var;
        int kept = 0;
        for (size_t i = 0; i < f->nitems; i++) {
            lf_item *it = &f->items[i];
            if (!it->is_lit && (it->var == V_RT || it->var == V_RT_MS || it->var == V_RT_US)) {
                if (it->var != best || kept)
                    it->var = V_SKIP;
                else
                    kept = 1;
            }
        }
    }
    f->has_rt = rt_vars > 0;
    if (!seen_time)
        return st_err(err, ST_EINPUT,
                      "--format: an Apache LogFormat needs a time (%%t or %%{...}t)");
    if (!seen_req)
        return st_err(err, ST_EINPUT, "--format: an Apache LogFormat needs %%r or %%U");
    if (c.unknown[0])
        snprintf(f->warn, sizeof f->warn,
                 "--format: unknown directive(s) %s, each matched as one field and ignored",
                 c.unknown);
    return 0;
}
