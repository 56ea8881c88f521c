/*
 * test_shop_accesslog.c -- the shop's access-log line: nginx combined + $request_time, the
 * escaping of quoted fields, the re-encoding of the decoded path, and the line cap.
 */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "accesslog.h"

/* 2026-11-26 00:55:03 UTC */
#define T_WALL 1795654503000000ull

static const char *combined_re =
    "^[0-9.]+ - - \\[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}\\] "
    "\"[A-Z]+ [^ \"]+ HTTP/1\\.[01]\" [0-9]{3} [0-9]+ \"[^\"]*\" \"[^\"]*\" [0-9]+\\.[0-9]{3}\n$";

static void assert_combined(const char *line)
{
    regex_t re;
    assert_int_equal(regcomp(&re, combined_re, REG_EXTENDED | REG_NOSUB), 0);
    int rc = regexec(&re, line, 0, NULL, 0);
    regfree(&re);
    if (rc != 0)
        fail_msg("not combined + request_time: %s", line);
}

static void test_plain_request(void **state)
{
    (void)state;
    accesslog_entry e = {.remote_addr = "127.0.0.1",
                         .end_wall_us = T_WALL,
                         .method = "GET",
                         .uri = "/categories/7",
                         .query = "page=2",
                         .http_version = "1.1",
                         .status = 200,
                         .body_bytes = 942,
                         .referer = NULL,
                         .user_agent = "curl/7.88.1",
                         .request_time_s = 0.0042};
    char line[ACCESSLOG_LINE_MAX];
    size_t n = accesslog_format(line, sizeof line, &e);
    assert_int_equal(n, strlen(line));
    assert_combined(line);
    assert_non_null(strstr(line, "\"GET /categories/7?page=2 HTTP/1.1\" 200 942 \"-\" "
                                 "\"curl/7.88.1\" 0.004\n"));
    assert_non_null(strstr(line, "/Nov/2026:"));
}

static void test_websocket_line(void **state)
{
    (void)state;
    accesslog_entry e = {.remote_addr = "10.0.0.9",
                         .end_wall_us = T_WALL,
                         .method = "GET",
                         .uri = "/ws/inventory",
                         .query = "product_id=7",
                         .http_version = "1.1",
                         .status = 101,
                         .body_bytes = 41,
                         .referer = "http://shop/p/7",
                         .user_agent = "Python/3.11 websockets/10.4",
                         .request_time_s = 93.25};
    char line[ACCESSLOG_LINE_MAX];
    accesslog_format(line, sizeof line, &e);
    assert_combined(line);
    assert_non_null(strstr(line, "\" 101 41 \"http://shop/p/7\" \"Python/3.11 websockets/10.4\" "
                                 "93.250\n"));
}

static void test_escaping(void **state)
{
    (void)state;
    /* A decoded path with a space and a quote; a user agent with a quote, a backslash, a
     * newline and a UTF-8 byte. */
    accesslog_entry e = {.remote_addr = "127.0.0.1",
                         .end_wall_us = T_WALL,
                         .method = "GET",
                         .uri = "/no where\"?",
                         .query = NULL,
                         .http_version = "1.0",
                         .status = 404,
                         .body_bytes = 0,
                         .referer = "",
                         .user_agent = "a\"b\\c\nd\xc3\xa9",
                         .request_time_s = -1};
    char line[ACCESSLOG_LINE_MAX];
    accesslog_format(line, sizeof line, &e);
    assert_combined(line);
    assert_non_null(strstr(line, "\"GET /no%20where%22%3F HTTP/1.0\" 404 0 \"-\" "
                                 "\"a\\x22b\\x5Cc\\x0Ad\\xC3\\xA9\" 0.000\n"));
}

static void test_line_cap(void **state)
{
    (void)state;
    char *big = malloc(3 * ACCESSLOG_LINE_MAX);
    assert_non_null(big);
    memset(big, 'x', 3 * ACCESSLOG_LINE_MAX - 1);
    big[3 * ACCESSLOG_LINE_MAX - 1] = '\0';
    accesslog_entry e = {.remote_addr = "127.0.0.1",
                         .end_wall_us = T_WALL,
                         .method = "GET",
                         .uri = "/",
                         .query = big,
                         .http_version = "1.1",
                         .status = 414,
                         .body_bytes = 0,
                         .referer = big,
                         .user_agent = big,
                         .request_time_s = 0.001};
    char line[ACCESSLOG_LINE_MAX];
    size_t n = accesslog_format(line, sizeof line, &e);
    assert_true(n < sizeof line);
    /* Truncation shortens fields, never the structure: the line still parses. */
    assert_combined(line);
    free(big);
}

static void test_write_and_close(void **state)
{
    (void)state;
    char path[] = "/tmp/test_shop_accesslog.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    char err[ST_ERRLEN];
    accesslog *log = accesslog_open(path, err);
    assert_non_null(log);
    accesslog_entry e = {.remote_addr = "127.0.0.1",
                         .method = "POST",
                         .uri = "/checkout",
                         .http_version = "1.1",
                         .status = 409,
                         .body_bytes = 12,
                         .request_time_s = 0.5};
    assert_int_equal(accesslog_write(log, &e), 0);
    assert_int_equal(accesslog_write(log, &e), 0);
    assert_int_equal(accesslog_errors(log), 0);
    assert_int_equal(accesslog_close(log, err), 0);
    assert_int_equal(accesslog_write(NULL, &e), 0);
    FILE *f = fdopen(fd, "r");
    assert_non_null(f);
    char line[ACCESSLOG_LINE_MAX];
    int lines = 0;
    while (fgets(line, sizeof line, f)) {
        assert_combined(line);
        lines++;
    }
    fclose(f);
    unlink(path);
    assert_int_equal(lines, 2);
    assert_null(accesslog_open("/nonexistent-dir/x/log", err));
    assert_non_null(strstr(err, "No such file"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_request),   cmocka_unit_test(test_websocket_line),
        cmocka_unit_test(test_escaping),        cmocka_unit_test(test_line_cap),
        cmocka_unit_test(test_write_and_close),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
