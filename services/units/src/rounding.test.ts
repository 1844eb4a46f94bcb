import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { divideFloor, divideHalfEven, toSafeInteger } from './rounding.js';

test('half to even on exact halves, nearest otherwise, symmetric in sign', () => {
  const cases: [bigint, bigint, bigint][] = [
    [5n, 2n, 2n], [7n, 2n, 4n], [9n, 2n, 4n], [1n, 3n, 0n], [2n, 3n, 1n], [10n, 4n, 2n], [14n, 4n, 4n], [15n, 4n, 4n],
    [-5n, 2n, -2n], [-7n, 2n, -4n], [5n, -2n, -2n], [-2n, -3n, 1n], [0n, 7n, 0n], [12n, 4n, 3n],
  ];
  for (const [n, d, q] of cases) assert.equal(divideHalfEven(n, d), q, `${n}/${d}`);
});

test('floor division rounds toward minus infinity', () => {
  assert.equal(divideFloor(7n, 2n), 3n);
  assert.equal(divideFloor(-7n, 2n), -4n);
  assert.equal(divideFloor(7n, -2n), -4n);
  assert.equal(divideFloor(-8n, 2n), -4n);
});

test('division by zero and unsafe integers are refused', () => {
  assert.throws(() => divideHalfEven(1n, 0n), /division by zero/);
  assert.throws(() => toSafeInteger(2n ** 60n, 'amount'), /amount .* exceeds/);
  assert.equal(toSafeInteger(-42n, 'x'), -42);
});
