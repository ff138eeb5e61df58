/*
 * ship_batch.c — the shipper's transactions: rows by partner bucket into hits and the rollups,
 * quarantine of refused rows (see ship_batch.h).
 */
#include "track/ship_batch.h"

#include <stdio.h>
#include <string.h>

#include "track/hitlog.h"
#include "util/log.h"
#include "util/text.h"

/* A transaction ships whole buckets and at least this many rows (unless the batch ends): big
 * enough that its fixed cost (round trips, commit, rollup upserts) stays small per row, small
 * enough that a large batch spreads over several transactions two shippers can run at once. */
#define TX_MIN_ROWS 4096

/* Advisory lock keys: (LOCK_CLASS, LOCK_BUCKET_BASE + bucket) per bucket. Versions before the
 * buckets took (LOCK_CLASS, 1) exclusively around every batch; taking it shared keeps a shipper
 * of such a version (while a reload replaces the workers) from running beside this one. */
#define LOCK_KEYS_SQL(fn)                                                                                              \
    "SELECT pg_advisory_xact_lock_shared(7461726, 1), " fn                                                             \
    "(7461726, 100 + b)) FROM generate_series($1::int, $2::int) b"
static const char LOCK_TRY[] = LOCK_KEYS_SQL("bool_and(pg_try_advisory_xact_lock");
static const char LOCK_WAIT[] = LOCK_KEYS_SQL("count(pg_advisory_xact_lock"); /* in bucket order: no deadlock */

/* hits_default's CHECK (false) (sql/migrations/0011_hits_ingest.sql): the hit's day has
 * no partition yet. */
#define DEFAULT_PARTITION_CHECK "hits_default_stays_empty"

#define ROLLUP_COLUMNS_OF(t)                                                                                           \
    t "partner_id, " t "hit_at, " t "offer_id, " t "offer_url_id, " t "kind, " t "outcome, " t "source_id, " t         \
      "sub1, " t "sub2, " t "sub3, " t "sub4, " t "sub5"
#define ROLLUP_COLUMNS ROLLUP_COLUMNS_OF("")
#define FIXED_COLUMNS ROLLUP_COLUMNS_OF("h.")

/* A person: kind, partner, offer, IP and user agent as one key, looked up by hits_visitor_idx
 * (sql/migrations/0011_hits_ingest.sql); with the columns apart the planner reads every hit of the
 * partner in the window. The incoming row's key is computed once, by COPY (hits_incoming.visitor).
 * ip is compared too, as NULL is no one's IP. */
#define SAME_VISITOR "hit_visitor_key(h.kind, h.partner_id, h.offer_id, h.ip, h.user_agent) = i.visitor"

/* hits_incoming's columns as hits has them (named: i.* would add the visitor key). */
#define INCOMING_COLUMNS HITLOG_COLUMNS_OF("i.")

static const char CREATE_INCOMING[] =
    "CREATE TEMP TABLE hits_incoming (\n"
    "  transaction_id text, kind text, hit_at timestamptz, partner_id bigint, offer_id bigint,\n"
    "  offer_url_id bigint, source_id text, sub1 text, sub2 text, sub3 text, sub4 text, sub5 text,\n"
    "  ip inet, user_agent text, referer text, outcome text, is_bot boolean,\n"
    "  visitor uuid GENERATED ALWAYS AS (hit_visitor_key(kind, partner_id, offer_id, ip, user_agent)) STORED)\n"
    "ON COMMIT DELETE ROWS";

static const char COPY_INCOMING[] = "COPY hits_incoming (" HITLOG_COLUMNS ") FROM STDIN";

/* Only when a row's day had no partition (see DEFAULT_PARTITION_CHECK): the days are made ahead
 * by track/partitions.c, so a batch normally pays nothing for them. */
static const char ENSURE_BATCH_PARTITIONS[] =
    "SELECT hits_ensure_partitions(min(hit_at AT TIME ZONE 'UTC')::date, max(hit_at AT TIME ZONE 'UTC')::date)\n"
    "  FROM hits_incoming";

/* is_unique: the first hit of its kind from this IP + user agent on this partner + offer in 24 h,
 * counting both what is stored and what arrives in this batch. Bot hits are never unique and do
 * not use up a person's first click. Hits of one partner are shipped under its bucket's lock, one
 * transaction at a time, so this sees every earlier hit of the same people. */
static const char INSERT_HITS[] = "WITH ins AS (\n"
                                  "INSERT INTO hits (" HITLOG_COLUMNS ", is_unique)\n"
                                  "SELECT " INCOMING_COLUMNS ",\n"
                                  "       NOT i.is_bot\n"
                                  "       AND row_number() OVER (PARTITION BY i.visitor, i.ip, i.is_bot\n"
                                  "                              ORDER BY i.hit_at, i.transaction_id) = 1\n"
                                  "       AND NOT EXISTS (\n"
                                  "         SELECT 1\n"
                                  "           FROM hits h\n"
                                  "          WHERE " SAME_VISITOR "\n"
                                  "            AND h.ip = i.ip\n"
                                  "            AND h.hit_at > i.hit_at - interval '24 hours'\n"
                                  "            AND h.hit_at <= i.hit_at\n"
                                  "            AND h.kind = i.kind\n"
                                  "            AND NOT h.is_bot)\n"
                                  "  FROM hits_incoming i\n"
                                  "ON CONFLICT DO NOTHING\n"
                                  "RETURNING " ROLLUP_COLUMNS ", is_unique, is_bot)\n"
                                  "INSERT INTO hits_delta\n"
                                  "SELECT " ROLLUP_COLUMNS ", 1, is_unique::int, is_bot::int FROM ins";

/* Segments are not shipped in time order (two workers, outages): a hit that arrives after a later
 * one of the same person takes the later one's is_unique away. Idempotent: shipped again, the
 * same rows find nothing left to change. The shape is forced: each incoming row looks up its own
 * person's later unique hits (hits_visitor_unique_idx, a subquery the planner cannot flatten:
 * OFFSET 0), and only those rows are updated, by their place (partition and ctid: a TID scan,
 * safe as no other transaction updates this partner's hits meanwhile, under its bucket's lock).
 * Written as one join, the planner — without statistics for hits_incoming, and with a day's
 * partition analyzed when it held no unique hit yet — read every unique hit of the day and
 * compared it with every incoming row: 0.96 s for 4,000 rows against 11 ms this way. */
static const char FIX_LATER_UNIQUE[] = "WITH later AS MATERIALIZED (\n"
                                       "SELECT DISTINCT l.tableoid, l.ctid\n"
                                       "  FROM hits_incoming i\n"
                                       " CROSS JOIN LATERAL (\n"
                                       "       SELECT h.tableoid, h.ctid\n"
                                       "         FROM hits h\n"
                                       "        WHERE " SAME_VISITOR "\n"
                                       "          AND h.is_unique\n"
                                       "          AND h.ip = i.ip\n"
                                       "          AND h.kind = i.kind\n"
                                       "          AND h.hit_at > i.hit_at\n"
                                       "          AND h.hit_at < i.hit_at + interval '24 hours'\n"
                                       "       OFFSET 0) l\n"
                                       " WHERE NOT i.is_bot),\n"
                                       "fixed AS (\n"
                                       "UPDATE hits h\n"
                                       "   SET is_unique = false\n"
                                       "  FROM later l\n"
                                       " WHERE h.tableoid = l.tableoid\n"
                                       "   AND h.ctid = l.ctid\n"
                                       "   AND h.is_unique\n"
                                       "RETURNING " FIXED_COLUMNS ")\n"
                                       "INSERT INTO hits_delta SELECT " ROLLUP_COLUMNS ", 0, -1, 0 FROM fixed";

/* Reports: what this transaction inserted (+1 each, as RETURNING says, so a row ON CONFLICT skipped
 * adds nothing) and un-uniqued (-1 unique each) goes into the session's hits_delta, which
 * hit_rollup_apply() adds to the rollups in the same transaction (sql/migrations/0008_reports.sql).
 * The rollups are keyed by partner: transactions of different buckets never touch the same row. */
static const char CREATE_DELTA[] = "CREATE TEMP TABLE hits_delta (LIKE hit_rollup_delta_shape) ON COMMIT DELETE ROWS";
static const char APPLY_ROLLUPS[] = "SELECT hit_rollup_apply()";

static const char INSERT_QUARANTINE[] =
    "INSERT INTO hit_quarantine (row_text, sqlstate, error, constraint_name, segment)\n"
    "VALUES ($1, $2, $3, nullif($4, ''), $5)\n"
    "ON CONFLICT (row_md5) DO NOTHING";

/* What PostgreSQL said about a failed statement. */
typedef struct {
    char state[6];        /* SQLSTATE; "" when the connection failed */
    char message[1024];   /* primary message and detail */
    char constraint[128]; /* "" when none */
} pg_error_t;

typedef struct {
    PGconn *conn;
    const hitbatch_t *batch;
    const char *const *segments;
    size_t quarantined;
} ship_t;

typedef enum { FAIL_NONE, FAIL_BUSY, FAIL_RETRY, FAIL_DATA } failure_t;
typedef enum { LOCKS_TRY, LOCKS_WAIT } lock_mode_t;

static void note_error(PGconn *conn, PGresult *r, pg_error_t *err)
{
    const char *code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const char *primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    const char *detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL);
    const char *constraint = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);
    snprintf(err->state, sizeof err->state, "%s", code ? code : "");
    snprintf(err->message, sizeof err->message, "%s%s%s", primary ? primary : PQerrorMessage(conn), detail ? " " : "",
             detail ? detail : "");
    snprintf(err->constraint, sizeof err->constraint, "%s", constraint ? constraint : "");
    bool no_partition = strcmp(err->constraint, DEFAULT_PARTITION_CHECK) == 0; /* handled, see ship_placed() */
    log_msg(no_partition ? LOG_INFO : LOG_WARN, "shipper: SQLSTATE %s: %s", err->state[0] ? err->state : "-",
            PQerrorMessage(conn));
}

/* Runs a statement without result rows; true on success, else the error in *err. */
static bool run(PGconn *conn, const char *sql, pg_error_t *err)
{
    PGresult *r = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(r);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        note_error(conn, r, err);
    PQclear(r);
    return ok;
}

/* The planner sees hits_incoming without statistics, and a day's partition without them until
 * autovacuum has analyzed it (a minute after it starts filling): then it hashed the whole partition
 * for the fix-up. One person's hits are a few index entries (hits_visitor_idx): nested loops over
 * the incoming rows are always right here, so this session plans nothing else. The same guesses
 * (hits_delta × report_day_phases, ~4.5 M rows expected, a few thousand there) priced the day
 * rollups past jit_above_cost: JIT compiled them in every transaction, ≈ 200 ms each, for
 * statements that run in a few milliseconds — so the session never compiles. */
static const char SESSION_PLANS[] = "SET enable_hashjoin = off; SET enable_mergejoin = off; SET jit = off";

bool ship_batch_session(PGconn *conn)
{
    pg_error_t err;
    return run(conn, "SET client_min_messages = warning", &err) && run(conn, SESSION_PLANS, &err) &&
           run(conn, CREATE_INCOMING, &err) && run(conn, CREATE_DELTA, &err);
}

/* Data errors are about some row's content: class 22 (data exception: bad timestamp, inet, …),
 * 23 (integrity: a CHECK, NOT NULL or foreign key the row violates) and 54000 (a value too large
 * for an index). Every other failure is the database's state, not the rows': a lost connection
 * (08, 57P0x), a read-only session (25006, the old primary after a failover), serialization or
 * deadlock (40001, 40P01), a lock or statement timeout (55P03, 57014), resources (53), system
 * errors (58), a missing table or privilege (42): retried later, the segments stay. */
static failure_t classify(PGconn *conn, const pg_error_t *err)
{
    if (PQstatus(conn) != CONNECTION_OK || err->state[0] == '\0')
        return FAIL_RETRY;
    if (strncmp(err->state, "22", 2) == 0 || strncmp(err->state, "23", 2) == 0 || strcmp(err->state, "54000") == 0)
        return FAIL_DATA;
    return FAIL_RETRY;
}

/* Takes the locks of the buckets of rows [lo, hi) (they are sorted: a range of buckets). With
 * LOCKS_TRY, FAIL_BUSY when another shipper holds one of them. */
static failure_t lock_buckets(ship_t *t, size_t lo, size_t hi, lock_mode_t mode, pg_error_t *err)
{
    char first[8], last[8];
    snprintf(first, sizeof first, "%u", (unsigned)t->batch->rows[lo].bucket);
    snprintf(last, sizeof last, "%u", (unsigned)t->batch->rows[hi - 1].bucket);
    const char *params[] = {first, last};
    PGresult *r = PQexecParams(t->conn, mode == LOCKS_TRY ? LOCK_TRY : LOCK_WAIT, 2, NULL, params, NULL, NULL, 0);
    failure_t f = FAIL_NONE;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        note_error(t->conn, r, err);
        f = FAIL_RETRY;
    } else if (mode == LOCKS_TRY && strcmp(PQgetvalue(r, 0, 1), "t") != 0) {
        f = FAIL_BUSY;
    }
    PQclear(r);
    return f;
}

/* COPYs rows [lo, hi) into hits_incoming, runs of adjacent rows as one block. */
static bool copy_rows(ship_t *t, size_t lo, size_t hi, pg_error_t *err)
{
    PGresult *r = PQexec(t->conn, COPY_INCOMING);
    bool ok = PQresultStatus(r) == PGRES_COPY_IN;
    if (!ok) {
        note_error(t->conn, r, err);
        PQclear(r);
        return false;
    }
    PQclear(r);
    const hitbatch_row_t *rows = t->batch->rows;
    const char *text = buf_ptr(&t->batch->text);
    for (size_t i = lo; ok && i < hi;) {
        size_t off = rows[i].off, len = 0;
        for (; i < hi && rows[i].off == off + len; i++)
            len += rows[i].len;
        ok = PQputCopyData(t->conn, text + off, (int)len) == 1;
    }
    ok = PQputCopyEnd(t->conn, ok ? NULL : "shipper: cannot send the rows") == 1 && ok;
    r = PQgetResult(t->conn);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        note_error(t->conn, r, err);
        ok = false;
    }
    PQclear(r);
    while ((r = PQgetResult(t->conn)) != NULL)
        PQclear(r);
    return ok;
}

/* Ships rows [lo, hi) in one transaction; with ensure, creates their days' partitions first. */
static failure_t ship_rows(ship_t *t, size_t lo, size_t hi, lock_mode_t mode, bool ensure, pg_error_t *err)
{
    failure_t f = FAIL_RETRY;
    if (run(t->conn, "BEGIN", err)) {
        f = lock_buckets(t, lo, hi, mode, err);
        if (f == FAIL_NONE && !(copy_rows(t, lo, hi, err) && (!ensure || run(t->conn, ENSURE_BATCH_PARTITIONS, err)) &&
                                run(t->conn, INSERT_HITS, err) && run(t->conn, FIX_LATER_UNIQUE, err) &&
                                run(t->conn, APPLY_ROLLUPS, err) && run(t->conn, "COMMIT", err)))
            f = classify(t->conn, err);
    }
    if (f != FAIL_NONE && PQstatus(t->conn) == CONNECTION_OK) {
        pg_error_t ignored;
        run(t->conn, "ROLLBACK", &ignored);
    }
    return f;
}

/* ship_rows(), and when a row's day had no partition (hits_default refused it), once more with
 * the batch's days created. A second refusal by hits_default means a partition vanished under
 * the transaction (dropped by retention meanwhile): retried later, never quarantined. */
static failure_t ship_placed(ship_t *t, size_t lo, size_t hi, lock_mode_t mode, pg_error_t *err)
{
    failure_t f = ship_rows(t, lo, hi, mode, false, err);
    if (f != FAIL_DATA || strcmp(err->constraint, DEFAULT_PARTITION_CHECK) != 0)
        return f;
    f = ship_rows(t, lo, hi, LOCKS_WAIT, true, err);
    return f == FAIL_DATA && strcmp(err->constraint, DEFAULT_PARTITION_CHECK) == 0 ? FAIL_RETRY : f;
}

/* Sets one refused row aside with its error. Bytes that are not UTF-8 become COPY's \xHH
 * escapes, so the stored row still means the same bytes. */
static failure_t quarantine_row(ship_t *t, size_t i, const pg_error_t *why)
{
    const hitbatch_row_t *row = &t->batch->rows[i];
    const char *p = buf_ptr(&t->batch->text) + row->off;
    size_t len = row->len - 1; /* without its '\n' */
    buf_t text;
    buf_init(&text, 4 * HITLOG_LINE_MAX);
    if (text_utf8_valid(p, len))
        buf_append(&text, p, len);
    else
        for (size_t k = 0; k < len; k++)
            if ((unsigned char)p[k] < 0x80)
                buf_append_char(&text, p[k]);
            else
                buf_printf(&text, "\\x%02x", (unsigned char)p[k]);
    const char *params[] = {buf_ptr(&text), why->state, why->message, why->constraint, t->segments[row->segment]};
    PGresult *r = PQexecParams(t->conn, INSERT_QUARANTINE, 5, NULL, params, NULL, NULL, 0);
    failure_t f = FAIL_NONE;
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        pg_error_t err;
        note_error(t->conn, r, &err);
        f = FAIL_RETRY; /* the row stays in its segment */
    }
    PQclear(r);
    buf_free(&text);
    return f;
}

/* Ships rows [lo, hi); when PostgreSQL refuses them for their data, halves the range until the
 * refused rows are alone, and quarantines those. FAIL_BUSY (only with LOCKS_TRY): another shipper
 * holds a bucket, nothing was done. FAIL_RETRY: stop, ship the batch again later (what was
 * committed meanwhile is not stored twice: ON CONFLICT and hit_quarantine_row_key). */
static failure_t ship_range(ship_t *t, size_t lo, size_t hi, lock_mode_t mode)
{
    pg_error_t err;
    failure_t f = ship_placed(t, lo, hi, mode, &err);
    if (f != FAIL_DATA)
        return f;
    if (hi - lo == 1) {
        f = quarantine_row(t, lo, &err);
        if (f == FAIL_NONE)
            t->quarantined++;
        return f;
    }
    size_t mid = lo + (hi - lo) / 2;
    f = ship_range(t, lo, mid, LOCKS_WAIT);
    return f == FAIL_NONE ? ship_range(t, mid, hi, LOCKS_WAIT) : f;
}

bool ship_batch_run(PGconn *conn, const hitbatch_t *b, const char *const *segments, size_t *quarantined)
{
    ship_t t = {.conn = conn, .batch = b, .segments = segments};
    size_t lo[HITBATCH_BUCKETS], hi[HITBATCH_BUCKETS], groups = 0;
    for (size_t i = 0; i < b->n; i = hi[groups++]) {
        lo[groups] = i;
        hi[groups] = hitbatch_group_end(b, i, TX_MIN_ROWS);
    }
    bool done[HITBATCH_BUCKETS] = {false};
    size_t left = groups;
    failure_t f = FAIL_NONE;
    while (left > 0 && f != FAIL_RETRY) {
        /* Free buckets first; when every group left is busy, wait for the first one. */
        size_t progressed = 0, first = groups;
        for (size_t g = 0; g < groups && f != FAIL_RETRY; g++) {
            if (done[g])
                continue;
            f = ship_range(&t, lo[g], hi[g], LOCKS_TRY);
            if (f == FAIL_NONE) {
                done[g] = true;
                progressed++;
                left--;
            } else if (first == groups) {
                first = g;
            }
        }
        if (progressed == 0 && f == FAIL_BUSY && (f = ship_range(&t, lo[first], hi[first], LOCKS_WAIT)) == FAIL_NONE) {
            done[first] = true;
            left--;
        }
    }
    *quarantined = t.quarantined;
    return left == 0;
}
