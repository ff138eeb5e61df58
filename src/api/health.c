/*
 * health.c — liveness and readiness probes (see health.h).
 */
#include "api/health.h"

#include <string.h>

#include "db/db.h"
#include "db/migrate.h"
#include "http/response.h"

static db_stmt_t SCHEMA_VERSION = DB_STMT(
    "SELECT max(version)\n"
    "  FROM schema_migrations",
    0, true);

int health_live(request_t *r)
{
    return resp_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

int health_ready(request_t *r)
{
    PGresult *res = db_exec(r->db, r->arena, &SCHEMA_VERSION, NULL, &r->problem);
    if (!res)
        return problem_set(&r->problem, PROBLEM_SERVICE_UNAVAILABLE, "The database is not reachable.");
    const char *have = PQgetisnull(res, 0, 0) ? "none" : PQgetvalue(res, 0, 0);
    const char *want = migrate_expected_version();
    if (strcmp(have, want) != 0)
        return problem_set(&r->problem, PROBLEM_SERVICE_UNAVAILABLE,
                           "The database schema is at version %s; this build expects %s (run trackgen migrate).", have,
                           want);
    return resp_json(r, 200, json_pack("{s:s, s:s, s:s}", "status", "ready", "database", "ok", "migrations", "current"));
}
