/*
 * uaclass.h -- the User-Agent classes a traffic model records: desktop, mobile, script, bot.
 *
 * One home for the rule (STYLE.md habit 13): the modeler classifies each request's User-Agent
 * with ua_classify() (its bot rule is ua_classify() == UA_BOT, and bots stay excluded from
 * every fit); replay sends ua_class_example() for a session of a class, and the modeler maps
 * that string back to the same class, so a closed loop (fit -> replay -> refit) keeps the
 * class shares. Models record shares per class, never raw strings.
 *
 * The rule, in order (first match wins), all substring tests case-insensitive:
 *   bot     crawler, spider, monitor and feed-fetcher markers ("bot", "crawl", "spider",
 *           "slurp", "pingdom", "headlesschrome", "facebookexternalhit", "feedfetcher", ...);
 *   mobile  a browser string with a handheld marker ("mobile", "android", "iphone", "ipad",
 *           "ipod", "windows phone", "opera mini", "blackberry");
 *   desktop any other browser string (it starts with "Mozilla/" or "Opera/");
 *   script  everything else: HTTP libraries and command-line clients (curl, wget,
 *           python-requests, Go-http-client, okhttp, ...), and an empty or "-" User-Agent.
 * A script is a real client that the model counts (an API consumer); a bot is not.
 *
 * Pure functions over the bytes given (no NUL needed); no allocation, no state.
 */
#ifndef ST_UACLASS_H
#define ST_UACLASS_H

#include <stddef.h>

enum ua_class { UA_DESKTOP, UA_MOBILE, UA_SCRIPT, UA_BOT, UA_NCLASS };

/* The class of the User-Agent ua[0..len). NULL or len 0 is UA_SCRIPT (no browser sends none). */
enum ua_class ua_classify(const char *ua, size_t len);
/* "desktop", "mobile", "script", "bot" (the model's keys); "unknown" outside the enum. */
const char *ua_class_name(enum ua_class c);
/* One realistic User-Agent of the class, which ua_classify maps back to c; NULL outside. */
const char *ua_class_example(enum ua_class c);

#endif
