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
  const key = kid === undefined ? undefined : registry.key(kid);
  if (!key) throw new IesError(code, `${what} kid ${JSON.stringify(kid)} is not registered`);
  return { key, alg: alg as string };
}
