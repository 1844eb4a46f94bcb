import type { Consumer, Kafka, Producer } from 'kafkajs';
import { TOPICS, topicName } from '@ies/contracts';
import { sql, type ClickHouseClient } from '@ies/clickhouse';
import { IesError } from '@ies/errors';
import { ACKS_ALL, type AvroSerde } from '@ies/kafka';
import type { Logger } from '@ies/observability';
import { computeBaseline, type BaselineResult } from './domain/baseline.js';
import type { HolidayCalendar } from './domain/calendar.js';
import type { DrEvent } from './domain/event.js';
import { dateOfDayIndex, dayIndexOfDate } from '@ies/units';
import type { PolicyRegistry } from './domain/policy-registry.js';
import type { DrEventStore } from './event-store.js';
import { loadMeterHistory } from './history.js';
import { openKey } from './performance-sweep.js';
import type { Redis } from '@ies/redis';

export const BASELINE_GROUP = 'ies-baseline';
const ROWS_PER_INSERT = 50_000;
const METERS_PER_RECORD_BATCH = 2_000;

interface Transition {
  eventId: string;
  discomId: string;
  aggregatorId: string;
  version: number;
  state: string;
  event: string;
}

/**
 * Baselines an event when it becomes ACTIVE: loads its meters' history from ClickHouse,
 * runs the event's policy pack, writes one baselines.v1 record per meter and the rows of
 * `dr_baselines`, then moves the event to BASELINED. At-least-once: a redelivered ACTIVE
 * transition recomputes the same figures (deterministic), ClickHouse folds the rows and
 * consumers keep one record per (eventId, meterId, eventVersion).
 */
export async function startBaselineWorker(opts: { kafka: Kafka; serde: AvroSerde; ch: ClickHouseClient; redis: Redis; store: DrEventStore; policies: PolicyRegistry; calendar: HolidayCalendar; tenants: readonly string[]; logger: Logger; groupId?: string }): Promise<{ consumer: Consumer; producer: Producer }> {
  const { kafka, serde, ch, store, logger } = opts;
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  const consumer = kafka.consumer({ groupId: opts.groupId ?? BASELINE_GROUP });
  await consumer.connect();
  for (const t of opts.tenants) await consumer.subscribe({ topic: topicName(t, TOPICS.drEvents), fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const t = await serde.decode<Transition>(message.value as Buffer);
      if (t.state !== 'ACTIVE') return;
      const current = await store.get(t.discomId, t.eventId);
      if (current?.state !== 'ACTIVE' || current.version !== t.version) return; // moved on (cancelled, or already baselined)
      const started = Date.now();
      const event = JSON.parse(t.event) as DrEvent;
      const result = await baselineEvent(ch, opts.policies, opts.calendar, t.discomId, event, await store.priorEventDays(t.discomId, t.eventId));
      await persist(ch, producer, serde, t, result, Date.now());
      const ok = result.meters.filter((m) => m.status === 'OK').length;
      // Open before the transition: whoever sees BASELINED finds it in the set (the sweep skips it while still ACTIVE).
      await opts.redis.sadd(openKey(t.discomId), t.eventId); // measured once its window closes
      await store.transition(t.discomId, t.eventId, 'BASELINED', 'baseline-service', Date.now(), `${ok} of ${result.meters.length} meters baselined with ${result.policy}`);
      logger.info({ discomId: t.discomId, eventId: t.eventId, meters: result.meters.length, ok, ms: Date.now() - started }, 'event baselined');
    },
  });
  return { consumer, producer };
}

/** The event's baselines from its meters' history (the lookback of its policy pack, up to the event day). */
export async function baselineEvent(ch: ClickHouseClient, policies: PolicyRegistry, calendar: HolidayCalendar, discomId: string, event: DrEvent, priorEventDays: ReadonlyMap<string, readonly string[]> = new Map()): Promise<BaselineResult> {
  const pack = policies.get(event.methodology.ref);
  const eventDay = dayIndexOfDate(event.eventDay);
  if (eventDay === undefined) throw new IesError('IES_ERR_DR_INPUT_INVALID', `event day ${event.eventDay} is not a date`);
  const lookback = pack.method === 'LIKE_DAYS' ? pack.parameters.lookbackDays : 1;
  const meterIds = event.participatingMeters ?? [];
  const history = await loadMeterHistory(ch, { discomId, meterIds, fromDay: dateOfDayIndex(eventDay - lookback), toDay: event.eventDay });
  return computeBaseline(pack, { eventStart: event.start, eventEnd: event.end, calendar, meters: meterIds.map((meterId) => ({ meterId, days: history.get(meterId) ?? new Map(), eventDays: (priorEventDays.get(meterId) ?? []).filter((d) => d < event.eventDay) })) });
}

async function persist(ch: ClickHouseClient, producer: Producer, serde: AvroSerde, t: Transition, result: BaselineResult, computedAt: number): Promise<void> {
  for (let i = 0; i < result.meters.length; i += METERS_PER_RECORD_BATCH) {
    const slice = result.meters.slice(i, i + METERS_PER_RECORD_BATCH);
    const messages = await Promise.all(
      slice.map(async (m) => ({
        key: t.eventId,
        value: await serde.encode(t.discomId, TOPICS.baselines, { eventId: t.eventId, discomId: t.discomId, aggregatorId: t.aggregatorId, eventVersion: t.version, meterId: m.meterId, policy: result.policy, status: m.status, detail: m.detail, intervalStarts: result.intervalStarts, baselineWh: m.baselineWh, unadjustedWh: m.unadjustedWh, selectedDays: m.selectedDays, computedAt }),
      })),
    );
    await producer.send({ topic: topicName(t.discomId, TOPICS.baselines), acks: ACKS_ALL, messages });
  }
  let rows: Record<string, unknown>[] = [];
  const flush = async () => {
    if (rows.length === 0) return;
    await ch.insert({ table: 'dr_baselines', values: rows, format: 'JSONEachRow' });
    rows = [];
  };
  for (const m of result.meters) {
    for (const [j, start] of result.intervalStarts.entries()) {
      rows.push({ discom_id: t.discomId, event_id: t.eventId, event_version: t.version, meter_id: m.meterId, interval_start: Math.floor(start / 1000), policy: result.policy, status: m.status, baseline_wh: m.baselineWh[j] ?? null, unadjusted_wh: m.unadjustedWh[j] ?? null, selected_days: [...m.selectedDays], detail: m.detail ?? '', computed_at_ms: computedAt });
      if (rows.length >= ROWS_PER_INSERT) await flush();
    }
  }
  await flush();
}

/** Baseline rows of an event for the API: latest computation per meter and interval. */
export async function readBaselines(ch: ClickHouseClient, discomId: string, eventId: string): Promise<{ meterId: string; intervalStart: string; status: string; baselineWh: number | null; unadjustedWh: number | null; policy: string; selectedDays: string[]; detail: string }[]> {
  const rs = await ch.query({
    query: sql`SELECT meter_id, toUnixTimestamp(interval_start) AS t, status, baseline_wh, unadjusted_wh, policy, selected_days, detail FROM dr_baselines FINAL WHERE discom_id = ${discomId} AND event_id = ${eventId} ORDER BY meter_id, interval_start`,
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ meter_id: string; t: string; status: string; baseline_wh: string | null; unadjusted_wh: string | null; policy: string; selected_days: string[]; detail: string }>();
  return rows.map((r) => ({ meterId: r.meter_id, intervalStart: new Date(Number(r.t) * 1000).toISOString(), status: r.status, baselineWh: r.baseline_wh === null ? null : Number(r.baseline_wh), unadjustedWh: r.unadjusted_wh === null ? null : Number(r.unadjusted_wh), policy: r.policy, selectedDays: r.selected_days, detail: r.detail }));
}
