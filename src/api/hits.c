/*
 * hits.c — listing hits (see hits.h). Keyset pagination on (hit_at, transaction_id) descending.
 */
#include "api/hits.h"

#include <stdio.h>
#include <string.h>

#include "api/cursor.h"
#include "api/resource.h"
#include "db/db.h"
#include "db/rowjson.h"
#include "http/response.h"

static const char *const KINDS[] = {"click", "impression", NULL};

/* $1 partner scope (NULL: all), $2 kind, $3 offer_id, $4 from, $5 to, $6/$7 cursor (hit_at as
 * microseconds since the epoch, transaction_id), $8 rows. */
static db_stmt_t LIST = DB_STMT(
    "SELECT h.transaction_id, h.kind, api_ts(h.hit_at) AS hit_at, h.partner_id, h.offer_id, h.offer_url_id,\n"
    "       h.source_id, h.sub1, h.sub2, h.sub3, h.sub4, h.sub5, host(h.ip) AS ip, h.user_agent, h.referer,\n"
    "       h.outcome, h.is_bot, h.is_unique,\n"
    "       (extract(epoch FROM h.hit_at) * 1000000)::bigint || ':' || h.transaction_id AS page_key\n"
    "  FROM hits h\n"
    " WHERE ($1::bigint IS NULL OR h.partner_id = $1)\n"
    "   AND ($2::text IS NULL OR h.kind = $2)\n"
    "   AND ($3::bigint IS NULL OR h.offer_id = $3)\n"
    "   AND ($4::timestamptz IS NULL OR h.hit_at >= $4)\n"
    "   AND ($5::timestamptz IS NULL OR h.hit_at < $5)\n"
    "   AND ($6::bigint IS NULL OR (h.hit_at, h.transaction_id) < (to_timestamp($6::bigint / 1000000.0), $7::text))\n"
    " ORDER BY h.hit_at DESC, h.transaction_id DESC\n"
    " LIMIT $8",
    8, true);

/* RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM). */
static bool is_rfc3339(const char *s)
{
    int y, mo, d, h, mi, sec, n = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return false;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (strcmp(p, "Z") == 0)
        return true;
    int oh, om;
    return (*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n) == 2 && n == 5 && !p[6] && oh < 24
           && om < 60;
}

static int time_param(request_t *r, const char *name, const char **out)
{
    *out = query_get(&r->query, name, NULL);
    if (*out && !is_rfc3339(*out))
        return problem_field(&r->problem, "query", name, "must be an RFC 3339 date-time, e.g. 2026-11-25T10:00:00Z");
    return 0;
}

/* The cursor's key "<microseconds>:<transaction_id>" into two SQL parameters. */
static int cursor_params(request_t *r, const char **micros, const char **txid)
{
    *micros = *txid = NULL;
    size_t len;
    const char *c = query_get(&r->query, "cursor", &len);
    if (!c)
        return 0;
    char key[CURSOR_KEY_MAX + 1];
    char *colon;
    if (cursor_decode_text(c, len, key) < 0 || !(colon = strchr(key, ':')) || strlen(colon + 1) != 32)
        return problem_field(&r->problem, "query", "cursor", "is not a cursor from this API (use next_cursor as given)");
    *colon = '\0';
    *micros = arena_strdup(r->arena, key);
    *txid = arena_strdup(r->arena, colon + 1);
    return 0;
}

int hits_list(request_t *r)
{
    int64_t limit, offer = 0, partner = 0;
    const char *kind, *from, *to, *micros, *txid;
    int rc = query_int(&r->query, "limit", 1, PAGE_MAX_LIMIT, PAGE_DEFAULT_LIMIT, &limit, &r->problem);
    rc |= query_int(&r->query, "offer_id", 1, INT64_MAX / 10, 0, &offer, &r->problem);
    rc |= query_int(&r->query, "partner_id", 1, INT64_MAX / 10, 0, &partner, &r->problem);
    rc |= query_enum(r, "kind", KINDS, &kind);
    rc |= time_param(r, "from", &from);
    rc |= time_param(r, "to", &to);
    rc |= cursor_params(r, &micros, &txid);
    if (rc)
        return -1;
    const char *scope = scope_param(r);
    if (r->who.role == ROLE_PARTNER && partner && partner != r->who.partner_id)
        return problem_set(&r->problem, PROBLEM_NOT_FOUND, NULL);
    if (!scope && partner)
        scope = id_param(r, partner);
    const char *params[] = {scope, kind, offer ? id_param(r, offer) : NULL, from, to, micros, txid,
                            id_param(r, limit + 1)};
    PGresult *res = db_exec(r->db, r->arena, &LIST, params, &r->problem);
    if (!res)
        return -1;
    int rows = PQntuples(res), shown = rows > limit ? (int)limit : rows;
    int key_col = PQfnumber(res, "page_key");
    json_t *data = json_array();
    for (int i = 0; i < shown; i++) {
        json_t *row = db_row_json(res, i);
        json_object_del(row, "page_key");
        json_array_append_new(data, row);
    }
    json_t *next = json_null();
    if (rows > shown) {
        char cur[CURSOR_TEXT_MAX_LEN + 1];
        cursor_encode_text(PQgetvalue(res, shown - 1, key_col), cur);
        json_decref(next);
        next = json_string(cur);
    }
    return resp_json(r, 200, json_pack("{s:o, s:o}", "data", data, "next_cursor", next));
}
