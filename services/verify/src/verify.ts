import { calculateJwkThumbprint, type JWK } from 'jose';
import { RFC6962_SHA256, verifyConsistency, verifyInclusion } from '@ies/merkle';
import { canonicalReadBytes, type PublicRead } from './canonical-read.js';
import { parseCheckpoint, type Checkpoint } from './checkpoint.js';
import { logEntryBytes } from './log-entry.js';
import { verifyCosignatures } from './cosignature.js';
import { openNote, parseVerifierKey, type NoteVerifier } from './note.js';
import { checkSignedJson, type ReceiptDocument } from './receipt.js';

/** What an auditor trusts: the notary's note verifier key(s) and JWKS, and optionally the log's origin. */
export interface TrustAnchors {
  readonly noteKeys: readonly NoteVerifier[];
  readonly jwks: readonly JWK[];
  readonly origin?: string;
  /**
   * A witness policy: a checkpoint counts only with valid cosignature/v1 lines by at least
   * `quorum` distinct witnesses of `keys` (parseCosignerKey). Absent: no cosignature is needed.
   */
  readonly witnesses?: { readonly keys: readonly NoteVerifier[]; readonly quorum: number };
}

export type VerifyCode =
  | 'MALFORMED'
  | 'UNKNOWN_KEY'
  | 'BAD_SIGNATURE'
  | 'PAYLOAD_MISMATCH'
  | 'WRONG_ORIGIN'
  | 'INDEX_OUT_OF_RANGE'
  | 'INCLUSION_MISMATCH'
  | 'READ_NOT_IN_BATCH'
  | 'INCONSISTENT'
  | 'NOT_WITNESSED';

export type Verified<T> = ({ readonly ok: true } & T) | { readonly ok: false; readonly code: VerifyCode; readonly reason: string };

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const unb64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

/** A signed checkpoint note: a known key signed it and the body is a well-formed checkpoint of the expected origin. */
export function verifyCheckpoint(note: string, trust: TrustAnchors): Verified<{ checkpoint: Checkpoint; witnessedBy: readonly string[] }> {
  const opened = openNote(note, trust.noteKeys);
  if (!opened.ok) return { ok: false, code: opened.code === 'MALFORMED_NOTE' || opened.code === 'MALFORMED_KEY' ? 'MALFORMED' : opened.code, reason: `checkpoint: ${opened.reason}` };
  const parsed = parseCheckpoint(opened.body);
  if (!parsed.ok) return { ok: false, code: 'MALFORMED', reason: `checkpoint: ${parsed.reason}` };
  if (trust.origin !== undefined && parsed.checkpoint.origin !== trust.origin) return { ok: false, code: 'WRONG_ORIGIN', reason: `checkpoint origin ${JSON.stringify(parsed.checkpoint.origin)} is not the expected ${JSON.stringify(trust.origin)}` };
  if (!opened.verifiedBy.some((k) => k.name === parsed.checkpoint.origin)) return { ok: false, code: 'UNKNOWN_KEY', reason: `checkpoint of ${parsed.checkpoint.origin} is not signed by a key named after its origin` };
  const witnessed = witnessesOf(note, trust);
  if (!witnessed.ok) return witnessed;
  return { ok: true, checkpoint: parsed.checkpoint, witnessedBy: witnessed.witnessedBy };
}

/** The distinct witnesses of the policy whose cosignatures on the note verify; refused below the quorum. */
function witnessesOf(note: string, trust: TrustAnchors): Verified<{ witnessedBy: readonly string[] }> {
  if (trust.witnesses === undefined) return { ok: true, witnessedBy: [] };
  const checked = verifyCosignatures(note, trust.witnesses.keys);
  if (!checked.ok) return { ok: false, code: checked.code === 'MALFORMED_NOTE' ? 'MALFORMED' : 'BAD_SIGNATURE', reason: `checkpoint cosignature: ${checked.reason}` };
  const witnessedBy = [...new Set(checked.cosignatures.map((c) => c.cosigner.name))].sort();
  if (witnessedBy.length < trust.witnesses.quorum) {
    const names = trust.witnesses.keys.map((k) => k.name).join(', ');
    return { ok: false, code: 'NOT_WITNESSED', reason: `checkpoint cosigned by ${witnessedBy.length} of the policy's witnesses (${witnessedBy.join(', ') || 'none'}); the policy asks for ${trust.witnesses.quorum} of ${names}` };
  }
  return { ok: true, witnessedBy };
}

/** A batch receipt: notary JWS over its canonical body, its checkpoint, and the entry's inclusion in that checkpoint. */
export async function verifyReceipt(doc: ReceiptDocument, trust: TrustAnchors): Promise<Verified<{ checkpoint: Checkpoint }>> {
  const r = doc.receipt;
  if (typeof r !== 'object' || r === null || typeof doc.jws !== 'string') return { ok: false, code: 'MALFORMED', reason: 'a receipt document is {"receipt": {...}, "jws": "..."}' };
  const signed = await checkSignedJson(doc.jws, r, trust.jwks);
  if (!signed.ok) return { ok: false, code: signed.code, reason: `receipt: ${signed.reason}` };
  const cp = verifyCheckpoint(r.checkpoint, trust);
  if (!cp.ok) return cp;
  const { size, rootHash } = cp.checkpoint;
  if (!Number.isSafeInteger(r.logIndex) || r.logIndex < 0 || r.logIndex >= size) return { ok: false, code: 'INDEX_OUT_OF_RANGE', reason: `log index ${r.logIndex} is not inside the checkpoint's ${size} entries` };
  const leaf = RFC6962_SHA256.hashLeaf(logEntryBytes(r));
  const included = verifyInclusion(RFC6962_SHA256, r.logIndex, size, leaf, r.inclusionProof.map(unb64), rootHash);
  if (!included.ok) return { ok: false, code: 'INCLUSION_MISMATCH', reason: `batch ${r.batchId} at log index ${r.logIndex} is not proven in the checkpoint of size ${size}: ${included.reason}` };
  return { ok: true, checkpoint: cp.checkpoint };
}

/** A read's proof: the read's path in its batch tree leads to the batch root a verified receipt carries. */
export interface ReadProofDocument {
  readonly read: PublicRead & { readonly blockStart: number | string };
  readonly indexInBatch: number;
  readonly batchPath: readonly string[];
  readonly receipt: ReceiptDocument;
}

export async function verifyReadProof(doc: ReadProofDocument, trust: TrustAnchors): Promise<Verified<{ checkpoint: Checkpoint }>> {
  const receipt = await verifyReceipt(doc.receipt, trust);
  if (!receipt.ok) return receipt;
  const r = doc.receipt.receipt;
  const read = { ...doc.read, blockStart: typeof doc.read.blockStart === 'string' ? Date.parse(doc.read.blockStart) : doc.read.blockStart };
  if (read.discomId !== r.discomId) return { ok: false, code: 'READ_NOT_IN_BATCH', reason: `read of ${read.discomId} cannot be in a batch of ${r.discomId}` };
  let leafData: Uint8Array;
  try {
    leafData = canonicalReadBytes(read);
  } catch (err) {
    return { ok: false, code: 'MALFORMED', reason: `read: ${(err as Error).message}` };
  }
  const included = verifyInclusion(RFC6962_SHA256, doc.indexInBatch, r.readCount, RFC6962_SHA256.hashLeaf(leafData), doc.batchPath.map(unb64), unb64(r.batchRoot));
  if (!included.ok) return { ok: false, code: 'READ_NOT_IN_BATCH', reason: `read ${read.meterId} ${new Date(read.blockStart).toISOString()} ${read.channel} is not leaf ${doc.indexInBatch} of batch ${r.batchId}: ${included.reason}` };
  return receipt;
}

/** Two checkpoints of one log and a consistency proof between them: the later one extends the earlier. */
export function verifyCheckpointConsistency(firstNote: string, secondNote: string, proof: readonly string[], trust: TrustAnchors): Verified<{ first: Checkpoint; second: Checkpoint }> {
  const first = verifyCheckpoint(firstNote, trust);
  if (!first.ok) return first;
  const second = verifyCheckpoint(secondNote, trust);
  if (!second.ok) return second;
  const a = first.checkpoint;
  const b = second.checkpoint;
  if (a.origin !== b.origin) return { ok: false, code: 'WRONG_ORIGIN', reason: `the checkpoints are of different logs (${a.origin}, ${b.origin})` };
  const [older, newer] = a.size <= b.size ? [a, b] : [b, a];
  const result = verifyConsistency(RFC6962_SHA256, older.size, newer.size, proof.map(unb64), older.rootHash, newer.rootHash);
  if (!result.ok) return { ok: false, code: 'INCONSISTENT', reason: `the checkpoint of size ${newer.size} (root ${b64(newer.rootHash)}) does not extend the one of size ${older.size} (root ${b64(older.rootHash)}): ${result.reason}` };
  return { ok: true, first: a, second: b };
}

/**
 * Trust anchors from note verifier keys alone: the notary signs receipts (JWS) with the same
 * Ed25519 key that signs checkpoints, and its JWS kid is the RFC 7638 thumbprint of that key,
 * so the verifier key string (GET /v1/log/key) is all an auditor needs to hold.
 */
export async function trustFromVerifierKeys(verifierKeys: readonly string[], origin?: string): Promise<TrustAnchors> {
  const noteKeys = verifierKeys.map((k) => parseVerifierKey(k));
  const jwks = await Promise.all(
    noteKeys.map(async (k) => {
      const jwk: JWK = { crv: 'Ed25519', kty: 'OKP', x: Buffer.from(k.publicKey).toString('base64url') };
      return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'EdDSA' };
    }),
  );
  return { noteKeys, jwks, ...(origin === undefined ? {} : { origin }) };
}
