/**
 * Candidate like days: the days of the lookback whose type is in the event day's group,
 * after the exclusions shared by every meter (holidays, prior event days), and the test
 * that makes one of them a valid like day for a meter (enough valid reads, none missing
 * where the method needs them).
 */
import type { HolidayCalendar } from './calendar.js';
import { MALFORMED, MAX_READ_WH, type DayReads } from './baseline-day-reads.js';
import type { EventGeometry, Window } from './baseline-geometry.js';
import type { ExcludedDay, ExclusionReason } from './baseline-model.js';
import { dateOfDayIndex, BLOCKS_PER_DAY } from '@ies/units';
import type { DayTypeGroup, LikeDaysPack } from './policy-pack.js';

export interface Candidates {
  /** Like days in the lookback, most recent first. */
  readonly potential: readonly string[];
  /** Holidays and shared prior event days that removed a like day. */
  readonly calendarExcludedDays: readonly ExcludedDay[];
}

export function candidateDays(params: LikeDaysPack['parameters'], group: DayTypeGroup, calendar: HolidayCalendar, eventDayIndex: number, sharedEventDayList: readonly string[]): Candidates {
  const sharedEventDays = new Set(sharedEventDayList);
  const potential: string[] = [];
  const calendarExcludedDays: ExcludedDay[] = [];
  for (let k = 1 + params.skipDaysBeforeEvent; k <= params.lookbackDays; k++) {
    const date = dateOfDayIndex(eventDayIndex - k);
    const type = calendar.dayType(date);
    if (group.dayTypes.includes(type)) {
      if (sharedEventDays.has(date)) calendarExcludedDays.push({ day: date, reason: 'EVENT_DAY' });
      else potential.push(date);
    } else if (type === 'HOLIDAY' && group.dayTypes.includes(calendar.weekdayType(date))) {
      calendarExcludedDays.push({ day: date, reason: 'HOLIDAY' });
    }
  }
  return { potential, calendarExcludedDays };
}

/** Intervals a like day must have a read in: the event's and the adjustment window's. */
export function requiredIntervals(ev: EventGeometry, window: Window | null): Int32Array {
  const required = new Int32Array(ev.count + (window?.count ?? 0));
  for (let i = 0; i < ev.count; i++) required[i] = ev.first + i;
  for (let i = 0; window && i < window.count; i++) required[ev.count + i] = window.first + i;
  return required;
}

/** Valid reads a day needs: minValidReadsPercent of 96, rounded up. */
export function minValidReads(percent: number): number {
  return Math.floor((BLOCKS_PER_DAY * percent + 99) / 100);
}

// Negative codes of examineDay: why a candidate is not a valid like day for the meter.
const NO_READS = -1;
const TOO_FEW = -2;
const MISSING_REQUIRED = -3;
export const CODE_REASON: Record<number, ExclusionReason> = { [NO_READS]: 'NO_READS', [TOO_FEW]: 'TOO_FEW_VALID_READS', [MISSING_REQUIRED]: 'MISSING_REQUIRED_READS' };

/**
 * The event-window energy of a candidate day (≥ 0), or a negative code: no reads, too few
 * valid reads in the day, a null in an interval the method needs, or a malformed value.
 */
export function examineDay(reads: DayReads | undefined, minValid: number, required: Int32Array, evFirst: number, evCount: number): number {
  if (reads === undefined) return NO_READS;
  if (reads.length !== BLOCKS_PER_DAY) return MALFORMED;
  if (reads instanceof Float64Array) return examineTypedDay(reads, minValid, required, evFirst, evCount);
  let valid = 0;
  for (let i = 0; i < BLOCKS_PER_DAY; i++) {
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

/** examineDay for a Float64Array day: NaN is missing, the same checks on the rest. */
function examineTypedDay(reads: Float64Array, minValid: number, required: Int32Array, evFirst: number, evCount: number): number {
  let valid = 0;
  for (let i = 0; i < BLOCKS_PER_DAY; i++) {
    const v = reads[i]!;
    if (v !== v) continue;
    if (!((v | 0) === v && v >= 0) && !(v >= 0 && v <= MAX_READ_WH && Number.isInteger(v))) return MALFORMED;
    valid++;
  }
  if (valid < minValid) return TOO_FEW;
  for (let k = 0; k < required.length; k++) if (Number.isNaN(reads[required[k]!])) return MISSING_REQUIRED;
  let sum = 0;
  for (let i = evFirst; i < evFirst + evCount; i++) sum += reads[i]!;
  return sum;
}
