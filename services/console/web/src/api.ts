import { currentSession } from './session.js';

/** An API refusal as the node states it (RFC 9457 problem+json): its stable code and message. */
export class Problem extends Error {
  constructor(readonly status: number, readonly code: string, readonly title: string, readonly detail: string) {
    super(`${code}: ${detail}`);
  }
}

/** GET a path of this node's documented API; the bearer token goes along when signed in. */
export async function apiGet(path: string, opts: { auth?: boolean; accept?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: opts.accept ?? 'application/json' };
  const session = opts.auth === false ? undefined : currentSession();
  if (session) headers['authorization'] = `Bearer ${session.token}`;
  let res: Response;
  try {
    res = await fetch(path, { headers, cache: 'no-store' });
  } catch (err) {
    throw new Problem(0, 'NETWORK', 'The node did not answer', (err as Error).message);
  }
  if (res.ok) return res;
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    const p = (await res.json()) as { code?: string; title?: string; detail?: string };
    throw new Problem(res.status, p.code ?? `HTTP_${res.status}`, p.title ?? res.statusText, p.detail ?? '');
  }
  throw new Problem(res.status, `HTTP_${res.status}`, res.statusText, (await res.text()).slice(0, 300));
}

export async function apiJson<T>(path: string, opts: { auth?: boolean } = {}): Promise<T> {
  return (await apiGet(path, opts)).json() as Promise<T>;
}

/** POST a signed write (the body exactly as signed; its detached JWS in X-IES-Signature) and read the JSON answer. */
export async function apiPostSigned<T>(path: string, body: Uint8Array, signature: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', 'x-ies-signature': signature }, body: body as BodyInit, cache: 'no-store' });
  } catch (err) {
    throw new Problem(0, 'NETWORK', 'The node did not answer', (err as Error).message);
  }
  const p = (await res.json()) as T & { code?: string; title?: string; detail?: string };
  if (!res.ok) throw new Problem(res.status, p.code ?? `HTTP_${res.status}`, p.title ?? res.statusText, p.detail ?? '');
  return p;
}

/** POST JSON to a path of this node's API with the bearer token; refusals become a Problem like GETs. */
export async function apiPostJson<T>(path: string, body: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
  const session = currentSession();
  if (session) headers['authorization'] = `Bearer ${session.token}`;
  let res: Response;
  try {
    res = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body), cache: 'no-store' });
  } catch (err) {
    throw new Problem(0, 'NETWORK', 'The node did not answer', (err as Error).message);
  }
  if (res.ok) return (await res.json()) as T;
  const p = (await res.json().catch(() => ({}))) as { code?: string; title?: string; detail?: string };
  throw new Problem(res.status, p.code ?? `HTTP_${res.status}`, p.title ?? res.statusText, p.detail ?? '');
}
