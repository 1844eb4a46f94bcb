/**
 * Signing statements: the RFC 8785 bytes of a statement as the payload of a compact JWS,
 * EdDSA, typ ies-statement+jws, kid the thumbprint of the DISCOM's settlement key. Ed25519 is
 * deterministic, so the same statement signed by the same key is the same JWS. The format and
 * its verification (what an auditor runs) are @ies/verify's.
 */
import type { KeyObject } from 'node:crypto';
import { CompactSign } from 'jose';
import { STATEMENT_TYP } from '@ies/verify';

export interface StatementSigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
}

export async function signStatement(bytes: Uint8Array, key: StatementSigningKey): Promise<string> {
  return new CompactSign(bytes).setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: STATEMENT_TYP }).sign(key.privateKey);
}

/** header..signature: the JWS without its payload (RFC 7515 appendix F), for records that do not carry the document. */
export function detachedJws(jws: string): string {
  const [header, , signature] = jws.split('.');
  return `${header}..${signature}`;
}

