/**
 * The reconciler's decisions for one side (SELLER or BUYER) of one DISCOM's trades, as pure
 * functions the adapter (reconciler.ts) executes between its reads and writes:
 *  1. sideScope: which trades take part (every live trade of the DISCOM's meters on the side,
 *     since pro-rata needs all of a meter's trades) and which are due (window ended grace ago);
 *  2. planLoad: which meters to load, from the read fingerprints, the trade terms and the
 *     sides already held: only meters whose reads or trades changed since the last sweep, or
 *     with a due trade that has no side yet, so a sweep over an unchanged week is cheap;
 *  3. sidesToSign: which reallocated sides to sign, store and send, and to whom;
 *  4. fingerprintsToRemember: what the next sweep compares against.
 */
import type { ReallocationResult, SideAllocation } from './allocation.js';
import { partyOf, type Side, type TradeRecord } from './trade.js';

const DAY_MS = 86_400_000;
const OTHER: Readonly<Record<Side, Side>> = { SELLER: 'BUYER', BUYER: 'SELLER' };

export const lastEnd = (r: TradeRecord): number => r.trade.intervals[r.trade.intervals.length - 1]!.endMs;

/** True once the trade's delivery window ended `graceMs` before `now`. */
export const isDue = (r: TradeRecord, now: number, graceMs: number): boolean => lastEnd(r) + graceMs <= now;

export interface SideScope {
  readonly discomId: string;
  readonly side: Side;
  /** Live trades with one of the DISCOM's meters on this side. */
  readonly live: readonly TradeRecord[];
  /** Ids of the live trades whose window ended grace ago: only these are stored and sent. */
  readonly due: ReadonlySet<string>;
  /** The DISCOM's meters on this side, each with its live trades. */
  readonly byMeter: ReadonlyMap<string, readonly TradeRecord[]>;
  /** Span of every live trade, for the reads to load. */
  readonly fromMs: number;
  readonly toMs: number;
}

/** The trades of the DISCOM's `side`, or undefined when none is due (nothing to do). */
export function sideScope(discomId: string, side: Side, trades: readonly TradeRecord[], now: number, graceMs: number): SideScope | undefined {
  const live = trades.filter((r) => r.state !== 'CANCELLED' && partyOf(r.trade, side).discomId === discomId);
  const due = new Set(live.filter((r) => isDue(r, now, graceMs)).map((r) => r.trade.tradeId));
  if (due.size === 0) return undefined;
  const byMeter = new Map<string, TradeRecord[]>();
  for (const r of live) {
    const meterId = partyOf(r.trade, side).meterId;
    const list = byMeter.get(meterId);
    if (list) list.push(r);
    else byMeter.set(meterId, [r]);
  }
  return {
    discomId, side, live, due, byMeter,
    fromMs: Math.min(...live.map((r) => r.trade.intervals[0]!.startMs)),
    toMs: Math.max(...live.map(lastEnd)),
  };
}

export const metersOf = (scope: SideScope): string[] => [...scope.byMeter.keys()];

/**
 * What a meter's side allocations depend on: the fingerprint of its reads on each UTC day
 * its trades touch, and the terms that move an allocation (a curtailment lowers a quantity),
 * not lifecycle steps such as ALLOCATED.
 */
export function meterFingerprint(scope: SideScope, meterId: string, readFingerprints: ReadonlyMap<number, string> | undefined): string {
  const mine = scope.byMeter.get(meterId) ?? [];
  const days = new Set(mine.flatMap((r) => r.trade.intervals.flatMap((iv) => [Math.floor(iv.startMs / DAY_MS) * DAY_MS, Math.floor((iv.endMs - 1) / DAY_MS) * DAY_MS])));
  const reads = [...days].sort((a, b) => a - b).map((d) => `${d}=${readFingerprints?.get(d) ?? '-'}`);
  const terms = mine.map((r) => `${r.trade.tradeId}:${r.trade.intervals.map((iv) => iv.quantityWh).join('+')}:${scope.due.has(r.trade.tradeId) ? 'due' : 'open'}`).sort();
  return `${reads.join(',')}|${terms.join(',')}`;
}

export interface LoadPlan {
  /** Meters to load and reallocate, in the scope's meter order. */
  readonly load: readonly string[];
  /** Each meter's current fingerprint. */
  readonly fingerprints: ReadonlyMap<string, string>;
}

/**
 * @param held the DISCOM's own side allocations held for due trades, by trade id
 * @param readFingerprints per meter, per UTC day, the fingerprint of its reads
 * @param seen per meter of metersOf(scope), the fingerprint remembered by the last sweep
 */
export function planLoad(scope: SideScope, held: ReadonlyMap<string, SideAllocation>, readFingerprints: ReadonlyMap<string, ReadonlyMap<number, string>>, seen: readonly (string | null | undefined)[]): LoadPlan {
  const meters = metersOf(scope);
  const fingerprints = new Map(meters.map((m) => [m, meterFingerprint(scope, m, readFingerprints.get(m))]));
  const waiting = new Set(scope.live.filter((r) => scope.due.has(r.trade.tradeId) && !held.has(r.trade.tradeId)).map((r) => partyOf(r.trade, scope.side).meterId));
  return { load: meters.filter((m, i) => waiting.has(m) || seen[i] !== fingerprints.get(m)), fingerprints };
}

/** The held sides and the live trades of the meters to load: what `reallocate` starts from. */
export function reallocationInputs(scope: SideScope, held: ReadonlyMap<string, SideAllocation>, load: readonly string[]): { previous: SideAllocation[]; trades: TradeRecord[] } {
  const loading = new Set(load);
  return {
    previous: [...held.values()].filter((a) => loading.has(a.meterId)),
    trades: scope.live.filter((r) => loading.has(partyOf(r.trade, scope.side).meterId)),
  };
}

export interface SideToSign {
  readonly allocation: SideAllocation;
  /** The trade's other DISCOM, to send the signed side to; undefined when it is this DISCOM too. */
  readonly sendTo: string | undefined;
}

/**
 * Sides to sign, store and send: those of due trades that are new or got a new version,
 * except on meters with a read not yet in the notary's log (`unproven`): a side is signed
 * only once its evidence covers every read it uses.
 */
export function sidesToSign(scope: SideScope, result: ReallocationResult, unproven: ReadonlySet<string>): SideToSign[] {
  const byId = new Map(scope.live.map((r) => [r.trade.tradeId, r]));
  const changed = new Set(result.changed);
  const out: SideToSign[] = [];
  for (const allocation of result.allocations) {
    if (!scope.due.has(allocation.tradeId) || !changed.has(allocation.tradeId) || unproven.has(allocation.meterId)) continue;
    const peer = partyOf(byId.get(allocation.tradeId)!.trade, OTHER[scope.side]).discomId;
    out.push({ allocation, sendTo: peer === scope.discomId ? undefined : peer });
  }
  return out;
}

/** Fingerprints to remember: a meter still waiting for a receipt is looked at again next sweep. */
export function fingerprintsToRemember(plan: LoadPlan, unproven: ReadonlySet<string>): Record<string, string> {
  return Object.fromEntries(plan.load.filter((m) => !unproven.has(m)).map((m) => [m, plan.fingerprints.get(m)!]));
}
