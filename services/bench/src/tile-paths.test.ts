import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { checkpointSizeOf } from '@ies/verify';
import { percentile } from './ingest.js';
import { fullTilePaths } from './tile-paths.js';

test('a log of 4,096 entries has 16 full level-0 tiles and bundles; a partial one is not listed', () => {
  const { tiles, bundles } = fullTilePaths(4_096 + 255);
  assert.equal(tiles.length, 16);
  assert.equal(tiles[0], 'tile/0/000');
  assert.equal(tiles[15], 'tile/0/015');
  assert.equal(bundles[15], 'tile/entries/015');
  assert.deepEqual(fullTilePaths(255), { tiles: [], bundles: [] });
});

test('the tree size is the second line of a checkpoint', () => {
  assert.equal(checkpointSizeOf(`example.com/logs/X\n4096\n${Buffer.alloc(32).toString('base64')}\n\n— example.com/logs/X abc=\n`), 4096);
  assert.throws(() => checkpointSizeOf(`origin\n04096\n${Buffer.alloc(32).toString('base64')}\n\n— origin abc=\n`));
  assert.throws(() => checkpointSizeOf('origin only'));
});

test('nearest-rank percentiles', () => {
  const v = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(v, 0.5), 50);
  assert.equal(percentile(v, 0.99), 99);
  assert.equal(percentile(v, 1), 100);
  assert.ok(Number.isNaN(percentile([], 0.5)));
});
