// Proof verification exactly as RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency),
// with up-front checks that only turn a failure the algorithm would also reach into a
// precise reason (wrong integer, wrong hash length, wrong number of hashes).
import type { Hasher } from './hasher.js';
import { consistencyProofLength, inclusionProofLength } from './node-ids.js';

/** Stable failure codes: match on these, show `reason`. */
export type VerifyFailureCode =
  | 'INVALID_NUMBER' // index or size is not an integer in 0..2^53-1
  | 'INDEX_OUT_OF_RANGE' // leaf index ≥ tree size
  | 'SIZE_ORDER' // size1 > size2
  | 'HASH_LENGTH' // a leaf hash, root or proof hash is not hasher.size bytes
  | 'PROOF_LENGTH' // the proof has the wrong number of hashes for the sizes
  | 'ROOT_MISMATCH'; // the proof does not reproduce the given root(s)

export interface VerifyFailure {
  readonly ok: false;
  readonly code: VerifyFailureCode;
  readonly reason: string;
}
export type VerifyResult = { readonly ok: true } | VerifyFailure;
export type RootResult = { readonly ok: true; readonly root: Uint8Array } | VerifyFailure;

const OK: VerifyResult = Object.freeze({ ok: true });

/** Thrown by assertVerified; carries the failure code. */
export class MerkleVerificationError extends Error {
  constructor(readonly code: VerifyFailureCode, reason: string) {
    super(reason);
    this.name = 'MerkleVerificationError';
  }
}

/** Turns a failed result into a thrown MerkleVerificationError, for callers that prefer exceptions. */
export function assertVerified(result: VerifyResult | RootResult): void {
  if (!result.ok) throw new MerkleVerificationError(result.code, result.reason);
}

/** Does `proof` show that `leafHash` is leaf `index` of the tree of `size` leaves whose root is `root`? */
export function verifyInclusion(
  hasher: Hasher,
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): VerifyResult {
  const bad = checkHash(hasher, 'root', root);
  if (bad) return bad;
  const computed = rootFromInclusionProof(hasher, index, size, leafHash, proof);
  if (!computed.ok) return computed;
  if (!equalBytes(computed.root, root)) {
    return fail('ROOT_MISMATCH', `the proof for leaf ${index} of ${size} gives root ${hex(computed.root)}, not ${hex(root)}`);
  }
  return OK;
}

/** The root that `proof` implies for leaf `index` with hash `leafHash` in a tree of `size` leaves (RFC 9162 §2.1.3.2 steps 1–3). */
export function rootFromInclusionProof(hasher: Hasher, index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[]): RootResult {
  const bad = checkCount('index', index) ?? checkCount('size', size) ?? checkHash(hasher, 'leaf hash', leafHash) ?? checkProofHashes(hasher, proof);
  if (bad) return bad;
  // Step 1.
  if (index >= size) return fail('INDEX_OUT_OF_RANGE', `index ${index} ≥ size ${size}`);
  const want = inclusionProofLength(index, size);
  if (proof.length !== want) return fail('PROOF_LENGTH', `proof has ${proof.length} hashes; leaf ${index} of ${size} needs ${want}`);
  // Step 2.
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  // Step 3.
  for (const p of proof) {
    if (sn === 0) return fail('PROOF_LENGTH', `proof has more than the ${want} hashes leaf ${index} of ${size} needs`);
    if (isOdd(fn) || fn === sn) {
      r = hasher.hashChildren(p, r);
      // "If LSB(fn) is not set, right-shift fn and sn until LSB(fn) is set or fn is 0."
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = hasher.hashChildren(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // Step 4 (first half; the root comparison is verifyInclusion's).
  if (sn !== 0) return fail('PROOF_LENGTH', `proof has fewer than the ${want} hashes leaf ${index} of ${size} needs`);
  return { ok: true, root: r };
}

/**
 * Does `proof` show that the tree of size2 leaves with root2 extends the tree of size1 leaves
 * with root1 (the first size1 leaves unchanged)?
 *
 * RFC 9162 §2.1.4.2 covers 0 < size1 < size2. Outside it: size1 = size2 needs an empty proof and
 * root1 = root2; size1 = 0 needs an empty proof and root1 = the empty-tree root, and then any
 * well-formed root2 is consistent (every tree extends the empty tree, so it proves nothing).
 */
export function verifyConsistency(
  hasher: Hasher,
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): VerifyResult {
  const bad =
    checkCount('size1', size1) ??
    checkCount('size2', size2) ??
    checkHash(hasher, 'root1', root1) ??
    checkHash(hasher, 'root2', root2) ??
    checkProofHashes(hasher, proof);
  if (bad) return bad;
  if (size1 > size2) return fail('SIZE_ORDER', `size1 ${size1} > size2 ${size2}: a log never shrinks`);
  if (size1 === 0 || size1 === size2) {
    if (proof.length !== 0) return fail('PROOF_LENGTH', `proof has ${proof.length} hashes; from size ${size1} to ${size2} it must be empty`);
    if (size1 === 0 && !equalBytes(root1, hasher.emptyRoot())) {
      return fail('ROOT_MISMATCH', `root1 ${hex(root1)} is not the empty-tree root ${hex(hasher.emptyRoot())}`);
    }
    if (size1 === size2 && !equalBytes(root1, root2)) return fail('ROOT_MISMATCH', `both trees have ${size1} leaves but root1 ${hex(root1)} ≠ root2 ${hex(root2)}`);
    return OK;
  }
  const want = consistencyProofLength(size1, size2);
  if (proof.length !== want) return fail('PROOF_LENGTH', `proof has ${proof.length} hashes; from size ${size1} to ${size2} it needs ${want}`);
  // Step 1.
  if (proof.length === 0) return fail('PROOF_LENGTH', `proof is empty; from size ${size1} to ${size2} it cannot be`);
  // Step 2 (the step some public code comments out): when size1 is a power of two its root is
  // a node of the new tree, which the proof leaves out.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  // Step 3.
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // Step 4.
  let fr = path[0]!;
  let sr = path[0]!;
  // Step 5.
  for (const c of path.slice(1)) {
    if (sn === 0) return fail('PROOF_LENGTH', `proof has more than the ${want} hashes from size ${size1} to ${size2} needs`);
    if (isOdd(fn) || fn === sn) {
      fr = hasher.hashChildren(c, fr);
      sr = hasher.hashChildren(c, sr);
      // The same shift as in inclusion: the step one public verifier leaves out.
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = hasher.hashChildren(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // Step 6.
  if (sn !== 0) return fail('PROOF_LENGTH', `proof has fewer than the ${want} hashes from size ${size1} to ${size2} needs`);
  if (!equalBytes(fr, root1)) return fail('ROOT_MISMATCH', `the proof gives root ${hex(fr)} for size ${size1}, not root1 ${hex(root1)}`);
  if (!equalBytes(sr, root2)) return fail('ROOT_MISMATCH', `the proof gives root ${hex(sr)} for size ${size2}, not root2 ${hex(root2)}`);
  return OK;
}

function fail(code: VerifyFailureCode, reason: string): VerifyFailure {
  return { ok: false, code, reason };
}

function checkCount(name: string, value: number): VerifyFailure | undefined {
  return Number.isSafeInteger(value) && value >= 0 ? undefined : fail('INVALID_NUMBER', `${name} ${value} is not an integer in 0..2^53-1`);
}

function checkHash(hasher: Hasher, name: string, h: Uint8Array): VerifyFailure | undefined {
  return h.length === hasher.size ? undefined : fail('HASH_LENGTH', `${name} is ${h.length} bytes, expected ${hasher.size}`);
}

function checkProofHashes(hasher: Hasher, proof: readonly Uint8Array[]): VerifyFailure | undefined {
  const at = proof.findIndex((p) => p.length !== hasher.size);
  return at < 0 ? undefined : fail('HASH_LENGTH', `proof[${at}] is ${proof[at]!.length} bytes, expected ${hasher.size}`);
}

// Numbers, not bitwise operators: those truncate to 32 bits and logs outgrow 2^32 leaves.
const isOdd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);
const isPowerOfTwo = (x: number): boolean => {
  while (x > 1 && x % 2 === 0) x /= 2;
  return x === 1;
};

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// Plain code rather than Buffer: this core also runs in the browser (the console's verifier).
function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}
