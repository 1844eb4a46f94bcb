import { Buffer } from 'buffer';
import { ed25519Sign, ed25519Verify, type Ed25519PrivateKey } from '#crypto';
import { keyHash, parseVerifierKey, formatVerifierKey, noteSigner, type NoteVerifier } from './note.js';

/**
 * Ed25519 checkpoint cosignatures, `cosignature/v1` of https://c2sp.org/tlog-cosignature:
 * a signed-note signature line `— <name> base64(key ID ‖ u64 timestamp ‖ Ed25519 signature)`
 * whose key ID is SHA-256(name ‖ "\n" ‖ 0x04 ‖ public key)[:4] and whose signed message is
 * `cosignature/v1\ntime <timestamp>\n` followed by the whole checkpoint body. The timestamp
 * is POSIX seconds, big-endian, never zero on an add-checkpoint answer (c2sp.org/tlog-witness).
 */
export const COSIGNATURE_V1_TYPE = 0x04;
const HEADER = 'cosignature/v1\n';
const SIGNATURE_BYTES = 4 + 8 + 64;
const MAX_TIMESTAMP = 2n ** 63n - 1n;

export interface Cosigner {
  readonly name: string;
  readonly keyHash: number;
  readonly publicKey: Uint8Array;
  readonly privateKey: Ed25519PrivateKey;
}

/** A cosigner (key ID with type 0x04) from an Ed25519 private key. */
export function cosigner(name: string, privateKey: Ed25519PrivateKey): Cosigner {
  const { publicKey } = noteSigner(name, privateKey);
  return { name, publicKey, privateKey, keyHash: keyHash(name, publicKey, COSIGNATURE_V1_TYPE) };
}

/** `<name>+<key ID>+base64(0x04 ‖ public key)`: what a log or verifier configures to trust the cosigner. */
export function formatCosignerKey(c: Pick<Cosigner, 'name' | 'publicKey'>): string {
  return formatVerifierKey(c, COSIGNATURE_V1_TYPE);
}

export function parseCosignerKey(vkey: string): NoteVerifier {
  return parseVerifierKey(vkey, COSIGNATURE_V1_TYPE);
}

/** The bytes a cosignature signs: header line, time line, then the checkpoint body (ending in a newline). */
export function cosignatureMessage(timestamp: number, checkpointBody: string): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError(`cosignature timestamp ${timestamp} is not a non-negative integer`);
  if (!checkpointBody.endsWith('\n')) throw new RangeError('a checkpoint body ends with a newline');
  return `${HEADER}time ${timestamp}\n${checkpointBody}`;
}

/** One signature line (ending in a newline) cosigning `checkpointBody` at `timestamp` (seconds). */
export function cosignatureLine(checkpointBody: string, c: Cosigner, timestamp: number): string {
  const signature = Buffer.from(ed25519Sign(c.privateKey, Buffer.from(cosignatureMessage(timestamp, checkpointBody), 'utf8')));
  const blob = Buffer.alloc(SIGNATURE_BYTES);
  blob.writeUInt32BE(c.keyHash, 0);
  blob.writeBigUInt64BE(BigInt(timestamp), 4);
  signature.copy(blob, 12);
  return `\u2014 ${c.name} ${blob.toString('base64')}\n`;
}

export interface VerifiedCosignature {
  readonly cosigner: NoteVerifier;
  /** POSIX seconds. */
  readonly timestamp: number;
}

export type CosignatureCheck =
  | { readonly ok: true; readonly cosignatures: readonly VerifiedCosignature[] }
  | { readonly ok: false; readonly code: 'MALFORMED_NOTE' | 'BAD_SIGNATURE'; readonly reason: string };

/**
 * The cosignatures of `note` (a signed checkpoint) by the given cosigners (keys parsed with
 * parseCosignerKey). Lines by other keys are ignored; a line whose name and key ID match a
 * known cosigner must verify, or the whole note is refused (c2sp.org/signed-note). The log's
 * own signature is not checked here: openNote does that with the log's key.
 */
export function verifyCosignatures(note: string, cosigners: readonly NoteVerifier[]): CosignatureCheck {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) return { ok: false, code: 'MALFORMED_NOTE', reason: 'a signed note is text, a blank line and signature lines, ending in a newline' };
  const body = note.slice(0, split + 1);
  const found: VerifiedCosignature[] = [];
  for (const [i, line] of note.slice(split + 2, -1).split('\n').entries()) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/]+={0,2})$/u.exec(line);
    if (!m) return { ok: false, code: 'MALFORMED_NOTE', reason: `signature line ${i + 1} is not "— <name> <base64>"` };
    const blob = Buffer.from(m[2]!, 'base64');
    if (blob.length < 4) return { ok: false, code: 'MALFORMED_NOTE', reason: `signature line ${i + 1} is too short` };
    const key = cosigners.find((c) => c.name === m[1] && c.keyHash === blob.readUInt32BE(0));
    if (!key) continue;
    const who = `${key.name}+${key.keyHash.toString(16).padStart(8, '0')}`;
    if (blob.length !== SIGNATURE_BYTES) return { ok: false, code: 'BAD_SIGNATURE', reason: `the cosignature by ${who} is ${blob.length} bytes, not ${SIGNATURE_BYTES}` };
    const timestamp = blob.readBigUInt64BE(4);
    if (timestamp > MAX_TIMESTAMP || timestamp > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, code: 'BAD_SIGNATURE', reason: `the cosignature by ${who} has timestamp ${timestamp}, beyond any real time` };
    const message = Buffer.from(cosignatureMessage(Number(timestamp), body), 'utf8');
    if (!ed25519Verify(key.publicKey, message, blob.subarray(12))) return { ok: false, code: 'BAD_SIGNATURE', reason: `the cosignature by ${who} does not verify over the checkpoint` };
    found.push({ cosigner: key, timestamp: Number(timestamp) });
  }
  return { ok: true, cosignatures: found };
}
