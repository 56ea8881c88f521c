/*
 * sc_http.c -- HTTP version and TLS settings of a scenario (see sc_http.h).
 */
#include "sc_http.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "jsonio.h"

const char *const sc_http_versions[] = {"1.1", "2", "h2c", NULL};
static const char *const tls_keys[] = {"ca_file", "insecure", "client_cert", "client_key", NULL};

const char *sc_http_version_name(int v)
{
    return v >= 0 && v <= SCHV_H2C ? sc_http_versions[v] : "?";
}

void sc_http_transport(const scenario *sc, http_transport *t)
{
    static const long curl_ver[] = {CURL_HTTP_VERSION_1_1, CURL_HTTP_VERSION_2TLS,
                                    CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE};
    memset(t, 0, sizeof *t);
    t->version = curl_ver[sc->http_version];
    t->multiplex = sc->http_version != SCHV_1_1;
    t->max_streams = t->multiplex && !sc->per_session_conn ? (long)sc->max_streams : 0;
    t->ca_file = sc->tls.ca_file;
    t->client_cert = sc->tls.client_cert;
    t->client_key = sc->tls.client_key;
    t->insecure = sc->tls.insecure;
    if (sc->http_version == SCHV_H2C && http_h2c_reuse_broken())
        t->reuse_version = CURL_HTTP_VERSION_2_0;
}

/* A readable file named by tls.KEY, resolved against the scenario's directory. */
static int tls_file(json_t *tls, const char *dir, const char *key, char *out, size_t n, char *err)
{
    const char *v = NULL;
    int rc = jv_string(tls, "scenario.tls", key, 0, &v, err);
    int w;
    if (rc || !v)
        return rc;
    if (!*v)
        return st_err(err, ST_EINPUT, "scenario.tls.%s: expected a file name", key);
    w = v[0] == '/' ? snprintf(out, n, "%s", v) : snprintf(out, n, "%s/%s", dir, v);
    if (w < 0 || (size_t)w >= n)
        return st_err(err, ST_EINPUT, "scenario.tls.%s: path too long", key);
    if (access(out, R_OK) != 0)
        return st_err(err, ST_EINPUT, "scenario.tls.%s: cannot read '%s'", key, out);
    return 0;
}

int sc_http_load(scenario *sc, json_t *h, json_t *tls, const char *dir, char *err)
{
    int64_t ms = 100;
    int rc;
    sc->http_version = SCHV_1_1;
    sc->require_version = 0;
    memset(&sc->tls, 0, sizeof sc->tls);
    if (h && ((rc = jv_enum(h, "scenario.http", "version", 0, sc_http_versions, &sc->http_version,
                            err)) ||
              (rc = jv_bool(h, "scenario.http", "require_version", 0, &sc->require_version, err)) ||
              (rc = jv_int(h, "scenario.http", "max_streams", 0, 1, 1000, &ms, err))))
        return rc;
    sc->max_streams = (unsigned)ms;
    if (sc->http_version == SCHV_2 && !sc->https)
        return st_err(err, ST_EINPUT,
                      "scenario.http.version: \"2\" is negotiated by ALPN over TLS and "
                      "needs an https:// target (%s); use \"h2c\" for cleartext HTTP/2",
                      sc->target);
    if (sc->http_version == SCHV_H2C && sc->https)
        return st_err(err, ST_EINPUT,
                      "scenario.http.version: \"h2c\" is cleartext HTTP/2 and needs an "
                      "http:// target (%s); use \"2\" over TLS",
                      sc->target);
    /* Pooled transfers do not know whether they will open a connection or reuse one, so the
     * workaround of http_h2c_reuse_broken (ask for 2_0 on a reused connection) cannot apply. */
    if (sc->http_version == SCHV_H2C && !sc->per_session_conn && http_h2c_reuse_broken())
        return st_err(err, ST_EINPUT,
                      "scenario.http.version: \"h2c\" with sessions.connection "
                      "\"pooled\" needs libcurl 8.0 or later (this one, %s, breaks a reused h2c "
                      "connection); use per-session connections or \"2\" over TLS",
                      curl_version_info(CURLVERSION_NOW)->version);
    if (sc->require_version && sc->http_version == SCHV_1_1)
        return st_err(err, ST_EINPUT,
                      "scenario.http.require_version: applies to version \"2\" "
                      "(\"1.1\" is always what it asks for)");
    if (!tls || json_is_null(tls))
        return 0;
    if (!json_is_object(tls))
        return st_err(err, ST_EINPUT, "scenario.tls: expected an object");
    /* Settings that could never apply are an error, not silently unused. */
    if (!sc->https && json_object_size(tls))
        return st_err(err, ST_EINPUT, "scenario.tls: applies to an https:// target only (%s)",
                      sc->target);
    if ((rc = jv_no_unknown(tls, "scenario.tls", tls_keys, err)) ||
        (rc = jv_bool(tls, "scenario.tls", "insecure", 0, &sc->tls.insecure, err)) ||
        (rc = tls_file(tls, dir, "ca_file", sc->tls.ca_file, sizeof sc->tls.ca_file, err)) ||
        (rc = tls_file(tls, dir, "client_cert", sc->tls.client_cert, sizeof sc->tls.client_cert,
                       err)) ||
        (rc = tls_file(tls, dir, "client_key", sc->tls.client_key, sizeof sc->tls.client_key, err)))
        return rc;
    if (sc->tls.client_key[0] && !sc->tls.client_cert[0])
        return st_err(err, ST_EINPUT, "scenario.tls.client_key: needs scenario.tls.client_cert");
    if (sc->tls.insecure && sc->tls.ca_file[0])
        return st_err(err, ST_EINPUT,
                      "scenario.tls.insecure: true skips verification, so ca_file "
                      "would be ignored; give one or the other");
    return 0;
}
