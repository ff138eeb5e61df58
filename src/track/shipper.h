/*
 * shipper.h — moves closed spool segments into PostgreSQL (see README.md beside this file).
 *
 * A thread with its own connection: every ~100 ms it takes each segment it can lock, COPYs its
 * intact lines into a temporary table, inserts them into `hits` (ON CONFLICT DO NOTHING, with
 * is_unique computed), commits, and only then deletes the segment. While PostgreSQL is down it
 * retries once a second; the spool keeps growing and nothing is lost. The same for any failure
 * that is the database's state rather than the rows' (read-only after a failover, lock timeouts,
 * serialization, resources): the segment stays and is shipped again later. When PostgreSQL
 * refuses rows for their data (SQLSTATE class 22, 23, or 54000), the batch is halved until the
 * refused rows are alone; each goes into the table hit_quarantine with its error, every other row
 * is shipped, and the count is logged. It connects only to a read-write primary.
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
