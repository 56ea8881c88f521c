/*
 * fmt_lb.c -- load-balancer logs with a fixed field order: HAProxy `option httplog` and
 * AWS Application Load Balancer access logs.
 *
 * HAProxy (configuration manual, "8.2.3. HTTP log format"):
 *   [syslog prefix] client_ip:port [accept_date] frontend backend/server TR/Tw/Tc/Tr/Ta
 *   status bytes_read req_cookie res_cookie termination_state actconn/feconn/beconn/srv/retries
 *   srv_queue/backend_queue [{captured request headers}] [{captured response headers}]
 *   "request"
 * The syslog prefix (rfc3164, rfc5424, or none with `format raw`) is skipped by finding the
 * accept date, the only bracket followed by dd/Mon/yyyy. accept_date carries no zone (the
 * host's local time: --tz). The request time is Ta, the total active time in milliseconds
 * (Tt in HAProxy before 1.9 sits in the same place); -1 (aborted) leaves it unknown.
 *
 * ALB (Elastic Load Balancing user guide, "Access log entries"): space-separated, some
 * fields in double quotes:
 *   type time elb client:port target:port request_processing_time target_processing_time
 *   response_processing_time elb_status_code target_status_code received_bytes sent_bytes
 *   "request" "user_agent" ssl_cipher ssl_protocol target_group_arn "trace_id" ...
 *   request_creation_time (field 22) ...
 * `time` is when the response was sent; the request's own time is request_creation_time
 * when the line has it. The request time is the sum of the three processing times; any of
 * them -1 (the target was not reached) leaves it unknown. ALB logs the request URL absolute
 * (`http://host:80/path`): the path is what follows the authority.
 */
#include <string.h>

#include "fmt_internal.h"

/* The next space-separated token from *pp; a token in double quotes may hold spaces and
 * backslash-escaped quotes, and is returned without its quotes. Returns 0 or -1 at end. */
static int lb_tok(const char **pp, const char *end, const char **s, size_t *n)
{
    const char *p = *pp;
    while (p < end && *p == ' ')
        p++;
    if (p >= end)
        return -1;
    if (*p == '"') {
        const char *q = ++p;
        for (;;) {
            q = memchr(q, '"', (size_t)(end - q));
            if (!q)
                return -1;
            if (q[-1] != '\\' || q == p)
                break;
            q++;
        }
        *s = p;
        *n = (size_t)(q - p);
        *pp = q + 1;
        return 0;
    }
    const char *e = memchr(p, ' ', (size_t)(end - p));
    if (!e)
        e = end;
    *s = p;
    *n = (size_t)(e - p);
    *pp = e;
    return 0;
}

/* Finds "[dd/Mon/yyyy:" in the line; returns the '[' or NULL. */
static const char *hap_date(const char *line, const char *end)
{
    for (const char *p = line; p < end; p++) {
        p = memchr(p, '[', (size_t)(end - p));
        if (!p || end - p < 22)
            return NULL;
        if (p[3] == '/' && p[7] == '/' && p[12] == ':' && p[1] >= '0' && p[1] <= '3')
            return p;
    }
    return NULL;
}

int lf_parse_haproxy(logfmt *f, const char *line, size_t len, logrec *r)
{
    const char *end = line + len;
    const char *lb = hap_date(line, end);
    if (!lb)
        return lf_fail(f, LF_BAD_TIME, line, line, "accept_date (no [dd/Mon/yyyy:...])");
    const char *rb = memchr(lb, ']', (size_t)(end - lb));
    if (!rb)
        return lf_fail(f, LF_TRUNCATED, line, lb, "accept_date");
    /* The client address is the word before the date. */
    const char *c = lb;
    while (c > line && c[-1] == ' ')
        c--;
    const char *ce = c;
    while (c > line && c[-1] != ' ')
        c--;
    if (c == ce)
        return lf_fail(f, LF_BAD_FIELD, line, lb, "client_ip:port");
    lf_set(f, r, V_ADDR, -1, c, (size_t)(ce - c));
    if (lf_set(f, r, V_TIME_LOCAL, -1, lb + 1, (size_t)(rb - lb - 1)))
        return lf_fail(f, LF_BAD_TIME, line, lb + 1, "accept_date");
    const char *p = rb + 1, *s;
    size_t n;
    static const char *const names[] = {"frontend_name", "backend_name/server_name",
                                        "TR/Tw/Tc/Tr/Ta", "status_code", "bytes_read"};
    for (int k = 0; k < 5; k++) {
        if (lb_tok(&p, end, &s, &n) < 0)
            return lf_fail(f, LF_TRUNCATED, line, end, names[k]);
        if (k == 2) {
            const char *sl = s + n;
            while (sl > s && sl[-1] != '/')
                sl--;
            if (sl == s)
                return lf_fail(f, LF_BAD_FIELD, line, s, names[k]);
            const char *ta = sl < s + n && *sl == '+' ? sl + 1 : sl; /* option logasap */
            if (lf_set(f, r, V_RT_MS, -1, ta, (size_t)(s + n - ta)))
                return lf_fail(f, LF_BAD_FIELD, line, sl, "Ta");
        } else if (k == 3 && lf_set(f, r, V_STATUS, -1, s, n)) {
            return lf_fail(f, LF_BAD_STATUS, line, s, names[k]);
        } else if (k == 4 &&
                   lf_set(f, r, V_BYTES, -1, s[0] == '+' ? s + 1 : s, s[0] == '+' ? n - 1 : n)) {
            return lf_fail(f, LF_BAD_FIELD, line, s, names[k]);
        }
    }
    /* The request is the last quoted field; captured headers before it may hold quotes. */
    const char *q2 = end;
    while (q2 > p && q2[-1] == ' ')
        q2--;
    if (q2 <= p || q2[-1] != '"')
        return lf_fail(f, LF_TRUNCATED, line, q2, "\"request\"");
    const char *q1 = memchr(p, '"', (size_t)(q2 - 1 - p));
    if (!q1)
        return lf_fail(f, LF_TRUNCATED, line, q2, "\"request\"");
    /* "<BADREQ>" and the like are counted as bad requests. */
    int rc = lf_set(f, r, V_REQUEST, -1, q1 + 1, (size_t)(q2 - 1 - q1 - 1));
    return rc ? lf_fail(f, rc, line, q1 + 1, "\"request\"") : LF_OK;
}

/* Strips scheme://authority from an absolute request URL in place; ALB logs them so. */
static void alb_path(logrec *r)
{
    const char *s = r->path;
    size_t n = r->path_len;
    const char *sch = n > 8 ? memmem(s, n < 10 ? n : 10, "://", 3) : NULL;
    if (!sch)
        return;
    const char *a = sch + 3;
    const char *sl = memchr(a, '/', n - (size_t)(a - s));
    if (!sl) {
        r->path = "/";
        r->path_len = 1;
        return;
    }
    r->path_len = n - (size_t)(sl - s);
    r->path = sl;
}

int lf_parse_alb(logfmt *f, const char *line, size_t len, logrec *r)
{
    const char *end = line + len, *p = line, *s;
    size_t n;
    double pt = 0;
    int rt_known = 1, created = 0;
    /* clang-format off */
    static const char *const names[] = {
        "type", "time", "elb", "client:port", "target:port", "request_processing_time",
        "target_processing_time", "response_processing_time", "elb_status_code",
        "target_status_code", "received_bytes", "sent_bytes", "request", "user_agent",
        "ssl_cipher", "ssl_protocol", "target_group_arn", "trace_id", "domain_name",
        "chosen_cert_arn", "matched_rule_priority", "request_creation_time"};
    /* clang-format on */
    for (int k = 0; k < 22; k++) {
        if (lb_tok(&p, end, &s, &n) < 0) {
            if (k >= 14)
                break; /* older lines end after user_agent */
            return lf_fail(f, LF_TRUNCATED, line, end, names[k]);
        }
        int rc = LF_OK;
        if (k == 1 || k == 21) {
            if (!(k == 21 && n == 1 && s[0] == '-')) {
                rc = lf_set(f, r, V_TIME_ISO, -1, s, n);
                created = k == 21;
            }
        } else if (k == 3) {
            rc = lf_set(f, r, V_ADDR, -1, s, n);
        } else if (k >= 5 && k <= 7) {
            double v;
            int frac;
            if ((n == 2 && s[0] == '-' && s[1] == '1') || lf_decimal(s, n, &v, &frac))
                rt_known = 0;
            else
                pt += v;
        } else if (k == 8) {
            rc = lf_set(f, r, V_STATUS, -1, s, n);
        } else if (k == 11) {
            rc = lf_set(f, r, V_BYTES, -1, s, n);
        } else if (k == 12) {
            rc = lf_set(f, r, V_REQUEST, -1, s, n);
        } else if (k == 13) {
            rc = lf_set(f, r, V_UA, -1, s, n);
        }
        if (rc)
            return lf_fail(f, rc, line, s, names[k]);
    }
    if (rt_known) {
        r->req_time = pt;
        if (!created)
            r->ts -= pt; /* `time` is when the response went out */
    }
    alb_path(r);
    return LF_OK;
}
