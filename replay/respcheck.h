/*
 * respcheck.h -- per-route response checks and captures (docs/formats/scenario.md).
 *
 * Given a finished response (status, the raw header block and the body, both captured only
 * for routes that need them), evaluates the route's checks and stores its captures into the
 * session's variables. JSON is parsed only for routes with a JSON capture or check.
 */
#ifndef RP_RESPCHECK_H
#define RP_RESPCHECK_H

#include <jansson.h>

#include "scenario.h"

/* Returns 1 when every check holds (or the route has none), 0 when one fails. Captures that
 * find nothing leave the variable unset. */
int respcheck_apply(const sc_route *r, long status, const char *hdrs, size_t hlen, const char *body,
                    size_t blen, tmpl_vars *vars);
/* RFC 6901 JSON pointer lookup; NULL when absent. Borrowed reference. */
json_t *respcheck_pointer(json_t *root, const char *ptr);

#endif
