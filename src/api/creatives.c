/*
 * creatives.c — the creatives resource (see creatives.h). A partner asking for a creative it may
 * not see gets the same 404 as for one that does not exist.
 */
#include "api/creatives.h"

#include <string.h>

#include "api/creative_view.h"
#include "api/grants.h"
#include "api/resource.h"
#include "db/db.h"
#include "http/response.h"
#include "util/text.h"

const char *const CREATIVE_TYPES[] = {"image", "html", "email", "text", "video", "document", "archive", NULL};
#define TYPES CREATIVE_TYPES
static const char *const STATUSES[] = {"active", "paused", "archived", NULL};
static const char *const VISIBILITIES[] = {"public", "private", NULL};

const char *const CREATIVE_LIST_QUERY[] = {"limit",     "cursor", "offer_id", "type", "status", "q",    "kind",
                                           "source_id", "sub1",   "sub2",     "sub3", "sub4",   "sub5", NULL};
const char *const CREATIVE_GET_QUERY[] = {"kind", "source_id", "sub1", "sub2", "sub3", "sub4", "sub5", NULL};

const field_spec_t CREATIVE_FIELDS[CREATIVE_F_COUNT] = {
    [CREATIVE_F_OFFER_ID] = {"offer_id", VF_INT, .required = true, .min = 1, .max = INT64_MAX},
    [CREATIVE_F_OFFER_URL_ID] = {"offer_url_id", VF_INT, .nullable = true, .min = 1, .max = INT64_MAX},
    [CREATIVE_F_NAME] = {"name", VF_STRING, .required = true, .min_len = 1, .max_len = 200, .not_blank = true},
    [CREATIVE_F_TYPE] = {"type", VF_ENUM, .required = true, .values = TYPES},
    [CREATIVE_F_STATUS] = {"status", VF_ENUM, .values = STATUSES},
    [CREATIVE_F_VISIBILITY] = {"visibility", VF_ENUM, .values = VISIBILITIES},
    [CREATIVE_F_DESCRIPTION] = {"description", VF_TEXT, .max_len = 5000},
    [CREATIVE_F_HTML_CODE] = {"html_code", VF_TEXT, .nullable = true, .min_len = 1, .max_len = 100000},
    [CREATIVE_F_TEXT_BODY] = {"text_body", VF_TEXT, .nullable = true, .min_len = 1, .max_len = 20000},
    [CREATIVE_F_EMAIL_SUBJECTS] = {"email_subjects", VF_STRING_LIST, .min_len = 1, .max_len = 200, .max = 20},
    [CREATIVE_F_EMAIL_FROM_LINES] = {"email_from_lines", VF_STRING_LIST, .min_len = 1, .max_len = 200, .max = 20},
};

static db_stmt_t LIST = DB_STMT("SELECT " CREATIVE_COLUMNS "\n" CREATIVE_FROM " WHERE " CREATIVE_VISIBLE_TO_SCOPE "\n"
                                "   AND ($2::bigint IS NULL OR c.offer_id = $2)\n"
                                "   AND ($3::text IS NULL OR c.type = $3)\n"
                                "   AND ($4::text IS NULL OR c.status = $4)\n"
                                "   AND ($5::text IS NULL OR c.name ILIKE '%' || $5 || '%' ESCAPE '\\')\n"
                                "   AND c.id > $6\n"
                                " ORDER BY c.id\n"
                                " LIMIT $7",
                                7, true);

static db_stmt_t GET = DB_STMT("SELECT " CREATIVE_COLUMNS "\n" CREATIVE_FROM " WHERE c.id = $2\n"
                               "   AND " CREATIVE_VISIBLE_TO_SCOPE,
                               2, true);

static db_stmt_t INSERT = DB_STMT(
    "INSERT INTO creatives (offer_id, offer_url_id, name, type, status, visibility, description, html_code,\n"
    "                       text_body, email_subjects, email_from_lines, file_sha256, file_size, content_type,\n"
    "                       file_name, width, height, thumbnail_sha256, thumbnail_content_type)\n"
    "VALUES ($1, $2, $3, $4, coalesce($5, 'active'), coalesce($6, 'public'), coalesce($7, ''), $8, $9,\n"
    "        ARRAY(SELECT json_array_elements_text(coalesce($10::json, '[]'))),\n"
    "        ARRAY(SELECT json_array_elements_text(coalesce($11::json, '[]'))),\n"
    "        $12, $13, $14, $15, $16, $17, $18, $19)\n"
    "RETURNING id",
    19, false);

/* PATCH: the current fields, named like CREATIVE_FIELDS. */
static db_stmt_t GET_FOR_UPDATE =
    DB_STMT("SELECT offer_id, offer_url_id, name, type, status, visibility, description,\n"
            "       html_code, text_body, to_json(email_subjects) AS email_subjects,\n"
            "       to_json(email_from_lines) AS email_from_lines\n"
            "  FROM creatives\n"
            " WHERE id = $1\n"
            "   FOR UPDATE",
            1, false);

static db_stmt_t UPDATE = DB_STMT(
    "UPDATE creatives\n"
    "   SET offer_id = $2, offer_url_id = $3, name = $4, type = $5, status = coalesce($6, 'active'),\n"
    "       visibility = coalesce($7, 'public'), description = coalesce($8, ''), html_code = $9,\n"
    "       text_body = $10, email_subjects = ARRAY(SELECT json_array_elements_text(coalesce($11::json, '[]'))),\n"
    "       email_from_lines = ARRAY(SELECT json_array_elements_text(coalesce($12::json, '[]'))),\n"
    "       updated_at = now()\n"
    " WHERE id = $1",
    12, false);

static db_stmt_t ARCHIVE = DB_STMT("UPDATE creatives\n"
                                   "   SET status = 'archived', updated_at = now()\n"
                                   " WHERE id = $1\n"
                                   "RETURNING id",
                                   1, true);

static db_stmt_t EXISTS = DB_STMT("SELECT 1 FROM creatives WHERE id = $1", 1, true);

GRANT_STATEMENTS("creative_partner_access", "creative_id", "creatives");

static int creative_exists(request_t *r, const char *id)
{
    const char *params[] = {id};
    PGresult *res = db_exec(r->db, r->arena, &EXISTS, params, &r->problem);
    if (!res)
        return -1;
    return PQntuples(res) ? 0 : problem_set(&r->problem, PROBLEM_NOT_FOUND, NULL);
}

static const grant_shape_t GRANTS = {"creative_id", &GRANT_LIST,   &GRANT_INSERT,
                                     &GRANT_GET,    &GRANT_DELETE, creative_exists};

int creatives_list(request_t *r)
{
    page_t pg;
    const char *type, *status;
    int64_t offer = 0;
    size_t qlen = 0;
    const char *q = query_get(&r->query, "q", &qlen);
    int rc = page_parse(r, &pg);
    rc |= query_enum(r, "type", TYPES, &type);
    rc |= query_enum(r, "status", STATUSES, &status);
    rc |= query_int(&r->query, "offer_id", 1, INT64_MAX / 10, 0, &offer, &r->problem);
    if (q && (qlen == 0 || text_utf8_length(q, qlen) > 200))
        rc = problem_field(&r->problem, "query", "q", "must be 1 to 200 characters long");
    creative_view_t v;
    if (rc || creative_view_parse(r, &v) < 0)
        return -1;
    const char *params[] = {scope_param(r),
                            offer ? id_param(r, offer) : NULL,
                            type,
                            status,
                            q ? text_like_escape(r->arena, q, qlen) : NULL,
                            pg.after,
                            pg.fetch};
    PGresult *res = db_exec(r->db, r->arena, &LIST, params, &r->problem);
    if (!res)
        return -1;
    json_t *data = json_array();
    for (int i = 0; i < page_rows(res, &pg); i++) {
        json_t *item = creative_json(r, res, i, &v);
        if (!item) {
            json_decref(data);
            return -1;
        }
        json_array_append_new(data, item);
    }
    return page_envelope(r, data, res, &pg, "id");
}

PGresult *creatives_fetch(request_t *r, const char *id)
{
    const char *params[] = {scope_param(r), id};
    PGresult *res = db_exec(r->db, r->arena, &GET, params, &r->problem);
    if (res && PQntuples(res) == 0) {
        problem_set(&r->problem, PROBLEM_NOT_FOUND, NULL);
        return NULL;
    }
    return res;
}

int creatives_respond(request_t *r, const char *id, int status)
{
    creative_view_t v;
    if (creative_view_parse(r, &v) < 0)
        return -1;
    PGresult *res = creatives_fetch(r, id);
    if (!res)
        return -1;
    json_t *j = creative_json(r, res, 0, &v);
    if (!j)
        return -1;
    return resp_json(r, status, j);
}

int creatives_get(request_t *r)
{
    return creatives_respond(r, id_param(r, route_param_id(&r->match, "creative_id")), 200);
}

int creatives_insert(request_t *r, const field_value_t *v, const creative_file_t *f)
{
    const char *params[19];
    values_to_params(r, CREATIVE_FIELDS, v, CREATIVE_F_COUNT, params);
    const creative_file_t none = {0};
    if (!f)
        f = &none;
    const char *file[] = {f->sha256, f->size,   f->content_type,     f->name,
                          f->width,  f->height, f->thumbnail_sha256, f->thumbnail_content_type};
    memcpy(params + CREATIVE_F_COUNT, file, sizeof file);
    PGresult *res = db_exec(r->db, r->arena, &INSERT, params, &r->problem);
    if (!res)
        return -1;
    const char *id = PQgetvalue(res, 0, 0);
    if (resp_header(r, "Location", "/v1/creatives/%s", id) < 0)
        return -1;
    return creatives_respond(r, id, 201);
}

int creatives_update(request_t *r)
{
    static const patch_shape_t shape = {&GET_FOR_UPDATE, &UPDATE, CREATIVE_FIELDS, CREATIVE_F_COUNT};
    const char *id = id_param(r, route_param_id(&r->match, "creative_id"));
    const char *keys[] = {id};
    if (patch_in_transaction(r, &shape, keys, 1) < 0)
        return -1;
    return creatives_respond(r, id, 200);
}

int creatives_archive(request_t *r)
{
    const char *params[] = {id_param(r, route_param_id(&r->match, "creative_id"))};
    PGresult *res = db_exec(r->db, r->arena, &ARCHIVE, params, &r->problem);
    return res ? respond_done(r, res) : -1;
}

int creative_access_list(request_t *r)
{
    return grants_list(r, &GRANTS);
}

int creative_access_grant(request_t *r)
{
    return grants_put(r, &GRANTS);
}

int creative_access_revoke(request_t *r)
{
    return grants_delete(r, &GRANTS);
}
