// Input that once made the service misbehave (issue 9): times PostgreSQL refuses, huge error
// lists, repeated offer ids, cursors carried from one list to another — and a sweep of hostile
// values over every list filter and body field, none of which may ever give a 5xx.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, ADMIN, BASE, uniq, createOffer, createPartner, partnerWithKey, linksFor, hitsTagged, rawGet } from './lib/client.mjs';
import { fromAddress } from './lib/raw.mjs';

test('GET /v1/hits times: year 0000, 9999 and lower-case t/z are accepted; dates that do not exist are 400 naming the parameter', async () => {
  for (const from of ['0000-01-01T00:00:00Z', '9999-12-31T23:59:60-23:59', '2026-11-01t00:00:00z', '2026-11-01T00:00:00.123456789+05:45']) {
    const r = await api('GET', `/v1/hits?limit=1&from=${encodeURIComponent(from)}`, { key: ADMIN });
    assert.equal(r.status, 200, from);
  }
  for (const [name, value] of [['from', '2026-02-30T00:00:00Z'], ['to', '2025-02-29T00:00:00Z'], ['from', '2026-11-25T24:00:00Z'],
    ['to', '2026-11-25T10:00:00+24:00'], ['from', '2026-11-25 10:00:00Z'], ['from', '2026-11-25T10:00:00']]) {
    const r = await api('GET', `/v1/hits?${name}=${encodeURIComponent(value)}`, { key: ADMIN });
    assert.equal(r.status, 400, `${name}=${value}`);
    assert.deepEqual(r.body.errors.map((e) => [e.field, e.in]), [[name, 'query']]);
  }
});

test('GET /v1/hits from/to select exactly, whatever the zone or case they are written in', async () => {
  const { key } = await partnerWithKey();
  const o = await createOffer();
  const [link] = await linksFor(key, { offers: [o.id] });
  const tag = uniq('times');
  for (let i = 0; i < 3; i++) assert.equal((await rawGet(`/c/${link.token}?sub1=${tag}`)).status, 302);
  const hits = await hitsTagged(key, tag, 3);
  assert.equal(hits.length, 3);
  const times = hits.map((h) => Date.parse(h.hit_at)).sort((a, b) => a - b);
  const iso = (ms, offsetMin = 0) => {
    const d = new Date(ms + offsetMin * 60000).toISOString().replace('Z', '');
    if (offsetMin === 0) return `${d.replace('T', 't')}z`;
    const sign = offsetMin > 0 ? '+' : '-';
    const a = Math.abs(offsetMin);
    return `${d}${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
  };
  const count = async (from, to) => {
    const r = await api('GET', `/v1/hits?limit=200&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { key });
    assert.equal(r.status, 200);
    return r.body.data.filter((h) => h.sub1 === tag).length;
  };
  // hit_at has millisecond precision in the answer; the stored time may have more, so bound by whole ms
  assert.equal(await count(iso(times[0]), iso(times[2] + 1)), 3);
  assert.equal(await count(iso(times[0], 330), iso(times[2] + 1, -420)), 3);
  assert.equal(await count(iso(times[2] + 1), iso(times[2] + 60000)), 0);
  assert.equal(await count(iso(times[0] - 60000, -90), iso(times[0] - 1, 90)), 0);
});

test('a body with 80 000 unknown keys gets at most 50 errors and a count of the rest, from any endpoint', async () => {
  const keys = Array.from({ length: 80000 }, (_, i) => `"k${i}":1`).join(',');
  const raw = `{"token":"x",${keys}}`;
  assert.ok(raw.length < 1048576);
  for (const [method, path, key] of [['POST', '/v1/clicks', undefined], ['POST', '/v1/offers', ADMIN]]) {
    const r = await api(method, path, { key, rawBody: raw });
    assert.equal(r.status, 400, path);
    assert.equal(r.body.errors.length, 50);
    assert.ok(r.body.errors_omitted >= 79950, `${path}: errors_omitted ${r.body.errors_omitted}`);
    assert.equal(r.body.errors.length + r.body.errors_omitted, 80000 + (path === '/v1/offers' ? 3 : 0),
      'every bad field is counted (offers: also token unknown, name and destination_url missing)');
    assert.match(r.body.detail, /fields are invalid; the first 50 are listed/);
    assert.ok(r.text.length < 8192, `${path}: ${r.text.length} bytes`);
  }
});

test('repeated offer ids are merged; offers that cannot be used are named by index, the same for "missing" and "not yours"', async () => {
  const { partner, key } = await partnerWithKey();
  const pub = await createOffer();
  const priv = await createOffer({ visibility: 'private' });
  const other = await createPartner();
  const r1 = await api('POST', '/v1/tracking-links', { key, body: { offers: [pub.id, pub.id, pub.id] } });
  assert.equal(r1.status, 200);
  assert.deepEqual(r1.body.data.map((l) => l.offer_id), [pub.id]);
  const missing = 2 ** 53 - 1;
  const r2 = await api('POST', '/v1/tracking-links', { key, body: { offers: [pub.id, missing, priv.id, missing, pub.id] } });
  assert.equal(r2.status, 404);
  assert.equal(r2.body.type, 'https://trackgen.dev/problems/not-found');
  assert.deepEqual(r2.body.errors.map((e) => [e.field, e.in]), [['offers[1]', 'body'], ['offers[2]', 'body']]);
  const reasons = r2.body.errors.map((e) => e.reason.replace(/\d+/g, 'N'));
  assert.equal(reasons[0], reasons[1], 'a missing offer and a private one read alike');
  assert.match(r2.body.errors[1].reason, new RegExp(`offer ${priv.id} `));
  // an admin asking for another partner's links sees the same rule
  const r3 = await api('POST', '/v1/tracking-links', { key: ADMIN, body: { partner_id: other.id, offers: [priv.id, priv.id] } });
  assert.equal(r3.status, 404);
  assert.deepEqual(r3.body.errors.map((e) => e.field), ['offers[0]']);
  assert.ok(partner.id);
});

async function firstCursor(path, key = ADMIN, opts = {}) {
  const r = await api(opts.method || 'GET', path, { key, body: opts.body });
  assert.equal(r.status, 200, path);
  assert.ok(r.body.next_cursor, `${path} has a second page`);
  return r.body.next_cursor;
}

test('a cursor is only accepted by the list, and with the filters, that issued it', async () => {
  const tag = uniq('bind');
  const o1 = await createOffer({ name: `${tag}-a` });
  await createOffer({ name: `${tag}-b` });
  await createOffer({ name: `${tag}-c` });
  for (const n of ['u1', 'u2', 'u3']) {
    const r = await api('POST', `/v1/offers/${o1.id}/urls`, { key: ADMIN, body: { name: n, destination_url: 'https://u.example/' } });
    assert.equal(r.status, 201);
  }
  const o2 = await createOffer();
  await createPartner();
  await createPartner();
  const offers = await firstCursor(`/v1/offers?limit=1&q=${tag}`);
  // the same list and filters, any limit: accepted
  for (const q of [`limit=1&q=${tag}`, `q=${tag}&limit=2`, `q=${tag}`]) {
    const r = await api('GET', `/v1/offers?${q}&cursor=${offers}`, { key: ADMIN });
    assert.equal(r.status, 200, q);
  }
  const urls = await firstCursor(`/v1/offers/${o1.id}/urls?limit=1`);
  const partners = await firstCursor('/v1/partners?limit=1');
  const bad = [
    `/v1/offers?limit=1&cursor=${offers}`, // filter dropped
    `/v1/offers?limit=1&q=${tag}x&cursor=${offers}`, // other filter value
    `/v1/offers?limit=1&q=${tag}&status=active&cursor=${offers}`, // filter added
    `/v1/partners?limit=1&cursor=${offers}`, // another list
    `/v1/api-keys?limit=1&cursor=${offers}`,
    `/v1/offers/${o2.id}/urls?limit=1&cursor=${urls}`, // the same list of another offer
    `/v1/offers?limit=1&q=${tag}&cursor=${partners}`,
    `/v1/hits?limit=1&cursor=${partners}`,
  ];
  for (const path of bad) {
    const r = await api('GET', path, { key: ADMIN });
    assert.equal(r.status, 400, path);
    assert.deepEqual(r.body.errors.map((e) => [e.field, e.in]), [['cursor', 'query']], path);
  }
  // POST /v1/tracking-links: the cursor is bound to the partner and the selected offers
  const { key } = await partnerWithKey();
  const linksCursor = await firstCursor('/v1/tracking-links?limit=1', key, { method: 'POST', body: { offers: 'all' } });
  const next = await api('POST', `/v1/tracking-links?limit=1&cursor=${linksCursor}`, { key, body: { offers: 'all', sub1: 'x' } });
  assert.equal(next.status, 200, 'link parameters do not change the offers paged over');
  const other = await api('POST', `/v1/tracking-links?limit=1&cursor=${linksCursor}`, { key, body: { offers: [o1.id, o2.id] } });
  assert.equal(other.status, 400);
  assert.equal(other.body.errors[0].field, 'cursor');
  const { key: key2 } = await partnerWithKey();
  const stolen = await api('POST', `/v1/tracking-links?limit=1&cursor=${linksCursor}`, { key: key2, body: { offers: 'all' } });
  assert.equal(stolen.status, 400, 'another partner cannot use the cursor');
});

test('GET /v1/hits pages with signed cursors to the last hit, and a hits cursor does not fit other filters', async () => {
  const { key } = await partnerWithKey();
  const o = await createOffer();
  const [link] = await linksFor(key, { offers: [o.id] });
  const tag = uniq('hpage');
  for (let i = 0; i < 7; i++) assert.equal((await rawGet(`/c/${link.token}?sub1=${tag}`)).status, 302);
  assert.equal((await hitsTagged(key, tag, 7)).length, 7);
  const seen = [];
  let cursor = null;
  let pages = 0;
  do {
    const r = await api('GET', `/v1/hits?limit=2&offer_id=${o.id}${cursor ? `&cursor=${cursor}` : ''}`, { key });
    assert.equal(r.status, 200);
    seen.push(...r.body.data.map((h) => h.transaction_id));
    cursor = r.body.next_cursor;
    pages += 1;
  } while (cursor && pages < 10);
  assert.equal(seen.length, 7);
  assert.equal(new Set(seen).size, 7);
  const c = await firstCursor(`/v1/hits?limit=2&offer_id=${o.id}`, key);
  const r = await api('GET', `/v1/hits?limit=2&offer_id=${o.id}&kind=click&cursor=${c}`, { key });
  assert.equal(r.status, 400);
});

// Hostile values for every list filter and body field: a 4xx problem or a 2xx, never a 5xx.
const HOSTILE_SCALARS = ['0', '-1', '9223372036854775807', '9223372036854775808', '99999999999999999999', '1e400', '1.5',
  'NaN', '%00', '%FF', '%C0%AF', 'x'.repeat(3000), '%F0%9F%98%80'.repeat(300), "' OR 1=1 --", '0000-01-01T00:00:00Z',
  '2026-02-30T00:00:00Z', '-infinity', '\\u0000', '%E2%80%AE'];
const HOSTILE_JSON = [0, -1, 2 ** 63, -(2 ** 63), 1e308, 1.5, '', ' ', 'x'.repeat(70000), '\u202e', '\ud83d\ude00'.repeat(300),
  "' OR 1=1 --", null, true, [], {}, [1, 'a'], { a: { b: [] } }, '0000-01-01T00:00:00Z', 'javascript:alert(1)', '\u0001'];

test('hostile query values on every list never give a 5xx', async () => {
  const { key } = await partnerWithKey();
  const lists = {
    '/v1/offers': ['limit', 'cursor', 'status', 'q'],
    '/v1/partners': ['limit', 'cursor', 'status'],
    '/v1/api-keys': ['limit', 'cursor', 'partner_id'],
    '/v1/hits': ['limit', 'cursor', 'kind', 'offer_id', 'partner_id', 'from', 'to'],
    '/v1/offers/1/urls': ['limit', 'cursor'],
    '/v1/hit-quarantine': ['limit', 'cursor'],
    '/v1/qr': ['data', 'size', 'margin', 'ecc', 'fg', 'bg', 'format', 'download'],
  };
  let n = 0;
  for (const [path, params] of Object.entries(lists)) {
    for (const p of params) {
      for (const v of HOSTILE_SCALARS) {
        for (const k of [ADMIN, key]) {
          const res = await fetch(`${BASE}${path}?${p}=${v}`, { headers: { Authorization: `Bearer ${k}` } });
          await res.arrayBuffer();
          n += 1;
          assert.ok(res.status < 500, `${path}?${p}=${v.slice(0, 40)} -> ${res.status}`);
        }
      }
    }
  }
  assert.ok(n > 500);
});

test('hostile JSON values in every body field never give a 5xx', async () => {
  const o = await createOffer();
  const p = await createPartner();
  const bodies = [
    ['POST', '/v1/offers', { name: uniq('h'), destination_url: 'https://h.example/' },
      ['name', 'description', 'status', 'visibility', 'destination_url', 'fallback_url', 'currency', 'payout', 'preview_url', 'thumbnail_url', 'category']],
    ['PATCH', `/v1/offers/${o.id}`, {}, ['name', 'status', 'destination_url', 'currency', 'payout', 'category']],
    ['POST', '/v1/partners', { name: uniq('h') }, ['name', 'email', 'status']],
    ['PATCH', `/v1/partners/${p.id}`, {}, ['name', 'email', 'status']],
    ['POST', '/v1/api-keys', { role: 'partner', partner_id: p.id }, ['role', 'partner_id', 'name']],
    ['POST', `/v1/offers/${o.id}/urls`, { name: uniq('u'), destination_url: 'https://h.example/' }, ['name', 'destination_url', 'status']],
    ['POST', '/v1/tracking-links', { offers: [o.id], partner_id: p.id },
      ['offers', 'partner_id', 'offer_url_id', 'include_additional_urls', 'kind', 'source_id', 'sub1', 'sub5']],
    ['POST', '/v1/clicks', { token: 'x' }, ['token', 'source_id', 'sub1']],
  ];
  let clients = 0;
  for (const [method, path, base, fields] of bodies) {
    for (const f of fields) {
      for (const v of HOSTILE_JSON) {
        const body = { ...base, [f]: v };
        if (typeof body.name === 'string' && f !== 'name') body.name = uniq('h');
        let status;
        if (path === '/v1/clicks') {
          // public and limited per client: each request comes from its own client behind the trusted proxy
          clients += 1;
          const r = await fromAddress('127.0.0.2', method, path, { body, headers: { 'X-Forwarded-For': `198.51.100.${clients}` } });
          status = r.status;
          assert.notEqual(status, 429, 'the sweep must reach the handler');
        } else {
          const res = await fetch(BASE + path, {
            method, body: JSON.stringify(body),
            headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' },
          });
          await res.arrayBuffer();
          status = res.status;
        }
        assert.ok(status < 500, `${method} ${path} ${f}=${JSON.stringify(v).slice(0, 40)} -> ${status}`);
      }
    }
  }
});
