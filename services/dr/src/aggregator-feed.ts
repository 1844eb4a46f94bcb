import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { AGGREGATOR_FEED_TOPICS, TOPICS, aggregatorTopicName, isTopicSafeId, topicName, type TopicSpec } from '@ies/contracts';
import { commitInTransaction, topicConfig, type AvroSerde } from '@ies/kafka';
import type { Logger } from '@ies/observability';

export const AGGREGATOR_FEED_GROUP = 'ies-aggregator-feed';

/**
 * Copies every record of the DR topics to its aggregator's own topics
 * (`ies.<discom>.agg.<aggregatorId>.<topic>`, created on first use), so an aggregator's
 * consumer group reads its events and nobody else's once ACLs are on. The copy and the
 * consumer offset commit in one Kafka transaction: each record is in the feed exactly once
 * for read_committed consumers. The bytes are copied unchanged (same schema id).
 */
export async function startAggregatorFeed(opts: { kafka: Kafka; admin: Admin; serde: AvroSerde; tenants: readonly string[]; replicationFactor: number; transactionalId: string; logger: Logger; groupId?: string }): Promise<{ consumer: Consumer; producer: Producer }> {
  const { kafka, admin, serde, logger } = opts;
  const groupId = opts.groupId ?? AGGREGATOR_FEED_GROUP;
  const specs = new Map<string, { discom: string; spec: TopicSpec }>();
  for (const discom of opts.tenants) for (const id of AGGREGATOR_FEED_TOPICS) specs.set(topicName(discom, TOPICS[id]), { discom, spec: TOPICS[id] });
  const known = new Set(await admin.listTopics());
  const ensure = async (topic: string, discom: string, spec: TopicSpec) => {
    if (known.has(topic)) return;
    const config = { ...topicConfig(discom, spec, opts.replicationFactor), topic };
    await admin.createTopics({ topics: [config], waitForLeaders: true });
    for (let i = 0; i < 100; i++) {
      try {
        await admin.fetchTopicOffsets(topic);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    known.add(topic);
  };
  const producer = kafka.producer({ transactionalId: opts.transactionalId, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  const consumer = kafka.consumer({ groupId, readUncommitted: false });
  await consumer.connect();
  for (const topic of specs.keys()) await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }) => {
      const { discom, spec } = specs.get(topic)!;
      const record = await serde.decode<{ aggregatorId?: string }>(message.value as Buffer);
      const aggregatorId = record.aggregatorId ?? '';
      const sends = [];
      if (isTopicSafeId(aggregatorId)) {
        const target = aggregatorTopicName(discom, aggregatorId, spec);
        await ensure(target, discom, spec);
        sends.push({ topic: target, messages: [{ key: message.key, value: message.value, headers: message.headers }] });
      } else {
        logger.warn({ topic, offset: message.offset, aggregatorId }, 'record without a usable aggregator id is not copied to a feed');
      }
      await commitInTransaction(producer, sends, { consumerGroupId: groupId, positions: [{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }] });
    },
  });
  return { consumer, producer };
}
