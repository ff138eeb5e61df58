-- 0005: a per-key rate limit set by admins (POST /v1/api-keys `rate_limit`), in requests per minute
-- on /v1. NULL: the server's TRACKGEN_RATE_LIMIT applies; 0: the key is not limited. The upper
-- bound is the one the limiter is exact up to (RATELIMIT_MAX_LIMIT in src/http/ratelimit.h).
ALTER TABLE api_keys
    ADD COLUMN rate_limit integer
        CONSTRAINT api_keys_rate_limit_check CHECK (rate_limit BETWEEN 0 AND 100000);
