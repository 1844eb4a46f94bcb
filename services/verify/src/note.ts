import { Buffer } from 'buffer';
import { ed25519KeyType, ed25519PrivateKeyFromSeed, ed25519PublicKeyOf, ed25519Sign, ed25519Verify, sha256, type Ed25519PrivateKey } from '#crypto';

/**
 * C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys, as written by
 * golang.org/x/mod/sumdb/note: a note is UTF-8 text ending in a newline, a blank line, then
 * one line per signature, `— <name> <base64(key hash ‖ signature)>`. The key hash is the
 * first 4 bytes (big-endian) of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key); 0x01 is the
 * Ed25519 algorithm byte. A verifier key is written `<name>+<hash as 8 hex>+<base64(0x01 ‖ public key)>`.
 */
export const ED25519_ALGORITHM = 0x01;
const SIGNATURE_PREFIX = '\u2014 ';

export interface NoteVerifier {
  readonly name: string;
  readonly keyHash: number;
  readonly publicKey: Uint8Array;
}

export interface NoteSigner extends NoteVerifier {
  readonly privateKey: Ed25519PrivateKey;
}

export type NoteFailureCode = 'MALFORMED_NOTE' | 'UNKNOWN_KEY' | 'BAD_SIGNATURE' | 'MALFORMED_KEY';
export type OpenedNote = { readonly ok: true; readonly body: string; readonly verifiedBy: readonly NoteVerifier[] } | { readonly ok: false; readonly code: NoteFailureCode; readonly reason: string };

export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name);
}

/** SHA-256(name ‖ "\n" ‖ signature type ‖ public key)[:4]; the type is 0x01 for notes, 0x04 for cosignature/v1. */
export function keyHash(name: string, publicKey: Uint8Array, signatureType: number = ED25519_ALGORITHM): number {
  const digest = sha256(name, '\n', Uint8Array.of(signatureType), publicKey);
  return new DataView(digest.buffer, digest.byteOffset, 4).getUint32(0);
}

export function formatVerifierKey(v: Pick<NoteVerifier, 'name' | 'publicKey'>, signatureType: number = ED25519_ALGORITHM): string {
  return `${v.name}+${hex8(keyHash(v.name, v.publicKey, signatureType))}+${Buffer.concat([Uint8Array.of(signatureType), v.publicKey]).toString('base64')}`;
}

/**
 * Parses `<name>+<hash>+<base64 key>` and checks the hash matches, as note.NewVerifier does.
 * `signatureType` is the type byte the key must carry: 0x01 (notes) or 0x04 (cosignature/v1).
 */
export function parseVerifierKey(text: string, signatureType: number = ED25519_ALGORITHM): NoteVerifier {
  const trimmed = text.trim();
  // The name holds no '+', the base64 key may: split at the first two.
  const plus1 = trimmed.indexOf('+');
  const plus2 = trimmed.indexOf('+', plus1 + 1);
  if (plus1 <= 0 || plus2 <= plus1) throw new NoteKeyError(`verifier key ${JSON.stringify(trimmed)} is not <name>+<hash>+<key>`);
  const name = trimmed.slice(0, plus1);
  const hashText = trimmed.slice(plus1 + 1, plus2);
  const key = Buffer.from(trimmed.slice(plus2 + 1), 'base64');
  if (!isValidKeyName(name)) throw new NoteKeyError(`verifier key name ${JSON.stringify(name)} is empty or holds whitespace or '+'`);
  if (!/^[0-9a-f]{8}$/.test(hashText)) throw new NoteKeyError(`verifier key hash ${JSON.stringify(hashText)} is not 8 lower-case hex digits`);
  if (key.length !== 33 || key[0] !== signatureType) throw new NoteKeyError(`verifier key is not an Ed25519 key of signature type 0x${hex2(signatureType)} (type byte ${key[0] === undefined ? 'missing' : `0x${hex2(key[0])}`}, ${key.length} bytes; want 33)`);
  const publicKey = new Uint8Array(key.subarray(1));
  const expected = keyHash(name, publicKey, signatureType);
  if (expected !== Number.parseInt(hashText, 16)) throw new NoteKeyError(`verifier key hash ${hashText} does not match its name and key (want ${hex8(expected)})`);
  return { name, keyHash: expected, publicKey };
}

/** A signer from an Ed25519 private KeyObject. */
export function noteSigner(name: string, privateKey: Ed25519PrivateKey): NoteSigner {
  if (!isValidKeyName(name)) throw new NoteKeyError(`key name ${JSON.stringify(name)} is empty or holds whitespace or '+'`);
  const publicKey = ed25519PublicKeyOf(privateKey);
  if (!publicKey) throw new NoteKeyError(`a note key must be Ed25519, not ${ed25519KeyType(privateKey)}`);
  return { name, publicKey, keyHash: keyHash(name, publicKey), privateKey };
}

/** The Ed25519 private key of a 32-byte seed (the form of note.NewSigner's `PRIVATE+KEY+…` strings). */
export function ed25519FromSeed(seed: Uint8Array): Ed25519PrivateKey {
  if (seed.length !== 32) throw new NoteKeyError(`an Ed25519 seed is 32 bytes, not ${seed.length}`);
  return ed25519PrivateKeyFromSeed(seed);
}

export function signNote(body: string, signer: NoteSigner): string {
  requireBody(body);
  const signature = Buffer.from(ed25519Sign(signer.privateKey, Buffer.from(body, 'utf8')));
  const blob = Buffer.alloc(4 + signature.length);
  blob.writeUInt32BE(signer.keyHash, 0);
  signature.copy(blob, 4);
  return `${body}\n${SIGNATURE_PREFIX}${signer.name} ${blob.toString('base64')}\n`;
}

/**
 * Verifies a note against known keys: at least one signature must be by a known key and
 * every signature by a known key must verify. Signatures by unknown keys are ignored, as
 * the spec requires (a note may carry cosignatures).
 */
export function openNote(text: string, verifiers: readonly NoteVerifier[]): OpenedNote {
  const split = text.lastIndexOf('\n\n');
  if (split < 0 || !text.endsWith('\n')) return fail('MALFORMED_NOTE', 'a signed note is text, a blank line and signature lines, ending in a newline');
  const body = text.slice(0, split + 1);
  const problem = bodyProblem(body);
  if (problem) return fail('MALFORMED_NOTE', problem);
  const lines = text.slice(split + 2, -1).split('\n');
  const verifiedBy: NoteVerifier[] = [];
  for (const [i, line] of lines.entries()) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/]+={0,2})$/u.exec(line);
    if (!m) return fail('MALFORMED_NOTE', `signature line ${i + 1} is not "— <name> <base64>"`);
    const [, name, b64] = m as unknown as [string, string, string];
    const blob = Buffer.from(b64, 'base64');
    if (blob.length < 5) return fail('MALFORMED_NOTE', `signature line ${i + 1} is too short`);
    const hash = blob.readUInt32BE(0);
    const key = verifiers.find((v) => v.name === name && v.keyHash === hash);
    if (!key) continue;
    if (!ed25519Verify(key.publicKey, Buffer.from(body, 'utf8'), blob.subarray(4))) return fail('BAD_SIGNATURE', `the signature by ${name}+${hex8(hash)} does not verify over the note's text`);
    verifiedBy.push(key);
  }
  if (verifiedBy.length === 0) return fail('UNKNOWN_KEY', `no signature by a known key (known: ${verifiers.map((v) => `${v.name}+${hex8(v.keyHash)}`).join(', ') || 'none'})`);
  return { ok: true, body, verifiedBy };
}

export class NoteKeyError extends Error {
  override readonly name = 'NoteKeyError';
}

function requireBody(body: string): void {
  const problem = bodyProblem(body);
  if (problem) throw new RangeError(problem);
}

function bodyProblem(body: string): string | undefined {
  if (!body.endsWith('\n')) return 'the note text must end with a newline';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f]/.test(body)) return 'the note text must not contain control characters other than newline';
  return undefined;
}

function fail(code: NoteFailureCode, reason: string): OpenedNote {
  return { ok: false, code, reason };
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}
