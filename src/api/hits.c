/*
 * hits.c — listing hits (see hits.h). Keyset pagination on (hit_at, transaction_id) descending.
 */
#include "api/hits.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

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

/* Writes rows [0, n) of res as CSV into out (cleared first). */
static int csv_rows(const PGresult *res, int n, buf_t *out)
{
    buf_clear(out);
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

int hits_export_url(request_t *r)
{
    hit_filters_t f;
    if (hit_filters(r, 0, &f) < 0)
        return -1;
    return signed_link_respond(r, "/v1/hits/export");
}

int hits_export(request_t *r)
{
    hit_filters_t f;
    if (hit_filters(r, 0, &f) < 0)
        return -1;
    const char *fetch = id_param(r, HITS_EXPORT_BATCH);
    /* The first batch before the headers, so a database outage is still a 503 problem. */
    arena_t *batch = arena_create(64 * 1024); /* one batch's rows and results; reset per batch, freed below */
    const char *params[] = {f.scope, f.kind, f.offer, f.from, f.to, NULL, NULL, fetch};
    PGresult *res = db_exec(r->db, batch, &LIST, params, &r->problem);
    if (!res) {
        arena_destroy(batch);
        return -1;
    }
    resp_header(r, "Content-Disposition", "attachment; filename=\"trackgen-hits.csv\"");
    resp_cache_control(r, signed_link_cache_control(r));
    if (resp_stream_begin(r, 200, "text/csv; charset=utf-8; header=present") < 0 || strcmp(r->method, "HEAD") == 0) {
        arena_destroy(batch);
        return 0;
    }
    buf_t out;
    buf_init(&out, HITS_EXPORT_BATCH * 2 * HITLOG_LINE_MAX); /* a batch's CSV, at most */
    int rc = 0;
    for (int i = 0; i < EXPORT_COLUMNS && rc == 0; i++)
        rc = csv_write_field(&out, PQfname(res, i), i == 0);
    rc = rc == 0 ? csv_write_end_row(&out) : rc;
    rc = rc == 0 ? resp_stream_write(r, buf_ptr(&out), out.len) : rc;
    while (rc == 0 && res) {
        int n = PQntuples(res);
        rc = csv_rows(res, n, &out) == BUF_OK ? resp_stream_write(r, buf_ptr(&out), out.len) : -1;
        if (rc < 0 || n < HITS_EXPORT_BATCH)
            break;
        /* The next batch starts after this one's last row (keyset), in a fresh arena. */
        const char *micros = NULL, *txid = NULL;
        if (!page_key_split(r, PQgetvalue(res, n - 1, EXPORT_COLUMNS), &micros, &txid)) {
            rc = -1; /* LIST makes every key well formed: cannot happen, but never page from garbage */
            break;
        }
        arena_reset(batch);
        const char *next[] = {f.scope, f.kind, f.offer, f.from, f.to, micros, txid, fetch};
        res = db_exec(r->db, batch, &LIST, next, &r->problem);
        if (!res)
            rc = -1; /* after the headers: the answer is cut off (see resp_stream_abort) */
    }
    buf_free(&out);
    arena_destroy(batch);
    return rc;
}
