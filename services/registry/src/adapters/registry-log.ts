import type { Consumer, Kafka, Producer } from 'kafkajs';
import { TOPICS, topicName } from '@ies/contracts';
import { ACKS_ALL, type AvroSerde } from '@ies/kafka';
import { entityKey, type RegistryEntry } from '../domain/model.js';
import type { RegistryState } from '../domain/state.js';

/** Writes entries to each tenant's compacted registry topic (acks=all). */
export async function publishEntries(producer: Producer, serde: AvroSerde, entries: readonly RegistryEntry[]): Promise<number> {
  const byTopic = new Map<string, { key: string; value: Buffer }[]>();
  for (const entry of entries) {
    const topic = topicName(entry.discomId, TOPICS.registry);
    const list = byTopic.get(topic) ?? [];
    list.push({ key: entityKey(entry), value: await serde.encode(entry.discomId, TOPICS.registry, entry) });
    byTopic.set(topic, list);
  }
  await producer.sendBatch({ acks: ACKS_ALL, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
  return entries.length;
}

/**
 * Materialises the registry topics of `tenants` into `state`: reads each compacted topic
 * from the beginning (a private consumer group, nothing committed) and keeps applying new
 * entries, so rotations and revocations take effect without a restart. `ready` resolves
 * once everything that was in the topics at start has been applied.
 */
export async function materialiseRegistry(kafka: Kafka, serde: AvroSerde, state: RegistryState, tenants: readonly string[], groupSuffix: string): Promise<{ consumer: Consumer; ready: Promise<void> }> {
  const topics = tenants.map((t) => topicName(t, TOPICS.registry));
  const admin = kafka.admin();
  await admin.connect();
  const pending = new Map<string, bigint>();
  try {
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        const high = BigInt(p.high);
        if (high > BigInt(p.low)) pending.set(`${topic}/${p.partition}`, high);
      }
    }
  } finally {
    await admin.disconnect();
  }
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  if (pending.size === 0) markReady();
  const consumer = kafka.consumer({ groupId: `ies-registry-view-${groupSuffix}`, sessionTimeout: 10_000, heartbeatInterval: 1000 });
  await consumer.connect();
  for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }) => {
      if (message.value) state.apply(await serde.decode<RegistryEntry>(message.value));
      const k = `${topic}/${partition}`;
      const high = pending.get(k);
      if (high !== undefined && BigInt(message.offset) + 1n >= high) {
        pending.delete(k);
        if (pending.size === 0) markReady();
      }
    },
  });
  return { consumer, ready };
}
