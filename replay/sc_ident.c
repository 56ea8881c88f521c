/*
 * sc_ident.c -- model_clock, unmapped, sessions.assets and client identity (see sc_ident.h).
 *
 * A session's client is a pure function of (seed, client key): the address is a uniform
 * host of the range (network and broadcast addresses excluded when the range has more than
 * two), the User-Agent class a draw from the model's class shares. Asset lanes of a page use
 * their session's key, so a server sees one client fetching its page and the page's assets.
 */
#include "sc_ident.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "jsonio.h"
#include "uaclass.h"
#include "units.h"

static const char *const clock_keys[] = {"start", "speed", NULL};
static const char *const cip_keys[] = {"header", "range", NULL};

/* "Fri 18:00", "fri 18", "18:00": the model-clock epoch of that hour in the reference week
 * (Monday 1970-01-05 00:00 UTC is hour 0 of modeler's hour-of-week profile). */
static int parse_start(const char *s, double *out)
{
    static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    int day = 0, h = 0, m = 0, n = 0;
    char d[4] = {0};
    if (strlen(s) >= 4 && s[3] == ' ') {
        for (int i = 0; i < 3; i++)
            d[i] = (char)(s[i] | 0x20);
        for (day = 0; day < 7 && strcmp(days[day], d); day++)
            ;
        if (day == 7)
            return -1;
        s += 4;
    }
    if (sscanf(s, "%2d:%2d%n", &h, &m, &n) != 2 || s[n] || h < 0 || h > 23 || m < 0 || m > 59) {
        n = 0;
        if (sscanf(s, "%2d%n", &h, &n) != 1 || s[n] || h < 0 || h > 23)
            return -1;
        m = 0;
    }
    *out = 4 * 86400.0 + day * 86400.0 + h * 3600.0 + m * 60.0;
    return 0;
}

static int parse_cidr(const char *s, uint32_t *base, uint32_t *n)
{
    unsigned a, b, c, d, bits;
    int k = 0;
    if (sscanf(s, "%3u.%3u.%3u.%3u/%2u%n", &a, &b, &c, &d, &bits, &k) != 5 || s[k] || a > 255 ||
        b > 255 || c > 255 || d > 255 || bits < 8 || bits > 32)
        return -1;
    uint32_t ip = (a << 24) | (b << 16) | (c << 8) | d;
    uint32_t mask = bits == 32 ? 0xffffffffu : ~(0xffffffffu >> bits);
    *base = ip & mask;
    *n = bits == 32 ? 1 : (uint32_t)(0xffffffffu >> bits) + 1; /* /8 is 2^24, fits */
    return 0;
}

static int load_clock(scenario *sc, json_t *root, char *err)
{
    json_t *mc = NULL;
    const char *start = NULL;
    int rc;
    sc->clock_speed = 1;
    if ((rc = jv_object(root, "scenario", "model_clock", 0, &mc, err)) || !mc)
        return rc;
    if ((rc = jv_no_unknown(mc, "scenario.model_clock", clock_keys, err)) ||
        (rc = jv_string(mc, "scenario.model_clock", "start", 1, &start, err)) ||
        (rc = jv_number(mc, "scenario.model_clock", "speed", 0, 1e-3, 1e4, &sc->clock_speed, err)))
        return rc;
    if (parse_start(start, &sc->clock_start))
        return st_err(err, ST_EINPUT,
                      "scenario.model_clock.start: expected a day and hour like "
                      "\"Fri 18:00\" (or \"18:00\"), got \"%.40s\"",
                      start);
    sc->has_clock = 1;
    return 0;
}

/* http.client_ip, http.user_agent and --source-addrs. */
static int load_client(scenario *sc, json_t *root, const sc_overrides *ov, char *err)
{
    static const char *const uas[] = {"fixed", "model", NULL};
    json_t *h = json_object_get(root, "http"), *cip = NULL;
    const char *hdr = NULL, *range = NULL;
    int ua = 0, rc;
    if (!json_is_object(h))
        h = NULL;
    if (h && ((rc = jv_object(h, "scenario.http", "client_ip", 0, &cip, err)) ||
              (rc = jv_enum(h, "scenario.http", "user_agent", 0, uas, &ua, err))))
        return rc;
    sc->ua_model = ua == 1;
    if (cip && ((rc = jv_no_unknown(cip, "scenario.http.client_ip", cip_keys, err)) ||
                (rc = jv_string(cip, "scenario.http.client_ip", "header", 0, &hdr, err)) ||
                (rc = jv_string(cip, "scenario.http.client_ip", "range", 0, &range, err))))
        return rc;
    if (hdr && (!*hdr || strlen(hdr) >= sizeof sc->client_header || strpbrk(hdr, ": \r\n")))
        return st_err(err, ST_EINPUT, "scenario.http.client_ip.header: bad header name");
    if (hdr)
        snprintf(sc->client_header, sizeof sc->client_header, "%s", hdr);
    if (cip && !range)
        range = "10.0.0.0/8";
    if (range && parse_cidr(range, &sc->addr_base, &sc->addr_n))
        return st_err(err, ST_EINPUT,
                      "scenario.http.client_ip.range: expected an IPv4 range like "
                      "10.0.0.0/8 (prefix 8..32), got \"%.40s\"",
                      range);
    if (ov->source_addrs) {
        if (parse_cidr(ov->source_addrs, &sc->addr_base, &sc->addr_n))
            return st_err(err, ST_EINPUT,
                          "--source-addrs: expected an IPv4 range like 127.0.0.0/8 "
                          "(prefix 8..32), got \"%.40s\"",
                          ov->source_addrs);
        sc->bind_source = 1;
    }
    sc->has_addrs = range || ov->source_addrs;
    for (size_t i = 0; sc->ua_model && i < sc->n_headers; i++)
        if (!strcasecmp(sc->header_names[i], "User-Agent"))
            return st_err(err, ST_EINPUT,
                          "scenario.http.user_agent: \"model\" sends the User-Agent; "
                          "remove it from scenario.http.headers");
    if (sc->ua_model) {
        const double *c = sc->m.classes;
        double tot = sc->m.has_classes ? c[MC_DESKTOP] + c[MC_MOBILE] + c[MC_SCRIPT] : 0;
        sc->ua_cdf[0] = tot > 0 ? c[MC_DESKTOP] / tot : 1;
        sc->ua_cdf[1] = tot > 0 ? (c[MC_DESKTOP] + c[MC_MOBILE]) / tot : 1;
        sc->ua_cdf[2] = 1;
    }
    return 0;
}

int sc_ident_load(scenario *sc, json_t *root, const sc_overrides *ov, char *err)
{
    static const char *const unm[] = {"skip", "error", NULL};
    static const char *const assets[] = {"skip", "fetch", NULL};
    json_t *s = json_object_get(root, "sessions");
    int rc;
    if ((rc = load_clock(sc, root, err)) ||
        (rc = jv_enum(root, "scenario", "unmapped", 0, unm, &sc->unmapped_error, err)) ||
        (json_is_object(s) &&
         (rc = jv_enum(s, "scenario.sessions", "assets", 0, assets, &sc->assets_fetch, err))))
        return rc;
    return load_client(sc, root, ov, err);
}

void scenario_client(const scenario *sc, uint64_t key, char *ip, int *ua_class)
{
    /* Once per session (not per request): two short FNV hashes cost nothing here. */
    uint64_t h_addr = rng_stream_id("replay.client.addr"), h_ua = rng_stream_id("replay.client.ua");
    *ip = 0;
    if (sc->has_addrs) {
        uint64_t r = rng_u64(sc->seed, h_addr, key);
        uint32_t a = sc->addr_n > 2 ? sc->addr_base + 1 + (uint32_t)(r % (sc->addr_n - 2))
                                    : sc->addr_base + (uint32_t)(r % sc->addr_n);
        snprintf(ip, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
    }
    double u = (double)(rng_u64(sc->seed, h_ua, key) >> 11) / 9007199254740992.0;
    *ua_class = u < sc->ua_cdf[0] ? UA_DESKTOP : u < sc->ua_cdf[1] ? UA_MOBILE : UA_SCRIPT;
}

void scenario_client_build(const scenario *sc, uint64_t key, sc_client *c)
{
    scenario_client(sc, key, c->ip, &c->ua_class);
    c->iface[0] = c->ip_hdr[0] = c->ua_hdr[0] = 0;
    if (*c->ip && sc->bind_source)
        snprintf(c->iface, sizeof c->iface, "host!%s", c->ip);
    if (*c->ip && sc->client_header[0])
        snprintf(c->ip_hdr, sizeof c->ip_hdr, "%s: %s", sc->client_header, c->ip);
    if (sc->ua_model)
        snprintf(c->ua_hdr, sizeof c->ua_hdr, "User-Agent: %s",
                 ua_class_example((enum ua_class)c->ua_class));
}

void scenario_client_vars(const scenario *sc, const sc_client *c, tmpl_vars *v)
{
    v->client_ip = c && c->ip[0] ? c->ip : NULL;
    v->user_agent = c && sc->ua_model ? ua_class_example((enum ua_class)c->ua_class) : NULL;
}
