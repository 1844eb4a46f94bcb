import { jwtVerify, type JWK } from 'jose';
import { IesError } from '@ies/errors';
import type { RegistryState } from '@ies/registry';
import { registeredJwtKey } from './jwt-key.js';

export interface AuthenticatedReader {
  discomId: string;
  participantId: string;
  kid: string;
}

/** Longest accepted token lifetime: short-lived tokens limit what a leaked one can do. */
export const MAX_TOKEN_LIFETIME_SECONDS = 300;

/** How far a token's `iat` may be ahead of the node clock unless the caller says (IES_AUTH_MAX_SKEW_SECONDS' default). */
export const DEFAULT_MAX_SKEW_SECONDS = 300;

/**
 * Checks `Authorization: Bearer <JWT>` for API reads (RFC 7523 style): signed by the
 * participant's registered, active key (EdDSA or ES256), `iss` = the participant, `aud` =
 * this node, `exp` present, not past and at most 5 minutes ahead, `iat` present and not
 * further ahead of the node clock than the skew window (a token "issued" in the future
 * was made by a wrong clock or to outlive the lifetime limit).
 */
export async function authenticateRead(
  registry: RegistryState,
  authorization: string | undefined,
  opts: { audience: string; nowMs: number; maxSkewSeconds?: number; admitPeerDiscom?: boolean },
): Promise<AuthenticatedReader> {
  const match = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(authorization ?? '');
  if (!match) throw new IesError('IES_ERR_AUTH_MISSING', 'reads need Authorization: Bearer <JWT signed by your registered key>');
  const token = match[1] as string;
  const { key, alg } = registeredJwtKey(registry, token, 'IES_ERR_TOKEN_INVALID', 'bearer token');
  if (key.status === 'REVOKED') throw new IesError('IES_ERR_KEY_REVOKED', `kid ${key.kid} of ${key.participantId} is revoked`);
  const nowSec = Math.floor(opts.nowMs / 1000);
  let payload;
  try {
    ({ payload } = await jwtVerify(token, key.jwk as JWK, { algorithms: [alg], audience: opts.audience, issuer: key.participantId, requiredClaims: ['exp', 'iat'], currentDate: new Date(opts.nowMs), clockTolerance: 30 }));
  } catch (cause) {
    throw new IesError('IES_ERR_TOKEN_INVALID', `bearer token rejected: ${(cause as Error).message}`, { cause });
  }
  const maxSkew = opts.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS;
  const ahead = (payload.iat as number) - nowSec;
  if (ahead > maxSkew) {
    throw new IesError('IES_ERR_TOKEN_INVALID', `token iat ${new Date((payload.iat as number) * 1000).toISOString()} is ${ahead} s ahead of the node clock ${new Date(opts.nowMs).toISOString()}; at most ${maxSkew} s is accepted`);
  }
  if ((payload.exp as number) - nowSec > MAX_TOKEN_LIFETIME_SECONDS) {
    throw new IesError('IES_ERR_TOKEN_INVALID', `token exp is ${(payload.exp as number) - nowSec} s ahead; at most ${MAX_TOKEN_LIFETIME_SECONDS} s is accepted`);
  }
  // A peer DISCOM's keys are trusted for its signed P2P sides and its own disputes: the one
  // read it may make (GET /v1/disputes/{id}) opts in with `admitPeerDiscom`; every other is refused.
  const role = registry.participant(key.discomId, key.participantId)?.role;
  if (role === 'PEER_DISCOM' && opts.admitPeerDiscom !== true) {
    throw new IesError('IES_ERR_ROLE_FORBIDDEN', `${key.participantId} is a PEER_DISCOM of ${key.discomId}: its keys sign P2P sides (POST /v1/p2p/sides) and its disputes (POST /v1/disputes); the only read they make is a dispute it raised (GET /v1/disputes/{id})`);
  }
  return { discomId: key.discomId, participantId: key.participantId, kid: key.kid };
}
