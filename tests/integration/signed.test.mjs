// Signed, key-less URLs (api/signed_link.h), through their first user GET /v1/hits/export-url: a
// browser follows the URL without a key; a changed byte, parameter or path is a 404; an expired URL a
// 410; the URL is bound to its partner, checked live (a suspended partner's URLs stop working).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, ADMIN, BASE, uniq, createOffer, partnerWithKey, linksFor, hitsTagged, rawGet } from './lib/client.mjs';
import { signedPath } from './lib/signed.mjs';

async function partnerWithHits(n = 3) {
  const p = await partnerWithKey();
  const o = await createOffer();
  const [link] = await linksFor(p.key, { offers: [o.id] });
  const tag = uniq('signed');
  for (let i = 0; i < n; i++) assert.equal((await rawGet(`/c/${link.token}?sub1=${tag}`)).status, 302);
  assert.equal((await hitsTagged(p.key, tag, n)).length, n);
  return { ...p, offer: o, tag };
}

const local = (url) => {
  assert.ok(url.startsWith(`${BASE}/`), url);
  return url.slice(BASE.length);
};

test('an export URL works without a key, as private and expiring, and gives what the key gives', async () => {
  const a = await partnerWithHits();
  const before = Date.now();
  const r = await api('GET', `/v1/hits/export-url?offer_id=${a.offer.id}&kind=click`, { key: a.key });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  const path = local(r.body.url);
  assert.match(path, /^\/v1\/hits\/export\?offer_id=\d+&kind=click&p=\d+&exp=\d+&sig=[A-Za-z0-9_-]{22}$/);
  const expires = Date.parse(r.body.expires_at);
  assert.ok(expires > before + 3500e3 && expires < Date.now() + 3661e3, 'TRACKGEN_DOWNLOAD_TTL, 1 h by default (+ < 1 min)');
  assert.equal(expires % 60000, 0, 'expiries are whole minutes, so a URL stays the same for a minute');

  const viaUrl = await api('GET', path, {});
  assert.equal(viaUrl.status, 200, viaUrl.text);
  const viaKey = await api('GET', `/v1/hits/export?offer_id=${a.offer.id}&kind=click`, { key: a.key });
  assert.equal(viaUrl.text, viaKey.text);
  assert.equal(viaUrl.text.trim().split('\r\n').length, 4, 'a header row and the three clicks');
  const cc = viaUrl.headers.get('cache-control');
  const maxAge = Number(/^private, max-age=(\d+)$/.exec(cc)?.[1]);
  assert.ok(maxAge > 3500 && maxAge < 3660, cc); /* the seconds left until the whole minute it expires at */
  assert.equal(viaKey.headers.get('cache-control'), 'private, no-store');
  const head = await rawGet(path, {}, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
});

test('a tampered signed URL is a 404, exactly like an unknown resource', async () => {
  const a = await partnerWithHits(1);
  const b = await partnerWithKey();
  const r = await api('GET', `/v1/hits/export-url?offer_id=${a.offer.id}`, { key: a.key });
  const path = local(r.body.url);
  const sig = /sig=([^&]+)/.exec(path)[1];
  const flipped = sig.slice(0, 5) + (sig[5] === 'A' ? 'B' : 'A') + sig.slice(6);
  const tampered = [
    path.replace(`sig=${sig}`, `sig=${flipped}`),
    path.replace(`offer_id=${a.offer.id}`, `offer_id=${a.offer.id + 1}`),
    path.replace(/p=\d+/, `p=${b.partner.id}`),
    path.replace(/exp=(\d+)/, (m, e) => `exp=${Number(e) + 60}`),
    `${path}&kind=click`,
    path.replace(/&?offer_id=\d+/, ''),
    path.replace('/v1/hits/export', '/v1/hits/export-url'),
    path.replace(/&sig=[^&]+/, ''),
  ];
  for (const t of tampered) {
    const x = await api('GET', t, {});
    /* export-url takes no p/exp/sig (400); without sig the request is not a signed one and needs a key */
    const expected = t.includes('export-url') ? 400 : t.includes('sig=') ? 404 : 401;
    assert.equal(x.status, expected, `${t}: ${x.text}`);
    if (x.status === 404) assert.equal(x.body.type.endsWith('/not-found'), true);
  }
  // the same parameters in another order, percent-encoded differently: the same URL
  const reordered = path.replace(/^\/v1\/hits\/export\?offer_id=(\d+)&(.*)$/, '/v1/hits/export?$2&offer%5Fid=$1');
  assert.equal((await api('GET', reordered, {})).status, 200, reordered);
});

test('an expired URL is a 410 expired; one the server never signed for a partner is a 404', async () => {
  const a = await partnerWithHits(1);
  const past = Math.floor(Date.now() / 1000) - 5;
  const expired = await api('GET', signedPath(a.partner.id, past, '/v1/hits/export', { offer_id: a.offer.id }), {});
  assert.equal(expired.status, 410);
  assert.match(expired.body.type, /\/expired$/);
  const soon = Math.floor(Date.now() / 1000) + 600;
  const fine = await api('GET', signedPath(a.partner.id, soon, '/v1/hits/export', { offer_id: a.offer.id }), {});
  assert.equal(fine.status, 200, 'the independent signer agrees with the server');
  const forged = signedPath(a.partner.id, soon, '/v1/hits/export', { offer_id: a.offer.id }, 'x'.repeat(40));
  assert.equal((await api('GET', forged, {})).status, 404, 'signed with another secret');
  const forgedExpired = signedPath(a.partner.id, past, '/v1/hits/export', { offer_id: a.offer.id }, 'x'.repeat(40));
  assert.equal((await api('GET', forgedExpired, {})).status, 404, 'a forgery learns nothing, not even expiry');
});

test('a URL is bound to its partner and re-checked live: isolation, suspension', async () => {
  const a = await partnerWithHits(2);
  const b = await partnerWithKey();
  // b cannot obtain a URL for a's hits
  const other = await api('GET', `/v1/hits/export-url?partner_id=${a.partner.id}`, { key: b.key });
  assert.equal(other.status, 404);
  // b's own URL, even with a's offer, shows none of a's hits
  const bUrl = await api('GET', `/v1/hits/export-url?offer_id=${a.offer.id}`, { key: b.key });
  const bRows = await api('GET', local(bUrl.body.url), {});
  assert.equal(bRows.status, 200);
  assert.equal(bRows.text.trim().split('\r\n').length, 1, 'only the header row');
  // an admin's URL (partner 0) may name any partner
  const adminUrl = await api('GET', `/v1/hits/export-url?partner_id=${a.partner.id}&offer_id=${a.offer.id}`, { key: ADMIN });
  assert.match(adminUrl.body.url, /&p=0&/);
  assert.equal((await api('GET', local(adminUrl.body.url), {})).text.trim().split('\r\n').length, 3);
  // suspending a stops its URLs at once
  const aUrl = await api('GET', `/v1/hits/export-url?offer_id=${a.offer.id}`, { key: a.key });
  assert.equal((await api('GET', local(aUrl.body.url), {})).status, 200);
  assert.equal((await api('DELETE', `/v1/partners/${a.partner.id}`, { key: ADMIN })).status, 204);
  assert.equal((await api('GET', local(aUrl.body.url), {})).status, 404);
});

test('export-url validates its filters like the export; the URL never reaches a route not flagged for it', async () => {
  const a = await partnerWithKey();
  const bad = await api('GET', '/v1/hits/export-url?kind=nope&from=yesterday', { key: a.key });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body.errors.map((e) => e.field).sort(), ['from', 'kind']);
  assert.equal((await api('GET', '/v1/hits/export-url', {})).status, 401);
  // p/exp/sig on a route that takes no signed URL are unknown parameters
  const url = await api('GET', '/v1/hits/export-url', { key: a.key });
  const suffix = local(url.body.url).split('?')[1];
  const list = await api('GET', `/v1/hits?${suffix}`, { key: a.key });
  assert.equal(list.status, 400);
  assert.deepEqual(list.body.errors.map((e) => e.field).sort(), ['exp', 'p', 'sig']);
});
