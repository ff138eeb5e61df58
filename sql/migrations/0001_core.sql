-- 0001_core: partners, API keys, offers, additional offer URLs and offer access grants.
-- Constraints live here, not only in C: the API validates first, the database guarantees.

-- RFC 3339 UTC timestamps with milliseconds, as the API shows them.
CREATE FUNCTION api_ts(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');

CREATE TABLE partners (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL CONSTRAINT partners_name_key UNIQUE
                CHECK (char_length(name) BETWEEN 1 AND 200),
    email       text CHECK (email IS NULL OR (char_length(email) BETWEEN 3 AND 254 AND email LIKE '%_@_%')),
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    prefix        text NOT NULL UNIQUE CHECK (prefix ~ '^tg_[0-9a-f]{12}$'),
    key_hash      bytea NOT NULL CHECK (octet_length(key_hash) = 32),
    role          text NOT NULL CHECK (role IN ('admin', 'partner')),
    partner_id    bigint CONSTRAINT api_keys_partner_id_fkey REFERENCES partners (id),
    name          text CHECK (name IS NULL OR char_length(name) BETWEEN 1 AND 200),
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz,
    last_used_at  timestamptz,
    CONSTRAINT api_keys_role_partner_check CHECK ((role = 'partner') = (partner_id IS NOT NULL))
);
CREATE INDEX api_keys_partner_id_idx ON api_keys (partner_id);

CREATE TABLE offers (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name             text NOT NULL CONSTRAINT offers_name_key UNIQUE
                     CHECK (char_length(name) BETWEEN 1 AND 200),
    description      text NOT NULL DEFAULT '' CHECK (char_length(description) <= 5000),
    status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'archived')),
    visibility       text NOT NULL DEFAULT 'public'
                     CHECK (visibility IN ('public', 'require_approval', 'private')),
    destination_url  text NOT NULL CHECK (destination_url ~* '^https?://' AND char_length(destination_url) <= 2048),
    fallback_url     text CHECK (fallback_url ~* '^https?://' AND char_length(fallback_url) <= 2048),
    currency         text NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
    payout           text NOT NULL DEFAULT '' CHECK (char_length(payout) <= 200),
    preview_url      text CHECK (preview_url ~* '^https?://' AND char_length(preview_url) <= 2048),
    thumbnail_url    text CHECK (thumbnail_url ~* '^https?://' AND char_length(thumbnail_url) <= 2048),
    category         text CHECK (char_length(category) BETWEEN 1 AND 100),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX offers_status_idx ON offers (status, id);

CREATE TABLE offer_urls (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    offer_id         bigint NOT NULL REFERENCES offers (id),
    name             text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    destination_url  text NOT NULL CHECK (destination_url ~* '^https?://' AND char_length(destination_url) <= 2048),
    status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'archived')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT offer_urls_offer_id_name_key UNIQUE (offer_id, name)
);

CREATE TABLE offer_partner_access (
    offer_id    bigint NOT NULL REFERENCES offers (id),
    partner_id  bigint NOT NULL CONSTRAINT offer_partner_access_partner_id_fkey REFERENCES partners (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (offer_id, partner_id)
);
CREATE INDEX offer_partner_access_partner_idx ON offer_partner_access (partner_id, offer_id);
