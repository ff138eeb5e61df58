-- 0009_asset_packages: asset packages (issue 13). A package is what a partner asked the generator
-- for (offers, tracking link parameters, creative types, coupons: `config`, normalised by the API)
-- and for whom; its contents are regenerated from it against the data of the day each time it is
-- read or downloaded, so nothing else is stored.

CREATE TABLE asset_packages (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partner_id  bigint NOT NULL CONSTRAINT asset_packages_partner_id_fkey REFERENCES partners (id),
    config      jsonb NOT NULL CHECK (jsonb_typeof(config) = 'object'),
    created_at  timestamptz NOT NULL DEFAULT now()
);
-- a partner's recent packages, newest first
CREATE INDEX asset_packages_partner_idx ON asset_packages (partner_id, id DESC);
