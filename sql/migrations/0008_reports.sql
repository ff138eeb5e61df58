-- 0008_reports: the flex report over clicks and impressions (GET /v1/reports/hits, src/api/report.c).
--
-- Reports are read from rollups, never from raw hits: counts per partner and 15-minute UTC bucket
-- (every time zone's offset is a multiple of 15 minutes, so days and hours cut in any zone are
-- unions of whole buckets). Three tables hold the same numbers at three widths; a report reads
-- the narrowest one that has every dimension it groups, filters or sorts by:
--   hit_rollup_partner  partner, bucket                      (one wide row: a column per metric)
--   hit_rollup_offer    + offer_id, offer_url_id             (likewise)
--   hit_rollup_sub      + kind, outcome, source_id, sub1..sub5 (hits, uniques, bots per kind and outcome)
-- and the first two once more per UTC day (…_day), see report_source.
-- Exactness: the shipper (src/track/shipper.c) writes the delta of each transaction into the temp
-- table hits_delta — +1 for every row its INSERT … ON CONFLICT DO NOTHING actually inserted
-- (RETURNING, so a segment shipped twice or an nginx retry adds nothing) and −1 unique for every row
-- its is_unique fix-up actually changed — and calls hit_rollup_apply() in the same transaction.
-- The rollups are keyed by partner: shippers never contend on another partner's rows.
-- Retention: hits_drop_partitions drops daily partitions past TRACKGEN_HITS_RETENTION_DAYS
-- (src/track/partitions.c); the rollups keep their numbers.

CREATE FUNCTION hit_rollup_key(source_id text, sub1 text, sub2 text, sub3 text, sub4 text, sub5 text) RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE
-- Length-prefixed, so no two different tuples (NULL and '' included) make the same text.
RETURN md5(coalesce(length(source_id) || ':' || source_id, '-') || '|' || coalesce(length(sub1) || ':' || sub1, '-') || '|' ||
           coalesce(length(sub2) || ':' || sub2, '-') || '|' || coalesce(length(sub3) || ':' || sub3, '-') || '|' ||
           coalesce(length(sub4) || ':' || sub4, '-') || '|' || coalesce(length(sub5) || ':' || sub5, '-'))::uuid;

CREATE TABLE hit_rollup_partner (
    partner_id                bigint NOT NULL,
    bucket                    timestamptz NOT NULL,
    clicks                    bigint NOT NULL,
    unique_clicks             bigint NOT NULL,
    impressions               bigint NOT NULL,
    bot_hits                  bigint NOT NULL,
    fallback_paused           bigint NOT NULL,
    fallback_archived         bigint NOT NULL,
    fallback_no_access        bigint NOT NULL,
    fallback_partner_inactive bigint NOT NULL,
    fallback_url_inactive     bigint NOT NULL,
    fallback_too_long         bigint NOT NULL,
    CONSTRAINT hit_rollup_partner_key PRIMARY KEY (partner_id, bucket)
);
CREATE INDEX hit_rollup_partner_bucket_idx ON hit_rollup_partner (bucket);

CREATE TABLE hit_rollup_offer (
    partner_id                bigint NOT NULL,
    bucket                    timestamptz NOT NULL,
    offer_id                  bigint NOT NULL,
    offer_url_id              bigint,
    clicks                    bigint NOT NULL,
    unique_clicks             bigint NOT NULL,
    impressions               bigint NOT NULL,
    bot_hits                  bigint NOT NULL,
    fallback_paused           bigint NOT NULL,
    fallback_archived         bigint NOT NULL,
    fallback_no_access        bigint NOT NULL,
    fallback_partner_inactive bigint NOT NULL,
    fallback_url_inactive     bigint NOT NULL,
    fallback_too_long         bigint NOT NULL,
    CONSTRAINT hit_rollup_offer_key UNIQUE NULLS NOT DISTINCT (partner_id, bucket, offer_id, offer_url_id)
);

CREATE TABLE hit_rollup_sub (
    partner_id   bigint NOT NULL,
    bucket       timestamptz NOT NULL,
    offer_id     bigint NOT NULL,
    offer_url_id bigint,
    kind         text NOT NULL,
    outcome      text NOT NULL,
    source_id    text,
    sub1         text,
    sub2         text,
    sub3         text,
    sub4         text,
    sub5         text,
    -- The six texts may be 255 characters each: too long for one index entry, so they are keyed by hash.
    dims_key     uuid NOT NULL GENERATED ALWAYS AS (hit_rollup_key(source_id, sub1, sub2, sub3, sub4, sub5)) STORED,
    hits         bigint NOT NULL,
    uniques      bigint NOT NULL,
    bots         bigint NOT NULL,
    CONSTRAINT hit_rollup_sub_key UNIQUE NULLS NOT DISTINCT (partner_id, bucket, offer_id, offer_url_id, kind, outcome, dims_key)
);

-- The same counts per UTC day (bucket = the day's 00:00 UTC) for the two narrow widths: a report cut
-- by local days reads whole UTC days here and moves only the hours a local day takes from its UTC
-- neighbours from the 15-minute rows (see report_source).
CREATE TABLE hit_rollup_partner_day (LIKE hit_rollup_partner INCLUDING ALL);
CREATE TABLE hit_rollup_offer_day (LIKE hit_rollup_offer INCLUDING ALL);
-- … and per UTC hour, for the whole hours of what a local day takes from its UTC neighbours.
CREATE TABLE hit_rollup_partner_hour (LIKE hit_rollup_partner INCLUDING ALL);
CREATE TABLE hit_rollup_offer_hour (LIKE hit_rollup_offer INCLUDING ALL);
CREATE INDEX hit_rollup_offer_bucket_idx ON hit_rollup_offer (bucket);

-- What one shipper transaction changed (see above). Each session that ships creates its own
-- temporary hits_delta like this one (LIKE hit_rollup_delta_shape); this table stays empty.
CREATE TABLE hit_rollup_delta_shape (
    partner_id   bigint,
    hit_at       timestamptz,
    offer_id     bigint,
    offer_url_id bigint,
    kind         text,
    outcome      text,
    source_id    text,
    sub1         text,
    sub2         text,
    sub3         text,
    sub4         text,
    sub5         text,
    hits         integer,
    uniques      integer,
    bots         integer
);

-- Adds the session's hits_delta to the rollups and empties it.
CREATE FUNCTION hit_rollup_apply() RETURNS void
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

    -- The wide tables: a column per metric, at three time steps.
    FOR target IN SELECT * FROM (VALUES ('hit_rollup_offer', ', offer_id, offer_url_id', '15 minutes'),
                                   ('hit_rollup_offer_hour', ', offer_id, offer_url_id', '1 hour'),
                                   ('hit_rollup_offer_day', ', offer_id, offer_url_id', '24 hours'),
                                   ('hit_rollup_partner', '', '15 minutes'),
                                   ('hit_rollup_partner_hour', '', '1 hour'),
                                   ('hit_rollup_partner_day', '', '24 hours')) v(tbl, keys, step) LOOP
        EXECUTE format(
            'INSERT INTO %1$I AS t (partner_id, bucket%2$s, %4$s)'
            ' SELECT partner_id, date_bin(%3$L, hit_at, timestamptz ''2000-01-01 00:00+00'')%2$s,'
            '        coalesce(sum(hits) FILTER (WHERE kind = ''click''), 0),'
            '        coalesce(sum(uniques) FILTER (WHERE kind = ''click''), 0),'
            '        coalesce(sum(hits) FILTER (WHERE kind = ''impression''), 0),'
            '        coalesce(sum(bots), 0), %5$s'
            '   FROM hits_delta GROUP BY partner_id, 2%2$s'
            ' ON CONFLICT (partner_id, bucket%2$s) DO UPDATE SET %6$s',
            target.tbl, target.keys, target.step, array_to_string(wide, ', '),
            (SELECT string_agg(format('coalesce(sum(hits) FILTER (WHERE kind = ''click'' AND outcome = %L), 0)', m), ', ')
               FROM unnest(wide[5:]) m),
            (SELECT string_agg(format('%1$I = t.%1$I + excluded.%1$I', m), ', ') FROM unnest(wide) m));
    END LOOP;

    DELETE FROM hits_delta;
END;
$$;

-- Backfill: the hits stored before this migration, rolled up the same way the shipper does it.
CREATE TEMP TABLE hits_delta (LIKE hit_rollup_delta_shape);
INSERT INTO hits_delta
SELECT partner_id, hit_at, offer_id, offer_url_id, kind, outcome, source_id, sub1, sub2, sub3, sub4, sub5,
       1, is_unique::int, is_bot::int
  FROM hits;
SELECT hit_rollup_apply();
DROP TABLE hits_delta;

-- Where the raw hits are complete from: the end of the newest day retention dropped. Reports at
-- the sub width read hits themselves from there on (as fast as the rollup, which holds about a
-- row per hit at that width) and hit_rollup_sub before it.
CREATE TABLE hit_retention (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    raw_from  timestamptz NOT NULL DEFAULT '-infinity'
);
INSERT INTO hit_retention DEFAULT VALUES;

-- Drops the daily partitions (hits_YYYYMMDD) whose day ended more than keep_days days before
-- today (UTC). Returns how many it dropped. The rollups keep those days' numbers.
CREATE FUNCTION hits_drop_partitions(keep_days integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    part record;
    dropped integer := 0;
BEGIN
    FOR part IN
        SELECT c.relname
          FROM pg_inherits i
          JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'hits'::regclass
           AND c.relname ~ '^hits_[0-9]{8}$'
           AND to_date(substr(c.relname, 6), 'YYYYMMDD') < (now() AT TIME ZONE 'UTC')::date - keep_days
    LOOP
        EXECUTE format('DROP TABLE %I', part.relname);
        UPDATE hit_retention
           SET raw_from = greatest(raw_from, (to_date(substr(part.relname, 6), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC');
        dropped := dropped + 1;
    END LOOP;
    RETURN dropped;
END;
$$;

-- "+05:30", "-04:00": the UTC offset of zone tz at instant t.
CREATE FUNCTION report_offset(t timestamptz, tz text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
RETURN (SELECT CASE WHEN o < interval '0' THEN '-' ELSE '+' END || to_char(abs(extract(epoch FROM o))::int / 3600, 'FM00') ||
               ':' || to_char(abs(extract(epoch FROM o))::int % 3600 / 60, 'FM00')
          FROM (SELECT (t AT TIME ZONE tz) - (t AT TIME ZONE 'UTC') AS o) x);

-- The report's range as microseconds since the epoch: from/to are either dates (the local day's
-- start in tz; `to` inclusive, so its next day's start) or instants; absent, the last 7 local days
-- up to the end of today. ok is false when tz is no time zone PostgreSQL knows.
CREATE FUNCTION report_range(tz text, from_date date, from_us bigint, to_date date, to_us bigint)
RETURNS TABLE (ok boolean, from_micros bigint, to_micros bigint)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    today date;
    t_from timestamptz;
    t_to timestamptz;
BEGIN
    BEGIN
        today := (now() AT TIME ZONE tz)::date;
    EXCEPTION WHEN invalid_parameter_value THEN
        RETURN QUERY SELECT false, NULL::bigint, NULL::bigint;
        RETURN;
    END;
    t_to := CASE WHEN to_us IS NOT NULL THEN timestamptz 'epoch' + to_us * interval '1 microsecond'
                 WHEN to_date IS NOT NULL THEN (to_date + 1)::timestamp AT TIME ZONE tz
                 ELSE (today + 1)::timestamp AT TIME ZONE tz END;
    t_from := CASE WHEN from_us IS NOT NULL THEN timestamptz 'epoch' + from_us * interval '1 microsecond'
                   WHEN from_date IS NOT NULL THEN from_date::timestamp AT TIME ZONE tz
                   ELSE (((t_to AT TIME ZONE tz)::date - 7)::timestamp AT TIME ZONE tz) END;
    RETURN QUERY SELECT true, (extract(epoch FROM t_from) * 1000000)::bigint, (extract(epoch FROM t_to) * 1000000)::bigint;
END;
$$;

-- One dimension of a report: its grouping expression over rollup row r ($2 is the time zone),
-- how it is shown, how it sorts ('n' numeric or 't' text, never NULL) and the narrowest rollup
-- that has it (1 partner, 2 offer, 3 sub: kind and outcome are columns only there). Names are checked by the caller (src/report/report_params.c).
CREATE FUNCTION report_dim(name text, OUT expr text, OUT shown text, OUT sort_expr text, OUT sort_type text, OUT width int)
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    CASE name
    WHEN 'hour' THEN
        expr := 'r.bucket - ((r.bucket AT TIME ZONE $2) - date_trunc(''hour'', r.bucket AT TIME ZONE $2))';
        shown := 'to_char(%1$s AT TIME ZONE $2, ''YYYY-MM-DD"T"HH24:MI:SS'') || report_offset(%1$s, $2)';
        sort_expr := 'extract(epoch FROM %1$s)'; sort_type := 'n'; width := 1;
    WHEN 'date' THEN
        expr := '(r.bucket AT TIME ZONE $2)::date';
        shown := 'to_char(%1$s, ''YYYY-MM-DD'')'; sort_expr := 'to_char(%1$s, ''YYYY-MM-DD'')'; sort_type := 't'; width := 1;
    WHEN 'week' THEN
        expr := 'date_trunc(''week'', r.bucket AT TIME ZONE $2)::date';
        shown := 'to_char(%1$s, ''YYYY-MM-DD'')'; sort_expr := 'to_char(%1$s, ''YYYY-MM-DD'')'; sort_type := 't'; width := 1;
    WHEN 'month' THEN
        expr := 'to_char(r.bucket AT TIME ZONE $2, ''YYYY-MM'')';
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

-- The rows a report cut by local days (no `hour`) reads at width 1 (partner) or 2 (offer): for
-- every UTC day the range touches, its daily row stands for the local day that holds the day's
-- midday (labelled with that instant), less the rows of the day's hours that belong to another
-- local day or lie outside the range (labelled likewise, negated), plus those of them that lie
-- inside the range (with their own time); those pieces are read as whole UTC hours (…_hour) and
-- the quarter hours at their ends (a +05:30 zone's day starts at 18:30 UTC). The sum per local
-- day is exactly the 15-minute rows' sum, at a fraction of the rows. cond is the report's
-- filters over alias r.
CREATE FUNCTION report_source(width int, cond text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    base text := CASE width WHEN 1 THEN 'hit_rollup_partner' ELSE 'hit_rollup_offer' END;
    cols text := CASE width WHEN 1 THEN 'r.partner_id' ELSE 'r.partner_id, r.offer_id, r.offer_url_id' END;
    metrics constant text := 'r.clicks, r.unique_clicks, r.impressions, r.bot_hits, r.fallback_paused, r.fallback_archived, r.fallback_no_access, r.fallback_partner_inactive, r.fallback_url_inactive, r.fallback_too_long';
    signed constant text := 'p.sign * r.clicks AS clicks, p.sign * r.unique_clicks AS unique_clicks, p.sign * r.impressions AS impressions, p.sign * r.bot_hits AS bot_hits, p.sign * r.fallback_paused AS fallback_paused, p.sign * r.fallback_archived AS fallback_archived, p.sign * r.fallback_no_access AS fallback_no_access, p.sign * r.fallback_partner_inactive AS fallback_partner_inactive, p.sign * r.fallback_url_inactive AS fallback_url_inactive, p.sign * r.fallback_too_long AS fallback_too_long';
BEGIN
    RETURN format(
        '(WITH days AS ('
        '   SELECT d, greatest(d, m1, $3) AS k_lo, least(d + interval ''24 hours'', m2, $4) AS k_hi'
        '     FROM generate_series(date_bin(''24 hours'', $3, timestamptz ''2000-01-01 00:00+00''), $4 - interval ''1 microsecond'','
        '                          interval ''24 hours'') d,'
        '          LATERAL (SELECT ((d + interval ''12 hours'') AT TIME ZONE $2)::date AS main) x,'
        '          LATERAL (SELECT main::timestamp AT TIME ZONE $2 AS m1, (main + 1)::timestamp AT TIME ZONE $2 AS m2) y),'
        ' parts AS ('
        '   SELECT d, lo, hi, sign FROM days, LATERAL (VALUES (d, k_lo, -1), (k_hi, d + interval ''24 hours'', -1),'
        '          (greatest(d, $3), k_lo, 1), (k_hi, least(d + interval ''24 hours'', $4), 1)) v(lo, hi, sign)'
        '    WHERE k_lo < k_hi AND lo < hi'
        '   UNION ALL'
        '   SELECT d, greatest(d, $3), least(d + interval ''24 hours'', $4), 1 FROM days WHERE k_lo >= k_hi),'
        ' pieces AS ('
        '   SELECT d, sign, tier, lo2 AS lo, hi2 AS hi FROM parts,'
        '          LATERAL (SELECT date_bin(''1 hour'', lo + interval ''1 hour'' - interval ''1 microsecond'','
        '                                   timestamptz ''2000-01-01 00:00+00'') AS h1,'
        '                          date_bin(''1 hour'', hi, timestamptz ''2000-01-01 00:00+00'') AS h2) c,'
        '          LATERAL (VALUES (''f'', lo, CASE WHEN h1 < h2 THEN h1 ELSE hi END, true), (''h'', h1, h2, true),'
        '                          (''f'', h2, hi, h1 < h2)) v(tier, lo2, hi2, used)'
        '    WHERE used AND lo2 < hi2)'
        ' SELECT %2$s, days.d + interval ''12 hours'' AS bucket, %5$s'
        '   FROM days JOIN %1$I r ON r.bucket = days.d WHERE days.k_lo < days.k_hi AND %4$s'
        ' UNION ALL'
        -- OFFSET 0: one index range scan per piece, whatever the planner guesses of their number
        ' SELECT %2$s, CASE WHEN p.sign < 0 THEN p.d + interval ''12 hours'' ELSE r.bucket END, %6$s'
        '   FROM pieces p CROSS JOIN LATERAL (SELECT * FROM %7$I r WHERE r.bucket >= p.lo AND r.bucket < p.hi AND %4$s'
        '                                    OFFSET 0) r WHERE p.tier = ''h'''
        ' UNION ALL'
        ' SELECT %2$s, CASE WHEN p.sign < 0 THEN p.d + interval ''12 hours'' ELSE r.bucket END, %6$s'
        '   FROM pieces p CROSS JOIN LATERAL (SELECT * FROM %3$I r WHERE r.bucket >= p.lo AND r.bucket < p.hi AND %4$s'
        '                                    OFFSET 0) r WHERE p.tier = ''f'') r',
        base || '_day', cols, base, cond, metrics, signed, base || '_hour');
END;
$$;

-- The rows of a report at the sub width over [$3, $4): the raw hits when retention has kept all of
-- them (they equal the rollup exactly, and a partner's hits are found by its index), else
-- hit_rollup_sub. Both as alias r with the rollup's columns.
CREATE FUNCTION report_sub_source(t_from timestamptz) RETURNS text
LANGUAGE sql STABLE
RETURN CASE WHEN t_from >= (SELECT raw_from FROM hit_retention)
            THEN '(SELECT h.partner_id, h.hit_at AS bucket, h.offer_id, h.offer_url_id, h.kind, h.outcome, h.source_id,'
                 ' h.sub1, h.sub2, h.sub3, h.sub4, h.sub5, 1 AS hits, h.is_unique::int AS uniques, h.is_bot::int AS bots'
                 ' FROM hits h WHERE h.hit_at >= $3 AND h.hit_at < $4) r'
            ELSE '(SELECT * FROM hit_rollup_sub r WHERE r.bucket >= $3 AND r.bucket < $4) r' END;

-- The report itself. spec (built by src/api/report.c from validated parameters):
--   scope     the caller's partner id (null: an admin, every partner)
--   group     dimension names, in order
--   filters   {dimension: [values]} for ids, kind, outcome; {dimension: "value"} for texts ("" = absent)
--   sort      [[key, desc boolean], …]: metrics or grouped dimensions
--   after     the previous page's last sort key (from the signed cursor), or null
--   limit     rows to return (a page's limit + 1)
--   totals    true: one row of the totals over everything the filters select (group ignored)
-- Rows: row (the JSON object of one group) and page_key (its sort key as a JSON array).
CREATE FUNCTION report_hits(spec jsonb, tz text, t_from timestamptz, t_to timestamptz)
RETURNS TABLE (row_json json, page_key text)
-- JIT compiling the many aggregate expressions costs far more than it saves on rollup rows.
LANGUAGE plpgsql STABLE SET jit = off AS $$
DECLARE
    metrics constant text[] := ARRAY['clicks', 'unique_clicks', 'impressions', 'bot_hits', 'fallback_clicks',
        'fallback_paused', 'fallback_archived', 'fallback_no_access', 'fallback_partner_inactive',
        'fallback_url_inactive', 'fallback_too_long', 'ctr'];
    agg text :=
        'coalesce(sum(r.hits) FILTER (WHERE r.kind = ''click''), 0) AS clicks, '
        'coalesce(sum(r.uniques) FILTER (WHERE r.kind = ''click''), 0) AS unique_clicks, '
        'coalesce(sum(r.hits) FILTER (WHERE r.kind = ''impression''), 0) AS impressions, '
        'coalesce(sum(r.bots), 0) AS bot_hits, '
        'coalesce(sum(r.hits) FILTER (WHERE r.kind = ''click'' AND r.outcome LIKE ''fallback\_%''), 0) AS fallback_clicks, '
        'coalesce(sum(r.hits) FILTER (WHERE r.kind = ''click'' AND r.outcome = ''fallback_paused''), 0) AS fallback_paused, '
        'coalesce(sum(r.hits) FILTER (WHERE r.kind = ''click'' AND r.outcome = ''fallback_archived''), 0) AS fallback_archived, '
        'coalesce(sum(r.hits) FILTER (WHERE r.kind = ''click'' AND r.outcome = ''fallback_no_access''), 0) AS fallback_no_access, '
        'coalesce(sum(r.hits) FILTER (WHERE r.kind = ''click'' AND r.outcome = ''fallback_partner_inactive''), 0) AS fallback_partner_inactive, '
        'coalesce(sum(r.hits) FILTER (WHERE r.kind = ''click'' AND r.outcome = ''fallback_url_inactive''), 0) AS fallback_url_inactive, '
        'coalesce(sum(r.hits) FILTER (WHERE r.kind = ''click'' AND r.outcome = ''fallback_too_long''), 0) AS fallback_too_long';
    agg_wide constant text := 'coalesce(sum(r.clicks), 0) AS clicks, coalesce(sum(r.unique_clicks), 0) AS unique_clicks, coalesce(sum(r.impressions), 0) AS impressions, coalesce(sum(r.bot_hits), 0) AS bot_hits, coalesce(sum(r.fallback_paused), 0) AS fallback_paused, coalesce(sum(r.fallback_archived), 0) AS fallback_archived, coalesce(sum(r.fallback_no_access), 0) AS fallback_no_access, coalesce(sum(r.fallback_partner_inactive), 0) AS fallback_partner_inactive, coalesce(sum(r.fallback_url_inactive), 0) AS fallback_url_inactive, coalesce(sum(r.fallback_too_long), 0) AS fallback_too_long, coalesce(sum(r.fallback_paused + r.fallback_archived + r.fallback_no_access + r.fallback_partner_inactive + r.fallback_url_inactive + r.fallback_too_long), 0) AS fallback_clicks';
    ctr constant text := 'CASE WHEN g.impressions > 0 THEN round(g.clicks::numeric / g.impressions, 6) END AS ctr';
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
            (SELECT string_agg(format('%L, g.%I', m, m), ', ') FROM unnest(metrics[1:11]) m) || ', ''ctr'', ' ||
                'CASE WHEN g.impressions > 0 THEN round(g.clicks::numeric / g.impressions, 6) END',
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
           ELSE format('%I r WHERE r.bucket >= $3 AND r.bucket < $4 AND %s', tbl, where_sql) END;

    -- Sort keys: the requested ones, then every grouped dimension not among them (a total order).
    FOR d IN SELECT s->>0 AS k, (s->>1)::boolean AS descending FROM jsonb_array_elements(spec->'sort') s LOOP
        IF d.k = ANY (metrics) THEN
            keys := keys || CASE WHEN d.k = 'ctr' THEN 'coalesce(p.ctr, -1)' ELSE format('p.%I', d.k) END;
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
                                      ELSE format('(($1->''after''->>%s) COLLATE "C")', j - 1) END);
            END LOOP;
            part := part || format('k%s %s %s', i, CASE WHEN dirs[i] THEN '<' ELSE '>' END,
                CASE key_types[i] WHEN 'n' THEN format('($1->''after''->>%s)::numeric', i - 1)
                                  ELSE format('(($1->''after''->>%s) COLLATE "C")', i - 1) END);
            cond := cond || CASE WHEN cond = '' THEN '' ELSE ' OR ' END || '(' || part || ')';
        END LOOP;
    END IF;

    sql := format(
        'WITH g AS (SELECT %1$s %2$s FROM %3$s %4$s %5$s), '
        'p AS (SELECT g.*, %6$s FROM g), '
        'k AS (SELECT p.*, %7$s FROM p), '
        'q AS (SELECT * FROM k WHERE %8$s ORDER BY %9$s LIMIT ($1->>''limit'')::bigint) '
        'SELECT json_build_object(%10$s %11$s)::json, json_build_array(%12$s)::text FROM q %13$s ORDER BY %9$s',
        group_cols, agg, src, '', CASE WHEN group_nums = '' THEN '' ELSE 'GROUP BY ' || group_nums END
            -- a day's row less its spilled hours can leave a group of zeros: no group
            || CASE WHEN tiered THEN ' HAVING sum(r.clicks) + sum(r.impressions) <> 0' ELSE '' END,
        ctr,
        (SELECT string_agg(format('%s AS k%s', keys[n], n), ', ') FROM generate_subscripts(keys, 1) n),
        CASE WHEN cond = '' THEN 'true' ELSE cond END,
        (SELECT string_agg(format('k%s %s', n, CASE WHEN dirs[n] THEN 'DESC' ELSE 'ASC' END), ', ')
           FROM generate_subscripts(keys, 1) n),
        shown,
        (SELECT string_agg(format('%L, q.%I', m, m), ', ') FROM unnest(metrics) m),
        (SELECT string_agg(format('q.k%s', n), ', ') FROM generate_subscripts(keys, 1) n),
        joins);
    RETURN QUERY EXECUTE sql USING spec, tz, t_from, t_to;
END;
$$;
