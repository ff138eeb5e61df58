-- 0003_outcome_too_long: a click whose destination, filled with the click's own parameters, would
-- be longer than a redirect may be (8192 bytes: LINK_URL_MAX_BYTES in src/track/link_url.h) is
-- still recorded, and goes to the fallback with the outcome 'fallback_too_long'.
-- hits is partitioned: the CHECK lives on the parent, and the partitions follow it.

ALTER TABLE hits DROP CONSTRAINT hits_outcome_check;
ALTER TABLE hits ADD CONSTRAINT hits_outcome_check
    CHECK (outcome IN ('redirected', 'fallback_paused', 'fallback_archived', 'fallback_no_access',
                       'fallback_partner_inactive', 'fallback_url_inactive', 'fallback_too_long', 'recorded'));
