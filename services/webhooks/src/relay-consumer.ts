import type { Consumer, Kafka } from 'kafkajs';
import type { Queue } from 'bullmq';
import { TOPICS, topicName } from '@ies/contracts';
import { isIesError } from '@ies/errors';
import type { AvroSerde, LogSink } from '@ies/kafka';
import { RELAYED_TOPICS, deliveryId, type RelayedRecord, type RelayedTopic } from './domain/delivery-id.js';
import { KEEP_COMPLETED_SECONDS, type DeliveryJobData, type DeliveryRetryOptions } from './delivery-queue.js';
import type { DeliverySequence } from './delivery-sequence.js';
import type { WebhookRegistry } from './webhook-registry.js';

export interface RelayConsumerDeps {
  kafka: Kafka;
  serde: AvroSerde;
  queue: Queue<DeliveryJobData>;
  webhooks: WebhookRegistry;
  sequence: DeliverySequence;
  tenants: readonly string[];
  groupId: string;
  retry: DeliveryRetryOptions;
  fromBeginning: boolean;
  log: LogSink;
}

/**
 * Kafka → delivery jobs. For each DR record whose aggregator has a webhook: number it within
 * its event, then enqueue it under its delivery id. The offset is committed only after the
 * job is in Redis, so a crash re-reads the record, which gets the same number and id.
 */
export async function startRelayConsumer(deps: RelayConsumerDeps): Promise<Consumer> {
  const sources = new Map<string, { discom: string; topicId: RelayedTopic }>();
  for (const discom of deps.tenants) for (const topicId of RELAYED_TOPICS) sources.set(topicName(discom, TOPICS[topicId]), { discom, topicId });

  const consumer = deps.kafka.consumer({ groupId: deps.groupId });
  await consumer.connect();
  await consumer.subscribe({ topics: [...sources.keys()], fromBeginning: deps.fromBeginning });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const source = sources.get(topic);
      if (!source || !message.value) return;
      let record: Record<string, unknown> & RelayedRecord;
      let id: string;
      try {
        record = await deps.serde.decode<Record<string, unknown> & RelayedRecord>(message.value);
        id = deliveryId(topic, source.topicId, record);
      } catch (err) {
        // A record that can never be decoded would stop the partition for good: log it and
        // move on (it stays in Kafka). A registry outage is retriable: throw, kafkajs retries.
        if (!isIesError(err) || err.retriable) throw err;
        deps.log.error({ err, topic, partition, offset: message.offset }, 'DR record not relayed to webhooks: it cannot be decoded');
        return;
      }
      await enqueue(deps, source.discom, source.topicId, topic, id, record);
    },
  });
  return consumer;
}

async function enqueue(deps: RelayConsumerDeps, discom: string, topicId: RelayedTopic, topic: string, id: string, record: Record<string, unknown> & RelayedRecord): Promise<void> {
  // A record that already has a number is enqueued even if the webhook is gone meanwhile:
  // skipping it would leave a hole that holds the event's later deliveries (the worker
  // settles a job whose aggregator has no webhook without sending it).
  let sequence = await deps.sequence.assigned(discom, record.eventId, id);
  if (sequence === undefined) {
    if (!(await deps.webhooks.get(discom, record.aggregatorId))) return;
    sequence = await deps.sequence.assign(discom, record.eventId, id);
  }
  const data: DeliveryJobData = { discomId: discom, aggregatorId: record.aggregatorId, eventId: record.eventId, topic, topicId, sequence, record: jsonSafe(record) };
  await deps.queue.add(topicId, data, {
    jobId: id,
    attempts: deps.retry.attempts,
    backoff: { type: 'exponential', delay: deps.retry.backoffMs },
    removeOnComplete: { age: KEEP_COMPLETED_SECONDS },
    removeOnFail: false,
  });
}

/** Avro longs decode to numbers and timestamp-millis may decode to Date: make it plain JSON. */
function jsonSafe(record: Record<string, unknown>): Record<string, unknown> {
  // The replacer sees a Date after its toJSON ran, so look at the holder's original value.
  return JSON.parse(
    JSON.stringify(record, function (this: Record<string, unknown>, key: string, value: unknown) {
      const original = this[key];
      return original instanceof Date ? original.getTime() : value;
    }),
  ) as Record<string, unknown>;
}
