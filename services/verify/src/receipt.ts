import { CompactSign, base64url, compactVerify, decodeProtectedHeader, type JWK } from 'jose';
import type { KeyObject } from 'node:crypto';
import { Buffer } from 'buffer';
import { canonicalJson, canonicalJsonBytes } from '@ies/crypto';
import { ed25519KeyType, ed25519Sign } from '#crypto';
import type { LogEntry } from './log-entry.js';

/** Media type in the receipt JWS `typ` header. */
export const RECEIPT_TYP = 'ies-receipt+jws';
export const RECEIPT_VERSION = 1;

/**
 * A batch receipt: the log entry, where it sits in the log, a signed checkpoint that
 * includes it and the inclusion proof against that checkpoint. The notary signs the RFC
 * 8785 bytes of this body as a compact JWS (EdDSA), so the receipt is self-contained.
 */
export interface ReceiptBody extends LogEntry {
  readonly v: number;
  readonly logIndex: number;
  /** The C2SP signed note of the checkpoint (origin, size, root) that includes the entry. */
  readonly checkpoint: string;
  /** Standard base64 hashes, RFC 6962 PATH order. */
  readonly inclusionProof: readonly string[];
}

export interface ReceiptDocument {
  readonly receipt: ReceiptBody;
  readonly jws: string;
  /**
   * A checkpoint the log's witnesses cosigned that extends the receipt's own (which the notary
   * signed alone, before any witness saw it), and the consistency proof from the receipt's
   * checkpoint to it: what a verifier with a witness policy checks the receipt against.
   */
  readonly witnessed?: WitnessedCheckpoint;
}

/** A cosigned checkpoint and the RFC 6962 consistency proof (base64 hashes) from an earlier checkpoint of the log to it. */
export interface WitnessedCheckpoint {
  readonly checkpoint: string;
  readonly consistency: readonly string[];
}

export interface JwsKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
}

export async function signReceipt(body: ReceiptBody, key: JwsKey): Promise<string> {
  return new CompactSign(canonicalJsonBytes(body)).setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: RECEIPT_TYP }).sign(key.privateKey);
}

/**
 * `signReceipt` without the WebCrypto round trip (Node only; the notary's hot path): the same
 * compact JWS (RFC 7515 §7.1), byte for byte, since Ed25519 signatures are deterministic
 * (RFC 8032 §5.1.6) and the protected header is the same JSON.
 */
export function signReceiptSync(body: ReceiptBody, key: JwsKey): string {
  if (key.privateKey.asymmetricKeyType !== 'ed25519') throw new TypeError(`a receipt key must be Ed25519, not ${ed25519KeyType(key.privateKey)}`);
  const signingInput = `${base64url.encode(JSON.stringify({ alg: 'EdDSA', kid: key.kid, typ: RECEIPT_TYP }))}.${base64url.encode(canonicalJsonBytes(body))}`;
  return `${signingInput}.${base64url.encode(ed25519Sign(key.privateKey, Buffer.from(signingInput, 'latin1')))}`;
}

/** The receipt a JWS carries (its payload), without checking the signature. */
export function receiptFromJws(jws: string): ReceiptDocument {
  const payload = jws.split('.')[1];
  if (payload === undefined) throw new RangeError('a compact JWS has three parts');
  return { receipt: JSON.parse(new TextDecoder().decode(base64url.decode(payload))) as ReceiptBody, jws };
}

export type JwsCheck = { readonly ok: true; readonly kid: string } | { readonly ok: false; readonly code: 'UNKNOWN_KEY' | 'BAD_SIGNATURE' | 'PAYLOAD_MISMATCH'; readonly reason: string };

/** The JWS verifies under a key of `jwks` and its payload is exactly the canonical JSON of `body`. */
export async function checkSignedJson(jws: string, body: unknown, jwks: readonly JWK[]): Promise<JwsCheck> {
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(jws).kid;
  } catch (err) {
    return { ok: false, code: 'BAD_SIGNATURE', reason: `the JWS header does not decode: ${(err as Error).message}` };
  }
  const jwk = jwks.find((k) => k.kid === kid);
  if (!jwk) return { ok: false, code: 'UNKNOWN_KEY', reason: `the JWS is signed by kid ${JSON.stringify(kid)}, which is not among the ${jwks.length} trusted key(s)` };
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(jws, jwk, { algorithms: ['EdDSA', 'ES256'] }));
  } catch (err) {
    return { ok: false, code: 'BAD_SIGNATURE', reason: `the JWS signature does not verify with kid ${kid}: ${(err as Error).message}` };
  }
  if (Buffer.from(payload).toString('utf8') !== canonicalJson(body)) return { ok: false, code: 'PAYLOAD_MISMATCH', reason: 'the JWS payload is not the RFC 8785 JSON of the document it accompanies' };
  return { ok: true, kid: kid as string };
}
