// Rate limits: per API key on /v1 (the server's TRACKGEN_RATE_LIMIT, or a key's own rate_limit),
// per client address on POST /v1/clicks (TRACKGEN_CLICKS_RATE_LIMIT; distinct clients come through
// the trusted proxy 127.0.0.2 with X-Forwarded-For), answered with 429 problem+json, Retry-After and
// the RateLimit fields — and never on /c, /i and /qr, which take every visitor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, ADMIN, createOffer, createPartner, hitsTagged, linksFor, partnerWithKey, uniq } from './lib/client.mjs';
import { fromAddress } from './lib/raw.mjs';

const KEY_LIMIT = Number(process.env.TG_RATE_LIMIT);
const CLICKS_LIMIT = Number(process.env.TG_CLICKS_RATE_LIMIT);
const TOO_MANY = 'https://trackgen.dev/problems/too-many-requests';

/* A documentation-range address no other test uses. */
const freshIp = (() => {
  let n = 0;
  const base = process.pid % 200;
  return () => `192.0.2.${(base + ++n) % 250 + 1}`;
})();

async function keyWithLimit(rateLimit) {
  const partner = await createPartner();
  const r = await api('POST', '/v1/api-keys', { key: ADMIN, body: { role: 'partner', partner_id: partner.id, rate_limit: rateLimit } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.rate_limit, rateLimit);
  return r.body.key;
}

const remaining = (r) => Number(/;r=(\d+);/.exec(r.headers.get('ratelimit'))?.[1]);

test('a key over its own limit gets 429 with Retry-After and RateLimit fields; another key is unaffected', async () => {
  const limited = await keyWithLimit(3);
  const other = await keyWithLimit(3);
  for (let i = 0; i < 3; i++) {
    const r = await api('GET', '/v1/me', { key: limited });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('ratelimit-policy'), '"key";q=3;w=60');
    assert.equal(remaining(r), 2 - i);
  }
  const over = await api('GET', '/v1/me', { key: limited, headers: { Origin: 'https://app.example' } });
  assert.equal(over.status, 429);
  assert.equal(over.headers.get('content-type'), 'application/problem+json');
  assert.equal(over.body.type, TOO_MANY);
  assert.equal(over.body.status, 429);
  const retry = Number(over.headers.get('retry-after'));
  assert.ok(retry >= 1 && retry <= 20, `Retry-After ${retry}`);
  assert.equal(over.headers.get('ratelimit'), `"key";r=0;t=${retry}`);
  assert.equal(over.headers.get('ratelimit-policy'), '"key";q=3;w=60');
  assert.match(over.headers.get('x-request-id'), /^[0-9a-f]{32}$/);
  for (const h of ['RateLimit', 'RateLimit-Policy', 'Retry-After']) {
    assert.ok(over.headers.get('access-control-expose-headers').split(', ').includes(h), h);
  }
  // One limit per key, whatever the route; and a refused request does not extend the wait.
  const elsewhere = await api('GET', '/v1/offers', { key: limited });
  assert.equal(elsewhere.status, 429);
  assert.ok(Number(elsewhere.headers.get('retry-after')) <= retry);

  const fine = await api('GET', '/v1/me', { key: other });
  assert.equal(fine.status, 200);
  assert.equal(remaining(fine), 2);
});

test("the server's limit applies to keys without their own, and rate_limit 0 means unlimited", async () => {
  const r = await api('GET', '/v1/me', { key: ADMIN });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('ratelimit-policy'), `"key";q=${KEY_LIMIT};w=60`);
  assert.ok(remaining(r) >= 0 && remaining(r) < KEY_LIMIT);

  const unlimited = await keyWithLimit(0);
  for (let i = 0; i < 5; i++) {
    const u = await api('GET', '/v1/me', { key: unlimited });
    assert.equal(u.status, 200);
    assert.equal(u.headers.get('ratelimit'), null);
    assert.equal(u.headers.get('ratelimit-policy'), null);
  }
});

test('rate_limit is validated and shown on the key', async () => {
  const partner = await createPartner();
  for (const bad of [-1, 100001, 'many', 1.5]) {
    const r = await api('POST', '/v1/api-keys', { key: ADMIN, body: { role: 'partner', partner_id: partner.id, rate_limit: bad } });
    assert.equal(r.status, 400, String(bad));
    assert.deepEqual(r.body.errors.map((e) => e.field), ['rate_limit'], String(bad));
  }
  const made = await api('POST', '/v1/api-keys', { key: ADMIN, body: { role: 'admin', rate_limit: 100000 } });
  assert.equal(made.status, 201);
  const got = await api('GET', `/v1/api-keys/${made.body.id}`, { key: ADMIN });
  assert.equal(got.body.rate_limit, 100000);
  const plain = await api('POST', '/v1/api-keys', { key: ADMIN, body: { role: 'admin' } });
  assert.equal(plain.body.rate_limit, null);
});

test('POST /v1/clicks is limited per client address; another address is unaffected and nothing over the limit is stored', async () => {
  const { key } = await partnerWithKey();
  const o = await createOffer();
  const [link] = await linksFor(key, { offers: [o.id] });
  const tag = uniq('limited');
  const client = freshIp();
  const send = (ip) => fromAddress('127.0.0.2', 'POST', '/v1/clicks', {
    headers: { 'X-Forwarded-For': ip },
    body: { token: link.token, sub1: tag },
  });
  for (let i = 0; i < CLICKS_LIMIT; i++) {
    const r = await send(client);
    assert.equal(r.status, 201, `click ${i}: ${r.text}`);
    assert.equal(r.headers.get('ratelimit-policy'), `"client";q=${CLICKS_LIMIT};w=60`);
  }
  const over = await send(client);
  assert.equal(over.status, 429);
  assert.equal(over.body.type, TOO_MANY);
  assert.ok(Number(over.headers.get('retry-after')) >= 1);
  assert.match(over.headers.get('ratelimit'), /^"client";r=0;t=\d+$/);

  const another = await send(freshIp());
  assert.equal(another.status, 201);
  // A client behind the trusted proxy cannot become someone else by prepending an address.
  const spoof = await send(`${freshIp()}, ${client}`);
  assert.equal(spoof.status, 429);

  const hits = await hitsTagged(key, tag, CLICKS_LIMIT + 1);
  assert.equal(hits.length, CLICKS_LIMIT + 1); /* the limit's worth and the other address's one */
  assert.equal(hits.filter((h) => h.ip === client).length, CLICKS_LIMIT);
});

test('/c, /i and /qr take clicks far beyond any limit, all answered and all stored', async () => {
  const { key } = await partnerWithKey();
  const o = await createOffer();
  const [link] = await linksFor(key, { offers: [o.id] });
  const [imp] = await linksFor(key, { offers: [o.id], kind: 'impression' });
  const tag = uniq('unlimited');
  const client = freshIp();
  // The client first uses up its POST /v1/clicks quota.
  const statusesOf = async (count, send) => {
    const out = [];
    for (let i = 0; i < count; i++) out.push((await send()).status);
    return out;
  };
  const direct = await statusesOf(CLICKS_LIMIT + 1, () => fromAddress('127.0.0.2', 'POST', '/v1/clicks', {
    headers: { 'X-Forwarded-For': client }, body: { token: link.token },
  }));
  assert.equal(direct.at(-1), 429);

  const n = 5 * CLICKS_LIMIT;
  const statuses = [];
  for (let i = 0; i < n; i += 10) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + 10); j++) {
      batch.push(fromAddress('127.0.0.2', 'GET', `/c/${link.token}?sub1=${tag}&sub2=${j}`, { headers: { 'X-Forwarded-For': client } }));
    }
    for (const res of await Promise.all(batch)) {
      statuses.push(res.status);
      assert.equal(res.headers.get('ratelimit'), null);
    }
  }
  assert.deepEqual([...new Set(statuses)], [302]);
  for (let i = 0; i < CLICKS_LIMIT + 5; i++) {
    const i1 = await fromAddress('127.0.0.2', 'GET', `/i/${imp.token}?sub1=${tag}`, { headers: { 'X-Forwarded-For': client } });
    assert.equal(i1.status, 200);
  }
  for (let i = 0; i < CLICKS_LIMIT + 5; i++) {
    const q = await fromAddress('127.0.0.2', 'GET', `/qr/${link.token}.svg?size=64`, { headers: { 'X-Forwarded-For': client } });
    assert.equal(q.status, 200);
    assert.equal(q.headers.get('ratelimit'), null);
  }
  const hits = await hitsTagged(key, tag, n + CLICKS_LIMIT + 5);
  assert.equal(hits.filter((h) => h.kind === 'click').length, n);
  assert.equal(new Set(hits.filter((h) => h.kind === 'click').map((h) => h.sub2)).size, n);
  assert.equal(hits.filter((h) => h.kind === 'impression').length, CLICKS_LIMIT + 5);
});
