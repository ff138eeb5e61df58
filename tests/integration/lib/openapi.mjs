// openapi.mjs — checks a response against openapi/openapi.yaml (the contract): the path and method
// must be documented, the status documented for that operation, the media type documented for that
// status, the body valid against its schema (Ajv, JSON Schema 2020-12) and the documented required
// headers present. Every response the tests receive goes through checkResponse().
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const spec = YAML.parse(readFileSync(process.env.TG_OPENAPI, 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(spec, 'openapi.json');

const pointer = (...parts) => parts.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
const compiled = new Map();
function validatorFor(ref) {
  if (!compiled.has(ref)) compiled.set(ref, ajv.compile({ $ref: ref }));
  return compiled.get(ref);
}

function resolve(obj) {
  let o = obj;
  while (o && o.$ref) {
    const path = o.$ref.replace(/^#\//, '').split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    o = path.reduce((acc, k) => acc[k], spec);
  }
  return o;
}

// Literal segments win over templated ones, so /v1/me never matches /v1/{x}.
function findPath(path) {
  const segs = path.split('/');
  let best = null;
  let bestScore = -1;
  for (const template of Object.keys(spec.paths)) {
    const t = template.split('/');
    if (t.length !== segs.length) continue;
    let score = 0;
    let ok = true;
    for (let i = 0; i < t.length && ok; i++) {
      const m = /^\{[^}]+\}(.*)$/.exec(t[i]);
      if (m) {
        ok = segs[i].length > m[1].length && segs[i].endsWith(m[1]);
      } else {
        ok = t[i] === segs[i];
        score += ok ? 1 : 0;
      }
    }
    if (ok && score > bestScore) {
      best = template;
      bestScore = score;
    }
  }
  return best;
}

export function checkResponse(method, rawPath, status, headers, body) {
  const path = rawPath.split('?')[0];
  const template = findPath(path);
  if (!template) throw new Error(`OpenAPI: no path matches ${path}`);
  const m = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
  const op = spec.paths[template][m];
  if (!op) throw new Error(`OpenAPI: ${method} ${template} is not documented`);
  const responses = op.responses;
  const key = responses[String(status)] ? String(status) : responses.default ? 'default' : null;
  if (!key) throw new Error(`OpenAPI: status ${status} is not documented for ${method} ${template}`);
  const resp = resolve(responses[key]);
  for (const [name, h] of Object.entries(resp.headers || {})) {
    if (resolve(h).required && !headers.get(name)) {
      throw new Error(`OpenAPI: ${method} ${template} ${status} lacks required header ${name}`);
    }
  }
  if (status === 204 || status === 304 || method.toUpperCase() === 'HEAD') {
    if (body !== undefined && body !== null && body !== '') throw new Error(`${status} must have no body`);
    return;
  }
  const ctype = (headers.get('content-type') || '').split(';')[0].trim();
  if (!resp.content) {
    if (body) throw new Error(`OpenAPI: ${method} ${template} ${status} documents no body, got ${ctype}`);
    return;
  }
  if (!resp.content[ctype]) {
    throw new Error(`OpenAPI: ${method} ${template} ${status}: media type ${ctype || '(none)'} is not documented`);
  }
  const schema = resp.content[ctype].schema;
  if (!schema || typeof body !== 'object' || body === null || Buffer.isBuffer(body)) return;
  const ref = responses[key].$ref
    ? `openapi.json#/${responses[key].$ref.replace(/^#\//, '')}/content/${pointer(ctype)}/schema`
    : `openapi.json#/${pointer('paths', template, m, 'responses', key, 'content', ctype, 'schema')}`;
  const validate = validatorFor(ref);
  if (!validate(body)) {
    throw new Error(`OpenAPI: ${method} ${path} ${status} body does not match the schema: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 800)}`);
  }
}

export { spec };
