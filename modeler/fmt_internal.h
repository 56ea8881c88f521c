/*
 * fmt_internal.h -- what the format families (logfmt.c and fmt_*.c) share: the compiled
 * format, the field kinds, the time engine and the failure position. Not a public API:
 * only files that implement a format include it; everything else uses logfmt.h.
 *
 * A compiled format is one of a few kinds. K_ITEMS is an alternating list of literals and
 * fields (nginx log_format strings, Apache LogFormat strings and the built-in combined and
 * common); the others have a dedicated single-pass parser each (CSV through libcsv, JSON
 * lines, W3C extended, HAProxy httplog, AWS ALB). Every parser fills a logrec through
 * lf_set, so a field means the same thing in every format (one home per field rule).
 *
 * On failure a parser records the byte column (0-based) and the field name where parsing
 * stopped in f->fail_col / f->fail_field; logfmt_parse returns the reason.
 */
#ifndef MODELER_FMT_INTERNAL_H
#define MODELER_FMT_INTERNAL_H

#include <csv.h>
#include <stddef.h>
#include <stdint.h>

#include "logfmt.h"

enum lf_var {
    V_SKIP = 0,
    V_ADDR,       /* an address; "ip:port" keeps the ip */
    V_TIME_LOCAL, /* a time in any of the usual shapes (or --time-format) */
    V_TIME_ISO,
    V_MSEC,      /* epoch seconds with a fraction (nginx $msec) */
    V_TIME_STRF, /* a time by the item's own strftime pattern (Apache %{FORMAT}t) */
    V_EPOCH_S,   /* integer epoch seconds, milliseconds, microseconds (Apache sec/msec/usec) */
    V_EPOCH_MS,
    V_EPOCH_US,
    V_FRAC_MS, /* milliseconds / microseconds of the current second (msec_frac, usec_frac) */
    V_FRAC_US,
    V_REQUEST, /* "GET /path HTTP/1.1" */
    V_METHOD,
    V_URI,   /* path with or without query */
    V_QUERY, /* "?a=b" or empty: appended to the path (Apache %q, W3C cs-uri-query) */
    V_STATUS,
    V_BYTES,
    V_UA,
    V_RT, /* request time in seconds */
    V_RT_MS,
    V_RT_US,
    V_RT_NS,
    V_NVARS
};

#define LF_MAX_ITEMS 64
#define LF_MAX_LIT 64
#define LF_MAX_TF 8
#define LF_TF_LEN 96
#define LF_CSV_MAX_COLS 256
#define LF_ROW_CAP (64u * 1024u)
#define LF_SCRATCH (64u * 1024u)
#define LF_JSON_MAX_PATHS 24
#define LF_JSON_MAX_SEGS 8
#define LF_JSON_KBUCKETS 64

typedef struct lf_item {
    int is_lit;
    int var;
    int quoted; /* field enclosed in double quotes */
    int tfi;    /* V_TIME_STRF: index into the format's time patterns */
    char lit[LF_MAX_LIT];
    size_t lit_len;
    char name[32]; /* the directive as written, for error messages */
} lf_item;

enum lf_kind { K_ITEMS = 0, K_CSV, K_JSON, K_W3C, K_HAPROXY, K_ALB };

/* A time zone: a fixed offset, or the transitions of a tzfile (RFC 8536). */
typedef struct lf_tz {
    int set;    /* --tz given */
    long fixed; /* seconds east of UTC when ntrans == 0 */
    size_t ntrans;
    int64_t *trans; /* UTC seconds of each transition (owned) */
    int32_t *off;   /* offset in force from trans[i] (owned) */
    int32_t off0;   /* offset before the first transition */
    char name[64];
} lf_tz;

/* A time being read from one or more strftime fields of a line (Apache writes
 * %{%d/%b/%Y:%H:%M:%S}t.%{msec_frac}t %{%z}t as separate pieces). */
typedef struct lf_tm {
    unsigned y, mo, d, h, mi, s;
    double frac;
    int subsec, has_zone, have_epoch, pm, h12;
    long off;
    double epoch;
} lf_tm;

typedef struct lf_jpath {
    int var;
    size_t nseg;
    char seg[LF_JSON_MAX_SEGS][48];
    int idx[LF_JSON_MAX_SEGS]; /* >= 0: an array index instead of a key */
    size_t seglen[LF_JSON_MAX_SEGS];
    int prio;      /* alternatives of one field: the lower wins */
    char name[64]; /* the path as written, for error messages */
} lf_jpath;

struct logfmt {
    int kind;
    char name[24];
    lf_item items[LF_MAX_ITEMS];
    size_t nitems;
    int trailing_rt; /* combined/common: an optional trailing $request_time */
    int has_rt;
    int time_at_end; /* Apache end: times: the line's time is when the response ended */
    char tpat[LF_MAX_TF][LF_TF_LEN];
    size_t ntpat;
    char user_tf[LF_TF_LEN]; /* --time-format, or empty */
    lf_tz tz;
    uint64_t zoneless; /* lines whose time had no zone */
    /* The last time text lf_time_any read and what it gave: log lines come in time order
     * and many share a second, so the same text is parsed again only when it changes. */
    char tc_text[48];
    size_t tc_len; /* 0: nothing cached */
    double tc_ts;
    int tc_subsec, tc_zoneless;
    char warn[ST_ERRLEN]; /* compile-time warning (unknown directives), or empty */
    /* Per-line state. */
    double frac; /* fraction added to the time (msec_frac, usec_frac) */
    int frac_set;
    lf_tm ptm; /* Apache %{FORMAT}t pieces of this line */
    int ptm_used;
    size_t fail_col;
    const char *fail_field;
    char *scratch; /* owned; rebuilt paths and unescaped strings of one line */
    size_t scratch_len;
    /* CSV/TSV */
    char delim;
    int need_header;
    char *map_names[V_NVARS];
    int map_col[V_NVARS];
    struct csv_parser csvp;
    char *row;
    size_t row_len;
    size_t fld_off[LF_CSV_MAX_COLS], fld_len[LF_CSV_MAX_COLS];
    size_t nfld;
    int row_overflow;
    /* JSON lines */
    lf_jpath jp[LF_JSON_MAX_PATHS];
    size_t njp;
    /* Built once from jp (lf_json_spec) so that a key costs one lookup, not a loop over every
     * path: per depth, a key's hash (lf_json_khash) -> the paths whose segment there may be
     * that key (confirmed by memcmp), the paths with an array index there, the paths that
     * end there. */
    uint32_t jkey[LF_JSON_MAX_SEGS][LF_JSON_KBUCKETS];
    uint32_t jarr[LF_JSON_MAX_SEGS];
    uint32_t jleaf[LF_JSON_MAX_SEGS + 1];
    int jstatus_mapped;
    /* W3C: the field of each column from the last #Fields: line */
    int w3c_col[LF_CSV_MAX_COLS];
    size_t w3c_ncol;
    int w3c_ms; /* time-taken in milliseconds (IIS) rather than seconds */
    int w3c_date_col, w3c_time_col;
};

/* Sets one field of r from the slice [s, s+n). Returns LF_OK or a reason. */
int lf_set(logfmt *f, logrec *r, int var, int tfi, const char *s, size_t n);
/* Copies into the per-line scratch; returns the copy or NULL when it is full. */
char *lf_scratch(logfmt *f, const char *s, size_t n);

/* Time engine (fmt_time.c). All return 0 or -1. */
int lf_time_any(logfmt *f, const char *s, size_t n, double *ts, int *subsec);
int lf_time_strf(logfmt *f, const char *pat, const char *s, size_t n, double *ts, int *subsec);
int lf_strf_check(const char *pat, char *err);
/* Apache %{FORMAT}t: each piece adds to the line's time; done turns it into epoch seconds. */
int lf_time_part(logfmt *f, const char *pat, const char *s, size_t n);
int lf_time_parts_done(logfmt *f, double *ts, int *subsec);
int lf_tz_parse(lf_tz *tz, const char *spec, char *err);
void lf_tz_free(lf_tz *tz);
double lf_tz_local_to_utc(const lf_tz *tz, int64_t local);
int lf_digits(const char *s, size_t n, unsigned *out);
int lf_decimal(const char *s, size_t n, double *out, int *had_frac);

/* The field names a mapping (csv:, json:) may use -> V_*; -1 for an unknown name. */
int lf_field_var(const char *name, size_t n);
#define LF_FIELD_NAMES "time, ip, method, path, query, request, status, bytes, ua, request_time"

/* Format families. Each *_spec compiles a spec (without its prefix) into f: 0 or ST_EINPUT. */
int lf_apache_spec(logfmt *f, const char *spec, char *err);
int lf_csv_spec(logfmt *f, const char *spec, char *err);
int lf_csv_header(logfmt *f, const char *line, size_t len, char *err);
int lf_parse_csv(logfmt *f, const char *line, size_t len, logrec *r);
int lf_json_spec(logfmt *f, const char *spec, char *err);
int lf_parse_json(logfmt *f, const char *line, size_t len, logrec *r);
int lf_w3c_header(logfmt *f, const char *line, size_t len, char *err);
int lf_parse_w3c(logfmt *f, const char *line, size_t len, logrec *r);
int lf_parse_haproxy(logfmt *f, const char *line, size_t len, logrec *r);
int lf_parse_alb(logfmt *f, const char *line, size_t len, logrec *r);

/* Records where parsing stopped and returns reason. */
static inline int lf_fail(logfmt *f, int reason, const char *line, const char *at,
                          const char *field)
{
    f->fail_col = at && at >= line ? (size_t)(at - line) : 0;
    f->fail_field = field;
    return reason;
}

#endif
