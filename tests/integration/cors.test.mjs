// CORS for single-page apps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, ADMIN, BASE } from './lib/client.mjs';

test('a preflight is answered 204 without a key', async () => {
  const r = await fetch(`${BASE}/v1/offers`, {
    method: 'OPTIONS',
    headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
  });
  assert.equal(r.status, 204);
  assert.equal(r.headers.get('access-control-allow-origin'), 'https://app.example');
  assert.equal(r.headers.get('access-control-allow-methods'), 'GET, HEAD, POST, OPTIONS');
  assert.match(r.headers.get('access-control-allow-headers'), /Authorization/);
  assert.match(r.headers.get('access-control-allow-headers'), /Content-Type/);
  assert.equal(r.headers.get('access-control-max-age'), '600');
  const plain = await fetch(`${BASE}/v1/offers`, { method: 'OPTIONS' });
  assert.equal(plain.status, 204);
  assert.equal(plain.headers.get('allow'), 'GET, HEAD, POST, OPTIONS');
});

test('responses carry Access-Control-Allow-Origin and Vary: Origin for an allowed origin', async () => {
  const r = await api('GET', '/v1/me', { key: ADMIN, headers: { Origin: 'https://app.example' } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('access-control-allow-origin'), 'https://app.example');
  assert.match(r.headers.get('vary'), /Origin/);
  assert.match(r.headers.get('access-control-expose-headers'), /X-Request-Id/);
  const err = await api('GET', '/v1/me', { headers: { Origin: 'https://app.example' } });
  assert.equal(err.status, 401);
  assert.equal(err.headers.get('access-control-allow-origin'), 'https://app.example');
});
