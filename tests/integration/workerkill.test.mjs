// kill -9 of a worker process under load: the supervisor has it back (a new pid, serving on its
// socket) within a second, every click answered with a 302 is stored exactly once, and no
// request fails (nginx retries the killed worker's requests on the other socket; connections
// made to the killed worker's socket wait in its backlog, which the supervisor keeps open).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createOffer, partnerWithKey, linksFor, hitsTagged, uniq, sleep } from './lib/client.mjs';
import { ctl, workerSocket, workerPidFile, pidIn, alive, clickLoad } from './lib/workers.mjs';
import { fcgiGet } from './lib/fcgi.mjs';

after(() => ctl('worker-start', '1'));

/** Milliseconds from now until worker n has a live pid other than old that answers on its socket. */
async function backAfter(n, old, t0, limitMs) {
  while (Date.now() - t0 < limitMs) {
    const pid = pidIn(workerPidFile(n));
    if (pid && pid !== old && alive(pid)) {
      const r = await fcgiGet(workerSocket(n), '/healthz').catch(() => null);
      if (r && r.status === 200) return Date.now() - t0;
    }
    await sleep(10);
  }
  return null;
}

test('kill -9 of a worker during load: back within 1 s, hits stored == 302 answers, nothing failed', { timeout: 120000 }, async (t) => {
  const { key } = await partnerWithKey();
  const o = await createOffer();
  const [link] = await linksFor(key, { offers: [o.id] });
  const tag = uniq('kill');
  const load = clickLoad(`/c/${link.token}?sub1=${tag}`);
  await sleep(800);
  const old = pidIn(workerPidFile(1));
  assert.ok(old && alive(old), 'worker 1 runs before the kill');
  const t0 = Date.now();
  ctl('worker-kill', '1');
  const back = await backAfter(1, old, t0, 10000);
  t.diagnostic(`worker 1 back (new pid, serving) ${back} ms after kill -9`);
  assert.ok(!alive(old), 'the killed worker is gone');
  await sleep(800);
  const { answered, failed, statuses } = await load.stop();
  assert.ok(back !== null, 'worker 1 came back');
  assert.ok(back < 1000, `worker 1 was back (new pid, serving) after ${back} ms`);
  assert.ok(answered > 100, `only ${answered} clicks answered`);
  assert.equal(failed, 0, `requests that failed: ${JSON.stringify(statuses)}`);
  const hits = await hitsTagged(key, tag, answered, 60000);
  await sleep(1000);
  const final = await hitsTagged(key, tag, answered + 1, 1000);
  assert.equal(new Set(final.map((h) => h.transaction_id)).size, final.length, 'no transaction twice');
  assert.equal(final.length, answered, `302 answers ${answered}, hits stored ${final.length}`);
  assert.ok(hits.length <= final.length);
});
