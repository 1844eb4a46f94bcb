import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { checkpointSize, fullTilePaths, percentileOf, tileIndexPath } from './tile-paths.js';

test('tile indices in the x001/x234/067 form of c2sp.org/tlog-tiles', () => {
  assert.equal(tileIndexPath(0), '000');
  assert.equal(tileIndexPath(15), '015');
  assert.equal(tileIndexPath(999), '999');
  assert.equal(tileIndexPath(1000), 'x001/000');
  assert.equal(tileIndexPath(1_234_067), 'x001/x234/067');
  assert.throws(() => tileIndexPath(-1));
  assert.throws(() => tileIndexPath(1.5));
});

test('a log of 4,096 entries has 16 full level-0 tiles and bundles; a partial one is not listed', () => {
  const { tiles, bundles } = fullTilePaths(4_096 + 255);
  assert.equal(tiles.length, 16);
  assert.equal(tiles[0], 'tile/0/000');
  assert.equal(tiles[15], 'tile/0/015');
  assert.equal(bundles[15], 'tile/entries/015');
  assert.deepEqual(fullTilePaths(255), { tiles: [], bundles: [] });
});

test('the tree size is the second line of a checkpoint', () => {
  assert.equal(checkpointSize('example.com/logs/X\n4096\nAAAA=\n\n— example.com/logs/X abc=\n'), 4096);
  assert.throws(() => checkpointSize('origin\n04096\nhash\n'));
  assert.throws(() => checkpointSize('origin only'));
});

test('nearest-rank percentiles', () => {
  const v = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentileOf(v, 0.5), 50);
  assert.equal(percentileOf(v, 0.99), 99);
  assert.equal(percentileOf(v, 1), 100);
  assert.ok(Number.isNaN(percentileOf([], 0.5)));
});
