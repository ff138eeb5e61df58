// api.ts — the API client, generated from openapi/openapi.yaml (openapi-typescript types +
// openapi-fetch), with the key of this tab. The key lives in sessionStorage only: never in a URL,
// a cookie or a log.
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './generated/schema';

export type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];

const KEY = 'trackgen.key';

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY);
}
export function storeKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
}

/** Where the API is: this page's origin, or `?api=<origin>` when the page is served elsewhere. */
export function apiBase(): string {
  const given = new URLSearchParams(location.search).get('api');
  if (given) {
    const u = new URL(given);
    if (u.protocol === 'http:' || u.protocol === 'https:') return u.origin;
  }
  return location.origin;
}

const auth: Middleware = {
  onRequest({ request }) {
    const key = storedKey();
    if (key) request.headers.set('Authorization', `Bearer ${key}`);
    return request;
  },
};

export const client = createClient<paths>({ baseUrl: apiBase() });
client.use(auth);

/** A problem whose fields are named: the field errors by field, and the rest as one sentence. */
export function problemText(p: Problem | undefined, fallback = 'The request failed.'): string {
  if (!p) return fallback;
  return p.detail ? `${p.title}: ${p.detail}` : p.title;
}

export function problemFields(p: Problem | undefined): { field: string; reason: string }[] {
  if (!p || !('errors' in p) || !p.errors) return [];
  return p.errors.map((e) => ({ field: e.field, reason: e.reason }));
}
