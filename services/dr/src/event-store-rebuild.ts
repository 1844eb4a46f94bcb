import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { TOPICS, topicName } from '@ies/contracts';
import type { Logger } from '@ies/observability';
import { MarkerRebuilds, writeVersioned, type Redis } from '@ies/redis';
import type { DrEvent } from './domain/event.js';
import { transition, type DrEventState } from './domain/event-lifecycle.js';
import { drEventIndex, drEventKey, type DrEventRecord } from './event-store.js';
import { openKey } from './open-events.js';
import { replayTopic, type AvroSerde } from '@ies/kafka';

/** dr-events.v1 as encoded (schemas-avro/dr-event.v1.avsc). */
interface Transition {
  eventId: string;
  discomId: string;
  aggregatorId: string;
  programmeId: string;
  version: number;
  state: DrEventState;
  previousState: DrEventState | null;
  at: number;
  by: string;
  reason: string | null;
  event: string;
}

export interface DrRebuildReport {
  readonly discomId: string;
  readonly transitions: number;
  readonly events: number;
  /** Records written because Redis lacked them or held an older version. */
  readonly restored: number;
  readonly performance: number;
  readonly ms: number;
}

/**
 * The key that says "this tenant's DR state in Redis is whole": written only by a rebuild.
 * Redis coming back empty (FLUSHALL, a lost volume) loses it with the records, which is how
 * an emptied store is told apart from one that is whole; a new tenant's first rebuild is a
 * replay of an empty topic.
 */
export function drStoreMarker(discomId: string): string {
  return `ies:${discomId}:dr:store`;
}

/**
 * Restores a tenant's DR state in Redis from its topics: every event record, with its whole
 * history, from the transitions on dr-events.v1; the set of events awaiting measurement; the
 * last performance version of each event from dr-performance.v1 (so a re-measure publishes
 * the next version, never a second copy of one). A record is written only where Redis holds
 * none or an older version, and nothing is queued for Kafka, so a rebuild over a whole store
 * changes nothing.
 */
export class DrStoreRebuilder {
  private readonly rebuilds: MarkerRebuilds<DrRebuildReport>;

  constructor(private readonly deps: { kafka: Kafka; admin: Admin; serde: AvroSerde; redis: Redis; logger: Logger; groupPrefix: string }) {
    this.rebuilds = new MarkerRebuilds(deps.redis, drStoreMarker);
  }

  /** Rebuilds when the tenant's marker is missing; undefined when the store is whole. */
  async ensure(discomId: string): Promise<DrRebuildReport | undefined> {
    return this.rebuilds.ensure(discomId, () => this.rebuild(discomId));
  }


  async rebuild(discomId: string): Promise<DrRebuildReport> {
    const started = Date.now();
    const byEvent = new Map<string, Transition[]>();
    const transitions = await this.replay(discomId, TOPICS.drEvents, async (t: Transition) => {
      byEvent.set(t.eventId, [...(byEvent.get(t.eventId) ?? []), t]);
    });
    let restored = 0;
    for (const [eventId, list] of byEvent) {
      const record = recordOf(discomId, eventId, list, this.deps.logger);
      if (!record) continue;
      const ok = await writeVersioned(this.deps.redis, { key: drEventKey(discomId, eventId), versionPath: 'version', absentVersion: 0, when: { below: record.version }, value: JSON.stringify(record) });
      if (ok) restored++;
      // Restored or kept as it was, the event is listed from the index.
      await this.deps.redis.sadd(drEventIndex(discomId), eventId);
      if (record.state === 'BASELINED' || record.state === 'MEASURED') await this.deps.redis.sadd(openKey(discomId), eventId);
    }
    const lastPerformance = new Map<string, number>();
    await this.replay(discomId, TOPICS.drPerformance, async (p: { eventId: string; version: number }) => {
      lastPerformance.set(p.eventId, Math.max(p.version, lastPerformance.get(p.eventId) ?? 0));
    });
    for (const [eventId, version] of lastPerformance) {
      // The digest of the figures is not on the topic: an empty one makes the next sweep
      // measure again and publish version n+1 (consumers keep the highest).
      await writeVersioned(this.deps.redis, { key: `ies:${discomId}:dr:perf:${eventId}`, versionPath: 'version', absentVersion: 0, when: { below: version }, value: JSON.stringify({ version, digest: '' }) });
    }
    const report: DrRebuildReport = { discomId, transitions, events: byEvent.size, restored, performance: lastPerformance.size, ms: Date.now() - started };
    await this.deps.redis.set(drStoreMarker(discomId), JSON.stringify({ rebuiltAt: Date.now(), transitions, events: byEvent.size }));
    this.deps.logger.info(report, 'DR store rebuilt from dr-events.v1');
    return report;
  }

  private async replay<T>(discomId: string, topic: (typeof TOPICS)[keyof typeof TOPICS], each: (value: T) => Promise<void>): Promise<number> {
    const groupId = `${this.deps.groupPrefix}${discomId}-${randomUUID()}`;
    return replayTopic({ kafka: this.deps.kafka, admin: this.deps.admin, topic: topicName(discomId, topic), groupId }, async (r) => each(await this.deps.serde.decode<T>(r.value)));
  }
}

/**
 * The record a DrEventStore held after these transitions: versions counted from 1 with each
 * step allowed by the lifecycle. A redelivered version (at-least-once relay) is dropped, the
 * first copy kept, as every consumer of the topic does; the chain stops at the first gap or
 * refused step, which is logged (a record is never made up past what the topic proves).
 */
function recordOf(discomId: string, eventId: string, list: readonly Transition[], logger: Logger): DrEventRecord | undefined {
  const byVersion = new Map<number, Transition>();
  for (const t of list) if (!byVersion.has(t.version) && t.discomId === discomId && t.eventId === eventId) byVersion.set(t.version, t);
  const chain: Transition[] = [];
  for (let v = 1; byVersion.has(v); v++) {
    const t = byVersion.get(v)!;
    const prev = chain.at(-1);
    if (prev) {
      try {
        if (transition(prev.state, t.state, eventId) !== t.state) break;
      } catch {
        logger.warn({ discomId, eventId, from: prev.state, to: t.state, version: v }, 'dr-events.v1 holds a transition the lifecycle refuses; the record is rebuilt up to the one before');
        break;
      }
    } else if (t.state !== 'DRAFT') break;
    chain.push(t);
  }
  const last = chain.at(-1);
  if (!last) {
    logger.warn({ discomId, eventId, versions: [...byVersion.keys()] }, 'dr-events.v1 holds no DRAFT version 1 of this event; not rebuilt');
    return undefined;
  }
  if (chain.length < byVersion.size) logger.warn({ discomId, eventId, kept: chain.length, seen: byVersion.size }, 'dr-events.v1 versions of this event are not one chain; rebuilt up to the last proven one');
  return {
    eventId, discomId, aggregatorId: last.aggregatorId, programmeId: last.programmeId, state: last.state, version: last.version,
    event: JSON.parse(last.event) as DrEvent,
    history: chain.map((t) => ({ state: t.state, version: t.version, at: t.at, by: t.by, reason: t.reason })),
  };
}
