/*
 * hits.c — listing hits (see hits.h). Keyset pagination on (hit_at, transaction_id) descending.
 */
#include "api/hits.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api/csv_export.h"
#include "api/resource.h"
#include "api/signed_link.h"
#include "db/db.h"
#include "db/rowjson.h"
#include "http/response.h"
#include "track/hitlog.h"
#include "util/csv_write.h"
#include "util/rfc3339.h"

static const char *const KINDS[] = {"click", "impression", NULL};

/* $1 partner scope (NULL: all), $2 kind, $3 offer_id, $4 from, $5 to (microseconds since the epoch),
 * $6/$7 cursor (hit_at in microseconds, transaction_id), $8 rows. Times travel as integers, so no
 * input can make PostgreSQL refuse them, and microseconds are exact both ways. */
static db_stmt_t LIST =
    DB_STMT("SELECT h.transaction_id, h.kind, api_ts(h.hit_at) AS hit_at, h.partner_id, h.offer_id, h.offer_url_id,\n"
            "       h.source_id, h.sub1, h.sub2, h.sub3, h.sub4, h.sub5, host(h.ip) AS ip, h.user_agent, h.referer,\n"
            "       h.outcome, h.is_bot, h.is_unique,\n"
            "       (extract(epoch FROM h.hit_at) * 1000000)::bigint || ':' || h.transaction_id AS page_key\n"
            "  FROM hits h\n"
            " WHERE ($1::bigint IS NULL OR h.partner_id = $1)\n"
            "   AND ($2::text IS NULL OR h.kind = $2)\n"
            "   AND ($3::bigint IS NULL OR h.offer_id = $3)\n"
            "   AND ($4::bigint IS NULL OR h.hit_at >= timestamptz 'epoch' + $4::bigint * interval '1 microsecond')\n"
            "   AND ($5::bigint IS NULL OR h.hit_at < timestamptz 'epoch' + $5::bigint * interval '1 microsecond')\n"
            "   AND ($6::bigint IS NULL\n"
            "        OR (h.hit_at, h.transaction_id) < (timestamptz 'epoch' + $6::bigint * interval '1 microsecond', "
            "$7::text))\n"
            " ORDER BY h.hit_at DESC, h.transaction_id DESC\n"
            " LIMIT $8",
            8, true);

/* An optional RFC 3339 query time as microseconds since the epoch (an SQL parameter), or NULL. */
static int time_param(request_t *r, const char *name, const char **out)
{
    size_t len;
    const char *v = query_get(&r->query, name, &len);
    *out = NULL;
    if (!v)
        return 0;
    int64_t micros;
    const char *why;
    if (rfc3339_parse(v, len, &micros, &why) < 0)
        return problem_field(&r->problem, "query", name, "%s", why);
    *out = arena_printf(r->arena, "%" PRId64, micros);
    return 0;
}

/* Splits a page key "<microseconds>:<transaction_id>" (made by LIST) into two SQL parameters
 * (arena). Its values come from a row, so only its shape is checked. False if it is not one. */
static bool page_key_split(request_t *r, const char *key, const char **micros, const char **txid)
{
    const char *colon = strchr(key, ':');
    if (!colon || colon == key || strlen(colon + 1) != 32)
        return false;
    *micros = arena_strndup(r->arena, key, (size_t)(colon - key));
    *txid = arena_strdup(r->arena, colon + 1);
    return true;
}

/* The cursor's page key (signed, see api/cursor.h) as two SQL parameters, NULL on the first page. */
static int cursor_params(request_t *r, const page_t *pg, const char **micros, const char **txid)
{
    *micros = *txid = NULL;
    if (pg->key && !page_key_split(r, pg->key, micros, txid))
        return problem_field(&r->problem, "query", "cursor", "is not a cursor of this list");
    return 0;
}

/* The filters both the list and the export take, as SQL parameters $1..$5 of LIST. */
typedef struct {
    const char *scope, *kind, *offer, *from, *to;
} hit_filters_t;

/* Reads kind, offer_id, partner_id, from and to. Returns 0, or -1 with the problems recorded
 * (a partner naming another partner: 404). */
static int hit_filters(request_t *r, int rc, hit_filters_t *f)
{
    int64_t offer = 0, partner = 0;
    rc |= query_int(&r->query, "offer_id", 1, INT64_MAX / 10, 0, &offer, &r->problem);
    rc |= query_int(&r->query, "partner_id", 1, INT64_MAX / 10, 0, &partner, &r->problem);
    rc |= query_enum(r, "kind", KINDS, &f->kind);
    rc |= time_param(r, "from", &f->from);
    rc |= time_param(r, "to", &f->to);
    if (rc)
        return -1;
    f->scope = scope_param(r);
    if (r->who.role == ROLE_PARTNER && partner && partner != r->who.partner_id)
        return problem_set(&r->problem, PROBLEM_NOT_FOUND, NULL);
    if (!f->scope && partner)
        f->scope = id_param(r, partner);
    f->offer = offer ? id_param(r, offer) : NULL;
    return 0;
}

int hits_list(request_t *r)
{
    const char *micros, *txid;
    page_t pg;
    hit_filters_t f;
    int rc = page_parse_text(r, &pg, PAGE_DEFAULT_LIMIT, PAGE_MAX_LIMIT);
    if (hit_filters(r, rc, &f) < 0 || cursor_params(r, &pg, &micros, &txid) < 0)
        return -1;
    const char *params[] = {f.scope, f.kind, f.offer, f.from, f.to, micros, txid, pg.fetch};
    PGresult *res = db_exec(r->db, r->arena, &LIST, params, &r->problem);
    if (!res)
        return -1;
    json_t *data = json_array();
    for (int i = 0; i < page_rows(res, &pg); i++) {
        json_t *row = db_row_json(res, i);
        json_object_del(row, "page_key");
        json_array_append_new(data, row); /* steals row */
    }
    return page_envelope(r, data, res, &pg, "page_key");
}

/* The export's columns: LIST's, without page_key. */
#define EXPORT_COLUMNS 18
#define BOOLOID 16 /* PostgreSQL's type oid of boolean (catalog/pg_type_d.h, not installed for clients) */

/* The export's batches (api/csv_export.h): LIST after the last row's page key. */
typedef struct {
    hit_filters_t f;
    const char *fetch;         /* rows per batch, as an SQL parameter */
    const char *micros, *txid; /* the last row's page key (request arena); NULL before the first batch */
} hits_export_t;

static PGresult *export_fetch(request_t *r, arena_t *a, void *ctx)
{
    const hits_export_t *x = ctx;
    const char *params[] = {x->f.scope, x->f.kind, x->f.offer, x->f.from, x->f.to, x->micros, x->txid, x->fetch};
    return db_exec(r->db, a, &LIST, params, &r->problem);
}

/* Writes rows [0, n) of res as CSV into out. */
static int export_rows(request_t *r, arena_t *a, const PGresult *res, int n, buf_t *out, void *ctx)
{
    (void)r;
    (void)a;
    (void)ctx;
    int rc = BUF_OK;
    for (int i = 0; i < n && rc == BUF_OK; i++) {
        for (int c = 0; c < EXPORT_COLUMNS && rc == BUF_OK; c++) {
            const char *v = PQgetisnull(res, i, c) ? NULL : PQgetvalue(res, i, c);
            if (v && PQftype(res, c) == BOOLOID)
                v = v[0] == 't' ? "true" : "false";
            rc = csv_write_field(out, v, c == 0);
        }
        if (rc == BUF_OK)
            rc = csv_write_end_row(out);
    }
    return rc;
}

static int export_advance(request_t *r, const PGresult *res, int n, void *ctx)
{
    hits_export_t *x = ctx;
    /* LIST makes every key well formed: a failure cannot happen, but never page from garbage */
    return page_key_split(r, PQgetvalue(res, n - 1, EXPORT_COLUMNS), &x->micros, &x->txid) ? 0 : -1;
}

static const csv_export_t EXPORT = {
    .batch_rows = HITS_EXPORT_BATCH,
    .batch_bytes = HITS_EXPORT_BATCH * 2 * HITLOG_LINE_MAX, /* a batch's CSV, at most */
    .columns = NULL,                                        /* LIST's own column names */
    .ncolumns = EXPORT_COLUMNS,
    .fetch = export_fetch,
    .rows = export_rows,
    .advance = export_advance,
};

int hits_export_url(request_t *r)
{
    hit_filters_t f;
    if (hit_filters(r, 0, &f) < 0)
        return -1;
    return signed_link_respond(r, "/v1/hits/export");
}

int hits_export(request_t *r)
{
    hits_export_t x = {.fetch = id_param(r, HITS_EXPORT_BATCH)};
    if (hit_filters(r, 0, &x.f) < 0)
        return -1;
    return csv_export_respond(r, &EXPORT, &x, "trackgen-hits.csv");
}
