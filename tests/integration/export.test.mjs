// GET /v1/hits/export: every selected hit as one streamed CSV (more than one database batch),
// equal to what the paged list holds, safely quoted, partner-isolated, filtered, HEAD without a body.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, BASE, uniq, createOffer, partnerWithKey, linksFor, hitsTagged, rawGet } from './lib/client.mjs';

/** An independent RFC 4180 reader: rows of fields. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
    else field += c;
  }
  assert.equal(field, '', 'the file ends with a complete row');
  assert.equal(row.length, 0);
  return rows;
}

const COLUMNS = ['transaction_id', 'kind', 'hit_at', 'partner_id', 'offer_id', 'offer_url_id', 'source_id', 'sub1', 'sub2',
  'sub3', 'sub4', 'sub5', 'ip', 'user_agent', 'referer', 'outcome', 'is_bot', 'is_unique'];

test('an export of 1,050 hits (two database batches) is the whole list, newest first, streamed', { timeout: 120000 }, async () => {
  const { partner, key } = await partnerWithKey();
  const o = await createOffer();
  const [link] = await linksFor(key, { offers: [o.id] });
  const tag = uniq('export');
  const tricky = '=HYPERLINK("http://x.example"),\n"quoted"';
  for (let i = 0; i < 1050; i += 50) {
    const batch = await Promise.all(Array.from({ length: 50 }, (_, k) =>
      rawGet(`/c/${link.token}?sub1=${tag}&sub2=${i + k === 7 ? encodeURIComponent(tricky) : 'n'}`)));
    for (const r of batch) assert.equal(r.status, 302);
  }
  const listed = await hitsTagged(key, tag, 1050, 60000);
  assert.equal(listed.length, 1050);

  const r = await api('GET', `/v1/hits/export?offer_id=${o.id}`, { key });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  assert.equal(r.headers.get('content-disposition'), 'attachment; filename="trackgen-hits.csv"');
  assert.equal(r.headers.get('content-length'), null, 'streamed: no Content-Length');
  assert.ok(r.headers.get('ratelimit'), 'the rate-limit fields reach a streamed answer too');
  const rows = parseCsv(r.text);
  assert.deepEqual(rows[0], COLUMNS);
  const data = rows.slice(1);
  assert.equal(data.length, 1050);
  for (const row of data) assert.equal(row.length, COLUMNS.length);
  const col = (name) => COLUMNS.indexOf(name);
  assert.deepEqual(new Set(data.map((x) => x[col('transaction_id')])), new Set(listed.map((h) => h.transaction_id)));
  const times = data.map((x) => Date.parse(x[col('hit_at')]));
  assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
  assert.ok(data.every((x) => x[col('partner_id')] === String(partner.id) && x[col('sub1')] === tag));
  assert.ok(data.every((x) => ['true', 'false'].includes(x[col('is_bot')])));
  assert.ok(data.every((x) => x[col('offer_url_id')] === '' && x[col('sub3')] === ''), 'null is empty');
  const odd = data.filter((x) => x[col('sub2')] !== 'n');
  assert.equal(odd.length, 1);
  const stored = listed.find((h) => h.sub2 !== 'n').sub2; /* the click path drops control characters */
  assert.equal(stored, tricky.replace('\n', ''));
  assert.equal(odd[0][col('sub2')], `'${stored}`, 'a formula-like value stays text, with its quotes and comma');
});

test('export filters, isolation, errors and HEAD', async () => {
  const a = await partnerWithKey();
  const b = await partnerWithKey();
  const o = await createOffer();
  const [link] = await linksFor(a.key, { offers: [o.id] });
  const tag = uniq('iso');
  for (let i = 0; i < 3; i++) assert.equal((await rawGet(`/c/${link.token}?sub1=${tag}`)).status, 302);
  assert.equal((await hitsTagged(a.key, tag, 3)).length, 3);
  const count = async (key, q) => {
    const r = await api('GET', `/v1/hits/export?${q}`, { key });
    assert.equal(r.status, 200, q);
    return parseCsv(r.text).length - 1;
  };
  assert.equal(await count(a.key, `offer_id=${o.id}`), 3);
  assert.equal(await count(a.key, `offer_id=${o.id}&kind=impression`), 0, 'a header row only');
  assert.equal(await count(b.key, `offer_id=${o.id}`), 0, "another partner's hits are not exported");
  assert.equal((await api('GET', `/v1/hits/export?partner_id=${a.partner.id}`, { key: b.key })).status, 404);
  const bad = await api('GET', '/v1/hits/export?from=2026-02-30T00:00:00Z', { key: a.key });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body.errors.map((e) => e.field), ['from']);
  const paging = await api('GET', '/v1/hits/export?limit=5', { key: a.key });
  assert.equal(paging.status, 400, 'no paging: the export is everything');
  assert.equal((await api('GET', '/v1/hits/export')).status, 401);
  const head = await fetch(`${BASE}/v1/hits/export?offer_id=${o.id}`, { method: 'HEAD', headers: { Authorization: `Bearer ${a.key}` } });
  assert.equal(head.status, 200);
  assert.match(head.headers.get('content-type'), /^text\/csv/);
  assert.equal((await head.arrayBuffer()).byteLength, 0);
});
