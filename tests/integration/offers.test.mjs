// Offers as admins manage them and as partners see them (visibility, grants, ETags, URLs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, ADMIN, uniq, createOffer, grant, partnerWithKey } from './lib/client.mjs';

test('admin creates, reads, merge-patches and archives an offer', async () => {
  const name = uniq('Summer Sale');
  const c = await api('POST', '/v1/offers', {
    key: ADMIN,
    body: { name, destination_url: 'https://shop.example/?t={transaction_id}', fallback_url: 'https://shop.example/', category: 'Retail' },
  });
  assert.equal(c.status, 201);
  assert.equal(c.headers.get('location'), `/v1/offers/${c.body.id}`);
  assert.equal(c.body.status, 'active');
  assert.equal(c.body.visibility, 'public');
  assert.equal(c.body.currency, 'USD');
  assert.deepEqual(c.body.urls, []);
  const p = await api('PATCH', `/v1/offers/${c.body.id}`, {
    key: ADMIN, contentType: 'application/merge-patch+json', body: { fallback_url: null, payout: '$5 CPA' },
  });
  assert.equal(p.status, 200);
  assert.equal(p.body.fallback_url, null);
  assert.equal(p.body.payout, '$5 CPA');
  assert.equal(p.body.category, 'Retail');
  assert.equal(p.body.name, name);
  const d = await api('DELETE', `/v1/offers/${c.body.id}`, { key: ADMIN });
  assert.equal(d.status, 204);
  assert.equal((await api('GET', `/v1/offers/${c.body.id}`, { key: ADMIN })).body.status, 'archived');
  assert.equal((await api('DELETE', '/v1/offers/999999999', { key: ADMIN })).status, 404);
});

test('ETag and If-None-Match: 304 while unchanged, a new ETag after a change', async () => {
  const o = await createOffer();
  const a = await api('GET', `/v1/offers/${o.id}`, { key: ADMIN });
  const etag = a.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]{40}"$/);
  const b = await api('GET', `/v1/offers/${o.id}`, { key: ADMIN, headers: { 'If-None-Match': etag } });
  assert.equal(b.status, 304);
  assert.equal(b.text, '');
  await api('PATCH', `/v1/offers/${o.id}`, { key: ADMIN, body: { description: 'changed' } });
  const c = await api('GET', `/v1/offers/${o.id}`, { key: ADMIN, headers: { 'If-None-Match': etag } });
  assert.equal(c.status, 200);
  assert.notEqual(c.headers.get('etag'), etag);
});

test('duplicate offer names are 409 naming name; duplicate URL names within an offer too', async () => {
  const o = await createOffer();
  const dup = await api('POST', '/v1/offers', { key: ADMIN, body: { name: o.name, destination_url: 'https://x.example/' } });
  assert.equal(dup.status, 409);
  assert.deepEqual(dup.body.errors.map((e) => e.field), ['name']);
  const u1 = await api('POST', `/v1/offers/${o.id}/urls`, { key: ADMIN, body: { name: 'Shoes', destination_url: 'https://x.example/s' } });
  assert.equal(u1.status, 201);
  assert.equal(u1.headers.get('location'), `/v1/offers/${o.id}/urls/${u1.body.id}`);
  const u2 = await api('POST', `/v1/offers/${o.id}/urls`, { key: ADMIN, body: { name: 'Shoes', destination_url: 'https://x.example/t' } });
  assert.equal(u2.status, 409);
  const other = await createOffer(); /* the same URL name is fine on another offer */
  assert.equal((await api('POST', `/v1/offers/${other.id}/urls`, { key: ADMIN, body: { name: 'Shoes', destination_url: 'https://x.example/s' } })).status, 201);
  assert.equal((await api('POST', '/v1/offers/999999999/urls', { key: ADMIN, body: { name: 'X', destination_url: 'https://x.example/' } })).status, 404);
});

test('offer URLs: list, patch, archive; partners do not see archived ones', async () => {
  const o = await createOffer();
  const { key } = await partnerWithKey();
  const a = (await api('POST', `/v1/offers/${o.id}/urls`, { key: ADMIN, body: { name: 'A', destination_url: 'https://x.example/a' } })).body;
  const b = (await api('POST', `/v1/offers/${o.id}/urls`, { key: ADMIN, body: { name: 'B', destination_url: 'https://x.example/b' } })).body;
  const list = await api('GET', `/v1/offers/${o.id}/urls`, { key: ADMIN });
  assert.deepEqual(list.body.data.map((u) => u.id), [a.id, b.id]);
  const patched = await api('PATCH', `/v1/offers/${o.id}/urls/${a.id}`, { key: ADMIN, body: { status: 'paused' } });
  assert.equal(patched.body.status, 'paused');
  assert.equal((await api('DELETE', `/v1/offers/${o.id}/urls/${b.id}`, { key: ADMIN })).status, 204);
  const seen = await api('GET', `/v1/offers/${o.id}`, { key });
  assert.deepEqual(seen.body.urls.map((u) => u.id), [a.id]);
  const admin = await api('GET', `/v1/offers/${o.id}`, { key: ADMIN });
  assert.deepEqual(admin.body.urls.map((u) => u.id), [a.id, b.id]);
});

test('partner visibility: public yes, private and require_approval only with a grant, archived never', async () => {
  const { partner, key } = await partnerWithKey();
  const pub = await createOffer();
  const priv = await createOffer({ visibility: 'private' });
  const appr = await createOffer({ visibility: 'require_approval' });
  const arch = await createOffer({ status: 'archived' });
  const visible = async (id) => (await api('GET', `/v1/offers/${id}`, { key })).status;
  assert.equal(await visible(pub.id), 200);
  assert.equal(await visible(priv.id), 404);
  assert.equal(await visible(appr.id), 404);
  assert.equal(await visible(arch.id), 404);
  const g = await api('PUT', `/v1/offers/${appr.id}/partners/${partner.id}`, { key: ADMIN });
  assert.equal(g.status, 201);
  assert.equal((await api('PUT', `/v1/offers/${appr.id}/partners/${partner.id}`, { key: ADMIN })).status, 200);
  assert.equal(await visible(appr.id), 200);
  const grants = await api('GET', `/v1/offers/${appr.id}/partners`, { key: ADMIN });
  assert.deepEqual(grants.body.data.map((x) => x.partner_id), [partner.id]);
  assert.equal((await api('DELETE', `/v1/offers/${appr.id}/partners/${partner.id}`, { key: ADMIN })).status, 204);
  assert.equal((await api('DELETE', `/v1/offers/${appr.id}/partners/${partner.id}`, { key: ADMIN })).status, 404);
  assert.equal(await visible(appr.id), 404);
  const list = await api('GET', '/v1/offers?limit=200&q=' + encodeURIComponent(pub.name.split('-').slice(0, -1).join('-')), { key });
  assert.ok(list.body.data.some((o) => o.id === pub.id));
  assert.ok(!list.body.data.some((o) => o.id === priv.id || o.id === arch.id));
  assert.equal((await api('PUT', `/v1/offers/${appr.id}/partners/999999999`, { key: ADMIN })).status, 404);
});

test("partner A cannot see partner B's private offer: 404, also in lists", async () => {
  const a = await partnerWithKey();
  const b = await partnerWithKey();
  const secret = await createOffer({ visibility: 'private', name: uniq('B only') });
  await grant(secret.id, b.partner.id);
  assert.equal((await api('GET', `/v1/offers/${secret.id}`, { key: b.key })).status, 200);
  assert.equal((await api('GET', `/v1/offers/${secret.id}`, { key: a.key })).status, 404);
  const listA = await api('GET', `/v1/offers?q=${encodeURIComponent(secret.name)}`, { key: a.key });
  assert.deepEqual(listA.body.data, []);
  const listB = await api('GET', `/v1/offers?q=${encodeURIComponent(secret.name)}`, { key: b.key });
  assert.deepEqual(listB.body.data.map((o) => o.id), [secret.id]);
});

test('list filters: status, and q matches % and _ literally', async () => {
  const tag = uniq('lit');
  const pct = await createOffer({ name: `${tag} 50%_off` });
  const plain = await createOffer({ name: `${tag} 50xyoff`, status: 'paused' });
  const q = await api('GET', `/v1/offers?q=${encodeURIComponent('50%_off')}&limit=200`, { key: ADMIN });
  assert.ok(q.body.data.some((o) => o.id === pct.id));
  assert.ok(!q.body.data.some((o) => o.id === plain.id));
  const paused = await api('GET', `/v1/offers?status=paused&q=${encodeURIComponent(tag)}`, { key: ADMIN });
  assert.deepEqual(paused.body.data.map((o) => o.id), [plain.id]);
  const bad = await api('GET', '/v1/offers?status=deleted', { key: ADMIN });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.errors[0].field, 'status');
});

test('partners: create, patch, list by status', async () => {
  const name = uniq('Acme');
  const c = await api('POST', '/v1/partners', { key: ADMIN, body: { name, email: 'ops@acme.example' } });
  assert.equal(c.status, 201);
  assert.equal((await api('POST', '/v1/partners', { key: ADMIN, body: { name } })).status, 409);
  const p = await api('PATCH', `/v1/partners/${c.body.id}`, { key: ADMIN, body: { email: null } });
  assert.equal(p.body.email, null);
  const bad = await api('PATCH', `/v1/partners/${c.body.id}`, { key: ADMIN, body: { name: null } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.errors[0].reason, 'must not be null');
  const list = await api('GET', '/v1/partners?status=active&limit=200', { key: ADMIN });
  assert.equal(list.status, 200);
  assert.ok(list.body.data.every((x) => x.status === 'active'));
});
