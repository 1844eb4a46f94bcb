/**
 * The reports a settlement desk asks for per run, pure functions of the signed statement and
 * the inputs the run settled on (the trades of the day, their final allocations as known at
 * the run's cut-off, the DR events' offers):
 *
 *   reconciliation  per trade and per counterparty: contracted vs metered (each side) vs
 *                   allocated Wh, the deviation, shortfall penalties and energy paise; per DR
 *                   event: offered vs delivered Wh, shortfall, incentive and penalty
 *   positions       the net position towards each other DISCOM (and every counterparty)
 *   pending         what the statement still waits for, with its age at the run's cut-off
 *
 * Each comes as JSON and as CSV (RFC 4180, one row per item).
 */
import { istDayEnd } from '@ies/units';
import type { StatementContent } from '@ies/verify';
import type { FinalAllocation } from './final-allocation.js';
import { csvCell } from './statement-csv.js';
import type { TradeRecord } from './trade.js';

export const REPORT_NAMES = ['reconciliation', 'positions', 'pending'] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

export interface ReportInputs {
  readonly trades: readonly TradeRecord[];
  /** The final allocations the statement settled on (a run: as known at its cut-off). */
  readonly finals: readonly FinalAllocation[];
  /** Offered Wh of each DR event of the statement, when the DR store has the event. */
  readonly drOfferedWh: ReadonlyMap<string, number | null>;
  /** The instant ages are measured at: the run's cut-off, or when the statement was built. */
  readonly asOfMs: number;
}

export interface TradeReconciliation {
  readonly tradeId: string;
  /** `discom:<other>` for an inter-DISCOM trade, `self` for one inside the DISCOM. */
  readonly counterparty: string;
  readonly role: 'SELLER' | 'BUYER' | 'BOTH';
  readonly status: 'SETTLED' | 'PENDING' | 'EXCLUDED';
  readonly contractedWh: number;
  readonly sellerMeteredWh: number | null;
  readonly buyerMeteredWh: number | null;
  readonly allocatedWh: number | null;
  readonly deviationWh: number | null;
  readonly energyPaise: number;
  readonly shortfallPenaltyPaise: number;
  readonly chargesPaise: number;
}

export interface CounterpartyReconciliation {
  readonly counterparty: string;
  readonly trades: number;
  readonly contractedWh: number;
  readonly allocatedWh: number;
  readonly deviationWh: number;
  readonly shortfallPenaltyPaise: number;
  readonly energyPaise: number;
}

export interface DrReconciliation {
  readonly eventId: string;
  readonly aggregatorId: string;
  readonly offeredWh: number | null;
  readonly deliveredWh: number;
  readonly shortfallWh: number;
  readonly incentivePaise: number;
  readonly penaltyPaise: number;
}

export interface ReconciliationReport {
  readonly statementId: string;
  readonly trades: readonly TradeReconciliation[];
  readonly counterparties: readonly CounterpartyReconciliation[];
  readonly dr: readonly DrReconciliation[];
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

export function reconciliationReport(c: StatementContent, inputs: ReportInputs): ReconciliationReport {
  if (c.scope.kind !== 'DAY') return { statementId: c.id, trades: [], counterparties: [], dr: drRows(c, inputs) };
  const dayStart = (istDayEnd(c.scope.day) ?? 0) - 86_400_000;
  const dayEnd = istDayEnd(c.scope.day) ?? 0;
  const finals = new Map(inputs.finals.map((f) => [f.tradeId, f]));
  const pending = new Set(c.pending.map((p) => p.reference));
  const excluded = new Set(c.excluded.map((e) => e.reference));
  const byTrade = new Map<string, typeof c.lines[number][]>();
  for (const l of c.lines) if (l.kind !== 'ADJUSTMENT' && !l.kind.startsWith('DR_')) byTrade.set(l.reference, [...(byTrade.get(l.reference) ?? []), l]);
  const trades: TradeReconciliation[] = [];
  for (const { trade: t } of inputs.trades) {
    const isSeller = t.seller.discomId === c.discomId;
    const isBuyer = t.buyer.discomId === c.discomId;
    if (!isSeller && !isBuyer) continue;
    const inDay = t.intervals.map((iv, i) => [iv, i] as const).filter(([iv]) => iv.startMs >= dayStart && iv.startMs < dayEnd);
    if (inDay.length === 0) continue;
    const f = finals.get(t.tradeId);
    const fi = f === undefined ? [] : inDay.map(([, i]) => f.intervals[i]!);
    const lines = byTrade.get(t.tradeId) ?? [];
    // One side's energy line (the buyer's customer pays it in, or the seller's is paid out).
    const energy = lines.filter((l) => l.kind === 'P2P_ENERGY' && l.meterId === (isBuyer ? t.buyer.meterId : t.seller.meterId));
    const contractedWh = sum(inDay.map(([iv]) => iv.quantityWh));
    const allocatedWh = f === undefined ? null : sum(fi.map((x) => x.finalWh));
    trades.push({
      tradeId: t.tradeId, counterparty: isSeller && isBuyer ? 'self' : `discom:${isSeller ? t.buyer.discomId : t.seller.discomId}`, role: isSeller && isBuyer ? 'BOTH' : isSeller ? 'SELLER' : 'BUYER',
      status: excluded.has(t.tradeId) ? 'EXCLUDED' : pending.has(t.tradeId) ? 'PENDING' : 'SETTLED',
      contractedWh, sellerMeteredWh: f === undefined ? null : sum(fi.map((x) => x.sellerWh)), buyerMeteredWh: f === undefined ? null : sum(fi.map((x) => x.buyerWh)),
      allocatedWh, deviationWh: allocatedWh === null ? null : contractedWh - allocatedWh,
      energyPaise: sum(energy.map((l) => l.amountPaise)),
      shortfallPenaltyPaise: sum(lines.filter((l) => l.kind === 'SELLER_SHORTFALL' || l.kind === 'BUYER_SHORTFALL').map((l) => l.amountPaise)),
      chargesPaise: sum(lines.filter((l) => l.kind === 'WHEELING' || l.kind === 'TRANSACTION_CHARGE').map((l) => l.amountPaise)),
    });
  }
  trades.sort((a, b) => (a.tradeId < b.tradeId ? -1 : a.tradeId > b.tradeId ? 1 : 0));
  const parties = new Map<string, CounterpartyReconciliation>();
  for (const t of trades) {
    const p = parties.get(t.counterparty) ?? { counterparty: t.counterparty, trades: 0, contractedWh: 0, allocatedWh: 0, deviationWh: 0, shortfallPenaltyPaise: 0, energyPaise: 0 };
    parties.set(t.counterparty, {
      counterparty: t.counterparty, trades: p.trades + 1, contractedWh: p.contractedWh + t.contractedWh, allocatedWh: p.allocatedWh + (t.allocatedWh ?? 0),
      deviationWh: p.deviationWh + (t.deviationWh ?? t.contractedWh), shortfallPenaltyPaise: p.shortfallPenaltyPaise + t.shortfallPenaltyPaise, energyPaise: p.energyPaise + t.energyPaise,
    });
  }
  return { statementId: c.id, trades, counterparties: [...parties.values()].sort((a, b) => (a.counterparty < b.counterparty ? -1 : 1)), dr: drRows(c, inputs) };
}

function drRows(c: StatementContent, inputs: ReportInputs): DrReconciliation[] {
  const events = new Map<string, DrReconciliation>();
  for (const l of c.lines) {
    if (l.kind !== 'DR_INCENTIVE' && l.kind !== 'DR_PENALTY') continue;
    const aggregatorId = (l.kind === 'DR_INCENTIVE' ? l.payee : l.payer).replace(/^aggregator:/, '');
    const e = events.get(l.reference) ?? { eventId: l.reference, aggregatorId, offeredWh: inputs.drOfferedWh.get(l.reference) ?? null, deliveredWh: 0, shortfallWh: 0, incentivePaise: 0, penaltyPaise: 0 };
    events.set(l.reference, l.kind === 'DR_INCENTIVE'
      ? { ...e, deliveredWh: e.deliveredWh + (l.quantityWh ?? 0), incentivePaise: e.incentivePaise + l.amountPaise }
      : { ...e, shortfallWh: e.shortfallWh + (l.quantityWh ?? 0), penaltyPaise: e.penaltyPaise + l.amountPaise });
  }
  return [...events.values()].sort((a, b) => (a.eventId < b.eventId ? -1 : 1));
}

export interface PositionsReport {
  readonly statementId: string;
  /** Towards each other DISCOM (inter-DISCOM settlement). */
  readonly discoms: readonly { counterparty: string; receivablePaise: number; payablePaise: number; netPaise: number }[];
  /** Towards every counterparty (meters, aggregators, DISCOMs). */
  readonly all: readonly { counterparty: string; receivablePaise: number; payablePaise: number; netPaise: number }[];
  readonly totals: StatementContent['totals'];
}

export function positionsReport(c: StatementContent): PositionsReport {
  const row = (p: StatementContent['netPositions'][number]) => ({ counterparty: p.counterparty, receivablePaise: p.receivablePaise, payablePaise: p.payablePaise, netPaise: p.netPaise });
  return { statementId: c.id, discoms: c.interDiscomPositions.map(row), all: c.netPositions.map(row), totals: c.totals };
}

export interface PendingReport {
  readonly statementId: string;
  readonly asOf: number;
  readonly items: readonly { reference: string; kind: 'TRADE' | 'DR_EVENT'; reason: string; sinceMs: number; ageMinutes: number; excluded: boolean }[];
}

/** Each pending item with its age at `asOfMs`: since its trade's last interval of the day ended, or since the day ended (a DR event). */
export function pendingReport(c: StatementContent, inputs: Pick<ReportInputs, 'trades' | 'asOfMs'>): PendingReport {
  const dayEnd = c.scope.kind === 'DAY' ? (istDayEnd(c.scope.day) ?? 0) : 0;
  const trades = new Map(inputs.trades.map((t) => [t.trade.tradeId, t.trade]));
  const excluded = new Set(c.excluded.map((e) => e.reference));
  const items = c.pending.map((p) => {
    const t = trades.get(p.reference);
    const ends = t === undefined ? [] : t.intervals.map((iv) => iv.endMs).filter((e) => e <= dayEnd || c.scope.kind !== 'DAY');
    const sinceMs = ends.length > 0 ? Math.max(...ends) : dayEnd;
    return { reference: p.reference, kind: t === undefined ? ('DR_EVENT' as const) : ('TRADE' as const), reason: p.reason, sinceMs, ageMinutes: Math.max(0, Math.floor((inputs.asOfMs - sinceMs) / 60_000)), excluded: excluded.has(p.reference) };
  });
  return { statementId: c.id, asOf: inputs.asOfMs, items };
}

const csv = (header: readonly string[], rows: readonly (readonly (string | number | null | boolean)[])[]) =>
  `${[header.join(','), ...rows.map((r) => r.map((v) => (v === null ? '' : typeof v === 'string' ? csvCell(v) : String(v))).join(','))].join('\r\n')}\r\n`;

export function reportCsv(name: ReportName, report: ReconciliationReport | PositionsReport | PendingReport): string {
  if (name === 'reconciliation') {
    const r = report as ReconciliationReport;
    return csv(['section', 'reference', 'counterparty', 'role_or_aggregator', 'status', 'contracted_or_offered_wh', 'seller_metered_wh', 'buyer_metered_wh', 'allocated_or_delivered_wh', 'deviation_or_shortfall_wh', 'energy_or_incentive_paise', 'shortfall_penalty_paise', 'charges_paise'], [
      ...r.trades.map((t) => ['TRADE', t.tradeId, t.counterparty, t.role, t.status, t.contractedWh, t.sellerMeteredWh, t.buyerMeteredWh, t.allocatedWh, t.deviationWh, t.energyPaise, t.shortfallPenaltyPaise, t.chargesPaise]),
      ...r.counterparties.map((p) => ['COUNTERPARTY', '', p.counterparty, '', `${p.trades} trade(s)`, p.contractedWh, null, null, p.allocatedWh, p.deviationWh, p.energyPaise, p.shortfallPenaltyPaise, null]),
      ...r.dr.map((d) => ['DR_EVENT', d.eventId, `aggregator:${d.aggregatorId}`, d.aggregatorId, '', d.offeredWh, null, null, d.deliveredWh, d.shortfallWh, d.incentivePaise, d.penaltyPaise, null]),
    ]);
  }
  if (name === 'positions') {
    const r = report as PositionsReport;
    return csv(['scope', 'counterparty', 'receivable_paise', 'payable_paise', 'net_paise'], [...r.discoms.map((p) => ['DISCOM', p.counterparty, p.receivablePaise, p.payablePaise, p.netPaise]), ...r.all.map((p) => ['ALL', p.counterparty, p.receivablePaise, p.payablePaise, p.netPaise])]);
  }
  const r = report as PendingReport;
  return csv(['reference', 'kind', 'reason', 'since', 'age_minutes', 'excluded'], r.items.map((i) => [i.reference, i.kind, i.reason, new Date(i.sinceMs).toISOString(), i.ageMinutes, i.excluded]));
}
