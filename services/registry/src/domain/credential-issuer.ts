import { IesError } from '@ies/errors';
import type { KeyRecord, ParticipantRecord, RegistryState } from './state.js';

export interface CredentialSigner {
  key: KeyRecord;
  participant: ParticipantRecord;
}

/**
 * How a MeterDataCredential's issuer maps to the registry: the proof's verificationMethod is
 * `<issuer DID>#<kid>`; `kid` must be an Ed25519 key registered to a HEADEND participant whose
 * `did` (registry document, `participants[].did`) is the issuer DID, in `tenant` when one is
 * named. A key revoked at or before `revokedBy` (epoch ms) is refused: the request time at
 * the gateway, the proof's `created` downstream (a credential made before a revocation stays
 * valid, as a JWS made before one does). Throws IES_ERR_CREDENTIAL_ISSUER_KEY.
 */
export function credentialSigner(registry: RegistryState, issuerDid: string, kid: string, opts: { tenant?: string | undefined; revokedBy: number }): CredentialSigner {
  const refuse = (why: string) => new IesError('IES_ERR_CREDENTIAL_ISSUER_KEY', `verificationMethod ${issuerDid}#${kid}: ${why}`, { details: { issuer: issuerDid, kid } });
  const key = registry.key(kid);
  if (!key) throw refuse(`no key ${kid} is registered`);
  if (key.jwk.kty !== 'OKP' || key.jwk.crv !== 'Ed25519') throw refuse(`key ${kid} is ${key.jwk.kty}/${key.jwk.crv}; credentials are verified with Ed25519 keys`);
  const participant = registry.participant(key.discomId, key.participantId);
  if (participant?.did !== issuerDid) throw refuse(`key ${kid} belongs to ${key.participantId} of ${key.discomId}, whose registered did is ${participant?.did ?? 'none'}, not the issuer`);
  if (participant.role !== 'HEADEND') throw refuse(`${participant.id} is a ${participant.role}, not a HEADEND`);
  if (opts.tenant !== undefined && key.discomId !== opts.tenant) throw refuse(`the issuer is a head-end of ${key.discomId}, not of ${opts.tenant}`);
  if (key.status === 'REVOKED' && (key.revokedAt === undefined || key.revokedAt <= opts.revokedBy)) throw refuse(`key ${kid} is revoked${key.revokedAt === undefined ? '' : ` since ${new Date(key.revokedAt).toISOString()}`}`);
  return { key, participant };
}
