-- 0013_sub_rollup_at_retention: hit_rollup_sub is built when retention drops a day, no longer by
-- every shipper transaction (issue 16: it cost the shipper ≈ 200 µs per hit, about a row per hit).
-- Reports read hit_rollup_sub only for ranges that start before hit_retention.raw_from
-- (report_sub_source); from now on it holds exactly the hits of the partitions retention dropped:
--   * hits_drop_partitions adds a partition's rows to it in the same transaction as the DROP;
--   * a late hit for a day already dropped lands in that day's partition again (the shipper makes
--     it, hits_ensure_partitions) and is read from there until retention drops it once more;
--   * so a sub-width report before raw_from reads hit_rollup_sub UNION ALL the hits that exist
--     in its range: every hit exactly once, whether dropped or not.
-- The wide rollups (hit_rollup_{partner,offer}_*) are unchanged: still kept per transaction.

-- Adds (sign 1) or subtracts (sign -1) the hits of src (a FROM item over hits' columns, given
-- by the functions below, never by a caller's text) to hit_rollup_sub, per its key.
CREATE FUNCTION hit_rollup_sub_add(src text, sign integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format(
        'INSERT INTO hit_rollup_sub AS t (partner_id, bucket, offer_id, offer_url_id, kind, outcome,'
        '                                 source_id, sub1, sub2, sub3, sub4, sub5, hits, uniques, bots)'
        ' SELECT partner_id, date_bin(''15 minutes'', hit_at, timestamptz ''2000-01-01 00:00+00''), offer_id, offer_url_id,'
        '        kind, outcome, source_id, sub1, sub2, sub3, sub4, sub5,'
        '        $1 * count(*), $1 * count(*) FILTER (WHERE is_unique), $1 * count(*) FILTER (WHERE is_bot)'
        '   FROM %s GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12'
        ' ON CONFLICT ON CONSTRAINT hit_rollup_sub_key DO UPDATE'
        '    SET hits = t.hits + excluded.hits, uniques = t.uniques + excluded.uniques, bots = t.bots + excluded.bots',
        src) USING sign;
END;
$$;

-- Adds the session's hits_delta to the wide rollups and empties it (as in 0010, without hit_rollup_sub).
CREATE OR REPLACE FUNCTION hit_rollup_apply() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    wide constant text[] := ARRAY['clicks', 'unique_clicks', 'impressions', 'bot_hits', 'fallback_paused', 'fallback_archived', 'fallback_no_access', 'fallback_partner_inactive', 'fallback_url_inactive', 'fallback_too_long'];
    target record;
BEGIN
    -- The wide tables: a column per metric, at four time steps (days at every phase).
    FOR target IN SELECT * FROM (VALUES ('hit_rollup_offer', ', offer_id, offer_url_id', '15 minutes', false),
                                   ('hit_rollup_offer_hour', ', offer_id, offer_url_id', '1 hour', false),
                                   ('hit_rollup_offer_6h', ', offer_id, offer_url_id', '6 hours', false),
                                   ('hit_rollup_offer_day', ', offer_id, offer_url_id', '24 hours', true),
                                   ('hit_rollup_partner', '', '15 minutes', false),
                                   ('hit_rollup_partner_hour', '', '1 hour', false),
                                   ('hit_rollup_partner_6h', '', '6 hours', false),
                                   ('hit_rollup_partner_day', '', '24 hours', true)) v(tbl, keys, step, phased) LOOP
        EXECUTE format(
            'INSERT INTO %1$I AS t (partner_id%7$s, bucket%2$s, %4$s)'
            ' SELECT partner_id%7$s, date_bin(%3$L, hit_at, timestamptz ''2000-01-01 00:00+00''%8$s)%2$s,'
            '        coalesce(sum(hits) FILTER (WHERE kind = ''click''), 0),'
            '        coalesce(sum(uniques) FILTER (WHERE kind = ''click''), 0),'
            '        coalesce(sum(hits) FILTER (WHERE kind = ''impression''), 0),'
            '        coalesce(sum(bots), 0), %5$s'
            '   FROM hits_delta%9$s GROUP BY partner_id%7$s, %10$s%2$s'
            ' ON CONFLICT (partner_id%7$s, bucket%2$s) DO UPDATE SET %6$s',
            target.tbl, target.keys, target.step, array_to_string(wide, ', '),
            (SELECT string_agg(format('coalesce(sum(hits) FILTER (WHERE kind = ''click'' AND outcome = %L), 0)', m), ', ')
               FROM unnest(wide[5:]) m),
            (SELECT string_agg(format('%1$I = t.%1$I + excluded.%1$I', m), ', ') FROM unnest(wide) m),
            CASE WHEN target.phased THEN ', phase' END,
            CASE WHEN target.phased THEN ' + phase * interval ''1 minute''' END,
            CASE WHEN target.phased THEN ' CROSS JOIN (SELECT 0 AS phase UNION ALL SELECT phase FROM report_day_phases) ph' END,
            CASE WHEN target.phased THEN '3' ELSE '2' END); -- the bucket's place in the select list
    END LOOP;

    DELETE FROM hits_delta;
END;
$$;

-- The daily partitions (hits_YYYYMMDD) whose day ended more than keep_days days before today (UTC).
CREATE FUNCTION hits_expired_partitions(keep_days integer) RETURNS SETOF text
LANGUAGE sql STABLE AS $$
    SELECT c.relname::text
      FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'hits'::regclass
       AND c.relname ~ '^hits_[0-9]{8}$'
       AND to_date(substr(c.relname, 6), 'YYYYMMDD') < (now() AT TIME ZONE 'UTC')::date - keep_days
     ORDER BY 1
$$;

-- Drops the expired partitions, each after adding its rows to hit_rollup_sub in the same
-- transaction. Returns how many it dropped. Writers to hits wait from the first partition to the
-- commit (SHARE ROW EXCLUSIVE, as the DROP's own lock would make them from there on): no hit goes
-- into a partition between its sums and its DROP, and two callers (every shipper calls this as it
-- starts, src/track/partitions.c) take turns instead of dropping the same partition.
CREATE OR REPLACE FUNCTION hits_drop_partitions(keep_days integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    part text;
    day date;
    dropped integer := 0;
BEGIN
    IF NOT EXISTS (SELECT FROM hits_expired_partitions(keep_days)) THEN
        RETURN 0;
    END IF;
    LOCK TABLE hits IN SHARE ROW EXCLUSIVE MODE;
    FOR part IN SELECT * FROM hits_expired_partitions(keep_days) LOOP
        day := to_date(substr(part, 6), 'YYYYMMDD');
        -- (through hits: its readers may read it, not necessarily each partition made by another role)
        PERFORM hit_rollup_sub_add(format('(SELECT * FROM hits WHERE hit_at >= %L AND hit_at < %L) h',
                                          day::timestamp AT TIME ZONE 'UTC', (day + 1)::timestamp AT TIME ZONE 'UTC'), 1);
        EXECUTE format('DROP TABLE %I', part);
        UPDATE hit_retention SET raw_from = greatest(raw_from, (day + 1)::timestamp AT TIME ZONE 'UTC');
        dropped := dropped + 1;
    END LOOP;
    RETURN dropped;
END;
$$;

-- The rows of a report at the sub width over [$3, $4) (as in 0010: alias r, local = the time in
-- zone $2): the raw hits, and before raw_from also the dropped days' sums in hit_rollup_sub.
CREATE OR REPLACE FUNCTION report_sub_source(t_from timestamptz) RETURNS text
LANGUAGE sql STABLE
RETURN (SELECT CASE WHEN t_from >= raw_from THEN '(' || raw || ') r'
                    ELSE '(SELECT r.partner_id, r.bucket, r.bucket AT TIME ZONE $2 AS local, r.offer_id, r.offer_url_id,'
                         ' r.kind, r.outcome, r.source_id, r.sub1, r.sub2, r.sub3, r.sub4, r.sub5, r.hits, r.uniques, r.bots'
                         ' FROM hit_rollup_sub r WHERE r.bucket >= $3 AND r.bucket < $4 UNION ALL ' || raw || ') r' END
          FROM hit_retention,
               (SELECT 'SELECT h.partner_id, h.hit_at AS bucket, h.hit_at AT TIME ZONE $2 AS local, h.offer_id, h.offer_url_id,'
                       ' h.kind, h.outcome, h.source_id, h.sub1, h.sub2, h.sub3, h.sub4, h.sub5, 1 AS hits,'
                       ' h.is_unique::int AS uniques, h.is_bot::int AS bots FROM hits h'
                       ' WHERE h.hit_at >= $3 AND h.hit_at < $4' AS raw) q);

-- hit_rollup_sub so far held every hit; keep only what retention dropped: the rows from raw_from
-- on are all still in hits, and before it the hits that came late into a re-made partition are
-- taken out again.
DO $$
BEGIN
    IF (SELECT raw_from FROM hit_retention) = '-infinity' THEN
        TRUNCATE hit_rollup_sub;
    ELSE
        DELETE FROM hit_rollup_sub WHERE bucket >= (SELECT raw_from FROM hit_retention);
        PERFORM hit_rollup_sub_add(format('(SELECT * FROM hits WHERE hit_at < %L) h', (SELECT raw_from FROM hit_retention)), -1);
        DELETE FROM hit_rollup_sub WHERE hits = 0;
    END IF;
END;
$$;
