// Creatives: metadata CRUD, the rules per type, partner visibility (offer access, status, private
// grants: 404 otherwise), details with the partner's link inserted exactly as link generation builds
// it, and signed URLs of the file and thumbnail. Files, downloads and ZIPs: creative_files.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, ADMIN, uniq, createOffer, partnerWithKey, linksFor, grant } from './lib/client.mjs';

export async function createCreative(body) {
  const r = await api('POST', '/v1/creatives', { key: ADMIN, body });
  if (r.status !== 201) throw new Error(`createCreative: ${r.status} ${r.text}`);
  return r.body;
}

const HTML = '<a href="{tracking_link}"><img src="https://cdn.example/b.png" alt="x"></a>{impression_pixel}';
const escapeHtml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

test('an admin creates, reads, patches and archives a creative; the rules of each type name their field', async () => {
  const o = await createOffer();
  const c = await createCreative({ offer_id: o.id, name: uniq('html'), type: 'html', html_code: HTML, description: 'Banner' });
  assert.equal(c.type, 'html');
  assert.equal(c.status, 'active');
  assert.equal(c.visibility, 'public');
  assert.equal(c.html_code, HTML, 'admins see the placeholders');
  assert.equal(c.tracking_link, null);
  assert.equal(c.file, null);
  assert.match(c.download_url, /\/v1\/creatives\/\d+\/file\?p=0&exp=\d+&sig=/);
  assert.equal(c.thumbnail_url, null);

  const got = await api('GET', `/v1/creatives/${c.id}`, { key: ADMIN });
  assert.equal(got.status, 200);
  assert.equal(got.body.name, c.name);
  const patched = await api('PATCH', `/v1/creatives/${c.id}`, { key: ADMIN, body: { status: 'paused', description: null }, contentType: 'application/merge-patch+json' });
  assert.equal(patched.status, 200, 'null removes a member (RFC 7396): back to its default');
  assert.equal(patched.body.description, '');
  assert.equal(patched.body.status, 'paused');
  const p2 = await api('PATCH', `/v1/creatives/${c.id}`, { key: ADMIN, body: { html_code: null }, contentType: 'application/merge-patch+json' });
  assert.equal(p2.status, 400, 'an html creative without a file needs its code');
  assert.equal(p2.body.errors[0].field, 'html_code');
  assert.equal((await api('DELETE', `/v1/creatives/${c.id}`, { key: ADMIN })).status, 204);
  assert.equal((await api('GET', `/v1/creatives/${c.id}`, { key: ADMIN })).body.status, 'archived');
  assert.equal((await api('DELETE', '/v1/creatives/999999999', { key: ADMIN })).status, 404);

  const bad = async (body, field) => {
    const r = await api('POST', '/v1/creatives', { key: ADMIN, body });
    assert.equal(r.status, 400, JSON.stringify(body) + r.text);
    assert.ok(r.body.errors.some((e) => e.field === field), `${field}: ${r.text}`);
  };
  await bad({ offer_id: o.id, name: 'x', type: 'html' }, 'html_code');
  await bad({ offer_id: o.id, name: 'x', type: 'text' }, 'text_body');
  await bad({ offer_id: o.id, name: 'x', type: 'email' }, 'html_code');
  await bad({ offer_id: o.id, name: 'x', type: 'image', html_code: '<b>' }, 'html_code');
  await bad({ offer_id: o.id, name: 'x', type: 'html', html_code: 'x', text_body: 'y' }, 'text_body');
  await bad({ offer_id: o.id, name: 'x', type: 'text', text_body: 'y', email_subjects: ['Hi'] }, 'email_subjects');
  await bad({ offer_id: 999999999, name: 'x', type: 'text', text_body: 'y' }, 'offer_id');
  const other = await createOffer();
  const url = await api('POST', `/v1/offers/${other.id}/urls`, { key: ADMIN, body: { name: 'p', destination_url: 'https://shop.example/p' } });
  await bad({ offer_id: o.id, offer_url_id: url.body.id, name: 'x', type: 'text', text_body: 'y' }, 'offer_url_id');
  await bad({ offer_id: o.id, name: 'x', type: 'email', html_code: 'x', email_subjects: ['ok', ''] }, 'email_subjects[1]');
  await bad({ offer_id: o.id, name: 'x', type: 'movie' }, 'type');
  const email = await createCreative({ offer_id: o.id, name: uniq('email'), type: 'email', html_code: '<p>{tracking_link}</p>',
    text_body: 'Go: {tracking_link}', email_subjects: ['Summer is here', 'Last chance'], email_from_lines: ['Shop Team'] });
  assert.deepEqual(email.email_subjects, ['Summer is here', 'Last chance']);
  const img = await createCreative({ offer_id: o.id, name: uniq('img'), type: 'image' });
  assert.equal(img.download_url, null, 'an image without its file has nothing to download yet');
});

test('partners see only active creatives of offers they may run, private ones only when granted: 404 otherwise', async () => {
  const a = await partnerWithKey();
  const b = await partnerWithKey();
  const open = await createOffer();
  const closed = await createOffer({ visibility: 'private' });
  const pub = await createCreative({ offer_id: open.id, name: uniq('pub'), type: 'text', text_body: 'T {tracking_link}' });
  const priv = await createCreative({ offer_id: open.id, name: uniq('priv'), type: 'text', text_body: 'P', visibility: 'private' });
  const paused = await createCreative({ offer_id: open.id, name: uniq('paused'), type: 'text', text_body: 'Z', status: 'paused' });
  const hidden = await createCreative({ offer_id: closed.id, name: uniq('closed'), type: 'text', text_body: 'C' });
  const noFile = await createCreative({ offer_id: open.id, name: uniq('nofile'), type: 'image' });
  const ids = async (key, q = '') => {
    const r = await api('GET', `/v1/creatives?limit=200&offer_id=${q}`, { key });
    assert.equal(r.status, 200);
    return r.body.data.map((c) => c.id);
  };
  assert.deepEqual(await ids(a.key, open.id), [pub.id]);
  assert.deepEqual(await ids(a.key, closed.id), []);
  assert.deepEqual(await ids(ADMIN, open.id), [pub.id, priv.id, paused.id, noFile.id]);
  for (const c of [priv, paused, hidden, noFile]) assert.equal((await api('GET', `/v1/creatives/${c.id}`, { key: a.key })).status, 404);

  assert.equal((await api('PUT', `/v1/creatives/${priv.id}/partners/${a.partner.id}`, { key: ADMIN })).status, 201);
  assert.equal((await api('PUT', `/v1/creatives/${priv.id}/partners/${a.partner.id}`, { key: ADMIN })).status, 200);
  assert.equal((await api('PUT', `/v1/creatives/${priv.id}/partners/999999999`, { key: ADMIN })).status, 404);
  const grants = await api('GET', `/v1/creatives/${priv.id}/partners`, { key: ADMIN });
  assert.deepEqual(grants.body.data.map((g) => g.partner_id), [a.partner.id]);
  assert.deepEqual(await ids(a.key, open.id), [pub.id, priv.id]);
  assert.deepEqual(await ids(b.key, open.id), [pub.id]);
  assert.equal((await api('GET', `/v1/creatives/${priv.id}`, { key: b.key })).status, 404);
  // a private creative of an offer the partner may not run stays hidden even when granted
  const privClosed = await createCreative({ offer_id: closed.id, name: uniq('pc'), type: 'text', text_body: 'x', visibility: 'private' });
  await api('PUT', `/v1/creatives/${privClosed.id}/partners/${a.partner.id}`, { key: ADMIN });
  assert.equal((await api('GET', `/v1/creatives/${privClosed.id}`, { key: a.key })).status, 404);
  await grant(closed.id, a.partner.id);
  assert.equal((await api('GET', `/v1/creatives/${privClosed.id}`, { key: a.key })).status, 200);

  assert.equal((await api('DELETE', `/v1/creatives/${priv.id}/partners/${a.partner.id}`, { key: ADMIN })).status, 204);
  assert.equal((await api('GET', `/v1/creatives/${priv.id}`, { key: a.key })).status, 404);
  // admin-only routes do not exist for partners
  assert.equal((await api('PATCH', `/v1/creatives/${pub.id}`, { key: a.key, body: { name: 'x' } })).status, 404);
  assert.equal((await api('POST', '/v1/creatives', { key: a.key, body: { offer_id: open.id, name: 'x', type: 'text', text_body: 'x' } })).status, 404);
  assert.equal((await api('GET', `/v1/creatives/${pub.id}/partners`, { key: a.key })).status, 404);
});

test('details carry the partner\'s link, built exactly like POST /v1/tracking-links, HTML-escaped in HTML', async () => {
  const a = await partnerWithKey();
  const o = await createOffer();
  const u = await api('POST', `/v1/offers/${o.id}/urls`, { key: ADMIN, body: { name: uniq('u'), destination_url: 'https://shop.example/p?x={sub1}' } });
  const c = await createCreative({ offer_id: o.id, offer_url_id: u.body.id, name: uniq('html'), type: 'html', html_code: HTML });
  const t = await createCreative({ offer_id: o.id, name: uniq('text'), type: 'text', text_body: 'Buy: {tracking_link} {impression_pixel}' });
  const q = 'source_id=news&sub1=a%26b&sub2=%22quoted%22';
  const r = await api('GET', `/v1/creatives/${c.id}?${q}`, { key: a.key });
  assert.equal(r.status, 200);
  const links = await linksFor(a.key, { offers: [o.id], offer_url_id: u.body.id, source_id: 'news', sub1: 'a&b', sub2: '"quoted"' });
  assert.deepEqual(r.body.tracking_link, links[0]);
  const [imp] = await linksFor(a.key, { offers: [o.id], offer_url_id: u.body.id, kind: 'impression', source_id: 'news', sub1: 'a&b', sub2: '"quoted"' });
  assert.equal(r.body.html_code, `<a href="${escapeHtml(links[0].redirect_url)}"><img src="https://cdn.example/b.png" alt="x"></a>`
    + `<img src="${escapeHtml(imp.impression_url)}" width="1" height="1" alt="" style="display:none">`);
  assert.ok(!r.body.html_code.includes('"quoted"'), 'no raw quote can close the attribute');
  // the signed download URL carries the same link parameters
  assert.match(r.body.download_url, /source_id=news&sub1=a%26b&sub2=%22quoted%22&p=\d+&exp=/);
  const tx = await api('GET', `/v1/creatives/${t.id}`, { key: a.key });
  const [plain] = await linksFor(a.key, { offers: [o.id] });
  const [plainImp] = await linksFor(a.key, { offers: [o.id], kind: 'impression' });
  assert.equal(tx.body.text_body, `Buy: ${plain.redirect_url} ${plainImp.impression_url}`);
  // kind=impression gives the impression link object
  const ki = await api('GET', `/v1/creatives/${t.id}?kind=impression`, { key: a.key });
  assert.equal(ki.body.tracking_link.kind, 'impression');
  // the list shows the same
  const list = await api('GET', `/v1/creatives?offer_id=${o.id}&${q}`, { key: a.key });
  assert.equal(list.body.data.find((x) => x.id === c.id).html_code, r.body.html_code);
  // bad link parameters are named
  const bad = await api('GET', `/v1/creatives/${c.id}?kind=x&sub3=${'y'.repeat(256)}`, { key: a.key });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body.errors.map((e) => e.field).sort(), ['kind', 'sub3']);
});
