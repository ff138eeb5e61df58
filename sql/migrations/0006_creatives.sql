-- 0006_creatives: the creative assets partners promote an offer with (banners, HTML, emails, text
-- links, videos, documents, archives). Files live in the content-addressed blob store
-- (src/store/blob_store.h) under their SHA-256; a row only names them. A blob no row names any more
-- is removed by `trackgen gc` (never one still named, never one younger than its grace period).

-- A creative's URL must be one of its own offer's: (offer_id, offer_url_id) references this pair.
ALTER TABLE offer_urls ADD CONSTRAINT offer_urls_offer_id_id_key UNIQUE (offer_id, id);

CREATE TABLE creatives (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    offer_id          bigint NOT NULL CONSTRAINT creatives_offer_id_fkey REFERENCES offers (id),
    offer_url_id      bigint,
    name              text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    type              text NOT NULL CHECK (type IN ('image', 'html', 'email', 'text', 'video', 'document', 'archive')),
    status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'archived')),
    -- private: only the partners granted in creative_partner_access see it (custom creatives)
    visibility        text NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'private')),
    description       text NOT NULL DEFAULT '' CHECK (char_length(description) <= 5000),
    -- html / email / text bodies; {tracking_link} and {impression_pixel} are replaced per partner
    html_code         text CHECK (char_length(html_code) <= 100000),
    text_body         text CHECK (char_length(text_body) <= 20000),
    email_subjects    text[] NOT NULL DEFAULT '{}' CHECK (cardinality(email_subjects) <= 20),
    email_from_lines  text[] NOT NULL DEFAULT '{}' CHECK (cardinality(email_from_lines) <= 20),
    -- the stored file, when there is one (all four set together)
    file_sha256       text CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
    file_size         bigint CHECK (file_size >= 0),
    content_type      text CHECK (char_length(content_type) <= 100),
    file_name         text CHECK (char_length(file_name) BETWEEN 1 AND 255),
    width             integer CHECK (width > 0),
    height            integer CHECK (height > 0),
    thumbnail_sha256  text CHECK (thumbnail_sha256 ~ '^[0-9a-f]{64}$'),
    thumbnail_content_type text CHECK (thumbnail_content_type IN ('image/png', 'image/jpeg')),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT creatives_offer_url_id_fkey FOREIGN KEY (offer_id, offer_url_id) REFERENCES offer_urls (offer_id, id),
    -- What each type may hold, and what it needs (src/db/constraints.c names the field for each).
    CONSTRAINT creatives_html_code_type CHECK (html_code IS NULL OR type IN ('html', 'email')),
    CONSTRAINT creatives_text_body_type CHECK (text_body IS NULL OR type IN ('text', 'email')),
    CONSTRAINT creatives_email_lines_type CHECK (
        type = 'email' OR (cardinality(email_subjects) = 0 AND cardinality(email_from_lines) = 0)),
    CONSTRAINT creatives_html_needs_code CHECK (type <> 'html' OR html_code IS NOT NULL OR file_sha256 IS NOT NULL),
    CONSTRAINT creatives_text_needs_body CHECK (type <> 'text' OR text_body IS NOT NULL OR file_sha256 IS NOT NULL),
    CONSTRAINT creatives_email_needs_body CHECK (
        type <> 'email' OR html_code IS NOT NULL OR text_body IS NOT NULL OR file_sha256 IS NOT NULL),
    CONSTRAINT creatives_file_complete CHECK (
        (file_sha256 IS NULL) = (file_size IS NULL) AND (file_sha256 IS NULL) = (content_type IS NULL)
        AND (file_sha256 IS NULL) = (file_name IS NULL)),
    CONSTRAINT creatives_thumbnail_needs_file CHECK (thumbnail_sha256 IS NULL OR file_sha256 IS NOT NULL),
    CONSTRAINT creatives_thumbnail_complete CHECK ((thumbnail_sha256 IS NULL) = (thumbnail_content_type IS NULL))
);
CREATE INDEX creatives_offer_idx ON creatives (offer_id, id);
CREATE INDEX creatives_file_idx ON creatives (file_sha256) WHERE file_sha256 IS NOT NULL;
CREATE INDEX creatives_thumbnail_idx ON creatives (thumbnail_sha256) WHERE thumbnail_sha256 IS NOT NULL;

CREATE TABLE creative_partner_access (
    creative_id  bigint NOT NULL REFERENCES creatives (id),
    partner_id   bigint NOT NULL CONSTRAINT creative_partner_access_partner_id_fkey REFERENCES partners (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (creative_id, partner_id)
);
CREATE INDEX creative_partner_access_partner_idx ON creative_partner_access (partner_id, creative_id);
