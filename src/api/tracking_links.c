/*
 * tracking_links.c — tracking link generation (see tracking_links.h).
 */
#include "api/tracking_links.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/link_selection.h"
#include "api/resource.h"
#include "db/db.h"
#include "http/response.h"
#include "track/link_url.h"
#include "track/token.h"

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

int tracking_links_create(request_t *r)
{
    field_value_t v[F_COUNT];
    json_t *body;
    if (req_json_body(r, &body) < 0 || validate_object(body, FIELDS, F_COUNT, v, &r->problem) < 0)
        return -1;
    const char *ids;
    size_t count;
    if (link_selection_parse_offers(r, v[F_OFFERS].json, &ids, &count) < 0)
        return -1;
    int64_t only_url = v[F_OFFER_URL_ID].present && !v[F_OFFER_URL_ID].is_null ? v[F_OFFER_URL_ID].i : 0;
    if (only_url && count != 1)
        return problem_field(&r->problem, "body", "offer_url_id", "needs exactly one offer in offers");
    link_request_t lp = {.kind = v[F_KIND].present ? v[F_KIND].s : "click"};
    if (link_selection_partner(r, &v[F_PARTNER_ID], &lp.partner_id) < 0)
        return -1;
    link_params_from_body(r, &v[F_SOURCE_ID], &FIELDS[F_SOURCE_ID], &lp.params); /* F_SOURCE_ID..F_SUB5 */
    const char *partner = id_param(r, lp.partner_id);
    /* The cursor pages over the selected offers of this partner: it is bound to both. */
    page_t pg;
    const char *bind = arena_printf(r->arena, "partner=%s offers=%s", partner, ids ? ids : "all");
    if (page_parse_limits(r, &pg, LINK_SELECTION_MAX_OFFERS, LINK_SELECTION_MAX_OFFERS, bind) < 0)
        return -1;
    if (ids && !pg.key && link_selection_check_available(r, v[F_OFFERS].json, partner, ids) < 0)
        return -1;

    PGresult *res = link_selection_offers(r, r->arena, partner, ids, pg.after, pg.fetch);
    if (!res)
        return -1;
    json_t *data = json_array();
    bool include_urls = v[F_INCLUDE_URLS].present && v[F_INCLUDE_URLS].b;
    for (int i = 0; i < page_rows(res, &pg); i++) {
        if (link_selection_add_links(r, &lp, res, i, only_url, include_urls, data) < 0) {
            json_decref(data);
            return -1;
        }
    }
    return page_envelope(r, data, res, &pg, "id");
}
