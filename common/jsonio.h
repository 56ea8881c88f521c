/*
 * jsonio.h -- JSON files on jansson: loading with precise errors, atomic saving, and field
 * validators that name the field path.
 *
 * Loading: jsonio_load() caps the file size (JSONIO_MAX_BYTES) and reports parse errors as
 * "FILE:LINE:COL: message". Saving: jsonio_save() writes through afile (atomic), indented by
 * 2, keys in insertion order, with a trailing newline, so that the same object gives the same
 * bytes.
 *
 * Validation: every jv_* getter takes the JSON path of the containing object (e.g.
 * "scenario.events[1]") and the key; on failure it writes
 *   "scenario.events[1].ramp: expected a duration like \"90s\""
 * into err and returns ST_EINPUT. When `required` is 0 and the key is absent, the getter
 * leaves *out untouched and returns 0 (so callers set defaults first). A JSON null counts as
 * absent. Returned json_t / string pointers are borrowed from the parent object.
 */
#ifndef ST_JSONIO_H
#define ST_JSONIO_H

#include <jansson.h>
#include "st.h"

#define JSONIO_MAX_BYTES (256u * 1024u * 1024u)

/* Returns a new reference or NULL with err set ("-" reads stdin). */
json_t *jsonio_load(const char *path, char *err);
/* Parses a string; `name` is used in error messages in place of a file name. */
json_t *jsonio_loads(const char *text, size_t len, const char *name, char *err);
/* Atomic save ("-" writes stdout). */
int jsonio_save(const char *path, const json_t *root, char *err);
/* Compact one-line encoding into a malloc'd string (for NDJSON). Caller frees. */
char *jsonio_dumps_line(const json_t *v);

/* Builds a child path: jv_path(buf, n, "scenario.events", 1) -> "scenario.events[1]";
 * jv_key(buf, n, "scenario", "target") -> "scenario.target". Truncates safely. parent may
 * be buf itself (the child is appended in place). */
const char *jv_path(char *buf, size_t n, const char *parent, size_t index);
const char *jv_key(char *buf, size_t n, const char *parent, const char *key);

/* Fails if obj has a key not in `allowed` (NULL-terminated): catches typos in files. The
 * message names the unknown key's path and lists the allowed keys. Keys starting with "_" or
 * "$" (comments, $schema) are always allowed. */
int jv_no_unknown(const json_t *obj, const char *path, const char *const *allowed, char *err);

int jv_object(const json_t *obj, const char *path, const char *key, int required, json_t **out,
              char *err);
int jv_array(const json_t *obj, const char *path, const char *key, int required, json_t **out,
             char *err);
int jv_string(const json_t *obj, const char *path, const char *key, int required, const char **out,
              char *err);
int jv_bool(const json_t *obj, const char *path, const char *key, int required, int *out,
            char *err);
/* Numbers: integers and reals both accepted; range [min, max] inclusive (use -INFINITY /
 * INFINITY for open ends). jv_int additionally requires an integral value. */
int jv_number(const json_t *obj, const char *path, const char *key, int required, double min,
              double max, double *out, char *err);
int jv_int(const json_t *obj, const char *path, const char *key, int required, int64_t min,
           int64_t max, int64_t *out, char *err);
/* A duration: a string such as "90s", "2m30s", "250ms", or a number of seconds. >= 0. */
int jv_duration(const json_t *obj, const char *path, const char *key, int required, double *seconds,
                char *err);
/* A rate: "800/s", "50/m", or a number per second. >= 0. */
int jv_rate(const json_t *obj, const char *path, const char *key, int required, double *per_sec,
            char *err);
/* A factor: "1.5x", "150%", or a number. > 0. */
int jv_factor(const json_t *obj, const char *path, const char *key, int required, double *out,
              char *err);
/* One string out of a NULL-terminated list; *out is its index. */
int jv_enum(const json_t *obj, const char *path, const char *key, int required,
            const char *const *choices, int *out, char *err);
/* Format version check: key "version" must be an integer in [1, max_supported]. */
int jv_version(const json_t *root, const char *path, int64_t max_supported, int64_t *out,
               char *err);

#endif
