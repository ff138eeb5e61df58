// Liveness, readiness and request ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api } from './lib/client.mjs';

test('healthz answers ok and readyz reports database and migrations', async () => {
  const h = await api('GET', '/healthz');
  assert.equal(h.status, 200);
  assert.deepEqual(h.body, { status: 'ok' });
  const r = await api('GET', '/readyz');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { status: 'ready', database: 'ok', migrations: 'current' });
});

test('a valid X-Request-Id is echoed, an invalid one replaced by 32 hex', async () => {
  const ok = await api('GET', '/healthz', { headers: { 'X-Request-Id': 'trace-abc.123_X' } });
  assert.equal(ok.headers.get('x-request-id'), 'trace-abc.123_X');
  const none = await api('GET', '/healthz');
  assert.match(none.headers.get('x-request-id'), /^[0-9a-f]{32}$/);
  const bad = await api('GET', '/healthz', { headers: { 'X-Request-Id': 'has spaces and ;' } });
  assert.match(bad.headers.get('x-request-id'), /^[0-9a-f]{32}$/);
  const problem = await api('GET', '/v1/nope', { headers: { 'X-Request-Id': 'rid-1' }, skipContract: true });
  assert.equal(problem.status, 404);
  assert.equal(problem.body.request_id, 'rid-1');
});
