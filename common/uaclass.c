/*
 * uaclass.c -- User-Agent classification (see uaclass.h for the rule and why it is ordered).
 *
 * Patterns are lowercase and matched case-insensitively, so "Googlebot", "bingbot" and
 * "YandexBot" are one pattern. A User-Agent is a few hundred bytes at most in practice; the
 * naive scan is O(len x pattern) and allocation-free, which is all a per-line check can afford.
 */
#include "uaclass.h"

#include <ctype.h>
#include <string.h>

/* Markers of automated agents that are not people: crawlers, uptime monitors, link
 * previewers, feed fetchers and headless browsers. */
/* clang-format off */
static const char *const bot_pats[] = {
    "bot",         "crawl",       "spider",         "slurp",    "pingdom",
    "monitor",     "uptime",      "headlesschrome", "phantomjs", "facebookexternalhit",
    "feedfetcher", "feedburner",  "feedparser",     "rss",      "archiver",
    "lighthouse",  "preview",     NULL};
/* clang-format on */

/* Handheld markers inside browser strings. */
/* clang-format off */
static const char *const mobile_pats[] = {"mobile",   "android",       "iphone",
                                          "ipad",     "ipod",          "windows phone",
                                          "opera mini", "blackberry",  NULL};
/* clang-format on */

/* Returns 1 when the lowercase pattern p occurs in s[0..n) ignoring ASCII case. */
static int contains_ci(const char *s, size_t n, const char *p)
{
    size_t m = strlen(p);
    if (m == 0 || m > n)
        return 0;
    for (size_t i = 0; i + m <= n; i++) {
        size_t j = 0;
        while (j < m && tolower((unsigned char)s[i + j]) == (unsigned char)p[j])
            j++;
        if (j == m)
            return 1;
    }
    return 0;
}

static int any_ci(const char *s, size_t n, const char *const *pats)
{
    for (int i = 0; pats[i]; i++)
        if (contains_ci(s, n, pats[i]))
            return 1;
    return 0;
}

static int starts_with(const char *s, size_t n, const char *p)
{
    size_t m = strlen(p);
    return n >= m && memcmp(s, p, m) == 0;
}

enum ua_class ua_classify(const char *ua, size_t len)
{
    if (!ua || len == 0 || (len == 1 && ua[0] == '-'))
        return UA_SCRIPT;
    if (any_ci(ua, len, bot_pats))
        return UA_BOT;
    int browser = starts_with(ua, len, "Mozilla/") || starts_with(ua, len, "Opera/");
    if (!browser)
        return UA_SCRIPT;
    return any_ci(ua, len, mobile_pats) ? UA_MOBILE : UA_DESKTOP;
}

const char *ua_class_name(enum ua_class c)
{
    switch (c) {
    case UA_DESKTOP: return "desktop";
    case UA_MOBILE: return "mobile";
    case UA_SCRIPT: return "script";
    case UA_BOT: return "bot";
    default: return "unknown";
    }
}

const char *ua_class_example(enum ua_class c)
{
    switch (c) {
    case UA_DESKTOP:
        return "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/120.0.0.0 Safari/537.36";
    case UA_MOBILE:
        return "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
               "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";
    case UA_SCRIPT: return "curl/7.88.1";
    case UA_BOT: return "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
    default: return NULL;
    }
}
