/*
 * offer_snapshot_load.h — reads a consistent offer snapshot from PostgreSQL (one REPEATABLE READ,
 * READ ONLY transaction, every table ordered by its key). Used by the offer cache's loader thread
 * on its own connection.
 */
#ifndef TRACKGEN_OFFER_SNAPSHOT_LOAD_H
#define TRACKGEN_OFFER_SNAPSHOT_LOAD_H

#include <libpq-fe.h>

#include "track/offer_snapshot.h"

/* A new snapshot (the caller frees it with offer_snapshot_free), or NULL on any failure (logged). */
offer_snapshot_t *offer_snapshot_load(PGconn *conn);

#endif
