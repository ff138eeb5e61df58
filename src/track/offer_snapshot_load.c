/*
 * offer_snapshot_load.c — offer snapshots from PostgreSQL (see offer_snapshot_load.h).
 */
#include "track/offer_snapshot_load.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

/* Each query is ordered by its key so lookups can binary-search. */
static const char Q_OFFERS[] = "SELECT id, status, visibility, destination_url, fallback_url FROM offers ORDER BY id";
static const char Q_URLS[] = "SELECT id, offer_id, status, destination_url FROM offer_urls ORDER BY id";
static const char Q_GRANTS[] = "SELECT offer_id, partner_id FROM offer_partner_access ORDER BY offer_id, partner_id";
static const char Q_PARTNERS[] = "SELECT id, status = 'active' FROM partners ORDER BY id";

static char *dup_or_null(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : strdup(PQgetvalue(r, row, col));
}

static int64_t int_at(const PGresult *r, int row, int col)
{
    return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static PGresult *query(PGconn *conn, const char *sql)
{
    PGresult *r = PQexec(conn, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        log_msg(LOG_WARN, "offer cache: %s", PQerrorMessage(conn));
        PQclear(r);
        return NULL;
    }
    return r;
}

/* Room for n entries of size bytes (at least one, so lookups never see a NULL array). */
static void *array(size_t n, size_t size)
{
    void *p = calloc(n + 1, size);
    if (!p)
        abort();
    return p;
}

static offer_snapshot_t *from_results(const PGresult *ro, const PGresult *ru, const PGresult *rg, const PGresult *rp)
{
    offer_snapshot_t *s = array(0, sizeof *s);
    s->n_offers = (size_t)PQntuples(ro);
    s->offers = array(s->n_offers, sizeof *s->offers);
    for (int i = 0; i < (int)s->n_offers; i++)
        s->offers[i] = (offer_entry_t){int_at(ro, i, 0), offer_snapshot_status_code(PQgetvalue(ro, i, 1)),
                                       offer_snapshot_visibility_code(PQgetvalue(ro, i, 2)), dup_or_null(ro, i, 3),
                                       dup_or_null(ro, i, 4)};
    s->n_urls = (size_t)PQntuples(ru);
    s->urls = array(s->n_urls, sizeof *s->urls);
    for (int i = 0; i < (int)s->n_urls; i++)
        s->urls[i] = (url_entry_t){int_at(ru, i, 0), int_at(ru, i, 1), offer_snapshot_status_code(PQgetvalue(ru, i, 2)),
                                   dup_or_null(ru, i, 3)};
    s->n_grants = (size_t)PQntuples(rg);
    s->grants = array(s->n_grants, sizeof *s->grants);
    for (int i = 0; i < (int)s->n_grants; i++)
        s->grants[i] = (grant_entry_t){int_at(rg, i, 0), int_at(rg, i, 1)};
    s->n_partners = (size_t)PQntuples(rp);
    s->partners = array(s->n_partners, sizeof *s->partners);
    for (int i = 0; i < (int)s->n_partners; i++)
        s->partners[i] = (partner_entry_t){int_at(rp, i, 0), PQgetvalue(rp, i, 1)[0] == 't'};
    return s;
}

offer_snapshot_t *offer_snapshot_load(PGconn *conn)
{
    PGresult *begin = PQexec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    bool began = PQresultStatus(begin) == PGRES_COMMAND_OK;
    PQclear(begin);
    if (!began)
        return NULL;
    PGresult *ro = query(conn, Q_OFFERS), *ru = query(conn, Q_URLS), *rg = query(conn, Q_GRANTS),
             *rp = query(conn, Q_PARTNERS);
    PQclear(PQexec(conn, "COMMIT"));
    offer_snapshot_t *s = ro && ru && rg && rp ? from_results(ro, ru, rg, rp) : NULL;
    PQclear(ro);
    PQclear(ru);
    PQclear(rg);
    PQclear(rp);
    return s;
}
