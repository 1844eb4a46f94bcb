/**
 * The low-usage screen: a candidate day whose event-window energy is below a share of the
 * reference (the mean or the maximum of the days gathered first) is not a like day. Exact:
 * the comparison is cross-multiplied in bigint, never a divided double.
 */
import type { LowUsageRule } from './policy-pack.js';

export interface LowUsageReference {
  readonly sum: bigint;
  /** Days the sum is over (MEAN), or 1 (MAX). */
  readonly count: bigint;
}

export function isLowUsage(energyWh: number, rule: LowUsageRule, ref: LowUsageReference): boolean {
  // MEAN: sum < pct/100 × (refSum / refCount)  ⇔  sum × 100 × refCount < pct × refSum
  // MAX:  sum < pct/100 × refSum               ⇔  sum × 100 < pct × refSum   (refCount = 1)
  return BigInt(energyWh) * 100n * ref.count < BigInt(rule.thresholdPercent) * ref.sum;
}

/** The reference from the event-window energies of the first `count` gathered days. */
export function lowUsageReference(rule: LowUsageRule, energiesWh: ArrayLike<number>, count: number): LowUsageReference {
  let sum = 0n;
  for (let i = 0; i < count; i++) {
    const s = BigInt(energiesWh[i]!);
    if (rule.reference === 'MEAN') sum += s;
    else if (s > sum) sum = s;
  }
  return { sum, count: rule.reference === 'MEAN' ? BigInt(count) : 1n };
}
