// raw.mjs — HTTP the way fetch() will not send it: raw bytes over a socket (malformed or overlong
// requests, TRACE), and requests from a chosen local address (127.0.0.2 plays a trusted load
// balancer, see TRACKGEN_TRUSTED_PROXIES in run.sh). fromAddress() answers are checked against
// the contract like api()'s.
import net from 'node:net';
import http from 'node:http';
import { checkResponse } from './openapi.mjs';

const url = new URL(process.env.TG_BASE_URL);
const PORT = Number(url.port);

/**
 * Sends bytes as they are and reads until the server closes (or 5 s pass). Returns
 * { status, headers: Map of lower-case names, body } parsed from the raw answer.
 */
export function rawRequest(bytes) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    const s = net.connect(PORT, url.hostname, () => s.end(bytes));
    s.setTimeout(5000, () => s.destroy(new Error('no answer within 5 s')));
    s.on('data', (d) => chunks.push(d));
    s.on('error', reject);
    s.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return reject(new Error(`no complete answer: ${JSON.stringify(text.slice(0, 200))}`));
      const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
      const headers = new Map(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: text.slice(end + 4) });
    });
  });
}

/**
 * A request from local address `from` (any 127.x.y.z on Linux), checked against the contract.
 * opts: { headers, body (JSON-encoded), key }. Returns { status, headers (Headers), body, text }.
 */
export function fromAddress(from, method, path, opts = {}) {
  const headers = { ...(opts.headers || {}) };
  if (opts.key) headers.Authorization = `Bearer ${opts.key}`;
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  if (payload !== undefined) headers['Content-Type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: PORT, method, path, headers, localAddress: from, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) h.set(k, Array.isArray(v) ? v.join(', ') : v);
        const ctype = (h.get('content-type') || '').split(';')[0].trim();
        const body = ctype.endsWith('json') ? JSON.parse(text) : text;
        try {
          checkResponse(method, path, res.statusCode, h, body);
        } catch (e) {
          return reject(e);
        }
        resolve({ status: res.statusCode, headers: h, body, text });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}
