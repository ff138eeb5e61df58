-- 0011_hits_default_empty: no hit ever lands in hits_default.
--
-- A row in the default partition makes creating its day's partition fail later ("updated partition
-- constraint for default partition would be violated"), so hits_default is no safety net but a
-- trap. trackgen makes the days ahead (src/track/partitions.c) and the shipper pays nothing per
-- batch for them; a hit whose day has no partition yet (late, or early by clock skew) is refused by
-- the CHECK below, and the shipper creates its day and ships the transaction again
-- (src/track/ship_batch.c). Rows an earlier version left in hits_default move to their own days.

CREATE TEMP TABLE hits_moved AS SELECT * FROM hits_default;
DELETE FROM hits_default;
SELECT hits_ensure_partitions(d, d) FROM (SELECT DISTINCT (hit_at AT TIME ZONE 'UTC')::date AS d FROM hits_moved) days;
INSERT INTO hits SELECT * FROM hits_moved;
DROP TABLE hits_moved;

ALTER TABLE hits_default ADD CONSTRAINT hits_default_stays_empty CHECK (false);
