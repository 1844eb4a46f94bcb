import { BLOCK_MS, compare, decimalOfNumber, formatDecimal, isNegative, subtract, type Decimal } from '@ies/units';
import type { DescriptorCatalogue } from './descriptors.js';
import type { IesCode } from './ies-codes.js';
import type { Period, Profile } from './meterdata-document.js';
import { child, item, refuse, show } from './paths.js';
import { cellsOf, frameProfile, type Cell, type ProfileFrame } from './profile-cells.js';
import { durationMs } from './timestamps.js';
import type { IngestPolicy } from './types.js';

export interface CheckedProfile {
  readonly frame: ProfileFrame;
  readonly cells: readonly Cell[];
}

/** Rule "time order": interval ids strictly increase. */
function checkIntervalOrder(frame: ProfileFrame): void {
  frame.intervals.forEach((interval, k) => {
    const prev = frame.intervals[k - 1];
    if (prev === undefined || interval.id > prev.id) return;
    const path = item(child(frame.path, 'intervals'), k);
    throw refuse('IES_ERR_METERDATA_INTERVAL_ORDER', path, `${frame.where}: interval ids must strictly increase, but ${path} has id ${interval.id} after id ${prev.id}`, { id: interval.id, previousId: prev.id });
  });
}

/** Rule "monotonic cumulatives": a CUMULATIVE register in READING mode never decreases and is never negative. */
function checkCumulatives(frame: ProfileFrame, cells: readonly Cell[]): void {
  const last = new Map<IesCode, { value: Decimal; raw: number; id: number | null }>();
  for (const cell of cells) {
    if (cell.intervalIndex === null || cell.value === undefined || cell.mode !== 'READING' || cell.code.accumulationBehaviour !== 'CUMULATIVE') continue;
    const name = `${show(cell.readingType)} (${cell.code.obis})`;
    const value = decimalOfNumber(cell.value);
    if (isNegative(value)) {
      throw refuse('IES_ERR_METERDATA_CUMULATIVE_DECREASE', cell.path, `${frame.where}: cumulative register ${name} reads ${cell.value} at interval id ${cell.intervalId} (${cell.path}); a cumulative reading cannot be negative`, { readingType: cell.readingType, value: cell.value });
    }
    const prev = last.get(cell.code);
    if (prev !== undefined && compare(value, prev.value) < 0) {
      throw refuse('IES_ERR_METERDATA_CUMULATIVE_DECREASE', cell.path, `${frame.where}: cumulative register ${name} decreased from ${prev.raw} at interval id ${prev.id} to ${cell.value} at interval id ${cell.intervalId} (${cell.path})`, { readingType: cell.readingType, previous: prev.raw, value: cell.value });
    }
    last.set(cell.code, { value, raw: cell.value, id: cell.intervalId });
  }
}

/**
 * Rule "elaborated usage": openingValue and closingValue come together, only in USAGE mode,
 * and value = closingValue − openingValue exactly (decimal, no tolerance).
 */
function checkUsage(frame: ProfileFrame, cells: readonly Cell[]): void {
  for (const cell of cells) {
    const { openingValue: opening, closingValue: closing } = cell;
    if (opening === undefined && closing === undefined) continue;
    const fail = (message: string) => refuse('IES_ERR_METERDATA_USAGE_MISMATCH', cell.path, `${frame.where}: ${show(cell.readingType)} at ${cell.path} ${message}`, { readingType: cell.readingType, value: cell.value, openingValue: opening, closingValue: closing });
    if (opening === undefined || closing === undefined) throw fail(`has ${opening === undefined ? `closingValue ${closing} but no openingValue` : `openingValue ${opening} but no closingValue`}`);
    const expected = subtract(decimalOfNumber(closing), decimalOfNumber(opening));
    if (cell.value !== undefined && compare(decimalOfNumber(cell.value), expected) !== 0) {
      throw fail(`has usage value ${cell.value}, but closingValue ${closing} − openingValue ${opening} = ${formatDecimal(expected)}`);
    }
    if (cell.mode !== 'USAGE') {
      throw fail(`has openingValue/closingValue, which belong to USAGE mode only; it is reported in READING mode (${cell.descriptor?.reportedMode === undefined ? 'the IES codes.json default' : 'per its payload descriptor'})`);
    }
  }
}

/** Rule "15-minute resolution": INTERVAL durations are PT15M, or PT30M under the SPLIT_EVEN conversion rule. */
function checkResolution(frame: ProfileFrame, cells: readonly Cell[], policy: IngestPolicy): void {
  const periods: { period: Period; path: string }[] = [];
  if (frame.profile.intervalPeriod !== undefined) periods.push({ period: frame.profile.intervalPeriod, path: child(frame.path, 'intervalPeriod') });
  frame.intervals.forEach((interval, k) => {
    if (interval.intervalPeriod !== undefined) periods.push({ period: interval.intervalPeriod, path: child(item(child(frame.path, 'intervals'), k), 'intervalPeriod') });
  });
  for (const cell of cells) if (cell.intervalIndex === null && cell.period !== undefined) periods.push({ period: cell.period, path: child(cell.path, 'timePeriod') });
  for (const { period, path } of periods) {
    const ms = durationMs(period.duration);
    if (ms === BLOCK_MS) continue;
    if (ms === 2 * BLOCK_MS) {
      if (policy.halfHourProfiles === 'SPLIT_EVEN') continue;
      throw refuse('IES_ERR_METERDATA_RESOLUTION', path, `${frame.where}: interval duration ${period.duration} at ${path} is refused under halfHourProfiles=REJECT; a 30-minute profile is accepted only by the SPLIT_EVEN conversion rule (each value W Wh → ceil(W/2) + floor(W/2) in two 15-minute blocks), set per head-end`, { duration: period.duration, halfHourProfiles: policy.halfHourProfiles });
    }
    throw refuse('IES_ERR_METERDATA_RESOLUTION', path, `${frame.where}: interval duration ${period.duration} at ${path} is not PT15M; blocks are 15 minutes and only PT30M has a conversion rule (SPLIT_EVEN)`, { duration: period.duration });
  }
}

/**
 * All document-level rules for one data profile, in a fixed order: descriptor present and
 * referenced → readingType resolves → declared in the set → profile type → arity and column
 * types → interval order → cumulative monotonicity → usage math → resolution (INTERVAL).
 * The first failing rule refuses the whole batch.
 */
export function checkProfile(profile: Profile, path: string, catalogue: DescriptorCatalogue, policy: IngestPolicy): CheckedProfile {
  const frame = frameProfile(profile, path, catalogue);
  const cells = cellsOf(frame);
  checkIntervalOrder(frame);
  checkCumulatives(frame, cells);
  checkUsage(frame, cells);
  if (profile.profileType === 'INTERVAL') checkResolution(frame, cells, policy);
  return { frame, cells };
}
