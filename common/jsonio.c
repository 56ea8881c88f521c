/*
 * jsonio.c -- JSON files on jansson with errors a person can act on (see jsonio.h).
 *
 * Design: loading reads the whole file through a capped dbuf (so an oversized file is a
 * clean error, not an allocation storm) and hands the bytes to json_loadb, rejecting
 * duplicate keys because a duplicated key in a hand-written scenario is always a mistake.
 * Saving encodes once and writes through afile, so a reader never sees half a file.
 * Every validator reports one line of the form
 *   PATH.KEY: expected WHAT, got FOUND
 * where FOUND is the offending value, shortened; the messages stay short because they end
 * up in a terminal next to the exit code 2.
 */
#include "jsonio.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "afile.h"
#include "dbuf.h"
#include "units.h"

#define JV_GOT_MAX 40

json_t *jsonio_loads(const char *text, size_t len, const char *name, char *err)
{
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        st_err(err, ST_EINPUT, "%s:%d:%d: %s", name ? name : "<string>", je.line, je.column,
               je.text);
    return root;
}

json_t *jsonio_load(const char *path, char *err)
{
    int is_stdin = strcmp(path, "-") == 0;
    const char *name = is_stdin ? "<stdin>" : path;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        int rc = errno == ENOENT || errno == EISDIR ? ST_EINPUT : ST_EENV;
        st_err(err, rc, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    dbuf b;
    dbuf_init(&b, JSONIO_MAX_BYTES);
    char chunk[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        rc = dbuf_add(&b, chunk, n);
        if (rc)
            break;
    }
    int rerr = ferror(f) ? errno : 0;
    if (!is_stdin)
        fclose(f);
    if (rc == ST_ELIMIT) {
        st_err(err, ST_EINPUT, "%s: file larger than the %u MiB limit", name,
               JSONIO_MAX_BYTES >> 20);
    } else if (rc) {
        st_err(err, rc, "%s: out of memory while reading", name);
    } else if (rerr) {
        rc = rerr == EISDIR ? ST_EINPUT : ST_EENV;
        st_err(err, rc, "%s: read error: %s", name, strerror(rerr));
    }
    json_t *root = NULL;
    if (!rc)
        root = jsonio_loads(b.p ? b.p : "", b.len, name, err);
    dbuf_free(&b);
    return root;
}

int jsonio_save(const char *path, const json_t *root, char *err)
{
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    if (!text)
        return st_err(err, ST_ENOMEM, "%s: cannot encode JSON (out of memory or no value)", path);
    afile af;
    FILE *f = afile_open(&af, path, err);
    if (!f) {
        free(text);
        return ST_EENV;
    }
    /* Errors surface through ferror in afile_commit, which also removes the temporary. */
    fputs(text, f);
    fputc('\n', f);
    free(text);
    return afile_commit(&af, err);
}

char *jsonio_dumps_line(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
}

/* Both builders accept parent == buf (jv_path(b, n, jv_key(b, n, p, "k"), i)) by appending
 * in place: snprintf must not read the buffer it writes (it would print "[i]" alone). */
const char *jv_path(char *buf, size_t n, const char *parent, size_t index)
{
    if (n && parent == buf) {
        size_t len = strnlen(buf, n - 1);
        snprintf(buf + len, n - len, "[%zu]", index);
    } else if (n) {
        snprintf(buf, n, "%s[%zu]", parent ? parent : "", index);
    }
    return buf;
}

const char *jv_key(char *buf, size_t n, const char *parent, const char *key)
{
    if (!n)
        return buf;
    if (parent == buf && *parent) {
        size_t len = strnlen(buf, n - 1);
        snprintf(buf + len, n - len, ".%s", key);
    } else if (!parent || !*parent)
        snprintf(buf, n, "%s", key);
    else
        snprintf(buf, n, "%s.%s", parent, key);
    return buf;
}

/* Describes a JSON value for "got ...": strings quoted and shortened, numbers as written,
 * containers by kind. Returns buf. */
static const char *jv_got(char *buf, size_t n, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING: {
        const char *s = json_string_value(v);
        size_t o = 0;
        buf[o++] = '"';
        size_t i = 0;
        for (; s[i] && i < JV_GOT_MAX && o + 6 < n; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c < 0x20 || c == '"' || c == '\\' || c == 0x7f)
                o += (size_t)snprintf(buf + o, n - o, c == '"' || c == '\\' ? "\\%c" : "\\x%02x",
                                      c);
            else
                buf[o++] = (char)c;
        }
        if (s[i] && o + 5 < n) {
            memcpy(buf + o, "...", 3);
            o += 3;
        }
        buf[o++] = '"';
        buf[o] = '\0';
        break;
    }
    case JSON_INTEGER: snprintf(buf, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v)); break;
    case JSON_REAL: snprintf(buf, n, "%.10g", json_real_value(v)); break;
    case JSON_TRUE: snprintf(buf, n, "true"); break;
    case JSON_FALSE: snprintf(buf, n, "false"); break;
    case JSON_NULL: snprintf(buf, n, "null"); break;
    case JSON_OBJECT: snprintf(buf, n, "an object"); break;
    case JSON_ARRAY: snprintf(buf, n, "an array"); break;
    }
    return buf;
}

/* Writes "PATH.KEY: expected WHAT, got FOUND" and returns ST_EINPUT. */
static int jv_fail(char *err, const char *path, const char *key, const char *what,
                   const json_t *found)
{
    char p[160], got[JV_GOT_MAX * 4 + 16];
    jv_key(p, sizeof p, path, key);
    return st_err(err, ST_EINPUT, "%s: expected %s, got %s", p, what,
                  jv_got(got, sizeof got, found));
}

/* Looks up key in obj. Returns 1 with *v set when present and not null, 0 when absent and
 * optional, ST_EINPUT (err set) when obj is not an object or a required key is absent. */
static int jv_get(const json_t *obj, const char *path, const char *key, int required,
                  const char *what, json_t **v, char *err)
{
    if (!json_is_object(obj)) {
        char got[JV_GOT_MAX * 4 + 16];
        return st_err(err, ST_EINPUT, "%s: expected an object, got %s",
                      path && *path ? path : "(top level)",
                      obj ? jv_got(got, sizeof got, obj) : "nothing");
    }
    json_t *x = json_object_get(obj, key);
    if (!x || json_is_null(x)) {
        if (!required)
            return 0;
        char p[160];
        return st_err(err, ST_EINPUT, "%s: missing; expected %s", jv_key(p, sizeof p, path, key),
                      what);
    }
    *v = x;
    return 1;
}

/* Levenshtein distance, capped: only used to suggest a near-miss for a typo'd key. */
static size_t jv_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 99;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

int jv_no_unknown(const json_t *obj, const char *path, const char *const *allowed, char *err)
{
    if (!json_is_object(obj)) {
        char got[JV_GOT_MAX * 4 + 16];
        return st_err(err, ST_EINPUT, "%s: expected an object, got %s",
                      path && *path ? path : "(top level)",
                      obj ? jv_got(got, sizeof got, obj) : "nothing");
    }
    const char *key;
    json_t *v = NULL; /* -O3 cannot see that jv_get sets it when it returns 1 */
    json_object_foreach((json_t *)obj, key, v) {
        (void)v;
        if (key[0] == '_' || key[0] == '$')
            continue;
        const char *near = NULL;
        size_t near_d = 3; /* suggest only close misses */
        int ok = 0;
        for (size_t i = 0; allowed && allowed[i]; i++) {
            if (strcmp(key, allowed[i]) == 0) {
                ok = 1;
                break;
            }
            size_t d = jv_distance(key, allowed[i]);
            if (d < near_d) {
                near_d = d;
                near = allowed[i];
            }
        }
        if (ok)
            continue;
        char list[160];
        size_t o = 0;
        list[0] = '\0';
        for (size_t i = 0; allowed && allowed[i]; i++) {
            int k = snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", allowed[i]);
            if (k < 0 || (size_t)k >= sizeof list - o) {
                snprintf(list + (o < sizeof list - 5 ? o : sizeof list - 5),
                         sizeof list - (o < sizeof list - 5 ? o : sizeof list - 5), ", ...");
                break;
            }
            o += (size_t)k;
        }
        char p[160], hint[96] = "";
        if (near)
            snprintf(hint, sizeof hint, "did you mean \"%s\"? ", near);
        return st_err(err, ST_EINPUT, "%s: unknown key; %sallowed: %s",
                      jv_key(p, sizeof p, path, key), hint, list[0] ? list : "(none)");
    }
    return 0;
}

/* jv_get plus the value's JSON type (JSON_TRUE stands for either boolean): 1 with *v set
 * when present and of that type, 0 when absent and optional, else ST_EINPUT (err set)
 * naming what was expected. */
static int jv_get_typed(const json_t *obj, const char *path, const char *key, int required,
                        json_type type, const char *what, json_t **v, char *err)
{
    int rc = jv_get(obj, path, key, required, what, v, err);
    if (rc <= 0)
        return rc;
    if (type == JSON_TRUE ? !json_is_boolean(*v) : json_typeof(*v) != type)
        return jv_fail(err, path, key, what, *v);
    return 1;
}

int jv_object(const json_t *obj, const char *path, const char *key, int required, json_t **out,
              char *err)
{
    json_t *v = NULL; /* -O3 cannot see that jv_get sets it when it returns 1 */
    int rc = jv_get_typed(obj, path, key, required, JSON_OBJECT, "an object", &v, err);
    if (rc == 1)
        *out = v;
    return rc < 0 ? rc : 0;
}

int jv_array(const json_t *obj, const char *path, const char *key, int required, json_t **out,
             char *err)
{
    json_t *v = NULL;
    int rc = jv_get_typed(obj, path, key, required, JSON_ARRAY, "an array", &v, err);
    if (rc == 1)
        *out = v;
    return rc < 0 ? rc : 0;
}

int jv_string(const json_t *obj, const char *path, const char *key, int required, const char **out,
              char *err)
{
    json_t *v = NULL;
    int rc = jv_get_typed(obj, path, key, required, JSON_STRING, "a string", &v, err);
    if (rc == 1)
        *out = json_string_value(v);
    return rc < 0 ? rc : 0;
}

int jv_bool(const json_t *obj, const char *path, const char *key, int required, int *out, char *err)
{
    json_t *v = NULL;
    int rc = jv_get_typed(obj, path, key, required, JSON_TRUE, "true or false", &v, err);
    if (rc == 1)
        *out = json_is_true(v);
    return rc < 0 ? rc : 0;
}

/* Describes the range [min, max] for messages: "a number between 0 and 1", "a number >= 0". */
static void jv_range_text(char *buf, size_t n, const char *noun, double min, double max)
{
    if (isinf(min) && isinf(max))
        snprintf(buf, n, "%s", noun);
    else if (isinf(max))
        snprintf(buf, n, "%s >= %.10g", noun, min);
    else if (isinf(min))
        snprintf(buf, n, "%s <= %.10g", noun, max);
    else
        snprintf(buf, n, "%s between %.10g and %.10g", noun, min, max);
}

int jv_number(const json_t *obj, const char *path, const char *key, int required, double min,
              double max, double *out, char *err)
{
    char what[96];
    jv_range_text(what, sizeof what, "a number", min, max);
    json_t *v = NULL; /* -O3 cannot see that jv_get sets it when it returns 1 */
    int rc = jv_get(obj, path, key, required, what, &v, err);
    if (rc <= 0)
        return rc;
    if (!json_is_number(v))
        return jv_fail(err, path, key, what, v);
    double d = json_number_value(v);
    if (!(d >= min && d <= max))
        return jv_fail(err, path, key, what, v);
    *out = d;
    return 0;
}

int jv_int(const json_t *obj, const char *path, const char *key, int required, int64_t min,
           int64_t max, int64_t *out, char *err)
{
    char what[96];
    if (min == INT64_MIN && max == INT64_MAX)
        snprintf(what, sizeof what, "an integer");
    else if (max == INT64_MAX)
        snprintf(what, sizeof what, "an integer >= %lld", (long long)min);
    else if (min == INT64_MIN)
        snprintf(what, sizeof what, "an integer <= %lld", (long long)max);
    else
        snprintf(what, sizeof what, "an integer between %lld and %lld", (long long)min,
                 (long long)max);
    json_t *v = NULL; /* -O3 cannot see that jv_get sets it when it returns 1 */
    int rc = jv_get(obj, path, key, required, what, &v, err);
    if (rc <= 0)
        return rc;
    int64_t i;
    if (json_is_integer(v)) {
        i = (int64_t)json_integer_value(v);
    } else if (json_is_real(v)) {
        /* 3.0 is an integer written loosely; 2.5 and 1e30 are not. */
        double d = json_real_value(v);
        if (d != floor(d) || d < -9.2e18 || d > 9.2e18)
            return jv_fail(err, path, key, what, v);
        i = (int64_t)d;
    } else {
        return jv_fail(err, path, key, what, v);
    }
    if (i < min || i > max)
        return jv_fail(err, path, key, what, v);
    *out = i;
    return 0;
}

/* Shared body of jv_duration / jv_rate / jv_factor: a string through `parse`, or a number.
 * positive=1 requires > 0, else >= 0. */
static int jv_unit(const json_t *obj, const char *path, const char *key, int required,
                   const char *what, int (*parse)(const char *, double *, char *), int positive,
                   double *out, char *err)
{
    json_t *v = NULL; /* -O3 cannot see that jv_get sets it when it returns 1 */
    int rc = jv_get(obj, path, key, required, what, &v, err);
    if (rc <= 0)
        return rc;
    double d;
    if (json_is_string(v)) {
        if (parse(json_string_value(v), &d, NULL) != 0)
            return jv_fail(err, path, key, what, v);
    } else if (json_is_number(v)) {
        d = json_number_value(v);
    } else {
        return jv_fail(err, path, key, what, v);
    }
    if (!isfinite(d) || (positive ? !(d > 0) : !(d >= 0)))
        return jv_fail(err, path, key, what, v);
    *out = d;
    return 0;
}

int jv_duration(const json_t *obj, const char *path, const char *key, int required, double *seconds,
                char *err)
{
    return jv_unit(obj, path, key, required, "a duration like \"90s\"", units_parse_duration, 0,
                   seconds, err);
}

int jv_rate(const json_t *obj, const char *path, const char *key, int required, double *per_sec,
            char *err)
{
    return jv_unit(obj, path, key, required, "a rate like \"800/s\"", units_parse_rate, 0, per_sec,
                   err);
}

int jv_factor(const json_t *obj, const char *path, const char *key, int required, double *out,
              char *err)
{
    return jv_unit(obj, path, key, required, "a factor like \"1.5x\" (> 0)", units_parse_factor, 1,
                   out, err);
}

int jv_enum(const json_t *obj, const char *path, const char *key, int required,
            const char *const *choices, int *out, char *err)
{
    char what[160];
    size_t o = (size_t)snprintf(what, sizeof what, "one of");
    for (size_t i = 0; choices[i] && o < sizeof what; i++)
        o += (size_t)snprintf(what + o, sizeof what - o, "%s \"%s\"", i ? "," : "", choices[i]);
    json_t *v = NULL; /* -O3 cannot see that jv_get sets it when it returns 1 */
    int rc = jv_get(obj, path, key, required, what, &v, err);
    if (rc <= 0)
        return rc;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        for (int i = 0; choices[i]; i++) {
            if (strcmp(s, choices[i]) == 0) {
                *out = i;
                return 0;
            }
        }
    }
    return jv_fail(err, path, key, what, v);
}

int jv_version(const json_t *root, const char *path, int64_t max_supported, int64_t *out, char *err)
{
    int64_t v = 0;
    int rc = jv_int(root, path, "version", 1, 1, INT64_MAX, &v, err);
    if (rc)
        return rc;
    if (v > max_supported) {
        char p[160];
        return st_err(err, ST_EINPUT,
                      "%s: format version %lld is newer than this build reads (1 to %lld); "
                      "upgrade Stampede",
                      jv_key(p, sizeof p, path, "version"), (long long)v, (long long)max_supported);
    }
    *out = v;
    return 0;
}
