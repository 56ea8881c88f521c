/*
 * fmt_time.c -- every time shape the formats read: Apache/nginx time_local, ISO 8601 and
 * RFC 3339, epoch numbers, strftime patterns (--time-format, Apache %{FORMAT}t), and the
 * zone of zone-less times (--tz: a fixed offset or an IANA zone read from its tzfile).
 *
 * Design: no libc time function is called per line. mktime/strptime depend on the process
 * locale and the TZ environment and are slow; civil dates are turned into days with
 * Hinnant's days_from_civil, and an IANA zone is its transition table (RFC 8536 TZif,
 * 64-bit section) searched by bisection. Times after the zone file's last transition keep
 * its last offset (Debian's "fat" tzdata lists transitions up to 2037).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_internal.h"

int64_t logfmt_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm). */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int lf_digits(const char *s, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* Parses a non-negative decimal such as "0.123" or "1431857103.456"; -1 if not a number. */
int lf_decimal(const char *s, size_t n, double *out, int *had_frac)
{
    if (n == 0 || n > 32)
        return -1;
    double v = 0;
    size_t i = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        v = v * 10 + (s[i++] - '0');
    if (i == 0)
        return -1;
    *had_frac = 0;
    if (i < n && s[i] == '.') {
        double sc = 0.1;
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            v += (s[i++] - '0') * sc;
            sc *= 0.1;
            *had_frac = 1;
        }
    }
    if (i != n)
        return -1;
    *out = v;
    return 0;
}

/* clang-format off */
static const char *const lf_months[12] = {"january", "february", "march",     "april",
                                          "may",     "june",     "july",      "august",
                                          "september", "october", "november", "december"};
/* clang-format on */

/* A month name, full or its first three letters, any case; returns 1..12 and its length. */
static int lf_month_name(const char *s, size_t n, size_t *used)
{
    for (int i = 0; i < 12; i++) {
        size_t fl = strlen(lf_months[i]);
        if (n >= fl && strncasecmp(s, lf_months[i], fl) == 0) {
            *used = fl;
            return i + 1;
        }
    }
    for (int i = 0; i < 12; i++)
        if (n >= 3 && strncasecmp(s, lf_months[i], 3) == 0) {
            *used = 3;
            return i + 1;
        }
    return -1;
}

/* A three-letter month name in any case (the time_local shape); 1..12 or -1. This is on
 * every line of a combined log, so it is one packed compare per month, not a string loop. */
static int lf_mon3(const char *s)
{
    static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    char a = (char)(s[0] | 0x20), b = (char)(s[1] | 0x20), c = (char)(s[2] | 0x20);
    for (int i = 0; i < 12; i++)
        if (names[3 * i] == a && names[3 * i + 1] == b && names[3 * i + 2] == c)
            return i + 1;
    return -1;
}

/* A zone at s: Z, UTC, GMT, +hh, +hhmm, +hh:mm. Returns bytes used (0 = none) or -1. */
static int lf_zone(const char *s, size_t n, long *off)
{
    if (n >= 1 && s[0] == 'Z') {
        *off = 0;
        return 1;
    }
    if (n >= 3 && (memcmp(s, "UTC", 3) == 0 || memcmp(s, "GMT", 3) == 0)) {
        *off = 0;
        return 3;
    }
    if (n < 3 || (s[0] != '+' && s[0] != '-'))
        return 0;
    unsigned hh, mm = 0;
    int used;
    if (lf_digits(s + 1, 2, &hh))
        return -1;
    if (n >= 6 && s[3] == ':' && !lf_digits(s + 4, 2, &mm))
        used = 6;
    else if (n >= 5 && !lf_digits(s + 3, 2, &mm))
        used = 5;
    else
        used = 3;
    if (hh > 14 || mm > 59)
        return -1;
    *off = (s[0] == '-' ? -1 : 1) * (long)(hh * 3600 + mm * 60);
    return used;
}

/* Turns parsed fields into epoch seconds; a zone-less time goes through tz (may be NULL:
 * then it is refused). Returns 0 or -1 on an impossible date. */
static int lf_tm_epoch(const lf_tm *t, const lf_tz *tz, uint64_t *zoneless, double *ts)
{
    if (t->have_epoch) {
        *ts = t->epoch + t->frac;
        return 0;
    }
    unsigned h = t->h;
    if (t->h12) {
        if (h < 1 || h > 12)
            return -1;
        h = h % 12 + (t->pm ? 12 : 0);
    }
    if (t->y < 1970 || t->y > 2200 || t->mo < 1 || t->mo > 12 || t->d < 1 || t->d > 31 || h > 23 ||
        t->mi > 59 || t->s > 60)
        return -1;
    int64_t local = logfmt_days_from_civil(t->y, t->mo, t->d) * 86400 + h * 3600 + t->mi * 60 +
                    t->s;
    if (t->has_zone) {
        *ts = (double)(local - t->off) + t->frac;
        return 0;
    }
    if (!tz)
        return -1;
    if (zoneless)
        (*zoneless)++;
    *ts = lf_tz_local_to_utc(tz, local) + t->frac;
    return 0;
}

/* Reads up to max digits (at least 1). Returns count or -1. */
static int lf_num(const char *s, size_t n, size_t max, unsigned *out)
{
    size_t i = 0;
    unsigned v = 0;
    while (i < n && i < max && s[i] >= '0' && s[i] <= '9')
        v = v * 10 + (unsigned)(s[i++] - '0');
    if (i == 0)
        return -1;
    *out = v;
    return (int)i;
}

static int lf_frac(const char *s, size_t n, double *frac)
{
    size_t i = 0;
    double v = 0, sc = 0.1;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        v += (s[i++] - '0') * sc;
        sc *= 0.1;
    }
    *frac = v;
    return i ? (int)i : -1;
}

/* The shapes people mean without saying: [dd/Mon/yyyy:HH:MM:SS(.fff)( zone)] and
 * yyyy-mm-dd[T ]HH:MM:SS(.fff)(zone), brackets optional, zone optional. */
static int lf_time_shapes(const char *s, size_t n, lf_tm *t)
{
    memset(t, 0, sizeof *t);
    if (n && s[0] == '[')
        s++, n--;
    if (n && s[n - 1] == ']')
        n--;
    size_t i;
    if (n >= 20 && s[2] == '/' && s[6] == '/' && s[11] == ':' && s[14] == ':' && s[17] == ':') {
        int mo = lf_mon3(s + 3);
        if (mo < 0 || lf_digits(s, 2, &t->d) || lf_digits(s + 7, 4, &t->y) ||
            lf_digits(s + 12, 2, &t->h) || lf_digits(s + 15, 2, &t->mi) ||
            lf_digits(s + 18, 2, &t->s))
            return -1;
        t->mo = (unsigned)mo;
    } else if (n >= 19 && s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == ' ') &&
               s[13] == ':' && s[16] == ':') {
        if (lf_digits(s, 4, &t->y) || lf_digits(s + 5, 2, &t->mo) || lf_digits(s + 8, 2, &t->d) ||
            lf_digits(s + 11, 2, &t->h) || lf_digits(s + 14, 2, &t->mi) ||
            lf_digits(s + 17, 2, &t->s))
            return -1;
    } else {
        return -1;
    }
    i = s[2] == '/' ? 20 : 19;
    if (i < n && (s[i] == '.' || s[i] == ',')) {
        int k = lf_frac(s + i + 1, n - i - 1, &t->frac);
        if (k < 0)
            return -1;
        i += 1 + (size_t)k;
        t->subsec = 1;
    }
    if (i < n && s[i] == ' ')
        i++;
    if (i < n) {
        int z = lf_zone(s + i, n - i, &t->off);
        if (z <= 0 || i + (size_t)z != n)
            return -1;
        t->has_zone = 1;
    }
    return 0;
}

int logfmt_time_local(const char *s, size_t n, double *ts)
{
    lf_tm t;
    if (n < 26 || s[2] != '/' || lf_time_shapes(s, n, &t) || !t.has_zone)
        return -1;
    return lf_tm_epoch(&t, NULL, NULL, ts);
}

int logfmt_time_iso8601(const char *s, size_t n, double *ts)
{
    lf_tm t;
    if (n < 20 || s[4] != '-' || lf_time_shapes(s, n, &t) || !t.has_zone)
        return -1;
    return lf_tm_epoch(&t, NULL, NULL, ts);
}

static int lf_time_any_parse(logfmt *f, const char *s, size_t n, double *ts, int *subsec)
{
    lf_tm t;
    if (lf_time_shapes(s, n, &t) == 0) {
        *subsec = t.subsec;
        return lf_tm_epoch(&t, &f->tz, &f->zoneless, ts);
    }
    /* An epoch number; 13, 16 and 19 digits are milli-, micro- and nanoseconds. */
    double v;
    if (lf_decimal(s, n, &v, subsec))
        return -1;
    if (v >= 1e17)
        v /= 1e9;
    else if (v >= 1e14)
        v /= 1e6;
    else if (v >= 1e11)
        v /= 1e3;
    if (v >= 1e11 / 1e3 && !*subsec && n >= 13)
        *subsec = 1;
    *ts = v;
    return 0;
}

int lf_time_any(logfmt *f, const char *s, size_t n, double *ts, int *subsec)
{
    if (f->user_tf[0])
        return lf_time_strf(f, f->user_tf, s, n, ts, subsec);
    /* The result depends on the text alone (and the fixed --tz), so a repeat of the last
     * text gives the same value and counts as zone-less again if it did the first time. */
    if (n == f->tc_len && memcmp(s, f->tc_text, n) == 0) {
        *ts = f->tc_ts;
        *subsec = f->tc_subsec;
        f->zoneless += (uint64_t)f->tc_zoneless;
        return 0;
    }
    uint64_t zl = f->zoneless;
    int rc = lf_time_any_parse(f, s, n, ts, subsec);
    if (rc == 0 && n > 0 && n <= sizeof f->tc_text) {
        memcpy(f->tc_text, s, n);
        f->tc_len = n;
        f->tc_ts = *ts;
        f->tc_subsec = *subsec;
        f->tc_zoneless = f->zoneless != zl;
    } else {
        f->tc_len = 0;
    }
    return rc;
}

/* One conversion of a strftime pattern at s. Returns bytes used or -1. */
static int lf_conv(char c, const char *s, size_t n, lf_tm *t)
{
    size_t used = 0;
    int k;
    unsigned v;
    switch (c) {
    case 'Y': k = lf_num(s, n, 4, &t->y); return k == 4 ? 4 : -1;
    case 'y':
        if ((k = lf_num(s, n, 2, &v)) != 2)
            return -1;
        t->y = v < 69 ? 2000 + v : 1900 + v;
        return 2;
    case 'm': return lf_num(s, n, 2, &t->mo);
    case 'd': return lf_num(s, n, 2, &t->d);
    case 'e':
        if (n && s[0] == ' ')
            return (k = lf_num(s + 1, n - 1, 2, &t->d)) < 0 ? -1 : k + 1;
        return lf_num(s, n, 2, &t->d);
    case 'H': return lf_num(s, n, 2, &t->h);
    case 'I': t->h12 = 1; return lf_num(s, n, 2, &t->h);
    case 'k':
    case 'l': /* hours padded with a space (glibc's %k, %l) */
        t->h12 = c == 'l';
        if (n && s[0] == ' ')
            return (k = lf_num(s + 1, n - 1, 2, &t->h)) < 0 ? -1 : k + 1;
        return lf_num(s, n, 2, &t->h);
    case 'u':
    case 'w': /* the weekday number: implied by the date, skipped */ return lf_num(s, n, 1, &v);
    case 'M': return lf_num(s, n, 2, &t->mi);
    case 'S': return lf_num(s, n, 2, &t->s);
    case 'f': t->subsec = 1; return lf_frac(s, n, &t->frac);
    case 's':
        if ((k = lf_num(s, n, 12, &v)) < 0)
            return -1;
        t->have_epoch = 1;
        t->epoch = 0;
        for (int i = 0; i < k; i++)
            t->epoch = t->epoch * 10 + (s[i] - '0');
        return k;
    case 'b':
    case 'h':
    case 'B': {
        int mo = lf_month_name(s, n, &used);
        if (mo < 0)
            return -1;
        t->mo = (unsigned)mo;
        return (int)used;
    }
    case 'a':
    case 'A':
        while (used < n && isalpha((unsigned char)s[used]))
            used++;
        return used ? (int)used : -1;
    case 'p':
        if (n < 2 || (toupper((unsigned char)s[1]) != 'M'))
            return -1;
        if (toupper((unsigned char)s[0]) == 'P')
            t->pm = 1;
        else if (toupper((unsigned char)s[0]) != 'A')
            return -1;
        return 2;
    case 'z':
        if ((k = lf_zone(s, n, &t->off)) <= 0)
            return -1;
        t->has_zone = 1;
        return k;
    case 'Z':
        if ((k = lf_zone(s, n, &t->off)) > 0) {
            t->has_zone = 1;
            return k;
        }
        /* A zone abbreviation we cannot map (CEST, PST): the time counts as zone-less. */
        while (used < n && isalpha((unsigned char)s[used]))
            used++;
        return used ? (int)used : -1;
    default: return -1;
    }
}

static const char *lf_expand(char c)
{
    switch (c) {
    case 'T': return "%H:%M:%S";
    case 'F': return "%Y-%m-%d";
    case 'D': return "%m/%d/%y";
    case 'R': return "%H:%M";
    case 'r': return "%I:%M:%S %p";
    default: return NULL;
    }
}

/* Matches pattern pat against all of [s, s+n); returns bytes of s used or -1. */
static int lf_strf_match(const char *pat, const char *s, size_t n, lf_tm *t)
{
    size_t i = 0;
    for (const char *p = pat; *p; p++) {
        if (*p == '%' && p[1]) {
            p++;
            const char *ex = lf_expand(*p);
            int k;
            if (*p == '%') {
                if (i >= n || s[i] != '%')
                    return -1;
                k = 1;
            } else if (*p == 'n' || *p == 't') {
                k = 0;
                while (i + (size_t)k < n && isspace((unsigned char)s[i + (size_t)k]))
                    k++;
            } else if (ex) {
                k = lf_strf_match(ex, s + i, n - i, t);
            } else {
                k = lf_conv(*p, s + i, n - i, t);
            }
            if (k < 0)
                return -1;
            i += (size_t)k;
        } else {
            if (i >= n || s[i] != *p)
                return -1;
            i++;
        }
    }
    return (int)i;
}

static void lf_tm_start(lf_tm *t)
{
    memset(t, 0, sizeof *t);
    t->y = 1970;
    t->mo = 1;
    t->d = 1;
}

int lf_time_strf(logfmt *f, const char *pat, const char *s, size_t n, double *ts, int *subsec)
{
    lf_tm t;
    lf_tm_start(&t);
    int k = lf_strf_match(pat, s, n, &t);
    if (k < 0 || (size_t)k != n)
        return -1;
    *subsec = t.subsec;
    return lf_tm_epoch(&t, &f->tz, &f->zoneless, ts);
}

int lf_time_part(logfmt *f, const char *pat, const char *s, size_t n)
{
    if (!f->ptm_used) {
        lf_tm_start(&f->ptm);
        f->ptm_used = 1;
    }
    int k = lf_strf_match(pat, s, n, &f->ptm);
    return k < 0 || (size_t)k != n ? -1 : 0;
}

int lf_time_parts_done(logfmt *f, double *ts, int *subsec)
{
    *subsec = f->ptm.subsec;
    return lf_tm_epoch(&f->ptm, &f->tz, &f->zoneless, ts);
}

/* Checks a pattern's conversions once, so a typo fails at start-up rather than per line. */
int lf_strf_check(const char *pat, char *err)
{
    for (const char *p = pat; *p; p++) {
        if (*p != '%')
            continue;
        char c = *++p;
        if (!c || !strchr("YymdeHIklMSfsbhBaApuwzZTFDRrnt%", c))
            return st_err(err, ST_EINPUT, "--time-format: unsupported conversion '%%%c' in '%s'",
                          c ? c : ' ', pat);
    }
    return 0;
}

/* ---- zones --------------------------------------------------------------------------- */

static int64_t be64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return (int64_t)v;
}

static int32_t be32(const unsigned char *p)
{
    return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
}

/* Reads the 64-bit section of a TZif file (RFC 8536 §3). Returns 0 or -1. */
static int lf_tzif(lf_tz *tz, const unsigned char *b, size_t n)
{
    if (n < 44 || memcmp(b, "TZif", 4) != 0 || b[4] < '2')
        return -1;
    size_t cnt[6];
    for (int i = 0; i < 6; i++)
        cnt[i] = (size_t)(uint32_t)be32(b + 20 + 4 * i);
    size_t v1 = cnt[3] * 5 + cnt[4] * 6 + cnt[5] + cnt[2] * 8 + cnt[1] + cnt[0];
    const unsigned char *h = b + 44 + v1;
    if (44 + v1 + 44 > n || memcmp(h, "TZif", 4) != 0)
        return -1;
    for (int i = 0; i < 6; i++)
        cnt[i] = (size_t)(uint32_t)be32(h + 20 + 4 * i);
    size_t timecnt = cnt[3], typecnt = cnt[4];
    const unsigned char *d = h + 44;
    if (typecnt == 0 || typecnt > 256 || timecnt > 100000 ||
        (size_t)(d - b) + timecnt * 9 + typecnt * 6 > n)
        return -1;
    const unsigned char *idx = d + timecnt * 8, *types = idx + timecnt;
    tz->trans = malloc((timecnt ? timecnt : 1) * sizeof *tz->trans);
    tz->off = malloc((timecnt ? timecnt : 1) * sizeof *tz->off);
    if (!tz->trans || !tz->off)
        return -1;
    for (size_t i = 0; i < timecnt; i++) {
        if (idx[i] >= typecnt)
            return -1;
        tz->trans[i] = be64(d + 8 * i);
        tz->off[i] = be32(types + 6 * idx[i]);
    }
    tz->ntrans = timecnt;
    tz->off0 = be32(types);
    tz->fixed = tz->off0;
    return 0;
}

int lf_tz_parse(lf_tz *tz, const char *spec, char *err)
{
    lf_tz_free(tz);
    snprintf(tz->name, sizeof tz->name, "%s", spec);
    long off;
    size_t n = strlen(spec);
    int z = lf_zone(spec, n, &off);
    if (z > 0 && (size_t)z == n) {
        tz->fixed = off;
        tz->set = 1;
        return 0;
    }
    for (const char *p = spec; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("/_-+", *p))
            return st_err(err, ST_EINPUT, "--tz: '%s' is neither +hh:mm nor a zone name", spec);
    if (n == 0 || n > 60 || spec[0] == '/' || strstr(spec, ".."))
        return st_err(err, ST_EINPUT, "--tz: '%s' is neither +hh:mm nor a zone name", spec);
    const char *dir = getenv("TZDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", spec);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return st_err(err, ST_EINPUT, "--tz: unknown zone '%s' (%s: %s)", spec, path,
                      strerror(errno));
    size_t cap = 1u << 20;
    unsigned char *b = malloc(cap);
    size_t got = b ? fread(b, 1, cap, fp) : 0;
    fclose(fp);
    int rc = b && got < cap ? lf_tzif(tz, b, got) : -1;
    free(b);
    if (rc < 0) {
        lf_tz_free(tz);
        return st_err(err, ST_EINPUT, "--tz: %s is not a TZif zone file", path);
    }
    snprintf(tz->name, sizeof tz->name, "%s", spec);
    tz->set = 1;
    return 0;
}

void lf_tz_free(lf_tz *tz)
{
    free(tz->trans);
    free(tz->off);
    memset(tz, 0, sizeof *tz);
}

static long lf_tz_offset_at(const lf_tz *tz, int64_t utc)
{
    if (tz->ntrans == 0)
        return tz->fixed;
    if (utc < tz->trans[0])
        return tz->off0;
    size_t lo = 0, hi = tz->ntrans; /* invariant: trans[lo] <= utc < trans[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (tz->trans[mid] <= utc)
            lo = mid;
        else
            hi = mid;
    }
    return tz->off[lo];
}

double lf_tz_local_to_utc(const lf_tz *tz, int64_t local)
{
    /* Two lookups settle the offset everywhere but inside a transition's own gap/overlap,
     * where a local time is missing or doubled and either reading is defensible. */
    long o1 = lf_tz_offset_at(tz, local);
    long o2 = lf_tz_offset_at(tz, local - o1);
    return (double)(local - o2);
}
