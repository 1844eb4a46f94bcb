import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RFC6962_SHA256 as H } from './hasher.js';
import { inclusionPlan, nodeKey, type NodeId } from './node-ids.js';
import {
  assembleProof,
  consistencyProof,
  consistencyProofFromNodes,
  inclusionProof,
  inclusionProofFromNodes,
  inclusionProofFromTree,
} from './proof.js';
import { buildTree, treeNode } from './tree.js';

const leaves = Array.from({ length: 300 }, (_, i) => H.hashLeaf(Uint8Array.of(i % 256, i >> 8)));
const tree = buildTree(H, leaves);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** A node store that only holds complete subtrees and records what it was asked for. */
function store() {
  const asked: string[][] = [];
  const getNodes = async (ids: readonly NodeId[]) => {
    asked.push(ids.map(nodeKey));
    return ids.map((id) => treeNode(tree, id));
  };
  return { asked, getNodes };
}

test('proofs from a node store fetch exactly the planned complete subtrees, once, and equal the in-memory proofs', async () => {
  for (const [index, size] of [[0, 1], [5, 8], [0, 7], [299, 300], [123, 300], [256, 257]] as const) {
    const { asked, getNodes } = store();
    const proof = await inclusionProofFromNodes(H, index, size, getNodes);
    assert.deepEqual(proof.map(hex), inclusionProof(H, leaves.slice(0, size), index).map(hex), `leaf ${index} of ${size}`);
    assert.deepEqual(asked, size === 1 ? [] : [inclusionPlan(index, size).nodeIds.map(nodeKey)], `one fetch for leaf ${index} of ${size}`);
    assert.ok(asked.flat().length <= 2 * Math.ceil(Math.log2(size + 1)), 'O(log n) nodes');
  }
  for (const [m, n] of [[1, 8], [6, 7], [100, 300], [256, 300], [300, 300]] as const) {
    const { getNodes } = store();
    assert.deepEqual((await consistencyProofFromNodes(H, m, n, getNodes)).map(hex), consistencyProof(H, leaves, m, n).map(hex), `${m} → ${n}`);
  }
});

test('a synchronous node callback works too', async () => {
  const proof = await inclusionProofFromNodes(H, 7, 300, (ids) => ids.map((id) => treeNode(tree, id)));
  assert.deepEqual(proof.map(hex), inclusionProofFromTree(H, tree, 7).map(hex));
});

test('a store that returns the wrong number or size of hashes is refused with the node id', async () => {
  await assert.rejects(inclusionProofFromNodes(H, 5, 8, async (ids) => ids.slice(1).map((id) => treeNode(tree, id))), /the plan needs 3 node hashes, got 2/);
  await assert.rejects(inclusionProofFromNodes(H, 5, 8, async (ids) => ids.map((id) => treeNode(tree, id).subarray(1))), /node 0:4 hash is 31 bytes, expected 32/);
  assert.throws(() => assembleProof(H, inclusionPlan(0, 2), []), /needs 1 node hashes, got 0/);
});

test('generators refuse impossible requests', () => {
  assert.throws(() => inclusionProof(H, leaves.slice(0, 8), 8), /index 8 ≥ size 8/);
  assert.throws(() => consistencyProof(H, leaves.slice(0, 8), 3, 9), /size2 9 > the 8 leaf hashes given/);
  assert.throws(() => inclusionProofFromTree(H, buildTree(H, leaves.slice(0, 8)), 0, 9), /size 9 > the 8 leaves of the tree/);
  assert.throws(() => treeNode(buildTree(H, leaves.slice(0, 7)), { level: 1, index: 3 }), /node 1:3 is not a complete subtree of a tree of 7 leaves/);
});

test('a 50,000-leaf batch: the tree is built once and every sampled proof matches the one-off generator', () => {
  const batch = Array.from({ length: 50_000 }, (_, i) => H.hashLeaf(Buffer.from(`read-${i}`)));
  const built = buildTree(H, batch);
  for (const i of [0, 1, 32_767, 32_768, 49_998, 49_999]) {
    assert.deepEqual(inclusionProofFromTree(H, built, i).map(hex), inclusionProof(H, batch, i).map(hex), `leaf ${i}`);
  }
});
