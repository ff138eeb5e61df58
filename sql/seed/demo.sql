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
