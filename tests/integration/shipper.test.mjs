// The shipper and what PostgreSQL refuses: a row that violates a constraint is set aside in the
// quarantine while all its neighbours are stored; a read-only database (the old primary after a
// failover) makes the shipper wait, then ship everything exactly once, quarantining nothing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync, renameSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { api, ADMIN, uniq, createOffer, partnerWithKey, linksFor, hitsTagged, rawGet, sleep } from './lib/client.mjs';

/* SQL as the superuser; PGOPTIONS lets it write even while the database is made read-only. */
const psql = (...sql) => execFileSync(process.env.TG_STACK_CTL, ['psql', '-Atc', ...sql.flatMap((s, i) => (i ? ['-c', s] : [s]))],
  { env: { ...process.env, PGOPTIONS: '-c default_transaction_read_only=off -c client_min_messages=warning' } }).toString().trim();
const WRITABLE = ['ALTER SYSTEM RESET default_transaction_read_only', 'SELECT pg_reload_conf()'];
after(() => {
  /* Whatever happens, leave the database writable and without the test's constraint. */
  psql(...WRITABLE);
  psql('ALTER TABLE hits DROP CONSTRAINT IF EXISTS hits_test_poison');
});

const quarantineAll = async () => {
  const rows = [];
  let cursor = null;
  do {
    const r = await api('GET', `/v1/hit-quarantine?limit=200${cursor ? `&cursor=${cursor}` : ''}`, { key: ADMIN });
    assert.equal(r.status, 200);
    rows.push(...r.body.data);
    cursor = r.body.next_cursor;
  } while (cursor);
  return rows;
};

const spoolFiles = () => readdirSync(`${process.env.TG_STACK_DIR}/spool`);

/* The transaction id the click was given: the offer's URL carries it (tid={transaction_id}). */
const tidOf = (res) => new URL(res.headers.get('location')).searchParams.get('tid');

test('a row that violates a constraint is quarantined with its SQLSTATE and all its neighbours ship', { timeout: 60000 }, async () => {
  const { key } = await partnerWithKey();
  const o = await createOffer();
  const [link] = await linksFor(key, { offers: [o.id] });
  const tag = uniq('poison');
  psql("ALTER TABLE hits ADD CONSTRAINT hits_test_poison CHECK (sub2 IS DISTINCT FROM 'poison')");
  const before = (await api('GET', '/readyz')).body.quarantined;
  /* One burst: the poisoned click shares its group commit and spool segment with its neighbours. */
  const clicks = await Promise.all(Array.from({ length: 40 }, (_, i) =>
    rawGet(`/c/${link.token}?sub1=${tag}&sub2=${i === 17 ? 'poison' : `ok-${i}`}`)));
  for (const c of clicks) assert.equal(c.status, 302);
  const poisonTid = tidOf(clicks[17]);

  const hits = await hitsTagged(key, tag, 39, 20000);
  assert.equal(hits.length, 39, 'every neighbour of the refused row is stored');
  assert.ok(hits.every((h) => h.sub2 !== 'poison'));
  assert.deepEqual(new Set(hits.map((h) => h.transaction_id)),
    new Set(clicks.filter((_, i) => i !== 17).map(tidOf)));

  const q = (await quarantineAll()).filter((row) => row.transaction_id === poisonTid);
  assert.equal(q.length, 1, 'the refused row is in the quarantine, once');
  assert.equal(q[0].sqlstate, '23514');
  assert.equal(q[0].constraint, 'hits_test_poison');
  assert.match(q[0].row, /\tpoison\t/);
  assert.match(q[0].segment, /^hits-\d+-\d+\.log$/);
  assert.equal((await api('GET', '/readyz')).body.quarantined, before + 1);
  assert.deepEqual(spoolFiles().filter((f) => f.includes('.rejected')), []);
  psql('ALTER TABLE hits DROP CONSTRAINT hits_test_poison');
});

test('quarantine listing is admin only and validates its cursor', async () => {
  const { key } = await partnerWithKey();
  assert.equal((await api('GET', '/v1/hit-quarantine', { key })).status, 404);
  assert.equal((await api('GET', '/v1/hit-quarantine')).status, 401);
  const bad = await api('GET', '/v1/hit-quarantine?cursor=nope', { key: ADMIN });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.errors[0].field, 'cursor');
});

test('a read-only database: the shipper waits, quarantines nothing, then ships every hit once', { timeout: 60000 }, async () => {
  const { key } = await partnerWithKey();
  const o = await createOffer();
  const [link] = await linksFor(key, { offers: [o.id] });
  const tag = uniq('readonly');
  const quarantinedBefore = psql('SELECT count(*) FROM hit_quarantine');
  psql('ALTER SYSTEM SET default_transaction_read_only = on', 'SELECT pg_reload_conf()');
  try {
    for (let i = 0; i < 3; i++) {
      const batch = await Promise.all(Array.from({ length: 10 }, () => rawGet(`/c/${link.token}?sub1=${tag}`)));
      for (const c of batch) assert.equal(c.status, 302);
      await sleep(300);
    }
    await sleep(1500); /* several shipper passes */
    assert.equal(psql(`SELECT count(*) FROM hits WHERE sub1 = '${tag}'`), '0', 'nothing shipped while read-only');
    assert.equal(psql('SELECT count(*) FROM hit_quarantine'), quarantinedBefore, 'nothing quarantined');
    assert.ok(spoolFiles().some((f) => /^hits-\d+-\d+\.log$/.test(f)), 'the hits wait in the spool');
  } finally {
    psql(...WRITABLE);
  }
  const hits = await hitsTagged(key, tag, 30, 20000);
  assert.equal(hits.length, 30);
  assert.equal(new Set(hits.map((h) => h.transaction_id)).size, 30);
  await sleep(1000);
  assert.equal((await hitsTagged(key, tag, 31, 500)).length, 30, 'nothing arrives twice');
  assert.equal(psql('SELECT count(*) FROM hit_quarantine'), quarantinedBefore);
  assert.deepEqual(spoolFiles().filter((f) => f.includes('.rejected')), []);
});

/* A spool line as src/track/hitlog.c writes it: "<crc32 hex>\t<COPY row>\n". */
function spoolLine(partnerId, offerId, tag) {
  const row = [randomBytes(16).toString('hex'), 'click', new Date().toISOString().replace('T', ' ').replace('Z', '+00'),
    partnerId, offerId, '\\N', '\\N', tag, '\\N', '\\N', '\\N', '\\N', '127.0.0.1', 'test', '\\N', 'redirected', 'f'].join('\t');
  return `${crc32(row).toString(16).padStart(8, '0')}\t${row}\n`;
}

test('a segment the spool could not cut ships only its acknowledged bytes; old *.rejected segments ship again', { timeout: 60000 }, async () => {
  const { partner, key } = await partnerWithKey();
  const o = await createOffer();
  const tag = uniq('cut');
  const dir = `${process.env.TG_STACK_DIR}/spool`;
  const acked = spoolLine(partner.id, o.id, tag) + spoolLine(partner.id, o.id, tag);
  const refused = spoolLine(partner.id, o.id, tag); /* answered 503: must never be stored */
  const cut = `hits-999999-${process.pid}.log.valid-${Buffer.byteLength(acked)}`;
  const legacy = `hits-999998-${process.pid}.log.rejected`;
  writeFileSync(`${dir}/incoming.tmp`, acked + refused);
  renameSync(`${dir}/incoming.tmp`, `${dir}/${cut}`);
  writeFileSync(`${dir}/incoming.tmp`, spoolLine(partner.id, o.id, tag));
  renameSync(`${dir}/incoming.tmp`, `${dir}/${legacy}`);
  for (let i = 0; i < 100 && (existsSync(`${dir}/${cut}`) || existsSync(`${dir}/${legacy}`)); i++) await sleep(100);
  assert.ok(!existsSync(`${dir}/${cut}`) && !existsSync(`${dir}/${legacy}`), 'both segments are shipped');
  const hits = await hitsTagged(key, tag, 4, 0);
  assert.equal(hits.length, 3);
  assert.ok(!hits.some((h) => refused.includes(h.transaction_id)));
});
