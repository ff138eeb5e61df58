/*
 * db.h — one PostgreSQL connection per worker thread, prepared statements, reconnects.
 *
 * Every query is a db_stmt_t: a named constant with its SQL next to the code that uses it,
 * prepared once per connection on first use and always executed with parameters. When the
 * server goes away the connection is re-established transparently on a later request; while it
 * cannot be, requests fail fast with 503 service-unavailable (a reconnect is tried at most once
 * per second per thread, and at once by every thread as soon as any thread of the host has
 * connected since its own last try: see db_share_reconnects). Results are registered on the
 * request arena (PQclear at reset).
 */
#ifndef TRACKGEN_DB_H
#define TRACKGEN_DB_H

#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "util/arena.h"
#include "util/problem.h"
#include "util/shared_counter.h"

#define DB_MAX_STMTS 128

typedef struct db db_t;

typedef struct {
    const char *sql;
    int nparams;
    bool retry_safe; /* may be re-sent once after a lost connection (reads, idempotent writes) */
    atomic_int id;   /* assigned on first use; 0 = not yet */
} db_stmt_t;

#define DB_STMT(sql_text, n, retry)                                                                                    \
    {                                                                                                                  \
        .sql = (sql_text), .nparams = (n), .retry_safe = (retry), .id = 0                                              \
    }

/* The host's count of successful connects (a counter its processes share, util/shared_counter.h):
 * each connect bumps it, and a thread whose last try failed tries again as soon as it has moved,
 * instead of waiting out its second — so once the database is back and one request of the host
 * has connected, no other thread answers 503 for the rest of its second. Set before the threads
 * start (NULL: each thread on its own, once a second); the caller keeps it open until they stop. */
void db_share_reconnects(shared_counter_t *connects);
/* Creates a handle that connects lazily. Owned by the calling thread; free with db_close(). */
db_t *db_open(const char *conninfo);
void db_close(db_t *db);

/* Executes st with params (text values, NULL = SQL NULL). Returns the result (PGRES_TUPLES_OK or
 * PGRES_COMMAND_OK), owned by the arena; or NULL with the problem set: 503 when the database is
 * unreachable, 409 on a unique violation, 400 on a foreign-key/check violation (field named via
 * db_constraint_field), 500 on anything else (logged). */
PGresult *db_exec(db_t *db, arena_t *a, db_stmt_t *st, const char *const *params, problem_t *p);

/* Transactions: statements between begin and commit are not retried. */
int db_begin(db_t *db, problem_t *p);
int db_commit(db_t *db, problem_t *p);
void db_rollback(db_t *db);

/* COPY … FROM STDIN inside a transaction (bulk imports): copy_begin runs sql (a constant COPY
 * statement: COPY takes no parameters), copy_put sends rows in its text format, copy_end finishes
 * it — or, with abort_reason, abandons it so that the transaction can be rolled back. Each returns
 * 0, or -1 with the problem set (503 when the connection is lost, the mapped error otherwise). */
int db_copy_begin(db_t *db, const char *sql, problem_t *p);
int db_copy_put(db_t *db, const char *data, size_t len, problem_t *p);
int db_copy_end(db_t *db, const char *abort_reason, problem_t *p);

/* True if the connection is usable right now (tries to connect if it is not). */
bool db_ping(db_t *db);

/* Maps a constraint name to the API field it guards and a reason; NULL if unknown.
 * Defined in db/constraints.c next to the schema knowledge. */
typedef struct {
    const char *constraint;
    const char *field;
    const char *reason;
} db_constraint_t;
const db_constraint_t *db_constraint_field(const char *constraint);

#endif
