// The fast code against the naive RFC 6962 reference: testdata/reference-vectors.json (written
// by the reference) and, in memory, every inclusion and consistency proof of every tree up to
// 64 leaves, plus mutated copies of each that must all be refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RFC6962_SHA256 as H } from './hasher.js';
import { consistencyProof, consistencyProofFromTree, inclusionProof, inclusionProofFromTree } from './proof.js';
import { referencePath, referenceProof, referenceRoot } from './reference.js';
import { buildReferenceVectors, referenceLeaf, REFERENCE_MAX_SIZE, type ReferenceVectors } from './reference-vectors.js';
import { buildTree, rootFromLeafHashes, treeRootAt } from './tree.js';
import { verifyConsistency, verifyInclusion, type VerifyResult } from './verify.js';

const TESTDATA = new URL('../../../testdata/', import.meta.url);
const file = JSON.parse(readFileSync(new URL('reference-vectors.json', TESTDATA), 'utf8')) as ReferenceVectors;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

const N = REFERENCE_MAX_SIZE;
const entries = Array.from({ length: N }, (_, i) => referenceLeaf(i));
const leafHashes = entries.map((d) => H.hashLeaf(d));
const tree = buildTree(H, leafHashes);
// The naive answers, computed once: roots[n], paths[n][i], proofs[n][m].
const roots = Array.from({ length: N + 1 }, (_, n) => referenceRoot(H, entries.slice(0, n)));
const paths = roots.map((_, n) => Array.from({ length: n }, (_, i) => referencePath(H, i, entries.slice(0, n))));
const proofs = roots.map((_, n) => Array.from({ length: n + 1 }, (_, m) => (m === 0 ? [] : referenceProof(H, m, entries.slice(0, n)))));

const sameHashes = (a: readonly Uint8Array[], b: readonly Uint8Array[]) => a.length === b.length && a.every((h, i) => hex(h) === hex(b[i]!));
const flipBit = (proof: readonly Uint8Array[], at: number, bit: number) =>
  proof.map((h, i) => (i === at ? Uint8Array.from(h, (x, j) => (j === bit % h.length ? x ^ (1 << bit % 8) : x)) : h));
const OTHER = H.hashLeaf(Uint8Array.of(0xee));
const ok = (r: VerifyResult) => r.ok;

test('reference-vectors.json is exactly what the naive reference generates (regenerate with gen-reference-vectors)', () => {
  assert.deepEqual(file, buildReferenceVectors(H));
});

test('reference-vectors.json: fast roots, inclusion paths and consistency proofs equal the recorded ones for n = 1..64', () => {
  const hashOf = (label: string) => file.subtrees[label] ?? assert.fail(`label ${label} missing from subtrees`);
  assert.equal(file.roots[0], hex(H.emptyRoot()));
  for (const { size: n, paths: recorded } of file.inclusion) {
    assert.equal(hex(rootFromLeafHashes(H, leafHashes.slice(0, n))), file.roots[n], `root of ${n}`);
    recorded.forEach((labels, i) => assert.deepEqual(inclusionProofFromTree(H, tree, i, n).map(hex), labels.map(hashOf), `leaf ${i} of ${n}`));
  }
  for (const { size2: n, proofs: recorded } of file.consistency) {
    recorded.forEach((labels, k) => assert.deepEqual(consistencyProofFromTree(H, tree, k + 1, n).map(hex), labels.map(hashOf), `${k + 1} → ${n}`));
  }
  for (const [label, h] of Object.entries(file.subtrees)) {
    const [begin, end] = label.split('-').map(Number) as [number, number];
    assert.equal(hex(referenceRoot(H, entries.slice(begin, end))), h, `subtree ${label}`);
  }
});

test('roots: rootFromLeafHashes, buildTree and treeRootAt equal the naive MTH for n = 0..64', () => {
  for (let n = 0; n <= N; n++) {
    assert.equal(hex(rootFromLeafHashes(H, leafHashes.slice(0, n))), hex(roots[n]!), `rootFromLeafHashes ${n}`);
    assert.equal(hex(buildTree(H, leafHashes.slice(0, n)).root), hex(roots[n]!), `buildTree ${n}`);
    assert.equal(hex(treeRootAt(H, tree, n)), hex(roots[n]!), `treeRootAt ${n}`);
  }
});

test('every inclusion proof of every tree up to 64 leaves: generated = naive PATH, and it verifies', () => {
  for (let n = 1; n <= N; n++) {
    const own = buildTree(H, leafHashes.slice(0, n));
    for (let i = 0; i < n; i++) {
      const want = paths[n]![i]!;
      assert.ok(sameHashes(inclusionProof(H, leafHashes.slice(0, n), i), want), `inclusionProof ${i} of ${n}`);
      assert.ok(sameHashes(inclusionProofFromTree(H, own, i), want), `inclusionProofFromTree ${i} of ${n}`);
      assert.ok(sameHashes(inclusionProofFromTree(H, tree, i, n), want), `from the 64-leaf tree, ${i} of ${n}`);
      assert.deepEqual(verifyInclusion(H, i, n, leafHashes[i]!, want, roots[n]!), { ok: true }, `verify ${i} of ${n}`);
    }
  }
});

test('every consistency proof of every pair 0 ≤ m ≤ n ≤ 64: generated = naive PROOF, and it verifies', () => {
  for (let n = 0; n <= N; n++) {
    for (let m = 0; m <= n; m++) {
      const want = proofs[n]![m]!;
      assert.ok(sameHashes(consistencyProof(H, leafHashes, m, n), want), `consistencyProof ${m} → ${n}`);
      assert.ok(sameHashes(consistencyProofFromTree(H, tree, m, n), want), `consistencyProofFromTree ${m} → ${n}`);
      assert.deepEqual(verifyConsistency(H, m, n, want, roots[m]!, roots[n]!), { ok: true }, `verify ${m} → ${n}`);
    }
  }
});

test('mutated inclusion proofs are refused: flipped bits, other index, other size, wrong leaf or root, truncated, extra hashes', (t) => {
  let refused = 0;
  for (let n = 1; n <= N; n++) {
    for (let i = 0; i < n; i++) {
      const proof = paths[n]![i]!;
      const leaf = leafHashes[i]!;
      const root = roots[n]!;
      const must = (r: VerifyResult, what: string) => {
        assert.equal(r.ok, false, `leaf ${i} of ${n}, ${what}: accepted`);
        refused++;
      };
      for (let k = 0; k < proof.length; k++) for (const bit of [0, 7, 100, 255]) must(verifyInclusion(H, i, n, leaf, flipBit(proof, k, bit), root), `bit ${bit} of proof[${k}] flipped`);
      for (const j of [i - 1, i + 1, i ^ 1, i ^ 2, n, n + 1]) if (j !== i && j >= 0) must(verifyInclusion(H, j, n, leaf, proof, root), `index ${j}`);
      // Another size with that tree's true root: only that tree's own path may verify.
      for (const s of [n - 1, n + 1, 2 * n, Math.floor(n / 2)]) {
        if (s === n || s <= i || s > N) continue;
        const expected = sameHashes(proof, paths[s]![i]!);
        assert.equal(ok(verifyInclusion(H, i, s, leaf, proof, roots[s]!)), expected, `leaf ${i} of ${n} claimed for size ${s}`);
        if (!expected) refused++;
      }
      must(verifyInclusion(H, i, n, leafHashes[(i + 1) % N]!, proof, root), 'another leaf');
      must(verifyInclusion(H, i, n, leaf, proof, roots[n - 1]!), `the root of ${n - 1}`);
      must(verifyInclusion(H, i, n, leaf, proof, OTHER), 'a random root');
      if (proof.length > 0) {
        must(verifyInclusion(H, i, n, leaf, proof.slice(0, -1), root), 'last hash removed');
        must(verifyInclusion(H, i, n, leaf, proof.slice(1), root), 'first hash removed');
        if (proof.length > 1) must(verifyInclusion(H, i, n, leaf, [...proof].reverse(), root), 'order reversed');
      }
      must(verifyInclusion(H, i, n, leaf, [...proof, OTHER], root), 'a hash appended');
      must(verifyInclusion(H, i, n, leaf, [...proof, root], root), 'the root appended');
      must(verifyInclusion(H, i, n, leaf, [OTHER, ...proof], root), 'a hash prepended');
      must(verifyInclusion(H, i, n, leaf, [leaf, ...proof], root), 'the leaf prepended');
    }
  }
  assert.ok(refused > 30_000, `${refused} mutations refused`);
  t.diagnostic(`${refused} mutated proofs refused`);
});

test('mutated consistency proofs are refused: flipped bits, swapped roots, other sizes, truncated, extra hashes, the omitted old root', (t) => {
  let refused = 0;
  for (let n = 1; n <= N; n++) {
    for (let m = 1; m <= n; m++) {
      const proof = proofs[n]![m]!;
      const [root1, root2] = [roots[m]!, roots[n]!];
      const must = (r: VerifyResult, what: string) => {
        assert.equal(r.ok, false, `${m} → ${n}, ${what}: accepted`);
        refused++;
      };
      for (let k = 0; k < proof.length; k++) for (const bit of [0, 7, 100, 255]) must(verifyConsistency(H, m, n, flipBit(proof, k, bit), root1, root2), `bit ${bit} of proof[${k}] flipped`);
      if (m !== n) must(verifyConsistency(H, m, n, proof, root2, root1), 'roots swapped');
      must(verifyConsistency(H, m, n, proof, OTHER, root2), 'a random root1');
      must(verifyConsistency(H, m, n, proof, root1, OTHER), 'a random root2');
      if (m > 1) must(verifyConsistency(H, m, n, proof, roots[m - 1]!, root2), `root1 of ${m - 1}`);
      // Other sizes with those trees' true roots: only the true proof for them may verify.
      for (const [m2, n2] of [[m - 1, n], [m + 1, n], [m, n - 1], [m, n + 1], [m, 2 * n], [2 * m, n]] as const) {
        if ((m2 === m && n2 === n) || m2 < 1 || m2 > n2 || n2 > N) continue;
        const expected = sameHashes(proof, proofs[n2]![m2]!);
        assert.equal(ok(verifyConsistency(H, m2, n2, proof, roots[m2]!, roots[n2]!)), expected, `${m} → ${n} claimed for ${m2} → ${n2}`);
        if (!expected) refused++;
      }
      if (proof.length > 0) {
        must(verifyConsistency(H, m, n, proof.slice(0, -1), root1, root2), 'last hash removed');
        must(verifyConsistency(H, m, n, proof.slice(1), root1, root2), 'first hash removed');
        if (proof.length > 1) must(verifyConsistency(H, m, n, [...proof].reverse(), root1, root2), 'order reversed');
      }
      must(verifyConsistency(H, m, n, [...proof, OTHER], root1, root2), 'a hash appended');
      must(verifyConsistency(H, m, n, [...proof, root2], root1, root2), 'root2 appended');
      must(verifyConsistency(H, m, n, [root1, ...proof], root1, root2), 'root1 prepended (the node RFC 6962 omits for powers of two)');
      must(verifyConsistency(H, m, n, [OTHER, ...proof], root1, root2), 'a hash prepended');
    }
  }
  assert.ok(refused > 30_000, `${refused} mutations refused`);
  t.diagnostic(`${refused} mutated proofs refused`);
});
