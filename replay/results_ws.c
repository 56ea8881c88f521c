/*
 * results_ws.c -- WebSocket results and probe columns (see results_ws.h).
 */
#include "results_ws.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "units.h"

static json_t *hist_or_null(const hist *h)
{
    return h ? hist_to_json(h) : json_null();
}

json_t *results_ws_json(const metrics *m)
{
    const mx_ws *w = &m->ws;
    json_t *o = json_object(), *hs = json_object(), *ends = json_object(), *closes = json_object();
    char k[16];
    if (!o || !hs || !ends || !closes) {
        json_decref(o);
        json_decref(hs);
        json_decref(ends);
        json_decref(closes);
        return NULL;
    }
    for (int i = 0; i < MX_WS_STATUS; i++)
        if (w->hs_status[i]) {
            snprintf(k, sizeof k, "%d", i);
            json_object_set_new(hs, k, json_integer((json_int_t)w->hs_status[i]));
        }
    for (int i = 0; i < WSF_N; i++)
        json_object_set_new(hs, mx_ws_hsfail_names[i], json_integer((json_int_t)w->hs_kind[i]));
    for (int i = 0; i < WSE_N; i++)
        json_object_set_new(ends, mx_ws_end_names[i], json_integer((json_int_t)w->ends[i]));
    for (int i = 0; i < MX_WS_CODES && w->close_code[i]; i++) {
        snprintf(k, sizeof k, "%u", w->close_code[i]);
        json_object_set_new(closes, k, json_integer((json_int_t)w->close_n[i]));
    }
    if (w->close_other)
        json_object_set_new(closes, "other", json_integer((json_int_t)w->close_other));
    json_object_set_new(o, "planned", json_integer((json_int_t)w->planned));
    json_object_set_new(o, "attempts", json_integer((json_int_t)w->attempts));
    json_object_set_new(o, "opened", json_integer((json_int_t)w->opened));
    json_object_set_new(o, "reconnects", json_integer((json_int_t)w->reconnects));
    json_object_set_new(o, "handshake_failed", json_integer((json_int_t)w->hs_failed));
    json_object_set_new(o, "aborted", json_integer((json_int_t)w->aborted));
    json_object_set_new(o, "errors", json_integer((json_int_t)w->errors));
    json_object_set_new(o, "messages_in", json_integer((json_int_t)w->msgs_in));
    json_object_set_new(o, "messages_out", json_integer((json_int_t)w->msgs_out));
    json_object_set_new(o, "bytes_in", json_integer((json_int_t)w->bytes_in));
    json_object_set_new(o, "bytes_out", json_integer((json_int_t)w->bytes_out));
    json_object_set_new(o, "pushes", json_integer((json_int_t)w->pushes));
    json_object_set_new(o, "handshake_failures", hs);
    json_object_set_new(o, "ends", ends);
    json_object_set_new(o, "closes", closes);
    json_object_set_new(o, "handshake", hist_or_null(w->handshake));
    json_object_set_new(o, "push_delay", hist_or_null(w->push_delay));
    return o;
}

void results_ws_second(json_t *o, const mx_second *s)
{
    json_object_set_new(o, "ws_open", json_integer(s->ws_open));
    json_object_set_new(o, "ws_opened", json_integer(s->ws_opened));
    json_object_set_new(o, "ws_messages_in", json_integer(s->ws_msgs_in));
    json_object_set_new(o, "ws_errors", json_integer(s->ws_errors));
}

static void fmt_us(char *b, size_t n, const hist *h, double p)
{
    if (!h || hist_count(h) == 0)
        snprintf(b, n, "-");
    else
        units_fmt_duration(b, n, (double)hist_percentile(h, p) / 1e6);
}

void results_ws_summary(FILE *out, const metrics *m)
{
    const mx_ws *w = &m->ws;
    uint32_t peak = 0;
    char a[32], b[32], c[32], d[32], e[32];
    if (!m->has_ws)
        return;
    for (size_t i = 0; i < m->n_secs; i++)
        if (m->secs[i].ws_open > peak)
            peak = m->secs[i].ws_open;
    fprintf(out,
            "  websocket %" PRIu64 " planned, %" PRIu64 " attempts, %" PRIu64
            " opened (peak %u open), %" PRIu64 " handshake failures",
            w->planned, w->attempts, w->opened, peak, w->hs_failed);
    for (int i = 0; i < MX_WS_STATUS; i++)
        if (w->hs_status[i])
            fprintf(out, " [%d: %" PRIu64 "]", i, w->hs_status[i]);
    fprintf(out, ", %" PRIu64 " reconnects, %" PRIu64 " errors\n", w->reconnects, w->errors);
    fmt_us(a, sizeof a, w->handshake, 50);
    fmt_us(b, sizeof b, w->handshake, 95);
    fmt_us(c, sizeof c, w->push_delay, 50);
    fmt_us(d, sizeof d, w->push_delay, 95);
    fmt_us(e, sizeof e, w->push_delay, 100);
    fprintf(out,
            "  ws msgs   %" PRIu64 " in (%" PRIu64 " pushes), %" PRIu64
            " out; handshake p50 %s p95 %s; "
            "push delay p50 %s p95 %s max %s\n",
            w->msgs_in, w->pushes, w->msgs_out, a, b, c, d, e);
    fprintf(out, "  ws ends  ");
    for (int i = 0; i < WSE_N; i++)
        fprintf(out, " %s %" PRIu64 "%s", mx_ws_end_names[i], w->ends[i], i + 1 < WSE_N ? "," : "");
    fprintf(out, "; codes");
    for (int i = 0; i < MX_WS_CODES && w->close_code[i]; i++)
        fprintf(out, " %u:%" PRIu64, w->close_code[i], w->close_n[i]);
    fprintf(out, "\n");
}

int results_db_at(const json_t *db, long long t, double v[5])
{
    static const char *const cols[5] = {"connections", "active", "idle", "idle_in_tx", "waiting"};
    const json_t *s = db ? json_object_get(db, "samples") : NULL,
                 *ts = s ? json_object_get(s, "t") : NULL;
    size_t n = json_array_size(ts), lo = 0, hi = n;
    for (int k = 0; k < 5; k++)
        v[k] = NAN;
    while (lo < hi) { /* t is ascending */
        size_t mid = (lo + hi) / 2;
        long long x = (long long)json_integer_value(json_array_get(ts, mid));
        if (x < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo >= n || json_integer_value(json_array_get(ts, lo)) != t)
        return 0;
    for (int k = 0; k < 5; k++) {
        const json_t *x = json_array_get(json_object_get(s, cols[k]), lo);
        if (json_is_number(x))
            v[k] = json_number_value(x);
    }
    return 1;
}
