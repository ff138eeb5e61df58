/*
 * auth.c — API key authentication (see auth.h).
 */
#include "api/auth.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/apikey_format.h"
#include "api/signed_link.h"
#include "db/db.h"
#include "http/app.h"

static db_stmt_t KEY_BY_PREFIX =
    DB_STMT("SELECT k.id, k.role, k.partner_id, encode(k.key_hash, 'hex') AS key_hash,\n"
            "       k.revoked_at IS NOT NULL AS revoked,\n"
            "       coalesce(p.status <> 'active', false) AS partner_inactive,\n"
            "       (k.last_used_at IS NULL OR k.last_used_at < now() - interval '60 seconds') AS stale,\n"
            "       k.rate_limit\n"
            "  FROM api_keys k\n"
            "  LEFT JOIN partners p ON p.id = k.partner_id\n"
            " WHERE k.prefix = $1",
            1, true);

/* Concurrent requests with the same key must not queue on its row lock: whoever holds it
 * refreshes the timestamp, the others skip. */
static db_stmt_t KEY_TOUCH =
    DB_STMT("UPDATE api_keys\n"
            "   SET last_used_at = now()\n"
            " WHERE id = (SELECT id\n"
            "               FROM api_keys\n"
            "              WHERE id = $1\n"
            "                AND (last_used_at IS NULL OR last_used_at < now() - interval '60 seconds')\n"
            "                FOR UPDATE SKIP LOCKED)",
            1, true);

/* The presented key: Bearer token first, then X-Api-Key. */
static const char *presented_key(const request_t *r)
{
    const char *authz = req_header(r, "HTTP_AUTHORIZATION");
    if (authz && strncasecmp(authz, "Bearer ", 7) == 0) {
        const char *k = authz + 7;
        while (*k == ' ')
            k++;
        return k;
    }
    return req_header(r, "HTTP_X_API_KEY");
}

static int unauthorized(request_t *r, const char *detail)
{
    return problem_set(&r->problem, PROBLEM_UNAUTHORIZED, "%s", detail);
}

int auth_authenticate(request_t *r)
{
    if ((r->match.route->flags & ROUTE_SIGNED) && query_get(&r->query, "sig", NULL))
        return signed_link_authenticate(r);
    const char *key = presented_key(r);
    if (!key || !*key)
        return unauthorized(r, "No API key: send Authorization: Bearer <key> or X-Api-Key: <key>.");
    apikey_t k;
    if (!apikey_parse(key, strlen(key), &k))
        return unauthorized(r, "The API key is not valid.");
    const char *params[] = {k.prefix};
    PGresult *res = db_exec(r->db, r->arena, &KEY_BY_PREFIX, params, &r->problem);
    if (!res)
        return -1;
    /* Same answer for unknown and wrong keys: nothing to learn about which prefixes exist. */
    if (PQntuples(res) != 1 || !apikey_hash_matches(&k, PQgetvalue(res, 0, 3), (size_t)PQgetlength(res, 0, 3)))
        return unauthorized(r, "The API key is not valid.");
    if (PQgetvalue(res, 0, 4)[0] == 't')
        return unauthorized(r, "The API key has been revoked.");
    if (PQgetvalue(res, 0, 5)[0] == 't')
        return unauthorized(r, "The partner of this API key is suspended.");

    r->who.key_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    r->who.role = strcmp(PQgetvalue(res, 0, 1), "admin") == 0 ? ROLE_ADMIN : ROLE_PARTNER;
    r->who.partner_id = PQgetisnull(res, 0, 2) ? 0 : strtoll(PQgetvalue(res, 0, 2), NULL, 10);
    memcpy(r->who.key_prefix, k.prefix, sizeof k.prefix);
    r->who.rate_limit = PQgetisnull(res, 0, 7) ? -1 : atoi(PQgetvalue(res, 0, 7));

    if (PQgetvalue(res, 0, 6)[0] == 't') {
        const char *id[] = {PQgetvalue(res, 0, 0)};
        problem_t ignored; /* a failed touch must not fail the request */
        problem_init(&ignored, r->arena);
        db_exec(r->db, r->arena, &KEY_TOUCH, id, &ignored);
    }
    return 0;
}
