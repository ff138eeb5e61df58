/*
 * asset_package.c — an asset package's configuration, validated and normalised, and the queries of
 * its contents (see asset_package.h).
 */
#include "api/asset_package.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "api/creative_view.h"
#include "api/creatives.h"
#include "api/link_selection.h"
#include "api/resource.h"
#include "db/db.h"

static const char *const KINDS[] = {"click", "impression", NULL};

enum { F_OFFERS, F_PARTNER_ID, F_OFFER_URL_ID, F_LINKS, F_CREATIVES, F_COUPONS, F_COUNT };
static const field_spec_t FIELDS[F_COUNT] = {
    [F_OFFERS] = {"offers", VF_ANY, .required = true},
    [F_PARTNER_ID] = {"partner_id", VF_INT, .nullable = true, .min = 1, .max = INT64_MAX},
    [F_OFFER_URL_ID] = {"offer_url_id", VF_INT, .nullable = true, .min = 1, .max = INT64_MAX},
    [F_LINKS] = {"tracking_links", VF_ANY},
    [F_CREATIVES] = {"creatives", VF_ANY},
    [F_COUPONS] = {"coupons", VF_BOOL},
};

enum { L_KIND, L_INCLUDE_URLS, L_SOURCE_ID, L_COUNT = L_SOURCE_ID + LINK_PARAM_COUNT };
static const field_spec_t LINK_FIELDS[L_COUNT] = {
    [L_KIND] = {"kind", VF_ENUM, .values = KINDS},
    [L_INCLUDE_URLS] = {"include_additional_urls", VF_BOOL},
    [L_SOURCE_ID] = LINK_PARAM_FIELDS, /* through sub5 */
};

enum { C_TYPES, C_COUNT };
static const field_spec_t TYPE_FIELDS[C_COUNT] = {
    [C_TYPES] = {"types", VF_ANY, .nullable = true},
};

/* $1 the caller's scope (NULL: admin), $2 the package. */
static db_stmt_t GET = DB_STMT("SELECT p.id, p.partner_id, p.config, api_ts(p.created_at) AS created_at,\n"
                               "       pa.name AS partner_name\n"
                               "  FROM asset_packages p\n"
                               "  JOIN partners pa ON pa.id = p.partner_id\n"
                               " WHERE p.id = $2\n"
                               "   AND ($1::bigint IS NULL OR p.partner_id = $1)",
                               2, true);

static db_stmt_t PARTNER_NAME = DB_STMT("SELECT name FROM partners WHERE id = $1", 1, true);

/* $1 the package's partner, $2 offers, $3 types (NULL: all). */
static db_stmt_t CREATIVES =
    DB_STMT("SELECT " CREATIVE_COLUMNS "\n" CREATIVE_FROM " WHERE " CREATIVE_VISIBLE_TO_SCOPE "\n"
            "   AND (c.file_sha256 IS NOT NULL OR c.html_code IS NOT NULL\n"
            "        OR c.text_body IS NOT NULL)\n"
            "   AND c.offer_id = ANY ($2::bigint[])\n"
            "   AND ($3::text[] IS NULL OR c.type = ANY ($3::text[]))\n"
            " ORDER BY c.offer_id, c.id",
            3, true);

/* Validates obj (a JSON object) against specs, naming bad fields "<prefix>.<field>". 0 or -1. */
static int validate_nested(request_t *r, const json_t *obj, const char *prefix, const field_spec_t *specs, size_t n,
                           field_value_t *v)
{
    if (!json_is_object(obj))
        return problem_field(&r->problem, "body", prefix, "must be an object or false");
    size_t first = r->problem.nerrors;
    int rc = validate_object(obj, specs, n, v, &r->problem);
    for (size_t i = first; i < r->problem.nerrors; i++)
        r->problem.errors[i].field = arena_printf(r->arena, "%s.%s", prefix, r->problem.errors[i].field);
    return rc;
}

/* A toggle: false or absent (off), true (on, defaults) or an object (on, validated into v). */
static int toggle(request_t *r, const field_value_t *f, const char *name, const field_spec_t *specs, size_t n,
                  field_value_t *v, bool *on)
{
    memset(v, 0, n * sizeof *v);
    *on = f->present && !json_is_false(f->json) && !json_is_null(f->json);
    if (!*on || json_is_true(f->json))
        return 0;
    return validate_nested(r, f->json, name, specs, n, v);
}

/* The creative types: null (all) or a non-empty array of distinct types, as an SQL text[] literal
 * and a normalised JSON array (a new reference in *norm, or JSON null). */
static int parse_types(request_t *r, const field_value_t *v, asset_package_t *p, json_t **norm)
{
    *norm = json_null();
    if (!v->present || v->is_null)
        return 0;
    if (!json_is_array(v->json) || json_array_size(v->json) == 0)
        return problem_field(&r->problem, "body", "creatives.types",
                             "must be null (all) or a non-empty array of types");
    json_t *out = json_array();
    buf_t b;
    buf_init(&b, 256);
    buf_append_char(&b, '{');
    size_t i;
    json_t *t;
    int rc = 0;
    json_array_foreach(v->json, i, t)
    {
        const char *s = json_string_value(t);
        const char *const *k = CREATIVE_TYPES;
        while (s && *k && strcmp(*k, s) != 0)
            k++;
        if (!s || !*k) {
            rc =
                problem_field(&r->problem, "body", arena_printf(r->arena, "creatives.types[%zu]", i),
                              "must be one of the creative types (image, html, email, text, video, document, archive)");
            continue;
        }
        size_t j;
        json_t *seen;
        bool dup = false;
        json_array_foreach(out, j, seen) dup |= strcmp(json_string_value(seen), *k) == 0;
        if (!dup) {
            buf_printf(&b, "%s%s", json_array_size(out) ? "," : "", *k);
            json_array_append_new(out, json_string(*k));
        }
    }
    buf_append_char(&b, '}');
    p->types = arena_strndup(r->arena, buf_ptr(&b), b.len);
    buf_free(&b);
    if (rc < 0) {
        json_decref(out);
        return -1;
    }
    json_decref(*norm);
    *norm = out;
    return 0;
}

/* The JSON array of the ids in an SQL array literal "{1,2,3}". */
static json_t *ids_json(const char *ids)
{
    json_t *a = json_array();
    for (const char *s = ids + 1; *s && *s != '}'; s += *s == ',') {
        char *end;
        json_array_append_new(a, json_integer(strtoll(s, &end, 10)));
        s = end;
    }
    return a;
}

static void decref(void *j)
{
    json_decref(j);
}

/* Reads obj (a body, or a stored config) into p and builds p->config. 0 or -1. */
static int parse_config(request_t *r, const json_t *obj, asset_package_t *p, field_value_t *v)
{
    field_value_t lv[L_COUNT], cv[C_COUNT];
    int rc = validate_object(obj, FIELDS, F_COUNT, v, &r->problem);
    if (rc == 0)
        rc = link_selection_parse_offers(r, v[F_OFFERS].json, &p->ids, &p->count);
    rc |= toggle(r, &v[F_LINKS], "tracking_links", LINK_FIELDS, L_COUNT, lv, &p->links);
    rc |= toggle(r, &v[F_CREATIVES], "creatives", TYPE_FIELDS, C_COUNT, cv, &p->creatives);
    p->coupons = v[F_COUPONS].present && v[F_COUPONS].b;
    json_t *types = NULL;
    if (rc == 0 && p->creatives)
        rc = parse_types(r, &cv[C_TYPES], p, &types);
    if (rc < 0)
        return -1;
    p->offers = v[F_OFFERS].json;
    p->only_url = v[F_OFFER_URL_ID].present && !v[F_OFFER_URL_ID].is_null ? v[F_OFFER_URL_ID].i : 0;
    if (p->only_url && p->count != 1) {
        json_decref(types);
        return problem_field(&r->problem, "body", "offer_url_id", "needs exactly one offer in offers");
    }
    p->include_urls = lv[L_INCLUDE_URLS].present && lv[L_INCLUDE_URLS].b;
    p->link.kind = lv[L_KIND].present ? lv[L_KIND].s : "click";
    link_params_from_body(r, &lv[L_SOURCE_ID], &LINK_FIELDS[L_SOURCE_ID], &p->link.params);

    json_t *c = json_object();
    arena_cleanup_add(r->arena, decref, c);
    json_object_set_new(c, "offers", p->ids ? ids_json(p->ids) : json_string("all"));
    json_object_set_new(c, "offer_url_id", p->only_url ? json_integer(p->only_url) : json_null());
    json_t *links = json_false();
    if (p->links) {
        links = json_pack("{s:s, s:b}", "kind", p->link.kind, "include_additional_urls", p->include_urls);
        for (int i = 0; i < LINK_PARAM_COUNT; i++)
            json_object_set_new(links, LINK_PARAM_NAMES[i],
                                p->link.params.values[i] ? json_string(p->link.params.values[i]) : json_null());
    }
    json_object_set_new(c, "tracking_links", links);
    json_object_set_new(c, "creatives", p->creatives ? json_pack("{s:o}", "types", types) : json_false());
    json_object_set_new(c, "coupons", json_boolean(p->coupons));
    p->config = c;
    return 0;
}

int asset_package_from_body(request_t *r, asset_package_t *p)
{
    memset(p, 0, sizeof *p);
    json_t *body;
    field_value_t v[F_COUNT];
    if (req_json_body(r, &body) < 0 || parse_config(r, body, p, v) < 0)
        return -1;
    if (!p->links && !p->creatives && !p->coupons) {
        problem_set(&r->problem, PROBLEM_UNPROCESSABLE, "A package needs at least one of its parts.");
        return problem_field(&r->problem, "body", "tracking_links",
                             "turn on at least one of tracking_links, creatives and coupons");
    }
    if (link_selection_partner(r, &v[F_PARTNER_ID], &p->link.partner_id) < 0)
        return -1;
    p->partner = id_param(r, p->link.partner_id);
    const char *params[] = {p->partner};
    PGresult *res = db_exec(r->db, r->arena, &PARTNER_NAME, params, &r->problem);
    if (!res)
        return -1;
    p->partner_name = PQntuples(res) ? PQgetvalue(res, 0, 0) : "";
    return 0;
}

int asset_package_load(request_t *r, const char *id, asset_package_t *p)
{
    memset(p, 0, sizeof *p);
    const char *params[] = {scope_param(r), id};
    PGresult *res = db_exec(r->db, r->arena, &GET, params, &r->problem);
    if (!res || PQntuples(res) == 0) /* another partner's package is no package */
        return res ? problem_set(&r->problem, PROBLEM_NOT_FOUND, NULL) : -1;
    json_t *stored = json_loads(PQgetvalue(res, 0, 2), 0, NULL);
    if (!stored)
        return problem_set(&r->problem, PROBLEM_INTERNAL, "The package's configuration cannot be read.");
    arena_cleanup_add(r->arena, decref, stored); /* its strings are borrowed by p */
    field_value_t v[F_COUNT];
    if (parse_config(r, stored, p, v) < 0) {
        problem_init(&r->problem, r->arena);
        return problem_set(&r->problem, PROBLEM_INTERNAL, "The package's configuration is not valid any more.");
    }
    p->id = PQgetvalue(res, 0, 0);
    p->partner = PQgetvalue(res, 0, 1);
    p->link.partner_id = strtoll(p->partner, NULL, 10);
    p->created_at = PQgetvalue(res, 0, 3);
    p->partner_name = PQgetvalue(res, 0, 4);
    return 0;
}

PGresult *asset_package_offers(request_t *r, arena_t *a, const asset_package_t *p, const char *after, const char *fetch)
{
    return link_selection_offers(r, a, p->partner, p->ids, after, fetch);
}

PGresult *asset_package_creatives(request_t *r, arena_t *a, const asset_package_t *p, const char *offers)
{
    const char *params[] = {p->partner, offers, p->types};
    return db_exec(r->db, a, &CREATIVES, params, &r->problem);
}

const char *asset_package_ids(arena_t *a, const PGresult *offers, int n)
{
    size_t len = 3;
    for (int i = 0; i < n; i++)
        len += (size_t)PQgetlength(offers, i, 0) + 1;
    char *s = arena_alloc(a, len), *w = s;
    *w++ = '{';
    for (int i = 0; i < n; i++) {
        if (i)
            *w++ = ',';
        memcpy(w, PQgetvalue(offers, i, 0), (size_t)PQgetlength(offers, i, 0));
        w += PQgetlength(offers, i, 0);
    }
    *w++ = '}';
    *w = '\0';
    return s;
}

bool asset_package_url_active(const PGresult *offers, int row, int64_t url_id)
{
    json_t *urls = json_loads(PQgetvalue(offers, row, 3), 0, NULL), *u;
    size_t i;
    bool found = false;
    json_array_foreach(urls, i, u) found |= json_integer_value(json_object_get(u, "id")) == url_id;
    json_decref(urls);
    return found;
}

bool asset_package_links_of(const asset_package_t *p, const PGresult *offers, int row)
{
    return p->links && (!p->only_url || asset_package_url_active(offers, row, p->only_url));
}
