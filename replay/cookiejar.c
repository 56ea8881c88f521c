/*
 * cookiejar.c -- per-session cookie jars over pooled easy handles (see cookiejar.h).
 */
#include "cookiejar.h"

#include <stdlib.h>
#include <string.h>

void cookiejar_load(CURL *easy, char *jar)
{
    curl_easy_setopt(easy, CURLOPT_COOKIELIST, "ALL");
    for (char *c = jar, *nl; c && *c; c = nl ? nl + 1 : c + strlen(c)) {
        nl = strchr(c, '\n');
        if (nl)
            *nl = 0;
        curl_easy_setopt(easy, CURLOPT_COOKIELIST, c);
        if (nl)
            *nl = '\n';
    }
}

void cookiejar_save(char **jar, CURL *easy)
{
    struct curl_slist *list = NULL, *c;
    size_t n = 0;
    if (curl_easy_getinfo(easy, CURLINFO_COOKIELIST, &list) != CURLE_OK || !list)
        return;
    for (c = list; c; c = c->next)
        n += strlen(c->data) + 1;
    char *j = malloc(n + 1);
    if (j) {
        size_t off = 0;
        for (c = list; c; c = c->next) {
            size_t l = strlen(c->data);
            memcpy(j + off, c->data, l);
            j[off + l] = '\n';
            off += l + 1;
        }
        j[off] = 0;
        free(*jar);
        *jar = j;
    }
    curl_slist_free_all(list);
}
