/*
 * sc_http.h -- the scenario's HTTP version settings (`http.version`, `http.require_version`,
 * `http.max_streams`) and its `tls` section (docs/formats/scenario.md, "http" and "tls").
 *
 * Versions: "1.1" (the default), "2" (HTTP/2 negotiated by ALPN over TLS, so it needs an
 * https:// target; a server that only offers 1.1 gets 1.1 unless require_version is set, and
 * then each such request is an error), "h2c" (HTTP/2 over cleartext with prior knowledge,
 * RFC 9113 §3.3, so it needs an http:// target). The pairing with the target's scheme is
 * checked here, after --target has been applied, so a mistake is an input error (exit 2)
 * rather than a run where every request silently used another protocol.
 * TLS paths are relative to the scenario's directory and must be readable files.
 * Ownership: fills fields of the caller's scenario; nothing to free.
 */
#ifndef RP_SC_HTTP_H
#define RP_SC_HTTP_H

#include <jansson.h>

#include "http.h"
#include "scenario.h"

/* h is the scenario's `http` object and tls its `tls` object (either may be NULL); dir is
 * the scenario's directory. Returns 0 or ST_EINPUT with err naming the field path. */
int sc_http_load(scenario *sc, json_t *h, json_t *tls, const char *dir, char *err);
/* The scenario's transport for http_set_transport (pointers into sc). Per-session
 * connections leave the streams per connection to libcurl (a session multiplexes only its
 * own requests); pooled ones take http.max_streams. */
void sc_http_transport(const scenario *sc, http_transport *t);
/* The versions as the scenario spells them, in sc_http_version order, NULL-terminated. */
extern const char *const sc_http_versions[];
/* The version's name as the scenario spells it ("1.1", "2", "h2c"). */
const char *sc_http_version_name(int v);

#endif
