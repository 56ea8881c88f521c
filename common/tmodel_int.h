/*
 * tmodel_int.h -- what tmodel.c and tmodel_check.c share, so that the two entry points of the
 * traffic-model reader agree on names and on the header. Private to common/.
 */
#ifndef ST_TMODEL_INT_H
#define ST_TMODEL_INT_H

#include <jansson.h>

/* NULL-terminated name lists, in the order of the tmodel.h enums. */
extern const char *const tm_top_keys[];
extern const char *const tm_dist_names[];    /* enum tmodel_dist */
extern const char *const tm_profile_kinds[]; /* enum tmodel_profile */
extern const char *const tm_class_names[];   /* enum tmodel_class */

/* An object with format ST_FMT_MODEL, a version this build reads and only known top-level
 * keys. Returns 0 or ST_EINPUT with err set. */
int tm_check_header(const json_t *root, char *err);

#endif
