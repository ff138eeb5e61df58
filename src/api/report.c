/*
 * report.c — the flex report (see report.h). The SQL lives in sql/migrations/0008_reports.sql:
 * report_range resolves from/to in the time zone, report_hits builds the grouped query over the
 * narrowest rollup from a JSON spec (every value a parameter, every name from a fixed list).
 */
#include "api/report.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "api/csv_export.h"
#include "api/cursor.h"
#include "api/resource.h"
#include "api/signed_link.h"
#include "db/db.h"
#include "http/response.h"
#include "report/report_params.h"
#include "util/csv_write.h"

#define REPORT_COMMON                                                                                                  \
    "group_by", "sort", "timezone", "from", "to", "offer_id", "offer_url_id", "partner_id", "source_id", "sub1",       \
        "sub2", "sub3", "sub4", "sub5", "kind", "outcome"
const char *const REPORT_QUERY[] = {REPORT_COMMON, "format", "limit", "cursor", NULL};
const char *const REPORT_EXPORT_QUERY[] = {REPORT_COMMON, NULL};

#define QUARTER_HOUR_US INT64_C(900000000)
#define DAY_US INT64_C(86400000000)
#define ZONEINFO_DIR "/usr/share/zoneinfo/"

/* $1 zone, $2/$3 from as a date or microseconds, $4/$5 to likewise. */
static db_stmt_t RANGE = DB_STMT(
    "SELECT ok, from_micros, to_micros,\n"
    "       CASE WHEN ok THEN to_char((timestamptz 'epoch' + from_micros * interval '1 microsecond') AT TIME ZONE $1,\n"
    "                                 'YYYY-MM-DD\"T\"HH24:MI:SS')\n"
    "                         || report_offset(timestamptz 'epoch' + from_micros * interval '1 microsecond', $1) END,\n"
    "       CASE WHEN ok THEN to_char((timestamptz 'epoch' + to_micros * interval '1 microsecond') AT TIME ZONE $1,\n"
    "                                 'YYYY-MM-DD\"T\"HH24:MI:SS')\n"
    "                         || report_offset(timestamptz 'epoch' + to_micros * interval '1 microsecond', $1) END\n"
    "  FROM report_range($1, $2::date, $3::bigint, $4::date, $5::bigint)",
    5, true);

/* $1 spec, $2 zone, $3/$4 range in microseconds. */
static db_stmt_t ROWS =
    DB_STMT("SELECT row_json, page_key\n"
            "  FROM report_hits($1::jsonb, $2, timestamptz 'epoch' + $3::bigint * interval '1 microsecond',\n"
            "                   timestamptz 'epoch' + $4::bigint * interval '1 microsecond')",
            4, true);

/* A checked request: its parameters, the range as SQL parameters, and the spec. */
typedef struct {
    report_params_t p;
    const char *from, *to; /* microseconds since the epoch */
    json_t *range;         /* {from, to, timezone} as shown; new reference */
    json_t *spec;          /* new reference */
} report_req_t;

static void report_req_free(report_req_t *q)
{
    report_params_free(&q->p);
    json_decref(q->range);
    json_decref(q->spec);
}

static const char *time_param(request_t *r, const report_time_t *t)
{
    return t->has_micros ? arena_printf(r->arena, "%" PRId64, t->micros) : NULL;
}

/* The zone exists in the time zone database PostgreSQL and this host share (Debian's tzdata). */
static bool zone_known(request_t *r, const char *tz)
{
    struct stat st;
    return stat(arena_printf(r->arena, ZONEINFO_DIR "%s", tz), &st) == 0 && S_ISREG(st.st_mode);
}

/* A partner may filter by partner_id only for itself; anything else "does not exist" (404). */
static int partner_scope(request_t *r, const report_params_t *p)
{
    json_t *ids = json_object_get(p->filters, "partner_id");
    size_t i;
    json_t *id;
    if (r->who.role != ROLE_PARTNER || !ids)
        return 0;
    json_array_foreach(ids, i, id)
    {
        if (json_integer_value(id) != r->who.partner_id)
            return problem_set(&r->problem, PROBLEM_NOT_FOUND, NULL);
    }
    return 0;
}

/* Reads and checks everything but limit, cursor and format. Returns 0 or -1 (problem recorded). */
static int report_prepare(request_t *r, report_req_t *q)
{
    memset(q, 0, sizeof *q);
    if (report_params_parse(&r->query, r->arena, r->who.role != ROLE_PARTNER, &q->p, &r->problem) < 0)
        return -1;
    if (partner_scope(r, &q->p) < 0)
        return -1;
    if (!zone_known(r, q->p.tz))
        return problem_field(&r->problem, "query", "timezone", "is not a time zone of the IANA database");
    const char *params[] = {q->p.tz, q->p.from.date, time_param(r, &q->p.from), q->p.to.date, time_param(r, &q->p.to)};
    PGresult *res = db_exec(r->db, r->arena, &RANGE, params, &r->problem);
    if (!res)
        return -1;
    if (PQgetvalue(res, 0, 0)[0] != 't')
        return problem_field(&r->problem, "query", "timezone", "is not a time zone PostgreSQL knows");
    int64_t from = 0, to = 0;
    sscanf(PQgetvalue(res, 0, 1), "%" SCNd64, &from);
    sscanf(PQgetvalue(res, 0, 2), "%" SCNd64, &to);
    /* Reports are kept in 15-minute buckets: a range must be made of whole ones. */
    if (from % QUARTER_HOUR_US != 0 || to % QUARTER_HOUR_US != 0 || to <= from ||
        to - from > REPORT_RANGE_MAX_DAYS * DAY_US + DAY_US / 24)
        problem_set(&r->problem, PROBLEM_UNPROCESSABLE, "The range cannot be reported.");
    if (from % QUARTER_HOUR_US != 0)
        problem_field(&r->problem, "query", "from", "must fall on a quarter hour (reports count in 15-minute steps)");
    if (to % QUARTER_HOUR_US != 0)
        problem_field(&r->problem, "query", "to", "must fall on a quarter hour (reports count in 15-minute steps)");
    if (to <= from)
        problem_field(&r->problem, "query", "to", "must be after from");
    else if (to - from > REPORT_RANGE_MAX_DAYS * DAY_US + DAY_US / 24) /* one more hour: a DST change */
        problem_field(&r->problem, "query", "to", "the range spans more than %d days", REPORT_RANGE_MAX_DAYS);
    if (problem_has(&r->problem))
        return -1;
    q->from = arena_printf(r->arena, "%" PRId64, from);
    q->to = arena_printf(r->arena, "%" PRId64, to);
    q->range =
        json_pack("{s:s, s:s, s:s}", "from", PQgetvalue(res, 0, 3), "to", PQgetvalue(res, 0, 4), "timezone", q->p.tz);
    json_t *group = json_array();
    for (int i = 0; i < q->p.ngroup; i++)
        json_array_append_new(group, json_string(q->p.group[i]));
    q->spec = json_pack("{s:o, s:O, s:O}", "group", group, "filters", q->p.filters, "sort", q->p.sort);
    json_object_set_new(q->spec, "scope", r->who.role == ROLE_PARTNER ? json_integer(r->who.partner_id) : json_null());
    return 0;
}

/* Runs report_hits with the spec as it stands. */
static PGresult *run(request_t *r, arena_t *a, const report_req_t *q)
{
    char *spec = json_dumps(q->spec, JSON_COMPACT);
    const char *params[] = {arena_strdup(a, spec), q->p.tz, q->from, q->to};
    free(spec);
    return db_exec(r->db, a, &ROWS, params, &r->problem);
}

/* Row i's JSON object (new reference), or NULL if it is not one (cannot happen: SQL makes it). */
static json_t *row_object(const PGresult *res, int i)
{
    json_t *o = json_loads(PQgetvalue(res, i, 0), JSON_DECODE_ANY, NULL);
    if (o && !json_is_object(o)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The CSV columns: the grouped dimensions in order (with the names of offers, URLs and partners
 * after their ids), then the metrics. Writes at most max names; returns how many. */
static int csv_columns(const report_params_t *p, const char **cols, int max)
{
    int n = 0;
    for (int i = 0; i < p->ngroup && n + 2 <= max; i++) {
        cols[n++] = p->group[i];
        if (strcmp(p->group[i], "offer_id") == 0)
            cols[n++] = "offer_name";
        else if (strcmp(p->group[i], "offer_url_id") == 0)
            cols[n++] = "offer_url_name";
        else if (strcmp(p->group[i], "partner_id") == 0)
            cols[n++] = "partner_name";
    }
    for (const char *const *m = REPORT_METRICS; *m && n < max; m++)
        cols[n++] = *m;
    return n;
}

/* One CSV field of a JSON value (NULL for null). */
static const char *csv_value(arena_t *a, const json_t *v)
{
    if (!v || json_is_null(v))
        return NULL;
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v))
        return arena_printf(a, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    if (json_is_real(v))
        return arena_printf(a, "%.6f", json_real_value(v));
    return json_is_true(v) ? "true" : "false";
}

#define CSV_COLUMNS_MAX (2 * REPORT_DIMS_MAX + 16)

/* The CSV's batches (api/csv_export.h): REPORT_CSV_BATCH groups per round trip, each after the
 * last one's sort key (the spec's "after"). */
typedef struct {
    report_req_t *q;
    const char *cols[CSV_COLUMNS_MAX];
    int ncols;
} report_csv_t;

static PGresult *csv_fetch(request_t *r, arena_t *a, void *ctx)
{
    return run(r, a, ((report_csv_t *)ctx)->q);
}

static int csv_rows(request_t *r, arena_t *a, const PGresult *res, int n, buf_t *out, void *ctx)
{
    (void)r;
    const report_csv_t *x = ctx;
    for (int i = 0; i < n; i++) {
        json_t *row = row_object(res, i);
        if (!row)
            return -1;
        for (int c = 0; c < x->ncols; c++)
            csv_write_field(out, csv_value(a, json_object_get(row, x->cols[c])), c == 0);
        csv_write_end_row(out);
        json_decref(row);
    }
    return BUF_OK;
}

static int csv_advance(request_t *r, const PGresult *res, int n, void *ctx)
{
    (void)r;
    json_t *after = json_loads(PQgetvalue(res, n - 1, 1), 0, NULL);
    if (!after)
        return -1; /* report_hits makes every key an array: cannot happen */
    json_object_set_new(((report_csv_t *)ctx)->q->spec, "after", after);
    return 0;
}

/* Streams every group of the report as CSV, batch by batch: memory stays bounded. */
static int stream_csv(request_t *r, report_req_t *q)
{
    report_csv_t x = {.q = q};
    x.ncols = csv_columns(&q->p, x.cols, CSV_COLUMNS_MAX);
    csv_export_t e = {
        .batch_rows = REPORT_CSV_BATCH,
        .batch_bytes = SIZE_MAX / 2, /* bounded by the batch: REPORT_CSV_BATCH rows of capped fields */
        .columns = x.cols,
        .ncolumns = x.ncols,
        .fetch = csv_fetch,
        .rows = csv_rows,
        .advance = csv_advance,
    };
    json_object_set_new(q->spec, "limit", json_integer(REPORT_CSV_BATCH));
    return csv_export_respond(r, &e, &x, "trackgen-report.csv");
}

/* True when the client asked for CSV by Accept (and not for JSON). */
static bool accepts_csv(request_t *r)
{
    const char *accept = req_header(r, "HTTP_ACCEPT");
    return accept && strstr(accept, "text/csv") && !strstr(accept, "application/json");
}

static int respond_page(request_t *r, report_req_t *q)
{
    page_t pg;
    if (page_parse_text(r, &pg, PAGE_DEFAULT_LIMIT, 1000) < 0)
        return -1;
    if (pg.key) {
        json_t *after = json_loads(pg.key, 0, NULL);
        if (!json_is_array(after)) {
            json_decref(after);
            return problem_field(&r->problem, "query", "cursor", "is not a cursor of this report");
        }
        json_object_set_new(q->spec, "after", after);
    }
    json_object_set_new(q->spec, "limit", json_integer(pg.limit + 1));
    PGresult *res = run(r, r->arena, q);
    if (!res)
        return -1;
    int shown = page_rows(res, &pg);
    if (PQntuples(res) > shown && PQgetlength(res, shown - 1, 1) > CURSOR_KEY_MAX)
        return problem_set(&r->problem, PROBLEM_UNPROCESSABLE,
                           "The values of this page's last group are longer than a cursor can carry (%d bytes); "
                           "raise limit, group by fewer texts, or take the whole report as CSV (format=csv).",
                           CURSOR_KEY_MAX);
    json_object_del(q->spec, "after");
    json_object_set_new(q->spec, "totals", json_true());
    PGresult *totals = run(r, r->arena, q);
    if (!totals)
        return -1;
    json_t *next = page_next_cursor(r, res, &pg, "page_key"); /* JSON null on the last page */
    if (!next)
        return -1;
    json_t *data = json_array();
    for (int i = 0; i < shown; i++) {
        json_t *row = row_object(res, i);
        if (row)
            json_array_append_new(data, row);
    }
    json_t *sum = row_object(totals, 0);
    return resp_json(r, 200,
                     json_pack("{s:o, s:o, s:O, s:o}", "data", data, "totals", sum ? sum : json_object(), "range",
                               q->range, "next_cursor", next));
}

int report_hits(request_t *r)
{
    report_req_t q;
    if (report_prepare(r, &q) < 0) {
        report_req_free(&q);
        return -1;
    }
    bool csv = q.p.csv || (!query_get(&r->query, "format", NULL) && accepts_csv(r));
    resp_header(r, "Vary", "Accept");
    int rc = csv ? stream_csv(r, &q) : respond_page(r, &q);
    report_req_free(&q);
    return rc;
}

int report_hits_export(request_t *r)
{
    report_req_t q;
    int rc = report_prepare(r, &q) < 0 ? -1 : stream_csv(r, &q);
    report_req_free(&q);
    return rc;
}

int report_hits_export_url(request_t *r)
{
    report_req_t q;
    int rc = report_prepare(r, &q) < 0 ? -1 : signed_link_respond(r, "/v1/reports/hits/export");
    report_req_free(&q);
    return rc;
}
