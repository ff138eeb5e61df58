// PostgreSQL goes away: the API says 503 with Retry-After, clicks keep redirecting, and when the
// database is back every click of the outage arrives exactly once.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { api, ADMIN, uniq, createOffer, partnerWithKey, linksFor, hitsTagged, rawGet, sleep } from './lib/client.mjs';

const ctl = (...args) => execFileSync(process.env.TG_STACK_CTL, args, { stdio: 'inherit' });
after(() => ctl('pg-start')); /* whatever happens, leave the database running */

test('stop PostgreSQL, restart the workers, click 1000 times, start it: all 1000 hits arrive exactly once', { timeout: 120000 }, async () => {
  const { key } = await partnerWithKey();
  const o = await createOffer();
  const [link] = await linksFor(key, { offers: [o.id] });
  const tag = uniq('outage');
  ctl('pg-stop');
  const down = await api('GET', '/v1/partners', { key: ADMIN });
  assert.equal(down.status, 503);
  assert.equal(down.body.type, 'https://trackgen.dev/problems/service-unavailable');
  assert.equal(down.headers.get('retry-after'), '1');
  assert.equal((await api('GET', '/readyz')).status, 503);
  assert.equal((await api('GET', '/healthz')).status, 200);
  /* Workers that start during the outage serve clicks from the offer cache saved on disk. */
  for (const n of ['1', '2']) {
    ctl('worker-kill', n);
    ctl('worker-start', n);
  }

  let redirected = 0;
  for (let i = 0; i < 1000; i += 25) {
    const batch = await Promise.all(Array.from({ length: 25 }, () => rawGet(`/c/${link.token}?sub1=${tag}`)));
    for (const r of batch) {
      assert.equal(r.status, 302);
      assert.ok(r.headers.get('location').startsWith('https://shop.example/landing'));
      redirected += 1;
    }
  }
  assert.equal(redirected, 1000);

  ctl('pg-start');
  let ok = false;
  for (let i = 0; i < 60 && !ok; i++) {
    ok = (await api('GET', '/v1/offers?limit=1', { key: ADMIN })).status === 200;
    if (!ok) await sleep(250);
  }
  assert.ok(ok, 'the API recovers after PostgreSQL is back');
  const hits = await hitsTagged(key, tag, 1000, 60000);
  assert.equal(hits.length, 1000);
  assert.equal(new Set(hits.map((h) => h.transaction_id)).size, 1000);
  await sleep(1500); /* nothing arrives twice later on either */
  assert.equal((await hitsTagged(key, tag, 1001, 1000)).length, 1000);
});

test('when PostgreSQL is back, every worker thread reconnects as soon as one request has: no 503 after the first answer', { timeout: 60000 }, async () => {
  const partners16 = async () =>
    (await Promise.all(Array.from({ length: 16 }, () => api('GET', '/v1/partners?limit=1', { key: ADMIN })))).map((r) => r.status);
  assert.deepEqual([...new Set(await partners16())], [200]); /* keys loaded, every thread connected */
  ctl('pg-stop');
  /* Requests keep trying the database (16 at a time) for 1.5 s before it starts and while it starts:
   * each worker thread tries it at most once a second, so their last failed tries are spread over the
   * second before the first request connects. From then on no thread of either worker waits out the
   * rest of its second: every request that follows is answered. */
  for (const end = Date.now() + 1500; Date.now() < end;) assert.deepEqual([...new Set(await partners16())], [503]);
  const starting = spawn(process.env.TG_STACK_CTL, ['pg-start'], { stdio: 'inherit' });
  const started = new Promise((resolve) => starting.on('exit', resolve));
  let ok = false;
  for (const deadline = Date.now() + 30000; !ok && Date.now() < deadline;) ok = (await partners16()).includes(200);
  assert.ok(ok, 'the API recovers after PostgreSQL is back');
  const after = await Promise.all(Array.from({ length: 64 }, () => api('GET', '/v1/partners?limit=1', { key: ADMIN })));
  assert.deepEqual(after.map((r) => r.status).filter((s) => s !== 200), []);
  assert.equal(await started, 0);
});
