import { test } from 'node:test';
import assert from 'node:assert/strict';
import { divideHalfEven } from '@ies/units';
import { lineAmount } from '@ies/verify';

test('line amounts use the one rounding rule (half to even) exactly', () => {
  assert.equal(lineAmount(7500, 35), 262); // 262.5 → 262
  assert.equal(lineAmount(7500, 21), 158); // 157.5 → 158
  assert.equal(lineAmount(2801, 600), 1681); // 1680.6 → 1681
  for (let q = 0; q < 3000; q += 7) for (const r of [1, 21, 35, 333, 1250]) assert.equal(lineAmount(q, r), Number(divideHalfEven(BigInt(q * r), 1000n)));
  // The double fast path against bigint near 2^53, where a double quotient can be one off, and beyond it.
  let seed = 7;
  for (let i = 0; i < 20_000; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const q = i % 2 ? Math.floor(Number.MAX_SAFE_INTEGER / 99_991) - (seed % 5000) : seed;
    const r = i % 2 ? 99_991 - (seed % 3) : seed % 100_000;
    assert.equal(lineAmount(q, r), Number(divideHalfEven(BigInt(q) * BigInt(r), 1000n)), `${q} × ${r}`);
  }
  assert.equal(lineAmount(2 ** 40, 2 ** 20), Number(divideHalfEven(2n ** 60n, 1000n)));
});
