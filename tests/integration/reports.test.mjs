// The flex report (GET /v1/reports/hits): every parameter for both roles, isolation between
// partners (rows and totals), CSV parsed back with Python's csv module, days and hours cut in
// time zones across DST changes and in half- and quarter-hour zones, exactness against count(*)
// over the raw hits after a segment shipped twice, an nginx retry and late is_unique fix-ups,
// a click in the report within 5 s, and the partitions trackgen keeps (made ahead, dropped
// after TRACKGEN_HITS_RETENTION_DAYS while their numbers stay reportable).
// Hits come in as spool segments written here (as src/track/hitlog.c writes them), so their
// times, people and outcomes are chosen, and go through the real shipper.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, renameSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { api, ADMIN, uniq, createOffer, partnerWithKey, linksFor, rawGet, sleep } from './lib/client.mjs';
import { ctl } from './lib/workers.mjs';
import { signedPath } from './lib/signed.mjs';

const psql = (sql) => execFileSync(process.env.TG_STACK_CTL, ['psql', '-Atc', sql]).toString().trim();
const SPOOL = `${process.env.TG_STACK_DIR}/spool`;
let segments = 0;

/** A hit as a spool row; t is a Date, the rest defaults to a plain click. */
function hit({ partner, offer, t, kind = 'click', url = null, source = null, subs = [], ip = '10.0.0.1', ua = 'ua',
  outcome, bot = false, tid = randomBytes(16).toString('hex') }) {
  const esc = (v) => (v === null || v === undefined ? '\\N' : String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r'));
  const row = [tid, kind, t.toISOString().replace('T', ' ').replace('Z', '+00'), partner, offer, esc(url), esc(source),
    ...[0, 1, 2, 3, 4].map((i) => esc(subs[i])), ip, esc(ua), '\\N', outcome || (kind === 'click' ? 'redirected' : 'recorded'),
    bot ? 't' : 'f'].join('\t');
  return `${crc32(row).toString(16).padStart(8, '0')}\t${row}\n`;
}

/** Writes one spool segment and waits until a shipper has taken it. */
async function ship(lines) {
  segments += 1;
  const name = `hits-999990-${process.pid}${segments}.log`;
  writeFileSync(`${SPOOL}/report.tmp`, lines.join(''));
  renameSync(`${SPOOL}/report.tmp`, `${SPOOL}/${name}`);
  for (let i = 0; i < 200 && existsSync(`${SPOOL}/${name}`); i++) await sleep(50);
  assert.ok(!existsSync(`${SPOOL}/${name}`), `segment ${name} was shipped`);
}

const report = (key, query, opts = {}) => api('GET', `/v1/reports/hits?${query}`, { key, ...opts });
const at = (iso) => new Date(iso);
/** The start of the current UTC hour minus h hours. */
const hoursAgo = (h) => new Date(Math.floor(Date.now() / 3600000) * 3600000 - h * 3600000);

/** Every row of a report, following next_cursor. */
async function allRows(key, query) {
  const rows = [];
  let cursor = null;
  let pages = 0;
  do {
    const r = await report(key, `${query}${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, r.text);
    rows.push(...r.body.data);
    cursor = r.body.next_cursor;
    pages += 1;
  } while (cursor);
  return { rows, pages };
}

/** CSV text parsed by Python's csv module (RFC 4180). */
const pyCsv = (text) => JSON.parse(execFileSync('python3', ['-c',
  'import csv, io, json, sys; print(json.dumps(list(csv.reader(io.StringIO(sys.stdin.read(), newline="")))))'],
{ input: text }).toString());

async function setup() {
  const a = await partnerWithKey();
  const b = await partnerWithKey();
  const o1 = await createOffer();
  const o2 = await createOffer();
  return { a, b, o1, o2 };
}

test('exact: totals equal count(*) over the hits after a segment shipped twice, an nginx retry and late is_unique fix-ups', { timeout: 60000 }, async () => {
  const { a, o1 } = await setup();
  const base = hoursAgo(6);
  const m = (min) => new Date(base.getTime() + min * 60000);
  const P = { partner: a.partner.id, offer: o1.id };
  const x = { ...P, ip: '10.1.1.1', ua: 'person-x' };
  const y = { ...P, ip: '10.1.1.2', ua: 'person-y' };
  const xa = hit({ ...x, t: m(60) });
  const first = [xa, hit({ ...x, t: m(90) }), hit({ ...y, t: m(10) }), hit({ ...x, kind: 'impression', t: m(5) }),
    hit({ ...P, ip: '10.1.1.3', t: m(20), bot: true })];
  await ship(first);
  await ship(first); /* the shipper died between commit and delete: the segment ships again */
  /* nginx retried a request on the other worker: the same hit in another worker's segment, next to
   * late hits that take is_unique away from X's and Y's later clicks */
  await ship([xa, hit({ ...x, t: m(30) }), hit({ ...y, t: m(0) })]);
  const q = `group_by=hour&from=${base.toISOString()}&to=${m(24 * 60).toISOString()}`;
  const r = await report(a.key, q);
  assert.equal(r.status, 200, r.text);
  const db = psql(`SELECT count(*) FILTER (WHERE kind = 'click') || ',' || count(*) FILTER (WHERE kind = 'click' AND is_unique)
    || ',' || count(*) FILTER (WHERE kind = 'impression') || ',' || count(*) FILTER (WHERE is_bot)
    FROM hits WHERE partner_id = ${a.partner.id}`).split(',').map(Number);
  assert.deepEqual(db, [6, 2, 1, 1], 'the raw hits themselves');
  const t = r.body.totals;
  assert.deepEqual([t.clicks, t.unique_clicks, t.impressions, t.bot_hits], db);
  /* and per group: the hours add up to the same, each hour as the raw hits say */
  const sum = (k) => r.body.data.reduce((s, row) => s + row[k], 0);
  assert.deepEqual([sum('clicks'), sum('unique_clicks'), sum('impressions'), sum('bot_hits')], db);
  const perHour = psql(`SELECT string_agg(c::text, ',' ORDER BY h) FROM (SELECT date_trunc('hour', hit_at AT TIME ZONE 'UTC') h, count(*) FILTER (WHERE is_unique AND kind = 'click') c
    FROM hits WHERE partner_id = ${a.partner.id} GROUP BY 1) x`);
  assert.equal(r.body.data.map((row) => row.unique_clicks).join(','), perHour);
  assert.equal(t.ctr, 6);
  /* the same by local day in half- and quarter-hour zones (whole UTC days less and plus their spilled hours) */
  for (const tz of ['Asia/Kolkata', 'Asia/Kathmandu', 'America/St_Johns']) {
    const days = await report(a.key, `group_by=date&timezone=${tz}&from=${base.toISOString()}&to=${m(24 * 60).toISOString()}`);
    assert.equal(days.status, 200, days.text);
    const raw = psql(`SELECT string_agg(d || ':' || c || ':' || u, ',' ORDER BY d) FROM (SELECT (hit_at AT TIME ZONE '${tz}')::date::text d,
      count(*) FILTER (WHERE kind = 'click') c, count(*) FILTER (WHERE kind = 'click' AND is_unique) u FROM hits WHERE partner_id = ${a.partner.id} GROUP BY 1) x`);
    assert.equal(days.body.data.map((row) => `${row.date}:${row.clicks}:${row.unique_clicks}`).join(','), raw, tz);
  }
});

test('exact by local day in any zone: India\'s own day rows, 6-hour steps, quarter-hour zones, ranges cut mid-day', { timeout: 60000 }, async () => {
  const { a, o1, o2 } = await setup();
  /* a seeded spread of hits over four days, at any second: every quarter hour of a day, both offers */
  let seed = 14;
  const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  const start = Date.parse('2026-10-19T00:00:00Z');
  const lines = [];
  for (let i = 0; i < 500; i++) {
    lines.push(hit({ partner: a.partner.id, offer: rnd() < 0.6 ? o1.id : o2.id, t: new Date(start + Math.floor(rnd() * 4 * 86400) * 1000),
      kind: rnd() < 0.8 ? 'click' : 'impression', ip: `10.9.${i % 7}.${i % 5}`, bot: rnd() < 0.05 }));
  }
  await ship(lines);
  /* +05:30 has its own day rows (report_day_phases); the others move 6-hour, hourly and quarter-hour rows */
  const zones = ['UTC', 'Asia/Kolkata', 'Asia/Kathmandu', 'Pacific/Marquesas', 'Pacific/Chatham', 'America/St_Johns'];
  const ranges = ['from=2026-10-19&to=2026-10-22', 'from=2026-10-19T07:45:00Z&to=2026-10-21T13:15:00Z',
    'from=2026-10-20T00:15:00Z&to=2026-10-20T05:30:00Z'];
  for (const tz of zones) {
    for (const range of ranges) {
      for (const group of ['date,offer_id', 'week']) { /* the offer width, the partner width */
        const what = `${tz} ${range} ${group}`;
        const r = await report(a.key, `group_by=${group}&timezone=${tz}&${range}&limit=1000`);
        assert.equal(r.status, 200, `${what}: ${r.text}`);
        const dims = group.split(',').map((g) => (g === 'week' ? `date_trunc('week', hit_at AT TIME ZONE '${tz}')::date::text`
          : g === 'date' ? `(hit_at AT TIME ZONE '${tz}')::date::text` : 'offer_id::text'));
        const raw = psql(`SELECT coalesce(string_agg(k || ':' || c || ':' || u || ':' || i || ':' || b, ',' ORDER BY k), '') FROM (
          SELECT ${dims.join(" || '/' || ")} k, count(*) FILTER (WHERE kind = 'click') c, count(*) FILTER (WHERE kind = 'click' AND is_unique) u,
                 count(*) FILTER (WHERE kind = 'impression') i, count(*) FILTER (WHERE is_bot) b
            FROM hits WHERE partner_id = ${a.partner.id} AND hit_at >= '${r.body.range.from}' AND hit_at < '${r.body.range.to}' GROUP BY 1) x`);
        const got = r.body.data.map((row) => `${group.split(',').map((g) => row[g]).join('/')}:${row.clicks}:${row.unique_clicks}:${row.impressions}:${row.bot_hits}`)
          .sort().join(',');
        assert.equal(got, raw, what);
        const t = r.body.totals;
        const total = raw ? raw.split(',').reduce((s, g) => s + Number(g.split(':')[1]) + Number(g.split(':')[3]), 0) : 0;
        assert.equal(t.clicks + t.impressions, total, `${what}: totals`);
      }
    }
  }
});

test('a click answered by /c/ is in the report within 5 s', { timeout: 30000 }, async (t) => {
  const { a, o1 } = await setup();
  const [link] = await linksFor(a.key, { offers: [o1.id] });
  const t0 = Date.now();
  assert.equal((await rawGet(`/c/${link.token}?sub1=fresh`)).status, 302);
  let clicks = 0;
  while (clicks === 0 && Date.now() - t0 < 10000) {
    const r = await report(a.key, 'group_by=sub1');
    assert.equal(r.status, 200);
    clicks = r.body.totals.clicks;
    if (!clicks) await sleep(50);
  }
  const delay = Date.now() - t0;
  t.diagnostic(`click to report: ${delay} ms`);
  assert.equal(clicks, 1);
  assert.ok(delay < 5000, `${delay} ms`);
});

test('group_by in order, names with ids, filters on every dimension, sort, totals over all pages', { timeout: 60000 }, async () => {
  const { a, o1, o2 } = await setup();
  const url = await api('POST', `/v1/offers/${o1.id}/urls`, { key: ADMIN, body: { name: 'Second page', destination_url: 'https://shop.example/2' } });
  assert.equal(url.status, 201, url.text);
  const base = hoursAgo(30);
  const P = { partner: a.partner.id };
  const lines = [];
  for (let i = 0; i < 12; i++) {
    lines.push(hit({ ...P, offer: i % 3 ? o1.id : o2.id, t: new Date(base.getTime() + i * 3600000), ip: `10.2.0.${i}`,
      source: i % 2 ? 'news' : null, subs: [`s${i % 4}`, i % 3 ? 'b' : null, 'c', 'd', `e${i % 2}`],
      url: i === 5 ? url.body.id : null, outcome: i === 7 ? 'fallback_paused' : i === 8 ? 'fallback_too_long' : undefined }));
  }
  lines.push(hit({ ...P, offer: o1.id, kind: 'impression', t: base, ip: '10.2.1.1' }));
  lines.push(hit({ ...P, offer: o1.id, kind: 'impression', t: base, ip: '10.2.1.2', bot: true }));
  await ship(lines);
  const range = `from=${base.toISOString()}&to=${new Date(base.getTime() + 86400000).toISOString()}`;

  const r = await report(a.key, `${range}&group_by=offer_id,kind`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.data.map((row) => Object.keys(row).slice(0, 3)), r.body.data.map(() => ['offer_id', 'offer_name', 'kind']));
  const o1Click = r.body.data.find((row) => row.offer_id === o1.id && row.kind === 'click');
  assert.equal(o1Click.offer_name, o1.name);
  assert.equal(o1Click.clicks, 8);
  assert.equal(o1Click.fallback_clicks, 2);
  assert.equal(o1Click.fallback_paused, 1);
  assert.equal(o1Click.fallback_too_long, 1);
  assert.equal(o1Click.ctr, null, 'no impressions in this group');
  const o1Imp = r.body.data.find((row) => row.offer_id === o1.id && row.kind === 'impression');
  assert.equal(o1Imp.impressions, 2);
  assert.equal(o1Imp.bot_hits, 1);
  assert.equal(r.body.totals.clicks, 12);
  assert.equal(r.body.totals.ctr, 6);
  assert.match(r.body.range.from, /^\d{4}-\d\d-\d\dT\d\d:00:00\+00:00$/);

  const byOutcome = await report(a.key, `${range}&group_by=outcome&format=json`);
  assert.deepEqual(byOutcome.body.data.map((row) => [row.outcome, row.clicks + row.impressions]),
    [['fallback_paused', 1], ['fallback_too_long', 1], ['recorded', 2], ['redirected', 10]]);
  const byUrl = await report(a.key, `${range}&group_by=offer_url_id&kind=click`);
  assert.deepEqual(byUrl.body.data.map((row) => [row.offer_url_id, row.offer_url_name, row.clicks]),
    [[null, null, 11], [url.body.id, 'Second page', 1]]);

  const filters = [
    [`offer_id=${o2.id}`, 4], [`offer_id=${o1.id},${o2.id}`, 12], [`offer_url_id=${url.body.id}`, 1], ['source_id=news', 6],
    ['source_id=', 6], ['sub1=s1', 3], ['sub2=b', 8], ['sub2=', 4], ['sub3=c', 12], ['sub4=zz', 0], ['sub5=e1', 6],
    ['outcome=fallback_paused,fallback_too_long', 2], ['outcome=redirected', 10], ['kind=impression', 0],
    [`partner_id=${a.partner.id}`, 12],
  ];
  for (const [f, clicks] of filters) {
    const fr = await report(a.key, `${range}&${f}&group_by=date`);
    assert.equal(fr.status, 200, `${f}: ${fr.text}`);
    assert.equal(fr.body.totals.clicks, clicks, f);
    assert.equal(fr.body.data.reduce((s, row) => s + row.clicks, 0), clicks, f);
  }

  const sorted = await report(a.key, `${range}&group_by=sub1,source_id&kind=click&sort=-clicks,sub1`);
  const keys = sorted.body.data.map((row) => [row.clicks, row.sub1, row.source_id]);
  assert.deepEqual(keys, [[3, 's0', null], [3, 's1', 'news'], [3, 's2', null], [3, 's3', 'news']]);
  const bySub = await report(a.key, `${range}&group_by=sub1&sort=-sub1`);
  assert.deepEqual(bySub.body.data.map((row) => row.sub1), ['s3', 's2', 's1', 's0', null]);

  /* paging: every group once, in order, totals the same on every page */
  const whole = await report(a.key, `${range}&group_by=hour,sub1&limit=1000`);
  const { rows, pages } = await allRows(a.key, `${range}&group_by=hour,sub1&limit=5`);
  assert.equal(pages, Math.ceil(whole.body.data.length / 5));
  assert.deepEqual(rows, whole.body.data);
  const p1 = await report(a.key, `${range}&group_by=hour,sub1&limit=5`);
  assert.deepEqual(p1.body.totals, whole.body.totals);
  /* a cursor is bound to its filters */
  const other = await report(a.key, `${range}&group_by=hour,sub1&limit=5&kind=click&cursor=${p1.body.next_cursor}`);
  assert.equal(other.status, 400);
  assert.equal(other.body.errors[0].field, 'cursor');

  const weekMonth = await report(a.key, `${range}&group_by=month,week`);
  assert.match(weekMonth.body.data[0].month, /^\d{4}-\d\d$/);
  assert.equal(new Date(`${weekMonth.body.data[0].week}T00:00:00Z`).getUTCDay(), 1, 'weeks start on Monday');
});

test('pages by sub1 values of 255 characters (multi-byte too) carry their keys in the cursor', { timeout: 60000 }, async () => {
  const { a, o1 } = await setup();
  const base = hoursAgo(3);
  const long = (c, i) => `${c.repeat(250)}${String(i).padStart(5, '0')}`;
  const values = [];
  for (let i = 0; i < 7; i++) values.push(long('x', i), long('é', i), long('€', i));
  await ship(values.map((v, i) => hit({ partner: a.partner.id, offer: o1.id, t: base, ip: `10.3.0.${i}`, subs: [v] })));
  const { rows, pages } = await allRows(a.key, `group_by=sub1&limit=2&from=${base.toISOString()}`);
  assert.equal(pages, 11);
  assert.deepEqual(rows.map((row) => row.sub1), [...values].sort((p, q) => Buffer.compare(Buffer.from(p), Buffer.from(q))));
  assert.ok(rows.every((row) => row.clicks === 1));
  /* the same from the end, by the value descending */
  const back = await allRows(a.key, `group_by=sub1&limit=4&sort=-sub1&from=${base.toISOString()}`);
  assert.deepEqual(back.rows.map((row) => row.sub1), rows.map((row) => row.sub1).reverse());
});

test('isolation: a partner sees only its own rows and totals; admins see all and group by partner', { timeout: 60000 }, async () => {
  const { a, b, o1 } = await setup();
  const base = hoursAgo(2);
  await ship([
    hit({ partner: a.partner.id, offer: o1.id, t: base, subs: ['mine'] }),
    hit({ partner: b.partner.id, offer: o1.id, t: base, subs: ['theirs'], ip: '10.4.0.1' }),
    hit({ partner: b.partner.id, offer: o1.id, t: base, subs: ['theirs'], ip: '10.4.0.2' }),
  ]);
  const range = `from=${base.toISOString()}`;
  const ra = await report(a.key, `${range}&group_by=sub1`);
  assert.deepEqual(ra.body.data.map((row) => row.sub1), ['mine']);
  assert.equal(ra.body.totals.clicks, 1);
  const rb = await report(b.key, `${range}&group_by=sub1&sub1=mine`);
  assert.deepEqual(rb.body.data, []);
  assert.equal(rb.body.totals.clicks, 0);
  assert.equal(rb.body.totals.ctr, null);
  assert.equal((await report(b.key, `${range}&partner_id=${a.partner.id}`)).status, 404);
  assert.equal((await report(b.key, `${range}&partner_id=${b.partner.id},${a.partner.id}`)).status, 404);
  assert.equal((await report(b.key, `${range}&partner_id=${b.partner.id}`)).body.totals.clicks, 2);
  const denied = await report(b.key, `${range}&group_by=partner_id`);
  assert.equal(denied.status, 400);
  assert.equal(denied.body.errors[0].field, 'group_by');
  const admin = await report(ADMIN, `${range}&group_by=partner_id&partner_id=${a.partner.id},${b.partner.id}&offer_id=${o1.id}`);
  assert.equal(admin.status, 200, admin.text);
  assert.deepEqual(admin.body.data.map((row) => [row.partner_id, row.partner_name, row.clicks]),
    [[a.partner.id, a.partner.name, 1], [b.partner.id, b.partner.name, 2]]);
  assert.equal(admin.body.totals.clicks, 3);
  assert.equal((await report(undefined, range)).status, 401);
});

test('time zones: DST changes in America/New_York, Asia/Kolkata (+05:30) and Asia/Kathmandu (+05:45)', { timeout: 60000 }, async () => {
  const { a, o1 } = await setup();
  const P = { partner: a.partner.id, offer: o1.id };
  let n = 0;
  const h = (iso) => hit({ ...P, t: at(iso), ip: `10.5.0.${n++}` });
  /* one segment per season: the shipper makes the partitions of the days a segment spans */
  await ship([
    /* autumn: 01:30 EDT and 01:30 EST are an hour apart, both "01:30" */
    h('2026-11-01T05:30:00Z'), h('2026-11-01T06:30:00Z'), h('2026-11-01T06:40:00Z'),
    h('2026-11-01T04:00:00Z'), h('2026-11-02T04:59:00Z'), h('2026-11-02T05:00:00Z')]);
  /* spring: 2026-03-08 has 23 hours in New York */
  await ship([h('2026-03-08T05:00:00Z'), h('2026-03-09T03:59:00Z'), h('2026-03-09T04:00:00Z')]);
  /* India: the day ends at 18:30 UTC; Nepal at 18:15 UTC */
  await ship([h('2026-10-10T18:14:00Z'), h('2026-10-10T18:15:00Z'), h('2026-10-10T18:29:00Z'), h('2026-10-10T18:30:00Z')]);
  const ny = 'timezone=America/New_York';
  const autumn = await report(a.key, `${ny}&from=2026-11-01&to=2026-11-01&group_by=hour`);
  assert.equal(autumn.status, 200, autumn.text);
  assert.deepEqual(autumn.body.range, { from: '2026-11-01T00:00:00-04:00', to: '2026-11-02T00:00:00-05:00', timezone: 'America/New_York' });
  assert.deepEqual(autumn.body.data.map((row) => [row.hour, row.clicks]), [
    ['2026-11-01T00:00:00-04:00', 1], ['2026-11-01T01:00:00-04:00', 1], ['2026-11-01T01:00:00-05:00', 2],
    ['2026-11-01T23:00:00-05:00', 1]]);
  const days = await report(a.key, `${ny}&from=2026-10-31&to=2026-11-02&group_by=date`);
  assert.deepEqual(days.body.data.map((row) => [row.date, row.clicks]), [['2026-11-01', 5], ['2026-11-02', 1]]);
  const spring = await report(a.key, `${ny}&from=2026-03-08&to=2026-03-09&group_by=date`);
  assert.deepEqual(spring.body.range.to, '2026-03-10T00:00:00-04:00');
  assert.deepEqual(spring.body.data.map((row) => [row.date, row.clicks]), [['2026-03-08', 2], ['2026-03-09', 1]]);

  const india = await report(a.key, 'timezone=Asia/Kolkata&from=2026-10-10&to=2026-10-11&group_by=date,hour');
  assert.deepEqual(india.body.data.map((row) => [row.date, row.hour, row.clicks]), [
    ['2026-10-10', '2026-10-10T23:00:00+05:30', 3], ['2026-10-11', '2026-10-11T00:00:00+05:30', 1]]);
  const nepal = await report(a.key, 'timezone=Asia/Kathmandu&from=2026-10-10&to=2026-10-11&group_by=date');
  assert.deepEqual(nepal.body.data.map((row) => [row.date, row.clicks]), [['2026-10-10', 1], ['2026-10-11', 3]]);
  const utc = await report(a.key, 'from=2026-10-10&to=2026-10-10&group_by=date');
  assert.deepEqual(utc.body.data.map((row) => [row.date, row.clicks]), [['2026-10-10', 4]]);
  /* a quarter hour is the finest step: 18:15 UTC is one, 18:20 is not */
  const q = await report(a.key, 'from=2026-10-10T18:15:00Z&to=2026-10-11T00:00:00%2B05:30');
  assert.equal(q.status, 200, q.text);
  assert.equal(q.body.totals.clicks, 2);
});

test('bad parameters: 400 naming the parameter; ranges that cannot be reported: 422 naming it', { timeout: 30000 }, async () => {
  const { a } = await setup();
  const cases = [
    ['group_by=country', 400, 'group_by'], ['group_by=date,date', 400, 'group_by'], ['sort=sub1', 400, 'sort'],
    ['sort=revenue', 400, 'sort'], ['offer_id=x', 400, 'offer_id'], ['kind=clicks', 400, 'kind'],
    ['outcome=lost', 400, 'outcome'], ['timezone=Mars/Olympus', 400, 'timezone'], ['timezone=UTC%2B3', 400, 'timezone'],
    ['timezone=../../etc/passwd', 400, 'timezone'], ['from=2026-02-30', 400, 'from'], ['to=soon', 400, 'to'],
    ['format=xml', 400, 'format'], ['limit=1001', 400, 'limit'], ['cursor=abc', 400, 'cursor'], ['country=fr', 400, 'country'],
    ['from=2026-01-01T10:07:00Z&to=2026-01-02', 422, 'from'], ['from=2026-01-01&to=2026-01-01T10:20:00Z', 422, 'to'],
    ['from=2026-01-05&to=2026-01-01', 422, 'to'], ['from=2024-01-01&to=2025-02-04', 422, 'to'],
  ];
  for (const [qs, status, field] of cases) {
    const r = await report(a.key, qs);
    assert.equal(r.status, status, `${qs}: ${r.text}`);
    assert.ok(r.body.errors.some((e) => e.field === field && e.in === 'query'), `${qs}: ${r.text}`);
  }
  assert.equal((await report(a.key, 'from=2024-01-01&to=2025-02-03')).status, 200, '400 days exactly');
  assert.equal((await report(ADMIN, 'from=2024-01-01&to=2025-02-04&group_by=partner_id')).status, 422);
});

test('CSV by format=csv, by Accept and by a signed URL: RFC 4180, formula-safe, parsed back by Python', { timeout: 60000 }, async () => {
  const { a, o1 } = await setup();
  const base = hoursAgo(4);
  const nasty = ['=HYPERLINK("http://evil")', 'a,b', 'quote "x"', 'line\nbreak', '+1', '@sum', '-2', 'plain', 'é'];
  await ship(nasty.map((v, i) => hit({ partner: a.partner.id, offer: o1.id, t: base, ip: `10.6.0.${i}`, subs: [v] })));
  const range = `from=${base.toISOString()}`;
  const json = await report(a.key, `${range}&group_by=offer_id,sub1&limit=1000`);
  const r = await report(a.key, `${range}&group_by=offer_id,sub1&format=csv`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  assert.equal(r.headers.get('content-disposition'), 'attachment; filename="trackgen-report.csv"');
  const rows = pyCsv(r.text);
  assert.deepEqual(rows[0], ['offer_id', 'offer_name', 'sub1', 'clicks', 'unique_clicks', 'impressions', 'bot_hits',
    'fallback_clicks', 'fallback_paused', 'fallback_archived', 'fallback_no_access', 'fallback_partner_inactive',
    'fallback_url_inactive', 'fallback_too_long', 'ctr']);
  assert.equal(rows.length, 1 + json.body.data.length);
  const unformula = (v) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
  assert.deepEqual(rows.slice(1).map((row) => [Number(row[0]), row[1], row[2], Number(row[3]), row[14]]),
    json.body.data.map((row) => [row.offer_id, row.offer_name, unformula(row.sub1), row.clicks, '']));
  assert.ok(r.text.includes('\r\n'));
  const byAccept = await report(a.key, `${range}&group_by=offer_id,sub1`, { headers: { Accept: 'text/csv' } });
  assert.equal(byAccept.text, r.text);

  const signed = await api('GET', `/v1/reports/hits/export-url?${range}&group_by=offer_id,sub1`, { key: a.key });
  assert.equal(signed.status, 200, signed.text);
  const u = new URL(signed.body.url);
  const viaUrl = await api('GET', u.pathname + u.search, {});
  assert.equal(viaUrl.status, 200, viaUrl.text);
  assert.equal(viaUrl.text, r.text);
  assert.match(viaUrl.headers.get('cache-control'), /^private, max-age=\d+$/);
  const params = { from: base.toISOString(), group_by: 'offer_id,sub1' };
  const expired = await api('GET', signedPath(a.partner.id, Math.floor(Date.now() / 1000) - 10, '/v1/reports/hits/export', params), {});
  assert.equal(expired.status, 410);
  const forged = await api('GET', `${u.pathname}${u.search.replace('group_by=offer_id', 'group_by=sub1')}`, {});
  assert.equal(forged.status, 404);
  assert.equal((await api('GET', `/v1/reports/hits/export-url?group_by=nope`, { key: a.key })).status, 400);
  const exp = await api('GET', `/v1/reports/hits/export?${range}&group_by=sub1`, { key: a.key });
  assert.equal(pyCsv(exp.text).length, 1 + nasty.length);
});

test('partitions: made ahead by trackgen itself; past TRACKGEN_HITS_RETENTION_DAYS dropped, their numbers still reported', { timeout: 90000 }, async () => {
  const { a, o1 } = await setup();
  const day = (offset) => psql(`SELECT to_char(current_date + ${offset}, 'YYYYMMDD')`);
  const ahead = `hits_${day(6)}`;
  const old = day(-500);
  const oldIso = `${old.slice(0, 4)}-${old.slice(4, 6)}-${old.slice(6)}`;
  /* A day past retention as the shipper would have left it: a partition with hits and their rollups. */
  psql(`SELECT hits_ensure_partitions(current_date - 500, current_date - 500)`);
  psql(`CREATE TEMP TABLE hits_delta (LIKE hit_rollup_delta_shape);
    WITH ins AS (INSERT INTO hits (transaction_id, kind, hit_at, partner_id, offer_id, outcome, is_unique)
      SELECT md5(random()::text), 'click', timestamptz '${oldIso} 12:00+00' + g * interval '1 minute', ${a.partner.id}, ${o1.id}, 'redirected', true
        FROM generate_series(1, 3) g RETURNING *)
    INSERT INTO hits_delta SELECT partner_id, hit_at, offer_id, offer_url_id, kind, outcome, source_id, sub1, sub2, sub3, sub4, sub5, 1, 1, 0 FROM ins;
    SELECT hit_rollup_apply();`);
  assert.equal(psql(`SELECT to_regclass('hits_${old}') IS NOT NULL`), 't');
  const empty = psql(`SELECT count(*) FROM ${ahead}`);
  assert.equal(empty, '0');
  psql(`DROP TABLE ${ahead}`);
  ctl('workers-reload'); /* new workers: their shippers keep the partitions as they start */
  for (let i = 0; i < 100 && psql(`SELECT to_regclass('${ahead}') IS NULL OR to_regclass('hits_${old}') IS NOT NULL`) === 't'; i++) await sleep(100);
  assert.equal(psql(`SELECT to_regclass('${ahead}') IS NOT NULL`), 't', 'the partition 6 days ahead is made again');
  assert.equal(psql(`SELECT to_regclass('hits_${old}') IS NULL`), 't', 'the partition 500 days old is dropped');
  const r = await report(a.key, `from=${oldIso}&to=${oldIso}&group_by=date`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.data.map((row) => [row.date, row.clicks, row.unique_clicks]), [[oldIso, 3, 3]]);
  /* and at the sub width, which reads the raw hits only where retention kept them all */
  const subs = await report(a.key, `from=${oldIso}&to=${oldIso}&group_by=sub1,kind`);
  assert.deepEqual(subs.body.data.map((row) => [row.sub1, row.kind, row.clicks, row.unique_clicks]), [[null, 'click', 3, 3]]);
  assert.equal(subs.body.totals.clicks, 3);
  assert.equal(psql(`SELECT count(*) FROM hits WHERE partner_id = ${a.partner.id}`), '0');
});

test('retention: a dropped day\'s sub-width report equals count(*) taken before the drop, late hits into it counted exactly', { timeout: 90000 }, async () => {
  const { a, o1, o2 } = await setup();
  /* a day just inside the stack's retention (400), so only this test's own call drops it, not a worker
   * that another test restarts; hits_drop_partitions(398) is what TRACKGEN_HITS_RETENTION_DAYS=398 does */
  const d = psql(`SELECT (current_date - 399)::text`);
  const part = `hits_${d.replace(/-/g, '')}`;
  const t = (h, min = 0) => new Date(`${d}T${String(h).padStart(2, '0')}:${String(min).padStart(2, '0')}:00Z`);
  const P = { partner: a.partner.id };
  const lines = [];
  for (let i = 0; i < 40; i++) {
    lines.push(hit({ ...P, offer: i % 3 ? o1.id : o2.id, t: t(i % 24, (i * 7) % 60), ip: `10.9.0.${i % 5}`, ua: `p${i % 5}`,
      source: i % 4 ? `src${i % 2}` : null, subs: [i % 6 ? `s${i % 3}` : null, 'two'], kind: i % 9 ? 'click' : 'impression', bot: i % 11 === 0 }));
  }
  await ship(lines); /* through the real shipper: it makes the old day's partition itself */
  const q = `from=${d}&to=${d}&group_by=sub1,source_id`;
  const rawGroups = () => JSON.parse(psql(`SELECT coalesce(json_agg(x ORDER BY x.k), '[]') FROM (SELECT coalesce(sub1, '-') || '/' || coalesce(source_id, '-') k,
      count(*) FILTER (WHERE kind = 'click') clicks, count(*) FILTER (WHERE kind = 'click' AND is_unique) unique_clicks,
      count(*) FILTER (WHERE kind = 'impression') impressions, count(*) FILTER (WHERE is_bot) bot_hits
      FROM hits WHERE partner_id = ${a.partner.id} GROUP BY 1) x`));
  const reported = async () => {
    const r = await report(a.key, q);
    assert.equal(r.status, 200, r.text);
    const rows = r.body.data.map((row) => ({ k: `${row.sub1 ?? '-'}/${row.source_id ?? '-'}`, clicks: row.clicks,
      unique_clicks: row.unique_clicks, impressions: row.impressions, bot_hits: row.bot_hits }));
    rows.sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : 0));
    return { rows, totals: r.body.totals };
  };
  const before = rawGroups();
  assert.equal(before.reduce((s, g) => s + g.clicks + g.impressions, 0), 40);
  assert.deepEqual((await reported()).rows, before, 'read from the raw hits');
  assert.equal(psql(`SELECT count(*) FROM hit_rollup_sub WHERE partner_id = ${a.partner.id}`), '0', 'the shipper no longer writes the sub rollup');

  assert.ok(Number(psql('SELECT hits_drop_partitions(398)')) >= 1);
  assert.equal(psql(`SELECT to_regclass('${part}') IS NULL`), 't', 'the day is dropped');
  assert.equal(psql(`SELECT count(*) FROM hits WHERE partner_id = ${a.partner.id}`), '0');
  const after = await reported();
  assert.deepEqual(after.rows, before, 'the dropped day, from hit_rollup_sub');
  assert.equal(after.totals.clicks + after.totals.impressions, 40);

  /* a late hit for the dropped day: the shipper makes its partition again; counted once, before and after the next drop */
  await ship([hit({ ...P, offer: o1.id, t: t(23, 59), ip: '10.9.1.1', ua: 'late', source: 'src1', subs: ['s1'] }),
    hit({ ...P, offer: o1.id, t: t(5), ip: '10.9.1.2', ua: 'late2', source: 'new', subs: ['late'] })]);
  assert.equal(psql(`SELECT to_regclass('${part}') IS NOT NULL`), 't', 'the late hits\' day is made again');
  const bump = (groups) => {
    const m = new Map(groups.map((g) => [g.k, { ...g }]));
    m.get('s1/src1').clicks += 1;
    m.get('s1/src1').unique_clicks += 1;
    m.set('late/new', { k: 'late/new', clicks: 1, unique_clicks: 1, impressions: 0, bot_hits: 0 });
    return [...m.values()].sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : 0));
  };
  assert.equal(psql(`SELECT count(*) FROM hits WHERE partner_id = ${a.partner.id}`), '2');
  assert.deepEqual((await reported()).rows, bump(before), 'the dropped sums and the re-made partition');
  assert.ok(Number(psql('SELECT hits_drop_partitions(398)')) >= 1);
  assert.equal(psql(`SELECT to_regclass('${part}') IS NULL`), 't');
  const last = await reported();
  assert.deepEqual(last.rows, bump(before), 'dropped twice, still counted once');
  assert.equal(last.totals.clicks + last.totals.impressions, 42);
  /* the wide widths read their own rollups: the same day total */
  const day = await report(a.key, `from=${d}&to=${d}&group_by=date`);
  assert.deepEqual(day.body.data.map((row) => row.clicks + row.impressions), [42]);
});
