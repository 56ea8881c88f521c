/*
 * test_replay_ws.c -- unit tests of replay/ws_hs.h (the opening handshake) and of ws.h's
 * input validation. No network: sockets are exercised in tests/integ/ws_conformance.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dbuf.h"
#include "ws.h"
#include "ws_hs.h"

/* RFC 6455 §1.3's worked example. (A value circulated in our issue notes,
 * "s3pPLMBiTxaQ9kYGJRs0pMZzRGo=", is wrong after byte 12: sha1sum of the key + GUID gives
 * b37a4f2cc0624f1690f64606cf385945b2bec4ea, i.e. the RFC's value; it is tested as a
 * near-miss below.) */
static const char rfc_key[] = "dGhlIHNhbXBsZSBub25jZQ==";
static const char rfc_accept[] = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

static void accept_matches_rfc_example(void **state)
{
    char out[WS_HS_ACCEPT_LEN + 1];
    assert_int_equal(ws_hs_accept(rfc_key, out), 0);
    assert_string_equal(out, rfc_accept);
}

static void key_is_base64_of_nonce(void **state)
{
    /* "the sample nonce" is the 16 bytes behind the RFC's example key. */
    char key[WS_HS_KEY_LEN + 1];
    ws_hs_key((const uint8_t *)"the sample nonce", key);
    assert_string_equal(key, rfc_key);
}

static const char good[] = "HTTP/1.1 101 Switching Protocols\r\n"
                           "upgrade: WebSocket\r\n"
                           "Connection: keep-alive, Upgrade\r\n"
                           "Sec-WebSocket-Accept:   s3pPLMBiTxaQ9kYGzzhZRbK+xOo=  \r\n"
                           "X-Other: 1\r\n"
                           "\r\n";

static void response_valid_and_tail_offset(void **state)
{
    char buf[512], err[ST_ERRLEN] = "";
    size_t n = strlen(good);
    memcpy(buf, good, n);
    memcpy(buf + n, "\x81\x02hi", 4); /* a frame right after the 101 */
    size_t hl = 0;
    assert_int_equal(ws_hs_check_response(buf, n + 4, rfc_accept, NULL, &hl, err), 0);
    assert_int_equal(hl, n);
}

static void response_partial_needs_more(void **state)
{
    char err[ST_ERRLEN] = "";
    size_t hl = 0;
    for (size_t cut = 0; cut < strlen(good); cut++)
        assert_int_equal(ws_hs_check_response(good, cut, rfc_accept, NULL, &hl, err), 1);
}

static int check(const char *resp, const char *sub, char *err)
{
    size_t hl;
    return ws_hs_check_response(resp, strlen(resp), rfc_accept, sub, &hl, err);
}

static void response_bad_accept_fails(void **state)
{
    char err[ST_ERRLEN] = "";
    assert_int_equal(check("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n",
                           NULL, err),
                     ST_EINPUT);
    assert_non_null(strstr(err, "does not match"));
    /* A near miss (right first 12 bytes) is still wrong. */
    assert_int_equal(check("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGJRs0pMZzRGo=\r\n\r\n",
                           NULL, err),
                     ST_EINPUT);
    /* Case matters for base64: a lower-cased accept is wrong. */
    assert_int_equal(check("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: s3pplmbitxaq9kygzzhzrbk+xoo=\r\n\r\n",
                           NULL, err),
                     ST_EINPUT);
}

static void response_missing_accept_fails(void **state)
{
    char err[ST_ERRLEN] = "";
    assert_int_equal(
        check("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", NULL, err),
        ST_EINPUT);
    assert_non_null(strstr(err, "missing Sec-WebSocket-Accept"));
}

static void response_other_failures(void **state)
{
    char err[ST_ERRLEN] = "";
    assert_int_equal(check("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", NULL, err), ST_EINPUT);
    assert_non_null(strstr(err, "HTTP 200"));
    assert_int_equal(check("HTTP/1.1 101 OK\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
                           NULL, err),
                     ST_EINPUT);
    assert_non_null(strstr(err, "Upgrade: websocket"));
    assert_int_equal(check("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n"
                           "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
                           NULL, err),
                     ST_EINPUT);
    assert_non_null(strstr(err, "Connection: Upgrade"));
    assert_int_equal(check("garbage\r\n\r\n", NULL, err), ST_EINPUT);
    const char *ext = "HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                      "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n";
    assert_int_equal(check(ext, NULL, err), ST_EINPUT);
    assert_non_null(strstr(err, "extension"));
}

static void response_subprotocol_rules(void **state)
{
    char err[ST_ERRLEN] = "";
    const char *chat = "HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                       "Sec-WebSocket-Protocol: chat\r\n\r\n";
    assert_int_equal(check(chat, "chat", err), 0);
    assert_int_equal(check(chat, NULL, err), ST_EINPUT);    /* not requested */
    assert_int_equal(check(chat, "other", err), ST_EINPUT); /* not what we asked for */
    assert_int_equal(check(good, "chat", err), 0);          /* server may decline (§4.1) */
}

static void request_text(void **state)
{
    dbuf b;
    dbuf_init(&b, 4096);
    char err[ST_ERRLEN] = "";
    const char *hdrs[] = {"Cookie: a=b", NULL};
    assert_int_equal(
        ws_hs_build_request(&b, "/ws/inventory?x=1", "127.0.0.1:8080", rfc_key, "chat", hdrs, err),
        0);
    assert_string_equal(b.p, "GET /ws/inventory?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
                             "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                             "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat\r\n"
                             "Cookie: a=b\r\n\r\n");
    dbuf_reset(&b);
    const char *bad[] = {"X: a\r\nInjected: 1", NULL};
    assert_int_equal(ws_hs_build_request(&b, "/", "h", rfc_key, NULL, bad, err), ST_EINPUT);
    dbuf_free(&b);
}

static void conn_new_validates(void **state)
{
    char err[ST_ERRLEN] = "";
    ws_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "http://127.0.0.1/";
    assert_null(ws_conn_new(&cfg, err));
    assert_non_null(strstr(err, "ws:// or wss://"));
    cfg.url = "ws://";
    assert_null(ws_conn_new(&cfg, err));
    const char *bad[] = {"NoColon", NULL};
    cfg.url = "ws://127.0.0.1:9/x";
    cfg.headers = bad;
    assert_null(ws_conn_new(&cfg, err));
    cfg.headers = NULL;
    ws_conn *c = ws_conn_new(&cfg, err);
    assert_non_null(c);
    assert_int_equal(ws_conn_state(c), WS_CONNECTING);
    assert_int_equal(ws_conn_fd(c), -1);
    assert_int_equal(ws_conn_send(c, 0, "x", 1), ST_EINPUT);   /* not open yet */
    assert_int_equal(ws_conn_close(c, 1006, NULL), ST_EINPUT); /* reserved code */
    ws_conn_free(c);
    ws_conn_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accept_matches_rfc_example),
        cmocka_unit_test(key_is_base64_of_nonce),
        cmocka_unit_test(response_valid_and_tail_offset),
        cmocka_unit_test(response_partial_needs_more),
        cmocka_unit_test(response_bad_accept_fails),
        cmocka_unit_test(response_missing_accept_fails),
        cmocka_unit_test(response_other_failures),
        cmocka_unit_test(response_subprotocol_rules),
        cmocka_unit_test(request_text),
        cmocka_unit_test(conn_new_validates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
