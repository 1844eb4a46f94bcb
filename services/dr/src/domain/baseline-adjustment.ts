/**
 * Event-day adjustment of a like-days baseline, from the event day's energy A in the
 * adjustment window against T, the selected days' energy there summed over the N days:
 * - MULTIPLICATIVE scales each interval's mean by A×N / T, capped to [min %, max %];
 * - ADDITIVE adds (A − T/N) / W to each interval (W window intervals), floored at 0.
 * Each figure is one exact fraction rounded once, half to even (@ies/units).
 */
import { divideHalfEven, toSafeInteger } from '@ies/units';
import type { AdjustmentDetail } from './baseline-model.js';
import type { Adjustment } from './policy-pack.js';

export interface AdjustmentInputs {
  /** Per event interval, the selected days' reads summed over the days (S). */
  readonly sums: ArrayLike<number>;
  /** N: days selected. */
  readonly days: number;
  /** A: event-day energy in the adjustment window. */
  readonly windowActualWh: number;
  /** T: the selected days' energy in the window, summed over the days. */
  readonly windowSelectedSumWh: number;
  /** W: intervals in the window. */
  readonly windowIntervals: number;
}

export function adjustBaseline(adjustment: Exclude<Adjustment, { type: 'NONE' }>, x: AdjustmentInputs): { baselineWh: number[]; detail: AdjustmentDetail } {
  return adjustment.type === 'MULTIPLICATIVE' ? multiplicative(adjustment, x) : additive(x);
}

function multiplicative(adjustment: Extract<Adjustment, { type: 'MULTIPLICATIVE' }>, x: AdjustmentInputs): { baselineWh: number[]; detail: AdjustmentDetail } {
  const a = BigInt(x.windowActualWh);
  const t = BigInt(x.windowSelectedSumWh);
  const bigN = BigInt(x.days);
  const min = BigInt(adjustment.minRatioPercent);
  const max = BigInt(adjustment.maxRatioPercent);
  // ratio = A×N / T; with T = 0 it is 1 when A = 0 and unbounded (→ max) otherwise.
  let bound: 'NONE' | 'MIN' | 'MAX' = 'NONE';
  if (t === 0n) bound = a === 0n ? 'NONE' : 'MAX';
  else if (a * bigN * 100n < min * t) bound = 'MIN';
  else if (a * bigN * 100n > max * t) bound = 'MAX';
  const adjusted: number[] = new Array<number>(x.sums.length);
  for (let j = 0; j < x.sums.length; j++) {
    const s = BigInt(x.sums[j]!);
    adjusted[j] = Number(
      bound === 'NONE' ? (t === 0n ? divideHalfEven(s, bigN) : divideHalfEven(s * a, t))
        : divideHalfEven(s * (bound === 'MIN' ? min : max), bigN * 100n),
    );
  }
  const [num, den] = bound === 'MIN' ? [min, 100n] : bound === 'MAX' ? [max, 100n] : t === 0n ? [1n, 1n] : [a * bigN, t];
  return {
    baselineWh: adjusted,
    detail: { type: 'MULTIPLICATIVE', windowActualWh: x.windowActualWh, windowSelectedSumWh: x.windowSelectedSumWh, ratioNumerator: toSafeInteger(num, 'ratio numerator'), ratioDenominator: toSafeInteger(den, 'ratio denominator'), bound },
  };
}

function additive(x: AdjustmentInputs): { baselineWh: number[]; detail: AdjustmentDetail } {
  // b = S/N + (A − T/N)/W = (S×W + A×N − T) / (N×W), floored at 0 after rounding.
  const bigN = BigInt(x.days);
  const w = BigInt(x.windowIntervals);
  const offset = BigInt(x.windowActualWh) * bigN - BigInt(x.windowSelectedSumWh);
  const den = bigN * w;
  const adjusted: number[] = new Array<number>(x.sums.length);
  for (let j = 0; j < x.sums.length; j++) {
    const b = divideHalfEven(BigInt(x.sums[j]!) * w + offset, den);
    adjusted[j] = b < 0n ? 0 : Number(b);
  }
  return {
    baselineWh: adjusted,
    detail: { type: 'ADDITIVE', windowActualWh: x.windowActualWh, windowSelectedSumWh: x.windowSelectedSumWh, offsetNumerator: toSafeInteger(offset, 'offset numerator'), offsetDenominator: toSafeInteger(den, 'offset denominator') },
  };
}
