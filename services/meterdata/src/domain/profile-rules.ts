import { BLOCK_MS, compare, decimalOfNumber, formatDecimal, isNegative, subtract, type Decimal } from '@ies/units';
import type { DescriptorCatalogue } from './descriptors.js';
import type { IesCode } from './ies-codes.js';
import type { Period, Profile } from './meterdata-document.js';
import { child, item, refuse, show } from './paths.js';
import { cellsOf, frameProfile, type Cell, type ProfileFrame } from './profile-cells.js';
import type { MeterCategory } from './meter-category.js';
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

/** The reference validator's tolerance for value = closingValue − openingValue. */
export const USAGE_TOLERANCE: Decimal = { coef: 1n, exp: -5 };

function absolute(d: Decimal): Decimal {
  return isNegative(d) ? { coef: -d.coef, exp: d.exp } : d;
}

/**
 * Rule "usage math": openingValue and closingValue come together, only in USAGE mode, and
 * |value − (closingValue − openingValue)| ≤ 0.00001 (the reference validator's tolerance; the
 * difference is computed in exact decimal, so float noise such as 0.30000000000000004 never
 * refuses a batch and a real mismatch of 0.0001 always does).
 */
function checkUsage(frame: ProfileFrame, cells: readonly Cell[]): void {
  for (const cell of cells) {
    const { openingValue: opening, closingValue: closing } = cell;
    if (opening === undefined && closing === undefined) continue;
    const fail = (message: string) => refuse('IES_ERR_METERDATA_USAGE_MISMATCH', cell.path, `${frame.where}: ${show(cell.readingType)} at ${cell.path} ${message}`, { readingType: cell.readingType, value: cell.value, openingValue: opening, closingValue: closing });
    if (opening === undefined || closing === undefined) throw fail(`has ${opening === undefined ? `closingValue ${closing} but no openingValue` : `openingValue ${opening} but no closingValue`}`);
    const expected = subtract(decimalOfNumber(closing), decimalOfNumber(opening));
    if (cell.value !== undefined && compare(absolute(subtract(decimalOfNumber(cell.value), expected)), USAGE_TOLERANCE) > 0) {
      throw fail(`has usage value ${cell.value}, but closingValue ${closing} − openingValue ${opening} = ${formatDecimal(expected)} (tolerance 0.00001)`);
    }
    if (cell.mode !== 'USAGE') {
      throw fail(`has openingValue/closingValue, which belong to USAGE mode only; it is reported in READING mode (${cell.descriptor?.reportedMode === undefined ? 'the IES codes.json default' : 'per its payload descriptor'})`);
    }
  }
}

/**
 * Rules "15-minute resolution" and "not ingestible": INTERVAL durations are PT15M, or PT30M
 * under the SPLIT_EVEN conversion rule (else RESOLUTION, a per-head-end policy); any other
 * duration (PT5M, PT60M, P1D, …) has no conversion to 15-minute blocks (NOT_INGESTIBLE).
 */
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
    throw refuse('IES_ERR_METERDATA_NOT_INGESTIBLE', path, `${frame.where}: interval duration ${period.duration} at ${path} is not ingestible: the node stores 15-minute blocks and converts only PT15M, and PT30M under SPLIT_EVEN`, { duration: period.duration });
  }
}

/**
 * Rule "meter category" (reference rule 8): when the meter's IS 15959 category is known,
 * every reading type the profile uses must list it in its IES codes.json meterCategories.
 */
function checkMeterCategory(frame: ProfileFrame, cells: readonly Cell[], category: MeterCategory | undefined): void {
  if (category === undefined) return;
  for (const cell of cells) {
    const allowed = cell.code.meterCategories;
    if (allowed.length === 0 || allowed.includes(category.category)) continue;
    throw refuse('IES_ERR_METERDATA_METER_CATEGORY', cell.path, `${frame.where}: readingType ${show(cell.readingType)} (${cell.code.obis}) at ${cell.path} is not supported for meter ${show(category.meterId)} of category ${category.category} (${category.source}); IES codes.json lists it for ${allowed.join(', ')}`, { readingType: cell.readingType, meterId: category.meterId, meterCategory: category.category, allowed });
  }
}

/**
 * All document-level rules for one data profile, in a fixed order: descriptor present and
 * referenced → readingType resolves → declared in the set → profile type → arity and column
 * types → attributes → meter category → interval order → cumulative monotonicity → usage
 * math → resolution (INTERVAL).
 * The first failing rule refuses the whole batch.
 */
export function checkProfile(profile: Profile, path: string, catalogue: DescriptorCatalogue, policy: IngestPolicy, category?: MeterCategory): CheckedProfile {
  const frame = frameProfile(profile, path, catalogue);
  const cells = cellsOf(frame);
  checkMeterCategory(frame, cells, category);
  checkIntervalOrder(frame);
  checkCumulatives(frame, cells);
  checkUsage(frame, cells);
  if (profile.profileType === 'INTERVAL') checkResolution(frame, cells, policy);
  return { frame, cells };
}
