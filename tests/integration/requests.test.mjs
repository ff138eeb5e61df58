// Request bodies and the contract agree: a body the server accepts is valid against the spec's
// request schema, and a body the spec rejects for a cross-field rule (the role of an API key and
// its partner_id) is refused by the server too. (Responses are checked by every test already.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { api, ADMIN, createPartner, createOffer, partnerWithKey } from './lib/client.mjs';
import { spec } from './lib/openapi.mjs';

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(spec, 'openapi.json');

/** The JSON schema of the request body of method path (resolving a components/requestBodies $ref). */
function bodySchemaRef(method, path) {
  const rb = spec.paths[path][method].requestBody;
  const base = rb.$ref ? `openapi.json${rb.$ref}`
    : `openapi.json#/${['paths', path, method, 'requestBody'].map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
  return `${base}/content/application~1json/schema`;
}

/** The spec's verdict on a JSON request body of method path: true, or the validator's errors. */
function specAccepts(method, path, body) {
  const validate = ajv.compile({ $ref: bodySchemaRef(method, path) });
  return validate(body) || ajv.errorsText(validate.errors);
}

/** The `default` of every property of the request body of method path that has one. */
function specDefaults(method, path) {
  const deref = (o) => (o.$ref ? o.$ref.slice(2).split('/').reduce((acc, k) => acc[k], spec) : o);
  const props = deref(deref(spec.paths[path][method].requestBody).content['application/json'].schema).properties;
  return Object.fromEntries(Object.entries(props).filter(([, v]) => 'default' in v).map(([k, v]) => [k, v.default]));
}

test('API key bodies: the role rule is the same in the spec and in the server', async () => {
  const partner = await createPartner();
  const cases = [
    [{ role: 'admin' }, 201],
    [{ role: 'admin', partner_id: null, name: null }, 201],
    [{ role: 'admin', partner_id: partner.id }, 400],
    [{ role: 'partner', partner_id: partner.id, name: 'sync', rate_limit: 0 }, 201],
    [{ role: 'partner' }, 400],
    [{ role: 'partner', partner_id: null }, 400],
  ];
  for (const [body, status] of cases) {
    const r = await api('POST', '/v1/api-keys', { key: ADMIN, body });
    assert.equal(r.status, status, JSON.stringify(body));
    const verdict = specAccepts('post', '/v1/api-keys', body);
    assert.equal(verdict === true, status === 201, `spec on ${JSON.stringify(body)}: ${verdict}`);
    if (status === 400) assert.equal(r.body.errors[0].field, 'partner_id');
  }
});

test('tracking-link bodies: defaults may be left out, and then the link is a click link', async () => {
  const { key } = await partnerWithKey();
  const o = await createOffer();
  const extra = await api('POST', `/v1/offers/${o.id}/urls`, { key: ADMIN, body: { name: 'page', destination_url: 'https://shop.example/p' } });
  assert.equal(extra.status, 201);
  const body = { offers: [o.id], sub1: 'x' };
  assert.equal(specAccepts('post', '/v1/tracking-links', body), true);
  const r = await api('POST', '/v1/tracking-links', { key, body });
  assert.equal(r.status, 200);
  const defaults = specDefaults('post', '/v1/tracking-links');
  assert.deepEqual(defaults, { include_additional_urls: false, kind: 'click' });
  assert.equal(r.body.data.length, 1); // include_additional_urls false: not the additional URL's link
  assert.equal(r.body.data[0].kind, defaults.kind);
  assert.ok(r.body.data[0].direct_url && !('impression_url' in r.body.data[0]));
  assert.notEqual(specAccepts('post', '/v1/tracking-links', { offers: [o.id], kind: 'conversion' }), true);
});

test('offer and partner bodies: only the required fields, and the server applies the defaults the spec states', async () => {
  const offer = { name: `o-${process.pid}-${Date.now()}`, destination_url: 'https://shop.example/' };
  assert.equal(specAccepts('post', '/v1/offers', offer), true);
  const r = await api('POST', '/v1/offers', { key: ADMIN, body: offer });
  assert.equal(r.status, 201);
  const offerDefaults = specDefaults('post', '/v1/offers');
  assert.ok(Object.keys(offerDefaults).length >= 9);
  for (const [k, v] of Object.entries(offerDefaults)) assert.deepEqual(r.body[k], v, `offer ${k}`);

  const partner = { name: `p-${process.pid}-${Date.now()}` };
  assert.equal(specAccepts('post', '/v1/partners', partner), true);
  const p = await api('POST', '/v1/partners', { key: ADMIN, body: partner });
  assert.equal(p.status, 201);
  for (const [k, v] of Object.entries(specDefaults('post', '/v1/partners'))) assert.deepEqual(p.body[k], v, `partner ${k}`);

  const url = { name: 'page', destination_url: 'https://shop.example/p' };
  assert.equal(specAccepts('post', '/v1/offers/{offer_id}/urls', url), true);
  const u = await api('POST', `/v1/offers/${r.body.id}/urls`, { key: ADMIN, body: url });
  assert.equal(u.status, 201);
  for (const [k, v] of Object.entries(specDefaults('post', '/v1/offers/{offer_id}/urls'))) assert.deepEqual(u.body[k], v, `url ${k}`);
});
