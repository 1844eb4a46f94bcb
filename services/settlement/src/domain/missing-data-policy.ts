/**
 * What a calendar run does with a trade whose reads it does not all have at its cut-off:
 * the trade has no final allocation yet (a side is not allocated, e.g. the other DISCOM's),
 * or its final allocation is INCOMPLETE (a block of a meter had no read: it counted 0 Wh).
 *
 *   ZERO_PENDING   Settle the trade on what is known: a missing read counts 0 Wh (no final
 *                  at all = 0 Wh on every interval). Its shortfall lines are held (rate 0:
 *                  the deviation is recorded, nobody is charged for a read that did not
 *                  arrive), every line of the trade is marked ZERO_PENDING, and the trade
 *                  stays in `pending`: a later run settles it on the read.
 *   EXCLUDE_TRADE  Leave the trade out of the run: no lines, listed in `excluded` with
 *                  reason MISSING_DATA and in `pending`.
 *   ESTIMATE       Settle the trade on its allocation recomputed with each missing read of
 *                  this DISCOM's meters estimated (read-estimate.ts: the same block on the most
 *                  recent prior day with a read); every line marked ESTIMATE, shortfalls held
 *                  at rate 0 as under ZERO_PENDING (nobody is charged a penalty on an
 *                  estimate), the trade pending. Without an estimate (no prior read, or a
 *                  side of another DISCOM not allocated) the trade falls back to ZERO_PENDING,
 *                  its lines marked so.
 */
import type { FinalAllocation, FinalInterval } from './final-allocation.js';
import type { NormalisedTrade } from './trade.js';

export const MISSING_DATA_POLICIES = ['ZERO_PENDING', 'EXCLUDE_TRADE', 'ESTIMATE'] as const;
export type MissingDataPolicy = (typeof MISSING_DATA_POLICIES)[number];

export type MissingDataTreatment =
  /** All reads known: settle on the final allocation, nothing marked. */
  | { readonly kind: 'SETTLE'; readonly final: FinalAllocation }
  /** Settle on these figures, shortfalls held at rate 0, lines marked, trade pending. */
  | { readonly kind: 'SETTLE_MARKED'; readonly policy: MissingDataPolicy; readonly intervals: readonly FinalInterval[]; readonly pendingReason: string }
  /** No lines; excluded and pending. */
  | { readonly kind: 'EXCLUDE'; readonly policy: MissingDataPolicy; readonly pendingReason: string };

/** The treatment of one trade under the run's policy, from its final allocation as known at the cut-off (or none). */
export function missingDataTreatment(policy: MissingDataPolicy, trade: NormalisedTrade, final: FinalAllocation | undefined, estimate?: FinalAllocation): MissingDataTreatment {
  if (final !== undefined && final.status === 'COMPLETED') return { kind: 'SETTLE', final };
  const pendingReason = final === undefined ? 'AWAITING_ALLOCATION' : 'READS_INCOMPLETE';
  if (policy === 'EXCLUDE_TRADE') return { kind: 'EXCLUDE', policy, pendingReason };
  if (policy === 'ESTIMATE' && estimate !== undefined) return { kind: 'SETTLE_MARKED', policy, intervals: estimate.intervals, pendingReason };
  return { kind: 'SETTLE_MARKED', policy: 'ZERO_PENDING', intervals: final?.intervals ?? zeroIntervals(trade), pendingReason };
}

/** The trade's intervals with nothing metered on either side. */
function zeroIntervals(trade: NormalisedTrade): FinalInterval[] {
  return trade.intervals.map((iv) => ({
    startMs: iv.startMs, endMs: iv.endMs, contractedWh: iv.quantityWh, sellerWh: 0, buyerWh: 0, finalWh: 0,
    sellerShortfallWh: iv.quantityWh, buyerShortfallWh: iv.quantityWh, deviationWh: iv.quantityWh,
  }));
}
