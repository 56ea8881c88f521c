/*
 * ws_hs.h -- the RFC 6455 opening handshake, as pure functions (internal to replay/ws.c).
 *
 * Purpose: everything about the HTTP/1.1 Upgrade exchange that does not touch a socket, so
 * that it can be unit-tested byte for byte: the Sec-WebSocket-Key from 16 nonce bytes, the
 * expected Sec-WebSocket-Accept (RFC 6455 §1.3 and §4.2.2: base64(SHA-1(key + GUID))), the
 * request text, and the validation of the server's response (§4.1, the client's checks
 * 1 to 6).
 *
 * Design: SHA-1 and base64 come from OpenSSL's libcrypto (SHA1, EVP_EncodeBlock), already
 * present as libcurl's TLS backend. Nothing here allocates except ws_hs_build_request, which
 * appends to a caller's capped dbuf.
 *
 * Invariants: keys are 24 base64 characters, accept values 28; buffers named below are sized
 * for them plus the NUL.
 */
#ifndef ST_WS_HS_H
#define ST_WS_HS_H

#include <stddef.h>
#include <stdint.h>

#include "dbuf.h"
#include "st.h"

#define WS_HS_KEY_LEN 24    /* base64 of 16 bytes */
#define WS_HS_ACCEPT_LEN 28 /* base64 of a 20-byte SHA-1 */

/* Writes the base64 of the 16 nonce bytes into key[WS_HS_KEY_LEN + 1]. */
void ws_hs_key(const uint8_t nonce[16], char key[WS_HS_KEY_LEN + 1]);

/* Writes base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")) into
 * out[WS_HS_ACCEPT_LEN + 1]. Returns 0, or ST_EINPUT if key is longer than 64 bytes. */
int ws_hs_accept(const char *key, char out[WS_HS_ACCEPT_LEN + 1]);

/* Appends the GET Upgrade request to req. path_query is the request target ("/" if empty),
 * host the Host header value, subprotocol NULL or "" for none, headers NULL or a
 * NULL-terminated list of "Name: value" lines (each checked for CR/LF). Returns 0,
 * ST_EINPUT (a header with CR or LF, or without a colon), or the dbuf error. */
int ws_hs_build_request(dbuf *req, const char *path_query, const char *host, const char *key,
                        const char *subprotocol, const char *const *headers, char *err);

/* Checks a (possibly partial) response in buf[0..len). Returns 1 when the header block is not
 * complete yet (no CRLFCRLF), 0 when it is complete and valid, with *hdr_len = the bytes of the
 * header block including the final CRLFCRLF (bytes after it are WebSocket frames), or
 * ST_EINPUT with err naming what is wrong: a status other than 101, a missing or wrong
 * Upgrade / Connection / Sec-WebSocket-Accept, an extension we did not offer, or a subprotocol
 * other than the one requested. expect_accept is from ws_hs_accept; subprotocol NULL or "" if
 * none was requested. */
int ws_hs_check_response(const char *buf, size_t len, const char *expect_accept,
                         const char *subprotocol, size_t *hdr_len, char *err);

#endif
