/*
 * tmpl.h -- request templates with placeholders (docs/formats/scenario.md, "routes").
 *
 * A template is compiled once at load into literal runs and placeholders: {FEEDER} (a draw),
 * {$VAR} (a session variable), {session}, {seq}. Rendering writes into a caller's fixed
 * buffer and never allocates, so the request path stays allocation-free. Rendering a feeder
 * placeholder also stores the value into the session variable of the same name, which is how
 * "{$products}" later refers to the product the session was looking at.
 * Ownership: tmpl_compile fills a caller-owned struct; tmpl_term frees it (safe twice).
 */
#ifndef RP_TMPL_H
#define RP_TMPL_H

#include <stddef.h>
#include "st.h"

#define TMPL_MAX_VARS 32
#define TMPL_VAR_LEN 256

enum tmpl_kind { TP_LIT = 0, TP_FEEDER, TP_VAR, TP_SESSION, TP_SEQ, TP_CLIENT_IP, TP_USER_AGENT };

typedef struct tmpl_part {
    int kind;
    int idx;         /* feeder index or variable index */
    size_t off, len; /* literal run in `text` */
} tmpl_part;

typedef struct tmpl {
    char *text;
    tmpl_part *parts;
    size_t n_parts;
    size_t n_feeders; /* feeder placeholders (draws per render) */
} tmpl;

/* The names a template may use: feeder names, and the variable table (grown by compile when
 * a new {$VAR} appears). Invariant: feeder f owns variable f of the same name, so the caller
 * registers every feeder name with tmpl_var_index first, in order. */
typedef struct tmpl_names {
    const char *feeders[TMPL_MAX_VARS];
    size_t n_feeders;
    char vars[TMPL_MAX_VARS][64];
    size_t n_vars;
} tmpl_names;

/* Index of variable `name`, adding it if absent; -1 when the table is full. */
int tmpl_var_index(tmpl_names *nm, const char *name);

/* Returns 0 or ST_EINPUT ("PATH: unknown placeholder {x}") / ST_ENOMEM. */
int tmpl_compile(tmpl *t, const char *src, tmpl_names *nm, const char *path, char *err);
void tmpl_term(tmpl *t);

/* Session variables: whether each is set, and values for the n variables the scenario
 * uses (a flexible array, so a session costs 256 bytes per variable it can hold, not 8 KiB). */
typedef struct tmpl_vars {
    /* The session's client (set once per session; NULL renders as ""): {client_ip},
     * {user_agent}. Borrowed strings. */
    const char *client_ip, *user_agent;
    unsigned char set[TMPL_MAX_VARS];
    char val[][TMPL_VAR_LEN];
} tmpl_vars;

/* Zeroed variables for n_vars names (names->n_vars). NULL on ENOMEM; caller frees. */
tmpl_vars *tmpl_vars_new(size_t n_vars);

typedef struct tmpl_ctx {
    tmpl_vars *vars;
    const tmpl_names *names;
    const char *const *draws; /* values for the feeder placeholders, in order */
    size_t n_draws, next_draw;
    uint64_t session;
    uint32_t seq;
    int plan_mode; /* unset variables print as "{$name}" */
} tmpl_ctx;

/* Renders into out (cap bytes incl. NUL). Returns the length, or ST_ELIMIT if it would not
 * fit (out then holds a truncated string). */
long tmpl_render(const tmpl *t, tmpl_ctx *c, char *out, size_t cap);

#endif
