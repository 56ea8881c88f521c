/*
 * pg_connect.c -- proves that the suite really talks to the PostgreSQL 15 server that ./check
 * started (scripts/with-pg). It fails, never skips, when PG* points nowhere: a test suite
 * that silently runs without its database would hide every datagen regression.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    const char *host = getenv("PGHOST");
    const char *port = getenv("PGPORT");
    if (!host || !port) {
        fprintf(stderr, "pg_connect: PGHOST/PGPORT are not set: run the suite through ./check "
                        "or scripts/with-pg\n");
        return 1;
    }
    PGconn *c = PQconnectdb("connect_timeout=5");
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "pg_connect: cannot connect to %s:%s: %s", host, port, PQerrorMessage(c));
        PQfinish(c);
        return 1;
    }
    int ver = PQserverVersion(c);
    PGresult *r = PQexec(c, "SELECT count(*) FROM pg_database WHERE datname = current_database()");
    int ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
             strcmp(PQgetvalue(r, 0, 0), "1") == 0;
    PQclear(r);
    PQfinish(c);
    if (!ok) {
        fprintf(stderr, "pg_connect: query against the server failed\n");
        return 1;
    }
    if (ver < 150000 || ver >= 160000) {
        fprintf(stderr, "pg_connect: server is version %d, expected PostgreSQL 15\n", ver);
        return 1;
    }
    printf("pg_connect: PostgreSQL %d at %s:%s\n", ver, host, port);
    return 0;
}
