import { Buffer } from 'buffer';
import { base64url, calculateJwkThumbprint, type JWK } from 'jose';
import { RFC6962_SHA256, verifyConsistency, verifyInclusion } from '@ies/merkle';
import { canonicalReadBytes, type PublicRead } from './canonical-read.js';
import { parseCheckpoint, type Checkpoint } from './checkpoint.js';
import { logEntryBytes } from './log-entry.js';
import { verifyCosignatures } from './cosignature.js';
import { verifyMlDsaLines } from './mldsa.js';
import { openNote, parseVerifierKey, type NoteVerifier } from './note.js';
import { checkSignedJson, type ReceiptDocument, type WitnessedCheckpoint } from './receipt.js';

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
  /** The log's ML-DSA-44 keys (parseMlDsaKey), for a policy that asks for its post-quantum line. */
  readonly mlDsaKeys?: readonly NoteVerifier[];
  /**
   * Which of the log's own signatures a checkpoint must carry: `ed25519` (the default),
   * `ml-dsa-44`, `both`, or `either`; each by a key named after the origin.
   */
  readonly logSignatures?: 'ed25519' | 'ml-dsa-44' | 'both' | 'either';
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
  const policy = trust.logSignatures ?? 'ed25519';
  const ed = policy === 'ml-dsa-44' ? undefined : ed25519Checkpoint(note, trust);
  const pq = policy === 'ed25519' ? undefined : mlDsaCheckpoint(note, trust);
  const decided = policy === 'ed25519' ? ed! : policy === 'ml-dsa-44' ? pq! : policy === 'both' ? (!ed!.ok ? ed! : pq!) : ed!.ok ? ed! : pq!.ok ? pq! : ed!;
  if (!decided.ok) return decided;
  const witnessed = witnessesOf(note, trust);
  if (!witnessed.ok) return witnessed;
  return { ok: true, checkpoint: decided.checkpoint, witnessedBy: witnessed.witnessedBy };
}

/** The log's Ed25519 line (c2sp.org/signed-note type 0x01) by a key named after the origin. */
function ed25519Checkpoint(note: string, trust: TrustAnchors): Verified<{ checkpoint: Checkpoint }> {
  const opened = openNote(note, trust.noteKeys);
  if (!opened.ok) return { ok: false, code: opened.code === 'MALFORMED_NOTE' || opened.code === 'MALFORMED_KEY' ? 'MALFORMED' : opened.code, reason: `checkpoint: ${opened.reason}` };
  const parsed = parseCheckpoint(opened.body);
  if (!parsed.ok) return { ok: false, code: 'MALFORMED', reason: `checkpoint: ${parsed.reason}` };
  if (trust.origin !== undefined && parsed.checkpoint.origin !== trust.origin) return { ok: false, code: 'WRONG_ORIGIN', reason: `checkpoint origin ${JSON.stringify(parsed.checkpoint.origin)} is not the expected ${JSON.stringify(trust.origin)}` };
  if (!opened.verifiedBy.some((k) => k.name === parsed.checkpoint.origin)) return { ok: false, code: 'UNKNOWN_KEY', reason: `checkpoint of ${parsed.checkpoint.origin} is not signed by a key named after its origin` };
  return { ok: true, checkpoint: parsed.checkpoint };
}

/** The log's ML-DSA-44 line (type 0x06, subtree/v1 message) by a key named after the origin. */
function mlDsaCheckpoint(note: string, trust: TrustAnchors): Verified<{ checkpoint: Checkpoint }> {
  const split = note.lastIndexOf('\n\n');
  const parsed = split < 0 ? undefined : parseCheckpoint(note.slice(0, split + 1));
  if (!parsed?.ok) return { ok: false, code: 'MALFORMED', reason: `checkpoint: ${parsed ? parsed.reason : 'not a signed note'}` };
  if (trust.origin !== undefined && parsed.checkpoint.origin !== trust.origin) return { ok: false, code: 'WRONG_ORIGIN', reason: `checkpoint origin ${JSON.stringify(parsed.checkpoint.origin)} is not the expected ${JSON.stringify(trust.origin)}` };
  const checked = verifyMlDsaLines(note, trust.mlDsaKeys ?? []);
  if (!checked.ok) return { ok: false, code: checked.code === 'MALFORMED_NOTE' ? 'MALFORMED' : 'BAD_SIGNATURE', reason: `checkpoint: ${checked.reason}` };
  if (!checked.signedBy.some((s) => s.key.name === parsed.checkpoint.origin)) return { ok: false, code: 'UNKNOWN_KEY', reason: `checkpoint of ${parsed.checkpoint.origin} carries no ML-DSA-44 line by a known key named after its origin` };
  return { ok: true, checkpoint: parsed.checkpoint };
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

/**
 * A batch receipt: notary JWS over its canonical body, its checkpoint, and the entry's
 * inclusion in that checkpoint. Under a witness policy the receipt's checkpoint (signed by the
 * notary at append time, before any witness saw it) counts when it carries the quorum's
 * cosignatures itself, or when the document's `witnessed` checkpoint does and is proven to
 * extend it; `witnessedBy` names the witnesses either way.
 */
export async function verifyReceipt(doc: ReceiptDocument, trust: TrustAnchors): Promise<Verified<{ checkpoint: Checkpoint; witnessedBy: readonly string[] }>> {
  const r = doc.receipt;
  if (typeof r !== 'object' || r === null || typeof doc.jws !== 'string') return { ok: false, code: 'MALFORMED', reason: 'a receipt document is {"receipt": {...}, "jws": "..."}' };
  const signed = await checkSignedJson(doc.jws, r, trust.jwks);
  if (!signed.ok) return { ok: false, code: signed.code, reason: `receipt: ${signed.reason}` };
  const cp = verifyCheckpoint(r.checkpoint, { ...trust, witnesses: undefined });
  if (!cp.ok) return cp;
  const { size, rootHash } = cp.checkpoint;
  if (!Number.isSafeInteger(r.logIndex) || r.logIndex < 0 || r.logIndex >= size) return { ok: false, code: 'INDEX_OUT_OF_RANGE', reason: `log index ${r.logIndex} is not inside the checkpoint's ${size} entries` };
  const leaf = RFC6962_SHA256.hashLeaf(logEntryBytes(r));
  const included = verifyInclusion(RFC6962_SHA256, r.logIndex, size, leaf, r.inclusionProof.map(unb64), rootHash);
  if (!included.ok) return { ok: false, code: 'INCLUSION_MISMATCH', reason: `batch ${r.batchId} at log index ${r.logIndex} is not proven in the checkpoint of size ${size}: ${included.reason}` };
  if (trust.witnesses === undefined) return { ok: true, checkpoint: cp.checkpoint, witnessedBy: [] };
  const own = witnessesOf(r.checkpoint, trust);
  if (own.ok) return { ok: true, checkpoint: cp.checkpoint, witnessedBy: own.witnessedBy };
  if (doc.witnessed === undefined) return { ok: false, code: 'NOT_WITNESSED', reason: `the receipt's checkpoint (size ${size}) is not cosigned by the policy's witnesses and the document carries no witnessed checkpoint extending it (${own.reason})` };
  const extended = verifyWitnessedExtension(cp.checkpoint, doc.witnessed, trust);
  return extended.ok ? { ok: true, checkpoint: cp.checkpoint, witnessedBy: extended.witnessedBy } : extended;
}

/**
 * `witnessed` is a checkpoint of the same log, cosigned by the policy's quorum of witnesses,
 * that extends `earlier` (its consistency proof verifies): the witnesses vouch for `earlier`
 * too, since any other history at `earlier`'s size could not be extended to what they cosigned.
 */
export function verifyWitnessedExtension(earlier: Pick<Checkpoint, 'origin' | 'size' | 'rootHash'>, witnessed: WitnessedCheckpoint, trust: TrustAnchors): Verified<{ witnessed: Checkpoint; witnessedBy: readonly string[] }> {
  if (typeof witnessed?.checkpoint !== 'string' || !Array.isArray(witnessed.consistency)) return { ok: false, code: 'MALFORMED', reason: 'a witnessed checkpoint is {"checkpoint": "<cosigned note>", "consistency": ["<base64 hash>", …]}' };
  const w = verifyCheckpoint(witnessed.checkpoint, trust);
  if (!w.ok) return { ok: false, code: w.code, reason: `witnessed checkpoint: ${w.reason}` };
  if (w.checkpoint.origin !== earlier.origin) return { ok: false, code: 'WRONG_ORIGIN', reason: `the witnessed checkpoint is of ${w.checkpoint.origin}, not of ${earlier.origin}` };
  if (w.checkpoint.size < earlier.size) return { ok: false, code: 'INDEX_OUT_OF_RANGE', reason: `the witnessed checkpoint (size ${w.checkpoint.size}) is older than the one it should extend (size ${earlier.size})` };
  const consistent = verifyConsistency(RFC6962_SHA256, earlier.size, w.checkpoint.size, witnessed.consistency.map(unb64), earlier.rootHash, w.checkpoint.rootHash);
  if (!consistent.ok) return { ok: false, code: 'INCONSISTENT', reason: `the witnessed checkpoint of size ${w.checkpoint.size} does not extend the checkpoint of size ${earlier.size}: ${consistent.reason}` };
  return { ok: true, witnessed: w.checkpoint, witnessedBy: w.witnessedBy };
}

/** A read's proof: the read's path in its batch tree leads to the batch root a verified receipt carries. */
export interface ReadProofDocument {
  readonly read: PublicRead & { readonly blockStart: number | string };
  readonly indexInBatch: number;
  readonly batchPath: readonly string[];
  readonly receipt: ReceiptDocument;
}

export async function verifyReadProof(doc: ReadProofDocument, trust: TrustAnchors): Promise<Verified<{ checkpoint: Checkpoint; witnessedBy: readonly string[] }>> {
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
      const jwk: JWK = { crv: 'Ed25519', kty: 'OKP', x: base64url.encode(k.publicKey) };
      return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'EdDSA' };
    }),
  );
  return { noteKeys, jwks, ...(origin === undefined ? {} : { origin }) };
}
