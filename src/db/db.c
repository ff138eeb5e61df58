/*
 * db.c — per-thread connection with lazy prepare and reconnect (see db.h).
 */
#include "db/db.h"

#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/log.h"

#define RECONNECT_INTERVAL_MS 1000

struct db {
    char *conninfo;
    PGconn *conn;
    bool prepared[DB_MAX_STMTS + 1];
    bool in_tx;
    long long last_attempt_ms;
    uint64_t connects_seen; /* the host's connect count at that attempt */
};

static shared_counter_t *host_connects; /* set once before the threads start; read-only after */

void db_share_reconnects(shared_counter_t *connects)
{
    host_connects = connects;
}

static atomic_int next_stmt_id = 0;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

db_t *db_open(const char *conninfo)
{
    db_t *db = calloc(1, sizeof *db);
    if (!db)
        return NULL;
    db->conninfo = strdup(conninfo);
    if (!db->conninfo) {
        free(db);
        return NULL;
    }
    db->last_attempt_ms = -RECONNECT_INTERVAL_MS;
    return db;
}

static void disconnect(db_t *db)
{
    if (db->conn)
        PQfinish(db->conn);
    db->conn = NULL;
    db->in_tx = false;
    memset(db->prepared, 0, sizeof db->prepared);
}

void db_close(db_t *db)
{
    if (!db)
        return;
    disconnect(db);
    free(db->conninfo);
    free(db);
}

/* Whether the server ended this idle session (a restart: it sent its reason and closed the
 * socket). Requests that need no database in between (cached keys and offers) may leave a
 * connection idle through a whole outage; found here, the next statement — a write, which could
 * not be retried — goes to a new connection instead of failing. */
static bool server_hung_up(db_t *db)
{
    if (db->in_tx)
        return false;
    /* Its last words (an error message) may come in one read and the end of the stream in the
     * next: a closed socket stays readable, an idle live one is quiet once its input is read. */
    for (int i = 0; i < 4; i++) {
        struct pollfd p = {.fd = PQsocket(db->conn), .events = POLLIN};
        if (poll(&p, 1, 0) <= 0)
            return false;
        if (!PQconsumeInput(db->conn) || PQstatus(db->conn) != CONNECTION_OK)
            return true;
    }
    return false;
}

static bool ensure_connected(db_t *db)
{
    if (db->conn && PQstatus(db->conn) == CONNECTION_OK) {
        if (!server_hung_up(db))
            return true;
        db->last_attempt_ms = -RECONNECT_INTERVAL_MS; /* it was up a moment ago: try at once */
    }
    disconnect(db);
    long long now = now_ms();
    uint64_t connects = shared_counter_get(host_connects);
    if (now - db->last_attempt_ms < RECONNECT_INTERVAL_MS && connects == db->connects_seen)
        return false; /* tried a moment ago, and no thread of the host has connected since */
    db->last_attempt_ms = now;
    db->connects_seen = connects;
    /* connect_timeout keeps a request from hanging on a dead host; the keepalives detect half-open sockets */
    const char *keys[] = {"dbname", "connect_timeout", "application_name", "keepalives_idle", NULL};
    const char *vals[] = {db->conninfo, "3", "trackgen", "30", NULL};
    db->conn = PQconnectdbParams(keys, vals, 1 /* expand dbname: conninfo or URI */);
    if (PQstatus(db->conn) != CONNECTION_OK) {
        log_msg(LOG_WARN, "database connection failed: %s", PQerrorMessage(db->conn));
        disconnect(db);
        return false;
    }
    log_msg(LOG_INFO, "database connected");
    db->connects_seen = shared_counter_bump(host_connects);
    return true;
}

bool db_ping(db_t *db)
{
    return ensure_connected(db);
}

static int stmt_id(db_stmt_t *st)
{
    int id = atomic_load(&st->id);
    if (id)
        return id;
    int fresh = atomic_fetch_add(&next_stmt_id, 1) + 1;
    if (fresh > DB_MAX_STMTS) {
        log_msg(LOG_ERROR, "more than %d prepared statements: raise DB_MAX_STMTS", DB_MAX_STMTS);
        abort();
    }
    int expected = 0;
    if (atomic_compare_exchange_strong(&st->id, &expected, fresh))
        return fresh;
    return expected; /* another thread assigned it first */
}

static void result_clear(void *res)
{
    PQclear(res);
}

static PGresult *fail_unavailable(problem_t *p)
{
    problem_set(p, PROBLEM_SERVICE_UNAVAILABLE, NULL);
    return NULL;
}

/* Turns a failed result into a problem. */
static void map_error(PGresult *res, problem_t *p)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
    const db_constraint_t *c = constraint ? db_constraint_field(constraint) : NULL;
    if (state && strcmp(state, "23505") == 0) {
        problem_set(p, PROBLEM_CONFLICT, NULL);
        problem_field(p, "body", c ? c->field : constraint ? constraint : "?", "%s", c ? c->reason : "already exists");
        return;
    }
    if (state && strncmp(state, "23", 2) == 0 && c) {
        problem_field(p, "body", c->field, "%s", c->reason);
        return;
    }
    if (state && strcmp(state, "57014") == 0) { /* statement timeout */
        problem_set(p, PROBLEM_SERVICE_UNAVAILABLE, "The database is busy; retry shortly.");
        return;
    }
    log_msg(LOG_ERROR, "query failed (%s): %s", state ? state : "?", PQresultErrorMessage(res));
    problem_set(p, PROBLEM_INTERNAL, NULL);
}

static PGresult *exec_once(db_t *db, db_stmt_t *st, const char *const *params, bool *conn_lost)
{
    int id = stmt_id(st);
    char name[16];
    snprintf(name, sizeof name, "s%d", id);
    *conn_lost = false;
    if (!db->prepared[id]) {
        PGresult *pr = PQprepare(db->conn, name, st->sql, st->nparams, NULL);
        ExecStatusType ps = PQresultStatus(pr);
        if (ps != PGRES_COMMAND_OK) {
            if (PQstatus(db->conn) != CONNECTION_OK) {
                *conn_lost = true;
                PQclear(pr);
                return NULL;
            }
            return pr; /* an error result: the caller maps it */
        }
        PQclear(pr);
        db->prepared[id] = true;
    }
    PGresult *res = PQexecPrepared(db->conn, name, st->nparams, params, NULL, NULL, 0);
    if (PQstatus(db->conn) != CONNECTION_OK) {
        *conn_lost = true;
        PQclear(res);
        return NULL;
    }
    return res;
}

PGresult *db_exec(db_t *db, arena_t *a, db_stmt_t *st, const char *const *params, problem_t *p)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!ensure_connected(db))
            return fail_unavailable(p);
        bool in_tx = db->in_tx;
        bool lost;
        PGresult *res = exec_once(db, st, params, &lost);
        if (lost) {
            log_msg(LOG_WARN, "database connection lost; will reconnect");
            disconnect(db);
            db->last_attempt_ms = -RECONNECT_INTERVAL_MS; /* allow an immediate reconnect */
            if (st->retry_safe && !in_tx)
                continue;
            return fail_unavailable(p);
        }
        ExecStatusType s = PQresultStatus(res);
        if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK) {
            arena_cleanup_add(a, result_clear, res);
            return res;
        }
        map_error(res, p);
        PQclear(res);
        return NULL;
    }
    return fail_unavailable(p);
}

static int simple(db_t *db, const char *sql, problem_t *p)
{
    PGresult *res = PQexec(db->conn, sql);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok && PQstatus(db->conn) != CONNECTION_OK) {
        disconnect(db);
        PQclear(res);
        problem_set(p, PROBLEM_SERVICE_UNAVAILABLE, NULL);
        return -1;
    }
    if (!ok) {
        log_msg(LOG_ERROR, "%s failed: %s", sql, PQresultErrorMessage(res));
        problem_set(p, PROBLEM_INTERNAL, NULL);
    }
    PQclear(res);
    return ok ? 0 : -1;
}

int db_begin(db_t *db, problem_t *p)
{
    if (!ensure_connected(db)) {
        problem_set(p, PROBLEM_SERVICE_UNAVAILABLE, NULL);
        return -1;
    }
    if (simple(db, "BEGIN", p) < 0)
        return -1;
    db->in_tx = true;
    return 0;
}

int db_commit(db_t *db, problem_t *p)
{
    if (!db->conn)
        return problem_set(p, PROBLEM_SERVICE_UNAVAILABLE, NULL);
    int rc = simple(db, "COMMIT", p);
    db->in_tx = false;
    return rc;
}

void db_rollback(db_t *db)
{
    if (!db->conn || !db->in_tx)
        return;
    PGresult *res = PQexec(db->conn, "ROLLBACK");
    PQclear(res);
    db->in_tx = false;
    if (PQstatus(db->conn) != CONNECTION_OK)
        disconnect(db);
}

/* COPY FROM STDIN (see db.h). A failure leaves the connection out of COPY mode. */
static int copy_failed(db_t *db, problem_t *p)
{
    if (PQstatus(db->conn) != CONNECTION_OK) {
        disconnect(db);
        return problem_set(p, PROBLEM_SERVICE_UNAVAILABLE, NULL);
    }
    PGresult *res;
    int rc = problem_set(p, PROBLEM_INTERNAL, NULL);
    while ((res = PQgetResult(db->conn)) != NULL) {
        if (PQresultStatus(res) == PGRES_FATAL_ERROR)
            map_error(res, p);
        PQclear(res);
    }
    return rc;
}

int db_copy_begin(db_t *db, const char *sql, problem_t *p)
{
    if (!db->conn || !db->in_tx)
        return problem_set(p, PROBLEM_SERVICE_UNAVAILABLE, NULL);
    PGresult *res = PQexec(db->conn, sql);
    ExecStatusType s = PQresultStatus(res);
    if (s == PGRES_COPY_IN) {
        PQclear(res);
        return 0;
    }
    if (PQstatus(db->conn) == CONNECTION_OK)
        map_error(res, p);
    PQclear(res);
    return PQstatus(db->conn) == CONNECTION_OK ? -1 : copy_failed(db, p);
}

int db_copy_put(db_t *db, const char *data, size_t len, problem_t *p)
{
    if (len > INT32_MAX || PQputCopyData(db->conn, data, (int)len) != 1)
        return copy_failed(db, p);
    return 0;
}

int db_copy_end(db_t *db, const char *abort_reason, problem_t *p)
{
    if (PQputCopyEnd(db->conn, abort_reason) != 1)
        return copy_failed(db, p);
    int rc = 0;
    PGresult *res;
    while ((res = PQgetResult(db->conn)) != NULL) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && !abort_reason && rc == 0) {
            map_error(res, p);
            rc = -1;
        }
        PQclear(res);
    }
    if (PQstatus(db->conn) != CONNECTION_OK) {
        disconnect(db);
        return problem_set(p, PROBLEM_SERVICE_UNAVAILABLE, NULL);
    }
    return abort_reason ? 0 : rc;
}
