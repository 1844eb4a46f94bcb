// Cross-check: a deliberately naive reference (plain loops, exact fractions, its own
// half-even rounding, no scratch buffers) against the engine, on random histories with
// gaps, random holidays and prior event days, for every shipped like-days pack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPolicyPacks } from '../policies.js';
import { computeBaseline } from './baseline.js';
import type { DayReads } from './baseline-day-reads.js';
import { indiaHolidayCalendar, type HolidayCalendar } from './calendar.js';
import type { LikeDaysPack } from './policy-pack.js';
import { ist } from './test-support.js';

/** Fraction n/d with d > 0. */
interface Q {
  n: bigint;
  d: bigint;
}
const q = (n: bigint | number, d: bigint | number = 1n): Q => ({ n: BigInt(n), d: BigInt(d) });
const add = (a: Q, b: Q): Q => q(a.n * b.d + b.n * a.d, a.d * b.d);
const sub = (a: Q, b: Q): Q => q(a.n * b.d - b.n * a.d, a.d * b.d);
const mul = (a: Q, b: Q): Q => q(a.n * b.n, a.d * b.d);
const div = (a: Q, b: Q): Q => (b.n < 0n ? q(-a.n * b.d, a.d * -b.n) : q(a.n * b.d, a.d * b.n));
const lt = (a: Q, b: Q): boolean => a.n * b.d < b.n * a.d;
function roundHalfEven(x: Q): number {
  // floor, then look at twice the remainder
  let f = x.n / x.d;
  if (x.n % x.d !== 0n && x.n < 0n) f -= 1n;
  const twice = 2n * (x.n - f * x.d);
  if (twice > x.d || (twice === x.d && f % 2n !== 0n)) f += 1n;
  return Number(f);
}

interface Expect {
  status: string;
  selectedDays: string[];
  unadjustedWh: (number | null)[];
  baselineWh: (number | null)[];
}

function naive(pack: LikeDaysPack, start: number, end: number, calendar: HolidayCalendar, days: Record<string, DayReads>, eventDays: string[]): Expect {
  const p = pack.parameters;
  const dayMs = 86_400_000;
  const istMidnight = (t: number) => Math.floor((t + 19_800_000) / dayMs) * dayMs - 19_800_000;
  const date = (t: number) => new Date(t + 19_800_000).toISOString().slice(0, 10);
  const eventDate = date(start);
  const first = (start - istMidnight(start)) / 900_000;
  const count = (end - start) / 900_000;
  const eventIdx = Array.from({ length: count }, (_, i) => first + i);
  const adj = p.adjustment;
  const windowIdx = adj.type === 'NONE' ? [] : Array.from({ length: (adj.windowEndOffsetMinutes - adj.windowStartOffsetMinutes) / 15 }, (_, i) => first + adj.windowStartOffsetMinutes / 15 + i);
  const group = p.dayTypeGroups.find((g) => g.dayTypes.includes(calendar.dayType(eventDate)))!;
  const energy = (reads: DayReads, idx: number[]) => idx.reduce((s, i) => s + (reads[i] as number), 0);
  const usable = (d: string): DayReads | undefined => {
    const reads = days[d];
    if (!reads || eventDays.includes(d)) return undefined;
    const valid = Array.from(reads).filter((v) => v !== null).length;
    if (valid * 100 < 96 * p.minValidReadsPercent) return undefined;
    if ([...eventIdx, ...windowIdx].some((i) => reads[i] === null)) return undefined;
    return reads;
  };
  const pool: { d: string; reads: DayReads; age: number }[] = [];
  for (let k = 1 + p.skipDaysBeforeEvent; k <= p.lookbackDays; k++) {
    const d = date(start - k * dayMs);
    if (!group.dayTypes.includes(calendar.dayType(d))) continue;
    const reads = usable(d);
    if (reads) pool.push({ d, reads, age: k });
  }
  let candidates = pool.slice(0, group.candidateDays);
  if (group.lowUsage) {
    const sums = candidates.map((c) => q(energy(c.reads, eventIdx)));
    const ref = group.lowUsage.reference === 'MAX' ? sums.reduce((a, b) => (lt(a, b) ? b : a), q(0)) : div(sums.reduce(add, q(0)), q(Math.max(1, sums.length)));
    const threshold = mul(ref, q(group.lowUsage.thresholdPercent, 100));
    const ok = (c: (typeof pool)[number]) => !lt(q(energy(c.reads, eventIdx)), threshold);
    const kept = candidates.filter(ok);
    for (const c of pool.slice(candidates.length)) if (kept.length < group.candidateDays && ok(c)) kept.push(c);
    candidates = kept;
  }
  if (candidates.length < group.minCandidateDays) return { status: 'INSUFFICIENT_HISTORY', selectedDays: [], unadjustedWh: eventIdx.map(() => null), baselineWh: eventIdx.map(() => null) };
  // rank: lower energy first; between equals the older (greater age) first
  const ranked = [...candidates].sort((a, b) => energy(a.reads, eventIdx) - energy(b.reads, eventIdx) || b.age - a.age);
  const s = group.selection;
  const chosen = s.rule === 'ALL' ? candidates : s.rule === 'HIGHEST' ? ranked.slice(ranked.length - s.count) : ranked.slice(s.dropLowest, ranked.length - s.dropHighest);
  const n = q(chosen.length);
  const mean = (i: number) => div(q(chosen.reduce((sum, c) => sum + (c.reads[i] as number), 0)), n);
  const unadjusted = eventIdx.map((i) => mean(i));
  const selectedDays = [...chosen].sort((a, b) => a.age - b.age).map((c) => c.d);
  let adjusted = unadjusted;
  if (adj.type !== 'NONE') {
    const today = days[eventDate];
    if (!today || windowIdx.some((i) => today[i] === null)) return { status: 'ADJUSTMENT_DATA_MISSING', selectedDays, unadjustedWh: unadjusted.map(roundHalfEven), baselineWh: eventIdx.map(() => null) };
    const actual = q(energy(today, windowIdx));
    const predicted = windowIdx.map(mean).reduce(add, q(0));
    if (adj.type === 'MULTIPLICATIVE') {
      let ratio = predicted.n === 0n ? (actual.n === 0n ? q(1) : q(adj.maxRatioPercent, 100)) : div(actual, predicted);
      if (lt(ratio, q(adj.minRatioPercent, 100))) ratio = q(adj.minRatioPercent, 100);
      if (lt(q(adj.maxRatioPercent, 100), ratio)) ratio = q(adj.maxRatioPercent, 100);
      adjusted = unadjusted.map((u) => mul(u, ratio));
    } else {
      const offset = div(sub(actual, predicted), q(windowIdx.length));
      adjusted = unadjusted.map((u) => add(u, offset));
    }
  }
  return { status: 'OK', selectedDays, unadjustedWh: unadjusted.map(roundHalfEven), baselineWh: adjusted.map((x) => Math.max(0, roundHalfEven(x))) };
}

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('engine agrees with the naive reference on 150 random scenarios per pack', () => {
  const packs = loadPolicyPacks().filter((p): p is LikeDaysPack => p.method === 'LIKE_DAYS');
  for (const pack of packs) {
    const random = rng(pack.id.length * 7919);
    const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
    for (let scenario = 0; scenario < 150; scenario++) {
      const eventDay = `2026-0${int(4, 9)}-${String(int(10, 28)).padStart(2, '0')}`;
      const startSlot = int(20, 88);
      const start = ist(eventDay, `${String(Math.floor(startSlot / 4)).padStart(2, '0')}:${String((startSlot % 4) * 15).padStart(2, '0')}`);
      const end = start + int(1, Math.min(8, 96 - startSlot)) * 900_000;
      const extra = Array.from({ length: int(0, 4) }, () => ({ date: `2026-0${int(3, 9)}-${String(int(10, 28)).padStart(2, '0')}`, name: 'random', scope: 'IN', moonDependent: false, source: 'test' }));
      const calendar = indiaHolidayCalendar({ state: random() < 0.5 ? 'DL' : undefined, extraHolidays: extra });
      const days: Record<string, DayReads> = {};
      const level = int(0, 3) === 0 ? 0 : int(50, 5000);
      const nullRate = [0, 0.005, 0.02, 0.2][int(0, 3)]!;
      for (let k = 0; k <= 70; k++) {
        if (random() < 0.05) continue; // a day without reads
        const d = new Date(Date.parse(`${eventDay}T00:00:00Z`) - k * 86_400_000).toISOString().slice(0, 10);
        const dayLevel = random() < 0.1 ? int(0, 20) : level + int(-level >> 1, level >> 1);
        days[d] = Array.from({ length: 96 }, () => (random() < nullRate ? null : Math.max(0, dayLevel + int(-30, 30))));
      }
      const eventDays = Array.from({ length: int(0, 3) }, () => new Date(Date.parse(`${eventDay}T00:00:00Z`) - int(1, 30) * 86_400_000).toISOString().slice(0, 10));
      const shared = random() < 0.5;
      const result = computeBaseline(pack, { eventStart: start, eventEnd: end, calendar, ...(shared ? { eventDays } : {}), meters: [{ meterId: 'r', days, ...(shared ? {} : { eventDays }) }] });
      const got = result.meters[0]!;
      const want = naive(pack, start, end, calendar, days, eventDays);
      const where = `${pack.id} scenario ${scenario} (${eventDay} slot ${startSlot})`;
      assert.deepEqual({ status: got.status, selectedDays: [...got.selectedDays], unadjustedWh: [...got.unadjustedWh], baselineWh: [...got.baselineWh] }, want, where);
    }
  }
});
