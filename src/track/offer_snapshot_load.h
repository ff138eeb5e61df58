/*
 * offer_snapshot_load.h — reads a consistent offer snapshot from PostgreSQL (one REPEATABLE READ,
 * READ ONLY transaction, every table ordered by its key). Used by the offer cache's loader thread
 * on its own connection.
 */
#ifndef TRACKGEN_OFFER_SNAPSHOT_LOAD_H
#define TRACKGEN_OFFER_SNAPSHOT_LOAD_H

#include <libpq-fe.h>

#include "track/offer_snapshot.h"

/* An offer as the API shows it, in the order of its fields (from `offers o`): every answer that
 * shows offers selects these, and the snapshot renders them once per load. */
#define OFFER_VIEW_COLUMNS                                                                                             \
    "o.id, o.name, o.description, o.status, o.visibility, o.destination_url, o.fallback_url,\n"                        \
    "       o.currency, o.payout, o.preview_url, o.thumbnail_url, o.category,\n"                                       \
    "       api_ts(o.created_at) AS created_at, api_ts(o.updated_at) AS updated_at"

/* An offer's additional URL as the API shows it (from `offer_urls u`). */
#define OFFER_URL_VIEW_COLUMNS                                                                                         \
    "u.id, u.offer_id, u.name, u.destination_url, u.status,\n"                                                         \
    "       api_ts(u.created_at) AS created_at, api_ts(u.updated_at) AS updated_at"

/* A new snapshot (the caller frees it with offer_snapshot_free), or NULL on any failure (logged). */
offer_snapshot_t *offer_snapshot_load(PGconn *conn);

#endif
