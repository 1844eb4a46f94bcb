/**
 * The P2P trade lifecycle. Cancellations and curtailments are state transitions of the
 * trade, never deletions: the record stays, with its state and revision.
 *
 *   CONFIRMED ─┬─> CURTAILED ─┬─> ALLOCATED ──> SETTLED
 *              │      ↺        │     ↺  │           │
 *              ├─> CANCELLED <─┘        │           │
 *              └─> ALLOCATED            └─ reopened ┘ (a late or revised read)
 *
 * ALLOCATED → ALLOCATED is a reallocation (a new allocation version); ALLOCATED →
 * CURTAILED / CANCELLED records a DISCOM's outage curtailment or cancellation that
 * arrives after a provisional allocation; SETTLED → ALLOCATED reopens a trade when a late
 * read changes its figures.
 */
import { defineLifecycle } from '@ies/lifecycle';
import type { Problem } from './codes.js';
import { SettlementTransitionError } from './transition-error.js';
import { formatInstant } from '@ies/units';
import type { NormalisedTrade, TradeRecord, TradeState } from './trade.js';

const TRADE_LIFECYCLE = defineLifecycle<TradeState>(
  {
    CONFIRMED: ['CURTAILED', 'CANCELLED', 'ALLOCATED'],
    CURTAILED: ['CURTAILED', 'CANCELLED', 'ALLOCATED'],
    ALLOCATED: ['ALLOCATED', 'CURTAILED', 'CANCELLED', 'SETTLED'],
    SETTLED: ['ALLOCATED'],
    CANCELLED: [],
  },
  (from, to, tradeId) => new TradeTransitionError(tradeId ?? 'trade', from, to as TradeState),
);

export const VALID_TRANSITIONS = TRADE_LIFECYCLE.transitions;

export class TradeTransitionError extends SettlementTransitionError<TradeState> {
  constructor(tradeId: string, from: TradeState, to: TradeState) {
    super('IES_ERR_P2P_TRADE_TRANSITION', `trade ${tradeId}`, from, to, VALID_TRANSITIONS[from]);
    this.name = 'TradeTransitionError';
  }
}

export const canTransitionTrade = TRADE_LIFECYCLE.can;

export function newTradeRecord(trade: NormalisedTrade): TradeRecord {
  return { trade, state: 'CONFIRMED', revision: 0 };
}

export function transitionTrade(record: TradeRecord, to: TradeState, trade: NormalisedTrade = record.trade): TradeRecord {
  return { trade, state: TRADE_LIFECYCLE.assert(record.state, to, record.trade.tradeId), revision: record.revision + 1 };
}

export type UpdateResult =
  | { readonly ok: true; readonly record: TradeRecord; readonly changed: boolean }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/**
 * Applies a platform's `update` to the trade held. A cancellation needs the whole window in
 * the future; after delivery has begun, the platform curtails the remaining intervals to 0
 * instead. A curtailment keeps parties, prices and the interval grid, only lowers
 * quantities, and only of intervals that have not started. Sending the current terms again
 * changes nothing (idempotent).
 */
export function applyTradeUpdate(record: TradeRecord, update: NormalisedTrade, now: number): UpdateResult {
  const current = record.trade;
  const problems: Problem[] = [];
  const add = (code: Problem['code'], path: string, message: string) => problems.push({ code, path, message });
  if (update.tradeId !== current.tradeId) add('IES_ERR_P2P_UPDATE_INVALID', '$.tradeId', `update is for ${update.tradeId}, not ${current.tradeId}`);
  for (const side of ['seller', 'buyer'] as const) {
    for (const key of ['meterId', 'discomId', 'platformId'] as const) {
      if (update[side][key] !== current[side][key]) add('IES_ERR_P2P_UPDATE_INVALID', `$.${side}.${key}`, `update changes the ${side} ${key} from ${current[side][key]} to ${update[side][key]}`);
    }
  }
  if (problems.length > 0) return { ok: false, problems };

  if (update.intent === 'CANCEL') {
    if (record.state === 'CANCELLED') return { ok: true, record, changed: false };
    const start = current.intervals[0]!.startMs;
    if (start <= now) return { ok: false, problems: [{ code: 'IES_ERR_P2P_WINDOW_PAST', path: '$.intervals[0]', message: `delivery began ${formatInstant(start)}; curtail the remaining intervals to 0 instead of cancelling` }] };
    return guarded(record, 'CANCELLED', current);
  }

  if (update.intervals.length !== current.intervals.length) add('IES_ERR_P2P_UPDATE_INVALID', '$.intervals', `update has ${update.intervals.length} intervals, the trade ${current.intervals.length}`);
  let changed = false;
  update.intervals.forEach((u, i) => {
    const c = current.intervals[i];
    if (c === undefined) return;
    const path = `$.intervals[${i}]`;
    if (u.startMs !== c.startMs || u.endMs !== c.endMs) return add('IES_ERR_P2P_UPDATE_INVALID', path, `interval ${formatInstant(u.startMs)}–${formatInstant(u.endMs)} is not the trade's ${formatInstant(c.startMs)}–${formatInstant(c.endMs)}`);
    if (u.pricePaisePerKwh !== c.pricePaisePerKwh) add('IES_ERR_P2P_UPDATE_INVALID', path, `price changes from ${c.pricePaisePerKwh} to ${u.pricePaisePerKwh} paise/kWh`);
    if (u.quantityWh > c.quantityWh) add('IES_ERR_P2P_UPDATE_INVALID', path, `quantity rises from ${c.quantityWh} to ${u.quantityWh} Wh; more energy is a new trade`);
    else if (u.quantityWh < c.quantityWh) {
      changed = true;
      if (c.startMs <= now) add('IES_ERR_P2P_WINDOW_PAST', path, `interval ${formatInstant(c.startMs)} has already started; it can no longer be curtailed by the platform`);
    }
  });
  if (problems.length > 0) return { ok: false, problems };
  if (!changed) return { ok: true, record, changed: false };
  return guarded(record, 'CURTAILED', { ...current, intervals: update.intervals, source: update.source });
}

function guarded(record: TradeRecord, to: TradeState, trade: NormalisedTrade): UpdateResult {
  if (!canTransitionTrade(record.state, to)) {
    const err = new TradeTransitionError(record.trade.tradeId, record.state, to);
    return { ok: false, problems: [{ code: err.code, path: '$', message: err.message }] };
  }
  return { ok: true, record: transitionTrade(record, to, trade), changed: true };
}
