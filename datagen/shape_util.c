/*
 * shape_util.c -- the leaf helpers of the shape loader: names and identifiers, SQL type
 * names, timestamps, typed JSON values, weights and column references. They call nothing
 * else of the loader, so shape.c, shape_gen.c and the generator kinds (gk_*.c) all build on
 * them and the loader's files have one direction.
 */
#include "shape_int.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonio.h"

char *sh_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

int sh_ident_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 63 || !(islower((unsigned char)s[0]) || s[0] == '_'))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_'))
            return 0;
    return 1;
}

int shape_table_index(const shape *sh, const char *name)
{
    for (size_t i = 0; i < sh->nt; i++)
        if (!strcmp(sh->t[i].name, name))
            return (int)i;
    return -1;
}

int shape_col_index(const stable *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (!strcmp(t->cols[i].name, name))
            return (int)i;
    return -1;
}

/* Parses "numeric(10,2)", "varchar(40)", ... into ctype/scale/maxlen. */
int sh_parse_type(const char *s, scol *c)
{
    char low[64];
    size_t n = strlen(s);
    if (n >= sizeof low)
        return -1;
    for (size_t i = 0; i <= n; i++)
        low[i] = (char)tolower((unsigned char)s[i]);
    c->scale = 0;
    c->maxlen = 0;
    /* clang-format off */
    static const struct { const char *name; int t; } plain[] = {
        {"smallint", CT_INT2}, {"int2", CT_INT2}, {"integer", CT_INT4}, {"int", CT_INT4},
        {"int4", CT_INT4}, {"bigint", CT_INT8}, {"int8", CT_INT8}, {"real", CT_FLOAT4},
        {"float4", CT_FLOAT4}, {"double precision", CT_FLOAT8}, {"float8", CT_FLOAT8},
        {"boolean", CT_BOOL}, {"bool", CT_BOOL}, {"text", CT_TEXT}, {"date", CT_DATE},
        {"timestamp", CT_TS}, {"timestamp without time zone", CT_TS},
        {"timestamptz", CT_TSTZ}, {"timestamp with time zone", CT_TSTZ}, {"uuid", CT_UUID},
        {"bytea", CT_BYTEA}, {"json", CT_JSON}, {"jsonb", CT_JSON}, {"numeric", CT_NUMERIC},
        {"character varying", CT_TEXT}, {"varchar", CT_TEXT},
    };
    /* clang-format on */
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        if (!strcmp(low, plain[i].name)) {
            c->ctype = plain[i].t;
            if (c->ctype == CT_NUMERIC)
                c->scale = 6;
            return 0;
        }
    int a = 0, b = 0, used = 0;
    if (sscanf(low, "numeric(%d,%d)%n", &a, &b, &used) == 2 && used == (int)n && a > 0 &&
        a <= 1000 && b >= 0 && b <= a) {
        c->ctype = CT_NUMERIC;
        c->scale = b;
        c->maxlen = a;
        return 0;
    }
    used = 0;
    if (sscanf(low, "numeric(%d)%n", &a, &used) == 1 && used == (int)n && a > 0 && a <= 1000) {
        c->ctype = CT_NUMERIC;
        c->maxlen = a;
        return 0;
    }
    const char *vc[] = {"varchar(%d)%n", "character varying(%d)%n", "char(%d)%n", "character(%d)%n",
                        "bpchar(%d)%n"};
    for (size_t i = 0; i < sizeof vc / sizeof vc[0]; i++) {
        used = 0;
        if (sscanf(low, vc[i], &a, &used) == 1 && used == (int)n && a > 0 && a <= 10485760) {
            c->ctype = CT_TEXT;
            c->maxlen = a;
            return 0;
        }
    }
    if (!strncmp(low, "timestamp(", 10) || !strncmp(low, "timestamptz(", 12)) {
        c->ctype = strstr(low, "with time zone") || !strncmp(low, "timestamptz", 11) ? CT_TSTZ
                                                                                     : CT_TS;
        return 0;
    }
    return -1;
}

int sh_parse_time(const char *s, double *out)
{
    int y, mo, d, h = 0, mi = 0, n = 0;
    double sec = 0;
    char rest[32] = "";
    int k = sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n);
    if (k != 3 || mo < 1 || mo > 12 || d < 1 || d > 31)
        return -1;
    const char *p = s + n;
    if (*p == 'T' || *p == ' ') {
        int m = 0;
        if (sscanf(p + 1, "%2d:%2d:%lf%n", &h, &mi, &sec, &m) != 3 || h > 23 || mi > 59 ||
            sec < 0 || sec >= 61)
            return -1;
        p += 1 + m;
    }
    snprintf(rest, sizeof rest, "%s", p);
    if (rest[0] && strcmp(rest, "Z") && strcmp(rest, "+00") && strcmp(rest, "+00:00"))
        return -1;
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    *out = (double)timegm(&tm) + sec;
    return 0;
}

int sh_is_time(int ct)
{
    return ct == CT_DATE || ct == CT_TS || ct == CT_TSTZ;
}

/* A JSON scalar as a value typed for a column of type ct; text is malloc'd. */
int sh_parse_value(json_t *v, int ct, const char *path, gval *out, char *err)
{
    memset(out, 0, sizeof *out);
    if (json_is_null(v)) {
        out->kind = V_NULL;
    } else if (json_is_boolean(v)) {
        out->kind = V_BOOL;
        out->i = json_is_true(v);
    } else if (json_is_integer(v)) {
        out->kind = V_INT;
        out->i = json_integer_value(v);
        out->d = (double)out->i;
    } else if (json_is_real(v)) {
        out->kind = V_NUM;
        out->d = json_real_value(v);
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (sh_is_time(ct)) {
            if (sh_parse_time(s, &out->d))
                return st_err(
                    err, ST_EINPUT,
                    "%s: expected a timestamp like \"2024-01-31\" or \"2024-01-31T12:00:00Z\"",
                    path);
            out->kind = V_NUM;
        } else {
            /* fmt_row_max() budgets 80 bytes for a non-text column; a longer string there
             * (escaped, up to 2n + 2) would overrun the row buffer. */
            int textual = ct == CT_TEXT || ct == CT_JSON || ct == CT_UUID || ct == CT_BYTEA ||
                          ct == CT_OTHER;
            if (!textual && json_string_length(v) > 32)
                return st_err(err, ST_EINPUT,
                              "%s: a string for a non-text column is at most 32 bytes", path);
            out->kind = V_TEXT;
            out->len = json_string_length(v);
            char *c = malloc(out->len + 1);
            if (!c)
                return st_err(err, ST_ENOMEM, "out of memory");
            memcpy(c, s, out->len + 1);
            out->s = c;
        }
    } else {
        return st_err(err, ST_EINPUT, "%s: expected a number, string, boolean or null", path);
    }
    return 0;
}

/* A number or, for time columns, a timestamp string. */
int sh_num_or_time(json_t *o, const char *path, const char *key, int required, int ct, double *out,
                   char *err)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        if (required)
            return st_err(err, ST_EINPUT, "%s.%s: required", path, key);
        return 0;
    }
    if (json_is_string(v) && sh_is_time(ct)) {
        if (sh_parse_time(json_string_value(v), out))
            return st_err(err, ST_EINPUT, "%s.%s: expected a timestamp like \"2024-01-31\"", path,
                          key);
        return 0;
    }
    return jv_number(o, path, key, required, -INFINITY, INFINITY, out, err);
}

int sh_weights(json_t *arr, const char *path, size_t want, double *out, char *err)
{
    if (!json_is_array(arr) || json_array_size(arr) != want)
        return st_err(err, ST_EINPUT, "%s: expected %zu numbers", path, want);
    double sum = 0;
    for (size_t i = 0; i < want; i++) {
        json_t *v = json_array_get(arr, i);
        if (!json_is_number(v) || !(json_number_value(v) >= 0) || !isfinite(json_number_value(v)))
            return st_err(err, ST_EINPUT, "%s[%zu]: expected a number >= 0", path, i);
        out[i] = json_number_value(v);
        sum += out[i];
    }
    if (!(sum > 0))
        return st_err(err, ST_EINPUT, "%s: weights must not all be 0", path);
    return 0;
}

/* Finds column `name` of table ti (or a pseudo-column when allowed). */
int sh_col_ref(const shape *sh, int ti, const char *name, const char *path, int pseudo_ok, int *col,
               int *pseudo, char *err)
{
    *col = -1;
    if (pseudo)
        *pseudo = PS_NONE;
    if (pseudo_ok && name[0] == '$') {
        if (!strcmp(name, "$rank") || !strcmp(name, "$rank_frac")) {
            if (!sh->t[ti].has_pop)
                return st_err(err, ST_EINPUT, "%s: %s needs the table's popularity", path, name);
            *pseudo = name[5] ? PS_RANK_FRAC : PS_RANK;
            return 0;
        }
        if (!strcmp(name, "$row_frac")) {
            *pseudo = PS_ROW_FRAC;
            return 0;
        }
        return st_err(err, ST_EINPUT,
                      "%s: unknown pseudo-column '%s' (use $rank, $rank_frac, $row_frac)", path,
                      name);
    }
    *col = shape_col_index(&sh->t[ti], name);
    if (*col < 0)
        return st_err(err, ST_EINPUT, "%s: no column '%s' in table '%s'", path, name,
                      sh->t[ti].name);
    return 0;
}
