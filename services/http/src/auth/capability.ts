import { jwtVerify, type JWK } from 'jose';
import { IesError } from '@ies/errors';
import type { RegistryState } from '@ies/registry';
import { registeredJwtKey } from './jwt-key.js';

/** What a capability lets its holder read. */
export const CAPABILITY_SCOPES = ['proofs'] as const;
export type CapabilityScope = (typeof CAPABILITY_SCOPES)[number];

/** Longest capability a DISCOM may grant: an audit engagement is renewed, not granted forever. */
export const MAX_CAPABILITY_LIFETIME_SECONDS = 31 * 24 * 3600;

/**
 * A capability the DISCOM grants an auditor (`X-IES-Capability`): a JWT signed by an active
 * key of a participant with role DISCOM in the auditor's tenant, with `sub` = the auditor,
 * `aud` = this node, `scope` naming what it may read (space-separated, e.g. "proofs"), and
 * `iat`/`exp` at most 31 days apart. Revoking the granting key revokes every capability it
 * signed.
 */
export async function checkCapability(
  registry: RegistryState,
  capability: string | undefined,
  holder: { discomId: string; participantId: string },
  opts: { audience: string; nowMs: number; scope: CapabilityScope },
): Promise<{ grantedBy: string }> {
  if (!capability) throw new IesError('IES_ERR_CAPABILITY_INVALID', `${holder.participantId} needs a capability granted by ${holder.discomId} (X-IES-Capability: JWT with scope "${opts.scope}")`);
  const { key, alg } = registeredJwtKey(registry, capability, 'IES_ERR_CAPABILITY_INVALID', 'capability');
  const grantor = registry.participant(key.discomId, key.participantId);
  if (key.status !== 'ACTIVE' || key.discomId !== holder.discomId || grantor?.role !== 'DISCOM') {
    throw new IesError('IES_ERR_CAPABILITY_INVALID', `capability kid ${JSON.stringify(key.kid)} is not an active key of a DISCOM participant of ${holder.discomId}`);
  }
  let payload;
  try {
    ({ payload } = await jwtVerify(capability, key.jwk as JWK, { algorithms: [alg], audience: opts.audience, issuer: key.participantId, subject: holder.participantId, requiredClaims: ['exp', 'iat', 'scope'], currentDate: new Date(opts.nowMs), clockTolerance: 30 }));
  } catch (cause) {
    throw new IesError('IES_ERR_CAPABILITY_INVALID', `capability rejected: ${(cause as Error).message}`, { cause });
  }
  const iat = payload.iat as number;
  const exp = payload.exp as number;
  if (iat * 1000 > opts.nowMs + 30_000) throw new IesError('IES_ERR_CAPABILITY_INVALID', `capability iat ${new Date(iat * 1000).toISOString()} is in the future`);
  if (exp - iat > MAX_CAPABILITY_LIFETIME_SECONDS) throw new IesError('IES_ERR_CAPABILITY_INVALID', `capability lasts ${exp - iat} s; at most ${MAX_CAPABILITY_LIFETIME_SECONDS} s (31 days) is accepted`);
  const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
  if (!scopes.includes(opts.scope)) throw new IesError('IES_ERR_CAPABILITY_INVALID', `capability scope ${JSON.stringify(payload.scope)} does not include "${opts.scope}"`);
  return { grantedBy: key.participantId };
}
