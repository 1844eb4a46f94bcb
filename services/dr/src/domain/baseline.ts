import { divideHalfEven, toSafeInteger } from '@ies/units';
import type { DayType, HolidayCalendar } from './calendar.js';
import { drError } from './codes.js';
import { dateOfDayIndex, formatIstTime, INTERVAL_MINUTES, INTERVAL_MS, INTERVALS_PER_DAY, intervalIndexOf, istDayIndexOf } from './ist.js';
import { policyRef, type DayTypeGroup, type LikeDaysPack, type MeterBeforeAfterPack, type PolicyPack } from './policy-pack.js';

/**
 * The baseline engine: per meter and 15-minute event interval, the energy (integer Wh) the
 * meter would have used without the event, under one policy pack. Pure and deterministic:
 * the arithmetic is exact and rounded once per figure (README, "Baseline arithmetic").
 */

/** One IST day of a meter: 96 interval values in integer Wh, null where missing or invalid. */
export type DayReads = ArrayLike<number | null>;
export type MeterDays = ReadonlyMap<string, DayReads> | Readonly<Record<string, DayReads | undefined>>;

export interface MeterHistory {
  readonly meterId: string;
  /** IST date → reads. Include the event day itself when the method adjusts on it. */
  readonly days: MeterDays;
  /** Prior DR event days of this meter (IST dates), excluded as like days. */
  readonly eventDays?: readonly string[];
}

export interface BaselineInput {
  /** UTC epoch ms, on 15-minute boundaries, end exclusive, within one IST day. */
  readonly eventStart: number;
  readonly eventEnd: number;
  readonly calendar: HolidayCalendar;
  /** Prior DR event days that exclude a like day for every meter. */
  readonly eventDays?: readonly string[];
  readonly meters: readonly MeterHistory[];
}

export type BaselineStatus = 'OK' | 'INSUFFICIENT_HISTORY' | 'ADJUSTMENT_DATA_MISSING';
export type ExclusionReason = 'HOLIDAY' | 'EVENT_DAY' | 'NO_READS' | 'TOO_FEW_VALID_READS' | 'MISSING_REQUIRED_READS' | 'LOW_USAGE';

export interface ExcludedDay {
  readonly day: string;
  readonly reason: ExclusionReason;
}

export type AdjustmentDetail =
  | { readonly type: 'NONE' }
  | {
      readonly type: 'MULTIPLICATIVE';
      /** A: event-day energy in the adjustment window. */
      readonly windowActualWh: number;
      /** T: energy of the selected days in the window, summed over days (= N × baseline window energy). */
      readonly windowSelectedSumWh: number;
      /** Ratio applied, as a fraction: A×N / T, or the cap min/100 or max/100. */
      readonly ratioNumerator: number;
      readonly ratioDenominator: number;
      readonly bound: 'NONE' | 'MIN' | 'MAX';
    }
  | {
      readonly type: 'ADDITIVE';
      readonly windowActualWh: number;
      readonly windowSelectedSumWh: number;
      /** Wh added to every event interval, as a fraction: (A×N − T) / (N×W). */
      readonly offsetNumerator: number;
      readonly offsetDenominator: number;
    };

export interface MeterBaseline {
  readonly meterId: string;
  readonly status: BaselineStatus;
  /** Why the status is not OK, in words with the numbers; null when OK. */
  readonly detail: string | null;
  /** Valid like days gathered (most recent first), before selection. */
  readonly likeDays: readonly string[];
  /** Days averaged (most recent first). Meter-before/after: the event day. */
  readonly selectedDays: readonly string[];
  /** Meter-specific exclusions (the shared ones are on the result). */
  readonly excludedDays: readonly ExcludedDay[];
  /** How the event-day adjustment was applied; null when it could not be (see status). */
  readonly adjustment: AdjustmentDetail | null;
  /** Per event interval; null when the status does not allow a figure. */
  readonly unadjustedWh: readonly (number | null)[];
  readonly baselineWh: readonly (number | null)[];
}

export interface BaselineResult {
  readonly policy: string;
  readonly method: PolicyPack['method'];
  readonly eventDay: string;
  readonly eventDayType: DayType;
  /** Name of the day-type group used (LIKE_DAYS), null for meter-before/after. */
  readonly dayTypeGroup: string | null;
  readonly intervalStarts: readonly number[];
  /** Holidays and shared prior event days that removed a like day, for every meter. */
  readonly calendarExcludedDays: readonly ExcludedDay[];
  readonly meters: readonly MeterBaseline[];
}

/** Largest accepted interval value: 2^36 Wh (~275 GW for 15 minutes) keeps every sum a safe integer. */
export const MAX_READ_WH = 2 ** 36;

interface EventGeometry {
  readonly dayIndex: number;
  readonly date: string;
  readonly first: number;
  readonly count: number;
  readonly intervalStarts: readonly number[];
}

function eventGeometry(start: number, end: number): EventGeometry {
  const problems: string[] = [];
  for (const [name, v] of [['eventStart', start], ['eventEnd', end]] as const) {
    if (!Number.isSafeInteger(v)) problems.push(`${name} ${v} is not an integer epoch ms`);
    else if (v % INTERVAL_MS !== 0) problems.push(`${name} ${new Date(v).toISOString()} (${formatIstTime(v)}) is not on a 15-minute boundary`);
  }
  if (problems.length === 0 && end <= start) problems.push(`eventEnd ${new Date(end).toISOString()} is not after eventStart ${new Date(start).toISOString()}`);
  if (problems.length === 0 && istDayIndexOf(start) !== istDayIndexOf(end - 1)) problems.push(`event ${formatIstTime(start)} ${dateOfDayIndex(istDayIndexOf(start))} to ${formatIstTime(end)} ${dateOfDayIndex(istDayIndexOf(end - 1))} crosses IST midnight; split it into one event per IST day`);
  if (problems.length > 0) throw drError('IES_ERR_DR_INPUT_INVALID', problems.join('; '), { eventStart: start, eventEnd: end });
  const dayIndex = istDayIndexOf(start);
  const first = intervalIndexOf(start);
  const count = (end - start) / INTERVAL_MS;
  const intervalStarts = Array.from({ length: count }, (_, i) => start + i * INTERVAL_MS);
  return { dayIndex, date: dateOfDayIndex(dayIndex), first, count, intervalStarts };
}

interface Window {
  readonly first: number;
  readonly count: number;
}

function windowOf(ev: EventGeometry, startOffset: number, endOffset: number, policy: string, eventStart: number): Window {
  const first = ev.first + startOffset / INTERVAL_MINUTES;
  if (first < 0) {
    throw drError('IES_ERR_DR_INPUT_INVALID', `${policy} needs reads from ${-startOffset} min before the event start ${formatIstTime(eventStart)}, which is before 00:00 IST of the event day; windows must stay within the event's IST day`, { policy, eventStart });
  }
  return { first, count: (endOffset - startOffset) / INTERVAL_MINUTES };
}

export function computeBaseline(pack: PolicyPack, input: BaselineInput): BaselineResult {
  const ev = eventGeometry(input.eventStart, input.eventEnd);
  return pack.method === 'LIKE_DAYS' ? likeDaysBaseline(pack, input, ev) : meterBeforeAfterBaseline(pack, input, ev);
}

function readsOf(days: MeterDays, date: string): DayReads | undefined {
  return days instanceof Map ? days.get(date) : (days as Readonly<Record<string, DayReads | undefined>>)[date];
}

function malformed(meterId: string, date: string, reads: DayReads): never {
  if (reads.length !== INTERVALS_PER_DAY) throw drError('IES_ERR_DR_INPUT_INVALID', `meter ${meterId} day ${date} has ${reads.length} interval values, not ${INTERVALS_PER_DAY}`, { meterId, day: date });
  for (let i = 0; i < INTERVALS_PER_DAY; i++) {
    const v = reads[i];
    if (v !== null && !(typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= MAX_READ_WH)) {
      throw drError('IES_ERR_DR_INPUT_INVALID', `meter ${meterId} day ${date} interval ${i} is ${JSON.stringify(v)}; values must be integer Wh from 0 to 2^36, or null when missing`, { meterId, day: date, interval: i });
    }
  }
  throw drError('IES_ERR_DR_INPUT_INVALID', `meter ${meterId} day ${date} is malformed`, { meterId, day: date });
}

const NO_READS = -1;
const TOO_FEW = -2;
const MISSING_REQUIRED = -3;
const MALFORMED = -4;
const CODE_REASON: Record<number, ExclusionReason> = { [NO_READS]: 'NO_READS', [TOO_FEW]: 'TOO_FEW_VALID_READS', [MISSING_REQUIRED]: 'MISSING_REQUIRED_READS' };

/**
 * The event-window energy of a candidate day (≥ 0), or a negative code: no reads, too few
 * valid reads in the day, a null in an interval the method needs, or a malformed value.
 */
function examineDay(reads: DayReads | undefined, minValid: number, required: Int32Array, evFirst: number, evCount: number): number {
  if (reads === undefined) return NO_READS;
  if (reads.length !== INTERVALS_PER_DAY) return MALFORMED;
  let valid = 0;
  for (let i = 0; i < INTERVALS_PER_DAY; i++) {
    const v = reads[i];
    if (v === null) continue;
    // (v | 0) === v is the cheap test for the usual small integer; larger values take the full one.
    if (!(((v as number) | 0) === v && (v as number) >= 0) && !(typeof v === 'number' && v >= 0 && v <= MAX_READ_WH && Number.isInteger(v))) return MALFORMED;
    valid++;
  }
  if (valid < minValid) return TOO_FEW;
  for (let k = 0; k < required.length; k++) if (reads[required[k]!] === null) return MISSING_REQUIRED;
  let sum = 0;
  for (let i = evFirst; i < evFirst + evCount; i++) sum += reads[i] as number;
  return sum;
}

/** Sum of `reads` over the window, or -1 when any value there is null (malformed → MALFORMED). */
function windowSum(reads: DayReads, w: Window): number {
  if (reads.length !== INTERVALS_PER_DAY) return MALFORMED;
  let sum = 0;
  for (let i = w.first; i < w.first + w.count; i++) {
    const v = reads[i];
    if (v === null) return -1;
    if (!(typeof v === 'number' && v >= 0 && v <= MAX_READ_WH && Number.isInteger(v))) return MALFORMED;
    sum += v;
  }
  return sum;
}

function isLowUsage(sum: number, rule: NonNullable<DayTypeGroup['lowUsage']>, refSum: bigint, refCount: bigint): boolean {
  // MEAN: sum < pct/100 × (refSum / refCount)  ⇔  sum × 100 × refCount < pct × refSum
  // MAX:  sum < pct/100 × refSum               ⇔  sum × 100 < pct × refSum   (refCount = 1)
  return BigInt(sum) * 100n * refCount < BigInt(rule.thresholdPercent) * refSum;
}

function likeDaysBaseline(pack: LikeDaysPack, input: BaselineInput, ev: EventGeometry): BaselineResult {
  const p = pack.parameters;
  const policy = policyRef(pack);
  const calendar = input.calendar;
  const eventDayType = calendar.dayType(ev.date);
  const group = p.dayTypeGroups.find((g) => g.dayTypes.includes(eventDayType));
  if (!group) throw drError('IES_ERR_DR_INPUT_INVALID', `${policy} has no day-type group for ${eventDayType}`, { policy });

  // Like days in the lookback, most recent first, after the exclusions shared by all meters.
  const sharedEventDays = new Set(input.eventDays ?? []);
  const potential: string[] = [];
  const calendarExcludedDays: ExcludedDay[] = [];
  for (let k = 1 + p.skipDaysBeforeEvent; k <= p.lookbackDays; k++) {
    const date = dateOfDayIndex(ev.dayIndex - k);
    const type = calendar.dayType(date);
    if (group.dayTypes.includes(type)) {
      if (sharedEventDays.has(date)) calendarExcludedDays.push({ day: date, reason: 'EVENT_DAY' });
      else potential.push(date);
    } else if (type === 'HOLIDAY' && group.dayTypes.includes(calendar.weekdayType(date))) {
      calendarExcludedDays.push({ day: date, reason: 'HOLIDAY' });
    }
  }

  const adjustment = p.adjustment;
  const window = adjustment.type === 'NONE' ? null : windowOf(ev, adjustment.windowStartOffsetMinutes, adjustment.windowEndOffsetMinutes, policy, input.eventStart);
  const required = new Int32Array(ev.count + (window?.count ?? 0));
  for (let i = 0; i < ev.count; i++) required[i] = ev.first + i;
  for (let i = 0; window && i < window.count; i++) required[ev.count + i] = window.first + i;
  const minValid = Math.floor((INTERVALS_PER_DAY * p.minValidReadsPercent + 99) / 100);

  // Scratch reused across meters: accepted candidates (position in `potential`, event-window sum, reads).
  const accPos = new Int32Array(potential.length);
  const accSum = new Float64Array(potential.length);
  const accReads: DayReads[] = new Array<DayReads>(potential.length);
  const sums = new Float64Array(ev.count);
  const order = new Int32Array(potential.length);
  const chosen = new Uint8Array(potential.length);

  const meters: MeterBaseline[] = new Array<MeterBaseline>(input.meters.length);
  for (let m = 0; m < input.meters.length; m++) {
    const meter = input.meters[m]!;
    const ownEventDays = meter.eventDays;
    const excludedDays: ExcludedDay[] = [];
    let found = 0;
    let cursor = 0;
    let lowRef: { sum: bigint; count: bigint } | null = null;

    // Phase 1 gathers up to Y valid like days; phase 2 (low-usage rule only) replaces the
    // low-usage ones with older valid days, tested against the phase-1 reference.
    for (let phase = 1; phase <= 2; phase++) {
      while (found < group.candidateDays && cursor < potential.length) {
        const position = cursor++;
        const date = potential[position]!;
        if (ownEventDays !== undefined && ownEventDays.includes(date)) {
          excludedDays.push({ day: date, reason: 'EVENT_DAY' });
          continue;
        }
        const reads = readsOf(meter.days, date);
        const sum = examineDay(reads, minValid, required, ev.first, ev.count);
        if (sum === MALFORMED) malformed(meter.meterId, date, reads!);
        if (sum < 0) {
          excludedDays.push({ day: date, reason: CODE_REASON[sum]! });
          continue;
        }
        if (lowRef !== null && isLowUsage(sum, group.lowUsage!, lowRef.sum, lowRef.count)) {
          excludedDays.push({ day: date, reason: 'LOW_USAGE' });
          continue;
        }
        accPos[found] = position;
        accSum[found] = sum;
        accReads[found] = reads!;
        found++;
      }
      if (phase === 2 || group.lowUsage === null || found === 0) break;
      let refSum = 0n;
      for (let i = 0; i < found; i++) {
        const s = BigInt(accSum[i]!);
        if (group.lowUsage.reference === 'MEAN') refSum += s;
        else if (s > refSum) refSum = s;
      }
      lowRef = { sum: refSum, count: group.lowUsage.reference === 'MEAN' ? BigInt(found) : 1n };
      let kept = 0;
      for (let i = 0; i < found; i++) {
        if (isLowUsage(accSum[i]!, group.lowUsage, lowRef.sum, lowRef.count)) {
          excludedDays.push({ day: potential[accPos[i]!]!, reason: 'LOW_USAGE' });
          continue;
        }
        accPos[kept] = accPos[i]!;
        accSum[kept] = accSum[i]!;
        accReads[kept] = accReads[i]!;
        kept++;
      }
      found = kept;
    }

    const likeDays: string[] = new Array<string>(found);
    for (let i = 0; i < found; i++) likeDays[i] = potential[accPos[i]!]!;

    if (found < group.minCandidateDays) {
      const nulls = new Array<null>(ev.count).fill(null);
      meters[m] = {
        meterId: meter.meterId,
        status: 'INSUFFICIENT_HISTORY',
        detail: `found ${found} valid ${group.name} like day(s) in the ${p.lookbackDays}-day lookback, ${policy} needs at least ${group.minCandidateDays} (wants ${group.candidateDays}); ${excludedDays.length + calendarExcludedDays.length} excluded`,
        likeDays,
        selectedDays: [],
        excludedDays,
        adjustment: null,
        unadjustedWh: nulls,
        baselineWh: nulls,
      };
      continue;
    }

    // Selection over the order (event-window energy, then recency): the lowest first, and
    // between equal energies the older day first. Insertion sort: a dozen items at most.
    let from = 0;
    let to = found;
    const sel = group.selection;
    for (let i = 0; i < found; i++) {
      let k = i;
      if (sel.rule !== 'ALL') {
        for (; k > 0; k--) {
          const prev = order[k - 1]!;
          if (accSum[prev]! < accSum[i]! || (accSum[prev] === accSum[i] && accPos[prev]! > accPos[i]!)) break;
          order[k] = prev;
        }
      }
      order[k] = i;
    }
    if (sel.rule === 'HIGHEST') from = found - sel.count;
    else if (sel.rule === 'MIDDLE') {
      from = sel.dropLowest;
      to = found - sel.dropHighest;
    }
    const n = to - from;
    sums.fill(0);
    chosen.fill(0, 0, found);
    let windowSelected = 0;
    for (let k = from; k < to; k++) {
      const i = order[k]!;
      const reads = accReads[i]!;
      for (let j = 0; j < ev.count; j++) sums[j] = sums[j]! + (reads[ev.first + j] as number);
      if (window) for (let j = window.first; j < window.first + window.count; j++) windowSelected += reads[j] as number;
      chosen[i] = 1;
    }
    const selectedDays: string[] = [];
    for (let i = 0; i < found; i++) if (chosen[i] === 1) selectedDays.push(likeDays[i]!);

    const bigN = BigInt(n);
    const unadjustedWh: number[] = new Array<number>(ev.count);
    for (let j = 0; j < ev.count; j++) unadjustedWh[j] = Number(divideHalfEven(BigInt(sums[j]!), bigN));

    let status: BaselineStatus = 'OK';
    let detail: string | null = null;
    let baselineWh: (number | null)[] = unadjustedWh;
    let adjustmentDetail: AdjustmentDetail | null = { type: 'NONE' };
    if (adjustment.type !== 'NONE' && window) {
      const eventReads = readsOf(meter.days, ev.date);
      const actual = eventReads === undefined ? -1 : windowSum(eventReads, window);
      if (actual === MALFORMED) malformed(meter.meterId, ev.date, eventReads!);
      if (actual < 0) {
        status = 'ADJUSTMENT_DATA_MISSING';
        detail = `event day ${ev.date} has ${eventReads === undefined ? 'no reads' : 'a missing read'} in the adjustment window ${formatIstTime(input.eventStart + adjustment.windowStartOffsetMinutes * 60_000)}–${formatIstTime(input.eventStart + adjustment.windowEndOffsetMinutes * 60_000)}`;
        baselineWh = new Array<null>(ev.count).fill(null);
        adjustmentDetail = null;
      } else {
        const a = BigInt(actual);
        const t = BigInt(windowSelected);
        const adjusted: number[] = new Array<number>(ev.count);
        if (adjustment.type === 'MULTIPLICATIVE') {
          const min = BigInt(adjustment.minRatioPercent);
          const max = BigInt(adjustment.maxRatioPercent);
          // ratio = A×N / T; with T = 0 it is 1 when A = 0 and unbounded (→ max) otherwise.
          let bound: 'NONE' | 'MIN' | 'MAX' = 'NONE';
          if (t === 0n) bound = a === 0n ? 'NONE' : 'MAX';
          else if (a * bigN * 100n < min * t) bound = 'MIN';
          else if (a * bigN * 100n > max * t) bound = 'MAX';
          for (let j = 0; j < ev.count; j++) {
            const s = BigInt(sums[j]!);
            adjusted[j] = Number(
              bound === 'NONE' ? (t === 0n ? divideHalfEven(s, bigN) : divideHalfEven(s * a, t))
                : divideHalfEven(s * (bound === 'MIN' ? min : max), bigN * 100n),
            );
          }
          const [num, den] = bound === 'MIN' ? [min, 100n] : bound === 'MAX' ? [max, 100n] : t === 0n ? [1n, 1n] : [a * bigN, t];
          adjustmentDetail = { type: 'MULTIPLICATIVE', windowActualWh: actual, windowSelectedSumWh: windowSelected, ratioNumerator: toSafeInteger(num, 'ratio numerator'), ratioDenominator: toSafeInteger(den, 'ratio denominator'), bound };
        } else {
          // b = S/N + (A − T/N)/W = (S×W + A×N − T) / (N×W), floored at 0 after rounding.
          const w = BigInt(window.count);
          const offset = a * bigN - t;
          const den = bigN * w;
          for (let j = 0; j < ev.count; j++) {
            const b = divideHalfEven(BigInt(sums[j]!) * w + offset, den);
            adjusted[j] = b < 0n ? 0 : Number(b);
          }
          adjustmentDetail = { type: 'ADDITIVE', windowActualWh: actual, windowSelectedSumWh: windowSelected, offsetNumerator: toSafeInteger(offset, 'offset numerator'), offsetDenominator: toSafeInteger(den, 'offset denominator') };
        }
        baselineWh = adjusted;
      }
    }
    meters[m] = { meterId: meter.meterId, status, detail, likeDays, selectedDays, excludedDays, adjustment: adjustmentDetail, unadjustedWh, baselineWh };
  }
  return { policy, method: pack.method, eventDay: ev.date, eventDayType, dayTypeGroup: group.name, intervalStarts: ev.intervalStarts, calendarExcludedDays, meters };
}

function meterBeforeAfterBaseline(pack: MeterBeforeAfterPack, input: BaselineInput, ev: EventGeometry): BaselineResult {
  const policy = policyRef(pack);
  const p = pack.parameters;
  const window = windowOf(ev, p.windowStartOffsetMinutes, p.windowEndOffsetMinutes, policy, input.eventStart);
  const bigW = BigInt(window.count);
  const meters: MeterBaseline[] = input.meters.map((meter) => {
    const reads = readsOf(meter.days, ev.date);
    const sum = reads === undefined ? -1 : windowSum(reads, window);
    if (sum === MALFORMED) malformed(meter.meterId, ev.date, reads!);
    if (sum < 0) {
      const nulls = new Array<null>(ev.count).fill(null);
      return {
        meterId: meter.meterId,
        status: 'INSUFFICIENT_HISTORY',
        detail: `event day ${ev.date} has ${reads === undefined ? 'no reads' : 'a missing read'} in the pre-event window ${formatIstTime(input.eventStart + p.windowStartOffsetMinutes * 60_000)}–${formatIstTime(input.eventStart + p.windowEndOffsetMinutes * 60_000)}`,
        likeDays: [], selectedDays: [], excludedDays: [], adjustment: null, unadjustedWh: nulls, baselineWh: nulls,
      };
    }
    const value = Number(divideHalfEven(BigInt(sum), bigW));
    const flat = new Array<number>(ev.count).fill(value);
    return { meterId: meter.meterId, status: 'OK', detail: null, likeDays: [], selectedDays: [ev.date], excludedDays: [], adjustment: { type: 'NONE' }, unadjustedWh: flat, baselineWh: flat };
  });
  return { policy, method: pack.method, eventDay: ev.date, eventDayType: input.calendar.dayType(ev.date), dayTypeGroup: null, intervalStarts: ev.intervalStarts, calendarExcludedDays: [], meters };
}

/** One row per meter and event interval (the shape of a `baselines.v1` record). */
export interface BaselineRow {
  readonly policy: string;
  readonly meterId: string;
  readonly intervalStart: number;
  readonly status: BaselineStatus;
  readonly unadjustedWh: number | null;
  readonly baselineWh: number | null;
  readonly selectedDays: readonly string[];
  readonly adjustment: AdjustmentDetail | null;
}

export function baselineRows(result: BaselineResult): BaselineRow[] {
  const rows: BaselineRow[] = [];
  for (const m of result.meters) {
    result.intervalStarts.forEach((intervalStart, j) => {
      rows.push({ policy: result.policy, meterId: m.meterId, intervalStart, status: m.status, unadjustedWh: m.unadjustedWh[j]!, baselineWh: m.baselineWh[j]!, selectedDays: m.selectedDays, adjustment: m.adjustment });
    });
  }
  return rows;
}
