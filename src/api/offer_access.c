/*
 * offer_access.c — offer access grants (see offer_access.h), through api/grants.h.
 */
#include "api/offer_access.h"

#include "api/grants.h"
#include "api/offers.h"

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

static const grant_shape_t SHAPE = {"offer_id", &LIST, &INSERT, &GET, &DELETE, offers_exists};

int offer_access_list(request_t *r)
{
    return grants_list(r, &SHAPE);
}

int offer_access_grant(request_t *r)
{
    return grants_put(r, &SHAPE);
}

int offer_access_revoke(request_t *r)
{
    return grants_delete(r, &SHAPE);
}
