/*
 * offers.c — the offers resource (see offers.h). A partner asking for an offer it may not run
 * gets the same 404 as for an offer that does not exist.
 *
 * Reads are answered from the offer cache's snapshot (track/offer_cache.h), which holds every
 * offer and URL rendered once per load exactly as the database-built answer renders them (the
 * columns OFFER_VIEW_COLUMNS, OFFER_URL_VIEW_COLUMNS): no database round trip. The snapshot is
 * fresh with respect to every write acknowledged on this host (db/live_cache.h); a PATCH answers
 * from it too, once its own process's snapshot has the change. Only a `q` the C side cannot lower
 * exactly as the database does (non-ASCII) is answered by the database.
 */
#include "api/offers.h"

#include <inttypes.h>
#include <string.h>

#include "api/resource.h"
#include "db/db.h"
#include "http/response.h"
#include "track/offer_snapshot_load.h"
#include "track/track.h"
#include "util/text.h"

static const char *const STATUSES[] = {"active", "paused", "archived", NULL};
static const char *const VISIBILITIES[] = {"public", "require_approval", "private", NULL};

enum {
    F_NAME,
    F_DESCRIPTION,
    F_STATUS,
    F_VISIBILITY,
    F_DESTINATION_URL,
    F_FALLBACK_URL,
    F_CURRENCY,
    F_PAYOUT,
    F_PREVIEW_URL,
    F_THUMBNAIL_URL,
    F_CATEGORY,
    F_COUNT
};

static const field_spec_t FIELDS[F_COUNT] = {
    [F_NAME] = {"name", VF_STRING, .required = true, .min_len = 1, .max_len = 200, .not_blank = true},
    [F_DESCRIPTION] = {"description", VF_TEXT, .max_len = 5000},
    [F_STATUS] = {"status", VF_ENUM, .values = STATUSES},
    [F_VISIBILITY] = {"visibility", VF_ENUM, .values = VISIBILITIES},
    [F_DESTINATION_URL] = {"destination_url", VF_URL, .required = true},
    [F_FALLBACK_URL] = {"fallback_url", VF_URL, .nullable = true},
    [F_CURRENCY] = {"currency", VF_CURRENCY},
    [F_PAYOUT] = {"payout", VF_STRING, .max_len = 200},
    [F_PREVIEW_URL] = {"preview_url", VF_URL, .nullable = true},
    [F_THUMBNAIL_URL] = {"thumbnail_url", VF_URL, .nullable = true},
    [F_CATEGORY] = {"category", VF_STRING, .nullable = true, .min_len = 1, .max_len = 100},
};

/* The list with a `q` the snapshot cannot match exactly (see offers_list). */
static db_stmt_t LIST = DB_STMT("SELECT " OFFER_VIEW_COLUMNS "\n"
                                "  FROM offers o\n"
                                " WHERE " OFFER_VISIBLE_TO_SCOPE "\n"
                                "   AND ($2::text IS NULL OR o.status = $2)\n"
                                "   AND ($3::text IS NULL OR o.name ILIKE '%' || $3 || '%' ESCAPE '\\')\n"
                                "   AND o.id > $4\n"
                                " ORDER BY o.id\n"
                                " LIMIT $5",
                                5, true);

static db_stmt_t GET_FOR_UPDATE = DB_STMT("SELECT " OFFER_VIEW_COLUMNS "\n"
                                          "  FROM offers o\n"
                                          " WHERE o.id = $1\n"
                                          "   FOR UPDATE",
                                          1, false);

static db_stmt_t INSERT =
    DB_STMT("WITH o AS (\n"
            "  INSERT INTO offers (name, description, status, visibility, destination_url, fallback_url,\n"
            "                      currency, payout, preview_url, thumbnail_url, category)\n"
            "  VALUES ($1, coalesce($2, ''), coalesce($3, 'active'), coalesce($4, 'public'), $5, $6,\n"
            "          coalesce($7, 'USD'), coalesce($8, ''), $9, $10, $11)\n"
            "  RETURNING *)\n"
            "SELECT " OFFER_VIEW_COLUMNS ", '[]'::json AS urls\n"
            "  FROM o",
            11, false);

static db_stmt_t UPDATE =
    DB_STMT("UPDATE offers\n"
            "   SET name = $2, description = coalesce($3, ''), status = coalesce($4, 'active'),\n"
            "       visibility = coalesce($5, 'public'), destination_url = $6, fallback_url = $7,\n"
            "       currency = coalesce($8, 'USD'), payout = coalesce($9, ''), preview_url = $10,\n"
            "       thumbnail_url = $11, category = $12, updated_at = now()\n"
            " WHERE id = $1",
            12, false);

static db_stmt_t EXISTS = DB_STMT("SELECT 1\n"
                                  "  FROM offers\n"
                                  " WHERE id = $1",
                                  1, true);

static db_stmt_t ARCHIVE = DB_STMT("UPDATE offers\n"
                                   "   SET status = 'archived', updated_at = now()\n"
                                   " WHERE id = $1\n"
                                   "RETURNING id",
                                   1, true);

/* The snapshot for this read, or NULL with 503 recorded (nothing locked). */
static const offer_snapshot_t *snapshot(request_t *r)
{
    const offer_snapshot_t *s = offer_cache_acquire_fresh(r->track->cache);
    if (s && !s->offer_views) { /* read from the file at a start without the database */
        offer_cache_release(r->track->cache);
        s = NULL;
    }
    if (!s)
        problem_set(&r->problem, PROBLEM_SERVICE_UNAVAILABLE, "Offer data cannot be loaded right now; retry shortly.");
    return s;
}

/* The caller's partner id, 0 for admins (who see everything). */
static int64_t scope(const request_t *r)
{
    return r->who.role == ROLE_PARTNER ? r->who.partner_id : 0;
}

static char *put(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

/* Answers offer o with its URLs as the caller may see them (partners: not archived), built from
 * the snapshot's views as the database would render it: the offer's fields, then "urls". */
static int respond_view(request_t *r, const offer_snapshot_t *s, const offer_entry_t *o)
{
    static const char URLS[] = ",\"urls\":[";
    const offer_view_t *v = &s->offer_views[o - s->offers];
    bool partner = scope(r) != 0;
    size_t len = v->json_len - 1 + strlen(URLS) + 2;
    for (size_t i = 0; i < v->n_urls; i++) {
        size_t u = s->url_order[v->first_url + i];
        if (!partner || s->urls[u].status != 'r')
            len += strlen(s->url_json[u]) + 1;
    }
    char *body = arena_alloc(r->arena, len + 1), *p = body;
    p = put(p, v->json, v->json_len - 1); /* without its closing brace */
    p = put(p, URLS, strlen(URLS));
    bool first = true;
    for (size_t i = 0; i < v->n_urls; i++) {
        size_t u = s->url_order[v->first_url + i];
        if (partner && s->urls[u].status == 'r')
            continue;
        if (!first)
            *p++ = ',';
        first = false;
        p = put(p, s->url_json[u], strlen(s->url_json[u]));
    }
    p = put(p, "]}", 2);
    *p = '\0';
    return resp_json_text(r, 200, body, (size_t)(p - body), true);
}

/* Answers offer id as the caller may see it, from the snapshot; 404 when it may not. */
static int respond_offer(request_t *r, int64_t id)
{
    const offer_snapshot_t *s = snapshot(r);
    if (!s)
        return -1;
    const offer_entry_t *o = offer_snapshot_offer(s, id);
    int rc = o && offer_snapshot_visible(s, o, scope(r)) ? respond_view(r, s, o)
                                                         : problem_set(&r->problem, PROBLEM_NOT_FOUND, NULL);
    offer_cache_release(r->track->cache);
    return rc;
}

/* Whether q (lowered) occurs in the lowered name: ILIKE '%q%' with q's wildcards escaped. */
static bool name_matches(const offer_view_t *v, const char *q_lower, size_t qlen)
{
    return !q_lower || memmem(v->name_lower, strlen(v->name_lower), q_lower, qlen) != NULL;
}

/* The page from the snapshot: up to limit + 1 offers after the cursor that pass the filters. */
static int list_from_snapshot(request_t *r, const offer_snapshot_t *s, const page_t *pg, const char *status,
                              const char *q_lower, size_t qlen)
{
    int64_t after = strtoll(pg->after, NULL, 10);
    char want = status ? offer_snapshot_status_code(status) : 0;
    size_t *shown = arena_alloc(r->arena, (size_t)(pg->limit + 1) * sizeof *shown), n = 0, len = 0;
    for (size_t i = offer_snapshot_after(s, after); i < s->n_offers && n <= (size_t)pg->limit; i++) {
        const offer_entry_t *o = &s->offers[i];
        if ((!want || o->status == want) && offer_snapshot_visible(s, o, scope(r)) &&
            name_matches(&s->offer_views[i], q_lower, qlen)) {
            shown[n++] = i;
            len += s->offer_views[i].json_len + 1;
        }
    }
    json_t *next = json_null();
    if (n > (size_t)pg->limit) {
        n = (size_t)pg->limit;
        char key[24];
        int klen = snprintf(key, sizeof key, "%" PRId64, s->offers[shown[n - 1]].id);
        json_decref(next);
        if (!(next = page_cursor_after(r, pg, key, (size_t)klen)))
            return -1;
    }
    char *cursor = json_dumps(next, JSON_ENCODE_ANY);
    json_decref(next);
    static const char HEAD[] = "{\"data\":[", MID[] = "],\"next_cursor\":";
    char *body = arena_alloc(r->arena, strlen(HEAD) + len + strlen(MID) + strlen(cursor) + 2), *p = body;
    p = put(p, HEAD, strlen(HEAD));
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        p = put(p, s->offer_views[shown[i]].json, s->offer_views[shown[i]].json_len);
    }
    p = put(p, MID, strlen(MID));
    p = put(p, cursor, strlen(cursor));
    *p++ = '}';
    free(cursor);
    return resp_json_text(r, 200, body, (size_t)(p - body), false);
}

/* True if q is ASCII: lowered in C exactly as the database lowers it (when s->ascii_lower). */
static bool ascii(const char *q, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)q[i] >= 0x80)
            return false;
    return true;
}

int offers_list(request_t *r)
{
    page_t pg;
    const char *status;
    size_t qlen = 0;
    const char *q = query_get(&r->query, "q", &qlen);
    int rc = page_parse(r, &pg);
    rc |= query_enum(r, "status", STATUSES, &status);
    if (q && (qlen == 0 || text_utf8_length(q, qlen) > 200))
        rc = problem_field(&r->problem, "query", "q", "must be 1 to 200 characters long");
    if (rc)
        return -1;
    const offer_snapshot_t *s = snapshot(r);
    if (!s)
        return -1;
    if (!q || (s->ascii_lower && ascii(q, qlen))) {
        char *q_lower = q ? arena_strndup(r->arena, q, qlen) : NULL;
        for (size_t i = 0; i < qlen; i++)
            if (q_lower[i] >= 'A' && q_lower[i] <= 'Z')
                q_lower[i] = (char)(q_lower[i] - 'A' + 'a');
        rc = list_from_snapshot(r, s, &pg, status, q_lower, qlen);
        offer_cache_release(r->track->cache);
        return rc;
    }
    offer_cache_release(r->track->cache);
    const char *params[] = {scope_param(r), status, text_like_escape(r->arena, q, qlen), pg.after, pg.fetch};
    PGresult *res = db_exec(r->db, r->arena, &LIST, params, &r->problem);
    return res ? page_respond(r, res, &pg, "id") : -1;
}

int offers_get(request_t *r)
{
    return respond_offer(r, route_param_id(&r->match, "offer_id"));
}

int offers_create(request_t *r)
{
    return create_from_body(r, FIELDS, F_COUNT, &INSERT, NULL, 0, "/v1/offers");
}

int offers_update(request_t *r)
{
    static const patch_shape_t shape = {&GET_FOR_UPDATE, &UPDATE, FIELDS, F_COUNT};
    const char *id = id_param(r, route_param_id(&r->match, "offer_id"));
    const char *keys[] = {id};
    if (patch_in_transaction(r, &shape, keys, 1) < 0)
        return -1;
    shared_counter_bump(r->track->generation); /* committed: the answer waits for a snapshot with it */
    return respond_offer(r, route_param_id(&r->match, "offer_id"));
}

int offers_archive(request_t *r)
{
    const char *params[] = {id_param(r, route_param_id(&r->match, "offer_id"))};
    PGresult *res = db_exec(r->db, r->arena, &ARCHIVE, params, &r->problem);
    return res ? respond_done(r, res) : -1;
}

int offers_exists(request_t *r, const char *id)
{
    const char *params[] = {id};
    PGresult *res = db_exec(r->db, r->arena, &EXISTS, params, &r->problem);
    if (!res)
        return -1;
    if (PQntuples(res) == 0)
        return problem_set(&r->problem, PROBLEM_NOT_FOUND, NULL);
    return 0;
}
