import { test } from 'node:test';
import assert from 'node:assert/strict';
import { divideHalfEven } from '@ies/units';
import { formatScaled, parseScaled, whToKwhNumber } from './decimal.js';
import { lineAmount } from './statement-charges.js';
import { formatDuration, istDayOf, istDayStart, parseDuration, parseInstant } from './time.js';

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

test('time: RFC 3339 instants with offsets, durations, IST days', () => {
  assert.equal(parseInstant('2026-04-26T10:00:00+05:30'), Date.UTC(2026, 3, 26, 4, 30));
  assert.equal(parseInstant('2026-04-26T04:30:00.250Z'), Date.UTC(2026, 3, 26, 4, 30, 0, 250));
  for (const bad of ['2026-02-30T00:00:00Z', '2026-04-26T04:30:00', '2026-04-26T24:00:00Z', 'tomorrow']) assert.equal(parseInstant(bad), undefined, bad);
  assert.equal(parseDuration('PT1H'), 3_600_000);
  assert.equal(parseDuration('P1DT30M'), 88_200_000);
  for (const bad of ['P1M', 'P1Y', 'PT', 'P', 'PT1.5H', '1H']) assert.equal(parseDuration(bad), undefined, bad);
  assert.deepEqual(['PT15M', 'PT1H', 'PT1H30M', 'P1D'].map((d) => formatDuration(parseDuration(d)!)), ['PT15M', 'PT1H', 'PT1H30M', 'P1D']);
  // Block 1 of the IST day starts 18:30Z the day before; 18:29:59Z is still the previous day.
  assert.equal(istDayStart('2026-04-26'), Date.UTC(2026, 3, 25, 18, 30));
  assert.equal(istDayOf(Date.UTC(2026, 3, 25, 18, 30)), '2026-04-26');
  assert.equal(istDayOf(Date.UTC(2026, 3, 25, 18, 29, 59)), '2026-04-25');
  assert.equal(istDayStart('2026-02-29'), undefined);
});

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
