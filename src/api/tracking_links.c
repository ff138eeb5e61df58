/*
 * tracking_links.c — tracking link generation (see tracking_links.h).
 */
#include "api/tracking_links.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/offers.h"
#include "api/resource.h"
#include "db/db.h"
#include "http/response.h"
#include "track/link_url.h"
#include "track/token.h"

#define LINKS_MAX_OFFERS 1000

static const char *const KINDS[] = {"click", "impression", NULL};

enum {
    F_OFFERS,
    F_PARTNER_ID,
    F_OFFER_URL_ID,
    F_INCLUDE_URLS,
    F_KIND,
    F_SOURCE_ID,
    F_SUB1,
    F_SUB2,
    F_SUB3,
    F_SUB4,
    F_SUB5,
    F_COUNT
};

static const field_spec_t FIELDS[F_COUNT] = {
    [F_OFFERS] = {"offers", VF_ANY, .required = true},
    [F_PARTNER_ID] = {"partner_id", VF_INT, .nullable = true, .min = 1, .max = INT64_MAX},
    [F_OFFER_URL_ID] = {"offer_url_id", VF_INT, .nullable = true, .min = 1, .max = INT64_MAX},
    [F_INCLUDE_URLS] = {"include_additional_urls", VF_BOOL},
    [F_KIND] = {"kind", VF_ENUM, .values = KINDS},
    [F_SOURCE_ID] = LINK_PARAM_FIELDS, /* through F_SUB5 */
};

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

/* One of the link's public URLs (arena), or NULL when it would be longer than LINK_URL_MAX_BYTES. */
static const char *link_url(request_t *r, const char *path, const char *token, const char *suffix,
                            const link_request_t *lp)
{
    buf_t b;
    buf_init(&b, LINK_URL_MAX_BYTES);
    const char *out = NULL;
    if (link_url_build(r->cfg->public_url, path, token, suffix, &lp->params, &b) == BUF_OK)
        out = arena_strndup(r->arena, buf_ptr(&b), b.len);
    buf_free(&b);
    return out;
}

/* What a click on the link fills the destination with, as far as it is known now; the click's
 * own transaction_id and timestamp only when with_click (then as long as a click's are). */
static link_fill_t link_fill(const link_request_t *lp, int64_t offer_id, int64_t url_id, bool with_click,
                             bool with_params)
{
    link_fill_t f = {.partner_id = lp->partner_id, .offer_id = offer_id, .offer_url_id = url_id, .timestamp = -1};
    if (with_click) {
        f.transaction_id = "00000000000000000000000000000000"; /* 32 hex digits, like every transaction_id */
        f.timestamp = (int64_t)time(NULL);
    }
    if (with_params)
        f.params = lp->params;
    return f;
}

/* Whether the destination, filled as a click on this link (with its parameters, or without when
 * !with_params) fills it, fits in a redirect. */
static bool location_fits(const char *dest, const link_request_t *lp, int64_t offer_id, int64_t url_id,
                          bool with_params)
{
    link_fill_t f = link_fill(lp, offer_id, url_id, true, with_params);
    buf_t b;
    buf_init(&b, LINK_URL_MAX_BYTES);
    bool fits = link_destination_fill(dest, &f, &b) == BUF_OK;
    buf_free(&b);
    return fits;
}

/* Direct linking: the destination itself, with the macros known now filled (the click's own,
 * transaction_id and timestamp, are left empty: the landing page's SDK gets them), plus tg_token
 * and the parameters. NULL when longer than LINK_URL_MAX_BYTES. */
static const char *direct_url(request_t *r, const char *dest, const char *token, int64_t offer_id, int64_t url_id,
                              const link_request_t *lp)
{
    link_fill_t f = link_fill(lp, offer_id, url_id, false, true);
    buf_t b;
    buf_init(&b, LINK_URL_MAX_BYTES);
    const char *out = NULL;
    if (link_destination_fill(dest, &f, &b) == BUF_OK &&
        buf_printf(&b, "%ctg_token=%s", strchr(buf_ptr(&b), '?') ? '&' : '?', token) == BUF_OK &&
        link_params_append(&lp->params, '&', &b) == BUF_OK)
        out = arena_strndup(r->arena, buf_ptr(&b), b.len);
    buf_free(&b);
    return out;
}

/* The 422 for a link with a URL (what) longer than LINK_URL_MAX_BYTES: every parameter that is
 * set is named, and the offer (offers) when its destination is too long even without them. */
static json_t *link_too_long(request_t *r, const link_request_t *lp, int64_t offer_id, int64_t url_id, const char *dest,
                             const char *what)
{
    const char *link = url_id ? arena_printf(r->arena, "offer %" PRId64 ", URL %" PRId64, offer_id, url_id)
                              : arena_printf(r->arena, "offer %" PRId64, offer_id);
    problem_set(&r->problem, PROBLEM_UNPROCESSABLE,
                "The %s of the link to %s would be longer than the %d bytes a link may have.", what, link,
                LINK_URL_MAX_BYTES);
    link_params_too_long(&lp->params, "body", what, &r->problem);
    if (dest && !location_fits(dest, lp, offer_id, url_id, false))
        problem_field(&r->problem, "body", "offers",
                      "%s: its destination_url is longer than %d bytes once its macros are filled, whatever the "
                      "parameters",
                      link, LINK_URL_MAX_BYTES);
    return NULL;
}

json_t *tracking_link_json(request_t *r, const link_request_t *lp, int64_t offer_id, const char *offer_name,
                           int64_t url_id, const char *url_name, const char *dest)
{
    token_claims_t claims = {lp->partner_id, offer_id, url_id};
    char token[TOKEN_MAX_LEN + 1];
    if (token_sign(&claims, (const unsigned char *)r->cfg->secret, strlen(r->cfg->secret), token) < 0) {
        problem_set(&r->problem, PROBLEM_INTERNAL, "The link could not be signed.");
        return NULL;
    }
    if (!location_fits(dest, lp, offer_id, url_id, true))
        return link_too_long(r, lp, offer_id, url_id, dest, "destination filled for a click (its Location)");
    bool click = strcmp(lp->kind, "click") == 0;
    const char *names[] = {"redirect_url", click ? "direct_url" : "impression_url", "qr_png_url", "qr_svg_url"};
    const char *urls[] = {
        link_url(r, "c", token, "", lp),
        click ? direct_url(r, dest, token, offer_id, url_id, lp) : link_url(r, "i", token, "", lp),
        link_url(r, "qr", token, ".png", lp),
        link_url(r, "qr", token, ".svg", lp),
    };
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++)
        if (!urls[i])
            return link_too_long(r, lp, offer_id, url_id, i == 1 && click ? dest : NULL, names[i]);
    json_t *l = json_object();
    json_object_set_new(l, "offer_id", json_integer(offer_id));
    json_object_set_new(l, "offer_url_id", url_id ? json_integer(url_id) : json_null());
    json_object_set_new(l, "offer_name", json_string(offer_name));
    json_object_set_new(l, "url_name", url_name ? json_string(url_name) : json_null());
    json_object_set_new(l, "kind", json_string(lp->kind));
    json_object_set_new(l, "token", json_string(token));
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++)
        json_object_set_new(l, names[i], json_string(urls[i]));
    return l;
}

/* The "offers" field: "all" (*ids_param NULL) or 1..1000 offer ids, duplicates merged, as an SQL
 * array literal of the distinct ids in the order first given. */
static int parse_offers(request_t *r, const json_t *j, const char **ids_param, size_t *count)
{
    *ids_param = NULL;
    *count = 0;
    if (json_is_string(j) && strcmp(json_string_value(j), "all") == 0)
        return 0;
    if (!json_is_array(j) || json_array_size(j) == 0 || json_array_size(j) > LINKS_MAX_OFFERS)
        return problem_field(&r->problem, "body", "offers", "must be \"all\" or an array of 1 to %d offer ids",
                             LINKS_MAX_OFFERS);
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
    buf_init(&b, 32 * LINKS_MAX_OFFERS);
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
static int check_offers_available(request_t *r, const json_t *offers, const char *partner, const char *ids)
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
static int link_partner(request_t *r, const field_value_t *v, int64_t *partner)
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

static int add_offer_links(request_t *r, const link_request_t *lp, const PGresult *res, int row, int64_t only_url,
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

int tracking_links_create(request_t *r)
{
    field_value_t v[F_COUNT];
    json_t *body;
    if (req_json_body(r, &body) < 0 || validate_object(body, FIELDS, F_COUNT, v, &r->problem) < 0)
        return -1;
    const char *ids;
    size_t count;
    if (parse_offers(r, v[F_OFFERS].json, &ids, &count) < 0)
        return -1;
    int64_t only_url = v[F_OFFER_URL_ID].present && !v[F_OFFER_URL_ID].is_null ? v[F_OFFER_URL_ID].i : 0;
    if (only_url && count != 1)
        return problem_field(&r->problem, "body", "offer_url_id", "needs exactly one offer in offers");
    link_request_t lp = {.kind = v[F_KIND].present ? v[F_KIND].s : "click"};
    if (link_partner(r, &v[F_PARTNER_ID], &lp.partner_id) < 0)
        return -1;
    link_params_from_body(r, &v[F_SOURCE_ID], &FIELDS[F_SOURCE_ID], &lp.params); /* F_SOURCE_ID..F_SUB5 */
    const char *partner = id_param(r, lp.partner_id);
    /* The cursor pages over the selected offers of this partner: it is bound to both. */
    page_t pg;
    const char *bind = arena_printf(r->arena, "partner=%s offers=%s", partner, ids ? ids : "all");
    if (page_parse_limits(r, &pg, LINKS_MAX_OFFERS, LINKS_MAX_OFFERS, bind) < 0)
        return -1;
    if (ids && !pg.key && check_offers_available(r, v[F_OFFERS].json, partner, ids) < 0)
        return -1;

    const char *params[] = {partner, ids, pg.after, pg.fetch};
    PGresult *res = db_exec(r->db, r->arena, &OFFERS, params, &r->problem);
    if (!res)
        return -1;
    json_t *data = json_array();
    for (int i = 0; i < page_rows(res, &pg); i++) {
        if (add_offer_links(r, &lp, res, i, only_url, v[F_INCLUDE_URLS].present && v[F_INCLUDE_URLS].b, data) < 0) {
            json_decref(data);
            return -1;
        }
    }
    return page_envelope(r, data, res, &pg, "id");
}
