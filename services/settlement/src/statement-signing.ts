/**
 * Signing statements: the RFC 8785 bytes of a statement as the payload of a compact JWS,
 * EdDSA, typ ies-statement+jws, kid the thumbprint of the DISCOM's settlement key. Ed25519 is
 * deterministic, so the same statement signed by the same key is the same JWS. The format and
 * its verification (what an auditor runs) are @ies/verify's.
 */
import { sign, type KeyObject } from 'node:crypto';
import { IesError } from '@ies/errors';
import { STATEMENT_TYP } from '@ies/verify';

export interface StatementSigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
}

/**
 * The compact JWS (RFC 7515 §7.1) of the statement bytes: BASE64URL(header) "." BASE64URL(payload)
 * "." BASE64URL(Ed25519 over those first two, RFC 8037). Byte for byte what jose's CompactSign
 * makes of the same header and key (a test compares them), written with Buffer's native
 * base64url and one signing-input buffer: a day's statement is hundreds of megabytes.
 * Ed25519 (PureEdDSA) reads its whole message twice, so the signing input exists once in full.
 */
export async function signStatement(bytes: Uint8Array, key: StatementSigningKey): Promise<string> {
  if (key.privateKey.type !== 'private' || key.privateKey.asymmetricKeyType !== 'ed25519') {
    throw new IesError('IES_ERR_INTERNAL', `statement signing key ${key.kid} is not an Ed25519 private key (${key.privateKey.asymmetricKeyType ?? key.privateKey.type})`);
  }
  const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: key.kid, typ: STATEMENT_TYP })).toString('base64url');
  const payload = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
  const input = Buffer.allocUnsafe(header.length + 1 + payload.length);
  input.write(header, 0, 'latin1');
  input[header.length] = 0x2e; // "."
  input.write(payload, header.length + 1, 'latin1');
  return `${header}.${payload}.${sign(null, input, key.privateKey).toString('base64url')}`;
}

/** header..signature: the JWS without its payload (RFC 7515 appendix F), for records that do not carry the document. */
export function detachedJws(jws: string): string {
  const [header, , signature] = jws.split('.');
  return `${header}..${signature}`;
}

