import { Partitioners, type Consumer, type Kafka, type Producer } from 'kafkajs';
import { TOPICS, topicName } from '@ies/contracts';
import { commitInTransaction, deadLetterMessage, type AvroSerde } from '@ies/kafka';

interface BatchRecord {
  batchId: string;
  discomId: string;
  receivedAt: number;
  reads: { meterId: string; blockStart: number; channel: string; wh: number; validationStatus: string; source: string }[];
  rejected: { index: number; path: string; meterId: string | null; blockStart: number | null; channel: string | null; code: string; message: string }[];
}

/**
 * meter-batches.v1 → meter-reads.v1 (one record per accepted read, keyed by meter) and
 * dead-letter.v1 (one record per rejected read, with its code). Each batch's records and
 * the consumer offset that moves past it commit in one Kafka transaction, so after a crash
 * or redelivery every read is on meter-reads.v1 or dead-letter.v1 exactly once for
 * read_committed consumers.
 */
export async function startFanout(kafka: Kafka, serde: AvroSerde, tenants: readonly string[], ids: { groupId: string; transactionalId: string }): Promise<{ consumer: Consumer; producer: Producer }> {
  const { groupId, transactionalId } = ids;
  const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const consumer = kafka.consumer({ groupId, readUncommitted: false });
  await consumer.connect();
  for (const t of tenants) await consumer.subscribe({ topic: topicName(t, TOPICS.meterBatches), fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }) => {
      const batch = await serde.decode<BatchRecord>(message.value as Buffer);
      const messages = await Promise.all(
        batch.reads.map(async (r, i) => ({
          key: r.meterId,
          value: await serde.encode(batch.discomId, TOPICS.meterReads, { ...r, discomId: batch.discomId, batchId: batch.batchId, indexInBatch: i, receivedAt: batch.receivedAt }),
        })),
      );
      const deadLetters = await Promise.all(
        (batch.rejected ?? []).map((r) =>
          deadLetterMessage(serde, {
            sourceId: `${batch.batchId}#${r.index}`,
            discomId: batch.discomId,
            stage: 'gateway',
            code: r.code,
            message: r.message,
            rejectedAt: batch.receivedAt,
            context: {
              batchId: batch.batchId,
              index: String(r.index),
              path: r.path,
              ...(r.meterId === null ? {} : { meterId: r.meterId }),
              ...(r.blockStart === null ? {} : { blockStart: new Date(r.blockStart).toISOString() }),
              ...(r.channel === null ? {} : { channel: r.channel }),
            },
          }),
        ),
      );
      await commitInTransaction(
        producer,
        [
          { topic: topicName(batch.discomId, TOPICS.meterReads), messages },
          { topic: topicName(batch.discomId, TOPICS.deadLetter), messages: deadLetters },
        ],
        { consumerGroupId: groupId, positions: [{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }] },
      );
    },
  });
  return { consumer, producer };
}
