// merkletreejs 0.6.0 configured to RFC 6962 as an independent oracle: leaves pre-hashed with the
// 0x00 prefix, a concatenator that prepends 0x01, SHA-256 from node:crypto, and none of
// sortPairs / duplicateOdd / complete. Its lone odd node is carried up unhashed, which is the
// RFC 6962 shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { MerkleTree } from 'merkletreejs';
import { RFC6962_SHA256 as H } from './hasher.js';
import { inclusionProof } from './proof.js';
import { referenceLeaf } from './reference-vectors.js';
import { rootFromLeafHashes } from './tree.js';
import { verifyInclusion } from './verify.js';

const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();
const rfc6962Tree = (leafHashes: readonly Uint8Array[]) =>
  new MerkleTree(leafHashes.map((h) => Buffer.from(h)), sha256, { concatenator: (parts: Buffer[]) => Buffer.concat([Buffer.from([0x01]), ...parts]) });
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const leafHashes = Array.from({ length: 64 }, (_, i) => H.hashLeaf(referenceLeaf(i)));

test('merkletreejs (RFC-configured) agrees on the root of every tree of 1..64 leaves', () => {
  for (let n = 1; n <= 64; n++) {
    assert.equal(rfc6962Tree(leafHashes.slice(0, n)).getRoot().toString('hex'), hex(rootFromLeafHashes(H, leafHashes.slice(0, n))), `root of ${n}`);
  }
});

test('merkletreejs getProof(leaf, index) is the RFC 6962 audit path for every leaf of 1..64, and each side verifies the other', () => {
  for (let n = 1; n <= 64; n++) {
    const d = leafHashes.slice(0, n);
    const tree = rfc6962Tree(d);
    const root = tree.getRoot();
    for (let i = 0; i < n; i++) {
      const theirs = tree.getProof(Buffer.from(d[i]!), i);
      const ours = inclusionProof(H, d, i);
      assert.deepEqual(theirs.map((p) => p.data.toString('hex')), ours.map(hex), `audit path of leaf ${i} of ${n}`);
      assert.deepEqual(verifyInclusion(H, i, n, d[i]!, theirs.map((p) => p.data), root), { ok: true }, `our verifier accepts their proof, ${i} of ${n}`);
      assert.equal(tree.verify(theirs, Buffer.from(d[i]!), root), true, `their verifier accepts their proof, ${i} of ${n}`);
    }
  }
});

test('merkletreejs quirks this package does not share', () => {
  // The empty tree: an empty buffer ("0x" as hex), not SHA-256("").
  const empty = rfc6962Tree([]);
  assert.equal(empty.getRoot().length, 0);
  assert.equal(empty.getHexRoot(), '0x');
  assert.equal(hex(rootFromLeafHashes(H, [])), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  // Without an index, getProof proves the LAST equal leaf; an unknown leaf gets an empty proof, not an error.
  const dup = [leafHashes[0]!, leafHashes[1]!, leafHashes[0]!];
  const tree = rfc6962Tree(dup);
  assert.deepEqual(tree.getProof(Buffer.from(dup[0]!)).map((p) => p.data.toString('hex')), inclusionProof(H, dup, 2).map(hex));
  assert.deepEqual(tree.getProof(Buffer.from(leafHashes[9]!)), []);
  // Its verify takes no index or size: sides come from the proof's own "position" fields, so
  // a position-less hex proof is read as all-left and fails for a left leaf.
  const t4 = rfc6962Tree(leafHashes.slice(0, 4));
  assert.equal(t4.verify(t4.getHexProof(Buffer.from(leafHashes[0]!), 0), Buffer.from(leafHashes[0]!), t4.getRoot()), false);
  assert.equal(t4.verify(t4.getProof(Buffer.from(leafHashes[0]!), 0), Buffer.from(leafHashes[0]!), t4.getRoot()), true);
});
