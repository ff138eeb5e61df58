// The edge (nginx) as an attacker or a load balancer meets it: requests nginx refuses itself are
// problem+json with X-Request-Id like every other error, and the client address stored with a hit
// comes from X-Forwarded-For only when a trusted proxy (127.0.0.2 in the test stack) sent it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOffer, hitsTagged, linksFor, partnerWithKey, uniq } from './lib/client.mjs';
import { fromAddress, rawRequest } from './lib/raw.mjs';

const P = 'https://trackgen.dev/problems/';
const big = (n) => 'a'.repeat(n);

const refused = [
  ['TRACE', 'TRACE / HTTP/1.1\r\nHost: x\r\n\r\n', 405, 'method-not-allowed'],
  ['TRACE on an API path', 'TRACE /v1/offers HTTP/1.1\r\nHost: x\r\n\r\n', 405, 'method-not-allowed'],
  ['POST to a static file', 'POST /sdk.js HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n', 405, 'method-not-allowed'],
  ['malformed request line', 'GARBAGE\r\n\r\n', 400, 'bad-request'],
  ['HTTP/1.1 without Host', 'GET /healthz HTTP/1.1\r\n\r\n', 400, 'bad-request'],
  ['invalid Content-Length', 'POST /v1/clicks HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', 400, 'bad-request'],
  ['URI of 20 KB', `GET /${big(20000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 414, 'uri-too-long'],
  ['header of 20 KB', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${big(20000)}\r\n\r\n`, 431, 'request-header-too-large'],
  ['cookie of 20 KB', `GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: a=${big(20000)}\r\n\r\n`, 431, 'request-header-too-large'],
  ['unknown Transfer-Encoding', 'POST /v1/clicks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n', 501, 'not-implemented'],
  ['HTTP/2.5', 'GET /healthz HTTP/2.5\r\nHost: x\r\n\r\n', 505, 'http-version-not-supported'],
  ['an internal error location', 'GET /_trackgen/400 HTTP/1.1\r\nHost: x\r\n\r\n', 404, 'not-found'],
];

for (const [name, bytes, status, slug] of refused) {
  test(`nginx's own ${status} (${name}) is problem+json with X-Request-Id`, async () => {
    const r = await rawRequest(bytes.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n'));
    assert.equal(r.status, status);
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
    const id = r.headers.get('x-request-id');
    assert.match(id || '', /^[0-9a-f]{32}$/);
    const body = JSON.parse(r.body);
    assert.equal(body.type, P + slug);
    assert.equal(body.status, status);
    assert.ok(body.title && body.detail);
    assert.equal(body.request_id, id);
  });
}

test("nginx's own errors echo a sane client X-Request-Id and replace an unsafe one", async () => {
  const ok = await rawRequest('TRACE / HTTP/1.1\r\nHost: x\r\nX-Request-Id: trace-me.1\r\nConnection: close\r\n\r\n');
  assert.equal(ok.headers.get('x-request-id'), 'trace-me.1');
  assert.equal(JSON.parse(ok.body).request_id, 'trace-me.1');
  const bad = await rawRequest('TRACE / HTTP/1.1\r\nHost: x\r\nX-Request-Id: a"b\r\nConnection: close\r\n\r\n');
  assert.match(bad.headers.get('x-request-id'), /^[0-9a-f]{32}$/);
  assert.equal(JSON.parse(bad.body).request_id, bad.headers.get('x-request-id'));
});

/* Clicks on one link from `from` with each X-Forwarded-For; the stored ip of each, in order. */
async function storedIps(cases) {
  const { key } = await partnerWithKey();
  const o = await createOffer();
  const [link] = await linksFor(key, { offers: [o.id] });
  const tags = [];
  for (const [from, xff] of cases) {
    const tag = uniq('ip');
    tags.push(tag);
    const r = await fromAddress(from, 'GET', `/c/${link.token}?sub1=${tag}`, { headers: xff ? { 'X-Forwarded-For': xff } : {} });
    assert.equal(r.status, 302);
  }
  const ips = [];
  for (const tag of tags) ips.push((await hitsTagged(key, tag, 1))[0]?.ip);
  return ips;
}

test('behind the trusted proxy the stored client address comes from X-Forwarded-For, and cannot be spoofed', async () => {
  const ips = await storedIps([
    ['127.0.0.2', '203.0.113.7'], // the trusted balancer names the client
    ['127.0.0.1', '203.0.113.7'], // an untrusted peer's header is ignored
    ['127.0.0.2', '1.2.3.4, 203.0.113.7'], // the client prepended an address: only trusted hops are skipped
    ['127.0.0.2', '203.0.113.9, 127.0.0.2'], // two trusted hops
    ['127.0.0.2', undefined], // no header: the balancer itself
    ['127.0.0.2', '2001:db8::5'],
  ]);
  assert.deepEqual(ips, ['203.0.113.7', '127.0.0.1', '203.0.113.7', '203.0.113.9', '127.0.0.2', '2001:db8::5']);
});

test('the client address of a direct-linking click honours the trusted proxy too', async () => {
  const { key } = await partnerWithKey();
  const o = await createOffer();
  const [link] = await linksFor(key, { offers: [o.id] });
  const tag = uniq('direct-ip');
  const r = await fromAddress('127.0.0.2', 'POST', '/v1/clicks', {
    headers: { 'X-Forwarded-For': '198.51.100.23' },
    body: { token: link.token, sub1: tag },
  });
  assert.equal(r.status, 201);
  const [hit] = await hitsTagged(key, tag, 1);
  assert.equal(hit.ip, '198.51.100.23');
});
