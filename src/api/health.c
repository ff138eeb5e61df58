/*
 * health.c — liveness and readiness probes (see health.h). The readiness answer also counts the
 * hits PostgreSQL refused (hit_quarantine, see src/track/shipper.c), so they are not missed.
 */
#include "api/health.h"

#include <stdlib.h>
#include <string.h>

#include "api/key_cache.h"
#include "db/db.h"
#include "db/migrate.h"
#include "http/response.h"
#include "track/track.h"

static db_stmt_t SCHEMA_VERSION = DB_STMT("SELECT max(version)\n"
                                          "  FROM schema_migrations",
                                          0, true);

static db_stmt_t QUARANTINED = DB_STMT("SELECT count(*)\n"
                                       "  FROM hit_quarantine",
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
    if (!offer_cache_ready(r->track->cache))
        return problem_set(&r->problem, PROBLEM_SERVICE_UNAVAILABLE,
                           "The offer cache is not loaded yet: clicks are answered 503.");
    if (!key_cache_ready(r->track->keys))
        return problem_set(&r->problem, PROBLEM_SERVICE_UNAVAILABLE,
                           "The API key cache is not loaded yet: authenticated requests are answered 503.");
    char why[512];
    if (!spool_healthy(r->track->spool, why, sizeof why))
        return problem_set(&r->problem, PROBLEM_SERVICE_UNAVAILABLE, "Clicks cannot be made durable (%s).", why);
    PGresult *q = db_exec(r->db, r->arena, &QUARANTINED, NULL, &r->problem);
    if (!q)
        return problem_set(&r->problem, PROBLEM_SERVICE_UNAVAILABLE, "The database is not reachable.");
    return resp_json(r, 200,
                     json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "status", "ready", "database", "ok", "migrations",
                               "current", "offer_cache", "loaded", "key_cache", "loaded", "spool", "ok", "quarantined",
                               (json_int_t)strtoll(PQgetvalue(q, 0, 0), NULL, 10)));
}
