// Creative files end to end through nginx: uploads of every type (multipart and PUT) decided by
// magic bytes, disguised files, hostile names, multipart edge cases, the upload cap; downloads sent
// by nginx (X-Accel-Redirect) with every header checked, Range, HEAD, 304; thumbnails; partner
// isolation on every endpoint and signed URL; Download All checked with unzip -t, zipinfo and
// Python's zipfile; gc removing only what no creative names.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, ADMIN, BASE, uniq, createOffer, partnerWithKey, linksFor } from './lib/client.mjs';
import { signedPath } from './lib/signed.mjs';
import { checkResponse } from './lib/openapi.mjs';

const sha = (b) => createHash('sha256').update(b).digest('hex');
const dir = mkdtempSync(join(tmpdir(), 'tg-creatives-'));
const files = {};

/** A minimal, well-formed ISO BMFF (MP4) file: ftyp, an empty moov/mvhd and an mdat. */
function mp4() {
  const box = (type, body) => { const h = Buffer.alloc(8); h.writeUInt32BE(8 + body.length); h.write(type, 4, 'ascii'); return Buffer.concat([h, body]); };
  const ftyp = box('ftyp', Buffer.concat([Buffer.from('isom'), Buffer.from([0, 0, 2, 0]), Buffer.from('isomiso2mp41')]));
  const mvhd = box('mvhd', Buffer.alloc(100));
  return Buffer.concat([ftyp, box('moov', mvhd), box('mdat', Buffer.from('trackgen test video payload'))]);
}

before(() => {
  const vips = (...args) => execFileSync('vips', args, { stdio: 'pipe' });
  vips('black', join(dir, 'b.v'), '300', '250', '--bands', '3');
  vips('linear', join(dir, 'b.v'), join(dir, 'c.v'), '1 1 1', '10 120 200', '--uchar');
  for (const ext of ['png', 'jpg', 'gif', 'webp']) {
    vips('copy', join(dir, 'c.v'), join(dir, `banner.${ext}`));
    files[ext] = readFileSync(join(dir, `banner.${ext}`));
  }
  vips('black', join(dir, 'big.v'), '1200', '600', '--bands', '3');
  vips('copy', join(dir, 'big.v'), join(dir, 'big.png'));
  files.big = readFileSync(join(dir, 'big.png'));
  files.svg = Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60"><script>alert(1)</script><rect width="120" height="60" fill="red"/></svg>');
  files.html = Buffer.from('<!DOCTYPE html><html><body><a href="{tracking_link}">Buy</a><script>alert(document.cookie)</script></body></html>');
  files.txt = Buffer.from('Plain text creative: {tracking_link}\n');
  files.pdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
  files.mp4 = mp4();
  execFileSync('python3', ['-c', `import zipfile; z=zipfile.ZipFile('${join(dir, 'a.zip')}','w'); z.writestr('readme.txt','hello'); z.close()`]);
  files.zip = readFileSync(join(dir, 'a.zip'));
});

/** multipart/form-data by hand, so the tests control every byte. parts: [{name, filename, type, data}] */
function multipart(parts, boundary = `tgb${Date.now()}`) {
  const chunks = [];
  for (const p of parts) {
    let h = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== undefined) h += `; filename="${p.filename}"`;
    if (p.filenameStar) h += `; filename*=UTF-8''${encodeURIComponent(p.filenameStar)}`;
    h += '\r\n';
    if (p.type) h += `Content-Type: ${p.type}\r\n`;
    if (p.extraHeader) h += p.extraHeader;
    chunks.push(Buffer.from(`${h}\r\n`), Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
}

async function upload(meta, data, filename = 'file.bin', opts = {}) {
  const m = multipart([{ name: 'metadata', type: 'application/json', data: JSON.stringify(meta) },
    { name: 'file', filename, type: opts.declared || 'application/octet-stream', data, filenameStar: opts.filenameStar }]);
  return api('POST', '/v1/creatives', { key: ADMIN, rawBody: m.body, contentType: m.type });
}

/** A GET (or HEAD) of a download; checked against the contract unless it is the internal location. */
async function get(url, headers = {}, method = 'GET') {
  const path = url.startsWith('http') ? url.slice(BASE.length) : url;
  const res = await fetch(BASE + path, { method, headers, redirect: 'manual' });
  const body = Buffer.from(await res.arrayBuffer());
  const ctype = res.headers.get('content-type') || '';
  const parsed = ctype.startsWith('application/problem+json') ? JSON.parse(body.toString()) : body.length ? body : '';
  if (!path.startsWith('/_blobs/')) checkResponse(method, path, res.status, res.headers, parsed);
  return { status: res.status, headers: res.headers, body };
}

function blobs() {
  const root = join(process.env.TG_STACK_DIR, 'blobs');
  const out = [];
  const walk = (d) => { for (const f of readdirSync(d)) { const p = join(d, f); if (statSync(p).isDirectory()) { if (f !== 'tmp') walk(p); } else out.push(f); } };
  walk(root);
  return out.sort();
}
const tmpFiles = () => readdirSync(join(process.env.TG_STACK_DIR, 'blobs', 'tmp'));

function checkDownloadHeaders(r, { type, size, hash, filename }) {
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type').split(';')[0], type);
  assert.equal(Number(r.headers.get('content-length')), size);
  assert.equal(r.headers.get('etag'), `"${hash}"`);
  assert.equal(r.headers.get('content-security-policy'), 'sandbox');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.match(r.headers.get('x-request-id'), /^[0-9a-f]{32}$/);
  assert.match(r.headers.get('cache-control'), /^private, (max-age=\d+|no-store)$/);
  assert.equal(r.headers.get('accept-ranges'), 'bytes');
  if (filename) assert.ok(r.headers.get('content-disposition').startsWith('attachment; filename="'), r.headers.get('content-disposition'));
}

test('every type is uploaded, typed by its magic bytes, measured, and downloaded byte for byte through nginx', async () => {
  const o = await createOffer();
  const { key } = await partnerWithKey();
  const cases = [
    ['png', 'image', 'image/png', 300, 250], ['jpg', 'image', 'image/jpeg', 300, 250], ['gif', 'image', 'image/gif', 300, 250],
    ['webp', 'image', 'image/webp', 300, 250], ['svg', 'image', 'image/svg+xml', 120, 60], ['html', 'html', 'text/html', null, null],
    ['txt', 'text', 'text/plain', null, null], ['pdf', 'document', 'application/pdf', null, null], ['zip', 'archive', 'application/zip', null, null],
    ['mp4', 'video', 'video/mp4', null, null],
  ];
  for (const [ext, type, ctype, w, h] of cases) {
    const r = await upload({ offer_id: o.id, name: uniq(ext), type }, files[ext], `upload.${ext}`, { declared: 'application/x-lies' });
    assert.equal(r.status, 201, `${ext}: ${r.text}`);
    const f = r.body.file;
    assert.equal(f.content_type.split(';')[0], ctype, ext);
    assert.equal(f.size, files[ext].length);
    assert.equal(f.sha256, sha(files[ext]));
    assert.equal(f.width, w, ext);
    assert.equal(f.height, h, ext);
    assert.equal(f.name, `upload.${ext}`);
    assert.equal(r.headers.get('location'), `/v1/creatives/${r.body.id}`);
    // the partner's view, and its signed download URL used without a key
    const pv = await api('GET', `/v1/creatives/${r.body.id}`, { key });
    assert.equal(pv.status, 200);
    const dl = await get(pv.body.download_url);
    checkDownloadHeaders(dl, { type: ctype, size: files[ext].length, hash: sha(files[ext]), filename: true });
    assert.equal(sha(dl.body), sha(files[ext]), `${ext} arrives byte for byte`);
    if (type === 'image' && ext !== 'svg') {
      assert.ok(pv.body.thumbnail_url, `${ext} has a thumbnail`);
      const t = await get(pv.body.thumbnail_url);
      assert.equal(t.status, 200);
      assert.match(t.headers.get('content-type'), /^image\/(png|jpeg)$/);
      assert.equal(t.headers.get('x-content-type-options'), 'nosniff');
      assert.match(t.headers.get('etag'), /^"[0-9a-f]{64}"$/);
    }
  }
});

test('thumbnails are at most 320 px, keep the aspect, never upscale', async () => {
  const o = await createOffer();
  const r = await upload({ offer_id: o.id, name: uniq('big'), type: 'image' }, files.big, 'big.png');
  assert.equal(r.status, 201, r.text);
  assert.deepEqual([r.body.file.width, r.body.file.height], [1200, 600]);
  const t = await get(r.body.thumbnail_url);
  writeFileSync(join(dir, 'thumb'), t.body);
  const dims = execFileSync('vipsheader', ['-f', 'width', join(dir, 'thumb')]).toString().trim() + 'x'
    + execFileSync('vipsheader', ['-f', 'height', join(dir, 'thumb')]).toString().trim();
  assert.equal(dims, '320x160');
  const small = await get((await upload({ offer_id: o.id, name: uniq('small'), type: 'image' }, files.png, 'b.png')).body.thumbnail_url);
  writeFileSync(join(dir, 'thumb2'), small.body);
  assert.equal(execFileSync('vipsheader', ['-f', 'width', join(dir, 'thumb2')]).toString().trim(), '300', 'not upscaled');
});

test('disguised files are judged by their bytes: 422 naming file, and nothing is stored', async () => {
  const o = await createOffer();
  const before = blobs();
  const png = await upload({ offer_id: o.id, name: uniq('png-as-jpg'), type: 'image' }, files.png, 'photo.jpg', { declared: 'image/jpeg' });
  assert.equal(png.status, 201);
  assert.equal(png.body.file.content_type, 'image/png', 'a PNG named .jpg is a PNG');
  const stored = blobs();
  for (const [data, type, name] of [[files.html, 'image', 'banner.png'], [files.txt, 'video', 'clip.mp4'], [files.zip, 'image', 'x.png'],
    [Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), 'archive', 'x.zip'], [files.svg, 'html', 'x.html']]) {
    const r = await upload({ offer_id: o.id, name: uniq('bad'), type }, data, name, { declared: 'image/png' });
    assert.equal(r.status, 422, `${name} as ${type}: ${r.text}`);
    assert.deepEqual(r.body.errors.map((e) => e.field), ['file']);
  }
  assert.deepEqual(blobs(), stored, 'refused uploads leave no file');
  assert.ok(before.length <= stored.length);
  assert.deepEqual(tmpFiles(), [], 'and no temporary');
  const list = await api('GET', `/v1/creatives?offer_id=${o.id}&limit=200`, { key: ADMIN });
  assert.equal(list.body.data.length, 1, 'and no row');
});

test('hostile and non-ASCII file names are made safe; Content-Disposition carries filename*', async () => {
  const o = await createOffer();
  const { key } = await partnerWithKey();
  const r = await upload({ offer_id: o.id, name: uniq('x'), type: 'image' }, files.png, '../../etc/passwd.png');
  assert.equal(r.body.file.name, 'passwd.png');
  const u = await upload({ offer_id: o.id, name: uniq('u'), type: 'image' }, files.png, 'x.png', { filenameStar: 'Bänner "Sommer" ☀.png' });
  assert.equal(u.status, 201, u.text);
  assert.equal(u.body.file.name, 'Bänner _Sommer_ ☀.png');
  const dl = await get((await api('GET', `/v1/creatives/${u.body.id}`, { key })).body.download_url);
  const cd = dl.headers.get('content-disposition');
  assert.match(cd, /^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''/);
  assert.equal(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(cd)[1]), 'Bänner _Sommer_ ☀.png');
  assert.ok(!/filename="[^"]*[^\x20-\x7e]/.test(cd), 'the fallback is ASCII');
  // control characters make the part malformed, raw or percent-encoded; a bidi override is removed
  for (const [plain, star] of [['a\u0001.png', undefined], ['x.png', 'a\u0001.png']]) {
    const bad = await upload({ offer_id: o.id, name: uniq('c'), type: 'image' }, files.png, plain, { filenameStar: star });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.errors.map((e) => e.field), ['multipart']);
  }
  const ctl = await upload({ offer_id: o.id, name: uniq('c'), type: 'image' }, files.png, 'x.png', { filenameStar: 'a\u202egnp.exe' });
  assert.equal(ctl.status, 201, ctl.text);
  assert.ok(!/[\u0000-\u001f\u202e]/.test(ctl.body.file.name), ctl.body.file.name);
});

test('multipart edge cases are 400 naming the part; the upload cap is a 413 before the body is read', async () => {
  const o = await createOffer();
  const meta = JSON.stringify({ offer_id: o.id, name: uniq('m'), type: 'image' });
  const post = (m) => api('POST', '/v1/creatives', { key: ADMIN, rawBody: m.body, contentType: m.type });
  const fieldsOf = (r) => r.body.errors.map((e) => e.field);
  let r = await post(multipart([{ name: 'metadata', type: 'application/json', data: meta }]));
  assert.equal(r.status, 400); assert.deepEqual(fieldsOf(r), ['file']);
  r = await post(multipart([{ name: 'file', filename: 'a.png', data: files.png }, { name: 'metadata', data: meta }]));
  assert.equal(r.status, 400); assert.deepEqual(fieldsOf(r), ['metadata']);
  r = await post(multipart([{ name: 'metadata', data: '{"offer_id": 1,' }, { name: 'file', filename: 'a.png', data: files.png }]));
  assert.equal(r.status, 400); assert.deepEqual(fieldsOf(r), ['metadata']);
  r = await post(multipart([{ name: 'metadata', data: JSON.stringify({ offer_id: o.id, type: 'image', colour: 1 }) }, { name: 'file', filename: 'a.png', data: files.png }]));
  assert.equal(r.status, 400); assert.deepEqual(fieldsOf(r).sort(), ['colour', 'name']);
  r = await post(multipart([{ name: 'metadata', data: meta }, { name: 'extra', data: 'x' }]));
  assert.equal(r.status, 400); assert.deepEqual(fieldsOf(r), ['extra']);
  const good = multipart([{ name: 'metadata', data: meta }, { name: 'file', filename: 'a.png', data: files.png }], 'right');
  r = await api('POST', '/v1/creatives', { key: ADMIN, rawBody: good.body, contentType: 'multipart/form-data; boundary=wrong' });
  assert.equal(r.status, 400, 'a boundary that never appears'); assert.deepEqual(fieldsOf(r), ['multipart']);
  r = await api('POST', '/v1/creatives', { key: ADMIN, rawBody: good.body, contentType: 'multipart/form-data' });
  assert.equal(r.status, 400); assert.deepEqual(fieldsOf(r), ['Content-Type']);
  r = await post(multipart([{ name: 'metadata', data: meta, extraHeader: `X-Padding: ${'p'.repeat(9000)}\r\n` }, { name: 'file', filename: 'a.png', data: files.png }]));
  assert.equal(r.status, 400, 'part headers over 8 KiB'); assert.deepEqual(fieldsOf(r), ['multipart']);
  const cut = good.body.subarray(0, good.body.length - 10);
  r = await api('POST', '/v1/creatives', { key: ADMIN, rawBody: cut, contentType: good.type });
  assert.equal(r.status, 400, 'no closing delimiter'); assert.deepEqual(fieldsOf(r), ['multipart']);
  // over the cap: refused from Content-Length, naming the cap and its setting
  const cap = Number(process.env.TG_MAX_UPLOAD);
  const huge = multipart([{ name: 'metadata', data: meta }, { name: 'file', filename: 'big.bin', data: Buffer.alloc(cap + 1, 7) }]);
  r = await api('POST', '/v1/creatives', { key: ADMIN, rawBody: huge.body, contentType: huge.type });
  assert.equal(r.status, 413);
  assert.match(r.body.detail, /TRACKGEN_MAX_UPLOAD/);
  const c = await api('POST', '/v1/creatives', { key: ADMIN, body: { offer_id: o.id, name: uniq('p'), type: 'image' } });
  r = await api('PUT', `/v1/creatives/${c.body.id}/file`, { key: ADMIN, rawBody: Buffer.alloc(cap + 1, 7), contentType: 'application/octet-stream' });
  assert.equal(r.status, 413);
  // a JSON body keeps the JSON cap on the upload route
  r = await api('POST', '/v1/creatives', { key: ADMIN, rawBody: `{"name":"${'x'.repeat(Number(process.env.TG_MAX_BODY))}"}` });
  assert.equal(r.status, 413);
  assert.match(r.body.detail, /TRACKGEN_MAX_BODY/);
  assert.deepEqual(tmpFiles(), []);
});

test('PUT replaces the file; gc removes only blobs no creative names, once past their grace', async () => {
  const o = await createOffer();
  const c = await api('POST', '/v1/creatives', { key: ADMIN, body: { offer_id: o.id, name: uniq('put'), type: 'image' } });
  let r = await api('PUT', `/v1/creatives/${c.body.id}/file?filename=first.gif`, { key: ADMIN, rawBody: files.gif, contentType: 'image/gif' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.file.name, 'first.gif');
  assert.equal(r.body.file.sha256, sha(files.gif));
  const unique = Buffer.concat([files.txt, Buffer.from(uniq('gc'))]);
  const t = await api('POST', '/v1/creatives', { key: ADMIN, body: { offer_id: o.id, name: uniq('t'), type: 'text', text_body: 'x' } });
  r = await api('PUT', `/v1/creatives/${t.body.id}/file`, { key: ADMIN, rawBody: unique, contentType: 'text/plain' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.file.name, `${t.body.name}.txt`, 'no name given: the creative\'s');
  assert.ok(blobs().includes(sha(unique)));
  r = await api('PUT', `/v1/creatives/${t.body.id}/file`, { key: ADMIN, rawBody: Buffer.from('replacement text'), contentType: 'text/plain' });
  assert.equal(r.status, 200);
  assert.equal((await api('PUT', '/v1/creatives/999999999/file', { key: ADMIN, rawBody: files.gif, contentType: 'image/gif' })).status, 404);
  r = await api('PUT', `/v1/creatives/${t.body.id}/file`, { key: ADMIN, rawBody: files.png, contentType: 'image/png' });
  assert.equal(r.status, 422, 'a text creative cannot hold a PNG');
  // gc with the default grace keeps the young unreferenced blob; with no grace it goes, referenced ones stay
  execFileSync(process.env.TG_STACK_CTL, ['gc']);
  assert.ok(blobs().includes(sha(unique)));
  const out = execFileSync(process.env.TG_STACK_CTL, ['gc', '--grace', '0']).toString();
  assert.ok(!blobs().includes(sha(unique)), out);
  for (const h of [sha(files.gif), sha(Buffer.from('replacement text'))]) assert.ok(blobs().includes(h), `${h} is still named`);
  const still = await get((await api('GET', `/v1/creatives/${c.body.id}`, { key: ADMIN })).body.download_url);
  assert.equal(sha(still.body), sha(files.gif));
});

test('with the database down an upload is a 503 and leaves no file, no temporary and no row', async () => {
  const o = await createOffer();
  const name = uniq('down');
  const unique = Buffer.concat([files.txt, Buffer.from(name)]);
  const before = blobs();
  const ctl = (...args) => execFileSync(process.env.TG_STACK_CTL, args, { stdio: 'pipe' });
  ctl('pg-stop');
  try {
    const r = await upload({ offer_id: o.id, name, type: 'text' }, unique, 'down.txt');
    assert.equal(r.status, 503);
    assert.equal(r.headers.get('retry-after'), '1');
    const c = await api('POST', '/v1/creatives', { key: ADMIN, body: { offer_id: o.id, name: uniq('x'), type: 'image' } });
    assert.equal(c.status, 503);
  } finally {
    ctl('pg-start');
  }
  let ok = false;
  for (let i = 0; i < 60 && !ok; i++) {
    ok = (await api('GET', `/v1/creatives?offer_id=${o.id}`, { key: ADMIN })).status === 200;
    if (!ok) await new Promise((res) => setTimeout(res, 250));
  }
  assert.ok(ok, 'the API is back');
  await new Promise((res) => setTimeout(res, 1100)); /* every thread past its reconnect interval (src/db/db.c) */
  assert.deepEqual(blobs(), before);
  assert.ok(!blobs().includes(sha(unique)));
  assert.deepEqual(tmpFiles(), []);
  assert.equal((await api('GET', `/v1/creatives?offer_id=${o.id}`, { key: ADMIN })).body.data.length, 0);
});

test('Range, HEAD and If-None-Match on a download', async () => {
  const o = await createOffer();
  const r = await upload({ offer_id: o.id, name: uniq('r'), type: 'image' }, files.jpg, 'r.jpg');
  const url = r.body.download_url;
  const part = await get(url, { Range: 'bytes=10-19' });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), `bytes 10-19/${files.jpg.length}`);
  assert.deepEqual(part.body, files.jpg.subarray(10, 20));
  assert.equal(part.headers.get('etag'), `"${sha(files.jpg)}"`);
  const head = await get(url, {}, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.equal(Number(head.headers.get('content-length')), files.jpg.length);
  assert.equal(head.headers.get('content-security-policy'), 'sandbox');
  const nm = await get(url, { 'If-None-Match': `"${sha(files.jpg)}"` });
  assert.equal(nm.status, 304);
  assert.equal(nm.body.length, 0);
  assert.equal((await get(url, { 'If-None-Match': '"other"' })).status, 200);
  // the internal location cannot be reached from outside
  assert.equal((await get(`/_blobs/${sha(files.jpg).slice(0, 2)}/${sha(files.jpg).slice(2, 4)}/${sha(files.jpg)}`)).status, 404);
});

test('code creatives download as files with the partner\'s link; isolation on every endpoint and signed URL', async () => {
  const a = await partnerWithKey();
  const b = await partnerWithKey();
  const o = await createOffer();
  const closed = await createOffer({ visibility: 'private' });
  const html = await api('POST', '/v1/creatives', { key: ADMIN, body: { offer_id: o.id, name: 'Banner/../x', type: 'html', html_code: '<a href="{tracking_link}">Go</a>' } });
  const img = await upload({ offer_id: o.id, name: uniq('i'), type: 'image' }, files.png, 'i.png');
  const hidden = await upload({ offer_id: closed.id, name: uniq('h'), type: 'image' }, files.png, 'h.png');
  const [link] = await linksFor(a.key, { offers: [o.id], sub1: 'dl' });
  const view = await api('GET', `/v1/creatives/${html.body.id}?sub1=dl`, { key: a.key });
  const dl = await get(view.body.download_url);
  assert.equal(dl.status, 200);
  assert.equal(dl.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(dl.headers.get('content-security-policy'), 'sandbox');
  assert.equal(dl.headers.get('content-disposition'), 'attachment; filename="x.html"');
  assert.equal(dl.body.toString(), `<a href="${link.redirect_url.replace(/&/g, '&amp;')}">Go</a>`);
  assert.equal((await get(view.body.download_url, { 'If-None-Match': dl.headers.get('etag') })).status, 304);
  // with a key too, and for b not at all
  assert.equal((await get(`/v1/creatives/${img.body.id}/file`, { Authorization: `Bearer ${a.key}` })).status, 200);
  for (const p of ['', '/file', '/thumbnail']) {
    assert.equal((await get(`/v1/creatives/${hidden.body.id}${p}`, { Authorization: `Bearer ${a.key}` })).status, 404, p);
  }
  assert.equal((await get(`/v1/creatives/${img.body.id}/file`)).status, 401, 'no key, no signature');
  // a's signed URLs: tampered 404, another partner's p 404, expired 410, forged 404
  const av = await api('GET', `/v1/creatives/${img.body.id}`, { key: a.key });
  const path = av.body.download_url.slice(BASE.length);
  assert.equal((await get(path.replace(`/${img.body.id}/`, `/${hidden.body.id}/`))).status, 404);
  assert.equal((await get(path.replace(/p=\d+/, `p=${b.partner.id}`))).status, 404);
  assert.equal((await get(path.replace(/sig=.{4}/, 'sig=AAAA'))).status, 404);
  const past = Math.floor(Date.now() / 1000) - 1;
  const exp = await get(signedPath(a.partner.id, past, `/v1/creatives/${img.body.id}/file`));
  assert.equal(exp.status, 410);
  assert.equal((await get(signedPath(a.partner.id, past + 600, `/v1/creatives/${hidden.body.id}/thumbnail`))).status, 404,
    'a valid signature does not open what the partner may not see');
  // access checked live: the creative archived, the URL stops working
  assert.equal((await get(path)).status, 200);
  await api('DELETE', `/v1/creatives/${img.body.id}`, { key: ADMIN });
  assert.equal((await get(path)).status, 404);
  assert.equal((await get(av.body.thumbnail_url)).status, 404);
});

function zipCheck(file) {
  execFileSync('unzip', ['-tq', file]);
  const info = execFileSync('zipinfo', [file]).toString();
  const py = execFileSync('python3', ['-c', `
import zipfile, hashlib, json, sys, csv, io
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
out = {}
for i in z.infolist():
    data = z.read(i)
    out[i.filename] = {"sha": hashlib.sha256(data).hexdigest(), "utf8": bool(i.flag_bits & 0x800), "method": i.compress_type}
    if i.filename == "creatives.csv":
        out[i.filename]["rows"] = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
print(json.dumps(out))`, file]).toString();
  return { info, entries: JSON.parse(py) };
}

test('Download All: a streamed ZIP that unzip, zipinfo and Python accept, every entry as uploaded, with a manifest', async () => {
  const a = await partnerWithKey();
  const o = await createOffer({ name: uniq('Zip / Offer: "ü"') });
  const p1 = await upload({ offer_id: o.id, name: 'Banner', type: 'image' }, files.png, 'b.png');
  const p2 = await upload({ offer_id: o.id, name: 'Banner', type: 'image' }, files.big, 'big.png');
  const p3 = await upload({ offer_id: o.id, name: 'Spec sheet ü', type: 'document' }, files.pdf, 'spec.pdf');
  const h = await api('POST', '/v1/creatives', { key: ADMIN, body: { offer_id: o.id, name: 'Banner', type: 'html', html_code: '<a href="{tracking_link}">x</a>' } });
  const priv = await upload({ offer_id: o.id, name: 'Private', type: 'image', visibility: 'private' }, files.gif, 'p.gif');
  const r = await get(`/v1/creatives/download?offer_id=${o.id}&sub1=zip`, { Authorization: `Bearer ${a.key}` });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/zip');
  assert.equal(r.headers.get('content-length'), null, 'streamed');
  assert.equal(r.headers.get('content-disposition'), `attachment; filename="creatives-offer-${o.id}.zip"`);
  const file = join(dir, 'all.zip');
  writeFileSync(file, r.body);
  const { info, entries } = zipCheck(file);
  const names = Object.keys(entries);
  assert.equal(names[0], 'creatives.csv');
  const folder = names[1].split('/')[0];
  assert.ok(!folder.includes('"') && !folder.includes(':'), folder);
  assert.deepEqual(names.slice(1).map((n) => n.slice(folder.length + 1)), ['Banner.png', 'Banner (2).png', 'Spec sheet ü.pdf', 'Banner.html']);
  assert.equal(entries[`${folder}/Banner.png`].sha, sha(files.png));
  assert.equal(entries[`${folder}/Banner (2).png`].sha, sha(files.big));
  assert.equal(entries[`${folder}/Spec sheet ü.pdf`].sha, sha(files.pdf));
  assert.equal(entries[`${folder}/Banner.png`].method, 0, 'PNG stored');
  assert.equal(entries['creatives.csv'].method, 8, 'text deflated');
  assert.ok(Object.entries(entries).every(([n, e]) => e.utf8 || /^[\x20-\x7e]*$/.test(n)), 'UTF-8 flag on every non-ASCII name');
  assert.ok(entries[`${folder}/Spec sheet ü.pdf`].utf8);
  assert.ok(!names.some((n) => n.includes('Private')), 'a private creative not granted is not in it');
  const rows = entries['creatives.csv'].rows;
  assert.deepEqual(rows[0], ['id', 'offer_id', 'offer_name', 'name', 'type', 'content_type', 'size', 'width', 'height', 'file', 'tracking_link']);
  const [link] = await linksFor(a.key, { offers: [o.id], sub1: 'zip' });
  assert.deepEqual(rows.slice(1).map((x) => Number(x[0])), [p1.body.id, p2.body.id, p3.body.id, h.body.id]);
  assert.ok(rows.slice(1).every((x) => x[10] === link.redirect_url));
  assert.deepEqual(rows[1].slice(6, 9), [String(files.png.length), '300', '250']);
  assert.match(info, /Banner \(2\)\.png/);
  // ids, the signed variant, and isolation
  const ids = `${p3.body.id},${p1.body.id}`;
  const url = await api('GET', `/v1/creatives/download-url?ids=${ids}`, { key: a.key });
  assert.equal(url.status, 200);
  const viaUrl = await get(url.body.url);
  assert.equal(viaUrl.status, 200);
  assert.equal(viaUrl.headers.get('content-disposition'), 'attachment; filename="creatives.zip"');
  writeFileSync(file, viaUrl.body);
  assert.deepEqual(Object.keys(zipCheck(file).entries).length, 3);
  assert.equal((await api('GET', `/v1/creatives/download-url?ids=${ids},${priv.body.id}`, { key: a.key })).status, 404);
  assert.equal((await get(`/v1/creatives/download?ids=${priv.body.id}`, { Authorization: `Bearer ${a.key}` })).status, 404);
  const closed = await createOffer({ visibility: 'private' });
  assert.equal((await get(`/v1/creatives/download?offer_id=${closed.id}`, { Authorization: `Bearer ${a.key}` })).status, 404);
  const both = await api('GET', `/v1/creatives/download-url?offer_id=${o.id}&ids=1`, { key: a.key });
  assert.equal(both.status, 400);
  assert.equal((await api('GET', '/v1/creatives/download-url?ids=1,x', { key: a.key })).body.errors[0].field, 'ids');
  const head = await get(`/v1/creatives/download?offer_id=${o.id}`, { Authorization: `Bearer ${a.key}` }, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
});
