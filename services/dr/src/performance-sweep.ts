import type { Producer } from 'kafkajs';
import type { ClickHouseClient } from '@ies/clickhouse';
import { TOPICS, topicName } from '@ies/contracts';
import { canonicalJson } from '@ies/crypto';
import { ACKS_ALL, type AvroSerde } from '@ies/kafka';
import type { Logger } from '@ies/observability';
import type { Redis } from '@ies/redis';
import { readBaselines, writePerformance } from './dr-tables.js';
import { blockIndexOf as intervalIndexOf } from '@ies/units';
import { computeEventPerformance, type EventPerformance } from './domain/performance.js';
import type { DrEventRecord, DrEventStore } from './event-store.js';
import { loadMeterHistory } from './history.js';
import { openKey } from './open-events.js';

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
    await writePerformance(this.deps.ch, { discomId: record.discomId, eventId: record.eventId, aggregatorId: record.aggregatorId, intervalStarts: record.event.intervals.map((iv) => iv.intervalStart) }, perf, version, computedAt);
  }
}

// The API's and settlement's readers of these tables, and the open-events key, live in
// their own files; re-exported under the names the package always exported.

function pick(p: EventPerformance) {
  const t = p.totals;
  return { deliveredWh: t.deliveredWh, offeredWh: t.offeredWh, eligibleWh: t.eligibleWh, shortfallWh: t.shortfallWh, paymentPaise: t.paymentPaise, penaltyPaise: t.penaltyPaise, netPaise: t.netPaise };
}
