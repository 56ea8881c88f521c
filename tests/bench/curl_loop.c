/*
 * curl_loop.c -- the bare libcurl multi loop that replay is measured against
 * (tests/bench/replay_vs_wrk.sh builds and runs it; it is a benchmark peer, not a tool).
 *
 * What it does: N reused easy handles GET one URL over keep-alive, back to back, on one
 * thread with curl_multi_perform + curl_multi_poll, until COUNT requests are done or SECS
 * seconds have passed. It carries only the settings any efficient libcurl client uses
 * (CURLOPT_NOSIGNAL, no proxy lookup, a discarding write callback) and the one header replay
 * sends by default (a W3C traceparent with a new span per request: libcurl 7.88 formats a
 * custom header byte by byte, ~7k instructions a request, so a loop without it would charge
 * libcurl's cost to replay), and nothing of replay's modelling or measurement, so replay's
 * instructions per request minus this loop's are what replay adds on top of libcurl.
 * With CURL_LOOP_CURLU=1 in the environment the URL is handed over parsed (CURLOPT_CURLU),
 * as replay does: libcurl 7.88 otherwise parses a string URL again at every transfer.
 * Usage: curl_loop URL CONNECTIONS COUNT [SECS]   (COUNT 0 = no count limit; prints
 * "requests N errors E").
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static size_t discard(char *p, size_t sz, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return sz * n;
}

/* "traceparent: 00-<32 hex>-<16 hex>-01", one row per handle; the span is rewritten in place
 * before each request (libcurl reads the list when the request goes out). */
#define TP_LEN 68
static void tp_span(char *row, unsigned long long v)
{
    static const char d[] = "0123456789abcdef";
    for (int i = 15; i >= 0; i--, v >>= 4)
        row[49 + i] = d[v & 15];
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long arg_long(const char *s, const char *what)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == 0 || *end != 0 || v < 0) {
        fprintf(stderr, "curl_loop: %s: expected a non-negative integer, got '%s'\n", what, s);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: curl_loop URL CONNECTIONS COUNT [SECS]\n"
                        "example: curl_loop http://127.0.0.1:8080/index.html 50 20000\n");
        return 2;
    }
    long n = arg_long(argv[2], "CONNECTIONS"), count = arg_long(argv[3], "COUNT");
    double secs = argc == 5 ? (double)arg_long(argv[4], "SECS") : 0;
    if (n < 1 || n > 10000 || (count == 0 && secs == 0)) {
        fprintf(stderr, "curl_loop: CONNECTIONS must be 1..10000, and COUNT or SECS set\n");
        return 2;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 3;
    CURLM *m = curl_multi_init();
    CURL **e = calloc((size_t)n, sizeof *e);
    struct curl_slist *tp = calloc((size_t)n, sizeof *tp);
    char *rows = calloc((size_t)n, TP_LEN + 1);
    if (!m || !e || !tp || !rows)
        return 3;
    curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, n);
    const char *cu = getenv("CURL_LOOP_CURLU");
    CURLU *uh = NULL;
    if (cu && !strcmp(cu, "1") &&
        (!(uh = curl_url()) || curl_url_set(uh, CURLUPART_URL, argv[1], 0) != CURLUE_OK)) {
        fprintf(stderr, "curl_loop: cannot parse URL %s\n", argv[1]);
        return 2;
    }
    long started = 0, done = 0, errors = 0;
    for (long i = 0; i < n; i++) {
        if (!(e[i] = curl_easy_init()))
            return 3;
        if (uh)
            curl_easy_setopt(e[i], CURLOPT_CURLU, uh);
        else
            curl_easy_setopt(e[i], CURLOPT_URL, argv[1]);
        curl_easy_setopt(e[i], CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e[i], CURLOPT_PROXY, "");
        curl_easy_setopt(e[i], CURLOPT_WRITEFUNCTION, discard);
        tp[i].data = rows + (size_t)i * (TP_LEN + 1);
        memcpy(tp[i].data, "traceparent: 00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",
               TP_LEN + 1);
        curl_easy_setopt(e[i], CURLOPT_HTTPHEADER, &tp[i]);
        curl_easy_setopt(e[i], CURLOPT_PRIVATE, tp[i].data);
        if (count == 0 || started < count) {
            tp_span(tp[i].data, (unsigned long long)started + 1);
            curl_multi_add_handle(m, e[i]);
            started++;
        }
    }
    double end = secs > 0 ? now_s() + secs : 0;
    int running = 1;
    while (running || (count == 0 || started < count)) {
        if (curl_multi_perform(m, &running) != CURLM_OK)
            return 3;
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(m, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            CURL *h = msg->easy_handle;
            done++;
            errors += msg->data.result != CURLE_OK;
            curl_multi_remove_handle(m, h);
            if ((count == 0 || started < count) && (end == 0 || now_s() < end)) {
                char *row;
                curl_easy_getinfo(h, CURLINFO_PRIVATE, &row);
                tp_span(row, (unsigned long long)started + 1);
                curl_multi_add_handle(m, h);
                started++;
                running = 1;
            }
        }
        if (end > 0 && now_s() >= end)
            count = started; /* no more starts: drain what is in flight */
        if (!running && count && started >= count)
            break;
        if (curl_multi_poll(m, NULL, 0, 100, NULL) != CURLM_OK)
            return 3;
    }
    printf("requests %ld errors %ld\n", done, errors);
    for (long i = 0; i < n; i++) {
        curl_multi_remove_handle(m, e[i]);
        curl_easy_cleanup(e[i]);
    }
    free(e);
    free(tp);
    free(rows);
    curl_multi_cleanup(m);
    curl_global_cleanup();
    return errors ? 1 : 0;
}
