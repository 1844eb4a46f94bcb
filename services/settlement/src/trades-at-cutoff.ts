// The trades a calendar run settles: each trade of the day as it was held at the run's
// cut-off. Every revision is kept in ClickHouse `p2p_trades` (settlement's trades loader, from
// p2p-trades.v1) with the instant it was made; the current one is also in Redis (P2pStore,
// written first, with its instant), so a revision still on its way to ClickHouse is not
// missed. A trade confirmed after the cut-off is not in the run, and a trade curtailed or
// cancelled after it is in the run as it was before: re-running the run gives the same bytes.
import { sql, type ClickHouseClient } from '@ies/clickhouse';
import { IesError } from '@ies/errors';
import type { TradeRecord, TradeState } from './domain/trade.js';
import type { HeldTrade } from './p2p-store.js';

/** Every interval row of every revision of the trades made at or before the cut-off. */
export function tradesAtCutoffQuery(discomId: string, tradeIds: readonly string[], cutoffMs: number): string {
  return sql`SELECT trade_id, revision, state, toUnixTimestamp(interval_start) AS start_s, toUnixTimestamp(interval_end) AS end_s, quantity_wh, price_paise_per_kwh FROM p2p_trades WHERE discom_id = ${discomId} AND has(${[...tradeIds]}, trade_id) AND changed_at_ms <= ${cutoffMs} ORDER BY trade_id, revision, interval_start`;
}

export interface TradeRevisionRow { trade_id: string; revision: string | number; state: string; start_s: string | number; end_s: string | number; quantity_wh: string | number; price_paise_per_kwh: string | number }

/**
 * The trades as held at `cutoffMs` (pure): a trade whose current revision was made by then is
 * taken as held; otherwise its highest revision made by then, from `rows` (its state and
 * intervals; parties and ids do not change with a revision), or left out when it had none.
 * A record that does not say when it was made (written before that was kept) is taken as held.
 */
export function tradesAsOf(held: readonly HeldTrade[], rows: readonly TradeRevisionRow[], cutoffMs: number): TradeRecord[] {
  const latest = new Map<string, TradeRevisionRow[]>();
  for (const r of rows) {
    const have = latest.get(r.trade_id);
    const revision = Number(r.revision);
    if (have === undefined || Number(have[0]!.revision) < revision) latest.set(r.trade_id, [r]);
    else if (Number(have[0]!.revision) === revision) have.push(r);
  }
  const out: TradeRecord[] = [];
  for (const { record, at } of held) {
    if (at === undefined || at <= cutoffMs) {
      out.push(record);
      continue;
    }
    const revisionRows = latest.get(record.trade.tradeId);
    if (revisionRows === undefined) continue;
    const intervals = revisionRows.map((r) => ({ startMs: Number(r.start_s) * 1000, endMs: Number(r.end_s) * 1000, quantityWh: Number(r.quantity_wh), pricePaisePerKwh: Number(r.price_paise_per_kwh) }));
    out.push({ trade: { ...record.trade, intervals }, state: revisionRows[0]!.state as TradeState, revision: Number(revisionRows[0]!.revision) });
  }
  return out;
}

/** The day's trades as held at the cut-off, sorted by trade id (as P2pStore.tradesForDay). */
export async function tradesAtCutoff(ch: ClickHouseClient, held: readonly HeldTrade[], discomId: string, cutoffMs: number): Promise<TradeRecord[]> {
  const later = held.filter((h) => h.at !== undefined && h.at > cutoffMs).map((h) => h.record.trade.tradeId);
  if (later.length === 0) return held.map((h) => h.record);
  let rows: TradeRevisionRow[];
  try {
    rows = await (await ch.query({ query: tradesAtCutoffQuery(discomId, later, cutoffMs), format: 'JSONEachRow' })).json<TradeRevisionRow>();
  } catch (cause) {
    throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `trades of ${discomId} at ${new Date(cutoffMs).toISOString()} from ClickHouse failed: ${(cause as Error).message}`, { cause });
  }
  return tradesAsOf(held, rows, cutoffMs);
}
