-- Demo network for ./run.sh: 2 partners and 3 offers with additional URLs, covering the three
-- visibilities. Idempotent: running it again changes nothing.
INSERT INTO partners (name, email) VALUES
    ('Acme Media', 'ops@acme-media.example'),
    ('Bright Influencers', 'team@bright.example')
ON CONFLICT (name) DO NOTHING;

INSERT INTO offers (name, description, visibility, destination_url, fallback_url, currency, payout,
                    preview_url, category) VALUES
    ('Summer Sale', 'Up to 50% off the summer collection.', 'public',
     'https://shop.example/summer?click={transaction_id}&aff={partner_id}&s1={sub1}',
     'https://shop.example/', 'USD', '$5.00 CPA', 'https://shop.example/summer', 'Retail'),
    ('Premium VPN', 'Annual VPN plan, 30-day money-back guarantee.', 'require_approval',
     'https://vpn.example/buy?tid={transaction_id}&pid={partner_id}&src={source_id}',
     'https://vpn.example/', 'EUR', '40% revshare', 'https://vpn.example/', 'Software'),
    ('Private Beta', 'Invite-only beta of a budgeting app.', 'private',
     'https://budget.example/beta?ref={partner_id}&tx={transaction_id}',
     NULL, 'USD', '$12.00 CPL', NULL, 'Finance')
ON CONFLICT (name) DO NOTHING;

INSERT INTO offer_urls (offer_id, name, destination_url)
SELECT o.id, u.name, u.url
  FROM (VALUES
        ('Summer Sale', 'Shoes', 'https://shop.example/summer/shoes?click={transaction_id}'),
        ('Summer Sale', 'Dresses', 'https://shop.example/summer/dresses?click={transaction_id}'),
        ('Premium VPN', 'Pricing page', 'https://vpn.example/pricing?tid={transaction_id}'),
        ('Private Beta', 'Waitlist', 'https://budget.example/waitlist?tx={transaction_id}')) AS u(offer, name, url)
  JOIN offers o ON o.name = u.offer
ON CONFLICT (offer_id, name) DO NOTHING;

-- Acme Media is approved for Premium VPN; Bright Influencers runs the Private Beta.
INSERT INTO offer_partner_access (offer_id, partner_id)
SELECT o.id, p.id
  FROM (VALUES ('Premium VPN', 'Acme Media'), ('Private Beta', 'Bright Influencers')) AS g(offer, partner)
  JOIN offers o ON o.name = g.offer
  JOIN partners p ON p.name = g.partner
ON CONFLICT DO NOTHING;

-- Coupon codes: some for each partner (one scheduled, one expired), and an unassigned pool of 20 on
-- Summer Sale for POST /v1/coupons/assign. Dates are relative to the first seeding.
INSERT INTO coupons (offer_id, code, partner_id, description, starts_at, ends_at, assigned_at)
SELECT o.id, c.code, p.id, c.description, c.starts_at, c.ends_at, CASE WHEN p.id IS NULL THEN NULL ELSE now() END
  FROM (VALUES
        ('Summer Sale', 'ACME-SUMMER20', 'Acme Media', '20% off the summer collection', NULL::timestamptz,
         now() + interval '90 days'),
        ('Premium VPN', 'ACME-VPN40', 'Acme Media', '40% off the first year', NULL, NULL),
        ('Premium VPN', 'ACME-VPN-EARLY', 'Acme Media', 'Early bird: 2 months free', now() + interval '7 days',
         now() + interval '37 days'),
        ('Summer Sale', 'BRIGHT15', 'Bright Influencers', '15% off, free shipping', NULL, NULL),
        ('Summer Sale', 'BRIGHT-SPRING', 'Bright Influencers', 'Spring promo (over)', now() - interval '60 days',
         now() - interval '1 day'),
        ('Private Beta', 'BETA-BRIGHT', 'Bright Influencers', 'Skip the waitlist', NULL, NULL)) AS c(offer, code, partner,
                                                                                                  description,
                                                                                                  starts_at, ends_at)
  JOIN offers o ON o.name = c.offer
  LEFT JOIN partners p ON p.name = c.partner
UNION ALL
SELECT o.id, 'SUMMER-POOL-' || lpad(n::text, 2, '0'), NULL, '10% off, first order', NULL, NULL, NULL
  FROM offers o, generate_series(1, 20) AS n
 WHERE o.name = 'Summer Sale'
ON CONFLICT (offer_id, lower(code)) DO NOTHING;
