/*
 * logsim.c -- the modeler's proof: writes nginx access logs from known parameters, and
 * checks a fitted model against them.
 *
 *   logsim gen --out FILE[.gz] --truth TRUTH.json [--seed N] [--span 3h] [--rate 0.8]
 *   logsim check TRUTH.json MODEL.json      exit 0 when every recovery tolerance holds
 *   logsim get FILE.json a.b.0.c             prints one value (for shell tests)
 *
 * The generative model (every draw from common/rng.h streams keyed by seed and purpose):
 *  - immigrant sessions: a non-homogeneous Poisson process, rate(t) = rate * (1 + 0.3
 *    sin(2 pi t / span)) * crowd(t), by thinning;
 *  - a flash crowd: crowd(t) ramps linearly from 1 to CROWD_FACTOR over CROWD_RAMP s at
 *    40% of the span, holds CROWD_HOLD s, decays back over CROWD_DECAY s; inside it every
 *    product request goes, with probability HOT_SHARE, to one of three hot products;
 *    --crowd-gamma K instead shapes the excess as a gamma density of shape K with its mode
 *    CROWD_MODE s after the onset (a campaign email: arrivals ramp, peak, tail off);
 *    --crowd-sessions makes convergence a property of the crowd's sessions instead of the
 *    time window, as replay's flash-crowd sessions are: an immigrant is a crowd session with
 *    probability (crowd(t) - 1) / crowd(t), its product requests go to the hot set with
 *    probability HOT_SHARE for its whole life (after the episode too), and its Hawkes
 *    children are crowd sessions of their own;
 *  - Hawkes self-excitation: every session (immigrant or child) has Poisson(BRANCHING)
 *    children at delays Exp(BETA): new sessions from new clients;
 *  - journeys: a Markov chain over six routes with an exit state; think times lognormal;
 *    each page pulls two static assets;
 *  - items: categories Zipf(CAT_S, 50), products Zipf(PROD_S, 2000), ranks mapped to ids by
 *    a keyed permutation;
 *  - WebSockets: a share of sessions opens /ws/inventory, logged at close with status 101
 *    and $request_time = its lognormal duration;
 *  - a crawler with a bot user agent.
 * Lines are written in time order through a min-heap (events are generated per session).
 * Format: nginx combined plus " $request_time".
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "jsonio.h"
#include "rng.h"
#include "units.h"

#define T_START 1772438400.0 /* 2026-03-02 08:00:00 UTC */
#define BRANCHING 0.4
#define BETA 0.2
#define CROWD_AT 0.4
#define CROWD_FACTOR 5.0
#define CROWD_RAMP 30.0
#define CROWD_HOLD 480.0
#define CROWD_DECAY 60.0
#define HOT_SHARE 0.6
#define CROWD_MODE 20.0
#define THINK_MEDIAN 8.0
#define THINK_SIGMA 0.9
#define WS_SHARE 0.15
#define WS_MEDIAN 90.0
#define WS_SIGMA 0.7
#define CAT_N 50
#define CAT_S 0.7
#define PROD_N 2000
#define PROD_S 1.0
#define BOT_RATE 0.3
#define NR 6
#define MAX_REQ 50

/* clang-format off */
static const char *const route_names[NR] = {"/", "/categories/{id}", "/products/{id}",
                                            "/search?page={n}&q={s}", "/cart", "/checkout"};
/* clang-format on */
static const double entry_p[NR] = {0.5, 0.2, 0.3, 0, 0, 0};
/* clang-format off */
static const double trans_p[NR][NR + 1] = {
    {0.00, 0.45, 0.25, 0.10, 0.00, 0.00, 0.20},
    {0.05, 0.15, 0.50, 0.05, 0.00, 0.00, 0.25},
    {0.05, 0.10, 0.30, 0.05, 0.20, 0.00, 0.30},
    {0.00, 0.05, 0.55, 0.15, 0.00, 0.00, 0.25},
    {0.00, 0.00, 0.25, 0.00, 0.00, 0.45, 0.30},
    {0.20, 0.00, 0.00, 0.00, 0.00, 0.00, 0.80},
};
/* clang-format on */
static const uint64_t hot_ranks[3] = {5, 12, 40};
/* clang-format off */
static const char *const uas[4] = {
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"};
/* clang-format on */

typedef struct ev {
    double t;
    uint64_t seq;
    char *line;  /* the line without its time; time formatted at write */
    size_t tpos; /* where the time goes */
} ev;

typedef struct sim {
    uint64_t seed;
    double span, rate;
    double crowd_on, crowd_end;
    int no_crowd;
    double gamma_k;      /* > 1: gamma-shaped crowd (shape k, mode CROWD_MODE s after onset) */
    int crowd_sessions;  /* convergence per crowd session (and its children), not per window */
    double prod_s;       /* products Zipf exponent (default PROD_S) */
    double period;       /* of the rate's sinusoid (--period; default the span) */
    double think_median; /* --think-median (default THINK_MEDIAN) */
    double ws_median;    /* --ws-median (default WS_MEDIAN) */
    ev *heap;
    size_t n, cap;
    uint64_t seq;
    gzFile gz;
    FILE *f;
    uint64_t lines;
    rng_zipf zc, zp;
} sim;

static double crowd(const sim *s, double t)
{
    if (s->no_crowd)
        return 1;
    if (s->gamma_k > 1) {
        double x = (t - s->crowd_on) / CROWD_MODE, k1 = s->gamma_k - 1;
        if (x <= 0)
            return 1;
        /* The gamma density scaled to 1 at its mode: x^(k-1) e^((k-1)(1-x)). */
        return 1 + (CROWD_FACTOR - 1) * exp(k1 * (log(x) + 1 - x));
    }
    double a = s->crowd_on, b = a + CROWD_RAMP, c = b + CROWD_HOLD, d = c + CROWD_DECAY;
    if (t < a || t >= d)
        return 1;
    if (t < b)
        return 1 + (CROWD_FACTOR - 1) * (t - a) / CROWD_RAMP;
    if (t < c)
        return CROWD_FACTOR;
    return CROWD_FACTOR - (CROWD_FACTOR - 1) * (t - c) / CROWD_DECAY;
}

/* t is absolute (epoch seconds); the sinusoid runs over the span. */
static double base_rate(const sim *s, double t)
{
    return s->rate * (1 + 0.3 * sin(2 * M_PI * (t - T_START) / s->period)) * crowd(s, t);
}

static void heap_push(sim *s, ev e)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 4096;
        s->heap = realloc(s->heap, s->cap * sizeof *s->heap);
        if (!s->heap) {
            fprintf(stderr, "logsim: out of memory\n");
            exit(3);
        }
    }
    e.seq = s->seq++;
    size_t i = s->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (s->heap[p].t < e.t || (s->heap[p].t == e.t && s->heap[p].seq < e.seq))
            break;
        s->heap[i] = s->heap[p];
        i = p;
    }
    s->heap[i] = e;
}

static ev heap_pop(sim *s)
{
    ev top = s->heap[0], last = s->heap[--s->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const ev *mv = &last;
        if (l < s->n &&
            (s->heap[l].t < mv->t || (s->heap[l].t == mv->t && s->heap[l].seq < mv->seq))) {
            m = l;
            mv = &s->heap[l];
        }
        if (r < s->n &&
            (s->heap[r].t < mv->t || (s->heap[r].t == mv->t && s->heap[r].seq < mv->seq)))
            m = r;
        if (m == i)
            break;
        s->heap[i] = s->heap[m];
        i = m;
    }
    if (s->n)
        s->heap[i] = last;
    return top;
}

static void emit(sim *s, const ev *e)
{
    static const char mon[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    time_t tt = (time_t)floor(e->t);
    struct tm tm;
    gmtime_r(&tt, &tm);
    char ts[40];
    snprintf(ts, sizeof ts, "%02d/%.3s/%04d:%02d:%02d:%02d +0000", tm.tm_mday, mon + 3 * tm.tm_mon,
             tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    /* Three pieces: the part before the time, the time, the rest and a newline. */
    const char *parts[3] = {e->line, ts, e->line + e->tpos};
    size_t lens[3] = {e->tpos, strlen(ts), strlen(e->line + e->tpos)};
    for (int i = 0; i < 3; i++) {
        if (s->gz)
            gzwrite(s->gz, parts[i], (unsigned)lens[i]);
        else
            fwrite(parts[i], 1, lens[i], s->f);
    }
    if (s->gz)
        gzputc(s->gz, '\n');
    else
        fputc('\n', s->f);
    s->lines++;
    free(e->line);
}

static void flush_until(sim *s, double t)
{
    while (s->n && s->heap[0].t <= t) {
        ev e = heap_pop(s);
        emit(s, &e);
    }
}

/* Queues one line: ip, time (filled at write), request, status, bytes, ua, request_time. */
static void add_line(sim *s, double t, const char *ip, const char *method, const char *path,
                     int status, long bytes, const char *ref, const char *ua, double rt)
{
    char head[64];
    int hn = snprintf(head, sizeof head, "%s - - [", ip);
    char tail[700];
    snprintf(tail, sizeof tail, "] \"%s %s HTTP/1.1\" %d %ld \"%s\" \"%s\" %.3f", method, path,
             status, bytes, ref, ua, rt);
    size_t hl = strlen(head), tl = strlen(tail);
    char *line = malloc(hl + tl + 1);
    if (!line)
        exit(3);
    memcpy(line, head, hl);
    memcpy(line + hl, tail, tl + 1);
    ev e = {t, 0, line, (size_t)hn};
    heap_push(s, e);
}

static int draw_route(rng_stream *r, const double *p, int n)
{
    double u = rng_uniform(r), c = 0;
    for (int i = 0; i < n; i++) {
        c += p[i];
        if (u < c)
            return i;
    }
    return n - 1;
}

static void session(sim *s, uint64_t id, double t0, int in_crowd)
{
    rng_stream r;
    rng_stream_init(&r, s->seed, rng_mix(rng_stream_id("sim.session"), id));
    char ip[32];
    snprintf(ip, sizeof ip, "10.%u.%u.%u", (unsigned)((id >> 16) & 255),
             (unsigned)((id >> 8) & 255), (unsigned)(id & 255));
    if (id >= (1u << 24))
        snprintf(ip, sizeof ip, "172.%u.%u.%u", (unsigned)((id >> 16) & 255),
                 (unsigned)((id >> 8) & 255), (unsigned)(id & 255));
    const char *ua = uas[rng_below(&r, 4)];
    double t = t0;
    int route = draw_route(&r, entry_p, NR);
    char path[160];
    for (int k = 0; k < MAX_REQ; k++) {
        double rt = rng_lognormal(&r, log(0.05), 0.5);
        int status = 200;
        const char *method = "GET";
        long bytes = (long)rng_lognormal(&r, log(8000), 0.3);
        switch (route) {
        case 0: snprintf(path, sizeof path, "/"); break;
        case 1: {
            uint64_t rank = rng_zipf_draw(&s->zc, &r);
            snprintf(path, sizeof path, "/categories/%llu",
                     (unsigned long long)(rng_permute(rank - 1, CAT_N, 7) + 1));
            break;
        }
        case 2: {
            uint64_t rank;
            int hot_time = !s->crowd_sessions && t >= s->crowd_on && t < s->crowd_end;
            if ((hot_time || in_crowd) && rng_uniform(&r) < HOT_SHARE)
                rank = hot_ranks[rng_below(&r, 3)];
            else
                rank = rng_zipf_draw(&s->zp, &r);
            snprintf(path, sizeof path, "/products/%llu",
                     (unsigned long long)(rng_permute(rank - 1, PROD_N, 11) + 1000));
            if (rng_uniform(&r) < 0.01)
                status = 404;
            break;
        }
        case 3:
            snprintf(path, sizeof path, "/search?q=term%llu&page=%llu",
                     (unsigned long long)rng_below(&r, 500),
                     (unsigned long long)rng_below(&r, 5) + 1);
            break;
        case 4:
            snprintf(path, sizeof path, "/cart");
            method = "POST";
            bytes = 200;
            break;
        default:
            snprintf(path, sizeof path, "/checkout");
            method = "POST";
            status = rng_uniform(&r) < 0.9 ? 201 : 302;
            bytes = 300;
            break;
        }
        add_line(s, t, ip, method, path, status, bytes, "-", ua, rt);
        if (route < 4) {
            add_line(s, t + 0.02 + 0.1 * rng_uniform(&r), ip, "GET", "/static/app.js", 200, 90000,
                     "https://shop.example/", ua, 0.002);
            add_line(s, t + 0.03 + 0.1 * rng_uniform(&r), ip, "GET", "/static/site.css", 200, 30000,
                     "https://shop.example/", ua, 0.002);
        }
        if (k == 0 && rng_uniform(&r) < WS_SHARE) {
            double d = rng_lognormal(&r, log(s->ws_median), WS_SIGMA);
            add_line(s, t + 1 + d, ip, "GET", "/ws/inventory", 101, 1200, "-", ua, d);
        }
        int next = draw_route(&r, trans_p[route], NR + 1);
        if (next == NR)
            break;
        t += rng_lognormal(&r, log(s->think_median), THINK_SIGMA);
        route = next;
    }
}

typedef struct start {
    double t;
    int crowd; /* a crowd session (--crowd-sessions) */
} start;

static int cmp_start(const void *a, const void *b)
{
    double x = ((const start *)a)->t, y = ((const start *)b)->t;
    return x < y ? -1 : x > y;
}

/* The expected session arrival rate with Hawkes children, lambda = mu + n beta int
 * e^(-beta (t - u)) lambda(u) du, integrated on a 0.05-s grid from the stationary level a
 * few minutes before the crowd; gives the truth of the episode's peak and ramp. The peak of
 * the trapezoid is the rate in mid-hold, its ramp the linear rise that brings as many extra
 * sessions by then as lambda does (the crowd's children lag its immigrants, so lambda's rise
 * is longer than CROWD_RAMP, and a replay of the episode has no children); a gamma-shaped
 * crowd peaks, and its ramp is the time of lambda's maximum. */
static void crowd_truth(const sim *s, double *peak, double *ramp)
{
    const double dt = 0.05;
    double t = s->crowd_on - 300, mu = base_rate(s, t), ex = mu * BRANCHING / (1 - BRANCHING);
    double exb = ex, best = 0, at = s->crowd_on;
    double hold_mid = s->crowd_on + CROWD_RAMP + CROWD_HOLD / 2;
    size_t n = (size_t)((s->crowd_end + 60 - t) / dt) + 1;
    double *xs = malloc(n * sizeof *xs); /* lambda's excess over the same process without crowd */
    if (!xs) {
        fprintf(stderr, "logsim: out of memory\n");
        exit(3);
    }
    sim nc = *s;
    nc.no_crowd = 1;
    *peak = 0;
    for (size_t i = 0; i < n; i++, t += dt) {
        double lam = base_rate(s, t) + ex, lamb = base_rate(&nc, t) + exb;
        xs[i] = lam - lamb;
        if (lam > best) {
            best = lam;
            at = t;
        }
        if (s->gamma_k <= 1 && fabs(t - hold_mid) < dt / 2)
            *peak = lam;
        ex = ex * exp(-BETA * dt) + lam * BRANCHING * BETA * dt;
        exb = exb * exp(-BETA * dt) + lamb * BRANCHING * BETA * dt;
    }
    if (s->gamma_k > 1) {
        *peak = best;
        *ramp = at - s->crowd_on;
    } else {
        /* The linear rise that brings as many extra sessions by T, 20 s after the excess
         * first reaches 90% of its mid-hold level E, as lambda does: C(T) = E (T - ramp/2). */
        size_t i0 = (size_t)(300 / dt), im = (size_t)((hold_mid - s->crowd_on + 300) / dt), i = i0;
        double E = xs[im < n ? im : n - 1], area = 0;
        while (i < n && xs[i] < 0.9 * E)
            i++;
        size_t iT = i + (size_t)(20 / dt) < n ? i + (size_t)(20 / dt) : n;
        for (size_t j = i0; j < iT; j++)
            area += xs[j] * dt;
        *ramp = 2 * ((double)(iT - i0) * dt - area / E);
    }
    free(xs);
}

/* Appends a start to *st (growing it; exits on out of memory, this is a test tool). */
static void push_start(start **st, size_t *n, size_t *cap, double t, int crowd)
{
    if (*n == *cap) {
        start *p = realloc(*st, (*cap *= 2) * sizeof **st);
        if (!p) {
            fprintf(stderr, "logsim: out of memory\n");
            exit(3);
        }
        *st = p;
    }
    (*st)[*n].t = t;
    (*st)[*n].crowd = crowd;
    (*n)++;
}

/* Session start times: immigrants by thinning, then Hawkes children, generation by
 * generation (unsorted; *n starts, the first *immigrants of them immigrants). */
static start *session_starts(const sim *s, size_t *np, size_t *immigrants)
{
    size_t cap = 1 << 16, n = 0;
    start *st = malloc(cap * sizeof *st);
    if (!st) {
        fprintf(stderr, "logsim: out of memory\n");
        exit(3);
    }
    rng_stream r;
    rng_stream_init(&r, s->seed, rng_stream_id("sim.immigrants"));
    double rmax = s->rate * 1.3 * CROWD_FACTOR, t = T_START;
    for (;;) {
        t += rng_exponential(&r, rmax);
        if (t >= T_START + s->span)
            break;
        if (rng_uniform(&r) * rmax < base_rate(s, t)) {
            /* Its own stream, so that the default log stays byte-identical. */
            rng_stream cr;
            rng_stream_init(&cr, s->seed, rng_mix(rng_stream_id("sim.crowd"), n));
            double c = crowd(s, t);
            push_start(&st, &n, &cap, t, s->crowd_sessions && rng_uniform(&cr) * c < c - 1);
        }
    }
    size_t gen_start = 0;
    *immigrants = n;
    rng_stream_init(&r, s->seed, rng_stream_id("sim.children"));
    while (gen_start < n) {
        size_t gen_end = n;
        for (size_t i = gen_start; i < gen_end; i++) {
            unsigned k = rng_poisson(&r, BRANCHING);
            for (unsigned j = 0; j < k; j++) {
                double c = st[i].t + rng_exponential(&r, BETA);
                /* A crowd session's children are crowd sessions. */
                if (c < T_START + s->span)
                    push_start(&st, &n, &cap, c, st[i].crowd);
            }
        }
        gen_start = gen_end;
    }
    *np = n;
    return st;
}

static int gen(int argc, char **argv)
{
    sim s;
    memset(&s, 0, sizeof s);
    s.seed = 1;
    s.span = 3 * 3600;
    s.rate = 0.8;
    s.prod_s = PROD_S;
    s.think_median = THINK_MEDIAN;
    s.ws_median = WS_MEDIAN;
    const char *out = NULL, *truth = NULL;
    char err[ST_ERRLEN];
    for (int i = 2; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : "";
        if (!strcmp(argv[i], "--out"))
            out = argv[++i];
        else if (!strcmp(argv[i], "--truth"))
            truth = argv[++i];
        else if (!strcmp(argv[i], "--seed") && units_parse_u64(v, &s.seed, err) == 0)
            i++;
        else if (!strcmp(argv[i], "--span") && units_parse_duration(v, &s.span, err) == 0)
            i++;
        else if (!strcmp(argv[i], "--rate") && units_parse_rate(v, &s.rate, err) == 0)
            i++;
        else if (!strcmp(argv[i], "--no-crowd"))
            s.no_crowd = 1;
        else if (!strcmp(argv[i], "--crowd-sessions"))
            s.crowd_sessions = 1;
        else if (!strcmp(argv[i], "--crowd-gamma") && units_parse_double(v, &s.gamma_k, err) == 0 &&
                 s.gamma_k > 1)
            i++;
        else if (!strcmp(argv[i], "--prod-s") && units_parse_double(v, &s.prod_s, err) == 0)
            i++;
        /* A daily profile (--period 24h over a span of days) and short sessions and
         * WebSockets, so that a rehearsal of a few minutes holds whole sessions
         * (tests/integ/closed_loop.sh). */
        else if (!strcmp(argv[i], "--period") && units_parse_duration(v, &s.period, err) == 0 &&
                 s.period > 0)
            i++;
        else if (!strcmp(argv[i], "--think-median") &&
                 units_parse_duration(v, &s.think_median, err) == 0 && s.think_median > 0)
            i++;
        else if (!strcmp(argv[i], "--ws-median") &&
                 units_parse_duration(v, &s.ws_median, err) == 0 && s.ws_median > 0)
            i++;
        else {
            fprintf(stderr, "logsim: bad argument '%s'\n", argv[i]);
            return 2;
        }
    }
    if (!out) {
        fprintf(stderr, "logsim gen: --out is required\n");
        return 2;
    }
    if (s.period <= 0)
        s.period = s.span;
    s.crowd_on = T_START + CROWD_AT * s.span;
    s.crowd_end = s.crowd_on + CROWD_RAMP + CROWD_HOLD + CROWD_DECAY;
    if (s.gamma_k > 1) /* the density is below 1% of its mode by then for k >= 2 */
        s.crowd_end = s.crowd_on + CROWD_MODE * (1 + 12 / (s.gamma_k - 1));
    if (rng_zipf_init(&s.zc, CAT_N, CAT_S, err) < 0 ||
        rng_zipf_init(&s.zp, PROD_N, s.prod_s, err) < 0) {
        fprintf(stderr, "logsim: %s\n", err);
        return 2;
    }
    size_t olen = strlen(out);
    if (olen > 3 && !strcmp(out + olen - 3, ".gz"))
        s.gz = gzopen(out, "wb6");
    else
        s.f = fopen(out, "w");
    if (!s.gz && !s.f) {
        fprintf(stderr, "logsim: cannot write %s\n", out);
        return 3;
    }
    size_t n, immigrants;
    start *st = session_starts(&s, &n, &immigrants);
    qsort(st, n, sizeof *st, cmp_start);
    /* The crawler, interleaved by time. */
    rng_stream br;
    rng_stream_init(&br, s.seed, rng_stream_id("sim.bot"));
    double bt = T_START + rng_exponential(&br, BOT_RATE);
    for (size_t i = 0; i < n; i++) {
        while (bt < st[i].t) {
            char path[64];
            snprintf(path, sizeof path, "/products/%llu",
                     (unsigned long long)(rng_below(&br, PROD_N) + 1000));
            add_line(&s, bt, "66.249.66.1", "GET", path, 200, 8000, "-",
                     "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
                     0.03);
            bt += rng_exponential(&br, BOT_RATE);
        }
        flush_until(&s, st[i].t);
        session(&s, i + 1, st[i].t, st[i].crowd);
    }
    flush_until(&s, INFINITY);
    int rc = 0;
    if (s.gz)
        rc = gzclose(s.gz) == Z_OK ? 0 : 3;
    else
        rc = fclose(s.f) == 0 ? 0 : 3;
    free(s.heap);
    free(st);
    if (truth) {
        json_t *tr = json_array();
        for (int i = 0; i < NR; i++) {
            json_t *row = json_array();
            for (int j = 0; j <= NR; j++)
                json_array_append_new(row, json_real(trans_p[i][j]));
            json_array_append_new(tr, row);
        }
        json_t *names = json_array();
        for (int i = 0; i < NR; i++)
            json_array_append_new(names, json_string(route_names[i]));
        json_t *j = json_pack("{s:I,s:I,s:I,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:o,s:o}", "seed",
                              (json_int_t)s.seed, "lines", (json_int_t)s.lines, "sessions",
                              (json_int_t)n, "immigrants_share", (double)immigrants / (double)n,
                              "zipf_s_products", s.prod_s, "zipf_s_categories", CAT_S,
                              "think_median_s", s.think_median, "branching_ratio", BRANCHING,
                              "crowd_onset", s.crowd_on, "hot_share", HOT_SHARE, "ws_median_s",
                              s.ws_median, "beta", BETA, "routes", names, "transitions", tr);
        if (!s.no_crowd) {
            double peak, ramp;
            crowd_truth(&s, &peak, &ramp);
            json_object_set_new(j, "crowd_peak_rate", json_real(peak));
            json_object_set_new(j, "crowd_ramp_s", json_real(ramp));
            json_object_set_new(j, "crowd_shape",
                                json_string(s.gamma_k > 1 ? "gamma" : "trapezoid"));
            json_object_set_new(j, "crowd_sessions", json_boolean(s.crowd_sessions));
        }
        if (jsonio_save(truth, j, err) < 0) {
            fprintf(stderr, "logsim: %s\n", err);
            rc = 3;
        }
        json_decref(j);
    }
    fprintf(stderr, "logsim: %llu lines, %zu sessions (seed %llu)\n", (unsigned long long)s.lines,
            n, (unsigned long long)s.seed);
    return rc;
}

int logsim_check(const char *truth, const char *model);
int logsim_get(const char *file, const char *path);

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "gen"))
        return gen(argc, argv);
    if (argc == 4 && !strcmp(argv[1], "check"))
        return logsim_check(argv[2], argv[3]);
    if (argc == 4 && !strcmp(argv[1], "get"))
        return logsim_get(argv[2], argv[3]);
    fprintf(stderr,
            "usage: logsim gen --out FILE [--truth T.json] [--seed N] [--span 3h] "
            "[--rate 0.8/s] [--no-crowd] [--prod-s 1.0]\n"
            "                  [--crowd-gamma K] [--crowd-sessions]\n"
            "                  [--period 24h] [--think-median 8s] [--ws-median 90s]\n"
            "       logsim check TRUTH.json MODEL.json\n       logsim get FILE.json PATH\n");
    return 2;
}
