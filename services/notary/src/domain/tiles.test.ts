import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { RFC6962_SHA256, buildTree, treeNode } from '@ies/merkle';
import { foldTileSlice, newStoredNodes, tileSliceOf, HASH_SIZE, TILE_WIDTH } from './tiles.js';

test('every perfect node folds from its tile slice (levels 0–17, 70,000 leaves)', () => {
  const n = 70_000;
  const tree = buildTree(RFC6962_SHA256, Array.from({ length: n }, (_, i) => RFC6962_SHA256.hashLeaf(Uint8Array.of(i & 255, (i >> 8) & 255, i >> 16))));
  // The store: tile (t, k) = level-8t hashes [256k, 256k+256).
  const tile = (t: number, k: number) => Buffer.concat(tree.levels[8 * t]!.slice(k * TILE_WIDTH, (k + 1) * TILE_WIDTH));
  for (let level = 0; level < tree.levels.length; level++) {
    const count = tree.levels[level]!.length;
    for (const index of [0, 1, Math.floor(count / 2), count - 1].filter((i) => i >= 0 && i < count)) {
      const s = tileSliceOf({ level, index });
      const bytes = tile(s.tileLevel, s.tileIndex).subarray(s.offset * HASH_SIZE, (s.offset + s.count) * HASH_SIZE);
      assert.deepEqual(foldTileSlice(bytes, s), treeNode(tree, { level, index }), `node ${level}:${index}`);
    }
  }
});

test('growing the log stores each leaf and each newly complete tile-level node exactly once', () => {
  const seen = new Set<string>();
  for (let size = 0; size < 70_000; ) {
    const next = size + 1 + ((size * 7919) % 900);
    for (const id of newStoredNodes(size, next)) {
      const key = `${id.level}:${id.index}`;
      assert.ok(!seen.has(key), `${key} stored twice`);
      assert.ok((id.index + 1) * 2 ** id.level <= next && (id.index + 1) * 2 ** id.level > size);
      seen.add(key);
    }
    size = next;
  }
  assert.ok(seen.has('16:0') && seen.has('8:255'));
});
