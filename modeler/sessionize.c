/*
 * sessionize.c -- client table, session open/close, think times (see sessionize.h).
 */
#include "sessionize.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SESS_MIN_SLOTS ((size_t)1 << 14)
#define SESS_MAX_SLOTS ((size_t)1 << 23)

int sessionize_init(sessionize *s, double timeout_s, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    s->timeout = timeout_s;
    s->size = SESS_MIN_SLOTS;
    s->max_size = SESS_MAX_SLOTS;
    s->c = calloc(s->size, sizeof *s->c);
    s->arrivals_cap = 1 << 16;
    s->arrivals = malloc(s->arrivals_cap * sizeof *s->arrivals);
    s->think = resv_new(200000, seed, "sessions.think");
    s->duration = resv_new(100000, seed, "sessions.duration");
    s->lengths = resv_new(100000, seed, "sessions.length");
    if (!s->c || !s->arrivals || !s->think || !s->duration || !s->lengths ||
        markov_init(&s->mk) < 0 || assets_init(&s->as) < 0) {
        sessionize_term(s);
        return ST_ENOMEM;
    }
    return 0;
}

void sessionize_term(sessionize *s)
{
    free(s->c);
    free(s->arrivals);
    resv_free(s->think);
    resv_free(s->duration);
    resv_free(s->lengths);
    markov_term(&s->mk);
    assets_term(&s->as);
    memset(s, 0, sizeof *s);
}

/* Ends the client's pending page view: its asset count goes into the page's distribution. */
static void sess_view_end(sessionize *s, sess_client *c)
{
    if (c->view)
        assets_view_end(&s->as, c->view - 1, c->nassets);
    c->view = 0;
    c->nassets = 0;
}

static void sess_close(sessionize *s, sess_client *c)
{
    sess_view_end(s, c);
    markov_exit(&s->mk, c->last_route);
    unsigned k = c->nreq < SESS_PMF ? c->nreq : SESS_PMF;
    s->length_pmf[k - 1]++;
    s->length_sum += c->nreq;
    resv_add(s->duration, c->last - c->start);
    resv_add(s->lengths, c->nreq);
}

static size_t sess_slot(const sess_client *c, size_t size, uint64_t key)
{
    size_t m = size - 1, i = (size_t)sketch_mix(key) & m;
    while (c[i].key && c[i].key != key)
        i = (i + 1) & m;
    return i;
}

/* Rebuilds the table at `size`, closing and dropping clients idle since before `cutoff`. */
static int sess_rebuild(sessionize *s, size_t size, double cutoff)
{
    sess_client *n = calloc(size, sizeof *n);
    if (!n)
        return ST_ENOMEM;
    size_t used = 0;
    for (size_t i = 0; i < s->size; i++) {
        sess_client *c = &s->c[i];
        if (!c->key)
            continue;
        if (c->last < cutoff) {
            if (c->nreq)
                sess_close(s, c);
            continue;
        }
        n[sess_slot(n, size, c->key)] = *c;
        used++;
    }
    free(s->c);
    s->c = n;
    s->size = size;
    s->used = used;
    return 0;
}

static int sess_make_room(sessionize *s)
{
    /* First drop clients idle for four timeouts (their gaps no longer matter), then grow,
     * and at the cap drop clients idle for one timeout, then for a minute. */
    int rc = sess_rebuild(s, s->size, s->now - 4 * s->timeout);
    if (rc < 0 || s->used * 4 < s->size)
        return rc;
    if (s->size < s->max_size)
        return sess_rebuild(s, s->size * 2, -INFINITY);
    rc = sess_rebuild(s, s->size, s->now - s->timeout);
    if (rc < 0 || s->used * 2 < s->size)
        return rc;
    return sess_rebuild(s, s->size, s->now - 60);
}

int sessionize_add(sessionize *s, double ts, uint64_t client, uint32_t route, int is_page, int ua)
{
    if (client == 0)
        client = 1;
    if (ts > s->now)
        s->now = ts;
    size_t i = sess_slot(s->c, s->size, client);
    sess_client *c = &s->c[i];
    int opened = 0;
    if (c->key) {
        double gap = ts - c->last;
        if (gap < 0)
            gap = 0;
        double lg = gap > 0 ? log10(gap) : -2;
        int b = (int)floor((lg + 2) * 20);
        if (b < 0)
            b = 0;
        if (b >= SESS_GAP_BINS)
            b = SESS_GAP_BINS - 1;
        s->gap_hist[b]++;
        sess_view_end(s, c); /* a non-static request ends the previous view's assets */
        if (c->nreq && gap <= s->timeout) {
            c->view = is_page ? route + 1 : 0;
            resv_add(s->think, gap);
            if (markov_step(&s->mk, c->last_route, route) < 0)
                return ST_ENOMEM;
            c->nreq++;
            c->last_route = route;
            if (ts > c->last)
                c->last = ts;
            s->last_start = c->start;
            return 0;
        }
        if (c->nreq)
            sess_close(s, c);
    } else {
        if ((s->used + 1) * 2 > s->size) {
            if (sess_make_room(s) < 0)
                return ST_ENOMEM;
            i = sess_slot(s->c, s->size, client);
            c = &s->c[i];
        }
        c->key = client;
        s->used++;
    }
    c->start = c->last = ts;
    s->last_start = ts;
    c->nreq = 1;
    c->last_route = route;
    c->view = is_page ? route + 1 : 0;
    c->nassets = 0;
    c->ua = (uint8_t)(ua >= 0 && ua < UA_NCLASS ? ua : UA_SCRIPT);
    s->class_sessions[c->ua]++;
    opened = 1;
    s->sessions++;
    if (markov_entry(&s->mk, route) < 0)
        return ST_ENOMEM;
    if (s->narrivals < SESS_MAX_ARRIVALS) {
        if (s->narrivals == s->arrivals_cap) {
            size_t nc = s->arrivals_cap * 2;
            double *a = realloc(s->arrivals, nc * sizeof *a);
            if (!a)
                return ST_ENOMEM;
            s->arrivals = a;
            s->arrivals_cap = nc;
        }
        s->arrivals[s->narrivals++] = ts;
    }
    return opened;
}

int sessionize_static(sessionize *s, double ts, uint64_t client, uint32_t route)
{
    if (client == 0)
        client = 1;
    if (ts > s->now)
        s->now = ts;
    s->as.statics++;
    sess_client *c = &s->c[sess_slot(s->c, s->size, client)];
    /* c->last is the time of the client's last page/api request, i.e. of the pending view. */
    if (!c->key || !c->nreq || !c->view || ts - c->last > s->as.window_s)
        return 0;
    s->as.attributed++;
    if (c->nassets < UINT16_MAX)
        c->nassets++;
    return assets_hit(&s->as, c->view - 1, route);
}

void sessionize_bot(sessionize *s, double ts, uint64_t client)
{
    if (client == 0)
        client = 1;
    size_t i = (size_t)(sketch_mix(client) & (SESS_BOT_SLOTS - 1));
    /* Bot lines are not reordered (they skip the heap): a gap is its absolute value, and
     * times are kept relative to the first bot line as floats (about a second's precision
     * over months, far finer than a session timeout). */
    if (!s->bot_sessions && !s->bot_keys[i])
        s->bot_t0 = ts;
    float t = (float)(ts - s->bot_t0);
    if (s->bot_keys[i] != client || fabsf(t - s->bot_last[i]) > (float)s->timeout)
        s->bot_sessions++;
    s->bot_keys[i] = client;
    s->bot_last[i] = t;
}

void sessionize_flush(sessionize *s)
{
    for (size_t i = 0; i < s->size; i++)
        if (s->c[i].key && s->c[i].nreq) {
            sess_close(s, &s->c[i]);
            s->c[i].nreq = 0;
        }
}

double sessionize_fitted_timeout(const sessionize *s)
{
    double h[SESS_GAP_BINS];
    for (int i = 0; i < SESS_GAP_BINS; i++) {
        double sum = 0;
        int n = 0;
        for (int j = i - 3; j <= i + 3; j++)
            if (j >= 0 && j < SESS_GAP_BINS) {
                sum += (double)s->gap_hist[j];
                n++;
            }
        h[i] = sum / n;
    }
    /* Think-time mode between 0.1 s and 10 min; between-session mode after the valley. */
    int lo = 20, mid = (int)((log10(600.0) + 2) * 20), hi = SESS_GAP_BINS - 1;
    int p1 = lo;
    for (int i = lo; i <= mid; i++)
        if (h[i] > h[p1])
            p1 = i;
    if (h[p1] <= 0)
        return -1;
    int best = -1;
    double best_depth = 0;
    for (int p2 = p1 + 10; p2 <= hi; p2++) {
        if (h[p2] < 0.02 * h[p1])
            continue;
        int v = p1;
        for (int i = p1; i <= p2; i++)
            if (h[i] < h[v])
                v = i;
        double peak = h[p2] < h[p1] ? h[p2] : h[p1];
        if (h[v] < 0.5 * peak && peak - h[v] > best_depth) {
            best_depth = peak - h[v];
            best = v;
        }
    }
    if (best < 0)
        return -1;
    return pow(10.0, (best + 0.5) / 20.0 - 2);
}
