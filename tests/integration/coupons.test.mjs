// Coupon codes (issue 12): CRUD and its errors, the CSV import (all or nothing, line numbers, dry
// run, caps), generation, concurrent assignment from one pool, the partner's view (own codes only,
// tracking link, signed QR URLs) and the CSV export (parsed back with Python's csv module), and the
// state at the boundaries of the dates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { api, ADMIN, BASE, createOffer, createPartner, partnerWithKey, grant, linksFor, rawGet, sleep } from './lib/client.mjs';
import { signedPath } from './lib/signed.mjs';

const psql = (sql) => execFileSync(process.env.TG_STACK_CTL, ['psql', '-Atc', sql]).toString().trim();
const local = (url) => {
  assert.ok(url.startsWith(`${BASE}/`), url);
  return url.slice(BASE.length);
};
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

const importCsv = (csv, query = '', opts = {}) =>
  api('POST', `/v1/coupons/import${query}`, { key: ADMIN, rawBody: csv, contentType: 'text/csv', ...opts });
const create = (body) => api('POST', '/v1/coupons', { key: ADMIN, body });

/** Every coupon the key may list with the query, all pages. */
async function listAll(key, query = '') {
  const all = [];
  let cursor = null;
  do {
    const r = await api('GET', `/v1/coupons?limit=200${query}${cursor ? `&cursor=${cursor}` : ''}`, { key });
    assert.equal(r.status, 200, r.text);
    all.push(...r.body.data);
    cursor = r.body.next_cursor;
  } while (cursor);
  return all;
}

/** CSV text parsed by Python's csv module (an independent RFC 4180 reader): rows of fields. */
function pythonCsv(text) {
  const out = execFileSync('python3', ['-c',
    'import csv, io, json, sys\n'
    + 'data = sys.stdin.buffer.read().decode("utf-8")\n'
    + 'print(json.dumps(list(csv.reader(io.StringIO(data, newline="")))))'], { input: text });
  return JSON.parse(out.toString());
}

test('create, read, patch, unassign and archive one code; the errors name their field', async () => {
  const offer = await createOffer();
  const { partner } = await partnerWithKey();
  const c = await create({ offer_id: offer.id, code: 'WELCOME10', description: '10% off', partner_id: partner.id,
    ends_at: '2099-01-01T00:00:00+01:00' });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.headers.get('location'), `/v1/coupons/${c.body.id}`);
  assert.equal(c.body.state, 'active');
  assert.equal(c.body.ends_at, '2098-12-31T23:00:00.000Z');
  assert.equal(c.body.offer_name, offer.name);
  assert.ok(c.body.assigned_at);
  assert.equal(c.body.tracking_link.kind, 'click');

  const dup = await create({ offer_id: offer.id, code: 'welcome10' });
  assert.equal(dup.status, 409, 'unique per offer, ignoring case');
  assert.deepEqual(dup.body.errors.map((e) => e.field), ['code']);
  const other = await createOffer();
  assert.equal((await create({ offer_id: other.id, code: 'WELCOME10' })).status, 201, 'another offer may reuse it');

  const noOffer = await create({ offer_id: 999999999, code: 'X1' });
  assert.equal(noOffer.status, 422);
  assert.deepEqual(noOffer.body.errors.map((e) => e.field), ['offer_id']);
  const noPartner = await create({ offer_id: offer.id, code: 'X2', partner_id: 999999999 });
  assert.equal(noPartner.status, 422);
  assert.deepEqual(noPartner.body.errors.map((e) => e.field), ['partner_id']);
  const priv = await createOffer({ visibility: 'private' });
  const notRun = await create({ offer_id: priv.id, code: 'X3', partner_id: partner.id });
  assert.equal(notRun.status, 422);
  assert.match(notRun.body.errors[0].reason, /may not run offer/);
  const bad = await create({ offer_id: offer.id, code: ' padded', starts_at: '2026-02-30T00:00:00Z', status: 'gone' });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body.errors.map((e) => e.field).sort(), ['code', 'starts_at', 'status']);
  const order = await create({ offer_id: offer.id, code: 'X4', starts_at: '2030-01-01T00:00:00Z', ends_at: '2030-01-01T00:00:00Z' });
  assert.equal(order.status, 400);
  assert.deepEqual(order.body.errors.map((e) => [e.field, e.reason]), [['ends_at', 'must be after starts_at']]);

  const got = await api('GET', `/v1/coupons/${c.body.id}`, { key: ADMIN });
  assert.equal(got.status, 200);
  assert.equal(got.body.code, 'WELCOME10');
  /* Its ETag holds a second later (the signed QR URLs in it expire on whole minutes): a conditional GET
   * is 304. Tried again if a minute boundary of the expiry fell between the two requests. */
  let revalidated;
  for (let i = 0; i < 3 && revalidated === undefined; i++) {
    const t0 = Date.now();
    const first = await api('GET', `/v1/coupons/${c.body.id}`, { key: ADMIN });
    await sleep(1100);
    const again = await api('GET', `/v1/coupons/${c.body.id}`, { key: ADMIN, headers: { 'If-None-Match': first.headers.get('etag') } });
    if (Math.ceil((t0 / 1000 + 3600) / 60) === Math.ceil((Date.now() / 1000 + 3600) / 60)) revalidated = again.status;
  }
  assert.equal(revalidated, 304);
  const paused = await api('PATCH', `/v1/coupons/${c.body.id}`, { key: ADMIN, body: { status: 'paused', ends_at: null } });
  assert.equal(paused.status, 200, paused.text);
  assert.equal(paused.body.state, 'paused');
  assert.equal(paused.body.ends_at, null);
  assert.equal(paused.body.assigned_at, c.body.assigned_at, 'the same partner keeps its assigned_at');
  const clash = await api('PATCH', `/v1/coupons/${c.body.id}`, { key: ADMIN, body: { partner_id: 999999999 } });
  assert.equal(clash.status, 422);

  const back = await api('POST', `/v1/coupons/${c.body.id}/unassign`, { key: ADMIN });
  assert.equal(back.status, 200);
  assert.equal(back.body.partner_id, null);
  assert.equal(back.body.assigned_at, null);
  assert.equal(back.body.tracking_link, null);
  assert.equal((await api('DELETE', `/v1/coupons/${c.body.id}`, { key: ADMIN })).status, 204);
  assert.equal((await api('GET', `/v1/coupons/${c.body.id}`, { key: ADMIN })).body.state, 'archived');
  assert.equal((await api('GET', '/v1/coupons/999999999', { key: ADMIN })).status, 404);
});

test('import: BOM, CRLF, quotes, embedded line breaks, blank lines, reordered columns and any case', async () => {
  const offer = await createOffer();
  const { partner } = await partnerWithKey();
  const csv = '\uFEFFDescription,Code,ends_at,partner_id,offer_id\r\n'
    + '"20% off, first order",IMP-A,2099-01-01T00:00:00Z,,' + offer.id + '\r\n'
    + '\r\n'
    + '"say ""hi""\r\nsecond line",IMP-B,,' + partner.id + ',' + offer.id + '\r\n'
    + ',,,,\r\n'
    + 'plain,IMP-C,,,' + offer.id; // no line break at the end
  const r = await importCsv(csv);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, { dry_run: false, rows: 3, imported: 3 });
  const rows = await listAll(ADMIN, `&offer_id=${offer.id}`);
  assert.deepEqual(rows.map((c) => [c.code, c.description, c.partner_id]), [
    ['IMP-A', '20% off, first order', null],
    ['IMP-B', 'say "hi"\r\nsecond line', partner.id],
    ['IMP-C', 'plain', null],
  ]);
  assert.equal(rows[0].ends_at, '2099-01-01T00:00:00.000Z');
  // ?offer_id= stands in for a missing column; statuses are taken
  const two = await importCsv('code,status\nIMP-D,paused\nIMP-E,\n', `?offer_id=${offer.id}`);
  assert.deepEqual(two.body, { dry_run: false, rows: 2, imported: 2 });
  assert.deepEqual((await listAll(ADMIN, `&offer_id=${offer.id}&state=paused`)).map((c) => c.code), ['IMP-D']);
  // the other filters: q (code or description, case-insensitive, % and _ literal), assigned, partner_id
  assert.deepEqual((await listAll(ADMIN, `&offer_id=${offer.id}&q=imp-a`)).map((c) => c.code), ['IMP-A']);
  assert.deepEqual((await listAll(ADMIN, `&offer_id=${offer.id}&q=${encodeURIComponent('20%')}`)).map((c) => c.code), ['IMP-A']);
  assert.deepEqual((await listAll(ADMIN, `&offer_id=${offer.id}&q=SECOND`)).map((c) => c.code), ['IMP-B']);
  assert.deepEqual((await listAll(ADMIN, `&offer_id=${offer.id}&q=_`)).map((c) => c.code), []);
  assert.deepEqual((await listAll(ADMIN, `&offer_id=${offer.id}&assigned=true`)).map((c) => c.code), ['IMP-B']);
  assert.equal((await listAll(ADMIN, `&offer_id=${offer.id}&assigned=false`)).length, 4);
  assert.deepEqual((await listAll(ADMIN, `&partner_id=${partner.id}`)).map((c) => c.code), ['IMP-B']);
  const page = await api('GET', `/v1/coupons?offer_id=${offer.id}&limit=2`, { key: ADMIN });
  const next = await api('GET', `/v1/coupons?offer_id=${offer.id}&limit=2&cursor=${page.body.next_cursor}`, { key: ADMIN });
  assert.deepEqual(next.body.data.map((c) => c.code), ['IMP-C', 'IMP-D']);
  const wrong = await api('GET', `/v1/coupons?limit=2&cursor=${page.body.next_cursor}`, { key: ADMIN });
  assert.equal(wrong.status, 400, 'a cursor is bound to its filters');
});

test('import is all or nothing: every bad row is listed with line, column and reason; a bad last row stores nothing', async () => {
  const offer = await createOffer();
  assert.equal((await create({ offer_id: offer.id, code: 'TAKEN' })).status, 201);
  const { partner } = await partnerWithKey();
  const priv = await createOffer({ visibility: 'private' });
  const good = (extra) => Array.from({ length: 50 }, (_, i) => `OK-${i},${offer.id}${extra}`).join('\n');
  const csv = `code,offer_id,partner_id,starts_at,ends_at\n${good(',,,')}\n`
    + `DUP-1,${offer.id},,,\n`                                   // line 52
    + `dup-1,${offer.id},,,\n`                                   // 53: the same code, other case
    + `taken,${offer.id},,,\n`                                   // 54: stored already
    + `BAD-DATE,${offer.id},,2026-13-01T00:00:00Z,\n`            // 55
    + `ORDER,${offer.id},,2027-01-02T00:00:00Z,2027-01-01T00:00:00Z\n` // 56
    + `NOOFFER,999999999,,,\n`                                    // 57
    + `NOPARTNER,${offer.id},999999999,,\n`                       // 58
    + `NOTRUN,${priv.id},${partner.id},,\n`                       // 59
    + `"multi\nline code",${offer.id},,,\n`                       // 60-61: a control character
    + `SHORT,${offer.id}\n`                                       // 62: too few fields
    + `LAST,abc,,,\n`;                                            // 63: the last row is bad
  const r = await importCsv(csv);
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.detail, '10 of 61 rows are invalid (10 problems); nothing was imported.');
  assert.deepEqual(r.body.errors.map((e) => [e.line, e.field]), [
    [53, 'code'], [54, 'code'], [55, 'starts_at'], [56, 'ends_at'], [57, 'offer_id'], [58, 'partner_id'],
    [59, 'partner_id'], [60, 'code'], [62, 'row'], [63, 'offer_id'],
  ]);
  const byLine = Object.fromEntries(r.body.errors.map((e) => [e.line, e]));
  assert.match(byLine[53].reason, /is also on line 52/);
  assert.match(byLine[54].reason, /already has this code/);
  assert.match(byLine[55].reason, /RFC 3339/);
  assert.equal(byLine[56].reason, 'must be after starts_at');
  assert.match(byLine[57].reason, /no offer has id 999999999/);
  assert.match(byLine[58].reason, /no active partner/);
  assert.match(byLine[59].reason, /may not run offer/);
  assert.equal(byLine[62].field, 'row');
  assert.equal(byLine[63].field, 'offer_id');
  assert.ok(r.body.errors.every((e) => e.in === 'body'));
  assert.deepEqual((await listAll(ADMIN, `&offer_id=${offer.id}`)).map((c) => c.code), ['TAKEN'], 'nothing stored');

  // only the last row bad: still nothing
  const last = await importCsv(`code,offer_id\n${good('')}\nFINE,${offer.id}\nBROKEN,${offer.id},extra\n`);
  assert.equal(last.status, 422);
  assert.deepEqual(last.body.errors.map((e) => [e.line, e.field]), [[53, 'row']]);
  assert.equal((await listAll(ADMIN, `&offer_id=${offer.id}`)).length, 1);
});

test('import: dry_run stores nothing; a header of unknown columns, a broken quote, bad UTF-8, the wrong type, 413', async () => {
  const offer = await createOffer();
  const dry = await importCsv(`code,offer_id\nDRY-1,${offer.id}\nDRY-2,${offer.id}\n`, '?dry_run=true');
  assert.equal(dry.status, 200);
  assert.deepEqual(dry.body, { dry_run: true, rows: 2, imported: 0 });
  assert.equal((await listAll(ADMIN, `&offer_id=${offer.id}`)).length, 0);
  const dryBad = await importCsv(`code,offer_id\nDRY-1,${offer.id}\nDRY-1,${offer.id}\n`, '?dry_run=true');
  assert.equal(dryBad.status, 422);

  const unknown = await importCsv(`code,offer_id,colour,code\nA,${offer.id},red,B\n`);
  assert.equal(unknown.status, 422);
  assert.deepEqual(unknown.body.errors.map((e) => [e.line, e.field]), [[1, 'colour'], [1, 'code']]);
  const noCode = await importCsv(`offer_id\n${offer.id}\n`);
  assert.deepEqual(noCode.body.errors.map((e) => e.field), ['code']);

  const open = await importCsv(`code,offer_id\nA,${offer.id}\n"B,${offer.id}\nC,${offer.id}\n`);
  assert.equal(open.status, 400);
  assert.deepEqual(open.body.errors.map((e) => [e.line, e.field]), [[3, 'csv']]);
  assert.match(open.body.errors[0].reason, /never closed/);
  const stray = await importCsv(`code,offer_id\nA"B,${offer.id}\n`);
  assert.equal(stray.status, 400);
  assert.equal(stray.body.errors[0].line, 2);

  const latin1 = Buffer.concat([Buffer.from(`code,offer_id,description\nA,${offer.id},caf`), Buffer.from([0xe9]), Buffer.from('\n')]);
  const notUtf8 = await importCsv(latin1);
  assert.equal(notUtf8.status, 422);
  assert.deepEqual(notUtf8.body.errors.map((e) => [e.line, e.field, e.reason]), [[2, 'description', 'is not valid UTF-8']]);

  const json = await api('POST', '/v1/coupons/import', { key: ADMIN, body: { code: 'A' } });
  assert.equal(json.status, 415);
  assert.equal((await importCsv('', '')).status, 422, 'an empty file has no header');

  const cap = 32 * 1024 * 1024;
  const big = await importCsv(Buffer.alloc(cap + 1, 'a'));
  assert.equal(big.status, 413);
  assert.match(big.body.detail, new RegExp(`CSV imports may have at most ${cap} bytes \\(TRACKGEN_MAX_CSV_BODY\\)`));
  const partner = await partnerWithKey();
  assert.equal((await importCsv(`code,offer_id\nA,${offer.id}\n`, '', { key: partner.key })).status, 404, 'admin only');
});

test('import lists the first 100 problems in line order and counts the rest', async () => {
  const offer = await createOffer();
  const rows = Array.from({ length: 150 }, (_, i) => `C${i},${offer.id},not-a-date`).join('\n');
  const r = await importCsv(`code,offer_id,starts_at\n${rows}\n`);
  assert.equal(r.status, 422);
  assert.equal(r.body.errors.length, 100);
  assert.equal(r.body.errors_omitted, 50);
  assert.deepEqual(r.body.errors.map((e) => e.line), Array.from({ length: 100 }, (_, i) => i + 2));
  assert.match(r.body.detail, /^150 of 150 rows are invalid \(150 problems, the first 100 listed\)/);
});

test('generate makes unique readable codes from the CSPRNG alphabet, and refuses a length too short', async () => {
  const offer = await createOffer();
  const r = await api('POST', '/v1/coupons/generate', { key: ADMIN, body: { offer_id: offer.id, count: 2000, prefix: 'GEN-', length: 6 } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.count, 2000);
  const codes = r.body.coupons.map((c) => c.code);
  assert.equal(new Set(codes.map((c) => c.toLowerCase())).size, 2000);
  for (const c of codes) assert.match(c, /^GEN-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/);
  const used = new Set(codes.join('').replace(/GEN-/g, ''));
  assert.ok([...used].every((ch) => ALPHABET.includes(ch)) && used.size > 25, 'the whole alphabet in use');
  assert.equal((await listAll(ADMIN, `&offer_id=${offer.id}&assigned=false`)).length, 2000);
  const short = await api('POST', '/v1/coupons/generate', { key: ADMIN, body: { offer_id: offer.id, count: 1000, length: 4 } });
  assert.equal(short.status, 422);
  assert.deepEqual(short.body.errors.map((e) => e.field), ['length']);
  assert.match(short.body.errors[0].reason, /at least 5/);
  const { partner } = await partnerWithKey();
  const mine = await api('POST', '/v1/coupons/generate', { key: ADMIN, body: { offer_id: offer.id, count: 3, partner_id: partner.id } });
  assert.equal(mine.status, 201);
  assert.equal((await listAll(ADMIN, `&partner_id=${partner.id}`)).length, 3);
});

test('two concurrent assigns of 60 from a pool of 100: never the same code, one gets 409 naming the 40 left', async () => {
  const offer = await createOffer();
  const gen = await api('POST', '/v1/coupons/generate', { key: ADMIN, body: { offer_id: offer.id, count: 100 } });
  assert.equal(gen.status, 201);
  const a = await createPartner();
  const b = await createPartner();
  const [ra, rb] = await Promise.all([a, b].map((p) =>
    api('POST', '/v1/coupons/assign', { key: ADMIN, body: { offer_id: offer.id, partner_id: p.id, count: 60 } })));
  const ok = [ra, rb].filter((r) => r.status === 200);
  const refused = [ra, rb].filter((r) => r.status === 409);
  assert.equal(ok.length, 1, `${ra.status} ${rb.status}`);
  assert.equal(refused.length, 1);
  assert.equal(ok[0].body.count, 60);
  assert.match(refused[0].body.detail, /^Only 40 unassigned active codes remain in the pool/);
  assert.deepEqual(refused[0].body.errors.map((e) => e.field), ['count']);
  const winner = ra.status === 200 ? a : b;
  const loser = ra.status === 200 ? b : a;
  assert.equal((await listAll(ADMIN, `&partner_id=${winner.id}`)).length, 60);
  assert.equal((await listAll(ADMIN, `&partner_id=${loser.id}`)).length, 0, 'nothing half-assigned');
  // the rest goes to the loser: no code in both hands
  const rest = await api('POST', '/v1/coupons/assign', { key: ADMIN, body: { offer_id: offer.id, partner_id: loser.id, count: 40 } });
  assert.equal(rest.status, 200);
  const first = new Set(ok[0].body.coupons.map((c) => c.id));
  assert.ok(rest.body.coupons.every((c) => !first.has(c.id)));
  assert.equal((await api('POST', '/v1/coupons/assign', { key: ADMIN, body: { offer_id: offer.id, partner_id: loser.id, count: 1 } })).status, 409);
  // expired and paused codes stay in the pool but are not handed out
  await create({ offer_id: offer.id, code: 'OLD', ends_at: '2020-01-01T00:00:00Z' });
  await create({ offer_id: offer.id, code: 'HELD', status: 'paused' });
  const none = await api('POST', '/v1/coupons/assign', { key: ADMIN, body: { offer_id: offer.id, partner_id: loser.id, count: 1 } });
  assert.match(none.body.detail, /^Only 0 unassigned/);
  // unassign returns a code to the pool, and it can be assigned again
  const code = rest.body.coupons[0];
  assert.equal((await api('POST', `/v1/coupons/${code.id}/unassign`, { key: ADMIN })).status, 200);
  const again = await api('POST', '/v1/coupons/assign', { key: ADMIN, body: { offer_id: offer.id, partner_id: winner.id, count: 1 } });
  assert.deepEqual(again.body.coupons, [code]);
});

test('a partner sees only its own codes of offers it may run, each with its tracking link and key-less QR URLs', async () => {
  const a = await partnerWithKey();
  const b = await partnerWithKey();
  const pub = await createOffer();
  const priv = await createOffer({ visibility: 'private' });
  await grant(priv.id, a.partner.id);
  const mk = async (offer, code, partner) => (await create({ offer_id: offer.id, code, partner_id: partner?.id ?? null })).body;
  const a1 = await mk(pub, 'A-PUB', a.partner);
  const a2 = await mk(priv, 'A-PRIV', a.partner);
  const b1 = await mk(pub, 'B-PUB', b.partner);
  await mk(pub, 'POOL', null);
  const archived = await mk(pub, 'A-GONE', a.partner);
  await api('DELETE', `/v1/coupons/${archived.id}`, { key: ADMIN });

  const mine = await listAll(a.key);
  assert.deepEqual(mine.map((c) => c.code), ['A-PUB', 'A-PRIV']);
  const [link] = await linksFor(a.key, { offers: [pub.id] });
  assert.deepEqual(mine[0].tracking_link, link, 'the same link POST /v1/tracking-links gives');
  assert.deepEqual((await listAll(b.key)).map((c) => c.code), ['B-PUB']);
  assert.equal((await api('GET', `/v1/coupons/${b1.id}`, { key: a.key })).status, 404);
  assert.equal((await api('GET', `/v1/coupons/${a1.id}`, { key: a.key })).status, 200);
  assert.equal((await api('GET', `/v1/coupons/${archived.id}`, { key: a.key })).status, 404);
  assert.equal((await api('GET', `/v1/coupons?offer_id=${priv.id}`, { key: b.key })).status, 404, 'an offer b may not run');
  assert.equal((await api('GET', `/v1/coupons?partner_id=${b.partner.id}`, { key: a.key })).status, 404);
  assert.equal((await api('GET', `/v1/coupons/export.csv?offer_id=${priv.id}`, { key: b.key })).status, 404);
  assert.equal((await api('GET', `/v1/coupons/export-url?offer_id=${priv.id}`, { key: b.key })).status, 404);
  for (const [m, p] of [['POST', '/v1/coupons'], ['POST', '/v1/coupons/generate'], ['POST', '/v1/coupons/assign'],
    ['PATCH', `/v1/coupons/${a1.id}`], ['DELETE', `/v1/coupons/${a1.id}`], ['POST', `/v1/coupons/${a1.id}/unassign`]]) {
    assert.equal((await api(m, p, { key: a.key, body: {} })).status, 404, `${m} ${p} is admin only`);
  }

  // the QR image of the code, without a key; altered: 404; expired: 410
  const png = await rawGet(local(mine[0].qr_png_url));
  assert.equal(png.status, 200);
  assert.equal(png.headers.get('content-type'), 'image/png');
  assert.match(png.headers.get('cache-control'), /^private, max-age=\d+$/);
  assert.match(mine[0].qr_png_url, /\/v1\/qr\?data=A-PUB&format=png&p=\d+&exp=\d+&sig=/);
  const svg = await api('GET', local(mine[0].qr_svg_url), {});
  assert.equal(svg.status, 200);
  assert.match(svg.headers.get('content-type'), /^image\/svg\+xml/);
  const tampered = local(mine[0].qr_png_url).replace('data=A-PUB', 'data=B-PUB');
  assert.equal((await api('GET', tampered, {})).status, 404);
  const past = Math.floor(Date.now() / 1000) - 5;
  const expired = await api('GET', signedPath(a.partner.id, past, '/v1/qr', { data: 'A-PUB', format: 'png' }), {});
  assert.equal(expired.status, 410);
  // losing access to the offer hides its codes at once
  assert.equal((await api('DELETE', `/v1/offers/${priv.id}/partners/${a.partner.id}`, { key: ADMIN })).status, 204);
  assert.deepEqual((await listAll(a.key)).map((c) => c.code), ['A-PUB']);
  assert.equal((await api('GET', `/v1/coupons/${a2.id}`, { key: a.key })).status, 404);
});

test('the export is the JSON list as RFC 4180 CSV (read back by Python), formula cells neutralised, signed and expiring', async () => {
  const a = await partnerWithKey();
  const offer = await createOffer({ name: `=cmd|' /C calc'!A0 ${Date.now()}` });
  const tricky = ['=1+1', '+33 1', '-5%', '@SUM(A1)', 'plain', 'comma, "quoted"\nand a line break'];
  for (const [i, d] of tricky.entries()) {
    const r = await create({ offer_id: offer.id, code: `X${i}`, description: d, partner_id: a.partner.id,
      ends_at: i === 0 ? '2020-01-01T00:00:00Z' : null });
    assert.equal(r.status, 201, r.text);
  }
  const gen = await api('POST', '/v1/coupons/generate', { key: ADMIN, body: { offer_id: offer.id, count: 1200, partner_id: a.partner.id } });
  assert.equal(gen.status, 201);

  const r = await api('GET', `/v1/coupons/export.csv?offer_id=${offer.id}`, { key: a.key });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/csv; charset=utf-8/);
  assert.match(r.headers.get('content-disposition'), new RegExp(`^attachment; filename="trackgen-coupons-offer-${offer.id}-\\d{4}-\\d{2}-\\d{2}\\.csv"$`));
  assert.equal(r.headers.get('content-length'), null, 'streamed');
  assert.ok(r.text.endsWith('\r\n'));
  const rows = pythonCsv(r.text);
  assert.deepEqual(rows[0], ['code', 'offer_id', 'offer', 'partner_id', 'description', 'state', 'starts_at', 'ends_at',
    'assigned_at', 'tracking_link']);
  const listed = await listAll(a.key, `&offer_id=${offer.id}`);
  assert.equal(listed.length, 1206);
  const unformula = (s) => (s !== null && /^[=+\-@\t\r]/.test(s) ? `'${s}` : s ?? '');
  assert.deepEqual(rows.slice(1), listed.map((c) => [c.code, String(c.offer_id), unformula(c.offer_name), String(c.partner_id),
    unformula(c.description), c.state, c.starts_at ?? '', c.ends_at ?? '', c.assigned_at, c.tracking_link.redirect_url]));
  assert.equal(rows[1][4], "'=1+1");
  assert.equal(rows[1][5], 'expired');
  assert.equal(rows[6][4], 'comma, "quoted"\nand a line break');

  // the signed variant: no key, private caching, the same bytes; altered 404, expired 410
  const url = await api('GET', `/v1/coupons/export-url?offer_id=${offer.id}&state=active`, { key: a.key });
  assert.equal(url.status, 200);
  const path = local(url.body.url);
  const viaUrl = await api('GET', path, {});
  assert.equal(viaUrl.status, 200);
  assert.match(viaUrl.headers.get('cache-control'), /^private, max-age=\d+$/);
  const viaKey = await api('GET', `/v1/coupons/export.csv?offer_id=${offer.id}&state=active`, { key: a.key });
  assert.equal(viaUrl.text, viaKey.text);
  assert.equal(pythonCsv(viaUrl.text).length, 1 + 1205);
  assert.equal((await api('GET', path.replace('state=active', 'state=expired'), {})).status, 404);
  assert.equal((await api('GET', path.replace(/p=\d+/, `p=${a.partner.id + 1}`), {})).status, 404);
  const past = Math.floor(Date.now() / 1000) - 5;
  assert.equal((await api('GET', signedPath(a.partner.id, past, '/v1/coupons/export.csv', { offer_id: offer.id }), {})).status, 410);
  // another partner's export of the same offer has only the header
  const b = await partnerWithKey();
  const other = await api('GET', `/v1/coupons/export.csv?offer_id=${offer.id}`, { key: b.key });
  assert.equal(pythonCsv(other.text).length, 1);
  const head = await rawGet(`/v1/coupons/export.csv?offer_id=${offer.id}`, { Authorization: `Bearer ${a.key}` }, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
});

test('state follows the dates: scheduled before starts_at, active from it, expired from ends_at', async () => {
  // at the exact boundaries (the SQL rule the API uses)
  const at = (t) => psql(`SELECT coupon_state('active', '2030-01-01T00:00:00Z', '2030-02-01T00:00:00Z', '${t}')`);
  assert.equal(at('2029-12-31T23:59:59.999999Z'), 'scheduled');
  assert.equal(at('2030-01-01T00:00:00Z'), 'active');
  assert.equal(at('2030-01-31T23:59:59.999999Z'), 'active');
  assert.equal(at('2030-02-01T00:00:00Z'), 'expired');
  assert.equal(psql("SELECT coupon_state('paused', NULL, '2000-01-01Z', now())"), 'paused');
  assert.equal(psql("SELECT coupon_state('archived', NULL, NULL, now())"), 'archived');

  // and through the API, across a boundary in real time
  const offer = await createOffer();
  const iso = (ms) => new Date(ms).toISOString();
  const start = Date.now() + 1500;
  const c = await create({ offer_id: offer.id, code: 'SOON', starts_at: iso(start), ends_at: iso(start + 1000) });
  assert.equal(c.status, 201);
  const state = async () => (await api('GET', `/v1/coupons/${c.body.id}`, { key: ADMIN })).body.state;
  const filtered = async (s) => (await listAll(ADMIN, `&offer_id=${offer.id}&state=${s}`)).length;
  assert.equal(await state(), 'scheduled');
  assert.equal(await filtered('scheduled'), 1);
  await new Promise((res) => setTimeout(res, start - Date.now() + 100));
  assert.equal(await state(), 'active');
  assert.equal(await filtered('active'), 1);
  await new Promise((res) => setTimeout(res, start + 1000 - Date.now() + 100));
  assert.equal(await state(), 'expired');
  assert.equal(await filtered('expired'), 1);
  assert.equal(await filtered('active'), 0);
});

test('a bulk write of 10,000 codes refreshes the planner statistics at once (exports keep their index plan)', async () => {
  const analyzed = () => psql("SELECT coalesce(extract(epoch FROM last_analyze), 0) FROM pg_stat_user_tables WHERE relname = 'coupons'");
  const before = Number(analyzed());
  const offer = await createOffer();
  const r = await api('POST', '/v1/coupons/generate', { key: ADMIN, body: { offer_id: offer.id, count: 10000 } });
  assert.equal(r.status, 201);
  let after = Number(analyzed());
  for (let i = 0; i < 30 && after <= before; i++) { // shared statistics are flushed within a second
    await new Promise((res) => setTimeout(res, 100));
    after = Number(analyzed());
  }
  assert.ok(after > before, `last_analyze ${before} -> ${after}`);
  assert.ok(Number(psql("SELECT reltuples FROM pg_class WHERE relname = 'coupons'")) >= 10000);
});
