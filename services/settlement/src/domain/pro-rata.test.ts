import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocateProRata } from './pro-rata.js';

const run = (contracted: number[], metered: number) => {
  const out = new Array<number>(contracted.length).fill(0);
  const sum = allocateProRata(contracted, metered, out);
  return { out, sum };
};

test('enough energy: every trade gets its contracted Wh', () => {
  assert.deepEqual(run([4000, 3000, 3000], 12_000), { out: [4000, 3000, 3000], sum: 10_000 });
  assert.deepEqual(run([4000, 3000, 3000], 10_000), { out: [4000, 3000, 3000], sum: 10_000 });
});

test('hand-worked shortfall: 7001 Wh over 4000/3000/3000', () => {
  // exact shares 2800.4, 2100.3, 2100.3 → floors 2800, 2100, 2100 (Σ 7000);
  // remainders (tr·M mod T) 4000, 3000, 3000 → the 1 Wh left goes to the first trade.
  assert.deepEqual(run([4000, 3000, 3000], 7001), { out: [2801, 2100, 2100], sum: 7001 });
});

test('equal remainders go to the lower index (the earlier trade id)', () => {
  // 5000/5000 sharing 7001: 3500.5 each; one Wh left, both remainders 5000.
  assert.deepEqual(run([5000, 5000], 7001).out, [3501, 3500]);
  // Three-way tie with two Wh left: 3 × 1000 sharing 2000 → 666.67 each → 667, 667, 666.
  assert.deepEqual(run([1000, 1000, 1000], 2000).out, [667, 667, 666]);
});

test('no energy, no trades, zero-quantity trades', () => {
  assert.deepEqual(run([1000, 2000], 0).out, [0, 0]);
  assert.deepEqual(run([], 500), { out: [], sum: 0 });
  assert.deepEqual(run([0, 3000], 1500).out, [0, 1500]);
});

/** Deliberately naive reference: exact rationals in bigint, then one Wh at a time to the largest unmet remainder. */
function naive(contracted: number[], metered: number): number[] {
  const T = contracted.reduce((s, x) => s + BigInt(x), 0n);
  const M = BigInt(metered);
  if (M >= T) return [...contracted];
  const exactNum = contracted.map((x) => BigInt(x) * M); // exact share = exactNum / T
  const a = exactNum.map((n) => n / T);
  let left = M - a.reduce((s, x) => s + x, 0n);
  while (left > 0n) {
    let best = -1;
    let bestGap = -1n;
    exactNum.forEach((n, k) => {
      const gap = n - a[k]! * T; // (exact − current)·T
      if (gap > bestGap) {
        bestGap = gap;
        best = k;
      }
    });
    a[best] = a[best]! + 1n;
    left -= 1n;
  }
  return a.map(Number);
}

test('cross-check against a naive bigint reference on 3000 random cases (incl. > 2^53 products)', () => {
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let c = 0; c < 3000; c++) {
    const n = 1 + rand(8);
    const big = c % 10 === 0;
    const contracted = Array.from({ length: n }, () => (big ? 1_000_000_000 + rand(1_000_000_000) : rand(50_000)));
    const total = contracted.reduce((s, x) => s + x, 0);
    const metered = rand(Math.max(1, total + 1000));
    const { out, sum } = run(contracted, metered);
    assert.deepEqual(out, naive(contracted, metered), `case ${c}: ${contracted} / ${metered}`);
    assert.equal(sum, Math.min(total, metered));
    out.forEach((a, k) => assert.ok(a >= 0 && a <= contracted[k]!));
  }
});
