/*
 * shipper.c — spool segments → PostgreSQL (see shipper.h).
 */
#include "track/shipper.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "track/hitlog.h"
#include "track/partitions.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/text.h"

#define PASS_INTERVAL_MS 100
#define RETRY_INTERVAL_MS 1000
#define PARTITION_CHECK_MS (3600 * 1000)
#define SEGMENT_READ_MAX (64 * 1024 * 1024)

struct shipper {
    char *dir;
    char *conninfo;
    PGconn *conn;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    bool stopping;
    long long partitions_checked_ms;
    unsigned long long quarantined; /* rows this process put into hit_quarantine, for the logs */
    int retention_days;             /* TRACKGEN_HITS_RETENTION_DAYS (track/partitions.h) */
};

#define ROLLUP_COLUMNS_OF(t)                                                                                           \
    t "partner_id, " t "hit_at, " t "offer_id, " t "offer_url_id, " t "kind, " t "outcome, " t "source_id, " t         \
      "sub1, " t "sub2, " t "sub3, " t "sub4, " t "sub5"
#define ROLLUP_COLUMNS ROLLUP_COLUMNS_OF("")
#define FIXED_COLUMNS ROLLUP_COLUMNS_OF("h.")

static const char CREATE_INCOMING[] =
    "CREATE TEMP TABLE hits_incoming (\n"
    "  transaction_id text, kind text, hit_at timestamptz, partner_id bigint, offer_id bigint,\n"
    "  offer_url_id bigint, source_id text, sub1 text, sub2 text, sub3 text, sub4 text, sub5 text,\n"
    "  ip inet, user_agent text, referer text, outcome text, is_bot boolean)\n"
    "ON COMMIT DELETE ROWS";

static const char COPY_INCOMING[] = "COPY hits_incoming (" HITLOG_COLUMNS ") FROM STDIN";

static const char ENSURE_BATCH_PARTITIONS[] =
    "SELECT hits_ensure_partitions(min(hit_at AT TIME ZONE 'UTC')::date, max(hit_at AT TIME ZONE 'UTC')::date)\n"
    "  FROM hits_incoming";

/* Shippers of all processes insert one at a time, so that is_unique sees every earlier hit. */
static const char SERIALIZE[] = "SELECT pg_advisory_xact_lock(7461726, 1)";

/* is_unique: the first hit of its kind from this IP + user agent on this partner + offer in 24 h,
 * counting both what is stored and what arrives in this batch. Bot hits are never unique and do
 * not use up a person's first click. */
static const char INSERT_HITS[] = "WITH ins AS (\n"
                                  "INSERT INTO hits (" HITLOG_COLUMNS ", is_unique)\n"
                                  "SELECT i.*,\n"
                                  "       NOT i.is_bot\n"
                                  "       AND row_number() OVER (PARTITION BY i.kind, i.partner_id, i.offer_id, i.ip, "
                                  "md5(coalesce(i.user_agent, '')),\n"
                                  "                                           i.is_bot\n"
                                  "                              ORDER BY i.hit_at, i.transaction_id) = 1\n"
                                  "       AND NOT EXISTS (\n"
                                  "         SELECT 1\n"
                                  "           FROM hits h\n"
                                  "          WHERE h.partner_id = i.partner_id\n"
                                  "            AND h.offer_id = i.offer_id\n"
                                  "            AND h.ip = i.ip\n"
                                  "            AND md5(coalesce(h.user_agent, '')) = md5(coalesce(i.user_agent, ''))\n"
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
 * one of the same person takes the later one's is_unique away. */
static const char FIX_LATER_UNIQUE[] = "WITH fixed AS (\n"
                                       "UPDATE hits h\n"
                                       "   SET is_unique = false\n"
                                       "  FROM hits_incoming i\n"
                                       " WHERE NOT i.is_bot\n"
                                       "   AND h.is_unique\n"
                                       "   AND h.partner_id = i.partner_id\n"
                                       "   AND h.offer_id = i.offer_id\n"
                                       "   AND h.ip = i.ip\n"
                                       "   AND md5(coalesce(h.user_agent, '')) = md5(coalesce(i.user_agent, ''))\n"
                                       "   AND h.kind = i.kind\n"
                                       "   AND h.hit_at > i.hit_at\n"
                                       "   AND h.hit_at < i.hit_at + interval '24 hours'\n"
                                       "RETURNING " FIXED_COLUMNS ")\n"
                                       "INSERT INTO hits_delta SELECT " ROLLUP_COLUMNS ", 0, -1, 0 FROM fixed";

/* Reports: what this transaction inserted (+1 each, as RETURNING says, so a row ON CONFLICT skipped
 * adds nothing) and un-uniqued (-1 unique each) goes into the session's hits_delta, which
 * hit_rollup_apply() adds to the rollups in the same transaction (sql/migrations/0008_reports.sql). */
static const char CREATE_DELTA[] = "CREATE TEMP TABLE hits_delta (LIKE hit_rollup_delta_shape) ON COMMIT DELETE ROWS";
static const char APPLY_ROLLUPS[] = "SELECT hit_rollup_apply()";

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void disconnect(shipper_t *s)
{
    if (s->conn)
        PQfinish(s->conn);
    s->conn = NULL;
}

/* What PostgreSQL said about a failed statement. */
typedef struct {
    char state[6];        /* SQLSTATE; "" when the connection failed */
    char message[1024];   /* primary message and detail */
    char constraint[128]; /* "" when none */
} pg_error_t;

static void note_error(shipper_t *s, PGresult *r, pg_error_t *err)
{
    const char *code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const char *primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    const char *detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL);
    const char *constraint = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);
    snprintf(err->state, sizeof err->state, "%s", code ? code : "");
    snprintf(err->message, sizeof err->message, "%s%s%s", primary ? primary : PQerrorMessage(s->conn),
             detail ? " " : "", detail ? detail : "");
    snprintf(err->constraint, sizeof err->constraint, "%s", constraint ? constraint : "");
    log_msg(LOG_WARN, "shipper: SQLSTATE %s: %s", err->state[0] ? err->state : "-", PQerrorMessage(s->conn));
}

/* Runs a statement without result rows; true on success, else the error in *err. */
static bool run(shipper_t *s, const char *sql, pg_error_t *err)
{
    PGresult *r = PQexec(s->conn, sql);
    ExecStatusType st = PQresultStatus(r);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        note_error(s, r, err);
    PQclear(r);
    return ok;
}

/* Only a read-write primary will do (after a failover the old primary may come back as a
 * standby): target_session_attrs, after the user's conninfo, overrides whatever it says. */
static bool connected(shipper_t *s)
{
    if (s->conn && PQstatus(s->conn) == CONNECTION_OK)
        return true;
    disconnect(s);
    const char *keys[] = {"dbname", "connect_timeout", "application_name", "target_session_attrs", NULL};
    const char *vals[] = {s->conninfo, "3", "trackgen-shipper", "read-write", NULL};
    s->conn = PQconnectdbParams(keys, vals, 1);
    pg_error_t err;
    /* The staging table lives as long as the session: created once per connection. */
    if (PQstatus(s->conn) != CONNECTION_OK || !run(s, "SET client_min_messages = warning", &err) ||
        !run(s, CREATE_INCOMING, &err) || !run(s, CREATE_DELTA, &err)) {
        if (PQstatus(s->conn) != CONNECTION_OK)
            log_msg(LOG_DEBUG, "shipper: cannot connect: %s", PQerrorMessage(s->conn));
        disconnect(s);
        return false;
    }
    return true;
}

static bool copy_rows(shipper_t *s, const char *rows, size_t len, pg_error_t *err)
{
    PGresult *r = PQexec(s->conn, COPY_INCOMING);
    bool ok = PQresultStatus(r) == PGRES_COPY_IN;
    if (!ok) {
        note_error(s, r, err);
        PQclear(r);
        return false;
    }
    PQclear(r);
    ok = PQputCopyData(s->conn, rows, (int)len) == 1 && PQputCopyEnd(s->conn, NULL) == 1;
    r = PQgetResult(s->conn);
    ok = ok && PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        note_error(s, r, err);
    PQclear(r);
    while ((r = PQgetResult(s->conn)) != NULL)
        PQclear(r);
    return ok;
}

/* The intact rows of a segment: row i is text[start[i], start[i + 1]), with its '\n', so any
 * run of consecutive rows is one block for COPY. */
typedef struct {
    buf_t text;
    size_t *start; /* n + 1 offsets (malloc) */
    size_t n, cap;
} rowset_t;

static void rowset_free(rowset_t *rs)
{
    buf_free(&rs->text);
    free(rs->start);
    rs->start = NULL;
    rs->n = rs->cap = 0;
}

/* Keeps the intact lines of a segment as COPY rows; a torn last line was never acknowledged.
 * Returns 0, or -1 when out of memory. */
static int collect_rows(const char *data, size_t len, rowset_t *rs, size_t *bad)
{
    const char *p = data, *end = data + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        const char *row;
        size_t row_len;
        if (hitlog_line_valid(p, (size_t)(nl - p), &row, &row_len)) {
            if (rs->n + 2 > rs->cap) {
                size_t cap = rs->cap ? 2 * rs->cap : 1024;
                size_t *grown = realloc(rs->start, cap * sizeof *grown);
                if (!grown)
                    return -1;
                rs->start = grown;
                rs->cap = cap;
            }
            rs->start[rs->n++] = rs->text.len;
            if (buf_append(&rs->text, row, row_len + 1) != BUF_OK) /* with its '\n' */
                return -1;
            rs->start[rs->n] = rs->text.len;
        } else {
            (*bad)++;
        }
        p = nl + 1;
    }
    return 0;
}

static int read_segment(int fd, size_t limit, buf_t *out)
{
    char chunk[65536];
    ssize_t k = 0;
    while (out->len < limit && (k = read(fd, chunk, sizeof chunk)) > 0)
        if (buf_append(out, chunk, (size_t)k) != BUF_OK)
            return -1;
    if (k < 0)
        return -1;
    if (out->len > limit)
        out->len = limit; /* the spool's "<segment>.valid-<bytes>": the rest was never acknowledged */
    return 0;
}

typedef enum { FAIL_NONE, FAIL_RETRY, FAIL_DATA } failure_t;

/* Data errors are about some row's content: class 22 (data exception: bad timestamp, inet, …),
 * 23 (integrity: a CHECK, NOT NULL or foreign key the row violates) and 54000 (a value too large
 * for an index). Every other failure is the database's state, not the rows': a lost connection
 * (08, 57P0x), a read-only session (25006, the old primary after a failover), serialization or
 * deadlock (40001, 40P01), a lock or statement timeout (55P03, 57014), resources (53), system
 * errors (58), a missing table or privilege (42): retried later, the segment stays. */
static failure_t classify(shipper_t *s, const pg_error_t *err)
{
    if (PQstatus(s->conn) != CONNECTION_OK || err->state[0] == '\0')
        return FAIL_RETRY;
    if (strncmp(err->state, "22", 2) == 0 || strncmp(err->state, "23", 2) == 0 || strcmp(err->state, "54000") == 0)
        return FAIL_DATA;
    return FAIL_RETRY;
}

/* Ships rows [lo, hi) in one transaction. */
static failure_t ship_rows(shipper_t *s, const rowset_t *rs, size_t lo, size_t hi, pg_error_t *err)
{
    const char *block = buf_ptr(&rs->text) + rs->start[lo];
    size_t len = rs->start[hi] - rs->start[lo];
    bool ok = run(s, "BEGIN", err) && run(s, SERIALIZE, err) && copy_rows(s, block, len, err) &&
              run(s, ENSURE_BATCH_PARTITIONS, err) && run(s, INSERT_HITS, err) && run(s, FIX_LATER_UNIQUE, err) &&
              run(s, APPLY_ROLLUPS, err) && run(s, "COMMIT", err);
    if (ok)
        return FAIL_NONE;
    failure_t f = classify(s, err);
    if (PQstatus(s->conn) == CONNECTION_OK) {
        pg_error_t ignored;
        run(s, "ROLLBACK", &ignored);
    }
    return f;
}

static const char INSERT_QUARANTINE[] =
    "INSERT INTO hit_quarantine (row_text, sqlstate, error, constraint_name, segment)\n"
    "VALUES ($1, $2, $3, nullif($4, ''), $5)\n"
    "ON CONFLICT (row_md5) DO NOTHING";

/* Sets one refused row aside with its error. Bytes that are not UTF-8 become COPY's \xHH
 * escapes, so the stored row still means the same bytes. */
static failure_t quarantine_row(shipper_t *s, const rowset_t *rs, size_t i, const pg_error_t *why, const char *segment)
{
    const char *row = buf_ptr(&rs->text) + rs->start[i];
    size_t len = rs->start[i + 1] - rs->start[i] - 1; /* without its '\n' */
    buf_t text;
    buf_init(&text, 4 * HITLOG_LINE_MAX);
    if (text_utf8_valid(row, len))
        buf_append(&text, row, len);
    else
        for (size_t k = 0; k < len; k++)
            if ((unsigned char)row[k] < 0x80)
                buf_append_char(&text, row[k]);
            else
                buf_printf(&text, "\\x%02x", (unsigned char)row[k]);
    const char *params[] = {buf_ptr(&text), why->state, why->message, why->constraint, segment};
    PGresult *r = PQexecParams(s->conn, INSERT_QUARANTINE, 5, NULL, params, NULL, NULL, 0);
    failure_t f = FAIL_NONE;
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        pg_error_t err;
        note_error(s, r, &err);
        f = FAIL_RETRY; /* the row stays in its segment */
    }
    PQclear(r);
    buf_free(&text);
    return f;
}

/* Ships rows [lo, hi); when PostgreSQL refuses them for their data, halves the range until the
 * refused rows are alone, and quarantines those. FAIL_RETRY: stop, ship the segment again later
 * (what was committed meanwhile is not stored twice: ON CONFLICT and hit_quarantine_row_key). */
static failure_t ship_range(shipper_t *s, const rowset_t *rs, size_t lo, size_t hi, const char *segment,
                            size_t *quarantined)
{
    pg_error_t err;
    failure_t f = ship_rows(s, rs, lo, hi, &err);
    if (f != FAIL_DATA)
        return f;
    if (hi - lo == 1) {
        f = quarantine_row(s, rs, lo, &err, segment);
        if (f == FAIL_NONE)
            (*quarantined)++;
        return f;
    }
    size_t mid = lo + (hi - lo) / 2;
    f = ship_range(s, rs, lo, mid, segment, quarantined);
    return f == FAIL_NONE ? ship_range(s, rs, mid, hi, segment, quarantined) : f;
}

typedef enum { SHIP_DONE, SHIP_SKIPPED, SHIP_DB_DOWN } ship_result_t;

/* A spool segment: "hits-<pid>-<n>.log"; "….log.valid-<bytes>" when only its first <bytes> were
 * acknowledged (see spool.c); "….log.rejected" from versions that set refused segments aside
 * whole, shipped now like the others. False when name is no segment; else how many of its
 * bytes may be shipped in *limit. */
static bool is_segment(const char *name, size_t *limit)
{
    const char *log = strstr(name, ".log");
    if (strncmp(name, "hits-", 5) != 0 || !log)
        return false;
    const char *tail = log + 4;
    *limit = SEGMENT_READ_MAX;
    if (*tail == '\0' || strcmp(tail, ".rejected") == 0)
        return true;
    if (strncmp(tail, ".valid-", 7) != 0 || tail[7] < '0' || tail[7] > '9')
        return false;
    char *end;
    unsigned long long valid = strtoull(tail + 7, &end, 10);
    *limit = (size_t)valid;
    return *end == '\0' && valid <= SEGMENT_READ_MAX;
}

static ship_result_t ship_segment(shipper_t *s, int dir_fd, const char *name, size_t limit)
{
    int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return SHIP_SKIPPED; /* shipped and removed by another process meanwhile */
    struct stat st;
    if (flock(fd, LOCK_EX | LOCK_NB) < 0 || fstat(fd, &st) < 0 || st.st_nlink == 0) {
        close(fd); /* still being written, or already shipped */
        return SHIP_SKIPPED;
    }
    buf_t data;
    buf_init(&data, SEGMENT_READ_MAX);
    rowset_t rs = {.n = 0};
    buf_init(&rs.text, SEGMENT_READ_MAX);
    size_t bad = 0, quarantined = 0;
    ship_result_t result = SHIP_DONE;
    if (read_segment(fd, limit, &data) < 0 || collect_rows(buf_ptr(&data), data.len, &rs, &bad) < 0) {
        log_msg(LOG_ERROR, "shipper: cannot read %s/%s", s->dir, name);
        result = SHIP_SKIPPED;
        goto out;
    }
    if (bad)
        log_msg(LOG_WARN, "shipper: %s: skipped %zu torn or corrupt line(s)", name, bad);
    if (rs.n > 0 && ship_range(s, &rs, 0, rs.n, name, &quarantined) != FAIL_NONE) {
        disconnect(s);         /* the next connection may reach the (new) read-write primary */
        result = SHIP_DB_DOWN; /* retried later; nothing is lost */
        goto out;
    }
    if (quarantined) {
        s->quarantined += quarantined;
        log_msg(LOG_ERROR,
                "shipper: PostgreSQL refused %zu of %zu hit(s) in %s; they are in hit_quarantine "
                "(%llu quarantined by this process)",
                quarantined, rs.n, name, s->quarantined);
    }
    unlinkat(dir_fd, name, 0);
    log_msg(LOG_DEBUG, "shipper: shipped %zu hit(s) from %s", rs.n - quarantined, name);
out:
    buf_free(&data);
    rowset_free(&rs);
    close(fd);
    return result;
}

/* One pass over the spool directory. */
static void ship_pass(shipper_t *s)
{
    if (!connected(s))
        return;
    if (now_ms() - s->partitions_checked_ms > PARTITION_CHECK_MS && partitions_maintain(s->conn, s->retention_days))
        s->partitions_checked_ms = now_ms();
    DIR *d = opendir(s->dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t limit;
        if (is_segment(e->d_name, &limit) && ship_segment(s, dirfd(d), e->d_name, limit) == SHIP_DB_DOWN)
            break;
    }
    closedir(d);
}

static void *shipper_main(void *arg)
{
    pthread_setname_np(pthread_self(), "tg-ship"); /* for top -H, perf and gdb */
    shipper_t *s = arg;
    pthread_mutex_lock(&s->mu);
    while (!s->stopping) {
        pthread_mutex_unlock(&s->mu);
        ship_pass(s);
        pthread_mutex_lock(&s->mu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        long wait_ms = s->conn ? PASS_INTERVAL_MS : RETRY_INTERVAL_MS;
        until.tv_nsec += wait_ms * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        if (!s->stopping)
            pthread_cond_timedwait(&s->wake, &s->mu, &until);
    }
    pthread_mutex_unlock(&s->mu);
    ship_pass(s); /* a last pass for what this process spooled before stopping */
    disconnect(s);
    return NULL;
}

shipper_t *shipper_start(const char *spool_dir, const char *conninfo, int retention_days)
{
    shipper_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->dir = strdup(spool_dir);
    s->conninfo = strdup(conninfo);
    s->partitions_checked_ms = -PARTITION_CHECK_MS - 1;
    s->retention_days = retention_days;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->wake, NULL);
    if (!s->dir || !s->conninfo || pthread_create(&s->thread, NULL, shipper_main, s) != 0) {
        free(s->dir);
        free(s->conninfo);
        free(s);
        return NULL;
    }
    return s;
}

void shipper_stop(shipper_t *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->wake);
    free(s->dir);
    free(s->conninfo);
    free(s);
}
