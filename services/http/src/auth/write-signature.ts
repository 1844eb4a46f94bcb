import { ID_GRAMMAR, isSafeId } from '@ies/contracts';
import { checkRequestBinding, verifyDetached } from '@ies/crypto';
import { IesError } from '@ies/errors';
import type { KeyRecord, ParticipantRole, RegistryState } from '@ies/registry';
import { claimedHeader } from './jwt-key.js';

export interface AuthenticatedWrite {
  discomId: string;
  participantId: string;
  role: ParticipantRole;
  kid: string;
  jti: string;
  iat: number;
}

/** The request a signed write arrived as: the signature must name the same method and path. */
export interface WriteRequest {
  method: string;
  /** The path exactly as sent (percent-encoding kept), without the query string. */
  path: string;
}

/** The path of a raw request URL, as the client sent it (no query, no fragment). */
export function requestPath(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

/**
 * Checks a write's detached JWS (X-IES-Signature) against the registry: the kid must be
 * registered and active, the signature must verify over the exact body bytes, the protected
 * header must bind it to this request (`htm`, `htu`, `tenant`), `iat` must be within the
 * skew window and `jti` must be a usable message id. `expectedRoles` limits which
 * participants may make this write.
 */
export async function authenticateWrite(
  registry: RegistryState,
  body: Uint8Array | undefined,
  signature: string | undefined,
  opts: { nowMs: number; maxSkewSeconds: number; expectedRoles: readonly string[]; request: WriteRequest },
): Promise<AuthenticatedWrite> {
  if (!signature) throw new IesError('IES_ERR_AUTH_MISSING', 'write without an X-IES-Signature header (detached JWS over the body)');
  if (!(body instanceof Uint8Array)) throw new IesError('IES_ERR_VALIDATION', 'a signed write needs a body (the bytes the X-IES-Signature covers)');
  let key: KeyRecord | undefined;
  // A kid held by several tenants (a peer DISCOM's settlement key) is the one of the tenant the
  // write is bound to; any other holder fails the binding check below, as a stranger's key would.
  const tenant = claimedHeader(signature).tenant;
  const header = await verifyDetached(body, signature, (kid) => {
    key = (typeof tenant === 'string' ? registry.key(kid, tenant) : undefined) ?? registry.keyHolders(kid)[0];
    if (key?.status === 'REVOKED') throw new IesError('IES_ERR_KEY_REVOKED', `kid ${kid} of ${key.participantId} (${key.discomId}) is revoked`);
    return key?.jwk;
  });
  if (!key) throw new IesError('IES_ERR_SIGNATURE_INVALID', `kid ${header.kid} is not registered`);
  checkRequestBinding(header, { htm: opts.request.method.toUpperCase(), htu: opts.request.path, tenant: key.discomId });
  const participant = registry.participant(key.discomId, key.participantId);
  if (!participant || !opts.expectedRoles.includes(participant.role)) {
    throw new IesError('IES_ERR_TENANT_FORBIDDEN', `participant ${key.participantId} (${participant?.role ?? 'unregistered'}) may not make this write; allowed roles: ${opts.expectedRoles.join(', ')}`);
  }
  if (!Number.isInteger(header.iat)) throw new IesError('IES_ERR_SIGNATURE_INVALID', 'JWS header has no integer iat');
  const skew = header.iat - Math.floor(opts.nowMs / 1000);
  if (Math.abs(skew) > opts.maxSkewSeconds) {
    throw new IesError('IES_ERR_SIGNATURE_STALE', `iat ${new Date(header.iat * 1000).toISOString()} is ${Math.abs(skew)} s ${skew < 0 ? 'behind' : 'ahead of'} the node clock ${new Date(opts.nowMs).toISOString()} (allowed ±${opts.maxSkewSeconds} s)`);
  }
  if (typeof header.jti !== 'string' || !isSafeId(header.jti)) {
    throw new IesError('IES_ERR_SIGNATURE_INVALID', `jti ${JSON.stringify(header.jti)} must be an id: ${ID_GRAMMAR}`);
  }
  return { discomId: key.discomId, participantId: key.participantId, role: participant.role, kid: key.kid, jti: header.jti, iat: header.iat };
}
