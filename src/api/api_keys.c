/*
 * api_keys.c — the API keys resource (see api_keys.h). Only the key's SHA-256 is stored; the
 * key itself exists in the create response and nowhere else.
 */
#include "api/api_keys.h"

#include <stdint.h>
#include <string.h>

#include "api/apikey_format.h"
#include "api/resource.h"
#include "db/db.h"
#include "db/rowjson.h"
#include "http/ratelimit.h"
#include "http/response.h"

static const char *const ROLES[] = {"admin", "partner", NULL};

enum { F_ROLE, F_PARTNER_ID, F_NAME, F_RATE_LIMIT, F_COUNT };

static const field_spec_t FIELDS[F_COUNT] = {
    [F_ROLE] = {"role", VF_ENUM, .required = true, .values = ROLES},
    [F_PARTNER_ID] = {"partner_id", VF_INT, .nullable = true, .min = 1, .max = INT64_MAX},
    [F_NAME] = {"name", VF_STRING, .nullable = true, .min_len = 1, .max_len = 200},
    /* requests per minute on /v1; null: TRACKGEN_RATE_LIMIT; 0: not limited */
    [F_RATE_LIMIT] = {"rate_limit", VF_INT, .nullable = true, .min = 0, .max = RATELIMIT_MAX_LIMIT},
};

static db_stmt_t INSERT = DB_STMT(API_KEYS_INSERT_SQL, 6, false);

static db_stmt_t LIST = DB_STMT("SELECT " API_KEY_COLUMNS "\n"
                                "  FROM api_keys k\n"
                                " WHERE ($1::bigint IS NULL OR k.partner_id = $1)\n"
                                "   AND k.id > $2\n"
                                " ORDER BY k.id\n"
                                " LIMIT $3",
                                3, true);

static db_stmt_t GET = DB_STMT("SELECT " API_KEY_COLUMNS "\n"
                               "  FROM api_keys k\n"
                               " WHERE k.id = $1",
                               1, true);

static db_stmt_t SUMMARY = DB_STMT("SELECT k.id, k.prefix, k.name\n"
                                   "  FROM api_keys k\n"
                                   " WHERE k.id = $1",
                                   1, true);

static db_stmt_t REVOKE = DB_STMT("UPDATE api_keys\n"
                                  "   SET revoked_at = coalesce(revoked_at, now())\n"
                                  " WHERE id = $1\n"
                                  "RETURNING id",
                                  1, true);

int api_keys_list(request_t *r)
{
    page_t pg;
    int64_t partner = 0;
    int rc = page_parse(r, &pg);
    rc |= query_int(&r->query, "partner_id", 1, INT64_MAX / 10, 0, &partner, &r->problem);
    if (rc)
        return -1;
    const char *params[] = {partner ? id_param(r, partner) : NULL, pg.after, pg.fetch};
    PGresult *res = db_exec(r->db, r->arena, &LIST, params, &r->problem);
    return res ? page_respond(r, res, &pg, "id") : -1;
}

int api_keys_get(request_t *r)
{
    const char *params[] = {id_param(r, route_param_id(&r->match, "key_id"))};
    PGresult *res = db_exec(r->db, r->arena, &GET, params, &r->problem);
    return res ? respond_row(r, res, 200) : -1;
}

int api_keys_create(request_t *r)
{
    field_value_t v[F_COUNT];
    if (body_validated(r, FIELDS, F_COUNT, v) < 0)
        return -1;
    bool partner_role = strcmp(v[F_ROLE].s, "partner") == 0;
    bool has_partner = v[F_PARTNER_ID].present && !v[F_PARTNER_ID].is_null;
    if (partner_role && !has_partner)
        return problem_field(&r->problem, "body", "partner_id", "is required when role is partner");
    if (!partner_role && has_partner)
        return problem_field(&r->problem, "body", "partner_id", "must be absent or null when role is admin");

    apikey_t key;
    apikey_generate(&key);
    const char *params[] = {key.prefix,
                            key.hash_hex,
                            v[F_ROLE].s,
                            field_text(r->arena, &v[F_PARTNER_ID], &FIELDS[F_PARTNER_ID]),
                            field_text(r->arena, &v[F_NAME], &FIELDS[F_NAME]),
                            field_text(r->arena, &v[F_RATE_LIMIT], &FIELDS[F_RATE_LIMIT])};
    PGresult *res = db_exec(r->db, r->arena, &INSERT, params, &r->problem);
    if (!res)
        return -1;
    json_t *body = db_row_json(res, 0);
    json_object_set_new(body, "key", json_string(key.key)); /* shown this once, never again */
    resp_header(r, "Location", "/v1/api-keys/%s", PQgetvalue(res, 0, 0));
    return resp_json(r, 201, body);
}

int api_keys_revoke(request_t *r)
{
    const char *params[] = {id_param(r, route_param_id(&r->match, "key_id"))};
    PGresult *res = db_exec(r->db, r->arena, &REVOKE, params, &r->problem);
    return res ? respond_done(r, res) : -1;
}

json_t *api_keys_summary_json(request_t *r, int64_t key_id)
{
    const char *params[] = {id_param(r, key_id)};
    PGresult *res = db_exec(r->db, r->arena, &SUMMARY, params, &r->problem);
    return res ? row_json_or_404(r, res) : NULL;
}
