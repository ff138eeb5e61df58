// signed.mjs — an independent implementation of the signed-URL MAC (src/util/signed_url.h), so tests
// can make URLs the server never issued: already expired ones (410), or for another partner.
import { createHmac } from 'node:crypto';

const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
const u64 = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(n)); return b; };

/** The query suffix "p=…&exp=…&sig=…" for path and params ({name: value}) as the server signs them. */
export function signSuffix(partner, expires, path, params, secret = process.env.TRACKGEN_SECRET) {
  const names = Object.keys(params).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const parts = [Buffer.from('trackgen-signed-url\0'), Buffer.from([1]), u64(partner), u64(expires),
    u32(Buffer.byteLength(path)), Buffer.from(path), u32(names.length)];
  for (const n of names) {
    const v = Buffer.from(String(params[n]));
    parts.push(u32(Buffer.byteLength(n)), Buffer.from(n), u32(v.length), v);
  }
  const mac = createHmac('sha256', secret).update(Buffer.concat(parts)).digest().subarray(0, 16);
  return `p=${partner}&exp=${expires}&sig=${mac.toString('base64url')}`;
}

/** A whole signed path+query for path with params. */
export function signedPath(partner, expires, path, params = {}, secret = undefined) {
  const q = Object.entries(params).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  q.push(signSuffix(partner, expires, path, params, secret));
  return `${path}?${q.join('&')}`;
}
