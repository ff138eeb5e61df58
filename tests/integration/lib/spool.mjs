// spool.mjs — spool segments written by a test as src/track/hitlog.c writes them
// ("<crc32 hex>\t<COPY row>\n" per hit), so a test chooses each hit's time, partner and person
// and sends it through the real shipper.
import { writeFileSync, renameSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { sleep } from './client.mjs';

export const SPOOL = `${process.env.TG_STACK_DIR}/spool`;

const copyText = (v) => (v === null || v === undefined ? '\\N'
  : String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r'));

/** One hit's spool line. at is a Date; tid a fresh transaction id unless given. */
export function spoolLine({ partner, offer, at, kind = 'click', sub1 = null, sub2 = null, ip = '10.0.0.1', ua = 'ua',
  bot = false, tid = randomBytes(16).toString('hex') }) {
  const row = [tid, kind, at.toISOString().replace('T', ' ').replace('Z', '+00'), partner, offer, '\\N', '\\N',
    copyText(sub1), copyText(sub2), '\\N', '\\N', '\\N', ip, copyText(ua), '\\N', kind === 'click' ? 'redirected' : 'recorded',
    bot ? 't' : 'f'].join('\t');
  return `${crc32(row).toString(16).padStart(8, '0')}\t${row}\n`;
}

let written = 0;
/** Puts segments (arrays of lines) into the spool at once and waits until shippers took them all. */
export async function shipSegments(segments, timeoutMs = 20000) {
  const names = segments.map(() => `hits-999970-${process.pid}${(written += 1)}.log`);
  segments.forEach((lines, i) => writeFileSync(`${SPOOL}/${names[i]}.tmp`, lines.join('')));
  names.forEach((name) => renameSync(`${SPOOL}/${name}.tmp`, `${SPOOL}/${name}`));
  const deadline = Date.now() + timeoutMs;
  while (names.some((name) => existsSync(`${SPOOL}/${name}`)) && Date.now() < deadline) await sleep(50);
  const left = names.filter((name) => existsSync(`${SPOOL}/${name}`));
  if (left.length) throw new Error(`segments not shipped within ${timeoutMs} ms: ${left.join(', ')}`);
}
