import { createPrivateKey, sign } from 'node:crypto';
import jsigs from 'jsonld-signatures';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { createSignCryptosuite } from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import { CredentialContexts } from './contexts.js';
import type { ProofKind } from './verify-credential.js';

/** A private Ed25519 JWK as `ies keys generate` writes it. */
export interface PrivateEd25519Jwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  d: string;
  kid: string;
}

/**
 * Adds a Data Integrity proof to an unsigned credential with a head-end's Ed25519 key, as a
 * head-end (the simulator, tests) does: verificationMethod `<issuer DID>#<kid>`, purpose
 * assertionMethod. The signing goes through jsonld-signatures with the same suites the node
 * verifies with; only `contexts` are loaded (the bundled ones unless given).
 */
export async function signCredential(unsigned: Record<string, unknown>, key: PrivateEd25519Jwk, issuerDid: string, kind: ProofKind, created?: Date, contexts: CredentialContexts = CredentialContexts.BUNDLED): Promise<Record<string, unknown>> {
  const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.x, d: key.d }, format: 'jwk' });
  const signer = { id: `${issuerDid}#${key.kid}`, algorithm: 'Ed25519', sign: async ({ data }: { data: Uint8Array }) => new Uint8Array(sign(null, data, privateKey)) };
  const date = created ?? new Date();
  const suite = kind === 'Ed25519Signature2020' ? new Ed25519Signature2020({ signer, date }) : new DataIntegrityProof({ signer, date, cryptosuite: createSignCryptosuite() });
  const documentLoader = contexts.loader();
  const { AssertionProofPurpose } = jsigs.purposes as { AssertionProofPurpose: new () => unknown };
  return (await jsigs.sign(structuredClone(unsigned), { suite, purpose: new AssertionProofPurpose(), documentLoader })) as Record<string, unknown>;
}
