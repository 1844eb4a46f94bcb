// The final allocations a calendar run uses: of each trade, the highest version stored at or
// before the run's cut-off. Every version is kept in ClickHouse `p2p_allocations` (settlement
// is its one writer, allocation-sink.ts) with the instant it was computed; the latest one is
// also in Redis (P2pStore), written before it reaches ClickHouse, so a version still in the
// outbox is not missed. A version computed after the cut-off (a late or revised read) never
// enters the run: re-running it gives the same finals, and so the same bytes.
import { sql, type ClickHouseClient } from '@ies/clickhouse';
import { IesError } from '@ies/errors';
import { type CheckpointRef } from '@ies/verify';
import type { FinalAllocation } from './domain/final-allocation.js';
import type { FinalRecord } from './p2p-store.js';

/** Every interval row of every version of the trades computed at or before the cut-off. */
export function finalsAtCutoffQuery(discomId: string, tradeIds: readonly string[], cutoffMs: number): string {
  return sql`SELECT trade_id, version, seller_discom_id, buyer_discom_id, seller_version, buyer_version, status, seller_status, buyer_status, toUnixTimestamp(interval_start) AS start_s, toUnixTimestamp(interval_end) AS end_s, contracted_wh, seller_wh, buyer_wh, final_wh, deviation_wh, evidence_json, computed_at_ms FROM p2p_allocations WHERE discom_id = ${discomId} AND has(${[...tradeIds]}, trade_id) AND computed_at_ms <= ${cutoffMs} ORDER BY trade_id, version, interval_start`;
}

interface Row {
  trade_id: string; version: string | number; seller_discom_id: string; buyer_discom_id: string; seller_version: string | number; buyer_version: string | number;
  status: string; seller_status: string; buyer_status: string; start_s: string | number; end_s: string | number;
  contracted_wh: string | number; seller_wh: string | number; buyer_wh: string | number; final_wh: string | number; deviation_wh: string | number; evidence_json: string; computed_at_ms: string | number;
}

/** The latest final of each trade as known at `cutoffMs`, sorted by trade id. */
export async function finalsAtCutoff(
  ch: ClickHouseClient, latest: (tradeId: string) => Promise<FinalRecord | undefined>,
  discomId: string, tradeIds: readonly string[], cutoffMs: number,
): Promise<FinalAllocation[]> {
  if (tradeIds.length === 0) return [];
  let rows: Row[];
  try {
    rows = await (await ch.query({ query: finalsAtCutoffQuery(discomId, tradeIds, cutoffMs), format: 'JSONEachRow' })).json<Row>();
  } catch (cause) {
    throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `final allocations of ${discomId} at ${new Date(cutoffMs).toISOString()} from ClickHouse failed: ${(cause as Error).message}`, { cause });
  }
  const byTrade = new Map<string, { version: number; final: FinalAllocation }>();
  for (const [tradeId, versionRows] of groupLatest(rows)) byTrade.set(tradeId, { version: Number(versionRows[0]!.version), final: finalOfRows(versionRows) });
  for (const tradeId of tradeIds) {
    const r = await latest(tradeId);
    if (r !== undefined && r.at <= cutoffMs && r.version > (byTrade.get(tradeId)?.version ?? 0)) byTrade.set(tradeId, { version: r.version, final: r.final });
  }
  return [...byTrade.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v.final);
}

/** Rows of the highest version of each trade, one per interval (a redelivered version can repeat before ClickHouse folds it). */
function groupLatest(rows: readonly Row[]): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (const r of rows) {
    const held = out.get(r.trade_id);
    const v = Number(r.version);
    if (held === undefined || Number(held[0]!.version) < v) out.set(r.trade_id, [r]);
    else if (Number(held[0]!.version) === v && !held.some((h) => Number(h.start_s) === Number(r.start_s))) held.push(r);
  }
  return out;
}

function finalOfRows(rows: readonly Row[]): FinalAllocation {
  const r0 = rows[0]!;
  const n = (v: string | number) => Number(v);
  return {
    tradeId: r0.trade_id, sellerDiscomId: r0.seller_discom_id, buyerDiscomId: r0.buyer_discom_id,
    sellerVersion: n(r0.seller_version), buyerVersion: n(r0.buyer_version),
    sellerStatus: r0.seller_status as FinalAllocation['sellerStatus'], buyerStatus: r0.buyer_status as FinalAllocation['buyerStatus'], status: r0.status as FinalAllocation['status'],
    intervals: [...rows].sort((a, b) => n(a.start_s) - n(b.start_s)).map((r) => ({
      startMs: n(r.start_s) * 1000, endMs: n(r.end_s) * 1000, contractedWh: n(r.contracted_wh), sellerWh: n(r.seller_wh), buyerWh: n(r.buyer_wh), finalWh: n(r.final_wh),
      sellerShortfallWh: n(r.contracted_wh) - n(r.seller_wh), buyerShortfallWh: n(r.contracted_wh) - n(r.buyer_wh), deviationWh: n(r.deviation_wh),
    })),
    evidence: JSON.parse(r0.evidence_json) as CheckpointRef[],
  };
}
