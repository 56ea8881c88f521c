/*
 * pgx.c -- checked PQexec helpers (see pgx.h).
 */
#include "pgx.h"

#include <stdlib.h>
#include <string.h>

/* The first line of the server's message, for one-line errors. */
static void first_line(const char *msg, char *out, size_t n)
{
    snprintf(out, n, "%s", msg && *msg ? msg : "unknown error");
    char *nl = strchr(out, '\n');
    if (nl)
        *nl = 0;
}

int pgx_error_rc(const PGresult *r)
{
    const char *st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    /* class 22 data exception (invalid input, out of range), 23 integrity constraint
     * violation (unique, check, not null, foreign key): the rows are at fault */
    if (st && (!strncmp(st, "22", 2) || !strncmp(st, "23", 2)))
        return ST_EINPUT;
    return ST_EENV;
}

static int fail(PGconn *c, const PGresult *r, const char *sql, char *err)
{
    char line[160];
    first_line(PQerrorMessage(c), line, sizeof line);
    return st_err(err, pgx_error_rc(r), "%s [SQL: %.80s%s]", line, sql,
                  strlen(sql) > 80 ? "..." : "");
}

PGconn *pgx_connect(const char *conninfo, char *err)
{
    PGconn *c = PQconnectdb(conninfo ? conninfo : "");
    if (!c) {
        st_err(err, ST_EENV, "cannot connect: out of memory");
        return NULL;
    }
    if (PQstatus(c) != CONNECTION_OK) {
        char line[200];
        first_line(PQerrorMessage(c), line, sizeof line);
        st_err(err, ST_EENV, "cannot connect: %s", line);
        PQfinish(c);
        return NULL;
    }
    /* Quiet NOTICEs (e.g. "relation already exists, skipping") would reach stderr. */
    PGresult *r = PQexec(c, "SET client_min_messages = warning");
    PQclear(r);
    return c;
}

int pgx_exec(PGconn *c, const char *sql, char *err)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    int rc = 0;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        rc = fail(c, r, sql, err);
    PQclear(r);
    return rc;
}

int pgx_select(PGconn *c, const char *sql, int nparams, const char *const *params, PGresult **out,
               char *err)
{
    PGresult *r = PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0);
    *out = NULL;
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
        int rc = fail(c, r, sql, err);
        PQclear(r);
        return rc;
    }
    *out = r;
    return 0;
}

PGresult *pgx_query(PGconn *c, const char *sql, int nparams, const char *const *params, char *err)
{
    PGresult *r;
    return pgx_select(c, sql, nparams, params, &r, err) ? NULL : r;
}

int pgx_scalar_i64(PGconn *c, const char *sql, int nparams, const char *const *params, int64_t *out,
                   char *err)
{
    PGresult *r;
    int rc = pgx_select(c, sql, nparams, params, &r, err);
    *out = 0;
    if (rc)
        return rc;
    if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
        *out = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return 0;
}

char *pgx_ident(PGconn *c, const char *name)
{
    char *q = PQescapeIdentifier(c, name, strlen(name));
    if (!q)
        return NULL;
    size_t n = strlen(q) + 1;
    char *out = malloc(n);
    if (out)
        memcpy(out, q, n);
    PQfreemem(q);
    return out;
}

const char *pgx_getval(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

double pgx_getnum(const PGresult *r, int row, int col)
{
    const char *v = pgx_getval(r, row, col);
    return v ? strtod(v, NULL) : 0;
}
