/**
 * The final allocation of a trade: the two DISCOMs' sides met interval by interval, the
 * final figure the smaller of the two (min-of-two, DEG FINAL_ALLOC), with each side's own
 * deviation from the contract.
 */
import { formatInstant } from '@ies/units';
import type { AllocatedInterval, SideAllocation } from './allocation.js';
import { SettlementError, throwIfProblems, type Problem } from './codes.js';
import { mergeEvidence } from './evidence.js';
import { type CheckpointRef } from '@ies/verify';
import { partyOf, type NormalisedTrade, type Side } from './trade.js';

export interface FinalInterval {
  readonly startMs: number;
  readonly endMs: number;
  readonly contractedWh: number;
  readonly sellerWh: number;
  readonly buyerWh: number;
  /** min(sellerWh, buyerWh): the DEG FINAL_ALLOC. */
  readonly finalWh: number;
  /** contracted − seller side: the seller's own under-delivery. */
  readonly sellerShortfallWh: number;
  /** contracted − buyer side: the buyer's own under-consumption. */
  readonly buyerShortfallWh: number;
  /** contracted − final. */
  readonly deviationWh: number;
}

export interface FinalAllocation {
  readonly tradeId: string;
  readonly sellerDiscomId: string;
  readonly buyerDiscomId: string;
  readonly sellerVersion: number;
  readonly buyerVersion: number;
  readonly sellerStatus: SideAllocation['status'];
  readonly buyerStatus: SideAllocation['status'];
  /** COMPLETED when both sides are. */
  readonly status: SideAllocation['status'];
  readonly intervals: readonly FinalInterval[];
  readonly evidence: readonly CheckpointRef[];
}

/** Min-of-two per interval, and the deviations of each side. Both lists must be on one grid. */
export function finalAllocation(seller: readonly AllocatedInterval[], buyer: readonly AllocatedInterval[]): FinalInterval[] {
  const problems: Problem[] = [];
  if (seller.length !== buyer.length) problems.push({ code: 'IES_ERR_P2P_SIDES_MISMATCH', path: '$.intervals', message: `seller side has ${seller.length} intervals, buyer side ${buyer.length}` });
  seller.forEach((s, i) => {
    const b = buyer[i];
    if (b === undefined) return;
    if (s.startMs !== b.startMs || s.endMs !== b.endMs || s.contractedWh !== b.contractedWh) {
      problems.push({ code: 'IES_ERR_P2P_SIDES_MISMATCH', path: `$.intervals[${i}]`, message: `seller ${formatInstant(s.startMs)}–${formatInstant(s.endMs)} ${s.contractedWh} Wh vs buyer ${formatInstant(b.startMs)}–${formatInstant(b.endMs)} ${b.contractedWh} Wh` });
    }
  });
  throwIfProblems(problems, 'sides do not match');
  return seller.map((s, i) => {
    const b = buyer[i]!;
    const finalWh = Math.min(s.allocatedWh, b.allocatedWh);
    return {
      startMs: s.startMs,
      endMs: s.endMs,
      contractedWh: s.contractedWh,
      sellerWh: s.allocatedWh,
      buyerWh: b.allocatedWh,
      finalWh,
      sellerShortfallWh: s.contractedWh - s.allocatedWh,
      buyerShortfallWh: s.contractedWh - b.allocatedWh,
      deviationWh: s.contractedWh - finalWh,
    };
  });
}

/**
 * Meets the two sides of one trade: both must be about this trade, from the DISCOM of that
 * side's meter, and state the trade's own intervals and contracted Wh.
 */
export function combineSides(trade: NormalisedTrade, seller: SideAllocation, buyer: SideAllocation): FinalAllocation {
  const problems: Problem[] = [];
  const check = (a: SideAllocation, side: Side, label: string) => {
    const party = partyOf(trade, side);
    const add = (message: string) => problems.push({ code: 'IES_ERR_P2P_SIDES_MISMATCH', path: `$.${label}`, message });
    if (a.side !== side) add(`the ${label} allocation is for side ${a.side}`);
    if (a.tradeId !== trade.tradeId) add(`the ${label} allocation is for trade ${a.tradeId}, not ${trade.tradeId}`);
    if (a.discomId !== party.discomId) add(`the ${label} allocation comes from ${a.discomId}, the ${label} meter is with ${party.discomId}`);
    if (a.meterId !== party.meterId) add(`the ${label} allocation is for meter ${a.meterId}, not ${party.meterId}`);
    const grid = a.intervals.length === trade.intervals.length && a.intervals.every((iv, i) => {
      const t = trade.intervals[i]!;
      return iv.startMs === t.startMs && iv.endMs === t.endMs && iv.contractedWh === t.quantityWh;
    });
    if (!grid) add(`the ${label} allocation's intervals or contracted Wh are not the trade's`);
    a.intervals.forEach((iv, i) => {
      if (!(iv.allocatedWh >= 0 && iv.allocatedWh <= iv.contractedWh)) problems.push({ code: 'IES_ERR_P2P_SIDE_INVALID', path: `$.${label}.intervals[${i}]`, message: `allocated ${iv.allocatedWh} Wh is outside 0…${iv.contractedWh} Wh` });
    });
  };
  check(seller, 'SELLER', 'seller');
  check(buyer, 'BUYER', 'buyer');
  if (problems.length > 0) throw new SettlementError(problems[0]!.code, `cannot combine sides of ${trade.tradeId}: ${problems.map((p) => p.message).join('; ')}`, problems);
  return {
    tradeId: trade.tradeId,
    sellerDiscomId: seller.discomId,
    buyerDiscomId: buyer.discomId,
    sellerVersion: seller.version,
    buyerVersion: buyer.version,
    sellerStatus: seller.status,
    buyerStatus: buyer.status,
    status: seller.status === 'COMPLETED' && buyer.status === 'COMPLETED' ? 'COMPLETED' : 'INCOMPLETE',
    intervals: finalAllocation(seller.intervals, buyer.intervals),
    evidence: mergeEvidence(seller.evidence, buyer.evidence),
  };
}
