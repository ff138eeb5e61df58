// Every kind of bad input gets a precise problem+json, and nothing partial is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, ADMIN, uniq, createOffer } from './lib/client.mjs';

const VALIDATION = 'https://trackgen.dev/problems/validation';

test('malformed JSON and non-object bodies are 400 malformed-json', async () => {
  for (const rawBody of ['{"name":', '[1,2]', '"text"', '', '{"a":1,"a":2}']) {
    const r = await api('POST', '/v1/offers', { key: ADMIN, rawBody });
    assert.equal(r.status, 400, rawBody);
    assert.equal(r.body.type, 'https://trackgen.dev/problems/malformed-json');
  }
});

test('wrong types, unknown fields and out-of-range values name every field', async () => {
  const r = await api('POST', '/v1/offers', {
    key: ADMIN,
    body: { name: 5, destination_url: 'javascript:alert(1)', currency: 'usd', status: 'gone', bogus: true, payout: 'x'.repeat(201) },
  });
  assert.equal(r.status, 400);
  assert.equal(r.body.type, VALIDATION);
  const fields = r.body.errors.map((e) => e.field).sort();
  assert.deepEqual(fields, ['bogus', 'currency', 'destination_url', 'name', 'payout', 'status']);
  assert.ok(r.body.errors.every((e) => e.in === 'body' && e.reason.length > 0));
});

test('a name of white space only is refused on create and on PATCH, for offers, partners, offer URLs and creatives', async () => {
  const blank = ['   ', '\u00a0', ' \u3000\u2009 '];
  for (const name of blank) {
    const o = await api('POST', '/v1/offers', { key: ADMIN, body: { name, destination_url: 'https://shop.example/' } });
    assert.equal(o.status, 400, JSON.stringify(name));
    assert.deepEqual(o.body.errors.map((e) => [e.field, e.reason]), [['name', 'must not be only white space']]);
    const p = await api('POST', '/v1/partners', { key: ADMIN, body: { name } });
    assert.equal(p.status, 400);
    assert.deepEqual(p.body.errors.map((e) => e.field), ['name']);
  }
  const offer = await createOffer();
  const patch = await api('PATCH', `/v1/offers/${offer.id}`, { key: ADMIN, body: { name: '  ' }, contentType: 'application/merge-patch+json' });
  assert.equal(patch.status, 400);
  assert.equal((await api('GET', `/v1/offers/${offer.id}`, { key: ADMIN })).body.name, offer.name);
  const url = await api('POST', `/v1/offers/${offer.id}/urls`, { key: ADMIN, body: { name: ' ', destination_url: 'https://shop.example/b' } });
  assert.equal(url.status, 400);
  assert.deepEqual(url.body.errors.map((e) => e.field), ['name']);
  const creative = await api('POST', '/v1/creatives', { key: ADMIN, body: { offer_id: offer.id, name: '\u00a0', type: 'html', html_code: '<p>Go</p>' } });
  assert.equal(creative.status, 400);
  assert.deepEqual(creative.body.errors.map((e) => e.field), ['name']);
  /* a name with spaces around a character is a name */
  const ok = await api('POST', '/v1/offers', { key: ADMIN, body: { name: ` ${uniq('x')} `, destination_url: 'https://shop.example/' } });
  assert.equal(ok.status, 201);
});

test('destination URLs that could be abused are refused', async () => {
  const bad = ['javascript:alert(1)', 'ftp://files.example/', 'http://user@evil.com/', 'https://exa mple.com/',
    'https://exämple.com/', '//evil.com/', `https://a.example/${'a'.repeat(2049)}`, 'https://a.example/\r\nx'];
  for (const url of bad) {
    const r = await api('POST', '/v1/offers', { key: ADMIN, body: { name: uniq('bad-url'), destination_url: url } });
    assert.equal(r.status, 400, url);
    assert.deepEqual(r.body.errors.map((e) => e.field), ['destination_url'], url);
  }
});

test('a failed create writes nothing and a half-valid PATCH changes nothing', async () => {
  const name = uniq('never');
  const r = await api('POST', '/v1/offers', { key: ADMIN, body: { name, destination_url: 'nope' } });
  assert.equal(r.status, 400);
  const list = await api('GET', `/v1/offers?q=${encodeURIComponent(name)}`, { key: ADMIN });
  assert.deepEqual(list.body.data, []);
  const o = await createOffer({ payout: 'before' });
  const p = await api('PATCH', `/v1/offers/${o.id}`, { key: ADMIN, body: { payout: 'after', currency: 'nope' } });
  assert.equal(p.status, 400);
  assert.equal((await api('GET', `/v1/offers/${o.id}`, { key: ADMIN })).body.payout, 'before');
});

test('a body over the cap is 413 problem+json naming the JSON cap and its setting, before anything else', async () => {
  const cap = Number(process.env.TG_MAX_BODY);
  const big = `{"name":"${'a'.repeat(cap + 10)}"}`;
  const r = await api('POST', '/v1/offers', { key: ADMIN, rawBody: big });
  assert.equal(r.status, 413);
  assert.equal(r.body.type, 'https://trackgen.dev/problems/payload-too-large');
  assert.match(r.body.detail, new RegExp(`JSON bodies may have at most ${cap} bytes \\(TRACKGEN_MAX_BODY\\)`));
  // the cap is checked before authentication, the query and the handler: no key, a bad query, a public route
  const anon = await api('POST', '/v1/offers?bogus=1', { rawBody: big });
  assert.equal(anon.status, 413);
  const clicks = await api('POST', '/v1/clicks', { rawBody: big });
  assert.equal(clicks.status, 413);
  // exactly at the cap is read (and then judged as JSON)
  const exact = `{"name":"${'a'.repeat(cap - 11)}"}`;
  assert.equal(exact.length, cap);
  const e = await api('POST', '/v1/offers', { key: ADMIN, rawBody: exact });
  assert.equal(e.status, 400, 'read whole, then refused for its fields');
  assert.notEqual(e.body.type, 'https://trackgen.dev/problems/payload-too-large');
});

test('a body with the wrong Content-Type is 415', async () => {
  const r = await api('POST', '/v1/offers', { key: ADMIN, rawBody: '{}', contentType: 'text/plain' });
  assert.equal(r.status, 415);
  assert.equal(r.body.type, 'https://trackgen.dev/problems/unsupported-media-type');
  const m = await api('POST', '/v1/offers', { key: ADMIN, rawBody: '{}', contentType: 'application/merge-patch+json' });
  assert.equal(m.status, 415); /* merge-patch is for PATCH only */
});

test('unknown routes are 404 and wrong methods 405 with Allow', async () => {
  const r = await api('GET', '/v1/nothing-here', { key: ADMIN, skipContract: true });
  assert.equal(r.status, 404);
  assert.equal(r.headers.get('content-type'), 'application/problem+json');
  assert.equal(r.body.type, 'https://trackgen.dev/problems/not-found');
  for (const path of ['/v1/offers/abc', '/v1/offers/0', '/v1/offers/1/']) {
    assert.equal((await api('GET', path, { key: ADMIN, skipContract: true })).status, 404, path);
  }
  const w = await api('PUT', '/v1/offers', { key: ADMIN, skipContract: true });
  assert.equal(w.status, 405);
  assert.equal(w.headers.get('allow'), 'GET, HEAD, POST, OPTIONS');
  assert.equal(w.body.type, 'https://trackgen.dev/problems/method-not-allowed');
});

test('unknown and repeated query parameters are 400 naming them', async () => {
  const r = await api('GET', '/v1/offers?colour=red', { key: ADMIN });
  assert.equal(r.status, 400);
  assert.deepEqual(r.body.errors, [{ field: 'colour', in: 'query', reason: 'is not a known parameter' }]);
  const d = await api('GET', '/v1/offers?limit=1&limit=2', { key: ADMIN });
  assert.equal(d.status, 400);
  assert.equal(d.body.errors[0].field, 'limit');
  const h = await api('GET', '/healthz?x=1');
  assert.equal(h.status, 400);
});
