-- 0010_report_tiers: a faster flex report (issue 14), same numbers. Reports by local day read every
-- UTC day's row once and move only what a local day lends to or borrows from its UTC neighbours
-- (0008_reports.sql, report_source). These changes make that cheap:
--   * daily rows also from India's midnight (report_day_phases): a report in UTC or India reads
--     one row per local day and offer, nothing else;
--   * elsewhere, a 6-hour step for the partner and offer widths (hit_rollup_{partner,offer}_6h, aligned at
--     00/06/12/18 UTC): the 5½ hours India borrows are one 6-hour row less two quarter hours,
--     not five hourly and two quarter-hour rows (report_cover picks the fewest rows, adding or
--     subtracting at each step);
--   * each borrowed piece is read once and counted twice (taken from the UTC day's local day,
--     given to its own), no longer read once per sign;
--   * the offer width's rows are read from their index alone: its unique keys carry the metrics
--     (INCLUDE), because a partner's rows lie one per heap page among every other partner's;
-- and sums are bigint sums by value (report_sum), not numeric ones.
-- Exactness is unchanged: the rollups still take exactly each shipper transaction's delta
-- (hit_rollup_apply, now at four steps and two day phases); the 6-hour step is backfilled from
-- the hourly rows, the days of the new phase from the 15-minute ones.

-- sum(bigint) accumulates in numeric (an allocated state per group); this one adds in place.
-- 0 over no rows; an overflow (> 9.2 × 10^18 hits) is an error, never a wrong number.
CREATE AGGREGATE report_sum(bigint) (SFUNC = int8pl, STYPE = bigint, INITCOND = '0', COMBINEFUNC = int8pl, PARALLEL = SAFE);

CREATE TABLE hit_rollup_partner_6h (LIKE hit_rollup_partner INCLUDING ALL);
CREATE TABLE hit_rollup_offer_6h (LIKE hit_rollup_offer INCLUDING ALL);
-- (LIKE copies hit_rollup_offer's bucket index too; only the 15-minute table needs one.)
DROP INDEX hit_rollup_offer_6h_bucket_idx;

-- Local days that start elsewhere than at midnight UTC, kept as whole rows too: the daily tables
-- hold a row per day starting at 00:00 UTC (phase 0) and one per day starting at each phase
-- listed here (minutes after 00:00 UTC), so a report in a zone whose midnight falls on a listed
-- phase reads one row per local day, as UTC does (report_source). Each phase costs the shipper
-- a second row per day and partner (and offer); 0010 lists India's (+05:30: days start at 18:30
-- UTC). Adding one takes a migration that inserts it and backfills its rows from the 15-minute
-- tables, as below.
CREATE TABLE report_day_phases (
    phase smallint PRIMARY KEY CHECK (phase > 0 AND phase < 1440 AND phase % 15 = 0)
);
INSERT INTO report_day_phases VALUES (1110);
ALTER TABLE hit_rollup_partner_day ADD COLUMN phase smallint NOT NULL DEFAULT 0;
ALTER TABLE hit_rollup_offer_day ADD COLUMN phase smallint NOT NULL DEFAULT 0;

-- The keys: the daily tables' with the phase; the offer width's again with the metrics in them
-- (index-only scans).
DO $$
DECLARE
    tbl text;
    con text;
BEGIN
    SELECT conname INTO STRICT con FROM pg_constraint WHERE conrelid = 'hit_rollup_partner_day'::regclass AND contype = 'p';
    EXECUTE format('ALTER TABLE hit_rollup_partner_day DROP CONSTRAINT %1$I, ADD CONSTRAINT %1$I PRIMARY KEY (partner_id, phase, bucket)', con);
    FOREACH tbl IN ARRAY ARRAY['hit_rollup_offer', 'hit_rollup_offer_hour', 'hit_rollup_offer_6h', 'hit_rollup_offer_day'] LOOP
        SELECT conname INTO STRICT con FROM pg_constraint WHERE conrelid = tbl::regclass AND contype = 'u';
        EXECUTE format('ALTER TABLE %1$I DROP CONSTRAINT %2$I, ADD CONSTRAINT %2$I UNIQUE NULLS NOT DISTINCT'
                       ' (partner_id, %3$s bucket, offer_id, offer_url_id) INCLUDE (clicks, unique_clicks, impressions,'
                       ' bot_hits, fallback_paused, fallback_archived, fallback_no_access, fallback_partner_inactive,'
                       ' fallback_url_inactive, fallback_too_long)', tbl, con, CASE WHEN tbl LIKE '%\_day' THEN 'phase,' ELSE '' END);
    END LOOP;
END;
$$;

-- Adds the session's hits_delta to the rollups and empties it (as in 0008, plus the 6-hour step
-- and the daily rows of every phase).
CREATE OR REPLACE FUNCTION hit_rollup_apply() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    wide constant text[] := ARRAY['clicks', 'unique_clicks', 'impressions', 'bot_hits', 'fallback_paused', 'fallback_archived', 'fallback_no_access', 'fallback_partner_inactive', 'fallback_url_inactive', 'fallback_too_long'];
    target record;
BEGIN
    INSERT INTO hit_rollup_sub AS t (partner_id, bucket, offer_id, offer_url_id, kind, outcome,
                                     source_id, sub1, sub2, sub3, sub4, sub5, hits, uniques, bots)
    SELECT partner_id, date_bin('15 minutes', hit_at, timestamptz '2000-01-01 00:00+00'), offer_id, offer_url_id,
           kind, outcome, source_id, sub1, sub2, sub3, sub4, sub5, sum(hits), sum(uniques), sum(bots)
      FROM hits_delta
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
    ON CONFLICT ON CONSTRAINT hit_rollup_sub_key DO UPDATE
       SET hits = t.hits + excluded.hits, uniques = t.uniques + excluded.uniques, bots = t.bots + excluded.bots;

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

-- Backfill: the 6-hour rows from the hourly ones (which hold every hit, those retention dropped too).
INSERT INTO hit_rollup_partner_6h
SELECT partner_id, date_bin('6 hours', bucket, timestamptz '2000-01-01 00:00+00'), sum(clicks), sum(unique_clicks),
       sum(impressions), sum(bot_hits), sum(fallback_paused), sum(fallback_archived), sum(fallback_no_access),
       sum(fallback_partner_inactive), sum(fallback_url_inactive), sum(fallback_too_long)
  FROM hit_rollup_partner_hour GROUP BY 1, 2;
INSERT INTO hit_rollup_offer_6h
SELECT partner_id, date_bin('6 hours', bucket, timestamptz '2000-01-01 00:00+00'), offer_id, offer_url_id, sum(clicks),
       sum(unique_clicks), sum(impressions), sum(bot_hits), sum(fallback_paused), sum(fallback_archived),
       sum(fallback_no_access), sum(fallback_partner_inactive), sum(fallback_url_inactive), sum(fallback_too_long)
  FROM hit_rollup_offer_hour GROUP BY 1, 2, 3, 4;
-- … and the daily rows of the listed phases from the 15-minute ones.
INSERT INTO hit_rollup_partner_day (partner_id, phase, bucket, clicks, unique_clicks, impressions, bot_hits, fallback_paused,
                                    fallback_archived, fallback_no_access, fallback_partner_inactive, fallback_url_inactive,
                                    fallback_too_long)
SELECT partner_id, ph.phase, date_bin('24 hours', bucket, timestamptz '2000-01-01 00:00+00' + ph.phase * interval '1 minute'),
       sum(clicks), sum(unique_clicks), sum(impressions), sum(bot_hits), sum(fallback_paused), sum(fallback_archived),
       sum(fallback_no_access), sum(fallback_partner_inactive), sum(fallback_url_inactive), sum(fallback_too_long)
  FROM hit_rollup_partner CROSS JOIN report_day_phases ph GROUP BY 1, 2, 3;
INSERT INTO hit_rollup_offer_day (partner_id, phase, bucket, offer_id, offer_url_id, clicks, unique_clicks, impressions, bot_hits,
                                  fallback_paused, fallback_archived, fallback_no_access, fallback_partner_inactive,
                                  fallback_url_inactive, fallback_too_long)
SELECT partner_id, ph.phase, date_bin('24 hours', bucket, timestamptz '2000-01-01 00:00+00' + ph.phase * interval '1 minute'),
       offer_id, offer_url_id, sum(clicks), sum(unique_clicks), sum(impressions), sum(bot_hits), sum(fallback_paused),
       sum(fallback_archived), sum(fallback_no_access), sum(fallback_partner_inactive), sum(fallback_url_inactive),
       sum(fallback_too_long)
  FROM hit_rollup_offer CROSS JOIN report_day_phases ph GROUP BY 1, 2, 3, 4, 5;

-- The fewest rollup rows that sum to [lo, hi) (quarter hours, within a UTC day or so): ranges of
-- 6-hour (tier 1), hourly (2) and 15-minute (3) rows, each added (sign 1) or subtracted (-1).
-- At each step an end is either filled from inside with finer rows, or taken as one coarser row
-- less the finer rows it has too much, whichever is fewer rows: [18:30, 24:00) (what a day in
-- India lends to the next) is the 6-hour row of 18:00 less the quarter hours 18:00 and 18:15.
CREATE FUNCTION report_cover_fine_cost(x timestamptz, y timestamptz) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE
-- The rows report_cover_fine takes: whole hours, and per end its quarter hours (three: one hour less one).
RETURN (SELECT CASE WHEN x >= y THEN 0
                    WHEN a > b THEN (extract(epoch FROM y - x) / 900)::int
                    ELSE (extract(epoch FROM b - a) / 3600)::int
                         + (SELECT sum(CASE n WHEN 3 THEN 2 ELSE n END)::int
                              FROM (VALUES ((extract(epoch FROM a - x) / 900)::int), ((extract(epoch FROM y - b) / 900)::int)) v(n))
               END
          FROM (SELECT date_bin('1 hour', x + interval '1 hour' - interval '1 microsecond', timestamptz '2000-01-01 00:00+00') AS a,
                       date_bin('1 hour', y, timestamptz '2000-01-01 00:00+00') AS b) e);

CREATE FUNCTION report_cover_fine(x timestamptz, y timestamptz, s int)
RETURNS TABLE (tier int, lo timestamptz, hi timestamptz, sign int)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    a timestamptz := date_bin('1 hour', x + interval '1 hour' - interval '1 microsecond', timestamptz '2000-01-01 00:00+00');
    b timestamptz := date_bin('1 hour', y, timestamptz '2000-01-01 00:00+00');
    h_lo timestamptz := a;
    h_hi timestamptz := b;
BEGIN
    IF x >= y THEN
        RETURN;
    END IF;
    IF a > b THEN -- within one hour, touching neither of its ends
        RETURN QUERY VALUES (3, x, y, s);
        RETURN;
    END IF;
    IF a - x = interval '45 minutes' THEN
        h_lo := a - interval '1 hour';
        RETURN QUERY VALUES (3, h_lo, x, -s);
    ELSIF a > x THEN
        RETURN QUERY VALUES (3, x, a, s);
    END IF;
    IF y - b = interval '45 minutes' THEN
        h_hi := b + interval '1 hour';
        RETURN QUERY VALUES (3, y, h_hi, -s);
    ELSIF y > b THEN
        RETURN QUERY VALUES (3, b, y, s);
    END IF;
    IF h_lo < h_hi THEN
        RETURN QUERY VALUES (2, h_lo, h_hi, s);
    END IF;
END;
$$;

CREATE FUNCTION report_cover(lo timestamptz, hi timestamptz)
RETURNS TABLE (tier int, c_lo timestamptz, c_hi timestamptz, sign int)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    six constant interval := interval '6 hours';
    a timestamptz := date_bin(six, lo + six - interval '1 microsecond', timestamptz '2000-01-01 00:00+00');
    b timestamptz := date_bin(six, hi, timestamptz '2000-01-01 00:00+00');
    l6 timestamptz := a;
    h6 timestamptz := b;
BEGIN
    IF lo >= hi THEN
        RETURN;
    END IF;
    IF a > b THEN -- within one 6-hour row, touching neither of its ends
        IF 1 + report_cover_fine_cost(b, lo) + report_cover_fine_cost(hi, a) < report_cover_fine_cost(lo, hi) THEN
            RETURN QUERY VALUES (1, b, a, 1);
            RETURN QUERY SELECT * FROM report_cover_fine(b, lo, -1);
            RETURN QUERY SELECT * FROM report_cover_fine(hi, a, -1);
        ELSE
            RETURN QUERY SELECT * FROM report_cover_fine(lo, hi, 1);
        END IF;
        RETURN;
    END IF;
    IF lo < a THEN
        IF 1 + report_cover_fine_cost(a - six, lo) < report_cover_fine_cost(lo, a) THEN
            l6 := a - six;
            RETURN QUERY SELECT * FROM report_cover_fine(l6, lo, -1);
        ELSE
            RETURN QUERY SELECT * FROM report_cover_fine(lo, a, 1);
        END IF;
    END IF;
    IF b < hi THEN
        IF 1 + report_cover_fine_cost(hi, b + six) < report_cover_fine_cost(b, hi) THEN
            h6 := b + six;
            RETURN QUERY SELECT * FROM report_cover_fine(hi, h6, -1);
        ELSE
            RETURN QUERY SELECT * FROM report_cover_fine(b, hi, 1);
        END IF;
    END IF;
    IF l6 < h6 THEN
        RETURN QUERY VALUES (1, l6, h6, 1);
    END IF;
END;
$$;

-- The rows a report cut by local days (no `hour`) reads at width 1 (partner) or 2 (offer), as in
-- 0008: every day the range touches (UTC days, or the days of the zone's phase if it is listed in
-- report_day_phases, which then are the zone's own days but for DST changes) stands, as its
-- daily row, for the local day that holds the day's midday (labelled with that instant). The
-- parts of the day that belong to another local day are read once (report_cover) and counted
-- twice: taken from the day's label, and, those inside the range, given to their own local day
-- (labelled with their start: each such part lies in one local day, since it is shorter than 12
-- hours and local days last 23 or more). A day that holds none of its midday's local day inside
-- the range gives its in-range part to its own local day. The sum per local day is exactly the 15-minute rows' sum. Rows come as
-- alias r with the rollup's columns, bucket the label and local the label's time in zone $2
-- (reckoned once per part, not per row). cond is the report's filters over alias r.
CREATE OR REPLACE FUNCTION report_source(width int, cond text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    base text := CASE width WHEN 1 THEN 'hit_rollup_partner' ELSE 'hit_rollup_offer' END;
    cols text := CASE width WHEN 1 THEN 'r.partner_id' ELSE 'r.partner_id, r.offer_id, r.offer_url_id' END;
    metrics constant text := 'r.clicks, r.unique_clicks, r.impressions, r.bot_hits, r.fallback_paused, r.fallback_archived, r.fallback_no_access, r.fallback_partner_inactive, r.fallback_url_inactive, r.fallback_too_long';
    signed constant text := 'e.sign * r.clicks, e.sign * r.unique_clicks, e.sign * r.impressions, e.sign * r.bot_hits, e.sign * r.fallback_paused, e.sign * r.fallback_archived, e.sign * r.fallback_no_access, e.sign * r.fallback_partner_inactive, e.sign * r.fallback_url_inactive, e.sign * r.fallback_too_long';
    moved text := '';
    tier record;
BEGIN
    FOR tier IN SELECT * FROM (VALUES (1, '_6h'), (2, '_hour'), (3, '')) v(n, suffix) LOOP
        moved := moved || format(
            ' UNION ALL'
            ' SELECT %1$s, e.label, e.local, %2$s'
            -- OFFSET 0 (twice): one index range scan per piece, whatever the planner guesses of
            -- their number, and each row read once, then counted under both its labels
            '   FROM (SELECT p.sign AS piece_sign, p.taken, p.given, p.d_label, p.d_local, p.lo_label, p.lo_local, r.*'
            '           FROM pieces p CROSS JOIN LATERAL (SELECT * FROM %3$I r WHERE r.bucket >= p.c_lo AND r.bucket < p.c_hi'
            '                                             AND %4$s OFFSET 0) r'
            '          WHERE p.tier = %5$s OFFSET 0) r'
            '   CROSS JOIN LATERAL (VALUES (-r.piece_sign, r.d_label, r.d_local, r.taken),'
            '                              (r.piece_sign, r.lo_label, r.lo_local, r.given)) e(sign, label, local, used)'
            '  WHERE e.used',
            cols, signed, base || tier.suffix, cond, tier.n);
    END LOOP;
    RETURN format(
        -- the days start at 00:00 UTC, or at the zone's midnight (as of from) if it is a listed phase
        '(WITH ph AS (SELECT coalesce((SELECT phase FROM report_day_phases WHERE phase = mod(mod(-(extract(epoch FROM'
        '                  ($3 AT TIME ZONE $2) - ($3 AT TIME ZONE ''UTC'')) / 60)::int, 1440) + 1440, 1440)), 0) AS phase),'
        ' o AS (SELECT phase, timestamptz ''2000-01-01 00:00+00'' + phase * interval ''1 minute'' AS origin FROM ph),'
        ' days AS ('
        '   SELECT d, o.phase, o.origin, greatest(d, m1, $3) AS k_lo, least(d + interval ''24 hours'', m2, $4) AS k_hi,'
        '          d + interval ''12 hours'' AS d_label, (d + interval ''12 hours'') AT TIME ZONE $2 AS d_local'
        '     FROM o, generate_series(date_bin(''24 hours'', $3, o.origin), $4 - interval ''1 microsecond'', interval ''24 hours'') d,'
        '          LATERAL (SELECT ((d + interval ''12 hours'') AT TIME ZONE $2)::date AS main) x,'
        '          LATERAL (SELECT main::timestamp AT TIME ZONE $2 AS m1, (main + 1)::timestamp AT TIME ZONE $2 AS m2) y),'
        ' parts AS ('
        '   SELECT d, origin, d_label, d_local, lo, hi, taken, given FROM days,'
        '          LATERAL (VALUES (d, greatest(d, $3), true, false), (greatest(d, $3), k_lo, true, true),'
        '                          (k_hi, least(d + interval ''24 hours'', $4), true, true),'
        '                          (greatest(k_hi, $4), d + interval ''24 hours'', true, false)) v(lo, hi, taken, given)'
        '    WHERE k_lo < k_hi AND lo < hi'
        '   UNION ALL'
        '   SELECT d, origin, d_label, d_local, greatest(d, $3), least(d + interval ''24 hours'', $4), false, true'
        '     FROM days WHERE k_lo >= k_hi),'
        -- the days repeat a few shapes: each shape covered once (whole days keep every step aligned)
        ' shapes AS (SELECT DISTINCT origin, lo - d AS lo_off, hi - d AS hi_off FROM parts),'
        ' covers AS MATERIALIZED (SELECT s.*, c.* FROM shapes s,'
        '          LATERAL report_cover(s.origin + s.lo_off, s.origin + s.hi_off) c),'
        ' pieces AS MATERIALIZED ('
        '   SELECT p.d_label, p.d_local, p.lo AS lo_label, p.lo AT TIME ZONE $2 AS lo_local, p.taken, p.given, c.tier, c.sign,'
        '          p.d + (c.c_lo - c.origin) AS c_lo, p.d + (c.c_hi - c.origin) AS c_hi'
        '     FROM parts p JOIN covers c ON c.lo_off = p.lo - p.d AND c.hi_off = p.hi - p.d)'
        ' SELECT %2$s, days.d_label AS bucket, days.d_local AS local, %4$s'
        '   FROM days JOIN %1$I r ON r.bucket = days.d AND r.phase = days.phase WHERE days.k_lo < days.k_hi AND %3$s'
        '%5$s) r',
        base || '_day', cols, cond, metrics, moved);
END;
$$;

-- The rows of a report at the sub width over [$3, $4), as in 0008, with local: the bucket's time in zone $2.
CREATE OR REPLACE FUNCTION report_sub_source(t_from timestamptz) RETURNS text
LANGUAGE sql STABLE
RETURN CASE WHEN t_from >= (SELECT raw_from FROM hit_retention)
            THEN '(SELECT h.partner_id, h.hit_at AS bucket, h.hit_at AT TIME ZONE $2 AS local, h.offer_id, h.offer_url_id,'
                 ' h.kind, h.outcome, h.source_id, h.sub1, h.sub2, h.sub3, h.sub4, h.sub5, 1 AS hits, h.is_unique::int AS uniques,'
                 ' h.is_bot::int AS bots FROM hits h WHERE h.hit_at >= $3 AND h.hit_at < $4) r'
            ELSE '(SELECT r.*, r.bucket AT TIME ZONE $2 AS local FROM hit_rollup_sub r WHERE r.bucket >= $3 AND r.bucket < $4) r' END;

-- As in 0008, but times are read from r.local (the bucket's time in zone $2, which every source
-- gives) and dates sort as dates ('d'), not as their text: one dimension of a report: its
-- grouping expression over rollup row r ($2 is the time zone), how it is shown, how it sorts
-- ('n' numeric, 'd' date or 't' text, never NULL) and the narrowest rollup
-- that has it (1 partner, 2 offer, 3 sub: kind and outcome are columns only there). Names are checked by the caller (src/report/report_params.c).
CREATE OR REPLACE FUNCTION report_dim(name text, OUT expr text, OUT shown text, OUT sort_expr text, OUT sort_type text, OUT width int)
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    CASE name
    WHEN 'hour' THEN
        expr := 'r.bucket - (r.local - date_trunc(''hour'', r.local))';
        shown := 'to_char(%1$s AT TIME ZONE $2, ''YYYY-MM-DD"T"HH24:MI:SS'') || report_offset(%1$s, $2)';
        sort_expr := 'extract(epoch FROM %1$s)'; sort_type := 'n'; width := 1;
    WHEN 'date' THEN
        expr := 'r.local::date';
        shown := 'to_char(%1$s, ''YYYY-MM-DD'')'; sort_expr := '%1$s'; sort_type := 'd'; width := 1;
    WHEN 'week' THEN
        expr := 'date_trunc(''week'', r.local)::date';
        shown := 'to_char(%1$s, ''YYYY-MM-DD'')'; sort_expr := '%1$s'; sort_type := 'd'; width := 1;
    WHEN 'month' THEN
        expr := 'to_char(r.local, ''YYYY-MM'')';
        shown := '%1$s'; sort_expr := '%1$s'; sort_type := 't'; width := 1;
    WHEN 'partner_id' THEN
        expr := 'r.' || name; width := 1;
    WHEN 'kind', 'outcome' THEN
        expr := 'r.' || name; width := 3;
    WHEN 'offer_id', 'offer_url_id' THEN
        expr := 'r.' || name; width := 2;
    WHEN 'source_id', 'sub1', 'sub2', 'sub3', 'sub4', 'sub5' THEN
        expr := 'r.' || name; width := 3;
    ELSE
        RAISE EXCEPTION 'unknown report dimension %', name;
    END CASE;
    IF shown IS NULL THEN
        shown := '%1$s';
        IF name IN ('partner_id', 'offer_id', 'offer_url_id') THEN
            sort_expr := 'coalesce(%1$s, 0)'; sort_type := 'n';
        ELSE
            -- NULL first, then the values in byte order.
            sort_expr := '(CASE WHEN %1$s IS NULL THEN '''' ELSE ''v'' || %1$s END) COLLATE "C"'; sort_type := 't';
        END IF;
    END IF;
END;
$$;

-- The report itself, as in 0008 but for report_sum (fallback_clicks from the other sums, not per
-- row), a date's sort key, and the CTR computed only for the rows shown (and where it is a sort key). spec (built by src/api/report.c from validated parameters):
--   scope     the caller's partner id (null: an admin, every partner)
--   group     dimension names, in order
--   filters   {dimension: [values]} for ids, kind, outcome; {dimension: "value"} for texts ("" = absent)
--   sort      [[key, desc boolean], …]: metrics or grouped dimensions
--   after     the previous page's last sort key (from the signed cursor), or null
--   limit     rows to return (a page's limit + 1)
--   totals    true: one row of the totals over everything the filters select (group ignored)
-- Rows: row (the JSON object of one group) and page_key (its sort key as a JSON array).
CREATE OR REPLACE FUNCTION report_hits(spec jsonb, tz text, t_from timestamptz, t_to timestamptz)
RETURNS TABLE (row_json json, page_key text)
-- JIT compiling the many aggregate expressions costs far more than it saves on rollup rows.
-- Its hash of groups fits in memory (30 000 date × offer groups take ≈ 10 MB).
LANGUAGE plpgsql STABLE SET jit = off SET work_mem = '64MB' AS $$
DECLARE
    metrics constant text[] := ARRAY['clicks', 'unique_clicks', 'impressions', 'bot_hits', 'fallback_clicks',
        'fallback_paused', 'fallback_archived', 'fallback_no_access', 'fallback_partner_inactive',
        'fallback_url_inactive', 'fallback_too_long', 'ctr'];
    agg text :=
        'report_sum(r.hits) FILTER (WHERE r.kind = ''click'') AS clicks, '
        'report_sum(r.uniques) FILTER (WHERE r.kind = ''click'') AS unique_clicks, '
        'report_sum(r.hits) FILTER (WHERE r.kind = ''impression'') AS impressions, '
        'report_sum(r.bots) AS bot_hits, '
        'report_sum(r.hits) FILTER (WHERE r.kind = ''click'' AND r.outcome LIKE ''fallback\_%'') AS fallback_clicks, '
        'report_sum(r.hits) FILTER (WHERE r.kind = ''click'' AND r.outcome = ''fallback_paused'') AS fallback_paused, '
        'report_sum(r.hits) FILTER (WHERE r.kind = ''click'' AND r.outcome = ''fallback_archived'') AS fallback_archived, '
        'report_sum(r.hits) FILTER (WHERE r.kind = ''click'' AND r.outcome = ''fallback_no_access'') AS fallback_no_access, '
        'report_sum(r.hits) FILTER (WHERE r.kind = ''click'' AND r.outcome = ''fallback_partner_inactive'') AS fallback_partner_inactive, '
        'report_sum(r.hits) FILTER (WHERE r.kind = ''click'' AND r.outcome = ''fallback_url_inactive'') AS fallback_url_inactive, '
        'report_sum(r.hits) FILTER (WHERE r.kind = ''click'' AND r.outcome = ''fallback_too_long'') AS fallback_too_long';
    agg_wide constant text := 'report_sum(r.clicks) AS clicks, report_sum(r.unique_clicks) AS unique_clicks, report_sum(r.impressions) AS impressions, report_sum(r.bot_hits) AS bot_hits, report_sum(r.fallback_paused) AS fallback_paused, report_sum(r.fallback_archived) AS fallback_archived, report_sum(r.fallback_no_access) AS fallback_no_access, report_sum(r.fallback_partner_inactive) AS fallback_partner_inactive, report_sum(r.fallback_url_inactive) AS fallback_url_inactive, report_sum(r.fallback_too_long) AS fallback_too_long, report_sum(r.fallback_paused) + report_sum(r.fallback_archived) + report_sum(r.fallback_no_access) + report_sum(r.fallback_partner_inactive) + report_sum(r.fallback_url_inactive) + report_sum(r.fallback_too_long) AS fallback_clicks';
    ctr constant text := 'CASE WHEN %1$s.impressions > 0 THEN round(%1$s.clicks::numeric / %1$s.impressions, 6) END';
    width int := 1;
    d record;
    name text;
    i int;
    where_sql text := 'true';
    tiered boolean;
    src text;
    group_cols text := '';
    group_nums text := '';
    shown text := '';
    keys text[] := '{}';
    key_types text[] := '{}';
    dirs boolean[] := '{}';
    cond text := '';
    part text;
    tbl text;
    sql text;
    joins text := '';
BEGIN
    IF spec->'scope' IS NOT NULL AND jsonb_typeof(spec->'scope') = 'number' THEN
        where_sql := where_sql || ' AND r.partner_id = ($1->>''scope'')::bigint';
    END IF;
    FOR name IN SELECT jsonb_object_keys(spec->'filters') LOOP
        SELECT * INTO d FROM report_dim(name);
        width := greatest(width, d.width);
        IF jsonb_typeof(spec->'filters'->name) = 'array' THEN
            where_sql := where_sql || format(' AND r.%1$I%2$s = ANY (ARRAY(SELECT jsonb_array_elements_text($1->''filters''->%3$L))%4$s)',
                name, CASE WHEN name IN ('kind', 'outcome') THEN '' ELSE '' END, name,
                CASE WHEN name IN ('kind', 'outcome') THEN '' ELSE '::bigint[]' END);
        ELSIF spec->'filters'->>name = '' THEN
            where_sql := where_sql || format(' AND r.%I IS NULL', name);
        ELSE
            where_sql := where_sql || format(' AND r.%1$I = ($1->''filters''->>%1$L)', name);
        END IF;
    END LOOP;

    IF (spec->>'totals')::boolean THEN
        IF width <= 2 THEN
            agg := agg_wide;
        END IF;
        src := CASE WHEN width <= 2 THEN report_source(width, where_sql)
               ELSE report_sub_source(t_from) || ' WHERE ' || where_sql END;
        sql := format('SELECT json_build_object(%s)::json, NULL::text FROM (SELECT %s FROM %s) g',
            (SELECT string_agg(format('%L, g.%I', m, m), ', ') FROM unnest(metrics[1:11]) m) || ', ''ctr'', ' || format(ctr, 'g'),
            agg, src);
        RETURN QUERY EXECUTE sql USING spec, tz, t_from, t_to;
        RETURN;
    END IF;

    i := 0;
    FOR name IN SELECT jsonb_array_elements_text(spec->'group') LOOP
        i := i + 1;
        SELECT * INTO d FROM report_dim(name);
        width := greatest(width, d.width);
        group_cols := group_cols || format('%s AS %I, ', d.expr, name);
        group_nums := group_nums || CASE WHEN i > 1 THEN ', ' ELSE '' END || i;
        shown := shown || format('%L, %s, ', name, format(d.shown, 'q.' || quote_ident(name)));
        IF name = 'offer_id' THEN
            shown := shown || '''offer_name'', o.name, ';
            joins := joins || ' LEFT JOIN offers o ON o.id = q.offer_id';
        ELSIF name = 'offer_url_id' THEN
            shown := shown || '''offer_url_name'', u.name, ';
            joins := joins || ' LEFT JOIN offer_urls u ON u.id = q.offer_url_id';
        ELSIF name = 'partner_id' THEN
            shown := shown || '''partner_name'', pa.name, ';
            joins := joins || ' LEFT JOIN partners pa ON pa.id = q.partner_id';
        END IF;
    END LOOP;
    tbl := CASE width WHEN 1 THEN 'hit_rollup_partner' WHEN 2 THEN 'hit_rollup_offer' ELSE 'hit_rollup_sub' END;
    tiered := width <= 2 AND NOT (spec->'group') ? 'hour';
    IF width <= 2 THEN
        agg := agg_wide;
    END IF;
    src := CASE WHEN tiered THEN report_source(width, where_sql)
           WHEN width = 3 THEN report_sub_source(t_from) || ' WHERE ' || where_sql
           ELSE format('(SELECT r.*, r.bucket AT TIME ZONE $2 AS local FROM %I r) r WHERE r.bucket >= $3 AND r.bucket < $4 AND %s',
                       tbl, where_sql) END;

    -- Sort keys: the requested ones, then every grouped dimension not among them (a total order).
    FOR d IN SELECT s->>0 AS k, (s->>1)::boolean AS descending FROM jsonb_array_elements(spec->'sort') s LOOP
        IF d.k = ANY (metrics) THEN
            keys := keys || CASE WHEN d.k = 'ctr' THEN format('coalesce(%s, -1)', format(ctr, 'p')) ELSE format('p.%I', d.k) END;
            key_types := key_types || 'n'::text;
        ELSE
            keys := keys || format((report_dim(d.k)).sort_expr, 'p.' || quote_ident(d.k));
            key_types := key_types || (report_dim(d.k)).sort_type;
        END IF;
        dirs := dirs || d.descending;
    END LOOP;
    FOR name IN SELECT jsonb_array_elements_text(spec->'group') LOOP
        IF NOT (spec->'sort') @> jsonb_build_array(jsonb_build_array(name, false))
           AND NOT (spec->'sort') @> jsonb_build_array(jsonb_build_array(name, true)) THEN
            keys := keys || format((report_dim(name)).sort_expr, 'p.' || quote_ident(name));
            key_types := key_types || (report_dim(name)).sort_type;
            dirs := dirs || false;
        END IF;
    END LOOP;

    -- After the cursor: lexicographic on the keys, each in its direction.
    IF spec->'after' IS NOT NULL AND jsonb_typeof(spec->'after') = 'array' THEN
        FOR i IN 1 .. coalesce(array_length(keys, 1), 0) LOOP
            part := '';
            FOR j IN 1 .. i - 1 LOOP
                part := part || format('k%s = %s AND ', j,
                    CASE key_types[j] WHEN 'n' THEN format('($1->''after''->>%s)::numeric', j - 1)
                                      WHEN 'd' THEN format('($1->''after''->>%s)::date', j - 1)
                                      ELSE format('(($1->''after''->>%s) COLLATE "C")', j - 1) END);
            END LOOP;
            part := part || format('k%s %s %s', i, CASE WHEN dirs[i] THEN '<' ELSE '>' END,
                CASE key_types[i] WHEN 'n' THEN format('($1->''after''->>%s)::numeric', i - 1)
                                  WHEN 'd' THEN format('($1->''after''->>%s)::date', i - 1)
                                  ELSE format('(($1->''after''->>%s) COLLATE "C")', i - 1) END);
            cond := cond || CASE WHEN cond = '' THEN '' ELSE ' OR ' END || '(' || part || ')';
        END LOOP;
    END IF;

    sql := format(
        'WITH g AS (SELECT %1$s %2$s FROM %3$s %4$s %5$s), '
        'k AS (SELECT p.*, %7$s FROM g p), '
        'q AS (SELECT * FROM k WHERE %8$s ORDER BY %9$s LIMIT ($1->>''limit'')::bigint) '
        'SELECT json_build_object(%10$s %11$s)::json, json_build_array(%12$s)::text FROM q %13$s ORDER BY %9$s',
        group_cols, agg, src, '', CASE WHEN group_nums = '' THEN '' ELSE 'GROUP BY ' || group_nums END
            -- a day's row less its spilled hours can leave a group of zeros: no group
            || CASE WHEN tiered THEN ' HAVING report_sum(r.clicks) + report_sum(r.impressions) <> 0' ELSE '' END,
        NULL, -- (0008's CTR column: now computed where it is needed)
        (SELECT string_agg(format('%s AS k%s', keys[n], n), ', ') FROM generate_subscripts(keys, 1) n),
        CASE WHEN cond = '' THEN 'true' ELSE cond END,
        (SELECT string_agg(format('k%s %s', n, CASE WHEN dirs[n] THEN 'DESC' ELSE 'ASC' END), ', ')
           FROM generate_subscripts(keys, 1) n),
        shown,
        (SELECT string_agg(format('%L, q.%I', m, m), ', ') FROM unnest(metrics[1:11]) m) || ', ''ctr'', ' || format(ctr, 'q'),
        (SELECT string_agg(format('q.k%s', n), ', ') FROM generate_subscripts(keys, 1) n),
        joins);
    RETURN QUERY EXECUTE sql USING spec, tz, t_from, t_to;
END;
$$;
