// Days in the history loader's compact form (GridDays: views into one Float64Array, NaN where
// missing) give exactly the baselines the same days as arrays with null give, for every
// shipped pack; a Float64Array is held to the same value checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IesError } from '@ies/errors';
import { loadPolicyRegistry } from '../policies.js';
import { computeBaseline } from './baseline.js';
import { GridDays, type DayReads } from './baseline-day-reads.js';
import type { MeterHistory } from './baseline-model.js';
import { indiaHolidayCalendar } from './calendar.js';
import { ist } from './test-support.js';
import { dateOfDayIndex, dayIndexOfDate } from '@ies/units';

const packs = loadPolicyRegistry();
const DL = indiaHolidayCalendar({ state: 'DL' });
const EVENT_DAY = '2026-04-08';
const DAYS = 50;
const dates = Array.from({ length: DAYS }, (_, d) => dateOfDayIndex(dayIndexOfDate(EVENT_DAY)! - DAYS + 1 + d));
const dayOf = new Map(dates.map((date, d) => [date, d]));

let seed = 7;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};

/** Meters with gaps of every kind: missing values (more of them for some meters), days without reads, low days, large values. */
function arrays(meters: number): Map<string, (number | null)[]>[] {
  return Array.from({ length: meters }, (_, m) => {
    const days = new Map<string, (number | null)[]>();
    for (const date of dates) {
      if (random() < 0.05) continue;
      const level = random() < 0.1 ? 5 : 100 + m * 10 + Math.floor(random() * 50);
      const gap = m % 4 === 0 ? 0.08 : 0.003;
      days.set(date, Array.from({ length: 96 }, (_, i) => (random() < gap ? null : m === 3 && i === 72 ? 2 ** 36 : level + i)));
    }
    return days;
  });
}

/** The same meters in one grid: row m, day d at (m × DAYS + d) × 96. */
function grid(history: Map<string, (number | null)[]>[]): GridDays[] {
  const values = new Float64Array(history.length * DAYS * 96).fill(NaN);
  const present = new Uint8Array(history.length * DAYS);
  history.forEach((days, m) => {
    for (const [date, reads] of days) {
      const d = dayOf.get(date)!;
      present[m * DAYS + d] = 1;
      reads.forEach((v, i) => (values[(m * DAYS + d) * 96 + i] = v ?? NaN));
    }
  });
  return history.map((_, m) => new GridDays(values, m * DAYS * 96, present, m * DAYS, dayOf));
}

test('GridDays give the same baselines as arrays with null, for every shipped pack', () => {
  const history = arrays(40);
  const typed = grid(history);
  const statuses = new Set<string>();
  for (const ref of packs.refs()) {
    const pack = packs.get(ref);
    const input = { eventStart: ist(EVENT_DAY, '18:00'), eventEnd: ist(EVENT_DAY, '19:00'), calendar: DL, eventDays: [dates[40]!] };
    const meters = (days: (m: number) => MeterHistory['days']): MeterHistory[] => history.map((_, m) => ({ meterId: `m-${m}`, days: days(m), ...(m % 7 === 0 ? { eventDays: [dates[45]!] } : {}) }));
    const expected = computeBaseline(pack, { ...input, meters: meters((m) => history[m]!) });
    assert.deepEqual(computeBaseline(pack, { ...input, meters: meters((m) => typed[m]!) }), expected, ref);
    for (const m of expected.meters) statuses.add(m.status);
  }
  assert.deepEqual([...statuses].sort(), ['ADJUSTMENT_DATA_MISSING', 'INSUFFICIENT_HISTORY', 'OK']);
});

test('GridDays.get: a view of the day, undefined for a day without reads or outside the grid', () => {
  const typed = grid([new Map([[dates[1]!, new Array<number | null>(96).fill(3)]])])[0]!;
  assert.equal(typed.get(dates[0]!), undefined);
  assert.equal(typed.get('2020-01-01'), undefined);
  assert.deepEqual([...typed.get(dates[1]!)!], new Array<number>(96).fill(3));
});

test('a Float64Array day is held to the value checks; NaN is missing there and malformed in an array', () => {
  const pack = packs.get('caiso-10in10@1');
  const input = { eventStart: ist(EVENT_DAY, '18:00'), eventEnd: ist(EVENT_DAY, '19:00'), calendar: DL };
  const run = (reads: DayReads) => computeBaseline(pack, { ...input, meters: [{ meterId: 'x', days: { '2026-04-07': reads } }] });
  const refused = (reads: DayReads, pattern: RegExp) => assert.throws(() => run(reads), (err: unknown) => err instanceof IesError && err.code === 'IES_ERR_DR_INPUT_INVALID' && pattern.test(err.message));
  refused(new Float64Array(96).fill(1.5), /interval 0 is 1.5/);
  refused(new Float64Array(96).fill(2 ** 36 + 1), /interval 0 is 68719476737/);
  refused(new Float64Array(95).fill(1), /has 95 interval values/);
  refused(new Array<number>(96).fill(NaN), /interval 0 is null/);
  const gaps = new Float64Array(96).fill(1).fill(NaN, 0, 40);
  assert.equal(run(gaps).meters[0]!.excludedDays.find((x) => x.day === '2026-04-07')?.reason, 'TOO_FEW_VALID_READS');
});
