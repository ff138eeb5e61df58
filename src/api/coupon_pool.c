/*
 * coupon_pool.c — generating codes and assigning them from an offer's pool (see coupon_pool.h).
 */
#include "api/coupon_pool.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/coupons.h"
#include "api/resource.h"
#include "coupon/coupon_code.h"
#include "coupon/coupon_copy.h"
#include "db/db.h"
#include "http/response.h"

#define GENERATE_ROUNDS 8      /* new draws for codes that collided with existing ones */
#define COPY_CHUNK (64 * 1024) /* bytes sent to COPY at a time */

static const char *const STATUSES[] = {"active", "paused", "archived", NULL};

enum { G_OFFER_ID, G_COUNT, G_PREFIX, G_LENGTH, G_PARTNER_ID, G_DESCRIPTION, G_STARTS_AT, G_ENDS_AT, G_STATUS, G_N };

static const field_spec_t GENERATE_FIELDS[G_N] = {
    [G_OFFER_ID] = {"offer_id", VF_INT, .required = true, .min = 1, .max = INT64_MAX},
    [G_COUNT] = {"count", VF_INT, .required = true, .min = 1, .max = COUPON_BULK_MAX},
    [G_PREFIX] = {"prefix", VF_STRING, .max_len = COUPON_PREFIX_MAX},
    [G_LENGTH] = {"length", VF_INT, .min = COUPON_RANDOM_MIN, .max = COUPON_RANDOM_MAX},
    [G_PARTNER_ID] = {"partner_id", VF_INT, .nullable = true, .min = 1, .max = INT64_MAX},
    [G_DESCRIPTION] = {"description", VF_TEXT, .max_len = 1000},
    [G_STARTS_AT] = {"starts_at", VF_STRING, .nullable = true, .min_len = 1, .max_len = 64},
    [G_ENDS_AT] = {"ends_at", VF_STRING, .nullable = true, .min_len = 1, .max_len = 64},
    [G_STATUS] = {"status", VF_ENUM, .values = STATUSES},
};

enum { A_OFFER_ID, A_PARTNER_ID, A_COUNT, A_N };

static const field_spec_t ASSIGN_FIELDS[A_N] = {
    [A_OFFER_ID] = {"offer_id", VF_INT, .required = true, .min = 1, .max = INT64_MAX},
    [A_PARTNER_ID] = {"partner_id", VF_INT, .required = true, .min = 1, .max = INT64_MAX},
    [A_COUNT] = {"count", VF_INT, .required = true, .min = 1, .max = COUPON_BULK_MAX},
};

static db_stmt_t STAGE = DB_STMT("CREATE TEMP TABLE coupon_generated (code text NOT NULL) ON COMMIT DROP", 0, false);
static const char COPY_STAGE[] = "COPY coupon_generated (code) FROM STDIN";
static db_stmt_t UNSTAGE = DB_STMT("TRUNCATE coupon_generated", 0, false);

/* $1 offer, $2 partner, $3 description, $4/$5 starts/ends (microseconds), $6 status. Codes that
 * collide with stored ones (or with each other) are skipped; the caller draws again for them. */
static db_stmt_t INSERT_GENERATED =
    DB_STMT("INSERT INTO coupons (offer_id, code, partner_id, description, starts_at, ends_at, status, assigned_at)\n"
            "SELECT $1, code, $2, coalesce($3, ''), " COUPON_MICROS_TS("$4") ", " COUPON_MICROS_TS(
                "$5") ",\n"
                      "       coalesce($6, 'active'), CASE WHEN $2::bigint IS NULL THEN NULL ELSE now() END\n"
                      "  FROM coupon_generated\n"
                      "    ON CONFLICT (offer_id, lower(code)) DO NOTHING\n"
                      "RETURNING id, code",
            6, false);

/* Assignments of one offer wait for each other (a transaction-scoped lock), so the count of what
 * remains is exact; rows another writer holds are skipped rather than waited for. */
static db_stmt_t LOCK_POOL = DB_STMT("SELECT pg_advisory_xact_lock(7461727, ($1::bigint % 2147483647)::int)", 1, false);

/* $1 offer, $2 partner, $3 count. */
static db_stmt_t ASSIGN = DB_STMT("UPDATE coupons\n"
                                  "   SET partner_id = $2, assigned_at = now(), updated_at = now()\n"
                                  " WHERE id IN (SELECT id\n"
                                  "                FROM coupons\n"
                                  "               WHERE offer_id = $1\n"
                                  "                 AND partner_id IS NULL\n"
                                  "                 AND status = 'active'\n"
                                  "                 AND (ends_at IS NULL OR ends_at > now())\n"
                                  "               ORDER BY id\n"
                                  "               LIMIT $3\n"
                                  "                 FOR UPDATE SKIP LOCKED)\n"
                                  "RETURNING id, code",
                                  3, false);

/* Appends every (id, code) row of res to list. */
static void append_codes(json_t *list, const PGresult *res)
{
    for (int i = 0; i < PQntuples(res); i++)
        json_array_append_new(list, json_pack("{s:I, s:s}", "id", (json_int_t)strtoll(PQgetvalue(res, i, 0), NULL, 10),
                                              "code", PQgetvalue(res, i, 1)));
}

static void json_release(void *p)
{
    json_decref(p);
}

/* Answers {"count", "coupons": [{id, code}]} with status (steals list). */
static int respond_codes(request_t *r, int status, json_t *list)
{
    return resp_json(r, status, json_pack("{s:I, s:o}", "count", (json_int_t)json_array_size(list), "coupons", list));
}

/* Sends n fresh codes (prefix + length random characters) to the staging table. */
static int stage_codes(request_t *r, const char *prefix, size_t prefix_len, int length, long n)
{
    if (db_copy_begin(r->db, COPY_STAGE, &r->problem) < 0)
        return -1;
    buf_t b;
    buf_init(&b, COPY_CHUNK + 1024);
    char *code = arena_alloc(r->arena, prefix_len + (size_t)length + 1);
    int rc = 0;
    for (long i = 0; i < n && rc == 0; i++) {
        coupon_code_random(prefix, prefix_len, length, code);
        coupon_copy_field(&b, code, prefix_len + (size_t)length, true);
        coupon_copy_end_row(&b);
        if (b.len >= COPY_CHUNK || i == n - 1) {
            rc = db_copy_put(r->db, buf_ptr(&b), b.len, &r->problem);
            buf_clear(&b);
        }
    }
    buf_free(&b);
    return db_copy_end(r->db, rc ? "abandoned" : NULL, &r->problem) < 0 || rc ? -1 : 0;
}

/* The validated body, also as SQL parameters. Returns 0 or -1. */
static int body_params(request_t *r, const field_spec_t *specs, size_t n, field_value_t *v, const char **p)
{
    if (body_validated(r, specs, n, v) < 0)
        return -1;
    values_to_params(r, specs, v, n, p);
    return 0;
}

int coupon_pool_generate(request_t *r)
{
    field_value_t v[G_N];
    const char *p[G_N];
    if (body_params(r, GENERATE_FIELDS, G_N, v, p) < 0)
        return -1;
    const char *prefix = v[G_PREFIX].present ? v[G_PREFIX].s : "";
    size_t prefix_len = v[G_PREFIX].present ? v[G_PREFIX].len : 0;
    int length = v[G_LENGTH].present ? (int)v[G_LENGTH].i : 8;
    int64_t starts, ends;
    int bad = 0;
    if (prefix_len && (prefix[0] == ' ' || prefix[prefix_len - 1] == ' '))
        bad = problem_field(&r->problem, "body", "prefix", "must not begin or end with a space");
    bad |= coupons_time_field(r, "starts_at", p[G_STARTS_AT], v[G_STARTS_AT].len, &p[G_STARTS_AT], &starts);
    bad |= coupons_time_field(r, "ends_at", p[G_ENDS_AT], v[G_ENDS_AT].len, &p[G_ENDS_AT], &ends);
    if (!bad && p[G_STARTS_AT] && p[G_ENDS_AT] && ends <= starts)
        bad = coupons_dates_problem(r, 0);
    if (bad)
        return -1;
    if (!coupon_code_room(length, (long)v[G_COUNT].i)) {
        int enough = length;
        while (!coupon_code_room(enough, (long)v[G_COUNT].i))
            enough++;
        problem_set(&r->problem, PROBLEM_UNPROCESSABLE,
                    "Codes of %d random characters are too few for %" PRId64 " codes.", length, v[G_COUNT].i);
        return problem_field(&r->problem, "body", "length",
                             "must be at least %d for %" PRId64 " codes (%d characters give %.0f codes; at least 1000 "
                             "times as many as wanted keep collisions rare)",
                             enough, v[G_COUNT].i, length, coupon_code_space(length));
    }
    if (coupons_check_owner(r, p[G_OFFER_ID], p[G_PARTNER_ID]) < 0 || db_begin(r->db, &r->problem) < 0 ||
        !db_exec(r->db, r->arena, &STAGE, NULL, &r->problem))
        return -1;
    json_t *list = json_array();
    arena_cleanup_add(r->arena, json_release, json_incref(list)); /* every exit path releases it */
    long want = (long)v[G_COUNT].i;
    const char *ins[] = {p[G_OFFER_ID], p[G_PARTNER_ID], p[G_DESCRIPTION], p[G_STARTS_AT], p[G_ENDS_AT], p[G_STATUS]};
    for (int round = 0; round < GENERATE_ROUNDS && want > 0; round++) {
        PGresult *res;
        if (stage_codes(r, prefix, prefix_len, length, want) < 0 ||
            !(res = db_exec(r->db, r->arena, &INSERT_GENERATED, ins, &r->problem)) ||
            !db_exec(r->db, r->arena, &UNSTAGE, NULL, &r->problem)) {
            json_decref(list);
            return -1;
        }
        append_codes(list, res);
        want -= PQntuples(res);
    }
    if (want > 0) {
        json_decref(list);
        problem_set(&r->problem, PROBLEM_CONFLICT,
                    "Offer %s has too few free codes of this shape left; nothing was made.", p[G_OFFER_ID]);
        return problem_field(&r->problem, "body", "length", "is too short: %ld codes could not be drawn free", want);
    }
    if (coupons_analyze_after(r, (long)v[G_COUNT].i) < 0 || db_commit(r->db, &r->problem) < 0) {
        json_decref(list);
        return -1;
    }
    resp_header(r, "Location", "/v1/coupons?offer_id=%s", p[G_OFFER_ID]);
    return respond_codes(r, 201, list);
}

int coupon_pool_assign(request_t *r)
{
    field_value_t v[A_N];
    const char *p[A_N];
    if (body_params(r, ASSIGN_FIELDS, A_N, v, p) < 0)
        return -1;
    const char *offer[] = {p[A_OFFER_ID]};
    if (coupons_check_owner(r, p[A_OFFER_ID], p[A_PARTNER_ID]) < 0 || db_begin(r->db, &r->problem) < 0 ||
        !db_exec(r->db, r->arena, &LOCK_POOL, offer, &r->problem))
        return -1;
    PGresult *res = db_exec(r->db, r->arena, &ASSIGN, p, &r->problem);
    if (!res)
        return -1;
    int got = PQntuples(res);
    if (got < v[A_COUNT].i) {
        db_rollback(r->db);
        problem_set(&r->problem, PROBLEM_CONFLICT,
                    "Only %d unassigned active code%s remain%s in the pool of offer %s; nothing was assigned.", got,
                    got == 1 ? "" : "s", got == 1 ? "s" : "", p[A_OFFER_ID]);
        return problem_field(&r->problem, "body", "count", "is more than the %d code%s left in the pool", got,
                             got == 1 ? "" : "s");
    }
    if (db_commit(r->db, &r->problem) < 0)
        return -1;
    json_t *list = json_array();
    append_codes(list, res);
    return respond_codes(r, 200, list);
}
