/*
 * sc_ident.h -- the scenario keys of the closed loop (docs/formats/scenario.md): model_clock,
 * unmapped, sessions.assets, http.client_ip and http.user_agent, and --source-addrs.
 * Internal to scenario.c; split out to keep one concern a file.
 */
#ifndef RP_SC_IDENT_H
#define RP_SC_IDENT_H

#include "scenario.h"

/* Loads those keys from root (the model must be loaded). 0 or ST_EINPUT naming the field. */
int sc_ident_load(scenario *sc, json_t *root, const sc_overrides *ov, char *err);

#endif
