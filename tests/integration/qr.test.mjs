// QR codes: /qr/{token}.png|.svg (public, the code of a tracking link) and /v1/qr (any text, with a
// key). Every image is read back with real readers — zbarimg for PNG, rsvg-convert then zbarimg for
// SVG — and its pixels are checked here: exactly `size` pixels square, modules as large as fit, the
// leftover pixels in the quiet zone (the odd one right and bottom), and the ECC level asked for (read from the code's own format information), 1-bit PNG.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import http from 'node:http';
import { api, ADMIN, BASE, createOffer, partnerWithKey, linksFor, rawGet } from './lib/client.mjs';
import { checkResponse } from './lib/openapi.mjs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trackgen-qr-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
let files = 0;

/* A token with its last character changed (never the same character). */
const tamper = (t) => t.slice(0, -1) + (t.at(-1) === 'A' ? 'B' : 'A');
/* A query string built with encodeURIComponent (never '+' for spaces). */
const qs = (params) => Object.entries(params).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
const pathOf = (url) => {
  assert.ok(url.startsWith(`${BASE}/`), url);
  return url.slice(BASE.length);
};

// ---- PNG reading (enough for our 1-bit images and rsvg-convert's 8-bit RGB(A) output) ----------

function pngChunks(buf) {
  assert.equal(buf.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'PNG signature');
  const chunks = [];
  for (let off = 8; off < buf.length;) {
    const len = buf.readUInt32BE(off);
    chunks.push({ type: buf.toString('ascii', off + 4, off + 8), data: buf.subarray(off + 8, off + 8 + len) });
    off += 12 + len;
  }
  assert.equal(chunks[0].type, 'IHDR', 'IHDR comes first');
  assert.equal(chunks.at(-1).type, 'IEND', 'IEND comes last');
  return chunks;
}

/** The header fields, at the fixed offsets of the IHDR chunk. */
function pngHeader(buf) {
  pngChunks(buf);
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20), bitDepth: buf[24], colourType: buf[25], interlace: buf[28] };
}

const luma = (r, g, b) => 0.299 * r + 0.587 * g + 0.114 * b;

/** Decodes a non-interlaced PNG to one luminance value (0..255) per pixel. */
function pngPixels(buf) {
  const h = pngHeader(buf);
  const chunks = pngChunks(buf);
  assert.equal(h.interlace, 0, 'not interlaced');
  const plte = chunks.find((c) => c.type === 'PLTE');
  const palette = [];
  if (plte) for (let i = 0; i + 2 < plte.data.length; i += 3) palette.push([plte.data[i], plte.data[i + 1], plte.data[i + 2]]);
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[h.colourType];
  const bits = channels * h.bitDepth;
  const bpp = Math.max(1, bits >> 3);
  const stride = Math.ceil((h.width * bits) / 8);
  const raw = zlib.inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  assert.equal(raw.length, h.height * (stride + 1), 'image data length');
  const rows = [];
  let prev = Buffer.alloc(stride);
  for (let y = 0; y < h.height; y++) {
    const filter = raw[y * (stride + 1)];
    const row = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? row[i - bpp] : 0;
      const b = prev[i];
      const c = i >= bpp ? prev[i - bpp] : 0;
      let add = 0;
      if (filter === 1) add = a;
      else if (filter === 2) add = b;
      else if (filter === 3) add = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        add = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else assert.equal(filter, 0, `filter type ${filter}`);
      row[i] = (row[i] + add) & 0xff;
    }
    rows.push(row);
    prev = row;
  }
  const lum = new Float64Array(h.width * h.height);
  const max = (1 << h.bitDepth) - 1;
  for (let y = 0; y < h.height; y++) {
    const row = rows[y];
    for (let x = 0; x < h.width; x++) {
      let v;
      if (h.bitDepth < 8) {
        const bit = x * h.bitDepth;
        const s = (row[bit >> 3] >> (8 - h.bitDepth - (bit & 7))) & max;
        v = h.colourType === 3 ? luma(...palette[s]) : (s * 255) / max;
      } else {
        const o = x * channels;
        if (h.colourType === 0 || h.colourType === 4) v = row[o];
        else if (h.colourType === 3) v = luma(...palette[row[o]]);
        else {
          const alpha = h.colourType === 6 ? row[o + 3] / 255 : 1; /* over white */
          v = luma(row[o], row[o + 1], row[o + 2]) * alpha + 255 * (1 - alpha);
        }
      }
      lum[y * h.width + x] = v;
    }
  }
  return { ...h, palette, lum };
}

/**
 * Reads the QR code drawn in an image: module size, the quiet zone on each side (in pixels) and the
 * module matrix, checking that every module is a uniform square of whole pixels and everything
 * around the code is light. Returns
 * { px, left, top, right, bottom, symbol (code edge in modules), matrix (true = dark), ecc }.
 */
function readCode(img) {
  assert.equal(img.width, img.height, 'square');
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of img.lum) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  assert.ok(hi - lo > 50, 'two clearly different colours');
  const dark = (x, y) => img.lum[y * img.width + x] < (lo + hi) / 2;
  const first = img.lum.findIndex((v) => v < (lo + hi) / 2);
  const x0 = first % img.width;
  const y0 = Math.floor(first / img.width);
  let run = 0;
  while (x0 + run < img.width && dark(x0 + run, y0)) run++;
  assert.equal(run % 7, 0, `the top-left finder is 7 modules wide (${run} pixels)`);
  const px = run / 7;
  let x1 = img.width; /* the top-right finder ends the code's first row */
  while (x1 > x0 && !dark(x1 - 1, y0)) x1--;
  assert.equal((x1 - x0) % px, 0, 'the code is a whole number of modules wide');
  const symbol = (x1 - x0) / px;
  assert.ok(symbol >= 21 && symbol <= 177 && (symbol - 17) % 4 === 0, `a QR code is 21..177 modules wide (${symbol})`);
  const y1 = y0 + symbol * px;
  assert.ok(y1 <= img.height, 'the code fits in the image');
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      if ((x < x0 || x >= x1 || y < y0 || y >= y1) && dark(x, y)) assert.fail(`quiet-zone pixel (${x}, ${y}) is light`);
    }
  }
  const at = (mx, my) => {
    const v = img.lum[(y0 + my * px) * img.width + x0 + mx * px];
    for (let y = y0 + my * px; y < y0 + (my + 1) * px; y++) {
      for (let x = x0 + mx * px; x < x0 + (mx + 1) * px; x++) {
        if (img.lum[y * img.width + x] !== v) assert.fail(`module (${mx}, ${my}) is not one colour`);
      }
    }
    return v < (lo + hi) / 2;
  };
  const matrix = [];
  for (let my = 0; my < symbol; my++) {
    const row = [];
    for (let mx = 0; mx < symbol; mx++) row.push(at(mx, my));
    matrix.push(row);
  }
  return { px, left: x0, top: y0, right: img.width - x1, bottom: img.height - y1, symbol, matrix, ecc: eccOf(matrix) };
}

/** The error-correction level from the code's two copies of its format information (ISO 18004). */
function eccOf(m) {
  const n = m.length;
  const bit = (x, y) => (m[y][x] ? 1 : 0);
  let a = 0;
  let b = 0;
  for (let i = 0; i <= 5; i++) a |= bit(8, i) << i;
  a |= bit(8, 7) << 6;
  a |= bit(8, 8) << 7;
  a |= bit(7, 8) << 8;
  for (let i = 9; i < 15; i++) a |= bit(14 - i, 8) << i;
  for (let i = 0; i < 8; i++) b |= bit(n - 1 - i, 8) << i;
  for (let i = 8; i < 15; i++) b |= bit(8, n - 15 + i) << i;
  assert.equal(a, b, 'both copies of the format information agree');
  assert.equal(bit(8, n - 8), 1, 'the dark module');
  const data = (a ^ 0x5412) >> 10;
  let rem = data;
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >> 9) * 0x537);
  assert.equal(((data << 10) | (rem & 0x3ff)) ^ 0x5412, a, 'format information BCH code');
  return ['M', 'L', 'H', 'Q'][data >> 3];
}

/** A plain 8-bit grayscale PNG of a module matrix, 8 pixels a module, 4 modules of quiet zone. */
function renderMatrix(matrix) {
  const px = 8;
  const n = (matrix.length + 8) * px;
  const raw = Buffer.alloc(n * (n + 1), 255);
  for (let y = 0; y < n; y++) {
    raw[y * (n + 1)] = 0;
    for (let x = 0; x < n; x++) {
      const mx = Math.floor(x / px) - 4;
      const my = Math.floor(y / px) - 4;
      if (matrix[my]?.[mx]) raw[y * (n + 1) + 1 + x] = 0;
    }
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(n, 0);
  ihdr.writeUInt32BE(n, 4);
  ihdr[8] = 8;
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { maxBuffer: 1 << 24 });
  if (r.error) throw new Error(`${cmd}: ${r.error.message} (test.sh installs zbar-tools and librsvg2-bin)`);
  return r;
}

/** What zbarimg reads in a PNG file: the exact bytes of the one code (-Sbinary: no charset guessing). */
function zbar(file) {
  const r = run('zbarimg', ['--raw', '-q', '-Sbinary', file]);
  assert.equal(r.status, 0, `zbarimg found no code in ${file}: ${r.stderr}`);
  return r.stdout;
}

/**
 * Reads an image answer (image/png or image/svg+xml) like a scanner and like a checker: returns the
 * exact bytes the code holds (as a UTF-8 string) and what readCode() found. Codes drawn at less
 * than 2 pixels a module are too fine for zbarimg: their matrix, read here, is redrawn larger.
 */
function scan(body, type) {
  const base = path.join(tmp, `qr-${++files}`);
  let png = body;
  if (type === 'image/svg+xml') {
    fs.writeFileSync(`${base}.svg`, body);
    const r = run('rsvg-convert', ['-o', `${base}.png`, `${base}.svg`]);
    assert.equal(r.status, 0, `rsvg-convert: ${r.stderr}`);
    png = fs.readFileSync(`${base}.png`);
  } else {
    assert.equal(type, 'image/png');
    fs.writeFileSync(`${base}.png`, body);
  }
  const code = readCode(pngPixels(png));
  let file = `${base}.png`;
  if (code.px < 2) {
    file = `${base}-large.png`;
    fs.writeFileSync(file, renderMatrix(code.matrix));
  }
  return { text: zbar(file).toString('utf8'), bytes: zbar(file), ...code };
}

/** Checks an SVG answer's shape and returns its numbers. */
function svgShape(svg) {
  assert.equal((svg.match(/<svg[\s>]/g) || []).length, 1, 'one <svg>');
  assert.equal((svg.match(/<path[\s>/]/g) || []).length, 1, 'exactly one <path>');
  assert.ok((svg.match(/<rect[\s>/]/g) || []).length >= 1, 'a background <rect>');
  assert.match(svg, /shape-rendering="crispEdges"/);
  const vb = /viewBox="0 0 (\d+) (\d+)"/.exec(svg);
  assert.ok(vb, 'a viewBox');
  assert.equal(vb[1], vb[2], 'square viewBox');
  const w = /<svg[^>]*\swidth="(\d+)"/.exec(svg);
  const h = /<svg[^>]*\sheight="(\d+)"/.exec(svg);
  return { viewBox: Number(vb[1]), width: w ? Number(w[1]) : null, height: h ? Number(h[1]) : null };
}

/** GET through the contract, expecting an image: checks status, type and the caching headers. */
async function image(p, opts = {}) {
  const r = await api('GET', p, opts);
  assert.equal(r.status, 200, `${p}: ${r.status} ${r.text}`);
  const type = r.headers.get('content-type').split(';')[0].trim();
  assert.ok(type === 'image/png' || type === 'image/svg+xml', type);
  assert.match(r.headers.get('etag'), /^"[0-9a-f]+"$/);
  assert.match(r.headers.get('cache-control'), /\bpublic\b/);
  assert.match(r.headers.get('cache-control'), /max-age=86400/);
  assert.ok(r.headers.get('x-request-id'));
  return { ...r, type, svg: type === 'image/svg+xml' ? r.body.toString('utf8') : null };
}

/**
 * Checks one image against the options it was asked with: exactly size pixels, modules as large as
 * fit with margin modules of quiet zone, the leftover pixels in the quiet zone (the odd one right
 * and bottom). Returns what scan() read.
 */
function checkImage(r, { size = 300, margin = 4, ecc = 'M', fg = null } = {}) {
  const code = scan(r.body, r.type);
  assert.equal(code.ecc, ecc.toUpperCase(), 'ECC level in the format information');
  const modules = code.symbol + 2 * margin;
  assert.equal(code.px, Math.floor(size / modules), `modules as large as fit: ${modules} modules in ${size} px`);
  const leftover = size - modules * code.px;
  const quiet = { left: Math.floor(leftover / 2), right: Math.ceil(leftover / 2) };
  assert.deepEqual([code.left, code.top, code.right, code.bottom],
    [quiet.left, quiet.left, quiet.right, quiet.right].map((q) => q + margin * code.px), `quiet zone of ${margin} modules plus the leftover`);
  if (r.type === 'image/png') {
    const h = pngHeader(r.body);
    assert.equal(h.width, size, 'exactly size pixels wide');
    assert.equal(h.height, size, 'exactly size pixels high');
    assert.equal(h.bitDepth, 1, '1-bit');
    if (fg === null) {
      assert.equal(h.colourType, 0, 'grayscale for black on white');
    } else {
      assert.equal(h.colourType, 3, 'palette for colours');
      const pal = pngPixels(r.body).palette.map((c) => Buffer.from(c).toString('hex')).sort();
      assert.deepEqual(pal, [fg.fg, fg.bg].sort(), 'the palette is fg and bg');
    }
  } else {
    const s = svgShape(r.svg);
    assert.equal(s.viewBox, size, 'viewBox in pixels');
    assert.equal(s.width, size, 'width: exactly size pixels');
    assert.equal(s.height, size, 'height: exactly size pixels');
    if (fg !== null) {
      assert.match(r.svg, new RegExp(`<rect[^>]*fill="#${fg.bg}"`, 'i'));
      assert.match(r.svg, new RegExp(`<path[^>]*fill="#${fg.fg}"`, 'i'));
    }
  }
  return code;
}

/** HEAD through the contract (api() reads image bodies as Buffers; a HEAD answer has none). */
async function head(p, headers = {}) {
  const r = await rawGet(p, headers, 'HEAD');
  checkResponse('HEAD', p, r.status, r.headers, r.body.length ? r.body : '');
  return r;
}

function problemNames(r, status, type, fields) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.headers.get('content-type'), 'application/problem+json');
  assert.equal(r.body.type, `https://trackgen.dev/problems/${type}`);
  for (const f of fields) {
    assert.ok(r.body.errors.some((e) => e.field === f && e.in === 'query'), `errors name ${f}: ${r.text}`);
  }
}

// One partner, one offer and a link with every parameter for the whole file.
const SUBS = {
  source_id: 'naïve € 1/2',
  sub1: 'a&b=c?d#e/f%g',
  sub2: 'space here + plus',
  sub3: '日本語 ünïcödé',
  sub4: "~-._!*'()",
  sub5: '100%',
};
let ctx;
async function setup() {
  if (!ctx) {
    const { partner, key } = await partnerWithKey();
    const offer = await createOffer();
    const [link] = await linksFor(key, { offers: [offer.id], ...SUBS });
    const [plain] = await linksFor(key, { offers: [offer.id] });
    ctx = { partner, key, offer, link, plain };
  }
  return ctx;
}

test('the QR URLs of a generated link decode to exactly its redirect_url', async () => {
  const { link, plain } = await setup();
  assert.equal(link.qr_png_url, `${BASE}/qr/${link.token}.png?${link.redirect_url.split('?')[1]}`);
  assert.equal(link.qr_svg_url, `${BASE}/qr/${link.token}.svg?${link.redirect_url.split('?')[1]}`);
  assert.match(link.redirect_url, /\?source_id=na%C3%AFve%20%E2%82%AC%201%2F2&sub1=a%26b%3Dc%3Fd%23e%2Ff%25g&sub2=/);
  for (const l of [link, plain]) {
    for (const url of [l.qr_png_url, l.qr_svg_url]) {
      const r = await image(pathOf(url));
      assert.equal(r.type, url.includes('.svg') ? 'image/svg+xml' : 'image/png');
      const code = checkImage(r);
      assert.equal(code.text, l.redirect_url, url);
    }
  }
  assert.equal(plain.redirect_url, `${BASE}/c/${plain.token}`);
});

test('the code holds the link generation would give for the parameters asked, in the canonical order', async () => {
  const { key, offer, link } = await setup();
  const params = { sub5: 'last', sub2: 'ü/ß', source_id: 'fb ads' };
  const [expected] = await linksFor(key, { offers: [offer.id], ...params });
  assert.equal(expected.token, link.token);
  for (const ext of ['png', 'svg']) {
    const r = await image(`/qr/${link.token}.${ext}?${qs(params)}&size=400`);
    assert.equal(checkImage(r, { size: 400 }).text, expected.redirect_url);
  }
  // Every subN alone, at its 255-character limit, with reserved characters.
  for (const name of Object.keys(SUBS)) {
    const value = '&=?#/%+ é'.repeat(29).slice(0, 255);
    const [one] = await linksFor(key, { offers: [offer.id], [name]: value });
    const r = await image(`/qr/${link.token}.png?${qs({ [name]: value, size: 1024, ecc: 'L' })}`);
    assert.equal(checkImage(r, { size: 1024, ecc: 'L' }).text, one.redirect_url, name);
  }
});

test('sizes, margins, ECC levels and colours: every image decodes and is exactly size pixels', async () => {
  const { link } = await setup();
  const q = link.redirect_url.split('?')[1];
  const cases = [
    { size: 64, margin: 0 }, /* 61 modules: 3 pixels left over, 1 left and top, 2 right and bottom */
    { size: 128 },
    { size: 300 },
    { size: 333 },
    { size: 1024 },
    { size: 2048 },
    { size: 700, margin: 0 },
    { size: 700, margin: 4 },
    { size: 700, margin: 16 },
    { size: 500, ecc: 'L' },
    { size: 500, ecc: 'M' },
    { size: 500, ecc: 'Q' },
    { size: 500, ecc: 'H' },
    { size: 500, ecc: 'q' },
    { size: 400, fg: '1a237e', bg: 'fff8e1' },
    { size: 400, fg: '#1A237E', bg: '#FFF8E1' },
    { size: 400, fg: '#036', bg: 'fec' },
  ];
  for (const ext of ['png', 'svg']) {
    const widths = {};
    for (const c of cases) {
      const r = await image(`/qr/${link.token}.${ext}?${q}&${qs(c)}`);
      assert.equal(r.type, ext === 'png' ? 'image/png' : 'image/svg+xml');
      const colours = c.fg ? { fg: c.fg.replace('#', '').toLowerCase(), bg: c.bg.replace('#', '').toLowerCase() } : null;
      if (colours && colours.fg.length === 3) {
        colours.fg = [...colours.fg].map((d) => d + d).join('');
        colours.bg = [...colours.bg].map((d) => d + d).join('');
      }
      const code = checkImage(r, { ...c, fg: colours });
      assert.equal(code.text, link.redirect_url, JSON.stringify(c));
      if (c.ecc) widths[c.ecc] = code.matrix.length;
    }
    assert.ok(widths.L <= widths.M && widths.M <= widths.Q && widths.Q <= widths.H && widths.L < widths.H, JSON.stringify(widths));
    assert.equal(widths.q, widths.Q);
  }
});

test('the smallest size that fits: 1 pixel a module, and 422 one pixel below', async () => {
  const { link } = await setup();
  // A short link fits in 64 px only at 1 pixel a module; read it back from its pixels.
  const small = await image(`/qr/${link.token}.png?size=64`);
  const code = checkImage(small, { size: 64 });
  assert.equal(code.text, `${BASE}/c/${link.token}`);
  // data that fits in version 1 is drawn at 2 pixels a module in 64 px: zbarimg reads it as is.
  const v1 = await image(`/v1/qr?data=trackgen&size=64`, { key: ADMIN });
  const c1 = checkImage(v1, { size: 64 });
  assert.equal(c1.px, 2);
  assert.equal(c1.text, 'trackgen');
  // A long link at ECC L: the code fits, the image does not.
  const long = qs(Object.fromEntries(Object.keys(SUBS).map((k) => [k, 'x'.repeat(200)])));
  const r = await api('GET', `/qr/${link.token}.png?${long}&ecc=L&size=64`);
  problemNames(r, 422, 'unprocessable', ['size']);
  const need = Number(/at least (\d+) pixels/.exec(r.body.errors.find((e) => e.field === 'size').reason)?.[1]);
  assert.ok(need > 64 && need <= 2048, r.text);
  const fits = await image(`/qr/${link.token}.png?${long}&ecc=L&size=${need}`);
  const exact = checkImage(fits, { size: need, ecc: 'L' });
  assert.equal(exact.px, 1);
  assert.equal(pngHeader(fits.body).width, need);
  assert.equal(exact.text.length, `${BASE}/c/${link.token}?`.length + long.length);
  const below = await api('GET', `/qr/${link.token}.svg?${long}&ecc=L&size=${need - 1}`);
  problemNames(below, 422, 'unprocessable', ['size']);
});

test('a link too long for its ECC level, or for the image, is 422 naming the parameter to change', async () => {
  const { link } = await setup();
  const all = qs(Object.fromEntries(Object.keys(SUBS).map((k) => [k, 'y'.repeat(255)])));
  const tiny = await api('GET', `/qr/${link.token}.png?${all}&size=64`);
  assert.equal(tiny.status, 422, tiny.text);
  assert.equal(tiny.body.type, 'https://trackgen.dev/problems/unprocessable');
  assert.equal(tiny.body.title, 'Unprocessable content');
  assert.ok(tiny.body.errors.some((e) => (e.field === 'size' || e.field === 'ecc') && e.in === 'query'), tiny.text);
  // About 1600 bytes: more than ECC H holds (1273), less than L (2953). Three values of 255 é are
  // 4590 bytes percent-encoded: more than even L holds.
  const utf8 = qs({ sub1: 'é'.repeat(255), sub2: 'é'.repeat(255), sub3: 'é'.repeat(255) });
  for (const ext of ['png', 'svg']) {
    const h = await api('GET', `/qr/${link.token}.${ext}?${all}&ecc=H&size=2048`);
    problemNames(h, 422, 'unprocessable', ['ecc']);
    const u = await api('GET', `/qr/${link.token}.${ext}?${utf8}&ecc=L&size=2048`);
    problemNames(u, 422, 'unprocessable', ['ecc']);
  }
  const ok = await image(`/qr/${link.token}.png?${all}&ecc=L&size=2048`);
  assert.equal(checkImage(ok, { size: 2048, ecc: 'L' }).text, `${BASE}/c/${link.token}?${all}`);
});

test('ETag, If-None-Match, Cache-Control and download', async () => {
  const { link } = await setup();
  const p = pathOf(link.qr_png_url);
  const a = await image(p);
  const etag = a.headers.get('etag');
  const again = await image(p);
  assert.equal(again.headers.get('etag'), etag, 'same inputs, same ETag');
  assert.deepEqual(again.body, a.body, 'same inputs, same bytes');
  const nm = await api('GET', p, { headers: { 'If-None-Match': etag } });
  assert.equal(nm.status, 304);
  assert.equal(nm.text, '');
  assert.equal(nm.headers.get('etag'), etag);
  const list = await api('GET', p, { headers: { 'If-None-Match': `"0123", ${etag}` } });
  assert.equal(list.status, 304);
  const stale = await api('GET', p, { headers: { 'If-None-Match': '"0123456789abcdef"' } });
  assert.equal(stale.status, 200);
  assert.ok(stale.body.length > 0);
  const hd = await head(p, { 'If-None-Match': etag });
  assert.equal(hd.status, 304);

  // Every input changes the ETag.
  const variants = ['', 'size=301', 'margin=3', 'ecc=Q', 'fg=222222', 'bg=eeeeee', 'download=1', 'sub1=other', 'sub2=other'];
  const tags = new Set();
  for (const v of variants) tags.add((await image(`/qr/${link.token}.png?${v}`)).headers.get('etag'));
  tags.add((await image(`/qr/${link.token}.svg`)).headers.get('etag'));
  tags.add(etag);
  assert.equal(tags.size, variants.length + 2, 'a different option, a different ETag');
  const svgTag = (await image(pathOf(link.qr_svg_url))).headers.get('etag');
  assert.equal((await api('GET', pathOf(link.qr_svg_url), { headers: { 'If-None-Match': svgTag } })).status, 304);
  assert.equal((await api('GET', pathOf(link.qr_svg_url), { headers: { 'If-None-Match': etag } })).status, 200, 'the PNG ETag is not the SVG one');

  assert.equal(a.headers.get('content-disposition'), null);
  for (const [ext, v] of [['png', '1'], ['svg', 'true']]) {
    const d = await image(`/qr/${link.token}.${ext}?download=${v}`);
    assert.equal(d.headers.get('content-disposition'), `attachment; filename="trackgen-qr-${link.token}.${ext}"`);
    assert.equal(scan(d.body, d.type).text, `${BASE}/c/${link.token}`);
  }
  for (const v of ['0', 'false']) {
    assert.equal((await image(`/qr/${link.token}.png?download=${v}`)).headers.get('content-disposition'), null);
  }
});

test('HEAD: the GET headers without a body', async () => {
  const { link } = await setup();
  for (const url of [link.qr_png_url, link.qr_svg_url]) {
    const g = await image(pathOf(url));
    const h = await head(pathOf(url));
    assert.equal(h.status, 200);
    assert.equal(h.body.length, 0);
    assert.equal(h.headers.get('content-type'), g.headers.get('content-type'));
    assert.equal(h.headers.get('etag'), g.headers.get('etag'));
    assert.match(h.headers.get('cache-control'), /\bpublic\b/);
  }
  const bad = await head(`/qr/${tamper(link.token)}.png`);
  assert.equal(bad.status, 404);
  assert.equal(bad.body.length, 0);
});

test('public QR errors: every bad option is a 400 naming it; a bad token is 404', async () => {
  const { link } = await setup();
  const p = `/qr/${link.token}.png`;
  const cases = [
    ['size=63', 'size'],
    ['size=2049', 'size'],
    ['size=abc', 'size'],
    ['size=300.5', 'size'],
    ['size=', 'size'],
    ['margin=17', 'margin'],
    ['margin=-1', 'margin'],
    ['ecc=X', 'ecc'],
    ['ecc=MM', 'ecc'],
    ['ecc=', 'ecc'],
    ['fg=zzz', 'fg'],
    ['fg=12345', 'fg'],
    ['bg=%23%23ffffff', 'bg'],
    ['fg=123456&bg=123456', 'fg'],
    ['fg=777777&bg=888888', 'fg'],
    ['fg=ffffff&bg=000000', 'fg'],
    ['fg=fff8e1&bg=1a237e', 'fg'],
    ['download=yes', 'download'],
    ['colour=red', 'colour'],
    ['format=svg', 'format'],
    ['size=300&size=400', 'size'],
    ['sub1=a&sub1=b', 'sub1'],
    [`sub3=${'z'.repeat(256)}`, 'sub3'],
    [`sub4=${'é'.repeat(256)}`, 'sub4'],
    ['sub2=a%0Ab', 'sub2'],
    ['source_id=%7F', 'source_id'],
  ];
  for (const ext of ['png', 'svg']) {
    for (const [q, field] of cases) {
      const r = await api('GET', `/qr/${link.token}.${ext}?${q}`);
      problemNames(r, 400, 'validation', [field]);
      assert.equal(r.headers.get('etag'), null, q);
    }
  }
  const multi = await api('GET', `${p}?size=10&margin=99&ecc=Z&fg=nope&download=2`);
  problemNames(multi, 400, 'validation', ['size', 'margin', 'ecc', 'fg', 'download']);
  assert.equal(multi.body.errors.length, 5, multi.text);
  // 255 characters (not bytes) is allowed.
  assert.equal((await image(`${p}?${qs({ sub4: 'é'.repeat(255) })}&size=1200&ecc=L`)).status, 200);

  const t = link.token;
  const flip = (c) => (c === 'A' ? 'B' : 'A');
  for (const bad of [tamper(t), flip(t[0]) + t.slice(1), t.slice(0, -2), `${t}A`, 'AAAAAAAAAAAAAAAAAAA']) {
    for (const ext of ['png', 'svg']) {
      const r = await api('GET', `/qr/${bad}.${ext}`);
      assert.equal(r.status, 404, bad);
      assert.equal(r.body.type, 'https://trackgen.dev/problems/not-found');
    }
  }
  for (const other of [`/qr/${t}.gif`, `/qr/${t}`, `/qr/${t}.PNG`, `/qr/${t}.png.png`]) {
    const r = await rawGet(other);
    assert.equal(r.status, 404, other);
    assert.equal(r.headers.get('content-type'), 'application/problem+json', other);
  }
});

test('GET /v1/qr: any key, any text, exactly', async () => {
  const { key } = await setup();
  const none = await api('GET', '/v1/qr?data=hello');
  assert.equal(none.status, 401);
  assert.equal(none.body.type, 'https://trackgen.dev/problems/unauthorized');
  const viaHeader = await image('/v1/qr?data=hello', { headers: { 'X-Api-Key': key } });
  assert.equal(scan(viaHeader.body, viaHeader.type).text, 'hello');

  const texts = [
    'naïve € 1/2 – 日本語 🎉',
    'é',
    `https://shop.example/landing?${'k=v&'.repeat(300)}end=%20+#frag`,
    'line one\nline two\ttabbed',
    '0123456789'.repeat(100),
    'ABC $%*+-./:'.repeat(50),
  ];
  for (const data of texts) {
    for (const format of ['png', 'svg']) {
      const r = await image(`/v1/qr?${qs({ data, format, size: 1024 })}`, { key });
      assert.equal(r.type, format === 'png' ? 'image/png' : 'image/svg+xml');
      const code = checkImage(r, { size: 1024 });
      assert.deepEqual(code.bytes, Buffer.from(data, 'utf8'), `${format}: ${data.slice(0, 40)}`);
    }
  }
  const admin = await image(`/v1/qr?${qs({ data: 'admin too', ecc: 'h', margin: 0, size: 128 })}`, { key: ADMIN });
  const c = checkImage(admin, { size: 128, ecc: 'H', margin: 0 });
  assert.equal(c.text, 'admin too');

  const d = await image('/v1/qr?data=x&download=1&format=svg', { key });
  assert.equal(d.headers.get('content-disposition'), 'attachment; filename="trackgen-qr.svg"');
  const dp = await image('/v1/qr?data=x&download=true', { key });
  assert.equal(dp.headers.get('content-disposition'), 'attachment; filename="trackgen-qr.png"');

  const etag = dp.headers.get('etag');
  const nm = await api('GET', '/v1/qr?data=x&download=true', { key, headers: { 'If-None-Match': etag } });
  assert.equal(nm.status, 304);
  assert.equal(nm.text, '');
  assert.notEqual((await image('/v1/qr?data=y&download=true', { key })).headers.get('etag'), etag);
});

test('GET /v1/qr: format and Accept', async () => {
  const { key } = await setup();
  const accepts = [
    ['image/svg+xml', 'image/svg+xml'],
    ['image/png', 'image/png'],
    ['image/*', 'image/png'],
    ['*/*', 'image/png'],
    ['image/png, image/svg+xml', 'image/png'],
    ['image/png;q=0.5, image/svg+xml', 'image/svg+xml'],
    ['image/svg+xml;q=0.4, image/png;q=0.5', 'image/png'],
    ['image/svg+xml, image/*;q=0.8', 'image/svg+xml'],
    ['text/html, image/svg+xml;q=0.9, */*;q=0.1', 'image/svg+xml'],
    ['application/json, image/png;q=0.2', 'image/png'],
  ];
  for (const [accept, type] of accepts) {
    const r = await image('/v1/qr?data=accept', { key, headers: { Accept: accept } });
    assert.equal(r.type, type, accept);
    assert.match(r.headers.get('vary') || '', /Accept/i, 'the format came from Accept');
    assert.equal(scan(r.body, r.type).text, 'accept');
  }
  // No Accept header at all (fetch always sends one): PNG.
  const bare = await new Promise((resolve, reject) => {
    const req = http.request(`${BASE}/v1/qr?data=bare`, { headers: { Authorization: `Bearer ${key}` } }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode, headers: new Headers(res.headers), body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end();
  });
  checkResponse('GET', '/v1/qr?data=bare', bare.status, bare.headers, bare.body);
  assert.equal(bare.status, 200);
  assert.equal(bare.headers.get('content-type'), 'image/png');
  assert.equal(scan(bare.body, 'image/png').text, 'bare');
  for (const format of ['png', 'svg']) {
    const r = await image(`/v1/qr?data=f&format=${format}`, { key, headers: { Accept: 'application/json' } });
    assert.equal(r.type, `image/${format === 'png' ? 'png' : 'svg+xml'}`, 'format wins over Accept');
  }
  for (const accept of ['application/json', 'text/html, application/xml', 'image/png;q=0, image/svg+xml;q=0', 'image/gif']) {
    const r = await api('GET', '/v1/qr?data=json', { key, headers: { Accept: accept } });
    assert.equal(r.status, 406, accept);
    assert.equal(r.body.type, 'https://trackgen.dev/problems/not-acceptable');
    assert.equal(r.body.title, 'Not acceptable');
  }
});

test('GET /v1/qr errors', async () => {
  const { key } = await setup();
  const long = await api('GET', `/v1/qr?data=${'x'.repeat(3000)}&ecc=H`, { key });
  problemNames(long, 422, 'unprocessable', ['data']);
  assert.match(long.body.errors[0].reason, /3000/);
  assert.match(long.body.errors[0].reason, /1273/);
  const atM = await api('GET', `/v1/qr?data=${'x'.repeat(3000)}`, { key });
  problemNames(atM, 422, 'unprocessable', ['data']);
  assert.match(atM.body.errors[0].reason, /2331/);
  const fitsL = await image(`/v1/qr?data=${'x'.repeat(2900)}&ecc=L&size=2048`, { key });
  assert.equal(checkImage(fitsL, { size: 2048, ecc: 'L' }).text, 'x'.repeat(2900));
  const tooSmall = await api('GET', `/v1/qr?data=${'x'.repeat(2900)}&ecc=L&size=100`, { key });
  problemNames(tooSmall, 422, 'unprocessable', ['size']);

  problemNames(await api('GET', '/v1/qr', { key }), 400, 'validation', ['data']);
  problemNames(await api('GET', '/v1/qr?data=', { key }), 400, 'validation', ['data']);
  problemNames(await api('GET', `/v1/qr?data=${'a'.repeat(4097)}`, { key }), 400, 'validation', ['data']);
  problemNames(await api('GET', '/v1/qr?data=a%00b', { key }), 400, 'validation', ['data']);
  problemNames(await api('GET', '/v1/qr?data=a&data=b', { key }), 400, 'validation', ['data']);
  problemNames(await api('GET', '/v1/qr?data=a&format=gif', { key }), 400, 'validation', ['format']);
  problemNames(await api('GET', '/v1/qr?data=a&size=2049&fg=fff&bg=000&token=x', { key }), 400, 'validation', ['token']);
  problemNames(await api('GET', '/v1/qr?data=a&size=2049&fg=fff&bg=000', { key }), 400, 'validation', ['size', 'fg']);
  // 4096 characters (not bytes) is the limit: 4096 characters in 4192 bytes are too long for a QR
  // code (422), one more character is a bad value (400).
  const chars = (n) => encodeURIComponent('a'.repeat(n - 96) + 'é'.repeat(96));
  problemNames(await api('GET', `/v1/qr?data=${chars(4096)}&ecc=L`, { key }), 422, 'unprocessable', ['data']);
  problemNames(await api('GET', `/v1/qr?data=${chars(4097)}&ecc=L`, { key }), 400, 'validation', ['data']);
});
