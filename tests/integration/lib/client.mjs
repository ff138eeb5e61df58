// client.mjs — a small HTTP client for the tests. Every response is checked against the OpenAPI
// contract (lib/openapi.mjs) before a test sees it, so every test also tests the spec.
import { checkResponse } from './openapi.mjs';

export const BASE = process.env.TG_BASE_URL;
export const ADMIN = process.env.TG_ADMIN_KEY;
const run = `${process.pid}-${Date.now().toString(36)}`;
let counter = 0;

/** A name that is unique for this run. */
export function uniq(prefix) {
  counter += 1;
  return `${prefix}-${run}-${counter}`;
}

/**
 * api(method, path, { key, body, rawBody, contentType, headers, redirect })
 * returns { status, headers, body, text }; body is parsed JSON for JSON media types.
 */
export async function api(method, path, opts = {}) {
  const headers = { ...(opts.headers || {}) };
  if (opts.key) headers.Authorization = `Bearer ${opts.key}`;
  let payload;
  if (opts.rawBody !== undefined) {
    payload = opts.rawBody;
    if (opts.contentType !== null) headers['Content-Type'] = opts.contentType || 'application/json';
  } else if (opts.body !== undefined) {
    payload = JSON.stringify(opts.body);
    headers['Content-Type'] = opts.contentType || 'application/json';
  }
  const res = await fetch(BASE + path, { method, headers, body: payload, redirect: 'manual' });
  const ctype = (res.headers.get('content-type') || '').split(';')[0].trim();
  let text = '';
  let body;
  if (ctype.startsWith('image/')) {
    body = Buffer.from(await res.arrayBuffer());
  } else {
    text = await res.text();
    body = text;
    if (ctype === 'application/json' || ctype === 'application/problem+json') body = JSON.parse(text);
  }
  if (!opts.skipContract) checkResponse(method, path, res.status, res.headers, text === '' && !Buffer.isBuffer(body) ? '' : body);
  return { status: res.status, headers: res.headers, body, text };
}

export async function createPartner(overrides = {}) {
  const r = await api('POST', '/v1/partners', { key: ADMIN, body: { name: uniq('partner'), ...overrides } });
  if (r.status !== 201) throw new Error(`createPartner: ${r.status} ${r.text}`);
  return r.body;
}

export async function createPartnerKey(partnerId) {
  const r = await api('POST', '/v1/api-keys', { key: ADMIN, body: { role: 'partner', partner_id: partnerId, name: 'test' } });
  if (r.status !== 201) throw new Error(`createPartnerKey: ${r.status} ${r.text}`);
  return r.body.key;
}

export async function createOffer(overrides = {}) {
  const body = {
    name: uniq('offer'),
    destination_url: 'https://shop.example/landing?tid={transaction_id}&p={partner_id}&s1={sub1}',
    ...overrides,
  };
  const r = await api('POST', '/v1/offers', { key: ADMIN, body });
  if (r.status !== 201) throw new Error(`createOffer: ${r.status} ${r.text}`);
  return r.body;
}

export async function grant(offerId, partnerId) {
  const r = await api('PUT', `/v1/offers/${offerId}/partners/${partnerId}`, { key: ADMIN });
  if (r.status !== 201 && r.status !== 200) throw new Error(`grant: ${r.status} ${r.text}`);
  return r.body;
}

/** A partner with its key. */
export async function partnerWithKey() {
  const partner = await createPartner();
  return { partner, key: await createPartnerKey(partner.id) };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Tracking links for one offer (first link of the answer unless all is true). */
export async function linksFor(key, body) {
  const r = await api('POST', '/v1/tracking-links', { key, body });
  if (r.status !== 200) throw new Error(`tracking-links: ${r.status} ${r.text}`);
  return r.body.data;
}

/** Every hit of a partner with sub1 = tag, once at least n have been shipped (or the timeout). */
export async function hitsTagged(key, tag, n, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = [];
    let cursor = null;
    do {
      const r = await api('GET', `/v1/hits?limit=200${cursor ? `&cursor=${cursor}` : ''}`, { key });
      if (r.status !== 200) throw new Error(`hits: ${r.status} ${r.text}`);
      all.push(...r.body.data.filter((h) => h.sub1 === tag));
      cursor = r.body.next_cursor;
    } while (cursor);
    if (all.length >= n || Date.now() > deadline) return all;
    await sleep(250);
  }
}

/** A GET that does not follow redirects and is not checked against the contract. */
export async function rawGet(path, headers = {}, method = 'GET') {
  const res = await fetch(BASE + path, { method, headers, redirect: 'manual' });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body };
}
