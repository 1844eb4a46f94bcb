import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RFC6962_SHA256 as H } from './hasher.js';
import { buildTree, rangeRoot, rootFromLeafHashes, treeRootAt } from './tree.js';

const leaves = Array.from({ length: 100 }, (_, i) => H.hashLeaf(Uint8Array.of(i)));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('buildTree keeps floor(n / 2^L) nodes per level and the same root as the streaming computation', () => {
  for (let n = 0; n <= 100; n++) {
    const tree = buildTree(H, leaves.slice(0, n));
    assert.equal(hex(tree.root), hex(rootFromLeafHashes(H, leaves.slice(0, n))), `root of ${n}`);
    tree.levels.forEach((level, l) => assert.equal(level.length, Math.floor(n / 2 ** l), `level ${l} of ${n}`));
  }
});

test('rightEdges holds MTH(D[begin:n]) for exactly the right-edge subtrees that are not perfect', () => {
  for (let n = 1; n <= 100; n++) {
    const tree = buildTree(H, leaves.slice(0, n));
    const expected: string[] = [];
    for (let width = 2; width / 2 < n; width *= 2) {
      const begin = Math.floor((n - 1) / width) * width;
      if (begin + width > n && n - begin > width / 2) expected.push(`${begin}:${hex(rangeRoot(H, leaves, begin, n))}`);
    }
    const actual = [...tree.rightEdges].map(([begin, h]) => `${begin}:${hex(h)}`);
    assert.deepEqual(actual.sort(), expected.sort(), `tree of ${n}`);
  }
});

test('treeRootAt gives the root of any prefix from the stored nodes alone', () => {
  const tree = buildTree(H, leaves);
  for (let n = 0; n <= 100; n++) assert.equal(hex(treeRootAt(H, tree, n)), hex(rootFromLeafHashes(H, leaves.slice(0, n))), `prefix ${n}`);
  assert.throws(() => treeRootAt(H, tree, 101), /size 101 is not within a tree of 100 leaves/);
});

test('rangeRoot refuses ranges outside the leaves', () => {
  assert.throws(() => rangeRoot(H, leaves, 5, 101), /leaf range \[5, 101\) is not within the 100 leaf hashes/);
  assert.throws(() => rangeRoot(H, leaves, 6, 5), /leaf range \[6, 5\)/);
  assert.equal(hex(rangeRoot(H, leaves, 7, 7)), hex(H.emptyRoot()));
});
