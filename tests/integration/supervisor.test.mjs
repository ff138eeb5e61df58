// The worker supervisor (`trackgen serve --workers 2`): SIGHUP replaces both workers one at a time
// under load without a single failed request, a bad configuration on SIGHUP keeps the running
// workers, a good one reaches the new workers, and SIGTERM stops everything cleanly (requests
// in flight answered and stored, processes gone, sockets and pid files removed).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { api, ADMIN, createOffer, partnerWithKey, linksFor, hitsTagged, uniq, sleep } from './lib/client.mjs';
import { STACK_DIR, ctl, workerSocket, workerPidFile, masterPidFile, pidIn, alive, clickLoad } from './lib/workers.mjs';
import { fcgiGet } from './lib/fcgi.mjs';

const ENV_FILE = `${STACK_DIR}/trackgen.env`;
const LOG = `${STACK_DIR}/log/trackgen.log`;
const pids = () => [pidIn(workerPidFile(1)), pidIn(workerPidFile(2))];

/* Whatever happens, leave the stack as the next test file expects it: default configuration, both workers up. */
after(() => {
  writeFileSync(ENV_FILE, '');
  ctl('workers-start');
});

/** Until both workers run with pids other than those in before (and those are gone); ms taken. */
async function replaced(before, limitMs = 30000) {
  const t0 = Date.now();
  while (Date.now() - t0 < limitMs) {
    const now = pids();
    if (now.every((p, i) => p && p !== before[i] && alive(p)) && before.every((p) => !alive(p))) return Date.now() - t0;
    await sleep(50);
  }
  throw new Error(`workers not replaced within ${limitMs} ms: before ${before}, now ${pids()}`);
}

async function clickSetup(prefix) {
  const { key } = await partnerWithKey();
  const o = await createOffer();
  const [link] = await linksFor(key, { offers: [o.id] });
  const tag = uniq(prefix);
  return { key, tag, path: `/c/${link.token}?sub1=${tag}` };
}

async function assertStoredOnce(key, tag, answered) {
  await hitsTagged(key, tag, answered, 60000);
  await sleep(1000);
  const final = await hitsTagged(key, tag, answered + 1, 1000);
  assert.equal(new Set(final.map((h) => h.transaction_id)).size, final.length, 'no transaction twice');
  assert.equal(final.length, answered, `302 answers ${answered}, hits stored ${final.length}`);
}

test('SIGHUP under load: both workers replaced one at a time, zero failed requests, every click stored once', { timeout: 120000 }, async (t) => {
  const { key, tag, path } = await clickSetup('reload');
  const before = pids();
  assert.ok(before.every((p) => p && alive(p)));
  const load = clickLoad(path);
  await sleep(500);
  ctl('workers-reload');
  const ms = await replaced(before);
  t.diagnostic(`both workers replaced in ${ms} ms`);
  await sleep(500);
  const { answered, failed, statuses } = await load.stop();
  assert.equal(failed, 0, `requests that failed during the reload: ${JSON.stringify(statuses)}`);
  for (const n of [1, 2]) /* each new worker serves on its own socket (not only through the other one) */
    assert.equal((await fcgiGet(workerSocket(n), '/healthz')).status, 200, `worker ${n} serves on its socket`);
  assert.ok(answered > 100, `only ${answered} clicks answered`);
  const master = readFileSync(LOG, 'utf8');
  assert.match(master, /reload done: all 2 workers replaced/);
  await assertStoredOnce(key, tag, answered);
});

test('SIGHUP with a bad configuration keeps the running workers and logs why', { timeout: 60000 }, async () => {
  const before = pids();
  writeFileSync(ENV_FILE, '# bad on purpose\nTRACKGEN_THREADS=0\n');
  ctl('workers-reload');
  let logged = false;
  for (let i = 0; i < 100 && !logged; i++) {
    logged = readFileSync(LOG, 'utf8').includes('reload refused, the running workers keep serving: configuration error: TRACKGEN_THREADS');
    if (!logged) await sleep(50);
  }
  assert.ok(logged, 'the refusal is logged, naming the variable');
  await sleep(300);
  assert.deepEqual(pids(), before, 'the same workers run');
  assert.ok(before.every(alive));
  assert.equal((await api('GET', '/healthz')).status, 200);
  writeFileSync(ENV_FILE, 'not a pair\n');
  ctl('workers-reload');
  await sleep(500);
  assert.match(readFileSync(LOG, 'utf8'), /reload refused.*trackgen\.env: line 1 is not KEY=VALUE/);
  assert.deepEqual(pids(), before);
});

test('SIGHUP with a changed TRACKGEN_ENV_FILE: the new workers run the new configuration', { timeout: 60000 }, async () => {
  const body = `{"name":"${'a'.repeat(3000)}"}`; /* under the suite's cap, over the one set below */
  const small = await api('POST', '/v1/offers', { key: ADMIN, rawBody: body });
  assert.equal(small.status, 400); /* the name is too long: validated, not refused for its size */
  let before = pids();
  writeFileSync(ENV_FILE, 'TRACKGEN_MAX_BODY="2048"\n');
  ctl('workers-reload');
  await replaced(before);
  const refused = await api('POST', '/v1/offers', { key: ADMIN, rawBody: body });
  assert.equal(refused.status, 413);
  assert.equal(refused.body.type, 'https://trackgen.dev/problems/payload-too-large');
  before = pids();
  writeFileSync(ENV_FILE, '');
  ctl('workers-reload');
  await replaced(before);
  assert.equal((await api('POST', '/v1/offers', { key: ADMIN, rawBody: body })).status, 400);
});

test('SIGTERM to the supervisor: requests in flight answered and stored, every process gone, sockets and pid files removed', { timeout: 120000 }, async () => {
  const { key, tag, path } = await clickSetup('sigterm');
  const master = pidIn(masterPidFile());
  const workers = pids();
  assert.ok(master && alive(master) && workers.every(alive));
  const load = clickLoad(path, 8);
  await sleep(500);
  ctl('workers-stop'); /* SIGTERM, then waits until the supervisor's pid file is gone */
  assert.ok(!alive(master), 'the supervisor exited');
  assert.ok(!workers.some(alive), 'the workers exited');
  for (const n of [1, 2]) {
    assert.ok(!existsSync(workerPidFile(n)), `no pid file of worker ${n}`);
    assert.ok(!existsSync(workerSocket(n)), `no socket of worker ${n}`);
  }
  assert.ok(!existsSync(masterPidFile()));
  assert.match(readFileSync(LOG, 'utf8'), /supervisor: all workers stopped/);
  const { answered, statuses } = await load.stop();
  assert.ok(answered > 10, `only ${answered} clicks answered before the stop`);
  /* Requests after the stop get nginx's 503; the clicks answered 302 must all be stored. */
  assert.deepEqual(Object.keys(statuses).filter((s) => s !== '302' && s !== '503'), [], JSON.stringify(statuses));
  ctl('workers-start');
  await assertStoredOnce(key, tag, answered);
});
