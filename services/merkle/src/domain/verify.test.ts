import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RFC6962_SHA256 as H } from './hasher.js';
import { consistencyProof, inclusionProof } from './proof.js';
import { rootFromLeafHashes } from './tree.js';
import { MerkleVerificationError, assertVerified, rootFromInclusionProof, verifyConsistency, verifyInclusion } from './verify.js';

const leaves = Array.from({ length: 8 }, (_, i) => H.hashLeaf(Uint8Array.of(i)));
const root = (n: number) => rootFromLeafHashes(H, leaves.slice(0, n));
const EMPTY = H.emptyRoot();
const X = H.hashLeaf(Uint8Array.of(0xee));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('inclusion failures carry a stable code and the numbers in the reason', () => {
  const proof = inclusionProof(H, leaves, 5);
  assert.deepEqual(verifyInclusion(H, 9, 8, leaves[5]!, proof, root(8)), { ok: false, code: 'INDEX_OUT_OF_RANGE', reason: 'index 9 ≥ size 8' });
  assert.deepEqual(verifyInclusion(H, 0, 0, leaves[0]!, [], EMPTY), { ok: false, code: 'INDEX_OUT_OF_RANGE', reason: 'index 0 ≥ size 0' });
  assert.deepEqual(verifyInclusion(H, -1, 8, leaves[5]!, proof, root(8)), { ok: false, code: 'INVALID_NUMBER', reason: 'index -1 is not an integer in 0..2^53-1' });
  assert.deepEqual(verifyInclusion(H, 5, 2 ** 64, leaves[5]!, proof, root(8)), { ok: false, code: 'INVALID_NUMBER', reason: 'size 18446744073709552000 is not an integer in 0..2^53-1' });
  assert.deepEqual(verifyInclusion(H, 5, 8, leaves[5]!, proof.slice(1), root(8)), { ok: false, code: 'PROOF_LENGTH', reason: 'proof has 2 hashes; leaf 5 of 8 needs 3' });
  assert.deepEqual(verifyInclusion(H, 5, 8, leaves[5]!.subarray(1), proof, root(8)), { ok: false, code: 'HASH_LENGTH', reason: 'leaf hash is 31 bytes, expected 32' });
  assert.deepEqual(verifyInclusion(H, 5, 8, leaves[5]!, [proof[0]!, new Uint8Array(0), proof[2]!], root(8)), { ok: false, code: 'HASH_LENGTH', reason: 'proof[1] is 0 bytes, expected 32' });
  assert.deepEqual(verifyInclusion(H, 5, 8, leaves[5]!, proof, new Uint8Array(0)), { ok: false, code: 'HASH_LENGTH', reason: 'root is 0 bytes, expected 32' });
  const wrong = verifyInclusion(H, 5, 8, leaves[4]!, proof, root(8));
  assert.equal(wrong.ok || wrong.code, 'ROOT_MISMATCH');
  assert.match(wrong.ok ? '' : wrong.reason, new RegExp(`^the proof for leaf 5 of 8 gives root [0-9a-f]{64}, not ${hex(root(8))}$`));
});

test('rootFromInclusionProof returns the root the proof implies', () => {
  const result = rootFromInclusionProof(H, 6, 7, leaves[6]!, inclusionProof(H, leaves.slice(0, 7), 6));
  assert.ok(result.ok);
  assert.deepEqual(Buffer.from(result.root), Buffer.from(root(7)));
  assert.equal(rootFromInclusionProof(H, 7, 7, leaves[6]!, []).ok, false);
});

test('consistency failures carry a stable code and the numbers in the reason', () => {
  const proof = consistencyProof(H, leaves, 6, 8);
  assert.deepEqual(verifyConsistency(H, 8, 6, proof, root(8), root(6)), { ok: false, code: 'SIZE_ORDER', reason: 'size1 8 > size2 6: a log never shrinks' });
  assert.deepEqual(verifyConsistency(H, 6, 8, proof.slice(0, 2), root(6), root(8)), { ok: false, code: 'PROOF_LENGTH', reason: 'proof has 2 hashes; from size 6 to 8 it needs 3' });
  assert.deepEqual(verifyConsistency(H, 6, 8, [], root(6), root(8)), { ok: false, code: 'PROOF_LENGTH', reason: 'proof has 0 hashes; from size 6 to 8 it needs 3' });
  assert.deepEqual(verifyConsistency(H, 6, 8, proof, root(6), root(8).subarray(0, 16)), { ok: false, code: 'HASH_LENGTH', reason: 'root2 is 16 bytes, expected 32' });
  const r1 = verifyConsistency(H, 6, 8, proof, root(5), root(8));
  assert.equal(r1.ok ? '' : `${r1.code} ${r1.reason}`, `ROOT_MISMATCH the proof gives root ${hex(root(6))} for size 6, not root1 ${hex(root(5))}`);
  const r2 = verifyConsistency(H, 6, 8, proof, root(6), root(7));
  assert.equal(r2.ok ? '' : `${r2.code} ${r2.reason}`, `ROOT_MISMATCH the proof gives root ${hex(root(8))} for size 8, not root2 ${hex(root(7))}`);
});

test('consistency edge cases: equal sizes and the empty tree (outside RFC 9162 §2.1.4.2, which assumes 0 < size1 < size2)', () => {
  assert.deepEqual(verifyConsistency(H, 5, 5, [], root(5), root(5)), { ok: true });
  assert.equal(verifyConsistency(H, 5, 5, [], root(5), root(6)).ok || 'refused', 'refused');
  assert.match(JSON.stringify(verifyConsistency(H, 5, 5, [X], root(5), root(5))), /PROOF_LENGTH.*from size 5 to 5 it must be empty/);
  // Every tree extends the empty tree: consistent, provided the old root really is the empty root.
  assert.deepEqual(verifyConsistency(H, 0, 0, [], EMPTY, EMPTY), { ok: true });
  assert.deepEqual(verifyConsistency(H, 0, 8, [], EMPTY, root(8)), { ok: true });
  assert.match(JSON.stringify(verifyConsistency(H, 0, 8, [], X, root(8))), /ROOT_MISMATCH.*is not the empty-tree root e3b0c442/);
  assert.match(JSON.stringify(verifyConsistency(H, 0, 0, [], X, X)), /ROOT_MISMATCH.*is not the empty-tree root/);
  assert.match(JSON.stringify(verifyConsistency(H, 0, 1, [EMPTY], EMPTY, leaves[0]!)), /PROOF_LENGTH/);
});

test('a proof does not authenticate the tree size: size and root must come together from one signed tree head', () => {
  // RFC 6962 property, not a bug: leaf 0's path in a tree of 3 has the same shape as in a tree
  // of 4, so against root(3) it "verifies" for either claimed size. A verifier that takes the
  // size from anywhere but the signed head holding the root can be told a wrong size.
  const proof = inclusionProof(H, leaves.slice(0, 3), 0);
  assert.deepEqual(verifyInclusion(H, 0, 3, leaves[0]!, proof, root(3)), { ok: true });
  assert.deepEqual(verifyInclusion(H, 0, 4, leaves[0]!, proof, root(3)), { ok: true });
  assert.equal(verifyInclusion(H, 0, 4, leaves[0]!, proof, root(4)).ok, false);
});

test('indices and sizes beyond 2^32 verify exactly (no 32-bit truncation)', () => {
  // A tree of 2^40 + 1 leaves: its root is H(R, L) where R is the root of the first 2^40 leaves
  // (stand-in hash) and L is the last leaf. The last leaf's path is [R].
  const R = X;
  const last = leaves[3]!;
  const top = H.hashChildren(R, last);
  assert.deepEqual(verifyInclusion(H, 2 ** 40, 2 ** 40 + 1, last, [R], top), { ok: true });
  assert.equal(verifyInclusion(H, 2 ** 40 - 1, 2 ** 40 + 1, last, [R], top).ok, false);
  // Consistency from 2^40 to 2^40 + 1: size1 is a power of two, so the proof is just [L].
  assert.deepEqual(verifyConsistency(H, 2 ** 40, 2 ** 40 + 1, [last], R, top), { ok: true });
  // With 32-bit arithmetic 2^32 + 1 would act like 1: make sure it does not.
  assert.equal(verifyConsistency(H, 2 ** 32 + 1, 2 ** 32 + 2, [last], R, top).ok, false);
});

test('assertVerified throws a MerkleVerificationError with the code, and passes silently on success', () => {
  assertVerified({ ok: true });
  assert.throws(
    () => assertVerified(verifyInclusion(H, 9, 8, leaves[0]!, [], root(8))),
    (err: unknown) => err instanceof MerkleVerificationError && err.code === 'INDEX_OUT_OF_RANGE' && err.message === 'index 9 ≥ size 8',
  );
});
