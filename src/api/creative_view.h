/*
 * creative_view.h — a creative as the API shows it, shared by the creatives handlers (creatives.c,
 * creative_upload.c, creative_files.c): the one SELECT of its columns, the rule of which creatives a
 * partner sees, and the JSON of a row with the caller's tracking link inserted and signed URLs.
 *
 * A partner sees a creative when it may run the offer (OFFER_VISIBLE_TO_SCOPE: 404 otherwise),
 * the creative is active, has what its type needs (a file, or for html/email/text its code), and
 * is public or granted to the partner (creative_partner_access). Admins see every creative.
 */
#ifndef TRACKGEN_CREATIVE_VIEW_H
#define TRACKGEN_CREATIVE_VIEW_H

#include <jansson.h>
#include <libpq-fe.h>

#include "api/offers.h"
#include "api/tracking_links.h"
#include "http/request.h"
#include "util/signed_url.h"

/* The columns of CREATIVE_FROM's rows: the API's fields, plus internal ones creative_json drops
 * (has_thumbnail, thumbnail_sha256, thumbnail_content_type, link_url_id, link_destination,
 * file_sha256, file_content_type, file_name_raw, file_size_raw). */
#define CREATIVE_COLUMNS                                                                                               \
    "c.id, c.offer_id, o.name AS offer_name, c.offer_url_id, u.name AS url_name, c.name, c.type, c.status,\n"          \
    "       c.visibility, c.description, c.html_code, c.text_body, to_json(c.email_subjects) AS email_subjects,\n"     \
    "       to_json(c.email_from_lines) AS email_from_lines,\n"                                                        \
    "       CASE WHEN c.file_sha256 IS NULL THEN NULL ELSE json_build_object('name', c.file_name,\n"                   \
    "            'content_type', c.content_type, 'size', c.file_size, 'sha256', c.file_sha256, 'width', c.width,\n"    \
    "            'height', c.height) END AS file,\n"                                                                   \
    "       api_ts(c.created_at) AS created_at, api_ts(c.updated_at) AS updated_at,\n"                                 \
    "       c.thumbnail_sha256 IS NOT NULL AS has_thumbnail, c.thumbnail_sha256, c.thumbnail_content_type,\n"          \
    "       c.file_sha256, c.content_type AS file_content_type, c.file_name AS file_name_raw,\n"                       \
    "       c.file_size AS file_size_raw, extract(epoch FROM c.updated_at)::bigint AS updated_epoch,\n"                \
    "       CASE WHEN u.status = 'active' THEN u.id END AS link_url_id,\n"                                             \
    "       CASE WHEN u.status = 'active' THEN u.destination_url ELSE o.destination_url END AS link_destination"
#define CREATIVE_FROM                                                                                                  \
    "  FROM creatives c\n"                                                                                             \
    "  JOIN offers o ON o.id = c.offer_id\n"                                                                           \
    "  LEFT JOIN offer_urls u ON u.id = c.offer_url_id\n"
/* The predicate "the caller may see creative c of offer o", $1 = scope_param() (NULL for admins). */
#define CREATIVE_VISIBLE_TO_SCOPE                                                                                      \
    OFFER_VISIBLE_TO_SCOPE "\n"                                                                                        \
                           "   AND ($1::bigint IS NULL OR (c.status = 'active'\n"                                      \
                           "        AND (c.file_sha256 IS NOT NULL OR c.type IN ('html', 'email', 'text'))\n"          \
                           "        AND (c.visibility = 'public' OR EXISTS (SELECT 1 FROM creative_partner_access g\n" \
                           "             WHERE g.creative_id = c.id AND g.partner_id = $1))))"

/* How links are inserted for this request: the kind and parameters asked in the query (kind,
 * source_id, sub1…sub5), for the caller's partner (none for admins: placeholders stay). */
typedef struct {
    link_request_t link;
    bool partner; /* links are inserted */
    /* the link parameters as given, to carry into the signed download URLs */
    signed_url_param_t params[LINK_PARAM_COUNT + 1];
    size_t nparams;
} creative_view_t;

/* The link query parameters a route showing creatives accepts (NULL-terminated). */
extern const char *const CREATIVE_LINK_QUERY[];

/* Reads kind, source_id and sub1…sub5 from the query. Returns 0, or -1 with every bad one recorded. */
int creative_view_parse(request_t *r, creative_view_t *v);
/* The view of creatives with partner lp->partner_id's links of lp's kind and parameters inserted
 * (lp->kind NULL: click), whoever the caller is (asset packages). lp's strings are borrowed. */
void creative_view_for_link(creative_view_t *v, const link_request_t *lp);
/* Row `row` of a CREATIVE_COLUMNS result as the API shows it to the caller: internal columns
 * dropped; for partners html_code/text_body with the links inserted and tracking_link (the object
 * POST /v1/tracking-links returns); download_url and thumbnail_url (signed, or null) and
 * urls_expire_at. A new reference, or NULL with the problem recorded. */
json_t *creative_json(request_t *r, const PGresult *res, int row, const creative_view_t *v);
/* The body of a code creative (html_code, else text_body) with the links inserted, its media type
 * and extension; NULL when it has none. In the arena. */
const char *creative_code_body(request_t *r, const PGresult *res, int row, const creative_view_t *v,
                               const char **content_type, const char **extension);
/* The column index of name in res (asserted to exist), and its value (NULL for SQL NULL). */
int creative_col(const PGresult *res, const char *name);
const char *creative_value(const PGresult *res, int row, const char *name);

#endif
