import { currentSession } from './session.js';

/** An API refusal as the node states it (RFC 9457 problem+json): its stable code and message. */
export class Problem extends Error {
  constructor(readonly status: number, readonly code: string, readonly title: string, readonly detail: string) {
    super(`${code}: ${detail}`);
  }
}

/**
 * One request to this node's API: the bearer token goes along when signed in (unless `auth`
 * is false); a network failure or a refusal becomes a Problem (the problem+json's code and
 * message, or the status and text of a body that is not JSON).
 */
async function send(path: string, init: RequestInit & { headers: Record<string, string> }, auth = true): Promise<Response> {
  const session = auth ? currentSession() : undefined;
  if (session) init.headers['authorization'] = `Bearer ${session.token}`;
  let res: Response;
  try {
    res = await fetch(path, { ...init, cache: 'no-store' });
  } catch (err) {
    throw new Problem(0, 'NETWORK', 'The node did not answer', (err as Error).message);
  }
  if (res.ok) return res;
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    const p = (await res.json().catch(() => ({}))) as { code?: string; title?: string; detail?: string };
    throw new Problem(res.status, p.code ?? `HTTP_${res.status}`, p.title ?? res.statusText, p.detail ?? '');
  }
  throw new Problem(res.status, `HTTP_${res.status}`, res.statusText, (await res.text()).slice(0, 300));
}

/** GET a path of this node's documented API; the bearer token goes along when signed in. */
export function apiGet(path: string, opts: { auth?: boolean; accept?: string } = {}): Promise<Response> {
  return send(path, { headers: { accept: opts.accept ?? 'application/json' } }, opts.auth !== false);
}

export async function apiJson<T>(path: string, opts: { auth?: boolean } = {}): Promise<T> {
  return (await apiGet(path, opts)).json() as Promise<T>;
}

/** POST a signed write (the body exactly as signed; its detached JWS in X-IES-Signature) and read the JSON answer. */
export async function apiPostSigned<T>(path: string, body: Uint8Array, signature: string): Promise<T> {
  const res = await send(path, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', 'x-ies-signature': signature }, body: body as BodyInit }, false);
  return (await res.json()) as T;
}

/** POST JSON to a path of this node's API with the bearer token; refusals become a Problem like GETs. */
export async function apiPostJson<T>(path: string, body: unknown): Promise<T> {
  const res = await send(path, { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as T;
}
