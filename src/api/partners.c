/*
 * partners.c — the partners resource (see partners.h).
 */
#include "api/partners.h"

#include "api/resource.h"
#include "db/db.h"

static const char *const STATUSES[] = {"active", "suspended", NULL};

enum { F_NAME, F_EMAIL, F_STATUS, F_COUNT };

static const field_spec_t FIELDS[F_COUNT] = {
    [F_NAME] = {"name", VF_STRING, .required = true, .min_len = 1, .max_len = 200, .not_blank = true},
    [F_EMAIL] = {"email", VF_EMAIL, .nullable = true},
    [F_STATUS] = {"status", VF_ENUM, .values = STATUSES},
};

#define PARTNER_COLUMNS                                                                                                \
    "p.id, p.name, p.email, p.status, api_ts(p.created_at) AS created_at, api_ts(p.updated_at) AS updated_at"

static db_stmt_t LIST = DB_STMT("SELECT " PARTNER_COLUMNS "\n"
                                "  FROM partners p\n"
                                " WHERE ($1::text IS NULL OR p.status = $1)\n"
                                "   AND p.id > $2\n"
                                " ORDER BY p.id\n"
                                " LIMIT $3",
                                3, true);

static db_stmt_t GET = DB_STMT("SELECT " PARTNER_COLUMNS "\n"
                               "  FROM partners p\n"
                               " WHERE p.id = $1",
                               1, true);

static db_stmt_t GET_FOR_UPDATE = DB_STMT("SELECT " PARTNER_COLUMNS "\n"
                                          "  FROM partners p\n"
                                          " WHERE p.id = $1\n"
                                          "   FOR UPDATE",
                                          1, false);

static db_stmt_t INSERT = DB_STMT("WITH p AS (\n"
                                  "  INSERT INTO partners (name, email, status)\n"
                                  "  VALUES ($1, $2, coalesce($3, 'active'))\n"
                                  "  RETURNING *)\n"
                                  "SELECT " PARTNER_COLUMNS "\n"
                                  "  FROM p",
                                  3, false);

static db_stmt_t UPDATE = DB_STMT("UPDATE partners\n"
                                  "   SET name = $2, email = $3, status = coalesce($4, 'active'), updated_at = now()\n"
                                  " WHERE id = $1",
                                  4, false);

static db_stmt_t SUSPEND = DB_STMT("UPDATE partners\n"
                                   "   SET status = 'suspended', updated_at = now()\n"
                                   " WHERE id = $1\n"
                                   "RETURNING id",
                                   1, true);

static const char *partner_id(request_t *r)
{
    return id_param(r, route_param_id(&r->match, "partner_id"));
}

int partners_list(request_t *r)
{
    page_t pg;
    const char *status;
    int rc = page_parse(r, &pg);
    rc |= query_enum(r, "status", STATUSES, &status);
    if (rc)
        return -1;
    const char *params[] = {status, pg.after, pg.fetch};
    PGresult *res = db_exec(r->db, r->arena, &LIST, params, &r->problem);
    return res ? page_respond(r, res, &pg, "id") : -1;
}

/* Answers partner id (SQL parameter text) with an ETag. */
static int partners_respond(request_t *r, const char *id)
{
    const char *params[] = {id};
    PGresult *res = db_exec(r->db, r->arena, &GET, params, &r->problem);
    return res ? respond_row(r, res, 200) : -1;
}

json_t *partners_json(request_t *r, const char *id)
{
    const char *params[] = {id};
    PGresult *res = db_exec(r->db, r->arena, &GET, params, &r->problem);
    return res ? row_json_or_404(r, res) : NULL;
}

int partners_get(request_t *r)
{
    return partners_respond(r, partner_id(r));
}

int partners_create(request_t *r)
{
    return create_from_body(r, FIELDS, F_COUNT, &INSERT, NULL, 0, "/v1/partners");
}

int partners_update(request_t *r)
{
    static const patch_shape_t shape = {&GET_FOR_UPDATE, &UPDATE, FIELDS, F_COUNT};
    const char *keys[] = {partner_id(r)};
    if (patch_in_transaction(r, &shape, keys, 1) < 0)
        return -1;
    return partners_respond(r, keys[0]);
}

int partners_suspend(request_t *r)
{
    const char *params[] = {partner_id(r)};
    PGresult *res = db_exec(r->db, r->arena, &SUSPEND, params, &r->problem);
    return res ? respond_done(r, res) : -1;
}
