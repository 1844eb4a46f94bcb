import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { divideFloor, divideHalfEven, divideHalfEvenSafe, toSafeInteger } from './rounding.js';

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

test('the safe-integer form gives the bigint rule exactly: .5 ties, negatives, large values', () => {
  const check = (n: number, d: number) => assert.equal(divideHalfEvenSafe(n, d), Number(divideHalfEven(BigInt(n), BigInt(d))), `${n}/${d}`);
  // Ties go to the even neighbour, on both sides of zero.
  for (const n of [500, 1500, 2500, -500, -1500, -2500, 262_500, 157_500]) check(n, 1000);
  assert.equal(divideHalfEvenSafe(262_500, 1000), 262);
  assert.equal(divideHalfEvenSafe(157_500, 1000), 158);
  assert.equal(divideHalfEvenSafe(-2500, 1000), -2);
  assert.ok(Object.is(divideHalfEvenSafe(-400, 1000), 0), 'no negative zero');
  for (const [n, d] of [[5, 2], [7, 2], [-7, 2], [5, -2], [-2, -3], [0, 7], [14, 4], [15, 4]] as const) check(n, d);
  // Near and beyond 2^53, where a double quotient would be one off.
  const max = Number.MAX_SAFE_INTEGER;
  for (const n of [max, max - 1, max - 499, max - 500, max - 501, -max, -(max - 500)]) for (const d of [1000, 3, 2, 999_983]) check(n, d);
  assert.equal(divideHalfEvenSafe(2 ** 60, 1000), Number(divideHalfEven(2n ** 60n, 1000n)));
  let seed = 11;
  for (let i = 0; i < 20_000; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const n = (i % 2 ? max - seed : seed * 4099) * (i % 3 ? 1 : -1);
    check(n, 1000 + (seed % 7));
  }
  assert.throws(() => divideHalfEvenSafe(1, 0), /division by zero/);
});
