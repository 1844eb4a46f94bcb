/**
 * P2P reconciliation. Each DISCOM allocates its own side from its own meters (seller side
 * on export, buyer side on import), sends the other DISCOM a SideAllocation message (canonical
 * JSON, signed by the adapter), and the final figure of every interval is the smaller of the
 * two sides (min-of-two, DEG FINAL_ALLOC).
 *
 * Allocation windows. Pro-rata needs one meter's trades on a common grid. Trade intervals of
 * one meter that overlap are merged into one window (their union); a window's metered energy
 * is the sum of its 15-minute blocks and is shared pro rata across every trade interval in
 * it. When the trades of a meter share a grid (the usual case: hourly DEG slots), a window is
 * exactly one trade interval.
 *
 * Missing reads count as 0 Wh and mark the side INCOMPLETE; the late read reopens the trade
 * (reallocate) and produces version n+1 if any figure changes.
 */
import { mergeEvidence } from './evidence.js';
import { type CheckpointRef } from '@ies/verify';
import { allocateProRata } from './pro-rata.js';
import { BLOCK_MS } from '@ies/units';
import { partyOf, type NormalisedTrade, type Side, type TradeRecord } from './trade.js';

export type Channel = 'IMPORT' | 'EXPORT';
export const SIDE_CHANNEL: Readonly<Record<Side, Channel>> = Object.freeze({ SELLER: 'EXPORT', BUYER: 'IMPORT' });

/** One meter's channel on the block grid: wh[i] is the block starting startMs + i·15 min; −1 = no read. */
export interface MeterSeries {
  readonly startMs: number;
  readonly wh: ArrayLike<number>;
  /** Checkpoints covering the reads in `wh`. */
  readonly evidence: readonly CheckpointRef[];
}

/** Reads of one meter channel covering at least [fromMs, toMs); undefined when none exist. */
export type ReadSource = (meterId: string, channel: Channel, fromMs: number, toMs: number) => MeterSeries | undefined;

export interface AllocatedInterval {
  readonly startMs: number;
  readonly endMs: number;
  readonly contractedWh: number;
  readonly allocatedWh: number;
}

export const SIDE_ALLOCATION_SCHEMA = 'ies.p2p.side-allocation/v1';

/** What one DISCOM says about its side of one trade: the message the two DISCOMs exchange. */
export interface SideAllocation {
  readonly schema: typeof SIDE_ALLOCATION_SCHEMA;
  readonly tradeId: string;
  readonly side: Side;
  readonly discomId: string;
  readonly meterId: string;
  /** 1, 2, …: a new version only when a figure or the status changes. */
  readonly version: number;
  /** INCOMPLETE while a block of the meter's windows has no read. */
  readonly status: 'COMPLETED' | 'INCOMPLETE';
  readonly intervals: readonly AllocatedInterval[];
  readonly evidence: readonly CheckpointRef[];
}

export interface SideInput {
  readonly discomId: string;
  readonly side: Side;
  /** Every trade of the DISCOM's meters that touches the period (all of a meter's trades: pro-rata needs them). */
  readonly trades: readonly TradeRecord[];
  readonly reads: ReadSource;
}

/** Allocations of every live trade whose `side` meter is the DISCOM's, sorted by trade id. */
export function allocateSide(input: SideInput): SideAllocation[] {
  const { discomId, side } = input;
  const channel = SIDE_CHANNEL[side];
  const byMeter = new Map<string, NormalisedTrade[]>();
  for (const r of input.trades) {
    if (r.state === 'CANCELLED') continue;
    const party = partyOf(r.trade, side);
    if (party.discomId !== discomId) continue;
    const list = byMeter.get(party.meterId);
    if (list === undefined) byMeter.set(party.meterId, [r.trade]);
    else list.push(r.trade);
  }
  const result: SideAllocation[] = [];
  for (const [meterId, trades] of byMeter) allocateMeter(meterId, trades, channel, input, result);
  result.sort((a, b) => (a.tradeId < b.tradeId ? -1 : a.tradeId > b.tradeId ? 1 : 0));
  return result;
}

function allocateMeter(meterId: string, trades: NormalisedTrade[], channel: Channel, input: SideInput, out: SideAllocation[]): void {
  trades.sort((a, b) => (a.tradeId < b.tradeId ? -1 : a.tradeId > b.tradeId ? 1 : 0));
  // Flat arrays of every trade interval of the meter: trade index t, start, end, contracted.
  let count = 0;
  for (const t of trades) count += t.intervals.length;
  const tradeOf = new Int32Array(count);
  const starts = new Float64Array(count);
  const ends = new Float64Array(count);
  const contracted = new Float64Array(count);
  let e = 0;
  let from = Infinity;
  let to = -Infinity;
  trades.forEach((t, ti) => {
    for (const iv of t.intervals) {
      tradeOf[e] = ti;
      starts[e] = iv.startMs;
      ends[e] = iv.endMs;
      contracted[e] = iv.quantityWh;
      if (iv.startMs < from) from = iv.startMs;
      if (iv.endMs > to) to = iv.endMs;
      e++;
    }
  });
  // Entries ordered by start; ties (and window members) by trade id, which is trade index order.
  const order = Array.from({ length: count }, (_, i) => i);
  if (count > 1) order.sort((a, b) => starts[a]! - starts[b]! || tradeOf[a]! - tradeOf[b]!);
  const series = input.reads(meterId, channel, from, to);
  const allocated = new Float64Array(count);
  const incomplete = new Uint8Array(trades.length);
  let i = 0;
  while (i < count) {
    // A window: entries whose intervals chain by overlap.
    let j = i + 1;
    let windowEnd = ends[order[i]!]!;
    while (j < count && starts[order[j]!]! < windowEnd) {
      windowEnd = Math.max(windowEnd, ends[order[j]!]!);
      j++;
    }
    const windowStart = starts[order[i]!]!;
    const { wh, missing } = meteredWh(series, windowStart, windowEnd);
    if (j - i === 1) {
      const k = order[i]!;
      allocated[k] = Math.min(contracted[k]!, wh);
      if (missing) incomplete[tradeOf[k]!] = 1;
    } else {
      const members = order.slice(i, j).sort((a, b) => tradeOf[a]! - tradeOf[b]! || starts[a]! - starts[b]!);
      const shares = new Float64Array(members.length);
      allocateProRata(members.map((k) => contracted[k]!), wh, shares);
      members.forEach((k, m) => {
        allocated[k] = shares[m]!;
        if (missing) incomplete[tradeOf[k]!] = 1;
      });
    }
    i = j;
  }
  const evidence = series === undefined ? [] : mergeEvidence(series.evidence);
  let k = 0;
  trades.forEach((t, ti) => {
    const intervals: AllocatedInterval[] = t.intervals.map((iv) => ({ startMs: iv.startMs, endMs: iv.endMs, contractedWh: iv.quantityWh, allocatedWh: allocated[k++]! }));
    out.push({
      schema: SIDE_ALLOCATION_SCHEMA,
      tradeId: t.tradeId,
      side: input.side,
      discomId: input.discomId,
      meterId,
      version: 1,
      status: incomplete[ti] ? 'INCOMPLETE' : 'COMPLETED',
      intervals,
      evidence,
    });
  });
}

/** Σ Wh of the blocks in [fromMs, toMs); a block outside the series or marked −1 is missing (0 Wh). */
function meteredWh(series: MeterSeries | undefined, fromMs: number, toMs: number): { wh: number; missing: boolean } {
  if (series === undefined) return { wh: 0, missing: true };
  let wh = 0;
  let missing = false;
  const first = (fromMs - series.startMs) / BLOCK_MS;
  const last = (toMs - series.startMs) / BLOCK_MS;
  const values = series.wh;
  for (let b = first; b < last; b++) {
    const v = b >= 0 && b < values.length ? values[b]! : -1;
    if (v < 0) missing = true;
    else wh += v;
  }
  return { wh, missing };
}

export interface ReallocationResult {
  readonly allocations: readonly SideAllocation[];
  /** Trades whose allocation is new or got a new version. */
  readonly changed: readonly string[];
  /** Trades allocated before that have no allocation now (cancelled since). */
  readonly withdrawn: readonly string[];
}

/**
 * Recomputes a side from a new read set. A trade keeps its previous allocation (same
 * version, same evidence) unless a figure or the status changed; then it gets version n+1
 * with the new evidence.
 */
export function reallocate(previous: readonly SideAllocation[], input: SideInput): ReallocationResult {
  const before = new Map(previous.map((a) => [a.tradeId, a]));
  const changed: string[] = [];
  const allocations = allocateSide(input).map((fresh) => {
    const prev = before.get(fresh.tradeId);
    before.delete(fresh.tradeId);
    if (prev === undefined) {
      changed.push(fresh.tradeId);
      return fresh;
    }
    if (sameFigures(prev, fresh)) return prev;
    changed.push(fresh.tradeId);
    return { ...fresh, version: prev.version + 1 };
  });
  return { allocations, changed, withdrawn: [...before.keys()].sort() };
}

function sameFigures(a: SideAllocation, b: SideAllocation): boolean {
  return (
    a.status === b.status &&
    a.meterId === b.meterId &&
    a.intervals.length === b.intervals.length &&
    a.intervals.every((x, i) => {
      const y = b.intervals[i]!;
      return x.startMs === y.startMs && x.endMs === y.endMs && x.contractedWh === y.contractedWh && x.allocatedWh === y.allocatedWh;
    })
  );
}
