/*
 * cookiejar.h -- a session's cookies kept between its requests. Easy handles are pooled per
 * worker and shared between sessions, so each session carries its jar (Netscape cookie
 * lines, one malloc'd string) and loads it into the handle before each request.
 */
#ifndef RP_COOKIEJAR_H
#define RP_COOKIEJAR_H

#include <curl/curl.h>

/* Empties the handle's cookie engine and loads jar (NULL or "" = no cookies). The jar's
 * bytes are restored after loading (lines are cut in place). */
void cookiejar_load(CURL *easy, char *jar);
/* Replaces *jar with the handle's cookies; costs an allocation only when the server has set
 * cookies. On ENOMEM the old jar stays. */
void cookiejar_save(char **jar, CURL *easy);

#endif
