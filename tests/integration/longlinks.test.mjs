// Long links: a redirect is at most 8192 bytes (LINK_URL_MAX_BYTES) and every layer carries one
// whole — the worker's header, nginx's FastCGI buffers and its request-line buffers. Link generation
// refuses a link that could exceed it (422 naming the fields), a click whose own parameters exceed
// it is recorded as fallback_too_long and sent to the fallback, and nothing is ever cut or empty.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, BASE, uniq, createOffer, partnerWithKey, hitsTagged, rawGet } from './lib/client.mjs';

const LIMIT = 8192;
const DEST_MAX = 2048; /* an offer's destination_url (src/util/url.h URL_MAX_LEN) */
const PARAMS = ['source_id', 'sub1', 'sub2', 'sub3', 'sub4', 'sub5'];

/* Percent-encoding as trackgen's macros do it: only RFC 3986 unreserved characters stay. */
const enc = (s) => [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b))
  ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
const query = (params) => Object.entries(params).map(([k, v]) => `${k}=${enc(v)}`).join('&');

/* A destination of exactly DEST_MAX characters using every parameter and the transaction id once. */
function destination(tag) {
  const head = `https://shop.example/long/${tag}?t={transaction_id}&s={source_id}&a={sub1}&b={sub2}&c={sub3}&d={sub4}&e={sub5}&pad=`;
  return head + 'x'.repeat(DEST_MAX - head.length);
}

/* Fills dest as a click does, with the given transaction id. */
const fill = (dest, txn, params) => dest.replace('{transaction_id}', txn)
  .replace(/\{(source_id|sub[1-5])\}/g, (_, name) => enc(params[name] ?? ''));

/* Six parameter values — four-byte, three-byte and two-byte characters and ASCII, each at most 255
 * characters — whose encoding adds exactly `bytes` bytes to the destination; sub1 starts with tag
 * (to find the hit) and ends with ASCII so that one more byte is one more character. */
function valuesAdding(bytes, tag) {
  const v = Object.fromEntries(PARAMS.map((p) => [p, p === 'sub1' ? tag : '']));
  let left = bytes - enc(tag).length;
  for (const [ch, cost] of [['😀', 12], ['€', 9], ['é', 6]]) {
    for (const p of PARAMS) {
      while (left - cost >= 40 && [...v[p]].length < 100) { v[p] += ch; left -= cost; }
    }
  }
  v.sub1 += 'a'.repeat(left);
  assert.ok(PARAMS.every((p) => [...v[p]].length <= 255));
  return v;
}

test('a redirect of exactly 8192 bytes arrives whole through nginx; one byte more is a 422 at generation', async () => {
  const { key } = await partnerWithKey();
  const tag = uniq('long');
  const dest = destination(tag);
  assert.equal(dest.length, DEST_MAX);
  const o = await createOffer({ destination_url: dest });
  const txn = '0'.repeat(32);
  const params = valuesAdding(LIMIT - fill(dest, txn, {}).length, tag);
  assert.equal(fill(dest, txn, params).length, LIMIT);

  /* kind impression: a click link's direct_url repeats the parameters and would be too long */
  const gen = await api('POST', '/v1/tracking-links', { key, body: { offers: [o.id], kind: 'impression', ...params } });
  assert.equal(gen.status, 200, gen.text);
  const [link] = gen.body.data;
  assert.equal(link.redirect_url, `${BASE}/c/${link.token}?${query(params)}`);
  for (const k of ['redirect_url', 'impression_url', 'qr_png_url', 'qr_svg_url']) assert.ok(link[k].length <= LIMIT, k);

  const r = await rawGet(link.redirect_url.slice(BASE.length));
  assert.equal(r.status, 302);
  const loc = r.headers.get('location');
  assert.equal(loc.length, LIMIT);
  const got = loc.match(/[?&]t=([0-9a-f]{32})&/);
  assert.ok(got, loc.slice(0, 120));
  assert.equal(loc, fill(dest, got[1], params), 'byte for byte the filled destination');
  const [hit] = await hitsTagged(key, params.sub1, 1);
  assert.equal(hit.transaction_id, got[1]);
  assert.equal(hit.outcome, 'redirected');
  assert.equal(hit.sub3, params.sub3);

  /* one byte more: a 422 naming every parameter that is set */
  const more = { ...params, sub1: `${params.sub1}a` };
  for (const kind of ['impression', 'click']) {
    const bad = await api('POST', '/v1/tracking-links', { key, body: { offers: [o.id], kind, ...more } });
    assert.equal(bad.status, 422, bad.text);
    assert.match(bad.body.detail, new RegExp(`offer ${o.id}.*8192 bytes`));
    assert.deepEqual(bad.body.errors.map((e) => `${e.in}:${e.field}`).sort(), PARAMS.map((p) => `body:${p}`).sort());
  }
  /* the click link at the limit itself is refused: its direct_url holds the parameters twice */
  const click = await api('POST', '/v1/tracking-links', { key, body: { offers: [o.id], ...params } });
  assert.equal(click.status, 422, click.text);
  assert.match(click.body.detail, /direct_url/);
});

test('six parameters of 255 four-byte characters are a 422 naming them, never an empty URL (links and QR)', async () => {
  const { key } = await partnerWithKey();
  const o = await createOffer();
  const params = Object.fromEntries(PARAMS.map((p) => [p, '😀'.repeat(255)]));
  for (const kind of ['click', 'impression']) {
    const r = await api('POST', '/v1/tracking-links', { key, body: { offers: [o.id], kind, ...params } });
    assert.equal(r.status, 422, r.text.slice(0, 300));
    assert.equal(r.body.type, 'https://trackgen.dev/problems/unprocessable');
    assert.deepEqual(r.body.errors.map((e) => e.field).sort(), [...PARAMS].sort());
  }
  /* three of them: the QR code's link would be 9 200 bytes (six would not fit in a request line) */
  const [link] = (await api('POST', '/v1/tracking-links', { key, body: { offers: [o.id] } })).body.data;
  const three = { sub1: params.sub1, sub3: params.sub3, sub5: params.sub5 };
  const q = await api('GET', `/qr/${link.token}.png?${query(three)}`);
  assert.equal(q.status, 422, q.text);
  assert.deepEqual(q.body.errors.map((e) => `${e.in}:${e.field}`), ['query:sub1', 'query:sub3', 'query:sub5']);
});

test('a click whose own parameters make the redirect too long is recorded as fallback_too_long and sent to the fallback', async () => {
  const { key } = await partnerWithKey();
  const dest = 'https://shop.example/p?a={sub1}&b={sub2}&c={sub3}';
  const withFallback = await createOffer({ destination_url: dest, fallback_url: 'https://fallback.example/too-long' });
  const without = await createOffer({ destination_url: dest });
  const long = '😀'.repeat(255); /* 3 060 bytes encoded: three of them are over 8 192 */
  const tags = [];
  for (const [offer, want] of [[withFallback, 302], [without, 404]]) {
    const [link] = (await api('POST', '/v1/tracking-links', { key, body: { offers: [offer.id] } })).body.data;
    const tag = [...`${uniq('tl')}${long}`].slice(0, 200).join('');
    tags.push(tag);
    const r = await rawGet(`/c/${link.token}?${query({ sub1: tag, sub2: long, sub3: long })}`);
    assert.equal(r.status, want);
    if (want === 302) assert.equal(r.headers.get('location'), 'https://fallback.example/too-long');
    else assert.match(r.headers.get('content-type'), /^text\/html/); /* the "offer unavailable" page */
    /* just under the limit still redirects to the destination, whole */
    const ok = await rawGet(`/c/${link.token}?${query({ sub1: tag, sub2: long })}`);
    assert.equal(ok.status, 302);
    assert.equal(ok.headers.get('location'), `https://shop.example/p?a=${enc(tag)}&b=${enc(long)}&c=`);
  }
  for (const tag of tags) {
    const hits = await hitsTagged(key, tag, 2);
    assert.deepEqual(hits.map((h) => h.outcome).sort(), ['fallback_too_long', 'redirected']);
  }
});
