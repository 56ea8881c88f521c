/*
 * test_uaclass.c -- unit tests of common/uaclass.c.
 *
 * A table of real-world User-Agent strings (browsers, phones, crawlers, monitors, HTTP
 * libraries) with the class a person would give them; the round trip of every class's example
 * string (replay sends it, the modeler must read the same class back); and the edges (empty,
 * "-", NULL, bytes without a NUL).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "uaclass.h"

static void test_table(void **state)
{
    (void)state;
    static const struct {
        const char *ua;
        enum ua_class want;
    } t[] = {
        {"Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/32.0.1700.107 Safari/537.36",
         UA_DESKTOP},
        {"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:27.0) Gecko/20100101 Firefox/27.0",
         UA_DESKTOP},
        {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.73.11 (KHTML, like Gecko) "
         "Version/7.0.1 Safari/537.73.11",
         UA_DESKTOP},
        {"Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)", UA_DESKTOP},
        {"Opera/9.80 (Windows NT 6.1; U; en) Presto/2.10.229 Version/11.62", UA_DESKTOP},
        {"Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/116.0.0.0 Mobile Safari/537.36",
         UA_MOBILE},
        {"Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
         "Version/16.6 Mobile/15E148 Safari/604.1",
         UA_MOBILE},
        {"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", UA_BOT},
        /* Googlebot's smartphone crawler is a bot first, whatever device it claims. */
        {"Mozilla/5.0 (iPhone; CPU iPhone OS 6_0 like Mac OS X) AppleWebKit/536.26 (KHTML, like "
         "Gecko) Version/6.0 Mobile/10A5376e Safari/8536.25 (compatible; Googlebot/2.1; "
         "+http://www.google.com/bot.html)",
         UA_BOT},
        {"msnbot/2.0b (+http://search.msn.com/msnbot.htm)", UA_BOT},
        {"Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", UA_BOT},
        {"Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
         UA_BOT},
        {"Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)",
         UA_BOT},
        {"Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)", UA_BOT},
        {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "HeadlessChrome/119.0.0.0 Safari/537.36",
         UA_BOT},
        {"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", UA_BOT},
        {"UniversalFeedParser/4.2-pre-314-svn +http://feedparser.org/", UA_BOT},
        {"Tiny Tiny RSS/1.11 (http://tt-rss.org/)", UA_BOT},
        {"curl/8.4.0", UA_SCRIPT},
        {"Wget/1.21.3", UA_SCRIPT},
        {"python-requests/2.31.0", UA_SCRIPT},
        {"Go-http-client/1.1", UA_SCRIPT},
        {"okhttp/4.12.0", UA_SCRIPT},
        {"Apache-HttpClient/4.5.13 (Java/17.0.8)", UA_SCRIPT},
        {"Chef Client/10.18.2 (ruby-1.9.3-p327; ohai-6.16.0; x86_64-linux; +http://opscode.com)",
         UA_SCRIPT},
        {"-", UA_SCRIPT},
        {"", UA_SCRIPT},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        enum ua_class got = ua_classify(t[i].ua, strlen(t[i].ua));
        if (got != t[i].want) {
            print_error("%s: got %s, want %s\n", t[i].ua, ua_class_name(got),
                        ua_class_name(t[i].want));
            fail();
        }
    }
    assert_int_equal(ua_classify(NULL, 0), UA_SCRIPT);
}

/* replay sends ua_class_example(c) for a session of class c; the refit must see class c. */
static void test_round_trip(void **state)
{
    (void)state;
    for (int c = 0; c < UA_NCLASS; c++) {
        const char *ua = ua_class_example((enum ua_class)c);
        assert_non_null(ua);
        assert_true(strlen(ua) > 4);
        assert_int_equal(ua_classify(ua, strlen(ua)), c);
    }
    assert_null(ua_class_example(UA_NCLASS));
    assert_string_equal(ua_class_name(UA_DESKTOP), "desktop");
    assert_string_equal(ua_class_name(UA_MOBILE), "mobile");
    assert_string_equal(ua_class_name(UA_SCRIPT), "script");
    assert_string_equal(ua_class_name(UA_BOT), "bot");
    assert_string_equal(ua_class_name(UA_NCLASS), "unknown");
}

/* Log fields are not NUL-terminated: only len bytes may be read, and a marker cut by len does
 * not count. */
static void test_length_bound(void **state)
{
    (void)state;
    const char *s = "curl/8 Googlebot";
    assert_int_equal(ua_classify(s, 6), UA_SCRIPT);
    assert_int_equal(ua_classify(s, strlen(s)), UA_BOT);
    const char *m = "Mozilla/5.0 (iPhone";
    assert_int_equal(ua_classify(m, strlen(m) - 1), UA_DESKTOP);
    assert_int_equal(ua_classify(m, strlen(m)), UA_MOBILE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_length_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
