/*
 * link_selection.c — the offers and links a link-generation request selects (see link_selection.h).
 */
#include "api/link_selection.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "api/offers.h"
#include "api/resource.h"
#include "db/db.h"

/* Offers the partner ($1) may run, optionally only those in $2, with their active URLs. */
static db_stmt_t OFFERS = DB_STMT("SELECT o.id, o.name, o.destination_url,\n"
                                  "       (SELECT coalesce(json_agg(json_build_object('id', u.id, 'name', u.name, "
                                  "'destination_url', u.destination_url)\n"
                                  "                                 ORDER BY u.id), '[]'::json)\n"
                                  "          FROM offer_urls u\n"
                                  "         WHERE u.offer_id = o.id AND u.status = 'active') AS urls\n"
                                  "  FROM offers o\n"
                                  " WHERE " OFFER_VISIBLE_TO_SCOPE "\n"
                                  "   AND ($2::bigint[] IS NULL OR o.id = ANY ($2::bigint[]))\n"
                                  "   AND o.id > $3\n"
                                  " ORDER BY o.id\n"
                                  " LIMIT $4",
                                  4, true);

static db_stmt_t PARTNER_ACTIVE = DB_STMT("SELECT 1\n"
                                          "  FROM partners\n"
                                          " WHERE id = $1\n"
                                          "   AND status = 'active'",
                                          1, true);

PGresult *link_selection_offers(request_t *r, arena_t *a, const char *partner, const char *ids, const char *after,
                                const char *fetch)
{
    const char *params[] = {partner, ids, after, fetch};
    return db_exec(r->db, a, &OFFERS, params, &r->problem);
}

int link_selection_parse_offers(request_t *r, const json_t *j, const char **ids_param, size_t *count)
{
    *ids_param = NULL;
    *count = 0;
    if (json_is_string(j) && strcmp(json_string_value(j), "all") == 0)
        return 0;
    if (!json_is_array(j) || json_array_size(j) == 0 || json_array_size(j) > LINK_SELECTION_MAX_OFFERS)
        return problem_field(&r->problem, "body", "offers", "must be \"all\" or an array of 1 to %d offer ids",
                             LINK_SELECTION_MAX_OFFERS);
    json_int_t *seen = arena_alloc(r->arena, json_array_size(j) * sizeof *seen);
    size_t n = 0, i;
    json_t *v;
    int rc = 0;
    json_array_foreach(j, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) < 1) {
            rc = problem_field(&r->problem, "body", arena_printf(r->arena, "offers[%zu]", i),
                               "must be a positive integer offer id");
            continue;
        }
        size_t k = 0;
        while (k < n && seen[k] != json_integer_value(v))
            k++;
        if (k == n)
            seen[n++] = json_integer_value(v);
    }
    if (rc < 0)
        return rc;
    buf_t b;
    buf_init(&b, 32 * LINK_SELECTION_MAX_OFFERS);
    buf_append_char(&b, '{');
    for (size_t k = 0; k < n; k++)
        buf_printf(&b, "%s%" JSON_INTEGER_FORMAT, k ? "," : "", seen[k]);
    buf_append_char(&b, '}');
    *ids_param = arena_strndup(r->arena, buf_ptr(&b), b.len);
    buf_free(&b);
    *count = n;
    return 0;
}

/* The requested offers ($2) that the partner ($1) may not run, whether or not they exist. */
static db_stmt_t UNAVAILABLE = DB_STMT("SELECT r.id\n"
                                       "  FROM unnest($2::bigint[]) WITH ORDINALITY AS r(id, n)\n"
                                       " WHERE NOT EXISTS (\n"
                                       "   SELECT 1\n"
                                       "     FROM offers o\n"
                                       "    WHERE o.id = r.id\n"
                                       "      AND " OFFER_VISIBLE_TO_SCOPE ")\n"
                                       " ORDER BY r.n",
                                       2, true);

/* 404 naming every requested offer the partner cannot use (one answer for "no such offer" and
 * "not yours", so nothing is revealed); the field is the offer's first index in the request. */
int link_selection_check_available(request_t *r, const json_t *offers, const char *partner, const char *ids)
{
    const char *params[] = {partner, ids};
    PGresult *res = db_exec(r->db, r->arena, &UNAVAILABLE, params, &r->problem);
    if (!res)
        return -1;
    int missing = PQntuples(res);
    for (int m = 0; m < missing; m++) {
        json_int_t id = strtoll(PQgetvalue(res, m, 0), NULL, 10);
        size_t i;
        json_t *v;
        json_array_foreach(offers, i, v)
        {
            if (json_integer_value(v) == id)
                break;
        }
        problem_field(&r->problem, "body", arena_printf(r->arena, "offers[%zu]", i),
                      "offer %" JSON_INTEGER_FORMAT " does not exist or is not available to this partner", id);
    }
    if (missing == 0)
        return 0;
    return problem_set(&r->problem, PROBLEM_NOT_FOUND, "%d of the requested offers %s not available to this partner.",
                       missing, missing == 1 ? "is" : "are");
}

/* Whose links: the caller's partner, or for admins the partner_id they name (which must exist and be active). */
int link_selection_partner(request_t *r, const field_value_t *v, int64_t *partner)
{
    bool given = v->present && !v->is_null;
    if (r->who.role == ROLE_PARTNER) {
        if (given && v->i != r->who.partner_id)
            return problem_set(&r->problem, PROBLEM_NOT_FOUND, "No such partner.");
        *partner = r->who.partner_id;
        return 0;
    }
    if (!given)
        return problem_field(&r->problem, "body", "partner_id", "is required with an admin key");
    const char *params[] = {id_param(r, v->i)};
    PGresult *res = db_exec(r->db, r->arena, &PARTNER_ACTIVE, params, &r->problem);
    if (!res)
        return -1;
    if (PQntuples(res) == 0)
        return problem_field(&r->problem, "body", "partner_id", "no active partner has this id");
    *partner = v->i;
    return 0;
}

int link_selection_add_links(request_t *r, const link_request_t *lp, const PGresult *res, int row, int64_t only_url,
                             bool include_urls, json_t *data)
{
    int64_t offer_id = strtoll(PQgetvalue(res, row, 0), NULL, 10);
    const char *name = PQgetvalue(res, row, 1);
    json_t *urls = json_loads(PQgetvalue(res, row, 3), 0, NULL);
    json_t *link = only_url ? NULL : tracking_link_json(r, lp, offer_id, name, 0, NULL, PQgetvalue(res, row, 2));
    int rc = only_url || link ? 0 : -1;
    if (link)
        json_array_append_new(data, link);
    size_t i;
    json_t *u;
    bool found = false;
    json_array_foreach(urls, i, u)
    {
        int64_t uid = json_integer_value(json_object_get(u, "id"));
        if (rc < 0 || (only_url ? uid != only_url : !include_urls))
            continue;
        found = true;
        link = tracking_link_json(r, lp, offer_id, name, uid, json_string_value(json_object_get(u, "name")),
                                  json_string_value(json_object_get(u, "destination_url")));
        if (!link)
            rc = -1;
        else
            json_array_append_new(data, link);
    }
    if (rc == 0 && only_url && !found)
        rc = problem_field(&r->problem, "body", "offer_url_id", "is not an active URL of offer %" PRId64, offer_id);
    json_decref(urls);
    return rc;
}
