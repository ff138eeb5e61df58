/*
 * asset_packages.c — the JSON of asset packages: create, get, list (see asset_packages.h).
 */
#include "api/asset_packages.h"

#include <string.h>

#include "api/asset_package.h"
#include "api/coupons.h"
#include "api/creative_view.h"
#include "api/link_selection.h"
#include "api/resource.h"
#include "api/signed_link.h"
#include "db/db.h"
#include "db/rowjson.h"
#include "http/response.h"

#define PACKAGE_PAGE_DEFAULT 20
#define PACKAGE_PAGE_MAX 100

const char *const ASSET_PACKAGE_CREATE_QUERY[] = {"limit", NULL};

static db_stmt_t INSERT = DB_STMT("INSERT INTO asset_packages (partner_id, config)\n"
                                  "VALUES ($1, $2)\n"
                                  "RETURNING id, api_ts(created_at) AS created_at",
                                  2, false);

/* $1 scope (NULL: admin, every package), $2 after (0: first page; ids descend), $3 rows. */
static db_stmt_t LIST = DB_STMT("SELECT id, partner_id, config, api_ts(created_at) AS created_at\n"
                                "  FROM asset_packages\n"
                                " WHERE ($1::bigint IS NULL OR partner_id = $1)\n"
                                "   AND ($2::bigint = 0 OR id < $2)\n"
                                " ORDER BY id DESC\n"
                                " LIMIT $3",
                                3, true);

/* 422 naming offer_url_id unless it is an active URL of the (one) offer of row 0. */
static int check_only_url(request_t *r, const asset_package_t *p, const PGresult *offers)
{
    if (!p->only_url || PQntuples(offers) == 0 || asset_package_url_active(offers, 0, p->only_url))
        return 0;
    return problem_field(&r->problem, "body", "offer_url_id", "is not an active URL of offer %s",
                         PQgetvalue(offers, 0, 0));
}

/* The creatives of the page's offers (ids) appended to each offer's "creatives" (by_offer maps an
 * offer id to its item). 0 or -1. */
static int add_creatives(request_t *r, const asset_package_t *p, const char *ids, json_t *by_offer)
{
    PGresult *res = asset_package_creatives(r, r->arena, p, ids);
    if (!res)
        return -1;
    creative_view_t v;
    creative_view_for_link(&v, &p->link);
    for (int i = 0; i < PQntuples(res); i++) {
        json_t *item = json_object_get(by_offer, creative_value(res, i, "offer_id"));
        json_t *c = creative_json(r, res, i, &v);
        if (!c)
            return -1;
        json_array_append_new(json_object_get(item, "creatives"), c); /* steals c */
    }
    return 0;
}

/* The offers of one page: [{offer_id, offer_name, tracking_links, creatives, coupons}]. NULL with
 * the problem recorded. */
static json_t *offers_json(request_t *r, const asset_package_t *p, const PGresult *res, int n)
{
    json_t *offers = json_array(), *by_offer = json_object(), *coupons = json_object();
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        json_t *links = json_array(), *mine = json_array();
        if (asset_package_links_of(p, res, i))
            rc = link_selection_add_links(r, &p->link, res, i, p->only_url, p->include_urls, links);
        json_t *item = json_pack(
            "{s:I, s:s, s:o, s:[], s:o}", "offer_id", (json_int_t)strtoll(PQgetvalue(res, i, 0), NULL, 10),
            "offer_name", PQgetvalue(res, i, 1), "tracking_links", links, "creatives", "coupons", json_incref(mine));
        json_array_append_new(offers, item);
        json_object_set(by_offer, PQgetvalue(res, i, 0), item);
        json_object_set_new(coupons, PQgetvalue(res, i, 0), mine);
    }
    const char *ids = n ? asset_package_ids(r->arena, res, n) : NULL;
    if (rc == 0 && ids && p->creatives)
        rc = add_creatives(r, p, ids, by_offer);
    if (rc == 0 && ids && p->coupons)
        rc = coupons_of_offers(r, p->partner, ids, coupons);
    json_decref(by_offer);
    json_decref(coupons);
    if (rc < 0) {
        json_decref(offers);
        return NULL;
    }
    return offers;
}

/* The package as the API shows it, with one page of its offers (a new reference), or NULL with
 * the problem recorded. The cursor is bound to GET /v1/asset-packages/{id}, which continues it. */
static json_t *package_json(request_t *r, const asset_package_t *p, bool created)
{
    page_t pg;
    const char *bind = arena_printf(r->arena, "package=%s", p->id);
    const char *path = arena_printf(r->arena, "/v1/asset-packages/%s", p->id);
    const char *own_path = r->path;
    size_t own_len = r->path_len;
    r->path = path; /* the cursor's scope is GET's path, also when POST issues it */
    r->path_len = strlen(path);
    int rc = page_parse_limits(r, &pg, PACKAGE_PAGE_DEFAULT, PACKAGE_PAGE_MAX, bind);
    PGresult *res = rc == 0 ? asset_package_offers(r, r->arena, p, pg.after, pg.fetch) : NULL;
    if (res && created)
        rc = check_only_url(r, p, res);
    json_t *offers = res && rc == 0 ? offers_json(r, p, res, page_rows(res, &pg)) : NULL;
    json_t *next = offers ? page_next_cursor(r, res, &pg, "id") : NULL;
    r->path = own_path;
    r->path_len = own_len;
    int64_t exp = 0;
    const char *url = next ? signed_link_issue(r, arena_printf(r->arena, "%s/download", path), NULL, 0, &exp) : NULL;
    if (!url) {
        json_decref(offers);
        json_decref(next);
        return NULL;
    }
    return json_pack("{s:I, s:I, s:s, s:s, s:O, s:s, s:s, s:o, s:o}", "id", (json_int_t)strtoll(p->id, NULL, 10),
                     "partner_id", (json_int_t)p->link.partner_id, "partner_name", p->partner_name, "created_at",
                     p->created_at, "config", p->config, "expires_at", signed_link_time(r, exp), "download_url", url,
                     "offers", offers, "next_cursor", next);
}

int asset_packages_create(request_t *r)
{
    asset_package_t p;
    if (asset_package_from_body(r, &p) < 0)
        return -1;
    if (p.ids && link_selection_check_available(r, p.offers, p.partner, p.ids) < 0)
        return -1;
    char *config = json_dumps(p.config, JSON_COMPACT);
    if (!config)
        return problem_set(&r->problem, PROBLEM_INTERNAL, NULL);
    const char *params[] = {p.partner, arena_strdup(r->arena, config)};
    free(config);
    /* Stored and generated in one transaction: a package whose first page cannot be made (a link
     * too long, a URL not of the offer) is not kept. */
    if (db_begin(r->db, &r->problem) < 0)
        return -1;
    PGresult *res = db_exec(r->db, r->arena, &INSERT, params, &r->problem);
    if (!res)
        return -1;
    p.id = PQgetvalue(res, 0, 0);
    p.created_at = PQgetvalue(res, 0, 1);
    json_t *body = package_json(r, &p, true);
    if (!body)
        return -1; /* rolled back after the request */
    if (db_commit(r->db, &r->problem) < 0 || resp_header(r, "Location", "/v1/asset-packages/%s", p.id) < 0) {
        json_decref(body);
        return -1;
    }
    return resp_json(r, 201, body);
}

int asset_packages_get(request_t *r)
{
    asset_package_t p;
    if (asset_package_load(r, id_param(r, route_param_id(&r->match, "package_id")), &p) < 0)
        return -1;
    json_t *body = package_json(r, &p, false);
    if (!body)
        return -1;
    resp_cache_control(r, "private, no-store");
    return resp_json(r, 200, body);
}

int asset_packages_list(request_t *r)
{
    page_t pg;
    if (page_parse(r, &pg) < 0)
        return -1;
    const char *params[] = {scope_param(r), pg.after, pg.fetch};
    PGresult *res = db_exec(r->db, r->arena, &LIST, params, &r->problem);
    if (!res)
        return -1;
    return page_respond(r, res, &pg, "id");
}
