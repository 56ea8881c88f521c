/*
 * pgx.h -- the one checked way to run SQL (pgbench's habit): every statement's result is
 * checked against the status it must have, and a failure reports PQerrorMessage together
 * with the SQL that failed (cut to a readable length).
 *
 * Ownership: pgx_query returns a PGresult the caller PQclear()s; pgx_ident returns a
 * malloc'd quoted identifier the caller frees (PQfreemem is not needed: it is copied).
 */
#ifndef DG_PGX_H
#define DG_PGX_H

#include <libpq-fe.h>

#include "st.h"

/* Connects (conninfo NULL or "" = the PG* environment). NULL with err set; ST_EENV. */
PGconn *pgx_connect(const char *conninfo, char *err);
/* ST_EINPUT when r failed with SQLSTATE class 22 (data exception) or 23 (integrity
 * constraint violation): the generated rows are at fault, not the server. Else ST_EENV. */
int pgx_error_rc(const PGresult *r);
/* Runs a statement expecting COMMAND_OK or TUPLES_OK. 0, or ST_EINPUT (pgx_error_rc) or
 * ST_EENV with err set. */
int pgx_exec(PGconn *c, const char *sql, char *err);
/* Runs a query with text parameters expecting TUPLES_OK. NULL with err set. */
PGresult *pgx_query(PGconn *c, const char *sql, int nparams, const char *const *params, char *err);
/* The same, for readers that pass the failure on: 0 with *out set (caller PQclear()s), or
 * the SQLSTATE-classified code (pgx_error_rc) with err set and *out NULL. */
int pgx_select(PGconn *c, const char *sql, int nparams, const char *const *params, PGresult **out,
               char *err);
/* The first column of the first row as an integer (0 when NULL). */
int pgx_scalar_i64(PGconn *c, const char *sql, int nparams, const char *const *params, int64_t *out,
                   char *err);
/* A result field as text (NULL when SQL NULL) or as a number (0 when NULL). */
const char *pgx_getval(const PGresult *r, int row, int col);
double pgx_getnum(const PGresult *r, int row, int col);
/* A quoted identifier ("Name" -> "\"Name\""); NULL on failure. Caller frees. */
char *pgx_ident(PGconn *c, const char *name);

#endif
