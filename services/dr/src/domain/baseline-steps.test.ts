// The baseline steps one by one, on small hand-worked inputs (baseline.test.ts runs them
// together per method).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adjustBaseline } from './baseline-adjustment.js';
import { averageHalfEven, sumSelectedDays } from './baseline-averaging.js';
import { candidateDays, examineDay, minValidReads, requiredIntervals } from './baseline-candidate-days.js';
import { MALFORMED } from './baseline-day-reads.js';
import { eventGeometry } from './baseline-geometry.js';
import { isLowUsage, lowUsageReference } from './baseline-low-usage.js';
import { selectDays } from './baseline-selection.js';
import { indiaHolidayCalendar } from './calendar.js';
import { dayIndexOfDate } from '@ies/units';
import type { DayTypeGroup, LikeDaysPack } from './policy-pack.js';
import { day, ist } from './test-support.js';

const WEEKDAYS: DayTypeGroup = { name: 'weekday', dayTypes: ['WEEKDAY'], candidateDays: 3, minCandidateDays: 1, selection: { rule: 'ALL' }, lowUsage: null };
const PARAMS = { lookbackDays: 8, skipDaysBeforeEvent: 0, minValidReadsPercent: 90, dayTypeGroups: [WEEKDAYS], adjustment: { type: 'NONE' } } as LikeDaysPack['parameters'];

test('candidate days: like days of the lookback, most recent first, holidays and shared event days set aside', () => {
  // Event Wednesday 2026-04-08; Good Friday 04-03 and Mahavir Jayanti 03-31 are holidays; 04-04/04-05 a weekend.
  const c = candidateDays(PARAMS, WEEKDAYS, indiaHolidayCalendar(), dayIndexOfDate('2026-04-08')!, ['2026-04-06']);
  assert.deepEqual(c.potential, ['2026-04-07', '2026-04-02', '2026-04-01']);
  assert.deepEqual(c.calendarExcludedDays, [{ day: '2026-04-06', reason: 'EVENT_DAY' }, { day: '2026-04-03', reason: 'HOLIDAY' }, { day: '2026-03-31', reason: 'HOLIDAY' }]);
  assert.equal(candidateDays({ ...PARAMS, skipDaysBeforeEvent: 1 }, WEEKDAYS, indiaHolidayCalendar(), dayIndexOfDate('2026-04-08')!, []).potential[0], '2026-04-06');
});

test('a candidate is valid with enough reads and none missing where needed; its value is the event-window energy', () => {
  const ev = eventGeometry(ist('2026-04-08', '18:00'), ist('2026-04-08', '19:00'));
  const required = requiredIntervals(ev, { first: 70, count: 2 });
  assert.deepEqual([...required], [72, 73, 74, 75, 70, 71]);
  assert.equal(minValidReads(90), 87); // 86.4 rounded up
  const full = day(10);
  assert.equal(examineDay(full, 87, required, ev.first, ev.count), 40);
  assert.equal(examineDay(undefined, 87, required, ev.first, ev.count), -1);
  const sparse = Array.from(full);
  for (let i = 0; i < 10; i++) sparse[i] = null;
  assert.equal(examineDay(sparse, 87, required, ev.first, ev.count), -2);
  const gap = Array.from(full);
  gap[71] = null;
  assert.equal(examineDay(gap, 87, required, ev.first, ev.count), -3);
  const bad = Array.from(full);
  bad[5] = -1;
  assert.equal(examineDay(bad, 87, required, ev.first, ev.count), MALFORMED);
});

test('low usage: below a share of the mean or the max, compared exactly', () => {
  const mean = lowUsageReference({ thresholdPercent: 25, reference: 'MEAN' }, [100, 300, 200], 3);
  assert.deepEqual(mean, { sum: 600n, count: 3n });
  assert.equal(isLowUsage(49, { thresholdPercent: 25, reference: 'MEAN' }, mean), true); // 25 % of 200 is 50
  assert.equal(isLowUsage(50, { thresholdPercent: 25, reference: 'MEAN' }, mean), false);
  const max = lowUsageReference({ thresholdPercent: 25, reference: 'MAX' }, [100, 300, 200], 3);
  assert.deepEqual(max, { sum: 300n, count: 1n });
  assert.equal(isLowUsage(74, { thresholdPercent: 25, reference: 'MAX' }, max), true);
  assert.equal(isLowUsage(75, { thresholdPercent: 25, reference: 'MAX' }, max), false);
});

test('selection ranks by energy, the older day first on ties, and keeps the range of the rule', () => {
  const energy = [30, 10, 30, 20];
  const recency = [0, 1, 2, 3];
  const order = new Int32Array(4);
  assert.deepEqual(selectDays({ rule: 'ALL' }, energy, recency, 4, order), { from: 0, to: 4 });
  assert.deepEqual([...order], [0, 1, 2, 3]);
  assert.deepEqual(selectDays({ rule: 'HIGHEST', count: 2 }, energy, recency, 4, order), { from: 2, to: 4 });
  assert.deepEqual([...order], [1, 3, 2, 0]);
  assert.deepEqual(selectDays({ rule: 'MIDDLE', dropHighest: 1, dropLowest: 1 }, energy, recency, 4, order), { from: 1, to: 3 });
});

test('averaging sums the selected days and rounds each mean once, half to even', () => {
  const sums = new Float64Array(2);
  const a = [0, 1, 2, 3];
  const b = [0, 2, 3, 4];
  assert.equal(sumSelectedDays([a, b], 1, sums, { first: 3, count: 1 }), 7);
  assert.deepEqual([...sums], [3, 5]);
  assert.deepEqual(averageHalfEven(sums, 2), [2, 2]); // 1.5 → 2, 2.5 → 2
  assert.deepEqual(averageHalfEven([7, -7], 2), [4, -4]);
});

test('adjustment: multiplicative within its caps, additive floored at zero', () => {
  const mult = { type: 'MULTIPLICATIVE', windowStartOffsetMinutes: -60, windowEndOffsetMinutes: 0, minRatioPercent: 80, maxRatioPercent: 120 } as const;
  // S = 200 over N = 2 days (mean 100); A = 110, T = 200 → ratio 220/200 = 1.1.
  const x = { sums: [200], days: 2, windowActualWh: 110, windowSelectedSumWh: 200, windowIntervals: 4 };
  assert.deepEqual(adjustBaseline(mult, x).baselineWh, [110]);
  assert.deepEqual(adjustBaseline(mult, { ...x, windowActualWh: 200 }).detail, { type: 'MULTIPLICATIVE', windowActualWh: 200, windowSelectedSumWh: 200, ratioNumerator: 120, ratioDenominator: 100, bound: 'MAX' });
  assert.deepEqual(adjustBaseline(mult, { ...x, windowActualWh: 200 }).baselineWh, [120]);
  assert.deepEqual(adjustBaseline(mult, { ...x, windowActualWh: 10 }).baselineWh, [80]);
  assert.deepEqual(adjustBaseline(mult, { ...x, windowSelectedSumWh: 0, windowActualWh: 0 }).baselineWh, [100]);
  // Additive: b = (S×W + A×N − T) / (N×W) = (800 + 20 − 200) / 8 = 77.5 → 78 (half to even).
  const add = { type: 'ADDITIVE', windowStartOffsetMinutes: -60, windowEndOffsetMinutes: 0 } as const;
  assert.deepEqual(adjustBaseline(add, { ...x, windowActualWh: 10 }).baselineWh, [78]);
  assert.deepEqual(adjustBaseline(add, { ...x, windowActualWh: 0, windowSelectedSumWh: 2000 }).baselineWh, [0]);
});
