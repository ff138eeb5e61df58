/*
 * partitions.h — the daily partitions of `hits`, kept by trackgen itself: the days from yesterday
 * to PARTITIONS_AHEAD_DAYS ahead are created before any hit needs them (hits_ensure_partitions),
 * and partitions whose day ended more than TRACKGEN_HITS_RETENTION_DAYS ago are dropped
 * (hits_drop_partitions, sql/migrations/0008_reports.sql). Reports read the rollups, which keep
 * the numbers of dropped days. The shipper calls this when it starts and then hourly, so a batch
 * normally finds its day made; hits_default refuses every row (sql/migrations/0011), and a batch
 * with a day that has none creates it (track/ship_batch.c), so no hit lands in the default partition.
 */
#ifndef TRACKGEN_PARTITIONS_H
#define TRACKGEN_PARTITIONS_H

#include <libpq-fe.h>
#include <stdbool.h>

#define PARTITIONS_AHEAD_DAYS 7

/* Creates the coming days' partitions and drops those past retention_days on conn (outside a
 * transaction). True on success; on failure the reason is logged and the caller tries later. */
bool partitions_maintain(PGconn *conn, int retention_days);

#endif
