import { decodeProtectedHeader } from 'jose';
import { SIGNING_ALGORITHMS } from '@ies/crypto';
import { IesError, type ErrorCode } from '@ies/errors';
import type { KeyRecord, RegistryState } from '@ies/registry';

/**
 * The registered key a participant's JWT names, before its signature is checked: only EdDSA
 * or ES256 (no `none`, no HMAC with a public key), and a kid the registry knows. `code` is the
 * refusal the caller answers with (a bearer token's, a capability's).
 */
export function registeredJwtKey(registry: RegistryState, token: string, code: ErrorCode, what: string): { key: KeyRecord; alg: string } {
  let kid: string | undefined;
  let alg: string | undefined;
  try {
    ({ kid, alg } = decodeProtectedHeader(token));
  } catch {
    throw new IesError(code, `${what} header is not a JWS header`);
  }
  if (!SIGNING_ALGORITHMS.includes(alg as (typeof SIGNING_ALGORITHMS)[number])) throw new IesError(code, `${what} alg ${JSON.stringify(alg)} is not allowed; use EdDSA or ES256`);
  const key = kid === undefined ? undefined : keyForTenant(registry, kid, claimedHeader(token).tenant);
  if (!key) {
    const holders = kid === undefined ? [] : registry.keyHolders(kid);
    if (holders.length > 1) throw new IesError(code, `${what} kid ${kid} is registered with ${holders.map((h) => h.discomId).join(', ')} (a peer DISCOM's key): name the one it acts for in the protected header's "tenant"`);
    throw new IesError(code, `${what} kid ${JSON.stringify(kid)} is not registered`);
  }
  return { key, alg: alg as string };
}

/** The registered key `kid` of the tenant a token names (`tenant` header), else of its one holder. */
function keyForTenant(registry: RegistryState, kid: string, tenant: unknown): KeyRecord | undefined {
  return (typeof tenant === 'string' ? registry.key(kid, tenant) : undefined) ?? registry.key(kid);
}

/** A JWS's protected header, decoded without any check (to pick the key it claims); {} when it does not decode. */
export function claimedHeader(jws: string): Record<string, unknown> {
  try {
    const header = JSON.parse(Buffer.from(jws.slice(0, jws.indexOf('.')), 'base64url').toString('utf8')) as unknown;
    return header !== null && typeof header === 'object' && !Array.isArray(header) ? (header as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
