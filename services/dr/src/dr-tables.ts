// dr's ClickHouse tables (services/dr/migrations): dr_baselines, written by the baseline
// worker, and dr_performance + dr_delivery, written by the performance sweep; their rows,
// their sinks and the queries that read them back (the API, the sweep, DR statements).
// Both workers use this file and not each other (they used to import each other).
import { sql, TableSink, type ClickHouseClient } from '@ies/clickhouse';
import type { BaselineResult } from './domain/baseline-model.js';
import type { EventPerformance } from './domain/performance.js';

/** The event transition a baseline was computed for. */
export interface BaselinedEvent {
  readonly discomId: string;
  readonly eventId: string;
  readonly version: number;
}

/** What a performance version is measured for. */
export interface MeasuredEvent {
  readonly discomId: string;
  readonly eventId: string;
  readonly aggregatorId: string;
  readonly intervalStarts: readonly number[];
}

export const BASELINES_TABLE = new TableSink<Record<string, unknown>>('dr_baselines');
export const PERFORMANCE_TABLE = new TableSink<Record<string, unknown>>('dr_performance');
export const DELIVERY_TABLE = new TableSink<Record<string, unknown>>('dr_delivery');

/** `dr_baselines` rows: one per meter and interval; the key (discom, event, meter, interval) folds a recomputation. */
export function* baselineTableRows(t: BaselinedEvent, result: BaselineResult, computedAt: number): Generator<Record<string, unknown>> {
  for (const m of result.meters) {
    for (const [j, start] of result.intervalStarts.entries()) {
      yield { discom_id: t.discomId, event_id: t.eventId, event_version: t.version, meter_id: m.meterId, interval_start: Math.floor(start / 1000), policy: result.policy, status: m.status, baseline_wh: m.baselineWh[j] ?? null, unadjusted_wh: m.unadjustedWh[j] ?? null, selected_days: [...m.selectedDays], detail: m.detail ?? '', computed_at_ms: computedAt };
    }
  }
}

/** Writes an event's baselines, a chunk at a time (a large event has millions of rows). */
export async function writeBaselines(ch: ClickHouseClient, t: BaselinedEvent, result: BaselineResult, computedAt: number): Promise<void> {
  const batch = BASELINES_TABLE.batch(ch);
  for (const row of baselineTableRows(t, result, computedAt)) await batch.add(row);
  await batch.end();
}

/** The `dr_performance` row of one version (totals). */
export function performanceRow(e: MeasuredEvent, perf: EventPerformance, version: number, computedAt: number): Record<string, unknown> {
  const t = perf.totals;
  return { discom_id: e.discomId, event_id: e.eventId, version, aggregator_id: e.aggregatorId, complete: perf.complete ? 1 : 0, delivered_wh: t.deliveredWh, offered_wh: t.offeredWh, eligible_wh: t.eligibleWh, shortfall_wh: t.shortfallWh, payment_paise: t.paymentPaise, penalty_paise: t.penaltyPaise, net_paise: t.netPaise, intervals_json: JSON.stringify(perf.intervals), computed_at_ms: computedAt };
}

/** `dr_delivery` rows of one version: per meter and interval. */
export function deliveryRows(e: MeasuredEvent, perf: EventPerformance, version: number, computedAt: number): Record<string, unknown>[] {
  return perf.meters.flatMap((m) => e.intervalStarts.map((start, j) => ({ discom_id: e.discomId, event_id: e.eventId, version, meter_id: m.meterId, interval_start: Math.floor(start / 1000), delivered_wh: m.deliveredWh[j], status: m.status[j], computed_at_ms: computedAt })));
}

export async function writePerformance(ch: ClickHouseClient, e: MeasuredEvent, perf: EventPerformance, version: number, computedAt: number): Promise<void> {
  await PERFORMANCE_TABLE.write(ch, [performanceRow(e, perf, version, computedAt)]);
  await DELIVERY_TABLE.write(ch, deliveryRows(e, perf, version, computedAt));
}

export function baselinesQuery(discomId: string, eventId: string): string {
  return sql`SELECT meter_id, toUnixTimestamp(interval_start) AS t, status, baseline_wh, unadjusted_wh, policy, selected_days, detail FROM dr_baselines FINAL WHERE discom_id = ${discomId} AND event_id = ${eventId} ORDER BY meter_id, interval_start`;
}

export function latestPerformanceQuery(discomId: string, eventId: string): string {
  return sql`SELECT * FROM dr_performance FINAL WHERE discom_id = ${discomId} AND event_id = ${eventId} ORDER BY version DESC LIMIT 1`;
}

export function deliveryQuery(discomId: string, eventId: string, version: number): string {
  return sql`SELECT meter_id, toUnixTimestamp(interval_start) AS t, delivered_wh, status FROM dr_delivery FINAL WHERE discom_id = ${discomId} AND event_id = ${eventId} AND version = ${version} ORDER BY meter_id, interval_start`;
}

/** Baseline rows of an event for the API: latest computation per meter and interval. */
export async function readBaselines(ch: ClickHouseClient, discomId: string, eventId: string): Promise<{ meterId: string; intervalStart: string; status: string; baselineWh: number | null; unadjustedWh: number | null; policy: string; selectedDays: string[]; detail: string }[]> {
  const rs = await ch.query({ query: baselinesQuery(discomId, eventId), format: 'JSONEachRow' });
  const rows = await rs.json<{ meter_id: string; t: string; status: string; baseline_wh: string | null; unadjusted_wh: string | null; policy: string; selected_days: string[]; detail: string }>();
  return rows.map((r) => ({ meterId: r.meter_id, intervalStart: new Date(Number(r.t) * 1000).toISOString(), status: r.status, baselineWh: r.baseline_wh === null ? null : Number(r.baseline_wh), unadjustedWh: r.unadjusted_wh === null ? null : Number(r.unadjusted_wh), policy: r.policy, selectedDays: r.selected_days, detail: r.detail }));
}

/**
 * The highest performance version of an event computed at or before `cutoffMs` (a settlement
 * run's cut-off). Not FINAL: a redelivered version has the same figures, and its earliest
 * row is the one that counts.
 */
export function performanceAsOfQuery(discomId: string, eventId: string, cutoffMs: number): string {
  return sql`SELECT version, complete, eligible_wh, shortfall_wh, payment_paise, penalty_paise FROM dr_performance WHERE discom_id = ${discomId} AND event_id = ${eventId} AND computed_at_ms <= ${cutoffMs} ORDER BY version DESC, computed_at_ms ASC LIMIT 1`;
}

/** The totals of the performance known at `cutoffMs`, or undefined when none was measured by then. */
export async function readPerformanceTotalsAsOf(ch: ClickHouseClient, discomId: string, eventId: string, cutoffMs: number): Promise<{ version: number; complete: boolean; eligibleWh: number; shortfallWh: number; paymentPaise: number; penaltyPaise: number } | undefined> {
  const rs = await ch.query({ query: performanceAsOfQuery(discomId, eventId, cutoffMs), format: 'JSONEachRow' });
  const [p] = await rs.json<Record<string, string | number>>();
  if (!p) return undefined;
  const n = (k: string) => Number(p[k]);
  return { version: n('version'), complete: n('complete') === 1, eligibleWh: n('eligible_wh'), shortfallWh: n('shortfall_wh'), paymentPaise: n('payment_paise'), penaltyPaise: n('penalty_paise') };
}

/** The latest measured performance of an event, with per-meter deliveries, for the API. */
export async function readPerformance(ch: ClickHouseClient, discomId: string, eventId: string): Promise<Record<string, unknown> | undefined> {
  const rs = await ch.query({ query: latestPerformanceQuery(discomId, eventId), format: 'JSONEachRow' });
  const [p] = await rs.json<Record<string, string | number>>();
  if (!p) return undefined;
  const ms = await ch.query({ query: deliveryQuery(discomId, eventId, Number(p.version)), format: 'JSONEachRow' });
  const meters = new Map<string, { meterId: string; deliveredWh: number[]; status: string[] }>();
  for (const r of await ms.json<{ meter_id: string; t: string; delivered_wh: string; status: string }>()) {
    const m = meters.get(r.meter_id) ?? { meterId: r.meter_id, deliveredWh: [], status: [] };
    m.deliveredWh.push(Number(r.delivered_wh));
    m.status.push(r.status);
    meters.set(r.meter_id, m);
  }
  const n = (k: string) => Number(p[k]);
  return {
    eventId, version: n('version'), aggregatorId: p.aggregator_id, complete: n('complete') === 1, computedAtMs: n('computed_at_ms'),
    totals: { deliveredWh: n('delivered_wh'), offeredWh: n('offered_wh'), eligibleWh: n('eligible_wh'), shortfallWh: n('shortfall_wh'), paymentPaise: n('payment_paise'), penaltyPaise: n('penalty_paise'), netPaise: n('net_paise') },
    intervals: JSON.parse(String(p.intervals_json)) as unknown[],
    meters: [...meters.values()],
  };
}
