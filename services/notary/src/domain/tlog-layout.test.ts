import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { formatTileIndex, hashesAtTileLevel, tilePath, type TileResource } from '@ies/merkle';
import { decodeEntryBundle, encodeEntryBundle, parseTilePath, treeHolds } from './tlog-layout.js';

test('tile indices in the x001/x234/067 form (c2sp.org/tlog-tiles)', () => {
  assert.equal(formatTileIndex(0), '000');
  assert.equal(formatTileIndex(5), '005');
  assert.equal(formatTileIndex(999), '999');
  assert.equal(formatTileIndex(1000), 'x001/000');
  assert.equal(formatTileIndex(1234067), 'x001/x234/067');
  for (const n of [0, 7, 256, 1000, 65_536, 1234067, 999_999_999]) {
    const parsed = parseTilePath(formatTileIndex(n).replace(/^/, '0/'));
    assert.ok(parsed.ok && parsed.resource.index === n, `round trip of ${n}`);
  }
});

test('paths of tiles and entry bundles parse to what they name, and back', () => {
  const cases: [string, TileResource][] = [
    ['0/000', { kind: 'tile', level: 0, index: 0, width: undefined }],
    ['1/x001/x234/067.p/7', { kind: 'tile', level: 1, index: 1234067, width: 7 }],
    ['63/000.p/255', { kind: 'tile', level: 63, index: 0, width: 255 }],
    ['entries/002', { kind: 'entries', index: 2, width: undefined }],
    ['entries/x001/000.p/1', { kind: 'entries', index: 1000, width: 1 }],
  ];
  for (const [rest, resource] of cases) {
    assert.deepEqual(parseTilePath(rest), { ok: true, resource }, rest);
    assert.equal(tilePath(resource), `tile/${rest}`);
  }
});

test('non-canonical or malformed paths name nothing', () => {
  for (const rest of ['00/000', '64/000', '0/0', '0/0000', '0/x1/000', '0/x000/001', '0/001.p/0', '0/001.p/256', '0/001.p/07', '0/001.p/', '0/x001', 'entry/000', '-1/000', '0/000/', '0/000.p/1/2', 'x/000']) {
    const parsed = parseTilePath(rest);
    assert.equal(parsed.ok, false, rest);
  }
});

test('which tiles a tree holds: the spec example of a tree of 70,000 entries', () => {
  const size = 70_000;
  // 273 full level-0 tiles, a partial one of width 112; one full level-1 tile, a partial one of 17; a partial level-2 tile of 1.
  assert.equal(hashesAtTileLevel(0, size) % 256, 112);
  assert.equal(hashesAtTileLevel(1, size) % 256, 17);
  assert.equal(hashesAtTileLevel(2, size), 1);
  assert.ok(treeHolds({ kind: 'tile', level: 0, index: 272, width: undefined }, size));
  assert.ok(!treeHolds({ kind: 'tile', level: 0, index: 273, width: undefined }, size));
  assert.ok(treeHolds({ kind: 'tile', level: 0, index: 273, width: 112 }, size));
  assert.ok(!treeHolds({ kind: 'tile', level: 0, index: 273, width: 113 }, size));
  assert.ok(treeHolds({ kind: 'tile', level: 0, index: 3, width: 5 }, size), 'an earlier partial tile is a prefix of a full one');
  assert.ok(treeHolds({ kind: 'tile', level: 1, index: 0, width: undefined }, size));
  assert.ok(treeHolds({ kind: 'tile', level: 1, index: 1, width: 17 }, size));
  assert.ok(!treeHolds({ kind: 'tile', level: 1, index: 1, width: 18 }, size));
  assert.ok(treeHolds({ kind: 'tile', level: 2, index: 0, width: 1 }, size));
  assert.ok(!treeHolds({ kind: 'tile', level: 3, index: 0, width: 1 }, size));
  assert.ok(treeHolds({ kind: 'entries', index: 273, width: 112 }, size));
  assert.ok(!treeHolds({ kind: 'entries', index: 274, width: 1 }, size));
  // A tree of 256: one full level-0 tile and a level-1 tile of width 1.
  assert.ok(treeHolds({ kind: 'tile', level: 1, index: 0, width: 1 }, 256));
  assert.ok(!treeHolds({ kind: 'tile', level: 0, index: 1, width: 1 }, 256));
  assert.ok(!treeHolds({ kind: 'tile', level: 0, index: 0, width: 1 }, 0), 'an empty tree holds no tile');
});

test('entry bundles: 16-bit big-endian length prefixes', () => {
  const entries = [Buffer.from('{"a":1}'), Buffer.alloc(0), Buffer.alloc(300, 7)];
  const bundle = encodeEntryBundle(entries);
  assert.deepEqual([...bundle.subarray(0, 2)], [0, 7]);
  assert.deepEqual([...bundle.subarray(9, 11)], [0, 0]);
  assert.deepEqual([...bundle.subarray(11, 13)], [1, 44]);
  assert.equal(bundle.length, 2 + 7 + 2 + 2 + 300);
  assert.deepEqual(decodeEntryBundle(bundle).map((e) => Buffer.from(e)), entries);
  assert.throws(() => encodeEntryBundle([Buffer.alloc(65_536)]), /16-bit/);
  assert.throws(() => decodeEntryBundle(bundle.subarray(0, 5)), /claims 7 bytes/);
});
