/*
 * creative_view.c — a creative as the API shows it to its caller (see creative_view.h).
 */
#include "api/creative_view.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "api/resource.h"
#include "api/signed_link.h"
#include "creative/creative_code.h"
#include "db/rowjson.h"

#define CREATIVE_BODY_MAX (1024 * 1024) /* a body with its links: 100 000 characters and every link */

const char *const CREATIVE_LINK_QUERY[] = {"kind", "source_id", "sub1", "sub2", "sub3", "sub4", "sub5", NULL};

static const char *const KINDS[] = {"click", "impression", NULL};
static const char *const INTERNAL[] = {
    "has_thumbnail", "thumbnail_sha256",  "thumbnail_content_type", "link_url_id",   "link_destination",
    "file_sha256",   "file_content_type", "file_name_raw",          "file_size_raw", "updated_epoch"};

int creative_col(const PGresult *res, const char *name)
{
    int c = PQfnumber(res, name);
    assert(c >= 0);
    return c;
}

const char *creative_value(const PGresult *res, int row, const char *name)
{
    int c = creative_col(res, name);
    return PQgetisnull(res, row, c) ? NULL : PQgetvalue(res, row, c);
}

/* Carries kind (NULL: not given, "click") and the set link parameters into v's signed URL parameters. */
static void view_params(creative_view_t *v, const char *kind)
{
    if (kind)
        v->params[v->nparams++] = (signed_url_param_t){"kind", kind, strlen(kind)};
    v->link.kind = kind ? kind : "click";
    for (int i = 0; i < LINK_PARAM_COUNT; i++)
        if (v->link.params.values[i])
            v->params[v->nparams++] =
                (signed_url_param_t){LINK_PARAM_NAMES[i], v->link.params.values[i], strlen(v->link.params.values[i])};
}

int creative_view_parse(request_t *r, creative_view_t *v)
{
    memset(v, 0, sizeof *v);
    const char *kind;
    int bad = query_enum(r, "kind", KINDS, &kind);
    bad |= link_params_from_query(r, &v->link.params);
    if (bad)
        return -1;
    view_params(v, kind);
    v->link.partner_id = r->who.partner_id;
    v->partner = r->who.role == ROLE_PARTNER;
    return 0;
}

void creative_view_for_link(creative_view_t *v, const link_request_t *lp)
{
    memset(v, 0, sizeof *v);
    v->link.params = lp->params;
    view_params(v, lp->kind);
    v->link.partner_id = lp->partner_id;
    v->partner = true;
}

/* The partner's link of the given kind for the creative's offer and URL, as link generation gives it. */
static json_t *link_of_kind(request_t *r, const PGresult *res, int row, const creative_view_t *v, const char *kind)
{
    link_request_t lp = v->link;
    lp.kind = kind;
    const char *url_id = creative_value(res, row, "link_url_id");
    return tracking_link_json(r, &lp, strtoll(creative_value(res, row, "offer_id"), NULL, 10),
                              creative_value(res, row, "offer_name"), url_id ? strtoll(url_id, NULL, 10) : 0,
                              url_id ? creative_value(res, row, "url_name") : NULL,
                              creative_value(res, row, "link_destination"));
}

/* Fills the placeholders of body (html or text) for the partner; NULL with the problem recorded. */
static const char *filled(request_t *r, const char *body, bool html, const char *link, const char *pixel)
{
    buf_t b;
    buf_init(&b, CREATIVE_BODY_MAX);
    const char *out = NULL;
    if (creative_code_fill(body, link, pixel, html, &b) == BUF_OK)
        out = arena_strndup(r->arena, buf_ptr(&b), b.len);
    else
        problem_set(&r->problem, PROBLEM_INTERNAL, "The creative's code could not be filled.");
    buf_free(&b);
    return out;
}

/* The links a partner's bodies need: tracking_link (a new reference, the click's object) and the
 * redirect and impression URLs. Returns 0 or -1 with the problem recorded. */
static int partner_links(request_t *r, const PGresult *res, int row, const creative_view_t *v, json_t **link,
                         const char **redirect, const char **pixel)
{
    *link = link_of_kind(r, res, row, v, v->link.kind);
    if (!*link)
        return -1;
    *redirect = json_string_value(json_object_get(*link, "redirect_url"));
    *pixel = json_string_value(json_object_get(*link, "impression_url"));
    if (!*pixel && (creative_code_wants_pixel(creative_value(res, row, "html_code")) ||
                    creative_code_wants_pixel(creative_value(res, row, "text_body")))) {
        json_t *imp = link_of_kind(r, res, row, v, "impression");
        if (!imp)
            return -1;
        *pixel = arena_strdup(r->arena, json_string_value(json_object_get(imp, "impression_url")));
        json_decref(imp);
    }
    return 0;
}

const char *creative_code_body(request_t *r, const PGresult *res, int row, const creative_view_t *v,
                               const char **content_type, const char **extension)
{
    const char *html = creative_value(res, row, "html_code"), *text = creative_value(res, row, "text_body");
    if (!html && !text)
        return NULL;
    *content_type = html ? "text/html; charset=utf-8" : "text/plain; charset=utf-8";
    *extension = html ? "html" : "txt";
    if (!v->partner)
        return html ? html : text;
    json_t *link;
    const char *redirect, *pixel;
    if (partner_links(r, res, row, v, &link, &redirect, &pixel) < 0)
        return NULL;
    const char *out = filled(r, html ? html : text, html != NULL, redirect, pixel);
    json_decref(link);
    return out;
}

/* A signed URL of /v1/creatives/{id}/{what}, or NULL with the problem recorded. */
static const char *file_url(request_t *r, const char *id, const char *what, const creative_view_t *v, int64_t *exp)
{
    const char *path = arena_printf(r->arena, "/v1/creatives/%s/%s", id, what);
    return signed_link_issue(r, path, v ? v->params : NULL, v ? v->nparams : 0, exp);
}

json_t *creative_json(request_t *r, const PGresult *res, int row, const creative_view_t *v)
{
    json_t *j = db_row_json(res, row);
    for (size_t i = 0; i < sizeof INTERNAL / sizeof INTERNAL[0]; i++)
        json_object_del(j, INTERNAL[i]);
    const char *id = creative_value(res, row, "id");
    json_t *link = json_null();
    if (v->partner) {
        const char *redirect, *pixel;
        if (partner_links(r, res, row, v, &link, &redirect, &pixel) < 0)
            goto fail;
        const char *html = creative_value(res, row, "html_code"), *text = creative_value(res, row, "text_body");
        const char *fh = html ? filled(r, html, true, redirect, pixel) : NULL;
        const char *ft = text ? filled(r, text, false, redirect, pixel) : NULL;
        if ((html && !fh) || (text && !ft))
            goto fail;
        if (fh)
            json_object_set_new(j, "html_code", json_string(fh));
        if (ft)
            json_object_set_new(j, "text_body", json_string(ft));
    }
    json_object_set_new(j, "tracking_link", link);
    link = NULL;
    int64_t exp = 0;
    bool has_body = creative_value(res, row, "file") || creative_value(res, row, "html_code") ||
                    creative_value(res, row, "text_body");
    const char *download = has_body ? file_url(r, id, "file", v, &exp) : NULL;
    const char *thumb =
        creative_value(res, row, "has_thumbnail")[0] == 't' ? file_url(r, id, "thumbnail", NULL, &exp) : NULL;
    if (problem_has(&r->problem))
        goto fail;
    json_object_set_new(j, "download_url", download ? json_string(download) : json_null());
    json_object_set_new(j, "thumbnail_url", thumb ? json_string(thumb) : json_null());
    json_object_set_new(j, "urls_expire_at", exp ? json_string(signed_link_time(r, exp)) : json_null());
    return j;
fail:
    json_decref(link);
    json_decref(j);
    return NULL;
}
