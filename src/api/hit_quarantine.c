/*
 * hit_quarantine.c — listing quarantined hits (see hit_quarantine.h). Read-only: rows leave the
 * table only by an operator's hand.
 */
#include "api/hit_quarantine.h"

#include "api/resource.h"
#include "db/db.h"

/* $1 id after which the page starts, $2 rows. */
static db_stmt_t LIST =
    DB_STMT("SELECT q.id, q.transaction_id, q.sqlstate, q.error, q.constraint_name AS \"constraint\",\n"
            "       q.row_text AS row, q.segment, api_ts(q.quarantined_at) AS quarantined_at\n"
            "  FROM hit_quarantine q\n"
            " WHERE q.id > $1\n"
            " ORDER BY q.id\n"
            " LIMIT $2",
            2, true);

int hit_quarantine_list(request_t *r)
{
    page_t pg;
    if (page_parse(r, &pg) < 0)
        return -1;
    const char *params[] = {pg.after, pg.fetch};
    PGresult *res = db_exec(r->db, r->arena, &LIST, params, &r->problem);
    return res ? page_respond(r, res, &pg, "id") : -1;
}
