/*
 * extstats_shape.c -- a table's "statistics" in a shape: the extended statistics objects
 * (CREATE STATISTICS) that fill recreates after the load, before its ANALYZE, so that the
 * planner of the synthetic copy has them as production does (docs/formats/shape.md,
 * "Extended statistics"). What the data carries (the dependencies, ndistinct and mcv lists
 * the source's ANALYZE measured) is said by the columns' generators (`dep`, `switch`); the
 * recorded values travel as `_recorded` comments for people and compare.
 */
#include "shape_int.h"

#include <stdlib.h>
#include <string.h>

#include "jsonio.h"

static const char *const stat_kinds[] = {"ndistinct", "dependencies", "mcv", NULL};

/* The kinds as CREATE STATISTICS lists them ("ndistinct, mcv") into k (cap bytes). */
static int parse_kinds(json_t *a, const char *kp, char *k, size_t cap, char *err)
{
    size_t used = 0;
    k[0] = 0;
    if (!json_is_array(a))
        return st_err(err, ST_EINPUT, "%s: expected an array of strings", kp);
    for (size_t i = 0; i < json_array_size(a); i++) {
        const char *s = json_string_value(json_array_get(a, i));
        int ok = 0;
        for (int j = 0; s && stat_kinds[j]; j++)
            ok |= !strcmp(s, stat_kinds[j]);
        if (!ok)
            return st_err(err, ST_EINPUT, "%s[%zu]: expected one of ndistinct, dependencies, mcv",
                          kp, i);
        int w = snprintf(k + used, cap - used, "%s%s", used ? ", " : "", s);
        if (w < 0 || (size_t)w >= cap - used)
            return st_err(err, ST_EINPUT, "%s: too many kinds", kp);
        used += (size_t)w;
    }
    return 0;
}

int sh_parse_statistics(stable *t, json_t *jt, const char *tp, char *err)
{
    char p[300];
    json_t *a = NULL;
    int rc;
    if ((rc = jv_array(jt, tp, "statistics", 0, &a, err)) || !a)
        return rc;
    if (!(t->stats = calloc(json_array_size(a) + 1, sizeof *t->stats)))
        return st_err(err, ST_ENOMEM, "out of memory");
    jv_key(p, sizeof p, tp, "statistics");
    for (size_t i = 0; i < json_array_size(a); i++) {
        static const char *const k[] = {"name", "kinds", "on", NULL};
        char xp[320], kp[340], kinds[64];
        const char *name, *on;
        json_t *jx = json_array_get(a, i), *jk = NULL;
        jv_path(xp, sizeof xp, p, i);
        if (!json_is_object(jx))
            return st_err(err, ST_EINPUT, "%s: expected an object", xp);
        if ((rc = jv_no_unknown(jx, xp, k, err)) ||
            (rc = jv_string(jx, xp, "name", 1, &name, err)) ||
            (rc = jv_string(jx, xp, "on", 1, &on, err)) ||
            (rc = jv_array(jx, xp, "kinds", 0, &jk, err)))
            return rc;
        if (!sh_ident_ok(name))
            return st_err(err, ST_EINPUT, "%s.name: '%s' is not a lowercase SQL identifier", xp,
                          name);
        if (strchr(on, ';') || !on[0])
            return st_err(err, ST_EINPUT, "%s.on: expected column names or expressions, no ';'",
                          xp);
        jv_key(kp, sizeof kp, xp, "kinds");
        kinds[0] = 0;
        if (jk && (rc = parse_kinds(jk, kp, kinds, sizeof kinds, err)))
            return rc;
        sstat *x = &t->stats[t->nstats++];
        if (!(x->name = sh_strdup(name)) || !(x->on = sh_strdup(on)) ||
            !(x->kinds = sh_strdup(kinds)))
            return st_err(err, ST_ENOMEM, "out of memory");
    }
    return 0;
}

void sh_free_statistics(stable *t)
{
    for (size_t i = 0; t->stats && i < t->nstats; i++) {
        free(t->stats[i].name);
        free(t->stats[i].kinds);
        free(t->stats[i].on);
    }
    free(t->stats);
    t->stats = NULL;
    t->nstats = 0;
}
