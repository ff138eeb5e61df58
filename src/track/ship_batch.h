/*
 * ship_batch.h — one batch of hits (track/hitbatch.h) into PostgreSQL, on the shipper's own
 * connection (see README.md beside this file).
 *
 * Each transaction ships a run of whole partner buckets under those buckets' advisory locks: it
 * COPYs the rows into a temporary table, inserts them into `hits` (ON CONFLICT DO NOTHING, with
 * is_unique computed), takes is_unique away from later hits of the same people, adds what it
 * changed to the rollups, and commits. Buckets another shipper holds are left for later and
 * free ones taken first, so shippers of different partners never wait for each other. A row whose
 * day has no partition yet meets hits_default's CHECK (false): its day is created and the
 * transaction run again, so no hit ever lands in hits_default. Rows PostgreSQL refuses for their
 * data are isolated by halving and set aside in hit_quarantine.
 */
#ifndef TRACKGEN_SHIP_BATCH_H
#define TRACKGEN_SHIP_BATCH_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "track/hitbatch.h"

/* Creates the session's temporary tables on a new connection. False on failure. */
bool ship_batch_session(PGconn *conn);

/* Ships every row of b (sorted by hitbatch_sort()); segments[i] names segment i (recorded with
 * a quarantined row). True when every row is stored or quarantined (*quarantined counts the
 * latter): the segments may go. False when the database failed for its own state (connection,
 * read-only, timeouts, …): ship the segments again later — what was committed meanwhile is not
 * stored or counted twice. */
bool ship_batch_run(PGconn *conn, const hitbatch_t *b, const char *const *segments, size_t *quarantined);

#endif
