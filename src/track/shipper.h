/*
 * shipper.h — moves closed spool segments into PostgreSQL (see README.md beside this file).
 *
 * A thread with its own connection: every ~100 ms it takes the segments it can lock, in batches of
 * up to ~4 MiB, and ships each batch by partner bucket (track/ship_batch.h: COPY, insert with
 * is_unique computed, rollups, one transaction per run of buckets under their advisory locks, so the
 * shippers of several processes work side by side), and only once all of it is committed deletes
 * its segments. While PostgreSQL is down it retries once a second; the spool keeps growing and
 * nothing is lost. The same for any failure that is the database's state rather than the rows'
 * (read-only after a failover, lock timeouts, serialization, resources): the segments stay and are
 * shipped again later. Rows PostgreSQL refuses for their data (SQLSTATE class 22, 23, or 54000) go
 * into the table hit_quarantine, every other row is shipped, and the count is logged. It connects
 * only to a read-write primary.
 */
#ifndef TRACKGEN_SHIPPER_H
#define TRACKGEN_SHIPPER_H

typedef struct shipper shipper_t;

/* Starts the thread. NULL on failure. Owned by the server; stop with shipper_stop(). It also keeps
 * the hit partitions (track/partitions.h), dropping those older than retention_days. */
shipper_t *shipper_start(const char *spool_dir, const char *conninfo, int retention_days);
/* Makes a last pass, then stops. Accepts NULL. */
void shipper_stop(shipper_t *s);

#endif
