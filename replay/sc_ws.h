/*
 * sc_ws.h -- the scenario's `websockets` section (docs/formats/scenario.md, "websockets"):
 * which sessions hold a WebSocket, where it connects, what it says, how long it stays, how
 * it keeps alive and reconnects.
 *
 * Defaults come from the traffic model's `websockets` section (share_of_sessions, the
 * lognormal duration), which sc_ws_load reads from sc->model_path. Errors name the field
 * path (exit 2). Templates are compiled against the scenario's names, so `{$products}` is
 * the product the session is looking at (docs/formats/scenario.md says how it is chosen).
 * Ownership: fills sc->ws; sc_ws_term releases its templates (safe twice).
 */
#ifndef RP_SC_WS_H
#define RP_SC_WS_H

#include <jansson.h>

#include "scenario.h"

/* ws is the section (NULL: no WebSocket sessions). Returns 0, ST_EINPUT or ST_ENOMEM. */
int sc_ws_load(scenario *sc, json_t *ws, char *err);
void sc_ws_term(scenario *sc);

#endif
