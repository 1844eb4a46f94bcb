/**
 * Averaging the selected days interval by interval: the sums are exact integers (every
 * value ≤ 2^36 Wh) and each mean is rounded once, half to even (@ies/units).
 */
import { divideHalfEven } from '@ies/units';
import type { DayReads } from './baseline-day-reads.js';
import type { Window } from './baseline-geometry.js';

/**
 * Adds the selected days' reads of the event intervals into `sums` (zeroed first) and
 * returns their energy in `window` summed over the days (0 without a window).
 */
export function sumSelectedDays(days: readonly DayReads[], first: number, sums: Float64Array, window: Window | null): number {
  sums.fill(0);
  let windowSum = 0;
  for (const reads of days) {
    for (let j = 0; j < sums.length; j++) sums[j] = sums[j]! + (reads[first + j] as number);
    if (window) for (let j = window.first; j < window.first + window.count; j++) windowSum += reads[j] as number;
  }
  return windowSum;
}

/** sums[j] / days per interval, half to even. */
export function averageHalfEven(sums: ArrayLike<number>, days: number): number[] {
  const n = BigInt(days);
  const out: number[] = new Array<number>(sums.length);
  for (let j = 0; j < sums.length; j++) out[j] = Number(divideHalfEven(BigInt(sums[j]!), n));
  return out;
}
