/*
 * grants.h — partner grants below a resource (offer access, private creatives), written once:
 * list the partners granted, grant one (PUT, idempotent: 201 when new, 200 when it existed, 404
 * when the resource or the partner does not exist), revoke one (DELETE, 204 or 404). Admins only.
 */
#ifndef TRACKGEN_GRANTS_H
#define TRACKGEN_GRANTS_H

#include "db/db.h"
#include "http/request.h"

/* The four statements of a grant table `table` (grant_col, partner_id, created_at) below the
 * resources of `resource` (id), written once: declare them with GRANT_STATEMENTS. */
#define GRANT_COLUMNS_OF(col) "a." col ", a.partner_id, api_ts(a.created_at) AS created_at"
#define GRANT_STATEMENTS(table, col, resource)                                                                         \
    static db_stmt_t GRANT_LIST = DB_STMT("SELECT " GRANT_COLUMNS_OF(col) "\n"                                         \
                                                                          "  FROM " table " a\n"                       \
                                                                          " WHERE a." col " = $1\n"                    \
                                                                          "   AND a.partner_id > $2\n"                 \
                                                                          " ORDER BY a.partner_id\n"                   \
                                                                          " LIMIT $3",                                 \
                                          3, true);                                                                    \
    static db_stmt_t GRANT_INSERT = DB_STMT("WITH a AS (\n"                                                            \
                                            "  INSERT INTO " table " (" col ", partner_id)\n"                          \
                                            "  SELECT r.id, p.id\n"                                                    \
                                            "    FROM " resource " r, partners p\n"                                    \
                                            "   WHERE r.id = $1\n"                                                     \
                                            "     AND p.id = $2\n"                                                     \
                                            "  ON CONFLICT DO NOTHING\n"                                               \
                                            "  RETURNING *)\n"                                                         \
                                            "SELECT " GRANT_COLUMNS_OF(col) "\n"                                       \
                                                                            "  FROM a",                                \
                                            2, false);                                                                 \
    static db_stmt_t GRANT_GET = DB_STMT("SELECT " GRANT_COLUMNS_OF(col) "\n"                                          \
                                                                         "  FROM " table " a\n"                        \
                                                                         " WHERE a." col " = $1\n"                     \
                                                                         "   AND a.partner_id = $2",                   \
                                         2, true);                                                                     \
    static db_stmt_t GRANT_DELETE = DB_STMT("DELETE FROM " table "\n"                                                  \
                                            " WHERE " col " = $1\n"                                                    \
                                            "   AND partner_id = $2\n"                                                 \
                                            "RETURNING " col,                                                          \
                                            2, true)

/* One kind of grant. The statements take ($1 resource id, $2 partner id) — list: ($1, after, fetch)
 * — and return the grant's columns with a partner_id column. */
typedef struct {
    const char *resource_param; /* the route parameter naming the resource, e.g. "offer_id" */
    db_stmt_t *list;
    db_stmt_t *insert; /* returns the row only when it was inserted (ON CONFLICT DO NOTHING) */
    db_stmt_t *get;
    db_stmt_t *delete;
    /* 0 if the resource (id as SQL text) exists, else -1 with 404 (or 503) recorded. */
    int (*resource_exists)(request_t *r, const char *id);
} grant_shape_t;

int grants_list(request_t *r, const grant_shape_t *g);
int grants_put(request_t *r, const grant_shape_t *g);
int grants_delete(request_t *r, const grant_shape_t *g);

#endif
