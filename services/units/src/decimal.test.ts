import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compare, floorDivide, formatDecimal, kwhToWh, parseDecimal, roundHalfEven, subtract } from './decimal.js';

test('kwhToWh: hand-checked table, half to even beyond 3 decimals', () => {
  const table: [string, number][] = [
    ['4.62', 4620],
    ['0.0005', 0], // 0.5 Wh → 0 (even)
    ['0.0015', 2], // 1.5 Wh → 2 (even)
    ['0.0025', 2], // 2.5 Wh → 2 (even)
    ['0.0035', 4], // 3.5 Wh → 4 (even)
    ['0.00051', 1], // 0.51 Wh → 1 (above half)
    ['0.00049999', 0],
    ['1e-3', 1],
    ['1E-3', 1],
    ['-0.5', -500],
    ['-0.0015', -2], // symmetric: -1.5 → -2
    ['-0.0025', -2],
    ['12', 12000],
    ['+12', 12000],
    ['.5', 500],
    ['5.', 5000],
    ['0', 0],
    ['000.000', 0],
    ['1.5e+3', 1_500_000],
    ['2.5e-3', 2], // 2.5 Wh → 2
    ['9007199254740.991', Number.MAX_SAFE_INTEGER],
    ['-9007199254740.991', -Number.MAX_SAFE_INTEGER],
    [String(4.62), 4620],
    [String(0.1 + 0.2), 300], // "0.30000000000000004" → 300.00000000000004 Wh → 300
    [String(1e-7), 0], // "1e-7"
    [String(123456789.123), 123_456_789_123],
  ];
  for (const [kwh, wh] of table) assert.equal(kwhToWh(kwh), wh, `${kwh} kWh`);
});

test('kwhToWh never returns -0', () => {
  assert.ok(Object.is(kwhToWh('-0.0005'), 0));
  assert.ok(Object.is(kwhToWh('-0'), 0));
});

test('kwhToWh throws RangeError for non-decimal text and for results beyond MAX_SAFE_INTEGER', () => {
  for (const bad of ['', ' 1', '1 ', '1,5', 'abc', '1e', 'e3', '.', '-', '--1', '0x10', 'NaN', 'Infinity', '-Infinity', '1_000', '1e-99999', '１']) {
    assert.throws(() => kwhToWh(bad), RangeError, JSON.stringify(bad));
  }
  assert.throws(() => kwhToWh('9007199254740.992'), /beyond Number.MAX_SAFE_INTEGER/);
  assert.throws(() => kwhToWh(String(1e21)), RangeError); // "1e+21"
});

test('roundHalfEven on scaled bigints', () => {
  const table: [bigint, number, bigint][] = [
    [5n, 1, 0n], [15n, 1, 2n], [25n, 1, 2n], [35n, 1, 4n], [14n, 1, 1n], [16n, 1, 2n],
    [-5n, 1, 0n], [-15n, 1, -2n], [-25n, 1, -2n], [-16n, 1, -2n],
    [12345n, 0, 12345n], [1500n, 3, 2n], [2500n, 3, 2n], [2501n, 3, 3n], [499n, 3, 0n], [0n, 5, 0n],
  ];
  for (const [scaled, scale, expected] of table) assert.equal(roundHalfEven(scaled, scale), expected, `${scaled}e-${scale}`);
  assert.throws(() => roundHalfEven(1n, -1), RangeError);
  assert.throws(() => roundHalfEven(1n, 0.5), RangeError);
});

/** Deliberately naive reference: integer tenths of a Wh, rounded by hand. */
function naiveTenthsToWh(tenths: number): number {
  const sign = tenths < 0 ? -1 : 1;
  const abs = Math.abs(tenths);
  const q = Math.floor(abs / 10);
  const r = abs % 10;
  const up = r > 5 || (r === 5 && q % 2 === 1);
  return sign * (q + (up ? 1 : 0)) || 0;
}

test('kwhToWh agrees with a naive reference on 5 000 pseudo-random 4-decimal values', () => {
  let seed = 20260504;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
  for (let i = 0; i < 5000; i++) {
    const tenths = (next() % 20_000_001) - 10_000_000; // value = tenths / 10 000 kWh
    const abs = Math.abs(tenths).toString().padStart(5, '0');
    const text = `${tenths < 0 ? '-' : ''}${abs.slice(0, -4)}.${abs.slice(-4)}`;
    assert.equal(kwhToWh(text), naiveTenthsToWh(tenths), text);
  }
});

test('decimal helpers: subtract, compare, format, floorDivide', () => {
  const d = (s: string) => parseDecimal(s);
  assert.equal(formatDecimal(subtract(d('1200.0'), d('1000.0'))), '200');
  assert.equal(formatDecimal(subtract(d('19137.2'), d('18715.4'))), '421.8');
  assert.equal(formatDecimal(d('-0.050')), '-0.05');
  assert.equal(formatDecimal(d('1.5e3')), '1500');
  assert.equal(formatDecimal(d('-0.0')), '0');
  assert.equal(compare(d('421.8'), subtract(d('19137.2'), d('18715.4'))), 0);
  assert.equal(compare(d('99.4'), d('100.5')), -1);
  assert.equal(compare(d('1e2'), d('99.99')), 1);
  assert.equal(floorDivide(d('7500'), 4n), 1875n);
  assert.equal(floorDivide(d('4999.5'), 4n), 1249n);
  assert.equal(floorDivide(d('-1'), 4n), -1n);
});
