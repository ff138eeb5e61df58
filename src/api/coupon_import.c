/*
 * coupon_import.c — bulk import of coupon codes from CSV (see coupon_import.h).
 *
 * Memory stays bounded at any size: the body is read in READ_CHUNK pieces, libcsv holds one record
 * at a time, and COPY rows leave in COPY_CHUNK pieces. Problems found in C (syntax of a cell, a
 * record with the wrong number of fields) travel to the staging table as rows of their own
 * (err_field, err_reason), so one query lists every problem, in line order, with the database's.
 */
#include "api/coupon_import.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/coupons.h"
#include "api/offers.h"
#include "api/resource.h"
#include "coupon/coupon_code.h"
#include "coupon/coupon_copy.h"
#include "db/db.h"
#include "http/response.h"
#include "util/csv_read.h"
#include "util/rfc3339.h"
#include "util/text.h"

#define READ_CHUNK (64 * 1024)
#define COPY_CHUNK (64 * 1024)
#define IMPORT_ERRORS_MAX 100 /* problems listed in a 422; the rest are counted */

const char *const COUPON_IMPORT_QUERY[] = {"dry_run", "offer_id", NULL};

static const char *const BOOLS[] = {"true", "false", NULL};
static const char *const STATUSES[] = {"active", "paused", "archived", NULL};

enum { C_CODE, C_OFFER_ID, C_PARTNER_ID, C_DESCRIPTION, C_STARTS_AT, C_ENDS_AT, C_STATUS, C_N };
static const char *const COLUMNS[C_N] = {"code",      "offer_id", "partner_id", "description",
                                         "starts_at", "ends_at",  "status"};

static db_stmt_t STAGE = DB_STMT("CREATE TEMP TABLE coupon_import (\n"
                                 "    seq bigint GENERATED ALWAYS AS IDENTITY,\n"
                                 "    line bigint NOT NULL, offer_id bigint, code text, partner_id bigint,\n"
                                 "    description text, starts_at bigint, ends_at bigint, status text,\n"
                                 "    err_field text, err_reason text\n"
                                 ") ON COMMIT DROP",
                                 0, false);
static const char COPY_STAGE[] =
    "COPY coupon_import (line, offer_id, code, partner_id, description, starts_at, ends_at,"
    " status, err_field, err_reason) FROM STDIN";
static db_stmt_t ANALYZE = DB_STMT("ANALYZE coupon_import", 0, false);

/* What the database checks, as problem rows of their own (the good rows stay for the insert). */
static db_stmt_t CHECK =
    DB_STMT("INSERT INTO coupon_import (line, err_field, err_reason)\n"
            "SELECT i.line, 'offer_id', 'no offer has id ' || i.offer_id\n"
            "  FROM coupon_import i\n"
            " WHERE i.err_field IS NULL AND NOT EXISTS (SELECT 1 FROM offers o WHERE o.id = i.offer_id)\n"
            "UNION ALL\n"
            "SELECT i.line, 'partner_id', 'no active partner has id ' || i.partner_id\n"
            "  FROM coupon_import i\n"
            " WHERE i.err_field IS NULL AND i.partner_id IS NOT NULL\n"
            "   AND NOT EXISTS (SELECT 1 FROM partners p WHERE p.id = i.partner_id AND p.status = 'active')\n"
            "UNION ALL\n"
            "SELECT d.line, 'code', 'is also on line ' || d.first || ' for the same offer (codes are unique per offer, "
            "ignoring case)'\n"
            "  FROM (SELECT line, min(line) OVER (PARTITION BY offer_id, lower(code)) AS first\n"
            "          FROM coupon_import\n"
            "         WHERE err_field IS NULL) d\n"
            " WHERE d.line > d.first\n"
            "UNION ALL\n"
            "SELECT i.line, 'code', 'offer ' || i.offer_id || ' already has this code (coupon ' || c.id || ')'\n"
            "  FROM coupon_import i\n"
            "  JOIN coupons c ON c.offer_id = i.offer_id AND lower(c.code) = lower(i.code)\n"
            " WHERE i.err_field IS NULL",
            0, false);

/* The (offer, partner) pairs whose rule "the partner may run the offer" is still to check. */
static db_stmt_t PAIRS = DB_STMT("SELECT DISTINCT i.offer_id, i.partner_id\n"
                                 "  FROM coupon_import i\n"
                                 " WHERE i.err_field IS NULL AND i.partner_id IS NOT NULL\n"
                                 "   AND EXISTS (SELECT 1 FROM offers o WHERE o.id = i.offer_id)\n"
                                 "   AND EXISTS (SELECT 1 FROM partners p WHERE p.id = i.partner_id AND p.status = "
                                 "'active')",
                                 0, false);
/* $1 partner, $2 offer. */
static db_stmt_t MAY_RUN = DB_STMT("SELECT 1\n"
                                   "  FROM offers o\n"
                                   " WHERE o.id = $2\n"
                                   "   AND " OFFER_VISIBLE_TO_SCOPE,
                                   2, false);
/* $1 partner, $2 offer. */
static db_stmt_t MAY_NOT_RUN =
    DB_STMT("INSERT INTO coupon_import (line, err_field, err_reason)\n"
            "SELECT line, 'partner_id', 'partner ' || $1::bigint || ' may not run offer ' || $2::bigint ||\n"
            "       ' (it is archived, or neither public nor granted to the partner)'\n"
            "  FROM coupon_import\n"
            " WHERE err_field IS NULL AND partner_id = $1::bigint AND offer_id = $2::bigint",
            2, false);

static db_stmt_t COUNT_PROBLEMS = DB_STMT("SELECT count(*), count(DISTINCT line)\n"
                                          "  FROM coupon_import\n"
                                          " WHERE err_field IS NOT NULL",
                                          0, false);
static db_stmt_t FIRST_PROBLEMS = DB_STMT("SELECT line, err_field, err_reason\n"
                                          "  FROM coupon_import\n"
                                          " WHERE err_field IS NOT NULL\n"
                                          " ORDER BY line, seq\n"
                                          " LIMIT 100",
                                          0, false);

static db_stmt_t INSERT =
    DB_STMT("INSERT INTO coupons (offer_id, code, partner_id, description, starts_at, ends_at, status, assigned_at)\n"
            "SELECT offer_id, code, partner_id, coalesce(description, ''), " COUPON_MICROS_TS(
                "starts_at") ",\n"
                             "       " COUPON_MICROS_TS(
                                 "ends_at") ", coalesce(status, 'active'),\n"
                                            "       CASE WHEN partner_id IS NULL THEN NULL ELSE now() END\n"
                                            "  FROM coupon_import\n"
                                            " WHERE err_field IS NULL\n"
                                            " ORDER BY line",
            0, false);

/* Why the record callback stops the reading (csv_read's own errors are -1). */
enum { STOP_HEADER = 1, STOP_DB = 2 };

typedef struct {
    request_t *r;
    const char *default_offer; /* ?offer_id, or NULL */
    int col[C_N];              /* each known column's index in a record, -1 when the file has none */
    bool header_bad;
    size_t rows; /* data records */
    buf_t copy;  /* COPY rows not sent yet */
    int failed;  /* a database failure (problem recorded) */
} import_t;

/* Sends what is buffered when it is large enough (or always, with force). */
static int copy_flush(import_t *im, bool force)
{
    if (im->failed || (!force && im->copy.len < COPY_CHUNK) || im->copy.len == 0)
        return im->failed;
    im->failed = db_copy_put(im->r->db, buf_ptr(&im->copy), im->copy.len, &im->r->problem);
    buf_clear(&im->copy);
    return im->failed;
}

/* A problem row: line, then the field and reason. */
static void copy_problem(import_t *im, size_t line, const char *field, const char *reason)
{
    char ln[24];
    int n = snprintf(ln, sizeof ln, "%zu", line);
    coupon_copy_field(&im->copy, ln, (size_t)n, true);
    for (int i = 0; i < C_N; i++)
        coupon_copy_field(&im->copy, NULL, 0, false);
    coupon_copy_field(&im->copy, field, strlen(field), false);
    coupon_copy_field(&im->copy, reason, strlen(reason), false);
    coupon_copy_end_row(&im->copy);
}

static int header(import_t *im, const csv_record_t *rec)
{
    request_t *r = im->r;
    for (int c = 0; c < C_N; c++)
        im->col[c] = -1;
    for (size_t i = 0; i < rec->nfields; i++) {
        const csv_field_t *f = &rec->fields[i];
        int c = 0;
        while (c < C_N && strcasecmp(f->s, COLUMNS[c]) != 0)
            c++;
        const char *name = rec->problem || f->len == 0 ? "header" : f->s;
        if (rec->problem && rec->problem_field == i)
            im->header_bad =
                problem_line_field(&r->problem, rec->line, "body", "header", "column %zu %s", i + 1, rec->problem);
        else if (c == C_N)
            im->header_bad = problem_line_field(&r->problem, rec->line, "body", name,
                                                "is not a column of coupons (the columns are code, offer_id, "
                                                "partner_id, description, starts_at, ends_at and status)");
        else if (im->col[c] >= 0)
            im->header_bad = problem_line_field(&r->problem, rec->line, "body", name, "is named twice in the header");
        else
            im->col[c] = (int)i;
    }
    if (im->col[C_CODE] < 0)
        im->header_bad = problem_line_field(&r->problem, rec->line, "body", "code", "the header has no code column");
    if (im->col[C_OFFER_ID] < 0 && !im->default_offer)
        im->header_bad = problem_line_field(&r->problem, rec->line, "body", "offer_id",
                                            "the header has no offer_id column (or pass ?offer_id= for every row)");
    return im->header_bad ? STOP_HEADER : 0;
}

/* A positive id in its one decimal spelling. */
static bool id_cell(const csv_field_t *f)
{
    int64_t v;
    return text_parse_decimal(f->s, f->len, INT64_MAX / 10, &v) && v >= 1;
}

/* Checks one data record's cells; each bad one becomes a problem row. Returns the number of them. */
static int check_cells(import_t *im, const csv_record_t *rec, const csv_field_t *v, int64_t *starts, int64_t *ends)
{
    int bad = 0;
    const char *why;
    char reason[160];
    const char *reasons[C_N] = {0};
    if ((why = coupon_code_check(v[C_CODE].s, v[C_CODE].len)))
        reasons[C_CODE] = why;
    if (v[C_OFFER_ID].len == 0 && !im->default_offer)
        reasons[C_OFFER_ID] = "is required";
    else if (v[C_OFFER_ID].len && !id_cell(&v[C_OFFER_ID]))
        reasons[C_OFFER_ID] = "must be an offer id (a positive integer)";
    if (v[C_PARTNER_ID].len && !id_cell(&v[C_PARTNER_ID]))
        reasons[C_PARTNER_ID] = "must be a partner id (a positive integer), or empty for the pool";
    if (text_utf8_length(v[C_DESCRIPTION].s, v[C_DESCRIPTION].len) > 1000)
        reasons[C_DESCRIPTION] = "must be at most 1000 characters long";
    else if (text_has_control(v[C_DESCRIPTION].s, v[C_DESCRIPTION].len, true))
        reasons[C_DESCRIPTION] = "must not contain control characters other than tab and line breaks";
    int64_t *times[] = {starts, ends};
    for (int t = 0; t < 2; t++) {
        const csv_field_t *f = &v[C_STARTS_AT + t];
        *times[t] = INT64_MIN;
        if (f->len && rfc3339_parse(f->s, f->len, times[t], &why) < 0) {
            snprintf(reason, sizeof reason, "is not an RFC 3339 date-time: %s", why);
            reasons[C_STARTS_AT + t] = arena_strdup(im->r->arena, reason);
        }
    }
    if (!reasons[C_STARTS_AT] && !reasons[C_ENDS_AT] && v[C_STARTS_AT].len && v[C_ENDS_AT].len && *ends <= *starts)
        reasons[C_ENDS_AT] = "must be after starts_at";
    if (v[C_STATUS].len) {
        const char *const *s = STATUSES;
        while (*s && strcmp(*s, v[C_STATUS].s) != 0)
            s++;
        if (!*s)
            reasons[C_STATUS] = "must be one of: active, paused, archived";
    }
    for (int c = 0; c < C_N; c++)
        if (reasons[c]) {
            copy_problem(im, rec->line, COLUMNS[c], reasons[c]);
            bad++;
        }
    return bad;
}

static const char *time_text(char *out, size_t n, int64_t micros)
{
    if (micros == INT64_MIN)
        return NULL;
    snprintf(out, n, "%" PRId64, micros);
    return out;
}

static int record(void *ctx, const csv_record_t *rec)
{
    import_t *im = ctx;
    if (rec->header)
        return header(im, rec);
    im->rows++;
    if (rec->problem) {
        const char *field = "row"; /* the whole record */
        for (int c = 0; c < C_N; c++)
            if (im->col[c] >= 0 && (size_t)im->col[c] == rec->problem_field)
                field = COLUMNS[c];
        copy_problem(im, rec->line, field, rec->problem);
        return copy_flush(im, false) ? STOP_DB : 0;
    }
    csv_field_t v[C_N];
    for (int c = 0; c < C_N; c++)
        v[c] = im->col[c] >= 0 ? rec->fields[im->col[c]] : (csv_field_t){"", 0};
    int64_t starts, ends;
    if (check_cells(im, rec, v, &starts, &ends) == 0) {
        char ln[24], st[24], en[24];
        int n = snprintf(ln, sizeof ln, "%zu", rec->line);
        const char *offer = v[C_OFFER_ID].len ? v[C_OFFER_ID].s : im->default_offer;
        const char *t0 = time_text(st, sizeof st, starts), *t1 = time_text(en, sizeof en, ends);
        buf_t *b = &im->copy;
        coupon_copy_field(b, ln, (size_t)n, true);
        coupon_copy_field(b, offer, strlen(offer), false);
        coupon_copy_field(b, v[C_CODE].s, v[C_CODE].len, false);
        coupon_copy_field(b, v[C_PARTNER_ID].len ? v[C_PARTNER_ID].s : NULL, v[C_PARTNER_ID].len, false);
        coupon_copy_field(b, v[C_DESCRIPTION].s, v[C_DESCRIPTION].len, false);
        coupon_copy_field(b, t0, t0 ? strlen(t0) : 0, false);
        coupon_copy_field(b, t1, t1 ? strlen(t1) : 0, false);
        coupon_copy_field(b, v[C_STATUS].len ? v[C_STATUS].s : NULL, v[C_STATUS].len, false);
        coupon_copy_field(b, NULL, 0, false);
        coupon_copy_field(b, NULL, 0, false);
        coupon_copy_end_row(b);
    }
    return copy_flush(im, false) ? STOP_DB : 0;
}

/* Reads what is left of the body, so the connection stays in step whatever the answer. */
static void drain(request_t *r, char *chunk)
{
    while (req_body_read(r, chunk, READ_CHUNK) > 0)
        ;
}

/* Streams the body through the reader into COPY. Returns 0, or -1 with the problem recorded (the
 * header's, the CSV's or the database's). */
static int parse_body(import_t *im, csv_reader_t *csv, char *chunk)
{
    request_t *r = im->r;
    long k;
    int rc = 0;
    while (rc == 0 && (k = req_body_read(r, chunk, READ_CHUNK)) > 0)
        rc = csv_read_feed(csv, chunk, (size_t)k);
    if (rc == 0 && k < 0)
        return -1;
    rc = rc == 0 ? csv_read_finish(csv) : rc;
    drain(r, chunk);
    if (rc == -1) {
        size_t line;
        const char *why = csv_read_error(csv, &line);
        problem_set(&r->problem, PROBLEM_VALIDATION, "The body is not valid CSV (line %zu: %s); nothing was imported.",
                    line, why);
        return problem_line_field(&r->problem, line, "body", "csv", "%s", why);
    }
    if (im->failed)
        return -1;
    if (im->header_bad) {
        problem_set(&r->problem, PROBLEM_UNPROCESSABLE, "The header row is not usable; nothing was imported.");
        return -1;
    }
    if (csv_read_records(csv) == 0) {
        problem_set(&r->problem, PROBLEM_UNPROCESSABLE, "The file is empty; nothing was imported.");
        return problem_line_field(&r->problem, 1, "body", "header", "a header row naming the columns is required");
    }
    return copy_flush(im, true);
}

/* The partner rule, pair by pair (OFFER_VISIBLE_TO_SCOPE is written for one partner). */
static int check_pairs(request_t *r)
{
    PGresult *pairs = db_exec(r->db, r->arena, &PAIRS, NULL, &r->problem);
    if (!pairs)
        return -1;
    for (int i = 0; i < PQntuples(pairs); i++) {
        const char *params[] = {PQgetvalue(pairs, i, 1), PQgetvalue(pairs, i, 0)};
        PGresult *ok = db_exec(r->db, r->arena, &MAY_RUN, params, &r->problem);
        if (!ok || (PQntuples(ok) == 0 && !db_exec(r->db, r->arena, &MAY_NOT_RUN, params, &r->problem)))
            return -1;
    }
    return 0;
}

/* 422 with the first problems in line order and the totals, if there are any. */
static int report_problems(request_t *r, size_t rows)
{
    PGresult *count = db_exec(r->db, r->arena, &COUNT_PROBLEMS, NULL, &r->problem);
    if (!count)
        return -1;
    long long problems = strtoll(PQgetvalue(count, 0, 0), NULL, 10);
    long long bad_rows = strtoll(PQgetvalue(count, 0, 1), NULL, 10);
    if (problems == 0)
        return 0;
    PGresult *first = db_exec(r->db, r->arena, &FIRST_PROBLEMS, NULL, &r->problem);
    if (!first)
        return -1;
    r->problem.errors_max = IMPORT_ERRORS_MAX;
    problem_set(&r->problem, PROBLEM_UNPROCESSABLE,
                "%lld of %zu rows %s invalid (%lld problem%s%s); nothing was imported.", bad_rows, rows,
                bad_rows == 1 ? "is" : "are", problems, problems == 1 ? "" : "s",
                problems > IMPORT_ERRORS_MAX ? ", the first 100 listed" : "");
    for (int i = 0; i < PQntuples(first); i++)
        problem_line_field(&r->problem, (size_t)strtoull(PQgetvalue(first, i, 0), NULL, 10), "body",
                           PQgetvalue(first, i, 1), "%s", PQgetvalue(first, i, 2));
    r->problem.omitted = (size_t)problems - (size_t)PQntuples(first);
    return -1;
}

static void reader_free(void *p)
{
    csv_read_free(p);
}

static void copy_free(void *p)
{
    buf_free(p);
}

static bool is_csv(const char *ct)
{
    if (!ct || strncasecmp(ct, "text/csv", 8) != 0)
        return false;
    ct += 8;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    return *ct == '\0' || *ct == ';';
}

int coupon_import(request_t *r)
{
    char *chunk = arena_alloc(r->arena, READ_CHUNK);
    const char *dry;
    int64_t offer = 0;
    int bad = query_enum(r, "dry_run", BOOLS, &dry);
    bad |= query_int(&r->query, "offer_id", 1, INT64_MAX / 10, 0, &offer, &r->problem);
    if (!is_csv(req_header(r, "CONTENT_TYPE"))) {
        drain(r, chunk);
        return problem_set(&r->problem, PROBLEM_UNSUPPORTED_MEDIA_TYPE,
                           "An import is a CSV file: send Content-Type: text/csv.");
    }
    import_t *im = arena_calloc(r->arena, 1, sizeof *im); /* in the arena: its cleanups outlive this call */
    im->r = r;
    im->default_offer = offer ? id_param(r, offer) : NULL;
    buf_init(&im->copy, COPY_CHUNK + 2 * CSV_READ_COLUMNS_MAX * CSV_READ_FIELD_MAX);
    arena_cleanup_add(r->arena, copy_free, &im->copy);
    if (bad || db_begin(r->db, &r->problem) < 0 || !db_exec(r->db, r->arena, &STAGE, NULL, &r->problem) ||
        db_copy_begin(r->db, COPY_STAGE, &r->problem) < 0) {
        drain(r, chunk);
        return -1;
    }
    csv_reader_t *csv = csv_read_new(record, im);
    if (!csv)
        abort(); /* out of memory, as the arena would */
    arena_cleanup_add(r->arena, reader_free, csv);
    bool parsed = parse_body(im, csv, chunk) == 0;
    if (db_copy_end(r->db, parsed ? NULL : "the import was refused", &r->problem) < 0 || !parsed)
        return -1;
    if (!db_exec(r->db, r->arena, &ANALYZE, NULL, &r->problem) ||
        !db_exec(r->db, r->arena, &CHECK, NULL, &r->problem) || check_pairs(r) < 0 || report_problems(r, im->rows) < 0)
        return -1;
    bool dry_run = dry && strcmp(dry, "true") == 0;
    PGresult *ins = NULL;
    if (!dry_run && !(ins = db_exec(r->db, r->arena, &INSERT, NULL, &r->problem)))
        return -1;
    long long imported = ins ? strtoll(PQcmdTuples(ins), NULL, 10) : 0;
    if (!dry_run && (coupons_analyze_after(r, (long)imported) < 0 || db_commit(r->db, &r->problem) < 0))
        return -1;
    if (dry_run)
        db_rollback(r->db);
    return resp_json(r, 200,
                     json_pack("{s:b, s:I, s:I}", "dry_run", dry_run, "rows", (json_int_t)im->rows, "imported",
                               (json_int_t)imported));
}
