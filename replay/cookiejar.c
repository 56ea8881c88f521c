/*
 * cookiejar.c -- per-session cookie jars over pooled easy handles (see cookiejar.h).
 */
#include "cookiejar.h"

#include <stdlib.h>
#include <string.h>

void cookiejar_init(cookiejar *j)
{
    memset(j, 0, sizeof *j);
}

void cookiejar_term(cookiejar *j)
{
    free(j->text);
    memset(j, 0, sizeof *j);
}

void cookiejar_reset(cookiejar *j, uint64_t id)
{
    if (j->text)
        j->text[0] = 0;
    j->id = id;
}

void cookiejar_load(CURL *easy, cookiejar *j)
{
    curl_easy_setopt(easy, CURLOPT_COOKIELIST, "ALL");
    for (char *c = j->text, *nl; c && *c; c = nl ? nl + 1 : c + strlen(c)) {
        nl = strchr(c, '\n');
        if (nl)
            *nl = 0; /* one line per setopt: cut in place and restore */
        curl_easy_setopt(easy, CURLOPT_COOKIELIST, c);
        if (nl)
            *nl = '\n';
    }
}

int cookiejar_save(cookiejar *j, CURL *easy, uint64_t id)
{
    struct curl_slist *list = NULL, *c;
    size_t n = 1, off = 0;
    if (curl_easy_getinfo(easy, CURLINFO_COOKIELIST, &list) != CURLE_OK)
        return -1;
    for (c = list; c; c = c->next)
        n += strlen(c->data) + 1;
    if (n > j->cap) {
        char *t = realloc(j->text, n);
        if (!t) {
            curl_slist_free_all(list);
            return -1;
        }
        j->text = t;
        j->cap = n;
    }
    for (c = list; c; c = c->next) {
        size_t l = strlen(c->data);
        memcpy(j->text + off, c->data, l);
        j->text[off + l] = '\n';
        off += l + 1;
    }
    j->text[off] = 0;
    j->id = id;
    curl_slist_free_all(list);
    return 0;
}
