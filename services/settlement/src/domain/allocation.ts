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
import { canonicalJson } from '@ies/crypto';
import { SettlementError, throwIfProblems, type Problem } from './codes.js';
import { mergeEvidence, type CheckpointRef } from './evidence.js';
import { allocateProRata } from './pro-rata.js';
import { BLOCK_MS, formatInstant } from '@ies/units';
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

export function sideAllocationJson(allocation: SideAllocation): string {
  return canonicalJson(allocation);
}

/** Checks a SideAllocation received from a peer (after its signature verified). */
export function validateSideAllocation(value: unknown): { ok: true; allocation: SideAllocation } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ code: 'IES_ERR_P2P_SIDE_INVALID', path, message });
  const v = value as Record<string, unknown>;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, problems: [{ code: 'IES_ERR_P2P_SIDE_INVALID', path: '$', message: 'not a JSON object' }] };
  const allowed = new Set(['schema', 'tradeId', 'side', 'discomId', 'meterId', 'version', 'status', 'intervals', 'evidence']);
  for (const key of Object.keys(v)) if (!allowed.has(key)) add(`$.${key}`, 'unknown member');
  if (v['schema'] !== SIDE_ALLOCATION_SCHEMA) add('$.schema', `schema is not ${SIDE_ALLOCATION_SCHEMA}`);
  for (const key of ['tradeId', 'discomId', 'meterId']) if (typeof v[key] !== 'string' || v[key] === '') add(`$.${key}`, 'must be a non-empty string');
  if (v['side'] !== 'SELLER' && v['side'] !== 'BUYER') add('$.side', 'must be SELLER or BUYER');
  if (!Number.isSafeInteger(v['version']) || (v['version'] as number) < 1) add('$.version', 'must be an integer ≥ 1');
  if (v['status'] !== 'COMPLETED' && v['status'] !== 'INCOMPLETE') add('$.status', 'must be COMPLETED or INCOMPLETE');
  const intervals = v['intervals'];
  if (!Array.isArray(intervals) || intervals.length === 0) add('$.intervals', 'must be a non-empty array');
  else {
    intervals.forEach((iv: Record<string, unknown>, i) => {
      const path = `$.intervals[${i}]`;
      const ints = ['startMs', 'endMs', 'contractedWh', 'allocatedWh'].every((k) => Number.isSafeInteger(iv?.[k]) && (iv[k] as number) >= 0);
      if (!ints) return add(path, 'startMs, endMs, contractedWh and allocatedWh must be non-negative integers');
      const { startMs, endMs, contractedWh, allocatedWh } = iv as unknown as AllocatedInterval;
      if (startMs % BLOCK_MS !== 0 || endMs % BLOCK_MS !== 0 || endMs <= startMs) add(path, `interval ${startMs}–${endMs} is not a run of 15-minute blocks`);
      if (allocatedWh > contractedWh) add(path, `allocated ${allocatedWh} Wh exceeds contracted ${contractedWh} Wh`);
      const prev = intervals[i - 1] as AllocatedInterval | undefined;
      if (prev !== undefined && Number.isSafeInteger(prev.endMs) && prev.endMs !== startMs) add(path, `interval starts ${formatInstant(startMs)}, the previous ends ${formatInstant(prev.endMs)}`);
    });
  }
  const evidence = v['evidence'];
  if (!Array.isArray(evidence)) add('$.evidence', 'must be an array');
  else {
    evidence.forEach((c: Record<string, unknown>, i) => {
      if (typeof c?.['origin'] !== 'string' || typeof c['rootHash'] !== 'string' || !Number.isSafeInteger(c['size'])) add(`$.evidence[${i}]`, 'must be {origin, size, rootHash}');
    });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, allocation: value as SideAllocation };
}

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
