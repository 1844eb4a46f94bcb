// Hand-worked examples, one or more per method: every expected figure is derived in the
// comments from the inputs, and the engine must agree exactly.
//
// Common setting: event Wednesday 2026-04-08, 18:00–19:00 IST = 4 intervals (slots 72–75).
// Weekdays before it, most recent first:
//   04-07 Tue, 04-06 Mon, [04-03 Fri Good Friday], 04-02 Thu, 04-01 Wed, [03-31 Tue Mahavir
//   Jayanti], 03-30 Mon, 03-27 Fri, 03-26 Thu (Ram Navami: holiday in Delhi only), 03-25 Wed,
//   03-24 Tue, 03-23 Mon, 03-20 Fri, 03-19 Thu, 03-18 Wed, 03-17 Tue, 03-16 Mon, 03-13 Fri …
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IesError } from '@ies/errors';
import { loadPolicyRegistry } from '../policies.js';
import { computeBaseline, baselineRows } from './baseline.js';
import { type MeterHistory } from './baseline-model.js';
import type { DayReads } from './baseline-day-reads.js';
import { indiaHolidayCalendar } from './calendar.js';
import { day, ist, span } from './test-support.js';

const packs = loadPolicyRegistry();
const IN = indiaHolidayCalendar();
const DL = indiaHolidayCalendar({ state: 'DL' });
const EVENT = { eventStart: ist('2026-04-08', '18:00'), eventEnd: ist('2026-04-08', '19:00') };

/** History where every listed day is flat at its value; every other date in the lookback is flat 9999. */
function history(values: Record<string, number>, extra: Record<string, DayReads> = {}): Record<string, DayReads> {
  const out: Record<string, DayReads> = {};
  for (let t = Date.UTC(2026, 1, 1); t < Date.UTC(2026, 3, 8); t += 86_400_000) out[new Date(t).toISOString().slice(0, 10)] = day(9999);
  for (const [date, v] of Object.entries(values)) out[date] = day(v);
  return { ...out, ...extra };
}

function one(ref: string, meter: MeterHistory, calendar = IN, eventDays?: string[]) {
  const result = computeBaseline(packs.get(ref), { ...EVENT, calendar, meters: [meter], ...(eventDays ? { eventDays } : {}) });
  return { result, m: result.meters[0]! };
}

// ---------------------------------------------------------------- CAISO 10-in-10
// Delhi calendar: the 10 like weekdays are 04-07 04-06 04-02 04-01 03-30 03-27 03-25 03-24
// 03-23 03-20 (04-03, 03-31, 03-26 are holidays), flat at 100, 101, …, 109.
// In every like day the 18:15 interval is one more than the rest.
const CAISO_DAYS = ['2026-04-07', '2026-04-06', '2026-04-02', '2026-04-01', '2026-03-30', '2026-03-27', '2026-03-25', '2026-03-24', '2026-03-23', '2026-03-20'];
function caisoMeter(windowActual: number | null): MeterHistory {
  const extra: Record<string, DayReads> = {};
  CAISO_DAYS.forEach((d, i) => (extra[d] = day(100 + i, { '18:15': 101 + i })));
  // Event day: the adjustment window is 14:00–17:00 (t−4h to t−1h), 12 intervals.
  extra['2026-04-08'] = day(0, span('14:00', '17:00', windowActual));
  return { meterId: 'm-caiso', days: history({}, extra) };
}

test('CAISO 10-in-10: holidays skipped, half-even average, ratio capped at 1.2 (upward)', () => {
  const { result, m } = one('caiso-10in10@1', caisoMeter(200), DL);
  assert.equal(result.dayTypeGroup, 'weekday');
  assert.deepEqual(m.selectedDays, CAISO_DAYS);
  assert.deepEqual(result.calendarExcludedDays.filter((x) => x.day >= '2026-03-20'), [
    { day: '2026-04-03', reason: 'HOLIDAY' },
    { day: '2026-03-31', reason: 'HOLIDAY' },
    { day: '2026-03-26', reason: 'HOLIDAY' },
  ]);
  // S = 100+…+109 = 1045 per interval, 18:15: 1055. N = 10.
  // unadjusted = 1045/10 = 104.5 → 104 (half to even); 18:15: 105.5 → 106.
  assert.deepEqual(m.unadjustedWh, [104, 106, 104, 104]);
  // Window: T = 12 × 1045 = 12540, A = 12 × 200 = 2400. ratio = A×N/T = 24000/12540 ≈ 1.914 > 1.2
  // → capped: baseline = S × 120 / (N × 100) = 1045 × 120 / 1000 = 125.4 → 125; 18:15: 126.6 → 127.
  assert.deepEqual(m.adjustment, { type: 'MULTIPLICATIVE', windowActualWh: 2400, windowSelectedSumWh: 12540, ratioNumerator: 120, ratioDenominator: 100, bound: 'MAX' });
  assert.deepEqual(m.baselineWh, [125, 127, 125, 125]);
  assert.equal(m.status, 'OK');
});

test('CAISO 10-in-10: ratio capped at 0.8 (downward)', () => {
  const { m } = one('caiso-10in10@1', caisoMeter(50), DL);
  // A = 12 × 50 = 600; ratio = 6000/12540 ≈ 0.478 < 0.8 → 1045 × 80 / 1000 = 83.6 → 84; 18:15: 1055 × 0.8 = 84.4 → 84.
  assert.equal(m.adjustment?.type === 'MULTIPLICATIVE' && m.adjustment.bound, 'MIN');
  assert.deepEqual(m.baselineWh, [84, 84, 84, 84]);
});

test('CAISO 10-in-10: an uncapped ratio is applied to the exact average and rounded once', () => {
  const { m } = one('caiso-10in10@1', caisoMeter(110), DL);
  // A = 1320; ratio = 13200/12540 ≈ 1.053 (inside [0.8, 1.2]).
  // baseline = S × A / T = 1045 × 1320 / 12540 = 110 exactly. Rounding the average first
  // (104) and then scaling would give 104 × 1.0526 = 109.47 → 109: the engine does not.
  // 18:15: 1055 × 1320 / 12540 = 111.05… → 111.
  assert.deepEqual(m.baselineWh, [110, 111, 110, 110]);
  assert.deepEqual(m.adjustment, { type: 'MULTIPLICATIVE', windowActualWh: 1320, windowSelectedSumWh: 12540, ratioNumerator: 13200, ratioDenominator: 12540, bound: 'NONE' });
});

test('CAISO 10-in-10: a missing event-day read in the adjustment window gives ADJUSTMENT_DATA_MISSING, not a guess', () => {
  const meter = caisoMeter(110);
  (meter.days as Record<string, (number | null)[]>)['2026-04-08']![60] = null; // 15:00 IST
  const { m } = one('caiso-10in10@1', meter, DL);
  assert.equal(m.status, 'ADJUSTMENT_DATA_MISSING');
  assert.match(m.detail!, /14:00 IST–17:00 IST/);
  assert.deepEqual(m.unadjustedWh, [104, 106, 104, 104]);
  assert.deepEqual(m.baselineWh, [null, null, null, null]);
});

test('CAISO 10-in-10 on a holiday uses the weekend-and-holiday group (4-in-4)', () => {
  // Event on Good Friday 2026-04-03 (all-India calendar). Like days: 03-31 (Mahavir Jayanti),
  // 03-29 Sun, 03-28 Sat, 03-22 Sun; flat 40, 50, 60, 70 → S = 220, N = 4 → 55.
  // Event-day window flat 55 → A = 660, T = 12 × 220 = 2640, ratio = 660 × 4 / 2640 = 1 → 55.
  const days = history({ '2026-03-31': 40, '2026-03-29': 50, '2026-03-28': 60, '2026-03-22': 70 }, { '2026-04-03': day(55) });
  const result = computeBaseline(packs.get('caiso-10in10@1'), { eventStart: ist('2026-04-03', '18:00'), eventEnd: ist('2026-04-03', '18:30'), calendar: IN, meters: [{ meterId: 'h', days }] });
  assert.equal(result.eventDayType, 'HOLIDAY');
  assert.equal(result.dayTypeGroup, 'weekend-holiday');
  assert.deepEqual(result.meters[0]!.selectedDays, ['2026-03-31', '2026-03-29', '2026-03-28', '2026-03-22']);
  assert.deepEqual(result.meters[0]!.baselineWh, [55, 55]);
});

// ---------------------------------------------------------------- PJM high 4 of 5
// All-India calendar: like weekdays 04-07 04-06 04-02 04-01 03-30 | 03-27 …
// Flat 200, 40, 220, 180, 210 | 190.
const PJM_VALUES = { '2026-04-07': 200, '2026-04-06': 40, '2026-04-02': 220, '2026-04-01': 180, '2026-03-30': 210, '2026-03-27': 190 };

test('PJM high 4 of 5: low-usage day replaced, highest 4 averaged, symmetric additive adjustment upward', () => {
  // Event-day window 14:00–17:00 (12 intervals): 217 in 11 of them, 218 at 16:45 → A = 2605.
  const days = history(PJM_VALUES, { '2026-04-08': day(0, { ...span('14:00', '17:00', 217), '16:45': 218 }) });
  const { m } = one('pjm-high4of5@1', { meterId: 'p', days });
  // Low usage: event-window energies 4×{200,40,220,180,210}; mean of the 5 = 4×170;
  // 4×40 < 25% × 4×170 = 4×42.5 → 04-06 dropped; the next older like day 03-27 (4×190) passes.
  assert.deepEqual(m.excludedDays, [{ day: '2026-04-06', reason: 'LOW_USAGE' }]);
  assert.deepEqual(m.likeDays, ['2026-04-07', '2026-04-02', '2026-04-01', '2026-03-30', '2026-03-27']);
  // Highest 4 of {200, 220, 180, 210, 190}: 220, 210, 200, 190 (04-01 at 180 is dropped).
  assert.deepEqual(m.selectedDays, ['2026-04-07', '2026-04-02', '2026-03-30', '2026-03-27']);
  // S = 820, N = 4 → unadjusted 205.
  assert.deepEqual(m.unadjustedWh, [205, 205, 205, 205]);
  // T = 12 × 820 = 9840. offset = (A×N − T)/(N×W) = (10420 − 9840)/48 = 580/48 ≈ 12.08
  // baseline = (S×W + A×N − T)/(N×W) = (9840 + 580)/48 = 10420/48 = 217.08… → 217.
  assert.deepEqual(m.adjustment, { type: 'ADDITIVE', windowActualWh: 2605, windowSelectedSumWh: 9840, offsetNumerator: 580, offsetDenominator: 48 });
  assert.deepEqual(m.baselineWh, [217, 217, 217, 217]);
});

test('PJM high 4 of 5: the additive adjustment is symmetric and uncapped (downward beyond 20 %)', () => {
  const days = history(PJM_VALUES, { '2026-04-08': day(0, span('14:00', '17:00', 150)) });
  const { m } = one('pjm-high4of5@1', { meterId: 'p', days });
  // A = 12 × 150 = 1800; offset = (7200 − 9840)/48 = −55 → 205 − 55 = 150 (−27 %, not capped).
  assert.deepEqual(m.baselineWh, [150, 150, 150, 150]);
});

// ---------------------------------------------------------------- NYISO average day
test('NYISO average-day: day before skipped, seed-value exclusion, highest 5 of 10, capped ratio inside its bounds', () => {
  // Potential like days start two days before: 04-06 04-02 04-01 03-30 03-27 03-26 03-25
  // 03-24 03-23 03-20 | 03-19. 04-07 (the day before, 5000) must never be used.
  const values = { '2026-04-07': 5000, '2026-04-06': 100, '2026-04-02': 120, '2026-04-01': 20, '2026-03-30': 140, '2026-03-27': 160, '2026-03-26': 180, '2026-03-25': 200, '2026-03-24': 110, '2026-03-23': 130, '2026-03-20': 150, '2026-03-19': 170 };
  // Event day window 14:00–16:00 (start−4h to start−2h, 8 intervals): 190 ×7 and 184 at 15:45 → A = 1514.
  const days = history(values, { '2026-04-08': day(0, { ...span('14:00', '16:00', 190), '15:45': 184 }) });
  const { m } = one('nyiso-average-day@1', { meterId: 'n', days });
  // Seed: 25 % of the highest event-window energy of the first 10 (03-25: 200) = 50; 04-01 (20) dropped, 03-19 (170) replaces it.
  assert.deepEqual(m.excludedDays, [{ day: '2026-04-01', reason: 'LOW_USAGE' }]);
  assert.equal(m.likeDays.length, 10);
  assert.ok(!m.likeDays.includes('2026-04-07'));
  // Highest 5: 200 (03-25), 180 (03-26), 170 (03-19), 160 (03-27), 150 (03-20). S = 860, N = 5 → 172.
  assert.deepEqual(m.selectedDays, ['2026-03-27', '2026-03-26', '2026-03-25', '2026-03-20', '2026-03-19']);
  assert.deepEqual(m.unadjustedWh, [172, 172, 172, 172]);
  // T = 8 × 860 = 6880; ratio = 1514 × 5 / 6880 = 7570/6880 ≈ 1.100 (inside [0.8, 1.2]).
  // baseline = 860 × 1514 / 6880 = 1302040/6880 = 189.25 → 189.
  assert.deepEqual(m.baselineWh, [189, 189, 189, 189]);
});

// ---------------------------------------------------------------- ERCOT middle 8 of 10
test('ERCOT middle 8 of 10: the highest and the lowest day dropped, ties broken by recency', () => {
  // Like days 04-07 04-06 04-02 04-01 03-30 03-27 03-26 03-25 03-24 03-23.
  const values = { '2026-04-07': 100, '2026-04-06': 30, '2026-04-02': 100, '2026-04-01': 50, '2026-03-30': 10, '2026-03-27': 60, '2026-03-26': 70, '2026-03-25': 80, '2026-03-24': 20, '2026-03-23': 40 };
  const { m } = one('ercot-middle8of10@1', { meterId: 'e', days: history(values) });
  // Lowest: 03-30 (10). Highest: 100 twice; of equal days the more recent ranks higher, so
  // 04-07 is dropped and 04-02 kept. Remaining: 20+30+40+50+60+70+80+100 = 450; /8 = 56.25 → 56.
  assert.ok(!m.selectedDays.includes('2026-03-30') && !m.selectedDays.includes('2026-04-07') && m.selectedDays.includes('2026-04-02'));
  assert.equal(m.selectedDays.length, 8);
  assert.deepEqual(m.baselineWh, [56, 56, 56, 56]);
  assert.deepEqual(m.adjustment, { type: 'NONE' });
});

// ---------------------------------------------------------------- DEG bestOf 5 outOf 10
test('DEG 5 of 10: prior event day, too-few-valid-reads day and missing event-window read excluded; highest 5 averaged', () => {
  const values = {
    '2026-04-07': 300, '2026-04-02': 310, '2026-03-27': 320, '2026-03-26': 330, '2026-03-25': 340,
    '2026-03-24': 350, '2026-03-23': 360, '2026-03-20': 370, '2026-03-19': 380, '2026-03-18': 391,
  };
  const extra: Record<string, DayReads> = {
    '2026-04-06': day(900), // a prior DR event day of this meter
    '2026-04-01': day(900, span('00:00', '02:30', null)), // 10 nulls: 86 valid < 87 (90 % of 96, rounded up)
    '2026-03-30': day(900, { '18:30': null }), // 95 valid, but the null is inside the event window
  };
  const { m } = one('deg-5of10@1', { meterId: 'd', days: history(values, extra), eventDays: ['2026-04-06'] });
  assert.deepEqual(m.excludedDays, [
    { day: '2026-04-06', reason: 'EVENT_DAY' },
    { day: '2026-04-01', reason: 'TOO_FEW_VALID_READS' },
    { day: '2026-03-30', reason: 'MISSING_REQUIRED_READS' },
  ]);
  assert.deepEqual(m.likeDays, Object.keys(values));
  // Highest 5: 391 + 380 + 370 + 360 + 350 = 1851; /5 = 370.2 → 370.
  assert.deepEqual(m.selectedDays, ['2026-03-24', '2026-03-23', '2026-03-20', '2026-03-19', '2026-03-18']);
  assert.deepEqual(m.baselineWh, [370, 370, 370, 370]);
});

test('DEG 5 of 10: a shared prior event day is excluded for every meter and reported once', () => {
  const values = { '2026-04-07': 10, '2026-04-06': 20, '2026-04-02': 30, '2026-04-01': 40, '2026-03-30': 50, '2026-03-27': 60, '2026-03-26': 70, '2026-03-25': 80, '2026-03-24': 90, '2026-03-23': 100, '2026-03-20': 110 };
  const { result, m } = one('deg-5of10@1', { meterId: 'd', days: history(values) }, IN, ['2026-04-06']);
  assert.deepEqual(result.calendarExcludedDays.filter((x) => x.reason === 'EVENT_DAY'), [{ day: '2026-04-06', reason: 'EVENT_DAY' }]);
  // Like days without 04-06 reach back to 03-20; highest 5: 110+100+90+80+70 = 450 → 90.
  assert.ok(!m.likeDays.includes('2026-04-06'));
  assert.deepEqual(m.baselineWh, [90, 90, 90, 90]);
});

test('insufficient history is an explicit status with the counts, never a zero baseline', () => {
  // Only 6 weekdays of history in the lookback.
  const days: Record<string, DayReads> = {};
  for (const d of ['2026-04-07', '2026-04-06', '2026-04-02', '2026-04-01', '2026-03-30', '2026-03-27']) days[d] = day(500);
  const { m } = one('deg-5of10@1', { meterId: 'new-meter', days });
  assert.equal(m.status, 'INSUFFICIENT_HISTORY');
  assert.match(m.detail!, /found 6 valid weekday like day\(s\) in the 45-day lookback, deg-5of10@1 needs at least 10/);
  assert.deepEqual(m.baselineWh, [null, null, null, null]);
  assert.deepEqual(m.unadjustedWh, [null, null, null, null]);
  assert.ok(m.excludedDays.some((x) => x.reason === 'NO_READS'));
});

// ---------------------------------------------------------------- meter before / meter after
test('meter-before/after: mean of the hour before, held flat, rounded half to even', () => {
  // 17:00–18:00 on the event day: 400, 401, 402, 403 → 1606/4 = 401.5 → 402 (even).
  const a = { meterId: 'a', days: { '2026-04-08': day(0, { '17:00': 400, '17:15': 401, '17:30': 402, '17:45': 403 }) } };
  // 400, 400, 400, 402 → 1602/4 = 400.5 → 400 (even).
  const b = { meterId: 'b', days: { '2026-04-08': day(0, { '17:00': 400, '17:15': 400, '17:30': 400, '17:45': 402 }) } };
  // A missing read in the window: no baseline.
  const c = { meterId: 'c', days: { '2026-04-08': day(0, { '17:30': null }) } };
  const result = computeBaseline(packs.get('meter-before-after@1'), { ...EVENT, calendar: IN, meters: [a, b, c] });
  assert.deepEqual(result.meters.map((m) => m.baselineWh), [[402, 402, 402, 402], [400, 400, 400, 400], [null, null, null, null]]);
  assert.equal(result.meters[2]!.status, 'INSUFFICIENT_HISTORY');
  assert.match(result.meters[2]!.detail!, /pre-event window 17:00 IST–18:00 IST/);
});

// ---------------------------------------------------------------- input errors and rows
test('event windows must be on 15-minute boundaries within one IST day; adjustment windows too', () => {
  const meters: MeterHistory[] = [];
  const pack = packs.get('caiso-10in10@1');
  const expectError = (fn: () => unknown, pattern: RegExp) =>
    assert.throws(fn, (err: unknown) => err instanceof IesError && err.code === 'IES_ERR_DR_INPUT_INVALID' && pattern.test(err.message));
  expectError(() => computeBaseline(pack, { eventStart: ist('2026-04-08', '18:10'), eventEnd: ist('2026-04-08', '19:00'), calendar: IN, meters }), /18:10 IST\) is not on a 15-minute boundary/);
  expectError(() => computeBaseline(pack, { eventStart: ist('2026-04-08', '23:00'), eventEnd: ist('2026-04-09', '01:00'), calendar: IN, meters }), /crosses IST midnight/);
  expectError(() => computeBaseline(pack, { eventStart: ist('2026-04-08', '02:00'), eventEnd: ist('2026-04-08', '03:00'), calendar: IN, meters }), /240 min before the event start 02:00 IST/);
  expectError(() => computeBaseline(pack, { ...EVENT, calendar: IN, meters: [{ meterId: 'x', days: { '2026-04-07': [1, 2, 3] } }] }), /has 3 interval values, not 96/);
  expectError(() => computeBaseline(pack, { ...EVENT, calendar: IN, meters: [{ meterId: 'x', days: { '2026-04-07': day(1.5) } }] }), /interval 0 is 1.5/);
});

test('baselineRows gives one row per meter and interval', () => {
  const { result } = one('pjm-high4of5@1', { meterId: 'p', days: history(PJM_VALUES, { '2026-04-08': day(0, span('14:00', '17:00', 150)) }) });
  const rows = baselineRows(result);
  assert.equal(rows.length, 4);
  assert.deepEqual(rows[1], { policy: 'pjm-high4of5@1', meterId: 'p', intervalStart: ist('2026-04-08', '18:15'), status: 'OK', unadjustedWh: 205, baselineWh: 150, selectedDays: result.meters[0]!.selectedDays, adjustment: result.meters[0]!.adjustment });
});

test('history may be a Map and the same result follows', () => {
  const days = history(PJM_VALUES, { '2026-04-08': day(0, span('14:00', '17:00', 150)) });
  const viaMap = one('pjm-high4of5@1', { meterId: 'p', days: new Map(Object.entries(days)) }).m;
  const viaRecord = one('pjm-high4of5@1', { meterId: 'p', days }).m;
  assert.deepEqual(viaMap, viaRecord);
});
