/*
 * ws_hs.c -- RFC 6455 opening handshake helpers (see ws_hs.h).
 *
 * The response parser is deliberately strict about what RFC 6455 §4.1 requires of the server
 * and lenient about everything else (unknown headers, header-name case, optional whitespace
 * around values, RFC 7230 §3.2.4), because the servers we talk to are not ours.
 */
#include "ws_hs.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <string.h>
#include <strings.h>

/* RFC 6455 §1.3: the GUID appended to the key before hashing. */
static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

void ws_hs_key(const uint8_t nonce[16], char key[WS_HS_KEY_LEN + 1])
{
    EVP_EncodeBlock((unsigned char *)key, nonce, 16);
    key[WS_HS_KEY_LEN] = '\0';
}

int ws_hs_accept(const char *key, char out[WS_HS_ACCEPT_LEN + 1])
{
    char buf[64 + sizeof ws_guid];
    size_t kl = strlen(key);
    if (kl > 64)
        return ST_EINPUT;
    memcpy(buf, key, kl);
    memcpy(buf + kl, ws_guid, sizeof ws_guid - 1);
    unsigned char md[SHA_DIGEST_LENGTH];
    SHA1((const unsigned char *)buf, kl + sizeof ws_guid - 1, md);
    EVP_EncodeBlock((unsigned char *)out, md, SHA_DIGEST_LENGTH);
    out[WS_HS_ACCEPT_LEN] = '\0';
    return 0;
}

int ws_hs_build_request(dbuf *req, const char *path_query, const char *host, const char *key,
                        const char *subprotocol, const char *const *headers, char *err)
{
    if (!path_query || !*path_query)
        path_query = "/";
    int rc = dbuf_printf(req,
                         "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
                         "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                         "Sec-WebSocket-Version: 13\r\n",
                         path_query, host, key);
    if (rc == 0 && subprotocol && *subprotocol) {
        if (strpbrk(subprotocol, "\r\n"))
            return st_err(err, ST_EINPUT, "websocket subprotocol contains CR or LF");
        rc = dbuf_printf(req, "Sec-WebSocket-Protocol: %s\r\n", subprotocol);
    }
    for (size_t i = 0; rc == 0 && headers && headers[i]; i++) {
        if (strpbrk(headers[i], "\r\n") || !strchr(headers[i], ':'))
            return st_err(err, ST_EINPUT, "websocket header %zu: expected one \"Name: value\" line",
                          i);
        rc = dbuf_printf(req, "%s\r\n", headers[i]);
    }
    if (rc == 0)
        rc = dbuf_adds(req, "\r\n");
    if (rc)
        return st_err(err, rc, "websocket request: %s",
                      rc == ST_ELIMIT ? "longer than its buffer cap" : "out of memory");
    return 0;
}

/* Is tok one of the comma-separated tokens of v[0..n) (case-insensitive, OWS trimmed)? */
static int has_token(const char *v, size_t n, const char *tok)
{
    size_t tl = strlen(tok), i = 0;
    while (i < n) {
        size_t s = i;
        while (i < n && v[i] != ',')
            i++;
        size_t e = i;
        while (s < e && (v[s] == ' ' || v[s] == '\t'))
            s++;
        while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
            e--;
        if (e - s == tl && strncasecmp(v + s, tok, tl) == 0)
            return 1;
        i++;
    }
    return 0;
}

static int value_is(const char *v, size_t n, const char *want, int nocase)
{
    size_t wl = strlen(want);
    if (n != wl)
        return 0;
    return nocase ? strncasecmp(v, want, n) == 0 : memcmp(v, want, n) == 0;
}

int ws_hs_check_response(const char *buf, size_t len, const char *expect_accept,
                         const char *subprotocol, size_t *hdr_len, char *err)
{
    const char *end = memmem(buf, len, "\r\n\r\n", 4);
    if (!end)
        return 1;
    *hdr_len = (size_t)(end - buf) + 4;

    /* Status line: "HTTP/1.x 101 ..." (RFC 6455 §4.1, check 1). */
    const char *eol = memmem(buf, (size_t)(end - buf) + 2, "\r\n", 2);
    if ((size_t)(eol - buf) < 12 || memcmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ')
        return st_err(err, ST_EINPUT, "websocket handshake: malformed HTTP status line");
    int status = 0;
    for (int i = 9; i < 12; i++) {
        if (buf[i] < '0' || buf[i] > '9')
            return st_err(err, ST_EINPUT, "websocket handshake: malformed HTTP status line");
        status = status * 10 + (buf[i] - '0');
    }
    if (status != 101)
        return st_err(err, ST_EINPUT, "websocket handshake: server answered HTTP %d instead of 101",
                      status);

    int upgrade = 0, connection = 0, accept = 0;
    const char *line = eol + 2;
    while (line < end + 2) {
        const char *le = memmem(line, (size_t)(end + 2 - line), "\r\n", 2);
        const char *colon = memchr(line, ':', (size_t)(le - line));
        if (!colon)
            return st_err(err, ST_EINPUT, "websocket handshake: malformed response header");
        size_t nl = (size_t)(colon - line);
        const char *v = colon + 1, *ve = le;
        while (v < ve && (*v == ' ' || *v == '\t'))
            v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        size_t vl = (size_t)(ve - v);
#define HNAME(s) (nl == sizeof(s) - 1 && strncasecmp(line, s, nl) == 0)
        if (HNAME("Upgrade")) {
            upgrade = value_is(v, vl, "websocket", 1);
        } else if (HNAME("Connection")) {
            connection = has_token(v, vl, "upgrade");
        } else if (HNAME("Sec-WebSocket-Accept")) {
            if (!value_is(v, vl, expect_accept, 0))
                return st_err(err, ST_EINPUT,
                              "websocket handshake: Sec-WebSocket-Accept '%.*s' does not "
                              "match the key (expected '%s')",
                              (int)(vl > 40 ? 40 : vl), v, expect_accept);
            accept = 1;
        } else if (HNAME("Sec-WebSocket-Extensions")) {
            if (vl)
                return st_err(err, ST_EINPUT,
                              "websocket handshake: server chose extension '%.*s', which we "
                              "did not offer",
                              (int)(vl > 40 ? 40 : vl), v);
        } else if (HNAME("Sec-WebSocket-Protocol")) {
            if (!subprotocol || !*subprotocol || !value_is(v, vl, subprotocol, 0))
                return st_err(err, ST_EINPUT,
                              "websocket handshake: server chose subprotocol '%.*s', which we "
                              "did not request",
                              (int)(vl > 40 ? 40 : vl), v);
        }
#undef HNAME
        line = le + 2;
    }
    if (!upgrade)
        return st_err(err, ST_EINPUT, "websocket handshake: missing 'Upgrade: websocket'");
    if (!connection)
        return st_err(err, ST_EINPUT, "websocket handshake: missing 'Connection: Upgrade'");
    if (!accept)
        return st_err(err, ST_EINPUT, "websocket handshake: missing Sec-WebSocket-Accept");
    return 0;
}
