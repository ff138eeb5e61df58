/*
 * offer_access.c — offer access grants (see offer_access.h). PUT is idempotent: 201 when the
 * grant is new, 200 when it already existed.
 */
#include "api/offer_access.h"

#include "api/offers.h"
#include "api/resource.h"
#include "db/db.h"

#define GRANT_COLUMNS "a.offer_id, a.partner_id, api_ts(a.created_at) AS created_at"

static db_stmt_t LIST = DB_STMT("SELECT " GRANT_COLUMNS "\n"
                                "  FROM offer_partner_access a\n"
                                " WHERE a.offer_id = $1\n"
                                "   AND a.partner_id > $2\n"
                                " ORDER BY a.partner_id\n"
                                " LIMIT $3",
                                3, true);

static db_stmt_t INSERT = DB_STMT("WITH a AS (\n"
                                  "  INSERT INTO offer_partner_access (offer_id, partner_id)\n"
                                  "  SELECT o.id, p.id\n"
                                  "    FROM offers o, partners p\n"
                                  "   WHERE o.id = $1\n"
                                  "     AND p.id = $2\n"
                                  "  ON CONFLICT DO NOTHING\n"
                                  "  RETURNING *)\n"
                                  "SELECT " GRANT_COLUMNS "\n"
                                  "  FROM a",
                                  2, false);

static db_stmt_t GET = DB_STMT("SELECT " GRANT_COLUMNS "\n"
                               "  FROM offer_partner_access a\n"
                               " WHERE a.offer_id = $1\n"
                               "   AND a.partner_id = $2",
                               2, true);

static db_stmt_t DELETE = DB_STMT("DELETE FROM offer_partner_access\n"
                                  " WHERE offer_id = $1\n"
                                  "   AND partner_id = $2\n"
                                  "RETURNING offer_id",
                                  2, true);

static void keys(request_t *r, const char **params)
{
    params[0] = id_param(r, route_param_id(&r->match, "offer_id"));
    params[1] = id_param(r, route_param_id(&r->match, "partner_id"));
}

int offer_access_list(request_t *r)
{
    page_t pg;
    const char *offer = id_param(r, route_param_id(&r->match, "offer_id"));
    if (page_parse(r, &pg) < 0 || offers_exists(r, offer) < 0)
        return -1;
    const char *params[] = {offer, pg.after, pg.fetch};
    PGresult *res = db_exec(r->db, r->arena, &LIST, params, &r->problem);
    return res ? page_respond(r, res, &pg, "partner_id") : -1;
}

int offer_access_grant(request_t *r)
{
    const char *params[2];
    keys(r, params);
    PGresult *res = db_exec(r->db, r->arena, &INSERT, params, &r->problem);
    if (!res)
        return -1;
    if (PQntuples(res) == 1)
        return respond_row(r, res, 201);
    /* Nothing inserted: it existed already (200), or the offer or partner does not exist (404). */
    res = db_exec(r->db, r->arena, &GET, params, &r->problem);
    return res ? respond_row(r, res, 200) : -1;
}

int offer_access_revoke(request_t *r)
{
    const char *params[2];
    keys(r, params);
    PGresult *res = db_exec(r->db, r->arena, &DELETE, params, &r->problem);
    return res ? respond_done(r, res) : -1;
}
