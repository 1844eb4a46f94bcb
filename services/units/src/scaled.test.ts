import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFixedScale, formatRupees, formatScaled, parseScaled, whToKwhNumber } from './scaled.js';

test('decimal parsing is exact and refuses precision it cannot keep', () => {
  const v = (x: unknown, scale: number) => {
    const r = parseScaled(x, scale);
    return r.ok ? r.value : r.reason;
  };
  assert.equal(v(20.5, 3), 20_500n);
  assert.equal(v('8.25', 3), 8_250n);
  assert.equal(v('0.001', 3), 1n);
  assert.equal(v('0.0005', 3), 'TOO_PRECISE');
  assert.equal(v('1.2300', 2), 123n);
  assert.equal(v(1e21, 3), 10n ** 24n);
  assert.equal(v('1.5e-3', 3), 'TOO_PRECISE');
  assert.equal(v('2.5e-2', 3), 25n);
  assert.equal(v(12.5, 2), 1250n);
  assert.equal(v('-3.1', 3), -3100n);
  for (const bad of ['', ' ', '1.', '.5', '1e', 'NaN', Infinity, null, true, '0x10']) assert.equal(v(bad, 3), 'NOT_A_DECIMAL', String(bad));
  assert.equal(formatScaled(18_500n, 3), '18.5');
  assert.equal(formatScaled(-5n, 3), '-0.005');
  assert.equal(formatScaled(43_715n, 2), '437.15');
  assert.equal(whToKwhNumber(14_200), 14.2);
});

test('fixed-scale text keeps every digit of the scale', () => {
  assert.equal(formatFixedScale(1234, 3), '1.234');
  assert.equal(formatFixedScale(1000, 3), '1.000');
  assert.equal(formatFixedScale(5, 2), '0.05');
  assert.throws(() => formatFixedScale(-1, 3), /non-negative/);
});

test('rupees for people: two decimals, exact, the sign in front of the digits', () => {
  assert.deepEqual([0, 5, 123_450, -5, -123_456].map(formatRupees), ['₹0.00', '₹0.05', '₹1234.50', '₹-0.05', '₹-1234.56']);
  for (const p of [1, 99, 100, 101, 43_715, -43_715, 9_000_000_000_001]) assert.equal(formatRupees(p), `₹${(p / 100).toFixed(2)}`, String(p));
});
