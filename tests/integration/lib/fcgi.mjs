// fcgi.mjs — a minimal FastCGI client: one GET straight to a worker's socket, bypassing nginx, so
// a test can tell that the process behind one particular socket serves.
import net from 'node:net';

const record = (type, body) => {
  const header = Buffer.alloc(8);
  header[0] = 1; /* version */
  header[1] = type;
  header.writeUInt16BE(1, 2); /* request id */
  header.writeUInt16BE(body.length, 4);
  return Buffer.concat([header, body]);
};

const nameValue = (name, value) => {
  const n = Buffer.from(name);
  const v = Buffer.from(value);
  if (n.length > 127 || v.length > 127) throw new Error('fcgi: long parameters are not supported');
  return Buffer.concat([Buffer.from([n.length, v.length]), n, v]);
};

/** GET uri on the FastCGI socket at path, with extra parameters (e.g. HTTP_AUTHORIZATION);
 * resolves { status, text } or rejects (timeout, error). */
export function fcgiGet(path, uri, timeoutMs = 2000, extra = {}) {
  const params = { REQUEST_METHOD: 'GET', REQUEST_URI: uri, QUERY_STRING: '', SERVER_PROTOCOL: 'HTTP/1.1', REMOTE_ADDR: '127.0.0.1', ...extra };
  const begin = Buffer.from([0, 1, 0, 0, 0, 0, 0, 0]); /* role responder, no keep-alive */
  const request = Buffer.concat([
    record(1, begin),
    record(4, Buffer.concat(Object.entries(params).map(([k, v]) => nameValue(k, v)))),
    record(4, Buffer.alloc(0)),
    record(5, Buffer.alloc(0)),
  ]);
  return new Promise((resolve, reject) => {
    const sock = net.createConnection(path);
    let data = Buffer.alloc(0);
    let out = '';
    sock.setTimeout(timeoutMs, () => sock.destroy(new Error(`fcgi: no answer on ${path} within ${timeoutMs} ms`)));
    sock.on('error', reject);
    sock.on('connect', () => sock.write(request));
    sock.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      while (data.length >= 8) {
        const len = data.readUInt16BE(4);
        const total = 8 + len + data[6];
        if (data.length < total) break;
        const type = data[1];
        if (type === 6) out += data.subarray(8, 8 + len).toString();
        data = data.subarray(total);
        if (type === 3) {
          sock.destroy();
          const m = /^Status: (\d{3})/im.exec(out);
          resolve({ status: m ? Number(m[1]) : 200, text: out });
          return;
        }
      }
    });
    sock.on('close', () => reject(new Error(`fcgi: ${path} closed before the end of the answer`)));
  });
}
