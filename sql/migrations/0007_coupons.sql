-- 0007_coupons: coupon codes partners promote an offer with. Each code belongs to one offer, is
-- unique within it ignoring case, and is either in the offer's unassigned pool (partner_id NULL) or
-- handed to one partner. The API derives a `state` from status and dates (coupon_state below).

CREATE TABLE coupons (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    offer_id     bigint NOT NULL CONSTRAINT coupons_offer_id_fkey REFERENCES offers (id),
    -- 1..64 printable characters: no control characters, no space at either end
    code         text NOT NULL CONSTRAINT coupons_code_check
                 CHECK (char_length(code) BETWEEN 1 AND 64 AND code !~ '[[:cntrl:]]' AND code = btrim(code)),
    partner_id   bigint CONSTRAINT coupons_partner_id_fkey REFERENCES partners (id),
    description  text NOT NULL DEFAULT '' CHECK (char_length(description) <= 1000),
    starts_at    timestamptz,
    ends_at      timestamptz,
    status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'archived')),
    assigned_at  timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT coupons_dates_check CHECK (ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at),
    CONSTRAINT coupons_assigned_check CHECK ((partner_id IS NULL) = (assigned_at IS NULL))
);
CREATE UNIQUE INDEX coupons_offer_code_key ON coupons (offer_id, lower(code));
CREATE INDEX coupons_offer_idx ON coupons (offer_id, id);
CREATE INDEX coupons_partner_idx ON coupons (partner_id, id) WHERE partner_id IS NOT NULL;
-- the pool of an offer, in the order assignment takes it
CREATE INDEX coupons_pool_idx ON coupons (offer_id, id) WHERE partner_id IS NULL AND status = 'active';

-- The state a coupon is in at time `at`: archived and paused by status; otherwise scheduled before
-- starts_at, expired from ends_at on (starts_at inclusive, ends_at exclusive), active in between.
CREATE FUNCTION coupon_state(status text, starts_at timestamptz, ends_at timestamptz, at timestamptz)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN status = 'archived' THEN 'archived'
        WHEN status = 'paused' THEN 'paused'
        WHEN starts_at IS NOT NULL AND at < starts_at THEN 'scheduled'
        WHEN ends_at IS NOT NULL AND at >= ends_at THEN 'expired'
        ELSE 'active'
    END
$$;
