/*
 * partitions.c — creating hit partitions ahead and dropping those past retention (see partitions.h).
 */
#include "track/partitions.h"

#include <stdio.h>

#include "util/log.h"

#define STR_(x) #x
#define STR(x) STR_(x)

static const char MAINTAIN[] = "SELECT hits_ensure_partitions(current_date - 1, current_date + " STR(
    PARTITIONS_AHEAD_DAYS) "), hits_drop_partitions($1::integer)";

bool partitions_maintain(PGconn *conn, int retention_days)
{
    char days[16];
    snprintf(days, sizeof days, "%d", retention_days);
    const char *params[] = {days};
    PGresult *r = PQexecParams(conn, MAINTAIN, 1, NULL, params, NULL, NULL, 0);
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        log_msg(LOG_WARN, "partitions: cannot maintain the hit partitions: %s", PQerrorMessage(conn));
    else if (PQgetvalue(r, 0, 1)[0] != '0')
        log_msg(LOG_INFO, "partitions: dropped %s hit partition(s) older than %d days", PQgetvalue(r, 0, 1),
                retention_days);
    PQclear(r);
    return ok;
}
