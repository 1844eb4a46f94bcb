/**
 * A meter's reads for one IST day as the baseline methods take them, and the checks on
 * them: 96 integer Wh values, null where missing or invalid — or, in the compact form the
 * history loader hands over (GridDays), a Float64Array with NaN where missing or invalid.
 */
import { drError } from './codes.js';
import { BLOCKS_PER_DAY } from '@ies/units';

/**
 * One IST day of a meter: 96 interval values in integer Wh, null where missing or invalid.
 * A Float64Array day marks a missing value NaN instead (it cannot hold null); elsewhere NaN
 * is malformed.
 */
export type DayReads = ArrayLike<number | null>;
export type MeterDays = ReadonlyMap<string, DayReads> | Readonly<Record<string, DayReads | undefined>> | GridDays;

/**
 * A meter's days inside a typed grid (the history loader's compact form, no array per day):
 * day d is values[at + 96·d …], NaN where missing or invalid, and absent (no reads at all)
 * when present[presentAt + d] is 0. `dayOf` maps the grid's IST dates to d.
 */
export class GridDays {
  constructor(
    readonly values: Float64Array,
    readonly at: number,
    readonly present: Uint8Array,
    readonly presentAt: number,
    readonly dayOf: ReadonlyMap<string, number>,
  ) {}

  get(date: string): Float64Array | undefined {
    const d = this.dayOf.get(date);
    if (d === undefined || this.present[this.presentAt + d] === 0) return undefined;
    return this.values.subarray(this.at + d * BLOCKS_PER_DAY, this.at + (d + 1) * BLOCKS_PER_DAY);
  }
}

/** Largest accepted interval value: 2^36 Wh (~275 GW for 15 minutes) keeps every sum a safe integer. */
export const MAX_READ_WH = 2 ** 36;

/** A negative sum code: the day has a value that is not integer Wh in range (refused with malformed()). */
export const MALFORMED = -4;

export function readsOf(days: MeterDays, date: string): DayReads | undefined {
  return days instanceof Map || days instanceof GridDays ? days.get(date) : (days as Readonly<Record<string, DayReads | undefined>>)[date];
}

/** Throws the input error naming the first bad value of a day that examination found MALFORMED. */
export function malformed(meterId: string, date: string, reads: DayReads): never {
  if (reads.length !== BLOCKS_PER_DAY) throw drError('IES_ERR_DR_INPUT_INVALID', `meter ${meterId} day ${date} has ${reads.length} interval values, not ${BLOCKS_PER_DAY}`, { meterId, day: date });
  const typed = reads instanceof Float64Array;
  for (let i = 0; i < BLOCKS_PER_DAY; i++) {
    const v = reads[i];
    if (v !== null && !(typed && Number.isNaN(v)) && !(typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= MAX_READ_WH)) {
      throw drError('IES_ERR_DR_INPUT_INVALID', `meter ${meterId} day ${date} interval ${i} is ${JSON.stringify(v)}; values must be integer Wh from 0 to 2^36, or null when missing`, { meterId, day: date, interval: i });
    }
  }
  throw drError('IES_ERR_DR_INPUT_INVALID', `meter ${meterId} day ${date} is malformed`, { meterId, day: date });
}

/** Sum of `reads` over the window, or -1 when any value there is null (malformed → MALFORMED). */
export function windowSum(reads: DayReads, w: { readonly first: number; readonly count: number }): number {
  if (reads.length !== BLOCKS_PER_DAY) return MALFORMED;
  const typed = reads instanceof Float64Array;
  let sum = 0;
  for (let i = w.first; i < w.first + w.count; i++) {
    const v = reads[i];
    if (v === null || (typed && v !== v)) return -1;
    if (!(typeof v === 'number' && v >= 0 && v <= MAX_READ_WH && Number.isInteger(v))) return MALFORMED;
    sum += v;
  }
  return sum;
}
