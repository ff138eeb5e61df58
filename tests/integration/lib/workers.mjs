// workers.mjs — the worker processes as the tests see them: the stack-ctl script, the pid files
// the supervisor writes (run/trackgen-N.pid, run/trackgen.pid), and a click load that counts answers.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rawGet } from './client.mjs';

export const STACK_DIR = process.env.TG_STACK_DIR;
export const ctl = (...args) => execFileSync(process.env.TG_STACK_CTL, args, { stdio: 'inherit' });
export const workerSocket = (n) => `${STACK_DIR}/run/trackgen-${n}.sock`;
export const workerPidFile = (n) => `${STACK_DIR}/run/trackgen-${n}.pid`;
export const masterPidFile = () => `${STACK_DIR}/run/trackgen.pid`;

/** The pid in a pid file, or null if there is none. */
export function pidIn(file) {
  try {
    return Number(readFileSync(file, 'utf8').trim()) || null;
  } catch {
    return null;
  }
}

export function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `clients` loops requesting path until stop(); stop() resolves { answered (302), failed, statuses }. */
export function clickLoad(path, clients = 16) {
  let stopping = false;
  const result = { answered: 0, failed: 0, statuses: {} };
  const client = async () => {
    while (!stopping) {
      try {
        const r = await rawGet(path);
        result.statuses[r.status] = (result.statuses[r.status] || 0) + 1;
        if (r.status === 302) result.answered += 1;
        else result.failed += 1;
      } catch (e) {
        result.statuses[e.message] = (result.statuses[e.message] || 0) + 1;
        result.failed += 1;
      }
    }
  };
  const running = Array.from({ length: clients }, client);
  return {
    result,
    stop: async () => {
      stopping = true;
      await Promise.all(running);
      return result;
    },
  };
}
