// Liveness, readiness and request ids.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { api, uniq, createOffer, partnerWithKey, linksFor, hitsTagged, rawGet, sleep } from './lib/client.mjs';

/* Sets the soft RLIMIT_FSIZE of both running workers (their writes then fail as on a full disk);
 * null = no limit. The hard limit stays, so the soft one can be raised again without privileges. */
const workerPids = () => ['1', '2'].map((n) => readFileSync(`${process.env.TG_STACK_DIR}/run/trackgen-${n}.pid`, 'utf8').trim());
const limitWorkerWrites = (bytes) => {
  for (const pid of workerPids()) execFileSync('prlimit', ['--pid', pid, `--fsize=${bytes ?? 'unlimited'}:`]);
};
after(() => limitWorkerWrites(null)); /* whatever happens, the workers may write again */

async function readyzUntil(status, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await api('GET', '/readyz');
    if (r.status === status || Date.now() > deadline) return r;
    await sleep(200);
  }
}

test('healthz answers ok and readyz reports database, migrations, offer cache, key cache, spool and quarantine', async () => {
  const h = await api('GET', '/healthz');
  assert.equal(h.status, 200);
  assert.deepEqual(h.body, { status: 'ok' });
  const r = await api('GET', '/readyz');
  assert.equal(r.status, 200);
  assert.ok(Number.isInteger(r.body.quarantined) && r.body.quarantined >= 0);
  assert.deepEqual({ ...r.body, quarantined: 0 },
    { status: 'ready', database: 'ok', migrations: 'current', offer_cache: 'loaded', key_cache: 'loaded', spool: 'ok', quarantined: 0 });
});

test('readyz is 503 naming the spool while it cannot be written, and 200 again once it can', async () => {
  limitWorkerWrites(0);
  try {
    /* Both workers (nginx picks one per request): each must say why. */
    for (let i = 0; i < 4; i++) {
      const r = await readyzUntil(503);
      assert.equal(r.status, 503);
      assert.equal(r.body.type, 'https://trackgen.dev/problems/service-unavailable');
      assert.match(r.body.detail, /spool/);
      assert.match(r.body.detail, /File too large/);
    }
  } finally {
    limitWorkerWrites(null);
  }
  for (let i = 0; i < 4; i++) assert.equal((await readyzUntil(200)).status, 200);
});

test('a spool that fills up mid-batch: hits stored == clicks answered 302, none of the 503s', { timeout: 60000 }, async () => {
  const { key } = await partnerWithKey();
  const o = await createOffer();
  const [link] = await linksFor(key, { offers: [o.id] });
  const tag = uniq('full');
  let redirected = 0;
  let refused = 0;
  /* ~1 KB per segment: a group commit of many clicks crosses the limit part of the way through. */
  limitWorkerWrites(1000);
  try {
    for (let round = 0; round < 12; round++) {
      const batch = await Promise.all(Array.from({ length: 24 }, () => rawGet(`/c/${link.token}?sub1=${tag}`)));
      for (const r of batch) {
        if (r.status === 302) redirected += 1;
        else if (r.status === 503) refused += 1;
        else assert.fail(`unexpected status ${r.status}`);
      }
      await sleep(250); /* a fresh segment (they rotate every 200 ms) */
    }
  } finally {
    limitWorkerWrites(null);
  }
  assert.ok(refused > 0, 'the limit refused some clicks');
  await hitsTagged(key, tag, redirected, 10000);
  await sleep(1000); /* whatever else was spooled has been shipped by now */
  const hits = await hitsTagged(key, tag, redirected + 1, 0);
  assert.equal(hits.length, redirected, `302 answers ${redirected}, 503 answers ${refused}, hits stored ${hits.length}`);
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
