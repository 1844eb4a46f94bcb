import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { AvroSerde } from '@ies/kafka';

/** A decoded record and where it sits: `<topic>/<partition>/<offset>`. */
export interface Positioned<T> {
  readonly position: string;
  readonly value: T;
}

export interface TopicContents<T> {
  readonly records: Positioned<T>[];
  /** Records that are not Avro of a registered schema: position → why. */
  readonly undecodable: Positioned<string>[];
}

/**
 * Every committed record of a topic up to its end when the read began, decoded, in
 * partition then offset order. read_committed: records of aborted transactions (a fenced
 * notary's, a crashed fan-out's) never happened, so the auditor must not count them.
 * An open transaction holds the partition's readable end below its high watermark until it
 * commits, aborts or times out (a SIGKILLed writer's: kafkajs' 60 s transaction timeout, or at
 * once when its successor fences it); the read then stops after `timeoutMs` with an error
 * naming the partition instead of hanging.
 */
export async function readTopic<T>(kafka: Kafka, serde: AvroSerde, topic: string, timeoutMs = 120_000): Promise<TopicContents<T>> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const remaining = new Map(ends.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high)]));
  const out = new Map<number, Positioned<T>[]>();
  const undecodable: Positioned<string>[] = [];
  if (remaining.size === 0) return { records: [], undecodable };
  // A throw-away group: the auditor commits nothing and must not disturb any service's offsets.
  const consumer = kafka.consumer({ groupId: `ies-audit-${randomUUID()}`, readUncommitted: false, maxBytesPerPartition: 16 * 1024 * 1024 });
  await consumer.connect();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${topic}: could not read to the end within ${timeoutMs} ms (partitions ${[...remaining.keys()].join(', ')} still short; an open transaction?)`)), timeoutMs);
      const reached = (partition: number, lastOffset: string) => {
        if (BigInt(lastOffset) + 1n >= (remaining.get(partition) ?? 0n)) remaining.delete(partition);
        if (remaining.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      };
      consumer.on(consumer.events.END_BATCH_PROCESS, (e) => reached(e.payload.partition, e.payload.lastOffset));
      consumer
        .subscribe({ topic, fromBeginning: true })
        .then(() =>
          consumer.run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              if (BigInt(message.offset) >= (remaining.get(partition) ?? ends.reduce((n, p) => (p.partition === partition ? BigInt(p.high) : n), 0n))) return;
              const position = `${topic}/${partition}/${message.offset}`;
              try {
                const value = await serde.decode<T>(message.value as Buffer);
                const list = out.get(partition);
                if (list === undefined) out.set(partition, [{ position, value }]);
                else list.push({ position, value });
              } catch (err) {
                // A record anyone with write access could have produced: report it, do not stall on it.
                undecodable.push({ position, value: (err as Error).message });
              }
            },
          }),
        )
        .catch((err: unknown) => {
          clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(String(err)));
        });
    });
  } finally {
    await consumer.disconnect();
  }
  return { records: [...out.keys()].sort((a, b) => a - b).flatMap((p) => out.get(p)!), undecodable };
}
