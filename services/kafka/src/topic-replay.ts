import type { Admin, Kafka } from 'kafkajs';

export interface ReplayedRecord {
  readonly partition: number;
  readonly offset: string;
  readonly value: Buffer;
}

/**
 * Reads a topic from its first retained offset up to the high watermark each partition had
 * when the replay began (records written meanwhile are left to the live path), in offset
 * order per partition. The consumer group is the caller's throwaway id and commits nothing,
 * so a replay never moves the offsets of a live consumer. Resolves with the count read.
 */
export async function replayTopic(opts: { kafka: Kafka; admin: Admin; topic: string; groupId: string }, each: (r: ReplayedRecord) => Promise<void>): Promise<number> {
  const offsets = await opts.admin.fetchTopicOffsets(opts.topic);
  const ends = new Map(offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high)]));
  if (ends.size === 0) return 0;
  let count = 0;
  const consumer = opts.kafka.consumer({ groupId: opts.groupId, maxBytesPerPartition: 16 * 1024 * 1024 });
  await consumer.connect();
  try {
    await new Promise<void>((resolve, reject) => {
      consumer
        .subscribe({ topic: opts.topic, fromBeginning: true })
        .then(() =>
          consumer.run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              const end = ends.get(batch.partition);
              if (end === undefined) return;
              try {
                for (const m of batch.messages) {
                  if (BigInt(m.offset) >= end) break;
                  if (m.value !== null) await each({ partition: batch.partition, offset: m.offset, value: m.value });
                  count++;
                }
              } catch (err) {
                reject(err instanceof Error ? err : new Error(String(err)));
                throw err;
              }
              // lastOffset() also covers a batch that ends in records the consumer does not see.
              if (BigInt(batch.lastOffset()) + 1n >= end) {
                ends.delete(batch.partition);
                if (ends.size === 0) resolve();
              }
            },
          }),
        )
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return count;
}
