/*
 * coupons.c — the coupons resource: CRUD, the list and its CSV export (see coupons.h).
 */
#include "api/coupons.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/csv_export.h"
#include "api/offers.h"
#include "api/resource.h"
#include "api/signed_link.h"
#include "api/tracking_links.h"
#include "coupon/coupon_code.h"
#include "db/db.h"
#include "db/rowjson.h"
#include "http/response.h"
#include "util/csv_write.h"
#include "util/rfc3339.h"
#include "util/text.h"

#define EXPORT_BATCH 1000
#define EXPORT_ROW_MAX (4 * 64 + 4 * 1000 + 2 * 200 + 3 * 8192) /* a row's CSV, generously */

static const char *const STATUSES[] = {"active", "paused", "archived", NULL};
static const char *const STATES[] = {"scheduled", "active", "expired", "paused", "archived", NULL};
static const char *const BOOLS[] = {"true", "false", NULL};

const char *const COUPON_LIST_QUERY[] = {"limit", "cursor", "offer_id", "partner_id", "state", "q", "assigned", NULL};
const char *const COUPON_EXPORT_QUERY[] = {"offer_id", "partner_id", "state", "q", "assigned", NULL};

enum { F_OFFER_ID, F_CODE, F_PARTNER_ID, F_DESCRIPTION, F_STARTS_AT, F_ENDS_AT, F_STATUS, F_COUNT };

static const field_spec_t FIELDS[F_COUNT] = {
    [F_OFFER_ID] = {"offer_id", VF_INT, .required = true, .min = 1, .max = INT64_MAX},
    [F_CODE] = {"code", VF_STRING, .required = true, .min_len = 1, .max_len = COUPON_CODE_MAX},
    [F_PARTNER_ID] = {"partner_id", VF_INT, .nullable = true, .min = 1, .max = INT64_MAX},
    [F_DESCRIPTION] = {"description", VF_TEXT, .max_len = 1000},
    [F_STARTS_AT] = {"starts_at", VF_STRING, .nullable = true, .min_len = 1, .max_len = 64},
    [F_ENDS_AT] = {"ends_at", VF_STRING, .nullable = true, .min_len = 1, .max_len = 64},
    [F_STATUS] = {"status", VF_ENUM, .values = STATUSES},
};

/* The coupon as the API shows it, plus its offer's destination (for the tracking link; not shown). */
#define COUPON_COLUMNS                                                                                                 \
    "c.id, c.offer_id, o.name AS offer_name, c.code, c.partner_id, c.description,\n"                                   \
    "       api_ts(c.starts_at) AS starts_at, api_ts(c.ends_at) AS ends_at, c.status,\n"                               \
    "       coupon_state(c.status, c.starts_at, c.ends_at, now()) AS state, api_ts(c.assigned_at) AS assigned_at,\n"   \
    "       api_ts(c.created_at) AS created_at, api_ts(c.updated_at) AS updated_at, o.destination_url"

/* "The caller ($1 = scope_param) may see coupon c of offer o": admins every one; a partner its own
 * codes that are not archived, of offers it may run. */
#define COUPON_VISIBLE_TO_SCOPE                                                                                        \
    "($1::bigint IS NULL OR (c.partner_id = $1 AND c.status <> 'archived' AND " OFFER_VISIBLE_TO_SCOPE "))"

/* The list: $1 scope, $2 offer_id, $3 partner_id, $4 state, $5 q (LIKE-escaped), $6 assigned, $7 after
 * id, $8 rows. Each filter is written "($n IS NULL OR …)", which a generic plan cannot turn into an
 * index condition; so each statement also repeats its most selective filter plainly (selector), and
 * the list picks the statement whose selector it has: then the plan walks the partner's or the
 * offer's index in id order instead of the whole table's. */
#define COUPON_LIST_SQL(selector, order)                                                                               \
    "SELECT " COUPON_COLUMNS "\n"                                                                                      \
    "  FROM coupons c\n"                                                                                               \
    "  JOIN offers o ON o.id = c.offer_id\n"                                                                           \
    " WHERE " selector "\n"                                                                                            \
    "   AND " COUPON_VISIBLE_TO_SCOPE "\n"                                                                             \
    "   AND ($2::bigint IS NULL OR c.offer_id = $2)\n"                                                                 \
    "   AND ($3::bigint IS NULL OR c.partner_id = $3)\n"                                                               \
    "   AND ($4::text IS NULL OR coupon_state(c.status, c.starts_at, c.ends_at, now()) = $4)\n"                        \
    "   AND ($5::text IS NULL OR c.code ILIKE '%' || $5 || '%' ESCAPE '\\'\n"                                          \
    "        OR c.description ILIKE '%' || $5 || '%' ESCAPE '\\')\n"                                                   \
    "   AND ($6::boolean IS NULL OR (c.partner_id IS NOT NULL) = $6)\n"                                                \
    "   AND c.id > $7\n"                                                                                               \
    " ORDER BY " order "\n"                                                                                            \
    " LIMIT $8"

static db_stmt_t LIST_OF_SCOPE = DB_STMT(COUPON_LIST_SQL("c.partner_id = $1", "c.id"), 8, true);
static db_stmt_t LIST_OF_PARTNER = DB_STMT(COUPON_LIST_SQL("c.partner_id = $3", "c.id"), 8, true);
static db_stmt_t LIST_ALL = DB_STMT(COUPON_LIST_SQL("true", "c.id"), 8, true);
/* With one offer, "ORDER BY offer_id, id" is the list's id order; written with = ANY it is not
 * reduced to "ORDER BY id", so only the offer's index yields it without a sort. With "offer_id =
 * $2 ORDER BY id" PostgreSQL walked the primary key instead, assuming the offer's codes spread
 * evenly over it: 33 ms a page for an offer whose codes came after 100 000 of another, 0.2 ms now. */
static db_stmt_t LIST_OF_OFFER =
    DB_STMT(COUPON_LIST_SQL("c.offer_id = ANY (ARRAY[$2]::bigint[])", "c.offer_id, c.id"), 8, true);
/* A partner's ($1) codes of the offers $9 (NULL: all), for asset packages (coupons_of_offers). */
static db_stmt_t LIST_OF_OFFERS =
    DB_STMT(COUPON_LIST_SQL("c.partner_id = $1 AND ($9::bigint[] IS NULL OR c.offer_id = ANY ($9::bigint[]))", "c.id"),
            9, true);

static db_stmt_t GET = DB_STMT("SELECT " COUPON_COLUMNS "\n"
                               "  FROM coupons c\n"
                               "  JOIN offers o ON o.id = c.offer_id\n"
                               " WHERE c.id = $2\n"
                               "   AND " COUPON_VISIBLE_TO_SCOPE,
                               2, true);

/* Writable fields in spec order, times to the microsecond (so a patch that leaves them keeps them). */
#define EXACT_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS " col
static db_stmt_t GET_FOR_UPDATE = DB_STMT("SELECT offer_id, code, partner_id, description,\n"
                                          "       " EXACT_TS("starts_at") ", " EXACT_TS("ends_at") ", status\n"
                                                                                                   "  FROM coupons\n"
                                                                                                   " WHERE id = $1\n"
                                                                                                   "   FOR UPDATE",
                                          1, false);

static db_stmt_t INSERT =
    DB_STMT("INSERT INTO coupons (offer_id, code, partner_id, description, starts_at, ends_at,\n"
            "                     status, assigned_at)\n"
            "VALUES ($1, $2, $3, coalesce($4, ''), " COUPON_MICROS_TS("$5") ", " COUPON_MICROS_TS(
                "$6") ",\n"
                      "        coalesce($7, 'active'), CASE WHEN $3::bigint IS NULL THEN NULL ELSE now() END)\n"
                      "RETURNING id",
            7, false);

/* A new partner gets a new assigned_at; the same partner keeps it. */
static db_stmt_t UPDATE = DB_STMT("UPDATE coupons\n"
                                  "   SET offer_id = $2, code = $3, partner_id = $4, description = coalesce($5, ''),\n"
                                  "       starts_at = " COUPON_MICROS_TS("$6") ", ends_at = " COUPON_MICROS_TS(
                                      "$7") ",\n"
                                            "       status = coalesce($8, 'active'),\n"
                                            "       assigned_at = CASE WHEN $4::bigint IS NULL THEN NULL\n"
                                            "                          WHEN partner_id IS DISTINCT FROM $4 THEN now()\n"
                                            "                          ELSE assigned_at END,\n"
                                            "       updated_at = now()\n"
                                            " WHERE id = $1",
                                  8, false);

static db_stmt_t ARCHIVE = DB_STMT("UPDATE coupons\n"
                                   "   SET status = 'archived', updated_at = now()\n"
                                   " WHERE id = $1\n"
                                   "RETURNING id",
                                   1, true);

static db_stmt_t UNASSIGN = DB_STMT("UPDATE coupons\n"
                                    "   SET partner_id = NULL, assigned_at = NULL,\n"
                                    "       updated_at = CASE WHEN partner_id IS NULL THEN updated_at ELSE now() END\n"
                                    " WHERE id = $1\n"
                                    "RETURNING id",
                                    1, true);

/* $1 partner (NULL: the pool), $2 offer. */
static db_stmt_t OWNER =
    DB_STMT("SELECT EXISTS (SELECT 1 FROM offers WHERE id = $2) AS offer_exists,\n"
            "       $1::bigint IS NULL OR EXISTS (SELECT 1 FROM partners\n"
            "                                      WHERE id = $1 AND status = 'active') AS partner_ok,\n"
            "       $1::bigint IS NULL OR EXISTS (SELECT 1 FROM offers o\n"
            "                                      WHERE o.id = $2 AND " OFFER_VISIBLE_TO_SCOPE ") AS may_run",
            2, true);

static db_stmt_t OFFER_VISIBLE = DB_STMT("SELECT 1\n"
                                         "  FROM offers o\n"
                                         " WHERE o.id = $2\n"
                                         "   AND " OFFER_VISIBLE_TO_SCOPE,
                                         2, true);

static db_stmt_t ANALYZE = DB_STMT("ANALYZE coupons", 0, false);

#define ANALYZE_FROM_ROWS 10000

int coupons_analyze_after(request_t *r, long n)
{
    if (n < ANALYZE_FROM_ROWS)
        return 0;
    return db_exec(r->db, r->arena, &ANALYZE, NULL, &r->problem) ? 0 : -1;
}

int coupons_check_owner(request_t *r, const char *offer, const char *partner)
{
    const char *params[] = {partner, offer};
    PGresult *res = db_exec(r->db, r->arena, &OWNER, params, &r->problem);
    if (!res)
        return -1;
    if (PQgetvalue(res, 0, 0)[0] != 't') {
        problem_set(&r->problem, PROBLEM_UNPROCESSABLE, "The offer does not exist.");
        return problem_field(&r->problem, "body", "offer_id", "no offer has id %s", offer);
    }
    if (PQgetvalue(res, 0, 1)[0] != 't') {
        problem_set(&r->problem, PROBLEM_UNPROCESSABLE, "The partner does not exist or is suspended.");
        return problem_field(&r->problem, "body", "partner_id", "no active partner has id %s", partner);
    }
    if (PQgetvalue(res, 0, 2)[0] != 't') {
        problem_set(&r->problem, PROBLEM_UNPROCESSABLE, "The partner may not run this offer.");
        return problem_field(&r->problem, "body", "partner_id",
                             "partner %s may not run offer %s (it is archived, or neither public nor granted to "
                             "the partner)",
                             partner, offer);
    }
    return 0;
}

int coupons_time_field(request_t *r, const char *name, const char *value, size_t len, const char **param,
                       int64_t *micros)
{
    *param = NULL;
    *micros = INT64_MIN;
    if (!value)
        return 0;
    const char *why;
    if (rfc3339_parse(value, len, micros, &why) < 0)
        return problem_field(&r->problem, "body", name, "is not an RFC 3339 date-time: %s", why);
    *param = arena_printf(r->arena, "%" PRId64, *micros);
    return 0;
}

int coupons_dates_problem(request_t *r, size_t line)
{
    return problem_line_field(&r->problem, line, "body", "ends_at", "must be after starts_at");
}

static bool field_has_problem(const request_t *r, const char *name)
{
    for (size_t i = 0; i < r->problem.nerrors; i++)
        if (strcmp(r->problem.errors[i].field, name) == 0)
            return true;
    return false;
}

/* The writable fields as SQL parameters (spec order), checked beyond their types (bad: the field
 * validation failed already; what it found is not reported twice): code rules, dates, owner. */
static int writable_params(request_t *r, const field_value_t *v, int bad, const char **params)
{
    values_to_params(r, FIELDS, v, F_COUNT, params);
    int64_t starts, ends;
    const char *why =
        v[F_CODE].s && !field_has_problem(r, "code") ? coupon_code_check(v[F_CODE].s, v[F_CODE].len) : NULL;
    if (why)
        bad = problem_field(&r->problem, "body", "code", "%s", why);
    bool times_ok = true;
    for (int f = F_STARTS_AT; f <= F_ENDS_AT; f++)
        if (!field_has_problem(r, FIELDS[f].name))
            times_ok &= coupons_time_field(r, FIELDS[f].name, params[f], v[f].len, &params[f],
                                           f == F_STARTS_AT ? &starts : &ends) == 0;
        else
            times_ok = false;
    bad |= times_ok ? 0 : -1;
    if (!bad && params[F_STARTS_AT] && params[F_ENDS_AT] && ends <= starts)
        bad = coupons_dates_problem(r, 0);
    if (bad)
        return -1;
    return coupons_check_owner(r, params[F_OFFER_ID], params[F_PARTNER_ID]);
}

/* A signed, key-less URL of the QR image of code (arena), or NULL with a 500 recorded. */
static const char *qr_url(request_t *r, const char *code, const char *format)
{
    signed_url_param_t ps[] = {{"data", code, strlen(code)}, {"format", format, strlen(format)}};
    return signed_link_issue(r, "/v1/qr", ps, 2, NULL);
}

/* The tracking link of row's partner for its offer (new reference), or NULL for a pool code or
 * when no link can be made for it (an offer whose destination is too long): the coupon is still
 * shown. */
static json_t *row_tracking_link(request_t *r, const PGresult *res, int row)
{
    int pcol = PQfnumber(res, "partner_id");
    if (PQgetisnull(res, row, pcol))
        return NULL;
    link_request_t lp = {.kind = "click", .partner_id = strtoll(PQgetvalue(res, row, pcol), NULL, 10)};
    problem_t kept = r->problem;
    json_t *link = tracking_link_json(r, &lp, strtoll(PQgetvalue(res, row, PQfnumber(res, "offer_id")), NULL, 10),
                                      PQgetvalue(res, row, PQfnumber(res, "offer_name")), 0, NULL,
                                      PQgetvalue(res, row, PQfnumber(res, "destination_url")));
    r->problem = kept;
    return link;
}

/* One coupon of res as the API shows it (new reference), or NULL with a 500 recorded. */
static json_t *coupon_json(request_t *r, const PGresult *res, int row)
{
    json_t *c = db_row_json(res, row);
    json_object_del(c, "destination_url");
    json_t *link = row_tracking_link(r, res, row);
    json_object_set_new(c, "tracking_link", link ? link : json_null()); /* steals link */
    const char *code = PQgetvalue(res, row, PQfnumber(res, "code"));
    const char *png = qr_url(r, code, "png"), *svg = png ? qr_url(r, code, "svg") : NULL;
    if (!svg) {
        json_decref(c);
        return NULL;
    }
    json_object_set_new(c, "qr_png_url", json_string(png));
    json_object_set_new(c, "qr_svg_url", json_string(svg));
    return c;
}

/* Answers the coupon as the caller may see it, with status (201 adds Location). */
static int respond_coupon(request_t *r, const char *id, int status)
{
    const char *params[] = {scope_param(r), id};
    PGresult *res = db_exec(r->db, r->arena, &GET, params, &r->problem);
    if (!res)
        return -1;
    if (PQntuples(res) == 0)
        return problem_set(&r->problem, PROBLEM_NOT_FOUND, NULL);
    json_t *c = coupon_json(r, res, 0);
    if (!c)
        return -1;
    if (status == 201 && resp_header(r, "Location", "/v1/coupons/%s", id) < 0) {
        json_decref(c);
        return -1;
    }
    return status == 200 ? resp_json_etag(r, c) : resp_json(r, status, c);
}

/* The list's filters as SQL parameters $1..$6 of the list statements. */
typedef struct {
    const char *scope, *offer, *partner, *state, *q, *assigned;
} coupon_filters_t;

/* The list statement for these filters (see COUPON_LIST_SQL). */
static db_stmt_t *list_stmt(const coupon_filters_t *f)
{
    return f->scope ? &LIST_OF_SCOPE : f->offer ? &LIST_OF_OFFER : f->partner ? &LIST_OF_PARTNER : &LIST_ALL;
}

/* Reads offer_id, partner_id, state, q and assigned. A partner naming another partner, or an
 * offer it may not run, gets 404; so does anyone naming an offer that does not exist. */
static int coupon_filters(request_t *r, int rc, coupon_filters_t *f)
{
    int64_t offer = 0, partner = 0;
    size_t qlen = 0;
    const char *q = query_get(&r->query, "q", &qlen);
    rc |= query_int(&r->query, "offer_id", 1, INT64_MAX / 10, 0, &offer, &r->problem);
    rc |= query_int(&r->query, "partner_id", 1, INT64_MAX / 10, 0, &partner, &r->problem);
    rc |= query_enum(r, "state", STATES, &f->state);
    rc |= query_enum(r, "assigned", BOOLS, &f->assigned);
    if (q && (qlen == 0 || text_utf8_length(q, qlen) > 200))
        rc = problem_field(&r->problem, "query", "q", "must be 1 to 200 characters long");
    if (rc)
        return -1;
    f->scope = scope_param(r);
    if (r->who.role == ROLE_PARTNER && partner && partner != r->who.partner_id)
        return problem_set(&r->problem, PROBLEM_NOT_FOUND, NULL);
    f->partner = partner ? id_param(r, partner) : NULL;
    f->offer = offer ? id_param(r, offer) : NULL;
    f->q = q ? text_like_escape(r->arena, q, qlen) : NULL;
    if (!f->offer)
        return 0;
    const char *params[] = {f->scope, f->offer};
    PGresult *res = db_exec(r->db, r->arena, &OFFER_VISIBLE, params, &r->problem);
    if (!res)
        return -1;
    if (PQntuples(res) == 0)
        return problem_set(&r->problem, PROBLEM_NOT_FOUND, "No offer %s that you may run.", f->offer);
    return 0;
}

int coupons_list(request_t *r)
{
    page_t pg;
    coupon_filters_t f;
    if (coupon_filters(r, page_parse(r, &pg), &f) < 0)
        return -1;
    const char *params[] = {f.scope, f.offer, f.partner, f.state, f.q, f.assigned, pg.after, pg.fetch};
    PGresult *res = db_exec(r->db, r->arena, list_stmt(&f), params, &r->problem);
    if (!res)
        return -1;
    json_t *data = json_array();
    for (int i = 0; i < page_rows(res, &pg); i++) {
        json_t *c = coupon_json(r, res, i);
        if (!c) {
            json_decref(data);
            return -1;
        }
        json_array_append_new(data, c); /* steals c */
    }
    return page_envelope(r, data, res, &pg, "id");
}

int coupons_get(request_t *r)
{
    return respond_coupon(r, id_param(r, route_param_id(&r->match, "coupon_id")), 200);
}

int coupons_create(request_t *r)
{
    field_value_t v[F_COUNT];
    const char *params[F_COUNT];
    json_t *body;
    if (req_json_body(r, &body) < 0)
        return -1;
    int bad = validate_object(body, FIELDS, F_COUNT, v, &r->problem);
    if (writable_params(r, v, bad, params) < 0)
        return -1;
    PGresult *res = db_exec(r->db, r->arena, &INSERT, params, &r->problem);
    if (!res)
        return -1;
    return respond_coupon(r, PQgetvalue(res, 0, 0), 201);
}

int coupons_update(request_t *r)
{
    const char *id = id_param(r, route_param_id(&r->match, "coupon_id"));
    const char *keys[] = {id};
    if (db_begin(r->db, &r->problem) < 0)
        return -1;
    PGresult *cur = db_exec(r->db, r->arena, &GET_FOR_UPDATE, keys, &r->problem);
    if (!cur)
        return -1;
    if (PQntuples(cur) == 0)
        return problem_set(&r->problem, PROBLEM_NOT_FOUND, NULL);
    field_value_t v[F_COUNT];
    bool changed;
    const char *params[1 + F_COUNT] = {id};
    if (body_merge_patched(r, cur, FIELDS, F_COUNT, v, &changed) < 0 || writable_params(r, v, 0, params + 1) < 0)
        return -1;
    if (changed && !db_exec(r->db, r->arena, &UPDATE, params, &r->problem))
        return -1;
    if (db_commit(r->db, &r->problem) < 0)
        return -1;
    return respond_coupon(r, id, 200);
}

int coupons_archive(request_t *r)
{
    const char *params[] = {id_param(r, route_param_id(&r->match, "coupon_id"))};
    PGresult *res = db_exec(r->db, r->arena, &ARCHIVE, params, &r->problem);
    return res ? respond_done(r, res) : -1;
}

int coupons_unassign(request_t *r)
{
    const char *id = id_param(r, route_param_id(&r->match, "coupon_id"));
    const char *params[] = {id};
    PGresult *res = db_exec(r->db, r->arena, &UNASSIGN, params, &r->problem);
    if (!res)
        return -1;
    if (PQntuples(res) == 0)
        return problem_set(&r->problem, PROBLEM_NOT_FOUND, NULL);
    return respond_coupon(r, id, 200);
}

/* --- CSV export --------------------------------------------------------------------------- */

static const char *const EXPORT_COLUMNS[] = {"code",  "offer_id",  "offer",   "partner_id",  "description",
                                             "state", "starts_at", "ends_at", "assigned_at", "tracking_link"};
#define EXPORT_NCOLUMNS (sizeof EXPORT_COLUMNS / sizeof EXPORT_COLUMNS[0])

static const char *cell(const PGresult *res, int row, const char *column)
{
    int c = PQfnumber(res, column);
    return PQgetisnull(res, row, c) ? NULL : PQgetvalue(res, row, c);
}

/* Appends rows [0, n) of res as CSV to out. The tracking links are made in the
 * request's arena, pointed at batch (reset per batch) meanwhile, so memory does not grow with the
 * row count. */
static int csv_rows(request_t *r, arena_t *batch, const PGresult *res, int n, buf_t *out)
{
    arena_t *own = r->arena;
    r->arena = batch;
    int rc = BUF_OK;
    for (int i = 0; i < n && rc == BUF_OK; i++) {
        json_t *link = row_tracking_link(r, res, i);
        const char *v[] = {
            cell(res, i, "code"),        cell(res, i, "offer_id"),
            cell(res, i, "offer_name"),  cell(res, i, "partner_id"),
            cell(res, i, "description"), cell(res, i, "state"),
            cell(res, i, "starts_at"),   cell(res, i, "ends_at"),
            cell(res, i, "assigned_at"), link ? json_string_value(json_object_get(link, "redirect_url")) : NULL};
        for (size_t c = 0; c < EXPORT_NCOLUMNS && rc == BUF_OK; c++)
            rc = csv_write_field(out, v[c], c == 0);
        rc = rc == BUF_OK ? csv_write_end_row(out) : rc;
        json_decref(link);
    }
    r->arena = own;
    return rc;
}

/* "trackgen-coupons[-offer-<id>][-<state>]-<YYYY-MM-DD>.csv": what a download folder shows. */
static const char *export_file_name(request_t *r, const coupon_filters_t *f)
{
    char day[16];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(day, sizeof day, "%Y-%m-%d", &tm);
    return arena_printf(r->arena, "trackgen-coupons%s%s%s%s-%s.csv", f->offer ? "-offer-" : "",
                        f->offer ? f->offer : "", f->state ? "-" : "", f->state ? f->state : "", day);
}

int coupons_export_url(request_t *r)
{
    coupon_filters_t f;
    if (coupon_filters(r, 0, &f) < 0)
        return -1;
    return signed_link_respond(r, "/v1/coupons/export.csv");
}

/* The export's batches (api/csv_export.h): stmt with params, params[6] the keyset (the last id). */
typedef struct {
    db_stmt_t *stmt;
    const char **params;
    char after[24]; /* the last id of a batch */
} coupons_export_t;

static PGresult *export_fetch(request_t *r, arena_t *a, void *ctx)
{
    coupons_export_t *x = ctx;
    return db_exec(r->db, a, x->stmt, x->params, &r->problem);
}

static int export_rows(request_t *r, arena_t *a, const PGresult *res, int n, buf_t *out, void *ctx)
{
    (void)ctx;
    return csv_rows(r, a, res, n, out);
}

static int export_advance(request_t *r, const PGresult *res, int n, void *ctx)
{
    (void)r;
    coupons_export_t *x = ctx;
    snprintf(x->after, sizeof x->after, "%s", PQgetvalue(res, n - 1, 0));
    x->params[6] = x->after;
    return 0;
}

static const csv_export_t EXPORT = {
    .batch_rows = EXPORT_BATCH,
    .batch_bytes = (size_t)EXPORT_BATCH * EXPORT_ROW_MAX,
    .columns = EXPORT_COLUMNS,
    .ncolumns = (int)EXPORT_NCOLUMNS,
    .fetch = export_fetch,
    .rows = export_rows,
    .advance = export_advance,
};

int coupons_export(request_t *r)
{
    coupon_filters_t f;
    if (coupon_filters(r, 0, &f) < 0)
        return -1;
    const char *params[] = {f.scope, f.offer, f.partner, f.state, f.q, f.assigned, "0", id_param(r, EXPORT_BATCH)};
    coupons_export_t x = {list_stmt(&f), params, ""};
    return csv_export_respond(r, &EXPORT, &x, export_file_name(r, &f));
}

/* --- for asset packages ------------------------------------------------------------------- */

int coupons_export_of_offers(request_t *r, const char *partner, const char *offers, csv_export_write_fn write,
                             void *ctx)
{
    const char *params[] = {partner, NULL, NULL, NULL, NULL, NULL, "0", id_param(r, EXPORT_BATCH), offers};
    coupons_export_t x = {&LIST_OF_OFFERS, params, ""};
    return csv_export_stream(r, &EXPORT, &x, write, ctx);
}

int coupons_of_offers(request_t *r, const char *partner, const char *offers, json_t *by_offer)
{
    const char *params[] = {partner, NULL, NULL, NULL, NULL, NULL, "0", id_param(r, EXPORT_BATCH), offers};
    for (;;) {
        PGresult *res = db_exec(r->db, r->arena, &LIST_OF_OFFERS, params, &r->problem);
        if (!res)
            return -1;
        int n = PQntuples(res);
        for (int i = 0; i < n; i++) {
            json_t *list = json_object_get(by_offer, cell(res, i, "offer_id"));
            json_t *c = list ? coupon_json(r, res, i) : NULL;
            if (list && !c)
                return -1;
            if (c)
                json_array_append_new(list, c); /* steals c */
        }
        if (n < EXPORT_BATCH)
            return 0;
        params[6] = cell(res, n - 1, "id");
    }
}
