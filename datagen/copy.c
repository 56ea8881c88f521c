/*
 * copy.c -- COPY FROM STDIN through PQputCopyData / PQputCopyEnd (see copy.h).
 */
#include "copy.h"

#include "pgx.h"

#include <limits.h>
#include <string.h>

/* r: the failed result when there is one (its SQLSTATE classifies the failure). */
static int fail_r(PGconn *c, const PGresult *r, const char *what, char *err)
{
    char line[180];
    snprintf(line, sizeof line, "%s", PQerrorMessage(c));
    char *nl = strchr(line, '\n');
    if (nl)
        *nl = 0;
    return st_err(err, pgx_error_rc(r), "%s: %s", what, line[0] ? line : "connection lost");
}

static int fail(PGconn *c, const char *what, char *err)
{
    return fail_r(c, NULL, what, err);
}

int copy_begin(PGconn *c, const char *sql, char *err)
{
    PGresult *r = PQexec(c, sql);
    int ok = r && PQresultStatus(r) == PGRES_COPY_IN;
    PQclear(r);
    if (!ok) {
        char what[160];
        snprintf(what, sizeof what, "%.120s", sql);
        return fail(c, what, err);
    }
    return 0;
}

int copy_put(PGconn *c, const char *buf, size_t n, char *err)
{
    while (n > 0) {
        int k = n > (size_t)INT_MAX / 2 ? INT_MAX / 2 : (int)n;
        if (PQputCopyData(c, buf, k) != 1)
            return fail(c, "COPY data", err);
        buf += k;
        n -= (size_t)k;
    }
    return 0;
}

int copy_end(PGconn *c, char *err)
{
    if (PQputCopyEnd(c, NULL) != 1)
        return fail(c, "COPY end", err);
    int rc = 0;
    PGresult *r;
    while ((r = PQgetResult(c)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && !rc)
            rc = fail_r(c, r, "COPY", err);
        PQclear(r);
    }
    return rc;
}

void copy_abort(PGconn *c, const char *why)
{
    if (PQtransactionStatus(c) != PQTRANS_ACTIVE)
        return;
    PQputCopyEnd(c, why ? why : "aborted");
    PGresult *r;
    while ((r = PQgetResult(c)) != NULL)
        PQclear(r);
}
