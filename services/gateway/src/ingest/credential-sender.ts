import { checkCredentialStatus, verifyMeterDataCredential, type CredentialContexts } from '@ies/credentials';
import { parseStrictJson } from '@ies/crypto';
import { credentialSigner, type CredentialSigner } from '@ies/registry/verify-batch';
import type { RegistryState } from '@ies/registry';

/** Who sent a batch, whichever way it authenticated (a detached JWS or a credential's proof). */
export interface BatchSender {
  discomId: string;
  participantId: string;
  kid: string;
  /** The sender's message id: the JWS jti or the credential id. */
  jti: string;
}

/**
 * Authenticates a MeterDataCredential body (docs/ingest.md section 5): shape, contexts
 * (bundled or the operator's: `contexts`), validity period at `nowMs`, the issuer's registered key (`participants[].did`),
 * the Data Integrity proof, then its revocation status against the lists the registry holds
 * for the issuer. Throws IES_ERR_CREDENTIAL_* on refusal.
 */
export async function authenticateCredential(registry: RegistryState, contexts: CredentialContexts, body: Buffer, tenant: string | undefined, nowMs: number, maxSkewSeconds: number): Promise<BatchSender> {
  let signer: CredentialSigner | undefined;
  const claims = await verifyMeterDataCredential(body, {
    nowMs,
    maxSkewMs: maxSkewSeconds * 1000,
    parseJson: parseStrictJson,
    contexts,
    issuerKey: (issuerDid, kid) => {
      signer = credentialSigner(registry, issuerDid, kid, { tenant, revokedBy: nowMs });
      return { x: signer.key.jwk.x };
    },
  });
  const { key, participant } = signer as CredentialSigner;
  checkCredentialStatus(claims.id, claims.credentialStatus, (url) => participant.statusLists?.find((l) => l.url === url)?.encodedList);
  return { discomId: key.discomId, participantId: participant.id, kid: key.kid, jti: claims.id };
}
