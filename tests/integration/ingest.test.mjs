// Ingest by partner bucket (src/track/ship_batch.c): hits of many partners in many segments,
// shipped by both workers' shippers at once and every segment twice, are stored once each with
// exactly one unique click per person and rollups equal to the raw hits; a refused row among
// many partners is quarantined alone; late and early hits land in their own day's partition
// (made by the shipper only when a batch needs it), never in hits_default. A partner whose bucket
// another session holds waits; the others' hits ship meanwhile.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, writeFileSync, renameSync } from 'node:fs';
import { api, ADMIN, uniq, createOffer, partnerWithKey, sleep } from './lib/client.mjs';
import { SPOOL, spoolLine, shipSegments } from './lib/spool.mjs';

const psql = (sql) => execFileSync(process.env.TG_STACK_CTL, ['psql', '-Atc', sql]).toString().trim();
after(() => psql('ALTER TABLE hits DROP CONSTRAINT IF EXISTS hits_test_poison'));

/* Deterministic shuffle (a linear congruential generator), so a failure can be replayed. */
function shuffled(items, seed) {
  const out = [...items];
  let x = seed;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

test('a bucket held elsewhere holds back only its own partners\' hits', { timeout: 60000 }, async () => {
  const [a, b] = [(await partnerWithKey()).partner.id, (await partnerWithKey()).partner.id]; /* consecutive: two buckets */
  const offer = (await createOffer()).id;
  const tag = uniq('held');
  const count = (p) => Number(psql(`SELECT count(*) FROM hits WHERE sub1 = '${tag}' AND partner_id = ${p}`));
  /* more rows per partner than one transaction's minimum (TX_MIN_ROWS in src/track/ship_batch.c): one transaction each */
  const N = 4200;
  const at = new Date();
  const lines = [];
  for (let i = 0; i < N; i++)
    for (const partner of [a, b]) lines.push(spoolLine({ partner, offer, sub1: tag, ip: `10.7.${i % 250}.${i % 3}`, at }));
  /* another session holds a's bucket for a while (the shippers' key: 7461726, 100 + partner_id % 16) */
  const holder = spawn(process.env.TG_STACK_CTL, ['psql', '-Atc', `SELECT pg_advisory_lock(7461726, 100 + ${a % 16}), pg_sleep(2.5)`]);
  const released = new Promise((resolve) => holder.on('exit', resolve));
  while (psql(`SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 7461726 AND objid = ${100 + (a % 16)} AND granted`) !== '1')
    await sleep(50);
  const name = `hits-999971-${process.pid}.log`;
  writeFileSync(`${SPOOL}/${name}.tmp`, lines.join(''));
  renameSync(`${SPOOL}/${name}.tmp`, `${SPOOL}/${name}`);
  for (let i = 0; i < 60 && count(b) < N; i++) await sleep(50);
  assert.equal(count(b), N, 'the free bucket ships at once');
  assert.equal(count(a), 0, 'the held bucket waits');
  assert.ok(existsSync(`${SPOOL}/${name}`), 'the segment stays until all of it is committed');
  await released;
  for (let i = 0; i < 100 && existsSync(`${SPOOL}/${name}`); i++) await sleep(50);
  assert.ok(!existsSync(`${SPOOL}/${name}`));
  assert.equal(count(a), N);
  assert.equal(count(b), N);
});

test('many partners, many segments, both shippers at once, every segment twice: each hit once, one unique per person, rollups exact', { timeout: 90000 }, async () => {
  const partners = [];
  for (let i = 0; i < 6; i++) partners.push((await partnerWithKey()).partner.id); /* consecutive ids: six buckets */
  const offer = (await createOffer()).id;
  const tag = uniq('buckets');
  const base = Math.floor(Date.now() / 3600000) * 3600000 - 5 * 3600000;
  const hits = [];
  for (const partner of partners)
    for (let person = 0; person < 5; person++)
      for (let k = 0; k < 8; k++) /* within 24 h: one unique click per person */
        hits.push({ partner, offer, sub1: tag, ip: `10.9.${person}.1`, ua: `person-${person}`,
          at: new Date(base + ((person * 7 + k * 13) % 60) * 60000 + k) });
  for (const partner of partners) hits.push({ partner, offer, sub1: tag, ip: '10.9.99.1', ua: 'bot', bot: true, at: new Date(base) });
  const lines = shuffled(hits, 7).map(spoolLine);
  /* 16 segments out of time order, each written twice (a shipper that died before deleting) */
  const segments = Array.from({ length: 16 }, (_, i) => lines.filter((_, j) => j % 16 === i));
  await shipSegments([...segments, ...segments]);

  const ids = partners.join(',');
  assert.equal(psql(`SELECT count(*) || ',' || count(DISTINCT transaction_id) FROM hits WHERE sub1 = '${tag}'`),
    `${hits.length},${hits.length}`, 'every hit once');
  /* exactly one unique click per person, and it is the person's first */
  const people = psql(`SELECT count(*) FILTER (WHERE u <> 1) || ',' || count(*) FILTER (WHERE NOT first_is_unique) || ',' || count(*)
    FROM (SELECT count(*) FILTER (WHERE is_unique) u, (array_agg(is_unique ORDER BY hit_at, transaction_id))[1] first_is_unique
            FROM hits WHERE sub1 = '${tag}' AND NOT is_bot GROUP BY partner_id, ip, user_agent) p`);
  assert.equal(people, `0,0,${partners.length * 5}`);
  /* the rollups of these partners (they have no other hits) equal the raw hits, at every width */
  const raw = psql(`SELECT count(*) || ',' || count(*) FILTER (WHERE is_unique) || ',' || count(*) FILTER (WHERE is_bot)
    FROM hits WHERE partner_id IN (${ids})`);
  assert.equal(raw, `${hits.length},${partners.length * 5},${partners.length}`);
  for (const table of ['hit_rollup_partner', 'hit_rollup_offer_hour'])
    assert.equal(psql(`SELECT sum(clicks) || ',' || sum(unique_clicks) || ',' || sum(bot_hits) FROM ${table} WHERE partner_id IN (${ids})`),
      raw, table);
  /* the daily rows, once per day phase (UTC's and every phase of report_day_phases) */
  const phases = psql(`SELECT string_agg(s, ';' ORDER BY phase) FROM (
    SELECT phase, sum(clicks) || ',' || sum(unique_clicks) || ',' || sum(bot_hits) AS s
      FROM hit_rollup_partner_day WHERE partner_id IN (${ids}) GROUP BY phase) x`);
  const phaseCount = Number(psql('SELECT 1 + count(*) FROM report_day_phases'));
  assert.equal(phases, Array(phaseCount).fill(raw).join(';'), 'hit_rollup_partner_day, each phase');
  /* the sub width is read from the raw hits while retention keeps them (hit_rollup_sub is built when it drops a day) */
  assert.equal(psql(`SELECT count(*) FROM hit_rollup_sub WHERE partner_id IN (${ids})`), '0', 'hit_rollup_sub is not written by the shipper');
});

test('a refused row among many partners is quarantined alone; all its neighbours ship', { timeout: 60000 }, async () => {
  const partners = [];
  for (let i = 0; i < 4; i++) partners.push((await partnerWithKey()).partner.id);
  const offer = (await createOffer()).id;
  const tag = uniq('poison');
  const now = new Date();
  const lines = [];
  for (let i = 0; i < 40; i++)
    lines.push(spoolLine({ partner: partners[i % 4], offer, sub1: tag, sub2: i === 21 ? 'poison' : `ok-${i}`, ip: `10.8.0.${i}`, at: now }));
  psql("ALTER TABLE hits ADD CONSTRAINT hits_test_poison CHECK (sub2 IS DISTINCT FROM 'poison')");
  try {
    await shipSegments([lines.slice(0, 20), lines.slice(20)]);
  } finally {
    psql('ALTER TABLE hits DROP CONSTRAINT hits_test_poison');
  }
  assert.equal(psql(`SELECT count(*) FROM hits WHERE sub1 = '${tag}'`), '39');
  const q = await api('GET', '/v1/hit-quarantine?limit=200', { key: ADMIN });
  const mine = q.body.data.filter((row) => row.row.includes(tag));
  assert.equal(mine.length, 1);
  assert.match(mine[0].row, /\tpoison\t/);
  assert.equal(mine[0].constraint, 'hits_test_poison');
});

test('late and early hits land in their own day\'s partition, made when a batch needs it; hits_default stays empty', { timeout: 60000 }, async () => {
  const partner = (await partnerWithKey()).partner.id;
  const offer = (await createOffer()).id;
  const tag = uniq('days');
  /* days that have no partition yet: some days old (a segment shipped late) and some days ahead (clock skew) */
  const freeDay = (from, step) => {
    for (let d = from; ; d += step)
      if (psql(`SELECT to_regclass('hits_' || to_char(current_date + ${d}, 'YYYYMMDD')) IS NULL`) === 't') return d;
  };
  const late = freeDay(-3, -1);
  const early = freeDay(9, 1);
  const noon = (d) => new Date(Math.floor(Date.now() / 86400000) * 86400000 + d * 86400000 + 12 * 3600000);
  const at = [new Date(), noon(late), noon(early), noon(late).getTime() + 1000];
  await shipSegments([at.slice(0, 3).map((t) => spoolLine({ partner, offer, sub1: tag, at: new Date(t) })),
    [spoolLine({ partner, offer, sub1: tag, at: new Date(at[3]) })]]);
  const placed = psql(`SELECT string_agg(tableoid::regclass::text || '=' || to_char(hit_at AT TIME ZONE 'UTC', 'YYYYMMDD'), ',' ORDER BY hit_at)
    FROM hits WHERE sub1 = '${tag}'`).split(',');
  assert.equal(placed.length, 4, 'every hit is stored');
  for (const p of placed) {
    const [table, day] = p.split('=');
    assert.equal(table, `hits_${day}`, 'in its own day\'s partition');
  }
  assert.equal(psql('SELECT count(*) FROM ONLY hits_default'), '0');
  assert.equal(psql(`SELECT count(*) FROM hit_quarantine WHERE row_text LIKE '%${tag}%'`), '0');
});
