-- 0002_hits: every click and impression, partitioned by day, and change notifications that keep
-- the workers' in-process offer cache fresh.

CREATE TABLE hits (
    transaction_id  text NOT NULL CHECK (transaction_id ~ '^[0-9a-f]{32}$'),
    kind            text NOT NULL CHECK (kind IN ('click', 'impression')),
    hit_at          timestamptz NOT NULL,
    partner_id      bigint NOT NULL,
    offer_id        bigint NOT NULL,
    offer_url_id    bigint,
    source_id       text,
    sub1            text,
    sub2            text,
    sub3            text,
    sub4            text,
    sub5            text,
    ip              inet,
    user_agent      text,
    referer         text,
    outcome         text NOT NULL CHECK (outcome IN ('redirected', 'fallback_paused', 'fallback_archived',
                        'fallback_no_access', 'fallback_partner_inactive', 'fallback_url_inactive',
                        'recorded')),
    is_bot          boolean NOT NULL DEFAULT false,
    is_unique       boolean NOT NULL DEFAULT false,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    -- One hit per transaction: replays of a spool segment and nginx retries add nothing.
    CONSTRAINT hits_transaction_key UNIQUE (transaction_id, hit_at)
) PARTITION BY RANGE (hit_at);

-- A safety net: a hit whose day has no partition yet is still stored.
CREATE TABLE hits_default PARTITION OF hits DEFAULT;

CREATE INDEX hits_partner_time_idx ON hits (partner_id, hit_at DESC);
CREATE INDEX hits_unique_lookup_idx ON hits (partner_id, offer_id, ip, md5(coalesce(user_agent, '')), hit_at);

-- Creates the daily partitions from first_day to last_day (inclusive) that do not exist yet.
CREATE FUNCTION hits_ensure_partitions(first_day date, last_day date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    d date := first_day;
    name text;
BEGIN
    WHILE d <= last_day LOOP
        name := format('hits_%s', to_char(d, 'YYYYMMDD'));
        IF to_regclass(name) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF hits FOR VALUES FROM (%L) TO (%L)',
                           name, d::timestamp AT TIME ZONE 'UTC', (d + 1)::timestamp AT TIME ZONE 'UTC');
        END IF;
        d := d + 1;
    END LOOP;
END;
$$;

SELECT hits_ensure_partitions(current_date - 1, current_date + 7);

-- Offer data changes are announced so every worker reloads its cache (see src/track/offer_cache.c).
CREATE FUNCTION notify_offer_cache() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('trackgen_offer_cache', TG_TABLE_NAME);
    RETURN NULL;
END;
$$;

CREATE TRIGGER offers_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON offers
    FOR EACH STATEMENT EXECUTE FUNCTION notify_offer_cache();
CREATE TRIGGER offer_urls_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON offer_urls
    FOR EACH STATEMENT EXECUTE FUNCTION notify_offer_cache();
CREATE TRIGGER offer_partner_access_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON offer_partner_access
    FOR EACH STATEMENT EXECUTE FUNCTION notify_offer_cache();
CREATE TRIGGER partners_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON partners
    FOR EACH STATEMENT EXECUTE FUNCTION notify_offer_cache();
