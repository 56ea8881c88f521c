/*
 * cookiejar.h -- a session's cookies kept between its requests. Easy handles are pooled per
 * worker and shared between sessions, so each session carries its jar (Netscape cookie
 * lines in a buffer it keeps for its whole life) and the handle is loaded from it only when
 * it holds another jar's cookies.
 *
 * Identity: `id` names one content of one jar (the owner draws a fresh id from its counter
 * when a session starts and whenever the jar's content changes); http.c remembers which id
 * an easy handle's cookie engine holds, so a session that gets the same handle back, or whose
 * server set no cookie, costs no reload. The steady state allocates nothing: the buffer grows
 * only when a response sets more cookie bytes than it ever held.
 * Ownership: cookiejar_init/cookiejar_term on a caller-owned struct.
 */
#ifndef RP_COOKIEJAR_H
#define RP_COOKIEJAR_H

#include <curl/curl.h>
#include <stdint.h>

typedef struct cookiejar {
    char *text;  /* NUL-terminated Netscape lines, or NULL while empty */
    size_t cap;  /* bytes allocated at text */
    uint64_t id; /* the content's identity (never 0 once reset) */
} cookiejar;

void cookiejar_init(cookiejar *j);
void cookiejar_term(cookiejar *j);
/* Empties the jar for a new session, which gets content identity id (the buffer is kept). */
void cookiejar_reset(cookiejar *j, uint64_t id);
/* Empties the handle's cookie engine and loads the jar into it. */
void cookiejar_load(CURL *easy, cookiejar *j);
/* Replaces the jar's content with the handle's cookies, giving it identity id. Returns 0, or
 * -1 when libcurl could not list them or on ENOMEM (then the jar is unchanged). */
int cookiejar_save(cookiejar *j, CURL *easy, uint64_t id);

#endif
