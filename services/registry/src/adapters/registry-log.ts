import type { Admin, Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { TOPICS, topicName } from '@ies/contracts';
import { IesError, isIesError } from '@ies/errors';
import { ACKS_ALL, deadLetterMessage, type AvroSerde } from '@ies/kafka';
import { openRegistryRecord, type RegistryRecord } from '../domain/signed-document.js';
import type { RegistryState } from '../domain/state.js';
import { readOperatorKeys } from './operator-keys.js';

/** `stage` of the dead letters of refused registry.v1 records. */
export const REGISTRY_STAGE = 'registry';

/**
 * Writes one operator-signed registry document to its tenant's compacted registry topic
 * (acks=all), key `DOCUMENT:<sha256 of body>`. Nothing else is written: every reader
 * re-derives the entities from the document after verifying the operator's signature.
 */
export async function publishDocument(producer: Producer, serde: AvroSerde, record: RegistryRecord): Promise<void> {
  if (record.kind !== 'DOCUMENT') throw new IesError('IES_ERR_INTERNAL', `only signed DOCUMENT records are written to registry.v1, not ${record.kind}`);
  const value = await serde.encode(record.discomId, TOPICS.registry, record);
  await producer.send({ topic: topicName(record.discomId, TOPICS.registry), acks: ACKS_ALL, messages: [{ key: `${record.kind}:${record.id}`, value }] });
}

export interface RegistryViewOptions {
  /** The node operator's JWKS file (config `auth.operatorJwksFile`), read whenever a document is verified. */
  operatorJwksFile: string;
  /**
   * When given, refused records are also written to the tenant's dead-letter.v1 (stage
   * `registry`, key `<topic>/<partition>/<offset>`). One writer role is enough (the gateway);
   * every view logs and refuses them anyway. Each start re-reads the topic, so a refused
   * record is dead-lettered again per start: copies share their key, source, stage and
   * code and fold into one `dead_letters` row.
   */
  deadLetters?: Producer;
  /** Told about every refused record (logging, metrics, tests). */
  onRefused?: (refusal: RegistryRefusal) => void;
}

export interface RegistryRefusal {
  readonly tenant: string;
  readonly sourceId: string;
  readonly key: string | null;
  readonly code: string;
  readonly message: string;
}

/** A registry view kept current from the registry topics. */
export interface RegistryView {
  readonly consumer: Consumer;
  /** Resolves once everything that was in the topics at start has been applied. */
  readonly ready: Promise<void>;
  /**
   * Waits until the view has applied everything the topics held when it was called, unless
   * a catch-up that started at or after `notBeforeMs` already completed. A consumer that
   * finds a record referring to registry state it does not know yet (a key registered a
   * moment before the batch) calls this before deciding the record is wrong.
   */
  catchUp(notBeforeMs: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Materialises the registry topics of `tenants` into `state`: reads each compacted topic
 * from the beginning (a private consumer group, nothing committed) and keeps applying new
 * documents, so rotations and revocations take effect without a restart. Only operator-signed
 * DOCUMENT records are applied (their entities re-derived after the signature verifies);
 * everything else is refused with a code (signed-document.ts).
 */
export async function materialiseRegistry(kafka: Kafka, serde: AvroSerde, state: RegistryState, tenants: readonly string[], groupSuffix: string, options: RegistryViewOptions): Promise<RegistryView> {
  const topics = tenants.map((t) => topicName(t, TOPICS.registry));
  const tenantOf = new Map(tenants.map((t) => [topicName(t, TOPICS.registry), t]));
  const admin: Admin = kafka.admin();
  await admin.connect();
  /** Next offset to apply per `topic/partition`. */
  const applied = new Map<string, bigint>();
  let waiters: { targets: Map<string, bigint>; resolve: () => void }[] = [];
  const reached = (targets: Map<string, bigint>) => [...targets].every(([k, high]) => (applied.get(k) ?? 0n) >= high);
  const endOffsets = async (): Promise<Map<string, bigint>> => {
    const targets = new Map<string, bigint>();
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        const high = BigInt(p.high);
        if (high > BigInt(p.low)) targets.set(`${topic}/${p.partition}`, high);
      }
    }
    return targets;
  };
  const waitFor = (targets: Map<string, bigint>): Promise<void> =>
    reached(targets) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ targets, resolve }));

  const initialAt = Date.now();
  let initial: Map<string, bigint>;
  try {
    initial = await endOffsets();
  } catch (err) {
    await admin.disconnect();
    throw err;
  }

  // Fail fast when there is something to verify and the operator keys cannot be read: the
  // view would otherwise stall on the first document (it never refuses one for that).
  if (initial.size > 0) {
    try {
      await readOperatorKeys(options.operatorJwksFile);
    } catch (err) {
      await admin.disconnect();
      throw err;
    }
  }

  const refuse = async (tenant: string, topic: string, partition: number, message: KafkaMessage, code: string, text: string) => {
    const sourceId = `${topic}/${partition}/${message.offset}`;
    const key = message.key?.toString('utf8') ?? null;
    options.onRefused?.({ tenant, sourceId, key, code, message: text });
    if (!options.deadLetters) return;
    const dl = await deadLetterMessage(serde, { sourceId, discomId: tenant, stage: REGISTRY_STAGE, code, message: text, rejectedAt: Date.now(), payload: message.value, context: { topic, partition: String(partition), offset: message.offset, ...(key === null ? {} : { key }) } });
    await options.deadLetters.send({ topic: topicName(tenant, TOPICS.deadLetter), acks: ACKS_ALL, messages: [dl] });
  };

  const consumer = kafka.consumer({ groupId: `ies-registry-view-${groupSuffix}`, sessionTimeout: 10_000, heartbeatInterval: 1000, maxBytesPerPartition: 32 * 1024 * 1024 });
  await consumer.connect();
  for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }) => {
      const tenant = tenantOf.get(topic) as string;
      // A null value is a tombstone: compaction's business, nothing to apply. An error thrown
      // here (registry or operator JWKS unavailable) makes kafkajs retry the record.
      if (message.value) {
        let record: RegistryRecord | undefined;
        try {
          record = await serde.decode<RegistryRecord>(message.value);
        } catch (err) {
          if (!isIesError(err) || err.retriable) throw err; // registry down: kafkajs retries the record
          await refuse(tenant, topic, partition, message, err.code, err.message);
        }
        if (record) {
          const opened = await openRegistryRecord(record, tenant, async (kid) => (await readOperatorKeys(options.operatorJwksFile)).get(kid));
          if (opened.ok) for (const entry of opened.entries) state.apply(entry);
          else await refuse(tenant, topic, partition, message, opened.code, opened.message);
        }
      }
      applied.set(`${topic}/${partition}`, BigInt(message.offset) + 1n);
      if (waiters.length > 0) {
        const done = waiters.filter((w) => reached(w.targets));
        waiters = waiters.filter((w) => !reached(w.targets));
        for (const w of done) w.resolve();
      }
    },
  });

  /** When the newest completed catch-up read the end offsets (the view holds everything written before). */
  let lastCatchUpStartedAt = 0;
  let running: { startedAt: number; done: Promise<void> } | undefined;
  const startCatchUp = () => {
    const startedAt = Date.now();
    const done = endOffsets().then(waitFor).then(() => {
      lastCatchUpStartedAt = Math.max(lastCatchUpStartedAt, startedAt);
    }).finally(() => {
      if (running?.done === done) running = undefined;
    });
    running = { startedAt, done };
    return done;
  };
  return {
    consumer,
    ready: waitFor(initial).then(() => {
      lastCatchUpStartedAt = Math.max(lastCatchUpStartedAt, initialAt);
    }),
    async catchUp(notBeforeMs, timeoutMs = 10_000) {
      if (lastCatchUpStartedAt >= notBeforeMs) return;
      const done = running && running.startedAt >= notBeforeMs ? running.done : startCatchUp();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `the registry view did not catch up with ${topics.join(', ')} within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([done, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async stop() {
      await consumer.disconnect();
      await admin.disconnect();
    },
  };
}
