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
#include "util/buf.h"
#include "util/log.h"

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
};

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
static const char INSERT_HITS[] =
    "INSERT INTO hits (" HITLOG_COLUMNS ", is_unique)\n"
    "SELECT i.*,\n"
    "       NOT i.is_bot\n"
    "       AND row_number() OVER (PARTITION BY i.kind, i.partner_id, i.offer_id, i.ip, md5(coalesce(i.user_agent, '')),\n"
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
    "ON CONFLICT DO NOTHING";

/* Segments are not shipped in time order (two workers, outages): a hit that arrives after a later
 * one of the same person takes the later one's is_unique away. */
static const char FIX_LATER_UNIQUE[] =
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
    "   AND h.hit_at < i.hit_at + interval '24 hours'";

static const char ENSURE_PARTITIONS_AHEAD[] = "SELECT hits_ensure_partitions(current_date - 1, current_date + 7)";

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


static void note_error(shipper_t *s, PGresult *r, char state[6])
{
    const char *code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    snprintf(state, 6, "%s", code ? code : "");
    log_msg(LOG_WARN, "shipper: %s", PQerrorMessage(s->conn));
}

/* Runs a statement without result rows; returns its SQLSTATE class on error ("" if none known)
 * through *state, and true on success. */
static bool run(shipper_t *s, const char *sql, char state[6])
{
    PGresult *r = PQexec(s->conn, sql);
    ExecStatusType st = PQresultStatus(r);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        note_error(s, r, state);
    PQclear(r);
    return ok;
}

static bool connected(shipper_t *s)
{
    if (s->conn && PQstatus(s->conn) == CONNECTION_OK)
        return true;
    disconnect(s);
    const char *keys[] = {"dbname", "connect_timeout", "application_name", NULL};
    const char *vals[] = {s->conninfo, "3", "trackgen-shipper", NULL};
    s->conn = PQconnectdbParams(keys, vals, 1);
    char state[6];
    /* The staging table lives as long as the session: created once per connection. */
    if (PQstatus(s->conn) != CONNECTION_OK || !run(s, "SET client_min_messages = warning", state)
        || !run(s, CREATE_INCOMING, state)) {
        disconnect(s);
        return false;
    }
    return true;
}

static bool copy_rows(shipper_t *s, const buf_t *rows, char state[6])
{
    PGresult *r = PQexec(s->conn, COPY_INCOMING);
    bool ok = PQresultStatus(r) == PGRES_COPY_IN;
    if (!ok) {
        note_error(s, r, state);
        PQclear(r);
        return false;
    }
    PQclear(r);
    ok = PQputCopyData(s->conn, buf_ptr(rows), (int)rows->len) == 1 && PQputCopyEnd(s->conn, NULL) == 1;
    r = PQgetResult(s->conn);
    ok = ok && PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        note_error(s, r, state);
    PQclear(r);
    while ((r = PQgetResult(s->conn)) != NULL)
        PQclear(r);
    return ok;
}

/* Keeps the intact lines of a segment as COPY rows; a torn last line was never acknowledged. */
static size_t collect_rows(const char *data, size_t len, buf_t *rows, size_t *bad)
{
    size_t n = 0;
    const char *p = data, *end = data + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        const char *row;
        size_t row_len;
        if (hitlog_line_valid(p, (size_t)(nl - p), &row, &row_len)) {
            buf_append(rows, row, row_len + 1); /* with its '\n' */
            n++;
        } else {
            (*bad)++;
        }
        p = nl + 1;
    }
    return n;
}

static int read_segment(int fd, buf_t *out)
{
    char chunk[65536];
    ssize_t k;
    while ((k = read(fd, chunk, sizeof chunk)) > 0)
        if (buf_append(out, chunk, (size_t)k) != BUF_OK)
            return -1;
    return k < 0 ? -1 : 0;
}

typedef enum { SHIP_DONE, SHIP_SKIPPED, SHIP_DB_DOWN } ship_result_t;

static ship_result_t ship_segment(shipper_t *s, int dir_fd, const char *name)
{
    int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return SHIP_SKIPPED; /* shipped and removed by another process meanwhile */
    struct stat st;
    if (flock(fd, LOCK_EX | LOCK_NB) < 0 || fstat(fd, &st) < 0 || st.st_nlink == 0) {
        close(fd); /* still being written, or already shipped */
        return SHIP_SKIPPED;
    }
    buf_t data, rows;
    buf_init(&data, SEGMENT_READ_MAX);
    buf_init(&rows, SEGMENT_READ_MAX);
    size_t bad = 0, n = 0;
    ship_result_t result = SHIP_DONE;
    if (read_segment(fd, &data) < 0) {
        log_msg(LOG_ERROR, "shipper: cannot read %s/%s", s->dir, name);
        result = SHIP_SKIPPED;
        goto out;
    }
    n = collect_rows(buf_ptr(&data), data.len, &rows, &bad);
    if (bad)
        log_msg(LOG_WARN, "shipper: %s: skipped %zu torn or corrupt line(s)", name, bad);
    if (n > 0) {
        char state[6] = "";
        bool ok = run(s, "BEGIN", state) && run(s, SERIALIZE, state) && copy_rows(s, &rows, state)
                  && run(s, ENSURE_BATCH_PARTITIONS, state) && run(s, INSERT_HITS, state) && run(s, FIX_LATER_UNIQUE, state) && run(s, "COMMIT", state);
        if (!ok) {
            if (PQstatus(s->conn) == CONNECTION_OK)
                run(s, "ROLLBACK", state);
            if (PQstatus(s->conn) != CONNECTION_OK || state[0] == '\0' || strncmp(state, "08", 2) == 0
                || strncmp(state, "57", 2) == 0 || strncmp(state, "53", 2) == 0 || strncmp(state, "40", 2) == 0) {
                disconnect(s);
                result = SHIP_DB_DOWN; /* retried later; nothing is lost */
                goto out;
            }
            char rejected[300];
            snprintf(rejected, sizeof rejected, "%s.rejected", name);
            renameat(dir_fd, name, dir_fd, rejected);
            log_msg(LOG_ERROR, "shipper: PostgreSQL rejected %s (SQLSTATE %s); kept as %s", name, state, rejected);
            goto out;
        }
    }
    unlinkat(dir_fd, name, 0);
    log_msg(LOG_DEBUG, "shipper: shipped %zu hit(s) from %s", n, name);
out:
    buf_free(&data);
    buf_free(&rows);
    close(fd);
    return result;
}

static bool is_segment(const char *name)
{
    size_t n = strlen(name);
    return strncmp(name, "hits-", 5) == 0 && n > 9 && strcmp(name + n - 4, ".log") == 0;
}

/* One pass over the spool directory. */
static void ship_pass(shipper_t *s)
{
    if (!connected(s))
        return;
    char state[6];
    if (now_ms() - s->partitions_checked_ms > PARTITION_CHECK_MS && run(s, ENSURE_PARTITIONS_AHEAD, state))
        s->partitions_checked_ms = now_ms();
    DIR *d = opendir(s->dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (is_segment(e->d_name) && ship_segment(s, dirfd(d), e->d_name) == SHIP_DB_DOWN)
            break;
    }
    closedir(d);
}

static void *shipper_main(void *arg)
{
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

shipper_t *shipper_start(const char *spool_dir, const char *conninfo)
{
    shipper_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->dir = strdup(spool_dir);
    s->conninfo = strdup(conninfo);
    s->partitions_checked_ms = -PARTITION_CHECK_MS - 1;
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
