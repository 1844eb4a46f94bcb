import { Buffer } from 'buffer';
import { ml_dsa44 } from '@noble/post-quantum/ml-dsa.js';
import { parseCheckpoint } from './checkpoint.js';
import { keyHash, type NoteVerifier } from './note.js';

/**
 * ML-DSA-44 (FIPS 204) signatures on checkpoints, as c2sp.org/tlog-cosignature specifies
 * them (signature type 0x06, the `subtree/v1` message): the post-quantum line a log adds to
 * its checkpoint beside its Ed25519 one, and that a witness may add as a cosignature. A
 * checkpoint is the subtree [0, size): start 0, end = size, hash = the root.
 */
export const MLDSA44_TYPE = 0x06;
export const MLDSA44_PUBLIC_KEY_BYTES = 1312;
export const MLDSA44_SIGNATURE_BYTES = 2420;
const LABEL = Buffer.from('subtree/v1\n\0', 'latin1');

export interface MlDsaSigner {
  readonly name: string;
  readonly keyHash: number;
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/** A signer from a 32-byte seed (FIPS 204 ML-DSA.KeyGen_internal): the seed is what a key file keeps. */
export function mlDsaSignerFromSeed(name: string, seed: Uint8Array): MlDsaSigner {
  if (seed.length !== 32) throw new RangeError(`an ML-DSA-44 seed is 32 bytes, not ${seed.length}`);
  const { publicKey, secretKey } = ml_dsa44.keygen(seed);
  return { name, keyHash: keyHash(name, publicKey, MLDSA44_TYPE), publicKey, secretKey };
}

/** `<name>+<key ID>+base64(0x06 ‖ 1312-byte public key)` (c2sp.org/signed-note vkey, type 0x06). */
export function formatMlDsaKey(s: Pick<MlDsaSigner, 'name' | 'publicKey'>): string {
  return `${s.name}+${keyHash(s.name, s.publicKey, MLDSA44_TYPE).toString(16).padStart(8, '0')}+${Buffer.concat([Uint8Array.of(MLDSA44_TYPE), s.publicKey]).toString('base64')}`;
}

export function parseMlDsaKey(vkey: string): NoteVerifier {
  const [name, hashText, ...rest] = vkey.trim().split('+');
  const key = Buffer.from(rest.join('+'), 'base64');
  if (!name || !hashText || !/^[0-9a-f]{8}$/.test(hashText)) throw new RangeError(`${JSON.stringify(vkey.slice(0, 40))}… is not a vkey <name>+<8 hex>+<base64 key>`);
  if (key.length !== 1 + MLDSA44_PUBLIC_KEY_BYTES || key[0] !== MLDSA44_TYPE) throw new RangeError(`vkey of ${name} is not an ML-DSA-44 key (type 0x06, ${1 + MLDSA44_PUBLIC_KEY_BYTES} bytes; got ${key.length} bytes, type 0x${(key[0] ?? 0).toString(16).padStart(2, '0')})`);
  const publicKey = new Uint8Array(key.subarray(1));
  const expected = keyHash(name, publicKey, MLDSA44_TYPE);
  if (expected !== Number.parseInt(hashText, 16)) throw new RangeError(`vkey hash ${hashText} of ${name} does not match its name and key`);
  return { name, keyHash: expected, publicKey };
}

const u64 = (n: number | bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};
const opaque8 = (text: string) => {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length < 1 || bytes.length > 255) throw new RangeError(`${JSON.stringify(text.slice(0, 40))} must be 1 to 255 bytes`);
  return Buffer.concat([Uint8Array.of(bytes.length), bytes]);
};

/** The `cosigned_message` of c2sp.org/tlog-cosignature for a checkpoint (start 0). */
export function subtreeMessage(o: { cosigner: string; timestamp: number; origin: string; size: number; rootHash: Uint8Array }): Buffer {
  if (o.rootHash.length !== 32) throw new RangeError('the root hash is 32 bytes');
  return Buffer.concat([LABEL, opaque8(o.cosigner), u64(o.timestamp), opaque8(o.origin), u64(0), u64(o.size), o.rootHash]);
}

/** The signature line for a checkpoint body: `— <name> base64(key ID ‖ u64 timestamp ‖ ML-DSA-44 signature)`. */
export function mlDsaCheckpointLine(checkpointBody: string, signer: MlDsaSigner, timestamp: number): string {
  const parsed = parseCheckpoint(checkpointBody);
  if (!parsed.ok) throw new RangeError(`not a checkpoint: ${parsed.reason}`);
  const { origin, size, rootHash } = parsed.checkpoint;
  const signature = ml_dsa44.sign(subtreeMessage({ cosigner: signer.name, timestamp, origin, size, rootHash }), signer.secretKey);
  const id = Buffer.alloc(4);
  id.writeUInt32BE(signer.keyHash);
  return `\u2014 ${signer.name} ${Buffer.concat([id, u64(timestamp), signature]).toString('base64')}\n`;
}

export type MlDsaCheck =
  | { readonly ok: true; readonly signedBy: readonly { readonly key: NoteVerifier; readonly timestamp: number }[] }
  | { readonly ok: false; readonly code: 'MALFORMED_NOTE' | 'BAD_SIGNATURE'; readonly reason: string };

/**
 * The ML-DSA-44 lines of `note` by the given keys (parseMlDsaKey), each verified over the
 * subtree/v1 message of the note's checkpoint. Lines by other keys are ignored; a line whose
 * name and key ID match a given key must verify, or the note is refused.
 */
export function verifyMlDsaLines(note: string, keys: readonly NoteVerifier[]): MlDsaCheck {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) return { ok: false, code: 'MALFORMED_NOTE', reason: 'a signed note is text, a blank line and signature lines, ending in a newline' };
  const parsed = parseCheckpoint(note.slice(0, split + 1));
  if (!parsed.ok) return { ok: false, code: 'MALFORMED_NOTE', reason: parsed.reason };
  const { origin, size, rootHash } = parsed.checkpoint;
  const signedBy: { key: NoteVerifier; timestamp: number }[] = [];
  for (const line of note.slice(split + 2, -1).split('\n')) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/]+={0,2})$/u.exec(line);
    if (!m) return { ok: false, code: 'MALFORMED_NOTE', reason: 'a signature line is not "— <name> <base64>"' };
    const blob = Buffer.from(m[2]!, 'base64');
    if (blob.length < 4) continue;
    const key = keys.find((k) => k.name === m[1] && k.keyHash === blob.readUInt32BE(0));
    if (!key) continue;
    if (blob.length !== 4 + 8 + MLDSA44_SIGNATURE_BYTES) return { ok: false, code: 'BAD_SIGNATURE', reason: `the ML-DSA-44 line of ${key.name} is ${blob.length} bytes, not ${4 + 8 + MLDSA44_SIGNATURE_BYTES}` };
    const timestamp = blob.readBigUInt64BE(4);
    if (timestamp > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, code: 'BAD_SIGNATURE', reason: `the ML-DSA-44 line of ${key.name} has timestamp ${timestamp}, beyond any real time` };
    const message = subtreeMessage({ cosigner: key.name, timestamp: Number(timestamp), origin, size, rootHash });
    if (!ml_dsa44.verify(new Uint8Array(blob.subarray(12)), message, key.publicKey)) return { ok: false, code: 'BAD_SIGNATURE', reason: `the ML-DSA-44 signature of ${key.name} does not verify over the checkpoint` };
    signedBy.push({ key, timestamp: Number(timestamp) });
  }
  return { ok: true, signedBy };
}
