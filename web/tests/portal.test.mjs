// The partner portal in a real browser (playwright-core driving Debian's chromium, headless) against
// the real stack: sign in (and the clear messages for a wrong and a revoked key), single, multiple
// and all offers, an additional URL, click vs impression, subs; the clipboard read after a copy and
// that link clicked (the hit arrives in GET /v1/hits); the QR modal's image decoded with zbarimg;
// every download arriving valid (a creative byte for byte, Download All and the package with
// unzip -t, the coupon CSV parsed); field errors next to their field; isolation between partners;
// the same flow from another origin (CORS); axe-core with no serious or critical violation; a phone-
// width layout. Screenshots of each step go to web/test-output/ (or TG_WEB_OUT).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { api, ADMIN, BASE, uniq, createOffer, createPartner, createPartnerKey, linksFor, hitsTagged, rawGet } from '../../tests/integration/lib/client.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = process.env.TG_WEB_OUT || join(HERE, '..', 'test-output');
const AXE = join(HERE, '..', 'node_modules', 'axe-core', 'axe.min.js');
const tmp = mkdtempSync(join(tmpdir(), 'tg-portal-'));
const sha = (b) => createHash('sha256').update(b).digest('hex');
mkdirSync(OUT, { recursive: true });

let browser;
const world = {};

before(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  // Partner 1 runs two offers (one with an additional URL); partner 2 has a private offer of its own.
  const p1 = await createPartner({ name: uniq('Portal Partner One') });
  const p2 = await createPartner({ name: uniq('Portal Partner Two') });
  world.p1 = { partner: p1, key: await createPartnerKey(p1.id) };
  world.p2 = { partner: p2, key: await createPartnerKey(p2.id) };
  world.o1 = await createOffer({ name: uniq('Portal Shoes') });
  world.o2 = await createOffer({ name: uniq('Portal Hats') });
  /* A name of spaces only, as data from before the API refused such names: still labelled. */
  world.blank = await createOffer();
  execFileSync(process.env.TG_STACK_CTL, ['psql', '-Atc',
    `UPDATE offers SET name = '${' '.repeat(1 + Math.floor(Math.random() * 150))}' WHERE id = ${Number(world.blank.id)}`]);
  world.secret = await createOffer({ name: uniq('Portal Secret'), visibility: 'private' });
  await api('PUT', `/v1/offers/${world.secret.id}/partners/${p2.id}`, { key: ADMIN });
  const url = await api('POST', `/v1/offers/${world.o1.id}/urls`, { key: ADMIN, body: { name: 'Sale page', destination_url: 'https://shop.example/sale?t={transaction_id}' } });
  world.url = url.body;
  // creatives of o1: a PNG banner made by libvips, and an HTML banner
  execFileSync('vips', ['black', join(tmp, 'b.v'), '300', '250', '--bands', '3']);
  execFileSync('vips', ['copy', join(tmp, 'b.v'), join(tmp, 'banner.png')]);
  world.png = readFileSync(join(tmp, 'banner.png'));
  const fd = new FormData();
  fd.append('metadata', new Blob([JSON.stringify({ offer_id: world.o1.id, name: 'Banner 300x250', type: 'image' })], { type: 'application/json' }));
  fd.append('file', new Blob([world.png], { type: 'image/png' }), 'banner.png');
  const up = await fetch(`${BASE}/v1/creatives`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN}` }, body: fd });
  assert.equal(up.status, 201);
  world.banner = await up.json();
  const html = await api('POST', '/v1/creatives', { key: ADMIN, body: { offer_id: world.o1.id, name: 'HTML banner', type: 'html', html_code: '<a href="{tracking_link}">Shop</a>' } });
  world.html = html.body;
  world.code = uniq('PORTAL').toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 30);
  const c = await api('POST', '/v1/coupons', { key: ADMIN, body: { offer_id: world.o1.id, code: world.code, partner_id: p1.id, description: '20% off' } });
  assert.equal(c.status, 201, c.text);
});

after(async () => {
  await browser?.close();
});

async function openPortal(url = `${BASE}/`, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, acceptDownloads: true, permissions: ['clipboard-read', 'clipboard-write'] });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url);
  return { context, page, errors };
}

async function signIn(page, key) {
  await page.fill('#api-key', key);
  await page.press('#api-key', 'Enter');
}

async function shot(page, name) {
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
}

async function download(page, selector) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const path = join(tmp, `${Date.now()}-${dl.suggestedFilename()}`);
  await dl.saveAs(path);
  return { path, name: dl.suggestedFilename(), bytes: readFileSync(path) };
}

async function axe(page) {
  await page.evaluate(readFileSync(AXE, 'utf8')); /* evaluated by the browser's debugger: the page's CSP allows no injected script */
  const result = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations);
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.length}: ${v.nodes.slice(0, 3).map((n) => n.html.slice(0, 120)).join(' | ')})`);
}

test('the page is served with its strict CSP and cacheable assets; a wrong and a revoked key are told clearly', async () => {
  const res = await rawGet('/');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-security-policy'), /default-src 'none'; script-src 'self'/);
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  const js = /src="(\/assets\/main-[A-Z0-9]+\.js)"/.exec(res.body.toString())[1];
  const asset = await rawGet(js);
  assert.equal(asset.status, 200);
  assert.match(asset.headers.get('cache-control'), /max-age=31536000, immutable/);

  const { page, context, errors } = await openPortal();
  await signIn(page, 'tg_000000000000_0000000000000000000000000000000000000000000000000000000000000000');
  await page.waitForSelector('#api-key-error:not([hidden])');
  assert.match(await page.textContent('#api-key-error'), /not valid/);
  assert.equal(await page.getAttribute('#api-key', 'aria-invalid'), 'true');
  await shot(page, '01-wrong-key');
  const revoked = await api('POST', '/v1/api-keys', { key: ADMIN, body: { role: 'partner', partner_id: world.p1.partner.id, name: 'revoked' } });
  await api('DELETE', `/v1/api-keys/${revoked.body.id}`, { key: ADMIN });
  await signIn(page, revoked.body.key);
  await page.waitForFunction(() => /revoked/.test(document.querySelector('#api-key-error').textContent));
  assert.equal(await page.evaluate(() => sessionStorage.getItem('trackgen.key')), null, 'a refused key is not kept');
  assert.deepEqual(errors.filter((e) => !/401/.test(e)), []);
  await context.close();
});

test('generator: single offer with an additional URL, click link copied and clicked, QR decoded; isolation', async () => {
  const { page, context, errors } = await openPortal();
  await signIn(page, world.p1.key);
  await page.waitForSelector('#generator:not([hidden])');
  assert.match(await page.textContent('#who-name'), new RegExp(world.p1.partner.name));
  assert.notEqual(await page.evaluate(() => sessionStorage.getItem('trackgen.key')), null);
  assert.ok(!page.url().includes('tg_'), 'the key is never in the URL');
  await page.waitForSelector(`#offer-list input[value="${world.o1.id}"]`);
  const listed = await page.$$eval('#offer-list input', (xs) => xs.map((x) => Number(x.value)));
  assert.ok(listed.includes(world.o2.id));
  assert.ok(!listed.includes(world.secret.id), "partner 1 never sees partner 2's private offer");
  await shot(page, '02-signed-in');

  await page.fill('#offer-search', world.o1.name.slice(0, 20));
  await page.check(`#offer-list input[value="${world.o1.id}"]`);
  await page.waitForSelector('#offer-url-field:not([hidden])');
  await page.selectOption('#offer-url', String(world.url.id));
  const tag = uniq('portal');
  await page.fill('#sub1', tag);
  await page.fill('#source_id', 'browser');
  await page.click('#generate');
  await page.waitForSelector('#links-result:not([hidden])');
  await page.waitForSelector('#package-result:not([hidden])');
  await shot(page, '03-links');
  const [expected] = await linksFor(world.p1.key, { offers: [world.o1.id], offer_url_id: world.url.id, sub1: tag, source_id: 'browser' });
  assert.equal(await page.$$eval('#links-body tr', (r) => r.length), 1);
  await page.click(`[data-copy="redirect-${world.o1.id}-${world.url.id}"]`);
  await page.waitForSelector(`[data-copy="redirect-${world.o1.id}-${world.url.id}"][data-copied]`);
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, expected.redirect_url);
  const click = await rawGet(copied.slice(BASE.length));
  assert.equal(click.status, 302);
  assert.ok(click.headers.get('location').startsWith('https://shop.example/sale'));
  const hits = await hitsTagged(world.p1.key, tag, 1);
  assert.equal(hits.length, 1, 'the click on the copied link is recorded');
  world.tag = tag;
  await page.click(`[data-copy="direct-${world.o1.id}-${world.url.id}"]`);
  await page.waitForFunction(() => document.querySelectorAll('[data-copied]').length > 0);
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), expected.direct_url);

  // the QR modal: its image decodes to the link
  await page.click(`[data-qr="${world.o1.id}-${world.url.id}"]`);
  await page.waitForSelector('#qr-dialog[open]');
  const src = await page.getAttribute('#qr-image', 'src');
  const png = await rawGet(src.slice(BASE.length));
  writeFileSync(join(tmp, 'qr.png'), png.body);
  const decoded = execFileSync('zbarimg', ['--quiet', '--raw', join(tmp, 'qr.png')]).toString().trim();
  assert.equal(decoded, expected.redirect_url);
  await shot(page, '04-qr');
  await page.keyboard.press('Escape');
  assert.equal(await page.$('#qr-dialog[open]'), null, 'Escape closes the dialog');
  assert.deepEqual(errors, []);
  await context.close();
});

test('multiple offers, all offers, impressions, and a field error shown next to its field', async () => {
  const { page, context } = await openPortal();
  await signIn(page, world.p1.key);
  await page.waitForSelector(`#offer-list input[value="${world.o1.id}"]`);
  await page.check('input[name=bundle][value=multiple]');
  await page.check(`#offer-list input[value="${world.o1.id}"]`);
  await page.check(`#offer-list input[value="${world.o2.id}"]`);
  await page.check('#include-urls');
  await page.click('#generate');
  await page.waitForSelector('#links-result:not([hidden])');
  const multi = await linksFor(world.p1.key, { offers: [world.o1.id, world.o2.id], include_additional_urls: true });
  assert.equal(await page.$$eval('#links-body tr', (r) => r.length), multi.length);
  await page.check('input[name=bundle][value=all]');
  assert.equal(await page.isVisible('#offer-picker'), false);
  await page.check('input[name=kind][value=impression]');
  await page.uncheck('#include-urls');
  await page.click('#generate');
  await page.waitForFunction((n) => document.querySelectorAll('#links-body [data-copy^="impression-"]').length === n,
    (await linksFor(world.p1.key, { offers: 'all', kind: 'impression' })).length);
  await shot(page, '05-all-impressions');
  // the server's error, in words, next to the field it names (the input's maxlength is bypassed on purpose)
  await page.evaluate(() => { document.querySelector('#sub3').value = 'x'.repeat(300); });
  await page.click('#generate');
  await page.waitForSelector('#sub3-error:not([hidden])');
  assert.match(await page.textContent('#sub3-error'), /255 characters/);
  assert.equal(await page.getAttribute('#sub3', 'aria-invalid'), 'true');
  assert.equal(await page.inputValue('#sub3'), 'x'.repeat(300), 'nothing the user typed is lost');
  await shot(page, '06-field-error');
  await context.close();
});

test('creatives, coupons and the package: details, downloads byte for byte, Download All, CSV export, ZIP', async () => {
  const { page, context, errors } = await openPortal();
  await signIn(page, world.p1.key);
  await page.waitForSelector(`#offer-list input[value="${world.o1.id}"]`);
  await page.check(`#offer-list input[value="${world.o1.id}"]`);
  await page.check('#want-creatives');
  await page.check('#want-coupons');
  await page.fill('#sub2', 'assets');
  await page.click('#generate');
  await page.waitForSelector('#creatives-result:not([hidden])');
  await page.waitForSelector('#coupons-result:not([hidden])');
  await page.waitForSelector('#package-result:not([hidden])');
  await page.waitForFunction(() => [...document.querySelectorAll('.card img')].every((i) => i.complete && i.naturalWidth > 0));
  await shot(page, '07-assets');
  // View Details of the HTML banner: the code carries the partner's link
  await page.click(`[data-details="${world.html.id}"]`);
  await page.waitForSelector('#creative-dialog[open]');
  const [link] = await linksFor(world.p1.key, { offers: [world.o1.id], sub2: 'assets' });
  assert.equal(await page.inputValue('#creative-code'), `<a href="${link.redirect_url.replace(/&/g, '&amp;')}">Shop</a>`);
  await page.click('#creative-copy');
  await page.waitForFunction(() => document.querySelector('#creative-copied').textContent === 'Copied');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), await page.inputValue('#creative-code'));
  await shot(page, '08-creative-details');
  await page.keyboard.press('Escape');
  // one download, byte for byte; Download All, the coupon export and the package
  const one = await download(page, `[data-download="${world.banner.id}"]`);
  assert.equal(sha(one.bytes), sha(world.png));
  const all = await download(page, '#download-all');
  execFileSync('unzip', ['-tq', all.path]);
  assert.match(execFileSync('unzip', ['-l', all.path]).toString(), /Banner 300x250\.png/);
  assert.equal(await page.textContent(`[data-coupon="${world.code}"] td:nth-child(3)`), 'active');
  const csv = await download(page, '#coupons-export');
  const rows = JSON.parse(execFileSync('python3', ['-c', 'import csv,json,sys; print(json.dumps(list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))))', csv.path]).toString());
  assert.equal(rows[0][0], 'code');
  assert.ok(rows.some((r) => r[0] === world.code), 'the export holds the code shown');
  const pkg = await download(page, '#package-download');
  execFileSync('unzip', ['-tq', pkg.path]);
  const names = execFileSync('unzip', ['-Z1', pkg.path]).toString();
  for (const n of ['README.txt', 'tracking-links.csv', 'coupons.csv']) assert.ok(names.includes(n), `${n} in the package`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('reports: the click of the copied link, grouped by date and Sub1, with totals and a CSV export', async () => {
  assert.ok(world.tag, 'the generator test clicked a link');
  const { page, context, errors } = await openPortal();
  await signIn(page, world.p1.key);
  await page.waitForSelector('#reports:not([hidden])');
  await page.check('input[name=group][value=sub1]');
  await page.click('#run-report');
  await page.waitForSelector('#report-table:not([hidden])');
  const row = await page.$$eval('#report-body tr', (trs, tag) => {
    const r = trs.find((tr) => [...tr.children].some((td) => td.textContent === tag));
    return r ? [...r.children].map((td) => td.textContent) : null;
  }, world.tag);
  assert.ok(row, 'the row of the clicked Sub1');
  assert.equal(row[2], '1', 'one click');
  const totals = await page.$$eval('#report-totals > *', (xs) => xs.map((x) => x.textContent));
  assert.equal(totals[0], 'Total');
  assert.ok(Number(totals[1]) >= 1);
  await shot(page, '10-report');
  const csv = await download(page, '#report-export');
  const rows = JSON.parse(execFileSync('python3', ['-c', 'import csv,json,sys; print(json.dumps(list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))))', csv.path]).toString());
  const sub1 = rows[0].indexOf('sub1');
  assert.ok(sub1 >= 0, rows[0].join(','));
  assert.ok(rows.some((r) => r[sub1] === world.tag), 'the CSV holds the same row');
  // a bad time zone: the API's words next to the field
  await page.fill('#timezone', 'Mars/Olympus');
  await page.click('#run-report');
  await page.waitForSelector('#timezone-error:not([hidden])');
  assert.deepEqual(errors.filter((e) => !/400/.test(e)), []);
  await context.close();
});

test('from another origin (CORS), keyboard only, on a phone-width screen; axe finds nothing serious', async () => {
  const alt = process.env.TG_WEB_ALT_URL;
  const { page, context, errors } = await openPortal(`${alt}/?api=${encodeURIComponent(BASE)}`, { width: 375, height: 800 });
  assert.notEqual(new URL(alt).origin, new URL(BASE).origin);
  // keyboard only: Tab to the key field, type, Enter
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'api-key');
  await page.keyboard.type(world.p1.key);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#generator:not([hidden])');
  await page.waitForSelector(`#offer-list input[value="${world.o2.id}"]`);
  await page.focus(`#offer-list input[value="${world.o2.id}"]`);
  await page.keyboard.press('Space');
  await page.focus('#generate');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#links-result:not([hidden])');
  const [expected] = await linksFor(world.p1.key, { offers: [world.o2.id] });
  await page.focus(`[data-copy="redirect-${world.o2.id}-0"]`);
  await page.keyboard.press('Enter');
  await page.waitForSelector(`[data-copy="redirect-${world.o2.id}-0"][data-copied]`);
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), expected.redirect_url);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling at 375 px (${overflow} px over)`);
  await shot(page, '09-phone-other-origin');
  assert.deepEqual(await axe(page), []);
  assert.deepEqual(errors, []);
  await context.close();
  // and the signed-out page and the dialogs at desktop width
  const desk = await openPortal();
  assert.deepEqual(await axe(desk.page), []);
  await signIn(desk.page, world.p1.key);
  await desk.page.waitForSelector(`#offer-list input[value="${world.o1.id}"]`);
  await desk.page.check(`#offer-list input[value="${world.o1.id}"]`);
  await desk.page.check('#want-creatives');
  await desk.page.check('#want-coupons');
  await desk.page.click('#generate');
  await desk.page.waitForSelector('#package-result:not([hidden])');
  assert.deepEqual(await axe(desk.page), []);
  await desk.page.click(`[data-qr="${world.o1.id}-0"]`);
  assert.deepEqual(await axe(desk.page), []);
  await desk.context.close();
});
