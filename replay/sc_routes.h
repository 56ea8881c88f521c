/*
 * sc_routes.h -- the "routes" section of a scenario: request templates, captures, checks
 * (docs/formats/scenario.md). Internal to scenario.c; split out to keep one concern a file.
 */
#ifndef RP_SC_ROUTES_H
#define RP_SC_ROUTES_H

#include "scenario.h"

/* Loads scenario.routes (feeders and the model must be loaded). 0 or ST_EINPUT/ST_ENOMEM. */
int sc_routes_load(scenario *sc, json_t *routes, char *err);
/* Compiles an object of header name -> template value into names/vals. */
int sc_headers_load(scenario *sc, json_t *obj, const char *path, char names[][64], tmpl *vals,
                    size_t *n, char *err);
void sc_routes_term(scenario *sc);

#endif
