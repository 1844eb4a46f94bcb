/**
 * The signed-in user: an API bearer token (a JWT signed by the participant's registered key,
 * at most 5 minutes long, as the API accepts). It lives in sessionStorage (this tab only) and
 * is sent as Authorization to this node only. A one-time link (`ies console --as …`) carries
 * one in the URL fragment, which browsers never send to a server; it is taken out of the
 * address bar as soon as the page loads.
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

/** `#token=<jwt>&go=<page>` from a one-time link: signs in and rewrites the address without it. */
export function takeTokenFromFragment(): string | undefined {
  if (!location.hash.startsWith('#token=')) return undefined;
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('token');
  const go = params.get('go') ?? 'data';
  history.replaceState(null, '', `${location.pathname}#/${/^[a-z-]+$/.test(go) ? go : 'data'}`);
  if (token) signIn(token);
  return token ?? undefined;
}
