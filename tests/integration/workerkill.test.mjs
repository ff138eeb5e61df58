// kill -9 of a worker process under load: every click answered with a 302 is stored once, and
// nothing else is (nginx retries the killed worker's requests on the other one).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { uniq, createOffer, partnerWithKey, linksFor, hitsTagged, rawGet, sleep } from './lib/client.mjs';

const ctl = (...args) => execFileSync(process.env.TG_STACK_CTL, args, { stdio: 'inherit' });
after(() => ctl('worker-start', '1'));

test('kill -9 of a worker during load: hits stored == 302 answers, all distinct', { timeout: 120000 }, async () => {
  const { key } = await partnerWithKey();
  const o = await createOffer();
  const [link] = await linksFor(key, { offers: [o.id] });
  const tag = uniq('kill');
  let answered = 0;
  let failed = 0;
  let stop = false;
  const client = async () => {
    while (!stop) {
      try {
        const r = await rawGet(`/c/${link.token}?sub1=${tag}`);
        if (r.status === 302) answered += 1;
        else failed += 1;
      } catch {
        failed += 1;
      }
    }
  };
  const clients = Array.from({ length: 16 }, client);
  await sleep(800);
  ctl('worker-kill', '1');
  await sleep(800);
  ctl('worker-start', '1');
  await sleep(800);
  stop = true;
  await Promise.all(clients);
  assert.ok(answered > 100, `only ${answered} clicks answered`);
  const hits = await hitsTagged(key, tag, answered, 60000);
  await sleep(1000);
  const final = await hitsTagged(key, tag, answered + 1, 1000);
  assert.equal(new Set(final.map((h) => h.transaction_id)).size, final.length, 'no transaction twice');
  assert.equal(final.length, answered, `302 answers ${answered}, hits stored ${final.length}, failed requests ${failed}`);
  assert.ok(hits.length <= final.length);
});
