import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { RFC6962_SHA256 } from './hasher.js';
import { consistencyProof, consistencyProofFromNodes, inclusionProof, inclusionProofFromNodes } from './proof.js';
import { buildTree, rootFromLeafHashes, treeNode, type MerkleTree } from './tree.js';
import { HASH_SIZE, TILE_WIDTH, foldTileSlice, formatTileIndex, tileNodeReader, tilePath, tileSliceOf } from './tiles.js';
import { verifyConsistency } from './verify.js';

const leaves = (n: number) => Array.from({ length: n }, (_, i) => RFC6962_SHA256.hashLeaf(Uint8Array.of(i & 255, (i >> 8) & 255, i >> 16)));
const N = 70_000;
const TREE = buildTree(RFC6962_SHA256, leaves(N));
/** The store: tile (t, k) = level-8t hashes [256k, 256k+256). */
const tile = (tree: MerkleTree, t: number, k: number) => Buffer.concat(tree.levels[8 * t]!.slice(k * TILE_WIDTH, (k + 1) * TILE_WIDTH));

test('every perfect node folds from its tile slice (levels 0–17, 70,000 leaves)', () => {
  for (let level = 0; level < TREE.levels.length; level++) {
    const count = TREE.levels[level]!.length;
    for (const index of [0, 1, Math.floor(count / 2), count - 1].filter((i) => i >= 0 && i < count)) {
      const s = tileSliceOf({ level, index });
      const bytes = tile(TREE, s.tileLevel, s.tileIndex).subarray(s.offset * HASH_SIZE, (s.offset + s.count) * HASH_SIZE);
      assert.deepEqual(foldTileSlice(bytes, s), treeNode(TREE, { level, index }), `node ${level}:${index}`);
    }
  }
});

test('tile indices and paths in the c2sp.org/tlog-tiles form', () => {
  assert.equal(formatTileIndex(0), '000');
  assert.equal(formatTileIndex(1000), 'x001/000');
  assert.equal(formatTileIndex(1234067), 'x001/x234/067');
  assert.equal(tilePath({ kind: 'tile', level: 1, index: 1234067, width: 7 }), 'tile/1/x001/x234/067.p/7');
  assert.equal(tilePath({ kind: 'entries', index: 2, width: undefined }), 'tile/entries/002');
  assert.throws(() => formatTileIndex(-1), RangeError);
});

/** A tiled log of the tree cut at `size`, as a server holds it: full tiles, and the partial tile that size holds at each level. */
function served(size: number): { fetched: string[]; fetchTile: (path: string) => Promise<Uint8Array> } {
  const tree = buildTree(RFC6962_SHA256, leaves(size));
  const fetched: string[] = [];
  return {
    fetched,
    fetchTile: async (path) => {
      fetched.push(path);
      const m = /^tile\/(\d+)\/((?:x\d{3}\/)*\d{3})(?:\.p\/(\d+))?$/.exec(path);
      if (!m) throw new Error(`not a tile path: ${path}`);
      const [level, index] = [Number(m[1]), Number(m[2]!.replace(/x|\//g, ''))];
      const full = tile(tree, level, index);
      const width = m[3] === undefined ? TILE_WIDTH : Number(m[3]);
      if (full.length < width * HASH_SIZE) throw new Error(`${path}: a tree of ${size} does not hold it`);
      return full.subarray(0, width * HASH_SIZE);
    },
  };
}

test('consistency and inclusion proofs built from a tiled log equal those built from the whole tree, and verify', async () => {
  const size = 66_000; // level-1 tiles: 257 full level-8 nodes; the last level-0 tile is partial (208 of 256)
  const log = served(size);
  const read = tileNodeReader(size, log.fetchTile);
  const first = leaves(size);
  for (const [m, n] of [[1, 2], [255, 256], [256, 257], [1000, 65_536], [65_536, 66_000], [7, 66_000], [65_999, 66_000], [40_000, 50_000]] as const) {
    const fromTiles = await consistencyProofFromNodes(RFC6962_SHA256, m, n, read);
    assert.deepEqual(fromTiles, consistencyProof(RFC6962_SHA256, first, m, n), `consistency ${m} → ${n}`);
    const root = (k: number) => rootFromLeafHashes(RFC6962_SHA256, first.slice(0, k));
    assert.ok(verifyConsistency(RFC6962_SHA256, m, n, fromTiles, root(m), root(n)).ok, `verifies ${m} → ${n}`);
  }
  for (const index of [0, 255, 256, 65_535, 65_999]) assert.deepEqual(await inclusionProofFromNodes(RFC6962_SHA256, index, size, read), inclusionProof(RFC6962_SHA256, first, index), `inclusion ${index}`);
  assert.equal(new Set(log.fetched).size, log.fetched.length, 'each tile fetched once');
  assert.ok(log.fetched.includes('tile/0/257.p/208') && log.fetched.includes('tile/1/001.p/1'), log.fetched.join(' '));
});

test('a tile of the wrong length is refused', async () => {
  const read = tileNodeReader(300, async () => new Uint8Array(10));
  await assert.rejects(Promise.resolve(read([{ level: 0, index: 299 }])), /has 10 bytes, expected 1408/);
  await assert.rejects(Promise.resolve(tileNodeReader(300, async () => new Uint8Array(0))([{ level: 0, index: 300 }])), /not in a tree of 300 entries/);
});
