-- 0004_hit_quarantine: hits PostgreSQL refused for their data, set aside row by row.
-- The shipper (src/track/shipper.c) ships every other row of their spool segment and puts each
-- refused row here with the error, so one bad row never holds back its neighbours and nothing
-- acknowledged to a client is silently dropped. Listed by GET /v1/hit-quarantine; counted by /readyz.

CREATE TABLE hit_quarantine (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The spool row in COPY text format (columns as in hits: transaction_id … is_bot), so it can be
    -- repaired and COPYed again; bytes that are not UTF-8 are written as \xHH escapes.
    row_text        text NOT NULL,
    transaction_id  text GENERATED ALWAYS AS (split_part(row_text, E'\t', 1)) STORED,
    sqlstate        text NOT NULL CHECK (sqlstate ~ '^[0-9A-Z]{5}$'),
    error           text NOT NULL,
    constraint_name text,
    segment         text NOT NULL,
    quarantined_at  timestamptz NOT NULL DEFAULT now(),
    -- A segment shipped again after a crash adds nothing here either.
    row_md5         text GENERATED ALWAYS AS (md5(row_text)) STORED CONSTRAINT hit_quarantine_row_key UNIQUE
);
