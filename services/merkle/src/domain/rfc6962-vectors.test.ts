// External vectors: the CT / RFC 6962 data and transparency-dev's verification probes
// (testdata/*.json cite repository, path and commit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RFC6962_SHA256 as H } from './hasher.js';
import { consistencyPlan, inclusionPlan } from './node-ids.js';
import { consistencyProof, consistencyProofFromTree, inclusionProof, inclusionProofFromTree } from './proof.js';
import { referencePath, referenceProof, referenceRoot } from './reference.js';
import { buildTree, rootFromLeafHashes, treeNode } from './tree.js';
import { verifyConsistency, verifyInclusion } from './verify.js';

// Compiled tests run from dist/src/domain/, three levels below the package root.
const TESTDATA = new URL('../../../testdata/', import.meta.url);
const load = <T>(name: string): T => JSON.parse(readFileSync(new URL(name, TESTDATA), 'utf8')) as T;

interface CtVectors {
  leaves: string[];
  nodeHashes: { levels: string[][] };
  roots: string[];
  inclusion: { index: number; size: number; leaf: string; proof: string[]; root: string; expected: boolean }[];
  consistency: { size1: number; size2: number; root1: string; root2: string; proof: string[]; expected: boolean }[];
}
interface Probes {
  inclusion: { file: string; desc: string; wantErr: boolean; leafIdx: number; treeSize: number; leafHash: string; root: string; proof: string[] }[];
  consistency: { file: string; desc: string; wantErr: boolean; size1: number; size2: number; root1: string; root2: string; proof: string[] }[];
}

const ct = load<CtVectors>('rfc6962-vectors.json');
const probes = load<Probes>('transparency-dev-probes.json');
const bytes = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const entries = ct.leaves.map(bytes);
const leafHashes = entries.map((d) => H.hashLeaf(d));

test('CT vectors: the roots of sizes 0..8 (8 leaves: 5dc9da79…4328), fast and naive', () => {
  assert.equal(ct.roots.length, 9);
  assert.match(ct.roots[8]!, /^5dc9da79.*4328$/);
  for (let n = 0; n <= 8; n++) {
    assert.equal(hex(rootFromLeafHashes(H, leafHashes.slice(0, n))), ct.roots[n], `fast root of ${n}`);
    assert.equal(hex(buildTree(H, leafHashes.slice(0, n)).root), ct.roots[n], `built tree root of ${n}`);
    assert.equal(hex(referenceRoot(H, entries.slice(0, n))), ct.roots[n], `naive root of ${n}`);
  }
});

test('CT vectors: every complete subtree hash equals the built tree node (level, index)', () => {
  const tree = buildTree(H, leafHashes);
  ct.nodeHashes.levels.forEach((level, l) =>
    level.forEach((h, i) => assert.equal(hex(treeNode(tree, { level: l, index: i })), h, `node ${l}:${i}`)));
});

test('CT vectors: the known inclusion proofs are generated exactly and verify', () => {
  assert.equal(ct.inclusion.length, 5);
  for (const v of ct.inclusion) {
    const name = `leaf ${v.index} of ${v.size}`;
    const d = leafHashes.slice(0, v.size);
    assert.equal(hex(H.hashLeaf(bytes(v.leaf))), hex(leafHashes[v.index]!));
    assert.deepEqual(inclusionProof(H, d, v.index).map(hex), v.proof, `${name}: fast`);
    assert.deepEqual(inclusionProofFromTree(H, buildTree(H, leafHashes), v.index, v.size).map(hex), v.proof, `${name}: from a larger built tree`);
    assert.deepEqual(referencePath(H, v.index, entries.slice(0, v.size)).map(hex), v.proof, `${name}: naive`);
    assert.equal(inclusionPlan(v.index, v.size).hashes.length, v.proof.length);
    assert.deepEqual(verifyInclusion(H, v.index, v.size, leafHashes[v.index]!, v.proof.map(bytes), bytes(v.root)), { ok: v.expected }, name);
  }
});

test('CT vectors: the known consistency proofs are generated exactly and verify', () => {
  assert.equal(ct.consistency.length, 5);
  for (const v of ct.consistency) {
    const name = `${v.size1} → ${v.size2}`;
    assert.deepEqual(consistencyProof(H, leafHashes, v.size1, v.size2).map(hex), v.proof, `${name}: fast`);
    assert.deepEqual(consistencyProofFromTree(H, buildTree(H, leafHashes), v.size1, v.size2).map(hex), v.proof, `${name}: from a built tree`);
    assert.deepEqual(referenceProof(H, v.size1, entries.slice(0, v.size2)).map(hex), v.proof, `${name}: naive`);
    assert.equal(consistencyPlan(v.size1, v.size2).hashes.length, v.proof.length);
    assert.deepEqual(verifyConsistency(H, v.size1, v.size2, v.proof.map(bytes), bytes(v.root1), bytes(v.root2)), { ok: v.expected }, name);
  }
});

test('transparency-dev inclusion probes: every happy path verifies, every mutated copy is refused', () => {
  assert.equal(probes.inclusion.length, 98);
  for (const p of probes.inclusion) {
    const result = verifyInclusion(H, p.leafIdx, p.treeSize, bytes(p.leafHash), p.proof.map(bytes), bytes(p.root));
    assert.equal(result.ok, !p.wantErr, `${p.file} (${p.desc}): ${JSON.stringify(result)}`);
  }
});

// Where this verifier's outcome differs from transparency-dev's on purpose (README, "Edge cases").
const CONSISTENCY_DEVIATIONS: Record<string, { ok: false; code: string }> = {
  // Equal sizes, empty proof, equal "roots" that are 12-byte placeholders: transparency-dev
  // accepts (it never looks at the roots' length); we refuse anything that is not a 32-byte hash.
  'testdata/consistency/additional/sizes-are-equal-one-and-proof-is-empty.json': { ok: false, code: 'HASH_LENGTH' },
};

test('transparency-dev consistency probes: every happy path verifies, every mutated copy is refused', () => {
  assert.equal(probes.consistency.length, 98);
  for (const p of probes.consistency) {
    const result = verifyConsistency(H, p.size1, p.size2, p.proof.map(bytes), bytes(p.root1), bytes(p.root2));
    const deviation = CONSISTENCY_DEVIATIONS[p.file];
    if (deviation) assert.equal(result.ok || result.code, deviation.code, `${p.file} (${p.desc}): ${JSON.stringify(result)}`);
    else assert.equal(result.ok, !p.wantErr, `${p.file} (${p.desc}): ${JSON.stringify(result)}`);
  }
});
