/*
 * offer_urls.c — additional destination URLs of an offer (see offer_urls.h).
 */
#include "api/offer_urls.h"

#include "api/offers.h"
#include "api/resource.h"
#include "db/db.h"
#include "track/offer_snapshot_load.h"

static const char *const STATUSES[] = {"active", "paused", "archived", NULL};

enum { F_NAME, F_DESTINATION_URL, F_STATUS, F_COUNT };

static const field_spec_t FIELDS[F_COUNT] = {
    [F_NAME] = {"name", VF_STRING, .required = true, .min_len = 1, .max_len = 200, .not_blank = true},
    [F_DESTINATION_URL] = {"destination_url", VF_URL, .required = true},
    [F_STATUS] = {"status", VF_ENUM, .values = STATUSES},
};

#define URL_COLUMNS OFFER_URL_VIEW_COLUMNS /* the URL as the API shows it, also in offer snapshots */

static db_stmt_t LIST = DB_STMT("SELECT " URL_COLUMNS "\n"
                                "  FROM offer_urls u\n"
                                " WHERE u.offer_id = $1\n"
                                "   AND u.id > $2\n"
                                " ORDER BY u.id\n"
                                " LIMIT $3",
                                3, true);

static db_stmt_t GET = DB_STMT("SELECT " URL_COLUMNS "\n"
                               "  FROM offer_urls u\n"
                               " WHERE u.offer_id = $1\n"
                               "   AND u.id = $2",
                               2, true);

static db_stmt_t GET_FOR_UPDATE = DB_STMT("SELECT " URL_COLUMNS "\n"
                                          "  FROM offer_urls u\n"
                                          " WHERE u.offer_id = $1\n"
                                          "   AND u.id = $2\n"
                                          "   FOR UPDATE",
                                          2, false);

static db_stmt_t INSERT = DB_STMT("WITH u AS (\n"
                                  "  INSERT INTO offer_urls (offer_id, name, destination_url, status)\n"
                                  "  SELECT o.id, $2, $3, coalesce($4, 'active')\n"
                                  "    FROM offers o\n"
                                  "   WHERE o.id = $1\n"
                                  "  RETURNING *)\n"
                                  "SELECT " URL_COLUMNS "\n"
                                  "  FROM u",
                                  4, false);

static db_stmt_t UPDATE =
    DB_STMT("UPDATE offer_urls\n"
            "   SET name = $3, destination_url = $4, status = coalesce($5, 'active'), updated_at = now()\n"
            " WHERE offer_id = $1\n"
            "   AND id = $2",
            5, false);

static db_stmt_t ARCHIVE = DB_STMT("UPDATE offer_urls\n"
                                   "   SET status = 'archived', updated_at = now()\n"
                                   " WHERE offer_id = $1\n"
                                   "   AND id = $2\n"
                                   "RETURNING id",
                                   2, true);

static const char *offer_id(request_t *r)
{
    return id_param(r, route_param_id(&r->match, "offer_id"));
}

static const char *url_id(request_t *r)
{
    return id_param(r, route_param_id(&r->match, "url_id"));
}

int offer_urls_list(request_t *r)
{
    page_t pg;
    if (page_parse(r, &pg) < 0 || offers_exists(r, offer_id(r)) < 0)
        return -1;
    const char *params[] = {offer_id(r), pg.after, pg.fetch};
    PGresult *res = db_exec(r->db, r->arena, &LIST, params, &r->problem);
    return res ? page_respond(r, res, &pg, "id") : -1;
}

int offer_urls_get(request_t *r)
{
    const char *params[] = {offer_id(r), url_id(r)};
    PGresult *res = db_exec(r->db, r->arena, &GET, params, &r->problem);
    return res ? respond_row(r, res, 200) : -1;
}

int offer_urls_create(request_t *r)
{
    const char *keys[] = {offer_id(r)};
    return create_from_body(r, FIELDS, F_COUNT, &INSERT, keys, 1,
                            arena_printf(r->arena, "/v1/offers/%s/urls", keys[0]));
}

int offer_urls_update(request_t *r)
{
    static const patch_shape_t shape = {&GET_FOR_UPDATE, &UPDATE, FIELDS, F_COUNT};
    const char *keys[] = {offer_id(r), url_id(r)};
    if (patch_in_transaction(r, &shape, keys, 2) < 0)
        return -1;
    return offer_urls_get(r);
}

int offer_urls_archive(request_t *r)
{
    const char *params[] = {offer_id(r), url_id(r)};
    PGresult *res = db_exec(r->db, r->arena, &ARCHIVE, params, &r->problem);
    return res ? respond_done(r, res) : -1;
}
