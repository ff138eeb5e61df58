-- 0014_rollup_apply_once: hit_rollup_apply reads hits_delta once (issue 16).
-- 0013's version read the session's delta (a row per hit the transaction stored) once per rollup
-- table, eight times, and the planner, which has no statistics for the temporary hits_delta nor
-- for report_day_phases, priced the day tables' statement at ≈ 4.5 M rows: past jit_above_cost, so
-- every shipper transaction JIT-compiled two statements (≈ 200 ms each) that run in a few ms.
-- Now one statement sums the delta by partner, offer, offer URL and quarter hour (a handful of rows
-- per transaction) and every table is filled from those sums, in data-modifying CTEs. That is exact:
-- every step (15 minutes, 1 hour, 6 hours, 24 hours) and every day phase (report_day_phases: a
-- multiple of 15 minutes, by its CHECK) starts on a quarter hour, so a quarter hour's hits all fall
-- into the same bucket of every table. And the function never compiles (jit = off).
CREATE OR REPLACE FUNCTION hit_rollup_apply() RETURNS void
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    wide constant text[] := ARRAY['clicks', 'unique_clicks', 'impressions', 'bot_hits', 'fallback_paused', 'fallback_archived', 'fallback_no_access', 'fallback_partner_inactive', 'fallback_url_inactive', 'fallback_too_long'];
    stmt text;
    target record;
BEGIN
    -- The quarter hours: the metrics of each (partner, offer, offer URL, quarter hour).
    stmt := format(
        'WITH quarter AS MATERIALIZED ('
        ' SELECT partner_id, offer_id, offer_url_id, date_bin(''15 minutes'', hit_at, timestamptz ''2000-01-01 00:00+00'') AS bucket,'
        '        report_sum(hits) FILTER (WHERE kind = ''click'') AS clicks,'
        '        report_sum(uniques) FILTER (WHERE kind = ''click'') AS unique_clicks,'
        '        report_sum(hits) FILTER (WHERE kind = ''impression'') AS impressions,'
        '        report_sum(bots) AS bot_hits, %s'
        '   FROM hits_delta GROUP BY 1, 2, 3, 4)',
        (SELECT string_agg(format('report_sum(hits) FILTER (WHERE kind = ''click'' AND outcome = %1$L) AS %1$I', m), ', ')
           FROM unnest(wide[5:]) m));
    -- Every table at its step (days at every phase), from the quarter hours.
    FOR target IN SELECT row_number() OVER () AS n, * FROM (VALUES
                                   ('hit_rollup_offer', ', offer_id, offer_url_id', '15 minutes', false),
                                   ('hit_rollup_offer_hour', ', offer_id, offer_url_id', '1 hour', false),
                                   ('hit_rollup_offer_6h', ', offer_id, offer_url_id', '6 hours', false),
                                   ('hit_rollup_offer_day', ', offer_id, offer_url_id', '24 hours', true),
                                   ('hit_rollup_partner', '', '15 minutes', false),
                                   ('hit_rollup_partner_hour', '', '1 hour', false),
                                   ('hit_rollup_partner_6h', '', '6 hours', false),
                                   ('hit_rollup_partner_day', '', '24 hours', true)) v(tbl, keys, step, phased) LOOP
        stmt := stmt || format(
            ', t%11$s AS (INSERT INTO %1$I AS t (partner_id%7$s, bucket%2$s, %4$s)'
            ' SELECT partner_id%7$s, date_bin(%3$L, bucket, timestamptz ''2000-01-01 00:00+00''%8$s)%2$s, %5$s'
            '   FROM quarter%9$s GROUP BY partner_id%7$s, %10$s%2$s'
            ' ON CONFLICT (partner_id%7$s, bucket%2$s) DO UPDATE SET %6$s)',
            target.tbl, target.keys, target.step, array_to_string(wide, ', '),
            (SELECT string_agg(format('report_sum(%I)', m), ', ') FROM unnest(wide) m),
            (SELECT string_agg(format('%1$I = t.%1$I + excluded.%1$I', m), ', ') FROM unnest(wide) m),
            CASE WHEN target.phased THEN ', phase' END,
            CASE WHEN target.phased THEN ' + phase * interval ''1 minute''' END,
            CASE WHEN target.phased THEN ' CROSS JOIN (SELECT 0 AS phase UNION ALL SELECT phase FROM report_day_phases) ph' END,
            CASE WHEN target.phased THEN '3' ELSE '2' END, -- the bucket's place in the select list
            target.n);
    END LOOP;
    EXECUTE stmt || ' SELECT 1';

    DELETE FROM hits_delta;
END;
$$;
