// Tracking links and the public click path: macros, encoding, open-redirect attempts, tampered
// tokens, fallbacks, impressions, direct linking, hits with unique and bot flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, ADMIN, uniq, createOffer, grant, partnerWithKey, linksFor, hitsTagged, rawGet } from './lib/client.mjs';

/* A token with its last character changed (never the same character). */
const tamper = (t) => t.slice(0, -1) + (t.at(-1) === 'A' ? 'B' : 'A');

const DEST = 'https://shop.example/landing?tid={transaction_id}&p={partner_id}&a={affiliate_id}&o={offer_id}'
  + '&u={offer_url_id}&src={source_id}&s1={sub1}&s2={sub2}&s5={sub5}&ts={timestamp}&keep={unknown}';

test('link generation is stable, short and carries only the parameters that are set', async () => {
  const { key } = await partnerWithKey();
  const o = await createOffer({ destination_url: DEST });
  const body = { offers: [o.id], sub1: 'naïve & co/?#', source_id: 'fb' };
  const [a] = await linksFor(key, body);
  const [b] = await linksFor(key, body);
  assert.deepEqual(a, b, 'the same inputs give the same links');
  assert.ok(a.token.length <= 32 && /^[A-Za-z0-9_-]+$/.test(a.token));
  assert.equal(a.redirect_url, `${process.env.TG_BASE_URL}/c/${a.token}?source_id=fb&sub1=na%C3%AFve%20%26%20co%2F%3F%23`);
  assert.ok(a.direct_url.startsWith('https://shop.example/landing?tid=&p='));
  assert.match(a.direct_url, new RegExp(`tg_token=${a.token}`));
  assert.equal(a.impression_url, undefined);
  const [imp] = await linksFor(key, { offers: [o.id], kind: 'impression' });
  assert.equal(imp.impression_url, `${process.env.TG_BASE_URL}/i/${imp.token}`);
});

test('a click is a 302 with every macro filled and URL-encoded', async () => {
  const { partner, key } = await partnerWithKey();
  const o = await createOffer({ destination_url: DEST });
  const [link] = await linksFor(key, { offers: [o.id], source_id: 'news letter' });
  const r = await rawGet(`/c/${link.token}?source_id=news%20letter&sub1=%E2%82%AC%201%2F2&sub2=a%26b%3Dc&sub5=%23x`);
  assert.equal(r.status, 302);
  const loc = new URL(r.headers.get('location'));
  assert.equal(loc.origin + loc.pathname, 'https://shop.example/landing');
  assert.match(loc.searchParams.get('tid'), /^[0-9a-f]{32}$/);
  assert.equal(loc.searchParams.get('p'), String(partner.id));
  assert.equal(loc.searchParams.get('a'), String(partner.id));
  assert.equal(loc.searchParams.get('o'), String(o.id));
  assert.equal(loc.searchParams.get('u'), '');
  assert.equal(loc.searchParams.get('src'), 'news letter');
  assert.equal(loc.searchParams.get('s1'), '€ 1/2');
  assert.equal(loc.searchParams.get('s2'), 'a&b=c');
  assert.equal(loc.searchParams.get('s5'), '#x');
  assert.ok(Math.abs(Number(loc.searchParams.get('ts')) - Date.now() / 1000) < 60);
  assert.ok(r.headers.get('location').endsWith('&keep={unknown}'));
});

test('open-redirect and header-injection attempts never leave the offer URL', async () => {
  const { key } = await partnerWithKey();
  const o = await createOffer({ destination_url: 'https://shop.example/p?s1={sub1}' });
  const [link] = await linksFor(key, { offers: [o.id] });
  const attempts = ['url=https%3A%2F%2Fevil.com', 'redirect=%2F%2Fevil.com', 'sub1=%2F%2Fevil.com', 'sub1=%5C%5Cevil',
    'sub1=%0D%0ALocation%3A%20https%3A%2F%2Fevil.com', 'sub1=https://evil.com', 'next=//evil.com&dest=evil'];
  for (const q of attempts) {
    const r = await rawGet(`/c/${link.token}?${q}`);
    assert.equal(r.status, 302, q);
    const loc = r.headers.get('location');
    assert.ok(loc.startsWith('https://shop.example/p?s1='), `${q} -> ${loc}`);
    assert.ok(!/evil\.com/.test(decodeURIComponent(loc.split('?s1=')[0])));
    assert.ok(!/[\r\n]/.test(loc));
  }
  for (const path of [`/c/${link.token}/%2F%2Fevil.com`, '/c/%2F%2Fevil.com', '/c//evil.com']) {
    const r = await rawGet(path);
    assert.notEqual(r.status, 302, path);
    assert.equal(r.headers.get('location'), null);
  }
});

test('a tampered or truncated token is a 404 page, never a redirect', async () => {
  const { key } = await partnerWithKey();
  const o = await createOffer();
  const [link] = await linksFor(key, { offers: [o.id] });
  const t = link.token;
  const flip = (c) => (c === 'A' ? 'B' : 'A');
  for (const bad of [t.slice(0, -1) + flip(t.at(-1)), flip(t[0]) + t.slice(1), t.slice(0, -2), `${t}A`, 'AAAAAAAAAAAAAAAAAAA']) {
    const r = await rawGet(`/c/${bad}`);
    assert.equal(r.status, 404, bad);
    assert.equal(r.headers.get('location'), null);
    assert.match(r.headers.get('content-type'), /^text\/html/);
  }
  const i = await rawGet(`/i/${tamper(t)}`);
  assert.equal(i.status, 404);
});

test('paused offers and lost access go to the fallback, and the hit says why', async () => {
  const { partner, key } = await partnerWithKey();
  const tag = uniq('fb');
  const paused = await createOffer({ fallback_url: 'https://fallback.example/paused' });
  const priv = await createOffer({ visibility: 'private', fallback_url: 'https://fallback.example/private' });
  await grant(priv.id, partner.id);
  const [pl] = await linksFor(key, { offers: [paused.id] });
  const [vl] = await linksFor(key, { offers: [priv.id] });
  await api('PATCH', `/v1/offers/${paused.id}`, { key: ADMIN, body: { status: 'paused' } });
  await api('DELETE', `/v1/offers/${priv.id}/partners/${partner.id}`, { key: ADMIN });
  for (let i = 0; i < 50; i++) { /* the cache is refreshed by NOTIFY within moments */
    const x = await rawGet(`/c/${pl.token}?sub1=${tag}-probe`);
    const y = await rawGet(`/c/${vl.token}?sub1=${tag}-probe`);
    if (x.headers.get('location') === 'https://fallback.example/paused'
      && y.headers.get('location') === 'https://fallback.example/private') break;
    await new Promise((res) => setTimeout(res, 100));
  }
  const a = await rawGet(`/c/${pl.token}?sub1=${tag}`);
  assert.equal(a.status, 302);
  assert.equal(a.headers.get('location'), 'https://fallback.example/paused');
  const b = await rawGet(`/c/${vl.token}?sub1=${tag}`);
  assert.equal(b.headers.get('location'), 'https://fallback.example/private');
  const hits = await hitsTagged(key, tag, 2);
  assert.deepEqual(hits.map((h) => h.outcome).sort(), ['fallback_no_access', 'fallback_paused']);
});

test('an impression is the 43-byte GIF, not cached, and recorded', async () => {
  const { key } = await partnerWithKey();
  const o = await createOffer();
  const [link] = await linksFor(key, { offers: [o.id], kind: 'impression' });
  const tag = uniq('imp');
  const r = await rawGet(`/i/${link.token}?sub1=${tag}`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'image/gif');
  assert.equal(r.body.length, 43);
  assert.equal(r.body.subarray(0, 6).toString(), 'GIF89a');
  assert.match(r.headers.get('cache-control'), /no-store/);
  const hits = await hitsTagged(key, tag, 1);
  assert.equal(hits.length, 1);
  assert.equal(hits[0].kind, 'impression');
  assert.equal(hits[0].outcome, 'recorded');
});

test('hits are partner-scoped and flag unique clicks and bots', async () => {
  const a = await partnerWithKey();
  const b = await partnerWithKey();
  const o = await createOffer();
  const [link] = await linksFor(a.key, { offers: [o.id] });
  const tag = uniq('uniq');
  const ua = { 'User-Agent': `Mozilla/5.0 test-${tag}` };
  assert.equal((await rawGet(`/c/${link.token}?sub1=${tag}`, ua)).status, 302);
  assert.equal((await rawGet(`/c/${link.token}?sub1=${tag}`, ua)).status, 302);
  assert.equal((await rawGet(`/c/${link.token}?sub1=${tag}`, { 'User-Agent': 'facebookexternalhit/1.1' })).status, 302);
  assert.equal((await rawGet(`/c/${link.token}?sub1=${tag}`, ua, 'HEAD')).status, 302);
  const hits = await hitsTagged(a.key, tag, 4);
  assert.equal(hits.length, 4);
  const human = hits.filter((h) => h.user_agent === ua['User-Agent']).sort((x, y) => x.hit_at.localeCompare(y.hit_at));
  assert.equal(human.length, 3); /* GET, GET, HEAD */
  assert.equal(human.filter((h) => h.is_unique).length, 1);
  assert.equal(human.filter((h) => h.is_bot).length, 1);
  assert.ok(hits.find((h) => h.user_agent === 'facebookexternalhit/1.1').is_bot);
  assert.equal(new Set(hits.map((h) => h.transaction_id)).size, 4);
  const other = await hitsTagged(b.key, tag, 1, 500);
  assert.deepEqual(other, []);
  assert.equal((await api('GET', `/v1/hits?partner_id=${a.partner.id}`, { key: b.key })).status, 404);
});

test('a link to a partner, offer and URL created a moment ago is routed by fresh data, never a 404 or a fallback', async () => {
  const tag = uniq('fresh');
  for (let i = 0; i < 20; i += 1) {
    const { key } = await partnerWithKey();
    const o = await createOffer({ destination_url: 'https://fresh.example/offer' });
    const u = await api('POST', `/v1/offers/${o.id}/urls`, { key: ADMIN, body: { name: uniq('url'), destination_url: 'https://fresh.example/url' } });
    assert.equal(u.status, 201);
    /* Clicked at once: the offer cache has had no time to hear of the new rows. */
    const [viaUrl, viaOffer] = await Promise.all([
      linksFor(key, { offers: [o.id], offer_url_id: u.body.id }).then(([l]) => l),
      linksFor(key, { offers: [o.id] }).then(([l]) => l),
    ]);
    const [r1, r2] = await Promise.all([rawGet(`/c/${viaUrl.token}?sub1=${tag}`), rawGet(`/c/${viaOffer.token}?sub1=${tag}`)]);
    assert.equal(r1.status, 302);
    assert.equal(r1.headers.get('location'), 'https://fresh.example/url');
    assert.equal(r2.status, 302);
    assert.equal(r2.headers.get('location'), 'https://fresh.example/offer');
  }
  const hits = await hitsTagged(ADMIN, tag, 40); /* the admin sees every partner's hits */
  assert.equal(hits.length, 40);
  assert.ok(hits.every((h) => h.outcome === 'redirected'), JSON.stringify(hits.map((h) => h.outcome)));
});

test('direct linking: POST /v1/clicks records the click from any origin', async () => {
  const { key } = await partnerWithKey();
  const o = await createOffer();
  const [link] = await linksFor(key, { offers: [o.id] });
  const tag = uniq('direct');
  const r = await api('POST', '/v1/clicks', { body: { token: link.token, sub1: tag }, headers: { Origin: 'https://landing.example' } });
  assert.equal(r.status, 201);
  assert.match(r.body.transaction_id, /^[0-9a-f]{32}$/);
  assert.equal(r.headers.get('access-control-allow-origin'), 'https://landing.example');
  const hits = await hitsTagged(key, tag, 1);
  assert.equal(hits[0].transaction_id, r.body.transaction_id);
  const bad = await api('POST', '/v1/clicks', { body: { token: tamper(link.token) } });
  assert.equal(bad.status, 404);
  const invalid = await api('POST', '/v1/clicks', { body: { token: link.token, sub1: 'x'.repeat(256) } });
  assert.equal(invalid.status, 400);
  assert.equal(invalid.body.errors[0].field, 'sub1');
  const sdk = await fetch(`${process.env.TG_BASE_URL}/sdk.js`);
  assert.equal(sdk.status, 200);
  assert.match(await sdk.text(), /\/v1\/clicks/);
});

test('link generation: all offers, URLs, isolation and field limits', async () => {
  const { partner, key } = await partnerWithKey();
  const o = await createOffer();
  const u = (await api('POST', `/v1/offers/${o.id}/urls`, { key: ADMIN, body: { name: 'Shoes', destination_url: 'https://shop.example/shoes?t={transaction_id}' } })).body;
  const withUrls = await linksFor(key, { offers: [o.id], include_additional_urls: true });
  assert.deepEqual(withUrls.map((l) => l.offer_url_id), [null, u.id]);
  assert.equal(withUrls[1].url_name, 'Shoes');
  const one = await linksFor(key, { offers: [o.id], offer_url_id: u.id });
  assert.deepEqual(one.map((l) => l.offer_url_id), [u.id]);
  const click = await rawGet(`/c/${one[0].token}`);
  assert.ok(click.headers.get('location').startsWith('https://shop.example/shoes?t='));
  const all = await api('POST', '/v1/tracking-links?limit=1', { key, body: { offers: 'all' } });
  assert.equal(all.status, 200);
  assert.equal(all.body.data.length, 1);
  assert.ok(all.body.next_cursor);
  const priv = await createOffer({ visibility: 'private' });
  assert.equal((await api('POST', '/v1/tracking-links', { key, body: { offers: [priv.id] } })).status, 404);
  const bad = await api('POST', '/v1/tracking-links', { key, body: { offers: [o.id], sub3: 'x'.repeat(256), kind: 'view' } });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body.errors.map((e) => e.field).sort(), ['kind', 'sub3']);
  const adminNeedsPartner = await api('POST', '/v1/tracking-links', { key: ADMIN, body: { offers: [o.id] } });
  assert.equal(adminNeedsPartner.status, 400);
  const adminFor = await api('POST', '/v1/tracking-links', { key: ADMIN, body: { offers: [o.id], partner_id: partner.id } });
  assert.equal(adminFor.body.data[0].token, withUrls[0].token);
});
