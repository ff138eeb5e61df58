// Asset packages (issue 13): POST/GET/list of /v1/asset-packages for every combination of parts and
// bundle types, the links equal to POST /v1/tracking-links's, the creatives and coupons equal to
// their own endpoints'; the JSON paginated over offers; partner isolation on the package, its ZIP
// URLs and the URLs inside it; and the ZIP itself checked with unzip -t and Python's zipfile: every
// QR image decoded with zbarimg and equal to its row of tracking-links.csv, every creative equal to
// the stored file or the link-inserted text, coupons.csv equal to the partner's coupon export.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, ADMIN, BASE, uniq, createOffer, partnerWithKey, grant, rawGet } from './lib/client.mjs';
import { signedPath } from './lib/signed.mjs';
import { checkResponse } from './lib/openapi.mjs';

const sha = (b) => createHash('sha256').update(b).digest('hex');
const dir = mkdtempSync(join(tmpdir(), 'tg-packages-'));
const local = (url) => url.slice(BASE.length);
let zips = 0;

/** A GET of a ZIP or other download, checked against the contract. */
async function get(path, headers = {}, method = 'GET') {
  const res = await fetch(BASE + path, { method, headers, redirect: 'manual' });
  const body = Buffer.from(await res.arrayBuffer());
  const ctype = res.headers.get('content-type') || '';
  const parsed = ctype.startsWith('application/problem+json') ? JSON.parse(body.toString()) : body.length ? body : '';
  checkResponse(method, path, res.status, res.headers, parsed);
  return { status: res.status, headers: res.headers, body };
}

const s = {}; // the scene: partners, offers, creatives, coupons

async function upload(meta, data, filename) {
  const boundary = `tgb${Date.now()}`;
  const part = (h, d) => [Buffer.from(`--${boundary}\r\n${h}\r\n\r\n`), Buffer.from(d), Buffer.from('\r\n')];
  const body = Buffer.concat([
    ...part('Content-Disposition: form-data; name="metadata"\r\nContent-Type: application/json', JSON.stringify(meta)),
    ...part(`Content-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream`, data),
    Buffer.from(`--${boundary}--\r\n`)]);
  const r = await api('POST', '/v1/creatives', { key: ADMIN, rawBody: body, contentType: `multipart/form-data; boundary=${boundary}` });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

async function creative(body) {
  const r = await api('POST', '/v1/creatives', { key: ADMIN, body });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

async function coupons(offerId, partnerId, count) {
  const r = await api('POST', '/v1/coupons/generate', { key: ADMIN, body: { offer_id: offerId, count, prefix: 'PK-', partner_id: partnerId } });
  assert.equal(r.status, 201, r.text);
}

before(async () => {
  execFileSync('vips', ['black', join(dir, 'b.v'), '120', '60', '--bands', '3']);
  execFileSync('vips', ['linear', join(dir, 'b.v'), join(dir, 'c.v'), '1 1 1', '10 120 200', '--uchar']);
  execFileSync('vips', ['copy', join(dir, 'c.v'), join(dir, 'banner.png')]);
  s.png = readFileSync(join(dir, 'banner.png'));
  s.a = await partnerWithKey();
  s.b = await partnerWithKey();
  // o1: public, with an additional URL; o2: public; o3: private, granted to A only; closed: private.
  s.o1 = await createOffer({ name: uniq('Pack "one", =1+1') });
  const u = await api('POST', `/v1/offers/${s.o1.id}/urls`, { key: ADMIN, body: { name: 'Tent / 2p', destination_url: 'https://shop.example/tent?s={sub1}' } });
  assert.equal(u.status, 201, u.text);
  s.u1 = u.body;
  s.o2 = await createOffer({ name: uniq('Pack two') });
  s.o3 = await createOffer({ name: uniq('Pack three'), visibility: 'private' });
  await grant(s.o3.id, s.a.partner.id);
  s.closed = await createOffer({ visibility: 'private' });
  s.img1 = await upload({ offer_id: s.o1.id, name: 'Banner', type: 'image' }, s.png, 'banner.png');
  s.html1 = await creative({ offer_id: s.o1.id, name: 'Banner', type: 'html', html_code: '<a href="{tracking_link}">Buy</a><img src="{impression_pixel}">' });
  s.text2 = await creative({ offer_id: s.o2.id, name: 'Text link', type: 'text', text_body: 'Buy now: {tracking_link}' });
  s.img3 = await upload({ offer_id: s.o3.id, name: 'Secret banner', type: 'image' }, s.png, 'secret.png');
  s.privB = await upload({ offer_id: s.o1.id, name: 'For B only', type: 'image', visibility: 'private' }, s.png, 'b.png');
  const g = await api('PUT', `/v1/creatives/${s.privB.id}/partners/${s.b.partner.id}`, { key: ADMIN });
  assert.ok(g.status === 200 || g.status === 201, g.text);
  await coupons(s.o1.id, s.a.partner.id, 3);
  await coupons(s.o3.id, s.a.partner.id, 2);
  await coupons(s.o1.id, s.b.partner.id, 2);
  await coupons(s.o2.id, null, 4); // the pool: nobody's
});

const make = (key, body, query = '') => api('POST', `/v1/asset-packages${query}`, { key, body });

/** Every offer of a package, following next_cursor through GET. */
async function allOffers(key, pkg) {
  const out = [...pkg.offers];
  let cursor = pkg.next_cursor;
  while (cursor) {
    const r = await api('GET', `/v1/asset-packages/${pkg.id}?limit=100&cursor=${cursor}`, { key });
    assert.equal(r.status, 200, r.text);
    out.push(...r.body.offers);
    cursor = r.body.next_cursor;
  }
  return out;
}

/** The partner's coupons of an offer, as GET /v1/coupons lists them (all pages). */
async function couponList(key, offerId) {
  const r = await api('GET', `/v1/coupons?offer_id=${offerId}&limit=200`, { key });
  assert.equal(r.status, 200, r.text);
  return r.body.data;
}

/** Drops what changes from one answer to the next: signed URLs and their expiry. */
const stable = (x) => JSON.parse(JSON.stringify(x, (k, v) => (['download_url', 'thumbnail_url', 'urls_expire_at'].includes(k)
  || (typeof v === 'string' && v.includes('sig=')) ? undefined : v)));
const stableCoupon = (c) => ({ ...c, qr_png_url: undefined, qr_svg_url: undefined });

test('no part on is 422; bad fields are named with their path; offers the partner may not run are 404 as for tracking links', async () => {
  for (const body of [{ offers: [s.o1.id] }, { offers: [s.o1.id], tracking_links: false, creatives: false, coupons: false }]) {
    const r = await make(s.a.key, body);
    assert.equal(r.status, 422, r.text);
    assert.equal(r.body.errors[0].field, 'tracking_links');
  }
  const bad = await make(s.a.key, { offers: [s.o1.id, 'x'], tracking_links: { kind: 'nope', sub9: 1 }, creatives: { types: ['image', 'gif'] } });
  assert.equal(bad.status, 400, bad.text);
  const fields = bad.body.errors.map((e) => e.field).sort();
  assert.deepEqual(fields, ['offers[1]', 'tracking_links.kind', 'tracking_links.sub9']);
  const types = await make(s.a.key, { offers: [s.o1.id], creatives: { types: ['image', 'gif'] } });
  assert.equal(types.status, 400, types.text);
  assert.equal(types.body.errors[0].field, 'creatives.types[1]');
  const links = { offers: [s.o2.id, s.closed.id, 999999999, s.o2.id], tracking_links: true };
  const r = await make(s.a.key, links);
  const t = await api('POST', '/v1/tracking-links', { key: s.a.key, body: { offers: links.offers } });
  assert.equal(r.status, 404);
  assert.equal(t.status, 404);
  assert.deepEqual(r.body.errors, t.body.errors, 'the same 404 as POST /v1/tracking-links');
  assert.deepEqual(r.body.errors.map((e) => e.field), ['offers[1]', 'offers[2]']);
  assert.equal((await make(s.a.key, { offers: [s.o3.id], partner_id: s.b.partner.id, coupons: true })).status, 404);
  const admin = await make(ADMIN, { offers: [s.o1.id], coupons: true });
  assert.equal(admin.status, 400);
  assert.equal(admin.body.errors[0].field, 'partner_id');
  const url = await make(s.a.key, { offers: [s.o1.id, s.o2.id], offer_url_id: s.u1.id, tracking_links: true });
  assert.equal(url.body.errors[0].field, 'offer_url_id');
  const notOfOffer = await make(s.a.key, { offers: [s.o2.id], offer_url_id: s.u1.id, tracking_links: true });
  assert.equal(notOfOffer.body.errors[0].field, 'offer_url_id');
  const before = (await api('GET', '/v1/asset-packages?limit=200', { key: s.a.key })).body.data.length;
  assert.equal(before, 0, 'no failed request kept a package');
});

test('every combination of parts and bundle types: links as POST /v1/tracking-links, creatives and coupons as their lists', async () => {
  const bundles = { single: [s.o1.id], multiple: [s.o3.id, s.o1.id, s.o2.id, s.o1.id], all: 'all' };
  for (const [bundle, offers] of Object.entries(bundles)) {
    for (let mask = 1; mask < 8; mask++) {
      const body = { offers };
      if (mask & 1) body.tracking_links = { sub1: `m${mask}` };
      if (mask & 2) body.creatives = true;
      if (mask & 4) body.coupons = true;
      const r = await make(s.a.key, body, '?limit=100');
      assert.equal(r.status, 201, `${bundle} ${mask}: ${r.text}`);
      const p = r.body;
      assert.equal(r.headers.get('location'), `/v1/asset-packages/${p.id}`);
      assert.equal(p.partner_id, s.a.partner.id);
      assert.deepEqual(p.config, {
        offers: offers === 'all' ? 'all' : [s.o3.id, s.o1.id, s.o2.id].filter((id) => offers.includes(id)),
        offer_url_id: null,
        tracking_links: mask & 1 ? { kind: 'click', include_additional_urls: false, source_id: null, sub1: `m${mask}`, sub2: null, sub3: null, sub4: null, sub5: null } : false,
        creatives: mask & 2 ? { types: null } : false,
        coupons: Boolean(mask & 4),
      });
      const got = await allOffers(s.a.key, p);
      const ids = got.map((o) => o.offer_id);
      assert.deepEqual(ids, [...ids].sort((x, y) => x - y), 'offers by id');
      if (offers !== 'all') assert.deepEqual(ids, [s.o1.id, s.o2.id, s.o3.id].filter((id) => offers.includes(id)));
      else {
        assert.ok([s.o1.id, s.o2.id, s.o3.id].every((id) => ids.includes(id)));
        assert.ok(!ids.includes(s.closed.id));
      }
      const mine = got.filter((o) => [s.o1.id, s.o2.id, s.o3.id].includes(o.offer_id));
      for (const o of mine) {
        if (mask & 1) {
          const t = await api('POST', '/v1/tracking-links', { key: s.a.key, body: { offers: [o.offer_id], sub1: `m${mask}` } });
          assert.deepEqual(o.tracking_links, t.body.data);
        } else assert.deepEqual(o.tracking_links, []);
        const expected = { [s.o1.id]: [s.img1.id, s.html1.id], [s.o2.id]: [s.text2.id], [s.o3.id]: [s.img3.id] }[o.offer_id];
        assert.deepEqual(o.creatives.map((c) => c.id), mask & 2 ? expected : []);
        if (mask & 4) assert.deepEqual(o.coupons.map(stableCoupon), (await couponList(s.a.key, o.offer_id)).map(stableCoupon));
        else assert.deepEqual(o.coupons, []);
      }
    }
  }
});

test('creatives carry the package link and match GET /v1/creatives/{id} with the same parameters; types filter them', async () => {
  const r = await make(s.a.key, { offers: [s.o1.id], tracking_links: { kind: 'impression', source_id: 'pk' }, creatives: { types: ['html', 'html'] } });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.body.config.creatives, { types: ['html'] });
  const [o] = r.body.offers;
  assert.deepEqual(o.creatives.map((c) => c.id), [s.html1.id]);
  const d = await api('GET', `/v1/creatives/${s.html1.id}?kind=impression&source_id=pk`, { key: s.a.key });
  assert.deepEqual(stable(o.creatives[0]), stable(d.body));
  assert.ok(o.creatives[0].html_code.includes(o.tracking_links[0].redirect_url));
  assert.equal(o.tracking_links[0].kind, 'impression');
  const f = await get(local(o.creatives[0].download_url));
  assert.equal(f.status, 200);
  assert.equal(f.body.toString(), o.creatives[0].html_code);
});

test('link options: impression, additional URLs, one offer URL, parameters — each as POST /v1/tracking-links makes them', async () => {
  const cases = [
    { kind: 'impression' },
    { include_additional_urls: true, source_id: 'news', sub1: 'a', sub5: 'e' },
    { kind: 'impression', include_additional_urls: true },
  ];
  for (const opts of cases) {
    const r = await make(s.a.key, { offers: [s.o1.id, s.o2.id], tracking_links: opts });
    assert.equal(r.status, 201, r.text);
    const t = await api('POST', '/v1/tracking-links', { key: s.a.key, body: { offers: [s.o1.id, s.o2.id], ...opts } });
    assert.deepEqual(r.body.offers.flatMap((o) => o.tracking_links), t.body.data);
  }
  const one = await make(s.a.key, { offers: [s.o1.id], offer_url_id: s.u1.id, tracking_links: { sub2: 'x' } });
  assert.equal(one.status, 201, one.text);
  const t = await api('POST', '/v1/tracking-links', { key: s.a.key, body: { offers: [s.o1.id], offer_url_id: s.u1.id, sub2: 'x' } });
  assert.deepEqual(one.body.offers[0].tracking_links, t.body.data);
  assert.equal(one.body.offers[0].tracking_links.length, 1);
  assert.equal(one.body.config.offer_url_id, s.u1.id);
  // an admin makes a package for a partner
  const admin = await make(ADMIN, { offers: [s.o3.id], partner_id: s.a.partner.id, tracking_links: true });
  assert.equal(admin.status, 201, admin.text);
  assert.equal(admin.body.partner_id, s.a.partner.id);
  const ta = await api('POST', '/v1/tracking-links', { key: s.a.key, body: { offers: [s.o3.id] } });
  assert.deepEqual(admin.body.offers[0].tracking_links, ta.body.data);
});

test('the JSON is paginated over offers: limit, next_cursor continued by GET, cursors bound to their package', async () => {
  const r = await make(s.a.key, { offers: [s.o1.id, s.o2.id, s.o3.id], coupons: true }, '?limit=1');
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.offers.length, 1);
  assert.ok(r.body.next_cursor);
  const all = await allOffers(s.a.key, r.body);
  assert.deepEqual(all.map((o) => o.offer_id), [s.o1.id, s.o2.id, s.o3.id]);
  const page2 = await api('GET', `/v1/asset-packages/${r.body.id}?limit=1&cursor=${r.body.next_cursor}`, { key: s.a.key });
  assert.equal(page2.status, 200);
  assert.deepEqual(page2.body.offers.map((o) => o.offer_id), [s.o2.id]);
  const other = await make(s.a.key, { offers: [s.o1.id, s.o2.id], coupons: true }, '?limit=1');
  const wrong = await api('GET', `/v1/asset-packages/${other.body.id}?limit=1&cursor=${r.body.next_cursor}`, { key: s.a.key });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body.errors[0].field, 'cursor');
  assert.equal((await make(s.a.key, { offers: 'all', coupons: true }, '?limit=101')).status, 400);
  const dflt = await make(s.a.key, { offers: 'all', coupons: true });
  assert.ok(dflt.body.offers.length <= 20);
});

test('GET /v1/asset-packages lists the caller\'s own packages, newest first; a partner sees only its own', async () => {
  const { key, partner } = await partnerWithKey();
  const p1 = (await make(key, { offers: [s.o1.id], coupons: true })).body;
  const p2 = (await make(key, { offers: 'all', tracking_links: true })).body;
  const l = await api('GET', '/v1/asset-packages?limit=1', { key });
  assert.equal(l.status, 200);
  assert.deepEqual(l.body.data.map((p) => p.id), [p2.id]);
  assert.deepEqual(l.body.data[0].config, p2.config);
  const l2 = await api('GET', `/v1/asset-packages?limit=1&cursor=${l.body.next_cursor}`, { key });
  assert.deepEqual(l2.body.data.map((p) => p.id), [p1.id]);
  assert.equal(l2.body.next_cursor, null);
  const b = await api('GET', '/v1/asset-packages?limit=200', { key: s.b.key });
  assert.ok(!b.body.data.some((p) => p.partner_id === partner.id));
  const admin = await api('GET', '/v1/asset-packages?limit=200', { key: ADMIN });
  assert.ok(admin.body.data.some((p) => p.id === p2.id));
  const g = await api('GET', `/v1/asset-packages/${p1.id}`, { key });
  assert.equal(g.status, 200);
  assert.deepEqual(stable(g.body.offers), stable(p1.offers));
});

/** Unpacks a ZIP: unzip -t, then Python's zipfile reads every entry into dir; returns {name: {file, method, utf8}}. */
function unpack(body) {
  const file = join(dir, `p${++zips}.zip`);
  writeFileSync(file, body);
  execFileSync('unzip', ['-tq', file]);
  const out = join(dir, `p${zips}`);
  const py = execFileSync('python3', ['-c', `
import zipfile, json, sys, os
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
out = {}
for n, i in enumerate(z.infolist()):
    assert not i.filename.startswith('/') and '..' not in i.filename.split('/')
    path = os.path.join(sys.argv[2], str(n))
    os.makedirs(sys.argv[2], exist_ok=True)
    with open(path, 'wb') as f:
        f.write(z.read(i))
    out[i.filename] = {"file": path, "method": i.compress_type}
print(json.dumps(out))`, file, out]).toString();
  return JSON.parse(py);
}

function csvRows(file) {
  return JSON.parse(execFileSync('python3', ['-c',
    'import csv, json, sys\nprint(json.dumps(list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))))', file]).toString());
}

function zbar(png) {
  const r = spawnSync('zbarimg', ['--raw', '-q', '-Sbinary', png]);
  assert.equal(r.status, 0, `zbarimg found no code in ${png}: ${r.stderr}`);
  return r.stdout.toString('utf8').replace(/\n$/, '');
}

test('the ZIP: README, tracking-links.csv, every QR decoded to its row, creatives as stored or filled, coupons.csv as the export', async () => {
  const r = await make(s.a.key, { offers: [s.o1.id, s.o2.id, s.o3.id], tracking_links: { include_additional_urls: true, sub1: '=cmd' }, creatives: true, coupons: true }, '?limit=1');
  assert.equal(r.status, 201, r.text);
  const p = r.body;
  const z = await get(local(p.download_url));
  assert.equal(z.status, 200);
  assert.equal(z.headers.get('content-type'), 'application/zip');
  assert.equal(z.headers.get('content-length'), null, 'streamed');
  assert.equal(z.headers.get('content-disposition'), `attachment; filename="trackgen-package-${p.id}.zip"`);
  assert.match(z.headers.get('cache-control'), /^private, max-age=\d+$/);
  const e = unpack(z.body);
  const names = Object.keys(e);
  assert.equal(names[0], 'README.txt');
  assert.equal(names[1], 'tracking-links.csv');
  assert.equal(names[names.length - 1], 'coupons.csv');
  const readme = readFileSync(e['README.txt'].file, 'utf8');
  assert.ok(readme.includes(`asset package ${p.id}`) && readme.includes(`id ${s.a.partner.id}`) && readme.includes('"sub1": "=cmd"'), readme);

  // tracking-links.csv: the links of every offer (all pages), formula-safe; each QR file decodes to its redirect_url
  const offers = await allOffers(s.a.key, p);
  const links = offers.flatMap((o) => o.tracking_links);
  const rows = csvRows(e['tracking-links.csv'].file);
  assert.deepEqual(rows[0], ['offer_id', 'offer', 'offer_url_id', 'url_name', 'kind', 'redirect_url', 'direct_url', 'impression_url', 'qr_png_url', 'qr_svg_url', 'qr_png_file', 'qr_svg_file']);
  assert.equal(rows.length - 1, links.length);
  assert.equal(links.length, 4, 'o1, its URL, o2, o3');
  rows.slice(1).forEach((row, i) => {
    const l = links[i];
    assert.deepEqual(row.slice(0, 10), [String(l.offer_id), l.offer_name.startsWith('=') ? `'${l.offer_name}` : l.offer_name, l.offer_url_id ? String(l.offer_url_id) : '',
      l.url_name || '', l.kind, l.redirect_url, l.direct_url, '', l.qr_png_url, l.qr_svg_url]);
    assert.match(row[10], /^qr\/.+\.png$/);
    assert.equal(row[11], row[10].replace(/\.png$/, '.svg'));
    assert.equal(zbar(e[row[10]].file), l.redirect_url, row[10]);
    const png = `${e[row[11]].file}.png`;
    execFileSync('rsvg-convert', ['-o', png, e[row[11]].file]);
    assert.equal(zbar(png), l.redirect_url, row[11]);
    assert.equal(e[row[10]].method, 0, 'PNG stored');
    assert.equal(e[row[11]].method, 8, 'SVG deflated');
  });
  assert.equal(rows[2][3], 'Tent / 2p');
  assert.ok(!rows[2][10].slice(3).includes('/'), 'the URL name is sanitised');
  assert.equal(names.filter((n) => n.startsWith('qr/')).length, 2 * links.length);

  // creatives/<offer>/: stored files byte for byte, code creatives with the link inserted
  const creatives = offers.flatMap((o) => o.creatives);
  const entries = names.filter((n) => n.startsWith('creatives/'));
  assert.equal(entries.length, creatives.length);
  assert.equal(creatives.length, 4);
  creatives.forEach((c, i) => {
    const bytes = readFileSync(e[entries[i]].file);
    if (c.file) assert.equal(sha(bytes), c.file.sha256, entries[i]);
    else assert.equal(bytes.toString(), c.html_code ?? c.text_body, entries[i]);
    assert.ok(entries[i].startsWith('creatives/') && entries[i].split('/').length === 3, entries[i]);
  });
  assert.ok(!names.some((n) => n.includes('For B only')), 'a creative private to another partner is not in it');
  const html = readFileSync(e[entries[1]].file, 'utf8');
  assert.ok(html.includes(links[0].redirect_url), html);

  // coupons.csv: exactly the partner's export (A has codes only on these offers)
  const exp = await get('/v1/coupons/export.csv', { Authorization: `Bearer ${s.a.key}` });
  assert.equal(exp.status, 200);
  assert.equal(readFileSync(e['coupons.csv'].file, 'utf8'), exp.body.toString());
  assert.equal(csvRows(e['coupons.csv'].file).length - 1, 5);

  // with a key, through download-url, and HEAD
  const k = await get(`/v1/asset-packages/${p.id}/download`, { Authorization: `Bearer ${s.a.key}` });
  assert.equal(k.status, 200);
  assert.deepEqual(Object.keys(unpack(k.body)), names);
  const u = await api('GET', `/v1/asset-packages/${p.id}/download-url`, { key: s.a.key });
  assert.equal(u.status, 200);
  const viaUrl = await get(local(u.body.url));
  assert.deepEqual(Object.keys(unpack(viaUrl.body)), names);
  const head = await get(local(u.body.url), {}, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
});

test('parts that are off are not in the ZIP; a package of coupons only holds README and coupons.csv', async () => {
  const r = await make(s.a.key, { offers: [s.o2.id, s.o3.id], coupons: true });
  const e = unpack((await get(local(r.body.download_url))).body);
  assert.deepEqual(Object.keys(e), ['README.txt', 'coupons.csv']);
  assert.equal(csvRows(e['coupons.csv'].file).length - 1, 2, 'only the codes of o3: o2 has none of A');
  const c = await make(s.a.key, { offers: [s.o2.id], creatives: { types: ['image'] } });
  assert.deepEqual(Object.keys(unpack((await get(local(c.body.download_url))).body)), ['README.txt']);
});

test('isolation: another partner gets 404 for the package, its ZIP and every URL in it; tampered 404, expired 410; lost access drops the offer', async () => {
  const r = await make(s.a.key, { offers: [s.o1.id, s.o3.id], tracking_links: true, creatives: true, coupons: true });
  const p = r.body;
  const path = `/v1/asset-packages/${p.id}`;
  assert.equal((await api('GET', path, { key: s.b.key })).status, 404);
  assert.equal((await api('GET', `${path}/download-url`, { key: s.b.key })).status, 404);
  assert.equal((await get(`${path}/download`, { Authorization: `Bearer ${s.b.key}` })).status, 404);
  const exp = Math.floor(Date.now() / 1000) + 600;
  assert.equal((await get(signedPath(s.b.partner.id, exp, `${path}/download`))).status, 404, 'a URL signed for B');
  assert.equal((await get(signedPath(s.a.partner.id, exp, `${path}/download`))).status, 200, 'the same for A');
  assert.equal((await get(signedPath(s.a.partner.id, Math.floor(Date.now() / 1000) - 5, `${path}/download`))).status, 410);
  const tampered = local(p.download_url).replace(/sig=.(.)/, (m, c) => `sig=${c === 'A' ? 'BB' : 'AA'}`);
  assert.equal((await get(tampered)).status, 404);
  // every URL inside, signed for B instead: the creative of the private offer is 404 for B
  const secret = p.offers.find((o) => o.offer_id === s.o3.id).creatives[0];
  const [cpath, q] = local(secret.download_url).split('?');
  const params = Object.fromEntries([...new URLSearchParams(q)].filter(([k2]) => !['p', 'exp', 'sig'].includes(k2)));
  assert.equal((await get(signedPath(s.b.partner.id, exp, cpath, params))).status, 404);
  assert.equal((await get(local(secret.download_url))).status, 200);
  const thumb = local(secret.thumbnail_url).split('?')[0];
  assert.equal((await get(signedPath(s.b.partner.id, exp, thumb))).status, 404);
  // A loses o3: the package (JSON and ZIP) drops it, the URLs inside stop working
  await api('DELETE', `/v1/offers/${s.o3.id}/partners/${s.a.partner.id}`, { key: ADMIN });
  try {
    const g = await api('GET', path, { key: s.a.key });
    assert.deepEqual(g.body.offers.map((o) => o.offer_id), [s.o1.id]);
    const e = unpack((await get(local(p.download_url))).body);
    assert.ok(!Object.keys(e).some((n) => n.includes('Secret banner')));
    assert.equal(csvRows(e['tracking-links.csv'].file).length - 1, 1);
    assert.equal((await get(local(secret.download_url))).status, 404);
  } finally {
    await grant(s.o3.id, s.a.partner.id);
  }
  assert.equal((await rawGet(`${path}/download`)).status, 401, 'no key, no signature');
});

test('a link too long for a QR code is in tracking-links.csv without images, and the rest of the ZIP is whole', async () => {
  const long = 'ü'.repeat(255); // 1 530 bytes once percent-encoded: four of them are more than a QR code holds
  const r = await make(s.a.key, { offers: [s.o2.id], tracking_links: { sub2: long, sub3: long, sub4: long, sub5: long }, coupons: true });
  assert.equal(r.status, 201, r.text);
  const [link] = r.body.offers[0].tracking_links;
  assert.ok(link.redirect_url.length > 6000);
  assert.equal((await rawGet(local(link.qr_png_url))).status, 422, 'GET /qr cannot draw it either');
  const z = await get(local(r.body.download_url));
  assert.equal(z.status, 200);
  const e = unpack(z.body);
  assert.deepEqual(Object.keys(e), ['README.txt', 'tracking-links.csv', 'coupons.csv']);
  const rows = csvRows(e['tracking-links.csv'].file);
  assert.equal(rows[1][5], link.redirect_url);
  assert.deepEqual(rows[1].slice(10), ['', '']);
});

test('a package of one offer URL that was archived since: the offer is still there, without links; its ZIP still whole', async () => {
  const u = await api('POST', `/v1/offers/${s.o2.id}/urls`, { key: ADMIN, body: { name: 'Soon gone', destination_url: 'https://shop.example/gone' } });
  assert.equal(u.status, 201, u.text);
  const r = await make(s.a.key, { offers: [s.o2.id], offer_url_id: u.body.id, tracking_links: true, coupons: true });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.offers[0].tracking_links[0].offer_url_id, u.body.id);
  assert.equal((await api('DELETE', `/v1/offers/${s.o2.id}/urls/${u.body.id}`, { key: ADMIN })).status, 204);
  const g = await api('GET', `/v1/asset-packages/${r.body.id}`, { key: s.a.key });
  assert.equal(g.status, 200, g.text);
  assert.deepEqual(g.body.offers.map((o) => [o.offer_id, o.tracking_links.length]), [[s.o2.id, 0]]);
  const z = await get(local(g.body.download_url));
  assert.equal(z.status, 200);
  const e = unpack(z.body);
  assert.equal(csvRows(e['tracking-links.csv'].file).length, 1, 'the header alone');
});
