/**
 * The signed-in user: an API bearer token (a JWT signed by the participant's registered key,
 * at most 5 minutes long, as the API accepts). It lives in sessionStorage (this tab only) and
 * is sent as Authorization to this node only. A one-time link (`ies console --as …`) carries
 * a code in the URL fragment (which browsers never send to a server), taken out of the
 * address bar as soon as the page loads and exchanged once for a token.
 */
const KEY = 'ies.console.token';

export interface Session {
  readonly token: string;
  readonly participantId: string;
  readonly expiresAtMs: number;
}

export function claimsOf(token: string): { iss?: string; exp?: number } {
  const part = token.split('.')[1];
  if (!part || token.split('.').length !== 3) throw new Error('not a JWT (three base64url parts separated by dots)');
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
  return JSON.parse(json) as { iss?: string; exp?: number };
}

export function signIn(token: string): Session {
  const claims = claimsOf(token.trim());
  sessionStorage.setItem(KEY, token.trim());
  return { token: token.trim(), participantId: claims.iss ?? '?', expiresAtMs: (claims.exp ?? 0) * 1000 };
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
}

export function currentSession(): Session | undefined {
  const token = sessionStorage.getItem(KEY);
  if (!token) return undefined;
  try {
    const claims = claimsOf(token);
    return { token, participantId: claims.iss ?? '?', expiresAtMs: (claims.exp ?? 0) * 1000 };
  } catch {
    signOut();
    return undefined;
  }
}

/** What opening a one-time link did: signed in, or the node's refusal (a used or expired link). */
export type LinkOutcome = { readonly signedIn: Session } | { readonly refused: { status: number; code: string; detail: string } };

/**
 * `#code=<code>&go=<page>` from a one-time link (`ies console --as`): the code is taken out of
 * the address bar at once, then exchanged once for a bearer token (POST /console/sign-in; the
 * node hands each code's token out a single time, within 60 s). Undefined when the address
 * carries no link.
 */
export async function redeemLinkFromFragment(): Promise<LinkOutcome | undefined> {
  if (!location.hash.startsWith('#code=')) return undefined;
  const params = new URLSearchParams(location.hash.slice(1));
  const code = params.get('code') ?? '';
  const go = params.get('go') ?? 'data';
  history.replaceState(null, '', `${location.pathname}#/${/^[a-z-]+$/.test(go) ? go : 'data'}`);
  const outcome = await exchange(code);
  if ('refused' in outcome) {
    linkRefusal = outcome.refused;
    history.replaceState(null, '', `${location.pathname}#/sign-in`);
  }
  return outcome;
}

let linkRefusal: { status: number; code: string; detail: string } | undefined;

/** The refusal of the link this page was opened with, once (the sign-in page shows it). */
export function takeLinkRefusal(): { status: number; code: string; detail: string } | undefined {
  const r = linkRefusal;
  linkRefusal = undefined;
  return r;
}

async function exchange(code: string): Promise<LinkOutcome> {
  const res = await fetch('/console/sign-in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }), cache: 'no-store' }).catch(() => undefined);
  if (!res) return { refused: { status: 0, code: 'NETWORK', detail: 'the node did not answer' } };
  const body = (await res.json().catch(() => ({}))) as { token?: string; code?: string; detail?: string };
  if (res.ok && typeof body.token === 'string') return { signedIn: signIn(body.token) };
  return { refused: { status: res.status, code: body.code ?? `HTTP_${res.status}`, detail: body.detail ?? res.statusText } };
}
