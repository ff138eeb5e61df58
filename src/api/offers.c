/*
 * offers.c — the offers resource (see offers.h). A partner asking for an offer it may not run
 * gets the same 404 as for an offer that does not exist.
 */
#include "api/offers.h"

#include "api/resource.h"
#include "db/db.h"
#include "http/response.h"
#include "util/text.h"

static const char *const STATUSES[] = {"active", "paused", "archived", NULL};
static const char *const VISIBILITIES[] = {"public", "require_approval", "private", NULL};

enum {
    F_NAME,
    F_DESCRIPTION,
    F_STATUS,
    F_VISIBILITY,
    F_DESTINATION_URL,
    F_FALLBACK_URL,
    F_CURRENCY,
    F_PAYOUT,
    F_PREVIEW_URL,
    F_THUMBNAIL_URL,
    F_CATEGORY,
    F_COUNT
};

static const field_spec_t FIELDS[F_COUNT] = {
    [F_NAME] = {"name", VF_STRING, .required = true, .min_len = 1, .max_len = 200},
    [F_DESCRIPTION] = {"description", VF_TEXT, .max_len = 5000},
    [F_STATUS] = {"status", VF_ENUM, .values = STATUSES},
    [F_VISIBILITY] = {"visibility", VF_ENUM, .values = VISIBILITIES},
    [F_DESTINATION_URL] = {"destination_url", VF_URL, .required = true},
    [F_FALLBACK_URL] = {"fallback_url", VF_URL, .nullable = true},
    [F_CURRENCY] = {"currency", VF_CURRENCY},
    [F_PAYOUT] = {"payout", VF_STRING, .max_len = 200},
    [F_PREVIEW_URL] = {"preview_url", VF_URL, .nullable = true},
    [F_THUMBNAIL_URL] = {"thumbnail_url", VF_URL, .nullable = true},
    [F_CATEGORY] = {"category", VF_STRING, .nullable = true, .min_len = 1, .max_len = 100},
};

/* The offer as the API shows it (one place, used by every statement below). */
#define OFFER_COLUMNS                                                                                                  \
    "o.id, o.name, o.description, o.status, o.visibility, o.destination_url, o.fallback_url,\n"                        \
    "       o.currency, o.payout, o.preview_url, o.thumbnail_url, o.category,\n"                                       \
    "       api_ts(o.created_at) AS created_at, api_ts(o.updated_at) AS updated_at"

/* The offer's additional URLs; partners ($1 not NULL) do not see archived ones. */
#define OFFER_URLS_JSON                                                                                                \
    "(SELECT coalesce(json_agg(json_build_object(\n"                                                                   \
    "          'id', u.id, 'offer_id', u.offer_id, 'name', u.name, 'destination_url', u.destination_url,\n"            \
    "          'status', u.status, 'created_at', api_ts(u.created_at), 'updated_at', api_ts(u.updated_at))\n"          \
    "        ORDER BY u.id), '[]'::json)\n"                                                                            \
    "   FROM offer_urls u\n"                                                                                           \
    "  WHERE u.offer_id = o.id AND ($1::bigint IS NULL OR u.status <> 'archived')) AS urls"

static db_stmt_t LIST = DB_STMT("SELECT " OFFER_COLUMNS "\n"
                                "  FROM offers o\n"
                                " WHERE " OFFER_VISIBLE_TO_SCOPE "\n"
                                "   AND ($2::text IS NULL OR o.status = $2)\n"
                                "   AND ($3::text IS NULL OR o.name ILIKE '%' || $3 || '%' ESCAPE '\\')\n"
                                "   AND o.id > $4\n"
                                " ORDER BY o.id\n"
                                " LIMIT $5",
                                5, true);

static db_stmt_t GET = DB_STMT("SELECT " OFFER_COLUMNS ",\n"
                               "       " OFFER_URLS_JSON "\n"
                               "  FROM offers o\n"
                               " WHERE o.id = $2\n"
                               "   AND " OFFER_VISIBLE_TO_SCOPE,
                               2, true);

static db_stmt_t GET_FOR_UPDATE = DB_STMT("SELECT " OFFER_COLUMNS "\n"
                                          "  FROM offers o\n"
                                          " WHERE o.id = $1\n"
                                          "   FOR UPDATE",
                                          1, false);

static db_stmt_t INSERT =
    DB_STMT("WITH o AS (\n"
            "  INSERT INTO offers (name, description, status, visibility, destination_url, fallback_url,\n"
            "                      currency, payout, preview_url, thumbnail_url, category)\n"
            "  VALUES ($1, coalesce($2, ''), coalesce($3, 'active'), coalesce($4, 'public'), $5, $6,\n"
            "          coalesce($7, 'USD'), coalesce($8, ''), $9, $10, $11)\n"
            "  RETURNING *)\n"
            "SELECT " OFFER_COLUMNS ", '[]'::json AS urls\n"
            "  FROM o",
            11, false);

static db_stmt_t UPDATE =
    DB_STMT("UPDATE offers\n"
            "   SET name = $2, description = coalesce($3, ''), status = coalesce($4, 'active'),\n"
            "       visibility = coalesce($5, 'public'), destination_url = $6, fallback_url = $7,\n"
            "       currency = coalesce($8, 'USD'), payout = coalesce($9, ''), preview_url = $10,\n"
            "       thumbnail_url = $11, category = $12, updated_at = now()\n"
            " WHERE id = $1",
            12, false);

static db_stmt_t EXISTS = DB_STMT("SELECT 1\n"
                                  "  FROM offers\n"
                                  " WHERE id = $1",
                                  1, true);

static db_stmt_t ARCHIVE = DB_STMT("UPDATE offers\n"
                                   "   SET status = 'archived', updated_at = now()\n"
                                   " WHERE id = $1\n"
                                   "RETURNING id",
                                   1, true);

int offers_list(request_t *r)
{
    page_t pg;
    const char *status;
    size_t qlen = 0;
    const char *q = query_get(&r->query, "q", &qlen);
    int rc = page_parse(r, &pg);
    rc |= query_enum(r, "status", STATUSES, &status);
    if (q && (qlen == 0 || text_utf8_length(q, qlen) > 200))
        rc = problem_field(&r->problem, "query", "q", "must be 1 to 200 characters long");
    if (rc)
        return -1;
    const char *params[] = {scope_param(r), status, q ? text_like_escape(r->arena, q, qlen) : NULL, pg.after, pg.fetch};
    PGresult *res = db_exec(r->db, r->arena, &LIST, params, &r->problem);
    return res ? page_respond(r, res, &pg, "id") : -1;
}

/* Answers the offer with its URLs as the caller may see it. */
static int respond_offer(request_t *r, const char *id)
{
    const char *params[] = {scope_param(r), id};
    PGresult *res = db_exec(r->db, r->arena, &GET, params, &r->problem);
    return res ? respond_row(r, res, 200) : -1;
}

int offers_get(request_t *r)
{
    return respond_offer(r, id_param(r, route_param_id(&r->match, "offer_id")));
}

int offers_create(request_t *r)
{
    return create_from_body(r, FIELDS, F_COUNT, &INSERT, NULL, 0, "/v1/offers");
}

int offers_update(request_t *r)
{
    static const patch_shape_t shape = {&GET_FOR_UPDATE, &UPDATE, FIELDS, F_COUNT};
    const char *id = id_param(r, route_param_id(&r->match, "offer_id"));
    const char *keys[] = {id};
    if (patch_in_transaction(r, &shape, keys, 1) < 0)
        return -1;
    return respond_offer(r, id);
}

int offers_archive(request_t *r)
{
    const char *params[] = {id_param(r, route_param_id(&r->match, "offer_id"))};
    PGresult *res = db_exec(r->db, r->arena, &ARCHIVE, params, &r->problem);
    return res ? respond_done(r, res) : -1;
}

int offers_exists(request_t *r, const char *id)
{
    const char *params[] = {id};
    PGresult *res = db_exec(r->db, r->arena, &EXISTS, params, &r->problem);
    if (!res)
        return -1;
    if (PQntuples(res) == 0)
        return problem_set(&r->problem, PROBLEM_NOT_FOUND, NULL);
    return 0;
}
