import type { Message, Producer, RecordMetadata } from 'kafkajs';

export interface ConsumedPosition {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to consume (last processed + 1). */
  readonly offset: string;
}

/**
 * Read-process-write in one Kafka transaction: the records (in order; empty sends are
 * skipped) and the consumer group's next offsets commit together or not at all, so a
 * read_committed reader sees each input's outputs exactly once across crashes and
 * redelivery. Resolves with each send's metadata (same order as `sends`).
 */
export async function commitInTransaction(producer: Producer, sends: readonly { topic: string; messages: Message[] }[], consumed: { consumerGroupId: string; positions: readonly ConsumedPosition[] }): Promise<(RecordMetadata | undefined)[]> {
  const tx = await producer.transaction();
  try {
    const metadata: (RecordMetadata | undefined)[] = [];
    for (const s of sends) metadata.push(s.messages.length === 0 ? undefined : (await tx.send({ topic: s.topic, messages: s.messages }))[0]);
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const p of consumed.positions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), { partition: p.partition, offset: p.offset }]);
    await tx.sendOffsets({ consumerGroupId: consumed.consumerGroupId, topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) });
    await tx.commit();
    return metadata;
  } catch (err) {
    await tx.abort().catch(() => {});
    throw err;
  }
}
