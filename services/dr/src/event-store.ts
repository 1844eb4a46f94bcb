import type { Producer } from 'kafkajs';
import { TOPICS, topicName } from '@ies/contracts';
import { canonicalJson } from '@ies/crypto';
import { IesError } from '@ies/errors';
import { ACKS_ALL, type AvroSerde } from '@ies/kafka';
import { writeVersioned, type Redis } from '@ies/redis';
import type { DrEvent } from './domain/event.js';
import { transition, type DrEventState } from './domain/event-lifecycle.js';

export interface DrEventRecord {
  readonly eventId: string;
  readonly discomId: string;
  readonly aggregatorId: string;
  readonly programmeId: string;
  readonly state: DrEventState;
  readonly version: number;
  readonly event: DrEvent;
  readonly history: readonly { state: DrEventState; version: number; at: number; by: string; reason: string | null }[];
}

/** Where a DR event's record lives. */
export const drEventKey = (discomId: string, eventId: string) => `ies:${discomId}:dr:event:${eventId}`;
/** The set of a tenant's DR event ids, written with each record (DrEventStore lists from it). */
export const drEventIndex = (discomId: string) => `ies:${discomId}:dr:events`;
/** Present once every record of the tenant written before the index is in it. */
export const drEventIndexMarker = (discomId: string) => `ies:${discomId}:dr:events:indexed`;

/**
 * DR events and their lifecycle: the state machine is checked in the domain
 * (event-lifecycle.ts), made atomic by a version compare-and-set in Redis, and every
 * transition reaches dr-events.v1 through an outbox: the caller gets its answer only after
 * Kafka acknowledged the transition (acks=all); a crash in between leaves it in the outbox,
 * which the next `relay()` publishes (consumers keep the first copy of an event version).
 */
export class DrEventStore {
  constructor(
    private readonly redis: Redis,
    private readonly producer: Producer,
    private readonly serde: AvroSerde,
  ) {}

  private key(discomId: string, eventId: string): string {
    return drEventKey(discomId, eventId);
  }

  private outbox(discomId: string): string {
    return `ies:${discomId}:dr:outbox`;
  }

  async get(discomId: string, eventId: string): Promise<DrEventRecord | undefined> {
    const raw = await this.redis.get(this.key(discomId, eventId));
    return raw === null ? undefined : (JSON.parse(raw) as DrEventRecord);
  }

  /**
   * The IST days of the tenant's other events that went ahead (ACTIVE onwards, not
   * cancelled), per participating meter: a baseline must not use a day the meter was
   * curtailing as a "normal" like day.
   */
  async priorEventDays(discomId: string, exceptEventId: string): Promise<Map<string, string[]>> {
    const days = new Map<string, string[]>();
    for await (const r of this.records(discomId)) {
      if (r.eventId === exceptEventId || r.state === 'DRAFT' || r.state === 'CANCELLED') continue;
      for (const m of r.event.participatingMeters ?? []) days.set(m, [...(days.get(m) ?? []), r.event.eventDay]);
    }
    return days;
  }

  /** The tenant's events whose IST event day is `day`, in every state, sorted by event id (settlement statements). */
  async eventsOnDay(discomId: string, day: string): Promise<DrEventRecord[]> {
    const found: DrEventRecord[] = [];
    for await (const r of this.records(discomId)) if (r.event.eventDay === day) found.push(r);
    return found.sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
  }

  /** The tenant's events in every state, sorted by event id (the OpenADR events view). */
  async list(discomId: string): Promise<DrEventRecord[]> {
    const found: DrEventRecord[] = [];
    for await (const r of this.records(discomId)) found.push(r);
    return found.sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
  }

  /**
   * Every event record of the tenant: the ids in its index set, their records 500 at a time.
   * The OpenADR sweep lists the events every 2 s; a SCAN over the keyspace (receipts,
   * idempotency records: hundreds of thousands of keys) cost it hundreds of round trips each time.
   */
  private async *records(discomId: string): AsyncGenerator<DrEventRecord> {
    const ids = await this.indexedIds(discomId);
    for (let i = 0; i < ids.length; i += 500) {
      const values = await this.redis.mget(...ids.slice(i, i + 500).map((id) => this.key(discomId, id)));
      for (const raw of values) if (raw !== null) yield JSON.parse(raw) as DrEventRecord;
    }
  }

  /**
   * The tenant's event ids. Records written before the index existed are added to it by one
   * SCAN, the first time the tenant's events are listed (then the marker says it is whole;
   * every write since adds its id in the same step as the record).
   */
  private async indexedIds(discomId: string): Promise<string[]> {
    if ((await this.redis.exists(drEventIndexMarker(discomId))) === 0) {
      const prefix = this.key(discomId, '');
      let cursor = '0';
      do {
        const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await this.redis.sadd(drEventIndex(discomId), ...keys.map((k) => k.slice(prefix.length)));
      } while (cursor !== '0');
      await this.redis.set(drEventIndexMarker(discomId), String(Date.now()));
    }
    return this.redis.smembers(drEventIndex(discomId));
  }

  /** Creates the event in DRAFT; an existing id with the same content is answered as is. */
  async create(discomId: string, event: DrEvent, by: string, at: number, reason: string | null = null): Promise<{ record: DrEventRecord; created: boolean }> {
    const existing = await this.get(discomId, event.eventId);
    if (existing) {
      if (canonicalJson(existing.event) !== canonicalJson(event)) throw new IesError('IES_ERR_REPLAY_CONFLICT', `DR event ${event.eventId} already exists with different content (state ${existing.state})`);
      return { record: existing, created: false };
    }
    const record: DrEventRecord = { eventId: event.eventId, discomId, aggregatorId: event.aggregatorId, programmeId: event.programmeId, state: 'DRAFT', version: 1, event, history: [{ state: 'DRAFT', version: 1, at, by, reason }] };
    await this.commit(record, 0, null, by, at, reason);
    return { record, created: true };
  }

  /** Moves the event to `to` (checked against VALID_TRANSITIONS); retries on a concurrent change. */
  async transition(discomId: string, eventId: string, to: DrEventState, by: string, at: number, reason: string | null = null): Promise<DrEventRecord> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.get(discomId, eventId);
      if (!current) throw new IesError('IES_ERR_NOT_FOUND', `no DR event ${eventId} in ${discomId}`);
      const state = transition(current.state, to, eventId);
      const record: DrEventRecord = { ...current, state, version: current.version + 1, history: [...current.history, { state, version: current.version + 1, at, by, reason }] };
      if (await this.commit(record, current.version, current.state, by, at, reason)) return record;
    }
    throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `DR event ${eventId} kept changing under this transition; retry`, { details: { retryAfterSeconds: 1 } });
  }

  private async commit(record: DrEventRecord, expectedVersion: number, previousState: DrEventState | null, by: string, at: number, reason: string | null): Promise<boolean> {
    const message = { eventId: record.eventId, discomId: record.discomId, aggregatorId: record.aggregatorId, programmeId: record.programmeId, version: record.version, state: record.state, previousState, at, by, reason, event: canonicalJson(record.event) };
    // Compare-and-set on the version, the transition queued in the outbox in the same atomic
    // step: a transition is either both stored and queued for Kafka, or neither.
    const ok = await writeVersioned(this.redis, {
      key: this.key(record.discomId, record.eventId), versionPath: 'version', absentVersion: 0, when: { equals: expectedVersion },
      value: JSON.stringify(record), outbox: { stream: this.outbox(record.discomId), field: 'transition', entry: JSON.stringify(message) },
      index: { sets: [drEventIndex(record.discomId)], member: record.eventId },
    });
    if (!ok) return false;
    await this.relay(record.discomId);
    return true;
  }

  /** Publishes what the outbox holds, oldest first, then removes it. Safe to run concurrently (at-least-once). */
  async relay(discomId: string): Promise<number> {
    const entries = await this.redis.xrange(this.outbox(discomId), '-', '+', 'COUNT', 500);
    if (entries.length === 0) return 0;
    const messages = await Promise.all(
      entries.map(async ([, fields]) => {
        const m = JSON.parse(fields[1] as string) as { eventId: string };
        return { key: m.eventId, value: await this.serde.encode(discomId, TOPICS.drEvents, m) };
      }),
    );
    try {
      await this.producer.send({ topic: topicName(discomId, TOPICS.drEvents), acks: ACKS_ALL, messages });
    } catch (cause) {
      throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `Kafka did not take ${messages.length} DR event transition(s): ${(cause as Error).message}; they stay queued and are sent on the next attempt`, { cause, details: { retryAfterSeconds: 5 } });
    }
    await this.redis.xdel(this.outbox(discomId), ...entries.map(([id]) => id));
    return entries.length;
  }
}
