import { test } from 'node:test';
import assert from 'node:assert/strict';
import { intervalsInDuration, kwToWhPerInterval, rupeesToPaise } from './deg-units.js';

test('DEG decimals convert exactly, and a value that is not a whole unit is refused, not rounded', () => {
  assert.equal(rupeesToPaise('3.5'), 350);
  assert.equal(rupeesToPaise(4.0), 400);
  assert.equal(rupeesToPaise('0.07'), 7);
  assert.throws(() => rupeesToPaise('3.505'), /not a whole number/);
  assert.equal(kwToWhPerInterval(150), 37_500);
  assert.equal(kwToWhPerInterval('7.5'), 1_875);
  assert.equal(kwToWhPerInterval('0.004'), 1);
  assert.throws(() => kwToWhPerInterval('0.001'), /not a whole number/);
  assert.throws(() => kwToWhPerInterval('-1'), /non-negative decimal/);
  assert.deepEqual(['PT15M', 'PT30M', 'PT1H', 'PT1H30M'].map(intervalsInDuration), [1, 2, 4, 6]);
  assert.throws(() => intervalsInDuration('PT10M'), /15-minute/);
});
