import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { RFC6962_SHA256, buildTree, consistencyProofFromTree, inclusionProofFromTree, verifyConsistency } from '@ies/merkle';
import { AppendWindow, EMPTY_RANGE, compactRangeRoot, type CompactRange } from './append-window.js';

const leaf = (i: number) => RFC6962_SHA256.hashLeaf(Uint8Array.of(i & 255, i >> 8));

test('appending in any split reproduces the full tree: roots, new-leaf proofs and consistency proofs', () => {
  for (let total = 1; total <= 70; total++) {
    const leaves = Array.from({ length: total }, (_, i) => leaf(i));
    const full = buildTree(RFC6962_SHA256, leaves);
    for (let old = 0; old < total; old += Math.max(1, Math.floor(total / 7))) {
      let range: CompactRange = EMPTY_RANGE;
      if (old > 0) range = new AppendWindow(EMPTY_RANGE, leaves.slice(0, old)).compactRange();
      const w = new AppendWindow(range, leaves.slice(old));
      assert.deepEqual(w.root(), full.root, `root ${old}→${total}`);
      for (let i = old; i < total; i++) assert.deepEqual(w.inclusionProof(i), inclusionProofFromTree(RFC6962_SHA256, full, i), `proof ${i} ${old}→${total}`);
      if (old > 0) {
        const proof = w.consistencyProof();
        assert.deepEqual(proof, consistencyProofFromTree(RFC6962_SHA256, full, old, total));
        assert.ok(verifyConsistency(RFC6962_SHA256, old, total, proof, compactRangeRoot(range), w.root()).ok);
      }
      assert.deepEqual(compactRangeRoot(w.compactRange()), full.root);
    }
  }
});

test('an old leaf cannot be proven from the compact range and a mismatched range is refused', () => {
  const w = new AppendWindow(new AppendWindow(EMPTY_RANGE, [leaf(0), leaf(1), leaf(2)]).compactRange(), [leaf(3)]);
  assert.throws(() => w.inclusionProof(1), /not one of the new leaves/);
  assert.throws(() => new AppendWindow({ size: 3, hashes: [leaf(0)] }, []), /has 2 nodes, got 1/);
});
