// API reads from memory: keys from the key cache, offers from the offer snapshot (src/api/key_cache.h,
// src/db/live_cache.h). Each worker process is asked directly on its own FastCGI socket, so "every
// process" is checked, not whichever nginx picked. Changes through the API are seen by the very next
// request; changes by SQL alone (NOTIFY) within a second; unknown keys never reach PostgreSQL.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, ADMIN, uniq, createOffer, createPartner, createPartnerKey, partnerWithKey, grant, sleep } from './lib/client.mjs';
import { fcgiGet } from './lib/fcgi.mjs';
import { ctl, workerSocket } from './lib/workers.mjs';
import { execFileSync } from 'node:child_process';

after(() => ctl('pg-start')); /* whatever happens, leave the database running */

const WORKERS = [1, 2];
const psql = (sql) => execFileSync(process.env.TG_STACK_CTL, ['psql', '-Atc', sql], { encoding: 'utf8' }).trim();

/** GET uri with key on worker n's socket: { status, headers (lower-case names), body (parsed if JSON), text }. */
async function onWorker(n, uri, key) {
  const r = await fcgiGet(workerSocket(n), uri, 3000, key ? { HTTP_AUTHORIZATION: `Bearer ${key}` } : {});
  const cut = r.text.indexOf('\r\n\r\n');
  const headers = {};
  for (const line of r.text.slice(0, cut).split('\r\n')) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const text = r.text.slice(cut + 4);
  const json = (headers['content-type'] || '').includes('json');
  return { status: r.status, headers, text, body: json && text ? JSON.parse(text) : text };
}

/** Every worker's status for uri with key. */
const statuses = (uri, key) => Promise.all(WORKERS.map(async (n) => (await onWorker(n, uri, key)).status));

/** Polls until every worker answers want (or a second has passed); returns the milliseconds it took. */
async function withinOneSecond(uri, key, want) {
  const t0 = Date.now();
  for (;;) {
    const got = await statuses(uri, key);
    if (got.every((s) => s === want)) return Date.now() - t0;
    assert.ok(Date.now() - t0 < 1000, `still ${got} after a second, want ${want}`);
    await sleep(20);
  }
}

test('a new key works at once in every worker; revoked through the API it is refused by the very next request', async () => {
  const partner = await createPartner();
  const created = await api('POST', '/v1/api-keys', { key: ADMIN, body: { role: 'partner', partner_id: partner.id } });
  assert.equal(created.status, 201);
  assert.deepEqual(await statuses('/v1/me', created.body.key), [200, 200]);
  assert.equal((await api('DELETE', `/v1/api-keys/${created.body.id}`, { key: ADMIN })).status, 204);
  for (const n of WORKERS) {
    const r = await onWorker(n, '/v1/me', created.body.key);
    assert.equal(r.status, 401, `worker ${n}`);
    assert.match(r.body.detail, /revoked/);
  }
});

test("suspending a partner through the API refuses its keys in every worker at once", async () => {
  const { partner, key } = await partnerWithKey();
  assert.deepEqual(await statuses('/v1/me', key), [200, 200]);
  assert.equal((await api('DELETE', `/v1/partners/${partner.id}`, { key: ADMIN })).status, 204);
  for (const n of WORKERS) {
    const r = await onWorker(n, '/v1/me', key);
    assert.equal(r.status, 401, `worker ${n}`);
    assert.match(r.body.detail, /suspended/);
  }
  /* Active again: usable again, at once. */
  assert.equal((await api('PATCH', `/v1/partners/${partner.id}`, { key: ADMIN, body: { status: 'active' } })).status, 200);
  assert.deepEqual(await statuses('/v1/me', key), [200, 200]);
});

test('revocation, suspension and a new rate limit written by SQL alone take effect within a second in every worker', async () => {
  const { partner, key } = await partnerWithKey();
  const limited = await createPartnerKey(partner.id);
  const prefix = key.slice(0, 15);
  assert.deepEqual(await statuses('/v1/me', key), [200, 200]);

  psql(`UPDATE api_keys SET rate_limit = 7 WHERE prefix = '${limited.slice(0, 15)}'`);
  const t0 = Date.now();
  for (;;) {
    const policies = await Promise.all(WORKERS.map(async (n) => (await onWorker(n, '/v1/me', limited)).headers['ratelimit-policy']));
    if (policies.every((p) => p === '"key";q=7;w=60')) break;
    assert.ok(Date.now() - t0 < 1000, `policies still ${policies} after a second`);
    await sleep(20);
  }

  psql(`UPDATE partners SET status = 'suspended' WHERE id = ${partner.id}`);
  await withinOneSecond('/v1/me', key, 401);
  psql(`UPDATE partners SET status = 'active' WHERE id = ${partner.id}`);
  await withinOneSecond('/v1/me', key, 200);
  psql(`UPDATE api_keys SET revoked_at = now() WHERE prefix = '${prefix}'`);
  await withinOneSecond('/v1/me', key, 401);
  for (const n of WORKERS) assert.match((await onWorker(n, '/v1/me', key)).body.detail, /revoked/);
});

test('with PostgreSQL down, an unknown key is 401 (never asked of the database), a known key still reads offers, and writes work at once when it is back', async () => {
  const { key } = await partnerWithKey();
  const o = await createOffer({ name: uniq('memory') });
  /* Read once, so every process holds a snapshot with the offer (a write acknowledged just before
   * the outage is never hidden behind an older snapshot: such a read would be 503). */
  assert.deepEqual(await statuses(`/v1/offers/${o.id}`, key), [200, 200]);
  const unknown = `tg_${'ab12'.repeat(3)}_${'0'.repeat(64)}`;
  const wrongSecret = `${key.slice(0, 16)}${'f'.repeat(64)}`;
  ctl('pg-stop');
  try {
    for (const n of WORKERS) {
      for (const k of [unknown, wrongSecret]) {
        const r = await onWorker(n, '/v1/offers', k);
        assert.equal(r.status, 401, `worker ${n}`);
        assert.equal(r.body.detail, 'The API key is not valid.');
      }
      const one = await onWorker(n, `/v1/offers/${o.id}`, key);
      assert.equal(one.status, 200, `worker ${n}: ${one.text}`);
      assert.equal(one.body.name, o.name);
      assert.equal((await onWorker(n, `/v1/offers?q=${encodeURIComponent(o.name)}`, key)).body.data[0].id, o.id);
    }
  } finally {
    ctl('pg-start');
  }
  let ok = false;
  for (let i = 0; i < 60 && !ok; i++) {
    ok = (await api('GET', '/v1/partners?limit=1', { key: ADMIN })).status === 200;
    if (!ok) await sleep(250);
  }
  assert.ok(ok, 'the API is back');
  /* Threads whose connection sat idle through the outage (keys and offers need none) notice the
   * server's hang-up before a write, which cannot be retried: every write succeeds at once. */
  for (let i = 0; i < 16; i++) {
    const r = await api('POST', '/v1/partners', { key: ADMIN, body: { name: uniq('after-outage') } });
    assert.equal(r.status, 201, r.text);
  }
});

test('offers from the snapshot are byte for byte what the database builds', async () => {
  const partner = await createPartner();
  const key = await createPartnerKey(partner.id);
  const created = await api('POST', '/v1/offers', {
    key: ADMIN,
    body: {
      name: uniq('Ünïcode "quoted" \\ offer ✓'),
      description: 'Line one\nline two\ttab — €5 <b>&</b>',
      visibility: 'private',
      destination_url: 'https://shop.example/landing?tid={transaction_id}&s1={sub1}',
      fallback_url: 'https://shop.example/fallback',
      currency: 'EUR',
      payout: '€5.00 CPA',
      preview_url: 'https://shop.example/preview',
      thumbnail_url: 'https://shop.example/thumb.png',
      category: 'VPN',
    },
  });
  assert.equal(created.status, 201);
  const o = created.body;
  /* 404 until granted (private), then visible at once in every worker. */
  assert.deepEqual(await statuses(`/v1/offers/${o.id}`, key), [404, 404]);
  await grant(o.id, partner.id);
  const urls = [];
  for (const [name, status] of [['a', 'active'], ['b', 'paused'], ['c', 'archived']]) {
    const u = await api('POST', `/v1/offers/${o.id}/urls`, { key: ADMIN, body: { name, destination_url: `https://shop.example/${name}`, status } });
    assert.equal(u.status, 201);
    urls.push(u);
  }
  /* The database renders each URL (admin URL list) and the offer (its create answer, urls []). */
  const dbUrls = await api('GET', `/v1/offers/${o.id}/urls`, { key: ADMIN });
  const expectText = (shown) => `${created.text.slice(0, -'[]}'.length)}[${shown.map((u) => JSON.stringify(u)).join(',')}]}`;
  for (const n of WORKERS) {
    const asPartner = await onWorker(n, `/v1/offers/${o.id}`, key);
    assert.equal(asPartner.status, 200);
    assert.equal(asPartner.text, expectText(dbUrls.body.data.filter((u) => u.status !== 'archived')));
    const asAdmin = await onWorker(n, `/v1/offers/${o.id}`, ADMIN);
    assert.equal(asAdmin.text, expectText(dbUrls.body.data));
    assert.match(asPartner.headers.etag, /^"[0-9a-f]{40}"$/);
  }
  assert.equal(JSON.stringify(dbUrls.body.data[0]), urls[0].text, 'the URL list renders a URL as its create answer does');
  /* A list item is the offer without urls; a non-ASCII q is answered by the database, an ASCII one
   * from the snapshot: the same item, the same bytes. */
  const item = `${created.text.slice(0, -',"urls":[]}'.length)}}`;
  const fromDb = await api('GET', `/v1/offers?q=${encodeURIComponent('ÜNÏCODE "QUOTED"')}`, { key });
  const fromSnapshot = await api('GET', `/v1/offers?q=${encodeURIComponent(o.name.split('✓')[1].toUpperCase())}`, { key });
  assert.equal(fromDb.text, `{"data":[${item}],"next_cursor":null}`);
  assert.equal(fromSnapshot.text, fromDb.text);
});

test('a write answered 2xx is what the next read shows in every worker', async () => {
  const partner = await createPartner();
  const key = await createPartnerKey(partner.id);
  const o = await createOffer({ visibility: 'private' });
  assert.deepEqual(await statuses(`/v1/offers/${o.id}`, key), [404, 404]);
  await grant(o.id, partner.id);
  assert.deepEqual(await statuses(`/v1/offers/${o.id}`, key), [200, 200]);
  for (let i = 0; i < 5; i++) {
    const name = uniq('renamed');
    const patched = await api('PATCH', `/v1/offers/${o.id}`, { key: ADMIN, body: { name } });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.name, name);
    for (const n of WORKERS) {
      assert.equal((await onWorker(n, `/v1/offers/${o.id}`, key)).body.name, name, `worker ${n}`);
      assert.equal((await onWorker(n, `/v1/offers?q=${encodeURIComponent(name)}`, key)).body.data.length, 1);
    }
  }
  assert.equal((await api('DELETE', `/v1/offers/${o.id}/partners/${partner.id}`, { key: ADMIN })).status, 204);
  assert.deepEqual(await statuses(`/v1/offers/${o.id}`, key), [404, 404]);
});

test('a request never writes last_used_at; the cache writes it off the request path (at the latest when the worker stops)', { timeout: 60000 }, async () => {
  const { key } = await partnerWithKey();
  const prefix = key.slice(0, 15);
  /* The cache writes at each minute of the clock: keep clear of one. */
  while (new Date().getSeconds() < 2 || new Date().getSeconds() > 55) await sleep(250);
  assert.deepEqual(await statuses('/v1/me', key), [200, 200]);
  await sleep(200);
  assert.equal(psql(`SELECT last_used_at IS NULL FROM api_keys WHERE prefix = '${prefix}'`), 't');
  ctl('workers-stop');
  ctl('workers-start');
  const seconds = Number(psql(`SELECT extract(epoch FROM now() - last_used_at) FROM api_keys WHERE prefix = '${prefix}'`));
  assert.ok(seconds >= 0 && seconds < 30, `last_used_at ${seconds} s ago`);
});
