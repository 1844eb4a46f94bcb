import type { Consumer } from 'kafkajs';
import type { LogSink } from '@ies/kafka';
import type { LoaderMetrics } from './metrics.js';
import type { TopicPartitionOffset } from './row-buffer.js';

/**
 * The loader's offsets: what is stored and may be committed, what was committed, and the
 * lag per partition (high watermark − committed). A partition's offset reaches `stored`
 * only once every row before it is in ClickHouse, so a commit never passes an unstored row.
 */
export class OffsetCommits {
  private committing: Promise<void> | undefined;
  private readonly committable = new Map<string, TopicPartitionOffset>();
  private readonly committed = new Map<string, bigint>();
  private readonly highWatermarks = new Map<string, bigint>();

  constructor(
    private readonly consumer: Pick<Consumer, 'commitOffsets'>,
    private readonly log: LogSink,
    private readonly metrics: LoaderMetrics,
  ) {}

  /** Partitions with a stored offset not committed yet. */
  get pending(): number {
    return this.committable.size;
  }

  /** Every row before `o` is stored. */
  stored(o: TopicPartitionOffset): void {
    this.committable.set(partitionKey(o.topic, o.partition), o);
  }

  /** A fetched batch's high watermark; `fallbackCommitted` stands in until the first commit. */
  fetched(topic: string, partition: number, highWatermark: bigint, fallbackCommitted: bigint): void {
    this.highWatermarks.set(partitionKey(topic, partition), highWatermark);
    this.reportLag(topic, partition, fallbackCommitted);
  }

  /** Commits what is stored. A failed commit is retried on the next tick; redelivery meanwhile is harmless. */
  commit(): Promise<void> {
    this.committing ??= (async () => {
      while (this.committable.size > 0) {
        const offsets = [...this.committable.values()];
        try {
          await this.consumer.commitOffsets(offsets);
        } catch (err) {
          this.log.warn({ err: (err as Error).message, partitions: offsets.length }, 'offset commit failed; rows are stored, commit retried');
          return;
        }
        for (const o of offsets) {
          const key = partitionKey(o.topic, o.partition);
          if (this.committable.get(key) === o) this.committable.delete(key);
          this.committed.set(key, BigInt(o.offset));
          this.reportLag(o.topic, o.partition, BigInt(o.offset));
        }
      }
    })().finally(() => {
      this.committing = undefined;
    });
    return this.committing;
  }

  private reportLag(topic: string, partition: number, fallbackCommitted: bigint): void {
    const key = partitionKey(topic, partition);
    const hw = this.highWatermarks.get(key);
    if (hw === undefined) return;
    const committed = this.committed.get(key) ?? fallbackCommitted;
    this.metrics.lag(topic, partition, Number(hw > committed ? hw - committed : 0n));
  }
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
