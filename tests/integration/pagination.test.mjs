// Cursor pagination through a few hundred offers: no duplicates, none missing, in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, ADMIN, uniq } from './lib/client.mjs';

test('paging 300 offers with limit=37 returns each exactly once, ascending', async () => {
  const tag = uniq('page');
  const ids = [];
  for (let i = 0; i < 300; i += 20) {
    const batch = await Promise.all(Array.from({ length: 20 }, (_, k) =>
      api('POST', '/v1/offers', { key: ADMIN, body: { name: `${tag}-${i + k}`, destination_url: 'https://p.example/' } })));
    for (const r of batch) {
      assert.equal(r.status, 201);
      ids.push(r.body.id);
    }
  }
  const seen = [];
  let cursor = null;
  let pages = 0;
  do {
    const r = await api('GET', `/v1/offers?limit=37&q=${encodeURIComponent(tag)}${cursor ? `&cursor=${cursor}` : ''}`, { key: ADMIN });
    assert.equal(r.status, 200);
    assert.ok(r.body.data.length <= 37);
    seen.push(...r.body.data.map((o) => o.id));
    cursor = r.body.next_cursor;
    pages += 1;
  } while (cursor && pages < 20);
  assert.equal(pages, Math.ceil(300 / 37));
  assert.equal(new Set(seen).size, seen.length, 'no duplicates');
  assert.deepEqual([...seen].sort((a, b) => a - b), [...ids].sort((a, b) => a - b));
  assert.deepEqual(seen, [...seen].sort((a, b) => a - b));
});

test('bad cursors and limits are 400 naming the parameter', async () => {
  for (const q of ['cursor=zz', 'cursor=azE6MA', 'cursor=%21%21']) {
    const r = await api('GET', `/v1/offers?${q}`, { key: ADMIN });
    assert.equal(r.status, 400, q);
    assert.deepEqual(r.body.errors.map((e) => [e.field, e.in]), [['cursor', 'query']]);
  }
  for (const q of ['limit=0', 'limit=201', 'limit=abc', 'limit=-1', 'limit=']) {
    const r = await api('GET', `/v1/offers?${q}`, { key: ADMIN });
    assert.equal(r.status, 400, q);
    assert.equal(r.body.errors[0].field, 'limit');
  }
});
