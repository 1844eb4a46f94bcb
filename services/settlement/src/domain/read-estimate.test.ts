import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESTIMATE_LOOKBACK_DAYS, estimateBlocks } from './read-estimate.js';

test('a missing block takes the same block of the most recent prior day with a read (hand-worked)', () => {
  assert.deepEqual(estimateBlocks([1000, -1, -1, 1000], [[900, -1, 700, 900], [800, 600, 500, 800]]), { wh: [1000, 600, 700, 1000], estimated: 2, missing: 0 });
});

test('no prior day with a read of the block (or only beyond the look-back): still missing', () => {
  const old = Array.from({ length: ESTIMATE_LOOKBACK_DAYS }, () => [-1]);
  assert.deepEqual(estimateBlocks([-1], [...old, [500]]), { wh: [-1], estimated: 0, missing: 1 });
  assert.deepEqual(estimateBlocks([-1, 0], []), { wh: [-1, 0], estimated: 0, missing: 1 });
});
