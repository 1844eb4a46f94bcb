// The allocations a calendar run under the ESTIMATE missing-data policy settles on: for each
// trade of the day whose final allocation at the cut-off is missing or INCOMPLETE, the sides
// of this DISCOM's meters allocated again (the same pro-rata, allocation.ts) on the meter's
// reads as known at the cut-off with each missing block estimated (domain/read-estimate.ts:
// the same block on the most recent prior day with a read, as known at the cut-off); a side of
// another DISCOM is taken from the final as it is. Only reads received by the cut-off are used,
// so re-running the run gives the same estimates and the same bytes.
import { istDayStart } from '@ies/units';
import { allocateSide, SIDE_CHANNEL, type Channel, type MeterSeries, type SideAllocation } from './domain/allocation.js';
import type { FinalAllocation, FinalInterval } from './domain/final-allocation.js';
import { ESTIMATE_LOOKBACK_DAYS, estimateBlocks } from './domain/read-estimate.js';
import { partyOf, type Side, type TradeRecord } from './domain/trade.js';

const DAY_MS = 86_400_000;
const BLOCKS = 96;

/** A meter channel's latest reads per block over [fromMs, toMs), received by `receivedByMs` (−1 = none). */
export type ReadsAsOf = (discomId: string, channel: Channel, meterIds: readonly string[], fromMs: number, toMs: number, receivedByMs: number) => Promise<Map<string, { readonly wh: ArrayLike<number> }>>;

export async function estimatedFinals(readsAsOf: ReadsAsOf, discomId: string, day: string, trades: readonly TradeRecord[], finals: readonly FinalAllocation[], cutoffMs: number): Promise<FinalAllocation[]> {
  const finalOf = new Map(finals.map((f) => [f.tradeId, f]));
  const live = trades.filter((t) => t.state !== 'CANCELLED');
  const needing = live.filter((t) => finalOf.get(t.trade.tradeId)?.status !== 'COMPLETED' && (t.trade.seller.discomId === discomId || t.trade.buyer.discomId === discomId));
  if (needing.length === 0) return [];
  const dayStart = istDayStart(day)!;
  const from = dayStart - ESTIMATE_LOOKBACK_DAYS * DAY_MS;
  const sides = new Map<string, SideAllocation>(); // `${tradeId}/${side}` → own side, with estimates
  const estimatedMeters = new Set<string>(); // `${side}/${meterId}` with at least one estimated block
  for (const side of ['SELLER', 'BUYER'] as Side[]) {
    const meters = [...new Set(needing.map((t) => partyOf(t.trade, side)).filter((p) => p.discomId === discomId).map((p) => p.meterId))].sort();
    if (meters.length === 0) continue;
    const loaded = await readsAsOf(discomId, SIDE_CHANNEL[side], meters, from, dayStart + DAY_MS, cutoffMs);
    const series = new Map<string, MeterSeries>();
    for (const meterId of meters) {
      const wh = loaded.get(meterId)?.wh ?? [];
      const at = (d: number) => Array.from({ length: BLOCKS }, (_, b) => { const v = wh[d * BLOCKS + b]; return v === undefined ? -1 : v; });
      // Index ESTIMATE_LOOKBACK_DAYS is the day itself; the day before is index −1 of it.
      const estimate = estimateBlocks(at(ESTIMATE_LOOKBACK_DAYS), Array.from({ length: ESTIMATE_LOOKBACK_DAYS }, (_, k) => at(ESTIMATE_LOOKBACK_DAYS - 1 - k)));
      if (estimate.estimated > 0) estimatedMeters.add(`${side}/${meterId}`);
      series.set(meterId, { startMs: dayStart, wh: estimate.wh, evidence: [] });
    }
    const ofMeters = live.filter((t) => { const p = partyOf(t.trade, side); return p.discomId === discomId && series.has(p.meterId); });
    for (const a of allocateSide({ discomId, side, trades: ofMeters, reads: (meterId) => series.get(meterId) })) sides.set(`${a.tradeId}/${side}`, a);
  }
  const out: FinalAllocation[] = [];
  for (const { trade } of needing) {
    const final = finalOf.get(trade.tradeId);
    const sideWh = (side: Side): number[] | undefined => {
      const own = sides.get(`${trade.tradeId}/${side}`);
      if (own !== undefined) return own.intervals.map((iv) => iv.allocatedWh);
      return final?.intervals.map((iv) => (side === 'SELLER' ? iv.sellerWh : iv.buyerWh));
    };
    const seller = sideWh('SELLER');
    const buyer = sideWh('BUYER');
    const estimated = (['SELLER', 'BUYER'] as Side[]).some((s) => estimatedMeters.has(`${s}/${partyOf(trade, s).meterId}`) && partyOf(trade, s).discomId === discomId);
    if (seller === undefined || buyer === undefined || !estimated) continue;
    const intervals: FinalInterval[] = trade.intervals.map((iv, i) => {
      const s = seller[i]!;
      const b = buyer[i]!;
      const f = Math.min(s, b);
      return { startMs: iv.startMs, endMs: iv.endMs, contractedWh: iv.quantityWh, sellerWh: s, buyerWh: b, finalWh: f, sellerShortfallWh: iv.quantityWh - s, buyerShortfallWh: iv.quantityWh - b, deviationWh: iv.quantityWh - f };
    });
    out.push({
      tradeId: trade.tradeId, sellerDiscomId: trade.seller.discomId, buyerDiscomId: trade.buyer.discomId, sellerVersion: final?.sellerVersion ?? 0, buyerVersion: final?.buyerVersion ?? 0,
      sellerStatus: 'INCOMPLETE', buyerStatus: 'INCOMPLETE', status: 'INCOMPLETE', intervals, evidence: final?.evidence ?? [],
    });
  }
  return out;
}
