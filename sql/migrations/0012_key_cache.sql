-- 0012: API key changes are announced so every worker reloads its key cache (src/api/key_cache.c),
-- which authenticates every request from memory. Only what authentication reads counts: a key's
-- prefix, hash, role, partner, revocation and rate limit, and its partner's status. Writing
-- last_used_at (the cache does it once a minute) or a key's name announces nothing, so it causes no
-- reload. A new column that authentication reads must be added to the UPDATE OF list below.
CREATE FUNCTION notify_key_cache() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('trackgen_key_cache', TG_TABLE_NAME);
    RETURN NULL;
END;
$$;

CREATE TRIGGER api_keys_notify_key_cache
    AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF prefix, key_hash, role, partner_id, revoked_at, rate_limit
    ON api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION notify_key_cache();
CREATE TRIGGER partners_notify_key_cache AFTER UPDATE OF status OR DELETE OR TRUNCATE ON partners
    FOR EACH STATEMENT EXECUTE FUNCTION notify_key_cache();
