import type { Consumer, Kafka, Producer } from 'kafkajs';
import { TOPICS, topicName } from '@ies/contracts';
import type { ClickHouseClient } from '@ies/clickhouse';
import { IesError } from '@ies/errors';
import { ACKS_ALL, type AvroSerde } from '@ies/kafka';
import type { Logger } from '@ies/observability';
import { type BaselineResult } from './domain/baseline-model.js';
import type { HolidayCalendar } from './domain/calendar.js';
import type { DrEvent } from './domain/event.js';
import { dateOfDayIndex, dayIndexOfDate } from '@ies/units';
import type { PolicyRegistry } from './domain/policy-registry.js';
import type { DrEventStore } from './event-store.js';
import { baselineFromHistory } from './baseline-from-history.js';
import { writeBaselines } from './dr-tables.js';
import { openKey } from './open-events.js';
import type { Redis } from '@ies/redis';

export const BASELINE_GROUP = 'ies-baseline';
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
  // A chunk of meters at a time from the typed history grid, as bench:baseline times it.
  const meters = meterIds.map((meterId) => ({ meterId, eventDays: (priorEventDays.get(meterId) ?? []).filter((d) => d < event.eventDay) }));
  const { result } = await baselineFromHistory(ch, pack, { eventStart: event.start, eventEnd: event.end, calendar, meters }, { discomId, fromDay: dateOfDayIndex(eventDay - lookback), toDay: event.eventDay });
  return result;
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
  await writeBaselines(ch, { discomId: t.discomId, eventId: t.eventId, version: t.version }, result, computedAt);
}

// Read back by the API and the sweep; the queries live with the table (dr-tables.ts).
