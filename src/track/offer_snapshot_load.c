/*
 * offer_snapshot_load.c — offer snapshots from PostgreSQL (see offer_snapshot_load.h).
 */
#include "track/offer_snapshot_load.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "db/rowjson.h"
#include "util/log.h"

/* Each query is ordered by its key so lookups can binary-search. */
static const char Q_OFFERS[] =
    "SELECT id, status, visibility, destination_url, fallback_url, lower(name) FROM offers ORDER BY id";
static const char Q_URLS[] = "SELECT id, offer_id, status, destination_url FROM offer_urls ORDER BY id";
static const char Q_GRANTS[] = "SELECT offer_id, partner_id FROM offer_partner_access ORDER BY offer_id, partner_id";
static const char Q_PARTNERS[] = "SELECT id, status = 'active' FROM partners ORDER BY id";
/* The API's views, in the same order as the routing data. */
static const char Q_OFFER_VIEWS[] = "SELECT " OFFER_VIEW_COLUMNS " FROM offers o ORDER BY o.id";
static const char Q_URL_VIEWS[] = "SELECT " OFFER_URL_VIEW_COLUMNS " FROM offer_urls u ORDER BY u.id";
/* Whether `q` may be lowered in C as the database lowers it (ASCII only; not so in a Turkish locale). */
static const char Q_ASCII_LOWER[] = "SELECT lower('ABCDEFGHIJKLMNOPQRSTUVWXYZ') = 'abcdefghijklmnopqrstuvwxyz'";

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

/* Row i of r as the API renders it: compact JSON, fields in column order (as http/response.c). */
static char *row_text(const PGresult *r, int i, size_t *len)
{
    json_t *row = db_row_json(r, i);
    char *text = json_dumps(row, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(row);
    if (!text)
        abort();
    if (len)
        *len = strlen(text);
    return text;
}

/* The views of s from their results (same rows, same order as the routing data). */
static void add_views(offer_snapshot_t *s, const PGresult *ro, const PGresult *rv, const PGresult *ruv,
                      const PGresult *rl)
{
    s->offer_views = array(s->n_offers, sizeof *s->offer_views);
    for (int i = 0; i < (int)s->n_offers; i++) {
        offer_view_t *v = &s->offer_views[i];
        v->json = row_text(rv, i, &v->json_len);
        v->name_lower = strdup(PQgetvalue(ro, i, 5));
        if (!v->name_lower)
            abort();
    }
    s->url_json = array(s->n_urls, sizeof *s->url_json);
    for (int i = 0; i < (int)s->n_urls; i++)
        s->url_json[i] = row_text(ruv, i, NULL);
    s->ascii_lower = PQgetvalue(rl, 0, 0)[0] == 't';
    offer_snapshot_index_urls(s);
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
             *rp = query(conn, Q_PARTNERS), *rv = query(conn, Q_OFFER_VIEWS), *ruv = query(conn, Q_URL_VIEWS),
             *rl = query(conn, Q_ASCII_LOWER);
    PQclear(PQexec(conn, "COMMIT"));
    bool all = ro && ru && rg && rp && rv && ruv && rl && PQntuples(rv) == PQntuples(ro) &&
               PQntuples(ruv) == PQntuples(ru) && PQntuples(rl) == 1;
    offer_snapshot_t *s = all ? from_results(ro, ru, rg, rp) : NULL;
    if (s)
        add_views(s, ro, rv, ruv, rl);
    PGresult *results[] = {ro, ru, rg, rp, rv, ruv, rl};
    for (size_t i = 0; i < sizeof results / sizeof results[0]; i++)
        PQclear(results[i]);
    return s;
}
