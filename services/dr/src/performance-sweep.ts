import type { Producer } from 'kafkajs';
import { sql, type ClickHouseClient } from '@ies/clickhouse';
import { TOPICS, topicName } from '@ies/contracts';
import { canonicalJson } from '@ies/crypto';
import { ACKS_ALL, type AvroSerde } from '@ies/kafka';
import type { Logger } from '@ies/observability';
import type { Redis } from '@ies/redis';
import { readBaselines } from './baseline-worker.js';
import { blockIndexOf as intervalIndexOf } from '@ies/units';
import { computeEventPerformance, type EventPerformance } from './domain/performance.js';
import type { DrEventRecord, DrEventStore } from './event-store.js';
import { loadMeterHistory } from './history.js';

/**
 * Measures events whose window has closed: delivered = max(0, baseline − usage) per meter
 * and interval, and the DEG payment and penalty per event. Runs on a timer; each run
 * recomputes every BASELINED or MEASURED event of the tenants from ClickHouse, so reads
 * that arrive late change the figures: a changed result is published as the next version
 * (dr-performance.v1, dr_performance, dr_delivery), an unchanged one is not.
 */
export class PerformanceSweep {
  constructor(
    private readonly deps: { ch: ClickHouseClient; redis: Redis; store: DrEventStore; producer: Producer; serde: AvroSerde; logger: Logger; graceMs: number; now: () => number },
  ) {}

  async sweep(discomId: string): Promise<number> {
    let measured = 0;
    for (const eventId of await this.deps.redis.smembers(openKey(discomId))) {
      const record = await this.deps.store.get(discomId, eventId);
      if (record?.state === 'ACTIVE') continue; // its BASELINED transition is on its way
      if (!record || !['BASELINED', 'MEASURED'].includes(record.state)) {
        await this.deps.redis.srem(openKey(discomId), eventId);
        continue;
      }
      if (this.deps.now() < record.event.end + this.deps.graceMs) continue;
      if (await this.measure(record)) measured++;
    }
    return measured;
  }

  /** Computes the event's performance; publishes it when it differs from the last version. */
  async measure(record: DrEventRecord): Promise<boolean> {
    const { ch, redis, producer, serde } = this.deps;
    const { event, discomId, eventId } = record;
    const rows = await readBaselines(ch, discomId, eventId);
    const starts = event.intervals.map((i) => i.intervalStart);
    const meters = [...new Set(rows.map((r) => r.meterId))];
    const baseline = new Map(meters.map((m) => [m, starts.map(() => null as number | null)]));
    for (const r of rows) {
      const j = starts.indexOf(Date.parse(r.intervalStart));
      if (j >= 0) baseline.get(r.meterId)![j] = r.baselineWh;
    }
    const history = await loadMeterHistory(ch, { discomId, meterIds: meters, fromDay: event.eventDay, toDay: event.eventDay });
    const usage = (m: string) => starts.map((s) => history.get(m)?.get(event.eventDay)?.[intervalIndexOf(s)] ?? null);
    const perf = computeEventPerformance({
      intervals: event.intervals.map((i) => ({ intervalStart: i.intervalStart, offeredWh: i.offeredWh ?? 0, pricePaisePerKwh: i.pricePaisePerKwh, shortfallPenaltyPaisePerKwh: i.shortfallPenaltyPaisePerKwh })),
      meters: meters.map((m) => ({ meterId: m, baselineWh: baseline.get(m)!, usageWh: usage(m) })),
    });
    const digest = canonicalJson({ intervals: perf.intervals, meters: perf.meters, totals: perf.totals });
    const lastKey = `ies:${discomId}:dr:perf:${eventId}`;
    const last = JSON.parse((await redis.get(lastKey)) ?? '{"version":0,"digest":""}') as { version: number; digest: string };
    if (last.digest === digest) return false;
    const version = last.version + 1;
    const computedAt = this.deps.now();
    await this.write(record, perf, version, computedAt);
    await producer.send({ topic: topicName(discomId, TOPICS.drPerformance), acks: ACKS_ALL, messages: [{ key: eventId, value: await serde.encode(discomId, TOPICS.drPerformance, { eventId, discomId, aggregatorId: record.aggregatorId, version, complete: perf.complete, ...pick(perf), intervals: perf.intervals, computedAt }) }] });
    await redis.set(lastKey, JSON.stringify({ version, digest }));
    if (record.state === 'BASELINED') await this.deps.store.transition(discomId, eventId, 'MEASURED', 'performance-sweep', computedAt, `version ${version}: ${perf.totals.deliveredWh} Wh delivered`);
    this.deps.logger.info({ discomId, eventId, version, complete: perf.complete, deliveredWh: perf.totals.deliveredWh, paymentPaise: perf.totals.paymentPaise, penaltyPaise: perf.totals.penaltyPaise }, 'event performance measured');
    return true;
  }

  private async write(record: DrEventRecord, perf: EventPerformance, version: number, computedAt: number): Promise<void> {
    const { ch } = this.deps;
    await ch.insert({ table: 'dr_performance', format: 'JSONEachRow', values: [{ discom_id: record.discomId, event_id: record.eventId, version, aggregator_id: record.aggregatorId, complete: perf.complete ? 1 : 0, delivered_wh: perf.totals.deliveredWh, offered_wh: perf.totals.offeredWh, eligible_wh: perf.totals.eligibleWh, shortfall_wh: perf.totals.shortfallWh, payment_paise: perf.totals.paymentPaise, penalty_paise: perf.totals.penaltyPaise, net_paise: perf.totals.netPaise, intervals_json: JSON.stringify(perf.intervals), computed_at_ms: computedAt }] });
    const rows = perf.meters.flatMap((m) => record.event.intervals.map((iv, j) => ({ discom_id: record.discomId, event_id: record.eventId, version, meter_id: m.meterId, interval_start: Math.floor(iv.intervalStart / 1000), delivered_wh: m.deliveredWh[j], status: m.status[j], computed_at_ms: computedAt })));
    for (let i = 0; i < rows.length; i += 50_000) await ch.insert({ table: 'dr_delivery', format: 'JSONEachRow', values: rows.slice(i, i + 50_000) });
  }
}

export function openKey(discomId: string): string {
  return `ies:${discomId}:dr:open`;
}

function pick(p: EventPerformance) {
  const t = p.totals;
  return { deliveredWh: t.deliveredWh, offeredWh: t.offeredWh, eligibleWh: t.eligibleWh, shortfallWh: t.shortfallWh, paymentPaise: t.paymentPaise, penaltyPaise: t.penaltyPaise, netPaise: t.netPaise };
}

/** The latest measured performance of an event, with per-meter deliveries, for the API. */
export async function readPerformance(ch: ClickHouseClient, discomId: string, eventId: string): Promise<Record<string, unknown> | undefined> {
  const rs = await ch.query({ query: sql`SELECT * FROM dr_performance FINAL WHERE discom_id = ${discomId} AND event_id = ${eventId} ORDER BY version DESC LIMIT 1`, format: 'JSONEachRow' });
  const [p] = await rs.json<Record<string, string | number>>();
  if (!p) return undefined;
  const ms = await ch.query({ query: sql`SELECT meter_id, toUnixTimestamp(interval_start) AS t, delivered_wh, status FROM dr_delivery FINAL WHERE discom_id = ${discomId} AND event_id = ${eventId} AND version = ${Number(p.version)} ORDER BY meter_id, interval_start`, format: 'JSONEachRow' });
  const meters = new Map<string, { meterId: string; deliveredWh: number[]; status: string[] }>();
  for (const r of await ms.json<{ meter_id: string; t: string; delivered_wh: string; status: string }>()) {
    const m = meters.get(r.meter_id) ?? { meterId: r.meter_id, deliveredWh: [], status: [] };
    m.deliveredWh.push(Number(r.delivered_wh));
    m.status.push(r.status);
    meters.set(r.meter_id, m);
  }
  const n = (k: string) => Number(p[k]);
  return {
    eventId, version: n('version'), aggregatorId: p.aggregator_id, complete: n('complete') === 1,
    totals: { deliveredWh: n('delivered_wh'), offeredWh: n('offered_wh'), eligibleWh: n('eligible_wh'), shortfallWh: n('shortfall_wh'), paymentPaise: n('payment_paise'), penaltyPaise: n('penalty_paise'), netPaise: n('net_paise') },
    intervals: JSON.parse(String(p.intervals_json)) as unknown[],
    meters: [...meters.values()],
  };
}
