// API keys: 401s, revocation, suspension, X-Api-Key, partner keys on admin routes (404).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, ADMIN, createPartner, createPartnerKey, partnerWithKey } from './lib/client.mjs';

const UNKNOWN = 'tg_000000000000_0000000000000000000000000000000000000000000000000000000000000000';

test('missing, malformed and unknown keys are 401 with WWW-Authenticate', async () => {
  for (const headers of [{}, { Authorization: 'Bearer nonsense' }, { Authorization: `Bearer ${UNKNOWN}` },
    { Authorization: 'Basic dXNlcjpwYXNz' }, { 'X-Api-Key': UNKNOWN }]) {
    const r = await api('GET', '/v1/offers', { headers });
    assert.equal(r.status, 401);
    assert.equal(r.body.type, 'https://trackgen.dev/problems/unauthorized');
    assert.match(r.headers.get('www-authenticate'), /^Bearer realm="trackgen"/);
  }
});

test('X-Api-Key works like a Bearer token', async () => {
  const r = await api('GET', '/v1/me', { headers: { 'X-Api-Key': ADMIN } });
  assert.equal(r.status, 200);
  assert.equal(r.body.role, 'admin');
  assert.equal(r.body.partner, null);
});

test('a created key is shown once; a revoked key is 401', async () => {
  const partner = await createPartner();
  const created = await api('POST', '/v1/api-keys', { key: ADMIN, body: { role: 'partner', partner_id: partner.id } });
  assert.equal(created.status, 201);
  assert.match(created.body.key, /^tg_[0-9a-f]{12}_[0-9a-f]{64}$/);
  assert.equal(created.body.prefix, created.body.key.slice(0, 15));
  assert.equal(created.headers.get('location'), `/v1/api-keys/${created.body.id}`);
  const me = await api('GET', '/v1/me', { key: created.body.key });
  assert.equal(me.status, 200);
  assert.equal(me.body.role, 'partner');
  assert.equal(me.body.partner.id, partner.id);
  const shown = await api('GET', `/v1/api-keys/${created.body.id}`, { key: ADMIN });
  assert.equal(shown.body.key, undefined);
  assert.equal(JSON.stringify(shown.body).includes(created.body.key.slice(16)), false);
  assert.equal((await api('DELETE', `/v1/api-keys/${created.body.id}`, { key: ADMIN })).status, 204);
  assert.equal((await api('DELETE', `/v1/api-keys/${created.body.id}`, { key: ADMIN })).status, 204);
  const after = await api('GET', '/v1/me', { key: created.body.key });
  assert.equal(after.status, 401);
  assert.match(after.body.detail, /revoked/);
});

test("a suspended partner's key is 401", async () => {
  const { partner, key } = await partnerWithKey();
  assert.equal((await api('GET', '/v1/me', { key })).status, 200);
  assert.equal((await api('DELETE', `/v1/partners/${partner.id}`, { key: ADMIN })).status, 204);
  assert.equal((await api('GET', '/v1/me', { key })).status, 401);
});

test('a partner key on admin-only routes gets 404, never 403', async () => {
  const { key } = await partnerWithKey();
  for (const [method, path, body] of [['GET', '/v1/partners'], ['POST', '/v1/offers', { name: 'x', destination_url: 'https://x.example/' }],
    ['GET', '/v1/api-keys'], ['POST', '/v1/api-keys', { role: 'admin' }], ['GET', '/v1/offers/1/urls']]) {
    const r = await api(method, path, { key, body });
    assert.equal(r.status, 404, `${method} ${path}`);
    assert.equal(r.body.type, 'https://trackgen.dev/problems/not-found');
  }
});

test('api key create validates role and partner_id', async () => {
  const a = await api('POST', '/v1/api-keys', { key: ADMIN, body: { role: 'partner' } });
  assert.equal(a.status, 400);
  assert.equal(a.body.errors[0].field, 'partner_id');
  const b = await api('POST', '/v1/api-keys', { key: ADMIN, body: { role: 'admin', partner_id: 1 } });
  assert.equal(b.status, 400);
  const c = await api('POST', '/v1/api-keys', { key: ADMIN, body: { role: 'partner', partner_id: 999999999 } });
  assert.equal(c.status, 400);
  assert.deepEqual(c.body.errors.map((e) => e.field), ['partner_id']);
  const d = await api('POST', '/v1/api-keys', { key: ADMIN, body: { role: 'root' } });
  assert.equal(d.status, 400);
  assert.equal(d.body.errors[0].field, 'role');
  const partner = await createPartner();
  assert.match(await createPartnerKey(partner.id), /^tg_/);
});
